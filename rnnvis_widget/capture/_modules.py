"""What the fused and the cell capture share: a module's family, its hidden size, and the
check that recomputed states equal what the module returned."""

from __future__ import annotations

import torch
from torch import Tensor, nn

from .types import CaptureMismatchError

__all__ = ["check_close", "family", "hidden_size", "tolerance"]


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
        1e-5 for float32/float64 (the kernels differ only in summation order), 1e-2 for
        float16 and 5e-2 for bfloat16; multiplied by ``scale`` when that exceeds 1 (ReLU RNNs
        and LSTM projections are unbounded, and float error is relative).
    """
    base = {torch.float16: 1e-2, torch.bfloat16: 5e-2}.get(dtype, 1e-5)
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
