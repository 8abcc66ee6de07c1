"""Recurrent modules that compute a whole sequence in one parallel scan (Mamba, minGRU, xLSTM).

Such a module has no per-step call to hook, so, as for the inner layers of a fused LSTM, its
per-step states are recomputed from its own weights inside a forward hook and checked against
what it returned. Each family lives in its own file and registers a `ScanFamily` here; none of
them imports its optional package (``transformers``, ``mambapy``, ``minGRU_pytorch``,
``xlstm``) at import time: a module is recognised by its class's name and defining module.

What a "unit" is for a matrix-valued memory is decided per family and named by its state kinds
(see `MATRIX_MEMORY_KINDS`): ``"h"`` is always the per-unit output of the recurrence, so every
layer can be shown and compared like an RNN's.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from torch import nn

from ._fused import Recorded

__all__ = [
    "FULL_STATE_LIMIT",
    "SCAN_FAMILIES",
    "ScanFamily",
    "class_is",
    "scan_family",
]

#: The flattened matrix memory (state kind ``"state"``) is recorded only for layers whose whole
#: memory has at most this many numbers: beyond that one unit per memory cell swamps the
#: statistics (a 768-channel Mamba layer with 16 states holds 12,288) while ``"state_norm"``
#: keeps one number per channel.
FULL_STATE_LIMIT = 2048

Capture = Callable[[nn.Module, str, tuple[Any, ...], dict[str, Any], Any, bool], Recorded]


@dataclass(frozen=True)
class ScanFamily:
    """How to recognise, describe and recompute one kind of scan-computed recurrent module.

    Attributes
    ----------
    name : str
        Family name shown to users, e.g. ``"Mamba"``.
    matches : callable(module) -> bool
        Whether a module is one of this family (without importing its package).
    kinds : callable(module, gates) -> list of str
        The state kinds recorded for a module, ``"h"`` first; ``gates`` asks for gate-like
        kinds as well.
    capture : callable(module, name, args, kwargs, output, gates) -> Recorded
        Recompute one call from a forward hook's view. The result holds exactly one slot,
        ``(0, 0)``: ``states[(0, 0)][kind]`` of shape (T, B, H_kind), time-major, float32, for
        every kind of ``kinds(module, gates)``; ``initial[(0, 0)][kind]`` of shape (B, H_kind)
        for every memory kind (the state before the first step, zeros for a fresh call). It
        raises `CaptureMismatchError` when the recomputation disagrees with ``output`` and
        `CaptureError` for a call it cannot recompute exactly (e.g. a generation cache).
    describe : callable(module) -> dict of str to str
        One line per kind saying what a unit of that kind is, for the view and the docs.
    """

    name: str
    matches: Callable[[nn.Module], bool]
    kinds: Callable[[nn.Module, bool], list[str]]
    capture: Capture
    describe: Callable[[nn.Module], dict[str, str]]


def class_is(module: nn.Module, class_name: str, package: str) -> bool:
    """Whether ``module``'s class (or a base class) is ``class_name`` defined under ``package``.

    Parameters
    ----------
    module : torch.nn.Module
    class_name : str
        E.g. ``"MambaMixer"``.
    package : str
        Top-level package of the defining module, e.g. ``"transformers"``.

    Returns
    -------
    bool
    """
    for cls in type(module).__mro__:
        if cls.__name__ == class_name and cls.__module__.split(".")[0] == package:
            return True
    return False


def _families() -> list[ScanFamily]:
    # Imported here, not at the top: each family module imports this one for ScanFamily.
    from ._mamba import MAMBA_FAMILIES
    from ._mingru import MINGRU_FAMILIES
    from ._xlstm import XLSTM_FAMILIES

    return [*MAMBA_FAMILIES, *MINGRU_FAMILIES, *XLSTM_FAMILIES]


SCAN_FAMILIES: list[ScanFamily] = []


def scan_family(module: nn.Module) -> ScanFamily | None:
    """The scan family a module belongs to, or None.

    Parameters
    ----------
    module : torch.nn.Module

    Returns
    -------
    ScanFamily or None
    """
    if not SCAN_FAMILIES:
        SCAN_FAMILIES.extend(_families())
    for fam in SCAN_FAMILIES:
        if fam.matches(module):
            return fam
    return None
