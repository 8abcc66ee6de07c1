"""Bounded-memory quantiles per (display word, unit): signed log-spaced histograms.

Method
------
Every (display word, unit) cell keeps integer counts over a fixed set of ``2K + 1`` bins
(`BinLayout`): one central bin ``[-x_min, x_min]`` and ``K`` bins per sign whose edges grow
geometrically, ``x_min·gamma^j`` for ``j = 0..K`` with ``gamma = (x_max / x_min)^(1/K)``. Values outside
``[-x_max, x_max]`` are clipped into the outermost bins. The layout depends only on the state's
range (``x_max``), never on the data, so two shards' histograms merge by adding counts: the merge
is *exact* (integer addition), in any order, and equals a single pass.

Error
-----
Quantile ``p`` of ``n`` samples is the order statistic of rank ``k = max(1, ⌈p·n⌉)`` (numpy's
``method="inverted_cdf"``). Counts are exact, so the bin holding that order statistic is known
exactly; the estimate is a fixed representative of that bin: 0 for the central bin, else the
harmonic mean ``2·a·b / (a + b)`` of its edges ``a < b``. Hence, for the true order statistic
``q`` of the *clipped* samples (up to float32 rounding of bin boundaries)::

    |q_est − q| <= max(alpha·|q|, x_min),      alpha = (gamma − 1) / (gamma + 1)

With the defaults (``K = 48``, ``x_max / x_min = 1000``): gamma = 1.155, **alpha = 7.2 %**; for Δh of a
tanh unit (``x_max = 2``) the absolute floor is ``x_min = 0.002``.

Memory
------
``n_display × n_units × (2K + 1)`` int32 counters per recorded (layer, state kind), independent of
corpus length: 300 words × 600 units × 97 bins × 4 B = 70 MB. Counters are int32, so one word may
occur at most 2³¹ − 1 times (checked; `OverflowError` beyond).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch

__all__ = ["QUANTILE_PERCENTS", "BinLayout", "QuantileSketch"]

Array = np.ndarray | torch.Tensor

#: Box-plot quantiles, in percent: whiskers at 9 / 91, box at 25 / 75, median.
QUANTILE_PERCENTS = (9, 25, 50, 75, 91)

_COUNT_LIMIT = np.iinfo(np.int32).max


@dataclass(frozen=True)
class BinLayout:
    """Signed log-spaced bins over ``[-x_max, x_max]``.

    Parameters
    ----------
    x_max : float
        Largest magnitude resolved; larger magnitudes are clipped to it.
    bins_per_sign : int
        ``K``, log-spaced bins on each side of zero.
    dynamic_range : float
        ``x_max / x_min``; ``[-x_min, x_min]`` is the central bin, estimated as 0.
    """

    x_max: float
    bins_per_sign: int = 48
    dynamic_range: float = 1000.0

    def __post_init__(self) -> None:
        if not (self.x_max > 0 and math.isfinite(self.x_max)):
            raise ValueError(f"x_max must be a positive finite number, got {self.x_max}")
        if self.bins_per_sign < 1:
            raise ValueError(f"bins_per_sign must be >= 1, got {self.bins_per_sign}")
        if not self.dynamic_range > 1:
            raise ValueError(f"dynamic_range must be > 1, got {self.dynamic_range}")

    @property
    def x_min(self) -> float:
        """Half-width of the central bin, ``x_max / dynamic_range``."""
        return self.x_max / self.dynamic_range

    @property
    def n_bins(self) -> int:
        """Number of bins, ``2K + 1``."""
        return 2 * self.bins_per_sign + 1

    @property
    def gamma(self) -> float:
        """Ratio of consecutive bin edges, ``(x_max / x_min)^(1/K)``."""
        return float(self.dynamic_range ** (1.0 / self.bins_per_sign))

    @property
    def relative_error(self) -> float:
        """alpha: bound on ``|q_est − q| / |q|`` for ``x_min < |q| <= x_max``."""
        return (self.gamma - 1.0) / (self.gamma + 1.0)

    def error_bound(self, q: np.ndarray) -> np.ndarray:
        """Largest possible ``|q_est − q|`` for true (clipped) quantiles ``q``.

        Parameters
        ----------
        q : ndarray
            True quantiles, any shape.

        Returns
        -------
        ndarray of the shape of ``q``, float64
            ``max(alpha · |q|, x_min)``.
        """
        return np.maximum(self.relative_error * np.abs(q), self.x_min)

    def edges(self) -> np.ndarray:
        """Bin edges.

        Returns
        -------
        edges : ndarray of shape (n_bins + 1,), float64
            Ascending; bin ``b`` is ``(edges[b], edges[b+1]]`` on the positive side,
            ``[edges[b], edges[b+1])`` on the negative side.
        """
        positive = self.x_min * self.gamma ** np.arange(self.bins_per_sign + 1)
        positive[-1] = self.x_max  # exact, whatever the rounding of gamma**K
        return np.concatenate([-positive[::-1], positive])

    def representatives(self) -> np.ndarray:
        """The value reported for each bin.

        Returns
        -------
        representatives : ndarray of shape (n_bins,), float64
            The harmonic mean of the bin's edge magnitudes, with the bin's sign; 0 for the
            central bin.
        """
        edges = self.edges()
        low, high = np.abs(edges[:-1]), np.abs(edges[1:])
        # Harmonic mean of the edges: equal relative distance to both ends, which is alpha.
        rep = 2.0 * low * high / (low + high)
        rep[: self.bins_per_sign] *= -1.0
        rep[self.bins_per_sign] = 0.0
        return rep

    def index(self, values: Array, column_offsets: Array | None = None) -> Array:
        """Bin of every value.

        Parameters
        ----------
        values : ndarray or Tensor
            Any shape; a tensor may live on any device.
        column_offsets : ndarray or Tensor of shape (n_columns,), optional
            Whole numbers, one per column of a 2-D ``values``, added to the bins of their
            column before the conversion to integers, which saves a pass over the result; the
            caller keeps them small enough to stay exact in the values' precision.

        Returns
        -------
        ndarray or Tensor of the shape of ``values``, int64
            Of the same kind as ``values``.
        """
        xp: Any = torch if isinstance(values, torch.Tensor) else np
        k = self.bins_per_sign
        scale = 1.0 / math.log(self.gamma)
        bins = xp.abs(values)
        # j = ceil(log_gamma(|x| / x_min)) is 0 for the central bin and 1..K outside it; computed
        # in place in the values' own precision (float32), as this runs on every display token.
        xp.clip(bins, self.x_min, self.x_max, out=bins)
        xp.log(bins, out=bins)
        bins -= math.log(self.x_min)
        bins *= scale
        xp.ceil(bins, out=bins)
        xp.clip(bins, 0, k, out=bins)
        xp.copysign(bins, values, out=bins)
        bins += k if column_offsets is None else k + column_offsets
        return bins.to(torch.int64) if xp is torch else bins.astype(np.int64)


class QuantileSketch:
    """Per (display word, unit) histograms of one recorded state kind.

    Parameters
    ----------
    n_display : int
        Number of display words (rows).
    n_units : int
        Units of the state.
    layout : BinLayout
        Shared bin layout; two sketches merge only if their layouts are equal.
    """

    def __init__(self, n_display: int, n_units: int, layout: BinLayout):
        self.layout = layout
        self.n_units = n_units
        # (n_display, n_units, n_bins) int32: bounded whatever the corpus length.
        self._counts = np.zeros((n_display, n_units, layout.n_bins), dtype=np.int32)
        # Samples that arrive as GPU tensors are counted on their device and added into the
        # host counts only when the counts are read, so no histogram crosses per batch.
        self._on_device: torch.Tensor | None = None

    @property
    def counts(self) -> np.ndarray:
        """Histogram counts, ndarray of shape (n_display, n_units, n_bins), int32."""
        self._add_device_counts()
        return self._counts

    @counts.setter
    def counts(self, value: np.ndarray) -> None:
        self._on_device = None
        self._counts = value

    @property
    def n_display(self) -> int:
        """Number of display words (rows)."""
        return int(self._counts.shape[0])

    def update(self, rows: Array, values: Array) -> None:
        """Add samples.

        Parameters
        ----------
        rows : ndarray or tensor of shape (n,), int
            Display row (0..n_display-1) of each sample's word.
        values : ndarray or tensor of shape (n, n_units), float
            The response of every unit at those samples. Tensors may live on any device (and
            ``rows`` on the same one); they are counted there.
        """
        if len(rows) == 0:
            return
        if isinstance(values, torch.Tensor):
            flat_index = self._flat_index(rows, values).reshape(-1)
        else:
            flat_index = torch.from_numpy(self._flat_index(rows, values).reshape(-1))
        # scatter_add_ counts repeated indices like numpy's add.at, but releases the GIL, so the
        # slots of a batch count on all cores at once.
        ones = torch.ones(1, dtype=torch.int32, device=flat_index.device).expand(len(flat_index))
        self._target(flat_index.device).reshape(-1).scatter_add_(0, flat_index, ones)

    def _flat_index(self, rows: Any, values: Any) -> Any:
        """Counter of every sample, ``(row · H + unit) · n_bins + bin``.

        Parameters
        ----------
        rows : ndarray or Tensor of shape (n,), int
        values : ndarray or Tensor of shape (n, n_units), float

        Returns
        -------
        ndarray or Tensor of shape (n, n_units), int64
            int64 because ``D·H·n_bins`` may pass 2^31; numpy or torch like ``values``.
        """
        n_bins = self.layout.n_bins
        unit_offsets = np.arange(self.n_units) * n_bins
        on_torch = isinstance(values, torch.Tensor)
        eps = float((torch.finfo(values.dtype) if on_torch else np.finfo(values.dtype)).eps)
        if self.n_units * n_bins < 2.0 / eps:
            # unit · n_bins is added while the bins are still floats, where whole numbers are
            # exact up to 2 / eps: 2^24 for float32.
            offsets = unit_offsets.astype(np.float64)
            column = torch.from_numpy(offsets).to(values) if on_torch else offsets.astype(values.dtype)
            flat = self.layout.index(values, column)
        else:
            flat = self.layout.index(values)
            flat += torch.from_numpy(unit_offsets).to(values.device) if on_torch else unit_offsets
        flat += rows[:, None] * (self.n_units * n_bins)
        return flat

    def _target(self, device: torch.device) -> torch.Tensor:
        """The counts to add into.

        Parameters
        ----------
        device : torch.device

        Returns
        -------
        Tensor of shape (n_display, n_units, n_bins), int32
            The host counts themselves on the CPU, else a buffer on ``device``.
        """
        if device.type == "cpu":
            return torch.from_numpy(self.counts)
        if self._on_device is None or self._on_device.device != device:
            self._add_device_counts()  # what another device counted
            self._on_device = torch.zeros(self._counts.shape, dtype=torch.int32, device=device)
        return self._on_device

    def _add_device_counts(self) -> None:
        """Add the device buffer, if any, into the host counts and drop it."""
        if self._on_device is None:
            return
        total = self._counts.astype(np.int64) + self._on_device.cpu().numpy()
        if total.max(initial=0) > _COUNT_LIMIT:
            raise OverflowError("a display word occurs more than 2^31 - 1 times; counters are int32")
        self._counts = total.astype(np.int32)
        self._on_device = None

    def merge(self, other: QuantileSketch) -> None:
        """Add another shard's counts (exact).

        Parameters
        ----------
        other : QuantileSketch
            With the same layout and shape.

        Raises
        ------
        ValueError
            If the layouts or shapes differ.
        OverflowError
            If a counter would pass 2^31 - 1.
        """
        if other.layout != self.layout or other.counts.shape != self.counts.shape:
            raise ValueError(
                f"cannot merge quantile sketches with different layouts or shapes: "
                f"{other.layout}, {other.counts.shape} vs {self.layout}, {self.counts.shape}"
            )
        total = self.counts.astype(np.int64) + other.counts
        if total.max(initial=0) > _COUNT_LIMIT:
            raise OverflowError("a display word occurs more than 2^31 - 1 times; counters are int32")
        self.counts = total.astype(np.int32)

    def quantiles(self, percents: tuple[int, ...] = QUANTILE_PERCENTS) -> np.ndarray:
        """Estimated quantiles.

        Parameters
        ----------
        percents : tuple of int, default (9, 25, 50, 75, 91)
            Quantiles wanted, in percent.

        Returns
        -------
        ndarray of shape (n_display, n_units, len(percents)), float64
            NaN for rows without samples.
        """
        cumulative = np.cumsum(self.counts, axis=-1, dtype=np.int64)  # (D, H, B)
        n = cumulative[..., -1]  # (D, H)
        representatives = self.layout.representatives()
        out = np.full((*n.shape, len(percents)), np.nan)
        for i, percent in enumerate(percents):
            # Rank k = max(1, ceil(p·n)) in integers, so p·n = 9.000000000000002 can't round up.
            rank = np.maximum(1, -((-percent * n) // 100))
            # The bin holding the k-th smallest sample: first bin whose cumulative count >= k.
            b = (cumulative < rank[..., None]).sum(axis=-1)
            out[..., i] = representatives[np.minimum(b, self.layout.n_bins - 1)]
        out[n == 0] = np.nan
        return out
