"""Streaming statistics against brute-force passes written here, shard merges, quantile error."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np
import pytest
import torch
from torch import nn

import rnnvis_widget as rv
import rnnvis_widget.contexts as contexts_module
import rnnvis_widget.stats as stats_module
from rnnvis_widget.batches import Batch
from rnnvis_widget.capture import LayerKey, StepBatch
from rnnvis_widget.contexts import TopContexts, context_windows
from rnnvis_widget.sketch import QUANTILE_PERCENTS, BinLayout, QuantileSketch
from rnnvis_widget.stats import (
    CorpusStats,
    StatsConfig,
    activation_bounds,
    top_words,
)
from rnnvis_widget.stats_arrays import stats_to_arrays

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
    windows: np.ndarray  # (N, 2w + 1)


def brute_force(steps: list[StepBatch], key: LayerKey, kind: str, width: int) -> Tokens:
    words, responses, values, windows = [], [], [], []
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
                else:
                    responses.append(x[b, t])
                words.append(ids[b, t])
                values.append(x[b, t])
                windows.append(
                    [ids[b, s] if 0 <= s < length else -1 for s in range(t - width, t + width + 1)]
                )
    return Tokens(np.array(words), np.array(responses, dtype=np.float64), np.array(values), np.array(windows))


def exact_quantile(samples: np.ndarray, percent: int) -> float:
    """The k-th smallest sample, k = max(1, ceil(p·n)) — numpy's inverted_cdf, in integers."""
    n = len(samples)
    return float(np.sort(samples)[max(1, -(-percent * n // 100)) - 1])


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
        assert merged.sketch is not None and slot.sketch is not None
        np.testing.assert_array_equal(merged.sketch.counts, slot.sketch.counts)
        assert merged.contexts is not None and slot.contexts is not None
        np.testing.assert_array_equal(merged.contexts.values, slot.contexts.values)
        np.testing.assert_array_equal(merged.contexts.positions, slot.contexts.positions)
        np.testing.assert_array_equal(merged.contexts.windows, slot.contexts.windows)


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


def test_contexts_on_hand_made_batch() -> None:
    # Two sequences: [5 6 7 8] and [9 3] (padded with 0). One unit; responses written out.
    ids = np.array([[5, 6, 7, 8], [9, 3, 0, 0]])
    windows = context_windows(ids, np.array([4, 2]), width=1)
    np.testing.assert_array_equal(
        windows, [[-1, 5, 6], [5, 6, 7], [6, 7, 8], [7, 8, -1], [-1, 9, 3], [9, 3, -1]]
    )
    response = np.array([[0.5], [-0.2], [0.9], [0.0], [0.9], [-0.7]], dtype=np.float32)
    top = TopContexts(n_units=1, k=2, width=1)
    # Rows may arrive in any order (the stream groups them by word): pass them reversed.
    rows = np.arange(6)[::-1]
    top.update(np.ascontiguousarray(response[rows]), 100 + rows, windows[rows])
    # Largest positive: 0.9 twice — earlier corpus position first (token 7 at 102, token 9 at 104).
    np.testing.assert_array_equal(top.positions[0, :, 0], [102, 104])
    np.testing.assert_allclose(top.values[0, :, 0], [0.9, 0.9])
    np.testing.assert_array_equal(top.windows[0, :, 0], [[6, 7, 8], [-1, 9, 3]])
    # Largest negative: -0.7 (token 3, last of its sequence: no right context), then -0.2.
    np.testing.assert_array_equal(top.positions[1, :, 0], [105, 101])
    np.testing.assert_array_equal(top.windows[1, :, 0], [[9, 3, -1], [5, 6, 7]])
    # A later batch with a stronger response displaces the weakest; a tie keeps the earlier one.
    more = context_windows(np.array([[4, 2]]), np.array([2]), 1)
    top.update(np.array([[0.9], [1.5]], dtype=np.float32), np.array([200, 201]), more)
    np.testing.assert_array_equal(top.positions[0, :, 0], [201, 102])
    np.testing.assert_array_equal(top.windows[0, :, 0], [[4, 2, -1], [6, 7, 8]])
    # Only strictly negative responses are negative contexts: fewer than K leave empty entries.
    single = TopContexts(n_units=1, k=3, width=0)
    single.update(np.array([[0.3], [-0.1]], dtype=np.float32), np.array([0, 1]), np.array([[1], [2]]))
    np.testing.assert_array_equal(single.positions[1, :, 0], [1, -1, -1])
    assert np.isnan(single.values[1, 1:, 0]).all()


def test_contexts_over_a_long_stream_match_a_full_sort(monkeypatch: pytest.MonkeyPatch) -> None:
    # Early batches go through torch.topk, later ones only through the few responses that beat
    # the current k-th entries. Both paths must give the exact top k of everything seen.
    used = {"_top_k": 0, "_nonzero": 0}
    for name in used:
        original = getattr(contexts_module, name)

        def counted(*args: Any, _name: str = name, _original: Any = original, **kwargs: Any) -> Any:
            used[_name] += 1
            return _original(*args, **kwargs)

        monkeypatch.setattr(contexts_module, name, counted)
    rng = np.random.default_rng(7)
    n_units, k = 30, 5
    top = TopContexts(n_units=n_units, k=k, width=0)
    seen: list[np.ndarray] = []
    for batch in range(40):
        n = int(rng.integers(1, 60))
        # Heavy tails, units that never go negative, and, once the lists are full, quantised
        # values: ties with kept entries, which the earlier entry wins. (While lists fill,
        # torch.topk would pick among in-batch ties its own way; see the module docstring.)
        response = rng.standard_t(2, size=(n, n_units)) * 4
        if batch >= 10:
            response = np.round(response) / 4
        if batch == 20:  # (n = 45 here)
            # One unit bursts: more than k new entries in one batch, some tied with each other.
            response[: 2 * k, 5] = 1000.0 + np.arange(2 * k) // 3
        response[:, :3] = np.abs(response[:, :3])
        response = response.astype(np.float32)
        start = sum(map(len, seen))
        positions = np.arange(start, start + n)
        top.update(response, positions, positions[:, None].astype(np.int32))
        seen.append(response)
    everything = np.concatenate(seen)
    assert used["_top_k"] > 0 and used["_nonzero"] > 0
    for unit in range(n_units):
        for side, sign in enumerate((1, -1)):
            strength = sign * everything[:, unit]
            expected = sorted(np.flatnonzero(strength > 0), key=lambda n: (-strength[n], n))[:k]
            kept = top.positions[side, : len(expected), unit]
            np.testing.assert_array_equal(kept, expected, err_msg=f"unit {unit} side {side}")
            assert (top.positions[side, len(expected) :, unit] == -1).all()
            np.testing.assert_array_equal(top.windows[side, : len(expected), unit, 0], expected)


DEVICES = [
    pytest.param("numpy", id="numpy"),
    pytest.param("cpu", id="torch-cpu"),
    pytest.param(
        "cuda", id="cuda", marks=pytest.mark.skipif(not torch.cuda.is_available(), reason="needs CUDA")
    ),
]


@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.float64])
@pytest.mark.parametrize("device", DEVICES)
def test_sketch_counts_every_sample_in_its_own_counter(dtype: type, device: str) -> None:
    # 30 units x 97 bins passes float16's exact whole numbers (2048): that case adds the unit
    # offsets as integers, the others while the bins are floats. Tensors are counted where they
    # are (on a GPU, in a buffer that is added in when the counts are read).
    rng = np.random.default_rng(11)
    layout = BinLayout(2.0)
    sketch = QuantileSketch(n_display=4, n_units=30, layout=layout)
    rows = rng.integers(0, 4, size=200)
    values = (rng.standard_t(3, size=(200, 30)) * 0.3).astype(dtype)
    for half in (slice(0, 100), slice(100, 200)):  # read in between: buffers must add up
        if device == "numpy":
            sketch.update(rows[half], values[half])
        else:
            sketch.update(torch.from_numpy(rows[half]).to(device), torch.from_numpy(values[half]).to(device))
        assert sketch.counts.sum() == 30 * half.stop
    expected = np.zeros_like(sketch.counts)
    for row, sample in zip(rows, values, strict=True):
        # Bins of one sample at a time, computed by the same library (float16 rounds its own way).
        one = sample[None, :] if device == "numpy" else torch.from_numpy(sample[None, :]).to(device)
        bins = np.asarray(layout.index(one)[0].tolist())
        expected[row, np.arange(30), bins] += 1
    np.testing.assert_array_equal(sketch.counts, expected)


@pytest.mark.parametrize(
    "scale, x_max",
    [(0.3, 2.0), (0.01, 2.0), (3.0, 16.0), (30.0, 16.0)],
    ids=["typical", "tiny", "wide", "clipped"],
)
def test_quantile_error_within_documented_bound(scale: float, x_max: float) -> None:
    rng = np.random.default_rng(0)
    layout = BinLayout(x_max)
    sketch = QuantileSketch(n_display=3, n_units=4, layout=layout)
    rows, samples = [], []
    for row, n in enumerate([1, 17, 4000]):
        # Heavy-tailed, skewed, with exact zeros: a mixture no single scale fits.
        values = scale * rng.standard_t(3, size=(n, 4)) + scale * np.abs(rng.normal(size=(n, 4)))
        values[rng.random((n, 4)) < 0.1] = 0.0
        values = values.astype(np.float32)
        rows.append(np.full(n, row))
        samples.append(values)
    all_rows, all_samples = np.concatenate(rows), np.concatenate(samples)
    order = rng.permutation(len(all_rows))  # words interleave in a corpus
    for chunk in np.array_split(order, 5):  # fed in pieces, as batches would be
        sketch.update(all_rows[chunk], all_samples[chunk])
    estimates = sketch.quantiles()
    worst = 0.0
    for row, values in enumerate(samples):
        clipped = np.clip(values.astype(np.float64), -x_max, x_max)
        for unit in range(4):
            for i, percent in enumerate(QUANTILE_PERCENTS):
                q = exact_quantile(clipped[:, unit], percent)
                error = abs(estimates[row, unit, i] - q)
                bound = float(layout.error_bound(np.array(q)))
                assert error <= bound * (1 + 1e-5) + 1e-7, (row, unit, percent, q, estimates[row, unit, i])
                worst = max(worst, error / bound)
    assert worst > 0.2  # the bound is not vacuously loose on this data


def test_bins_contain_their_values() -> None:
    layout = BinLayout(2.0, bins_per_sign=10, dynamic_range=100.0)
    edges = layout.edges()
    values = np.concatenate([edges, np.random.default_rng(0).uniform(-2, 2, 1000), [0.0, -0.0, 1e-9]])
    bins = layout.index(values.astype(np.float32))
    assert bins.min() >= 0 and bins.max() < layout.n_bins
    tolerance = 1e-6 * np.abs(values) + 1e-9
    assert np.all(edges[bins] <= values + tolerance) and np.all(values - tolerance <= edges[bins + 1])
    rep = layout.representatives()
    assert np.all((edges[:-1] <= rep) & (rep <= edges[1:]))
    assert layout.relative_error == pytest.approx((layout.gamma - 1) / (layout.gamma + 1))


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
