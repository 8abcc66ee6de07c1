"""Top-K contexts: hand-made batches and long streams against a full sort."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import rnnvis_widget.stats.contexts as contexts_module
from rnnvis_widget.stats.contexts import TopContexts, context_windows


def test_contexts_on_hand_made_batch() -> None:
    # Two sequences: [5 6 7 8] and [9 3] (padded with 0). One unit; responses written out.
    ids = np.array([[5, 6, 7, 8], [9, 3, 0, 0]])
    windows = context_windows(ids, np.array([4, 2]), width=1)
    np.testing.assert_array_equal(
        windows, [[-1, 5, 6], [5, 6, 7], [6, 7, 8], [7, 8, -1], [-1, 9, 3], [9, 3, -1]]
    )
    response = np.array([[0.5], [-0.2], [0.9], [0.0], [0.9], [-0.7]], dtype=np.float32)
    top = TopContexts(n_units=1, k=2, width=1)
    # Rows may arrive in any order (the stream groups them by word): pass them reversed.
    rows = np.arange(6)[::-1]
    top.update(np.ascontiguousarray(response[rows]), 100 + rows, windows[rows])
    # Largest positive: 0.9 twice — earlier corpus position first (token 7 at 102, token 9 at 104).
    np.testing.assert_array_equal(top.positions[0, :, 0], [102, 104])
    np.testing.assert_allclose(top.values[0, :, 0], [0.9, 0.9])
    np.testing.assert_array_equal(top.windows[0, :, 0], [[6, 7, 8], [-1, 9, 3]])
    # Largest negative: -0.7 (token 3, last of its sequence: no right context), then -0.2.
    np.testing.assert_array_equal(top.positions[1, :, 0], [105, 101])
    np.testing.assert_array_equal(top.windows[1, :, 0], [[9, 3, -1], [5, 6, 7]])
    # A later batch with a stronger response displaces the weakest; a tie keeps the earlier one.
    more = context_windows(np.array([[4, 2]]), np.array([2]), 1)
    top.update(np.array([[0.9], [1.5]], dtype=np.float32), np.array([200, 201]), more)
    np.testing.assert_array_equal(top.positions[0, :, 0], [201, 102])
    np.testing.assert_array_equal(top.windows[0, :, 0], [[4, 2, -1], [6, 7, 8]])
    # Only strictly negative responses are negative contexts: fewer than K leave empty entries.
    single = TopContexts(n_units=1, k=3, width=0)
    single.update(np.array([[0.3], [-0.1]], dtype=np.float32), np.array([0, 1]), np.array([[1], [2]]))
    np.testing.assert_array_equal(single.positions[1, :, 0], [1, -1, -1])
    assert np.isnan(single.values[1, 1:, 0]).all()


def test_contexts_over_a_long_stream_match_a_full_sort(monkeypatch: pytest.MonkeyPatch) -> None:
    # Early batches go through torch.topk, later ones only through the few responses that beat
    # the current k-th entries. Both paths must give the exact top k of everything seen.
    used = {"_top_k": 0, "_nonzero": 0}
    for name in used:
        original = getattr(contexts_module, name)

        def counted(*args: Any, _name: str = name, _original: Any = original, **kwargs: Any) -> Any:
            used[_name] += 1
            return _original(*args, **kwargs)

        monkeypatch.setattr(contexts_module, name, counted)
    rng = np.random.default_rng(7)
    n_units, k = 30, 5
    top = TopContexts(n_units=n_units, k=k, width=0)
    seen: list[np.ndarray] = []
    for batch in range(40):
        n = int(rng.integers(1, 60))
        # Heavy tails, units that never go negative, and, once the lists are full, quantised
        # values: ties with kept entries, which the earlier entry wins. (While lists fill,
        # torch.topk would pick among in-batch ties its own way; see the module docstring.)
        response = rng.standard_t(2, size=(n, n_units)) * 4
        if batch >= 10:
            response = np.round(response) / 4
        if batch == 20:  # (n = 45 here)
            # One unit bursts: more than k new entries in one batch, some tied with each other.
            response[: 2 * k, 5] = 1000.0 + np.arange(2 * k) // 3
        response[:, :3] = np.abs(response[:, :3])
        response = response.astype(np.float32)
        start = sum(map(len, seen))
        positions = np.arange(start, start + n)
        top.update(response, positions, positions[:, None].astype(np.int32))
        seen.append(response)
    everything = np.concatenate(seen)
    assert used["_top_k"] > 0 and used["_nonzero"] > 0
    for unit in range(n_units):
        for side, sign in enumerate((1, -1)):
            strength = sign * everything[:, unit]
            expected = sorted(np.flatnonzero(strength > 0), key=lambda n: (-strength[n], n))[:k]
            kept = top.positions[side, : len(expected), unit]
            np.testing.assert_array_equal(kept, expected, err_msg=f"unit {unit} side {side}")
            assert (top.positions[side, len(expected) :, unit] == -1).all()
            np.testing.assert_array_equal(top.windows[side, : len(expected), unit, 0], expected)
