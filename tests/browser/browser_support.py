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


# The memory chips' colours live on a canvas (js/views/chips.ts); each chip's transparent rect
# says where its square is. Reads the canvas pixel at the centre of each unit's rect.
CHIP_COLOURS = """([scope, units]) => {
  const root = scope ? document.querySelector(scope) : document;
  const canvas = root.querySelector('.rv-chip-paint canvas');
  const frame = canvas.getBoundingClientRect();
  const scaleX = canvas.width / frame.width, scaleY = canvas.height / frame.height;
  const pixels = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
  const chips = units === null ? [...root.querySelectorAll('.rv-chip')]
    : units.map((u) => root.querySelector(`.rv-chip[data-unit='${u}']`));
  return chips.map((chip) => {
    const box = chip.getBoundingClientRect();
    const x = Math.floor((box.left + box.width / 2 - frame.left) * scaleX);
    const y = Math.floor((box.top + box.height / 2 - frame.top) * scaleY);
    const at = 4 * (y * canvas.width + x);
    return [Number(chip.dataset.unit), pixels[at], pixels[at + 1], pixels[at + 2], pixels[at + 3]];
  });
}"""


def chip_colours(
    page: Page, units: list[int] | None = None, scope: str = ""
) -> dict[int, tuple[int, int, int, int]]:
    """unit -> (r, g, b, alpha) a chip shows, for `units` (default all) inside `scope` (a CSS
    selector: one side of a comparison), read from the chips' canvas under each chip's rect."""
    rows = page.evaluate(CHIP_COLOURS, [scope, units])
    return {unit: (r, g, b, a) for unit, r, g, b, a in rows}


def chip_rgb(page: Page, unit: int, scope: str = "") -> tuple[int, int, int]:
    r, g, b, _alpha = chip_colours(page, [unit], scope)[unit]
    return r, g, b
