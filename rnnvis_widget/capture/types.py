"""Data types and errors shared by the capture modules."""

from __future__ import annotations

from dataclasses import dataclass, field

import torch

from .batches import Batch

__all__ = [
    "GATE_KINDS",
    "CaptureAlignmentError",
    "CaptureError",
    "CaptureMismatchError",
    "LayerKey",
    "StepBatch",
]

#: Gate names per recurrent family, in PyTorch's weight-row order.
GATE_KINDS: dict[str, tuple[str, ...]] = {
    "LSTM": ("i", "f", "g", "o"),
    "GRU": ("r", "z", "n"),
    "RNN": (),
}


class CaptureError(RuntimeError):
    """Capture could not record states that are known to be right."""


class CaptureMismatchError(CaptureError):
    """Recomputed states disagree with what the recurrent module itself returned."""


class CaptureAlignmentError(CaptureError):
    """A module's recorded steps cannot be matched one-to-one with the batch's tokens."""


@dataclass(frozen=True, order=True)
class LayerKey:
    """Address of one recorded recurrence.

    module:    qualified name from ``model.named_modules()`` ("" = the model itself)
    layer:     0-based layer inside a fused stack; 0 for cells and custom modules
    direction: 0 = forward in time, 1 = backward (bidirectional fused modules)
    """

    module: str
    layer: int = 0
    direction: int = 0

    def __str__(self) -> str:
        name = self.module or "<model>"
        return f"{name}/layer{self.layer}/{'backward' if self.direction else 'forward'}"


@dataclass
class StepBatch:
    """States recorded for one batch.

    states[key][kind]:  [B, T, H_kind] float32 on CPU (on the module's GPU with
                        ``StateRecorder(keep_on_device=True)``), aligned with ``batch.ids``: step
                        t is the state right after the token ``batch.ids[b, t]`` was consumed
                        (also for direction 1); positions t >= lengths[b] are exactly 0. Kinds:
                        "h", "c" (LSTM), gates "i", "f", "g", "o" (LSTM) or "r", "z", "n" (GRU).
    initial[key][kind]: [B, H_kind] float32 on the states' device, only "h" and (LSTM) "c":
                        the state right before this direction's first recorded step of each
                        sequence. That is the user's hx (zeros if none), except for direction 1
                        of a padded, unpacked input: there PyTorch starts at the padded end, so
                        the state before step lengths[b]-1 is the state after the padding.
    """

    batch: Batch
    states: dict[LayerKey, dict[str, torch.Tensor]] = field(default_factory=dict)
    initial: dict[LayerKey, dict[str, torch.Tensor]] = field(default_factory=dict)
