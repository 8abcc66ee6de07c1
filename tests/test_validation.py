"""The public API's edge checks: TypeError for a wrong type, ValueError for a wrong value, a
message that names the parameter and the fix, and the old trait value kept."""

from __future__ import annotations

import numpy as np
import pytest
import traitlets
from torch import nn

import rnnvis_widget as rv
from rnnvis_widget._validation import check_choice, check_float, check_instance, check_int


def test_check_int_accepts_integral_numbers_and_refuses_the_rest() -> None:
    assert check_int(np.int64(3), "n", low=1) == 3
    with pytest.raises(TypeError, match=r"n must be an int, got 3\.0 \(float\)"):
        check_int(3.0, "n")
    with pytest.raises(TypeError, match="got True"):
        check_int(True, "n")
    with pytest.raises(ValueError, match=r"n must be in 1\.\.4, got 5"):
        check_int(5, "n", low=1, high=4)
    with pytest.raises(ValueError, match="n must be >= 0, got -1"):
        check_int(-1, "n", low=0)


def test_check_float_refuses_non_finite_and_out_of_range() -> None:
    assert check_float(1, "x") == 1.0
    with pytest.raises(ValueError, match="finite"):
        check_float(float("nan"), "x")
    with pytest.raises(ValueError, match=r"x must be <= 1, got 2\.0"):
        check_float(2.0, "x", high=1)
    with pytest.raises(TypeError, match="x must be a number"):
        check_float("1", "x")


def test_check_choice_and_instance_name_what_is_allowed() -> None:
    assert check_choice("h", "state", ("h", "c")) == "h"
    with pytest.raises(ValueError, match="state must be one of 'h', 'c'; got 'zz'"):
        check_choice("zz", "state", ("h", "c"))
    with pytest.raises(TypeError, match="model must be a Module, got str; pass the model"):
        check_instance("m", "model", nn.Module, "pass the model")


def test_analyze_takes_options_by_keyword_only_and_checks_them() -> None:
    model = nn.LSTM(3, 4)
    with pytest.raises(TypeError, match="positional"):
        rv.analyze(model, [[0, 1]], ["a", "b"], None)  # type: ignore[misc]
    with pytest.raises(ValueError, match="batch_size must be >= 1, got 0"):
        rv.analyze(model, [[0, 1]], ["a", "b"], batch_size=0)
    with pytest.raises(TypeError, match="top_contexts must be an int"):
        rv.analyze(model, [[0, 1]], ["a", "b"], top_contexts=1.5)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="model must be a Module"):
        rv.analyze("model", [[0, 1]], ["a", "b"])  # type: ignore[arg-type]


def test_widget_trait_errors_are_value_errors_and_keep_the_old_value(demo_analysis: rv.Analysis) -> None:
    widget = rv.RNNVis(demo_analysis, n_clusters=5)
    try:
        for name, bad in [("n_clusters", 99), ("n_words", 0), ("link_filter", 2.0), ("layer", 7)]:
            before = getattr(widget, name)
            with pytest.raises(ValueError, match=name) as raised:
                setattr(widget, name, bad)
            assert isinstance(raised.value, traitlets.TraitError)
            assert getattr(widget, name) == before
    finally:
        widget.close()
