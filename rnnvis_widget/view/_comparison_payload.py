"""`Comparison.payload` (plain numpy) turned into what the comparison widget sends: a
[ComparisonPayload][rnnvis_widget.view._payloads.ComparisonPayload] of compact arrays, with the
changed-word marks restricted to the words each side shows."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from ._codecs import encode
from ._payloads import ComparisonPayload


def _finite_or_none(value: float) -> float | None:
    # Snapshots and the comm write strict JSON: NaN has no spelling there.
    return float(value) if math.isfinite(value) else None


def _changed_among(shown: Sequence[str], changed: set[str]) -> np.ndarray:
    return np.array([word in changed for word in shown], dtype=np.uint8)


def _slot_line(slot: dict[str, Any]) -> str:
    return f"{slot['layer']} · {slot['state']} · {slot['units']} units"


def encode_comparison(raw: dict[str, Any], shown: tuple[Sequence[str], Sequence[str]]) -> ComparisonPayload:
    """Encode ``raw`` (from ``Comparison.payload``) for the browser.

    Parameters
    ----------
    raw : dict
        What ``Comparison.payload(k)`` returned.
    shown : (sequence of str, sequence of str)
        The words each side's view shows (its ``view["words"]["text"]``), in order.

    Returns
    -------
    ComparisonPayload
    """
    words = raw["words"]
    changed = {text for text, flag in zip(words["text"], words["changed"], strict=True) if flag}
    pairs, histograms = raw["pairs"], raw["histograms"]
    return {
        "kind": "comparison",
        "labels": [str(label) for label in raw["labels"]],
        "slots": [_slot_line(slot) for slot in raw["slots"]],
        "statement": str(raw["statement"]),
        "on": str(raw["on"]),
        "n_compared": int(raw["n_compared"]),
        "k": [int(k) for k in raw["k"]],
        "numbers": {name: [_finite_or_none(v) for v in values] for name, values in raw["numbers"].items()},
        "definitions": dict(raw["definitions"]),
        "pairs": {
            "left": encode(pairs["left"], "int16"),
            "right": encode(pairs["right"], "int16"),
            "overlap": encode(pairs["overlap"], "float32"),
            "shared": encode(pairs["shared"], "int32"),
        },
        "left_partner": encode(raw["left_partner"], "int16"),
        "right_partner": encode(raw["right_partner"], "int16"),
        "changed": [encode(_changed_among(side, changed), "uint8") for side in shown],
        "histograms": {
            "edges": encode(histograms["edges"], "float32"),
            "sparsity": encode(histograms["sparsity"], "int32"),
            "unsaturated_sparsity": encode(histograms["unsaturated_sparsity"], "int32"),
            "saturation": encode(histograms["saturation"], "int32"),
        },
    }
