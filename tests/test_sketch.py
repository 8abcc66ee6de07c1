"""Quantile sketch: every sample in its counter, on numpy, torch and CUDA; the documented error."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from rnnvis_widget.stats._sketch import QUANTILE_PERCENTS, BinLayout, QuantileSketch


def exact_quantile(samples: np.ndarray, percent: int) -> float:
    """The k-th smallest sample, k = max(1, ceil(p·n)) — numpy's inverted_cdf, in integers."""
    n = len(samples)
    return float(np.sort(samples)[max(1, -(-percent * n // 100)) - 1])


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
