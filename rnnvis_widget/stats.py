"""Streaming per-word response statistics, fed one captured batch at a time.

For a hidden/cell state x the response to step t is Δx(t) = x(t) − x(t_prev), where t_prev is
the step processed just before t (t−1 forward in time, t+1 for a backward direction) and the
state before the first processed step is the sequence's initial state. For gates the response
is the gate value itself. Per (word, unit) we keep the count, the sum and the sum of squares in
float64, so memory is O(vocabulary × units) whatever the corpus length, and two shards merge by
addition into exactly what one pass gives.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import torch

from .capture import LayerKey, StepBatch

# Kinds whose response is a change of memory; every other kind (gates) is taken as its value.
MEMORY_KINDS = ("h", "c")


def step_responses(step: StepBatch, key: LayerKey, kind: str) -> torch.Tensor:
    """Per-step response of every unit, shape (B, T, H); zero where t >= length."""
    values = step.states[key][kind]
    if kind not in MEMORY_KINDS:
        return values
    initial = step.initial[key][kind]
    lengths = step.batch.lengths
    previous = torch.empty_like(values)
    if key.direction == 0:
        previous[:, 0] = initial
        previous[:, 1:] = values[:, :-1]
    else:
        # Backward direction reads the sequence from its last real token towards the first.
        previous[:, :-1] = values[:, 1:]
        previous[torch.arange(values.shape[0]), lengths - 1] = initial
    steps = torch.arange(values.shape[1])
    valid = (steps[None, :] < lengths[:, None]).unsqueeze(-1)
    return torch.where(valid, values - previous, torch.zeros_like(values))


@dataclass
class ResponseSums:
    """Sufficient statistics of the response of H units to each of V words."""

    sum: np.ndarray  # (V, H) float64
    sum_sq: np.ndarray  # (V, H) float64

    @classmethod
    def zeros(cls, vocab_size: int, n_units: int) -> ResponseSums:
        shape = (vocab_size, n_units)
        return cls(np.zeros(shape), np.zeros(shape))

    def merge(self, other: ResponseSums) -> None:
        self.sum += other.sum
        self.sum_sq += other.sum_sq


@dataclass
class CorpusStats:
    """Response statistics for every captured (layer, state kind) over a corpus.

    `counts[w]` is how often word w was read; it is shared by every layer because every
    recorded layer sees every token.
    """

    vocab_size: int
    counts: np.ndarray = field(init=False)  # (V,) int64
    sums: dict[tuple[LayerKey, str], ResponseSums] = field(default_factory=dict)
    n_tokens: int = 0

    def __post_init__(self) -> None:
        self.counts = np.zeros(self.vocab_size, dtype=np.int64)

    def update(self, step: StepBatch) -> None:
        """Add one captured batch."""
        lengths = step.batch.lengths
        steps = torch.arange(step.batch.ids.shape[1])
        valid = steps[None, :] < lengths[:, None]
        ids = step.batch.ids[valid]
        self.counts += np.bincount(ids.numpy(), minlength=self.vocab_size)
        self.n_tokens += int(ids.numel())
        for key, kinds in step.states.items():
            for kind in kinds:
                response = step_responses(step, key, kind)[valid].to(torch.float64)
                sums = self.sums.get((key, kind))
                if sums is None:
                    sums = ResponseSums.zeros(self.vocab_size, response.shape[1])
                    self.sums[(key, kind)] = sums
                total = torch.from_numpy(sums.sum)
                total.index_add_(0, ids, response)
                total_sq = torch.from_numpy(sums.sum_sq)
                total_sq.index_add_(0, ids, response * response)

    def merge(self, other: CorpusStats) -> None:
        """Fold in statistics of another shard of the same vocabulary and layers."""
        if other.vocab_size != self.vocab_size:
            raise ValueError(f"cannot merge stats over {other.vocab_size} words into {self.vocab_size}")
        self.counts += other.counts
        self.n_tokens += other.n_tokens
        for slot, sums in other.sums.items():
            if slot in self.sums:
                self.sums[slot].merge(sums)
            else:
                self.sums[slot] = ResponseSums(sums.sum.copy(), sums.sum_sq.copy())

    def mean(self, key: LayerKey, kind: str) -> np.ndarray:
        """Expected response s(w)_i, shape (V, H); 0 for words never seen."""
        sums = self.sums[(key, kind)]
        seen = np.maximum(self.counts, 1)[:, None]
        return sums.sum / seen

    def variance(self, key: LayerKey, kind: str) -> np.ndarray:
        """Population variance of the response, shape (V, H); 0 for words seen at most once."""
        sums = self.sums[(key, kind)]
        seen = np.maximum(self.counts, 1)[:, None]
        mean = sums.sum / seen
        return np.maximum(sums.sum_sq / seen - mean * mean, 0.0)
