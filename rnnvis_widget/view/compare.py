"""`rv.compare`: two views side by side, two models or two layers of one.

A first version: two full `RNNVis` views in one row, with pinned words and the number of
clusters kept in step, so a word pinned on one side is pinned on the other. A dedicated
comparison view (unit statistics side by side, shared word axes) is future work.
"""

from __future__ import annotations

from typing import Any

import ipywidgets
import traitlets

from ..analysis import Analysis
from .widget import RNNVis

LINKED_TRAITS = ("n_clusters", "selected_words", "link_filter")


class Comparison(ipywidgets.HBox):
    """Two `RNNVis` views in a row, with pins, k and the link filter kept in step.

    Parameters
    ----------
    left, right : RNNVis
        The two views.

    Attributes
    ----------
    left, right : RNNVis
        The two views, each with its own ``selected_words`` / ``selected_units``.
    """

    def __init__(self, left: RNNVis, right: RNNVis):
        super().__init__(children=[left, right], layout=ipywidgets.Layout(width="100%", overflow="auto"))
        self.left = left
        self.right = right
        self._links = [traitlets.link((left, name), (right, name)) for name in LINKED_TRAITS]

    def close(self) -> None:
        # Idempotent: ipywidgets calls close() again from __del__.
        links, self._links = getattr(self, "_links", []), []
        for link in links:
            link.unlink()
        for view in (getattr(self, "left", None), getattr(self, "right", None)):
            if view is not None:
                view.close()
        super().close()


def compare(
    analysis_a: Analysis,
    analysis_b: Analysis | None = None,
    *,
    layers: tuple[int, int] | None = None,
    state: str = "h",
    **options: Any,
) -> Comparison:
    """Show two analyses side by side (e.g. an RNN and an LSTM on the same corpus), or two
    layers of one.

    Parameters
    ----------
    analysis_a : Analysis
        The left side.
    analysis_b : Analysis, optional
        The right side; None compares two layers of ``analysis_a``.
    layers : (int, int), optional
        The layer of each side; default the last layer of each analysis, or with one analysis
        its first and last layer.
    state : str
        The state kind shown on both sides ("h", "c", ...).
    **options
        Passed to both [RNNVis][rnnvis_widget.RNNVis] views (n_clusters, n_words, min_count, ...).

    Returns
    -------
    Comparison
    """
    for analysis in (analysis_a, analysis_b):
        if analysis is not None and not isinstance(analysis, Analysis):
            raise TypeError(
                f"compare needs rv.Analysis objects (from rv.analyze), got {type(analysis).__name__}"
            )
    if analysis_b is None:
        n = len(analysis_a.stacks)
        first, second = layers if layers is not None else (0, n - 1)
        return Comparison(
            RNNVis(analysis_a, layer=first, state=state, **options),
            RNNVis(analysis_a, layer=second, state=state, **options),
        )
    left_layer, right_layer = layers if layers is not None else (-1, -1)
    return Comparison(
        RNNVis(analysis_a, layer=left_layer, state=state, **options),
        RNNVis(analysis_b, layer=right_layer, state=state, **options),
    )
