"""What the fused and the cell capture share: a module's family, its hidden size, and the
check that recomputed states equal what the module returned."""

from __future__ import annotations

import torch
from torch import Tensor, nn

from .types import CaptureMismatchError

__all__ = ["check_close", "family", "hidden_size", "tolerance"]


def family(module: nn.Module) -> str:
    """"LSTM", "GRU" or "RNN" for standard recurrent modules and cells, else "custom"."""
    if isinstance(module, (nn.LSTM, nn.LSTMCell)):
        return "LSTM"
    if isinstance(module, (nn.GRU, nn.GRUCell)):
        return "GRU"
    if isinstance(module, (nn.RNN, nn.RNNCell)):
        return "RNN"
    return "custom"


def tolerance(dtype: torch.dtype, scale: float) -> float:
    """Allowed max abs difference between recomputed and returned states.

    1e-5 for float32/float64 (the kernels differ only in summation order), looser for 16-bit
    floats; multiplied by the largest magnitude when that exceeds 1 (ReLU RNNs and LSTM
    projections are unbounded, and float error is relative).
    """
    base = {torch.float16: 1e-2, torch.bfloat16: 5e-2}.get(dtype, 1e-5)
    return base * max(1.0, scale)


def check_close(
    name: str, what: str, got: Tensor, want: Tensor, valid: Tensor | None = None
) -> None:
    """Raise CaptureMismatchError if ``got`` and ``want`` differ beyond :func:`tolerance`.

    valid: optional bool mask broadcastable to the tensors; only True positions are compared.
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
    """The ``hidden_size`` of a standard recurrent module or cell."""
    return int(getattr(module, "hidden_size"))  # noqa: B009 - typed as Tensor|Module otherwise
