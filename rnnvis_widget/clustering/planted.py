"""Planted signed word x unit structure, for testing and benchmarking co-clustering.

The generator mimics what a recurrent layer's expected-response matrix looks like when it
really has co-clusters: ``k`` groups of words, each driving its own group of hidden units,
every unit with its own sign (a unit may answer its words by going *down*), on top of noise
that touches every (word, unit) pair. Group sizes are deliberately unequal, on both sides and
independently, because equal sizes hide the failure of embeddings with too few singular
vectors.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class PlantedCoclusters:
    """A planted signed co-cluster structure and the truth it was built from.

    Attributes
    ----------
    response : ndarray of shape (n_words, n_units), float64
        Signed expected response ``s(w)_u``.
    counts : ndarray of shape (n_words,), int64
        Occurrence count per word (heavy-tailed, at least 1).
    word_labels : ndarray of shape (n_words,), int64
        Planted word group, ``0..k-1``.
    unit_labels : ndarray of shape (n_units,), int64
        Planted unit group, ``0..k-1``; word group ``j`` drives unit group ``j``.
    unit_signs : ndarray of shape (n_units,), float64
        The sign (+1 or -1) with which each unit answers the words of its group.
    """

    response: np.ndarray
    counts: np.ndarray
    word_labels: np.ndarray
    unit_labels: np.ndarray
    unit_signs: np.ndarray


def _unequal_labels(n: int, k: int, skew: float, rng: np.random.Generator) -> np.ndarray:
    """Labels ``0..k-1`` for ``n`` items, group sizes spread linearly from 1 to ``skew``.

    Which group gets which size is shuffled, so the word side and the unit side of a pair
    generally have different relative sizes.

    Parameters
    ----------
    n : int
        Number of items, at least ``k``.
    k : int
        Number of groups; every group gets at least one item.
    skew : float
        Weight of the largest group relative to the smallest.
    rng : numpy.random.Generator

    Returns
    -------
    labels : ndarray of shape (n,), int64
        In random order.
    """
    weights = np.linspace(1.0, skew, k)
    rng.shuffle(weights)
    # Every group gets at least one member, the rest is shared out by weight.
    sizes = np.ones(k, dtype=np.int64)
    rest = n - k
    share = weights / weights.sum() * rest
    sizes += np.floor(share).astype(np.int64)
    # Hand out the rounding remainder to the largest fractional parts, deterministically.
    short = n - int(sizes.sum())
    sizes[np.argsort(-(share - np.floor(share)), kind="stable")[:short]] += 1
    labels = np.repeat(np.arange(k, dtype=np.int64), sizes)
    return rng.permutation(labels)


def planted_coclusters(
    n_words: int,
    n_units: int,
    n_clusters: int,
    *,
    noise: float = 0.5,
    skew: float = 4.0,
    seed: int = 0,
) -> PlantedCoclusters:
    """Make a signed response matrix with ``n_clusters`` planted co-clusters.

    ``s(w)_u = sign_u * a_w + noise`` when word ``w`` and unit ``u`` are in the same group,
    ``noise`` otherwise, with ``a_w ~ U(0.5, 1.5)`` (words differ in strength),
    ``sign_u = +-1`` at random and ``noise ~ N(0, noise**2)`` on every entry.

    Parameters
    ----------
    n_words, n_units : int
        Matrix shape; each must be at least ``n_clusters``.
    n_clusters : int
        Number of planted groups ``k``.
    noise : float
        Standard deviation of the Gaussian noise on every entry (signal strength is ~1).
    skew : float
        Largest group is ``skew`` times the smallest, on each side.
    seed : int
        Seed for numpy's ``default_rng``; same seed, same data.

    Returns
    -------
    PlantedCoclusters

    Raises
    ------
    ValueError
        Unless ``1 <= n_clusters <= min(n_words, n_units)``.
    """
    if n_clusters < 1 or n_words < n_clusters or n_units < n_clusters:
        raise ValueError(
            f"need 1 <= n_clusters <= min(n_words, n_units); got n_clusters={n_clusters}, "
            f"n_words={n_words}, n_units={n_units}"
        )
    rng = np.random.default_rng(seed)
    word_labels = _unequal_labels(n_words, n_clusters, skew, rng)
    unit_labels = _unequal_labels(n_units, n_clusters, skew, rng)
    unit_signs = rng.choice(np.array([-1.0, 1.0]), size=n_units)
    word_gain = rng.uniform(0.5, 1.5, size=n_words)
    same_group = word_labels[:, None] == unit_labels[None, :]
    response = np.where(same_group, word_gain[:, None] * unit_signs[None, :], 0.0)
    response += rng.normal(0.0, noise, size=(n_words, n_units))
    # Zipf-like counts, so min_count has something to cut.
    counts = np.maximum(1, (rng.pareto(1.2, size=n_words) * 3).astype(np.int64))
    return PlantedCoclusters(response, counts, word_labels, unit_labels, unit_signs)
