"""Clouds that keep what matters, in real Chromium, on every shipped model: at k = 8 each cloud
draws its cluster's strongest words (fonts shrink until they fit), says how many it hides, and
lists them all on a click; the same words are drawn at any pixel ratio."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from browser_support import WidgetPage
from playwright.sync_api import Browser, Page

import rnnvis_widget as rv
from rnnvis_widget.zoo import PRETRAINED, load_pretrained

pytestmark = pytest.mark.browser

K = 8
MUST_DRAW = 10  # js/views/clouds.ts MUST_DRAW
TOKENS = 4_000  # of each model's held-out split: enough for every display word's statistics


def shipped_widget(name: str) -> rv.RNNVis:
    """The widget as a user gets it for a shipped model (default n_words and min_count)."""
    pre = load_pretrained(name)
    corpus, total = [], 0
    for sequence in pre.data.test:
        corpus.append(sequence)
        total += len(sequence)
        if total >= TOKENS:
            break
    analysis = rv.analyze(pre.model, corpus, pre.vocab.words, forward=pre.forward, progress=False)
    return rv.RNNVis(analysis, n_clusters=K)


def strongest_first(widget: rv.RNNVis) -> dict[int, list[str]]:
    """Each cluster's shown words, strongest first (ties by display order), from the kernel's
    own clustering: what each cloud must draw first."""
    ids = widget.viewmodel.display_ids(widget.n_words)
    co = widget.viewmodel.cocluster(widget._slot(), K)
    labels, strength = co.word_labels[ids], co.word_strength[ids]
    order = {c: sorted(np.flatnonzero(labels == c), key=lambda i: (-strength[i], i)) for c in range(K)}
    return {c: [widget.analysis.vocab[int(ids[i])] for i in members] for c, members in order.items()}


def open_all_clouds(page: Page, widget: rv.RNNVis, directory: Path) -> None:
    WidgetPage(page, widget, directory)
    page.wait_for_selector(".rnnvis[data-ready='true']")
    # Clouds are laid out as they scroll near view: bring each one in.
    for cloud in page.locator(".rv-cloud").all():
        cloud.scroll_into_view_if_needed()
    page.wait_for_function(f"() => document.querySelectorAll('.rv-cloud[data-placed]').length === {K}")


def drawn_words(page: Page) -> dict[int, list[str]]:
    return page.evaluate(
        """() => Object.fromEntries([...document.querySelectorAll('.rv-cloud')].map((cloud) => [
             cloud.dataset.cluster,
             [...cloud.querySelectorAll('.rv-cloud-word')].map((w) => w.getAttribute('aria-label')),
           ]))"""
    )


@pytest.mark.parametrize("name", sorted(PRETRAINED))
def test_every_cloud_draws_its_strongest_words_and_lists_what_it_hides(
    name: str, page: Page, tmp_path: Path
) -> None:
    widget = shipped_widget(name)
    want = strongest_first(widget)
    open_all_clouds(page, widget, tmp_path)
    drawn = {int(c): words for c, words in drawn_words(page).items()}
    for cluster, words in want.items():
        top = words[:MUST_DRAW]
        missing = [w for w in top if w not in drawn[cluster]]
        assert not missing, f"{name}: cloud {cluster} does not draw its strong words {missing}"
        hidden = len(words) - len(drawn[cluster])
        more = page.locator(f".rv-cloud[data-cluster='{cluster}'] .rv-cloud-more")
        if hidden == 0:
            assert more.count() == 0
            continue
        assert more.get_attribute("data-hidden") == str(hidden) and more.text_content() == f"+{hidden} more"
        more.click()
        listed = page.locator(f".rv-cloud-list[data-cluster='{cluster}'] .rv-cloud-list-word")
        listed.first.wait_for()
        texts = listed.evaluate_all("items => items.map((i) => i.firstChild.textContent)")
        assert texts == words, f"{name}: the list of cluster {cluster} is not its words, strongest first"
        page.click(".rv-cloud-list-close")
        assert page.locator(".rv-cloud-list .rv-cloud-list-word").count() == 0


def test_the_strongest_words_at_any_pixel_ratio(browser: Browser, tmp_path: Path) -> None:
    """At pixel ratio 1 and 2 every cloud draws its strongest words. (Beyond them a word at the
    edge of a cloud can fit at one ratio and not the other: Chromium rasterises canvas text
    differently at 2x, and d3-cloud places words by their pixels.)"""
    widget = shipped_widget("shakespeare-lstm")
    want = strongest_first(widget)
    drawn = []
    for ratio in (1, 2):
        context = browser.new_context(viewport={"width": 1100, "height": 900}, device_scale_factor=ratio)
        try:
            page = context.new_page()
            (tmp_path / str(ratio)).mkdir()
            open_all_clouds(page, widget, tmp_path / str(ratio))
            drawn.append({int(c): set(words) for c, words in drawn_words(page).items()})
        finally:
            context.close()
    for cluster, words in want.items():
        top = set(words[:MUST_DRAW])
        assert top <= drawn[0][cluster] and top <= drawn[1][cluster], cluster
