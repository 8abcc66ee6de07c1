"""Capture every hidden state of a PyTorch RNN: per module, layer, direction and time step.

See `StateRecorder`. Fused nn.RNN/LSTM/GRU stacks are recomputed from their own weights
and checked against their own outputs (_fused.py); cells called in Python loops and named custom
cells are recorded per call (_cells.py).
"""

from .batches import Batch, iter_batches
from .recorder import RECURRENT_TYPES, StateRecorder, find_recurrent_modules
from .trace import Trace, trace
from .types import (
    GATE_KINDS,
    CaptureAlignmentError,
    CaptureError,
    CaptureMismatchError,
    LayerKey,
    NonFiniteStateError,
    StepBatch,
)

__all__ = [
    "GATE_KINDS",
    "RECURRENT_TYPES",
    "Batch",
    "CaptureAlignmentError",
    "CaptureError",
    "CaptureMismatchError",
    "LayerKey",
    "NonFiniteStateError",
    "StateRecorder",
    "StepBatch",
    "Trace",
    "find_recurrent_modules",
    "iter_batches",
    "trace",
]
