"""Placeholder: the mingru scan family is registered here (see _scans.py)."""

from __future__ import annotations

from ._scans import ScanFamily

__all__ = ["MINGRU_FAMILIES"]

MINGRU_FAMILIES: list[ScanFamily] = []
