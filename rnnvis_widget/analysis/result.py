"""`Analysis`: what a model's hidden memory did over a corpus, and the questions it answers
(responses, variances, quantiles, unit summaries, contexts, co-clustering)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from ..capture import LayerKey
from ..clustering import CoClustering, SpectralEmbedding
from ..stats import CorpusStats, TopContexts, UnitSummary
from ._file import read_analysis, write_analysis

__all__ = ["Analysis", "Context", "Stack"]


class Context(NamedTuple):
    """One top-activating occurrence: the response, the token's corpus position, the word and
    up to `context_width` words on each side (within its sequence)."""

    value: float
    position: int
    word: str
    left: list[str]
    right: list[str]


@dataclass(frozen=True)
class Stack:
    """One (module, layer) position of the network; directions live under it."""

    module: str
    layer: int

    def __str__(self) -> str:
        return f"{self.module or 'model'} · layer {self.layer}"


class Analysis:
    """What the model's hidden memory did over a corpus.

    Attributes:
        vocab: list of token texts, `vocab[id]`.
        layers: every recorded `LayerKey(module, layer, direction)`, in model order.
        counts: `(n_words,)` int64, occurrences of each word in the corpus.
        n_tokens: tokens read.
        display_words: `(n_display,)` int64, words whose quantiles were kept.
        stats: the underlying `CorpusStats` (mergeable across shards).
    """

    def __init__(self, vocab: list[str], stats: CorpusStats, kinds: dict[LayerKey, list[str]]):
        self.vocab = vocab
        self.stats = stats
        self._kinds = kinds

    @property
    def layers(self) -> list[LayerKey]:
        return sorted(self._kinds)

    @property
    def stacks(self) -> list[Stack]:
        """Distinct (module, layer) positions, the index space of `response(layer=...)`."""
        return sorted({Stack(k.module, k.layer) for k in self._kinds}, key=lambda s: (s.module, s.layer))

    @property
    def counts(self) -> np.ndarray:
        return self.stats.counts

    @property
    def n_tokens(self) -> int:
        return self.stats.n_tokens

    def states(self, layer: int | LayerKey = -1) -> list[str]:
        """State kinds recorded at a layer: "h", "c" (LSTM) and gate names if captured."""
        return list(self._kinds[self.layer_key(layer)])

    def directions(self, layer: int = -1) -> list[int]:
        stack = self._stack(layer)
        return sorted(k.direction for k in self._kinds if (k.module, k.layer) == (stack.module, stack.layer))

    def _stack(self, layer: int) -> Stack:
        stacks = self.stacks
        if not -len(stacks) <= layer < len(stacks):
            raise IndexError(
                f"layer {layer} out of range: this analysis has {len(stacks)} layers "
                f"{[str(s) for s in stacks]}"
            )
        return stacks[layer]

    def layer_key(self, layer: int | LayerKey = -1, direction: int = 0) -> LayerKey:
        """Resolve a layer index (into `stacks`, negative from the end) and a direction."""
        if isinstance(layer, LayerKey):
            key = layer
        else:
            stack = self._stack(layer)
            key = LayerKey(stack.module, stack.layer, direction)
        if key not in self._kinds:
            raise KeyError(f"{key} was not recorded; recorded layers: {[str(k) for k in self.layers]}")
        return key

    def _slot(self, layer: int | LayerKey, state: str, direction: int) -> LayerKey:
        key = self.layer_key(layer, direction)
        if state not in self._kinds[key]:
            raise KeyError(f"state {state!r} not recorded at {key}; recorded: {self._kinds[key]}")
        return key

    def response(self, layer: int | LayerKey = -1, state: str = "h", direction: int = 0) -> np.ndarray:
        """Expected response s(w)_i: mean Δ of unit i when word w is read (gates: mean value).

        Returns
        -------
        ndarray of shape (n_words, n_units), float64, read-only; 0 for words never seen.
        """
        return self.stats.mean(self._slot(layer, state, direction), state)

    def variance(self, layer: int | LayerKey = -1, state: str = "h", direction: int = 0) -> np.ndarray:
        """Population variance of the response.

        Returns
        -------
        ndarray of shape (n_words, n_units), float64; 0 for words seen at most once.
        """
        return self.stats.variance(self._slot(layer, state, direction), state)

    @property
    def display_words(self) -> np.ndarray:
        """Ids of the words whose quantiles were kept, shape (n_display,), most frequent first."""
        return np.asarray(self.stats.display_words).copy()

    def quantiles(
        self, layer: int | LayerKey = -1, state: str = "h", direction: int = 0
    ) -> tuple[np.ndarray, np.ndarray]:
        """Box-plot quantiles (9, 25, 50, 75, 91 %) of the response per display word and unit.

        Estimated from fixed log-spaced histograms (see :mod:`rnnvis_widget.stats._sketch`): with the
        defaults the error is at most max(7.2 % of |q|, x_max / 1000), x_max = 2 for Δh of tanh
        units; values beyond ±x_max (unbounded states only, x_max = 16) are clipped.

        Returns
        -------
        word_ids : ndarray of shape (n_display,), int64
        quantiles : ndarray of shape (n_display, n_units, 5), float64; NaN for unseen words.
        """
        return self.stats.quantiles(self._slot(layer, state, direction), state)

    def unit_summary(self, layer: int | LayerKey = -1, state: str = "h", direction: int = 0) -> UnitSummary:
        """Per-unit mean, std, mean |Δ|, sparsity and saturation, each of shape (n_units,).

        Sparsity: fraction of tokens with |response| < 0.01. Saturation: fraction of tokens whose
        state is within 0.05 of its activation's bound (|h| >= 0.95 for tanh); NaN for unbounded
        states (LSTM c, ReLU or projected h, custom cells).
        """
        return self.stats.unit_summary(self._slot(layer, state, direction), state)

    def contexts(self, layer: int | LayerKey = -1, state: str = "h", direction: int = 0) -> TopContexts:
        """Top contexts of every unit as arrays.

        Returns
        -------
        TopContexts with ``values`` (2, K, n_units) float32 (``[0]`` strongest positive,
        ``[1]`` strongest negative, NaN if fewer), ``positions`` (2, K, n_units) int64 (token
        index in the corpus, -1 if empty) and ``windows`` (2, K, n_units, 2w + 1) int32 (token
        ids around the token, -1 padding).
        """
        return self.stats.contexts(self._slot(layer, state, direction), state)

    def cocluster(
        self,
        n_clusters: int = 8,
        layer: int | LayerKey = -1,
        state: str = "h",
        direction: int = 0,
        *,
        min_count: int = 5,
        seed: int = 0,
    ) -> CoClustering:
        """Co-cluster the words and units of one layer and state (spectral co-clustering of
        |response|, the sign kept for the edge weights); the same clustering the widget shows.

        Returns a CoClustering with ``unit_labels`` (n_units,), ``word_labels`` (n_words,; -1 for
        words seen fewer than ``min_count`` times), ``edge_weights`` (k, k) signed mean response
        of unit cluster i to word cluster j, ``edge_strength`` (k, k), ``cluster_order``,
        ``unit_order`` and ``word_strength``.
        """
        response = self.response(layer, state, direction)
        embedding = SpectralEmbedding.fit(response, self.counts, min_count=min_count, seed=seed)
        return embedding.cluster(n_clusters)

    def top_contexts(
        self,
        unit: int,
        layer: int | LayerKey = -1,
        state: str = "h",
        direction: int = 0,
        sign: int = 1,
    ) -> list[Context]:
        """The strongest responses of one unit with a few tokens of context, strongest first.

        Parameters
        ----------
        unit : int
        sign : {1, -1}
            1: largest positive responses; -1: largest negative ones.

        Returns
        -------
        list of Context(value, position, word, left, right), at most K entries.
        """
        if sign not in (1, -1):
            raise ValueError(f"sign must be 1 or -1, got {sign}")
        top = self.contexts(layer, state, direction)
        if not -top.n_units <= unit < top.n_units:
            raise IndexError(f"unit {unit} out of range for {top.n_units} units")
        side = 0 if sign == 1 else 1
        width = top.width
        out = []
        for entry in range(top.k):
            position = int(top.positions[side, entry, unit])
            if position < 0:
                break
            window = top.windows[side, entry, unit]
            out.append(
                Context(
                    value=float(top.values[side, entry, unit]),
                    position=position,
                    word=self.vocab[int(window[width])],
                    left=[self.vocab[int(i)] for i in window[:width] if i >= 0],
                    right=[self.vocab[int(i)] for i in window[width + 1 :] if i >= 0],
                )
            )
        return out

    # Persistence ---------------------------------------------------------------------------

    def save(self, path: str | os.PathLike[str]) -> None:
        """Write the analysis to one compressed `.npz` file (versioned; `Analysis.load` reads it)."""
        write_analysis(path, self.vocab, self.stats, self._kinds)

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> Analysis:
        """Read a file written by `save`; a foreign, older, newer or damaged file raises ValueError."""
        return cls(*read_analysis(path))

    def __repr__(self) -> str:
        layers = [str(k) for k in self.layers]
        return f"<Analysis: {len(self.vocab)} words, {self.n_tokens} tokens, layers {layers}>"


