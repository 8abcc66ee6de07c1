"""Where each real token of a captured batch sits, grouped by word: shared by every slot the
batch updates, built once per batch."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import torch

from .contexts import context_windows

__all__ = ["BatchIndex", "TensorIndex"]


@dataclass
class BatchIndex:
    """What every slot of one batch shares.

    Slots work on the batch's ``N`` real tokens *grouped by word* (stable, so corpus order
    within a word): each word's rows are adjacent when summed.

    Attributes
    ----------
    n_steps : int
        ``T`` of the padded batch.
    lengths : ndarray of shape (B,), int
        Length of each sequence.
    flat : ndarray of shape (N,), int64
        ``b·T + t`` of each grouped token.
    words : ndarray of shape (U,), int64
        The batch's distinct words, ascending.
    word_of_row : ndarray of shape (N,), int64
        Index into ``words`` of each grouped token.
    n_word : ndarray of shape (U,), int64
        Tokens per word in this batch.
    positions : ndarray of shape (N,), int64
        Corpus position of each grouped token.
    display_sel : ndarray of shape (n_sel,), int64
        Grouped rows whose word is a display word.
    display_rows : ndarray of shape (n_sel,), int64
        Their display row.
    windows : ndarray of shape (N, 2 * width + 1), int32, or None
        Context window of each grouped token; None when no contexts are kept.
    """

    n_steps: int
    lengths: np.ndarray
    flat: np.ndarray
    words: np.ndarray
    word_of_row: np.ndarray
    n_word: np.ndarray
    positions: np.ndarray
    display_sel: np.ndarray
    display_rows: np.ndarray
    windows: np.ndarray | None
    _previous: dict[int, tuple[np.ndarray, np.ndarray, np.ndarray]] = field(default_factory=dict)
    _on: dict[torch.device, TensorIndex] = field(default_factory=dict)

    @classmethod
    def build(
        cls,
        ids: np.ndarray,
        lengths: np.ndarray,
        starts: np.ndarray,
        display_row: np.ndarray,
        context_width: int | None,
    ) -> BatchIndex:
        """Index a padded batch.

        Parameters
        ----------
        ids : ndarray of shape (B, T), int
        lengths : ndarray of shape (B,), int
        starts : ndarray of shape (B,), int64
            Corpus position of each sequence's first token.
        display_row : ndarray of shape (n_words,), int64
            Row of each word among the display words, -1 for words without quantiles.
        context_width : int or None
            Tokens of context kept each side of a token; None keeps no context windows.

        Returns
        -------
        BatchIndex
        """
        corpus_flat = np.flatnonzero(np.arange(ids.shape[1])[None, :] < lengths[:, None])
        corpus_ids = ids.reshape(-1)[corpus_flat]
        row, step = np.divmod(corpus_flat, ids.shape[1])
        order = np.argsort(corpus_ids, kind="stable")
        words, n_word = np.unique(corpus_ids[order], return_counts=True)
        rows = display_row[corpus_ids[order]]
        display_sel = np.flatnonzero(rows >= 0)
        windows = None
        if context_width is not None:
            windows = context_windows(ids, lengths, context_width)[order]
        return cls(
            n_steps=int(ids.shape[1]),
            lengths=lengths,
            flat=corpus_flat[order],
            words=words,
            word_of_row=np.repeat(np.arange(len(words)), n_word),
            n_word=n_word,
            positions=(starts[row] + step)[order].astype(np.int64),
            display_sel=display_sel,
            display_rows=rows[display_sel],
            windows=windows,
        )

    def previous(self, direction: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Where the state before each grouped token is (computed once per direction).

        Parameters
        ----------
        direction : int
            0 forward (the state before is at ``t - 1``), 1 backward (at ``t + 1``).

        Returns
        -------
        flat : ndarray of shape (N,), int64
            Flat index ``b·T + t`` of the state before each grouped token.
        first : ndarray of shape (N,), bool
            True for tokens that start their sequence in this direction: for them the state
            before is the initial state instead (their flat index is a harmless placeholder).
        row : ndarray of shape (n_first,), int64
            The sequence (row of the batch) of each of those tokens, whose initial state to
            take.
        """
        if direction not in self._previous:
            row, t = np.divmod(self.flat, self.n_steps)
            if direction == 0:
                first = t == 0
                flat = self.flat - 1
            else:
                # Backward reads from the last real token towards the first.
                first = t == self.lengths[row] - 1
                flat = self.flat + 1
            flat[first] = self.flat[first]
            self._previous[direction] = (flat, first, row[first])
        return self._previous[direction]

    def on(self, device: torch.device) -> TensorIndex:
        """The parts that index a slot's states, as tensors on ``device`` (made once).

        Parameters
        ----------
        device : torch.device

        Returns
        -------
        TensorIndex
        """
        if device not in self._on:

            def put(array: np.ndarray) -> torch.Tensor:
                return torch.from_numpy(array).to(device)

            previous = {d: tuple(put(a) for a in self.previous(d)) for d in (0, 1)}
            self._on[device] = TensorIndex(
                put(self.flat), put(self.word_of_row), put(self.display_sel), put(self.display_rows), previous
            )
        return self._on[device]


@dataclass(frozen=True)
class TensorIndex:
    """`BatchIndex`'s row indices as tensors, for states that live on a GPU."""

    flat: torch.Tensor
    word_of_row: torch.Tensor
    display_sel: torch.Tensor
    display_rows: torch.Tensor
    _previous: dict[int, tuple[torch.Tensor, ...]]

    def previous(self, direction: int) -> tuple[torch.Tensor, ...]:
        """What ``BatchIndex.previous`` returns, as tensors.

        Parameters
        ----------
        direction : int

        Returns
        -------
        tuple of Tensor
            ``(flat, first, row)`` on the index's device.
        """
        return self._previous[direction]


