"""Placeholder: the xlstm scan family is registered here (see _scans.py)."""

from __future__ import annotations

from ._scans import ScanFamily

__all__ = ["XLSTM_FAMILIES"]

XLSTM_FAMILIES: list[ScanFamily] = []
