"""`rv.compare`: two models, two layers of one, or two state kinds of one layer, side by side,
with their word clusters matched and their differences stated in numbers.

The comparison shows as one widget (`ComparisonView`, drawn by js/views/compare.ts); each
side's state lives in an [RNNVis][rnnvis_widget.RNNVis] view, readable from Python. What the
widget draws is computed here, in the kernel, and readable from Python: the cluster
matching (`Comparison.matches`), the per-side numbers (`Comparison.summary`, defined in
[comparison_numbers][rnnvis_widget.view.comparison_numbers]), the sentence stating the main
difference (`Comparison.statement`) and all of it as plain arrays (`Comparison.payload`).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import traitlets

from .._validation import check_int
from ..analysis import Analysis
from ..clustering import ClusterAlignment, CoClustering, align_clusters
from ._comparison_sync import ComparisonSync
from ._sentences import as_entry
from ._viewmodel import ViewModel, ViewSlot
from .comparison_numbers import NUMBER_DEFINITIONS, SideNumbers, difference_statement
from .comparison_sides import (
    check_labels,
    common_states,
    default_labels,
    layer_index,
    pair_words,
    side_states,
)
from .comparison_widget import ComparisonView
from .widget import RNNVis

#: Bins of the per-unit histograms in `Comparison.payload`, over [0, 1].
HISTOGRAM_BINS = 20

#: Numbers of `Comparison.summary`, in column order.
NUMBER_COLUMNS = (
    "update_sparsity",
    "unsaturated_sparsity",
    "unsaturated_steps",
    "saturation",
    "mean_abs_delta",
    "cloud_coherence",
    "unit_cluster_cv",
)


class Comparison:
    """Two sides (two models, two layers or two state kinds) in one widget, their word clusters
    matched, their differences in numbers.

    Displays as a [ComparisonView][rnnvis_widget.view.comparison_widget.ComparisonView]: each
    side titled by its label, matched clusters level and in one colour, hover and pins linked
    across. Each side's state lives in an [RNNVis][rnnvis_widget.RNNVis] view (``left``,
    ``right``), which compares what it shows (its ``layer``, ``state`` and ``direction``
    traits). Made by [compare][rnnvis_widget.view.compare.compare].

    Parameters
    ----------
    left, right : RNNVis
        The two views.
    labels : (str, str), optional
        The sides' titles; default module, cell and layer of each view (see
        [default_labels][rnnvis_widget.view.comparison_sides.default_labels]).
    on : {"same", "shared"}, default "same"
        Compare over one vocabulary, or over the words (by text) both vocabularies have.

    Attributes
    ----------
    left, right : RNNVis
        The two views, each with its own ``selected_words`` / ``selected_units``.
    labels : (str, str)
        The sides' titles.
    on : str
        "same" or "shared".
    words : WordPairing
        Which word on the left is which on the right.
    widget : ComparisonView
        The widget shown for this comparison; its ``n_clusters``, ``link_filter`` and
        ``selected_words`` are two-way like a single view's.

    Raises
    ------
    ValueError
        If the vocabularies differ and ``on`` is "same", or the labels are not two distinct
        strings.
    """

    def __init__(
        self,
        left: RNNVis,
        right: RNNVis,
        *,
        labels: tuple[str, str] | None = None,
        on: str = "same",
    ):
        if labels is None:
            views = (left, right)
            labels = default_labels([(view.analysis, int(view.layer), str(view.state)) for view in views])
        labels = check_labels(labels)
        words = pair_words(left.analysis.vocab, right.analysis.vocab, on)
        self.left = left
        self.right = right
        self.labels = labels
        self.on = on
        self.words = words
        # Pins cross only as words the other side shows (its vocabulary or its n_words may
        # differ); traitlets.link's own guard stops the two sides from echoing each other.
        self._links = [
            traitlets.link(
                (left, "selected_words"),
                (right, "selected_words"),
                transform=(_words_shown_by(right), _words_shown_by(left)),
            )
        ]
        self._sync = ComparisonSync(self)

    @property
    def widget(self) -> ComparisonView:
        return self._sync.widget

    def _repr_mimebundle_(self, **kwargs: Any) -> Any:
        return self.widget._repr_mimebundle_(**kwargs)

    def save_html(
        self,
        path: str | os.PathLike[str],
        title: str = "rnnvis comparison",
        ks: Iterable[int] | None = None,
    ) -> Path:
        """Write the comparison as one self-contained HTML file that works offline.

        Both sides, the matching and the numbers are saved for every k in ``ks``; hover, pins
        and cluster focus stay linked, and the clusters slider moves between the saved k.

        Parameters
        ----------
        path : path-like
            The file to write (replaced only once the new page is complete).
        title : str
            The page title.
        ks : iterable of int, optional
            Cluster counts to save; default every k either side's clusters control offers
            (each side uses the nearest k its layer allows).

        Returns
        -------
        pathlib.Path
            The file written.
        """
        return self._sync.save_html(path, title, ks)

    def close(self) -> None:
        """Stop the linking and close the widget and both views (idempotent)."""
        sync = getattr(self, "_sync", None)
        if sync is not None:
            sync.close()
        links, self._links = getattr(self, "_links", []), []
        for link in links:
            link.unlink()
        for view in (getattr(self, "left", None), getattr(self, "right", None)):
            if view is not None:
                view.close()

    # Sentences --------------------------------------------------------------------------------

    @property
    def sentences(self) -> list[str | list[int]]:
        """The sentences shown on both sides (text or token ids), in order."""
        return list(self.widget.sentences)

    def add_sentence(self, sentence: str | Sequence[int]) -> int:
        """Run a sentence through both sides' live models and show it: one sentence, two rows
        of glyphs (the left side's above, the right side's below).

        Parameters
        ----------
        sentence : str or list of int
            A text (through each side's ``encode``) or the token ids themselves.

        Returns
        -------
        int
            Its index in `sentences`.

        Raises
        ------
        RuntimeError
            If a side has no live model (pass ``models=`` to `compare`); the message names it.
        TypeError, ValueError, Exception
            As [RNNVis.add_sentence][rnnvis_widget.RNNVis.add_sentence], on either side; the
            comparison is left as it was.
        """
        entry = as_entry(sentence)
        for label, view in zip(self.labels, self._views(), strict=True):
            reason = view._book.runner.disabled_reason
            if reason is not None:
                raise RuntimeError(f"the {label!r} side has {reason}")
        for view in self._views():
            view._book.get(entry)  # raises before anything is shown
        entries = [*self.widget.sentences, entry]
        self._sync.set_sentences(entries)
        return len(entries) - 1

    def remove_sentence(self, index: int) -> None:
        """Remove the sentence at ``index`` from both sides (negative counts from the end)."""
        entries = list(self.widget.sentences)
        if not entries:
            raise ValueError("there are no sentences to remove")
        check_int(index, "index", low=-len(entries), high=len(entries) - 1)
        del entries[index]
        self._sync.set_sentences(entries)

    # The clusterings compared -----------------------------------------------------------------

    def _views(self) -> tuple[RNNVis, RNNVis]:
        return self.left, self.right

    def _ks(self, k: int | tuple[int, int] | None) -> tuple[int, int]:
        if k is None:
            return int(self.left.n_clusters), int(self.right.n_clusters)
        if isinstance(k, tuple):
            if len(k) != 2:
                raise ValueError(f"k must be an int or a pair (k_left, k_right), got {k!r}")
            return check_int(k[0], "k_left", low=2), check_int(k[1], "k_right", low=2)
        value = check_int(k, "k", low=2)
        return value, value

    def clusterings(self, k: int | tuple[int, int] | None = None) -> tuple[CoClustering, CoClustering]:
        """The co-clustering of each side, as its view computes it.

        Parameters
        ----------
        k : int or (int, int), optional
            Clusters per side; default the views' ``n_clusters``.

        Returns
        -------
        (CoClustering, CoClustering)

        Raises
        ------
        ValueError
            If a k is outside what that side's layer allows.
        """
        ks = self._ks(k)
        return _clustering(self.left, ks[0]), _clustering(self.right, ks[1])

    def alignment(self, k: int | tuple[int, int] | None = None) -> ClusterAlignment:
        """The word clusters of the two sides matched by Jaccard overlap.

        Parameters
        ----------
        k : int or (int, int), optional
            Clusters per side; default the views' ``n_clusters``.

        Returns
        -------
        ClusterAlignment
            Over the compared words (`words`): its per-word arrays have shape (n_compared,).
        """
        return self._align(self.clusterings(k))

    def _align(self, clusterings: tuple[CoClustering, CoClustering]) -> ClusterAlignment:
        left, right = clusterings
        return align_clusters(
            left.word_labels[self.words.left_ids],
            right.word_labels[self.words.right_ids],
            n_left=left.n_clusters,
            n_right=right.n_clusters,
        )

    def matches(self, k: int | tuple[int, int] | None = None, n_examples: int = 5) -> Any:
        """Matched clusters and their overlap, as a pandas DataFrame.

        Parameters
        ----------
        k : int or (int, int), optional
            Clusters per side; default the views' ``n_clusters``.
        n_examples : int, default 5
            Shared words listed per pair (the most frequent).

        Returns
        -------
        pandas.DataFrame
            One row per matched pair, by decreasing overlap, then one per unmatched cluster:
            ``left_cluster``, ``right_cluster`` (nullable ints; missing on the side without a
            partner), ``overlap`` (Jaccard of the two word sets over the words both sides
            clustered; NaN if unmatched), ``shared_words`` (count), ``examples`` (list of the
            most frequent shared words; for an unmatched cluster, its own most frequent words).
        """
        import pandas as pd

        check_int(n_examples, "n_examples", low=0)
        left, right = self.clusterings(k)
        aligned = self._align((left, right))
        left_labels = left.word_labels[self.words.left_ids]
        right_labels = right.word_labels[self.words.right_ids]
        frequency = self._frequency()
        rows: list[dict[str, Any]] = []
        for i, j, jaccard, shared in zip(
            aligned.left_clusters, aligned.right_clusters, aligned.jaccard, aligned.shared, strict=True
        ):
            members = np.flatnonzero((left_labels == i) & (right_labels == j))
            rows.append(
                {
                    "left_cluster": int(i),
                    "right_cluster": int(j),
                    "overlap": float(jaccard),
                    "shared_words": int(shared),
                    "examples": self._examples(members, frequency, n_examples),
                }
            )
        for side, unmatched, labels in (
            ("left_cluster", aligned.unmatched_left, left_labels),
            ("right_cluster", aligned.unmatched_right, right_labels),
        ):
            for cluster in unmatched:
                members = np.flatnonzero(labels == cluster)
                rows.append(
                    {
                        side: int(cluster),
                        "overlap": float("nan"),
                        "shared_words": 0,
                        "examples": self._examples(members, frequency, n_examples),
                    }
                )
        table = pd.DataFrame(
            rows, columns=["left_cluster", "right_cluster", "overlap", "shared_words", "examples"]
        )
        return table.astype({"left_cluster": "Int64", "right_cluster": "Int64"})

    def _frequency(self) -> np.ndarray:
        """Occurrences of each compared word, both sides' counts added, shape (n_compared,)."""
        left = self.left.analysis.counts[self.words.left_ids]
        if self.left.analysis is self.right.analysis:
            return left
        return left + self.right.analysis.counts[self.words.right_ids]

    def _examples(self, members: np.ndarray, frequency: np.ndarray, n: int) -> list[str]:
        top = members[np.argsort(-frequency[members], kind="stable")[:n]]
        return [self.words.text[int(i)] for i in top]

    # The numbers -------------------------------------------------------------------------------

    def numbers(self, k: int | tuple[int, int] | None = None) -> tuple[SideNumbers, SideNumbers]:
        """Each side's comparison numbers.

        Parameters
        ----------
        k : int or (int, int), optional
            Clusters per side; default the views' ``n_clusters``.

        Returns
        -------
        (SideNumbers, SideNumbers)
            Definitions in [comparison_numbers][rnnvis_widget.view.comparison_numbers]. The
            cloud coherence is computed over the compared words each side clustered.
        """
        return self._numbers(self.clusterings(k))

    def _numbers(self, clusterings: tuple[CoClustering, CoClustering]) -> tuple[SideNumbers, SideNumbers]:
        out = []
        sides = zip(
            self._views(), self.labels, (self.words.left_ids, self.words.right_ids), clusterings, strict=True
        )
        for view, label, ids, co in sides:
            analysis, slot = view.analysis, _slot(view)
            response = analysis.response(slot.layer, slot.state, slot.direction)
            word_labels = co.word_labels
            if self.words.vocabularies_differ:
                word_labels = np.full_like(co.word_labels, -1)
                word_labels[ids] = co.word_labels[ids]
            out.append(
                SideNumbers.of(
                    label,
                    slot.state,
                    analysis.unit_summary(slot.layer, slot.state, slot.direction),
                    analysis.n_tokens,
                    response,
                    word_labels,
                    co.unit_labels,
                    co.n_clusters,
                )
            )
        return out[0], out[1]

    def summary(self, k: int | tuple[int, int] | None = None) -> Any:
        """Per side: sparsity, saturation-aware sparsity, saturation, mean |Δ|, cloud coherence
        and the spread of unit-cluster sizes, as a pandas DataFrame.

        Parameters
        ----------
        k : int or (int, int), optional
            Clusters per side; default the views' ``n_clusters``.

        Returns
        -------
        pandas.DataFrame
            Indexed by the side's label, one row per side. Columns: ``layer``, ``state``,
            ``units``, ``tokens``, ``update_sparsity``, ``unsaturated_sparsity``,
            ``unsaturated_steps``, ``saturation``, ``mean_abs_delta``, ``cloud_coherence``,
            ``unit_cluster_cv``, ``k``, ``words`` (clustered words the coherence was computed
            over) and ``compared_on`` ("same vocabulary", or how many shared words the clusters
            were compared on; the unit statistics always cover each side's whole corpus).
            Definitions in [comparison_numbers][rnnvis_widget.view.comparison_numbers].
        """
        import pandas as pd

        compared_on = (
            f"{len(self.words.text):,} shared words" if self.words.vocabularies_differ else "same vocabulary"
        )
        rows = []
        for view, side in zip(self._views(), self.numbers(k), strict=True):
            slot = _slot(view)
            rows.append(
                {
                    "layer": _where(view.analysis, slot),
                    "state": side.state,
                    "units": side.n_units,
                    "tokens": side.n_tokens,
                    **{name: getattr(side, name) for name in NUMBER_COLUMNS},
                    "k": side.n_clusters,
                    "words": side.n_words,
                    "compared_on": compared_on,
                }
            )
        return pd.DataFrame(rows, index=pd.Index(list(self.labels), name="side"))

    @property
    def statement(self) -> str:
        """One sentence stating which side updates its memory more sparsely and whether that
        holds once saturated steps are left out (see
        [difference_statement][rnnvis_widget.view.comparison_numbers.difference_statement])."""
        left, right = self.numbers()
        shared = len(self.words.text) if self.words.vocabularies_differ else None
        return difference_statement(left, right, shared_words=shared)

    def seed_spread(self, seeds: Iterable[int] = range(5), k: int | tuple[int, int] | None = None) -> Any:
        """The numbers that depend on the clustering's seed, for several seeds.

        Each seed re-runs both sides' co-clustering (randomised SVD and k-means) with the
        views' ``min_count``. The unit statistics do not depend on a seed.

        Parameters
        ----------
        seeds : iterable of int, default range(5)
            The seeds.
        k : int or (int, int), optional
            Clusters per side; default the views' ``n_clusters``.

        Returns
        -------
        pandas.DataFrame
            Indexed by seed; columns ``coherence_left``, ``coherence_right``,
            ``cluster_cv_left``, ``cluster_cv_right``, ``mean_overlap`` (mean Jaccard of the
            matched pairs) and ``changed_words`` (fraction of compared words whose cluster's
            partner differs). ``.agg(["mean", "std"])`` gives the spread.
        """
        import pandas as pd

        ks = self._ks(k)
        rows = []
        seed_list = [check_int(seed, "seed") for seed in seeds]
        for seed in seed_list:
            left_co, right_co = (
                ViewModel(view.analysis, min_count=view.viewmodel.min_count, seed=seed).cocluster(
                    _slot(view), side_k
                )
                for view, side_k in zip(self._views(), ks, strict=True)
            )
            left, right = self._numbers((left_co, right_co))
            aligned = self._align((left_co, right_co))
            rows.append(
                {
                    "coherence_left": left.cloud_coherence,
                    "coherence_right": right.cloud_coherence,
                    "cluster_cv_left": left.unit_cluster_cv,
                    "cluster_cv_right": right.unit_cluster_cv,
                    "mean_overlap": aligned.mean_jaccard,
                    "changed_words": aligned.changed_fraction,
                }
            )
        return pd.DataFrame(rows, index=pd.Index(seed_list, name="seed"))

    # For the browser -----------------------------------------------------------------------------

    def payload(self, k: int | tuple[int, int] | None = None) -> dict[str, Any]:
        """Everything a comparison view draws, as plain Python and numpy.

        Parameters
        ----------
        k : int or (int, int), optional
            Clusters per side; default the views' ``n_clusters``.

        Returns
        -------
        dict
            With ``P`` matched pairs, ``N`` compared words clustered on both sides, ``H_l`` /
            ``H_r`` units, ``k_l`` / ``k_r`` clusters and ``B`` histogram bins:

            - ``labels``: [str, str], the sides' titles;
            - ``slots``: per side a dict ``layer`` (str), ``state``, ``direction``, ``units``;
            - ``common_states``: list of str, the state kinds both sides' layers recorded
              (what a state control may offer);
            - ``on``: "same" or "shared"; ``n_compared``: int, words in both vocabularies;
            - ``statement``: str, the sentence of `statement`;
            - ``definitions``: dict of str to str, one line per number (tooltips);
            - ``numbers``: dict of number name to [left, right] floats (NaN where undefined),
              the columns of `summary`;
            - ``k``: [k_l, k_r];
            - ``pairs``: ``left``, ``right`` (int64 (P,)), ``overlap`` (float64 (P,), Jaccard),
              ``shared`` (int64 (P,)), by decreasing overlap;
            - ``left_partner``: int64 (k_l,), ``right_partner``: int64 (k_r,), the matched
              cluster across or -1 (matched clusters share a colour and sit level);
            - ``words``: ``text`` (list of N str), ``left_id`` / ``right_id`` (int64 (N,), ids
              in each side's vocabulary), ``left_cluster`` / ``right_cluster`` (int64 (N,)),
              ``changed`` (bool (N,), the word's cluster's partner differs), ``count`` (int64
              (N,), occurrences on both sides together);
            - ``units``: per side a dict of float64 arrays of shape (H,): ``sparsity``,
              ``unsaturated_sparsity``, ``saturation`` (NaN where undefined), ``cluster``
              (int64, the unit's cluster);
            - ``histograms``: ``edges`` float64 (B + 1,) over [0, 1], shared by every
              histogram, and ``sparsity``, ``unsaturated_sparsity``, ``saturation``: int64
              (2, B) counts of units per bin, left row then right (NaN units left out).
        """
        co_left, co_right = self.clusterings(k)
        aligned = self._align((co_left, co_right))
        numbers = self._numbers((co_left, co_right))
        both = aligned.compared
        edges = np.linspace(0.0, 1.0, HISTOGRAM_BINS + 1)
        summaries = [
            view.analysis.unit_summary(_slot(view).layer, _slot(view).state, _slot(view).direction)
            for view in self._views()
        ]
        units = [
            {
                "sparsity": summary.sparsity.copy(),
                "unsaturated_sparsity": summary.unsaturated_sparsity.copy(),
                "saturation": summary.saturation.copy(),
                "cluster": co.unit_labels.copy(),
            }
            for summary, co in zip(summaries, (co_left, co_right), strict=True)
        ]
        histograms: dict[str, np.ndarray] = {"edges": edges}
        for name in ("sparsity", "unsaturated_sparsity", "saturation"):
            histograms[name] = np.stack([_histogram(side[name], edges) for side in units])
        left_ids, right_ids = self.words.left_ids[both], self.words.right_ids[both]
        return {
            "labels": list(self.labels),
            "slots": [
                {
                    "layer": _where(view.analysis, _slot(view)),
                    "state": _slot(view).state,
                    "direction": _slot(view).direction,
                    "units": side.n_units,
                }
                for view, side in zip(self._views(), numbers, strict=True)
            ],
            "common_states": common_states(
                self.left.analysis, self.left.layer, self.right.analysis, self.right.layer
            ),
            "on": self.on,
            "n_compared": len(self.words.text),
            "statement": self.statement,
            "definitions": dict(NUMBER_DEFINITIONS),
            "numbers": {name: [float(getattr(side, name)) for side in numbers] for name in NUMBER_COLUMNS},
            "k": [co_left.n_clusters, co_right.n_clusters],
            "pairs": {
                "left": aligned.left_clusters,
                "right": aligned.right_clusters,
                "overlap": aligned.jaccard,
                "shared": aligned.shared,
            },
            "left_partner": aligned.left_partner,
            "right_partner": aligned.right_partner,
            "words": {
                "text": [self.words.text[int(i)] for i in np.flatnonzero(both)],
                "left_id": left_ids,
                "right_id": right_ids,
                "left_cluster": co_left.word_labels[left_ids],
                "right_cluster": co_right.word_labels[right_ids],
                "changed": aligned.changed[both],
                "count": self._frequency()[both],
            },
            "units": units,
            "histograms": histograms,
        }


def _slot(view: RNNVis) -> ViewSlot:
    return ViewSlot(int(view.layer), str(view.state), int(view.direction))


def _clustering(view: RNNVis, k: int) -> CoClustering:
    return view.viewmodel.cocluster(_slot(view), k)


def _where(analysis: Analysis, slot: ViewSlot) -> str:
    """``rnn · layer 1`` (``· backward`` for direction 1)."""
    return str(analysis.stacks[slot.layer]) + (" · backward" if slot.direction else "")


def _histogram(values: np.ndarray, edges: np.ndarray) -> np.ndarray:
    finite = values[np.isfinite(values)]
    return np.histogram(finite, bins=edges)[0].astype(np.int64)


def compare(
    analysis_a: Analysis,
    analysis_b: Analysis | None = None,
    *,
    labels: tuple[str, str] | None = None,
    layers: tuple[int, int] | None = None,
    state: str = "h",
    states: tuple[str, str] | None = None,
    on: str = "same",
    models: tuple[Any, Any] | None = None,
    side_options: tuple[dict[str, Any], dict[str, Any]] | None = None,
    **options: Any,
) -> Comparison:
    """Compare two analyses (e.g. an RNN and an LSTM on the same corpus), two layers of one,
    or two state kinds of one layer.

    Parameters
    ----------
    analysis_a : Analysis
        The left side.
    analysis_b : Analysis, optional
        The right side; None compares two layers (or two state kinds) of ``analysis_a``.
    labels : (str, str), optional
        The sides' titles; default module, cell and layer of each, e.g. ``rnn (LSTM) ·
        layer 1`` (see [default_labels][rnnvis_widget.view.comparison_sides.default_labels]).
    layers : (int, int), optional
        The layer of each side (indices into ``stacks``, negative from the end); default the
        last layer of each analysis, or with one analysis its first and last layer.
    state : str, default "h"
        The state kind shown on both sides; it must be recorded on both.
    states : (str, str), optional
        A different state kind per side instead, e.g. ``("h", "c")`` to compare an LSTM
        layer's hidden and cell states.
    on : {"same", "shared"}, default "same"
        "same": the two vocabularies must be equal. "shared": compare the clusters on the words
        both vocabularies have (the summary and the statement say so).
    models : (torch.nn.Module or None, torch.nn.Module or None), optional
        The live model of each side, for the sentence view: ``cmp.add_sentence(text)`` (or
        the widget's text box) runs a sentence through both and draws one row of glyphs per
        side. A side without one says so in the sentence area.
    side_options : (dict, dict), optional
        Options for one side only, over ``**options``: e.g. each side's ``encode``,
        ``forward``, ``predict`` or class ``labels`` (zoo models: ``({**m_a.widget_options()},
        {**m_b.widget_options()})``, which also carry the model).
    **options
        Passed to both [RNNVis][rnnvis_widget.RNNVis] views (n_clusters, n_words, min_count,
        seed, encode, ...).

    Returns
    -------
    Comparison

    Raises
    ------
    TypeError
        If an analysis is not an ``rv.Analysis``.
    ValueError
        If the vocabularies differ with ``on="same"`` (the message names the difference), a
        state kind is not recorded on its side (the message lists the kinds both sides
        have), or the labels are not two distinct strings.
    IndexError
        If a layer is out of range.
    """
    for analysis in (analysis_a, analysis_b):
        if analysis is not None and not isinstance(analysis, Analysis):
            raise TypeError(
                f"compare needs rv.Analysis objects (from rv.analyze), got {type(analysis).__name__}"
            )
    right_analysis = analysis_a if analysis_b is None else analysis_b
    if layers is None:
        layers = (0, len(analysis_a.stacks) - 1) if analysis_b is None else (-1, -1)
        if analysis_b is None and states is not None:
            layers = (-1, -1)  # two kinds of one layer: the last, like a single view
    sides = [
        (analysis, layer_index(analysis, layer))
        for analysis, layer in zip((analysis_a, right_analysis), layers, strict=True)
    ]
    kinds = side_states(sides, state, states)
    pair_words(analysis_a.vocab, right_analysis.vocab, on)  # fail before building the views
    if labels is None:
        labels = default_labels([(a, layer, kind) for (a, layer), kind in zip(sides, kinds, strict=True)])
    labels = check_labels(labels)
    per_side = _per_side_options(options, models, side_options)
    views = [
        RNNVis(analysis, layer=layer, state=kind, **side)
        for (analysis, layer), kind, side in zip(sides, kinds, per_side, strict=True)
    ]
    return Comparison(views[0], views[1], labels=labels, on=on)


def _per_side_options(
    options: dict[str, Any],
    models: tuple[Any, Any] | None,
    side_options: tuple[dict[str, Any], dict[str, Any]] | None,
) -> list[dict[str, Any]]:
    """Each side's ``RNNVis`` options: the shared ones, its model, then its own."""
    out = [dict(options), dict(options)]
    for name, pair in (("models", models), ("side_options", side_options)):
        if pair is not None and (not isinstance(pair, (tuple, list)) or len(pair) != 2):
            raise ValueError(f"{name} must be a pair (left, right); got {pair!r}")
    if models is not None:
        if "model" in options:
            raise ValueError("pass either model= (both sides) or models=(left, right), not both")
        for side, model in zip(out, models, strict=True):
            side["model"] = model
    if side_options is not None:
        for side, own in zip(out, side_options, strict=True):
            if not isinstance(own, dict):
                raise TypeError(f"side_options must be two dicts, got {type(own).__name__}")
            side.update(own)
    return out


def _words_shown_by(view: RNNVis) -> Callable[[list[str]], list[str]]:
    """Keep the words ``view`` shows, in order: what may be pinned there."""

    def shown(words: list[str]) -> list[str]:
        payload = view.view
        texts = set(payload["words"]["text"]) if payload and payload["kind"] == "main" else set()
        return [word for word in words if word in texts]

    return shown
