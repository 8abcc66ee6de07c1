"""Data types and errors shared by the capture modules."""

from __future__ import annotations

from dataclasses import dataclass, field

import torch

from .batches import Batch

__all__ = [
    "GATE_KINDS",
    "MEMORY_KINDS",
    "CaptureAlignmentError",
    "CaptureError",
    "CaptureMismatchError",
    "LayerKey",
    "NonFiniteStateError",
    "StepBatch",
]

#: State kinds that are memory: their response to a token is their change; every other kind
#: (a gate) responds with its value. ``"state_norm"`` (one unit per channel: the norm of that
#: channel's slice of a matrix memory) and ``"state"`` (one unit per memory cell) are the
#: memories of scan-computed models (Mamba, mLSTM).
MEMORY_KINDS = ("h", "c", "state_norm", "state")

#: Gate names per recurrent family, in PyTorch's weight-row order.
GATE_KINDS: dict[str, tuple[str, ...]] = {
    "LSTM": ("i", "f", "g", "o"),
    "GRU": ("r", "z", "n"),
    "RNN": (),
}


class CaptureError(RuntimeError):
    """Capture could not record states that are known to be right.

    Raised instead of returning states that might be wrong: a recorded module was never
    called, its steps cannot be lined up with the batch's tokens, or its recomputed states
    disagree with its own output. The message names the module and the fix.
    """


class CaptureMismatchError(CaptureError):
    """Recomputed states disagree with what the recurrent module itself returned.

    What capture recomputes from a module's weights (inner layers, per-step cell states and
    gates of a fused module; the gates of a standard cell) is checked against what the module
    returned; a difference beyond float tolerance raises this. It happens when a subclass
    changes the recurrence or its weights inside ``forward`` (e.g. weight drop): record such a
    model's cells by name instead.
    """


class NonFiniteStateError(CaptureError):
    """A recorded state became NaN or inf.

    Raised before recomputed states are compared with the module's output (a NaN would fail
    that comparison with a misleading message). The message names the module, layer,
    direction, state kind and the first step that went non-finite, and the likeliest cause: a
    parameter holding NaN or inf, a non-finite input (e.g. an embedding row), or activations
    that grew without bound.
    """


class CaptureAlignmentError(CaptureError):
    """A module's recorded steps cannot be matched one-to-one with the batch's tokens.

    For example a module run on another number of sequences or time steps than the batch has,
    a packed input with other lengths than the batch's, or a cell that returns states of
    changing shapes.
    """


@dataclass(frozen=True, order=True)
class LayerKey:
    """Address of one recorded recurrence: a module, a layer inside it and a direction.

    Keys are frozen and ordered (by module name, then layer, then direction), and print as
    ``module/layer0/forward``.

    Parameters
    ----------
    module : str
        Qualified name from ``model.named_modules()``; ``""`` is the model itself.
    layer : int, default 0
        0-based layer inside a fused stack; 0 for cells and custom modules.
    direction : int, default 0
        0 = forward in time, 1 = backward (bidirectional fused modules).
    """

    module: str
    layer: int = 0
    direction: int = 0

    def __str__(self) -> str:
        name = self.module or "<model>"
        return f"{name}/layer{self.layer}/{'backward' if self.direction else 'forward'}"


@dataclass
class StepBatch:
    """States recorded for one batch, per layer and state kind.

    Attributes
    ----------
    batch : Batch
        The batch these states belong to.
    states : dict of LayerKey to dict of str to Tensor
        ``states[key][kind]`` is a tensor of shape (B, T, H_kind), float32, on the CPU (on the
        module's GPU with ``StateRecorder(keep_on_device=True)``), aligned with ``batch.ids``:
        step ``t`` is the state right after the token ``batch.ids[b, t]`` was consumed (also
        for direction 1); positions ``t >= lengths[b]`` are exactly 0. Kinds: ``"h"``, ``"c"``
        (LSTM), gates ``"i"``, ``"f"``, ``"g"``, ``"o"`` (LSTM) or ``"r"``, ``"z"``, ``"n"``
        (GRU).
    initial : dict of LayerKey to dict of str to Tensor
        ``initial[key][kind]`` is a tensor of shape (B, H_kind), float32, on the states'
        device, for ``"h"`` and (LSTM) ``"c"`` only: the state right before this direction's
        first recorded step of each sequence. That is the user's ``hx`` (zeros if none),
        except for direction 1 of a padded, unpacked input: there PyTorch starts at the padded
        end, so the state before step ``lengths[b] - 1`` is the state after the padding.
    """

    batch: Batch
    states: dict[LayerKey, dict[str, torch.Tensor]] = field(default_factory=dict)
    initial: dict[LayerKey, dict[str, torch.Tensor]] = field(default_factory=dict)
