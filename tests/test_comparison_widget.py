"""The comparison's widget kept in step with its two views, and its snapshot."""

from __future__ import annotations

from pathlib import Path

import numpy as np

import rnnvis_widget as rv
from rnnvis_widget.view._codecs import decode
from rnnvis_widget.view.comparison_widget import ComparisonView
from rnnvis_widget.zoo.demo import DemoRun


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


def test_a_sentence_runs_on_both_sides_and_errors_name_the_side(
    demo_run: DemoRun, demo_analysis: rv.Analysis
) -> None:
    import pytest

    cmp = rv.compare(
        demo_analysis, demo_analysis, labels=("RNN", "LSTM"), models=(demo_run.model, demo_run.model)
    )
    widget = cmp.widget
    assert [slot["state"] for slot in widget.sentence_slots] == ["h", "h"]
    assert widget.left_sentence_view["live"] and widget.right_sentence_view["live"]
    assert cmp.add_sentence("the king is dead") == 0
    assert cmp.sentences == ["the king is dead"] == widget.sentences
    assert cmp.left.sentences == cmp.right.sentences == ["the king is dead"]
    for view in (widget.left_sentence_view, widget.right_sentence_view):
        assert [item["source"] for item in view["items"]] == ["the king is dead"]
    widget.sentences = [*widget.sentences, "the queen"]  # as the browser's text box does
    assert len(widget.left_sentence_view["items"]) == len(widget.right_sentence_view["items"]) == 2
    cmp.remove_sentence(0)
    assert cmp.right.sentences == ["the queen"]
    cmp.close()

    half = rv.compare(demo_analysis, demo_analysis, labels=("RNN", "LSTM"), models=(demo_run.model, None))
    assert half.widget.left_sentence_view["live"] and not half.widget.right_sentence_view["live"]
    assert "no live model" in half.widget.right_sentence_view["disabled_reason"]
    with pytest.raises(RuntimeError, match="'LSTM' side has no live model"):
        half.add_sentence("the king")
    half.widget.sentences = ["the king"]  # typed in a browser: taken back, the reason shown
    assert half.widget.sentences == [] and "LSTM" in half.widget.left_sentence_view["error"]
    half.close()
    with pytest.raises(ValueError, match="models must be a pair"):
        rv.compare(demo_analysis, demo_analysis, models=(demo_run.model,))  # type: ignore[arg-type]
