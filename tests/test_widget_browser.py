"""The widget's real bundle in real Chromium, driven both ways against a live Python widget."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from browser_support import WidgetPage
from playwright.sync_api import Page

import rnnvis_widget as rv
from rnnvis_widget.zoo.demo import DemoRun

pytestmark = pytest.mark.browser

ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"


def canvas_pixel(page: Page, x: int, y: int) -> list[int]:
    return page.evaluate(
        """([x, y]) => Array.from(document.querySelector('.rv-heatmap-canvas')
              .getContext('2d').getImageData(x, y, 1, 1).data)""",
        [x, y],
    )


def test_heatmap_shows_the_response_matrix(
    page: Page, demo_analysis: rv.Analysis, tmp_path: Path
) -> None:
    widget = rv.RNNVis(demo_analysis, n_words=30)
    WidgetPage(page, widget, tmp_path)
    response = demo_analysis.response(widget.layer, "h")
    units = response.shape[1]
    assert page.get_attribute(".rv-heatmap", "data-rows") == "30"
    assert page.get_attribute(".rv-heatmap", "data-units") == str(units)
    assert page.locator(".rv-word").count() == 30

    # The strongest positive and negative cells of the shown rows are painted red and blue.
    ids = np.argsort(-demo_analysis.counts, kind="stable")[:30]
    shown = response[ids]
    width = page.evaluate("document.querySelector('.rv-heatmap-canvas').width")
    cell = width // units
    for row, unit, red_wins in [
        (*np.unravel_index(np.argmax(shown), shown.shape), True),
        (*np.unravel_index(np.argmin(shown), shown.shape), False),
    ]:
        r, _g, b, a = canvas_pixel(page, int(unit) * cell, int(row) * 14 + 5)
        assert a == 255
        assert (r > b + 60) if red_wins else (b > r + 60), (row, unit, r, b)

    ARTIFACTS.mkdir(exist_ok=True)
    page.locator(".rnnvis").screenshot(path=str(ARTIFACTS / "widget.png"))


def test_trait_change_from_python_rerenders(
    page: Page, demo_analysis: rv.Analysis, tmp_path: Path
) -> None:
    widget = rv.RNNVis(demo_analysis, n_words=30)
    host = WidgetPage(page, widget, tmp_path)
    before = host.renders()
    widget.n_words = 12
    widget.layer = 0
    host.push()
    page.wait_for_selector(".rv-heatmap[data-rows='12']")
    assert host.renders() > before
    assert "layer 0" in page.inner_text(".rv-title")
    assert page.input_value(".rv-layer") == "0"


def test_controls_reach_python_and_the_kernel_recomputes(
    page: Page, demo_analysis: rv.Analysis, tmp_path: Path
) -> None:
    widget = rv.RNNVis(demo_analysis, n_words=20)
    WidgetPage(page, widget, tmp_path)
    assert widget.layer == 1
    page.select_option(".rv-layer", "0")
    page.wait_for_function("document.querySelector('.rv-title').textContent.includes('layer 0')")
    assert widget.layer == 0
    page.select_option(".rv-state", "c")
    page.wait_for_function("document.querySelector('.rv-title').textContent.includes('· c ·')")
    assert widget.state == "c"

    word = page.locator(".rv-word").nth(3)
    text = word.inner_text()
    word.click()
    page.wait_for_function("document.querySelectorAll('.rv-word.rv-selected').length === 1")
    assert widget.selected_words == [text]


HOSTILE = [
    "<script>alert(1)</script>",
    "</script><img src=x onerror=alert(1)>",
    "\"'`${x}",
    "\u202eevil\u200b",
]


def test_hostile_tokens_show_as_text(page: Page, demo_run: DemoRun, tmp_path: Path) -> None:
    vocab = list(demo_run.vocab.words)
    counts = np.bincount(
        np.concatenate([np.asarray(s) for s in demo_run.held_out]), minlength=len(vocab)
    )
    frequent = np.argsort(-counts, kind="stable")[: len(HOSTILE)]
    for index, text in zip(frequent, HOSTILE, strict=True):
        vocab[index] = text
    analysis = rv.analyze(demo_run.model, demo_run.held_out, vocab, progress=False)
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    WidgetPage(page, rv.RNNVis(analysis, n_words=10), tmp_path)
    labels = page.locator(".rv-word").all_inner_texts()
    for text in HOSTILE:
        assert text in labels
    assert page.locator(".rnnvis img").count() == 0
    assert page.locator(".rnnvis script").count() == 0
    assert dialogs == []
