"""The comparison widget's real bundle in real Chromium: two layers of the demo LSTM side by
side, driven against the live Python `Comparison`, and its offline snapshot."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from browser_support import WidgetPage, chip_rgb
from playwright.sync_api import Browser, Page

import rnnvis_widget as rv
from rnnvis_widget.zoo.demo import DemoRun

pytestmark = pytest.mark.browser

WIDTH = 1000


@pytest.fixture
def narrow(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": WIDTH, "height": 900})
    page = context.new_page()
    try:
        yield page
    finally:
        context.close()


@pytest.fixture
def comparison(demo_analysis: rv.Analysis) -> Iterator[rv.Comparison]:
    cmp = rv.compare(demo_analysis, n_clusters=5)
    try:
        yield cmp
    finally:
        cmp.close()


def open_comparison(page: Page, cmp: rv.Comparison, tmp_path: Path) -> WidgetPage:
    host = WidgetPage(page, cmp.widget, tmp_path, entry="compare")
    page.wait_for_selector(".rnnvis[data-ready='true']")
    return host


def side(n: int) -> str:
    return f".rv-compare-side[data-side='{n}']"


def test_both_sides_fit_1000_px_without_horizontal_scroll(
    narrow: Page, comparison: rv.Comparison, tmp_path: Path
) -> None:
    open_comparison(narrow, comparison, tmp_path)
    for n, view in enumerate((comparison.left, comparison.right)):
        n_units = view.view["words"]["response"]["shape"][1]
        assert narrow.locator(f"{side(n)} .rv-chip").count() == n_units
        assert narrow.locator(f"{side(n)} .rv-cloud").count() == 5
        assert narrow.locator(f"{side(n)} .rv-cloud-word").count() > 0
    titles = narrow.locator(".rv-side-title").all_text_contents()
    assert titles == list(comparison.labels)
    overflow = narrow.evaluate(
        "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth,"
        " ...[...document.querySelectorAll('.rnnvis *')].map(e => e.getBoundingClientRect().right)]"
    )
    scroll_width, client_width, *rights = overflow
    assert scroll_width <= client_width == WIDTH
    assert max(rights) <= WIDTH
    # The mirror: the right side's clouds sit left of its chips, facing the left side's clouds.
    left_cloud = narrow.locator(f"{side(0)} .rv-cloud-frame").first.bounding_box()
    right_cloud = narrow.locator(f"{side(1)} .rv-cloud-frame").first.bounding_box()
    right_chips = narrow.locator(f"{side(1)} .rv-block").first.bounding_box()
    assert left_cloud and right_cloud and right_chips
    assert left_cloud["x"] < right_cloud["x"] < right_chips["x"]
    # The header states the difference and gives each side's numbers with their definitions.
    assert narrow.locator(".rv-statement").text_content() == comparison.statement
    row = narrow.locator(".rv-numbers tr[data-number='update_sparsity']")
    assert "0.01" in (row.get_attribute("title") or "")
    summary = comparison.summary()
    shown = [float(text.split()[0]) / 100 for text in row.locator("td").all_text_contents()]
    assert shown == pytest.approx(list(summary["update_sparsity"]), abs=6e-4)
    aware = narrow.locator(".rv-numbers tr[data-number='unsaturated_sparsity']").get_attribute("title")
    assert "saturated" in (aware or "")
    assert narrow.locator(".rv-histogram").count() == 3
    assert narrow.locator(".rv-histogram-bar[data-side='1']").count() > 0


def test_hover_and_pins_cross_to_the_other_side(
    narrow: Page, comparison: rv.Comparison, demo_analysis: rv.Analysis, tmp_path: Path
) -> None:
    host = open_comparison(narrow, comparison, tmp_path)
    right_words = set(
        narrow.locator(f"{side(1)} .rv-cloud-word").evaluate_all("els => els.map(e => e.textContent)")
    )
    candidates = narrow.locator(f"{side(0)} .rv-cloud-word").all()
    target = next(word for word in candidates if word.text_content() in right_words)
    text = target.text_content()
    target.hover()
    hovered = narrow.locator(f"{side(1)} .rv-cloud-word.rv-hovered")
    assert hovered.count() == 1 and hovered.text_content() == text
    assert narrow.locator(".rv-word-panel[data-side='1'] .rv-word-series").get_attribute("data-word") == text
    assert narrow.locator(".rv-word-panel[data-side='0'] .rv-word-series").get_attribute("data-word") == text
    # Both sides' chips take the word's colours, each by its own layer's responses.
    for n, view in enumerate((comparison.left, comparison.right)):
        assert narrow.get_attribute(f"{side(n)} .rv-chips", "data-colored-by") == text
        response = demo_analysis.response(view.layer, view.state)[demo_analysis.vocab.index(text)]
        r, _, b = chip_rgb(narrow, int(np.argmax(response)), side(n))
        assert r > b, "the unit that rises most should be red"
        r, _, b = chip_rgb(narrow, int(np.argmin(response)), side(n))
        assert b > r, "the unit that falls most should be blue"
    narrow.mouse.move(1, 1)
    assert narrow.locator(f"{side(1)} .rv-cloud-word.rv-hovered").count() == 0

    target.click()
    assert narrow.locator(f"{side(1)} .rv-cloud-word.rv-pinned").all_text_contents() == [text]
    assert comparison.left.selected_words == [text] and comparison.right.selected_words == [text]
    # And from Python back to the page.
    comparison.left.selected_words = []
    host.push()
    assert narrow.locator(".rv-cloud-word.rv-pinned").count() == 0


def test_matched_clusters_share_a_colour_and_sit_level(
    narrow: Page, comparison: rv.Comparison, tmp_path: Path
) -> None:
    open_comparison(narrow, comparison, tmp_path)
    aligned = comparison.alignment()
    assert len(aligned.left_clusters) > 0
    colours = set()
    for i, j, overlap in zip(aligned.left_clusters, aligned.right_clusters, aligned.jaccard, strict=True):
        left = narrow.locator(f".rv-pair-mark[data-side='0'][data-cluster='{i}']")
        right = narrow.locator(f".rv-pair-mark[data-side='1'][data-cluster='{j}']")
        fill = left.get_attribute("fill")
        assert fill == right.get_attribute("fill") and fill != "#9e9e9e"
        colours.add(fill)
        left_box = narrow.locator(f"{side(0)} .rv-cloud[data-cluster='{i}'] .rv-cloud-frame").bounding_box()
        right_box = narrow.locator(f"{side(1)} .rv-cloud[data-cluster='{j}'] .rv-cloud-frame").bounding_box()
        assert left_box and right_box
        assert (left_box["y"], left_box["height"]) == pytest.approx(
            (right_box["y"], right_box["height"]), abs=0.5
        )
        label = narrow.locator(f".rv-pair[data-left='{i}'][data-right='{j}'] .rv-pair-label").text_content()
        assert label == f"{overlap:.2f}"
    assert len(colours) == len(aligned.left_clusters)
    # Clicking a cluster focuses its partner across.
    i, j = int(aligned.left_clusters[0]), int(aligned.right_clusters[0])
    narrow.locator(f"{side(0)} .rv-cloud[data-cluster='{i}'] .rv-cloud-frame").click(
        position={"x": 3, "y": 3}
    )
    narrow.mouse.move(1, 1)
    assert narrow.locator(f"{side(1)} .rv-cloud.rv-active").get_attribute("data-cluster") == str(j)
    # Words whose cluster has another partner across are marked.
    changed = set(
        word
        for word, flag in zip(
            comparison.payload()["words"]["text"], comparison.payload()["words"]["changed"], strict=True
        )
        if flag
    )
    marked = narrow.locator(".rv-cloud-word.rv-changed").all_text_contents()
    assert set(marked) <= changed
    unmarked = narrow.locator(".rv-cloud-word:not(.rv-changed)").all_text_contents()
    assert not set(unmarked) & changed


def test_k_change_from_the_page_reclusters_both_sides(
    narrow: Page, comparison: rv.Comparison, tmp_path: Path
) -> None:
    open_comparison(narrow, comparison, tmp_path)
    narrow.eval_on_selector(
        ".rv-clusters", "el => { el.value = '3'; el.dispatchEvent(new Event('change')); }"
    )
    narrow.wait_for_selector(".rv-compare-graph[data-clusters='3,3']")
    assert (comparison.left.n_clusters, comparison.right.n_clusters) == (3, 3)
    assert narrow.locator(f"{side(1)} .rv-cloud").count() == 3


def test_snapshot_opens_offline_with_linked_hover(
    narrow: Page, comparison: rv.Comparison, tmp_path: Path
) -> None:
    path = comparison.save_html(tmp_path / "compare.html", ks=[3, 5])
    requests: list[str] = []
    errors: list[str] = []
    narrow.on("request", lambda request: requests.append(request.url))
    narrow.on("pageerror", lambda error: errors.append(str(error)))
    narrow.goto(path.as_uri())
    narrow.wait_for_selector(".rnnvis[data-ready='true']")
    assert [url for url in requests if not url.startswith(("file:", "blob:", "data:"))] == []
    assert [url for url in requests if url.startswith("file:")] == [path.as_uri()]
    assert errors == []
    word = narrow.locator(f"{side(1)} .rv-cloud-word").first
    text = word.text_content()
    word.hover()
    assert narrow.locator(".rv-word-panel[data-side='0'] .rv-word-series").get_attribute("data-word") == text
    narrow.eval_on_selector(
        ".rv-clusters", "el => { el.value = '3'; el.dispatchEvent(new Event('change')); }"
    )
    narrow.wait_for_selector(".rv-compare-graph[data-clusters='3,3']")
    assert narrow.locator(".rv-clusters").is_enabled()
    assert errors == []


def test_sentences_draw_two_rows_and_panels_carry_the_labels(
    narrow: Page, demo_run: DemoRun, demo_analysis: rv.Analysis, tmp_path: Path
) -> None:
    cmp = rv.compare(
        demo_analysis,
        demo_analysis,
        labels=("RNN", "LSTM"),
        models=(demo_run.model, demo_run.model),
        n_clusters=5,
    )
    try:
        cmp.add_sentence("the king is dead")
        host = open_comparison(narrow, cmp, tmp_path)
        titles = narrow.locator(".rv-word-panel .rv-subheading").all_text_contents()
        assert titles == ["RNN", "LSTM"]
        narrow.wait_for_selector(".rv-compare-sentences[data-count='1']")
        for n in (0, 1):
            row = narrow.locator(f".rv-compare-sentence[data-side='{n}'][data-index='0']")
            assert row.locator(".rv-glyph").count() == 4
            assert row.locator(".rv-sentence-side-label").text_content() == ("RNN", "LSTM")[n]
        # The left row sits above the right one.
        tops = [
            narrow.locator(f".rv-compare-sentence[data-side='{n}'][data-index='0']").bounding_box()["y"]  # type: ignore[index]
            for n in (0, 1)
        ]
        assert tops[0] < tops[1]
        # Hover on a token lights that side's chips.
        narrow.hover(".rv-compare-sentence[data-side='1'][data-index='0'] .rv-token-hit[data-token='1']")
        assert narrow.locator(f"{side(1)} .rv-chip").count() > 0

        narrow.fill(".rv-compare-sentences .rv-sentence-text", "the queen")
        narrow.press(".rv-compare-sentences .rv-sentence-text", "Enter")
        narrow.wait_for_selector(".rv-compare-sentences[data-count='2']")
        assert cmp.sentences == ["the king is dead", "the queen"]
        for n in (0, 1):
            assert (
                narrow.locator(f".rv-compare-sentence[data-side='{n}'][data-index='1'] .rv-glyph").count()
                == 2
            )
        del host
    finally:
        cmp.close()


def test_sentence_area_says_why_without_a_live_model(
    narrow: Page, comparison: rv.Comparison, tmp_path: Path
) -> None:
    open_comparison(narrow, comparison, tmp_path)
    assert narrow.is_disabled(".rv-compare-sentences .rv-sentence-text")
    assert "no live model" in narrow.inner_text(".rv-compare-sentences .rv-sentence-reason")


def test_snapshot_keeps_the_sentences_with_the_box_disabled(
    narrow: Page, demo_run: DemoRun, demo_analysis: rv.Analysis, tmp_path: Path
) -> None:
    cmp = rv.compare(demo_analysis, demo_analysis, labels=("A", "B"), models=(demo_run.model, demo_run.model))
    try:
        cmp.add_sentence("the king is dead")
        path = cmp.save_html(tmp_path / "compare.html", ks=[5])
    finally:
        cmp.close()
    narrow.goto(path.as_uri())
    narrow.wait_for_selector(".rnnvis[data-ready='true']")
    narrow.wait_for_selector(".rv-compare-sentences[data-count='1']")
    assert narrow.locator(".rv-compare-sentence .rv-glyph").count() == 8
    assert narrow.is_disabled(".rv-compare-sentences .rv-sentence-text")
    assert "snapshot" in narrow.inner_text(".rv-compare-sentences .rv-sentence-reason")
