"""Exactly what the browser needs for the main view, as compact binary arrays.

Two payloads, typed in `_payloads` (twins in js/payloads.ts): `main_view` (one
layer/state/direction: the shown words, their responses and quantiles, unit resting values, top
contexts) changes only when the layer, state or direction change; `clustering_view` (one k)
changes when the clusters control moves. Keeping them apart means a k change sends a few
kilobytes, not the response matrix again. Quantiles and contexts are optional in an analysis
(`display_words=0`, `top_contexts=0`); their parts are then None and the view still draws.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np

from ..analysis import Analysis
from ..capture import LayerKey
from ..clustering import CoClustering, SpectralEmbedding
from ..stats import DEFAULT_MIN_COUNT, MEMORY_KINDS, top_words
from ._codecs import EncodedArray, encode
from ._payloads import (
    MAX_CLUSTERS,
    MIN_CLUSTERS,
    ClusteringPayload,
    ContextsPart,
    ErrorPayload,
    MainPayload,
)

#: How the view chooses its words: the most frequent, or those whose responses are strongest
#: (mean |response| over the units, among words seen at least ``min_count`` times).
WORD_SELECTIONS: tuple[str, ...] = ("frequent", "strongest")


def error_view(message: str) -> ErrorPayload:
    """The `view` trait when nothing can be drawn; the browser shows `message` instead."""
    return {"kind": "error", "message": message}


@dataclass(frozen=True)
class ViewSlot:
    """One layer / state kind / direction of an analysis, as the widget's traits name it."""

    layer: int
    state: str
    direction: int


@dataclass
class ViewModel:
    """Builds payloads for one analysis. Caches each slot's spectral embedding (re-clustering
    with another k then costs only a k-means) and every clustering and view it computed, so
    moving a control back and forth is instant. Thread-safe: the widget precomputes the other
    k of the clusters range in the background while the user looks at the first."""

    analysis: Analysis
    min_count: int = DEFAULT_MIN_COUNT
    seed: int = 0
    word_selection: str = "frequent"
    _embeddings: dict[ViewSlot, SpectralEmbedding] = field(default_factory=dict)
    _clusterings: dict[tuple[ViewSlot, int], CoClustering] = field(default_factory=dict)
    _views: dict[tuple[ViewSlot, int, bool, str], MainPayload] = field(default_factory=dict)
    _lock: threading.RLock = field(default_factory=threading.RLock)

    def key(self, slot: ViewSlot) -> LayerKey:
        return self.analysis.layer_key(slot.layer, slot.direction)

    def display_ids(self, n_words: int, slot: ViewSlot | None = None) -> np.ndarray:
        """Ids of the words the view shows, as `word_selection` chooses them.

        "frequent": the first `n_words` display words (those with quantiles), most frequent
        first; when the analysis kept no quantiles, the `n_words` most frequent words seen.
        "strongest": the `n_words` words of `slot` with the largest mean |response| over its
        units, strongest first, among the words seen at least `min_count` times.

        Returns
        -------
        ndarray of shape (N,), int64, N <= n_words
        """
        if self.word_selection == "strongest":
            if slot is None:
                raise ValueError("the strongest words depend on the layer and state: pass slot")
            return self.strongest_ids(slot, n_words)
        display = self.analysis.display_words
        if len(display):
            return display[:n_words]
        return top_words(self.analysis.counts, n_words)

    def effective_min_count(self) -> int:
        """`min_count`, or 1 on a corpus too small to have `MIN_CLUSTERS` words that often
        (the clustering's own fallback)."""
        enough = int((self.analysis.counts >= self.min_count).sum()) >= MIN_CLUSTERS
        return self.min_count if enough else 1

    def strongest_ids(self, slot: ViewSlot, n_words: int) -> np.ndarray:
        """The `n_words` words of `slot` whose responses are strongest: largest mean |response|
        over the units, among words seen `effective_min_count` times; ties by frequency.

        Returns
        -------
        ndarray of shape (N,), int64, N <= n_words
        """
        response = self.analysis.response(slot.layer, slot.state, slot.direction)
        counts = self.analysis.counts
        eligible = np.flatnonzero(counts >= self.effective_min_count())
        strength = np.abs(response[eligible]).mean(axis=1)
        order = np.lexsort((eligible, -counts[eligible], -strength))
        return eligible[order][:n_words].astype(np.int64)

    def words_label(self, slot: ViewSlot, n_words: int) -> str:
        """How the shown words were chosen, in words, for the view's header."""
        n = len(self.display_ids(n_words, slot))
        if self.word_selection == "strongest":
            what = f"mean |Δ{slot.state}|" if slot.state in MEMORY_KINDS else f"mean |{slot.state}|"
            least = self.effective_min_count()
            return f"the {n} words with the strongest responses ({what} over units, seen ≥ {least}×)"
        return f"the {n} most frequent words"

    def has_quantiles(self) -> bool:
        """Whether the analysis kept quantiles (`rv.analyze(display_words=...)` > 0)."""
        return len(self.analysis.display_words) > 0

    def has_contexts(self) -> bool:
        """Whether the analysis kept top contexts (`rv.analyze(top_contexts=...)` > 0)."""
        return self.analysis.stats.config.top_k > 0

    def embedding(self, slot: ViewSlot) -> SpectralEmbedding:
        with self._lock:
            return self._embedding(slot)

    def _embedding(self, slot: ViewSlot) -> SpectralEmbedding:
        if slot not in self._embeddings:
            response = self.analysis.response(slot.layer, slot.state, slot.direction)
            counts = self.analysis.counts
            # Small corpora: fall back to every seen word rather than failing outright.
            self._embeddings[slot] = SpectralEmbedding.fit(
                response, counts, min_count=self.effective_min_count(), seed=self.seed
            )
        return self._embeddings[slot]

    def k_range(self, slot: ViewSlot) -> tuple[int, int]:
        return MIN_CLUSTERS, min(MAX_CLUSTERS, self.embedding(slot).max_clusters)

    def cocluster(self, slot: ViewSlot, k: int) -> CoClustering:
        low, high = self.k_range(slot)
        if not low <= k <= high:
            raise ValueError(f"n_clusters must be in {low}..{high} for this layer, got {k}")
        embedding = self.embedding(slot)
        with self._lock:
            cached = self._clusterings.get((slot, k))
        if cached is None:
            # Computed outside the lock: a foreground request need not wait for a prefetch of
            # another k; at worst one k is computed twice, with the same (seeded) result.
            cached = embedding.cluster(k)
            with self._lock:
                self._clusterings[(slot, k)] = cached
        return cached

    def prefetch(self, slot: ViewSlot, ks: Iterable[int], cancelled: threading.Event) -> None:
        """Compute the clusterings of `ks` for `slot` until done or `cancelled` is set."""
        for k in ks:
            if cancelled.is_set():
                return
            self.cocluster(slot, k)

    def main_view(self, slot: ViewSlot, n_words: int, live: bool = True) -> MainPayload:
        """The `view` trait for `slot`, showing up to `n_words` words (see `display_ids`).

        `live` False marks a snapshot, whose kernel-only controls the browser disables. Cached:
        the same arguments return the same payload object.
        """
        with self._lock:
            key = (slot, n_words, live, self.word_selection)
            cached = self._views.get(key)
            if cached is None:
                cached = self._views[key] = self._main_view(slot, n_words, live)
        return cached

    def _main_view(self, slot: ViewSlot, n_words: int, live: bool) -> MainPayload:
        analysis = self.analysis
        key = self.key(slot)
        ids = self.display_ids(n_words, slot)
        response = analysis.response(slot.layer, slot.state, slot.direction)
        summary = analysis.unit_summary(slot.layer, slot.state, slot.direction)
        memory = slot.state in MEMORY_KINDS
        where = str(analysis.stacks[slot.layer]) + (" · backward" if key.direction else "")
        return {
            "kind": "main",
            "title": f"{where} · {slot.state} · {response.shape[1]} units · {analysis.n_tokens:,} tokens",
            "live": live,
            "layers": [str(stack) for stack in analysis.stacks],
            "states": analysis.states(key),
            "directions": len(analysis.directions(slot.layer)),
            "k_range": list(self.k_range(slot)),
            "resting_label": f"mean |Δ{slot.state}|" if memory else f"mean |{slot.state}|",
            "word_selection": self.word_selection,
            "words_label": self.words_label(slot, n_words),
            "words": {
                "text": [analysis.vocab[int(i)] for i in ids],
                "count": encode(analysis.counts[ids], "int32"),
                "response": encode(response[ids], "float32"),
                "quantiles": self._quantiles(slot, ids) if self.has_quantiles() else None,
            },
            "units": {"resting": encode(summary.mean_abs, "float32")},
            "contexts": self._contexts(slot) if self.has_contexts() else None,
        }

    def _quantiles(self, slot: ViewSlot, ids: np.ndarray) -> EncodedArray:
        """float16 of shape (len(ids), H, Q): box plots and bands need ~3 significant digits.
        A word the analysis kept no quantiles for (a strong but rarer word) has a row of NaN."""
        quantile_ids, quantiles = self.analysis.quantiles(slot.layer, slot.state, slot.direction)
        row_of = {int(w): i for i, w in enumerate(quantile_ids)}
        rows = np.full((len(ids), *quantiles.shape[1:]), np.nan, dtype=np.float32)
        kept = [i for i, w in enumerate(ids) if int(w) in row_of]
        rows[kept] = np.nan_to_num(quantiles[[row_of[int(ids[i])] for i in kept]])
        return encode(rows, "float16")

    def _contexts(self, slot: ViewSlot) -> ContextsPart:
        top = self.analysis.contexts(slot.layer, slot.state, slot.direction)
        windows = np.transpose(top.windows, (2, 0, 1, 3))  # (H, 2, K, 2w + 1)
        used = np.unique(windows[windows >= 0])
        remapped = np.where(windows >= 0, np.searchsorted(used, windows), -1)
        return {
            "tokens": [self.analysis.vocab[int(i)] for i in used],
            "window": int(top.width),
            "value": encode(np.transpose(top.values, (2, 0, 1)), "float32"),
            "ids": encode(remapped, "int32"),
        }

    def clustering_view(self, slot: ViewSlot, k: int, n_words: int) -> ClusteringPayload:
        """One value of the `clusterings` trait: `slot` co-clustered into `k`, over the words
        `main_view(slot, n_words)` shows."""
        co = self.cocluster(slot, k)
        ids = self.display_ids(n_words, slot)
        return {
            "k": k,
            "unit_cluster": encode(co.unit_labels, "int16"),
            "unit_order": encode(co.unit_order, "int32"),
            "cluster_order": encode(co.cluster_order, "int16"),
            "edges": encode(co.edge_weights, "float32"),
            "edge_strength": encode(co.edge_strength, "float32"),
            "word_cluster": encode(co.word_labels[ids], "int16"),
            "word_strength": encode(co.word_strength[ids], "float32"),
        }

    def other_direction_clusterings(
        self, slot: ViewSlot, ks: Iterable[int], n_words: int
    ) -> dict[str, ClusteringPayload]:
        """The ``other_direction_clusterings`` trait: for a bidirectional layer, the other
        direction of `slot` co-clustered into each of `ks` (keyed by ``str(k)``, like
        ``clusterings``), for the sentence view's second glyph row; empty for a layer with one
        direction. A k outside the other direction's range is left out."""
        directions = self.analysis.directions(slot.layer)
        if len(directions) < 2:
            return {}
        other = ViewSlot(slot.layer, slot.state, 1 - slot.direction)
        if other.direction not in directions or other.state not in self.analysis.states(
            self.analysis.layer_key(other.layer, other.direction)
        ):
            return {}
        low, high = self.k_range(other)
        return {str(k): self.clustering_view(other, k, n_words) for k in ks if low <= k <= high}
