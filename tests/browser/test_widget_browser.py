"""The main view's real bundle in real Chromium, driven both ways against a live Python widget."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from browser_support import WidgetPage, chip_colours, chip_rgb
from playwright.sync_api import Page

import rnnvis_widget as rv
from rnnvis_widget.view._viewmodel import ViewSlot, error_view
from rnnvis_widget.zoo.demo import DemoRun

pytestmark = pytest.mark.browser

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


def open_widget(page: Page, widget: rv.RNNVis, tmp_path: Path) -> WidgetPage:
    host = WidgetPage(page, widget, tmp_path)
    wait_ready(page)
    return host


def wait_ready(page: Page) -> None:
    page.wait_for_selector(".rnnvis[data-ready='true']")


# Redraws every cloud word with the same font at its place on a canvas slightly larger than the
# cloud's frame and counts pixels inked by two words, and pixels inked outside the frame.
GLYPH_CHECK = """() => [...document.querySelectorAll('.rv-cloud')].map(cloud => {
  const frame = cloud.querySelector('.rv-cloud-frame').getBoundingClientRect();
  const margin = 30;
  const width = Math.ceil(frame.width) + 2 * margin, height = Math.ceil(frame.height) + 2 * margin;
  const canvas = document.createElement('canvas');
  canvas.width = width; canvas.height = height;
  const ctx = canvas.getContext('2d', { willReadFrequently: true });
  const ink = new Uint8Array(width * height);
  const words = [...cloud.querySelectorAll('.rv-cloud-word')];
  for (const word of words) {
    const m = word.getScreenCTM();
    ctx.clearRect(0, 0, width, height);
    ctx.font = `${getComputedStyle(word).fontSize} sans-serif`;
    ctx.textAlign = 'center';
    ctx.textBaseline = 'alphabetic';
    ctx.fillText(word.textContent, m.e - frame.left + margin, m.f - frame.top + margin);
    const alpha = ctx.getImageData(0, 0, width, height).data;
    for (let i = 0; i < ink.length; i++) if (alpha[4 * i + 3] > 128) ink[i] += 1;
  }
  let overlapping = 0, outside = 0;
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) {
    const n = ink[y * width + x];
    if (n > 1) overlapping += 1;
    const inFrame = x >= margin && x < width - margin && y >= margin && y < height - margin;
    if (n > 0 && !inFrame) outside += 1;
  }
  return { cluster: cloud.dataset.cluster, words: words.length, overlapping, outside };
})"""


def test_view_has_a_chip_per_unit_and_a_cloud_per_cluster(
    page: Page, demo_analysis: rv.Analysis, tmp_path: Path
) -> None:
    widget = rv.RNNVis(demo_analysis, n_clusters=6)
    open_widget(page, widget, tmp_path)
    n_units = demo_analysis.response(-1).shape[1]
    assert page.locator(".rv-chip").count() == n_units
    assert page.locator(".rv-block").count() == 6
    assert page.locator(".rv-cloud").count() == 6
    assert page.locator(".rv-link").count() > 0

    # Chips sit in the block of their own cluster, as the kernel clustered them.
    co = widget.viewmodel.cocluster(widget._slot(), 6)
    for unit in (0, n_units // 2, n_units - 1):
        block = page.locator(f".rv-block[data-cluster='{co.unit_labels[unit]}']").bounding_box()
        chip = page.locator(f".rv-chip[data-unit='{unit}']").bounding_box()
        assert block and chip
        assert block["y"] <= chip["y"] and chip["y"] + chip["height"] <= block["y"] + block["height"]

    # Words never overlap and never leave their cloud's box, checked on the glyphs' pixels.
    clouds = page.evaluate(GLYPH_CHECK)
    assert sum(cloud["words"] for cloud in clouds) > 20
    for cloud in clouds:
        assert cloud["overlapping"] <= 2, cloud
        assert cloud["outside"] == 0, cloud

    # The README's picture: two pinned words, a unit's detail, and a word hovered.
    page.set_viewport_size({"width": 1280, "height": 1000})
    page.locator(".rv-cloud[data-cluster='0'] .rv-cloud-word").first.click()
    page.locator(".rv-cloud[data-cluster='1'] .rv-cloud-word").first.click()
    page.locator(".rv-chip").nth(5).click()
    page.locator(".rv-cloud[data-cluster='2'] .rv-cloud-word").first.hover()
    ARTIFACTS.mkdir(exist_ok=True)
    page.locator(".rnnvis").screenshot(path=str(ARTIFACTS / "widget.png"))


def test_hovering_a_word_recolours_the_chips_by_its_response(
    page: Page, demo_analysis: rv.Analysis, tmp_path: Path
) -> None:
    widget = rv.RNNVis(demo_analysis, n_clusters=5)
    open_widget(page, widget, tmp_path)
    rest = [chip_rgb(page, u) for u in range(8)]
    word = page.locator(".rv-cloud-word").first
    text = word.text_content() or ""
    word.hover()
    page.wait_for_selector(
        f".rv-chips[data-colored-by='{text}']"
        if "'" not in text
        else ".rv-chips:not([data-colored-by='rest'])"
    )
    response = demo_analysis.response(widget.layer, "h")[demo_analysis.vocab.index(text)]
    strongest, weakest = int(np.argmax(response)), int(np.argmin(response))
    r, _, b = chip_rgb(page, strongest)
    assert r > b, "the unit that rises most should be red"
    r, _, b = chip_rgb(page, weakest)
    assert b > r, "the unit that falls most should be blue"
    assert [chip_rgb(page, u) for u in range(8)] != rest
    # The word detail follows the hovered word.
    assert page.locator(".rv-word-series").count() == 1
    page.mouse.move(0, 0)
    page.wait_for_selector(".rv-chips[data-colored-by='rest']")
    assert [chip_rgb(page, u) for u in range(8)] == rest


def test_every_chip_shows_the_sign_of_the_hovered_words_response(
    page: Page, demo_analysis: rv.Analysis, tmp_path: Path
) -> None:
    # A clip at the word's largest response puts every unit on the scale without saturating it.
    widget = rv.RNNVis(demo_analysis, n_clusters=4)
    host = open_widget(page, widget, tmp_path)
    word = page.locator(".rv-cloud-word").nth(3)
    text = word.text_content() or ""
    response = demo_analysis.response(widget.layer, "h")[demo_analysis.vocab.index(text)]
    widget.color_clip = float(np.abs(response).max())
    host.push()
    word.hover()
    page.wait_for_selector(".rv-chips:not([data-colored-by='rest'])")
    assert page.get_attribute(".rv-chips", "data-colored-by") == text
    shown = chip_colours(page)
    assert sorted(shown) == list(range(len(response)))
    # Red above zero, blue below, near white in between: checked on every square, so each
    # unit's colour is painted where its own rect (tooltip, click) is.
    clear = np.abs(response) > widget.color_clip / 50
    assert clear.sum() > len(response) // 2
    for unit, (r, _g, b, alpha) in shown.items():
        assert alpha == 255
        if clear[unit]:
            assert (r > b) == (response[unit] > 0), (unit, response[unit], (r, b))
        else:
            assert abs(r - b) < 60, (unit, response[unit], (r, b))
    # Hovering a cluster dims the squares of the other clusters, not that cluster's own.
    block = page.locator(".rv-block").first
    cluster = int(block.get_attribute("data-cluster") or 0)
    page.mouse.move(0, 0)
    page.wait_for_selector(".rv-chips[data-colored-by='rest']")
    box = block.bounding_box()
    assert box
    page.mouse.move(box["x"] + box["width"] - 2, box["y"] + box["height"] - 2)
    page.wait_for_selector(f".rv-block.rv-active[data-cluster='{cluster}']")
    labels = widget.viewmodel.cocluster(widget._slot(), 4).unit_labels
    alphas = {unit: colour[3] for unit, colour in chip_colours(page).items()}
    assert {alphas[u] for u in alphas if labels[u] == cluster} == {255}
    assert {alphas[u] for u in alphas if labels[u] != cluster} == {64}


def test_clicking_a_unit_opens_its_box_plots_and_contexts(
    page: Page, demo_analysis: rv.Analysis, tmp_path: Path
) -> None:
    widget = rv.RNNVis(demo_analysis, n_clusters=4)
    host = open_widget(page, widget, tmp_path)
    page.locator(".rv-chip[data-unit='3']").click()
    page.wait_for_selector(".rv-unit-panel[data-unit='3'] .rv-box")
    boxes = page.locator(".rv-unit-panel .rv-box")
    assert 2 <= boxes.count() <= 8
    assert page.locator(".rv-unit-panel .rv-iqr").count() == boxes.count()
    # The first box is the word with the largest mean response of unit 3 among frequent words.
    response = demo_analysis.response(widget.layer, "h")[:, 3]
    shown = [demo_analysis.vocab.index(w) for w in boxes.evaluate_all("els => els.map(e => e.dataset.word)")]
    assert response[shown[0]] == max(response[i] for i in shown)
    assert page.locator(".rv-unit-panel .rv-context").count() > 0
    assert page.locator(".rv-unit-panel .rv-context-centre").count() > 0
    assert widget.selected_units == [3]
    widget.selected_units = [5]
    host.push()
    page.wait_for_selector(".rv-unit-panel[data-unit='5']")


def test_clusters_control_reclusters_in_the_kernel(
    page: Page, demo_analysis: rv.Analysis, tmp_path: Path
) -> None:
    widget = rv.RNNVis(demo_analysis, n_clusters=4)
    open_widget(page, widget, tmp_path)
    assert page.locator(".rv-cloud").count() == 4
    page.eval_on_selector(".rv-clusters", "el => { el.value = '9'; el.dispatchEvent(new Event('change')); }")
    page.wait_for_selector(".rv-graph[data-clusters='9']")
    wait_ready(page)
    assert widget.n_clusters == 9
    assert page.locator(".rv-cloud").count() == 9
    assert page.locator(".rv-block").count() == 9


def test_unit_panel_names_the_cluster_on_screen_after_k_and_layer_changes(
    page: Page, demo_analysis: rv.Analysis, tmp_path: Path
) -> None:
    # A unit selected from Python, then k and layer changed: the panel's heading always names
    # the unit's cluster in the clustering drawn, never a stale one and never "cluster -1".
    widget = rv.RNNVis(demo_analysis, n_clusters=4, selected_units=[7])
    host = open_widget(page, widget, tmp_path)

    def heading_says(k: int, layer: int) -> None:
        label = widget.viewmodel.cocluster(ViewSlot(layer, "h", 0), k).unit_labels[7]
        page.wait_for_function(
            f"() => document.querySelector('.rv-unit-panel .rv-heading').textContent"
            f".startsWith('Unit 7 · cluster {label} ·')"
        )

    heading_says(4, 1)
    page.eval_on_selector(".rv-clusters", "el => { el.value = '11'; el.dispatchEvent(new Event('change')); }")
    page.wait_for_selector(".rv-graph[data-clusters='11']")
    heading_says(11, 1)
    renders = host.renders()
    widget.layer = 0
    host.push()
    page.wait_for_function(f"() => Number(document.querySelector('.rnnvis').dataset.renders) > {renders}")
    wait_ready(page)
    assert widget.selected_units == [7] and widget.n_clusters == 11
    heading_says(11, 0)


def test_pinned_words_reach_python_and_python_reaches_the_view(
    page: Page, demo_analysis: rv.Analysis, tmp_path: Path
) -> None:
    widget = rv.RNNVis(demo_analysis, n_clusters=5)
    host = open_widget(page, widget, tmp_path)
    words = page.locator(".rv-cloud-word")
    first, second = words.nth(0), words.nth(5)
    first.click()
    second.click()
    page.wait_for_function("document.querySelectorAll('.rv-cloud-word.rv-pinned').length === 2")
    assert widget.selected_words == [first.text_content(), second.text_content()]
    assert page.locator(".rv-word-series").count() == 2

    widget.selected_words = []
    widget.n_clusters = 3
    widget.layer = 0
    host.push()
    page.wait_for_function("document.querySelector('.rv-title').textContent.includes('layer 0')")
    wait_ready(page)
    assert page.locator(".rv-cloud").count() == 3
    assert page.locator(".rv-cloud-word.rv-pinned").count() == 0
    assert page.input_value(".rv-layer") == "0"


def test_hovering_a_cloud_highlights_its_partner_and_dims_the_rest(
    page: Page, demo_analysis: rv.Analysis, tmp_path: Path
) -> None:
    widget = rv.RNNVis(demo_analysis, n_clusters=5, link_filter=0.0)
    open_widget(page, widget, tmp_path)
    page.locator(".rv-cloud[data-cluster='2'] .rv-cloud-frame").hover(position={"x": 2, "y": 2})
    assert page.locator(".rv-block.rv-active").get_attribute("data-cluster") == "2"
    assert page.locator(".rv-block.rv-dim").count() == 4
    assert page.locator(".rv-cloud.rv-dim").count() == 4
    active_links = page.locator(".rv-link.rv-active").count()
    assert active_links > 0 and page.locator(".rv-link.rv-dim").count() > 0


def test_link_filter_hides_weak_links(page: Page, demo_analysis: rv.Analysis, tmp_path: Path) -> None:
    widget = rv.RNNVis(demo_analysis, n_clusters=6, link_filter=0.0)
    host = open_widget(page, widget, tmp_path)
    every = page.locator(".rv-link").count()
    widget.link_filter = 0.9
    host.push()
    page.wait_for_function(f"document.querySelectorAll('.rv-link').length < {every}")
    assert page.locator(".rv-link").count() >= 1
    page.eval_on_selector(
        ".rv-link-filter", "el => { el.value = '0'; el.dispatchEvent(new Event('input')); }"
    )
    page.wait_for_function(f"document.querySelectorAll('.rv-link').length === {every}")
    assert widget.link_filter == 0.0


def test_a_failed_view_shows_its_message(page: Page, demo_analysis: rv.Analysis, tmp_path: Path) -> None:
    widget = rv.RNNVis(demo_analysis)
    host = open_widget(page, widget, tmp_path)
    widget.view = error_view("rnnvis cannot show this view: nothing recorded")
    host.push()
    assert page.locator(".rv-message").inner_text() == "rnnvis cannot show this view: nothing recorded"


HOSTILE = [
    "<script>alert(1)</script>",
    "</script><img src=x onerror=alert(1)>",
    "\"'`${x}",
    "\u202eevil\u200b",
]


def test_hostile_tokens_show_as_text(
    page: Page, demo_run: DemoRun, demo_analysis: rv.Analysis, tmp_path: Path
) -> None:
    # Give hostile texts to the words that head the clouds; the numbers do not depend on texts.
    co = rv.RNNVis(demo_analysis, n_clusters=3, min_count=1).viewmodel.cocluster(ViewSlot(1, "h", 0), 3)
    display = demo_analysis.display_words
    strength = co.word_strength[display]
    heads = [int(display[np.argmax(np.where(co.word_labels[display] == c, strength, -1))]) for c in range(3)]
    others = [int(w) for w in display[:10] if int(w) not in heads]
    vocab = list(demo_run.vocab.words)
    for index, text in zip([*heads, *others], HOSTILE, strict=False):
        vocab[index] = text
    analysis = rv.analyze(demo_run.model, demo_run.held_out, vocab, progress=False)
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    widget = rv.RNNVis(analysis, n_clusters=3, min_count=1)
    open_widget(page, widget, tmp_path)
    labels = page.locator(".rv-cloud-word").evaluate_all("els => els.map(e => e.getAttribute('aria-label'))")
    shown = page.locator(".rv-cloud-word").all_text_contents()
    for text in HOSTILE[:3]:
        assert text in labels
        # Long tokens are shortened with an ellipsis to fit, never dropped or parsed; spaces
        # inside a token are drawn as ␣ (one token, not two words).
        drawn = text.replace(" ", "␣")
        assert any(s == drawn or (s.endswith("…") and drawn.startswith(s[:-1])) for s in shown), text
    for text in HOSTILE:
        word = analysis.vocab.index(text)
        unit = int(np.argmax(analysis.response(-1, "h")[word]))
        page.locator(f".rv-chip[data-unit='{unit}']").click()
    assert page.locator(".rnnvis img").count() == 0
    assert page.locator(".rnnvis script").count() == 0
    assert dialogs == []


def test_view_follows_the_notebook_theme(page: Page, demo_analysis: rv.Analysis, tmp_path: Path) -> None:
    open_widget(page, rv.RNNVis(demo_analysis, n_clusters=3), tmp_path)
    # JupyterLab's dark theme sets these variables on the page; the view must follow them.
    page.add_style_tag(
        content="body { --jp-ui-font-color1: rgb(240, 240, 240); --jp-layout-color1: rgb(17, 17, 17);"
        " --jp-layout-color2: rgb(40, 40, 40); }"
    )
    assert page.eval_on_selector(".rnnvis", "el => getComputedStyle(el).backgroundColor") == "rgb(17, 17, 17)"
    assert page.eval_on_selector(".rv-title", "el => getComputedStyle(el).color") == "rgb(240, 240, 240)"
    assert page.eval_on_selector(".rv-block", "el => getComputedStyle(el).fill") == "rgb(40, 40, 40)"
    assert page.eval_on_selector(".rv-cloud-word", "el => getComputedStyle(el).fill") == "rgb(240, 240, 240)"
