"""Turn a user's corpus into padded, validated batches of token ids.

Every batch is checked before any model sees it, so a bad id or an empty sequence fails with a
message that says where it is and how to fix it, instead of an opaque index error deep inside an
embedding layer halfway through a corpus.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch

__all__ = ["Batch", "iter_batches"]


@dataclass(frozen=True)
class Batch:
    """One padded batch of token-id sequences.

    Attributes
    ----------
    ids : Tensor of shape (B, T), int64
        Token ids on the CPU (or on the model's device inside a recorder's ``forward``),
        padded with 0 beyond each sequence's length.
    lengths : Tensor of shape (B,), int64
        Length of each sequence, every one in ``1..T``.
    """

    ids: torch.Tensor
    lengths: torch.Tensor

    @property
    def n_tokens(self) -> int:
        """Number of real (non-padding) tokens in the batch."""
        return int(self.lengths.sum().item())

    @property
    def batch_size(self) -> int:
        """Number of sequences, ``B``."""
        return int(self.ids.shape[0])

    @property
    def max_len(self) -> int:
        """Padded length, ``T``."""
        return int(self.ids.shape[1])

    def mask(self) -> torch.Tensor:
        """Where the real tokens are.

        Returns
        -------
        mask : Tensor of shape (B, T), bool
            True where position ``t`` holds a real token of sequence ``b``.
        """
        steps = torch.arange(self.ids.shape[1], device=self.lengths.device)
        return steps[None, :] < self.lengths[:, None]

    def to(self, device: torch.device | str) -> Batch:
        """The same batch with both tensors on ``device``.

        Parameters
        ----------
        device : torch.device or str
            Where to put ``ids`` and ``lengths``.

        Returns
        -------
        Batch
        """
        return Batch(self.ids.to(device), self.lengths.to(device))


_FIX_IDS = "Encode text to integer token ids with your vocab first."


def _is_array(x: Any) -> bool:
    return isinstance(x, (torch.Tensor, np.ndarray))


def _as_int_tensor(x: Any, what: str) -> torch.Tensor:
    """Convert ``x`` to an int64 CPU tensor, rejecting floats, bools and strings."""
    if isinstance(x, str | bytes):
        raise TypeError(f"{what} is a string ({x[:30]!r}); token ids must be integers. {_FIX_IDS}")
    if isinstance(x, np.ndarray):
        if x.dtype.kind not in "iu":
            raise TypeError(
                f"{what} has dtype {x.dtype}; token ids must be integers. "
                "Convert with .astype(np.int64) if the values are whole numbers."
            )
        return torch.from_numpy(np.ascontiguousarray(x).astype(np.int64, copy=False))
    if isinstance(x, torch.Tensor):
        if x.dtype.is_floating_point or x.dtype.is_complex or x.dtype == torch.bool:
            raise TypeError(
                f"{what} has dtype {x.dtype}; token ids must be integers. "
                "Convert with .long() if the values are whole numbers."
            )
        return x.detach().to("cpu", torch.int64)
    if isinstance(x, (list, tuple)) and len(x) == 0:
        return torch.zeros(0, dtype=torch.int64)  # as_tensor([]) would be float32
    try:
        t = torch.as_tensor(x)
    except (TypeError, ValueError, RuntimeError) as err:
        raise TypeError(
            f"{what} could not be read as a sequence of integer token ids ({err}). {_FIX_IDS}"
        ) from err
    return _as_int_tensor(t, what)


def _check_ids(ids: torch.Tensor, lengths: torch.Tensor, vocab_size: int, first_seq: int) -> None:
    """Raise ValueError if any real (non-padding) id is outside 0..vocab_size-1."""
    steps = torch.arange(ids.shape[1])
    real = steps[None, :] < lengths[:, None]
    bad = real & ((ids < 0) | (ids >= vocab_size))
    if bool(bad.any()):
        row, pos = (int(v) for v in bad.nonzero()[0])
        value = int(ids[row, pos])
        raise ValueError(
            f"token id {value} at sequence {first_seq + row}, position {pos} is outside the "
            f"vocabulary (ids must be in 0..{vocab_size - 1}, vocab size {vocab_size}). "
            "Pass the vocab the model was trained with, or map unknown tokens to an <unk> id."
        )


def _make_batch(
    ids: torch.Tensor, lengths: torch.Tensor, vocab_size: int, first_seq: int
) -> Batch:
    """Validate a padded batch and zero everything beyond each length."""
    if ids.dim() != 2:
        raise ValueError(f"a batch of ids must be 2-D [B, T], got shape {tuple(ids.shape)}")
    if lengths.dim() != 1 or lengths.shape[0] != ids.shape[0]:
        raise ValueError(
            f"lengths must be 1-D with one entry per row of ids ({ids.shape[0]}), "
            f"got shape {tuple(lengths.shape)}"
        )
    if ids.shape[0] == 0:
        raise ValueError(f"batch starting at sequence {first_seq} has no rows; drop empty batches")
    short = (lengths < 1).nonzero()
    if short.numel():
        row = int(short[0])
        raise ValueError(
            f"sequence {first_seq + row} has length {int(lengths[row])}; every sequence needs at "
            "least one token. Drop empty sequences from the corpus. (If your DataLoader yields "
            "(ids, labels), map it to ids only or to (ids, lengths).)"
        )
    long = (lengths > ids.shape[1]).nonzero()
    if long.numel():
        row = int(long[0])
        raise ValueError(
            f"sequence {first_seq + row} has length {int(lengths[row])} but its batch has only "
            f"{ids.shape[1]} columns; lengths must not exceed ids.shape[1]."
        )
    _check_ids(ids, lengths, vocab_size, first_seq)
    pad = torch.arange(ids.shape[1])[None, :] >= lengths[:, None]
    if bool(pad.any()):
        # The contract is "padded with 0"; user padding ids (often -1 or len(vocab)) would
        # otherwise crash an embedding layer.
        ids = ids.masked_fill(pad, 0)
    return Batch(ids.contiguous(), lengths.contiguous())


def _pad(seqs: Sequence[torch.Tensor]) -> tuple[torch.Tensor, torch.Tensor]:
    lengths = torch.tensor([len(s) for s in seqs], dtype=torch.int64)
    ids = torch.zeros(len(seqs), int(lengths.max()), dtype=torch.int64)
    for row, s in enumerate(seqs):
        ids[row, : len(s)] = s
    return ids, lengths


def _as_pair(item: Any) -> tuple[Any, Any] | None:
    """``(ids, lengths)`` if ``item`` looks like such a pair, else None.

    Parameters
    ----------
    item : Any
        A 2-tuple or 2-list of arrays, ids of shape (B, T) and lengths of shape (B,); or a dict
        with ``"ids"`` or ``"input_ids"`` of shape (B, T) and optionally ``"lengths"``.

    Returns
    -------
    pair : tuple of (array, array or None), or None
        The ids and lengths as given (lengths None for a dict without them).
    """
    if isinstance(item, (tuple, list)) and len(item) == 2:
        ids, lengths = item
        if _is_array(ids) and ids.ndim == 2 and _is_array(lengths) and lengths.ndim == 1:
            return ids, lengths
        return None
    if isinstance(item, dict):
        ids = item.get("ids", item.get("input_ids"))
        lengths = item.get("lengths")
        if ids is not None and _is_array(ids) and ids.ndim == 2:
            return ids, lengths
    return None


def iter_batches(corpus: Any, vocab_size: int, batch_size: int = 64) -> Iterator[Batch]:
    """Yield validated batches from a corpus of token ids.

    Every batch is checked before any model sees it, and an error names the offending
    sequence; sequences are numbered from 0 in the order they are seen.

    Parameters
    ----------
    corpus : iterable or array
        One of:

        - an iterable of token-id sequences (lists, tuples, 1-D tensors, 1-D numpy int
          arrays), ragged; they are padded with 0 and grouped ``batch_size`` at a time, in
          corpus order;
        - a LongTensor of shape (N, T) or a 2-D numpy int array (every row is full length
          ``T``), cut into ``batch_size`` rows at a time;
        - an iterable of ``(ids, lengths)`` pairs, ids of shape (B, T) and lengths of shape
          (B,) (also dicts with ``"ids"`` or ``"input_ids"`` and ``"lengths"``), or of 2-D id
          tensors; each is one batch as given;
        - a torch DataLoader yielding any of these batch forms.
    vocab_size : int
        Number of token ids; every real id must lie in ``0..vocab_size - 1``.
    batch_size : int, default 64
        Sequences per batch when the corpus is not already batched.

    Yields
    ------
    Batch
        Padded with 0, lengths in ``1..T``, tensors on the CPU.

    Raises
    ------
    TypeError
        For non-integer ids (floats, bools, strings) and for a corpus that is a string, a 1-D
        array (one sequence) or not iterable.
    ValueError
        For an empty corpus, a zero-length sequence, an id ``< 0`` or ``>= vocab_size``,
        lengths longer than their batch's ``T``, an array corpus that is not 2-D, a sequence
        that is not 1-D, or a ``vocab_size`` or ``batch_size`` that is not a positive int.

    Notes
    -----
    This is a generator: nothing is checked until the first batch is asked for, and each
    error is raised when the iteration reaches it.
    """
    if isinstance(vocab_size, bool) or not isinstance(vocab_size, int) or vocab_size < 1:
        raise ValueError(f"vocab_size must be a positive int, got {vocab_size!r}")
    if not isinstance(batch_size, int) or batch_size < 1:
        raise ValueError(f"batch_size must be a positive int, got {batch_size!r}")
    if isinstance(corpus, (str, bytes)):
        raise TypeError(f"corpus is a string; {_FIX_IDS}")
    n_batches = 0
    for batch in _batches(corpus, vocab_size, batch_size):
        n_batches += 1
        yield batch
    if n_batches == 0:
        raise ValueError(
            "the corpus is empty: it yielded no sequences. Pass at least one non-empty sequence "
            "of token ids."
        )


def _batches(corpus: Any, vocab_size: int, batch_size: int) -> Iterator[Batch]:
    seen = 0  # sequences consumed so far, for error messages
    if _is_array(corpus):
        if corpus.ndim == 1:
            raise TypeError(
                f"corpus is a 1-D array of shape {tuple(corpus.shape)}: that is one sequence. "
                "Pass [ids] for one sequence, or a 2-D [N, T] array for N full-length sequences."
            )
        if corpus.ndim != 2:
            raise ValueError(f"a tensor corpus must be 2-D [N, T], got shape {tuple(corpus.shape)}")
        ids_all = _as_int_tensor(corpus, "the corpus tensor")
        for start in range(0, ids_all.shape[0], batch_size):
            ids = ids_all[start : start + batch_size]
            lengths = torch.full((ids.shape[0],), ids.shape[1], dtype=torch.int64)
            yield _make_batch(ids, lengths, vocab_size, start)
        return
    if not isinstance(corpus, Iterable):
        raise TypeError(
            f"corpus must be an iterable of token-id sequences, a 2-D tensor/array or a "
            f"DataLoader, got {type(corpus).__name__}"
        )
    pending: list[torch.Tensor] = []
    pending_start = 0
    for item in corpus:
        pair = _as_pair(item)
        if pair is not None or (_is_array(item) and item.ndim == 2):
            if pending:  # keep corpus order when sequences and batches are mixed
                yield _make_batch(*_pad(pending), vocab_size, pending_start)
                pending = []
            if pair is None:
                ids = _as_int_tensor(item, f"batch starting at sequence {seen}")
                lengths = torch.full((ids.shape[0],), ids.shape[1], dtype=torch.int64)
            else:
                ids = _as_int_tensor(pair[0], f"ids of batch starting at sequence {seen}")
                if pair[1] is None:
                    lengths = torch.full((ids.shape[0],), ids.shape[1], dtype=torch.int64)
                else:
                    lengths = _as_int_tensor(pair[1], f"lengths of batch starting at {seen}")
            yield _make_batch(ids, lengths, vocab_size, seen)
            seen += int(ids.shape[0])
            pending_start = seen
            continue
        seq = _as_int_tensor(item, f"sequence {seen}")
        if seq.dim() != 1:
            raise ValueError(
                f"sequence {seen} has shape {tuple(seq.shape)}; each sequence must be 1-D. "
                "Pass batches as (ids [B, T], lengths [B]) pairs."
            )
        if seq.numel() == 0:
            raise ValueError(
                f"sequence {seen} is empty (zero length); every sequence needs at least one "
                "token. Drop empty sequences from the corpus."
            )
        pending.append(seq)
        seen += 1
        if len(pending) == batch_size:
            yield _make_batch(*_pad(pending), vocab_size, pending_start)
            pending = []
            pending_start = seen
    if pending:
        yield _make_batch(*_pad(pending), vocab_size, pending_start)
