"""Top-activating contexts: per unit, the K strongest positive and negative responses.

Each entry remembers the response value, the token's position in the corpus (0-based count of
tokens read before it, in corpus order) and a window of token ids ``[2w + 1]`` centred on the
token, padded with -1 where the window leaves the token's own sequence (windows never cross
sequence boundaries). Order is by value (strongest first), ties by earlier position; two shards
merge exactly into what one pass gives, since the top K of a union is the top K of the per-part
top Ks. (One caveat on exact float ties: while a unit's list is still filling, a batch's
candidates come from ``torch.topk``, which picks among more than K responses tied for the K-th
place in its own way; a split run may then keep a different one of the tied tokens.) Only
strictly positive (negative) responses count as positive (negative) contexts. Memory:
``2 × K × n_units × (2w + 3)`` numbers, independent of corpus length.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import torch

from ._sketch import Array

__all__ = ["TopContexts", "context_windows"]


def context_windows(ids: np.ndarray, lengths: np.ndarray, width: int) -> np.ndarray:
    """Windows of ``width`` tokens each side of every real token of a padded batch.

    Parameters
    ----------
    ids : ndarray of shape (B, T), int
        Token ids of a padded batch.
    lengths : ndarray of shape (B,), int
        Length of each sequence; positions beyond it are padding.
    width : int
        Tokens of context on each side.

    Returns
    -------
    windows : ndarray of shape (n_tokens, 2 * width + 1), int32
        One row per real token in corpus order (sequence by sequence); the centre is the token,
        -1 where the window leaves the token's sequence.
    """
    n_rows, n_steps = ids.shape
    valid = np.arange(n_steps)[None, :] < lengths[:, None]
    padded = np.full((n_rows, n_steps + 2 * width), -1, dtype=np.int32)
    # Padding beyond a sequence's length becomes -1 too, so windows stop at its end.
    padded[:, width : width + n_steps] = np.where(valid, ids, -1)
    windows = np.lib.stride_tricks.sliding_window_view(padded, 2 * width + 1, axis=1)  # (B, T, 2w+1)
    return windows[valid]


class TopContexts:
    """The K largest positive and K largest negative responses of every unit.

    Order is by value (strongest first), ties by earlier corpus position; only strictly
    positive (negative) responses count as positive (negative) contexts. Memory is
    ``2 × k × n_units × (2 * width + 3)`` numbers, independent of corpus length, and two
    shards merge exactly into what one pass gives.

    Parameters
    ----------
    n_units : int
        Units of the state.
    k : int
        Entries kept per unit and sign.
    width : int
        Tokens of context kept on each side.

    Attributes
    ----------
    values : ndarray of shape (2, k, n_units), float32
        ``values[0]`` largest positive responses, descending; ``values[1]`` most negative,
        ascending. NaN where fewer than k such responses were seen.
    positions : ndarray of shape (2, k, n_units), int64
        Corpus position of each entry's token; -1 for empty entries.
    windows : ndarray of shape (2, k, n_units, 2 * width + 1), int32
        Token ids around each entry; the centre is the token itself; -1 for padding.
    """

    def __init__(self, n_units: int, k: int, width: int):
        if k < 1 or width < 0:
            raise ValueError(f"need k >= 1 and width >= 0, got k={k}, width={width}")
        self.k = k
        self.width = width
        self.values = np.full((2, k, n_units), np.nan, dtype=np.float32)
        self.positions = np.full((2, k, n_units), -1, dtype=np.int64)
        self.windows = np.full((2, k, n_units, 2 * width + 1), -1, dtype=np.int32)

    @property
    def n_units(self) -> int:
        """Units of the state."""
        return int(self.values.shape[2])

    def update(self, response: Array, positions: np.ndarray, windows: np.ndarray) -> None:
        """Add a batch; rows may come in any order.

        Parameters
        ----------
        response : ndarray or Tensor of shape (n_tokens, n_units), float32
            The responses; an ndarray must be C-contiguous, a tensor may live on any device
            (the search for candidates runs there; only they come back).
        positions : ndarray of shape (n_tokens,), int64
            Corpus position of each row's token.
        windows : ndarray of shape (n_tokens, 2 * width + 1), int32
            Context window of each row's token (see [context_windows][rnnvis_widget.stats.context_windows]).
        """
        if windows.shape[1] != 2 * self.width + 1:
            raise ValueError(
                f"context windows have {windows.shape[1]} columns, expected {2 * self.width + 1}"
            )
        for sign_index in range(2):
            beats = self._beats_kth(sign_index, response)
            if _count(beats) > self.k * self.n_units:
                top, rows = _top_k(response, min(self.k, len(response)), largest=sign_index == 0)
                self._fold(sign_index, top, positions[rows], windows[rows])
            else:
                rows, units, values = _nonzero(beats, response)
                self._fold_candidates(sign_index, rows, units, values, positions, windows)

    def _beats_kth(self, sign_index: int, response: Array) -> Array:
        """Mask of the responses that beat their unit's current k-th entry.

        Only these can enter the top k. Once the lists fill, the k-th entries rise quickly and a
        batch holds few such responses, so the common case never sorts the whole batch. A tie
        with the k-th entry loses: the kept entry came earlier in the corpus.

        Parameters
        ----------
        sign_index : {0, 1}
            0 for the positive list, 1 for the negative one.
        response : ndarray or Tensor of shape (n_tokens, n_units)

        Returns
        -------
        ndarray or Tensor of shape (n_tokens, n_units), bool
            Of the same kind as ``response``.
        """
        kth = self.values[sign_index, -1]  # NaN where fewer than k entries are kept
        bar: Any = np.where(np.isnan(kth), 0.0, np.abs(kth)).astype(np.float32)
        if isinstance(response, torch.Tensor):
            bar = torch.from_numpy(bar).to(response)
        else:
            bar = bar.astype(response.dtype)
        return response > bar if sign_index == 0 else response < -bar

    def _fold_candidates(
        self,
        sign_index: int,
        rows: np.ndarray,
        units: np.ndarray,
        values: np.ndarray,
        positions: np.ndarray,
        windows: np.ndarray,
    ) -> None:
        """Fold in sparse candidates: per unit the k strongest, by strength then position.

        Parameters
        ----------
        sign_index : {0, 1}
            0 for the positive list, 1 for the negative one.
        rows, units : ndarray of shape (m,), int
            Row (token) and unit of each candidate.
        values : ndarray of shape (m,), float32
            Its response.
        positions : ndarray of shape (n_tokens,), int64
            Corpus position of every row's token.
        windows : ndarray of shape (n_tokens, 2 * width + 1), int32
            Context window of every row's token.
        """
        if len(rows) == 0:
            return
        strength = np.abs(values)
        order = np.lexsort((positions[rows], -strength, units))
        rows, units, values = rows[order], units[order], values[order]
        # Rank of each candidate within its unit; ranks >= k cannot be kept.
        unit_start = np.searchsorted(units, units, side="left")
        rank = np.arange(len(units)) - unit_start
        keep = rank < self.k
        rows, units, values, rank = rows[keep], units[keep], values[keep], rank[keep]
        dense_values = np.full((self.k, self.n_units), np.nan, dtype=np.float32)
        dense_positions = np.full((self.k, self.n_units), -1, dtype=np.int64)
        dense_windows = np.full((self.k, self.n_units, 2 * self.width + 1), -1, dtype=np.int32)
        dense_values[rank, units] = values
        dense_positions[rank, units] = positions[rows]
        dense_windows[rank, units] = windows[rows]
        self._fold(sign_index, dense_values, dense_positions, dense_windows)

    def merge(self, other: TopContexts, offset: int) -> None:
        """Fold in another shard whose tokens follow this one's.

        Parameters
        ----------
        other : TopContexts
            The later shard, with the same ``k``, ``width`` and ``n_units``.
        offset : int
            Number of tokens this shard has read; ``other``'s positions are shifted by it.

        Raises
        ------
        ValueError
            If ``k``, ``width`` or ``n_units`` differ.
        """
        if (other.k, other.width, other.n_units) != (self.k, self.width, self.n_units):
            raise ValueError(
                f"cannot merge contexts with k={other.k}, width={other.width}, units={other.n_units} "
                f"into k={self.k}, width={self.width}, units={self.n_units}"
            )
        for sign_index in range(2):
            positions = np.where(other.positions[sign_index] >= 0, other.positions[sign_index] + offset, -1)
            self._fold(sign_index, other.values[sign_index], positions, other.windows[sign_index])

    def _fold(self, sign_index: int, values: np.ndarray, positions: np.ndarray, windows: np.ndarray) -> None:
        """Keep the top k of the current entries plus candidates.

        Parameters
        ----------
        sign_index : {0, 1}
            0 for the positive list, 1 for the negative one.
        values : ndarray of shape (m, n_units), float32
            Signed candidate responses (NaN for none).
        positions : ndarray of shape (m, n_units), int64
            Their corpus positions (-1 for none).
        windows : ndarray of shape (m, n_units, 2 * width + 1), int32
            Their context windows.
        """
        sign = 1.0 if sign_index == 0 else -1.0
        all_values = np.concatenate([self.values[sign_index], values])
        all_positions = np.concatenate([self.positions[sign_index], positions])
        all_windows = np.concatenate([self.windows[sign_index], windows])
        strength = all_values.astype(np.float64) * sign
        # Only strictly positive (resp. negative) responses qualify; empty entries sort last.
        strength[~(strength > 0)] = -np.inf
        # Primary key strength (descending), secondary position (ascending): lexsort's last key
        # is primary. Ties then resolve the same way however the corpus was split.
        order = np.lexsort((all_positions, -strength), axis=0)[: self.k]  # (k, H)
        kept = np.take_along_axis(strength, order, axis=0)
        empty = ~np.isfinite(kept)
        new_values = np.take_along_axis(all_values, order, axis=0)
        new_values[empty] = np.nan
        new_positions = np.take_along_axis(all_positions, order, axis=0)
        new_positions[empty] = -1
        new_windows = np.take_along_axis(all_windows, order[:, :, None], axis=0)
        new_windows[empty] = -1
        self.values[sign_index] = new_values
        self.positions[sign_index] = new_positions
        self.windows[sign_index] = new_windows


def _count(mask: Array) -> int:
    return int(torch.count_nonzero(mask)) if isinstance(mask, torch.Tensor) else int(np.count_nonzero(mask))


def _top_k(response: Array, k: int, largest: bool) -> tuple[np.ndarray, np.ndarray]:
    """Each unit's k largest (or smallest) responses and their rows.

    Parameters
    ----------
    response : ndarray or Tensor of shape (n_tokens, n_units)
    k : int
    largest : bool
        True for the largest responses, False for the smallest.

    Returns
    -------
    top : ndarray of shape (k, n_units)
    rows : ndarray of shape (k, n_units), int64
    """
    values = response if isinstance(response, torch.Tensor) else torch.from_numpy(response)
    top, rows = torch.topk(values, k, dim=0, largest=largest)
    return top.cpu().numpy(), rows.cpu().numpy()


def _nonzero(mask: Array, response: Array) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Row, unit and response of every True entry of a (mostly False) mask.

    Parameters
    ----------
    mask : ndarray or Tensor of shape (n_tokens, n_units), bool
    response : ndarray or Tensor of shape (n_tokens, n_units)
        Of the same kind as ``mask``.

    Returns
    -------
    rows, units : ndarray of shape (m,), int64
    values : ndarray of shape (m,)
        As numpy, whatever the kind of the inputs.
    """
    n_units = int(mask.shape[1])
    if isinstance(mask, torch.Tensor):
        flat_t = mask.reshape(-1).nonzero().squeeze(1)
        values = response.reshape(-1)[flat_t].cpu().numpy()
        flat = flat_t.cpu().numpy()
    else:
        # flatnonzero is ten times faster than a 2-D nonzero on a mostly-False mask.
        flat = np.flatnonzero(mask)
        values = np.asarray(response).reshape(-1)[flat]
    rows, units = np.divmod(flat, n_units)
    return rows, units, values
