"""Errors of trait validators: traitlets expects a ``TraitError``, our API promises ``ValueError``
for a wrong value and ``TypeError`` for a wrong type; these are both."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

import traitlets

__all__ = ["InvalidTraitType", "InvalidTraitValue", "checked"]

T = TypeVar("T")


class InvalidTraitValue(traitlets.TraitError, ValueError):
    """A trait was given a value outside what it allows; the old value is kept."""


class InvalidTraitType(traitlets.TraitError, TypeError):
    """A trait was given a value of the wrong type; the old value is kept."""


def checked(check: Callable[[], T]) -> T:
    """Run a check from `rnnvis_widget._validation` inside a trait validator, re-raising its
    ``TypeError``/``ValueError`` as the matching trait error."""
    try:
        return check()
    except TypeError as error:
        raise InvalidTraitType(str(error)) from None
    except ValueError as error:
        raise InvalidTraitValue(str(error)) from None
