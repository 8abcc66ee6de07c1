"""`rv.compare`: the per-side numbers against a brute-force pass over every captured state
(one `rv.trace` per sequence), the cluster matching, the sentence, labels and errors."""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import pytest
import torch
from torch import nn

import rnnvis_widget as rv
from rnnvis_widget.view.compare import Comparison
from rnnvis_widget.view.comparison_numbers import (
    SideNumbers,
    cloud_coherence,
    difference_statement,
    unit_cluster_cv,
)

VOCAB = [f"w{i}" for i in range(40)]
UNITS = 12


class TinyLM(nn.Module):
    def __init__(self, cell: type[nn.RNNBase], gain: float):
        super().__init__()
        self.embed = nn.Embedding(len(VOCAB), 8)
        self.rnn = cell(8, UNITS, num_layers=2, batch_first=True)
        with torch.no_grad():  # larger recurrent weights: a good share of saturated steps
            for name, weight in self.rnn.named_parameters():
                if name.startswith("weight"):
                    weight.mul_(gain)

    def forward(self, ids: torch.Tensor) -> torch.Tensor:
        return self.rnn(self.embed(ids))[0]


def tiny_corpus(seed: int, n: int = 80) -> list[list[int]]:
    rng = np.random.default_rng(seed)
    lengths = rng.integers(3, 16, size=n)
    return [list(np.minimum(rng.zipf(1.3, size=int(t)) - 1, len(VOCAB) - 1)) for t in lengths]


@dataclass
class Side:
    model: nn.Module
    analysis: rv.Analysis


@pytest.fixture(scope="module")
def corpus() -> list[list[int]]:
    return tiny_corpus(seed=0)


@pytest.fixture(scope="module")
def sides(corpus: list[list[int]]) -> dict[str, Side]:
    torch.manual_seed(0)
    models = {"rnn": TinyLM(nn.RNN, gain=4.0), "lstm": TinyLM(nn.LSTM, gain=1.0)}
    return {
        name: Side(model, rv.analyze(model, corpus, VOCAB, batch_size=16, progress=False))
        for name, model in models.items()
    }


@dataclass
class Steps:
    """Every (token, unit) step of one layer and state kind, from one trace per sequence."""

    words: np.ndarray  # (N,)
    value: np.ndarray  # (N, H) x(t)
    previous: np.ndarray  # (N, H) x(t - 1), the initial state before a sequence's first token


def traced_steps(model: nn.Module, corpus: list[list[int]], layer: int, kind: str) -> Steps:
    words, values, previous = [], [], []
    for ids in corpus:
        trace = rv.trace(model, ids)
        x = trace.state(layer, kind)
        start = trace.initial[trace.layer_key(layer)][kind]
        words.append(np.asarray(ids))
        values.append(x)
        previous.append(np.vstack([start[None, :], x[:-1]]))
    return Steps(np.concatenate(words), np.vstack(values), np.vstack(previous))


def brute_coherence(response: np.ndarray, labels: np.ndarray) -> float:
    """Within- minus between-cluster mean cosine similarity, from the full pair matrix."""
    keep = labels >= 0
    rows, labels = response[keep], labels[keep]
    norms = np.linalg.norm(rows, axis=1, keepdims=True)
    unit = np.where(norms > 0, rows / np.where(norms > 0, norms, 1), 0.0)
    cos = unit @ unit.T
    same = labels[:, None] == labels[None, :]
    distinct = ~np.eye(len(labels), dtype=bool)
    return float(cos[same & distinct].mean() - cos[~same].mean())


@pytest.mark.parametrize(
    ("name", "layer", "kind"), [("rnn", 0, "h"), ("rnn", 1, "h"), ("lstm", 1, "h"), ("lstm", 0, "c")]
)
def test_numbers_equal_a_brute_force_pass(
    sides: dict[str, Side], corpus: list[list[int]], name: str, layer: int, kind: str
) -> None:
    side = sides[name]
    other = sides["lstm" if name == "rnn" else "rnn"]
    cmp = rv.compare(
        side.analysis, other.analysis, layers=(layer, layer), states=(kind, "h"), n_clusters=3, min_count=2
    )
    numbers, _ = cmp.numbers()
    steps = traced_steps(side.model, corpus, layer, kind)
    delta = steps.value - steps.previous
    n_cells = delta.size
    one_step = 1.5 / n_cells  # a step within float rounding of a threshold may fall either way

    near_zero = np.abs(delta) < 0.01
    assert numbers.update_sparsity == pytest.approx(near_zero.mean(), abs=one_step)
    if kind == "c":  # unbounded: no saturation, nothing to leave out
        assert np.isnan([numbers.saturation, numbers.unsaturated_steps, numbers.unsaturated_sparsity]).all()
    else:
        free = np.abs(steps.previous) < 0.9
        assert 0 < free.mean()
        assert numbers.unsaturated_steps == pytest.approx(free.mean(), abs=one_step)
        aware = (free & near_zero).sum() / free.sum()
        assert numbers.unsaturated_sparsity == pytest.approx(aware, abs=1.5 / free.sum())
        assert numbers.saturation == pytest.approx((np.abs(steps.value) >= 0.95).mean(), abs=one_step)
    assert numbers.mean_abs_delta == pytest.approx(np.abs(delta).mean(), rel=1e-5)
    if name == "rnn":  # the saturating side: leaving saturated steps out must change the figure
        assert (np.abs(steps.value) >= 0.95).mean() > 0.2 and free.mean() < 0.8
        assert abs(numbers.unsaturated_sparsity - numbers.update_sparsity) > 0.01

    # Cloud coherence over the per-word mean responses, computed here from the steps.
    co, _ = cmp.clusterings()
    response = np.zeros((len(VOCAB), UNITS))
    for w in np.unique(steps.words):
        response[w] = delta[steps.words == w].mean(0)
    np.testing.assert_allclose(response, side.analysis.response(layer, kind), atol=1e-5)
    assert (co.word_labels >= 0).sum() > 5
    assert numbers.cloud_coherence == pytest.approx(brute_coherence(response, co.word_labels), abs=1e-5)
    sizes = np.array([(co.unit_labels == c).sum() for c in range(co.n_clusters)], dtype=float)
    cv = np.sqrt(((sizes - sizes.mean()) ** 2).mean()) / sizes.mean()
    assert numbers.unit_cluster_cv == pytest.approx(cv)
    assert numbers.n_words == (co.word_labels >= 0).sum()
    cmp.close()


def test_cloud_coherence_matches_pairs_on_random_data() -> None:
    rng = np.random.default_rng(5)
    response = rng.normal(size=(300, 16))
    response[7] = 0.0  # an all-zero profile: similarity 0 with every word
    labels = rng.integers(-1, 6, size=300)
    labels[7] = 2
    assert cloud_coherence(response, labels) == pytest.approx(brute_coherence(response, labels), abs=1e-12)
    # Planted: words of a cluster share a direction, so within-cluster pairs are more alike.
    centres = rng.normal(size=(4, 16))
    planted = np.repeat(np.arange(4), 50)
    profiles = centres[planted] + 0.3 * rng.normal(size=(200, 16))
    assert cloud_coherence(profiles, planted) > 0.5
    assert abs(cloud_coherence(profiles, rng.permutation(planted))) < 0.05
    assert np.isnan(cloud_coherence(profiles, np.zeros(200, dtype=int)))  # no between pairs


def test_unit_cluster_cv_counts_empty_clusters() -> None:
    assert unit_cluster_cv(np.array([0, 0, 1, 1, 2, 2]), 3) == 0.0
    # Sizes (4, 0): mean 2, std 2.
    assert unit_cluster_cv(np.array([0, 0, 0, 0]), 2) == pytest.approx(1.0)


def test_matches_are_the_alignment_of_the_views_clusterings(sides: dict[str, Side]) -> None:
    cmp = rv.compare(sides["rnn"].analysis, sides["lstm"].analysis, n_clusters=4, min_count=2)
    left, right = cmp.clusterings()
    table = cmp.matches()
    matched = table.dropna(subset=["overlap"])
    assert len(matched) >= 1
    for row in matched.itertuples():
        a = set(np.flatnonzero(left.word_labels == row.left_cluster))
        b = set(np.flatnonzero(right.word_labels == row.right_cluster))
        both = set(np.flatnonzero((left.word_labels >= 0) & (right.word_labels >= 0)))
        a, b = a & both, b & both
        assert row.shared_words == len(a & b)
        assert row.overlap == pytest.approx(len(a & b) / len(a | b))
        assert set(row.examples) <= {VOCAB[i] for i in a & b} and len(row.examples) == min(5, len(a & b))
    # Every cluster of each side appears once, matched or not.
    assert sorted(table["left_cluster"].dropna()) == list(range(4))
    assert sorted(table["right_cluster"].dropna()) == list(range(4))
    # Different k: match what can be matched, the rest listed unmatched.
    uneven = cmp.matches(k=(3, 5))
    assert uneven["right_cluster"].notna().sum() == 5 and uneven["left_cluster"].notna().sum() == 3
    assert uneven["overlap"].notna().sum() <= 3
    cmp.close()


def test_summary_statement_and_payload(sides: dict[str, Side]) -> None:
    cmp = rv.compare(
        sides["rnn"].analysis, sides["lstm"].analysis, labels=("RNN", "LSTM"), n_clusters=3, min_count=2
    )
    summary = cmp.summary()
    assert list(summary.index) == ["RNN", "LSTM"]
    left, right = cmp.numbers()
    assert summary.loc["RNN", "update_sparsity"] == left.update_sparsity
    assert summary.loc["LSTM", "cloud_coherence"] == right.cloud_coherence
    assert (summary["compared_on"] == "same vocabulary").all()
    assert summary.loc["RNN", "layer"] == "rnn · layer 1"
    assert cmp.statement == difference_statement(left, right)
    assert cmp.statement.startswith(("RNN", "LSTM"))

    payload = cmp.payload()
    assert payload["labels"] == ["RNN", "LSTM"] and payload["statement"] == cmp.statement
    aligned = cmp.alignment()
    np.testing.assert_array_equal(payload["pairs"]["left"], aligned.left_clusters)
    assert payload["left_partner"].shape == (3,) and payload["right_partner"].shape == (3,)
    words = payload["words"]
    n = int(aligned.compared.sum())
    assert len(words["text"]) == n and words["changed"].shape == (n,) and words["left_id"].dtype == np.int64
    np.testing.assert_array_equal(words["changed"], aligned.changed[aligned.compared])
    assert payload["units"][0]["sparsity"].shape == (UNITS,)
    histograms = payload["histograms"]
    assert histograms["edges"].shape == (21,) and histograms["sparsity"].shape == (2, 20)
    assert (histograms["sparsity"].sum(axis=1) == UNITS).all()
    assert payload["common_states"] == ["h"]
    assert payload["numbers"]["saturation"] == [left.saturation, right.saturation]

    spread = cmp.seed_spread(seeds=[0, 1, 2])
    assert list(spread.index) == [0, 1, 2]
    # Seed 0 is the views' own seed: the same clustering, the same numbers.
    assert spread.loc[0, "coherence_left"] == pytest.approx(left.cloud_coherence)
    assert spread.loc[0, "mean_overlap"] == pytest.approx(aligned.mean_jaccard)
    cmp.close()


def numbers(label: str, raw: float, aware: float, saturation: float, state: str = "h") -> SideNumbers:
    return SideNumbers(
        label=label, state=state, n_units=10, n_tokens=100, update_sparsity=raw,
        unsaturated_sparsity=aware, unsaturated_steps=0.5, saturation=saturation,
        mean_abs_delta=0.1, n_clusters=4, cloud_coherence=0.1, unit_cluster_cv=0.2, n_words=50,
    )  # fmt: skip


def test_statement_says_when_the_saturation_aware_order_reverses() -> None:
    rnn = numbers("RNN", 0.202, 0.007, 0.509)
    lstm = numbers("LSTM", 0.079, 0.082, 0.055)
    reversed_ = difference_statement(rnn, lstm)
    assert reversed_.startswith("RNN leaves 2.6× as many unit updates near zero as LSTM")
    assert "20.2% vs 7.9%" in reversed_ and "order reverses: LSTM is the sparser (8.2% vs 0.7%)" in reversed_
    assert "50.9% of RNN's values sit at the activation bound against 5.5%" in reversed_
    assert reversed_.endswith("'s.")

    agreeing = difference_statement(replace(rnn, unsaturated_sparsity=0.3), lstm)
    assert "the order holds: RNN is the sparser (30.0% vs 8.2%)" in agreeing and "reverses" not in agreeing
    mirrored = difference_statement(lstm, replace(rnn, update_sparsity=0.5, unsaturated_sparsity=0.3))
    assert mirrored.startswith("RNN leaves 6.3× as many") and "RNN is the sparser (30.0% vs 8.2%)" in mirrored
    # The other side order gives the mirrored sentence.
    assert difference_statement(lstm, rnn).startswith("RNN leaves 2.6×")
    same = difference_statement(replace(rnn, update_sparsity=0.08), lstm)
    assert same.startswith("RNN and LSTM leave about the same share")
    assert "value LSTM is the sparser (8.2% vs 0.7%)" in same
    vanishes = difference_statement(rnn, replace(lstm, unsaturated_sparsity=0.0071))
    assert "the difference vanishes (RNN 0.7%, LSTM 0.7%)" in vanishes

    cell = numbers("LSTM c", 0.013, float("nan"), float("nan"), state="c")
    undefined = difference_statement(lstm, cell)
    assert "|Δx|" in undefined and "undefined (LSTM c: c is unbounded)" in undefined
    assert "on the 812 shared words" in difference_statement(rnn, lstm, shared_words=812)


def test_labels_default_to_module_cell_and_layer(sides: dict[str, Side]) -> None:
    rnn, lstm = sides["rnn"].analysis, sides["lstm"].analysis
    cmp = rv.compare(rnn, lstm, n_clusters=3, min_count=2)
    assert cmp.labels == ("rnn · layer 1", "rnn (LSTM) · layer 1")
    cmp.close()
    layers = rv.compare(lstm, n_clusters=3, min_count=2)
    assert layers.labels == ("rnn (LSTM) · layer 0", "rnn (LSTM) · layer 1")
    assert (layers.left.layer, layers.right.layer) == (0, 1)
    layers.close()
    kinds = rv.compare(lstm, states=("h", "c"), n_clusters=3, min_count=2)
    assert kinds.labels == ("rnn (LSTM) · layer 1 · h", "rnn (LSTM) · layer 1 · c")
    assert (kinds.left.state, kinds.right.state) == ("h", "c")
    assert list(kinds.summary()["state"]) == ["h", "c"]
    assert np.isnan(kinds.summary().loc["rnn (LSTM) · layer 1 · c", "unsaturated_sparsity"])
    kinds.close()
    same = rv.compare(rnn, rnn, n_clusters=3, min_count=2)
    assert same.labels == ("rnn · layer 1 · A", "rnn · layer 1 · B")
    same.close()
    # Built from two views directly, as before rv.compare had labels.
    direct = Comparison(rv.RNNVis(lstm, layer=0, n_clusters=3), rv.RNNVis(rnn, layer=1, n_clusters=3))
    assert direct.labels == ("rnn (LSTM) · layer 0", "rnn · layer 1")
    direct.close()


def test_errors_name_the_difference(sides: dict[str, Side]) -> None:
    rnn, lstm = sides["rnn"].analysis, sides["lstm"].analysis
    with pytest.raises(ValueError, match=r"state 'c' is not recorded on both sides.*\['h'\]"):
        rv.compare(lstm, rnn, state="c")
    with pytest.raises(ValueError, match="state 'c' is not recorded on the right side"):
        rv.compare(lstm, rnn, states=("h", "c"))
    with pytest.raises(IndexError, match="layer 5 out of range"):
        rv.compare(rnn, lstm, layers=(0, 5))
    with pytest.raises(ValueError, match="two labels must differ"):
        rv.compare(rnn, lstm, labels=("same", "same"))
    with pytest.raises(ValueError, match="on must be one of"):
        rv.compare(rnn, lstm, on="union")
    vocab = [*VOCAB[:7], "other", *VOCAB[8:], "extra"]
    renamed = rv.Analysis(vocab, lstm.stats, {key: lstm.states(key) for key in lstm.layers})
    message = r"40 and 41 words, first different at id 7: 'w7' vs 'other'.*on='shared'.*39 words"
    with pytest.raises(ValueError, match=message):
        rv.compare(rnn, renamed)


def test_on_shared_compares_the_shared_words(sides: dict[str, Side]) -> None:
    rnn, lstm = sides["rnn"].analysis, sides["lstm"].analysis
    # The right side's vocabulary renames word 1 and lists the words in another order (its
    # statistics follow the words, so each word keeps its own numbers).
    order = np.roll(np.arange(len(VOCAB)), 5)
    vocab = [VOCAB[i] for i in order]
    vocab[int(np.flatnonzero(order == 1)[0])] = "renamed"
    stats = lstm.stats
    moved = rv.Analysis(vocab, _reorder(stats, order), {key: lstm.states(key) for key in lstm.layers})
    cmp = rv.compare(rnn, moved, labels=("RNN", "LSTM"), on="shared", n_clusters=3, min_count=2)
    assert len(cmp.words.text) == len(VOCAB) - 1 and "w1" not in cmp.words.text
    np.testing.assert_array_equal(np.asarray(vocab)[cmp.words.right_ids], cmp.words.text)
    assert (cmp.summary()["compared_on"] == "39 shared words").all()
    assert "clusters matched on the 39 shared words" in cmp.statement
    # Compared: the words, by text, that both sides clustered.
    left, right = cmp.clusterings()
    shared = [w for w in VOCAB if w in vocab]
    both = [left.word_labels[VOCAB.index(w)] >= 0 and right.word_labels[vocab.index(w)] >= 0 for w in shared]
    aligned = cmp.alignment()
    np.testing.assert_array_equal(aligned.compared, both)
    for i, j, overlap in zip(aligned.left_clusters, aligned.right_clusters, aligned.jaccard, strict=True):
        kept = [w for w, keep in zip(shared, both, strict=True) if keep]
        a = {w for w in kept if left.word_labels[VOCAB.index(w)] == i}
        b = {w for w in kept if right.word_labels[vocab.index(w)] == j}
        assert overlap == pytest.approx(len(a & b) / len(a | b))
    assert isinstance(cmp, Comparison)
    # A pin crosses to the other side only as words that side shows: "w1" has no twin there.
    shown_both = [w for w in cmp.left.view["words"]["text"] if w in cmp.right.view["words"]["text"]]
    cmp.left.selected_words = ["w1", shown_both[0]]
    assert cmp.left.selected_words == ["w1", shown_both[0]]
    assert cmp.right.selected_words == [shown_both[0]]
    cmp.right.selected_words = [shown_both[1]]
    assert cmp.left.selected_words == [shown_both[1]]
    cmp.close()


def _reorder(stats: object, order: np.ndarray) -> object:
    """Statistics whose word ``i`` is word ``order[i]`` of ``stats``."""
    import copy

    moved = copy.deepcopy(stats)
    moved.counts = moved.counts[order]  # type: ignore[attr-defined]
    for slot in moved.slots.values():  # type: ignore[attr-defined]
        slot.mean = slot.mean[order]
        slot.m2 = slot.m2[order]
    return moved
