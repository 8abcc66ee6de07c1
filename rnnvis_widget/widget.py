"""`rv.RNNVis`: the anywidget. Traits and observers only; computing lives in the analysis modules."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import anywidget
import traitlets

from .analysis import Analysis
from .viewmodel import error_view, heatmap_view

STATIC = Path(__file__).parent / "static"


class RNNVis(anywidget.AnyWidget):
    """Interactive view of an `Analysis`.

    Traits (two-way with the browser): `layer` (index into `analysis.stacks`), `state`
    ("h", "c" or a gate), `direction`, `n_words` (rows shown), `selected_words` (words the user
    clicked, up to 3) and `selected_units`.
    """

    _esm = STATIC / "index.js"
    _css = STATIC / "index.css"

    view = traitlets.Dict(allow_none=True, default_value=None).tag(sync=True)
    layer = traitlets.Int(-1).tag(sync=True)
    state = traitlets.Unicode("h").tag(sync=True)
    direction = traitlets.Int(0).tag(sync=True)
    n_words = traitlets.Int(40).tag(sync=True)
    selected_words = traitlets.List(traitlets.Unicode(), default_value=[]).tag(sync=True)
    selected_units = traitlets.List(traitlets.Int(), default_value=[]).tag(sync=True)

    def __init__(self, analysis: Analysis, model: Any = None, encode: Any = None, **kwargs: Any):
        if not (STATIC / "index.js").exists():
            raise RuntimeError(
                "the widget's front-end bundle is missing (rnnvis_widget/static/index.js); "
                "build it with `npm ci && npm run build` or reinstall with `pip install .`"
            )
        if not isinstance(analysis, Analysis):
            raise TypeError(f"RNNVis needs an rv.Analysis (from rv.analyze), got {type(analysis).__name__}")
        self.analysis = analysis
        self.model = model
        self.encode = encode
        super().__init__(**kwargs)
        if self.layer < 0:
            self.layer = len(analysis.stacks) + self.layer
        self._refresh()

    @traitlets.validate("layer")
    def _check_layer(self, proposal: dict[str, Any]) -> int:
        value = int(proposal["value"])
        n = len(self.analysis.stacks) if hasattr(self, "analysis") else None
        if n is not None and not -n <= value < n:
            raise traitlets.TraitError(
                f"layer must be in 0..{n - 1} (this analysis has {n} layers), got {value}"
            )
        return value % n if n else value

    @traitlets.validate("n_words")
    def _check_n_words(self, proposal: dict[str, Any]) -> int:
        value = int(proposal["value"])
        if value < 1:
            raise traitlets.TraitError(f"n_words must be at least 1, got {value}")
        return value

    @traitlets.observe("layer", "state", "direction", "n_words")
    def _on_view_change(self, _change: dict[str, Any]) -> None:
        if hasattr(self, "analysis"):
            self._refresh()

    def _refresh(self) -> None:
        kinds = self.analysis.states(self.analysis.layer_key(self.layer, self.direction))
        if self.state not in kinds:
            # Another layer may lack the chosen kind (e.g. GRU has no "c"); fall back to h.
            self.state = "h"
            return
        try:
            self.view = heatmap_view(self.analysis, self.layer, self.state, self.direction, self.n_words)
        except (KeyError, IndexError, ValueError) as error:
            self.view = error_view(f"rnnvis cannot show this view: {error}")

    def save_html(self, path: str | os.PathLike[str], title: str = "rnnvis snapshot") -> Path:
        """Write this view as one self-contained HTML file that works offline."""
        from .export import save_html

        return save_html(self, path, title=title)
