"""Exactly what the browser needs for one view, as compact binary arrays (js/model.ts types)."""

from __future__ import annotations

from typing import Any

import numpy as np

from .analysis import Analysis
from .codecs import encode


def display_words(analysis: Analysis, n_words: int) -> np.ndarray:
    """Ids of the `n_words` most frequent words that occur at least once, most frequent first."""
    counts = analysis.counts
    seen = np.flatnonzero(counts > 0)
    # Stable sort on -count keeps ties in id order, so the view is deterministic.
    order = seen[np.argsort(-counts[seen], kind="stable")]
    return order[:n_words]


def heatmap_view(
    analysis: Analysis, layer: int, state: str, direction: int, n_words: int, live: bool = True
) -> dict[str, Any]:
    """Response heatmap of the most frequent words over every unit of one layer and state."""
    ids = display_words(analysis, n_words)
    response = analysis.response(layer, state, direction)[ids]
    key = analysis.layer_key(layer, direction)
    where = str(analysis.stacks[layer]) + (" · backward" if key.direction else "")
    return {
        "kind": "heatmap",
        "title": f"{where} · {state} · {len(ids)} most frequent words × {response.shape[1]} units",
        "layers": [str(stack) for stack in analysis.stacks],
        "states": analysis.states(key),
        "words": [analysis.vocab[i] for i in ids],
        "counts": encode(analysis.counts[ids], "int32"),
        "response": encode(response, "float32"),
        "live": live,
    }


def error_view(message: str) -> dict[str, Any]:
    return {"kind": "error", "message": message}
