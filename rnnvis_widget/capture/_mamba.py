"""Placeholder: the mamba scan family is registered here (see _scans.py)."""

from __future__ import annotations

from ._scans import ScanFamily

__all__ = ["MAMBA_FAMILIES"]

MAMBA_FAMILIES: list[ScanFamily] = []
