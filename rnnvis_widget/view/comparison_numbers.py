"""The numbers a comparison shows beside its pictures, one set per side, and the sentence that
states their main difference.

Every number comes from what an [Analysis][rnnvis_widget.Analysis] already keeps (its
[UnitSummary][rnnvis_widget.UnitSummary], its responses) and from the side's co-clustering;
nothing is recomputed from the corpus. Definitions, per side (one layer, state kind and
direction):

* **update sparsity**: fraction of (token, unit) steps with ``|Δx| < 0.01``; the mean of
  ``UnitSummary.sparsity`` over units, each unit weighted equally (every unit sees the same
  tokens, so this is also the pooled fraction).
* **saturation-aware sparsity**: the same fraction counted only over the steps whose previous
  value is unsaturated (``|x(t-1)| < 0.9`` for tanh; ``UnitSummary.unsaturated_sparsity``),
  pooled over units: ``Σ_u near-zero unsaturated steps / Σ_u unsaturated steps``. A unit stuck
  at ±1 "updates sparsely" while remembering nothing new; this leaves such steps out. Pooled
  rather than averaged, so a unit with a handful of unsaturated steps weighs a handful. NaN for
  unbounded states (LSTM ``c``).
* **unsaturated steps**: the share of steps that count for it.
* **saturation**: fraction of steps whose value is within 0.05 of the activation's bound
  (``|h| >= 0.95``); NaN for unbounded states.
* **mean |Δx|**: mean over tokens and units of ``|Δx|``.
* **cloud coherence**: see `cloud_coherence`.
* **unit-cluster CV**: coefficient of variation (population std / mean) of the unit-cluster
  sizes; 0 when every chip holds as many units, larger when a few clusters take most units.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ..stats import UnitSummary

__all__ = [
    "NUMBER_DEFINITIONS",
    "SideNumbers",
    "cloud_coherence",
    "difference_statement",
    "pooled_unsaturated_sparsity",
    "unit_cluster_cv",
]

#: One line per number, for tooltips and table captions.
NUMBER_DEFINITIONS: dict[str, str] = {
    "update_sparsity": "fraction of (token, unit) steps whose update |Δx| is below 0.01",
    "unsaturated_sparsity": (
        "the same fraction over only the steps whose previous value is unsaturated "
        "(|x(t-1)| < 0.9 of the activation's bound, e.g. |h| < 0.9 for tanh): a unit stuck at "
        "±1 barely moves without remembering anything, so its steps are left out; "
        "undefined for unbounded states such as the LSTM cell c"
    ),
    "unsaturated_steps": "share of steps whose previous value is unsaturated (those counted above)",
    "saturation": "fraction of steps whose value lies within 0.05 of the activation's bound (|h| >= 0.95)",
    "mean_abs_delta": "mean |Δx| over tokens and units",
    "cloud_coherence": (
        "mean cosine similarity of the response profiles s(w) of two words in the same word "
        "cluster minus that of two words in different clusters (clustered words only)"
    ),
    "unit_cluster_cv": "coefficient of variation (std / mean) of the unit-cluster sizes",
}

#: Below this relative difference two fractions are "about the same" in the sentence.
SAME_WITHIN = 0.05


@dataclass(frozen=True)
class SideNumbers:
    """The comparison numbers of one side (definitions in the module docstring).

    Attributes
    ----------
    label : str
        The side's title.
    state : str
        The state kind compared (``"h"``, ``"c"``, ...).
    n_units : int
        Units of the state.
    n_tokens : int
        Tokens the statistics were gathered over.
    update_sparsity : float
        Fraction of steps with ``|Δx| < 0.01``.
    unsaturated_sparsity : float
        Saturation-aware sparsity; NaN if the state is unbounded or never unsaturated.
    unsaturated_steps : float
        Share of steps that start from an unsaturated value; NaN if unbounded.
    saturation : float
        Fraction of steps within 0.05 of the bound; NaN if unbounded.
    mean_abs_delta : float
        Mean ``|Δx|`` per token and unit.
    n_clusters : int
        ``k`` of the side's co-clustering.
    cloud_coherence : float
        See [cloud_coherence][rnnvis_widget.view.comparison_numbers.cloud_coherence].
    unit_cluster_cv : float
        Coefficient of variation of the unit-cluster sizes.
    n_words : int
        Words the coherence was computed over (clustered, and compared).
    """

    label: str
    state: str
    n_units: int
    n_tokens: int
    update_sparsity: float
    unsaturated_sparsity: float
    unsaturated_steps: float
    saturation: float
    mean_abs_delta: float
    n_clusters: int
    cloud_coherence: float
    unit_cluster_cv: float
    n_words: int

    @classmethod
    def of(
        cls,
        label: str,
        state: str,
        summary: UnitSummary,
        n_tokens: int,
        response: np.ndarray,
        word_labels: np.ndarray,
        unit_labels: np.ndarray,
        n_clusters: int,
    ) -> SideNumbers:
        """Compute one side's numbers.

        Parameters
        ----------
        label : str
            The side's title.
        state : str
            The state kind.
        summary : UnitSummary
            The slot's per-unit statistics, arrays of shape (n_units,).
        n_tokens : int
            Tokens the statistics were gathered over.
        response : ndarray of shape (n_words, n_units)
            Expected response ``s(w)``; only the rows of clustered words are read.
        word_labels : ndarray of shape (n_words,), int
            Word cluster of each row, -1 for words left out (unclustered, or not compared).
        unit_labels : ndarray of shape (n_units,), int
            Unit cluster of each unit, ``0..n_clusters - 1``.
        n_clusters : int
            ``k``.

        Returns
        -------
        SideNumbers
        """
        return cls(
            label=label,
            state=state,
            n_units=int(summary.sparsity.shape[0]),
            n_tokens=int(n_tokens),
            update_sparsity=float(np.mean(summary.sparsity)),
            unsaturated_sparsity=pooled_unsaturated_sparsity(summary),
            unsaturated_steps=_mean_or_nan(summary.unsaturated),
            saturation=_mean_or_nan(summary.saturation),
            mean_abs_delta=float(np.mean(summary.mean_abs)),
            n_clusters=int(n_clusters),
            cloud_coherence=cloud_coherence(response, word_labels),
            unit_cluster_cv=unit_cluster_cv(unit_labels, n_clusters),
            n_words=int((np.asarray(word_labels) >= 0).sum()),
        )


def _mean_or_nan(values: np.ndarray) -> float:
    """Mean of an array whose entries are all NaN or all finite (NaN for the former)."""
    return float("nan") if np.isnan(values).all() else float(np.nanmean(values))


def pooled_unsaturated_sparsity(summary: UnitSummary) -> float:
    """Saturation-aware sparsity of a whole layer: near-zero updates among all unsaturated
    steps of all units.

    Parameters
    ----------
    summary : UnitSummary
        With ``unsaturated`` (share of steps starting unsaturated) and ``unsaturated_sparsity``
        (near-zero share among those), each of shape (n_units,).

    Returns
    -------
    float
        ``Σ_u unsaturated_u · unsaturated_sparsity_u / Σ_u unsaturated_u``; NaN when the state
        is unbounded or no step starts unsaturated.
    """
    share = np.asarray(summary.unsaturated, dtype=np.float64)
    total = float(np.nansum(share))
    if np.isnan(share).all() or total == 0.0:
        return float("nan")
    near_zero = np.nan_to_num(share * np.asarray(summary.unsaturated_sparsity, dtype=np.float64))
    return float(near_zero.sum() / total)


def cloud_coherence(response: np.ndarray, word_labels: np.ndarray) -> float:
    """How much more alike the response profiles of words in one cloud are than of words in
    different clouds.

    With ``r_w = s(w) / ||s(w)||`` the unit-normalised signed response profile of word ``w``
    (``r_w = 0`` for an all-zero row) and ``cos(w, v) = r_w · r_v``, over the clustered words
    (label >= 0) and ordered pairs of distinct words:

    ``coherence = mean_{w ≠ v, same cluster} cos(w, v) − mean_{w, v in different clusters} cos(w, v)``.

    It lies in [-2, 2]; 0 when clusters are no better than random groups. Computed from the
    cluster sums ``S_c = Σ_{w in c} r_w`` (``Σ_{w, v in c} cos = ||S_c||²``), in O(n_words ·
    n_units) time and O(k · n_units) memory: no (n_words, n_words) matrix.

    Parameters
    ----------
    response : ndarray of shape (n_words, n_units)
        Expected responses ``s(w)``; rows with label -1 are not read.
    word_labels : ndarray of shape (n_words,), int
        Cluster of each word, ``0..k-1``, or -1 to leave the word out.

    Returns
    -------
    float
        NaN when there are no two words in one cluster or no two clusters.
    """
    labels = np.asarray(word_labels)
    keep = labels >= 0
    rows = np.asarray(response, dtype=np.float64)[keep]
    labels = labels[keep].astype(np.int64)
    if labels.size < 2:
        return float("nan")
    norms = np.linalg.norm(rows, axis=1)
    unit = np.divide(rows, norms[:, None], out=np.zeros_like(rows), where=norms[:, None] > 0)
    k = int(labels.max()) + 1
    onehot = np.zeros((labels.size, k))
    onehot[np.arange(labels.size), labels] = 1.0
    sums = onehot.T @ unit  # (k, n_units): S_c
    sizes = onehot.sum(axis=0)
    self_terms = np.bincount(labels, weights=(norms > 0).astype(np.float64), minlength=k)  # Σ ||r_w||²
    within = float((sums * sums).sum() - self_terms.sum())
    within_pairs = float((sizes * (sizes - 1)).sum())
    total_vector = sums.sum(axis=0)
    every = float(total_vector @ total_vector - self_terms.sum())
    n = float(labels.size)
    between_pairs = n * (n - 1) - within_pairs
    if within_pairs == 0 or between_pairs == 0:
        return float("nan")
    return within / within_pairs - (every - within) / between_pairs


def unit_cluster_cv(unit_labels: np.ndarray, n_clusters: int) -> float:
    """Coefficient of variation of the unit-cluster sizes.

    Parameters
    ----------
    unit_labels : ndarray of shape (n_units,), int
        Cluster of each unit, ``0..n_clusters - 1``.
    n_clusters : int
        ``k``; empty clusters count as size 0.

    Returns
    -------
    float
        ``std(sizes) / mean(sizes)`` (population std); 0 for equal sizes.
    """
    sizes = np.bincount(np.asarray(unit_labels, dtype=np.int64), minlength=n_clusters).astype(np.float64)
    return float(sizes.std() / sizes.mean())


def difference_statement(left: SideNumbers, right: SideNumbers, *, shared_words: int | None = None) -> str:
    """One sentence stating which side updates its memory more sparsely, and whether that
    survives leaving out saturated steps.

    The raw order comes from ``update_sparsity``; the sentence then says whether the
    saturation-aware sparsity keeps that order, reverses it (then naming the saturation of
    each side when the raw "sparser" side is the more saturated one), or is undefined.
    Fractions within 5 % of each other (relative) are called about the same.

    Parameters
    ----------
    left, right : SideNumbers
        The two sides.
    shared_words : int, optional
        When the vocabularies differ and the clusters were matched on their shared words,
        how many those are; the sentence then says so.

    Returns
    -------
    str
    """
    delta = "|Δ" + (left.state if left.state == right.state else "x") + "|"
    raw = _order(left.update_sparsity, right.update_sparsity)
    aware = _order(left.unsaturated_sparsity, right.unsaturated_sparsity)
    sides = (left, right)
    if raw is None:
        sentence = (
            f"{left.label} and {right.label} leave about the same share of unit updates near zero "
            f"({delta} < 0.01: {left.update_sparsity:.1%} vs {right.update_sparsity:.1%})"
        )
    else:
        a, b = sides[raw], sides[1 - raw]
        sentence = (
            f"{a.label} leaves {_how_many(a.update_sparsity, b.update_sparsity)} unit updates near "
            f"zero {'as' if b.update_sparsity > 0 else 'than'} {b.label} ({delta} < 0.01: "
            f"{a.update_sparsity:.1%} vs {b.update_sparsity:.1%})"
        )
    undefined = [s for s in sides if math.isnan(s.unsaturated_sparsity)]
    if undefined:
        reasons = ", ".join(
            f"{s.label}: {s.state} "
            + ("is unbounded" if math.isnan(s.saturation) else "never starts a step unsaturated")
            for s in undefined
        )
        sentence += f"; the saturation-aware figure is undefined ({reasons})"
    else:
        if aware is None:
            how = "they are about the same" if raw is None else "the difference vanishes"
            sentence += (
                f"; on steps that start from an unsaturated value {how} ({left.label} "
                f"{left.unsaturated_sparsity:.1%}, {right.label} {right.unsaturated_sparsity:.1%})"
            )
        else:
            a, b = sides[aware], sides[1 - aware]  # a: the sparser on unsaturated steps
            figures = f"{a.unsaturated_sparsity:.1%} vs {b.unsaturated_sparsity:.1%}"
            if raw is None or aware == raw:
                holds = "" if raw is None else "the order holds: "
                sentence += (
                    f"; on steps that start from an unsaturated value {holds}{a.label} is the "
                    f"sparser ({figures})"
                )
            else:
                sentence += (
                    f", but on steps that start from an unsaturated value the order reverses: "
                    f"{a.label} is the sparser ({figures})"
                )
                if b.saturation > a.saturation:
                    sentence += (
                        f", and {b.saturation:.1%} of {b.label}'s values sit at the activation "
                        f"bound against {a.saturation:.1%} of {a.label}'s"
                    )
    if shared_words is not None:
        sentence += f" (vocabularies differ: clusters matched on the {shared_words:,} shared words)"
    return sentence + "."


def _order(left: float, right: float) -> int | None:
    """0 if ``left`` is clearly larger, 1 if ``right`` is, None if they are about the same (or
    either is NaN)."""
    if math.isnan(left) or math.isnan(right):
        return None
    high, low = max(left, right), min(left, right)
    if high - low <= SAME_WITHIN * high:
        return None
    return 0 if left > right else 1


def _how_many(high: float, low: float) -> str:
    """``high / low`` as "3.1× as many", or "more" (…than) when ``low`` is 0."""
    return f"{high / low:.1f}× as many" if low > 0 else "more"
