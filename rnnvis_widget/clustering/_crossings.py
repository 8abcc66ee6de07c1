"""Order paired clusters so that the links between them cross as little as possible.

The view draws unit clusters in one column and word clusters in another, each pair level
with its partner (one shared order), and a link from every unit cluster ``i`` to every word
cluster ``j`` whose width is ``|edge_weights[i, j]|``. Two links cross when their ends are in
opposite order on the two columns; we minimise the total product of the widths of crossing
links. Exact minimisation is NP-hard; barycentre ordering from a couple of starts plus
adjacent swaps is plenty for the k <= 20 we show, and costs microseconds.
"""

from __future__ import annotations

import numpy as np


def weighted_crossings(weights: np.ndarray, order: np.ndarray) -> float:
    """Total ``w1 * w2`` over pairs of links that cross when clusters are shown in ``order``.

    Parameters
    ----------
    weights : ndarray of shape (k, k), >= 0
        ``weights[i, j]``: width of the link from unit cluster ``i`` to word cluster ``j``.
    order : ndarray of shape (k,)
        Clusters top to bottom, used for both columns.

    Returns
    -------
    float
        ``sum over a < c, b > d of B[a, b] * B[c, d]`` where ``B`` is ``weights`` with rows
        and columns in display order: link (a -> b) crosses (c -> d) exactly then. O(k^2).
    """
    slots = weights[np.ix_(order, order)]
    # below_left[c, d] = sum of slots[c', d'] over c' >= c, d' <= d.
    below_left = np.cumsum(np.cumsum(slots[::-1], axis=0)[::-1], axis=1)
    crossing = np.zeros_like(slots)
    crossing[:-1, 1:] = below_left[1:, :-1]
    return float((slots * crossing).sum())


def order_clusters(edge_weights: np.ndarray, max_rounds: int = 50) -> np.ndarray:
    """Display order of paired clusters that cuts |weight|-weighted link crossings.

    Parameters
    ----------
    edge_weights : ndarray of shape (k, k)
        Signed weights (row = unit cluster, column = word cluster); only magnitudes matter.
    max_rounds : int
        Cap on barycentre rounds per start and on adjacent-swap sweeps.

    Returns
    -------
    order : ndarray of shape (k,), int64
        A permutation of ``0..k-1``, top to bottom. Deterministic; ties keep label order.
    """
    weights = np.abs(np.asarray(edge_weights, dtype=np.float64))
    k = weights.shape[0]
    # A cluster's pull on another, whichever column each end is in; self-links are level
    # with themselves whatever the order, so they do not pull.
    pull = weights + weights.T
    np.fill_diagonal(pull, 0.0)
    starts = [np.arange(k), _spectral_order(pull)]
    best = starts[0]
    best_cost = weighted_crossings(weights, best)
    for start in starts:
        order = start
        for _ in range(max_rounds):
            cost = weighted_crossings(weights, order)
            if cost < best_cost:
                best, best_cost = order, cost
            order_next = _barycentre_step(pull, order)
            if np.array_equal(order_next, order):
                break
            order = order_next
    return _adjacent_swaps(weights, best, best_cost, max_rounds).astype(np.int64)


def _spectral_order(pull: np.ndarray) -> np.ndarray:
    """Clusters sorted by the Fiedler vector of the pull graph: strongly linked ones end up
    near each other, a good start for barycentre rounds."""
    laplacian = np.diag(pull.sum(axis=1)) - pull
    _, vectors = np.linalg.eigh(laplacian)
    fiedler = vectors[:, 1] if pull.shape[0] > 1 else vectors[:, 0]
    # eigh's sign is arbitrary; fix it so the result is reproducible across LAPACKs.
    if fiedler[np.abs(fiedler).argmax()] < 0:
        fiedler = -fiedler
    return np.lexsort((np.arange(pull.shape[0]), np.round(fiedler, 12)))


def _barycentre_step(pull: np.ndarray, order: np.ndarray) -> np.ndarray:
    position = np.empty(order.size)
    position[order] = np.arange(order.size)
    total = pull.sum(axis=1)
    # A cluster without links keeps its place.
    barycentre = np.divide(pull @ position, total, out=position.copy(), where=total > 0)
    return np.lexsort((position, barycentre))


def _adjacent_swaps(
    weights: np.ndarray, order: np.ndarray, cost: float, max_rounds: int
) -> np.ndarray:
    order = order.copy()
    for _ in range(max_rounds):
        improved = False
        for a in range(order.size - 1):
            order[a], order[a + 1] = order[a + 1], order[a]
            swapped = weighted_crossings(weights, order)
            # Relative tolerance: float round-off must not make the search cycle.
            if swapped < cost * (1 - 1e-12):
                cost, improved = swapped, True
            else:
                order[a], order[a + 1] = order[a + 1], order[a]
        if not improved:
            break
    return order
