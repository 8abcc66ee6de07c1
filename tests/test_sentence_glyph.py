"""Sentence glyph numbers (DESIGN §4) against a hand computation on a tiny example."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from rnnvis_widget.view._sentence_glyph import (
    cluster_sizes,
    kept_fraction,
    link_strength,
    memory_changes,
    memory_sums,
    sentence_glyph,
)

# T = 3 tokens, H = 4 units; units 0, 1 form cluster 0 and units 2, 3 cluster 1 (n = 2 each).
LABELS = np.array([0, 0, 1, 1])
# Cluster 0 starts with memory, cluster 1 starts from nothing.
INITIAL = np.array([0.5, -0.4, 0.0, 0.0])
STATES = np.array(
    [
        [0.2, -0.6, 0.3, -0.1],  # t0
        [-0.3, -0.2, 0.5, 0.0],  # t1: unit 0 flips sign, unit 1 shrinks, unit 3 is reset to 0
        [-0.1, 0.4, 0.25, 0.2],  # t2: unit 1 flips sign, unit 3 grows out of 0
    ]
)
NAN = np.nan

# P/n = Σ max(x, 0) / 2
#   t0: c0 (0.2 + 0) / 2 = 0.1     c1 (0.3 + 0) / 2 = 0.15
#   t1: c0 (0 + 0) / 2 = 0         c1 (0.5 + 0) / 2 = 0.25
#   t2: c0 (0 + 0.4) / 2 = 0.2     c1 (0.25 + 0.2) / 2 = 0.225
POSITIVE = [[0.1, 0.15], [0.0, 0.25], [0.2, 0.225]]
# N/n = Σ min(x, 0) / 2
#   t0: c0 (0 − 0.6) / 2 = −0.3    c1 (0 − 0.1) / 2 = −0.05
#   t1: c0 (−0.3 − 0.2) / 2 = −0.25  c1 0
#   t2: c0 (−0.1 + 0) / 2 = −0.05  c1 0
NEGATIVE = [[-0.3, -0.05], [-0.25, 0.0], [-0.05, 0.0]]
# Before t0 (the initial state): P/n c0 = 0.5 / 2 = 0.25, c1 = 0; N/n c0 = −0.4 / 2 = −0.2, c1 = 0.
# ΔP/n: t0: c0 0.1 − 0.25 = −0.15, c1 0.15 − 0 = 0.15
#       t1: c0 0 − 0.1 = −0.1,     c1 0.25 − 0.15 = 0.1
#       t2: c0 0.2 − 0 = 0.2,      c1 0.225 − 0.25 = −0.025
POSITIVE_CHANGE = [[-0.15, 0.15], [-0.1, 0.1], [0.2, -0.025]]
# ΔN/n: t0: c0 −0.3 + 0.2 = −0.1,  c1 −0.05 − 0 = −0.05
#       t1: c0 −0.25 + 0.3 = 0.05, c1 0 + 0.05 = 0.05
#       t2: c0 −0.05 + 0.25 = 0.2, c1 0 − 0 = 0
NEGATIVE_CHANGE = [[-0.1, -0.05], [0.05, 0.05], [0.2, 0.0]]
# Kept K / Σ|x(t−1)|, K = Σ [same sign] · min(|x(t−1)|, |x(t)|):
#   t0 (before: initial): c0 u0 0.5 -> 0.2 keeps 0.2, u1 −0.4 -> −0.6 keeps 0.4:
#                         0.6 / 0.9 = 2/3.   c1 held nothing (Σ|x(t−1)| = 0): NaN
#   t1: c0 u0 0.2 -> −0.3 flips: 0, u1 −0.6 -> −0.2 shrinks, keeps 0.2: 0.2 / 0.8 = 0.25
#       c1 u2 0.3 -> 0.5 keeps 0.3, u3 −0.1 -> 0 reset: 0;             0.3 / 0.4 = 0.75
#   t2: c0 u0 −0.3 -> −0.1 keeps 0.1, u1 −0.2 -> 0.4 flips: 0;         0.1 / 0.5 = 0.2
#       c1 u2 0.5 -> 0.25 keeps 0.25, u3 0 -> 0.2 had nothing: 0;      0.25 / 0.5 = 0.5
KEPT = [[2 / 3, NAN], [0.25, 0.75], [0.2, 0.5]]
# Δx: t0 [0.2 − 0.5, −0.6 + 0.4, 0.3 − 0, −0.1 − 0] = [−0.3, −0.2, 0.3, −0.1]
#     t1 [−0.3 − 0.2, −0.2 + 0.6, 0.5 − 0.3, 0 + 0.1] = [−0.5, 0.4, 0.2, 0.1]
#     t2 [−0.1 + 0.3, 0.4 + 0.2, 0.25 − 0.5, 0.2 − 0]  = [0.2, 0.6, −0.25, 0.2]
# Link strength Σ|Δx| / 2: t0 c0 0.5 / 2 = 0.25, c1 0.4 / 2 = 0.2
#                          t1 c0 0.9 / 2 = 0.45, c1 0.3 / 2 = 0.15
#                          t2 c0 0.8 / 2 = 0.4,  c1 0.45 / 2 = 0.225
LINK = [[0.25, 0.2], [0.45, 0.15], [0.4, 0.225]]
# Sign of ΣΔx: t0 c0 −0.5 -> −1, c1 0.2 -> 1;  t1 c0 −0.1 -> −1, c1 0.3 -> 1;
#              t2 c0 0.8 -> 1,   c1 −0.05 -> −1
SIGN = [[-1, 1], [-1, 1], [1, -1]]


def close(got: np.ndarray, want: list[list[float]]) -> None:
    np.testing.assert_allclose(got, np.array(want, dtype=np.float64), atol=1e-12, equal_nan=True)


def test_positive_and_negative_memory_per_unit() -> None:
    positive, negative = memory_sums(STATES, LABELS, 2)
    close(positive, POSITIVE)
    close(negative, NEGATIVE)


def test_changes_since_the_previous_token() -> None:
    positive_change, negative_change = memory_changes(STATES, INITIAL, LABELS, 2)
    close(positive_change, POSITIVE_CHANGE)
    close(negative_change, NEGATIVE_CHANGE)


def test_kept_memory_fraction() -> None:
    close(kept_fraction(STATES, INITIAL, LABELS, 2), KEPT)


def test_link_strength_and_sign() -> None:
    strength, sign = link_strength(STATES, INITIAL, LABELS, 2)
    close(strength, LINK)
    close(sign, SIGN)


def test_an_empty_cluster_reads_zero_and_leaves_the_others_alone() -> None:
    # Same units, k = 3: cluster 1 is empty, clusters 0 and 2 are the two of the example.
    labels = np.array([0, 0, 2, 2])
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no division by zero, no invalid value
        glyph = sentence_glyph(STATES, INITIAL, labels, 3)
    np.testing.assert_array_equal(glyph.sizes, [2, 0, 2])
    for got, want in [
        (glyph.positive, POSITIVE), (glyph.negative, NEGATIVE),
        (glyph.positive_change, POSITIVE_CHANGE), (glyph.negative_change, NEGATIVE_CHANGE),
        (glyph.link_strength, LINK), (glyph.link_sign, SIGN),
    ]:
        assert got.shape == (3, 3)
        close(got[:, [0, 2]], want)
        np.testing.assert_array_equal(got[:, 1], 0.0)
    close(glyph.kept[:, [0, 2]], KEPT)
    assert np.isnan(glyph.kept[:, 1]).all()  # an empty cluster never holds memory to keep


def test_unit_order_does_not_matter() -> None:
    order = np.array([3, 0, 2, 1])
    glyph = sentence_glyph(STATES[:, order], INITIAL[order], LABELS[order], 2)
    close(glyph.positive, POSITIVE)
    close(glyph.kept, KEPT)
    close(glyph.link_strength, LINK)


def test_backward_direction_compares_with_the_next_token() -> None:
    # Read backward, token 2 is read first (against the initial state), then 1, then 0: the
    # same numbers as reading the reversed sentence forward, in reverse order.
    backward = sentence_glyph(STATES[::-1], INITIAL, LABELS, 2, backward=True)
    forward = sentence_glyph(STATES, INITIAL, LABELS, 2)
    for name in ("positive", "positive_change", "negative_change", "kept", "link_strength",
                 "link_sign"):
        np.testing.assert_allclose(getattr(backward, name), getattr(forward, name)[::-1],
                                   atol=1e-12, err_msg=name)
    # By hand: the last token of the reversed sentence holds [0.2, −0.6, 0.3, −0.1] and is read
    # first, against INITIAL: Δx = [−0.3, −0.2, 0.3, −0.1], Σ|Δx| / 2 = [0.25, 0.2] (LINK[0]).
    strength, _ = link_strength(STATES[::-1], INITIAL, LABELS, 2, backward=True)
    close(strength[2:], LINK[:1])


def test_cluster_sizes() -> None:
    np.testing.assert_array_equal(cluster_sizes(np.array([2, 0, 2, 2]), 4), [1, 0, 3, 0])


@pytest.mark.parametrize(
    ("states", "initial", "labels", "k", "error", "message"),
    [
        (STATES[0], INITIAL, LABELS, 2, ValueError, r"shape \(T, H\)"),
        (STATES[:0], INITIAL, LABELS, 2, ValueError, "T >= 1"),
        (STATES, INITIAL[:3], LABELS, 2, ValueError, r"initial must have shape \(4,\)"),
        (STATES, INITIAL, LABELS[:3], 2, ValueError, "3 entries but the states have 4 units"),
        (STATES, INITIAL, np.array([0, 0, 1, 2]), 2, ValueError, r"0\.\.1"),
        (STATES, INITIAL, np.array([0, -1, 1, 1]), 2, ValueError, r"0\.\.1"),
        (STATES, INITIAL, LABELS.astype(float), 2, TypeError, "integer"),
        (STATES, INITIAL, LABELS, 0, ValueError, ">= 1"),
        (STATES, INITIAL, LABELS, 2.0, TypeError, "n_clusters must be an int"),
    ],
)
def test_bad_input_fails_clearly(states, initial, labels, k, error, message) -> None:
    with pytest.raises(error, match=message):
        sentence_glyph(states, initial, labels, k)


def test_a_gate_links_by_its_value_not_its_change() -> None:
    # A gate's response is its value (as in the corpus statistics): Σ|x_u(t)| / n per cluster.
    strength, sign = link_strength(STATES, INITIAL, LABELS, 2, memory=False)
    expected = np.stack([np.abs(STATES[:, LABELS == c]).sum(1) / 2 for c in (0, 1)], axis=1)
    close(strength, expected)
    np.testing.assert_array_equal(sign, np.sign(np.stack([STATES[:, LABELS == c].sum(1) for c in (0, 1)], 1)))
