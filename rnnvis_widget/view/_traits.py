"""Trait types and trait errors of the widgets. traitlets expects a ``TraitError``; our API
promises ``ValueError`` for a wrong value and ``TypeError`` for a wrong type: the errors here are
both."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar, cast

import traitlets

from ._payloads import ViewPayload

__all__ = ["InvalidTraitType", "InvalidTraitValue", "ViewTrait", "checked"]

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


class ViewTrait(traitlets.TraitType[ViewPayload | None, ViewPayload | None]):
    """The widget's ``view`` trait: a ``MainPayload``, an ``ErrorPayload`` or None
    (nothing computed yet). Typed, so the widget can only assign what the browser decodes."""

    default_value = None
    allow_none = True
    info_text = 'a view payload (a dict whose "kind" is "main" or "error") or None'

    def validate(self, obj: Any, value: Any) -> ViewPayload | None:
        if value is None or (isinstance(value, dict) and value.get("kind") in ("main", "error")):
            return cast("ViewPayload | None", value)
        self.error(obj, value)
