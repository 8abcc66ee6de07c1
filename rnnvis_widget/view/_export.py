"""Self-contained HTML snapshots: the widget's own bundle and state inlined in one file.

The page loads nothing from the network: the bundle is imported from a Blob URL, the state
travels as one gzip-compressed binary container in base64 (decoded with the browser's
DecompressionStream), and a Content-Security-Policy forbids any fetch. Only base64 and escaped
JSON are inlined, so no token (e.g. "</script>") can end its script element.

What the kernel would compute on a click is precomputed: every k in the clusters range, and
the views of the layers / state kinds chosen with `slots`. js/snapshot.ts serves them.
"""

from __future__ import annotations

import base64
import gzip
import html
import json
import os
import struct
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import anywidget
from tqdm.auto import tqdm

from .._files import replacing
from ._payloads import MAX_CLUSTERS, MIN_CLUSTERS, SLOT_KEY_SEPARATOR
from ._viewmodel import ViewModel, ViewSlot

STATIC = Path(__file__).parent.parent / "static"
CONTAINER_MAGIC = b"RVS1"

# Inline scripts and styles only, modules from blob: URLs, images from data:/blob: (PNG export).
CONTENT_SECURITY_POLICY = (
    "default-src 'none'; script-src 'unsafe-inline' blob:; style-src 'unsafe-inline'; "
    "img-src data: blob:; font-src data:; connect-src blob: data:"
)


def _inline_buffers(value: Any) -> Any:
    """Replace bytes by {"$b64": ...}; js/snapshot.ts turns them back into DataViews."""
    if isinstance(value, bytes | bytearray | memoryview):
        return {"$b64": base64.b64encode(bytes(value)).decode("ascii")}
    if isinstance(value, dict):
        return {k: _inline_buffers(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_inline_buffers(v) for v in value]
    return value


def pack_state(state: dict[str, Any]) -> bytes:
    """One binary container: magic, uint32 JSON length, JSON (buffers replaced by
    {"$buf": index}), then the raw buffers back to back. A buffer object reached twice is
    stored once."""
    buffers: list[bytes] = []
    index_of: dict[int, int] = {}

    def lift(value: Any) -> Any:
        if isinstance(value, bytes | bytearray | memoryview):
            if id(value) not in index_of:
                index_of[id(value)] = len(buffers)
                buffers.append(bytes(value))
            return {"$buf": index_of[id(value)]}
        if isinstance(value, dict):
            return {k: lift(v) for k, v in value.items()}
        if isinstance(value, list | tuple):
            return [lift(v) for v in value]
        return value

    tree = lift(state)
    header = json.dumps(
        {"state": tree, "sizes": [len(b) for b in buffers]},
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=True,
        allow_nan=False,
    ).encode("ascii")
    return CONTAINER_MAGIC + struct.pack("<I", len(header)) + header + b"".join(buffers)


def script_safe_json(value: Any) -> str:
    """JSON that is safe inside <script>: every <, > and & escaped, non-ASCII as \\u escapes."""
    text = json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=True, allow_nan=False)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def _read_static(name: str) -> str:
    path = STATIC / name
    if not path.exists():
        raise RuntimeError(f"{path} is missing; build the front end with `npm ci && npm run build`")
    return path.read_text(encoding="utf-8")


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


def snapshot_html(state: dict[str, Any], title: str = "rnnvis snapshot", entry: str = "index") -> str:
    """One HTML page that renders `state` with the widget bundle, offline; `entry` names the
    bundle ("index": the single view, "compare": the comparison)."""
    # mtime=0 keeps the file byte-identical for the same state.
    packed = gzip.compress(pack_state(state), compresslevel=9, mtime=0)
    data = base64.b64encode(packed).decode("ascii")
    bundle = base64.b64encode(_read_static(f"{entry}.js").encode("utf-8")).decode("ascii")
    boot = _no_closing_tag(_read_static("snapshot.js"), "script", "the snapshot boot script")
    css = _no_closing_tag(_read_static(f"{entry}.css"), "style", "the widget stylesheet")
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
            f'<script type="application/octet-stream" id="rnnvis-state">{data}</script>',
            f'<script type="text/plain" id="rnnvis-bundle">{bundle}</script>',
            f'<script type="module">{boot}</script>',
            "</body>",
            "</html>",
            "",
        ]
    )


SlotSpec = tuple[int, str, int]

#: Shown on the sentence view's text box in a snapshot.
SNAPSHOT_NO_SENTENCES = (
    "a saved snapshot has no kernel: add sentences in the live notebook before saving"
)


def _slots_to_save(
    viewmodel: ViewModel, current: SlotSpec, slots: str | Sequence[SlotSpec]
) -> list[SlotSpec]:
    analysis = viewmodel.analysis
    if slots == "current":
        wanted: list[SlotSpec] = []
    elif slots == "all":
        wanted = [
            (layer, state, direction)
            for layer in range(len(analysis.stacks))
            for direction in analysis.directions(layer)
            for state in analysis.states(analysis.layer_key(layer, direction))
        ]
    elif isinstance(slots, str):
        raise ValueError(
            f'slots must be "current", "all" or a list of (layer, state, direction); got {slots!r}'
        )
    else:
        wanted = []
        for spec in slots:
            layer, state, direction = spec
            key = analysis.layer_key(layer, direction)  # raises a clear error for a bad layer
            if state not in analysis.states(key):
                raise ValueError(
                    f"state {state!r} was not recorded at {key}; recorded: {analysis.states(key)}"
                )
            wanted.append((layer % len(analysis.stacks), state, direction))
    ordered = [current, *(s for s in wanted if s != current)]
    return list(dict.fromkeys(ordered))


def slot_key(layer: int, state: str, direction: int) -> str:
    """How js/snapshot.ts names a precomputed view (js/contract.ts `slotKey` is its twin)."""
    return SLOT_KEY_SEPARATOR.join((str(layer), state, str(direction)))


def save_snapshot(
    path: str | os.PathLike[str],
    viewmodel: ViewModel,
    state: Mapping[str, Any],
    *,
    title: str = "rnnvis snapshot",
    slots: str | Sequence[SlotSpec] = "current",
    ks: Iterable[int] | None = None,
    progress: bool = False,
) -> Path:
    """Write a view as a snapshot that stays interactive without a kernel.

    Parameters
    ----------
    path : path-like
        The HTML file to write.
    viewmodel : ViewModel
        Builds (and caches) the payloads of the analysis on show.
    state : mapping
        The widget's synced traits (`widget_state`); ``layer``, ``state``, ``direction``,
        ``n_words`` and ``n_clusters`` name the view as shown.
    title : str
        The page title.
    slots : "current", "all" or sequence of (layer, state, direction)
        "current" (the view as shown), "all" (every layer, state kind and direction), or the
        views to include besides the current one.
    ks : iterable of int, optional
        Cluster counts to precompute; default every k the clusters control offers (2..20).
    progress : bool, default False
        Show a progress bar over the views and clusterings computed, then the write.

    Returns
    -------
    pathlib.Path
        ``path``. The page goes to a temporary file in the same folder that replaces
        ``path`` once complete, so a write that fails part-way leaves an existing file as it
        was.
    """
    current: SlotSpec = (int(state["layer"]), str(state["state"]), int(state["direction"]))
    n_words, n_clusters = int(state["n_words"]), int(state["n_clusters"])
    wanted_ks = None if ks is None else list(ks)
    offline: dict[str, dict[str, Any]] = {}
    chosen_slots = _slots_to_save(viewmodel, current, slots)
    # One step per view (its spectral embedding), per clustering and for the write. A view's
    # k range is known only after its embedding: count the most it can have, then correct.
    most = len(set(wanted_ks)) if wanted_ks is not None else MAX_CLUSTERS - MIN_CLUSTERS + 1
    total = len(chosen_slots) * (1 + most) + 1
    with tqdm(total=total, unit="step", desc="rnnvis snapshot", disable=not progress) as bar:
        for layer, kind, direction in chosen_slots:
            slot = ViewSlot(layer, kind, direction)
            bar.set_postfix_str(f"layer {layer} {kind} direction {direction}")
            low, high = viewmodel.k_range(slot)
            allowed = wanted_ks if wanted_ks is not None else range(low, high + 1)
            chosen = sorted({k for k in allowed if low <= k <= high})
            if not chosen:
                raise ValueError(f"none of ks is in the clusters range {low}..{high} of this view")
            bar.total -= most - len(chosen)
            bar.update(1)
            clusterings = {}
            for k in chosen:
                clusterings[str(k)] = viewmodel.clustering_view(slot, k, n_words)
                bar.update(1)
            offline[slot_key(layer, kind, direction)] = {
                "view": viewmodel.main_view(slot, n_words, live=False),
                "clusterings": clusterings,
                # A bidirectional layer's sentence rows draw the other direction too.
                "other_direction_clusterings": viewmodel.other_direction_clusterings(
                    slot, chosen, n_words
                ),
            }
        page = _page(state, offline, current, n_clusters)
        bar.set_postfix_str(f"writing {Path(path).name}")
        target = Path(path)
        text = snapshot_html(page, title)
        with replacing(target) as handle:
            handle.write(text.encode("utf-8"))
        bar.update(1)
    return target


def _page(
    state: Mapping[str, Any], offline: dict[str, dict[str, Any]], current: SlotSpec, n_clusters: int
) -> dict[str, Any]:
    """The page's state: the widget's traits, the view on screen and every precomputed one."""
    page = dict(state)
    shown = offline[slot_key(*current)]
    page["view"] = shown["view"]
    page["clusterings"] = shown["clusterings"]
    page["other_direction_clusterings"] = shown["other_direction_clusterings"]
    if str(n_clusters) not in shown["clusterings"]:
        page["n_clusters"] = int(min(shown["clusterings"], key=lambda k: abs(int(k) - n_clusters)))
    page["offline_views"] = offline
    if page.get("sentence_view"):
        # The sentences' states are in `sentence_states` (all of them: the widget's
        # save_html puts them there); only running new ones needs the kernel.
        page["sentence_view"] = {
            **page["sentence_view"],
            "live": False,
            "disabled_reason": SNAPSHOT_NO_SENTENCES,
            "error": None,
        }
    return page
