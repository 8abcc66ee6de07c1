"""The demo: the shipped Shakespeare LSTM, analysed on held-out lines, saved as an offline
snapshot. Nothing is trained on this path."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..analysis import Analysis, analyze
from ..view import RNNVis
from .corpora import Vocabulary
from .models import LanguageModel
from .pretrained import load_pretrained

DEMO_MODEL = "shakespeare-lstm"
#: Held-out lines the demo analyses: about 36k tokens, enough for stable means of frequent
#: words, small enough to analyse in seconds on a laptop CPU.
DEMO_LINES = 4000


@dataclass
class DemoRun:
    """The demo model with its vocabulary and corpus: `train` and `held_out` are lists of
    token-id lists (`held_out` is the first `DEMO_LINES` lines of the test split)."""

    model: LanguageModel
    vocab: Vocabulary
    train: list[list[int]]
    held_out: list[list[int]]
    metrics: dict[str, float]


def load_demo_run(lines: int | None = None) -> DemoRun:
    """The shipped Shakespeare LSTM (2 x 128) and its data, from the package (no training);
    `held_out` is the first `lines` test lines (default `DEMO_LINES`)."""
    pre = load_pretrained(DEMO_MODEL)
    assert isinstance(pre.model, LanguageModel)
    count = DEMO_LINES if lines is None else lines
    return DemoRun(pre.model, pre.vocab, pre.data.train, pre.data.test[:count], pre.metrics)


def build_demo(out: str | Path = "demo.html", progress: bool = True) -> tuple[Path, Analysis]:
    """Analyse the shipped model's held-out lines and write the snapshot to `out`."""
    run = load_demo_run()
    analysis = analyze(run.model, run.held_out, run.vocab.words, progress=progress)
    widget = RNNVis(analysis)
    # Both layers, h and c: the demo shows everything the model has, offline.
    path = widget.save_html(out, title="rnnvis demo: Shakespeare LSTM", slots="all")
    return Path(path), analysis
