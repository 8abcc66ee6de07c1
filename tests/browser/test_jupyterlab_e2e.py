"""The quickstart notebook in real JupyterLab and real Chromium: the widget renders, follows Python.

A JupyterLab server is started on 127.0.0.1 (isolated config, see `jupyter_support`), serving a
temporary copy of notebooks/quickstart.ipynb. Chromium opens it, waits for the kernel's "Idle" in
the status bar, runs the cells up to the widget, checks the rendered view, then runs the rest
(`w.layer = 0; w.n_words = 25`, ...) and checks that the view followed. On any failure the test
saves a screenshot under test-artifacts/ and reports the page's console and the server log.
"""

from __future__ import annotations

import json
import re
import shutil
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any, NoReturn

import pytest
from jupyter_support import REPO, JupyterLab, kernelspecs
from playwright.sync_api import Browser, ConsoleMessage, Page
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import TimeoutError as PlaywrightTimeout

pytestmark = pytest.mark.browser

ARTIFACTS = REPO / "test-artifacts"
NOTEBOOK = REPO / "notebooks" / "quickstart.ipynb"
KERNEL_TIMEOUT_MS = 90_000
RUN_TIMEOUT_MS = 180_000  # the first cell trains a model for ~4 s; analysis and imports add more

# The view's title names its layer, e.g. "rnn · layer 1 · h · 128 units · 27,544 tokens".
LAYER_0 = re.compile(r"layer\s?0(?!\d)")
LAYER_1 = re.compile(r"layer\s?1(?!\d)")
UNITS = re.compile(r"(\d+) units")
N_WORDS = 25  # the notebook's `w.n_words = 25`

# The status bar's kernel item reads "<kernel name> | <status>"; the notebook toolbar's indicator
# says idle before the kernel has even connected, so only this one is trusted.
KERNEL_IDLE_JS = """() => Array.from(
    document.querySelectorAll('#jp-main-statusbar .jp-StatusBar-TextItem')
  ).some((item) => /^(?!No Kernel).+ \\| Idle$/.test(item.textContent.trim()))"""

# The widget's DOM contract (js/index.ts, js/views/*.ts), read inside the notebook's output area:
# `.rnnvis` root with data-renders (one per drawn view) and data-ready="true" once the word-cloud
# layout has painted; `.rv-title`; an svg `.rv-graph[data-clusters]` holding one `.rv-chip` per
# hidden unit, one `.rv-cloud` per cluster with `.rv-cloud-word` labels, and `.rv-link` paths;
# `.rv-message` when the view could not be drawn.
WIDGET_JS = """() => {
  const roots = document.querySelectorAll('.jp-OutputArea-output .rnnvis');
  const root = roots[0];
  if (!root) return null;
  const graph = root.querySelector('svg.rv-graph');
  const box = graph ? graph.getBoundingClientRect() : {width: 0, height: 0};
  const words = Array.from(root.querySelectorAll('.rv-cloud-word'));
  return {
    views: roots.length,
    ready: root.dataset.ready === 'true',
    renders: Number(root.dataset.renders || 0),
    title: (root.querySelector('.rv-title') || {}).textContent || '',
    message: (root.querySelector('.rv-message') || {}).textContent || null,
    clusters: graph ? Number(graph.getAttribute('data-clusters')) : null,
    clouds: root.querySelectorAll('.rv-cloud').length,
    chips: root.querySelectorAll('.rv-chip').length,
    links: root.querySelectorAll('.rv-link').length,
    words: words.length,
    distinctWords: new Set(words.map((w) => w.getAttribute('data-word'))).size,
    emptyWords: words.filter((w) => !w.textContent.trim()).length,
    someWords: words.slice(0, 6).map((w) => w.textContent),
    graphWidth: box.width,
    graphHeight: box.height,
  };
}"""

# Error outputs. JupyterLab renders an `error` message (a traceback) and text on stderr with the
# mime type application/vnd.jupyter.stderr; a widget that fails to load shows "Error displaying
# widget" (or a model-not-found message) as plain output. tqdm's progress bars also go to stderr,
# so stderr counts as an error only when it reads like one.
ERRORS_JS = """() => {
  const stderrError = /Traceback|Error\\b|Exception\\b|Failed to/;
  const anyError = /Traceback \\(most recent call last\\)|Error displaying widget|model not found/i;
  const found = [];
  for (const out of document.querySelectorAll('.jp-OutputArea-output')) {
    const mime = out.getAttribute('data-mime-type') || '';
    const text = out.textContent || '';
    const stderr = mime === 'application/vnd.jupyter.stderr';
    if ((stderr && stderrError.test(text)) || anyError.test(text)) {
      found.push(mime + ': ' + text.slice(0, 2000));
    }
  }
  return found;
}"""


class Session:
    """The page under test plus everything needed to explain a failure."""

    def __init__(self, page: Page, lab: JupyterLab):
        self.page = page
        self.lab = lab
        self.console: list[str] = []
        page.on("console", self._on_console)
        page.on("pageerror", lambda error: self.console.append(f"[pageerror] {error}"))
        page.on("crash", lambda _page: self.console.append("[crash] the page crashed"))

    def _on_console(self, message: ConsoleMessage) -> None:
        if message.type in ("error", "warning"):
            self.console.append(f"[{message.type}] {message.text}")

    def fail(self, message: str) -> NoReturn:
        shot = ARTIFACTS / "jupyterlab-failure.png"
        try:
            ARTIFACTS.mkdir(exist_ok=True)
            self.page.screenshot(path=str(shot), full_page=True)
            saved = f"screenshot: {shot}"
        except PlaywrightError as error:
            saved = f"(no screenshot: {error})"
        widget = self._safe_eval(WIDGET_JS)
        status = self._safe_eval(
            "() => (document.querySelector('#jp-main-statusbar') || {}).innerText || null"
        )
        console = "\n".join(self.console) or "(none)"
        pytest.fail(
            f"{message}\n{saved}\nwidget DOM: {widget}\nstatus bar: {status!r}\n"
            f"--- browser console errors/warnings ---\n{console}\n"
            f"--- server log (tail) ---\n{self.lab.log_tail()}",
            pytrace=False,
        )

    def _safe_eval(self, script: str) -> Any:
        try:
            return self.page.evaluate(script)
        except PlaywrightError as error:
            return f"(unavailable: {error})"

    def wait_for(self, script: str, what: str, timeout_ms: int) -> None:
        """Wait until `script` (a JS function) returns true; fail at once on an error output."""
        watched = f"""() => {{
          const errors = ({ERRORS_JS})();
          if (errors.length) return {{errors}};
          return ({script})() ? {{errors: []}} : false;
        }}"""
        try:
            handle = self.page.wait_for_function(watched, timeout=timeout_ms, polling=250)
        except PlaywrightTimeout:
            self.fail(f"timed out after {timeout_ms / 1000:.0f} s waiting for {what}")
        errors = handle.json_value()["errors"]
        if errors:
            listed = "\n---\n".join(errors)
            self.fail(f"a cell produced error output while waiting for {what}:\n{listed}")

    def widget(self) -> dict[str, Any]:
        state = self.page.evaluate(WIDGET_JS)
        if state is None:
            self.fail("no .rnnvis widget in the notebook's output area")
        assert isinstance(state, dict)
        return state

    def wait_for_kernel_idle(self, what: str, timeout_ms: int = RUN_TIMEOUT_MS) -> None:
        self.wait_for(KERNEL_IDLE_JS, f"the kernel Idle in the status bar ({what})", timeout_ms)

    def run_menu(self, item: str) -> None:
        """Click Run > `item` in JupyterLab's main menu."""
        page = self.page
        try:
            menu_bar = page.locator("#jp-MainMenu .lm-MenuBar-itemLabel")
            menu_bar.filter(has_text=re.compile(r"^Run$")).click()
            entries = page.locator(".lm-Menu-content .lm-Menu-itemLabel")
            entries.filter(has_text=re.compile(f"^{re.escape(item)}$")).click()
        except PlaywrightTimeout:
            self.fail(f"could not click Run > {item}")

    def screenshot_widget(self, name: str) -> None:
        """Save test-artifacts/`name`: the notebook scrolled to the widget's cell."""
        self.page.evaluate(
            """() => document.querySelector('.jp-OutputArea-output .rnnvis')
                       .closest('.jp-CodeCell').scrollIntoView({block: 'start'})"""
        )
        self.page.wait_for_timeout(300)  # let the notebook paint the cells scrolled in
        ARTIFACTS.mkdir(exist_ok=True)
        self.page.screenshot(path=str(ARTIFACTS / name))

    def select_cell(self, source_start: str) -> None:
        """Select (command mode) the code cell whose source starts with `source_start`."""
        cell = self.page.locator(".jp-Notebook .jp-CodeCell").filter(
            has=self.page.locator(".jp-InputArea-editor", has_text=source_start)
        )
        try:
            cell.first.locator(".jp-InputPrompt").click()
        except PlaywrightTimeout:
            self.fail(f"no code cell starting with {source_start!r}")


@pytest.fixture
def lab_page(browser: Browser) -> Iterator[Page]:
    """A page in a fresh context of the session's Debian Chromium (conftest's `browser`: one
    sync Playwright per session, so this test shares it rather than launching its own)."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    try:
        yield context.new_page()
    finally:
        context.close()


@pytest.fixture
def lab(tmp_path: Path) -> Iterator[JupyterLab]:
    """JupyterLab serving a directory that holds a copy of the quickstart notebook."""
    served = tmp_path / "served"
    served.mkdir()
    shutil.copy(NOTEBOOK, served / NOTEBOOK.name)
    with JupyterLab(served) as server:
        # The isolated data dir holds no kernelspec: python3 must still come from this venv.
        specs = kernelspecs(server.env)
        assert "python3" in specs, f"no python3 kernelspec: {specs}"
        venv_kernels = Path(sys.prefix, "share", "jupyter", "kernels").resolve()
        assert Path(specs["python3"]["resource_dir"]).resolve().parent == venv_kernels, specs
        assert "python3" in server.api("/api/kernelspecs")["kernelspecs"]
        yield server


def test_quickstart_widget_renders_and_follows_python(lab: JupyterLab, lab_page: Page) -> None:
    started = time.monotonic()
    session = Session(lab_page, lab)
    try:
        second = drive_quickstart(session)
    except AssertionError as error:
        # Plain asserts too get the screenshot, the console and the server log.
        session.fail(f"assertion failed: {error}")
    print(f"JupyterLab e2e: {time.monotonic() - started:.1f} s in the browser; widget {second}")


def check_painted(widget: dict[str, Any]) -> None:
    """The view was drawn from real data: a chip per unit, clusters with words and links."""
    assert widget["message"] is None, f"the widget shows a message instead of a view: {widget}"
    assert widget["views"] == 1, widget
    assert widget["ready"], widget
    units = UNITS.search(widget["title"])
    assert units, f"no unit count in the title: {widget}"
    assert widget["chips"] == int(units.group(1)) > 0, f"one .rv-chip per unit: {widget}"
    assert widget["clusters"] and widget["clouds"] == widget["clusters"] >= 2, widget
    assert widget["words"] > 0 and widget["emptyWords"] == 0, widget
    assert widget["links"] > 0, widget
    assert widget["graphWidth"] > 0 and widget["graphHeight"] > 0, widget


def drive_quickstart(session: Session) -> dict[str, Any]:
    """Open, run and check the quickstart notebook; return the widget's final DOM state."""
    page, lab = session.page, session.lab
    page.goto(f"{lab.url}/lab/tree/{NOTEBOOK.name}")
    session.wait_for(
        "() => document.querySelectorAll('.jp-Notebook .jp-CodeCell').length > 0",
        "the notebook's cells",
        KERNEL_TIMEOUT_MS,
    )
    session.wait_for_kernel_idle("after opening the notebook", KERNEL_TIMEOUT_MS)

    # Phase 1: run everything above `w.layer = 0` (imports, model, analysis, the widget).
    session.select_cell("w.layer = 0")
    session.run_menu("Run All Above Selected Cell")
    session.wait_for(
        f"""() => {{ const w = ({WIDGET_JS})();
                    return !!w && (w.message !== null || (w.ready && w.words > 0)); }}""",
        "the widget (.rnnvis, painted: data-ready=true, with .rv-cloud-word labels)",
        RUN_TIMEOUT_MS,
    )
    session.wait_for_kernel_idle("after running the cells up to the widget")
    first = session.widget()
    check_painted(first)
    assert LAYER_1.search(first["title"]), f"the last layer (1) is shown first: {first}"
    assert first["distinctWords"] > N_WORDS, f"default n_words shows more than {N_WORDS}: {first}"
    session.screenshot_widget("jupyterlab.png")  # the default view, for the README

    # Phase 2: run the rest; `w.layer = 0; w.n_words = 25` must re-render the live view.
    session.select_cell("w.layer = 0")
    session.run_menu("Run Selected Cell and All Below")
    session.wait_for(
        f"""() => {{ const w = ({WIDGET_JS})();
                    return !!w && (w.message !== null || (w.ready && w.renders > {first["renders"]}
                      && /layer\\s?0(?!\\d)/.test(w.title) && w.words > 0
                      && w.distinctWords <= {N_WORDS})); }}""",
        f"the widget to show layer 0 with at most {N_WORDS} words after `w.layer = 0; w.n_words = {N_WORDS}`",
        RUN_TIMEOUT_MS,
    )
    session.wait_for(
        """() => Array.from(document.querySelectorAll('.jp-Notebook .jp-CodeCell .jp-InputPrompt'))
                 .every((prompt) => /\\[\\d+\\]/.test(prompt.textContent))""",
        "every code cell to have an execution count",
        RUN_TIMEOUT_MS,
    )
    # Idle comes on IOPub after the last cell's outputs, so every output is in the page now.
    session.wait_for_kernel_idle("after running all cells")
    second = session.widget()
    check_painted(second)
    assert LAYER_0.search(second["title"]) and not LAYER_1.search(second["title"]), second
    assert second["distinctWords"] <= N_WORDS, second
    assert second["renders"] > first["renders"], f"no re-render: {first} -> {second}"

    errors = page.evaluate(ERRORS_JS)
    if errors:
        session.fail("cells produced error output:\n" + "\n---\n".join(errors))
    snapshot = Path(lab.notebook_dir) / "quickstart-snapshot.html"
    assert snapshot.is_file() and snapshot.stat().st_size > 0, "w.save_html wrote nothing"

    session.screenshot_widget("jupyterlab-layer0.png")
    check_sentences_survive_a_reload(session)
    return second


# Glyph count of each sentence row of the widget in the output area.
SENTENCE_ROWS_JS = """() => Array.from(
    document.querySelectorAll('.jp-OutputArea-output .rnnvis .rv-sentence')
  ).map((row) => row.querySelectorAll('.rv-glyph').length)"""
SENTENCES = ("to be or not to be", "my lord , i will go")


def wait_for_sentence_rows(session: Session, what: str) -> None:
    """Wait until the widget draws one row of glyphs per sentence of SENTENCES, a glyph per word."""
    counts = json.dumps(json.dumps([len(text.split()) for text in SENTENCES], separators=(",", ":")))
    session.wait_for(
        f"() => JSON.stringify(({SENTENCE_ROWS_JS})()) === {counts}",
        what,
        RUN_TIMEOUT_MS,
    )


def check_sentences_survive_a_reload(session: Session) -> None:
    """Phase 3: the sentence box runs the live model in the real kernel; after a page reload the
    view is rebuilt from the kernel's state, where only the last sentence's states wait, and the
    browser asks the kernel for the others (trait sentence_states_wanted)."""
    page = session.page
    box = page.locator(".jp-OutputArea-output .rnnvis .rv-sentence-text").first
    for text in SENTENCES:
        box.fill(text)
        box.press("Enter")
        session.wait_for(
            f"() => ({SENTENCE_ROWS_JS})().length >= {SENTENCES.index(text) + 1}",
            f"the sentence {text!r} drawn after Enter in the text box",
            RUN_TIMEOUT_MS,
        )
    wait_for_sentence_rows(session, "both typed sentences drawn, a glyph per word")
    # Saved, so the reloaded notebook has the widget's output to rebuild from the live kernel.
    session.select_cell("w.selected_words")
    page.keyboard.press("Control+s")
    session.wait_for(
        "() => !document.querySelector('.jp-mod-current.jp-mod-dirty, .jp-Document.jp-mod-dirty')",
        "the notebook saved (Ctrl+S)",
        KERNEL_TIMEOUT_MS,
    )
    page.reload()
    session.wait_for(
        f"() => {{ const w = ({WIDGET_JS})(); return !!w && w.ready; }}",
        "the widget rebuilt from the kernel after a page reload",
        RUN_TIMEOUT_MS,
    )
    wait_for_sentence_rows(session, "both sentences' glyphs after a reload (states asked of the kernel)")
