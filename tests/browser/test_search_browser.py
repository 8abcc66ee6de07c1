"""The search box in real Chromium: a drawn word is pinned and its cloud named at once; for any
other word the kernel says why it is not drawn; a snapshot says what it holds. Typed text is
shown as text, never as HTML."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from browser_support import WidgetPage
from playwright.sync_api import Page, expect

import rnnvis_widget as rv

pytestmark = pytest.mark.browser


def search(page: Page, text: str) -> None:
    page.fill(".rv-search-text", text)
    page.press(".rv-search-text", "Enter")


def test_search_pins_drawn_words_and_explains_the_others(
    page: Page, demo_analysis: rv.Analysis, tmp_path: Path
) -> None:
    widget = rv.RNNVis(demo_analysis, n_clusters=5, n_words=40)
    WidgetPage(page, widget, tmp_path)
    page.wait_for_selector(".rnnvis[data-ready='true']")
    labels = widget.viewmodel.cocluster(widget._slot(), 5).word_labels
    drawn = next(int(i) for i in widget.viewmodel.display_ids(40) if labels[i] >= 0)
    word = demo_analysis.vocab[drawn]

    search(page, word)
    answer = page.locator(".rv-search-answer")
    expect(answer).to_contain_text(f"word cluster {labels[drawn]}")
    assert answer.get_attribute("data-where") == str(labels[drawn])
    page.wait_for_function("(w) => window.rnnvisModels[0].get('selected_words').includes(w)", arg=word)
    assert widget.selected_words == [word]

    # A word too rare to be clustered: the kernel says so.
    counts = demo_analysis.counts
    rare = demo_analysis.vocab[int(np.flatnonzero((counts > 0) & (counts < 5))[0])]
    search(page, rare)
    expect(answer).to_contain_text("too rare to be clustered")
    assert widget.word_answer is not None and widget.word_answer["word"] == rare

    # Hostile text stays text.
    search(page, "<b>bold</b>")
    expect(answer).to_contain_text("“<b>bold</b>” is not in the vocabulary")
    assert page.locator(".rv-search-answer b").count() == 0


def test_a_snapshot_searches_the_words_it_holds(
    page: Page, demo_analysis: rv.Analysis, tmp_path: Path
) -> None:
    widget = rv.RNNVis(demo_analysis, n_clusters=4, n_words=30)
    path = widget.save_html(tmp_path / "s.html", ks=[4])
    page.goto(path.as_uri())
    page.wait_for_selector(".rnnvis[data-ready='true']")
    shown = [demo_analysis.vocab[int(i)] for i in widget.viewmodel.display_ids(30)]
    search(page, shown[0])
    expect(page.locator(".rv-search-answer")).to_contain_text("pinned")
    outside = demo_analysis.vocab[int(widget.viewmodel.display_ids(31)[30])]
    search(page, outside)
    expect(page.locator(".rv-search-answer")).to_contain_text("not among the 30 words saved in this snapshot")
