"""What the fused and the cell capture share: a module's family, its hidden size, the check
that recomputed states equal what the module returned, and the report of a state that went
non-finite."""

from __future__ import annotations

import torch
from torch import Tensor, nn

from .types import CaptureMismatchError

__all__ = [
    "check_close",
    "family",
    "first_non_finite",
    "hidden_size",
    "non_finite_message",
    "tolerance",
]


def family(module: nn.Module) -> str:
    """The recurrent family of a module.

    Parameters
    ----------
    module : torch.nn.Module

    Returns
    -------
    {"LSTM", "GRU", "RNN", "custom"}
        The family of a standard recurrent module or cell, ``"custom"`` for anything else.
    """
    if isinstance(module, (nn.LSTM, nn.LSTMCell)):
        return "LSTM"
    if isinstance(module, (nn.GRU, nn.GRUCell)):
        return "GRU"
    if isinstance(module, (nn.RNN, nn.RNNCell)):
        return "RNN"
    return "custom"


def tolerance(dtype: torch.dtype, scale: float) -> float:
    """Allowed max abs difference between recomputed and returned states.

    Parameters
    ----------
    dtype : torch.dtype
        The states' dtype.
    scale : float
        Largest magnitude among the returned states.

    Returns
    -------
    float
        1e-4 for float32/float64 (the kernels differ only in summation order, but that
        rounding is carried through the recurrence: 1.1e-5 was seen on layer 1 of the demo's
        2-layer LSTM, while a real departure, such as weights changed inside forward, is 1e-3
        or more), 1e-2 for float16 and 5e-2 for bfloat16; multiplied by ``scale`` when that
        exceeds 1 (ReLU RNNs and LSTM projections are unbounded, and float error is relative).
    """
    base = {torch.float16: 1e-2, torch.bfloat16: 5e-2}.get(dtype, 1e-4)
    return base * max(1.0, scale)


def check_close(
    name: str, what: str, got: Tensor, want: Tensor, valid: Tensor | None = None
) -> None:
    """Check recomputed states against the ones the module returned.

    Parameters
    ----------
    name : str
        The module's qualified name, for the error message.
    what : str
        What is compared (e.g. ``"final h of layer 0"``), for the error message.
    got : Tensor
        Recomputed states.
    want : Tensor
        The module's own states, same shape as ``got``.
    valid : Tensor of bool, optional
        Mask broadcastable to the tensors; only True positions are compared.

    Raises
    ------
    CaptureMismatchError
        If ``got`` and ``want`` differ by more than ``tolerance(want.dtype, max |want|)``
        anywhere, or either holds NaN there.
    """
    if want.numel() == 0:
        return
    diff = (got - want).abs_()
    if valid is not None:
        diff.masked_fill_(~valid, 0)
        want = want.masked_fill(~valid, 0)
    lo, hi = torch.aminmax(want)
    err = float(diff.max())
    tol = tolerance(want.dtype, max(-float(lo), float(hi)))
    if not err <= tol:  # also catches NaN
        raise CaptureMismatchError(
            f"module {name!r}: recomputed {what} differ from what the module returned by "
            f"{err:.3g} (tolerance {tol:.3g}), so its inner states cannot be trusted. This happens "
            "when a subclass changes the recurrence or its weights inside forward (e.g. weight "
            "drop); record such a model's cells with modules=[...] instead."
        )


def hidden_size(module: nn.Module) -> int:
    """The ``hidden_size`` of a standard recurrent module or cell.

    Parameters
    ----------
    module : torch.nn.Module

    Returns
    -------
    int
    """
    return int(getattr(module, "hidden_size"))  # noqa: B009 - typed as Tensor|Module otherwise


def first_non_finite(seq: Tensor) -> tuple[int, int, str] | None:
    """Where a time-major tensor first holds NaN or inf.

    Parameters
    ----------
    seq : Tensor of shape (T, B, ...)

    Returns
    -------
    (step, row, what) or None
        The earliest step ``t`` (then the lowest row ``b``) with a non-finite value, and
        ``"NaN"`` or ``"inf"`` (NaN if both are there); None if every value is finite.
    """
    bad = ~torch.isfinite(seq)
    if bad.dim() > 2:
        bad = bad.flatten(2).any(2)
    hits = bad.nonzero()
    if hits.shape[0] == 0:
        return None
    step, row = (int(v) for v in hits[0])  # nonzero lists hits in (step, row) order
    return step, row, "NaN" if bool(seq[step, row].isnan().any()) else "inf"


def non_finite_message(
    module: nn.Module, name: str, where: str, step: int, row: int, what: str, inputs: object,
    first_step: int = 0,
) -> str:
    """The message of a `NonFiniteStateError`, with the likeliest cause.

    Parameters
    ----------
    module : torch.nn.Module
        The recorded module; its parameters are searched for NaN or inf.
    name : str
        Its qualified name.
    where : str
        The state that went non-finite, e.g. ``"c of layer 1, forward direction"``.
    step, row : int
        The time step (in time order) and the sequence of the batch where it did.
    what : {"NaN", "inf"}
    inputs : object
        The module's input; a time-major tensor of shape (T, B, ...) is searched for NaN or
        inf.
    first_step : int, default 0
        The time step of ``inputs[0]`` (a cell's input is one step).

    Returns
    -------
    str
    """
    return (
        f"module {name!r}: the {where} became {what} at step {step} of sequence {row} of the "
        "batch (0-based, in time order), so no statistics can be computed from it. Likely "
        f"cause: {_non_finite_cause(module, inputs, first_step)}."
    )


def _non_finite_cause(module: nn.Module, inputs: object, first_step: int) -> str:
    for param_name, param in module.named_parameters():
        if param.is_floating_point() and not bool(torch.isfinite(param).all()):
            return (
                f"its parameter {param_name!r} holds NaN or inf, so the weights themselves are "
                "broken (a training run that diverged, or a damaged checkpoint); load good weights"
            )
    if isinstance(inputs, Tensor) and inputs.is_floating_point():
        found = first_non_finite(inputs if inputs.dim() >= 2 else inputs[None])
        if found is not None:
            return (
                f"its input is already {found[2]} (first at step {first_step + found[0]} of sequence "
                f"{found[1]}); look at what feeds it, e.g. an embedding row or input features "
                "holding inf or NaN"
            )
    return (
        "its weights and inputs are finite, so the values grew without bound (exploding "
        "activations, e.g. in a ReLU RNN, an unbounded LSTM cell state, or float16 overflow); "
        "check the scale of the weights and inputs"
    )
