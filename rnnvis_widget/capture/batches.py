"""Turn a user's corpus into validated batches of token ids, each of one sequence length.

Every sequence is checked before any model sees it, so a bad id or an empty sequence fails with
a message that says where it is and how to fix it, instead of an opaque index error deep inside
an embedding layer halfway through a corpus.

Sequences of different lengths never share a batch. A padded batch is not neutral: a backward
direction that is not packed reads the padding before a sequence's real tokens, so its states
(and those of every layer above it) would depend on which other sequences happened to share the
batch. With one length per batch there is no padding at all, and every model, whatever its
forward does, sees each sequence as if it ran alone; ``batch_size`` then changes speed only.
Batches therefore leave the corpus order; each carries the corpus position of its rows
(`Batch.starts`), so statistics still point at the right corpus tokens.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch

__all__ = ["MAX_WAITING_TOKENS", "Batch", "iter_batches", "known_tokens"]


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
    starts : Tensor of shape (B,), int64, or None
        Corpus position of each sequence's first token: the number of tokens before it in
        corpus order. Set by [iter_batches][rnnvis_widget.capture.iter_batches], whose batches
        leave the corpus order; None means the rows follow the tokens read so far, in order.
    """

    ids: torch.Tensor
    lengths: torch.Tensor
    starts: torch.Tensor | None = None

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
        """The same batch with its tensors on ``device``.

        Parameters
        ----------
        device : torch.device or str
            Where to put ``ids``, ``lengths`` and ``starts``.

        Returns
        -------
        Batch
        """
        starts = self.starts.to(device) if self.starts is not None else None
        return Batch(self.ids.to(device), self.lengths.to(device), starts)


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


def _id_error(value: int, seq: int, pos: int, vocab_size: int) -> ValueError:
    return ValueError(
        f"token id {value} at sequence {seq}, position {pos} is outside the "
        f"vocabulary (ids must be in 0..{vocab_size - 1}, vocab size {vocab_size}). "
        "Pass the vocab the model was trained with, or map unknown tokens to an <unk> id."
    )


def _check_ids(ids: torch.Tensor, lengths: torch.Tensor, vocab_size: int, first_seq: int) -> None:
    """Raise ValueError if any real (non-padding) id is outside 0..vocab_size-1."""
    steps = torch.arange(ids.shape[1])
    real = steps[None, :] < lengths[:, None]
    bad = real & ((ids < 0) | (ids >= vocab_size))
    if bool(bad.any()):
        row, pos = (int(v) for v in bad.nonzero()[0])
        raise _id_error(int(ids[row, pos]), first_seq + row, pos, vocab_size)


def _check_sequence(seq: torch.Tensor, vocab_size: int, number: int) -> None:
    """Raise ValueError if an id of one sequence is outside 0..vocab_size-1."""
    low, high = torch.aminmax(seq)
    if int(low) < 0 or int(high) >= vocab_size:
        pos = int(((seq < 0) | (seq >= vocab_size)).nonzero()[0])
        raise _id_error(int(seq[pos]), number, pos, vocab_size)


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


#: Sequences waiting for a batch of their length hold at most about this many token ids (8 MB
#: of int64), however many distinct lengths a corpus has; past it, the group holding the most
#: tokens leaves as a smaller batch (still of one length).
MAX_WAITING_TOKENS = 1 << 20


class _LengthGroups:
    """Sequences waiting for a batch, one group per length.

    Parameters
    ----------
    batch_size : int
        A group leaves as a batch when it holds this many sequences.
    """

    def __init__(self, batch_size: int) -> None:
        self.batch_size = batch_size
        self._groups: dict[int, list[tuple[torch.Tensor, int]]] = {}
        self._tokens = 0

    def add(self, seq: torch.Tensor, start: int) -> Iterator[Batch]:
        """Queue one validated sequence; yield the batch it completes, if any.

        Parameters
        ----------
        seq : Tensor of shape (T,), int64
        start : int
            Its corpus position (tokens before it in corpus order).

        Yields
        ------
        Batch
            At most one, of one length and without padding.
        """
        length = int(seq.shape[0])
        group = self._groups.setdefault(length, [])
        group.append((seq, start))
        self._tokens += length
        if len(group) == self.batch_size:
            yield self._take(length)
        elif self._tokens > MAX_WAITING_TOKENS:
            yield self._take(max(self._groups, key=lambda n: n * len(self._groups[n])))

    def drain(self) -> Iterator[Batch]:
        """Yield every waiting group as a batch, in the order the groups were started."""
        while self._groups:
            yield self._take(next(iter(self._groups)))

    def _take(self, length: int) -> Batch:
        group = self._groups.pop(length)
        self._tokens -= length * len(group)
        ids = torch.stack([seq for seq, _ in group])
        starts = torch.tensor([start for _, start in group], dtype=torch.int64)
        return Batch(ids, torch.full((len(group),), length, dtype=torch.int64), starts)


def _row_starts(first: int, lengths: torch.Tensor) -> torch.Tensor:
    """Corpus positions of consecutive rows whose first token is at ``first``."""
    return first + torch.cumsum(lengths, 0) - lengths


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
    """Yield validated batches from a corpus of token ids, each of one sequence length.

    Every sequence is checked before any model sees it, and an error names the offending
    sequence; sequences are numbered from 0 in the order they are seen. Sequences of equal
    length share a batch, so no batch holds padding and results cannot depend on
    ``batch_size`` (see the module notes).

    Parameters
    ----------
    corpus : iterable or array
        One of:

        - an iterable of token-id sequences (lists, tuples, 1-D tensors, 1-D numpy int
          arrays), ragged; sequences of the same length are grouped ``batch_size`` at a time;
        - a LongTensor of shape (N, T) or a 2-D numpy int array (every row is full length
          ``T``), cut into ``batch_size`` rows at a time;
        - an iterable of ``(ids, lengths)`` pairs, ids of shape (B, T) and lengths of shape
          (B,) (also dicts with ``"ids"`` or ``"input_ids"`` and ``"lengths"``), or of 2-D id
          tensors; a batch whose rows all have length ``T`` is yielded as given, the rows of
          a padded one join the groups of ragged sequences;
        - a torch DataLoader yielding any of these batch forms.
    vocab_size : int
        Number of token ids; every real id must lie in ``0..vocab_size - 1``.
    batch_size : int, default 64
        Most sequences per batch when the corpus is not already batched. Groups of lengths
        that are rare in the corpus leave smaller, at the end or when more than
        ``MAX_WAITING_TOKENS`` token ids are waiting.

    Yields
    ------
    Batch
        Every row of length ``T`` (no padding), tensors on the CPU, ``starts`` set. Batches
        come in the order their groups fill, not in corpus order.

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
    error is raised when the iteration reaches the sequence, before any batch after it.
    """
    if isinstance(vocab_size, bool) or not isinstance(vocab_size, int) or vocab_size < 1:
        raise ValueError(f"vocab_size must be a positive int, got {vocab_size!r}")
    if isinstance(batch_size, bool) or not isinstance(batch_size, int) or batch_size < 1:
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
    if _is_array(corpus):
        yield from _array_batches(corpus, vocab_size, batch_size)
        return
    if not isinstance(corpus, Iterable):
        raise TypeError(
            f"corpus must be an iterable of token-id sequences, a 2-D tensor/array or a "
            f"DataLoader, got {type(corpus).__name__}"
        )
    groups = _LengthGroups(batch_size)
    seen = 0  # sequences read so far, for error messages
    position = 0  # tokens read so far: the corpus position of the next token
    for item in corpus:
        pair = _as_pair(item)
        if pair is not None or (_is_array(item) and item.ndim == 2):
            batch = _given_batch(item, pair, vocab_size, seen)
            starts = _row_starts(position, batch.lengths)
            seen += batch.batch_size
            position += batch.n_tokens
            if bool((batch.lengths == batch.max_len).all()):
                yield Batch(batch.ids, batch.lengths, starts)
                continue
            for row, (length, start) in enumerate(zip(batch.lengths.tolist(), starts.tolist(), strict=True)):
                yield from groups.add(batch.ids[row, :length], start)
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
        _check_sequence(seq, vocab_size, seen)
        yield from groups.add(seq, position)
        seen += 1
        position += int(seq.shape[0])
    yield from groups.drain()


def _array_batches(corpus: Any, vocab_size: int, batch_size: int) -> Iterator[Batch]:
    """Batches of a 2-D array corpus: full-length rows, cut ``batch_size`` at a time."""
    if corpus.ndim == 1:
        raise TypeError(
            f"corpus is a 1-D array of shape {tuple(corpus.shape)}: that is one sequence. "
            "Pass [ids] for one sequence, or a 2-D [N, T] array for N full-length sequences."
        )
    if corpus.ndim != 2:
        raise ValueError(f"a tensor corpus must be 2-D [N, T], got shape {tuple(corpus.shape)}")
    ids_all = _as_int_tensor(corpus, "the corpus tensor")
    n_steps = int(ids_all.shape[1])
    for start in range(0, ids_all.shape[0], batch_size):
        ids = ids_all[start : start + batch_size]
        lengths = torch.full((ids.shape[0],), n_steps, dtype=torch.int64)
        batch = _make_batch(ids, lengths, vocab_size, start)
        yield Batch(batch.ids, batch.lengths, _row_starts(start * n_steps, batch.lengths))


def _given_batch(item: Any, pair: tuple[Any, Any] | None, vocab_size: int, seen: int) -> Batch:
    """A batch the corpus yielded ready-made, validated, its padding set to 0."""
    if pair is None:
        ids = _as_int_tensor(item, f"batch starting at sequence {seen}")
        lengths = torch.full((ids.shape[0],), ids.shape[1], dtype=torch.int64)
    else:
        ids = _as_int_tensor(pair[0], f"ids of batch starting at sequence {seen}")
        if pair[1] is None:
            lengths = torch.full((ids.shape[0],), ids.shape[1], dtype=torch.int64)
        else:
            lengths = _as_int_tensor(pair[1], f"lengths of batch starting at {seen}")
    return _make_batch(ids, lengths, vocab_size, seen)


def known_tokens(corpus: Any) -> int | None:
    """The number of tokens of a corpus, where it can be read without a pass over the ids.

    Parameters
    ----------
    corpus : Any
        A corpus as [iter_batches][rnnvis_widget.capture.iter_batches] takes it.

    Returns
    -------
    int or None
        ``N * T`` of a 2-D tensor or array; the summed lengths of a list or tuple of sequences
        or of ``(ids, lengths)`` batches. None for iterators, DataLoaders and anything
        unexpected (iterating it will say what is wrong).
    """
    if _is_array(corpus):
        return int(corpus.shape[0] * corpus.shape[1]) if corpus.ndim == 2 else None
    if not isinstance(corpus, (list, tuple)):
        return None
    total = 0
    for item in corpus:
        pair = _as_pair(item)
        if pair is not None:
            ids, lengths = pair
            if lengths is None:
                total += int(ids.shape[0] * ids.shape[1])
            else:
                total += int(torch.as_tensor(lengths).sum())
        elif _is_array(item) and item.ndim == 2:
            total += int(item.shape[0] * item.shape[1])
        elif isinstance(item, (list, tuple)) or (_is_array(item) and item.ndim == 1):
            total += len(item)
        else:
            return None
    return total
