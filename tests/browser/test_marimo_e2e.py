"""The widget in real marimo (`marimo run`, a server on 127.0.0.1) and real Chromium: it renders,
a hover and a k change work in the page, a change in the view reaches Python (a cell reading
``rv.marimo_view(w).value`` runs again), and a change from Python (a marimo slider's cell sets
``w.n_clusters``) reaches the view. ``.value`` holds the controls and selections only."""

from __future__ import annotations

import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest
from jupyter_support import Marimo
from playwright.sync_api import Browser, Page, expect

pytestmark = pytest.mark.browser

RUN_TIMEOUT_MS = 180_000

APP = '''
import marimo

app = marimo.App()


@app.cell
def _():
    import marimo as mo

    import rnnvis_widget as rv
    from rnnvis_widget.zoo import load_pretrained

    pre = load_pretrained("shakespeare-lstm")
    corpus = pre.data.test[:600]
    analysis = rv.analyze(pre.model, corpus, pre.vocab.words, forward=pre.forward, progress=False)
    w = rv.RNNVis(analysis, n_clusters=6)
    view = rv.marimo_view(w)
    return mo, view, w


@app.cell
def _(view):
    view
    return


@app.cell
def _(mo):
    k = mo.ui.slider(3, 12, value=6, label="k from Python")
    k
    return (k,)


@app.cell
def _(k, w):
    w.n_clusters = k.value
    return


@app.cell
def _(mo, view):
    state = view.value
    binary = sorted(n for n, v in state.items() if isinstance(v, (bytes, memoryview, dict)))
    pins = state["selected_words"]
    mo.md(f"kernel: k={state['n_clusters']} pinned={pins} keys={len(state)} binary={binary}")
    return
'''


@pytest.fixture
def marimo_page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1300, "height": 1000})
    try:
        yield context.new_page()
    finally:
        context.close()


@pytest.fixture
def server(tmp_path: Path) -> Iterator[Marimo]:
    (tmp_path / "app.py").write_text(textwrap.dedent(APP), encoding="utf-8")
    with Marimo(tmp_path, "app.py") as running:
        yield running


def kernel_line(page: Page) -> str:
    return page.locator("text=/^kernel: k=/").first.inner_text()


def test_widget_in_marimo_renders_and_syncs_both_ways(server: Marimo, marimo_page: Page) -> None:
    page = marimo_page
    page.goto(server.url)
    try:
        page.wait_for_selector(".rnnvis[data-ready='true']", timeout=RUN_TIMEOUT_MS)
        page.wait_for_selector("text=/^kernel: k=6 /", timeout=RUN_TIMEOUT_MS)
    except Exception:
        pytest.fail(f"marimo did not show the widget\n--- server log ---\n{server.log_tail()}")
    assert page.locator(".rnnvis .rv-chip").count() > 0
    assert "keys=10 binary=[]" in kernel_line(page), "value must be the controls only"

    # A hover works in the page: the word detail follows the word under the pointer.
    word = page.locator(".rnnvis .rv-cloud-word").first
    text = word.get_attribute("aria-label") or ""
    word.hover()
    # (marimo draws widgets in a shadow root: Playwright's locators reach into it, the DOM's
    # querySelector does not.)
    expect(page.locator(".rnnvis .rv-word-panel")).to_contain_text(text)

    # View -> Python: pin the word and change k in the view; the cell reading .value reruns.
    word.click()
    page.locator(".rnnvis .rv-clusters").evaluate(
        "el => { el.value = '9'; el.dispatchEvent(new Event('change', { bubbles: true })); }"
    )
    page.wait_for_selector(".rnnvis svg.rv-graph[data-clusters='9']", timeout=RUN_TIMEOUT_MS)
    page.wait_for_selector("text=/^kernel: k=9 /", timeout=RUN_TIMEOUT_MS)
    assert f"pinned=['{text}']" in kernel_line(page)

    # Python -> view: the slider's cell sets w.n_clusters; the view re-clusters.
    slider = page.locator("[role='slider']").first
    slider.focus()
    for _ in range(2):
        slider.press("ArrowLeft")
    page.wait_for_selector(".rnnvis svg.rv-graph[data-clusters='4']", timeout=RUN_TIMEOUT_MS)
    assert page.locator(".rnnvis .rv-clusters").input_value() == "4"
