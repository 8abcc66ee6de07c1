"""Snapshot size and time to interactive for the reference model of issue 6.

A 2-layer, 600-unit LSTM (embedding 200) with a 10,000-word vocabulary, read over Shakespeare;
300 display words; k 2..20 precomputed; the default layer and state in full detail. Weights are
untrained: size and speed do not depend on them. Prints one JSON line.
Run: .venv/bin/python benchmarks/snapshot.py
"""

from __future__ import annotations

import hashlib
import json
import sys
import tempfile
import time
from pathlib import Path

import torch
from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests" / "browser"))

from browser_support import launch_chromium  # noqa: E402
from common import LanguageModel, shakespeare_corpus  # noqa: E402

import rnnvis_widget as rv  # noqa: E402

VOCAB = 10_000
TOKENS = 20_000
GOAL_BYTES = 5_000_000


def main() -> None:
    torch.manual_seed(0)
    corpus, words = shakespeare_corpus(TOKENS, max_vocab=VOCAB)
    analysis = rv.analyze(LanguageModel(VOCAB, readout=False), corpus, words, progress=False)
    widget = rv.RNNVis(analysis, n_clusters=10)

    with tempfile.TemporaryDirectory() as tmp:
        start = time.perf_counter()
        first = widget.save_html(Path(tmp) / "a.html")
        save_s = time.perf_counter() - start
        second = rv.RNNVis(analysis, n_clusters=10).save_html(Path(tmp) / "b.html")
        size = first.stat().st_size
        identical = first.read_bytes() == second.read_bytes()
        with sync_playwright() as playwright:
            browser = launch_chromium(playwright)
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            page.goto(first.as_uri())
            page.wait_for_selector(".rnnvis[data-ready='true']", timeout=60_000)
            ready_ms = float(page.eval_on_selector(".rnnvis", "el => Number(el.dataset.paintedAt)"))
            browser.close()
        digest = hashlib.sha256(first.read_bytes()).hexdigest()[:16]

    print(
        json.dumps(
            {
                "benchmark": "snapshot",
                "model": "LSTM 2x600, vocab 10000",
                "tokens": analysis.n_tokens,
                "display_words": 300,
                "ks": "2..20",
                "bytes": size,
                "goal_bytes": GOAL_BYTES,
                "interactive_ms": round(ready_ms, 1),
                "goal_interactive_ms": 1000,
                "byte_identical": identical,
                "sha256_16": digest,
                "save_s": round(save_s, 2),
            }
        )
    )


if __name__ == "__main__":
    main()
