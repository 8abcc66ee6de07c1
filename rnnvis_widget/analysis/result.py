"""`Analysis`: what a model's hidden memory did over a corpus, and the questions it answers
(responses, variances, quantiles, unit summaries, contexts, co-clustering)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from ..capture import LayerKey
from ..clustering import CoClustering, SpectralEmbedding
from ..stats import DEFAULT_MIN_COUNT, CorpusStats, TopContexts, UnitSummary
from ._file import read_analysis, write_analysis

__all__ = ["Analysis", "Context", "Stack"]


class Context(NamedTuple):
    """One top-activating occurrence of a unit, with a few words of context.

    Attributes
    ----------
    value : float
        The unit's response at this token.
    position : int
        The token's position in the corpus (0-based count of the tokens read before it).
    word : str
        The token's text.
    left, right : list of str
        Up to ``context_width`` words before and after it, within its own sequence.
    """

    value: float
    position: int
    word: str
    left: list[str]
    right: list[str]


@dataclass(frozen=True)
class Stack:
    """One (module, layer) position of the network; directions live under it.

    Prints as ``module · layer 0`` (``model`` for the model itself).

    Attributes
    ----------
    module : str
        Qualified module name; ``""`` is the model itself.
    layer : int
        0-based layer inside the module.
    """

    module: str
    layer: int

    def __str__(self) -> str:
        return f"{self.module or 'model'} · layer {self.layer}"


class Analysis:
    """What the model's hidden memory did over a corpus.

    Made by [analyze][rnnvis_widget.analyze] or read by
    [load][rnnvis_widget.Analysis.load]. Methods take a ``layer`` (an index into
    [stacks][rnnvis_widget.Analysis.stacks], negative from the end, or a
    [LayerKey][rnnvis_widget.LayerKey]), a ``state`` kind (``"h"``, ``"c"`` for LSTM, or a
    recorded gate) and a ``direction`` (0 forward, 1 backward).

    Parameters
    ----------
    vocab : list of str
        ``vocab[id]`` is the text of token ``id``.
    stats : CorpusStats
        The statistics gathered over the corpus.
    kinds : dict of LayerKey to list of str
        The state kinds recorded at each layer.

    Attributes
    ----------
    vocab : list of str
        Token texts, ``vocab[id]``.
    layers : list of LayerKey
        Every recorded ``LayerKey(module, layer, direction)``, sorted.
    counts : ndarray of shape (n_words,), int64
        Occurrences of each word in the corpus.
    n_tokens : int
        Tokens read.
    display_words : ndarray of shape (n_display,), int64
        Words whose quantiles were kept.
    stats : CorpusStats
        The underlying statistics (mergeable across shards).
    """

    def __init__(self, vocab: list[str], stats: CorpusStats, kinds: dict[LayerKey, list[str]]):
        self.vocab = vocab
        self.stats = stats
        self._kinds = kinds

    @property
    def layers(self) -> list[LayerKey]:
        """Every recorded ``LayerKey(module, layer, direction)``, sorted."""
        return sorted(self._kinds)

    @property
    def stacks(self) -> list[Stack]:
        """Distinct (module, layer) positions, sorted: the index space of ``response(layer=...)``."""
        return sorted({Stack(k.module, k.layer) for k in self._kinds}, key=lambda s: (s.module, s.layer))

    @property
    def counts(self) -> np.ndarray:
        """Occurrences of each word in the corpus, ndarray of shape (n_words,), int64."""
        return self.stats.counts

    @property
    def n_tokens(self) -> int:
        """Tokens read."""
        return self.stats.n_tokens

    def states(self, layer: int | LayerKey = -1) -> list[str]:
        """State kinds recorded at a layer.

        Parameters
        ----------
        layer : int or LayerKey, default -1
            An index into ``stacks`` (direction 0), or a key.

        Returns
        -------
        list of str
            ``"h"``, ``"c"`` (LSTM) and gate names if captured.
        """
        return list(self._kinds[self.layer_key(layer)])

    def directions(self, layer: int = -1) -> list[int]:
        """Directions recorded at a layer.

        Parameters
        ----------
        layer : int, default -1
            An index into ``stacks``.

        Returns
        -------
        list of int
            ``[0]``, or ``[0, 1]`` for a bidirectional layer.

        Raises
        ------
        IndexError
            If ``layer`` is out of range.
        """
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
        """Resolve a layer index and a direction to a recorded key.

        Parameters
        ----------
        layer : int or LayerKey, default -1
            An index into ``stacks``, negative from the end; a key is checked and returned.
        direction : int, default 0
            0 forward, 1 backward; ignored for a key.

        Returns
        -------
        LayerKey

        Raises
        ------
        IndexError
            If ``layer`` is out of range.
        KeyError
            If that layer and direction were not recorded.
        """
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
        """Expected response ``s(w)_i``: mean Δ of unit ``i`` when word ``w`` is read (gates: mean value).

        Parameters
        ----------
        layer : int or LayerKey, default -1
            An index into ``stacks``, negative from the end, or a key.
        state : str, default "h"
            ``"h"``, ``"c"`` (LSTM) or a recorded gate.
        direction : int, default 0
            0 forward, 1 backward.

        Returns
        -------
        response : ndarray of shape (n_words, n_units), float64
            Read-only; 0 for words never seen.

        Raises
        ------
        IndexError
            If ``layer`` is out of range.
        KeyError
            If that layer, direction or state was not recorded.
        """
        return self.stats.mean(self._slot(layer, state, direction), state)

    def variance(self, layer: int | LayerKey = -1, state: str = "h", direction: int = 0) -> np.ndarray:
        """Population variance of the response.

        Parameters
        ----------
        layer : int or LayerKey, default -1
            An index into ``stacks``, negative from the end, or a key.
        state : str, default "h"
            ``"h"``, ``"c"`` (LSTM) or a recorded gate.
        direction : int, default 0
            0 forward, 1 backward.

        Returns
        -------
        variance : ndarray of shape (n_words, n_units), float64
            0 for words seen at most once.

        Raises
        ------
        IndexError
            If ``layer`` is out of range.
        KeyError
            If that layer, direction or state was not recorded.
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

        Parameters
        ----------
        layer : int or LayerKey, default -1
            An index into ``stacks``, negative from the end, or a key.
        state : str, default "h"
            ``"h"``, ``"c"`` (LSTM) or a recorded gate.
        direction : int, default 0
            0 forward, 1 backward.

        Returns
        -------
        word_ids : ndarray of shape (n_display,), int64
            The display words, most frequent first.
        quantiles : ndarray of shape (n_display, n_units, 5), float64
            NaN for unseen words.

        Raises
        ------
        IndexError
            If ``layer`` is out of range.
        KeyError
            If that layer, direction or state was not recorded.
        ValueError
            If no quantiles were kept (``display_words`` was None or 0).

        Notes
        -----
        Estimated from fixed log-spaced histograms (private module
        ``rnnvis_widget.stats._sketch``): with the defaults the error is at most
        ``max(7.2 % of |q|, x_max / 1000)``, ``x_max = 2`` for Δh of tanh units; values beyond
        ``±x_max`` (unbounded states only, ``x_max = 16``) are clipped.
        """
        return self.stats.quantiles(self._slot(layer, state, direction), state)

    def unit_summary(self, layer: int | LayerKey = -1, state: str = "h", direction: int = 0) -> UnitSummary:
        """Per-unit mean, std, mean ``|Δ|``, sparsity, saturation and saturation-aware
        sparsity, each of shape (n_units,).

        Sparsity: fraction of tokens with ``|response| < 0.01``. Saturation: fraction of tokens
        whose state is within 0.05 of its activation's bound (``|h| >= 0.95`` for tanh); NaN for
        unbounded states (LSTM c, ReLU or projected h, custom cells). Saturation-aware sparsity
        (``unsaturated_sparsity``): the sparsity counted only over tokens whose *previous* state
        value is unsaturated (``|h(t-1)| < 0.9`` for tanh), so that a unit stuck at ±1 does not
        count as updating sparsely; NaN for unbounded states and gates.

        Parameters
        ----------
        layer : int or LayerKey, default -1
            An index into ``stacks``, negative from the end, or a key.
        state : str, default "h"
            ``"h"``, ``"c"`` (LSTM) or a recorded gate.
        direction : int, default 0
            0 forward, 1 backward.

        Returns
        -------
        UnitSummary

        Raises
        ------
        IndexError
            If ``layer`` is out of range.
        KeyError
            If that layer, direction or state was not recorded.
        """
        return self.stats.unit_summary(self._slot(layer, state, direction), state)

    def contexts(self, layer: int | LayerKey = -1, state: str = "h", direction: int = 0) -> TopContexts:
        """Top contexts of every unit as arrays.

        Parameters
        ----------
        layer : int or LayerKey, default -1
            An index into ``stacks``, negative from the end, or a key.
        state : str, default "h"
            ``"h"``, ``"c"`` (LSTM) or a recorded gate.
        direction : int, default 0
            0 forward, 1 backward.

        Returns
        -------
        TopContexts
            With ``values`` of shape (2, K, n_units), float32 (``[0]`` strongest positive,
            ``[1]`` strongest negative, NaN if fewer), ``positions`` of shape (2, K,
            n_units), int64 (token index in the corpus, -1 if empty) and ``windows`` of shape
            (2, K, n_units, 2w + 1), int32 (token ids around the token, -1 padding).

        Raises
        ------
        IndexError
            If ``layer`` is out of range.
        KeyError
            If that layer, direction or state was not recorded.
        ValueError
            If no contexts were kept (``top_contexts=0``).
        """
        return self.stats.contexts(self._slot(layer, state, direction), state)

    def cocluster(
        self,
        n_clusters: int = 8,
        layer: int | LayerKey = -1,
        state: str = "h",
        direction: int = 0,
        *,
        min_count: int = DEFAULT_MIN_COUNT,
        seed: int = 0,
    ) -> CoClustering:
        """Co-cluster the words and units of one layer and state.

        Spectral co-clustering of ``|response|``, the sign kept for the edge weights; the same
        clustering the widget shows.

        Parameters
        ----------
        n_clusters : int, default 8
            Number of paired clusters ``k``, ``2 <= k <= min(#clustered words, n_units)``.
        layer : int or LayerKey, default -1
            An index into ``stacks``, negative from the end, or a key.
        state : str, default "h"
            ``"h"``, ``"c"`` (LSTM) or a recorded gate.
        direction : int, default 0
            0 forward, 1 backward.
        min_count : int, default 5
            Words seen fewer times are not clustered.
        seed : int, default 0
            Seeds the randomised SVD and k-means.

        Returns
        -------
        CoClustering
            With ``unit_labels`` of shape (n_units,), ``word_labels`` of shape (n_words,) (-1
            for words seen fewer than ``min_count`` times), ``edge_weights`` of shape (k, k)
            (signed mean response of unit cluster i to word cluster j), ``edge_strength`` of
            shape (k, k), ``cluster_order``, ``unit_order`` and ``word_strength``.

        Raises
        ------
        IndexError
            If ``layer`` is out of range.
        KeyError
            If that layer, direction or state was not recorded.
        ValueError
            If ``n_clusters`` is out of range or the response cannot be co-clustered (e.g.
            fewer than 2 words seen ``min_count`` times).
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
            The unit, negative from the end.
        layer : int or LayerKey, default -1
            An index into ``stacks``, negative from the end, or a key.
        state : str, default "h"
            ``"h"``, ``"c"`` (LSTM) or a recorded gate.
        direction : int, default 0
            0 forward, 1 backward.
        sign : {1, -1}
            1: largest positive responses; -1: largest negative ones.

        Returns
        -------
        list of Context
            ``Context(value, position, word, left, right)``, at most K entries.

        Raises
        ------
        ValueError
            If ``sign`` is not 1 or -1, or no contexts were kept.
        IndexError
            If ``unit`` or ``layer`` is out of range.
        KeyError
            If that layer, direction or state was not recorded.
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
        """Write the analysis to one compressed ``.npz`` file.

        The file is versioned and holds the vocabulary, the recorded state kinds and every
        accumulator of the statistics as it is, so a loaded analysis keeps streaming and
        merging exactly. [load][rnnvis_widget.Analysis.load] reads it. The bytes go to a
        temporary file in the same folder that replaces ``path`` once complete, so a write
        that fails part-way (a full disk) leaves an existing file as it was.

        Parameters
        ----------
        path : str or os.PathLike
        """
        write_analysis(path, self.vocab, self.stats, self._kinds)

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> Analysis:
        """Read a file written by [save][rnnvis_widget.Analysis.save].

        Parameters
        ----------
        path : str or os.PathLike

        Returns
        -------
        Analysis

        Raises
        ------
        ValueError
            If the file is foreign, of an older or newer file version, or damaged; the message
            says what to do (re-run ``rv.analyze``, or upgrade rnnvis-widget).
        """
        return cls(*read_analysis(path))

    def __repr__(self) -> str:
        layers = [str(k) for k in self.layers]
        return f"<Analysis: {len(self.vocab)} words, {self.n_tokens} tokens, layers {layers}>"


