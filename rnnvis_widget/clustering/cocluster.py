"""Spectral co-clustering of the word x unit bipartite graph (Dhillon 2001).

Words and hidden units are the two node sets; the weight between word ``w`` and unit ``u``
is the magnitude ``|s(w)_u|`` of the expected response. Clustering runs on magnitude so that
a unit which answers a word strongly *negatively* counts as strongly linked to it; the sign is
kept for the signed edge weights (colour). RNNVis fed signed values to scikit-learn, whose
``SpectralCoclustering`` shifts the matrix by its minimum: there a strong negative response
looks like no response at all.

Method: normalise ``A = |S|`` to ``An = D1^-1/2 A D2^-1/2``; take its singular vectors
``2 .. l+1``; stack ``Z = [D1^-1/2 U; D2^-1/2 V]`` (words, then units) and run k-means on the
rows jointly, so word cluster ``j`` and unit cluster ``j`` share a label and are paired.

Number of singular vectors: ``l = k - 1``. ``k`` blocks span a ``k``-dimensional space of
which the leading (trivial) vector is one direction, so ``k - 1`` non-trivial vectors are
exactly what separates them. scikit-learn's (and Dhillon's) ``ceil(log2 k)`` assumes the
clusters sit at the corners of a hypercube, which fails on unequal groups: on the planted
data of `rnnvis_widget.clustering.planted` (10,000 x 1,200, k = 10, noise 0.5, seed 0) word/unit
ARI is 0.36/0.55 with ``l = 4``, 0.64/1.00 with ``l = k - 2``, 0.996/1.00 with ``l = k - 1``
and no better with ``l = k`` or ``2k`` (extra vectors carry only noise). The SVD is computed
once for the largest ``k`` needed and every smaller ``k`` uses a prefix of it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

from ._crossings import order_clusters
from ._spectral import degree_scales, kmeans, nontrivial_singular_vectors

#: Largest k that `SpectralEmbedding.fit` prepares for by default (the widget's range).
DEFAULT_MAX_CLUSTERS = 20


@dataclass(frozen=True)
class CoClustering:
    """Paired word and unit clusters, their links and their display order.

    Attributes
    ----------
    n_clusters : int
        ``k``; word cluster ``j`` is paired with unit cluster ``j``.
    unit_labels : ndarray of shape (n_units,), int64
        Cluster of each unit, ``0..k-1``.
    word_labels : ndarray of shape (n_words,), int64
        Cluster of each word, ``0..k-1``, or ``-1`` for words seen fewer than ``min_count``
        times (not clustered).
    edge_weights : ndarray of shape (k, k), float64
        ``edge_weights[i, j]`` is the signed mean response ``s(w)_u`` over units ``u`` of unit
        cluster ``i`` and words ``w`` of word cluster ``j``; 0 where either side is empty.
    edge_strength : ndarray of shape (k, k), float64
        The same blocks' mean ``|s(w)_u|``: how strongly they are linked whatever the sign
        (signed means of a pair can cancel, since clusters are formed on magnitude).
    cluster_order : ndarray of shape (k,), int64
        Display order of the paired clusters, top to bottom (a permutation of ``0..k-1``),
        chosen to reduce strength-weighted crossings of the links.
    unit_order : ndarray of shape (n_units,), int64
        Permutation of the units for display: clusters in ``cluster_order``; inside a cluster,
        units by decreasing signed mean response to the paired word cluster, so positive
        responders come first and negative ones last (ties by unit index).
    word_strength : ndarray of shape (n_words,), float64, >= 0
        Mean ``|s(w)_u|`` over the units of the word's paired unit cluster (cloud size);
        0 for unclustered words and for words whose paired unit cluster is empty.
    seed : int
        Seed the clustering was computed with.

    Notes
    -----
    k-means runs on words and units together, so a cluster can end up with words but no
    units (or the reverse), most often when ``k`` exceeds the number of real groups. Such a
    pair is still valid: its labels are used, its edge weights are 0 and its words have
    strength 0 (a word cluster with no units has no units to be strong on).
    """

    n_clusters: int
    unit_labels: np.ndarray
    word_labels: np.ndarray
    edge_weights: np.ndarray
    edge_strength: np.ndarray
    cluster_order: np.ndarray
    unit_order: np.ndarray
    word_strength: np.ndarray
    seed: int


@dataclass(frozen=True, eq=False)
class SpectralEmbedding:
    """The expensive, k-independent part of co-clustering: one SVD reused for every k.

    Build it with [fit][rnnvis_widget.clustering.SpectralEmbedding.fit], then call
    [cluster][rnnvis_widget.clustering.SpectralEmbedding.cluster] for each k. Reusing one
    embedding for every k (live re-clustering and precomputed snapshots alike) also makes the
    same k give the same clusters everywhere.

    Attributes
    ----------
    n_words : int
        Rows of the response matrix, clustered or not.
    word_index : ndarray of shape (n_clustered,), int64
        Rows of the words that are clustered (count >= ``min_count``).
    signed : ndarray of shape (n_clustered, n_units), float32
        Their signed responses (edges, unit order).
    magnitude : ndarray of shape (n_clustered, n_units), float32
        ``|signed|`` (word strength).
    word_vectors : ndarray of shape (n_clustered, n_vectors), float64
        ``D1^-1/2 U``: scaled left singular vectors 2..n_vectors+1.
    unit_vectors : ndarray of shape (n_units, n_vectors), float64
        ``D2^-1/2 V``: scaled right singular vectors 2..n_vectors+1.
    singular_values : ndarray of shape (n_vectors,), float64
        Singular values 2..n_vectors+1 of ``An`` (the first is 1 by construction).
    seed : int
        Seed of the randomised SVD; k-means seeds derive from it.
    """

    n_words: int
    word_index: np.ndarray
    signed: np.ndarray
    magnitude: np.ndarray
    word_vectors: np.ndarray
    unit_vectors: np.ndarray
    singular_values: np.ndarray
    seed: int

    @property
    def n_units(self) -> int:
        """Columns of the response matrix."""
        return int(self.signed.shape[1])

    @property
    def n_vectors(self) -> int:
        """Non-trivial singular vectors computed."""
        return int(self.singular_values.shape[0])

    @property
    def max_clusters(self) -> int:
        """Largest k this embedding can cluster into."""
        return min(self.n_vectors + 1, self.word_index.size, self.n_units)

    @classmethod
    def fit(
        cls,
        response: np.ndarray,
        counts: np.ndarray,
        *,
        min_count: int = 1,
        n_vectors: int | None = None,
        seed: int = 0,
    ) -> SpectralEmbedding:
        """Normalise the bipartite graph and compute its spectral embedding.

        Parameters
        ----------
        response : array-like of shape (n_words, n_units)
            Signed expected response ``s(w)_u``. Rows of words below ``min_count`` are
            ignored (and may hold NaN, e.g. the mean of nothing for an unseen word).
        counts : array-like of shape (n_words,)
            Occurrences of each word, >= 0.
        min_count : int
            Words seen fewer times are not clustered (label -1).
        n_vectors : int, optional
            Non-trivial singular vectors to compute; clustering into k needs ``k - 1``.
            Default: enough for every k up to 20 (or as many as the matrix has).
        seed : int
            Seeds the randomised SVD.

        Returns
        -------
        SpectralEmbedding

        Raises
        ------
        ValueError
            If the inputs are malformed (not 2-D, non-numeric, counts of the wrong length or
            negative), fewer than 2 units or 2 clustered words remain, a clustered word's
            response holds NaN or inf, the clustered rows are all zero, or ``n_vectors`` is
            not between 1 and ``min(#clustered words, n_units) - 1``.
        """
        signed, word_index = _check_response(response, counts, min_count)
        most = min(word_index.size, signed.shape[1]) - 1
        if n_vectors is None:
            n_vectors = min(DEFAULT_MAX_CLUSTERS - 1, most)
        elif isinstance(n_vectors, bool) or not 1 <= n_vectors <= most:
            raise ValueError(
                f"n_vectors must be between 1 and min(#clustered words, #units) - 1 = {most}; "
                f"got {n_vectors!r}"
            )
        return cls._from_checked(signed, word_index, int(np.shape(response)[0]), n_vectors, seed)

    @classmethod
    def _from_checked(
        cls, signed: np.ndarray, word_index: np.ndarray, n_words: int, n_vectors: int, seed: int
    ) -> SpectralEmbedding:
        # float32 (from _check_response) halves the memory traffic of the SVD, which is
        # memory bound; k-means needs nowhere near float32's precision.
        magnitude = np.abs(signed)
        row_scale, col_scale = degree_scales(magnitude)
        left, values, right = nontrivial_singular_vectors(
            magnitude, row_scale, col_scale, n_vectors, np.random.default_rng(seed)
        )
        return cls(
            n_words=n_words,
            word_index=word_index,
            signed=signed,
            magnitude=magnitude,
            word_vectors=left.astype(np.float64) * row_scale[:, None],
            unit_vectors=right.astype(np.float64) * col_scale[:, None],
            singular_values=values.astype(np.float64),
            seed=seed,
        )

    def cluster(self, n_clusters: int) -> CoClustering:
        """Co-cluster into ``n_clusters`` pairs using the first ``n_clusters - 1`` vectors.

        Deterministic: the k-means seed is derived from (``seed``, ``n_clusters``), so the
        result for one k does not depend on which other k were computed before it.

        Parameters
        ----------
        n_clusters : int
            Number of paired clusters ``k``, ``2 <= k <= min(#clustered words, n_units)``.

        Returns
        -------
        CoClustering

        Raises
        ------
        ValueError
            If ``n_clusters`` is not an int in that range, or needs more singular vectors
            than this embedding has (``k - 1 > n_vectors``).
        """
        k = _check_n_clusters(n_clusters, self.word_index.size, self.n_units)
        if k - 1 > self.n_vectors:
            raise ValueError(
                f"n_clusters={k} needs {k - 1} singular vectors but this embedding has "
                f"{self.n_vectors}; fit it with n_vectors >= {k - 1}"
            )
        n_clustered = self.word_index.size
        points = np.vstack([self.word_vectors[:, : k - 1], self.unit_vectors[:, : k - 1]])
        raw = kmeans(points, k, np.random.default_rng([self.seed, k]))
        word_part, unit_part = _canonical_labels(raw[:n_clustered], raw[n_clustered:], k)
        return self._describe(word_part, unit_part, k)

    def _describe(self, word_part: np.ndarray, unit_labels: np.ndarray, k: int) -> CoClustering:
        """Edges, order and strengths for given labels of the clustered words and units.

        Parameters
        ----------
        word_part : ndarray of shape (n_clustered,), int64
            Label of each clustered word.
        unit_labels : ndarray of shape (n_units,), int64
            Label of each unit.
        k : int
            Number of clusters.

        Returns
        -------
        CoClustering
        """
        word_onehot = _onehot(word_part, k)
        unit_onehot = _onehot(unit_labels, k)
        word_sizes = word_onehot.sum(axis=0)
        unit_sizes = unit_onehot.sum(axis=0)
        # Sum of s over each word cluster, per unit: one pass over the matrix serves both the
        # edge weights and the unit order.
        word_cluster_sums = (word_onehot.T @ self.signed).astype(np.float64)  # (k, n_units)
        block_sums = (word_cluster_sums @ unit_onehot.astype(np.float64)).T  # (unit i, word j)
        block_sizes = np.outer(unit_sizes, word_sizes).astype(np.float64)
        edges = np.divide(
            block_sums, block_sizes, out=np.zeros((k, k)), where=block_sizes > 0
        )
        # Clusters are formed on |s|, so a pair holds units of both signs and its signed mean
        # can cancel; the mean |s| says how strongly the pair is linked (link width, order).
        word_cluster_abs = (word_onehot.T @ self.magnitude).astype(np.float64)  # (k, n_units)
        block_abs = (word_cluster_abs @ unit_onehot.astype(np.float64)).T
        strength_of_edges = np.divide(
            block_abs, block_sizes, out=np.zeros((k, k)), where=block_sizes > 0
        )
        order = order_clusters(strength_of_edges)

        paired_mean = np.divide(
            word_cluster_sums[unit_labels, np.arange(unit_labels.size)],
            word_sizes[unit_labels].astype(np.float64),
            out=np.zeros(unit_labels.size),
            where=word_sizes[unit_labels] > 0,
        )
        # A unit whose paired word cluster is empty is ordered by its mean over all words.
        overall = word_cluster_sums.sum(axis=0) / max(word_part.size, 1)
        paired_mean = np.where(word_sizes[unit_labels] > 0, paired_mean, overall)
        rank = np.empty(k, dtype=np.int64)
        rank[order] = np.arange(k)
        unit_order = np.lexsort((np.arange(unit_labels.size), -paired_mean, rank[unit_labels]))

        strength_sums = (self.magnitude @ unit_onehot).astype(np.float64)  # (n_clustered, k)
        own = strength_sums[np.arange(word_part.size), word_part]
        own_size = unit_sizes[word_part].astype(np.float64)
        strength = np.zeros(self.n_words)
        strength[self.word_index] = np.divide(
            own, own_size, out=np.zeros_like(own), where=own_size > 0
        )
        word_labels = np.full(self.n_words, -1, dtype=np.int64)
        word_labels[self.word_index] = word_part
        return CoClustering(
            n_clusters=k,
            unit_labels=unit_labels,
            word_labels=word_labels,
            edge_weights=edges,
            edge_strength=strength_of_edges,
            cluster_order=order,
            unit_order=unit_order.astype(np.int64),
            word_strength=strength,
            seed=self.seed,
        )


def cocluster(
    response: np.ndarray,
    counts: np.ndarray,
    n_clusters: int,
    *,
    min_count: int = 1,
    seed: int = 0,
) -> CoClustering:
    """Spectral co-clustering of words and hidden units on response magnitude.

    Parameters
    ----------
    response : array-like of shape (n_words, n_units)
        Signed expected response ``s(w)_u`` (mean state change of unit ``u`` after word ``w``).
        Rows of words below ``min_count`` are ignored and may hold NaN.
    counts : array-like of shape (n_words,)
        Occurrences of each word, >= 0.
    n_clusters : int
        Number of paired clusters ``k``, ``2 <= k <= min(#clustered words, n_units)``.
    min_count : int
        Words seen fewer times get label -1 and strength 0.
    seed : int
        Seeds the randomised SVD and k-means; same inputs and seed, identical result.

    Returns
    -------
    CoClustering

    Raises
    ------
    ValueError
        If the inputs are malformed (see
        [SpectralEmbedding.fit][rnnvis_widget.clustering.SpectralEmbedding.fit]) or
        ``n_clusters`` is out of range.

    Notes
    -----
    The embedding is the one [cocluster_range][rnnvis_widget.clustering.cocluster_range]
    computes for k up to 20, so ``cocluster(S, c, k)`` equals ``cocluster_range(S, c)[k]``
    for those k. To cluster one matrix for several k, fit a
    [SpectralEmbedding][rnnvis_widget.clustering.SpectralEmbedding] once instead of calling
    this repeatedly.
    """
    return cocluster_range(response, counts, [n_clusters], min_count=min_count, seed=seed)[
        n_clusters
    ]


def cocluster_range(
    response: np.ndarray,
    counts: np.ndarray,
    ks: Iterable[int] = range(2, 21),
    *,
    min_count: int = 1,
    seed: int = 0,
) -> dict[int, CoClustering]:
    """Co-cluster for every k in ``ks`` from one shared SVD (for snapshots and sliders).

    Parameters
    ----------
    response : array-like of shape (n_words, n_units)
        Signed expected response ``s(w)_u``. Rows of words below ``min_count`` are ignored and
        may hold NaN.
    counts : array-like of shape (n_words,)
        Occurrences of each word, >= 0.
    ks : iterable of int, default range(2, 21)
        The cluster counts wanted, each ``2 <= k <= min(#clustered words, n_units)``.
    min_count : int
        Words seen fewer times get label -1 and strength 0.
    seed : int
        Seeds the randomised SVD and k-means; same inputs and seed, identical result.

    Returns
    -------
    dict of int to CoClustering
        One clustering per distinct k, in ascending order of k.

    Raises
    ------
    ValueError
        If the inputs are malformed (see
        [SpectralEmbedding.fit][rnnvis_widget.clustering.SpectralEmbedding.fit]), ``ks`` is
        empty, or a k is out of range.
    """
    signed, word_index = _check_response(response, counts, min_count)
    wanted = sorted({_check_n_clusters(k, word_index.size, signed.shape[1]) for k in ks})
    if not wanted:
        raise ValueError("ks is empty; pass the cluster counts wanted, e.g. range(2, 21)")
    most = min(word_index.size, signed.shape[1]) - 1
    n_vectors = max(wanted[-1] - 1, min(DEFAULT_MAX_CLUSTERS - 1, most))
    embedding = SpectralEmbedding._from_checked(
        signed, word_index, int(np.shape(response)[0]), n_vectors, seed
    )
    return {k: embedding.cluster(k) for k in wanted}


def _check_response(
    response: np.ndarray, counts: np.ndarray, min_count: int
) -> tuple[np.ndarray, np.ndarray]:
    """Validate the inputs of co-clustering.

    Parameters
    ----------
    response : ndarray of shape (n_words, n_units)
    counts : ndarray of shape (n_words,)
    min_count : int

    Returns
    -------
    signed : ndarray of shape (n_clustered, n_units), float32
        The rows of the words seen at least ``min_count`` times.
    word_index : ndarray of shape (n_clustered,), int64
        Their row indices.

    Raises
    ------
    ValueError
        For any input that cannot be co-clustered, saying what to fix.
    """
    response = np.asarray(response)
    counts = np.asarray(counts)
    if response.ndim != 2:
        raise ValueError(
            f"response must be a 2-D (n_words, n_units) array; got {response.ndim}-D with "
            f"shape {response.shape}"
        )
    if not (np.issubdtype(response.dtype, np.number) and not np.iscomplexobj(response)):
        raise ValueError(f"response must hold real numbers; got dtype {response.dtype}")
    if counts.ndim != 1 or counts.shape[0] != response.shape[0]:
        raise ValueError(
            f"counts must be 1-D with one entry per word (row of response): expected shape "
            f"({response.shape[0]},), got {counts.shape}"
        )
    if not np.issubdtype(counts.dtype, np.number) or not np.all(np.isfinite(counts)):
        raise ValueError("counts must be finite numbers (occurrences per word)")
    if np.any(counts < 0):
        raise ValueError("counts must be >= 0 (occurrences per word)")
    if isinstance(min_count, bool) or not isinstance(min_count, (int, np.integer)):
        raise ValueError(f"min_count must be an int; got {min_count!r}")
    if response.shape[1] < 2:
        raise ValueError(
            f"need at least 2 units (columns) to co-cluster; response has shape {response.shape}"
        )
    word_index = np.flatnonzero(counts >= min_count).astype(np.int64)
    if word_index.size < 2:
        raise ValueError(
            f"only {word_index.size} word(s) seen at least min_count={min_count} times; need "
            f"at least 2: lower min_count or gather more text"
        )
    # Skip the copy of a fancy index when every word is clustered (the common case).
    rows = response if word_index.size == response.shape[0] else response[word_index]
    signed = rows.astype(np.float32)
    # NaN and inf propagate into a sum, and finite float32 cannot overflow a float64 sum:
    # one cheap reduction instead of a full boolean mask in the common, clean case.
    if not np.isfinite(signed.sum(dtype=np.float64)):
        bad = ~np.isfinite(signed)
        row, col = np.argwhere(bad)[0]
        raise ValueError(
            f"response has {int(bad.sum())} NaN/inf entries among clustered words (first: word "
            f"{int(word_index[row])}, unit {int(col)}); fix them or raise min_count to exclude "
            f"those words"
        )
    if not signed.any():
        raise ValueError(
            "response is all zero over the clustered words: there is nothing to co-cluster "
            "(was the model run on the corpus?)"
        )
    return signed, word_index


def _check_n_clusters(n_clusters: object, n_clustered: int, n_units: int) -> int:
    """``n_clusters`` as an int, or ValueError if it is not one in ``2..min(n_clustered, n_units)``."""
    if isinstance(n_clusters, bool) or not isinstance(n_clusters, (int, np.integer)):
        raise ValueError(f"n_clusters must be an int; got {n_clusters!r}")
    k = int(n_clusters)
    most = min(n_clustered, n_units)
    if not 2 <= k <= most:
        raise ValueError(
            f"n_clusters must be between 2 and min(#clustered words, #units) = "
            f"min({n_clustered}, {n_units}) = {most}; got {k}"
        )
    return k


def _canonical_labels(
    word_part: np.ndarray, unit_part: np.ndarray, k: int
) -> tuple[np.ndarray, np.ndarray]:
    """Renumber clusters by their first unit (then first word), so that labels do not depend
    on k-means' arbitrary numbering.

    Parameters
    ----------
    word_part : ndarray of shape (n_clustered,), int
    unit_part : ndarray of shape (n_units,), int
        Labels ``0..k-1`` as k-means gave them.
    k : int

    Returns
    -------
    word_labels : ndarray of shape (n_clustered,), int64
    unit_labels : ndarray of shape (n_units,), int64
    """
    first = np.full(k, np.iinfo(np.int64).max, dtype=np.int64)
    np.minimum.at(first, unit_part, np.arange(unit_part.size))
    first_word = np.full(k, np.iinfo(np.int64).max, dtype=np.int64)
    np.minimum.at(first_word, word_part, np.arange(word_part.size))
    new_of_old = np.empty(k, dtype=np.int64)
    new_of_old[np.lexsort((first_word, first))] = np.arange(k)
    return new_of_old[word_part], new_of_old[unit_part]


def _onehot(labels: np.ndarray, k: int) -> np.ndarray:
    """Indicator matrix of labels, for BLAS-speed sums over clusters.

    Parameters
    ----------
    labels : ndarray of shape (n,), int
    k : int

    Returns
    -------
    ndarray of shape (n, k), float32
    """
    out = np.zeros((labels.size, k), dtype=np.float32)
    out[np.arange(labels.size), labels] = 1.0
    return out
