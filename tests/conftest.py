"""Shared fixtures: a real model trained on a real corpus (shipped in the package), and real Chromium."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

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
