"""Self-contained HTML snapshots: the widget's own bundle and state inlined in one file.

The page loads nothing from the network: the bundle is imported from a Blob URL, the state is
inlined as JSON with binary arrays in base64, and a Content-Security-Policy forbids any fetch.
Inlined text is escaped so that no token (e.g. "</script>") can end its script element.
"""

from __future__ import annotations

import base64
import html
import json
import os
from pathlib import Path
from typing import Any

import anywidget

STATIC = Path(__file__).parent / "static"

# Inline scripts and styles only, modules from blob: URLs, images from data:/blob: (PNG export).
CONTENT_SECURITY_POLICY = (
    "default-src 'none'; script-src 'unsafe-inline' blob:; style-src 'unsafe-inline'; "
    "img-src data: blob:; font-src data:"
)


def _inline_buffers(value: Any) -> Any:
    """Replace bytes in a widget state by {"$b64": ...}, which js/snapshot.ts turns back into DataViews."""
    if isinstance(value, bytes | bytearray | memoryview):
        return {"$b64": base64.b64encode(bytes(value)).decode("ascii")}
    if isinstance(value, dict):
        return {k: _inline_buffers(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_inline_buffers(v) for v in value]
    return value


def script_safe_json(value: Any) -> str:
    """JSON that is safe inside <script>: every <, > and & escaped, non-ASCII as \\u escapes."""
    text = json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=True, allow_nan=False)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def _read_static(name: str) -> str:
    path = STATIC / name
    if not path.exists():
        raise RuntimeError(f"{path} is missing; build the front end with `npm ci && npm run build`")
    text = path.read_text(encoding="utf-8")
    return text


def _no_closing_tag(text: str, tag: str, what: str) -> str:
    if f"</{tag}" in text.lower():
        raise RuntimeError(f"{what} contains '</{tag}' and cannot be inlined safely")
    return text


def widget_state(widget: anywidget.AnyWidget) -> dict[str, Any]:
    """The synced traits a view needs, as the kernel would send them (buffers still bytes)."""
    # anywidget subclasses the widget class at run time, so compare with its base, not own traits.
    inherited = set(anywidget.AnyWidget.class_traits(sync=True))
    names = sorted(
        name for name in widget.class_traits(sync=True) if name not in inherited and not name.startswith("_")
    )
    return {name: widget.get_state(name)[name] for name in names}


def snapshot_html(state: dict[str, Any], title: str = "rnnvis snapshot") -> str:
    """One HTML page that renders `state` with the widget bundle, offline."""
    state_json = script_safe_json(_inline_buffers(state))
    bundle = base64.b64encode(_read_static("index.js").encode("utf-8")).decode("ascii")
    boot = _no_closing_tag(_read_static("snapshot.js"), "script", "the snapshot boot script")
    css = _no_closing_tag(_read_static("index.css"), "style", "the widget stylesheet")
    return "\n".join(
        [
            "<!doctype html>",
            '<html lang="en">',
            "<head>",
            '<meta charset="utf-8">',
            f'<meta http-equiv="Content-Security-Policy" content="{CONTENT_SECURITY_POLICY}">',
            f"<title>{html.escape(title)}</title>",
            f"<style>{css}</style>",
            "</head>",
            "<body>",
            '<div id="rnnvis-root"></div>',
            f'<script type="application/json" id="rnnvis-state">{state_json}</script>',
            f'<script type="text/plain" id="rnnvis-bundle">{bundle}</script>',
            f'<script type="module">{boot}</script>',
            "</body>",
            "</html>",
            "",
        ]
    )


def save_html(
    widget: anywidget.AnyWidget, path: str | os.PathLike[str], title: str = "rnnvis snapshot"
) -> Path:
    """Write `widget`'s current view as a snapshot; kernel-only controls are shown disabled."""
    state = widget_state(widget)
    if isinstance(state.get("view"), dict):
        state["view"] = {**state["view"], "live": False}
    target = Path(path)
    target.write_text(snapshot_html(state, title), encoding="utf-8")
    return target
