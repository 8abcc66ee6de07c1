"""The numbers behind the sentence glyph (DESIGN §4): per token and unit cluster, how much
positive and negative memory the cluster holds, how that changed, how much of the old memory
was kept, and how strongly the token moved the cluster.

Everything is computed from one direction's states of one sentence, ``x`` of shape (T, H), its
initial state (H,) and the unit clusters, with plain numpy. Sums over a cluster are divided by
its size ``n`` so clusters of different sizes share one y-scale; an empty cluster (``n = 0``)
reads 0 (nothing to draw) and its kept fraction NaN.

The browser draws the glyphs from the states themselves (js/sentence_data.ts mirrors these
functions), so a change of k or layer needs no kernel; this module is the reference it is
checked against (tests/test_contract.py writes its numbers into the contract fixture) and what
notebooks use to print the numbers.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = [
    "SentenceGlyph",
    "cluster_sizes",
    "kept_fraction",
    "link_strength",
    "memory_changes",
    "memory_sums",
    "sentence_glyph",
]


@dataclass(frozen=True)
class SentenceGlyph:
    """Glyph numbers of one sentence, every array of shape (T, k) unless said otherwise.

    Attributes
    ----------
    sizes : ndarray of shape (k,), int64
        ``n``, units per cluster.
    positive, negative : ndarray, float64
        ``P(t)/n`` (>= 0) and ``N(t)/n`` (<= 0): the cluster's positive and negative memory.
    positive_change, negative_change : ndarray, float64
        ``(P(t) − P(t−1))/n`` and ``(N(t) − N(t−1))/n``; the first processed token is compared
        with the initial state.
    kept : ndarray, float64
        ``K(t) / Σ|x(t−1)|`` in [0, 1]: the share of the old memory that survived the token;
        NaN where the cluster held no memory before the token (see `kept_fraction`).
    link_strength : ndarray, float64
        ``Σ|Δx_u(t)|/n`` (>= 0), how strongly the token moved the cluster.
    link_sign : ndarray, float64
        The sign of ``ΣΔx_u(t)``: 1, −1, or 0 for no net change.
    """

    sizes: np.ndarray
    positive: np.ndarray
    negative: np.ndarray
    positive_change: np.ndarray
    negative_change: np.ndarray
    kept: np.ndarray
    link_strength: np.ndarray
    link_sign: np.ndarray


def cluster_sizes(unit_labels: np.ndarray, n_clusters: int) -> np.ndarray:
    """Units per cluster.

    Parameters
    ----------
    unit_labels : ndarray of shape (H,), int
        Cluster of each unit, ``0..n_clusters-1``.
    n_clusters : int

    Returns
    -------
    ndarray of shape (n_clusters,), int64
    """
    labels = _check_labels(unit_labels, n_clusters)
    return np.bincount(labels, minlength=n_clusters).astype(np.int64)


def memory_sums(
    states: np.ndarray, unit_labels: np.ndarray, n_clusters: int
) -> tuple[np.ndarray, np.ndarray]:
    """Positive and negative memory per cluster and token, per unit of the cluster.

    Parameters
    ----------
    states : ndarray of shape (T, H)
        ``x(t)``, one row per token.
    unit_labels : ndarray of shape (H,), int
    n_clusters : int

    Returns
    -------
    positive : ndarray of shape (T, n_clusters), float64
        ``P(t)/n = Σ_u max(x_u(t), 0) / n``.
    negative : ndarray of shape (T, n_clusters), float64
        ``N(t)/n = Σ_u min(x_u(t), 0) / n``.
    """
    x = _check_states(states)
    onehot, sizes = _membership(unit_labels, n_clusters, x.shape[1])
    return (
        _per_unit(np.maximum(x, 0.0) @ onehot, sizes),
        _per_unit(np.minimum(x, 0.0) @ onehot, sizes),
    )


def memory_changes(
    states: np.ndarray,
    initial: np.ndarray,
    unit_labels: np.ndarray,
    n_clusters: int,
    *,
    backward: bool = False,
) -> tuple[np.ndarray, np.ndarray]:
    """Change of the positive and negative memory since the previous processed token.

    Parameters
    ----------
    states : ndarray of shape (T, H)
    initial : ndarray of shape (H,)
        The state before the first processed token.
    unit_labels : ndarray of shape (H,), int
    n_clusters : int
    backward : bool
        The states come from a backward direction, which reads token ``t + 1`` before ``t``.

    Returns
    -------
    positive_change, negative_change : ndarray of shape (T, n_clusters), float64
        ``(P(t) − P(t−1))/n`` and ``(N(t) − N(t−1))/n``.
    """
    x, previous = _with_previous(states, initial, backward)
    positive, negative = memory_sums(x, unit_labels, n_clusters)
    positive_before, negative_before = memory_sums(previous, unit_labels, n_clusters)
    return positive - positive_before, negative - negative_before


def kept_fraction(
    states: np.ndarray,
    initial: np.ndarray,
    unit_labels: np.ndarray,
    n_clusters: int,
    *,
    backward: bool = False,
) -> np.ndarray:
    """Share of the previous memory that the token left in place, per cluster.

    ``K(t) = Σ_u [sign x_u(t−1) = sign x_u(t)] · min(|x_u(t−1)|, |x_u(t)|)``, shown as
    ``K(t) / Σ_u |x_u(t−1)|``: 1 when every unit kept its sign and did not shrink, 0 when every
    unit flipped sign or was reset to 0.

    Where the cluster held no memory before the token (``Σ_u |x_u(t−1)| = 0``: the first token
    of a sentence started from zeros, or an empty cluster) the fraction is NaN, not 1: there
    was nothing to keep, and a full "kept" bar would claim the opposite. The view draws
    nothing there.

    Parameters
    ----------
    states : ndarray of shape (T, H)
    initial : ndarray of shape (H,)
    unit_labels : ndarray of shape (H,), int
    n_clusters : int
    backward : bool
        The states come from a backward direction.

    Returns
    -------
    ndarray of shape (T, n_clusters), float64, in [0, 1] or NaN.
    """
    x, previous = _with_previous(states, initial, backward)
    onehot, _ = _membership(unit_labels, n_clusters, x.shape[1])
    same_sign = np.sign(previous) == np.sign(x)
    kept = np.where(same_sign, np.minimum(np.abs(previous), np.abs(x)), 0.0) @ onehot
    held = np.abs(previous) @ onehot
    return np.divide(kept, held, out=np.full_like(kept, np.nan), where=held > 0)


def link_strength(
    states: np.ndarray,
    initial: np.ndarray,
    unit_labels: np.ndarray,
    n_clusters: int,
    *,
    backward: bool = False,
    memory: bool = True,
) -> tuple[np.ndarray, np.ndarray]:
    """How strongly, and in which direction, each token moved each cluster.

    Parameters
    ----------
    states : ndarray of shape (T, H)
    initial : ndarray of shape (H,)
    unit_labels : ndarray of shape (H,), int
    n_clusters : int
    backward : bool
        The states come from a backward direction.
    memory : bool
        The states are memory (h, c): a token's response is the change ``Δx``. False for a
        gate, whose response is its value, as in the corpus statistics.

    Returns
    -------
    strength : ndarray of shape (T, n_clusters), float64
        ``Σ_u |Δx_u(t)| / n``, with ``Δx(t) = x(t) − x(t−1)`` (``x(t)`` for a gate).
    sign : ndarray of shape (T, n_clusters), float64
        ``sign(Σ_u Δx_u(t))``: 1, −1, or 0.
    """
    x, previous = _with_previous(states, initial, backward)
    onehot, sizes = _membership(unit_labels, n_clusters, x.shape[1])
    change = x - previous if memory else x
    return _per_unit(np.abs(change) @ onehot, sizes), np.sign(change @ onehot)


def sentence_glyph(
    states: np.ndarray,
    initial: np.ndarray,
    unit_labels: np.ndarray,
    n_clusters: int,
    *,
    backward: bool = False,
    memory: bool = True,
) -> SentenceGlyph:
    """Every glyph number of one sentence (see `SentenceGlyph`).

    Parameters
    ----------
    states : ndarray of shape (T, H)
        The state ``x`` (h, or c for LSTM) of one layer and direction, row ``t`` after token
        ``t``.
    initial : ndarray of shape (H,)
        The state before the first processed token.
    unit_labels : ndarray of shape (H,), int
        Cluster of each unit, ``0..n_clusters-1`` (``CoClustering.unit_labels``).
    n_clusters : int
    backward : bool
        The states come from a backward direction (token ``t + 1`` is read before ``t``).
    memory : bool
        False for a gate: its link strength is taken from its value (see `link_strength`).
    """
    positive, negative = memory_sums(states, unit_labels, n_clusters)
    positive_change, negative_change = memory_changes(
        states, initial, unit_labels, n_clusters, backward=backward
    )
    strength, sign = link_strength(
        states, initial, unit_labels, n_clusters, backward=backward, memory=memory
    )
    return SentenceGlyph(
        sizes=cluster_sizes(unit_labels, n_clusters),
        positive=positive,
        negative=negative,
        positive_change=positive_change,
        negative_change=negative_change,
        kept=kept_fraction(states, initial, unit_labels, n_clusters, backward=backward),
        link_strength=strength,
        link_sign=sign,
    )


# -- helpers ------------------------------------------------------------------------------


def _check_states(states: np.ndarray) -> np.ndarray:
    x = np.asarray(states, dtype=np.float64)
    if x.ndim != 2 or x.shape[0] == 0:
        raise ValueError(
            f"states must have shape (T, H) with T >= 1 tokens, got {x.shape}; pass one layer's "
            "states of one sentence, e.g. trace.state(layer, kind)"
        )
    return x


def _check_labels(unit_labels: np.ndarray, n_clusters: int) -> np.ndarray:
    if isinstance(n_clusters, bool) or not isinstance(n_clusters, int | np.integer):
        raise TypeError(f"n_clusters must be an int, got {type(n_clusters).__name__}")
    if n_clusters < 1:
        raise ValueError(f"n_clusters must be >= 1, got {n_clusters}")
    labels = np.asarray(unit_labels)
    if labels.ndim != 1 or labels.dtype.kind not in "iu":
        raise TypeError(
            f"unit_labels must be a 1-D integer array (one cluster per unit), got dtype "
            f"{labels.dtype} and shape {labels.shape}"
        )
    if labels.size and (labels.min() < 0 or labels.max() >= n_clusters):
        raise ValueError(
            f"unit_labels must lie in 0..{n_clusters - 1} for n_clusters={n_clusters}, got "
            f"values from {labels.min()} to {labels.max()}"
        )
    return labels.astype(np.int64)


def _membership(unit_labels: np.ndarray, n_clusters: int, n_units: int) -> tuple[np.ndarray, np.ndarray]:
    """One-hot (H, k) matrix of unit membership and the cluster sizes (k,)."""
    labels = _check_labels(unit_labels, n_clusters)
    if labels.shape[0] != n_units:
        raise ValueError(
            f"unit_labels has {labels.shape[0]} entries but the states have {n_units} units; "
            "use the clustering of the same layer and state kind"
        )
    onehot = np.zeros((n_units, n_clusters))
    onehot[np.arange(n_units), labels] = 1.0
    return onehot, onehot.sum(axis=0)


def _per_unit(sums: np.ndarray, sizes: np.ndarray) -> np.ndarray:
    """Cluster sums divided by cluster size; 0 for an empty cluster (its sums are 0 too)."""
    return np.divide(sums, sizes, out=np.zeros_like(sums), where=sizes > 0)


def _with_previous(
    states: np.ndarray, initial: np.ndarray, backward: bool
) -> tuple[np.ndarray, np.ndarray]:
    """The states (T, H) and, row for row, the state before each token was read (T, H)."""
    x = _check_states(states)
    start = np.asarray(initial, dtype=np.float64)
    if start.shape != (x.shape[1],):
        raise ValueError(
            f"initial must have shape ({x.shape[1]},) to match states {x.shape}, got {start.shape}"
        )
    if backward:
        return x, np.concatenate([x[1:], start[None, :]])
    return x, np.concatenate([start[None, :], x[:-1]])
