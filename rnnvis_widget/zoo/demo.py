"""The demo: the shipped Shakespeare LSTM, analysed on held-out lines, saved as an offline
snapshot. Nothing is trained on this path."""

from __future__ import annotations

import sys
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
    """The demo model with its vocabulary and corpus.

    Attributes
    ----------
    model : LanguageModel
    vocab : Vocabulary
    train : list of list of int
        Token ids of the training split.
    held_out : list of list of int
        Token ids of the first lines of the test split (``DEMO_LINES`` by default).
    metrics : dict of str to float
        The model's recorded metrics.
    """

    model: LanguageModel
    vocab: Vocabulary
    train: list[list[int]]
    held_out: list[list[int]]
    metrics: dict[str, float]


def load_demo_run(lines: int | None = None) -> DemoRun:
    """The shipped Shakespeare LSTM (2 x 128) and its data, from the package (no training).

    Parameters
    ----------
    lines : int, optional
        How many test lines to hold out for the analysis; default ``DEMO_LINES``.

    Returns
    -------
    DemoRun
    """
    pre = load_pretrained(DEMO_MODEL)
    assert isinstance(pre.model, LanguageModel)
    count = DEMO_LINES if lines is None else lines
    return DemoRun(pre.model, pre.vocab, pre.data.train, pre.data.test[:count], pre.metrics)


def build_demo(out: str | Path = "demo.html", progress: bool = True) -> tuple[Path, Analysis]:
    """Analyse the shipped model's held-out lines and write the snapshot.

    Parameters
    ----------
    out : str or Path, default "demo.html"
        Where to write the offline HTML snapshot (both layers, ``h`` and ``c``).
    progress : bool, default True
        Say each step on stderr and show progress bars for the long ones (analysis,
        co-clustering, writing the snapshot).

    Returns
    -------
    path : Path
        The snapshot written.
    analysis : Analysis
        The analysis it shows.
    """
    say = _say if progress else _quiet
    say(f"loading the shipped {DEMO_MODEL} model and its held-out lines")
    run = load_demo_run()
    say(f"analysing {len(run.held_out):,} held-out lines (every state of both layers)")
    analysis = analyze(run.model, run.held_out, run.vocab.words, progress=progress)
    say(f"co-clustering every layer and state for k = 2..20, then writing {out}")
    widget = RNNVis(analysis)
    # Both layers, h and c: the demo shows everything the model has, offline.
    path = widget.save_html(out, title="rnnvis demo: Shakespeare LSTM", slots="all", progress=progress)
    return Path(path), analysis


def _say(message: str) -> None:
    """A step of the demo, on stderr beside the progress bars (stdout keeps the results)."""
    print(f"rnnvis demo: {message}", file=sys.stderr, flush=True)


def _quiet(message: str) -> None:
    """Says nothing: the demo runs with ``progress=False``."""
