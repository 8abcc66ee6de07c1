"""`rv.analyze`: run a model over a corpus and keep what the views need; `Analysis` holds it."""

from __future__ import annotations

import json
import os
import tempfile
import zipfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np
import torch
from torch import nn
from tqdm.auto import tqdm

from .batches import Batch, iter_batches
from .capture import LayerKey, StateRecorder
from .cocluster import CoClustering
from .contexts import TopContexts
from .stats import CorpusStats, StatsConfig, UnitSummary, activation_bounds, top_words
from .stats_arrays import stats_from_arrays, stats_to_arrays

FILE_FORMAT = "rnnvis-analysis"
# 2: Welford mean/M2 instead of sums, quantile histograms, unit summaries, top contexts.
FILE_VERSION = 2


def _check_vocab(vocab: Sequence[str]) -> list[str]:
    if isinstance(vocab, str) or not isinstance(vocab, Sequence):
        raise TypeError("vocab must be a sequence of str where vocab[id] is the token text, e.g. a list")
    words = list(vocab)
    if not words:
        raise ValueError("vocab is empty; pass the list of token texts, vocab[id] = text of token id")
    bad = next((i for i, w in enumerate(words) if not isinstance(w, str)), None)
    if bad is not None:
        raise TypeError(f"vocab[{bad}] is {type(words[bad]).__name__}, expected str")
    return words


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

        Estimated from fixed log-spaced histograms (see :mod:`rnnvis_widget.sketch`): with the
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
        from .cocluster import SpectralEmbedding

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
        stats_header, arrays = stats_to_arrays(self.stats)
        header = {
            "format": FILE_FORMAT,
            "version": FILE_VERSION,
            "vocab": self.vocab,
            "kinds": [[k.module, k.layer, k.direction, v] for k, v in sorted(self._kinds.items())],
            "stats": stats_header,
        }
        arrays = dict(arrays)
        arrays["header"] = np.frombuffer(json.dumps(header).encode("utf-8"), dtype=np.uint8)
        with open(path, "wb") as handle:
            np.savez_compressed(handle, **arrays)  # type: ignore[arg-type]

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> Analysis:
        """Read a file written by `save`; a foreign, older, newer or damaged file raises ValueError."""
        try:
            with np.load(Path(path), allow_pickle=False) as data:
                header = json.loads(bytes(data["header"]).decode("utf-8"))
                arrays = {name: data[name] for name in data.files if name != "header"}
        except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile, UnicodeDecodeError) as error:
            raise ValueError(f"{path} is not a readable rnnvis analysis file ({error})") from error
        if not isinstance(header, dict) or header.get("format") != FILE_FORMAT:
            raise ValueError(f"{path} is not an rnnvis analysis file")
        version = header.get("version")
        if version != FILE_VERSION:
            newer = isinstance(version, int) and version > FILE_VERSION
            raise ValueError(
                f"{path} has analysis file version {version}, this rnnvis-widget reads version "
                f"{FILE_VERSION}; "
                + ("upgrade rnnvis-widget to read it" if newer else "re-run rv.analyze to make a new file")
            )
        try:
            vocab = [str(word) for word in header["vocab"]]
            stats = stats_from_arrays(header["stats"], arrays)
            kinds = {
                LayerKey(str(m), int(layer), int(d)): [str(k) for k in v]
                for m, layer, d, v in header["kinds"]
            }
            if stats.vocab_size != len(vocab):
                raise ValueError(
                    f"{len(vocab)} words in the vocabulary but statistics over {stats.vocab_size}"
                )
            missing = [
                f"{key} {kind}" for key, v in kinds.items() for kind in v if (key, kind) not in stats.slots
            ]
            if missing:
                raise ValueError(f"no statistics for {missing}")
        except (KeyError, ValueError, TypeError, IndexError) as error:
            raise ValueError(f"{path} is a damaged rnnvis analysis file ({error!r})") from error
        return cls(vocab, stats, kinds)

    def __repr__(self) -> str:
        layers = [str(k) for k in self.layers]
        return f"<Analysis: {len(self.vocab)} words, {self.n_tokens} tokens, layers {layers}>"


def analyze(
    model: nn.Module,
    corpus: Any,
    vocab: Sequence[str],
    modules: Sequence[str] | None = None,
    forward: Callable[[nn.Module, Batch], Any] | None = None,
    batch_size: int = 64,
    device: torch.device | str | None = None,
    progress: bool = True,
    seed: int = 0,
    gates: bool = False,
    display_words: int | Sequence[int] | None = 300,
    top_contexts: int = 10,
    context_width: int = 3,
) -> Analysis:
    """Record every hidden state of `model` over `corpus` and reduce it to per-word responses.

    Args:
        model: a live `torch.nn.Module` on any device; it is left exactly as it was.
        corpus: token-id sequences (list of lists, LongTensor (B, T), (ids, lengths) batches, or a
            DataLoader of those).
        vocab: `vocab[id]` is the text of token `id`.
        modules: names of modules to record; None records every nn.RNN/LSTM/GRU/*Cell.
        forward: `forward(model, batch)` runs the model; default `model(batch.ids)`.
        batch_size: sequences per batch when the corpus is not already batched.
        device: where to run; default the model's own device.
        progress: show a progress bar with tokens/s.
        seed: seeds torch for anything random during the run.
        gates: also record gate values (LSTM i, f, g, o; GRU r, z, n).
        display_words: keep per-unit quantiles for the N most frequent words (an int), for
            these word ids (a sequence), or for none (None / 0). The N most frequent are found by
            a first pass that only counts ids (no model run): a re-iterable corpus (list,
            tensor, DataLoader) is read twice; a one-shot iterator is spooled to a temporary
            file while counted, so memory stays independent of corpus length.
        top_contexts: strongest positive and negative occurrences kept per unit (0: none).
        context_width: tokens of context kept each side of those occurrences.
    """
    words = _check_vocab(vocab)
    torch.manual_seed(seed)
    config = StatsConfig(top_k=top_contexts, context_width=context_width)
    display, batches = _display_words(display_words, corpus, len(words), batch_size)
    named = dict(model.named_modules())
    with (
        # States of a model on a GPU stay there: the statistics fold them in on the device.
        StateRecorder(model, modules=modules, gates=gates, device=device, keep_on_device=True) as recorder,
        tqdm(unit="tok", unit_scale=True, disable=not progress, desc="rnnvis") as bar,
    ):
        bounds = {
            (key, kind): bound
            for key in recorder.layers
            for kind, bound in activation_bounds(named[key.module], [*recorder.kinds(key), "c"]).items()
        }
        stats = CorpusStats(len(words), display_words=display, bounds=bounds, config=config)
        for batch in batches:
            stats.update(recorder.record(batch, forward))
            bar.update(batch.n_tokens)
        kinds = {key: recorder.kinds(key) for key in recorder.layers}
    if stats.n_tokens == 0:
        raise ValueError("the corpus has no tokens; pass at least one non-empty sequence")
    return Analysis(words, stats, kinds)


def _display_words(
    display_words: int | Sequence[int] | None, corpus: Any, vocab_size: int, batch_size: int
) -> tuple[np.ndarray, Iterable[Batch]]:
    """The display word ids and the batches to capture (replayed from a spool if need be)."""
    if display_words is None or isinstance(display_words, (int, np.integer)):
        n = int(display_words or 0)
        if n < 0:
            raise ValueError(f"display_words must be >= 0, got {n}")
        if n == 0:
            return np.zeros(0, dtype=np.int64), iter_batches(corpus, vocab_size, batch_size)
        counts = np.zeros(vocab_size, dtype=np.int64)
        if isinstance(corpus, Iterator):
            # A one-shot iterator can't be read twice: keep its (validated) ids on disk.
            spool = _Spool()
            try:
                for batch in iter_batches(corpus, vocab_size, batch_size):
                    counts += _count(batch, vocab_size)
                    spool.write(batch)
            except BaseException:
                spool.close()
                raise
            return top_words(counts, n), spool.replay()
        for batch in iter_batches(corpus, vocab_size, batch_size):
            counts += _count(batch, vocab_size)
        return top_words(counts, n), iter_batches(corpus, vocab_size, batch_size)
    ids = np.asarray(display_words)
    if ids.ndim != 1 or ids.dtype.kind not in "iu":
        raise TypeError("display_words must be an int (top N words), a sequence of word ids, or None")
    if np.any((ids < 0) | (ids >= vocab_size)):
        raise ValueError(f"display_words must be word ids in 0..{vocab_size - 1}")
    return ids.astype(np.int64), iter_batches(corpus, vocab_size, batch_size)


def _count(batch: Batch, vocab_size: int) -> np.ndarray:
    return np.bincount(batch.ids[batch.mask()].numpy(), minlength=vocab_size)


class _Spool:
    """Validated batches of ids written to an anonymous temporary file and read back once."""

    def __init__(self) -> None:
        self._file = tempfile.TemporaryFile()

    def write(self, batch: Batch) -> None:
        np.save(self._file, batch.ids.numpy(), allow_pickle=False)
        np.save(self._file, batch.lengths.numpy(), allow_pickle=False)

    def close(self) -> None:
        self._file.close()

    def replay(self) -> Iterator[Batch]:
        try:
            end = self._file.tell()
            self._file.seek(0)
            while self._file.tell() < end:
                ids = np.load(self._file, allow_pickle=False)
                lengths = np.load(self._file, allow_pickle=False)
                yield Batch(torch.from_numpy(ids), torch.from_numpy(lengths))
        finally:
            self.close()
