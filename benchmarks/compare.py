"""Comparison view speed in real Chromium: first paint and linked hover.

Two analyses of the issues' reference 2 x 600 LSTM (untrained, two seeds, which changes nothing
about drawing) over the same Shakespeare slice, compared on their last layers with 300 display
words and k = 10 per side.

- first paint: from the start of the page load to both sides drawn (the root's
  `data-ready='true'`, its `data-painted-at` on the page's `performance.now()` clock, which
  starts at navigation);
- linked hover: from `mouseenter` on a left-side cloud word to the same word marked
  `rv-hovered` on the right side and the next frame reached, over up to 25 words shown on both
  sides. `linked_hover_script_ms_*`: the part of it spent in the event handler, when the mark
  is already set as `dispatchEvent` returns (the rest is waiting for the next frame).

Prints one JSON line. Run: .venv/bin/python benchmarks/compare.py
"""

from __future__ import annotations

import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

import torch
from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests" / "browser"))

from browser_support import WidgetPage, launch_chromium  # noqa: E402
from common import LanguageModel, shakespeare_corpus  # noqa: E402

import rnnvis_widget as rv  # noqa: E402

TOKENS = 12_000
WORDS = 300
K = 10
HOVERS = 25

LINKED_HOVER_JS = """async (n) => {
  const side = (s) => document.querySelector(`.rv-compare-side[data-side='${s}']`);
  const rightWords = new Set([...side(1).querySelectorAll('.rv-cloud-word')].map((e) => e.textContent));
  const words = [...side(0).querySelectorAll('.rv-cloud-word')]
    .filter((e) => rightWords.has(e.textContent)).slice(0, n);
  const marked = (text) => [...side(1).querySelectorAll('.rv-cloud-word.rv-hovered')]
    .some((e) => e.textContent === text);
  const times = [];
  const script = [];
  let missed = 0;
  for (const word of words) {
    const text = word.textContent;
    const t0 = performance.now();
    word.dispatchEvent(new MouseEvent('mouseenter'));
    if (marked(text)) script.push(performance.now() - t0);
    let frames = 0;
    do { await new Promise(requestAnimationFrame); frames += 1; } while (!marked(text) && frames < 120);
    if (marked(text)) times.push(performance.now() - t0); else missed += 1;
    word.dispatchEvent(new MouseEvent('mouseleave'));
    await new Promise(requestAnimationFrame);
  }
  return { times, script, missed, candidates: words.length };
}"""


def analysis(seed: int, corpus: list[list[int]], words: list[str]) -> rv.Analysis:
    torch.manual_seed(seed)
    model = LanguageModel(len(words), readout=False).eval()
    return rv.analyze(model, corpus, words, progress=False)


def main() -> None:
    corpus, words = shakespeare_corpus(TOKENS, max_vocab=10_000)
    left, right = analysis(0, corpus, words), analysis(1, corpus, words)
    start = time.perf_counter()
    cmp = rv.compare(left, right, labels=("LSTM seed 0", "LSTM seed 1"), n_clusters=K, n_words=WORDS)
    kernel_compare_s = time.perf_counter() - start

    try:
        with sync_playwright() as playwright, tempfile.TemporaryDirectory() as tmp:
            browser = launch_chromium(playwright)
            page = browser.new_page(viewport={"width": 1300, "height": 1000})
            WidgetPage(page, cmp.widget, Path(tmp), entry="compare")
            page.wait_for_selector(".rnnvis[data-ready='true']", timeout=60_000)
            first_paint_ms = float(page.eval_on_selector(".rnnvis", "el => Number(el.dataset.paintedAt)"))
            clusters = page.get_attribute(".rv-compare-graph", "data-clusters")
            shown = page.evaluate(
                "() => [0, 1].map((s) => document.querySelectorAll("
                "`.rv-compare-side[data-side='${s}'] .rv-cloud-word`).length)"
            )
            hover = page.evaluate(LINKED_HOVER_JS, HOVERS)
            browser.close()
    finally:
        cmp.close()

    times, script = hover["times"], hover["script"]
    print(
        json.dumps(
            {
                "benchmark": "compare",
                "units": [
                    int(cmp.left.view["words"]["response"]["shape"][1]),
                    int(cmp.right.view["words"]["response"]["shape"][1]),
                ],
                "display_words": [len(cmp.left.view["words"]["text"]), len(cmp.right.view["words"]["text"])],
                "cloud_words_drawn": shown,
                "k": clusters,
                "first_paint_ms": round(first_paint_ms, 1),
                "linked_hover_ms_median": round(statistics.median(times), 2) if times else None,
                "linked_hover_ms_max": round(max(times), 2) if times else None,
                "linked_hover_script_ms_median": round(statistics.median(script), 2) if script else None,
                "linked_hover_script_ms_max": round(max(script), 2) if script else None,
                "linked_hovers": len(times),
                "linked_hover_missed": hover["missed"],
                "kernel_compare_s": round(kernel_compare_s, 3),
                "goals": {"first_paint_ms": 1500, "linked_hover_ms": 30},
            }
        )
    )


if __name__ == "__main__":
    main()
