"""Snapshots open from file:// in real Chromium, offline, with zero network requests."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page

import rnnvis_widget as rv

pytestmark = pytest.mark.browser


def test_snapshot_renders_offline_without_requests(
    page: Page, demo_analysis: rv.Analysis, tmp_path: Path
) -> None:
    path = rv.RNNVis(demo_analysis, n_words=15).save_html(tmp_path / "snapshot.html")
    requests: list[str] = []
    errors: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(path.as_uri())
    page.wait_for_selector(".rv-heatmap[data-rows='15']")
    # The page itself and the bundle's Blob URL are the only loads; nothing leaves the machine.
    assert [url for url in requests if not url.startswith(("file://", "blob:"))] == []
    assert errors == []
    # Kernel-only controls are visibly disabled, not broken.
    for control in (".rv-layer", ".rv-state", ".rv-n-words"):
        assert page.is_disabled(control)
        assert "kernel" in (page.get_attribute(control, "title") or "")


def test_snapshot_is_deterministic(demo_analysis: rv.Analysis, tmp_path: Path) -> None:
    first = rv.RNNVis(demo_analysis).save_html(tmp_path / "a.html").read_bytes()
    second = rv.RNNVis(demo_analysis).save_html(tmp_path / "b.html").read_bytes()
    assert first == second
