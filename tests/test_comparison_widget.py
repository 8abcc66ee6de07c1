"""The comparison's widget kept in step with its two views, and its snapshot."""

from __future__ import annotations

from pathlib import Path

import numpy as np

import rnnvis_widget as rv
from rnnvis_widget.view._codecs import decode
from rnnvis_widget.view.comparison_widget import ComparisonView


def test_widget_mirrors_the_views_and_sends_changes_back(demo_analysis: rv.Analysis) -> None:
    cmp = rv.compare(demo_analysis, n_clusters=4)
    widget = cmp.widget
    assert isinstance(widget, ComparisonView)
    assert "application/vnd.jupyter.widget-view+json" in cmp._repr_mimebundle_()[0]
    assert widget.left_view is cmp.left.view and widget.right_view is cmp.right.view
    payload = widget.comparisons["4"]
    assert payload["labels"] == list(cmp.labels) and payload["k"] == [4, 4]
    aligned = cmp.alignment()
    np.testing.assert_array_equal(decode(payload["left_partner"]), aligned.left_partner)
    changed = decode(payload["changed"][0]).astype(bool)
    shown = cmp.left.view["words"]["text"]
    raw = cmp.payload()["words"]
    moved = {w for w, flag in zip(raw["text"], raw["changed"], strict=True) if flag}
    assert [w for w, flag in zip(shown, changed, strict=True) if flag] == [w for w in shown if w in moved]
    assert payload["numbers"]["saturation"][0] is None or np.isfinite(payload["numbers"]["saturation"][0])

    widget.n_clusters = 6  # as the browser's slider does
    assert (cmp.left.n_clusters, cmp.right.n_clusters) == (6, 6)
    assert list(widget.comparisons) == ["6"] and list(widget.left_clusterings) == ["6"]
    widget.selected_words = ["the"]
    assert cmp.left.selected_words == ["the"] and cmp.right.selected_words == ["the"]
    cmp.right.selected_words = []
    assert widget.selected_words == []
    widget.right_selected_units = [3]
    assert cmp.right.selected_units == [3] and cmp.left.selected_units == []
    cmp.close()


def test_save_html_holds_both_sides_for_each_k(demo_analysis: rv.Analysis, tmp_path: Path) -> None:
    cmp = rv.compare(demo_analysis, n_clusters=5)
    path = cmp.save_html(tmp_path / "compare.html", ks=[3, 5])
    text = path.read_text(encoding="utf-8")
    assert 'id="rnnvis-bundle"' in text and "Content-Security-Policy" in text
    assert "http://" not in text and "https://" not in text
    cmp.close()
