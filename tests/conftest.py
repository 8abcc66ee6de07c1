"""Shared fixtures: a real model trained briefly on a real corpus, and real Chromium."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

import rnnvis_widget as rv
from rnnvis_widget.zoo.demo import DemoRun, train_demo_model


@pytest.fixture(scope="session")
def demo_run() -> DemoRun:
    """The demo LSTM (2 x 64) after two seconds of training on five Shakespeare plays."""
    return train_demo_model(seconds=2.0, seed=0)


@pytest.fixture(scope="session")
def demo_analysis(demo_run: DemoRun) -> rv.Analysis:
    return rv.analyze(demo_run.model, demo_run.held_out, demo_run.vocab.words, progress=False)


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    from browser_support import launch_chromium
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = launch_chromium(playwright)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def page(browser: object, tmp_path: Path) -> Iterator[object]:
    from playwright.sync_api import Browser

    assert isinstance(browser, Browser)
    context = browser.new_context(viewport={"width": 1100, "height": 900})
    page = context.new_page()
    try:
        yield page
    finally:
        context.close()
