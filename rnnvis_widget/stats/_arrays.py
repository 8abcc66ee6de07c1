"""A `rnnvis_widget.stats.CorpusStats` as a JSON-able header plus named numpy arrays.

This is the statistics' part of an analysis file (`rnnvis_widget.Analysis.save`): every
accumulator is stored as it is, so loaded statistics keep streaming and merging exactly. Loading
checks each array's shape and dtype, so a damaged file fails with a clear error instead of
producing wrong numbers later.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict
from typing import Any

import numpy as np

from ..capture import LayerKey
from .corpus_stats import CorpusStats, Slot, StatsConfig
from .responses import Bound


def stats_to_arrays(stats: CorpusStats) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
    """Split statistics into a JSON-able header and named arrays holding every accumulator.

    Parameters
    ----------
    stats : CorpusStats

    Returns
    -------
    header : dict
        Vocabulary size, tokens read, settings and, per slot, its layer, state kind and bound.
    arrays : dict of str to ndarray
        ``counts``, ``display_words`` and every slot's accumulators under ``slot<i>_<name>``,
        stored as they are. `stats_from_arrays` reads both back.
    """
    arrays: dict[str, np.ndarray] = {
        "counts": stats.counts,
        "display_words": np.asarray(stats.display_words),
    }
    slots = []
    for index, ((key, kind), slot) in enumerate(sorted(stats.slots.items())):
        prefix = f"slot{index}_"
        arrays[prefix + "mean"] = slot.mean
        arrays[prefix + "m2"] = slot.m2
        arrays[prefix + "sum_abs"] = slot.sum_abs
        arrays[prefix + "n_near_zero"] = slot.n_near_zero
        arrays[prefix + "n_saturated"] = slot.n_saturated
        arrays[prefix + "n_unsaturated"] = slot.n_unsaturated
        arrays[prefix + "n_unsaturated_near_zero"] = slot.n_unsaturated_near_zero
        if slot.sketch is not None:
            arrays[prefix + "histogram"] = slot.sketch.counts
        if slot.contexts is not None:
            arrays[prefix + "context_values"] = slot.contexts.values
            arrays[prefix + "context_positions"] = slot.contexts.positions
            arrays[prefix + "context_windows"] = slot.contexts.windows
        slots.append(
            {
                "module": key.module,
                "layer": key.layer,
                "direction": key.direction,
                "kind": kind,
                "bound": None if slot.bound is None else list(slot.bound),
            }
        )
    header = {
        "vocab_size": stats.vocab_size,
        "n_tokens": stats.n_tokens,
        "config": asdict(stats.config),
        "slots": slots,
    }
    return header, arrays


def stats_from_arrays(header: Mapping[str, Any], arrays: Mapping[str, np.ndarray]) -> CorpusStats:
    """Rebuild statistics from what `stats_to_arrays` wrote.

    Parameters
    ----------
    header : mapping
        The JSON-able header.
    arrays : mapping of str to ndarray
        The named arrays.

    Returns
    -------
    CorpusStats
        Ready to keep streaming and merging exactly.

    Raises
    ------
    KeyError, ValueError, TypeError
        If the header and arrays are inconsistent: a missing entry, or an array of another
        shape or dtype than its slot needs. Arrays written before the saturation-aware counters
        existed raise ValueError saying to re-run ``rv.analyze``.
    """
    slot_specs = header["slots"]
    if slot_specs and "slot0_n_unsaturated" not in arrays:
        raise ValueError(
            "these statistics were saved before the saturation-aware sparsity counters "
            "(n_unsaturated) existed; re-run rv.analyze to make a new analysis file"
        )
    bounds: dict[Slot, Bound] = {}
    for spec in slot_specs:
        key = LayerKey(str(spec["module"]), int(spec["layer"]), int(spec["direction"]))
        bound = spec["bound"]
        bounds[(key, str(spec["kind"]))] = None if bound is None else (float(bound[0]), float(bound[1]))
    stats = CorpusStats(
        int(header["vocab_size"]),
        display_words=arrays["display_words"],
        bounds=bounds,
        config=StatsConfig(**header["config"]),
    )
    stats.counts = _checked(arrays["counts"], (stats.vocab_size,), np.int64)
    stats.n_tokens = int(header["n_tokens"])
    for index, spec in enumerate(slot_specs):
        key = LayerKey(str(spec["module"]), int(spec["layer"]), int(spec["direction"]))
        prefix = f"slot{index}_"
        n_units = int(arrays[prefix + "mean"].shape[-1])
        slot = stats.empty_slot(key, str(spec["kind"]), n_units)
        slot.mean = _checked(arrays[prefix + "mean"], slot.mean.shape, np.float64)
        slot.m2 = _checked(arrays[prefix + "m2"], slot.m2.shape, np.float64)
        slot.sum_abs = _checked(arrays[prefix + "sum_abs"], (n_units,), np.float64)
        slot.n_near_zero = _checked(arrays[prefix + "n_near_zero"], (n_units,), np.int64)
        slot.n_saturated = _checked(arrays[prefix + "n_saturated"], (n_units,), np.int64)
        slot.n_unsaturated = _checked(arrays[prefix + "n_unsaturated"], (n_units,), np.int64)
        slot.n_unsaturated_near_zero = _checked(
            arrays[prefix + "n_unsaturated_near_zero"], (n_units,), np.int64
        )
        if slot.sketch is not None:
            shape = slot.sketch.counts.shape
            slot.sketch.counts = _checked(arrays[prefix + "histogram"], shape, np.int32)
        if slot.contexts is not None:
            ctx = slot.contexts
            ctx.values = _checked(arrays[prefix + "context_values"], ctx.values.shape, np.float32)
            ctx.positions = _checked(arrays[prefix + "context_positions"], ctx.positions.shape, np.int64)
            ctx.windows = _checked(arrays[prefix + "context_windows"], ctx.windows.shape, np.int32)
        stats.slots[(key, str(spec["kind"]))] = slot
    return stats


def _checked(array: np.ndarray, shape: tuple[int, ...], dtype: type) -> np.ndarray:
    """A writable copy of a loaded array, after checking its shape and dtype.

    Parameters
    ----------
    array : ndarray
    shape : tuple of int
        The shape it must have.
    dtype : type
        The dtype it must have.

    Returns
    -------
    ndarray

    Raises
    ------
    ValueError
        If the shape or dtype differs.
    """
    if tuple(array.shape) != tuple(shape) or array.dtype != np.dtype(dtype):
        raise ValueError(f"array of shape {array.shape} and dtype {array.dtype}, expected {shape} {dtype}")
    return np.array(array)
