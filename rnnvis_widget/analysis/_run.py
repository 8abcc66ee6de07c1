"""`rv.analyze`: run a model over a corpus, capture every state and fold it into statistics."""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any

import numpy as np
import torch
from torch import nn
from tqdm.auto import tqdm

from .._validation import check_instance, check_int
from ..capture import Batch, StateRecorder, iter_batches
from ..capture.batches import known_tokens
from ..capture.recorder import capture_device, cuda_indices
from ..stats import CorpusStats, StatsConfig, activation_bounds, top_words
from .result import Analysis

__all__ = ["analyze"]


def _check_vocab(vocab: Sequence[str] | Any) -> list[str]:
    """The vocabulary as a list of str, or TypeError/ValueError saying what is wrong. An object
    holding its texts in ``.words`` (the zoo's ``Vocabulary``, torchtext-like vocabularies) is
    read through it."""
    held = getattr(vocab, "words", None)
    if not isinstance(vocab, Sequence) and isinstance(held, Sequence) and not isinstance(held, str):
        vocab = held
    if isinstance(vocab, str) or not isinstance(vocab, Sequence):
        raise TypeError("vocab must be a sequence of str where vocab[id] is the token text, e.g. a list")
    words = list(vocab)
    if not words:
        raise ValueError("vocab is empty; pass the list of token texts, vocab[id] = text of token id")
    bad = next((i for i, w in enumerate(words) if not isinstance(w, str)), None)
    if bad is not None:
        raise TypeError(f"vocab[{bad}] is {type(words[bad]).__name__}, expected str")
    return words


def analyze(
    model: nn.Module,
    corpus: Any,
    vocab: Sequence[str] | Any,
    *,
    modules: Sequence[str] | None = None,
    forward: Callable[[nn.Module, Batch], Any] | None = None,
    batch_size: int = 64,
    device: torch.device | str | None = None,
    progress: bool = True,
    seed: int = 0,
    gates: bool = False,
    display_words: int | Sequence[int] | None = 300,
    top_contexts: int = 10,
    context_width: int = 3,
) -> Analysis:
    """Record every hidden state of ``model`` over ``corpus`` and reduce it to per-word responses.

    Parameters
    ----------
    model : torch.nn.Module
        A live model on any device; it is left exactly as it was (mode, parameters, hooks).
    corpus : iterable
        Token-id sequences: a list of lists of int, a LongTensor of shape (B, T), (ids,
        lengths) batches, or a DataLoader of those.
    vocab : sequence of str, or an object with ``.words``
        ``vocab[id]`` is the text of token ``id``; a vocabulary object such as the zoo's
        ``Vocabulary`` is read through its ``words``.
    modules : sequence of str, optional
        Names of modules to record (including custom cells whose output is ``h`` or
        ``(h, c)``); None records every ``nn.RNN``/``LSTM``/``GRU``/``*Cell``.
    forward : callable, optional
        ``forward(model, batch)`` runs the model on a [Batch][rnnvis_widget.capture.Batch]
        (``batch.ids`` of shape (B, T), ``batch.lengths`` of shape (B,)); default
        ``model(batch.ids)``.
    batch_size : int
        Most sequences per batch; only sequences of equal length share one (see Notes), so
        this changes speed, never the result.
    device : torch.device or str, optional
        Where to run; default the model's own device. It must hold the model's parameters
        (move the model with ``model.to(device)`` first).
    progress : bool
        Show a progress bar with tokens/s, out of the corpus's tokens when they are known (from
        the counting pass of ``display_words``, or a list or tensor corpus).
    seed : int
        Seeds torch for anything random during the run; torch's global random state is the
        same afterwards as before.
    gates : bool
        Also record gate values (LSTM i, f, g, o; GRU r, z, n).
    display_words : int, sequence of int, or None
        Keep per-unit quantiles for the N most frequent words (an int), for these word ids (a
        sequence), or for none (None / 0). The N most frequent are found by a first pass that
        only counts ids (no model run): a re-iterable corpus (list, tensor, DataLoader) is read
        twice; a one-shot iterator is spooled to a temporary file while counted, so memory
        stays independent of corpus length.
    top_contexts : int
        Strongest positive and negative occurrences kept per unit (0: none).
    context_width : int
        Tokens of context kept each side of those occurrences.

    Returns
    -------
    Analysis
        Per-word responses, variances, quantiles, unit summaries and contexts of every
        recorded layer, direction and state kind.

    Raises
    ------
    TypeError
        If an argument has the wrong type (e.g. ``vocab`` is not a sequence of str).
    ValueError
        If an argument has a wrong value, the corpus has no tokens, or ``device`` holds none
        of the model's parameters.
    CaptureError
        If the model's states cannot be recorded exactly (see
        [CaptureError][rnnvis_widget.capture.CaptureError]), or one went NaN or inf
        ([NonFiniteStateError][rnnvis_widget.capture.NonFiniteStateError]).

    Notes
    -----
    Sequences are batched by length (see
    [iter_batches][rnnvis_widget.capture.iter_batches]), so no batch holds padding and the
    result does not depend on ``batch_size``: every sequence is processed as if it ran alone,
    also in a backward direction.
    """
    check_instance(model, "model", nn.Module, "pass the live torch.nn.Module to analyse")
    check_int(batch_size, "batch_size", low=1)
    check_int(seed, "seed")
    check_int(top_contexts, "top_contexts", low=0)
    check_int(context_width, "context_width", low=0)
    words = _check_vocab(vocab)
    where = capture_device(model, device)
    config = StatsConfig(top_k=top_contexts, context_width=context_width)
    display, batches, total = _display_words(display_words, corpus, len(words), batch_size)
    named = dict(model.named_modules())
    with (
        # The seed applies to this run only: the user's random stream goes on as if it never ran.
        torch.random.fork_rng(devices=cuda_indices(model, where)),
        # States of a model on a GPU stay there: the statistics fold them in on the device.
        StateRecorder(model, modules=modules, gates=gates, device=where, keep_on_device=True) as recorder,
        tqdm(total=total, unit="tok", unit_scale=True, disable=not progress, desc="rnnvis") as bar,
    ):
        torch.manual_seed(seed)
        bounds = {
            (key, kind): bound
            for key in recorder.layers
            for kind, bound in activation_bounds(named[key.module], [*recorder.kinds(key), "c"]).items()
        }
        stats = CorpusStats(len(words), display_words=display, bounds=bounds, config=config)
        for batch in batches:
            stats.update(recorder.record(batch, forward))
            bar.update(batch.n_tokens)
        kinds = {key: recorder.kinds(key) for key in recorder.layers}
    if stats.n_tokens == 0:
        raise ValueError("the corpus has no tokens; pass at least one non-empty sequence")
    return Analysis(words, stats, kinds)


def _display_words(
    display_words: int | Sequence[int] | None, corpus: Any, vocab_size: int, batch_size: int
) -> tuple[np.ndarray, Iterable[Batch], int | None]:
    """The display word ids, the batches to capture (replayed from a spool if need be) and
    the number of tokens they hold, if known."""
    if display_words is None or isinstance(display_words, (int, np.integer)):
        n = check_int(display_words or 0, "display_words", low=0)
        if n == 0:
            batches = iter_batches(corpus, vocab_size, batch_size)
            return np.zeros(0, dtype=np.int64), batches, known_tokens(corpus)
        counts = np.zeros(vocab_size, dtype=np.int64)
        if isinstance(corpus, Iterator):
            # A one-shot iterator can't be read twice: keep its (validated) ids on disk.
            spool = _Spool()
            try:
                for batch in iter_batches(corpus, vocab_size, batch_size):
                    counts += _count(batch, vocab_size)
                    spool.write(batch)
            except BaseException:
                spool.close()
                raise
            return top_words(counts, n), spool.replay(), int(counts.sum())
        for batch in iter_batches(corpus, vocab_size, batch_size):
            counts += _count(batch, vocab_size)
        return top_words(counts, n), iter_batches(corpus, vocab_size, batch_size), int(counts.sum())
    ids = np.asarray(display_words)
    if ids.ndim != 1 or ids.dtype.kind not in "iu":
        raise TypeError("display_words must be an int (top N words), a sequence of word ids, or None")
    if np.any((ids < 0) | (ids >= vocab_size)):
        raise ValueError(f"display_words must be word ids in 0..{vocab_size - 1}")
    return ids.astype(np.int64), iter_batches(corpus, vocab_size, batch_size), known_tokens(corpus)


def _count(batch: Batch, vocab_size: int) -> np.ndarray:
    return np.bincount(batch.ids[batch.mask()].numpy(), minlength=vocab_size)


class _Spool:
    """Validated batches of ids written to an anonymous temporary file and read back once."""

    def __init__(self) -> None:
        self._file = tempfile.TemporaryFile()

    def write(self, batch: Batch) -> None:
        assert batch.starts is not None, "iter_batches gives every batch its corpus positions"
        for part in (batch.ids, batch.lengths, batch.starts):
            np.save(self._file, part.numpy(), allow_pickle=False)

    def close(self) -> None:
        self._file.close()

    def replay(self) -> Iterator[Batch]:
        try:
            end = self._file.tell()
            self._file.seek(0)
            while self._file.tell() < end:
                ids, lengths, starts = (np.load(self._file, allow_pickle=False) for _ in range(3))
                yield Batch(torch.from_numpy(ids), torch.from_numpy(lengths), torch.from_numpy(starts))
        finally:
            self.close()
