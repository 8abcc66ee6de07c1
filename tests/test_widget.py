"""The widget's kernel side: validation, recomputation on trait changes, results back to Python."""

from __future__ import annotations

import numpy as np
import pytest
import traitlets

import rnnvis_widget as rv
from rnnvis_widget.view._codecs import decode
from rnnvis_widget.view._viewmodel import ViewSlot
from rnnvis_widget.zoo.demo import DemoRun


def test_bad_trait_values_say_what_is_allowed(demo_analysis: rv.Analysis) -> None:
    widget = rv.RNNVis(demo_analysis)
    with pytest.raises(traitlets.TraitError, match=r"layer must be in 0\.\.1"):
        widget.layer = 5
    with pytest.raises(traitlets.TraitError, match=r"n_clusters must be in 2\.\.20"):
        widget.n_clusters = 40
    with pytest.raises(traitlets.TraitError, match="link_filter"):
        widget.link_filter = 1.5
    with pytest.raises(traitlets.TraitError, match="at most 3 words"):
        widget.selected_words = ["a", "b", "c", "d"]
    with pytest.raises(TypeError, match=r"needs an rv\.Analysis"):
        rv.RNNVis("not an analysis")  # type: ignore[arg-type]
    assert widget.layer == 1 and widget.n_clusters == 8  # nothing half changed


def test_k_change_reclusters_and_layer_change_rebuilds_the_view(demo_analysis: rv.Analysis) -> None:
    widget = rv.RNNVis(demo_analysis, n_clusters=4)
    assert list(widget.clusterings) == ["4"]
    widget.n_clusters = 7
    payload = widget.clusterings["7"]
    labels = decode(payload["unit_cluster"])
    assert set(np.unique(labels)) <= set(range(7)) and len(labels) == demo_analysis.response(-1).shape[1]
    expected = widget.viewmodel.cocluster(ViewSlot(1, "h", 0), 7)
    np.testing.assert_array_equal(labels, expected.unit_labels)

    title = widget.view["title"]
    widget.state = "c"
    widget.layer = 0
    assert (
        widget.view["title"] != title
        and "layer 0" in widget.view["title"]
        and "· c ·" in widget.view["title"]
    )
    response = decode(widget.view["words"]["response"])
    ids = demo_analysis.display_words[: widget.n_words]
    np.testing.assert_allclose(response, demo_analysis.response(0, "c")[ids], rtol=1e-6)


def test_clusters_returns_the_current_clustering(demo_analysis: rv.Analysis) -> None:
    widget = rv.RNNVis(demo_analysis, n_clusters=5)
    units, words = widget.clusters()
    co = widget.viewmodel.cocluster(ViewSlot(1, "h", 0), 5)
    assert list(units.columns) == ["unit", "cluster", "mean_response", "mean_abs_delta"]
    np.testing.assert_array_equal(units["cluster"], co.unit_labels)
    assert list(words.columns) == ["word", "cluster", "strength", "count"]
    assert len(words) == int((co.word_labels >= 0).sum())
    first = words.iloc[0]
    word = demo_analysis.vocab.index(first["word"])
    assert first["cluster"] == co.word_labels[word] and first["count"] == demo_analysis.counts[word]
    # Sorted by cluster, strongest first inside each.
    for _, group in words.groupby("cluster"):
        assert group["strength"].is_monotonic_decreasing


def test_show_analyses_and_returns_the_widget(demo_run: DemoRun) -> None:
    widget = rv.show(
        demo_run.model, demo_run.held_out[:200], demo_run.vocab.words, n_clusters=3, progress=False
    )
    assert isinstance(widget, rv.RNNVis) and widget.n_clusters == 3
    assert widget.view is not None and widget.view["kind"] == "main"


def test_analysis_cocluster_is_the_clustering_the_widget_shows(demo_analysis: rv.Analysis) -> None:
    co = demo_analysis.cocluster(n_clusters=6, layer=-1, state="h")
    units, _ = rv.RNNVis(demo_analysis, n_clusters=6).clusters()
    np.testing.assert_array_equal(co.unit_labels, units["cluster"])
    assert co.edge_weights.shape == (6, 6) and co.word_labels.shape == (len(demo_analysis.vocab),)


def test_compare_two_layers_keeps_pins_and_clusters_in_step(demo_analysis: rv.Analysis) -> None:
    both = rv.compare(demo_analysis, n_clusters=4)
    assert (both.left.layer, both.right.layer) == (0, 1)
    both.left.selected_words = ["the"]
    both.right.n_clusters = 6
    assert both.right.selected_words == ["the"] and both.left.n_clusters == 6
    assert list(both.left.clusterings) == ["6"]
    with pytest.raises(TypeError, match=r"rv\.Analysis"):
        rv.compare(demo_analysis, "other")  # type: ignore[arg-type]
    both.close()


def test_the_other_directions_clustering_is_sent_only_for_a_bidirectional_layer(
    demo_analysis: rv.Analysis,
) -> None:
    import torch

    one_way = rv.RNNVis(demo_analysis, n_clusters=3)
    assert one_way.other_direction_clusterings == {}

    torch.manual_seed(0)
    vocab = ["<unk>", *(f"w{i}" for i in range(12))]
    rng = np.random.default_rng(0)
    corpus = [rng.integers(1, len(vocab), size=int(rng.integers(5, 10))).tolist() for _ in range(60)]
    embed = torch.nn.Embedding(len(vocab), 6)
    lstm = torch.nn.LSTM(6, 8, batch_first=True, bidirectional=True)
    model = torch.nn.Sequential(embed, lstm)
    analysis = rv.analyze(model, corpus, vocab, progress=False)
    widget = rv.RNNVis(analysis, n_clusters=3)
    assert list(widget.other_direction_clusterings) == ["3"]
    backward = widget.viewmodel.clustering_view(ViewSlot(0, "h", 1), 3, widget.n_words)
    sent = widget.other_direction_clusterings["3"]
    assert np.array_equal(decode(sent["unit_cluster"]), decode(backward["unit_cluster"]))
    widget.n_clusters = 4
    assert list(widget.other_direction_clusterings) == ["4"]
    widget.direction = 1  # the other direction of the backward one is the forward one
    forward = widget.viewmodel.clustering_view(ViewSlot(0, "h", 0), 4, widget.n_words)
    assert np.array_equal(
        decode(widget.other_direction_clusterings["4"]["unit_cluster"]), decode(forward["unit_cluster"])
    )
