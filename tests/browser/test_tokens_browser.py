"""Tokens as a reader needs them, in real Chromium: whitespace and control tokens drawn as visible
symbols in clouds and contexts, repeated top contexts listed once with their count, negligible
updates called so, and every cloud numbered as `w.clusters()` numbers it."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch
from browser_support import WidgetPage
from playwright.sync_api import Page, expect
from torch import nn

import rnnvis_widget as rv

pytestmark = pytest.mark.browser

WHITESPACE_VOCAB = [" ", "\n", "\t", "a", "b", "c", "d", "e"]


def whitespace_analysis() -> rv.Analysis:
    """A small random RNN over a vocabulary where space, newline and tab are frequent tokens."""
    torch.manual_seed(0)
    model = nn.Sequential(nn.Embedding(len(WHITESPACE_VOCAB), 4), nn.RNN(4, 6, batch_first=True))
    rng = np.random.default_rng(0)
    corpus = [rng.integers(0, len(WHITESPACE_VOCAB), size=12).tolist() for _ in range(40)]
    return rv.analyze(model, corpus, WHITESPACE_VOCAB, progress=False)


def test_whitespace_tokens_are_drawn_as_symbols(page: Page, tmp_path: Path) -> None:
    widget = rv.RNNVis(whitespace_analysis(), n_clusters=2, min_count=1, selected_units=[0])
    WidgetPage(page, widget, tmp_path)
    page.wait_for_selector(".rnnvis[data-ready='true']")
    for cloud in page.locator(".rv-cloud").all():
        cloud.scroll_into_view_if_needed()
    page.wait_for_function("() => document.querySelectorAll('.rv-cloud[data-placed]').length === 2")
    words = page.locator(".rv-cloud-word").evaluate_all(
        "ws => ws.map((w) => [w.getAttribute('aria-label'), w.textContent])"
    )
    drawn = dict(words)
    assert drawn.get(" ") == "␣" and drawn.get("\n") == "⏎" and drawn.get("\t") == "⇥", drawn
    contexts = page.locator(".rv-unit-panel .rv-context-token, .rv-unit-panel .rv-context-centre")
    texts = contexts.all_text_contents()
    assert texts and all(text.strip() for text in texts), "no context token may be drawn blank"
    assert {"␣", "⏎", "⇥"} & set(texts)
    # Clouds carry their cluster's number, the one w.clusters() gives.
    numbers = page.locator(".rv-cloud-number").all_text_contents()
    _, words_frame = widget.clusters()
    assert sorted(numbers) == sorted(f"#{c}" for c in range(2))
    assert set(words_frame["cluster"]) <= {0, 1}


def accumulator_analysis() -> rv.Analysis:
    """A ReLU RNN that only adds: unit 0 gains 1 at "a" and loses 0.001 at "z" (its negative
    updates are negligible), over 30 copies of one sentence (its top contexts repeat)."""
    model = nn.Sequential(nn.Embedding(3, 1), nn.RNN(1, 2, nonlinearity="relu", bias=False, batch_first=True))
    with torch.no_grad():
        model[0].weight.copy_(torch.tensor([[1.0], [0.0], [-0.001]]))
        model[1].weight_ih_l0.copy_(torch.tensor([[1.0], [0.5]]))
        model[1].weight_hh_l0.copy_(torch.eye(2))
    return rv.analyze(model, [[0, 1, 0, 2, 1, 0]] * 30, ["a", "b", "z"], progress=False)


def test_repeated_contexts_once_and_negligible_updates_named(
    page: Page, demo_analysis: rv.Analysis, tmp_path: Path
) -> None:
    analysis = accumulator_analysis()
    top = analysis.contexts(0, "h", 0)
    K = top.values.shape[1]
    finite = [r for r in range(K) if np.isfinite(top.values[0, r, 0])]
    unique = {(f"{top.values[0, r, 0]:.4f}", tuple(top.windows[0, r, 0])) for r in finite}
    assert len(unique) < len(finite), "the case must repeat contexts"
    widget = rv.RNNVis(analysis, n_clusters=2, min_count=1, selected_units=[0])
    WidgetPage(page, widget, tmp_path)
    page.wait_for_selector(".rnnvis[data-ready='true']")
    lines = page.locator(".rv-contexts[data-sign='+'] .rv-context")
    expect(lines).to_have_count(len(unique))
    counts = lines.locator(".rv-context-repeat[data-count]").evaluate_all(
        "spans => spans.map((s) => Number(s.dataset.count))"
    )
    assert sum(counts) - len(counts) == len(finite) - len(unique)
    # Unit 0's strongest negative update (-0.001) is under 1 % of its positive one (+1).
    expect(page.locator(".rv-contexts[data-sign='-'] .rv-negligible")).to_contain_text("negligible")


def test_comparable_updates_are_not_called_negligible(
    page: Page, demo_analysis: rv.Analysis, tmp_path: Path
) -> None:
    top = demo_analysis.contexts(-1, "h", 0)
    neg = np.nanmax(np.abs(top.values[1]), axis=0)
    pos = np.nanmax(np.abs(top.values[0]), axis=0)
    loud = int(np.flatnonzero((neg > 0.5 * pos) & (pos > 0.5 * neg))[0])
    widget = rv.RNNVis(demo_analysis, selected_units=[loud])
    WidgetPage(page, widget, tmp_path)
    page.wait_for_selector(".rnnvis[data-ready='true']")
    expect(page.locator(".rv-unit-panel")).to_have_attribute("data-unit", str(loud))
    assert page.locator(".rv-contexts .rv-context").count() > 0
    assert page.locator(".rv-negligible").count() == 0
