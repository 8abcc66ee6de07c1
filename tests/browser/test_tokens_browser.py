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


def test_repeated_contexts_once_and_negligible_updates_named(
    page: Page, demo_analysis: rv.Analysis, tmp_path: Path
) -> None:
    top = demo_analysis.contexts(-1, "h", 0)
    K = top.values.shape[1]

    def distinct(unit: int, sign: int) -> tuple[int, int]:
        finite = [r for r in range(K) if np.isfinite(top.values[sign, r, unit])]
        keys = {(f"{top.values[sign, r, unit]:.4f}", tuple(top.windows[sign, r, unit])) for r in finite}
        return len(finite), len(keys)

    repeated = next(
        (u, s) for u in range(top.values.shape[2]) for s in (0, 1) if np.subtract(*distinct(u, s)) > 0
    )
    unit, sign = repeated
    widget = rv.RNNVis(demo_analysis, selected_units=[unit])
    host = WidgetPage(page, widget, tmp_path)
    page.wait_for_selector(".rnnvis[data-ready='true']")
    lines = page.locator(f".rv-contexts[data-sign='{'-' if sign else '+'}'] .rv-context")
    total, unique = distinct(unit, sign)
    expect(lines).to_have_count(unique)
    counts = lines.locator(".rv-context-repeat[data-count]").evaluate_all(
        "spans => spans.map((s) => Number(s.dataset.count))"
    )
    assert sum(counts) - len(counts) == total - unique

    # A unit whose strongest negative update is under 1 % of its strongest positive one.
    neg = np.nanmax(np.abs(top.values[1]), axis=0)
    pos = np.nanmax(np.abs(top.values[0]), axis=0)
    quiet = int(np.flatnonzero(neg < 0.01 * pos)[0])
    widget.selected_units = [quiet]
    host.push()
    expect(page.locator(".rv-contexts[data-sign='-'] .rv-negligible")).to_contain_text("negligible")
    loud = int(np.flatnonzero(neg > 0.5 * pos)[0])
    widget.selected_units = [loud]
    host.push()
    expect(page.locator(".rv-unit-panel")).to_have_attribute("data-unit", str(loud))
    assert page.locator(".rv-negligible").count() == 0
