"""The widgets in marimo, with a ``.value`` a person can read.

marimo shows any anywidget, and ``mo.ui.anywidget(w).value`` is every synced trait of ``w``:
for these widgets that is megabytes of binary payloads. `marimo_view` wraps a widget the same
way but reports only its controls and selections, which is what a reactive cell wants to read.
marimo is imported when this is called, so the core install does not need it.
"""

from __future__ import annotations

from functools import cache
from typing import Any

import anywidget

__all__ = ["USER_STATE", "marimo_view", "user_state"]

#: The traits a person sets or reads, per widget class name: controls, selections, sentences.
USER_STATE: dict[str, tuple[str, ...]] = {
    "RNNVis": (
        "layer",
        "state",
        "direction",
        "n_clusters",
        "n_words",
        "link_filter",
        "color_clip",
        "selected_words",
        "selected_units",
        "sentences",
    ),
    "ComparisonView": (
        "n_clusters",
        "link_filter",
        "color_clip",
        "selected_words",
        "left_selected_units",
        "right_selected_units",
        "sentences",
    ),
}


def user_state(widget: anywidget.AnyWidget) -> dict[str, Any]:
    """The controls and selections of ``widget`` (an `RNNVis` or a comparison's widget), as
    plain Python values (lists copied, so the result does not change under the reader)."""
    names = USER_STATE.get(type(widget).__name__)
    if names is None:
        raise TypeError(
            f"marimo_view takes an rv.RNNVis or a comparison's widget (cmp.widget), got "
            f"{type(widget).__name__}"
        )
    return {name: _plain(getattr(widget, name)) for name in names}


def _plain(value: Any) -> Any:
    return [_plain(v) for v in value] if isinstance(value, list | tuple) else value


@cache
def _element_class() -> type:
    try:
        import marimo as mo
    except ImportError as missing:  # pragma: no cover - depends on the environment
        raise ImportError("marimo_view needs marimo: pip install marimo") from missing

    class RNNVisElement(mo.ui.anywidget):
        """``mo.ui.anywidget`` whose ``value`` is the widget's controls and selections."""

        @property
        def value(self) -> dict[str, Any]:
            return user_state(self.widget)

        @value.setter
        def value(self, value: Any) -> None:
            # As marimo's own elements: the value is read, never assigned.
            raise RuntimeError("set the widget's traits instead (e.g. view.n_clusters = 6)")

    return RNNVisElement


def marimo_view(widget: Any) -> Any:
    """Show ``widget`` in marimo, with a readable ``.value``.

    Parameters
    ----------
    widget : RNNVis or Comparison
        The view to show (a comparison shows its widget).

    Returns
    -------
    marimo UI element
        Display it as a cell's last expression. ``.value`` is a dict of the controls and
        selections (``layer``, ``n_clusters``, ``selected_words``, ``sentences``, ...), and a
        cell that reads it runs again when they change in the view. Attributes not on the
        element (``.n_clusters = 6``, ``.clusters()``) go to the widget, as with
        ``mo.ui.anywidget``.

    Raises
    ------
    TypeError
        If ``widget`` is not one of this package's views.
    ImportError
        If marimo is not installed.
    """
    target = getattr(widget, "widget", widget)  # a Comparison holds its anywidget in .widget
    user_state(target)  # fail here, with the type named, not inside marimo
    return _element_class()(target)
