"""Sentences run through the live model for the sentence view: from what the user typed (text or
token ids) to token ids, one exact trace of every recorded layer, the model's prediction, and the
payload the browser draws glyphs from.

All layers, state kinds and directions of the analysis are captured once per sentence and sent
together, so the browser follows the main view's layer, state and k without a second model run.
Those states travel once per sentence, apart from the list of sentences (`SentenceBook.fresh`),
so adding a sentence does not resend the ones already shown.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch
from torch import nn

from ..analysis import Analysis
from ..capture import Batch, Trace, trace
from ..capture.types import MEMORY_KINDS
from ._codecs import encode
from ._export import slot_key
from ._payloads import (
    CONTRACT,
    ClassPrediction,
    NextTokenPrediction,
    SentencePayload,
    SentenceStates,
    SentenceStatesById,
    SentenceViewPayload,
)

__all__ = [
    "MAX_SENTENCE_TOKENS",
    "Entry",
    "Sentence",
    "SentenceBook",
    "SentenceRunner",
    "as_entry",
    "entry_key",
]

#: Longest sentence accepted, in tokens: beyond it the glyph row stops being readable and the
#: payload (layers × kinds × T × H float32) grows past what a notebook should carry.
MAX_SENTENCE_TOKENS: int = CONTRACT["max_sentence_tokens"]

#: What a user hands the view: a text (through ``encode``) or the token ids themselves.
Entry = str | list[int]

#: Vocabulary entries taken as the unknown-word token, in this order.
UNKNOWN_TOKENS = ("<unk>", "<UNK>", "[UNK]", "<oov>")

#: Next tokens listed per position for a language model.
TOP_NEXT = 3

#: Sentence ids, unique in the kernel: two widgets (the sides of a comparison) never share one,
#: and a sentence run again gets a new one, so a browser never keeps stale states under it.
_SENTENCE_IDS = itertools.count(1)

Encode = Callable[[str], Sequence[int]]
Forward = Callable[[nn.Module, Batch], Any]
Predict = Callable[[nn.Module, Batch], torch.Tensor]


def as_entry(sentence: object) -> Entry:
    """A sentence as the ``sentences`` trait holds it: the text, or the ids as a list of int.

    Raises
    ------
    TypeError
        If it is neither a text nor a flat sequence of ints.
    """
    if isinstance(sentence, str):
        return sentence
    if isinstance(sentence, (list, tuple, np.ndarray, torch.Tensor)):
        ids = np.asarray(sentence.cpu() if isinstance(sentence, torch.Tensor) else sentence)
        if ids.ndim == 1 and (ids.size == 0 or ids.dtype.kind in "iu"):
            return [int(i) for i in ids]
    raise TypeError(
        f"a sentence is a text or a list of token ids, got {type(sentence).__name__}"
        + (f" of shape {np.shape(sentence)}" if hasattr(sentence, "shape") else "")
    )


def entry_key(entry: Entry) -> str:
    """A hashable name of an entry: the same text or ids give the same key."""
    return entry if isinstance(entry, str) else " ".join(str(i) for i in entry)


@dataclass(frozen=True)
class Sentence:
    """One sentence as the view shows it.

    Attributes
    ----------
    source : str
        What was typed, or the ids' token texts joined by spaces.
    ids : ndarray of shape (T,), int64
    unknown : ndarray of shape (T,), bool
        True where a typed word was not in the vocabulary and became the unknown token.
    trace : Trace
        Every recorded state of the sentence.
    payload : SentencePayload
        What the browser receives in the ``sentence_view`` list; ``payload["id"]`` names it.
    states : dict of str to SentenceStates
        What the browser receives once in ``sentence_states``, by slot key.
    """

    source: str
    ids: np.ndarray
    unknown: np.ndarray
    trace: Trace
    payload: SentencePayload
    states: dict[str, SentenceStates]


class SentenceRunner:
    """Runs sentences through a live model the way the analysis ran its corpus.

    Parameters
    ----------
    analysis : Analysis
        Which layers, state kinds and directions to send, and the vocabulary.
    model : torch.nn.Module or None
        The live model; None leaves the sentence view without a text box.
    encode : callable, optional
        ``encode(text) -> sequence of int``. Default: split on whitespace and look each word up
        in the vocabulary (unknown words become ``<unk>`` where the vocabulary has one).
    forward : callable, optional
        ``forward(model, batch)``, as given to ``rv.analyze``; default ``model(batch.ids)``.
    predict : callable, optional
        ``predict(model, batch) -> Tensor`` of scores (logits or log-probabilities): shape
        (1, C) for a class of the whole sentence, (1, T, C) for a class of each prefix, (1, T, V)
        with V the vocabulary size for the next token after each position. Default: read the
        forward's own output when it has one of the shapes (1, C) or (1, T, V).
    labels : sequence of str, optional
        Names of the classes; default "class 0", "class 1", ...
    """

    def __init__(
        self,
        analysis: Analysis,
        model: nn.Module | None,
        encode: Encode | None = None,
        forward: Forward | None = None,
        predict: Predict | None = None,
        labels: Sequence[str] | None = None,
    ):
        if model is not None and not isinstance(model, nn.Module):
            raise TypeError(f"model must be the live torch.nn.Module, got {type(model).__name__}")
        for name, value in (("encode", encode), ("forward", forward), ("predict", predict)):
            if value is not None and not callable(value):
                raise TypeError(f"{name} must be callable, got {type(value).__name__}")
        self.analysis = analysis
        self.model = model
        self.encode = encode
        self.forward = forward
        self.predict = predict
        self.labels = None if labels is None else [str(label) for label in labels]
        vocab = analysis.vocab
        self._index: dict[str, int] = {}
        for i, word in enumerate(vocab):
            self._index.setdefault(word, i)
        self.unknown_id = next((self._index[t] for t in UNKNOWN_TOKENS if t in self._index), None)
        self._modules = sorted({key.module for key in analysis.layers})
        self._gates = any(
            kind not in MEMORY_KINDS for key in analysis.layers for kind in analysis.states(key)
        )

    @property
    def disabled_reason(self) -> str | None:
        """Why no sentence can be added, or None when the live model is there."""
        if self.model is None:
            return "no live model: pass model= (and encode=) to rv.RNNVis or rv.show to type sentences"
        return None

    def run(self, entry: Entry) -> Sentence:
        """Encode, trace and predict one sentence.

        Raises
        ------
        TypeError
            If the entry is neither text nor a list of int.
        ValueError
            If it is empty, too long, holds unknown words with no ``<unk>`` in the vocabulary,
            or ids outside the vocabulary.
        RuntimeError
            If there is no live model.
        Exception
            Whatever the model itself raised on this input (also a ``CaptureError``).
        """
        if self.model is None:
            raise RuntimeError(self.disabled_reason)
        ids, unknown, source = self._encode(entry)
        recorded = trace(self.model, ids, modules=self._modules, forward=self.forward, gates=self._gates)
        prediction = self._prediction(recorded, ids)
        payload: SentencePayload = {
            "id": f"s{next(_SENTENCE_IDS)}",
            "source": source,
            "tokens": [self.analysis.vocab[int(i)] for i in ids],
            "unknown": encode(unknown, "uint8"),
            "prediction": prediction,
        }
        return Sentence(source, ids, unknown, recorded, payload, self._states(recorded))

    # Encoding ------------------------------------------------------------------------------

    def _encode(self, entry: Entry) -> tuple[np.ndarray, np.ndarray, str]:
        vocab = self.analysis.vocab
        if isinstance(entry, str):
            text = entry.strip()
            if not text:
                raise ValueError("the sentence is empty; type a few words")
            if self.encode is not None:
                ids = self._checked_ids(self.encode(text), "encode(text)")
                unknown = ids == self.unknown_id if self.unknown_id is not None else np.zeros(len(ids), bool)
            else:
                ids, unknown = self._look_up(text.split())
            source = text
        else:
            ids = self._checked_ids(as_entry(entry), "the token ids")
            unknown = np.zeros(len(ids), dtype=bool)
            source = " ".join(vocab[int(i)] for i in ids)
        if len(ids) == 0:
            raise ValueError("the sentence has no tokens after encoding")
        if len(ids) > MAX_SENTENCE_TOKENS:
            raise ValueError(
                f"the sentence has {len(ids)} tokens; the sentence view takes at most "
                f"{MAX_SENTENCE_TOKENS}: split it, or use rv.trace for the numbers of a long input"
            )
        return ids, unknown, source

    def _look_up(self, words: list[str]) -> tuple[np.ndarray, np.ndarray]:
        unknown = np.array([word not in self._index for word in words], dtype=bool)
        if unknown.any() and self.unknown_id is None:
            missing = sorted({w for w, u in zip(words, unknown, strict=True) if u})
            raise ValueError(
                f"not in the vocabulary: {missing[:10]}; the vocabulary has no <unk> token to map "
                "them to. Use other words, or pass encode= (text -> token ids) to rv.RNNVis"
            )
        ids = np.array([self._index.get(w, self.unknown_id or 0) for w in words], dtype=np.int64)
        return ids, unknown

    def _checked_ids(self, values: Any, what: str) -> np.ndarray:
        ids = np.asarray(values.cpu() if isinstance(values, torch.Tensor) else values)
        if ids.ndim != 1 or (ids.size and ids.dtype.kind not in "iu"):
            raise TypeError(
                f"{what} must be a flat sequence of int token ids, got {ids.dtype} of shape {ids.shape}"
            )
        ids = ids.astype(np.int64)
        bad = np.flatnonzero((ids < 0) | (ids >= len(self.analysis.vocab)))
        if bad.size:
            raise ValueError(
                f"{what} has id {int(ids[bad[0]])} at position {int(bad[0])}, outside the "
                f"vocabulary of {len(self.analysis.vocab)} words"
            )
        return ids

    # What the browser receives -------------------------------------------------------------

    def _states(self, recorded: Trace) -> dict[str, SentenceStates]:
        """Every layer / state kind / direction of the analysis, keyed like the main view."""
        analysis = self.analysis
        out: dict[str, SentenceStates] = {}
        for layer in range(len(analysis.stacks)):
            for direction in analysis.directions(layer):
                key = analysis.layer_key(layer, direction)
                if key not in recorded.states:
                    raise RuntimeError(
                        f"the sentence run did not record {key}, which the analysis has: pass the "
                        "same forward= that rv.analyze used"
                    )
                for kind in analysis.states(key):
                    values = recorded.states[key][kind]
                    initial = recorded.initial[key].get(kind, np.zeros(values.shape[1], np.float32))
                    out[slot_key(layer, kind, direction)] = {
                        "values": encode(values, "float32"),
                        "initial": encode(initial, "float32"),
                    }
        return out

    def _prediction(self, recorded: Trace, ids: np.ndarray) -> ClassPrediction | NextTokenPrediction | None:
        if self.predict is not None:
            assert self.model is not None
            batch = Batch(torch.from_numpy(ids)[None, :], torch.tensor([len(ids)]))
            with torch.inference_mode():
                scores: Any = self.predict(self.model, batch)
            return self._read_scores(scores, len(ids), explicit=True)
        return self._read_scores(_first_tensor(recorded.output), len(ids), explicit=False)

    def _read_scores(
        self, scores: Any, n_tokens: int, *, explicit: bool
    ) -> ClassPrediction | NextTokenPrediction | None:
        """Turn a (1, C), (1, T, C) or (1, T, V) score tensor into a prediction payload."""
        if not isinstance(scores, torch.Tensor) or not scores.is_floating_point():
            if explicit:
                raise TypeError(f"predict must return a float tensor, got {type(scores).__name__}")
            return None
        values = scores.detach().float().cpu()
        if values.dim() >= 1 and values.shape[0] == 1:
            values = values[0]
        vocab_size = len(self.analysis.vocab)
        if values.dim() == 1:
            return self._classes(values.softmax(-1).numpy(), None)
        if values.dim() == 2 and values.shape[0] == n_tokens:
            probs = values.softmax(-1)
            if values.shape[1] == vocab_size:
                top = probs.topk(min(TOP_NEXT, vocab_size), dim=-1)
                return {
                    "kind": "next_tokens",
                    "tokens": [[self.analysis.vocab[int(i)] for i in row] for row in top.indices],
                    "probs": encode(top.values.numpy(), "float32"),
                }
            if explicit:
                return self._classes(probs[-1].numpy(), probs.numpy())
        if explicit:
            raise ValueError(
                f"predict returned shape {tuple(scores.shape)}; expected (1, C), (1, T, C) or "
                f"(1, T, V) with T = {n_tokens} tokens and V = {vocab_size} words"
            )
        return None

    def _classes(self, final: np.ndarray, per_step: np.ndarray | None) -> ClassPrediction:
        n = final.shape[0]
        labels = self.labels if self.labels is not None else [f"class {i}" for i in range(n)]
        if len(labels) != n:
            raise ValueError(f"{len(labels)} labels were given for {n} classes the model scores")
        return {
            "kind": "classes",
            "labels": labels,
            "final": encode(final, "float32"),
            "per_step": None if per_step is None else encode(per_step, "float32"),
        }


def _first_tensor(output: Any) -> Any:
    """The model's output itself, or the first item of a tuple/list output (logits first)."""
    if isinstance(output, (tuple, list)) and output:
        return output[0]
    return output


class SentenceBook:
    """The sentences of one widget: each run once, kept by what was typed, and assembled into
    the ``sentence_view`` payload; their states go out once each (`fresh`, `states`).

    Parameters
    ----------
    runner : SentenceRunner
    """

    def __init__(self, runner: SentenceRunner):
        self.runner = runner
        self._by_key: dict[str, Sentence] = {}
        self._unsent: list[str] = []  # keys run since the last `fresh`

    def get(self, entry: Entry) -> Sentence:
        """The sentence of ``entry``, run through the model on first use (errors as in
        `SentenceRunner.run`)."""
        key = entry_key(entry)
        if key not in self._by_key:
            self._by_key[key] = self.runner.run(entry)
            self._unsent.append(key)
        return self._by_key[key]

    def view(self, entries: Sequence[Entry], error: str | None = None) -> SentenceViewPayload:
        """The payload for ``entries`` (each already run by `get`); sentences no longer
        listed are forgotten."""
        keep = {entry_key(entry) for entry in entries}
        self._by_key = {key: s for key, s in self._by_key.items() if key in keep}
        reason = self.runner.disabled_reason
        return {
            "kind": "sentences",
            "live": reason is None,
            "disabled_reason": reason,
            "error": error,
            "max_tokens": MAX_SENTENCE_TOKENS,
            "items": [self.get(entry).payload for entry in entries],
        }

    def fresh(self) -> SentenceStatesById:
        """The states of the sentences run since the last call that are still kept: what
        the browser has not been sent yet."""
        keys, self._unsent = self._unsent, []
        kept = [self._by_key[key] for key in dict.fromkeys(keys) if key in self._by_key]
        return {s.payload["id"]: s.states for s in kept}

    def states(self, ids: Iterable[str] | None = None) -> SentenceStatesById:
        """The states of the kept sentences named by ``ids`` (unknown ids are skipped: the
        browser may ask for a sentence removed meanwhile); all of them when ``ids`` is None."""
        by_id = {s.payload["id"]: s.states for s in self._by_key.values()}
        if ids is None:
            return by_id
        return {i: by_id[i] for i in dict.fromkeys(ids) if isinstance(i, str) and i in by_id}
