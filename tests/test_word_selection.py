"""The view's words chosen by the model (`word_selection="strongest"`) as well as by frequency:
which words, the label naming the choice, quantiles only where the analysis kept them, and pins
that follow the words shown."""

from __future__ import annotations

import numpy as np
import pytest

import rnnvis_widget as rv
from rnnvis_widget.view._codecs import decode


def brute_strongest(analysis: rv.Analysis, layer: int, state: str, n: int, min_count: int = 5) -> list[int]:
    """Mean |response| over units, highest first, among words seen min_count times; a plain
    loop over the vocabulary."""
    response, counts = analysis.response(layer, state), analysis.counts
    scored = [
        (-float(np.abs(response[w]).mean()), -int(counts[w]), w)
        for w in range(len(counts))
        if counts[w] >= min_count
    ]
    return [w for *_, w in sorted(scored)[:n]]


def test_strongest_words_are_the_models_not_the_corpus(demo_analysis: rv.Analysis) -> None:
    widget = rv.RNNVis(demo_analysis, n_words=40, word_selection="strongest")
    view = widget.view
    assert view is not None and view["kind"] == "main" and view["word_selection"] == "strongest"
    want = brute_strongest(demo_analysis, widget.layer, "h", 40)
    assert view["words"]["text"] == [demo_analysis.vocab[w] for w in want]
    assert view["words_label"].startswith("the 40 words with the strongest responses (mean |Δh|")
    # Not merely the most frequent words again.
    frequent = [demo_analysis.vocab[int(w)] for w in demo_analysis.display_words[:40]]
    assert view["words"]["text"] != frequent
    # Quantiles where the analysis kept them (its display words), NaN rows elsewhere.
    quantiles = decode(view["words"]["quantiles"])
    kept = set(int(w) for w in demo_analysis.display_words)
    for row, w in enumerate(want):
        assert np.isnan(quantiles[row]).all() == (w not in kept)
    # The clusterings cover the same words.
    clustering = widget.clusterings[str(widget.n_clusters)]
    assert decode(clustering["word_cluster"]).shape == (40,)


def test_switching_back_and_forth_and_pins_follow(demo_analysis: rv.Analysis) -> None:
    widget = rv.RNNVis(demo_analysis, n_words=30)
    assert widget.view["words_label"] == "the 30 most frequent words"
    frequent = list(widget.view["words"]["text"])
    widget.selected_words = [frequent[0]]
    widget.word_selection = "strongest"
    strongest = list(widget.view["words"]["text"])
    assert strongest != frequent
    # A pin on a word no longer drawn is dropped; one still drawn stays.
    assert widget.selected_words == ([frequent[0]] if frequent[0] in strongest else [])
    widget.selected_words = [strongest[0]]
    widget.layer = 0  # the strongest words depend on the layer
    shown = list(widget.view["words"]["text"])
    assert widget.selected_words == ([strongest[0]] if strongest[0] in shown else [])
    widget.word_selection = "frequent"
    assert list(widget.view["words"]["text"]) == frequent


def test_a_bad_choice_is_refused_by_name(demo_analysis: rv.Analysis) -> None:
    widget = rv.RNNVis(demo_analysis)
    with pytest.raises(Exception, match="word_selection must be one of"):
        widget.word_selection = "loudest"
    assert widget.word_selection == "frequent"


def test_one_min_count_default_everywhere() -> None:
    import inspect

    from rnnvis_widget.stats import DEFAULT_MIN_COUNT
    from rnnvis_widget.view._viewmodel import ViewModel

    defaults = {
        "RNNVis": inspect.signature(rv.RNNVis.__init__).parameters["min_count"].default,
        "Analysis.cocluster": inspect.signature(rv.Analysis.cocluster).parameters["min_count"].default,
        "ViewModel": ViewModel.__dataclass_fields__["min_count"].default,
    }
    assert set(defaults.values()) == {DEFAULT_MIN_COUNT}, defaults
