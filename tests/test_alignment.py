"""Cluster alignment: a known relabelling of planted clusters is recovered exactly; overlaps
equal a count written here; different k and unclustered words behave as documented."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from rnnvis_widget.clustering import align_clusters, planted_coclusters


def planted_words(k: int = 6, seed: int = 0) -> np.ndarray:
    return planted_coclusters(300, 40, k, seed=seed).word_labels


def test_recovers_a_permutation_of_planted_clusters() -> None:
    left = planted_words()
    permutation = np.random.default_rng(1).permutation(6)
    right = permutation[left]
    alignment = align_clusters(left, right)
    assert alignment.n_pairs == 6
    np.testing.assert_array_equal(alignment.left_partner, permutation)
    np.testing.assert_array_equal(alignment.right_partner[permutation], np.arange(6))
    np.testing.assert_array_equal(alignment.jaccard, np.ones(6))
    np.testing.assert_array_equal(
        np.sort(alignment.shared), np.sort(np.bincount(left, minlength=6))
    )
    assert not alignment.changed.any() and alignment.compared.all()
    assert alignment.unmatched_left.size == 0 and alignment.unmatched_right.size == 0


def test_moved_words_are_marked_and_overlaps_match_a_count() -> None:
    left = planted_words()
    permutation = np.random.default_rng(2).permutation(6)
    right = permutation[left]
    moved = np.random.default_rng(3).choice(left.size, size=20, replace=False)
    right[moved] = (right[moved] + 1) % 6
    alignment = align_clusters(left, right)
    np.testing.assert_array_equal(alignment.left_partner, permutation)
    np.testing.assert_array_equal(np.flatnonzero(alignment.changed), np.sort(moved))
    for i, j, jaccard, shared in zip(
        alignment.left_clusters, alignment.right_clusters, alignment.jaccard, alignment.shared, strict=True
    ):
        a, b = set(np.flatnonzero(left == i)), set(np.flatnonzero(right == j))
        assert shared == len(a & b)
        assert jaccard == pytest.approx(len(a & b) / len(a | b))
    assert list(alignment.jaccard) == sorted(alignment.jaccard, reverse=True)
    assert alignment.changed_fraction == pytest.approx(20 / left.size)


def brute_jaccard(left: np.ndarray, right: np.ndarray, k_left: int, k_right: int) -> np.ndarray:
    """Jaccard overlap of every pair of clusters over the words both sides clustered."""
    both = (left >= 0) & (right >= 0)
    out = np.zeros((k_left, k_right))
    for i in range(k_left):
        for j in range(k_right):
            a, b = (left == i) & both, (right == j) & both
            union = (a | b).sum()
            out[i, j] = (a & b).sum() / union if union else 0.0
    return out


def test_the_assignment_maximises_total_overlap() -> None:
    """Against every one-to-one pairing, enumerated, on small random labellings with
    unclustered words and different k."""
    rng = np.random.default_rng(4)
    for _ in range(40):
        n, k_left, k_right = int(rng.integers(6, 30)), int(rng.integers(2, 5)), int(rng.integers(2, 5))
        left = rng.integers(-1, k_left, n)
        right = rng.integers(-1, k_right, n)
        alignment = align_clusters(left, right, n_left=k_left, n_right=k_right)
        overlap = brute_jaccard(left, right, k_left, k_right)
        np.testing.assert_allclose(alignment.overlap, overlap)
        # Pair the smaller side's clusters with every ordered choice of the larger side's.
        wide = overlap if k_left <= k_right else overlap.T
        best = max(
            wide[np.arange(wide.shape[0]), list(chosen)].sum()
            for chosen in itertools.permutations(range(wide.shape[1]), wide.shape[0])
        )
        assert alignment.jaccard.sum() == pytest.approx(best)
        pairs = zip(alignment.left_clusters, alignment.right_clusters, alignment.jaccard, strict=True)
        for i, j, value in pairs:
            assert value == pytest.approx(overlap[i, j]) and value > 0


def test_fewer_clusters_on_one_side_leaves_the_rest_unmatched() -> None:
    left = planted_words(k=6)
    sizes = np.bincount(left, minlength=6)
    small, second = np.argsort(sizes)[:2]
    # The right side merges the two smallest clusters: five clusters, numbered 0..4.
    merged = np.where(left == small, second, left)
    _, right = np.unique(merged, return_inverse=True)
    alignment = align_clusters(left, right)
    assert alignment.n_pairs == 5
    # The merged cluster is matched with the larger of its two parts, the smaller is left over.
    np.testing.assert_array_equal(alignment.unmatched_left, [small])
    assert alignment.unmatched_right.size == 0
    assert alignment.left_partner[small] == -1
    np.testing.assert_array_equal(alignment.changed, left == small)
    # And the other way round: more clusters on the right.
    reverse = align_clusters(right, left)
    np.testing.assert_array_equal(reverse.unmatched_right, [small])
    assert reverse.unmatched_left.size == 0


def test_unclustered_and_empty_clusters() -> None:
    left = np.array([0, 0, 1, 1, -1, 2])
    right = np.array([1, 1, 0, -1, 0, -1])
    alignment = align_clusters(left, right, n_left=4, n_right=3)
    np.testing.assert_array_equal(alignment.compared, [True, True, True, False, False, False])
    np.testing.assert_array_equal(alignment.left_partner, [1, 0, -1, -1])
    # Cluster 2 on the left has no compared word, 3 none at all, 2 on the right is empty:
    # a pair sharing nothing is no match.
    np.testing.assert_array_equal(alignment.unmatched_left, [2, 3])
    np.testing.assert_array_equal(alignment.unmatched_right, [2])
    assert alignment.overlap.shape == (4, 3)
    assert not alignment.changed.any()


def test_bad_labels_say_what_is_expected() -> None:
    with pytest.raises(ValueError, match="same words"):
        align_clusters(np.zeros(3, dtype=int), np.zeros(4, dtype=int))
    with pytest.raises(ValueError, match="integer cluster labels"):
        align_clusters(np.zeros(3), np.zeros(3, dtype=int))
    with pytest.raises(ValueError, match="-1 for unclustered"):
        align_clusters(np.array([0, -2]), np.array([0, 0]))
    with pytest.raises(ValueError, match="n_left must be an int of at least 3"):
        align_clusters(np.array([0, 2]), np.array([0, 0]), n_left=2)
