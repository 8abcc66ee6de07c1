"""Streaming response statistics, fed one captured batch at a time.

For a hidden/cell state x the response to step t is Δx(t) = x(t) − x(t_prev), where t_prev is
the step processed just before t (t−1 forward in time, t+1 for a backward direction) and the
state before the first processed step is the sequence's initial state. For gates the response
is the gate value itself.

Kept for every recorded (module, layer, direction, state kind) — a *slot*:

* per (word, unit): count, mean and variance of the response (Welford/Chan updates in float64,
  numerically stable); memory O(vocabulary × units);
* per (display word, unit): quantiles 9/25/50/75/91 from fixed log-spaced histograms
  (`rnnvis_widget.stats._sketch`; memory and error documented there); display words are chosen
  by the caller, usually the most frequent ones (`top_words`);
* per unit: mean |Δ|, sparsity (fraction of |Δ| < ``sparsity_threshold``), saturation
  (fraction of steps whose *state value* lies within ``saturation_margin`` of the bound of its
  activation, e.g. |h| >= 0.95 for tanh; NaN where the state is unbounded: LSTM c, ReLU RNN h,
  projected LSTM h, custom cells);
* per unit, for bounded memory states: how many steps start from an *unsaturated* previous
  value (|x(t_prev)| < 0.9 for tanh, see ``StatsConfig.unsaturated_level``), and how many of
  those have |Δ| < ``sparsity_threshold``: the saturation-aware sparsity, which does not count
  a unit stuck at its bound as "updating sparsely";
* per unit: the K strongest positive and negative responses with their context
  (`rnnvis_widget.stats.contexts`).

Memory is independent of corpus length, and ``a.merge(b)`` for shards a, b equals one pass over a
followed by b: counts, histograms and top-K lists exactly, means and variances to float rounding.

States on a GPU (``StateRecorder(keep_on_device=True)``, as ``rv.analyze`` records them) are
folded in there with torch, and only small per-batch results reach the host; states on the CPU
are folded in with numpy, the layers and state kinds of a batch on all cores at once.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import torch

from ..capture import LayerKey, StepBatch
from ._batch_index import BatchIndex
from ._sketch import QUANTILE_PERCENTS, BinLayout, QuantileSketch
from ._threads import stats_pool
from .contexts import TopContexts
from .responses import GATE_BOUNDS, MEMORY_KINDS, Bound

__all__ = ["CorpusStats", "Slot", "SlotStats", "StatsConfig", "UnitSummary"]

#: A slot's name: the layer it was recorded at and the state kind.
Slot = tuple[LayerKey, str]

#: Device types whose states are folded in where they are, with torch (anything else is copied
#: to numpy first). The CPU keeps numpy: several of its passes are faster there.
TORCH_PASS_DEVICES: frozenset[str] = frozenset({"cuda"})

_COUNT_LIMIT = int(np.iinfo(np.int32).max)


@dataclass(frozen=True)
class StatsConfig:
    """Settings of [CorpusStats][rnnvis_widget.stats.CorpusStats]; shards merge only with equal
    settings.

    Parameters
    ----------
    top_k : int, default 10
        Contexts kept per unit and sign (0: none).
    context_width : int, default 3
        Tokens of context kept each side of a top context.
    bins_per_sign : int, default 48
        Quantile histogram bins per sign (the histograms are described in the private module
        ``rnnvis_widget.stats._sketch``).
    dynamic_range : float, default 1000.0
        ``x_max / x_min`` of the quantile histograms.
    unbounded_range : float, default 16.0
        ``x_max`` of the quantile histograms for unbounded states (``c``, ReLU ``h``); larger
        magnitudes are clipped.
    sparsity_threshold : float, default 0.01
        ``|response|`` below this counts as a near-zero update.
    saturation_margin : float, default 0.05
        A state value within this of its activation's bound counts as saturated.
    unsaturated_level : float, default 0.9
        For the saturation-aware sparsity: a memory state's *previous* value x(t_prev) counts
        as unsaturated when its distance from the centre of the activation's range is below
        this fraction of the range's half-width, ``|x - (lo + hi) / 2| < level · (hi - lo) / 2``;
        for a symmetric bound ``(-b, b)`` that is ``|x| < 0.9 · b`` (``|h| < 0.9`` for tanh).
    """

    top_k: int = 10
    context_width: int = 3
    bins_per_sign: int = 48
    dynamic_range: float = 1000.0
    unbounded_range: float = 16.0
    sparsity_threshold: float = 0.01
    saturation_margin: float = 0.05
    unsaturated_level: float = 0.9


@dataclass(frozen=True)
class UnitSummary:
    """Per-unit numbers of one slot (layer, direction, state kind), for comparing models.

    Attributes
    ----------
    mean : ndarray of shape (n_units,), float64
        Mean of the response over all tokens.
    std : ndarray of shape (n_units,), float64
        Standard deviation of the response over all tokens.
    mean_abs : ndarray of shape (n_units,), float64
        Mean ``|response|``.
    sparsity : ndarray of shape (n_units,), float64
        Fraction of tokens with ``|response| < sparsity_threshold`` (0.01 by default).
    saturation : ndarray of shape (n_units,), float64
        Fraction of tokens whose state value is within ``saturation_margin`` (0.05 by default)
        of its activation's bound; NaN where the state is unbounded.
    unsaturated : ndarray of shape (n_units,), float64
        Fraction of tokens whose *previous* state value x(t_prev) is unsaturated (``|x| < 0.9``
        for tanh; see [StatsConfig][rnnvis_widget.stats.StatsConfig] ``unsaturated_level``);
        the previous value of a sequence's first step is its initial state. NaN where the
        state is unbounded, and for gates (whose response is not a change).
    unsaturated_sparsity : ndarray of shape (n_units,), float64
        Saturation-aware sparsity: among those tokens, the fraction with ``|response| <
        sparsity_threshold``. A unit stuck at ±1 barely moves without remembering anything;
        this leaves such steps out. NaN where ``unsaturated`` is NaN or 0.
    """

    mean: np.ndarray
    std: np.ndarray
    mean_abs: np.ndarray
    sparsity: np.ndarray
    saturation: np.ndarray
    unsaturated: np.ndarray
    unsaturated_sparsity: np.ndarray


@dataclass
class SlotStats:
    """Accumulators of one (layer, state kind).

    Attributes
    ----------
    mean : ndarray of shape (n_words, n_units), float64
        Per-word mean response.
    m2 : ndarray of shape (n_words, n_units), float64
        Per-word sum of squared deviations from that mean.
    sum_abs : ndarray of shape (n_units,), float64
        ``Σ |response|``.
    n_near_zero : ndarray of shape (n_units,), int64
        Tokens with ``|response|`` below the sparsity threshold.
    n_saturated : ndarray of shape (n_units,), int64
        Tokens with the state value near its bound (0 if unbounded).
    n_unsaturated : ndarray of shape (n_units,), int64
        Tokens of a bounded memory state whose previous value is unsaturated (see
        [StatsConfig][rnnvis_widget.stats.StatsConfig] ``unsaturated_level``); 0 for gates and
        unbounded states.
    n_unsaturated_near_zero : ndarray of shape (n_units,), int64
        Of those, the tokens with ``|response|`` below the sparsity threshold.
    sketch : QuantileSketch or None
        Quantile histograms of the display words, or None.
    contexts : TopContexts or None
        Top-K contexts, or None.
    bound : (float, float) or None
        ``(lo, hi)`` of the state's activation, or None if unbounded or unknown.
    """

    mean: np.ndarray
    m2: np.ndarray
    sum_abs: np.ndarray
    n_near_zero: np.ndarray
    n_saturated: np.ndarray
    n_unsaturated: np.ndarray
    n_unsaturated_near_zero: np.ndarray
    sketch: QuantileSketch | None
    contexts: TopContexts | None
    bound: Bound

    @property
    def n_units(self) -> int:
        """Units of the state."""
        return int(self.mean.shape[1])


@dataclass
class CorpusStats:
    """Response statistics for every captured (layer, state kind) over a corpus.

    Parameters
    ----------
    vocab_size : int
        Number of token ids, ``n_words``.
    display_words : array-like of shape (n_display,), optional
        Word ids whose per-unit quantiles are kept (usually
        [top_words][rnnvis_widget.stats.top_words] of a counting pass). None keeps no
        quantiles. Shards must use the same display words to merge.
    bounds : mapping of (LayerKey, str) to (float, float) or None, optional
        Range ``(lo, hi)`` of each state's activation (see
        [activation_bounds][rnnvis_widget.stats.activation_bounds]); missing entries use
        ``GATE_BOUNDS`` for gates and None (unbounded) otherwise.
    config : StatsConfig, optional
        Settings; default ``StatsConfig()``.

    Attributes
    ----------
    counts : ndarray of shape (n_words,), int64
        How often each word was read; shared by every slot because every recorded layer sees
        every token.
    n_tokens : int
        Tokens read.
    slots : dict of (LayerKey, str) to SlotStats
        The accumulators of every recorded (layer, state kind).

    Raises
    ------
    ValueError
        If ``display_words`` holds an id outside ``0..vocab_size - 1`` or the same word twice.
    """

    vocab_size: int
    display_words: np.ndarray | Sequence[int] | None = None
    bounds: Mapping[Slot, Bound] | None = None
    config: StatsConfig = field(default_factory=StatsConfig)
    counts: np.ndarray = field(init=False)
    slots: dict[Slot, SlotStats] = field(init=False, default_factory=dict)
    n_tokens: int = field(init=False, default=0)

    def __post_init__(self) -> None:
        self.counts = np.zeros(self.vocab_size, dtype=np.int64)
        display = np.asarray([] if self.display_words is None else self.display_words, dtype=np.int64)
        if display.ndim != 1 or np.any((display < 0) | (display >= self.vocab_size)):
            raise ValueError(f"display_words must be word ids in 0..{self.vocab_size - 1}")
        if len(np.unique(display)) != len(display):
            raise ValueError("display_words contains a word twice")
        self.display_words = display
        # word id -> display row, -1 for words without quantiles.
        self._display_row = np.full(self.vocab_size, -1, dtype=np.int64)
        self._display_row[display] = np.arange(len(display))
        self.bounds = dict(self.bounds or {})

    # Accumulation ----------------------------------------------------------------------------

    def update(self, step: StepBatch) -> None:
        """Add one captured batch.

        Parameters
        ----------
        step : StepBatch
            States recorded for one batch, on the CPU or on a GPU. Contexts take their corpus
            positions from ``step.batch.starts`` (batches of
            [iter_batches][rnnvis_widget.capture.iter_batches] come in any order); a batch
            without them continues the corpus after the tokens read so far.

        Raises
        ------
        OverflowError
            If a display word would occur more than 2^31 - 1 times (the quantile counters are
            int32).
        ValueError
            If a slot's number of units differs from earlier batches.
        """
        index = self._index(step)
        if len(index.display_sel):
            display = np.asarray(self.display_words)
            if int(self.counts[display].max()) + len(index.flat) > _COUNT_LIMIT:
                raise OverflowError("a display word would occur more than 2^31 - 1 times; counters are int32")
        work = []
        for key, kinds in step.states.items():
            index.previous(key.direction)  # computed once here, read by the workers
            for kind in kinds:
                tensor = step.states[key][kind]
                initial: Any = step.initial[key][kind] if kind in MEMORY_KINDS else None
                states: Any = tensor.reshape(-1, tensor.shape[-1]).contiguous()  # (B·T, H)
                if tensor.device.type in TORCH_PASS_DEVICES:
                    index.on(tensor.device)  # made here, read by the workers
                else:
                    states = states.cpu().numpy()
                    initial = None if initial is None else initial.cpu().numpy()
                slot = self._slot(key, kind, int(tensor.shape[-1]))
                work.append((slot, index, states, initial, key.direction))
        # Slots share nothing they write, and numpy (on large arrays) and torch release the GIL,
        # so the layers and state kinds of a batch are folded in on all cores at once (the
        # histograms count with torch, since numpy's add.at holds the GIL). Each slot's result
        # is the same whatever the order and thread count, so this stays deterministic.
        pending = [stats_pool().submit(self._update_slot, *args) for args in work]
        for future in pending:
            future.result()
        self.counts[index.words] += index.n_word  # words are distinct; after the slots read them
        self.n_tokens += len(index.flat)

    def _index(self, step: StepBatch) -> BatchIndex:
        width = self.config.context_width if self.config.top_k > 0 else None
        batch = step.batch
        lengths = batch.lengths.cpu().numpy()
        if batch.starts is not None:
            starts = batch.starts.cpu().numpy()
        else:  # rows in corpus order, after every token read so far
            starts = self.n_tokens + np.cumsum(lengths) - lengths
        return BatchIndex.build(batch.ids.cpu().numpy(), lengths, starts, self._display_row, width)

    def _update_slot(
        self, slot: SlotStats, index: BatchIndex, states: Any, initial: Any, direction: int
    ) -> None:
        """Fold one slot's states of a batch into its accumulators.

        Parameters
        ----------
        slot : SlotStats
            The accumulators to update.
        index : BatchIndex
            Where the batch's real tokens are, grouped by word.
        states : ndarray or Tensor of shape (B·T, H)
            The slot's states, flattened over batch and time. A tensor lives on a device in
            ``TORCH_PASS_DEVICES``: then every pass over the tokens runs on that device and
            only per-word sums, per-unit counts and context candidates come back.
        initial : ndarray or Tensor of shape (B, H), or None
            Initial states of a memory kind (of the same kind as ``states``); None for gates,
            whose response is their value.
        direction : int
            0 forward, 1 backward; decides which step came before which.
        """
        on_torch = isinstance(states, torch.Tensor)
        xp: Any = torch if on_torch else np
        rows: Any = index.on(states.device) if on_torch else index
        values = states[rows.flat]  # (N, H) float32, grouped by word
        unsaturated = None
        if initial is None:
            response = values
        else:
            flat, first, row = rows.previous(direction)
            response = states[flat]
            response[first] = initial[row]
            # The previous values are at hand only here, before they become the Δ in place.
            unsaturated = self._unsaturated(response, slot.bound, xp)
            xp.subtract(values, response, out=response)
        # Per-word mean and M2 of this batch, then Chan's parallel update into the running ones.
        # Within a batch M2 = Σx² − n·mean², all in float64: a word's rows in one batch are few
        # and bounded, so the cancellation costs nothing measurable. torch's index_add_ sums
        # the rows of each word in row order, like a plain loop, several times faster than
        # numpy's reduceat with a float64 accumulator.
        n_b = index.n_word.astype(np.float64)[:, None]
        sums, squares = _sums_by_word(response, rows.word_of_row, len(index.words))
        mean_b = sums / n_b
        m2_b = np.maximum(squares - sums * mean_b, 0.0)
        n_a = self.counts[index.words].astype(np.float64)[:, None]
        total = n_a + n_b
        delta = mean_b - slot.mean[index.words]
        slot.mean[index.words] += delta * (n_b / total)
        slot.m2[index.words] += m2_b + delta * delta * (n_a * n_b / total)

        magnitude = xp.abs(response)
        slot.sum_abs += _numpy(magnitude.sum(0, dtype=xp.float64))
        near_zero = magnitude < self.config.sparsity_threshold
        slot.n_near_zero += _numpy(xp.count_nonzero(near_zero, 0))
        if unsaturated is not None:
            slot.n_unsaturated += _numpy(xp.count_nonzero(unsaturated, 0))
            slot.n_unsaturated_near_zero += _numpy(xp.count_nonzero(unsaturated & near_zero, 0))
        if slot.bound is not None:
            low, high = slot.bound
            margin = self.config.saturation_margin
            if low == -high:  # symmetric (tanh): one comparison of |x| instead of two
                saturated = xp.abs(values) >= high - margin
            else:
                saturated = (values <= low + margin) | (values >= high - margin)
            slot.n_saturated += _numpy(xp.count_nonzero(saturated, 0))
        if slot.sketch is not None and len(index.display_sel):
            slot.sketch.update(rows.display_rows, response[rows.display_sel])
        if slot.contexts is not None and index.windows is not None:
            slot.contexts.update(response, index.positions, index.windows)

    def _unsaturated(self, previous: Any, bound: Bound, xp: Any) -> Any:
        """Which previous values lie inside ``unsaturated_level`` of their range.

        Parameters
        ----------
        previous : ndarray or Tensor of shape (N, H)
            The state before each token.
        bound : (float, float) or None
            The activation's range.
        xp : module
            numpy or torch, whichever ``previous`` belongs to.

        Returns
        -------
        ndarray or Tensor of shape (N, H), bool, or None
            None for an unbounded state.
        """
        if bound is None:
            return None
        low, high = bound
        centre, half_width = (low + high) / 2, (high - low) / 2
        limit = self.config.unsaturated_level * half_width
        if centre == 0:  # symmetric (tanh): skip a subtraction over the whole batch
            return xp.abs(previous) < limit
        return xp.abs(previous - centre) < limit

    def _slot(self, key: LayerKey, kind: str, n_units: int) -> SlotStats:
        slot = self.slots.get((key, kind))
        if slot is None:
            slot = self.empty_slot(key, kind, n_units)
            self.slots[(key, kind)] = slot
        elif slot.n_units != n_units:
            raise ValueError(f"{key} {kind!r} had {slot.n_units} units, this batch has {n_units}")
        return slot

    def _bound(self, key: LayerKey, kind: str) -> Bound:
        assert isinstance(self.bounds, dict)
        if (key, kind) in self.bounds:
            return self.bounds[(key, kind)]
        return GATE_BOUNDS.get(kind)

    def sketch_layout(self, key: LayerKey, kind: str) -> BinLayout:
        """Histogram layout of a slot: its range follows from the activation's bound.

        Parameters
        ----------
        key : LayerKey
        kind : str

        Returns
        -------
        BinLayout
            ``x_max`` is ``hi - lo`` for a bounded memory state (the range of a Δ), the
            largest bound magnitude for a bounded gate, and ``unbounded_range`` otherwise.
        """
        bound = self._bound(key, kind)
        if bound is None:
            x_max = self.config.unbounded_range
        elif kind in MEMORY_KINDS:
            x_max = bound[1] - bound[0]  # Δ of a value in [lo, hi] lies in [-(hi-lo), hi-lo]
        else:
            x_max = max(abs(bound[0]), abs(bound[1]))
        return BinLayout(x_max, self.config.bins_per_sign, self.config.dynamic_range)

    def empty_slot(self, key: LayerKey, kind: str, n_units: int) -> SlotStats:
        """Fresh accumulators for one slot, not registered in ``slots``.

        Parameters
        ----------
        key : LayerKey
        kind : str
        n_units : int

        Returns
        -------
        SlotStats
        """
        n_display = len(np.asarray(self.display_words))
        sketch = None
        if n_display:
            sketch = QuantileSketch(n_display, n_units, self.sketch_layout(key, kind))
        contexts = None
        if self.config.top_k > 0:
            contexts = TopContexts(n_units, self.config.top_k, self.config.context_width)
        shape = (self.vocab_size, n_units)
        return SlotStats(
            mean=np.zeros(shape),
            m2=np.zeros(shape),
            sum_abs=np.zeros(n_units),
            n_near_zero=np.zeros(n_units, dtype=np.int64),
            n_saturated=np.zeros(n_units, dtype=np.int64),
            n_unsaturated=np.zeros(n_units, dtype=np.int64),
            n_unsaturated_near_zero=np.zeros(n_units, dtype=np.int64),
            sketch=sketch,
            contexts=contexts,
            bound=self._bound(key, kind),
        )

    def merge(self, other: CorpusStats) -> None:
        """Fold in the statistics of another shard whose tokens follow this one's.

        The result equals one pass over both: counts, histograms and top-K lists exactly,
        means and variances to float rounding.

        Parameters
        ----------
        other : CorpusStats
            The later shard. Both must have the same vocabulary size, display words, settings
            and recorded slots (an empty side may have none).

        Raises
        ------
        ValueError
            If the two differ in any of those, or a slot's bound or number of units differs.
        OverflowError
            If a display word would then occur more than 2^31 - 1 times.
        """
        if other.vocab_size != self.vocab_size:
            raise ValueError(f"cannot merge stats over {other.vocab_size} words into {self.vocab_size}")
        if not np.array_equal(np.asarray(other.display_words), np.asarray(self.display_words)):
            raise ValueError("cannot merge stats with different display words")
        if other.config != self.config:
            raise ValueError(f"cannot merge stats with settings {other.config} into {self.config}")
        if self.n_tokens and other.n_tokens and set(self.slots) != set(other.slots):
            raise ValueError(
                f"cannot merge stats of different layers/states: {sorted(map(str, self.slots))} vs "
                f"{sorted(map(str, other.slots))}"
            )
        n_a = self.counts.astype(np.float64)[:, None]
        n_b = other.counts.astype(np.float64)[:, None]
        total = np.maximum(n_a + n_b, 1.0)  # words seen by neither: every term below is 0
        for name, theirs in other.slots.items():
            mine = self.slots.get(name)
            if mine is None:
                self.slots[name] = _copy_slot(theirs)
                continue
            if mine.bound != theirs.bound or mine.n_units != theirs.n_units:
                raise ValueError(f"cannot merge {name[0]} {name[1]!r}: different bound or number of units")
            delta = theirs.mean - mine.mean
            mine.mean += delta * (n_b / total)
            mine.m2 += theirs.m2 + delta * delta * (n_a * n_b / total)
            mine.sum_abs += theirs.sum_abs
            mine.n_near_zero += theirs.n_near_zero
            mine.n_saturated += theirs.n_saturated
            mine.n_unsaturated += theirs.n_unsaturated
            mine.n_unsaturated_near_zero += theirs.n_unsaturated_near_zero
            if mine.sketch is not None and theirs.sketch is not None:
                mine.sketch.merge(theirs.sketch)
            if mine.contexts is not None and theirs.contexts is not None:
                mine.contexts.merge(theirs.contexts, self.n_tokens)
        self.counts += other.counts
        self.n_tokens += other.n_tokens

    # Results ---------------------------------------------------------------------------------

    def _get(self, key: LayerKey, kind: str) -> SlotStats:
        slot = self.slots.get((key, kind))
        if slot is None:
            raise KeyError(
                f"no statistics for {key} {kind!r}; recorded: {[f'{k} {s}' for k, s in self.slots]}"
            )
        return slot

    def mean(self, key: LayerKey, kind: str) -> np.ndarray:
        """Expected response ``s(w)_i`` of one slot.

        Parameters
        ----------
        key : LayerKey
        kind : str

        Returns
        -------
        ndarray of shape (n_words, n_units), float64
            Read-only; 0 for words never seen.

        Raises
        ------
        KeyError
            If the slot was not recorded.
        """
        view = self._get(key, kind).mean.view()
        view.flags.writeable = False
        return view

    def variance(self, key: LayerKey, kind: str) -> np.ndarray:
        """Population variance of the response of one slot.

        Parameters
        ----------
        key : LayerKey
        kind : str

        Returns
        -------
        ndarray of shape (n_words, n_units), float64
            0 for words seen at most once.

        Raises
        ------
        KeyError
            If the slot was not recorded.
        """
        return self._get(key, kind).m2 / np.maximum(self.counts, 1)[:, None]

    def quantiles(self, key: LayerKey, kind: str) -> tuple[np.ndarray, np.ndarray]:
        """Quantiles 9/25/50/75/91 % of the response of every display word and unit.

        Parameters
        ----------
        key : LayerKey
        kind : str

        Returns
        -------
        word_ids : ndarray of shape (n_display,), int64
            The display words.
        quantiles : ndarray of shape (n_display, n_units, 5), float64
            NaN for display words not seen. Error bound:
            [quantile_error][rnnvis_widget.stats.CorpusStats.quantile_error].

        Raises
        ------
        KeyError
            If the slot was not recorded.
        ValueError
            If no quantiles were kept (no display words).
        """
        slot = self._get(key, kind)
        if slot.sketch is None:
            raise ValueError(
                "no quantiles were kept: pass display_words (e.g. rv.analyze(display_words=300))"
            )
        return np.asarray(self.display_words).copy(), slot.sketch.quantiles(QUANTILE_PERCENTS)

    def quantile_error(self, key: LayerKey, kind: str, q: np.ndarray) -> np.ndarray:
        """Largest possible ``|estimate − true quantile|`` of one slot's quantiles.

        Parameters
        ----------
        key : LayerKey
        kind : str
        q : ndarray
            True quantiles, any shape.

        Returns
        -------
        ndarray of the shape of ``q``, float64
            ``max(alpha · |q|, x_min)`` of the slot's histogram layout (alpha is 7.2 % with
            the default settings).
        """
        return self.sketch_layout(key, kind).error_bound(np.asarray(q))

    def unit_summary(self, key: LayerKey, kind: str) -> UnitSummary:
        """Per-unit mean, std, mean ``|Δ|``, sparsity, saturation and saturation-aware sparsity
        of one slot.

        Parameters
        ----------
        key : LayerKey
        kind : str

        Returns
        -------
        UnitSummary

        Raises
        ------
        KeyError
            If the slot was not recorded.
        """
        slot = self._get(key, kind)
        n = max(self.n_tokens, 1)
        weights = self.counts.astype(np.float64)[:, None]
        mean = (weights * slot.mean).sum(0) / n
        # Law of total variance: within-word (Σ M2) plus between-word spread of the means.
        m2 = slot.m2.sum(0) + (weights * (slot.mean - mean) ** 2).sum(0)
        def missing() -> np.ndarray:
            return np.full(slot.n_units, np.nan)

        saturation = slot.n_saturated / n if slot.bound is not None else missing()
        unsaturated, unsaturated_sparsity = missing(), missing()
        if slot.bound is not None and kind in MEMORY_KINDS:
            unsaturated = slot.n_unsaturated / n
            np.divide(
                slot.n_unsaturated_near_zero,
                slot.n_unsaturated,
                out=unsaturated_sparsity,
                where=slot.n_unsaturated > 0,
            )
        return UnitSummary(
            mean=mean,
            std=np.sqrt(m2 / n),
            mean_abs=slot.sum_abs / n,
            sparsity=slot.n_near_zero / n,
            saturation=saturation,
            unsaturated=unsaturated,
            unsaturated_sparsity=unsaturated_sparsity,
        )

    def contexts(self, key: LayerKey, kind: str) -> TopContexts:
        """Top-K contexts of every unit of one slot.

        Parameters
        ----------
        key : LayerKey
        kind : str

        Returns
        -------
        TopContexts

        Raises
        ------
        KeyError
            If the slot was not recorded.
        ValueError
            If no contexts were kept (``top_k`` is 0).
        """
        slot = self._get(key, kind)
        if slot.contexts is None:
            raise ValueError("no contexts were kept: pass top_contexts > 0")
        return slot.contexts

    def __repr__(self) -> str:
        slots = json.dumps([f"{k} {s}" for k, s in self.slots])
        return f"CorpusStats(vocab_size={self.vocab_size}, n_tokens={self.n_tokens}, slots={slots})"


def _sums_by_word(response: Any, word_of_row: Any, n_words: int) -> tuple[np.ndarray, np.ndarray]:
    """Per-word ``Σx`` and ``Σx²`` of the rows of ``response``, in float64.

    Parameters
    ----------
    response : ndarray or Tensor of shape (N, H)
    word_of_row : ndarray or Tensor of shape (N,), int64
        Index of each row's word among the batch's distinct words (same kind as
        ``response``).
    n_words : int
        Number of distinct words in the batch.

    Returns
    -------
    sums, squares : ndarray of shape (n_words, H), float64
        As numpy, whatever the kind of the inputs.
    """
    if isinstance(response, torch.Tensor):
        rows, word = response.double(), word_of_row
    else:
        rows, word = torch.from_numpy(response.astype(np.float64)), torch.from_numpy(word_of_row)
    sums = rows.new_zeros(n_words, rows.shape[1]).index_add_(0, word, rows)
    squares = rows.new_zeros(n_words, rows.shape[1]).index_add_(0, word, rows.square_())
    return _numpy(sums), _numpy(squares)


def _numpy(array: Any) -> np.ndarray:
    """A numpy array of a numpy array or a tensor on any device.

    Parameters
    ----------
    array : ndarray or Tensor

    Returns
    -------
    ndarray
    """
    return array.cpu().numpy() if isinstance(array, torch.Tensor) else np.asarray(array)


def _copy_slot(slot: SlotStats) -> SlotStats:
    sketch = None
    if slot.sketch is not None:
        sketch = QuantileSketch(slot.sketch.n_display, slot.n_units, slot.sketch.layout)
        sketch.counts = slot.sketch.counts.copy()
    contexts = None
    if slot.contexts is not None:
        contexts = TopContexts(slot.n_units, slot.contexts.k, slot.contexts.width)
        contexts.values = slot.contexts.values.copy()
        contexts.positions = slot.contexts.positions.copy()
        contexts.windows = slot.contexts.windows.copy()
    return SlotStats(
        mean=slot.mean.copy(),
        m2=slot.m2.copy(),
        sum_abs=slot.sum_abs.copy(),
        n_near_zero=slot.n_near_zero.copy(),
        n_saturated=slot.n_saturated.copy(),
        n_unsaturated=slot.n_unsaturated.copy(),
        n_unsaturated_near_zero=slot.n_unsaturated_near_zero.copy(),
        sketch=sketch,
        contexts=contexts,
        bound=slot.bound,
    )
