"""numpy arrays <-> the `{buffer, dtype, shape}` form the browser decodes (js/codecs.ts).

Arrays cross the wire as raw little-endian bytes, never as JSON lists of numbers: ipywidgets
lifts every `bytes`/`memoryview` out of a trait's JSON into a binary message buffer, and the
browser receives it as a `DataView` in the same place.
"""

from __future__ import annotations

from typing import Any, Literal, TypedDict, cast, get_args

import numpy as np

# Browser-side decoders exist for exactly these (js/codecs.ts `DType`).
WireDType = Literal[
    "float16",
    "float32",
    "float64",
    "int8",
    "int16",
    "int32",
    "uint8",
    "uint16",
    "uint32",
]
WIRE_DTYPES: tuple[WireDType, ...] = get_args(WireDType)


class EncodedArray(TypedDict):
    """One numpy array on the wire; js/codecs.ts `EncodedArray` is its browser side.

    Attributes
    ----------
    buffer : bytes
        The values, C order, little-endian; the browser receives a ``DataView`` here.
    dtype : WireDType
        How to read ``buffer``.
    shape : list of int
        The array's shape; ``len(buffer) == prod(shape) * itemsize``.
    """

    buffer: bytes
    dtype: WireDType
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
    dtype_name = cast(WireDType, target.name)
    return {"buffer": wire.tobytes(), "dtype": dtype_name, "shape": [int(n) for n in wire.shape]}


def decode(encoded: EncodedArray) -> np.ndarray:
    """Inverse of `encode` (used by tests and by snapshot round trips)."""
    dtype = np.dtype(encoded["dtype"]).newbyteorder("<")
    return np.frombuffer(bytes(encoded["buffer"]), dtype=dtype).reshape(encoded["shape"])
