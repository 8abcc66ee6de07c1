"""Keeps a [ComparisonView][rnnvis_widget.view.comparison_widget.ComparisonView] in step with the
two [RNNVis][rnnvis_widget.RNNVis] views of a [Comparison][rnnvis_widget.Comparison], and writes
its offline snapshot.

The two views stay the kernel-side state of each side (what Python reads: ``cmp.left.
selected_words``, ``cmp.right.selected_units``); the widget mirrors their payloads and sends the
browser's k, filter, pins and unit clicks back to them.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Protocol

from .._files import replacing
from ._comparison_payload import encode_comparison
from ._export import snapshot_html, widget_state
from ._payloads import MAX_PINNED_WORDS, ComparisonPayload, SentenceStatesById, SideSlot
from ._sentences import Entry, entry_key
from ._viewmodel import ViewSlot
from .comparison_widget import ComparisonView
from .widget import RNNVis


class Compared(Protocol):
    """What the sync needs of a comparison (``Comparison`` is one)."""

    left: RNNVis
    right: RNNVis
    labels: tuple[str, str]

    def payload(self, k: int | tuple[int, int] | None = None) -> dict[str, Any]: ...


def _slot(view: RNNVis) -> ViewSlot:
    return ViewSlot(int(view.layer), str(view.state), int(view.direction))


def _shown(view: RNNVis) -> list[str]:
    payload = view.view
    return list(payload["words"]["text"]) if payload and payload["kind"] == "main" else []


def _side_slot(view: RNNVis) -> SideSlot:
    layer = int(view.layer)
    return {
        "layer": layer,
        "state": str(view.state),
        "direction": int(view.direction),
        "directions": len(view.analysis.directions(layer)),
    }


def side_k(view: RNNVis, k: int) -> int:
    """``k`` moved into the cluster range of ``view``'s layer."""
    low, high = view.viewmodel.k_range(_slot(view))
    return min(max(int(k), low), high)


def _union(*lists: list[str]) -> list[str]:
    return list(dict.fromkeys(word for words in lists for word in words))[:MAX_PINNED_WORDS]


class ComparisonSync:
    """Builds the widget of ``comparison`` and keeps both ways in step until `close`."""

    def __init__(self, comparison: Compared):
        self.comparison = comparison
        left, right = comparison.left, comparison.right
        self._busy = False
        self._sent_states: set[str] = set()  # sentence ids whose states the browser was sent
        self.widget = ComparisonView(
            n_clusters=int(left.n_clusters),
            link_filter=float(left.link_filter),
            color_clip=float(left.color_clip),
            selected_words=_union(list(left.selected_words), list(right.selected_words)),
            left_selected_units=list(left.selected_units),
            right_selected_units=list(right.selected_units),
            sentences=list(left.sentences) if list(left.sentences) == list(right.sentences) else [],
        )
        self.refresh()
        self.refresh_sentences()
        self._observers: list[tuple[Any, Callable[[dict[str, Any]], None], list[str]]] = [
            (self.widget, self._on_k, ["n_clusters"]),
            (self.widget, self._on_display, ["link_filter", "color_clip"]),
            (self.widget, self._on_pins, ["selected_words"]),
            (self.widget, self._on_units, ["left_selected_units", "right_selected_units"]),
            (self.widget, self._on_sentences, ["sentences"]),
            (self.widget, self._on_states_wanted, ["sentence_states_wanted"]),
        ]
        for view in (left, right):
            self._observers.append((view, self._on_side, ["view", "clusterings"]))
            self._observers.append((view, self._on_side_pins, ["selected_words"]))
            self._observers.append((view, self._on_side_units, ["selected_units"]))
            self._observers.append((view, self._on_side_k, ["n_clusters"]))
            self._observers.append((view, self._on_side_sentences, ["sentence_view", "view"]))
        for owner, handler, names in self._observers:
            owner.observe(handler, names=names)

    @contextmanager
    def _quiet(self) -> Iterator[None]:
        """Changes made here are ours: their echoes do not come back."""
        busy, self._busy = self._busy, True
        try:
            yield
        finally:
            self._busy = busy

    def payload(self, k_left: int, k_right: int) -> ComparisonPayload:
        """The comparison at (k_left, k_right), encoded for the browser."""
        left, right = self.comparison.left, self.comparison.right
        raw = self.comparison.payload((k_left, k_right))
        return encode_comparison(raw, (_shown(left), _shown(right)))

    def refresh(self) -> None:
        """Send both sides' payloads and the comparison at their current k."""
        left, right = self.comparison.left, self.comparison.right
        both_main = all(v.view is not None and v.view["kind"] == "main" for v in (left, right))
        comparisons: dict[str, ComparisonPayload] = {}
        if both_main:
            ks = int(left.n_clusters), int(right.n_clusters)
            comparisons[str(self.widget.n_clusters)] = self.payload(*ks)
        with self.widget.hold_sync():
            self.widget.left_view = left.view
            self.widget.right_view = right.view
            self.widget.left_clusterings = dict(left.clusterings)
            self.widget.right_clusterings = dict(right.clusterings)
            self.widget.comparisons = comparisons

    def _sentence_states(self, ids: list[str]) -> SentenceStatesById:
        """The states of sentences ``ids``, from whichever side ran each (ids are unique)."""
        found: SentenceStatesById = {}
        for view in (self.comparison.left, self.comparison.right):
            found.update(view._book.states(ids))
        return found

    def refresh_sentences(self) -> None:
        """Send both sides' sentence views and what their rows show, with the states of the
        sentences not sent before in the same message."""
        left, right = self.comparison.left, self.comparison.right
        shown = [
            item["id"] for view in (left, right) for item in (view.sentence_view or {}).get("items", [])
        ]
        unsent = [i for i in shown if i not in self._sent_states]
        self._sent_states = set(shown)
        with self.widget.hold_sync():
            if unsent:
                self.widget.sentence_states = dict(self._sentence_states(unsent))
            self.widget.left_sentence_view = left.sentence_view
            self.widget.right_sentence_view = right.sentence_view
            self.widget.sentence_slots = [dict(_side_slot(view)) for view in (left, right)]

    def run_sentences(self, entries: list[Entry]) -> str | None:
        """Run ``entries`` on both sides' live models (kept once run); the failure, named by
        its side, or None."""
        for label, view in zip(
            self.comparison.labels, (self.comparison.left, self.comparison.right), strict=True
        ):
            for entry in entries:
                try:
                    view._book.get(entry)
                except Exception as failure:  # the user's model may raise anything: show it
                    return f"{label}: could not show {entry_key(entry)!r}: {failure}"
        return None

    def set_sentences(self, entries: list[Entry]) -> None:
        """Show ``entries`` on both sides (each already run by `run_sentences`)."""
        with self._quiet():
            self.widget.sentences = list(entries)
            for view in (self.comparison.left, self.comparison.right):
                view.sentences = list(entries)
        self.refresh_sentences()

    def _on_sentences(self, change: dict[str, Any]) -> None:
        if self._busy:
            return
        entries = list(change["new"])
        error = self.run_sentences(entries)
        if error is None:
            self.set_sentences(entries)
            return
        previous = list(change["old"] or [])
        with self._quiet():
            self.widget.sentences = previous
            for view in (self.comparison.left, self.comparison.right):
                view._publish_sentences(list(view.sentences), error)
        self.refresh_sentences()

    def _on_states_wanted(self, change: dict[str, Any]) -> None:
        wanted = list(change["new"])
        if not wanted:
            return
        try:
            with self.widget.hold_sync():
                self.widget.sentence_states = dict(self._sentence_states(wanted))
        finally:
            self.widget.set_trait("sentence_states_wanted", [])

    def _on_side_sentences(self, _change: dict[str, Any]) -> None:
        if not self._busy:
            self.refresh_sentences()

    def _on_k(self, change: dict[str, Any]) -> None:
        with self._quiet():
            for view in (self.comparison.left, self.comparison.right):
                view.n_clusters = side_k(view, change["new"])
        self.refresh()

    def _on_display(self, change: dict[str, Any]) -> None:
        for view in (self.comparison.left, self.comparison.right):
            setattr(view, change["name"], change["new"])

    def _on_pins(self, change: dict[str, Any]) -> None:
        if self._busy:
            return
        with self._quiet():
            for view in (self.comparison.left, self.comparison.right):
                shown = set(_shown(view))
                view.selected_words = [word for word in change["new"] if word in shown]

    def _on_units(self, change: dict[str, Any]) -> None:
        if self._busy:
            return
        view = self.comparison.left if change["name"] == "left_selected_units" else self.comparison.right
        with self._quiet():
            view.selected_units = list(change["new"])

    def _on_side(self, _change: dict[str, Any]) -> None:
        if not self._busy:
            self.refresh()

    def _on_side_k(self, change: dict[str, Any]) -> None:
        # k set on one side from Python moves both, as the widget's slider does.
        if not self._busy:
            if self.widget.n_clusters == change["new"]:
                self._on_k({"new": change["new"]})
            else:
                self.widget.n_clusters = change["new"]

    def _on_side_pins(self, _change: dict[str, Any]) -> None:
        if self._busy:
            return
        left, right = self.comparison.left, self.comparison.right
        with self._quiet():
            self.widget.selected_words = _union(list(left.selected_words), list(right.selected_words))

    def _on_side_units(self, change: dict[str, Any]) -> None:
        if self._busy:
            return
        name = "left_selected_units" if change["owner"] is self.comparison.left else "right_selected_units"
        with self._quiet():
            setattr(self.widget, name, list(change["new"]))

    def close(self) -> None:
        for owner, handler, names in self._observers:
            owner.unobserve(handler, names=names)
        self._observers = []
        self.widget.close()

    def save_html(self, path: str | os.PathLike[str], title: str, ks: Iterable[int] | None) -> Path:
        """Write the comparison as one offline page; see ``Comparison.save_html``."""
        left, right = self.comparison.left, self.comparison.right
        ranges = [view.viewmodel.k_range(_slot(view)) for view in (left, right)]
        every = range(min(low for low, _ in ranges), max(high for _, high in ranges) + 1)
        wanted = sorted({int(k) for k in (every if ks is None else ks)})
        if not wanted:
            raise ValueError("ks is empty: give at least one cluster count to save")
        state = widget_state(self.widget)
        # The page holds every shown sentence's states, not just the last ones sent.
        state["sentence_states"] = {**left._book.states(), **right._book.states()}
        for name, view in (("left", left), ("right", right)):
            slot, n_words = _slot(view), int(view.n_words)
            state[f"{name}_view"] = view.viewmodel.main_view(slot, n_words, live=False)
            side_ks = sorted({side_k(view, k) for k in wanted})
            state[f"{name}_clusterings"] = {
                str(k): view.viewmodel.clustering_view(slot, k, n_words) for k in side_ks
            }
        state["comparisons"] = {str(k): self.payload(side_k(left, k), side_k(right, k)) for k in wanted}
        current = int(self.widget.n_clusters)
        state["n_clusters"] = min(wanted, key=lambda k: (abs(k - current), k))
        target = Path(path)
        text = snapshot_html(state, title, entry="compare")
        with replacing(target) as handle:
            handle.write(text.encode("utf-8"))
        return target
