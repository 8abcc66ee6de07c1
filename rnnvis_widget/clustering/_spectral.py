"""Numerical pieces of spectral co-clustering: the degree-normalised SVD and a seeded k-means.

Kept apart from `rnnvis_widget.clustering.cocluster` (which owns validation, labels, edges and
order) so that each piece can be tested on its own. numpy only.
"""

from __future__ import annotations

import math

import numpy as np

#: Extra random directions in the range finder. The subspace error of a randomised SVD
#: decays like (sigma_{q+1} / sigma_l)^(2 n_iter + 1) with q = l + oversampling, so a few
#: extra columns buy much more than a few extra power iterations do.
OVERSAMPLING = 10
#: Power iterations, two passes over the matrix each. Three give singular values within
#: 2e-4 (relative) of the exact SVD when the gap after the last planted value is 1.9x
#: (10,000 x 1,200, k = 10, noise 0.8), within 1.5e-3 when it is 1.4x (900 x 300, k = 6,
#: noise 0.7), and the same labels as six or eight iterations on both.
POWER_ITERATIONS = 3


def degree_scales(magnitude: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Inverse square roots of the row and column degrees of a non-negative matrix.

    Parameters
    ----------
    magnitude : ndarray of shape (n_rows, n_cols), non-negative

    Returns
    -------
    row_scale : ndarray of shape (n_rows,), float64
        ``1 / sqrt(row sum)``, and 0 where the row is all zero.
    col_scale : ndarray of shape (n_cols,), float64
        ``1 / sqrt(column sum)``, and 0 where the column is all zero.

    Notes
    -----
    A row with no weight (a word no unit answers, a dead unit) has no place in the graph;
    giving it scale 0 puts it at the origin of the embedding instead of dividing by zero.
    """
    # Summed in the matrix's own dtype: a degree only scales its node's coordinates, so a
    # relative error of 1e-6 is harmless, and casting 10^7 entries to float64 is not free.
    row_deg = magnitude.sum(axis=1).astype(np.float64)
    col_deg = magnitude.sum(axis=0).astype(np.float64)
    return _inv_sqrt(row_deg), _inv_sqrt(col_deg)


def _inv_sqrt(degree: np.ndarray) -> np.ndarray:
    out = np.zeros_like(degree)
    positive = degree > 0
    out[positive] = 1.0 / np.sqrt(degree[positive])
    return out


def nontrivial_singular_vectors(
    magnitude: np.ndarray,
    row_scale: np.ndarray,
    col_scale: np.ndarray,
    n_vectors: int,
    rng: np.random.Generator,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Singular vectors 2..n_vectors+1 of ``An = D1^-1/2 A D2^-1/2``.

    ``An`` is never formed: a product with it is a product with ``A`` between two diagonal
    scalings, which saves a copy of the matrix and two passes over it. The leading singular
    pair of a degree-normalised non-negative matrix is known in closed form (value 1,
    vectors ``sqrt(degree)``) and carries no cluster information, so it is deflated
    analytically instead of being computed: the SVD is that of ``An - u1 v1^T``.

    Parameters
    ----------
    magnitude : ndarray of shape (n_rows, n_cols)
        ``A``, non-negative, float32 or float64.
    row_scale, col_scale : ndarray of shape (n_rows,), (n_cols,)
        ``1 / sqrt(degree)`` as returned by `degree_scales`.
    n_vectors : int
        How many non-trivial pairs to return, ``1 <= n_vectors < min(n_rows, n_cols)``.
    rng : numpy Generator
        Source of the random test matrix (the only randomness).

    Returns
    -------
    left : ndarray of shape (n_rows, n_vectors)
        Left singular vectors; each pair's sign is fixed so that its largest-magnitude left
        entry is positive, so the result does not depend on LAPACK's arbitrary sign choice.
    values : ndarray of shape (n_vectors,)
        Singular values, descending.
    right : ndarray of shape (n_cols, n_vectors)
        Right singular vectors, with the same signs as ``left``. Pairs beyond the matrix's
        rank are zero.
    """
    operator = _DeflatedOperator(magnitude, row_scale, col_scale)
    width = n_vectors + OVERSAMPLING
    if 2 * width >= min(magnitude.shape):
        # Small matrix: an exact SVD costs no more than the range finder would.
        left, values, right_t = np.linalg.svd(operator.dense(), full_matrices=False)
        right = right_t.T
    else:
        left, values, right = _randomised_svd(operator, width, rng)
    if left.shape[1] < n_vectors:  # rank below n_vectors: the rest are zero pairs
        missing = n_vectors - left.shape[1]
        left = np.pad(left, ((0, 0), (0, missing)))
        right = np.pad(right, ((0, 0), (0, missing)))
        values = np.pad(values, (0, missing))
    left = left[:, :n_vectors]
    right = right[:, :n_vectors]
    values = values[:n_vectors]
    flip = np.sign(left[np.abs(left).argmax(axis=0), np.arange(n_vectors)])
    flip[flip == 0] = 1
    return left * flip, values, right * flip


class _DeflatedOperator:
    """``x -> (D1^-1/2 A D2^-1/2 - u1 v1^T) x`` and its transpose, in ``A``'s dtype."""

    def __init__(self, magnitude: np.ndarray, row_scale: np.ndarray, col_scale: np.ndarray):
        dtype = magnitude.dtype
        self.matrix = magnitude
        self.rows = row_scale.astype(dtype)[:, None]
        self.cols = col_scale.astype(dtype)[:, None]
        # u1 = sqrt(d1) / ||sqrt(d1)||, and sqrt(d) is 1 / scale where the scale is non-zero.
        self.u1 = _unit(_recip(row_scale)).astype(dtype)
        self.v1 = _unit(_recip(col_scale)).astype(dtype)

    def times(self, x: np.ndarray) -> np.ndarray:
        """The operator times ``x`` of shape (n_cols, m); returns shape (n_rows, m)."""
        return self.rows * (self.matrix @ (self.cols * x)) - np.outer(self.u1, self.v1 @ x)

    def times_t(self, y: np.ndarray) -> np.ndarray:
        """The transposed operator times ``y`` of shape (n_rows, m); returns shape (n_cols, m)."""
        return self.cols * (self.matrix.T @ (self.rows * y)) - np.outer(self.v1, self.u1 @ y)

    def dense(self) -> np.ndarray:
        """The operator as a matrix of shape (n_rows, n_cols), for small matrices only."""
        return self.rows * self.matrix * self.cols.T - np.outer(self.u1, self.v1)


def _recip(scale: np.ndarray) -> np.ndarray:
    out = np.zeros_like(scale)
    positive = scale > 0
    out[positive] = 1.0 / scale[positive]
    return out


def _unit(vector: np.ndarray) -> np.ndarray:
    return vector / np.linalg.norm(vector)


def _randomised_svd(
    operator: _DeflatedOperator, width: int, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Randomised subspace iteration (Halko, Martinsson & Tropp 2011, algorithm 4.4).

    Re-orthonormalising after every product keeps the smaller singular directions from
    being swamped by the larger ones in float32.

    Parameters
    ----------
    operator : _DeflatedOperator
        The deflated, degree-normalised matrix, of shape (n_rows, n_cols).
    width : int
        Columns of the random test matrix (vectors wanted plus oversampling).
    rng : numpy.random.Generator

    Returns
    -------
    left : ndarray of shape (n_rows, r), float64
    values : ndarray of shape (r,), float64
        Descending; ``r <= width``.
    right : ndarray of shape (n_cols, r), float64
        Directions with no weight (rank below ``r``) are zero vectors.
    """
    n_cols = operator.matrix.shape[1]
    dtype = operator.matrix.dtype
    test = rng.standard_normal((n_cols, width)).astype(dtype)
    # Between products only the span matters, so one orthonormalising round is enough; the
    # basis that the projection uses gets two.
    basis = _orthonormal(operator.times(test), rounds=1).astype(dtype)
    for step in range(POWER_ITERATIONS):
        co_basis = _orthonormal(operator.times_t(basis), rounds=1).astype(dtype)
        rounds = 2 if step == POWER_ITERATIONS - 1 else 1
        basis = _orthonormal(operator.times(co_basis), rounds=rounds).astype(dtype)
    # With Q spanning the range, B = Q^T M is small and its SVD gives M's leading pairs.
    # B^T is what the transposed product returns; B B^T is tiny, so factor that instead.
    projected_t = operator.times_t(basis).astype(np.float64)  # B^T, (n_cols, r)
    eigenvalues, small_left = np.linalg.eigh(projected_t.T @ projected_t)
    eigenvalues, small_left = eigenvalues[::-1], small_left[:, ::-1]
    values = np.sqrt(np.maximum(eigenvalues, 0.0))
    # Directions with no weight (the matrix has lower rank than asked for) get zero vectors.
    inverse = np.divide(1.0, values, out=np.zeros_like(values), where=values > values[0] * 1e-6)
    right = projected_t @ (small_left * inverse)
    left = basis.astype(np.float64) @ (small_left * (inverse > 0))
    return left, values, right


def _orthonormal(block: np.ndarray, rounds: int = 2) -> np.ndarray:
    """Orthonormal basis of the numerical column space of a tall, thin ``block``.

    Householder QR (LAPACK geqrf) on a tall, thin matrix is a long run of small BLAS calls,
    which multi-threaded OpenBLAS turns into 50x slowdowns when the CPUs are shared. Two
    rounds of Gram eigen-decomposition (like CholeskyQR2) need one thin matrix product each
    and reach orthogonality to round-off (one round already gives the right span).

    Parameters
    ----------
    block : ndarray of shape (n, m)
    rounds : int, default 2
        Rounds of Gram eigen-decomposition.

    Returns
    -------
    basis : ndarray of shape (n, m'), float64
        ``m' <= m``: directions whose singular value is below 1e-6 of the largest are dropped.
    """
    basis = block.astype(np.float64)
    for _ in range(rounds):
        eigenvalues, vectors = np.linalg.eigh(basis.T @ basis)
        keep = eigenvalues > eigenvalues[-1] * 1e-12
        basis = basis @ (vectors[:, keep] / np.sqrt(eigenvalues[keep]))
    return basis


def kmeans(
    points: np.ndarray,
    n_clusters: int,
    rng: np.random.Generator,
    *,
    n_init: int = 4,
    sample_size: int = 4000,
) -> np.ndarray:
    """Seeded k-means: greedy k-means++ seeding, Lloyd iterations, best of ``n_init`` runs.

    Parameters
    ----------
    points : ndarray of shape (n_points, n_dims)
    n_clusters : int
        ``2 <= n_clusters <= n_points``.
    rng : numpy Generator
        The only source of randomness; same generator state, same labels.
    n_init : int
        Independent seedings; the run with the lowest within-cluster sum of squares wins.
    sample_size : int
        With more points than this, the ``n_init`` runs use a random sample of this many
        points and only the winner is refined on all points. A large vocabulary makes the
        full runs the slowest step of clustering, while the sample already locates the
        clusters; the final full Lloyd run makes the labels those of a proper local optimum.

    Returns
    -------
    labels : ndarray of shape (n_points,), int64, values ``0..n_clusters-1``
        Every label is used: a cluster that empties during Lloyd's iterations is re-seeded at
        the point farthest from its centre.
    """
    points = np.ascontiguousarray(points, dtype=np.float64)
    if points.shape[0] > sample_size:
        subset = np.sort(rng.choice(points.shape[0], size=sample_size, replace=False))
        centres = _best_of(points[subset], n_clusters, rng, n_init)
        labels, _ = _lloyd(points, centres)
        return labels
    _, labels = _best_runs(points, n_clusters, rng, n_init)
    return labels


def _best_of(points: np.ndarray, n_clusters: int, rng: np.random.Generator, n_init: int) -> np.ndarray:
    centres, _ = _best_runs(points, n_clusters, rng, n_init)
    return centres


def _best_runs(
    points: np.ndarray, n_clusters: int, rng: np.random.Generator, n_init: int
) -> tuple[np.ndarray, np.ndarray]:
    """Centres and labels of the best (lowest inertia) of ``n_init`` seeded runs.

    Returns
    -------
    centres : ndarray of shape (n_clusters, n_dims), float64
    labels : ndarray of shape (n_points,), int64
    """
    sq_norms = np.einsum("ij,ij->i", points, points)
    best: tuple[np.ndarray, np.ndarray] | None = None
    best_inertia = math.inf
    for _ in range(n_init):
        seeds = _kmeans_plusplus(points, sq_norms, n_clusters, rng)
        labels, inertia = _lloyd(points, seeds)
        if inertia < best_inertia:
            best, best_inertia = (_centres(points, labels, n_clusters), labels), inertia
    assert best is not None
    return best


def _sq_distances(points: np.ndarray, sq_norms: np.ndarray, centres: np.ndarray) -> np.ndarray:
    """Squared distances of points to centres, clipped at 0 against round-off.

    Parameters
    ----------
    points : ndarray of shape (n_points, n_dims)
    sq_norms : ndarray of shape (n_points,)
        ``|x|^2`` of every point.
    centres : ndarray of shape (n_centres, n_dims)

    Returns
    -------
    ndarray of shape (n_points, n_centres), float64
    """
    dist = sq_norms[:, None] - 2.0 * (points @ centres.T) + np.einsum("ij,ij->i", centres, centres)
    return np.maximum(dist, 0.0, out=dist)


def _nearest(points: np.ndarray, centres: np.ndarray) -> np.ndarray:
    """Index of the nearest centre; ``|x|^2`` is the same for every centre, so it is left out.

    Parameters
    ----------
    points : ndarray of shape (n_points, n_dims)
    centres : ndarray of shape (n_centres, n_dims)

    Returns
    -------
    ndarray of shape (n_points,), int64
    """
    score = points @ centres.T
    score *= -2.0
    score += np.einsum("ij,ij->i", centres, centres)
    return score.argmin(axis=1)


def _centres(points: np.ndarray, labels: np.ndarray, n_clusters: int) -> np.ndarray:
    # A bincount per dimension: on these thin matrices it beats a one-hot matrix product,
    # which multi-threaded BLAS handles badly at this size.
    sizes = np.bincount(labels, minlength=n_clusters).astype(np.float64)
    sums = np.stack(
        [np.bincount(labels, weights=col, minlength=n_clusters) for col in points.T], axis=1
    )
    return sums / np.maximum(sizes, 1.0)[:, None]


def _kmeans_plusplus(
    points: np.ndarray, sq_norms: np.ndarray, n_clusters: int, rng: np.random.Generator
) -> np.ndarray:
    """Greedy k-means++ (Arthur & Vassilvitskii 2007): each new centre is the best of a few
    D^2-sampled candidates, which avoids the occasional bad pick of plain k-means++.

    Parameters
    ----------
    points : ndarray of shape (n_points, n_dims)
    sq_norms : ndarray of shape (n_points,)
        ``|x|^2`` of every point.
    n_clusters : int
    rng : numpy.random.Generator

    Returns
    -------
    centres : ndarray of shape (n_clusters, n_dims), float64
    """
    n_points = points.shape[0]
    n_candidates = 2 + int(math.log(n_clusters))
    centres = np.empty((n_clusters, points.shape[1]))
    centres[0] = points[rng.integers(n_points)]
    closest = _sq_distances(points, sq_norms, centres[:1])[:, 0]
    for c in range(1, n_clusters):
        total = closest.sum()
        if total <= 0:  # every point sits on a centre already: any point will do
            candidates = rng.integers(n_points, size=n_candidates)
        else:
            draws = rng.random(n_candidates) * total
            candidates = np.searchsorted(np.cumsum(closest), draws, side="right")
            candidates = np.minimum(candidates, n_points - 1)
        dist = _sq_distances(points, sq_norms, points[candidates])
        potential = np.minimum(closest[:, None], dist).sum(axis=0)
        best = int(np.argmin(potential))
        centres[c] = points[candidates[best]]
        closest = np.minimum(closest, dist[:, best])
    return centres


def _lloyd(
    points: np.ndarray, centres: np.ndarray, max_iter: int = 100
) -> tuple[np.ndarray, float]:
    """Lloyd iterations from ``centres``.

    Parameters
    ----------
    points : ndarray of shape (n_points, n_dims)
    centres : ndarray of shape (n_clusters, n_dims)
        Starting centres.
    max_iter : int, default 100

    Returns
    -------
    labels : ndarray of shape (n_points,), int64
        Every cluster non-empty.
    inertia : float
        Sum of squared distances of the points to their centres.
    """
    n_clusters = centres.shape[0]
    # Stop when the centres move less than this, relative to the data's spread (the usual
    # k-means criterion); stopping when no label changes catches the common case earlier.
    tol = 1e-4 * float(points.var(axis=0).mean())
    labels = np.full(points.shape[0], -1)
    for _ in range(max_iter):
        new_labels = _nearest(points, centres)
        sizes = np.bincount(new_labels, minlength=n_clusters)
        if (sizes == 0).any():
            dist = _sq_distances(points, np.einsum("ij,ij->i", points, points), centres)
            _reseed_empty(dist, new_labels, sizes)
        if np.array_equal(new_labels, labels):
            break
        labels = new_labels
        new_centres = _centres(points, labels, n_clusters)
        shift = float(((new_centres - centres) ** 2).sum())
        centres = new_centres
        if shift <= tol:
            break
    dist = _sq_distances(points, np.einsum("ij,ij->i", points, points), centres)
    labels = dist.argmin(axis=1)
    sizes = np.bincount(labels, minlength=n_clusters)
    if (sizes == 0).any():
        _reseed_empty(dist, labels, sizes)
    inertia = float(dist[np.arange(labels.size), labels].sum())
    return labels.astype(np.int64), inertia


def _reseed_empty(dist: np.ndarray, labels: np.ndarray, sizes: np.ndarray) -> None:
    """Give each empty cluster the point farthest from its own centre (in place).

    Only points from clusters with more than one member are moved, so no cluster is emptied
    in turn; k <= n_points guarantees enough of them.

    Parameters
    ----------
    dist : ndarray of shape (n_points, n_clusters)
        Squared distances of the points to the centres.
    labels : ndarray of shape (n_points,), int
        Updated in place.
    sizes : ndarray of shape (n_clusters,), int
        Members per cluster; updated in place.
    """
    own = dist[np.arange(labels.size), labels]
    for empty in np.flatnonzero(sizes == 0):
        movable = sizes[labels] > 1
        far = int(np.argmax(np.where(movable, own, -1.0)))
        sizes[labels[far]] -= 1
        labels[far] = empty
        sizes[empty] = 1
        own[far] = 0.0
