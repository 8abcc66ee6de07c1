"""Shared fixtures: a real model trained on a real corpus (shipped in the package)."""

from __future__ import annotations

import pytest

import rnnvis_widget as rv
from rnnvis_widget.zoo.demo import DemoRun, load_demo_run


@pytest.fixture(scope="session")
def demo_run() -> DemoRun:
    """The shipped Shakespeare LSTM (2 layers) and the first held-out lines of its test split."""
    return load_demo_run(lines=2000)


@pytest.fixture(scope="session")
def demo_analysis(demo_run: DemoRun) -> rv.Analysis:
    return rv.analyze(demo_run.model, demo_run.held_out, demo_run.vocab.words, progress=False)
