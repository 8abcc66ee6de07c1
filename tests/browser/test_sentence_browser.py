"""The sentence view in real Chromium: typed sentences run through the live model in the kernel,
glyphs and heatmaps drawn from the states it sends, linked to the main view through the store,
and working offline in a snapshot."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest
import torch
from browser_support import WidgetPage, chip_rgb
from playwright.sync_api import Page

import rnnvis_widget as rv
from rnnvis_widget.capture import Batch
from rnnvis_widget.view._codecs import decode
from rnnvis_widget.view._sentence_glyph import link_strength, sentence_glyph
from rnnvis_widget.zoo.demo import DemoRun

pytestmark = pytest.mark.browser

SENTENCE = "i will not go to the king , my lord"
MIRROR = "my lord , i will go to the king"


def next_token_scores(model: torch.nn.Module, batch: Batch) -> torch.Tensor:
    """The demo LM's forward returns hidden states; its adaptive softmax gives the scores."""
    hidden = model(batch.ids)[0]
    return model.readout.log_prob(hidden)[None]


def live_widget(demo_run: DemoRun, analysis: rv.Analysis, **traits: object) -> rv.RNNVis:
    return rv.RNNVis(
        analysis,
        model=demo_run.model,
        encode=lambda text: demo_run.vocab.encode(text.split()),
        predict=next_token_scores,
        **traits,
    )


def open_widget(page: Page, widget: rv.RNNVis, tmp_path: Path) -> WidgetPage:
    host = WidgetPage(page, widget, tmp_path)
    page.wait_for_selector(".rnnvis[data-ready='true']")
    return host


def type_sentence(page: Page, text: str) -> None:
    page.fill(".rv-sentence-text", text)
    page.press(".rv-sentence-text", "Enter")


def wait_sentences(page: Page, count: int) -> None:
    page.wait_for_selector(f".rv-sentences[data-count='{count}']")


def glyph(page: Page, sentence: int, token: int) -> str:
    return f".rv-sentence[data-index='{sentence}'] .rv-token-hit[data-token='{token}']"


def python_links(widget: rv.RNNVis, index: int, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Link strength and sign of every token to every cluster, from the kernel's own numbers."""
    trace = widget.trace(index)
    key = trace.layer_key(widget.layer, widget.direction)
    states = trace.state(widget.layer, widget.state, widget.direction)
    labels = widget.viewmodel.cocluster(widget._slot(), k).unit_labels
    return link_strength(states, trace.initial[key][widget.state], labels, k)


def stub_strengths(page: Page) -> dict[int, float]:
    return {
        int(stub["cluster"]): float(stub["strength"])
        for stub in page.locator(".rv-token-link").evaluate_all(
            "els => els.map(e => ({cluster: e.dataset.cluster, strength: e.dataset.strength}))"
        )
    }


def test_typing_a_sentence_runs_the_model_and_draws_a_glyph_per_token(
    page: Page, demo_run: DemoRun, demo_analysis: rv.Analysis, tmp_path: Path
) -> None:
    widget = live_widget(demo_run, demo_analysis, n_clusters=6)
    host = open_widget(page, widget, tmp_path)
    assert "No sentences yet" in page.inner_text(".rv-sentence-list")
    assert page.is_enabled(".rv-sentence-text")

    type_sentence(page, SENTENCE)
    wait_sentences(page, 1)
    assert widget.sentences == [SENTENCE]
    tokens = SENTENCE.split()
    assert page.locator(".rv-sentence[data-index='0'] .rv-glyph").count() == len(tokens)
    assert page.get_attribute(".rv-sentence-glyphs", "data-columns") == "6"
    assert page.get_attribute(".rv-sentences", "data-k") == "6"
    labels = page.locator(".rv-sentence[data-index='0'] .rv-token-label").all_text_contents()
    assert labels == tokens
    assert page.inner_text(".rv-sentence-source") == SENTENCE
    # Every token draws bars (a row's bars of one kind are one path: one closed rectangle per
    # token and cluster column); the text box is emptied for the next sentence.
    bars = page.eval_on_selector_all(
        ".rv-sentence[data-index='0'] .rv-pos-base, .rv-sentence[data-index='0'] .rv-neg-base",
        "els => els.map(e => (e.getAttribute('d').match(/Z/g) || []).length)",
    )
    assert sum(bars) >= len(tokens)
    assert page.input_value(".rv-sentence-text") == ""
    # A language model: its next-token guesses are in the token tooltip.
    page.hover(glyph(page, 0, 3))
    tip = page.inner_text(".rv-tooltip")
    assert "“go”" in tip and "next token" in tip and "kept" in tip

    # A second sentence stacks below with the same y-scale (one axis per row, same ticks).
    type_sentence(page, MIRROR)
    wait_sentences(page, 2)
    ticks = page.locator(".rv-sentence-axis").evaluate_all(
        "els => els.map(svg => [...svg.querySelectorAll('.rv-tick')].map(t => t.textContent).join(','))"
    )
    assert len(ticks) == 2 and ticks[0] == ticks[1] and ticks[0]

    # × removes a sentence, in Python too.
    page.click(".rv-sentence[data-index='0'] .rv-sentence-remove")
    wait_sentences(page, 1)
    assert widget.sentences == [MIRROR]
    assert page.inner_text(".rv-sentence-source") == MIRROR

    # Hovering a word of the main view marks its occurrences in the sentences.
    clouds = page.locator(".rv-cloud-word").all_text_contents()
    shared = next(word for word in clouds if word in MIRROR.split())
    page.locator(".rv-cloud-word").filter(has_text=re.compile(f"^{re.escape(shared)}$")).first.hover()
    marked = page.locator(".rv-glyph.rv-word-match").evaluate_all("els => els.map(e => e.dataset.token)")
    assert marked and all(MIRROR.split()[int(t)] == shared for t in marked)
    page.mouse.move(0, 0)
    assert page.locator(".rv-glyph.rv-word-match").count() == 0

    # Sentences added from Python appear too.
    widget.add_sentence("good morrow")
    host.push()
    wait_sentences(page, 2)
    assert page.locator(".rv-sentence[data-index='1'] .rv-glyph").count() == 2

    # The sentence view follows the notebook's theme like the main view.
    page.add_style_tag(
        content="body { --jp-ui-font-color1: rgb(240, 240, 240); --jp-layout-color1: rgb(17, 17, 17); }"
    )
    assert page.eval_on_selector(".rv-token-label", "el => getComputedStyle(el).fill") == "rgb(240, 240, 240)"
    assert (
        page.eval_on_selector(".rv-sentence-source", "el => getComputedStyle(el).color")
        == "rgb(240, 240, 240)"
    )
    assert (
        page.eval_on_selector(".rv-sentence-text", "el => getComputedStyle(el).backgroundColor")
        == "rgb(17, 17, 17)"
    )


def test_without_a_live_model_the_text_box_says_why(
    page: Page, demo_analysis: rv.Analysis, tmp_path: Path
) -> None:
    widget = rv.RNNVis(demo_analysis, n_clusters=4)
    open_widget(page, widget, tmp_path)
    assert page.is_disabled(".rv-sentence-text") and page.is_disabled(".rv-sentence-send")
    reason = widget.sentence_view["disabled_reason"]
    assert reason and "model" in reason
    assert reason in page.inner_text(".rv-sentence-reason")
    assert page.get_attribute(".rv-sentence-text", "title") == reason
    assert page.inner_text(".rv-sentence-list") == "No sentences yet."
    page.locator(".rv-chip[data-unit='3']").click()
    assert page.locator(".rv-unit-panel .rv-context-add").count() == 0


def test_hovering_a_glyph_recolours_the_chips_and_links_the_token_to_every_cluster(
    page: Page, demo_run: DemoRun, demo_analysis: rv.Analysis, tmp_path: Path
) -> None:
    widget = live_widget(demo_run, demo_analysis, n_clusters=5, link_filter=0.0)
    widget.add_sentence(SENTENCE)
    host = open_widget(page, widget, tmp_path)
    wait_sentences(page, 1)
    assert page.locator(".rv-token-link").count() == 0
    token = 2  # "not"
    page.hover(glyph(page, 0, token))
    page.wait_for_selector(f".rv-chips[data-colored-by='token:0:{token}']")

    # Chips: the unit this occurrence raised most is red, the one it lowered most blue.
    delta = widget.trace(0).delta(widget.layer, "h")[token]
    r, _, b = chip_rgb(page, int(np.argmax(delta)))
    assert r > b
    r, _, b = chip_rgb(page, int(np.argmin(delta)))
    assert b > r

    # One link per cluster, with the kernel's numbers: Σ|Δh|/n and the sign of ΣΔh.
    strength, sign = python_links(widget, 0, 5)
    stubs = stub_strengths(page)
    assert sorted(stubs) == [0, 1, 2, 3, 4]
    for cluster, value in stubs.items():
        assert value == pytest.approx(strength[token, cluster], rel=1e-4)
    marks = page.locator(".rv-token-link").evaluate_all(
        "els => els.map(e => [+e.dataset.cluster, e.dataset.sign])"
    )
    for cluster, mark in marks:
        assert mark == {1.0: "+", -1.0: "-", 0.0: "0"}[float(sign[token, cluster])]
    widths = dict(
        page.locator(".rv-token-link line").evaluate_all(
            "els => els.map(e => [+e.parentNode.dataset.cluster, +e.getAttribute('stroke-width')])"
        )
    )
    assert widths[int(np.argmax(strength[token]))] > widths[int(np.argmin(strength[token]))]
    # The word links step back while a token's links show; the tooltip gives the numbers.
    assert page.locator(".rv-links.rv-muted").count() == 1
    tip = page.inner_text(".rv-tooltip")
    assert "“not”" in tip and "Σ|Δh|/n" in tip and "P/n" in tip

    # The same link filter as the word links hides the weak ones.
    widget.link_filter = 0.9
    host.push()
    page.wait_for_function("() => document.querySelectorAll('.rv-token-link').length < 5")
    assert page.locator(".rv-token-link").count() >= 1

    # Leaving the glyph puts the chips back at rest and takes the links away.
    page.mouse.move(0, 0)
    page.wait_for_selector(".rv-chips[data-colored-by='rest']")
    assert page.locator(".rv-token-link").count() == 0
    assert page.locator(".rv-links.rv-muted").count() == 0


def test_a_pinned_token_is_compared_with_its_words_expected_response(
    page: Page, demo_run: DemoRun, demo_analysis: rv.Analysis, tmp_path: Path
) -> None:
    widget = live_widget(demo_run, demo_analysis, n_clusters=4)
    shown = set(widget.view["words"]["text"])
    rare = next(w for w in demo_run.vocab.words[::-1] if w not in shown and w.isalpha())
    widget.add_sentence(f"my lord , {rare}")
    open_widget(page, widget, tmp_path)
    wait_sentences(page, 1)

    page.click(glyph(page, 0, 1))  # "lord": among the shown words
    page.wait_for_selector(".rv-word-panel[data-token='0:1']")
    assert page.get_attribute(".rv-word-panel", "data-words") == "lord"
    assert page.locator(".rv-word-panel .rv-occurrence").count() == 1
    assert page.locator(".rv-word-panel .rv-mean-line").count() == 1
    assert page.locator(".rv-word-panel .rv-band-outer").count() == 1
    typical = page.inner_text(".rv-word-panel .rv-typicality")
    # The correlation the panel prints is the one of this occurrence with the mean profile.
    delta = widget.trace(0).delta(widget.layer, "h")[1]
    mean = demo_analysis.response(widget.layer, "h")[demo_analysis.vocab.index("lord")]
    r = float(re.search(r"r = (-?\d\.\d\d)", typical).group(1))
    assert r == pytest.approx(np.corrcoef(delta, mean)[0, 1], abs=0.006)
    assert "% of units inside" in typical
    assert page.locator(".rv-glyph.rv-pinned").count() == 1
    # A pinned token keeps colouring the chips after the pointer leaves.
    page.mouse.move(0, 0)
    page.wait_for_selector(".rv-chips[data-colored-by='token:0:1']")

    page.click(glyph(page, 0, 3))  # a word the main view does not show
    page.wait_for_selector(".rv-word-panel[data-token='0:3']")
    assert page.locator(".rv-word-panel .rv-missing[data-missing='word']").count() == 1
    assert "not among the" in page.inner_text(".rv-word-panel")
    assert page.locator(".rv-word-panel .rv-occurrence").count() == 1
    assert page.locator(".rv-word-panel .rv-mean-line").count() == 0

    page.click(glyph(page, 0, 3))  # unpin
    page.wait_for_function("() => !document.querySelector('.rv-word-panel').dataset.token")
    assert page.locator(".rv-glyph.rv-pinned").count() == 0
    page.mouse.move(0, 0)
    page.wait_for_selector(".rv-chips[data-colored-by='rest']")


def test_heatmap_shows_state_and_response_of_every_unit(
    page: Page, demo_run: DemoRun, demo_analysis: rv.Analysis, tmp_path: Path
) -> None:
    widget = live_widget(demo_run, demo_analysis, n_clusters=5)
    widget.add_sentence(SENTENCE)
    open_widget(page, widget, tmp_path)
    wait_sentences(page, 1)
    n_tokens = len(SENTENCE.split())
    n_units = demo_analysis.response(widget.layer, "h").shape[1]
    page.select_option(".rv-sentence-mode", "heatmap-value")
    page.wait_for_selector(".rv-sentences[data-mode='heatmap-value'] canvas.rv-heatmap")
    assert page.locator(".rv-sentence-glyphs").count() == 0
    canvas = page.locator("canvas.rv-heatmap")
    assert canvas.get_attribute("data-tokens") == str(n_tokens)
    assert canvas.get_attribute("data-units") == str(n_units)

    trace = widget.trace(0)
    box = canvas.bounding_box()
    assert box is not None
    token, row = 4, 10
    x = box["x"] + (token + 0.5) * box["width"] / n_tokens
    y = box["y"] + (row + 0.5) * box["height"] / n_units
    page.mouse.move(x, y)
    tip = page.inner_text(".rv-tooltip")
    unit = int(re.search(r"unit (\d+)", tip).group(1))
    value = float(re.search(r"\bh = (-?[\d.e+-]+)", tip).group(1))
    assert value == pytest.approx(trace.state(widget.layer, "h")[token, unit], abs=1e-4)
    assert "“to”" in tip
    # The unit of that row is the row-th unit of the main view's order.
    co = widget.viewmodel.cocluster(widget._slot(), 5)
    assert f"cluster {co.unit_labels[unit]}" in tip
    # The cell's colour has the value's sign; hovering it links like a glyph does.
    pixel = page.evaluate(
        "() => Array.from(document.querySelector('canvas.rv-heatmap').getContext('2d')"
        f".getImageData({token}, {row}, 1, 1).data)"
    )
    if abs(value) > 0.05:
        assert (pixel[0] > pixel[2]) == (value > 0)
    page.wait_for_selector(f".rv-chips[data-colored-by='token:0:{token}']")

    page.select_option(".rv-sentence-mode", "heatmap-delta")
    page.wait_for_selector(".rv-sentences[data-mode='heatmap-delta'] canvas.rv-heatmap")
    page.mouse.move(0, 0)
    page.mouse.move(x, y)
    tip = page.inner_text(".rv-tooltip")
    unit = int(re.search(r"unit (\d+)", tip).group(1))
    delta = float(re.search(r"Δh = (-?[\d.e+-]+)", tip).group(1))
    assert delta == pytest.approx(trace.delta(widget.layer, "h")[token, unit], abs=1e-4)

    page.select_option(".rv-sentence-mode", "glyphs")
    page.wait_for_selector(".rv-sentences[data-mode='glyphs'] .rv-sentence-glyphs")
    assert page.locator("canvas.rv-heatmap").count() == 0


def test_each_sentences_states_cross_once_and_a_reloaded_page_asks_for_what_it_lacks(
    page: Page, demo_run: DemoRun, demo_analysis: rv.Analysis, tmp_path: Path
) -> None:
    widget = live_widget(demo_run, demo_analysis, n_clusters=4)
    for text in (SENTENCE, MIRROR, "good morrow"):
        widget.add_sentence(text)
    asked: list[list[str]] = []
    sent: list[list[str]] = []
    widget.observe(lambda change: asked.append(list(change["new"])), names=["sentence_states_wanted"])
    widget.observe(lambda change: sent.append(sorted(change["new"])), names=["sentence_states"])
    # A page opened now (as after a reload) finds only the last batch on the model: the states
    # of the newest sentence. It asks for the other two, once, and draws every row.
    ids = [item["id"] for item in widget.sentence_view["items"]]
    open_widget(page, widget, tmp_path)
    wait_sentences(page, 3)
    for index, text in enumerate((SENTENCE, MIRROR, "good morrow")):
        row = f".rv-sentence[data-index='{index}'] .rv-glyph"
        page.wait_for_selector(row)
        assert page.locator(row).count() == len(text.split())
    assert [sorted(a) for a in asked if a] == [sorted(ids[:2])]
    assert sent == [sorted(ids[:2])]
    # Typing a fourth sends its states alone, not the three already there.
    type_sentence(page, "my lord")
    wait_sentences(page, 4)
    page.wait_for_selector(".rv-sentence[data-index='3'] .rv-glyph")
    assert sent[-1] == [widget.sentence_view["items"][3]["id"]]
    assert "receiving" not in page.inner_text(".rv-sentence-list")


def test_k_and_layer_changes_redraw_the_glyphs_from_the_states_already_sent(
    page: Page, demo_run: DemoRun, demo_analysis: rv.Analysis, tmp_path: Path
) -> None:
    widget = live_widget(demo_run, demo_analysis, n_clusters=4, link_filter=0.0)
    widget.add_sentence(SENTENCE)
    open_widget(page, widget, tmp_path)
    wait_sentences(page, 1)
    bars = (
        "() => [...document.querySelectorAll('.rv-sentence .rv-bar')].map(p => p.getAttribute('d')).join('|')"
    )
    before = page.evaluate(bars)
    page.evaluate("() => { window.sentPayload = window.rnnvisModels[0].get('sentence_view'); }")

    page.eval_on_selector(".rv-clusters", "el => { el.value = '9'; el.dispatchEvent(new Event('change')); }")
    page.wait_for_selector(".rv-sentences[data-k='9']")
    assert page.get_attribute(".rv-sentence-glyphs", "data-columns") == "9"
    assert page.evaluate(bars) != before
    # No new sentence payload came from the kernel: the glyphs were recomputed in the browser.
    assert page.evaluate("() => window.rnnvisModels[0].get('sentence_view') === window.sentPayload")
    page.hover(glyph(page, 0, 5))
    strength, _ = python_links(widget, 0, 9)
    for cluster, value in stub_strengths(page).items():
        assert value == pytest.approx(strength[5, cluster], rel=1e-4)

    page.select_option(".rv-layer", "0")
    page.wait_for_selector(".rv-sentences[data-slot='0|h|0'][data-count='1']")
    page.wait_for_selector(".rnnvis[data-ready='true']")
    assert widget.layer == 0
    assert page.locator(".rv-sentence[data-index='0'] .rv-glyph").count() == len(SENTENCE.split())
    page.mouse.move(0, 0)
    page.hover(glyph(page, 0, 5))
    strength, _ = python_links(widget, 0, widget.n_clusters)
    for cluster, value in stub_strengths(page).items():
        assert value == pytest.approx(strength[5, cluster], rel=1e-4)

    page.select_option(".rv-state", "c")
    page.wait_for_selector(".rv-sentences[data-slot='0|c|0'][data-count='1']")
    page.wait_for_selector(".rnnvis[data-ready='true']")
    page.mouse.move(0, 0)
    page.hover(glyph(page, 0, 5))
    strength, _ = python_links(widget, 0, widget.n_clusters)
    for cluster, value in stub_strengths(page).items():
        assert value == pytest.approx(strength[5, cluster], rel=1e-4)
    assert "Σ|Δc|/n" in page.inner_text(".rv-tooltip")


def test_bad_input_is_explained_and_the_view_stays_usable(
    page: Page, demo_run: DemoRun, demo_analysis: rv.Analysis, tmp_path: Path
) -> None:
    widget = live_widget(demo_run, demo_analysis, n_clusters=4)
    open_widget(page, widget, tmp_path)
    type_sentence(page, "   ")
    assert page.inner_text(".rv-sentence-error") == "type a sentence first"
    assert widget.sentences == []

    # Unknown words become <unk>, visibly marked.
    type_sentence(page, "my lord qqzzxx")
    wait_sentences(page, 1)
    assert page.locator(".rv-sentence[data-index='0'] .rv-token-label.rv-unknown").count() == 1
    assert "not in the vocabulary" in page.inner_text(".rv-sentence-meta")
    page.hover(glyph(page, 0, 2))
    assert "not in the vocabulary" in page.inner_text(".rv-tooltip")

    # Too long: the kernel refuses, the view says why and gives the text back to fix.
    long_text = " ".join(["lord"] * 230)
    type_sentence(page, long_text)
    page.wait_for_function(
        "() => document.querySelector('.rv-sentence-error').textContent.includes('at most')"
    )
    assert page.is_visible(".rv-sentence-error")
    assert widget.sentences == ["my lord qqzzxx"]
    wait_sentences(page, 1)
    assert page.input_value(".rv-sentence-text") == long_text
    assert page.locator(".rv-sentence-pending.rv-hidden").count() == 1

    # And the next good sentence goes through, clearing the error.
    type_sentence(page, "my lord")
    wait_sentences(page, 2)
    assert not page.is_visible(".rv-sentence-error")


def test_a_context_of_a_unit_becomes_a_sentence(
    page: Page, demo_run: DemoRun, demo_analysis: rv.Analysis, tmp_path: Path
) -> None:
    widget = live_widget(demo_run, demo_analysis, n_clusters=4)
    open_widget(page, widget, tmp_path)
    page.locator(".rv-chip[data-unit='7']").click()
    context = page.locator(".rv-unit-panel .rv-context-add").first
    words = context.locator(".rv-context-token, .rv-context-centre").all_text_contents()
    assert "pass corpus= to rv.RNNVis" in (context.get_attribute("title") or "")
    context.click()
    wait_sentences(page, 1)
    assert widget.sentences == [" ".join(words)]
    assert page.locator(".rv-sentence[data-index='0'] .rv-glyph").count() == len(words)


def test_with_a_corpus_a_context_opens_its_whole_sequence(
    page: Page, demo_run: DemoRun, demo_analysis: rv.Analysis, tmp_path: Path
) -> None:
    corpus = demo_run.held_out
    widget = live_widget(demo_run, demo_analysis, n_clusters=4, corpus=corpus)
    open_widget(page, widget, tmp_path)
    page.locator(".rv-chip[data-unit='7']").click()
    context = page.locator(".rv-unit-panel .rv-context-add").first
    assert "whole sequence" in (context.get_attribute("title") or "")
    context.click()
    wait_sentences(page, 1)
    # The kernel's answer: the corpus sequence holding the context's position, not the window.
    layer = widget.layer
    position = int(demo_analysis.contexts(layer, widget.state, widget.direction).positions[0, 0, 7])
    starts = np.cumsum([0] + [len(seq) for seq in corpus])
    want = corpus[int(np.searchsorted(starts, position, side="right")) - 1]
    assert widget.sentences == [want]
    assert widget.open_context is None
    assert page.locator(".rv-sentence[data-index='0'] .rv-glyph").count() == len(want)


def test_a_brush_zooms_a_token_range_and_the_widget_never_scrolls_sideways(
    page: Page, demo_run: DemoRun, demo_analysis: rv.Analysis, tmp_path: Path
) -> None:
    page.set_viewport_size({"width": 1000, "height": 1000})
    widget = live_widget(demo_run, demo_analysis, n_clusters=8)
    long_text = " ".join([SENTENCE] * 12)  # 120 tokens
    widget.add_sentence(long_text)
    widget.add_sentence(MIRROR)
    open_widget(page, widget, tmp_path)
    wait_sentences(page, 2)
    sizes = page.evaluate(
        "() => ({page: [document.documentElement.scrollWidth, document.documentElement.clientWidth],"
        " widget: [document.querySelector('.rnnvis').scrollWidth,"
        " document.querySelector('.rnnvis').clientWidth],"
        " row: [document.querySelector('.rv-sentence-scroll').scrollWidth,"
        " document.querySelector('.rv-sentence-scroll').clientWidth]})"
    )
    assert sizes["page"][0] <= sizes["page"][1]
    assert sizes["widget"][0] <= sizes["widget"][1]
    assert sizes["row"][0] > 2 * sizes["row"][1]  # the long sentence scrolls inside its row

    # Rows scroll together, so token positions stay aligned.
    page.eval_on_selector(
        ".rv-sentence[data-index='0'] .rv-sentence-scroll", "el => { el.scrollLeft = 300; }"
    )
    page.wait_for_function(
        "() => { const [a, b] = document.querySelectorAll('.rv-sentence-scroll');"
        " return a.scrollLeft > 0 && a.scrollLeft === b.scrollLeft; }"
    )

    # The mouse acts on what is on screen: bring the strip into the viewport first.
    page.locator(".rv-overview-strip").scroll_into_view_if_needed()
    strip = page.locator(".rv-overview-strip").bounding_box()
    assert strip is not None
    y = strip["y"] + strip["height"] / 2
    page.mouse.move(strip["x"] + 0.25 * strip["width"], y)
    page.mouse.down()
    page.mouse.move(strip["x"] + 0.35 * strip["width"], y, steps=4)
    page.mouse.up()
    page.wait_for_function("() => document.querySelector('.rv-sentences').dataset.range !== 'all'")
    start, end = (int(v) for v in page.get_attribute(".rv-sentences", "data-range").split("-"))
    assert 25 <= start <= 31 and 39 <= end <= 44
    assert page.locator(".rv-sentence[data-index='0'] .rv-glyph").count() == end - start
    assert (
        page.locator(".rv-sentence[data-index='1'] .rv-glyph").count() == 0
    )  # 9 tokens, all before the range
    first = page.get_attribute(".rv-sentence[data-index='0'] .rv-glyph", "data-token")
    assert first == str(start)
    # Zoomed, the range fills the row: no sideways scrolling needed.
    row = page.eval_on_selector(".rv-sentence-scroll", "el => [el.scrollWidth, el.clientWidth]")
    assert row[0] <= row[1] + 1
    page.click(".rv-zoom-reset")
    page.wait_for_selector(".rv-sentences[data-range='all']")
    assert page.locator(".rv-sentence[data-index='0'] .rv-glyph").count() == 120


def test_a_snapshot_with_two_sentences_works_offline(
    page: Page, demo_run: DemoRun, demo_analysis: rv.Analysis, tmp_path: Path
) -> None:
    widget = live_widget(demo_run, demo_analysis, n_clusters=6, link_filter=0.0)
    widget.add_sentence(SENTENCE)
    widget.add_sentence(MIRROR)
    path = widget.save_html(tmp_path / "sentences.html", slots="all", ks=[4, 6])
    requests: list[str] = []
    errors: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(path.as_uri())
    page.wait_for_selector(".rnnvis[data-ready='true']")
    wait_sentences(page, 2)

    # The text box is disabled and says why, on the box and beside it.
    assert page.is_disabled(".rv-sentence-text")
    assert "snapshot" in page.inner_text(".rv-sentence-reason")
    assert "snapshot" in (page.get_attribute(".rv-sentence-text", "title") or "")
    # Contexts cannot become sentences here either, and say so.
    page.locator(".rv-chip[data-unit='3']").click()
    assert page.locator(".rv-unit-panel .rv-context-add").count() == 0
    assert "snapshot" in (page.locator(".rv-unit-panel .rv-context").first.get_attribute("title") or "")

    # Glyphs, hover, links.
    assert page.locator(".rv-sentence[data-index='1'] .rv-glyph").count() == len(MIRROR.split())
    page.hover(glyph(page, 1, 1))
    page.wait_for_selector(".rv-chips[data-colored-by='token:1:1']")
    assert page.locator(".rv-token-link").count() == 6

    # Heatmap, and back.
    page.select_option(".rv-sentence-mode", "heatmap-value")
    page.wait_for_selector("canvas.rv-heatmap")
    assert page.locator("canvas.rv-heatmap").count() == 2
    page.select_option(".rv-sentence-mode", "glyphs")

    # k among the saved ones, then another saved layer and state.
    page.eval_on_selector(".rv-clusters", "el => { el.value = '4'; el.dispatchEvent(new Event('change')); }")
    page.wait_for_selector(".rv-sentences[data-k='4']")
    assert page.get_attribute(".rv-sentence-glyphs", "data-columns") == "4"
    page.select_option(".rv-layer", "0")
    page.wait_for_selector(".rv-sentences[data-slot='0|h|0'][data-count='2']")
    page.wait_for_selector(".rnnvis[data-ready='true']")
    assert page.locator(".rv-sentence[data-index='0'] .rv-glyph").count() == len(SENTENCE.split())
    page.select_option(".rv-state", "c")
    page.wait_for_selector(".rv-sentences[data-slot='0|c|0'][data-count='2']")
    page.hover(glyph(page, 0, 2))
    page.wait_for_selector(".rv-chips[data-colored-by='token:0:2']")

    # Removing a sentence works offline too.
    page.click(".rv-sentence[data-index='0'] .rv-sentence-remove")
    wait_sentences(page, 1)
    assert page.inner_text(".rv-sentence-source") == MIRROR

    outside = [url for url in requests if not url.startswith(("file://", "blob:"))]
    assert outside == [] and errors == []


HOSTILE = ["<img src=x onerror=alert(1)>", "\t", "</script><script>alert(2)</script>"]


def test_hostile_tokens_in_sentences_stay_text(page: Page, demo_run: DemoRun, tmp_path: Path) -> None:
    vocab = list(demo_run.vocab.words)
    targets = [vocab.index(w) for w in ("lord", "king", "good")]
    for index, text in zip(targets, HOSTILE, strict=True):
        vocab[index] = text
    analysis = rv.analyze(demo_run.model, demo_run.held_out[:400], vocab, progress=False)
    widget = rv.RNNVis(analysis, model=demo_run.model, n_clusters=3)
    widget.add_sentence([vocab.index("my"), *targets, vocab.index("the")])
    source = widget.sentence_view["items"][0]["source"]
    assert HOSTILE[0] in source
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    open_widget(page, widget, tmp_path)
    wait_sentences(page, 1)

    def check() -> None:
        labels = page.locator(".rv-sentence[data-index='0'] .rv-token-label").all_text_contents()
        assert labels[0] == "my" and labels[4] == "the"
        # Long tokens are shortened to fit under their glyph, never parsed.
        assert labels[1].startswith("<img") and HOSTILE[0].replace(" ", "␣").startswith(labels[1].rstrip("…"))
        assert labels[2] == "⇥"  # a tab is drawn as a visible symbol
        assert labels[3].startswith("</scr") and HOSTILE[2].startswith(labels[3].rstrip("…"))
        for token in range(5):
            page.hover(glyph(page, 0, token))
        page.hover(glyph(page, 0, 1))
        assert "<img␣src=x␣onerror=alert(1)>" in page.inner_text(".rv-tooltip")
        page.select_option(".rv-sentence-mode", "heatmap-value")
        page.wait_for_selector("canvas.rv-heatmap")
        assert page.locator(".rv-sentence .rv-token-label").nth(2).text_content() == "⇥"
        page.select_option(".rv-sentence-mode", "glyphs")
        assert page.locator(".rnnvis img, .rnnvis script").count() == 0
        assert page.inner_text(".rv-sentence-source") == source.replace("\t", "⇥")
        assert dialogs == []

    check()
    path = widget.save_html(tmp_path / "hostile-sentences.html", ks=[3])
    page.goto(path.as_uri())
    page.wait_for_selector(".rnnvis[data-ready='true']")
    wait_sentences(page, 1)
    check()


class BiEncoder(torch.nn.Module):
    """A small bidirectional LSTM encoder: its forward returns the states, no prediction."""

    def __init__(self, vocab_size: int):
        super().__init__()
        self.embed = torch.nn.Embedding(vocab_size, 8)
        self.rnn = torch.nn.LSTM(8, 12, batch_first=True, bidirectional=True)

    def forward(self, ids: torch.Tensor) -> torch.Tensor:
        return self.rnn(self.embed(ids))[0]


def test_a_bidirectional_layer_shows_the_other_direction_aligned_per_token(
    page: Page, tmp_path: Path
) -> None:
    torch.manual_seed(0)
    vocab = ["<unk>", *(f"w{i}" for i in range(20))]
    rng = np.random.default_rng(0)
    corpus = [rng.integers(1, len(vocab), size=int(rng.integers(5, 12))).tolist() for _ in range(120)]
    model = BiEncoder(len(vocab))
    analysis = rv.analyze(model, corpus, vocab, progress=False)
    widget = rv.RNNVis(analysis, model=model, n_clusters=3)
    text = "w1 w5 w2 w9 w3"
    widget.add_sentence(text)
    open_widget(page, widget, tmp_path)
    wait_sentences(page, 1)
    assert page.get_attribute(".rv-sentences", "data-slot") == "0|h|0"
    assert page.locator(".rv-sentence .rv-other-direction").count() == 0  # no strip: a second row
    rows = page.locator(".rv-sentence[data-index='0'] .rv-sentence-glyphs")
    assert rows.evaluate_all("els => els.map(e => e.dataset.direction)") == ["forward", "backward"]
    labels = page.locator(".rv-sentence[data-index='0'] .rv-direction-label").all_text_contents()
    assert labels == ["forward", "backward"]
    xs = rows.evaluate_all(
        "els => els.map(e => Array.from(e.querySelectorAll('.rv-glyph'), g => g.getAttribute('transform')))"
    )
    assert len(xs[0]) == 5 and xs[0] == xs[1]

    # The backward row: its own clustering (sent by the kernel), changes against token t + 1.
    k = widget.n_clusters
    assert list(widget.other_direction_clusterings) == [str(k)]
    unit_labels = decode(widget.other_direction_clusterings[str(k)]["unit_cluster"])
    trace = widget.trace(0)
    key = trace.layer_key(0, 1)
    want = sentence_glyph(trace.state(0, "h", 1), trace.initial[key]["h"], unit_labels, k, backward=True)
    backward_hit = ".rv-sentence[data-index='0'] .rv-sentence-glyphs[data-direction='backward'] .rv-token-hit"
    for t in range(5):
        page.hover(f"{backward_hit}[data-token='{t}']")
        tip = page.inner_text(".rv-tooltip")
        assert "backward direction (the main view shows the forward one)" in tip
        assert "not linked to them" in tip
        cluster = int(re.search(r"unit cluster (\d+)", tip).group(1))  # type: ignore[union-attr]
        shown = float(re.search(r"Σ\|Δh\|/n (\S+),", tip).group(1))  # type: ignore[union-attr]
        assert shown == pytest.approx(want.link_strength[t, cluster], abs=1e-4)
        if t == 2:
            assert "change since “w9”" in tip
        # Hovering the other direction links nothing in the main view.
        assert page.locator(".rv-token-link").count() == 0
    page.mouse.move(0, 0)
    page.hover(glyph(page, 0, 2))
    assert "backward direction (the main view" not in page.inner_text(".rv-tooltip")

    # Switching the main view to the backward direction: forward is still the upper row.
    page.select_option(".rv-direction", "1")
    page.wait_for_selector(".rv-sentences[data-slot='0|h|1'][data-count='1']")
    page.wait_for_selector(".rnnvis[data-ready='true']")
    rows = page.locator(".rv-sentence[data-index='0'] .rv-sentence-glyphs")
    assert rows.evaluate_all("els => els.map(e => e.dataset.direction + ':' + e.dataset.shown)") == [
        "forward:false",
        "backward:true",
    ]
    page.mouse.move(0, 0)
    row_hit = (
        ".rv-sentence[data-index='0'] .rv-sentence-glyphs[data-direction='{}'] .rv-token-hit[data-token='2']"
    )
    page.hover(row_hit.format("backward"))
    tip = page.inner_text(".rv-tooltip")
    # Backward, a token is compared with the one after it.
    assert "change since “w9”" in tip
    page.mouse.move(0, 0)
    page.hover(row_hit.format("forward"))
    assert "forward direction (the main view shows the backward one)" in page.inner_text(".rv-tooltip")


class TinyClassifier(torch.nn.Module):
    """A GRU read out at every step: the class of each prefix, the last one the sentence's."""

    def __init__(self, vocab_size: int):
        super().__init__()
        self.embed = torch.nn.Embedding(vocab_size, 8)
        self.rnn = torch.nn.GRU(8, 10, batch_first=True)
        self.head = torch.nn.Linear(10, 2)

    def forward(self, ids: torch.Tensor) -> torch.Tensor:
        return self.head(self.rnn(self.embed(ids))[0])


def test_a_classifier_shows_its_prediction_and_each_prefixs(page: Page, tmp_path: Path) -> None:
    torch.manual_seed(1)
    vocab = ["<unk>", *(f"w{i}" for i in range(20))]
    rng = np.random.default_rng(1)
    corpus = [rng.integers(1, len(vocab), size=8).tolist() for _ in range(100)]
    model = TinyClassifier(len(vocab))
    analysis = rv.analyze(model, corpus, vocab, progress=False)
    widget = rv.RNNVis(
        analysis,
        model=model,
        n_clusters=2,
        predict=lambda m, batch: m(batch.ids),
        labels=["negative", "positive"],
    )
    text = "w3 w1 w4 w1 w5"
    widget.add_sentence(text)
    open_widget(page, widget, tmp_path)
    wait_sentences(page, 1)
    with torch.no_grad():
        probs = model(torch.tensor([[vocab.index(w) for w in text.split()]]))[0].softmax(-1).numpy()
    final = probs[-1]
    best = int(np.argmax(final))
    shown = page.inner_text(".rv-prediction")
    assert shown == f"→ {['negative', 'positive'][best]} {100 * final[best]:.0f} %"
    assert "negative" in (page.get_attribute(".rv-prediction", "title") or "")
    page.hover(glyph(page, 0, 1))
    step = probs[1]
    label = ["negative", "positive"][int(np.argmax(step))]
    assert f"prediction of the prefix up to here: {label}" in page.inner_text(".rv-tooltip")
