from __future__ import annotations

import numpy as np
import pytest

from rnnvis_widget.view._codecs import WIRE_DTYPES, decode, encode


@pytest.mark.parametrize("dtype", WIRE_DTYPES)
def test_round_trip_every_wire_dtype(dtype: str) -> None:
    rng = np.random.default_rng(0)
    values = (rng.standard_normal((3, 5)) * 50).astype(dtype)
    encoded = encode(values)
    assert encoded["dtype"] == dtype and encoded["shape"] == [3, 5]
    assert isinstance(encoded["buffer"], bytes)
    np.testing.assert_array_equal(decode(encoded), values)


def test_cast_on_encode_and_int64_narrowing() -> None:
    half = encode(np.array([1.0, -2.5]), "float16")
    assert half["dtype"] == "float16" and len(half["buffer"]) == 4
    narrowed = encode(np.array([1, 2**31 - 1], dtype=np.int64))
    assert narrowed["dtype"] == "int32"
    with pytest.raises(ValueError, match="do not fit int32"):
        encode(np.array([2**40]))
    with pytest.raises(TypeError, match="cannot send dtype"):
        encode(np.array(["a"]))
