"""Sentence view speed in real Chromium, on the issues' reference 2 x 600 LSTM.

- typed sentence: time from Enter in the text box to its glyphs drawn, for 50-token sentences,
  through the kernel (the page harness plays the kernel in this process: the model runs, every
  layer is captured, the payload goes back);
- k change with 10 stacked 50-token sentences: how long the sentence view's redraw takes once
  the new clustering is there (glyph numbers are computed in the browser), and the whole round
  trip from moving the clusters control to the sentences redrawn.

Prints one JSON line. Run: .venv/bin/python benchmarks/sentence.py
"""

from __future__ import annotations

import json
import statistics
import sys
import tempfile
from pathlib import Path

import torch
from playwright.sync_api import Page, sync_playwright

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests" / "browser"))

from browser_support import WidgetPage, launch_chromium  # noqa: E402
from common import LanguageModel, shakespeare_corpus  # noqa: E402

import rnnvis_widget as rv  # noqa: E402

TOKENS = 10_000
SENTENCE_TOKENS = 50
STACKED = 10


def sentence(words: list[str], start: int) -> str:
    """50 vocabulary words (no <unk>), different for each start."""
    usable = [w for w in words if w.isalpha()]
    return " ".join(usable[(start * 7 + i * 13) % len(usable)] for i in range(SENTENCE_TOKENS))


def drawn_at(page: Page) -> float:
    return float(page.get_attribute(".rv-sentences", "data-drawn-at") or "nan")


def typed_sentence_ms(page: Page, text: str, count: int) -> float:
    page.fill(".rv-sentence-text", text)
    page.evaluate("() => { window.rvT0 = performance.now(); }")
    page.press(".rv-sentence-text", "Enter")
    page.wait_for_selector(f".rv-sentences[data-count='{count}']", timeout=60_000)
    return drawn_at(page) - float(page.evaluate("() => window.rvT0"))


def k_change(page: Page, k: int) -> tuple[float, float]:
    """(sentence redraw ms, round trip ms) of moving the clusters control to k."""
    page.evaluate(
        """(k) => { window.rvT0 = performance.now();
          const el = document.querySelector('.rv-clusters'); el.value = String(k);
          el.dispatchEvent(new Event('change')); }""",
        k,
    )
    page.wait_for_selector(f".rv-sentences[data-k='{k}']", timeout=60_000)
    redraw = float(page.get_attribute(".rv-sentences", "data-redraw-ms") or "nan")
    return redraw, drawn_at(page) - float(page.evaluate("() => window.rvT0"))


def main() -> None:
    torch.manual_seed(0)
    corpus, words = shakespeare_corpus(TOKENS, max_vocab=10_000)
    model = LanguageModel(len(words), readout=False).eval()
    analysis = rv.analyze(model, corpus, words, progress=False)
    typed_widget = rv.RNNVis(analysis, model=model, n_clusters=10)
    stacked_widget = rv.RNNVis(analysis, model=model, n_clusters=10)
    for i in range(STACKED):
        stacked_widget.add_sentence(sentence(words, 100 + i))

    with sync_playwright() as playwright, tempfile.TemporaryDirectory() as tmp:
        browser = launch_chromium(playwright)
        page = browser.new_page(viewport={"width": 1300, "height": 1000})
        WidgetPage(page, typed_widget, Path(tmp))
        page.wait_for_selector(".rnnvis[data-ready='true']", timeout=60_000)
        typed = [typed_sentence_ms(page, sentence(words, i), i + 1) for i in range(5)]

        page = browser.new_page(viewport={"width": 1300, "height": 1000})
        (Path(tmp) / "stacked").mkdir()
        WidgetPage(page, stacked_widget, Path(tmp) / "stacked")
        page.wait_for_selector(".rnnvis[data-ready='true']", timeout=60_000)
        page.wait_for_selector(f".rv-sentences[data-count='{STACKED}']")
        changes = [k_change(page, k) for k in (12, 8, 16, 6, 10)]
        browser.close()

    print(
        json.dumps(
            {
                "benchmark": "sentence",
                "units": 600,
                "layers": 2,
                "sentence_tokens": SENTENCE_TOKENS,
                "enter_to_glyphs_ms_median": round(statistics.median(typed), 1),
                "enter_to_glyphs_ms_max": round(max(typed), 1),
                "enter_to_glyphs_ms_each": [round(t, 1) for t in typed],
                "stacked_sentences": STACKED,
                "k_change_sentence_redraw_ms_median": round(statistics.median(c[0] for c in changes), 1),
                "k_change_sentence_redraw_ms_max": round(max(c[0] for c in changes), 1),
                "k_change_round_trip_ms_median": round(statistics.median(c[1] for c in changes), 1),
                "goals": {"enter_to_glyphs_ms": 300, "k_change_redraw_ms": 100},
            }
        )
    )


if __name__ == "__main__":
    main()
