"""Checks at the edge of the public API, one style everywhere: a wrong type raises ``TypeError``,
a wrong value raises ``ValueError``, and every message names the parameter, what it got and
what would be accepted. Nothing here imports the rest of the package."""

from __future__ import annotations

import numbers
from collections.abc import Collection
from typing import Any, TypeVar

__all__ = ["check_choice", "check_float", "check_instance", "check_int"]

T = TypeVar("T")


def _describe(value: object) -> str:
    return f"{value!r} ({type(value).__name__})"


def check_int(value: object, name: str, *, low: int | None = None, high: int | None = None) -> int:
    """Return ``value`` as an int if it is an integer within ``[low, high]``.

    Parameters
    ----------
    value : object
        What the caller passed; any integral number (Python or numpy int), not a bool.
    name : str
        The parameter's name, for the message.
    low, high : int, optional
        Inclusive bounds; None leaves that side open.

    Raises
    ------
    TypeError
        If ``value`` is not an integer (a float such as 3.0 is refused too).
    ValueError
        If it lies outside the bounds.
    """
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an int, got {_describe(value)}")
    number = int(value)
    if (low is not None and number < low) or (high is not None and number > high):
        raise ValueError(f"{name} must be {_range_text(low, high)}, got {number}")
    return number


def check_float(
    value: object, name: str, *, low: float | None = None, high: float | None = None
) -> float:
    """Return ``value`` as a finite float within ``[low, high]``.

    Parameters
    ----------
    value : object
        Any real number (int, float, numpy scalar), not a bool.
    name : str
        The parameter's name, for the message.
    low, high : float, optional
        Inclusive bounds; None leaves that side open.

    Raises
    ------
    TypeError
        If ``value`` is not a real number.
    ValueError
        If it is NaN or infinite, or lies outside the bounds.
    """
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a number, got {_describe(value)}")
    number = float(value)
    if number != number or number in (float("inf"), float("-inf")):
        raise ValueError(f"{name} must be a finite number, got {number}")
    if (low is not None and number < low) or (high is not None and number > high):
        raise ValueError(f"{name} must be {_range_text(low, high)}, got {number}")
    return number


def check_choice(value: T, name: str, choices: Collection[T]) -> T:
    """Return ``value`` if it is one of ``choices``.

    Raises
    ------
    ValueError
        If it is not, with the allowed values in the message.
    """
    if value not in choices:
        allowed = ", ".join(repr(choice) for choice in choices)
        raise ValueError(f"{name} must be one of {allowed}; got {value!r}")
    return value


def check_instance(value: T, name: str, expected: type | tuple[type, ...], hint: str = "") -> T:
    """Return ``value`` if it is an instance of ``expected``.

    Parameters
    ----------
    hint : str
        What to do instead, appended to the message (e.g. "make one with rv.analyze").

    Raises
    ------
    TypeError
        If it is not.
    """
    if not isinstance(value, expected):
        names = (
            " or ".join(t.__name__ for t in expected) if isinstance(expected, tuple) else expected.__name__
        )
        message = f"{name} must be a {names}, got {type(value).__name__}"
        raise TypeError(f"{message}; {hint}" if hint else message)
    return value


def _range_text(low: Any, high: Any) -> str:
    if low is not None and high is not None:
        return f"in {low}..{high}"
    if low is not None:
        return f">= {low}"
    return f"<= {high}"
