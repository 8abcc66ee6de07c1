"""The search box's answers (`RNNVis.find_word`), checked against the analysis itself: the cluster
of a drawn word, and the reason a word is not drawn."""

from __future__ import annotations

import numpy as np
import pytest

import rnnvis_widget as rv


@pytest.fixture(scope="module")
def widget(demo_analysis: rv.Analysis) -> rv.RNNVis:
    return rv.RNNVis(demo_analysis, n_clusters=6, n_words=50)


def test_a_drawn_word_is_in_its_cluster(widget: rv.RNNVis) -> None:
    shown = widget.viewmodel.display_ids(widget.n_words)
    labels = widget.viewmodel.cocluster(widget._slot(), 6).word_labels
    index = int(next(i for i in shown if labels[i] >= 0))
    word = widget.analysis.vocab[index]
    answer = widget.find_word(word)
    assert answer["shown"] is True and answer["cluster"] == labels[index]
    assert answer["count"] == widget.analysis.counts[index]
    assert f"word cluster {labels[index]}" in answer["message"]


def test_a_clustered_word_not_drawn_says_which_n_words_draws_it(widget: rv.RNNVis) -> None:
    counts = widget.analysis.counts
    labels = widget.viewmodel.cocluster(widget._slot(), 6).word_labels
    shown = set(widget.viewmodel.display_ids(widget.n_words).tolist())
    index = int(next(i for i in np.argsort(-counts, kind="stable") if labels[i] >= 0 and i not in shown))
    answer = widget.find_word(widget.analysis.vocab[index])
    assert answer["shown"] is False and answer["cluster"] == labels[index]
    rank = int((counts > counts[index]).sum()) + 1
    assert f"set n_words to {rank}" in answer["message"]
    # ... and it does: with that many words it is drawn.
    widget.n_words = rank
    try:
        assert widget.find_word(widget.analysis.vocab[index])["shown"] is True
    finally:
        widget.n_words = 50


def test_rare_unknown_and_unseen_words_say_why(widget: rv.RNNVis) -> None:
    counts = widget.analysis.counts
    rare = int(np.flatnonzero((counts > 0) & (counts < 5))[0])
    answer = widget.find_word(widget.analysis.vocab[rare])
    assert answer["cluster"] is None and "fewer than min_count = 5" in answer["message"]
    assert "not in the vocabulary" in widget.find_word("zzz-not-a-word")["message"]
    unseen = np.flatnonzero(counts == 0)
    if unseen.size:
        assert "never occurs" in widget.find_word(widget.analysis.vocab[int(unseen[0])])["message"]
    with pytest.raises(TypeError, match="must be a str"):
        widget.find_word(3)  # type: ignore[arg-type]


def test_the_browser_asks_through_a_trait_and_gets_an_answer(widget: rv.RNNVis) -> None:
    widget.set_state({"word_query": "zzz-not-a-word"})
    assert widget.word_query == ""
    assert widget.word_answer is not None and widget.word_answer["query"] == "zzz-not-a-word"
    assert "not in the vocabulary" in widget.word_answer["message"]
