"""The main view at any width, in real Chromium: from 600 px up the page never scrolls sideways,
every cluster's unit block and cloud is inside the widget, nothing scrolls inside the picture (no
cluster hidden in an inner scroll box), and the side panels wrap below the picture when both do
not fit side by side."""

from __future__ import annotations

from pathlib import Path

import pytest
from browser_support import WidgetPage
from playwright.sync_api import Browser

import rnnvis_widget as rv

pytestmark = pytest.mark.browser

GEOMETRY_JS = """() => {
  const root = document.querySelector('.rnnvis').getBoundingClientRect();
  const canvas = document.querySelector('.rv-canvas');
  const side = document.querySelector('.rv-side').getBoundingClientRect();
  const boxes = [...document.querySelectorAll('.rv-cloud-frame, .rv-block')]
    .map((el) => el.getBoundingClientRect());
  return {
    pageScroll: document.documentElement.scrollWidth - document.documentElement.clientWidth,
    rootLeft: root.left, rootRight: root.right,
    outside: boxes.filter((b) => b.left < root.left - 0.5 || b.right > root.right + 0.5).length,
    boxes: boxes.length,
    innerScroll: canvas.scrollHeight - canvas.clientHeight + canvas.scrollWidth - canvas.clientWidth,
    canvasBottom: canvas.getBoundingClientRect().bottom,
    canvasRight: canvas.getBoundingClientRect().right,
    sideTop: side.top, sideLeft: side.left, sideWidth: side.width,
  };
}"""


@pytest.mark.parametrize("width", [600, 900, 1400])
def test_the_view_fits_the_width(
    browser: Browser, demo_analysis: rv.Analysis, tmp_path: Path, width: int
) -> None:
    widget = rv.RNNVis(demo_analysis, n_clusters=8)
    context = browser.new_context(viewport={"width": width, "height": 900})
    try:
        page = context.new_page()
        WidgetPage(page, widget, tmp_path)
        page.wait_for_selector(".rnnvis[data-ready='true']")
        geometry = page.evaluate(GEOMETRY_JS)
        assert geometry["pageScroll"] <= 0, geometry
        assert geometry["boxes"] == 2 * 8 and geometry["outside"] == 0, geometry
        assert geometry["innerScroll"] <= 1, geometry
        beside = geometry["sideLeft"] >= geometry["canvasRight"]
        below = geometry["sideTop"] >= geometry["canvasBottom"] - 1
        assert beside or below, geometry
        # Panels keep a readable width: beside the picture when there is room, else below it.
        assert geometry["sideWidth"] >= 300, geometry
        if width >= 1400:
            assert beside, geometry
    finally:
        context.close()
