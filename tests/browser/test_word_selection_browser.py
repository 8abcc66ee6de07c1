"""Choosing the view's words in real Chromium: the words control switches to the words whose
responses are strongest (through the kernel), the header says which words are drawn, a strong
word the analysis kept no quantiles for says so in the word detail, and a snapshot offers only
the choice it saved."""

from __future__ import annotations

from pathlib import Path

import pytest
from browser_support import WidgetPage
from playwright.sync_api import Page, expect

import rnnvis_widget as rv

pytestmark = pytest.mark.browser


def test_the_words_control_shows_the_strongest_words(
    page: Page, demo_analysis: rv.Analysis, tmp_path: Path
) -> None:
    widget = rv.RNNVis(demo_analysis, n_clusters=5, n_words=40)
    WidgetPage(page, widget, tmp_path)
    page.wait_for_selector(".rnnvis[data-ready='true']")
    expect(page.locator(".rv-words-label")).to_have_text("the 40 most frequent words")
    renders = int(page.get_attribute(".rnnvis", "data-renders") or 0)

    page.select_option(".rv-word-selection", "strongest")
    page.wait_for_function(f"() => Number(document.querySelector('.rnnvis').dataset.renders) > {renders}")
    page.wait_for_selector(".rnnvis[data-ready='true']")
    assert widget.word_selection == "strongest"
    expect(page.locator(".rv-words-label")).to_contain_text("the 40 words with the strongest responses")
    strongest = set(widget.view["words"]["text"])
    drawn = page.locator(".rv-cloud-word").evaluate_all("ws => ws.map((w) => w.getAttribute('aria-label'))")
    assert drawn and set(drawn) <= strongest

    # A strong word outside the analysis's display words has no quantiles: the panel says so.
    kept = {demo_analysis.vocab[int(w)] for w in demo_analysis.display_words}
    without = [w for w in drawn if w not in kept]
    assert without, "the demo's strongest words should reach beyond its 300 display words"
    page.locator(".rv-clouds").get_by_label(without[0], exact=True).first.hover()
    expect(page.locator(".rv-word-panel")).to_contain_text(f"no quantiles kept for “{without[0]}”")


def test_a_snapshot_offers_the_choice_it_saved(
    page: Page, demo_analysis: rv.Analysis, tmp_path: Path
) -> None:
    widget = rv.RNNVis(demo_analysis, n_clusters=4, n_words=30, word_selection="strongest")
    page.goto(widget.save_html(tmp_path / "s.html", ks=[4]).as_uri())
    page.wait_for_selector(".rnnvis[data-ready='true']")
    assert page.input_value(".rv-word-selection") == "strongest"
    assert page.locator(".rv-word-selection option[value='frequent']").is_disabled()
    expect(page.locator(".rv-words-label")).to_contain_text("the 30 words with the strongest responses")
