"""`rv.marimo_view`: marimo's element for our widgets, whose value is the controls and
selections rather than every synced trait (payloads included)."""

from __future__ import annotations

import marimo as mo
import pytest

import rnnvis_widget as rv
from rnnvis_widget.view.marimo import USER_STATE


def test_value_is_the_controls_and_selections(demo_analysis: rv.Analysis) -> None:
    widget = rv.RNNVis(demo_analysis, n_clusters=5)
    element = rv.marimo_view(widget)
    assert isinstance(element, mo.ui.anywidget) and element.widget is widget
    value = element.value
    assert list(value) == list(USER_STATE["RNNVis"])
    assert value["n_clusters"] == 5 and value["selected_words"] == []
    # Plain values only: no payload, no buffer.
    assert all(isinstance(v, (int, float, str, list)) for v in value.values())
    # It follows the widget, and attributes go through to it as with mo.ui.anywidget.
    element.n_clusters = 7
    assert widget.n_clusters == 7 and element.value["n_clusters"] == 7
    # marimo's plain wrapper, for contrast, carries the payloads.
    assert "view" in mo.ui.anywidget(widget).value
    with pytest.raises(RuntimeError, match="set the widget's traits"):
        element.value = {}


def test_a_comparison_shows_its_widget(demo_analysis: rv.Analysis) -> None:
    comparison = rv.compare(demo_analysis, layers=(0, -1))
    value = rv.marimo_view(comparison).value
    assert list(value) == list(USER_STATE["ComparisonView"])


def test_other_objects_are_refused_by_name() -> None:
    with pytest.raises(TypeError, match="got dict"):
        rv.marimo_view({})
