"""The quickstart notebook in real Jupyter Notebook 7 and real Chromium: the widget renders, a
hover and a k change work in the page, a pin made in the view reads back in Python, and Python's
`w.layer = 0; w.n_words = 25` re-renders the view. A server on 127.0.0.1, stopped by its PID."""

from __future__ import annotations

import re
import shutil
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from jupyter_support import Notebook7
from playwright.sync_api import Browser, Locator, Page, expect

pytestmark = pytest.mark.browser

NOTEBOOK = Path(__file__).resolve().parents[2] / "notebooks" / "quickstart.ipynb"
RUN_TIMEOUT_MS = 240_000
WIDGET = ".jp-OutputArea-output .rnnvis"


@pytest.fixture
def server(tmp_path: Path) -> Iterator[Notebook7]:
    served = tmp_path / "served"
    served.mkdir()
    shutil.copy(NOTEBOOK, served / NOTEBOOK.name)
    with Notebook7(served) as running:
        yield running


@pytest.fixture
def notebook_page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1300, "height": 1000})
    try:
        yield context.new_page()
    finally:
        context.close()


def run_menu(page: Page, item: str) -> None:
    page.locator(".lm-MenuBar-itemLabel").filter(has_text=re.compile(r"^Run$")).click()
    page.locator(".lm-Menu-itemLabel").filter(has_text=re.compile(f"^{re.escape(item)}$")).click()


def wait_for_idle_kernel(server: Notebook7, timeout: float = RUN_TIMEOUT_MS / 1000) -> None:
    """Until the page's kernel has started and is idle (a Run sent earlier can be lost)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        sessions = server.api("/api/sessions")
        if sessions and all(s["kernel"]["execution_state"] == "idle" for s in sessions):
            return
        time.sleep(0.25)
    pytest.fail(f"no idle kernel after {timeout:.0f} s: {server.api('/api/sessions')}")


def cell(page: Page, source_start: str) -> Locator:
    return page.locator(".jp-Notebook .jp-CodeCell").filter(
        has=page.locator(".jp-InputArea-editor", has_text=source_start)
    ).first


def test_quickstart_in_notebook7(server: Notebook7, notebook_page: Page) -> None:
    page = notebook_page
    page.goto(f"{server.url}/notebooks/{NOTEBOOK.name}")
    page.wait_for_selector(".jp-Notebook .jp-CodeCell", timeout=RUN_TIMEOUT_MS)
    wait_for_idle_kernel(server)
    run_menu(page, "Run All Cells")
    try:
        page.wait_for_selector(f"{WIDGET}[data-ready='true']", timeout=RUN_TIMEOUT_MS)
        page.wait_for_function(
            """() => [...document.querySelectorAll('.jp-Notebook .jp-CodeCell .jp-InputPrompt')]
                     .every((p) => /\\[\\d+\\]/.test(p.textContent))""",
            timeout=RUN_TIMEOUT_MS,
        )
    except Exception:
        pytest.fail(f"Notebook 7 did not run the quickstart\n--- server log ---\n{server.log_tail()}")
    widget = page.locator(WIDGET).first
    # The last cells ran: `w.layer = 0; w.n_words = 25` re-rendered the view (Python -> view).
    expect(widget.locator(".rv-title")).to_contain_text(re.compile(r"layer\s?0(?!\d)"))
    assert widget.locator(".rv-chip").count() > 0
    words = widget.locator(".rv-cloud-word")
    assert 0 < len(set(words.evaluate_all("ws => ws.map((w) => w.getAttribute('data-word'))"))) <= 25

    # A hover: the word detail follows the word under the pointer.
    word = words.first
    text = word.get_attribute("aria-label") or ""
    word.hover()
    expect(widget.locator(".rv-word-panel")).to_contain_text(text)

    # A k change in the view re-clusters through the kernel.
    set_k = "el => { el.value = '5'; el.dispatchEvent(new Event('change')); }"
    widget.locator(".rv-clusters").evaluate(set_k)
    expect(widget.locator("svg.rv-graph")).to_have_attribute("data-clusters", "5", timeout=RUN_TIMEOUT_MS)
    page.wait_for_selector(f"{WIDGET}[data-ready='true']", timeout=RUN_TIMEOUT_MS)

    # View -> Python: pin a word, run `w.selected_words` again, read it in its output.
    pinned = widget.locator(".rv-cloud-word").first
    pinned_text = pinned.get_attribute("aria-label") or ""
    pinned.click()
    reader = cell(page, "w.selected_words")
    reader.locator(".jp-InputPrompt").click()
    page.keyboard.press("Shift+Enter")
    expect(reader.locator(".jp-OutputArea-output")).to_contain_text(repr(pinned_text), timeout=RUN_TIMEOUT_MS)
