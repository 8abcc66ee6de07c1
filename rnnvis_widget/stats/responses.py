"""What a response is, per state kind: Δ of a memory state, the value of a gate; and the
activation bounds that make a state "saturated"."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import torch
from torch import nn

from ..capture import LayerKey, StepBatch
from ..capture.types import MEMORY_KINDS

__all__ = [
    "GATE_BOUNDS",
    "MEMORY_KINDS",
    "Bound",
    "activation_bounds",
    "step_responses",
    "top_words",
]

#: Range of each gate's activation, fixed by PyTorch's definitions (sigmoid or tanh).
GATE_BOUNDS: dict[str, tuple[float, float]] = {
    "i": (0.0, 1.0),
    "f": (0.0, 1.0),
    "o": (0.0, 1.0),
    "r": (0.0, 1.0),
    "z": (0.0, 1.0),
    "g": (-1.0, 1.0),
    "n": (-1.0, 1.0),
}

#: The ``(lo, hi)`` range of a state's activation, or None if unbounded or unknown.
Bound = tuple[float, float] | None


def step_responses(step: StepBatch, key: LayerKey, kind: str) -> torch.Tensor:
    """Per-step response of every unit of one recorded slot of a batch.

    For a memory state (``"h"``, ``"c"``) the response at step ``t`` is the change from the
    state processed just before it (``t - 1`` forward in time, ``t + 1`` for a backward
    direction; the sequence's initial state before its first processed step); for a gate it
    is the gate's value.

    Parameters
    ----------
    step : StepBatch
        States recorded for one batch.
    key : LayerKey
        The layer and direction.
    kind : str
        The state kind, e.g. ``"h"``, ``"c"`` or a gate name.

    Returns
    -------
    response : Tensor of shape (B, T, H), float32
        Zero where ``t >= lengths[b]``.
    """
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


#: Words seen fewer times are not clustered: their mean response rests on too few updates. One
#: default for the widget, `Analysis.cocluster`, the comparison and the notebooks.
DEFAULT_MIN_COUNT: int = 5


def top_words(counts: np.ndarray, n: int) -> np.ndarray:
    """Ids of the ``n`` most frequent words seen at least once, most frequent first, ties by id.

    Parameters
    ----------
    counts : ndarray of shape (n_words,)
        Occurrences of each word.
    n : int
        How many ids to return at most.

    Returns
    -------
    ids : ndarray of shape (min(n, n_seen),), int64
        ``n_seen`` is the number of words with a count above 0.
    """
    counts = np.asarray(counts)
    seen = np.flatnonzero(counts > 0)
    order = seen[np.argsort(-counts[seen], kind="stable")]
    return order[:n].astype(np.int64)


def activation_bounds(module: nn.Module, kinds: Sequence[str]) -> dict[str, Bound]:
    """Range of each state kind of a recorded module.

    Parameters
    ----------
    module : torch.nn.Module
        The recorded module.
    kinds : sequence of str
        State kinds, e.g. ``["h", "c", "i"]``.

    Returns
    -------
    bounds : dict of str to (float, float) or None
        ``(lo, hi)`` per kind, or None where the state is unbounded or unknown. ``h`` of tanh
        RNN/LSTM/GRU (and cells) lies in [-1, 1]; gates of standard modules take their range
        from `GATE_BOUNDS`; ReLU RNN ``h``, projected LSTM ``h`` (a linear map of o·tanh(c)),
        LSTM ``c`` and anything of a custom module are unbounded or unknown.
    """
    tanh_h = isinstance(module, (nn.LSTM, nn.LSTMCell, nn.GRU, nn.GRUCell)) or (
        isinstance(module, (nn.RNN, nn.RNNCell)) and module.nonlinearity == "tanh"
    )
    if isinstance(module, nn.LSTM) and module.proj_size > 0:
        tanh_h = False
    known = isinstance(module, (nn.RNNBase, nn.RNNCellBase))
    out: dict[str, Bound] = {}
    for kind in kinds:
        if kind == "h":
            out[kind] = (-1.0, 1.0) if tanh_h else None
        elif kind == "c" or not known:
            out[kind] = None
        else:
            out[kind] = GATE_BOUNDS.get(kind)
    return out
