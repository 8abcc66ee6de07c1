"""Matching the word clusters of two co-clusterings, for comparing two models or two layers.

Cluster numbers are arbitrary on each side, so "cluster 3 on the left" and "cluster 3 on the
right" mean nothing together. The alignment pairs left cluster ``i`` with right cluster ``j``
so that the total Jaccard overlap of their word sets is as large as possible (Hungarian
assignment), counting only the words that both sides clustered. With different numbers of
clusters on the two sides, ``min(k_left, k_right)`` pairs at most are formed and the rest are
reported as unmatched; a pair that shares no word is no match and is reported unmatched too.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["ClusterAlignment", "align_clusters"]


@dataclass(frozen=True)
class ClusterAlignment:
    """Word clusters of two clusterings matched one to one by word overlap.

    Attributes
    ----------
    left_clusters, right_clusters : ndarray of shape (n_pairs,), int64
        Matched pairs: ``left_clusters[p]`` on the left is matched with ``right_clusters[p]``
        on the right. Sorted by decreasing overlap (ties: left cluster).
    jaccard : ndarray of shape (n_pairs,), float64
        Jaccard overlap of each pair, shared words over words in either (``|L & R| / |L | R|``
        as sets), counted over the compared words; in (0, 1].
    shared : ndarray of shape (n_pairs,), int64
        Words the pair has in common, ``|L & R|`` (> 0).
    unmatched_left : ndarray of shape (k_left - n_pairs,), int64
        Left clusters without a partner, ascending.
    unmatched_right : ndarray of shape (k_right - n_pairs,), int64
        Right clusters without a partner, ascending.
    left_partner : ndarray of shape (k_left,), int64
        The right cluster matched with each left cluster, -1 if unmatched.
    right_partner : ndarray of shape (k_right,), int64
        The left cluster matched with each right cluster, -1 if unmatched.
    compared : ndarray of shape (n_words,), bool
        Words clustered on both sides: the words the overlaps are counted over.
    changed : ndarray of shape (n_words,), bool
        Compared words whose right cluster is not the partner of their left cluster (or whose
        left cluster has no partner): they changed cluster. False for words not compared.
    overlap : ndarray of shape (k_left, k_right), float64
        Jaccard overlap of every left cluster with every right cluster (0 where both are
        empty of compared words).
    """

    left_clusters: np.ndarray
    right_clusters: np.ndarray
    jaccard: np.ndarray
    shared: np.ndarray
    unmatched_left: np.ndarray
    unmatched_right: np.ndarray
    left_partner: np.ndarray
    right_partner: np.ndarray
    compared: np.ndarray
    changed: np.ndarray
    overlap: np.ndarray

    @property
    def n_pairs(self) -> int:
        """Number of matched pairs."""
        return int(self.left_clusters.size)

    @property
    def mean_jaccard(self) -> float:
        """Mean Jaccard overlap over the matched pairs (NaN if none)."""
        return float(self.jaccard.mean()) if self.n_pairs else float("nan")

    @property
    def changed_fraction(self) -> float:
        """Fraction of the compared words that changed cluster (NaN if none are compared)."""
        n = int(self.compared.sum())
        return float(self.changed.sum() / n) if n else float("nan")


def align_clusters(
    left_labels: np.ndarray,
    right_labels: np.ndarray,
    *,
    n_left: int | None = None,
    n_right: int | None = None,
) -> ClusterAlignment:
    """Match the word clusters of two clusterings of the same words by Jaccard overlap.

    Parameters
    ----------
    left_labels, right_labels : array-like of shape (n_words,), int
        Cluster of each word on each side, ``0..k-1``, or -1 for a word that side did not
        cluster (e.g. [CoClustering][rnnvis_widget.CoClustering] ``word_labels``). Row ``w``
        must be the same word on both sides.
    n_left, n_right : int, optional
        Number of clusters on each side, ``k``; default one more than the largest label. Pass
        them when a cluster may hold no word (a co-cluster can have units only).

    Returns
    -------
    ClusterAlignment

    Raises
    ------
    ValueError
        If the label arrays are not 1-D integers of equal length, hold a label below -1 or
        not below ``n_left`` / ``n_right``.

    Notes
    -----
    The assignment maximises the sum of Jaccard overlaps (`scipy.optimize.linear_sum_assignment`
    on the ``(k_left, k_right)`` overlap matrix), so a large cluster cannot claim a partner
    just by being large, as it could with raw shared-word counts.
    """
    # scipy.optimize takes ~0.4 s to import: only comparisons pay for it.
    from scipy.optimize import linear_sum_assignment

    left = _labels(left_labels, "left_labels")
    right = _labels(right_labels, "right_labels")
    if left.shape != right.shape:
        raise ValueError(
            f"left_labels and right_labels must label the same words: got {left.size} and "
            f"{right.size} entries"
        )
    k_left = _n_clusters(left, n_left, "n_left")
    k_right = _n_clusters(right, n_right, "n_right")
    compared = (left >= 0) & (right >= 0)
    shared_counts = np.zeros((k_left, k_right), dtype=np.int64)
    np.add.at(shared_counts, (left[compared], right[compared]), 1)
    left_sizes = shared_counts.sum(axis=1)
    right_sizes = shared_counts.sum(axis=0)
    union = left_sizes[:, None] + right_sizes[None, :] - shared_counts
    overlap = np.divide(
        shared_counts, union, out=np.zeros((k_left, k_right)), where=union > 0
    )
    rows, cols = linear_sum_assignment(overlap, maximize=True)
    keep = shared_counts[rows, cols] > 0
    rows, cols = rows[keep], cols[keep]
    order = np.lexsort((rows, -overlap[rows, cols]))
    rows, cols = rows[order].astype(np.int64), cols[order].astype(np.int64)

    left_partner = np.full(k_left, -1, dtype=np.int64)
    right_partner = np.full(k_right, -1, dtype=np.int64)
    left_partner[rows] = cols
    right_partner[cols] = rows
    changed = np.zeros(left.size, dtype=bool)
    changed[compared] = left_partner[left[compared]] != right[compared]
    return ClusterAlignment(
        left_clusters=rows,
        right_clusters=cols,
        jaccard=overlap[rows, cols],
        shared=shared_counts[rows, cols],
        unmatched_left=np.flatnonzero(left_partner < 0).astype(np.int64),
        unmatched_right=np.flatnonzero(right_partner < 0).astype(np.int64),
        left_partner=left_partner,
        right_partner=right_partner,
        compared=compared,
        changed=changed,
        overlap=overlap,
    )


def _labels(labels: np.ndarray, name: str) -> np.ndarray:
    """``labels`` as a 1-D int64 array, or ValueError saying what was expected."""
    array = np.asarray(labels)
    if array.ndim != 1 or not (array.size == 0 or np.issubdtype(array.dtype, np.integer)):
        raise ValueError(
            f"{name} must be a 1-D array of integer cluster labels; got {array.dtype} {array.shape}"
        )
    array = array.astype(np.int64)
    if array.size and array.min() < -1:
        raise ValueError(f"{name} holds {int(array.min())}; labels are 0..k-1, or -1 for unclustered words")
    return array


def _n_clusters(labels: np.ndarray, given: int | None, name: str) -> int:
    """The number of clusters of one side: ``given``, checked against the labels, or inferred."""
    largest = int(labels.max()) + 1 if labels.size else 0
    if given is None:
        return largest
    if isinstance(given, bool) or not isinstance(given, (int, np.integer)) or given < largest:
        raise ValueError(
            f"{name} must be an int of at least {largest} (the labels reach {largest - 1}); got {given!r}"
        )
    return int(given)
