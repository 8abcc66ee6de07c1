"""The two sides of a comparison: what each is called, which words they share, which state
kinds both recorded. Checked before any view is built, so a mismatch is named up front."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from .._validation import check_int
from ..analysis import Analysis

__all__ = [
    "COMPARE_ON",
    "WordPairing",
    "check_labels",
    "common_states",
    "default_labels",
    "layer_index",
    "pair_words",
    "side_states",
]

#: What ``on=`` accepts: the same vocabulary on both sides, or the words both share.
COMPARE_ON = ("same", "shared")


@dataclass(frozen=True)
class WordPairing:
    """Which word of the left vocabulary is which word of the right one.

    Attributes
    ----------
    left_ids, right_ids : ndarray of shape (n_compared,), int64
        Word ``left_ids[i]`` on the left is the word ``right_ids[i]`` on the right; ascending
        in ``left_ids``.
    text : list of str
        The compared words, ``n_compared`` of them.
    vocabularies_differ : bool
        False when both sides have the same vocabulary (then ids are equal on both sides).
    """

    left_ids: np.ndarray
    right_ids: np.ndarray
    text: list[str]
    vocabularies_differ: bool


def pair_words(left_vocab: Sequence[str], right_vocab: Sequence[str], on: str = "same") -> WordPairing:
    """Pair the words of two vocabularies.

    Parameters
    ----------
    left_vocab, right_vocab : sequence of str
        ``vocab[id]`` of each side.
    on : {"same", "shared"}
        "same": the vocabularies must be equal. "shared": compare the words (by text) that
        both have.

    Returns
    -------
    WordPairing

    Raises
    ------
    ValueError
        If ``on`` is neither, the vocabularies differ with ``on="same"`` (the message gives
        both sizes, the first id where they differ and how many words they share), or they
        share no word.
    """
    if on not in COMPARE_ON:
        raise ValueError(f"on must be one of {COMPARE_ON}, got {on!r}")
    left, right = list(left_vocab), list(right_vocab)
    if left == right:
        ids = np.arange(len(left), dtype=np.int64)
        return WordPairing(ids, ids, left, vocabularies_differ=False)
    right_index = {word: i for i, word in reversed(list(enumerate(right)))}  # first id of a word
    pairs = [(i, right_index[word]) for i, word in enumerate(left) if word in right_index]
    if on == "same":
        differing = (i for i, (a, b) in enumerate(zip(left, right, strict=False)) if a != b)
        first = next(differing, min(len(left), len(right)))
        words = [repr(v[first]) if first < len(v) else "(end)" for v in (left, right)]
        raise ValueError(
            f"the two analyses have different vocabularies: {len(left):,} and {len(right):,} words, "
            f"first different at id {first}: {words[0]} vs {words[1]}; pass on='shared' to compare "
            f"on the {len(pairs):,} words both have"
        )
    if not pairs:
        raise ValueError("the two vocabularies share no word: there is nothing to compare")
    left_ids = np.array([i for i, _ in pairs], dtype=np.int64)
    right_ids = np.array([j for _, j in pairs], dtype=np.int64)
    return WordPairing(left_ids, right_ids, [left[i] for i in left_ids], vocabularies_differ=True)




def check_labels(labels: object) -> tuple[str, str]:
    if (
        not isinstance(labels, (tuple, list))
        or len(labels) != 2
        or not all(isinstance(label, str) and label for label in labels)
    ):
        raise ValueError(f"labels must be two non-empty strings, e.g. ('RNN', 'LSTM'); got {labels!r}")
    if labels[0] == labels[1]:
        raise ValueError(f"the two labels must differ to tell the sides apart; got {labels[0]!r} twice")
    return str(labels[0]), str(labels[1])




def cell_name(analysis: Analysis, layer: int) -> str | None:
    """The recurrent cell of a layer when its recorded state kinds tell it: "LSTM" (a cell
    state ``c`` or gates i, f, o) or "GRU" (gates r, z); None otherwise (a vanilla RNN or a GRU
    recorded without gates look alike).

    Parameters
    ----------
    analysis : Analysis
    layer : int
        An index into ``analysis.stacks``.

    Returns
    -------
    str or None
    """
    kinds = set(analysis.states(layer))
    if "c" in kinds or {"i", "f", "o"} <= kinds:
        return "LSTM"
    if {"r", "z"} <= kinds:
        return "GRU"
    return None


def default_labels(
    sides: Sequence[tuple[Analysis, int, str]],
) -> tuple[str, str]:
    """Titles of two sides: module, recurrent cell where known, and layer, e.g.
    ``rnn (LSTM) · layer 1``; the state kind is added when the sides show different kinds,
    and ``· A`` / ``· B`` when the titles would still be equal.

    Parameters
    ----------
    sides : sequence of two (Analysis, int, str)
        Each side's analysis, layer index and state kind.

    Returns
    -------
    (str, str)
    """
    labels = []
    for analysis, layer, _ in sides:
        stack = analysis.stacks[layer]
        name = stack.module or "model"
        cell = cell_name(analysis, layer)
        if cell is not None and cell.lower() not in name.lower():
            name += f" ({cell})"
        labels.append(f"{name} · layer {stack.layer}")
    if sides[0][2] != sides[1][2]:
        labels = [f"{label} · {state}" for label, (_, _, state) in zip(labels, sides, strict=True)]
    if labels[0] == labels[1]:
        labels = [f"{labels[0]} · A", f"{labels[1]} · B"]
    return labels[0], labels[1]


def common_states(left: Analysis, left_layer: int, right: Analysis, right_layer: int) -> list[str]:
    """State kinds recorded at both layers, in the left layer's order.

    Parameters
    ----------
    left, right : Analysis
    left_layer, right_layer : int
        Indices into each analysis's ``stacks``.

    Returns
    -------
    list of str
    """
    theirs = set(right.states(right_layer))
    return [kind for kind in left.states(left_layer) if kind in theirs]


def layer_index(analysis: Analysis, layer: int) -> int:
    """``layer`` as a non-negative index into ``analysis.stacks``; IndexError if out of range."""
    check_int(layer, "layer")
    analysis.layer_key(layer)  # raises IndexError naming the layers there are
    return layer % len(analysis.stacks)


def side_states(
    sides: Sequence[tuple[Analysis, int]], state: str, states: tuple[str, str] | None
) -> tuple[str, str]:
    """The state kind of each side, checked against what each side recorded."""
    recorded = [analysis.states(layer) for analysis, layer in sides]
    if states is not None:
        if not isinstance(states, (tuple, list)) or len(states) != 2:
            raise ValueError(f"states must be a pair (left, right), e.g. ('h', 'c'); got {states!r}")
        for name, kind, kinds in zip(("left", "right"), states, recorded, strict=True):
            if kind not in kinds:
                raise ValueError(f"state {kind!r} is not recorded on the {name} side; it has {kinds}")
        return str(states[0]), str(states[1])
    common = [kind for kind in recorded[0] if kind in recorded[1]]
    if state not in common:
        raise ValueError(
            f"state {state!r} is not recorded on both sides (left has {recorded[0]}, right has "
            f"{recorded[1]}); compare one of the kinds both have, {common}, or pass "
            f"states=(left, right) to compare two different kinds"
        )
    return state, state
