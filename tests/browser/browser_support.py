"""Real Chromium for the browser tests, and a page that hosts a live widget without a server.

`WidgetPage` loads the widget's own bundle through the snapshot boot (js/snapshot.ts) and plays
the kernel's part of the comm protocol: every `save_changes` in the browser is applied to the
Python widget with `set_state`, observers run as in a kernel, and the traits they change are
sent back as the reply. Changes made from Python are pushed with `push()`.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from playwright.sync_api import Browser, Page, Playwright

from rnnvis_widget.view._export import _inline_buffers, snapshot_html, widget_state

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
]


def launch_chromium(playwright: Playwright) -> Browser:
    """Debian's Chromium, headless; never a downloaded browser. Playwright gives every launch a
    fresh, empty profile of its own (it refuses a --user-data-dir flag)."""
    if not os.access(CHROMIUM, os.X_OK):
        raise RuntimeError(f"{CHROMIUM} not found: install Debian chromium (`make test` does it)")
    return playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_FLAGS)


class WidgetPage:
    """A Chromium page showing `widget`, kept in sync with it both ways; `entry` names its
    bundle ("compare" for a comparison's widget)."""

    def __init__(self, page: Page, widget: Any, directory: Path, entry: str = "index"):
        self.page = page
        self.widget = widget
        self.names = sorted(widget_state(widget))
        self._changed: set[str] = set()
        widget.observe(self._record, names=self.names)
        page.expose_function("rnnvisKernel", self._from_browser)
        path = directory / "widget.html"
        path.write_text(snapshot_html(widget_state(widget), entry=entry), encoding="utf-8")
        page.goto(path.as_uri())
        page.wait_for_selector("#rnnvis-root[data-booted='true']")

    def _record(self, change: dict[str, Any]) -> None:
        self._changed.add(change["name"])

    def _pending_state(self) -> dict[str, Any]:
        names, self._changed = sorted(self._changed), set()
        return {name: _inline_buffers(self.widget.get_state(name)[name]) for name in names}

    def _from_browser(self, changes: dict[str, Any]) -> dict[str, Any]:
        self.widget.set_state(changes)
        # The browser already holds what it sent; reply with what the kernel changed in turn,
        # including a trait it sent that the kernel changed again while handling it (e.g. a
        # sentence list put back after the model failed on the new sentence), as a kernel does.
        changed_again = {name for name in changes if self.widget.get_state(name)[name] != changes[name]}
        self._changed -= set(changes) - changed_again
        return self._pending_state()

    def push(self) -> None:
        """Send the traits changed from Python since the last exchange, as a kernel would."""
        state = self._pending_state()
        if state:
            self.page.evaluate("(state) => window.rnnvisModels[0].receive(state)", state)

    def renders(self) -> int:
        return int(self.page.get_attribute(".rnnvis", "data-renders") or 0)
