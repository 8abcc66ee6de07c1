"""`ComparisonView`: the anywidget of a comparison. Traits only; the two sides' payloads come
from their [RNNVis][rnnvis_widget.RNNVis] views, the matching and the numbers from
[Comparison][rnnvis_widget.Comparison], and the drawing from js/views/compare*.ts."""

from __future__ import annotations

from typing import Any

import anywidget
import traitlets

from .._validation import check_int
from ._export import STATIC
from ._payloads import CONTRACT, MAX_CLUSTERS, MIN_CLUSTERS
from ._traits import InvalidTraitValue, ViewTrait, checked

DEFAULTS = CONTRACT["trait_defaults"]


class ComparisonView(anywidget.AnyWidget):
    """Two sides (chips, links, word clouds) in one widget, their matched clusters level and
    in one colour, hover and pins linked across. Made and kept up to date by
    [Comparison][rnnvis_widget.Comparison]; display that, not this.

    Attributes
    ----------
    left_view, right_view : dict
        Each side's main view payload (read-only; from its ``RNNVis``).
    left_clusterings, right_clusterings : dict
        Each side's clusterings by ``str(k)`` (read-only).
    comparisons : dict
        ``ComparisonPayload`` by ``str(n_clusters)`` (read-only).
    n_clusters : int
        Clusters on both sides, 2..20; each side uses the nearest k its layer allows.
    link_filter : float
        Hide links weaker than this fraction (0..1) of each side's strongest.
    color_clip : float
        |response| at which colours saturate; 0 picks each side's 98th percentile.
    selected_words : list of str
        Words pinned, on both sides (a side marks those it shows).
    left_selected_units, right_selected_units : list of int
        The unit clicked on each side.
    sentences : list of (str or list of int)
        The sentences shown on both sides; typing one into the widget appends it (each side
        runs it through its own live model; see ``Comparison.add_sentence``).
    left_sentence_view, right_sentence_view : dict or None
        Each side's sentence view payload (read-only; from its ``RNNVis``).
    sentence_states : dict
        The per-step states of newly run sentences of either side, by sentence id (read-only;
        each sent once, see ``RNNVis.sentence_states``).
    sentence_states_wanted : list of str
        Set by the browser to the sentence ids whose states it lacks; the kernel answers in
        ``sentence_states`` and clears it.
    sentence_slots : list of dict
        Per side the layer, state kind and direction its sentence rows show (read-only).
    """

    _esm = STATIC / "compare.js"
    _css = STATIC / "compare.css"

    left_view = ViewTrait().tag(sync=True)
    right_view = ViewTrait().tag(sync=True)
    left_clusterings = traitlets.Dict(default_value={}).tag(sync=True)
    right_clusterings = traitlets.Dict(default_value={}).tag(sync=True)
    comparisons = traitlets.Dict(default_value={}).tag(sync=True)
    n_clusters = traitlets.Int(DEFAULTS["n_clusters"]).tag(sync=True)
    link_filter = traitlets.Float(DEFAULTS["link_filter"]).tag(sync=True)
    color_clip = traitlets.Float(DEFAULTS["color_clip"]).tag(sync=True)
    selected_words = traitlets.List(traitlets.Unicode(), default_value=[]).tag(sync=True)
    left_selected_units = traitlets.List(traitlets.Int(), default_value=[]).tag(sync=True)
    right_selected_units = traitlets.List(traitlets.Int(), default_value=[]).tag(sync=True)
    sentences = traitlets.List(
        traitlets.Union([traitlets.Unicode(), traitlets.List(traitlets.Int())]), default_value=[]
    ).tag(sync=True)
    left_sentence_view = traitlets.Dict(allow_none=True, default_value=None).tag(sync=True)
    right_sentence_view = traitlets.Dict(allow_none=True, default_value=None).tag(sync=True)
    sentence_states = traitlets.Dict(default_value={}).tag(sync=True)
    sentence_states_wanted = traitlets.List(traitlets.Unicode(), default_value=[]).tag(sync=True)
    sentence_slots = traitlets.List(traitlets.Dict(), default_value=[]).tag(sync=True)

    @traitlets.validate("n_clusters")
    def _check_n_clusters(self, proposal: dict[str, Any]) -> int:
        value = proposal["value"]
        return checked(lambda: check_int(value, "n_clusters", low=MIN_CLUSTERS, high=MAX_CLUSTERS))

    @traitlets.validate("link_filter")
    def _check_link_filter(self, proposal: dict[str, Any]) -> float:
        value = float(proposal["value"])
        if not 0.0 <= value <= 1.0:
            raise InvalidTraitValue(f"link_filter is a fraction of the strongest link, 0..1; got {value}")
        return value
