"""Co-clustering: planted structure is recovered, outputs mean what they say, errors are clear."""

from __future__ import annotations

import itertools
from collections.abc import Callable

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.cluster import SpectralCoclustering
from sklearn.metrics import adjusted_rand_score

from rnnvis_widget.clustering._crossings import order_clusters, weighted_crossings
from rnnvis_widget.clustering._spectral import degree_scales, kmeans, nontrivial_singular_vectors
from rnnvis_widget.clustering.cocluster import (
    CoClustering,
    SpectralEmbedding,
    cocluster,
    cocluster_range,
)
from rnnvis_widget.clustering.planted import PlantedCoclusters, planted_coclusters

ARRAY_FIELDS = [
    "unit_labels",
    "word_labels",
    "edge_weights",
    "edge_strength",
    "cluster_order",
    "unit_order",
    "word_strength",
]


@pytest.fixture(scope="module")
def plant() -> PlantedCoclusters:
    # Unequal groups on both sides (largest 4x the smallest), random sign per unit, noise
    # with half the strength of the signal on every entry.
    return planted_coclusters(3000, 400, 8, noise=0.5, seed=1)


def test_planted_signed_structure_is_recovered_and_sklearn_on_signed_input_is_not(
    plant: PlantedCoclusters, record_property: Callable[[str, object], None]
) -> None:
    counts = np.full(3000, 5)
    co = cocluster(plant.response, counts, 8, seed=0)
    word_ari = adjusted_rand_score(plant.word_labels, co.word_labels)
    unit_ari = adjusted_rand_score(plant.unit_labels, co.unit_labels)
    assert word_ari >= 0.95
    assert unit_ari >= 0.95

    # What RNNVis did: signed values into sklearn, which shifts them by the minimum, so a
    # strongly negative response looks like no response.
    sk = SpectralCoclustering(n_clusters=8, random_state=0).fit(plant.response)
    sk_word_ari = adjusted_rand_score(plant.word_labels, sk.row_labels_)
    sk_unit_ari = adjusted_rand_score(plant.unit_labels, sk.column_labels_)
    record_property("sklearn_signed_word_ari", round(sk_word_ari, 3))
    record_property("sklearn_signed_unit_ari", round(sk_unit_ari, 3))
    print(f"ours: words {word_ari:.3f} units {unit_ari:.3f}; "
          f"sklearn on signed input: words {sk_word_ari:.3f} units {sk_unit_ari:.3f}")
    assert min(sk_word_ari, sk_unit_ari) < 0.7
    assert min(sk_word_ari, sk_unit_ari) < min(word_ari, unit_ari) - 0.25


def test_each_planted_group_is_paired_with_its_own_units(plant: PlantedCoclusters) -> None:
    co = cocluster(plant.response, np.ones(3000), 8)
    # The pairing itself: the units sharing a label with a planted word group are (almost
    # all) the units that group drives.
    for group in range(8):
        found = np.bincount(co.word_labels[plant.word_labels == group], minlength=8).argmax()
        driven = plant.unit_labels == group
        assert np.mean(co.unit_labels[driven] == found) >= 0.95
    # Paired blocks are where the response is large: |mean| is no use (signs cancel within
    # a unit cluster), so compare mean |s| instead, via word strength.
    magnitude = np.abs(plant.response)
    for w in range(0, 3000, 97):
        others = co.unit_labels != co.word_labels[w]
        assert co.word_strength[w] > magnitude[w, others].mean()


def test_min_count_excludes_words_and_clusters_the_rest_alone(plant: PlantedCoclusters) -> None:
    rng = np.random.default_rng(3)
    counts = rng.integers(0, 10, size=3000)
    response = plant.response.copy()
    response[counts == 0] = np.nan  # the mean of nothing, as stats may report it
    co = cocluster(response, counts, 8, min_count=3, seed=4)
    kept = counts >= 3
    assert np.all(co.word_labels[~kept] == -1)
    assert np.all(co.word_strength[~kept] == 0)
    assert np.all(co.word_labels[kept] >= 0)
    alone = cocluster(plant.response[kept], counts[kept], 8, seed=4)
    np.testing.assert_array_equal(co.word_labels[kept], alone.word_labels)
    np.testing.assert_array_equal(co.unit_labels, alone.unit_labels)
    np.testing.assert_allclose(co.edge_weights, alone.edge_weights)


def _same(a: CoClustering, b: CoClustering) -> bool:
    return a.n_clusters == b.n_clusters and all(
        np.array_equal(getattr(a, f), getattr(b, f)) for f in ARRAY_FIELDS
    )


def test_deterministic_for_a_seed_and_range_matches_single(plant: PlantedCoclusters) -> None:
    counts = np.ones(3000)
    one = cocluster(plant.response, counts, 6, seed=7)
    again = cocluster(plant.response.copy(), counts.copy(), 6, seed=7)
    assert _same(one, again)
    many = cocluster_range(plant.response, counts, [3, 6, 9], seed=7)
    assert sorted(many) == [3, 6, 9]
    assert _same(many[6], one)
    assert many[6].seed == 7


def test_every_k_from_2_to_20_is_valid(plant: PlantedCoclusters) -> None:
    embedding = SpectralEmbedding.fit(plant.response[:600, :120], np.ones(600))
    assert embedding.n_vectors == 19
    for k in range(2, 21):
        co = embedding.cluster(k)
        _check_invariants(co, plant.response[:600, :120], np.ones(600, dtype=bool))


def _check_invariants(co: CoClustering, response: np.ndarray, clustered: np.ndarray) -> None:
    """Everything a CoClustering promises, checked by brute force."""
    k = co.n_clusters
    n_words, n_units = response.shape
    assert co.unit_labels.shape == (n_units,) and co.word_labels.shape == (n_words,)
    assert set(np.unique(co.unit_labels)) <= set(range(k))
    assert np.all(co.word_labels[~clustered] == -1)
    assert set(np.unique(co.word_labels[clustered])) <= set(range(k))
    # Every pair has members on at least one side.
    used = set(co.unit_labels) | set(co.word_labels[clustered])
    assert used == set(range(k))
    assert sorted(co.cluster_order) == list(range(k))
    assert sorted(co.unit_order) == list(range(n_units))

    for i, j in itertools.product(range(k), range(k)):
        block = response[np.ix_(co.word_labels == j, co.unit_labels == i)]
        expected = block.mean() if block.size else 0.0
        assert co.edge_weights[i, j] == pytest.approx(expected, abs=1e-5)
        strength = np.abs(block).mean() if block.size else 0.0
        assert co.edge_strength[i, j] == pytest.approx(strength, abs=1e-5)

    # Units: clusters in display order, each run sorted by mean response to its word cluster.
    rank = np.argsort(co.cluster_order)
    shown = co.unit_labels[co.unit_order]
    assert np.all(np.diff(rank[shown]) >= 0)
    for c in range(k):
        members = co.unit_order[shown == c]
        words = co.word_labels == c
        basis = response[words] if words.any() else response[clustered]
        means = basis[:, members].mean(axis=0)
        assert np.all(np.diff(means) <= 1e-5)

    for w in range(n_words):
        units = co.unit_labels == co.word_labels[w]
        expected = np.abs(response[w, units]).mean() if clustered[w] and units.any() else 0.0
        assert co.word_strength[w] == pytest.approx(expected, abs=1e-5)


@settings(max_examples=25, deadline=None)
@given(
    n_words=st.integers(3, 40),
    n_units=st.integers(2, 25),
    k=st.integers(2, 8),
    seed=st.integers(0, 2**16),
)
def test_invariants_on_random_matrices(n_words: int, n_units: int, k: int, seed: int) -> None:
    rng = np.random.default_rng(seed)
    response = rng.normal(size=(n_words, n_units)) * (rng.random((n_words, n_units)) < 0.6)
    counts = rng.integers(0, 4, size=n_words)
    counts[:2] = 3  # at least two clustered words
    clustered = counts >= 1
    k = min(k, int(clustered.sum()), n_units)
    if k < 2 or not response[clustered].any():
        return
    co = cocluster(response, counts, k, seed=seed)
    _check_invariants(co, response, clustered)


def test_a_pair_with_an_empty_side_is_still_valid() -> None:
    rng = np.random.default_rng(0)
    response = rng.normal(size=(12, 5))
    embedding = SpectralEmbedding.fit(response, np.ones(12))
    word_part = np.array([0, 0, 1, 1, 2, 2, 2, 0, 1, 2, 2, 0])
    unit_labels = np.array([0, 0, 1, 1, 1])  # cluster 2 has words but no units
    co = embedding._describe(word_part, unit_labels, 3)
    assert np.all(co.edge_weights[2] == 0)
    assert np.all(co.word_strength[word_part == 2] == 0)
    assert np.all(co.word_strength[word_part != 2] > 0)
    assert sorted(co.cluster_order) == [0, 1, 2]
    assert sorted(co.unit_order) == list(range(5))


def test_randomised_svd_matches_exact_svd() -> None:
    # Noisier than the default plant, so the gap after the 6th singular value (the last
    # planted one) is modest: 1.4x.
    plant = planted_coclusters(900, 300, 6, noise=0.7, seed=2)
    magnitude = np.abs(plant.response).astype(np.float32)
    rows, cols = degree_scales(magnitude)
    left, values, right = nontrivial_singular_vectors(
        magnitude, rows, cols, 5, np.random.default_rng(0)
    )
    normalised = magnitude * rows[:, None] * cols[None, :]
    exact_u, exact_s, exact_vt = np.linalg.svd(normalised, full_matrices=False)
    assert exact_s[0] == pytest.approx(1.0, abs=1e-5)  # the trivial pair we deflate
    # Measured: 0.15 % with three power iterations (0.02 % with four); 0.5 % leaves room
    # for other BLAS builds while still failing if the iteration or deflation is wrong.
    np.testing.assert_allclose(values, exact_s[1:6], rtol=5e-3)
    # Same subspaces: all principal angles ~0 (singular values of U^T U_exact ~1).
    for found, truth in [(left, exact_u[:, 1:6]), (right, exact_vt[1:6].T)]:
        cosines = np.linalg.svd(found.T @ truth, compute_uv=False)
        assert cosines.min() > 0.99


def test_rank_deficient_input_gives_zero_pairs_not_nan() -> None:
    # No noise: |S| has rank 3, so only 2 non-trivial pairs exist but 19 are asked for (the
    # default), on the randomised path.
    plant = planted_coclusters(400, 150, 3, noise=0.0, seed=4)
    embedding = SpectralEmbedding.fit(plant.response, np.ones(400))
    assert embedding.n_vectors == 19
    assert np.all(np.isfinite(embedding.word_vectors)) and np.all(np.isfinite(embedding.unit_vectors))
    assert embedding.singular_values[1] > 0.1
    assert np.all(embedding.singular_values[2:] < 1e-4)
    co = embedding.cluster(3)
    assert adjusted_rand_score(plant.word_labels, co.word_labels) == 1.0
    assert adjusted_rand_score(plant.unit_labels, co.unit_labels) == 1.0


def test_weighted_crossings_match_brute_force() -> None:
    rng = np.random.default_rng(5)
    for k in (2, 3, 5, 7):
        weights = rng.random((k, k)) * (rng.random((k, k)) < 0.7)
        order = rng.permutation(k)
        pos = np.argsort(order)
        brute = 0.0
        for (a, b), (c, d) in itertools.combinations(itertools.product(range(k), repeat=2), 2):
            if (pos[a] - pos[c]) * (pos[b] - pos[d]) < 0:
                brute += weights[a, b] * weights[c, d]
        assert weighted_crossings(weights, order) == pytest.approx(brute)


def test_cluster_order_finds_a_hidden_chain() -> None:
    # Clusters linked in a chain 0-1-2-...-6 (plus strong self-links), shuffled: the best
    # order puts chain neighbours next to each other, as brute force confirms.
    k = 7
    chain = np.eye(k) * 5 + np.eye(k, k=1) + np.eye(k, k=-1) * 0.5
    shuffle = np.random.default_rng(6).permutation(k)
    weights = chain[np.ix_(shuffle, shuffle)]
    found = order_clusters(weights)
    best = min(weighted_crossings(weights, np.array(p)) for p in itertools.permutations(range(k)))
    assert weighted_crossings(weights, found) == pytest.approx(best)
    assert weighted_crossings(weights, found) < weighted_crossings(weights, np.arange(k))


def test_kmeans_separates_blobs_and_uses_every_label() -> None:
    rng = np.random.default_rng(8)
    centres = rng.normal(scale=10, size=(5, 3))
    truth = rng.integers(0, 5, size=5000)  # more than the sample size: the refine path
    points = centres[truth] + rng.normal(size=(5000, 3))
    labels = kmeans(points, 5, np.random.default_rng(0))
    assert adjusted_rand_score(truth, labels) == 1.0
    # Two distinct locations, three clusters: one must be re-seeded, none left empty.
    twins = np.repeat(np.array([[0.0, 0.0], [1.0, 1.0]]), 10, axis=0)
    assert set(kmeans(twins, 3, np.random.default_rng(0))) == {0, 1, 2}


@pytest.mark.parametrize(
    ("response", "counts", "k", "message"),
    [
        (np.ones(5), np.ones(5), 2, "2-D"),
        (np.ones((5, 3)), np.ones(4), 2, "one entry per word"),
        (np.ones((5, 3)), np.ones((5, 1)), 2, "one entry per word"),
        (np.where(np.eye(5, 3) > 0, np.nan, 1.0), np.ones(5), 2, "NaN/inf"),
        (np.full((5, 3), np.inf), np.ones(5), 2, "NaN/inf"),
        (np.ones((5, 3)), np.ones(5), 1, "between 2 and"),
        (np.ones((5, 3)), np.ones(5), 4, "between 2 and"),
        (np.ones((5, 3)), np.array([5, 0, 0, 0, 0]), 2, "lower min_count"),
        (np.zeros((5, 3)), np.ones(5), 2, "all zero"),
        (np.ones((5, 3)), -np.ones(5), 2, ">= 0"),
        (np.ones((5, 1)), np.ones(5), 2, "at least 2 units"),
        (np.ones((5, 3)), np.ones(5), 2.5, "must be an int"),
    ],
)
def test_bad_input_is_refused_with_a_clear_message(
    response: np.ndarray, counts: np.ndarray, k: object, message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        cocluster(response, counts, k)  # type: ignore[arg-type]


def test_embedding_refuses_k_beyond_its_vectors() -> None:
    plant = planted_coclusters(60, 30, 3, seed=0)
    embedding = SpectralEmbedding.fit(plant.response, plant.counts, n_vectors=3)
    embedding.cluster(4)
    with pytest.raises(ValueError, match="n_vectors >= 4"):
        embedding.cluster(5)
    with pytest.raises(ValueError, match="n_vectors"):
        SpectralEmbedding.fit(plant.response, plant.counts, n_vectors=30)


def test_planted_groups_are_unequal() -> None:
    plant = planted_coclusters(1000, 200, 5, skew=4.0, seed=0)
    for labels in (plant.word_labels, plant.unit_labels):
        sizes = np.bincount(labels)
        assert sizes.sum() == labels.size and sizes.max() >= 3 * sizes.min()
    assert set(np.unique(plant.unit_signs)) == {-1.0, 1.0}
