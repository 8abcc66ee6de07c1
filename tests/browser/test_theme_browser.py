"""Colours on a dark page, in real Chromium: zero is the page itself and a strong response is
drawn with more contrast against the background than a near-zero one (JupyterLab Dark's
background, #111111), for the hovered word's chip colours and the chips at rest."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from browser_support import WidgetPage, chip_colours
from playwright.sync_api import Page

import rnnvis_widget as rv

pytestmark = pytest.mark.browser

DARK = (17, 17, 17)


def luminance(rgb: tuple[int, int, int]) -> float:
    def channel(c: int) -> float:
        v = c / 255
        return v / 12.92 if v <= 0.03928 else ((v + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(c) for c in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: tuple[int, int, int], b: tuple[int, int, int]) -> float:
    hi, lo = sorted((luminance(a), luminance(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def test_on_a_dark_page_strong_responses_stand_out_most(
    page: Page, demo_analysis: rv.Analysis, tmp_path: Path
) -> None:
    # The page behind the widget is JupyterLab Dark's before the widget draws.
    page.add_init_script(
        "document.addEventListener('DOMContentLoaded', () => {"
        " document.documentElement.style.background = 'rgb(17, 17, 17)';"
        " document.documentElement.style.setProperty('--jp-layout-color1', 'rgb(17, 17, 17)'); });"
    )
    widget = rv.RNNVis(demo_analysis, n_clusters=6)
    WidgetPage(page, widget, tmp_path)
    page.wait_for_selector(".rnnvis[data-ready='true']")
    rest = chip_colours(page)
    resting = widget.analysis.unit_summary(widget.layer, "h").mean_abs
    calm, busy = int(np.argmin(resting)), int(np.argmax(resting))
    assert contrast(rest[busy][:3], DARK) > contrast(rest[calm][:3], DARK) + 1

    word = page.locator(".rv-cloud-word").first
    text = word.get_attribute("aria-label")
    word.hover()
    page.wait_for_selector(".rv-chips[data-colored-by]:not([data-colored-by='rest'])")
    response = widget.analysis.response(widget.layer, "h")[widget.analysis.vocab.index(text)]
    colours = chip_colours(page)
    strong = int(np.argmax(np.abs(response)))
    weak = int(np.argmin(np.abs(response)))
    assert contrast(colours[strong][:3], DARK) > 2 * contrast(colours[weak][:3], DARK), (
        text,
        colours[strong],
        colours[weak],
    )
    # Near zero is the page itself: no bright chips where nothing happens.
    assert contrast(colours[weak][:3], DARK) < 1.5
