"""The whole sequence behind a top context: the widget keeps the user's corpus (when it is
re-iterable) and maps a corpus position to the sequence that holds it.

Corpus positions count the tokens of the sequences in corpus order (`Batch.starts` from
`iter_batches`, which `rv.analyze` used too), so one pass over the same batches gives the start
of every sequence; a position's sequence is then found with ``np.searchsorted``.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from typing import Any

import numpy as np

from .._validation import check_int
from ..capture import iter_batches

__all__ = ["CorpusSequences", "reusable_corpus"]


def reusable_corpus(corpus: Any) -> Any | None:
    """``corpus`` if it can be read again, else None with a warning (a one-shot iterator, such
    as a generator, was used up by the analysis)."""
    if corpus is None:
        return None
    if isinstance(corpus, Iterator):
        warnings.warn(
            "corpus is a one-shot iterator (e.g. a generator) and cannot be read again: clicking "
            "a top context adds only its window. Pass a list of sequences or a tensor to open "
            "whole sequences.",
            stacklevel=3,
        )
        return None
    return corpus


class CorpusSequences:
    """The sequences of a corpus in corpus order, indexed by corpus position; read once, lazily.

    Parameters
    ----------
    corpus : iterable or array
        A re-iterable corpus, as [analyze][rnnvis_widget.analyze] accepts it.
    vocab_size : int
        Number of token ids.
    n_tokens : int or None
        Tokens the analysis counted; a corpus of another size is refused.
    """

    def __init__(self, corpus: Any, vocab_size: int, n_tokens: int | None = None):
        self._corpus = corpus
        self._vocab_size = vocab_size
        self._n_tokens = n_tokens
        self._starts: np.ndarray | None = None
        self._tokens: np.ndarray | None = None

    def _build(self) -> tuple[np.ndarray, np.ndarray]:
        if self._starts is None or self._tokens is None:
            starts: list[int] = []
            rows: list[np.ndarray] = []
            for batch in iter_batches(self._corpus, self._vocab_size):
                assert batch.starts is not None  # iter_batches always sets them
                ids = batch.ids.numpy()
                for row, (start, length) in enumerate(
                    zip(batch.starts.tolist(), batch.lengths.tolist(), strict=True)
                ):
                    starts.append(int(start))
                    rows.append(ids[row, :length].astype(np.int32))
            order = np.argsort(np.asarray(starts, dtype=np.int64), kind="stable")
            sorted_starts = np.asarray(starts, dtype=np.int64)[order]
            tokens = np.concatenate([rows[i] for i in order])
            if self._n_tokens is not None and tokens.size != self._n_tokens:
                raise ValueError(
                    f"the corpus given to the widget has {tokens.size} tokens but the analysis "
                    f"counted {self._n_tokens}: pass the corpus the analysis ran on"
                )
            self._starts, self._tokens = sorted_starts, tokens
        return self._starts, self._tokens

    def sequence_at(self, position: int) -> list[int]:
        """The token ids of the sequence holding corpus position ``position``."""
        starts, tokens = self._build()
        check_int(position, "position", low=0, high=int(tokens.size) - 1)
        index = int(np.searchsorted(starts, position, side="right")) - 1
        end = int(starts[index + 1]) if index + 1 < starts.size else int(tokens.size)
        return [int(i) for i in tokens[int(starts[index]) : end]]
