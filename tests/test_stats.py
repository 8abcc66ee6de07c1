"""Streaming statistics against brute-force passes written here, and shard merges (the sketch
and the contexts have their own test files)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
import pytest
import torch
from test_sketch import exact_quantile
from torch import nn

import rnnvis_widget as rv
import rnnvis_widget.stats.corpus_stats as stats_module
from rnnvis_widget.capture import LayerKey, StepBatch
from rnnvis_widget.capture.batches import Batch
from rnnvis_widget.stats import (
    CorpusStats,
    StatsConfig,
    activation_bounds,
    top_words,
)
from rnnvis_widget.stats._arrays import stats_to_arrays
from rnnvis_widget.stats._sketch import QUANTILE_PERCENTS

VOCAB = 12
FWD = LayerKey("rnn", 0, 0)
BWD = LayerKey("rnn", 0, 1)
KINDS = {"h": 5, "c": 5, "f": 5}
BOUNDS = {(key, "h"): (-1.0, 1.0) for key in (FWD, BWD)}
CONFIG = StatsConfig(top_k=4, context_width=2)


def random_step(rng: np.random.Generator, n_rows: int, max_len: int) -> StepBatch:
    """A captured batch with ragged lengths: tanh-like h (some near ±1), c beyond the sketch's
    clipping range, a sigmoid gate f; exactly 0 beyond each length, as capture promises."""
    lengths = rng.integers(1, max_len + 1, size=n_rows)
    lengths[0] = max_len
    # Zipf-like ids: some words get many occurrences, some none.
    ids = np.minimum(rng.zipf(1.4, size=(n_rows, max_len)) - 1, VOCAB - 1)
    valid = np.arange(max_len)[None, :] < lengths[:, None]
    ids = np.where(valid, ids, 0)
    step = StepBatch(Batch(torch.from_numpy(ids), torch.from_numpy(lengths)))
    for key in (FWD, BWD):
        raw = {kind: rng.normal(size=(n_rows, max_len, n)) for kind, n in KINDS.items()}
        states = {"h": np.tanh(2.0 * raw["h"]), "c": 8.0 * raw["c"], "f": 1 / (1 + np.exp(-3 * raw["f"]))}
        step.states[key] = {
            kind: torch.from_numpy(np.where(valid[..., None], v, 0.0).astype(np.float32))
            for kind, v in states.items()
        }
        step.initial[key] = {
            "h": torch.from_numpy(np.tanh(rng.normal(size=(n_rows, 5))).astype(np.float32)),
            "c": torch.from_numpy(rng.normal(size=(n_rows, 5)).astype(np.float32)),
        }
    return step


def random_steps(seed: int, n: int) -> list[StepBatch]:
    rng = np.random.default_rng(seed)
    return [random_step(rng, int(rng.integers(1, 7)), int(rng.integers(1, 9))) for _ in range(n)]


@dataclass
class Tokens:
    """Every real token of a corpus in corpus order, from a plain loop."""

    words: np.ndarray  # (N,)
    response: np.ndarray  # (N, H) float64
    value: np.ndarray  # (N, H) state value
    previous: np.ndarray  # (N, H) state value before the token (NaN for gates)
    windows: np.ndarray  # (N, 2w + 1)


def brute_force(steps: list[StepBatch], key: LayerKey, kind: str, width: int) -> Tokens:
    words, responses, values, previous_values, windows = [], [], [], [], []
    for step in steps:
        ids = step.batch.ids.numpy()
        x = step.states[key][kind].numpy()  # float32: Δ is taken in the states' own precision
        for b, length in enumerate(step.batch.lengths.tolist()):
            for t in range(length):
                if kind in ("h", "c"):
                    initial = step.initial[key][kind].numpy()[b]
                    if key.direction == 0:
                        previous = initial if t == 0 else x[b, t - 1]
                    else:
                        previous = initial if t == length - 1 else x[b, t + 1]
                    responses.append(x[b, t] - previous)
                    previous_values.append(previous)
                else:
                    responses.append(x[b, t])
                    previous_values.append(np.full(x.shape[-1], np.nan, dtype=np.float32))
                words.append(ids[b, t])
                values.append(x[b, t])
                windows.append(
                    [ids[b, s] if 0 <= s < length else -1 for s in range(t - width, t + width + 1)]
                )
    return Tokens(
        np.array(words),
        np.array(responses, dtype=np.float64),
        np.array(values),
        np.array(previous_values),
        np.array(windows),
    )


def stream(steps: list[StepBatch], display: np.ndarray | None = None) -> CorpusStats:
    stats = CorpusStats(VOCAB, display_words=display, bounds=BOUNDS, config=CONFIG)
    for step in steps:
        stats.update(step)
    return stats


@pytest.fixture(scope="module")
def steps() -> list[StepBatch]:
    return random_steps(seed=3, n=12)


@pytest.fixture(scope="module")
def display(steps: list[StepBatch]) -> np.ndarray:
    words = brute_force(steps, FWD, "f", 0).words
    return top_words(np.bincount(words, minlength=VOCAB), 6)


def on_device(steps: list[StepBatch], device: str) -> list[StepBatch]:
    """The same batches with their states on ``device``, as a recorder that keeps them there gives."""
    moved = []
    for step in steps:
        states = {key: {k: v.to(device) for k, v in kinds.items()} for key, kinds in step.states.items()}
        initial = {key: {k: v.to(device) for k, v in kinds.items()} for key, kinds in step.initial.items()}
        moved.append(StepBatch(step.batch, states, initial))
    return moved


#: How the statistics fold a batch in: numpy on the CPU; torch on the CPU (as they do on a GPU,
#: forced here so that every machine tests that code); torch on a real GPU where there is one.
PASSES = [
    pytest.param("numpy", id="numpy"),
    pytest.param("torch-cpu", id="torch-cpu"),
    pytest.param(
        "cuda",
        id="cuda",
        marks=pytest.mark.skipif(not torch.cuda.is_available(), reason="needs CUDA"),
    ),
]


def stream_with(
    pass_: str, steps: list[StepBatch], display: np.ndarray, monkeypatch: pytest.MonkeyPatch
) -> CorpusStats:
    if pass_ == "torch-cpu":
        monkeypatch.setattr(stats_module, "TORCH_PASS_DEVICES", frozenset({"cpu", "cuda"}))
    return stream(on_device(steps, "cuda") if pass_ == "cuda" else steps, display)


@pytest.mark.parametrize("key", [FWD, BWD], ids=["forward", "backward"])
@pytest.mark.parametrize("kind", ["h", "c", "f"])
@pytest.mark.parametrize("pass_", PASSES)
def test_stream_equals_brute_force(
    steps: list[StepBatch],
    display: np.ndarray,
    key: LayerKey,
    kind: str,
    pass_: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    stats = stream_with(pass_, steps, display, monkeypatch)
    ref = brute_force(steps, key, kind, CONFIG.context_width)
    counts = np.bincount(ref.words, minlength=VOCAB)
    np.testing.assert_array_equal(stats.counts, counts)
    assert stats.n_tokens == len(ref.words)

    mean = np.zeros((VOCAB, 5))
    var = np.zeros((VOCAB, 5))
    for w in np.flatnonzero(counts):
        mean[w] = ref.response[ref.words == w].mean(0)
        var[w] = ref.response[ref.words == w].var(0)
    np.testing.assert_allclose(stats.mean(key, kind), mean, rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(stats.variance(key, kind), var, rtol=1e-7, atol=1e-10)

    summary = stats.unit_summary(key, kind)
    np.testing.assert_allclose(summary.mean, ref.response.mean(0), rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(summary.std, ref.response.std(0), rtol=1e-7)
    np.testing.assert_allclose(summary.mean_abs, np.abs(ref.response).mean(0), rtol=1e-6)
    # Thresholds compare float32 responses, as the stream does.
    magnitude = np.abs(ref.response.astype(np.float32))
    np.testing.assert_array_equal(summary.sparsity, (magnitude < CONFIG.sparsity_threshold).mean(0))
    bound = {"h": (-1.0, 1.0), "f": (0.0, 1.0), "c": None}[kind]
    if bound is None:
        assert np.isnan(summary.saturation).all()
    else:
        value = ref.value.astype(np.float32)
        near = (value <= bound[0] + 0.05) | (value >= bound[1] - 0.05)
        np.testing.assert_allclose(summary.saturation, near.mean(0))
        assert 0 < summary.saturation.max()  # the data has saturated steps: the check means something
    if kind == "h":
        # Saturation-aware sparsity: only steps whose previous value has |x| < 0.9 (tanh),
        # the initial state standing before a sequence's first processed step.
        free = np.abs(ref.previous) < 0.9
        assert 0 < free.mean() < 1  # both kinds of step occur, so leaving some out matters
        assert (free & (magnitude < CONFIG.sparsity_threshold)).any()
        np.testing.assert_allclose(summary.unsaturated, free.mean(0))
        near_zero = magnitude < CONFIG.sparsity_threshold
        expected = (free & near_zero).sum(0) / free.sum(0)
        np.testing.assert_allclose(summary.unsaturated_sparsity, expected)
        assert not np.allclose(summary.unsaturated_sparsity, summary.sparsity)
        slot = stats.slots[(key, kind)]
        np.testing.assert_array_equal(slot.n_unsaturated, free.sum(0))
        np.testing.assert_array_equal(slot.n_unsaturated_near_zero, (free & near_zero).sum(0))
    else:  # c is unbounded, a gate's response is no change: nothing to be saturated from
        assert np.isnan(summary.unsaturated).all() and np.isnan(summary.unsaturated_sparsity).all()

    word_ids, quantiles = stats.quantiles(key, kind)
    np.testing.assert_array_equal(word_ids, display)
    layout = stats.sketch_layout(key, kind)
    for row, w in enumerate(word_ids):
        samples = np.clip(ref.response[ref.words == w], -layout.x_max, layout.x_max)
        for unit in range(5):
            for i, percent in enumerate(QUANTILE_PERCENTS):
                q = exact_quantile(samples[:, unit], percent)
                assert abs(quantiles[row, unit, i] - q) <= layout.error_bound(np.array(q)) * (1 + 1e-5) + 1e-7

    contexts = stats.contexts(key, kind)
    for unit in range(5):
        for side, sign in enumerate((1, -1)):
            strength = sign * ref.response[:, unit].astype(np.float32)
            order = sorted(np.flatnonzero(strength > 0), key=lambda n: (-strength[n], n))[: CONFIG.top_k]
            n_kept = len(order)
            np.testing.assert_array_equal(contexts.positions[side, :n_kept, unit], order)
            assert (contexts.positions[side, n_kept:, unit] == -1).all()
            np.testing.assert_allclose(
                contexts.values[side, :n_kept, unit], ref.response[order, unit].astype(np.float32)
            )
            np.testing.assert_array_equal(contexts.windows[side, :n_kept, unit], ref.windows[order])


def test_merge_of_shards_equals_one_pass(steps: list[StepBatch], display: np.ndarray) -> None:
    whole = stream(steps, display)
    a, b, c = stream(steps[:3], display), stream(steps[3:8], display), stream(steps[8:], display)
    b.merge(c)  # (a + (b + c)): offsets must compose
    a.merge(b)
    assert a.n_tokens == whole.n_tokens
    np.testing.assert_array_equal(a.counts, whole.counts)
    assert set(a.slots) == set(whole.slots)
    for name, slot in whole.slots.items():
        merged = a.slots[name]
        np.testing.assert_allclose(merged.mean, slot.mean, rtol=1e-12, atol=1e-14)
        np.testing.assert_allclose(merged.m2, slot.m2, rtol=1e-10, atol=1e-12)
        np.testing.assert_allclose(merged.sum_abs, slot.sum_abs, rtol=1e-12)
        np.testing.assert_array_equal(merged.n_near_zero, slot.n_near_zero)
        np.testing.assert_array_equal(merged.n_saturated, slot.n_saturated)
        np.testing.assert_array_equal(merged.n_unsaturated, slot.n_unsaturated)
        np.testing.assert_array_equal(merged.n_unsaturated_near_zero, slot.n_unsaturated_near_zero)
        assert merged.sketch is not None and slot.sketch is not None
        np.testing.assert_array_equal(merged.sketch.counts, slot.sketch.counts)
        assert merged.contexts is not None and slot.contexts is not None
        np.testing.assert_array_equal(merged.contexts.values, slot.contexts.values)
        np.testing.assert_array_equal(merged.contexts.positions, slot.contexts.positions)
        np.testing.assert_array_equal(merged.contexts.windows, slot.contexts.windows)


def test_unsaturated_steps_of_an_off_centre_bound() -> None:
    """A bound not centred on 0: "unsaturated" is a distance from the range's centre below
    0.9 of its half-width, here |c - 1| < 3.6 for c in (-3, 5)."""
    steps = random_steps(seed=7, n=6)
    stats = CorpusStats(VOCAB, bounds={**BOUNDS, (FWD, "c"): (-3.0, 5.0)}, config=CONFIG)
    for step in steps:
        stats.update(step)
    ref = brute_force(steps, FWD, "c", 0)
    free = np.abs(ref.previous - 1.0) < 3.6
    assert 0 < free.mean() < 1
    near_zero = np.abs(ref.response.astype(np.float32)) < CONFIG.sparsity_threshold
    summary = stats.unit_summary(FWD, "c")
    np.testing.assert_allclose(summary.unsaturated, free.mean(0))
    expected = np.divide(
        (free & near_zero).sum(0), free.sum(0), out=np.full(5, np.nan), where=free.sum(0) > 0
    )
    np.testing.assert_allclose(summary.unsaturated_sparsity, expected)


def test_merge_into_empty_and_mismatches() -> None:
    steps = random_steps(seed=5, n=3)
    empty = stream([])
    empty.merge(stream(steps))
    np.testing.assert_array_equal(empty.mean(FWD, "c"), stream(steps).mean(FWD, "c"))
    with pytest.raises(ValueError, match="display words"):
        stream(steps).merge(stream(steps, np.array([1, 2])))
    with pytest.raises(ValueError, match="words"):
        stream(steps).merge(CorpusStats(VOCAB + 1))
    other = CorpusStats(VOCAB, bounds=BOUNDS, config=StatsConfig(top_k=3))
    with pytest.raises(ValueError, match="settings"):
        stream(steps).merge(other)


def test_memory_does_not_grow_with_corpus() -> None:
    def nbytes(stats: CorpusStats) -> int:
        _, arrays = stats_to_arrays(stats)
        return sum(a.nbytes for a in arrays.values())

    display = np.arange(6)
    assert nbytes(stream(random_steps(seed=1, n=2), display)) == nbytes(
        stream(random_steps(seed=1, n=40), display)
    )


def test_empty_display_word_gives_nan() -> None:
    stats = stream(random_steps(seed=2, n=2), display=np.array([VOCAB - 1, 0]))
    _, q = stats.quantiles(FWD, "h")
    seen = stats.counts[[VOCAB - 1, 0]] > 0
    assert np.isnan(q[~seen]).all() and np.isfinite(q[seen]).all()
    with pytest.raises(ValueError, match="no quantiles"):
        stream(random_steps(seed=2, n=1)).quantiles(FWD, "h")


def test_activation_bounds() -> None:
    assert activation_bounds(nn.LSTM(3, 4), ["h", "c", "i", "g"]) == {
        "h": (-1.0, 1.0),
        "c": None,
        "i": (0.0, 1.0),
        "g": (-1.0, 1.0),
    }
    assert activation_bounds(nn.LSTM(3, 4, proj_size=2), ["h"]) == {"h": None}
    assert activation_bounds(nn.RNN(3, 4, nonlinearity="relu"), ["h"]) == {"h": None}
    assert activation_bounds(nn.GRUCell(3, 4), ["h", "z", "n"]) == {
        "h": (-1.0, 1.0),
        "z": (0.0, 1.0),
        "n": (-1.0, 1.0),
    }
    assert activation_bounds(nn.Linear(3, 4), ["h", "c"]) == {"h": None, "c": None}


class TinyLM(nn.Module):
    def __init__(self, vocab_size: int):
        super().__init__()
        self.embed = nn.Embedding(vocab_size, 8)
        self.rnn = nn.LSTM(8, 6, batch_first=True, bidirectional=True)

    def forward(self, ids: torch.Tensor) -> torch.Tensor:
        return self.rnn(self.embed(ids))[0]


def test_analyze_one_shot_iterator_matches_list() -> None:
    torch.manual_seed(0)
    rng = np.random.default_rng(4)
    corpus = [list(np.minimum(rng.zipf(1.5, size=int(n)) - 1, 19)) for n in rng.integers(1, 12, size=30)]
    vocab = [f"w{i}" for i in range(20)]
    model = TinyLM(20)
    listed = rv.analyze(model, corpus, vocab, batch_size=4, progress=False, display_words=5, top_contexts=3)

    def one_shot() -> Iterator[list[int]]:
        yield from corpus

    streamed = rv.analyze(
        model, one_shot(), vocab, batch_size=4, progress=False, display_words=5, top_contexts=3
    )
    counts = np.bincount(np.concatenate(corpus), minlength=20)
    np.testing.assert_array_equal(listed.display_words, top_words(counts, 5))
    assert (counts[listed.display_words] >= np.sort(counts)[-5]).all()
    for analysis in (listed, streamed):
        for direction in (0, 1):
            ids, q = analysis.quantiles(-1, "c", direction)
            np.testing.assert_array_equal(ids, listed.display_words)
            np.testing.assert_array_equal(q, listed.quantiles(-1, "c", direction)[1])
            np.testing.assert_array_equal(
                analysis.response(-1, "h", direction), listed.response(-1, "h", direction)
            )
    summary = listed.unit_summary(-1, "h")
    assert summary.saturation.shape == (6,) and np.isfinite(summary.saturation).all()
    assert np.isnan(listed.unit_summary(-1, "c").saturation).all()
    contexts = listed.top_contexts(unit=2, sign=-1)
    assert 1 <= len(contexts) <= 3
    assert all(c.value < 0 for c in contexts)
    assert [c.value for c in contexts] == sorted(c.value for c in contexts)
    first = contexts[0]
    # The context reads back as the corpus text around that position.
    flat = [t for seq in corpus for t in seq]
    starts = np.cumsum([0] + [len(s) for s in corpus])
    seq = int(np.searchsorted(starts, first.position, side="right") - 1)
    offset = first.position - starts[seq]
    assert first.word == vocab[flat[first.position]]
    assert first.left == [vocab[t] for t in corpus[seq][max(0, offset - 3) : offset]]
    assert first.right == [vocab[t] for t in corpus[seq][offset + 1 : offset + 4]]
