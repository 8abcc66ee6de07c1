"""The legend explains link widths with samples of the clustering on screen, in real Chromium."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from browser_support import WidgetPage
from playwright.sync_api import Page

import rnnvis_widget as rv

pytestmark = pytest.mark.browser


def legend_scale(page: Page) -> tuple[float, list[float]]:
    strongest = float(page.get_attribute(".rv-link-legend .rv-legend-label", "data-strongest") or "nan")
    widths = page.locator(".rv-link-samples line").evaluate_all(
        "lines => lines.map((l) => Number(l.getAttribute('stroke-width')))"
    )
    return strongest, widths


def test_link_widths_have_a_legend_that_follows_k(
    page: Page, demo_analysis: rv.Analysis, tmp_path: Path
) -> None:
    widget = rv.RNNVis(demo_analysis, n_clusters=8)
    WidgetPage(page, widget, tmp_path)
    page.wait_for_selector(".rnnvis[data-ready='true']")
    strongest, widths = legend_scale(page)
    co = widget.viewmodel.cocluster(widget._slot(), 8)
    assert strongest == pytest.approx(float(np.max(co.edge_strength)), rel=1e-5)
    # The same scale as the links: the strongest link is drawn as wide as the widest sample.
    drawn = page.locator(".rv-link").evaluate_all(
        "ls => ls.map((l) => Number(l.getAttribute('stroke-width')))"
    )
    assert max(drawn) == pytest.approx(widths[-1]) and widths == sorted(widths) and widths[0] < widths[-1]

    page.eval_on_selector(".rv-clusters", "el => { el.value = '4'; el.dispatchEvent(new Event('change')); }")
    page.wait_for_selector("svg.rv-graph[data-clusters='4']")
    page.wait_for_selector(".rnnvis[data-ready='true']")
    strongest_4, _ = legend_scale(page)
    co4 = widget.viewmodel.cocluster(widget._slot(), 4)
    assert strongest_4 == pytest.approx(float(np.max(co4.edge_strength)), rel=1e-5)
