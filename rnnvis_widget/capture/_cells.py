"""Record cells that a model calls once per time step in a Python loop.

Standard cells (``nn.RNNCell``, ``nn.LSTMCell``, ``nn.GRUCell``) and any custom module the user
names whose per-call output is ``h`` or ``(h, c)``. Each call is one time step; its output is
the state itself, so nothing is recomputed unless gates are asked for. Then the gates of a
standard cell come from its weights, and the h (and c) they imply are checked against what the
cell returned.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import torch
from torch import Tensor, nn

from ._modules import check_close, family, first_non_finite, hidden_size, non_finite_message
from .types import GATE_KINDS, CaptureAlignmentError, NonFiniteStateError

__all__ = ["CELL_TYPES", "CellStep", "capture_cell_call"]

CELL_TYPES = (nn.RNNCell, nn.LSTMCell, nn.GRUCell)

_HX_KWARGS = ("hx", "hidden", "state", "h")


@dataclass
class CellStep:
    """One call of a cell: the state it returned and the state it started from.

    Attributes
    ----------
    h : Tensor of shape (B, H)
        The returned hidden state.
    c : Tensor of shape (B, H) or None
        The returned cell state, if the cell returned ``(h, c)``.
    gates : dict of str to Tensor
        Gate kind to tensor of shape (B, H); empty unless gates were asked for.
    h0, c0 : Tensor of shape (B, H) or None
        The state the call started from; None where the caller passed none.
    """

    h: Tensor
    c: Tensor | None
    gates: dict[str, Tensor]
    h0: Tensor | None
    c0: Tensor | None


def _split_state(value: Any, name: str, what: str) -> tuple[Tensor | None, Tensor | None]:
    """Split a cell's state argument or output into ``(h, c)``.

    Parameters
    ----------
    value : Any
        A tensor ``h``, or a tuple or list whose first element is ``h`` and whose second, if
        it is a tensor, is ``c``; or None.
    name : str
        The module's qualified name, for the error message.
    what : str
        Which value this is (``"output"``, ``"state argument"``), for the error message.

    Returns
    -------
    h, c : Tensor or None

    Raises
    ------
    CaptureAlignmentError
        If ``value`` is neither None, a tensor, nor a sequence starting with a tensor.
    """
    if value is None:
        return None, None
    if isinstance(value, Tensor):
        return value, None
    if isinstance(value, (tuple, list)) and value and isinstance(value[0], Tensor):
        c = value[1] if len(value) == 2 and isinstance(value[1], Tensor) else None
        return value[0], c
    raise CaptureAlignmentError(
        f"module {name!r}: its {what} is a {type(value).__name__}, but a recorded cell must take "
        "and return h or (h, c) tensors, one time step per call. Name a module that does."
    )


def _batched(t: Tensor | None, name: str, what: str) -> Tensor | None:
    """A state as one step of a batch: shape (H,) becomes (1, H), shape (B, H) stays.

    Parameters
    ----------
    t : Tensor or None
    name : str
        The module's qualified name, for the error message.
    what : str
        Which value this is, for the error message.

    Returns
    -------
    Tensor of shape (B, H) or None

    Raises
    ------
    CaptureAlignmentError
        For any other number of dimensions: that is not one step of a batch of states.
    """
    if t is None or t.dim() == 2:
        return t
    if t.dim() == 1:
        return t.unsqueeze(0)
    raise CaptureAlignmentError(
        f"module {name!r}: its {what} has shape {tuple(t.shape)}, but a recorded cell must "
        "return one time step per call, shaped [B, H]. If it processes whole sequences, record "
        "the cell it calls per step instead."
    )


def _gates(
    module: nn.Module, x: Tensor, h0: Tensor, c0: Tensor | None
) -> tuple[dict[str, Tensor], dict[str, Tensor]]:
    """Gates of a standard LSTM or GRU cell from its weights, and the states they imply.

    Parameters
    ----------
    module : torch.nn.Module
        An ``nn.LSTMCell`` or ``nn.GRUCell``.
    x : Tensor of shape (B, F)
        The call's input.
    h0 : Tensor of shape (B, H)
        The state the call started from (zeros if the caller passed none).
    c0 : Tensor of shape (B, H) or None
        The cell state it started from (LSTM only).

    Returns
    -------
    gates : dict of str to Tensor
        Gate kind (``i``, ``f``, ``g``, ``o`` or ``r``, ``z``, ``n``) to tensor of shape (B, H).
    implied : dict of str to Tensor
        ``"c"`` (LSTM) and ``"h"``: the states the gates imply, of shape (B, H), to compare
        with what the cell returned.
    """
    fam = family(module)
    hid = hidden_size(module)
    xg = nn.functional.linear(x, _param(module, "weight_ih"), _bias(module, "bias_ih"))
    hg = nn.functional.linear(h0, _param(module, "weight_hh"), _bias(module, "bias_hh"))
    if fam == "LSTM":
        assert c0 is not None
        pre = xg + hg
        act = pre.sigmoid()
        act[:, 2 * hid : 3 * hid] = pre[:, 2 * hid : 3 * hid].tanh()
        i, f, g, o = act.split(hid, dim=1)
        c_chk = f * c0 + i * g
        gates = dict(zip(GATE_KINDS["LSTM"], (i, f, g, o), strict=True))
        return gates, {"c": c_chk, "h": o * c_chk.tanh()}
    rz = (xg[:, : 2 * hid] + hg[:, : 2 * hid]).sigmoid()
    r, z = rz[:, :hid], rz[:, hid:]
    n = (xg[:, 2 * hid :] + r * hg[:, 2 * hid :]).tanh()
    return {"r": r, "z": z, "n": n}, {"h": (1 - z) * n + z * h0}


def _check_finite(
    module: nn.Module, name: str, step: int, inputs: object, states: dict[str, Tensor | None]
) -> None:
    """Raise `NonFiniteStateError` if a state of one cell call holds NaN or inf.

    Parameters
    ----------
    module : torch.nn.Module
    name : str
        Its qualified name, for the message.
    step : int
        The call's time step (calls counted from 0 within the batch).
    inputs : object
        The call's input, of shape (B, F) if a tensor.
    states : dict of str to Tensor of shape (B, H) or None
        State kind to value.
    """
    for kind, value in states.items():
        if value is None:
            continue
        found = first_non_finite(value[None])
        if found is not None:
            x = inputs[None] if isinstance(inputs, Tensor) and inputs.dim() == 2 else None
            raise NonFiniteStateError(
                non_finite_message(
                    module, name, f"{kind} of the cell", step, found[1], found[2], x, first_step=step
                )
            )


def _param(module: nn.Module, attr: str) -> Tensor:
    w = getattr(module, attr)
    assert isinstance(w, Tensor)
    return w.detach()


def _bias(module: nn.Module, attr: str) -> Tensor | None:
    b = getattr(module, attr, None)
    return b.detach() if isinstance(b, Tensor) else None


def capture_cell_call(
    module: nn.Module, name: str, args: tuple[Any, ...], kwargs: dict[str, Any], output: Any,
    want_gates: bool, step: int = 0,
) -> CellStep:
    """Turn one hooked call of a cell into a `CellStep`; tensors stay on their device.

    Parameters
    ----------
    module : torch.nn.Module
        The cell (standard or custom).
    name : str
        Its qualified name, for error messages.
    args, kwargs : tuple, dict
        What the cell was called with: the input, then optionally the state as a second
        positional argument or as ``hx``, ``hidden``, ``state`` or ``h``.
    output : Any
        What it returned: ``h`` or ``(h, c)``.
    want_gates : bool
        Recompute the gates of a standard LSTM or GRU cell.
    step : int, default 0
        The call's time step within the batch, for messages.

    Returns
    -------
    CellStep

    Raises
    ------
    CaptureAlignmentError
        If the state is not ``h`` or ``(h, c)`` of shape (B, H), or the returned state's shape
        differs from the given one's.
    NonFiniteStateError
        If the returned state or a recomputed gate holds NaN or inf.
    CaptureMismatchError
        If gates were recomputed and the states they imply differ from the returned ones.
    """
    h, c = _split_state(output, name, "output")
    h = _batched(h, name, "output h")
    c = _batched(c, name, "output c")
    assert h is not None
    hx: Any = args[1] if len(args) > 1 else None
    if hx is None:
        hx = next((kwargs[k] for k in _HX_KWARGS if kwargs.get(k) is not None), None)
    h0, c0 = _split_state(hx, name, "state argument")
    h0, c0 = _batched(h0, name, "state argument h"), _batched(c0, name, "state argument c")
    for given, got, what in ((h0, h, "h"), (c0, c, "c")):
        if given is not None and got is not None and given.shape != got.shape:
            raise CaptureAlignmentError(
                f"module {name!r}: its state argument {what} has shape {tuple(given.shape)} but "
                f"it returned {what} of shape {tuple(got.shape)}; a recorded cell must map "
                "(input, state) to the next state of the same shape."
            )
    x: Any = args[0] if args else kwargs.get("input")
    if isinstance(x, Tensor) and x.dim() == 1:
        x = x.unsqueeze(0)
    _check_finite(module, name, step, x, {"h": h, "c": c})
    gates: dict[str, Tensor] = {}
    if want_gates and isinstance(module, (nn.LSTMCell, nn.GRUCell)):
        z_h = h0 if h0 is not None else torch.zeros_like(h)
        z_c = c0 if c0 is not None else (torch.zeros_like(c) if c is not None else None)
        gates, implied = _gates(module, x, z_h, z_c)
        _check_finite(module, name, step, x, dict(gates))
        if c is not None:
            check_close(name, "cell state c", implied["c"], c)
        check_close(name, "hidden state h", implied["h"], h)
    return CellStep(h=h, c=c, gates=gates, h0=h0, c0=c0)
