"""numpy arrays <-> the `{buffer, dtype, shape}` form the browser decodes (js/codecs.ts).

Arrays cross the wire as raw little-endian bytes, never as JSON lists of numbers: ipywidgets
lifts every `bytes`/`memoryview` out of a trait's JSON into a binary message buffer, and the
browser receives it as a `DataView` in the same place.
"""

from __future__ import annotations

from typing import Any, TypedDict

import numpy as np

# Browser-side decoders exist for exactly these (js/codecs.ts).
WIRE_DTYPES = (
    "float16",
    "float32",
    "float64",
    "int8",
    "int16",
    "int32",
    "uint8",
    "uint16",
    "uint32",
)


class EncodedArray(TypedDict):
    buffer: bytes
    dtype: str
    shape: list[int]


def encode(array: Any, dtype: str | None = None) -> EncodedArray:
    """Encode an array for the browser, optionally casting to `dtype` (e.g. "float16").

    int64 is narrowed to int32 because JavaScript has no 64-bit typed array that numbers fit.
    """
    values = np.asarray(array)
    target = np.dtype(dtype) if dtype is not None else values.dtype
    if target == np.int64:
        if values.size and (
            values.max() > np.iinfo(np.int32).max or values.min() < np.iinfo(np.int32).min
        ):
            raise ValueError("int64 values do not fit int32; the browser cannot decode them")
        target = np.dtype(np.int32)
    if target.name not in WIRE_DTYPES:
        raise TypeError(f"cannot send dtype {target.name} to the browser; use one of {WIRE_DTYPES}")
    wire = np.ascontiguousarray(values, dtype=target.newbyteorder("<"))
    return {"buffer": wire.tobytes(), "dtype": target.name, "shape": [int(n) for n in wire.shape]}


def decode(encoded: EncodedArray) -> np.ndarray:
    """Inverse of `encode` (used by tests and by snapshot round trips)."""
    dtype = np.dtype(encoded["dtype"]).newbyteorder("<")
    return np.frombuffer(bytes(encoded["buffer"]), dtype=dtype).reshape(encoded["shape"])
