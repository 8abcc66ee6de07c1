"""`rv.analyze`: run a model over a corpus and keep what the views need; `Analysis` holds it."""

from __future__ import annotations

import json
import os
import zipfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch import nn
from tqdm.auto import tqdm

from .batches import Batch, iter_batches
from .capture import LayerKey, StateRecorder
from .stats import CorpusStats

FILE_FORMAT = "rnnvis-analysis"
FILE_VERSION = 1


def _check_vocab(vocab: Sequence[str]) -> list[str]:
    if isinstance(vocab, str) or not isinstance(vocab, Sequence):
        raise TypeError("vocab must be a sequence of str where vocab[id] is the token text, e.g. a list")
    words = list(vocab)
    if not words:
        raise ValueError("vocab is empty; pass the list of token texts, vocab[id] = text of token id")
    bad = next((i for i, w in enumerate(words) if not isinstance(w, str)), None)
    if bad is not None:
        raise TypeError(f"vocab[{bad}] is {type(words[bad]).__name__}, expected str")
    return words


@dataclass(frozen=True)
class Stack:
    """One (module, layer) position of the network; directions live under it."""

    module: str
    layer: int

    def __str__(self) -> str:
        return f"{self.module or 'model'} · layer {self.layer}"


class Analysis:
    """What the model's hidden memory did over a corpus.

    Attributes:
        vocab: list of token texts, `vocab[id]`.
        layers: every recorded `LayerKey(module, layer, direction)`, in model order.
        counts: `(n_words,)` int64, occurrences of each word in the corpus.
        n_tokens: tokens read.
    """

    def __init__(self, vocab: list[str], stats: CorpusStats, kinds: dict[LayerKey, list[str]]):
        self.vocab = vocab
        self.stats = stats
        self._kinds = kinds

    @property
    def layers(self) -> list[LayerKey]:
        return sorted(self._kinds)

    @property
    def stacks(self) -> list[Stack]:
        """Distinct (module, layer) positions, the index space of `response(layer=...)`."""
        return sorted({Stack(k.module, k.layer) for k in self._kinds}, key=lambda s: (s.module, s.layer))

    @property
    def counts(self) -> np.ndarray:
        return self.stats.counts

    @property
    def n_tokens(self) -> int:
        return self.stats.n_tokens

    def states(self, layer: int | LayerKey = -1) -> list[str]:
        """State kinds recorded at a layer: "h", "c" (LSTM) and gate names if captured."""
        return list(self._kinds[self.layer_key(layer)])

    def directions(self, layer: int = -1) -> list[int]:
        stack = self._stack(layer)
        return sorted(k.direction for k in self._kinds if (k.module, k.layer) == (stack.module, stack.layer))

    def _stack(self, layer: int) -> Stack:
        stacks = self.stacks
        if not -len(stacks) <= layer < len(stacks):
            raise IndexError(
                f"layer {layer} out of range: this analysis has {len(stacks)} layers "
                f"{[str(s) for s in stacks]}"
            )
        return stacks[layer]

    def layer_key(self, layer: int | LayerKey = -1, direction: int = 0) -> LayerKey:
        """Resolve a layer index (into `stacks`, negative from the end) and a direction."""
        if isinstance(layer, LayerKey):
            key = layer
        else:
            stack = self._stack(layer)
            key = LayerKey(stack.module, stack.layer, direction)
        if key not in self._kinds:
            raise KeyError(f"{key} was not recorded; recorded layers: {[str(k) for k in self.layers]}")
        return key

    def response(self, layer: int | LayerKey = -1, state: str = "h", direction: int = 0) -> np.ndarray:
        """Expected response s(w)_i: mean Δ of unit i when word w is read, shape (n_words, n_units)."""
        key = self.layer_key(layer, direction)
        if state not in self._kinds[key]:
            raise KeyError(f"state {state!r} not recorded at {key}; recorded: {self._kinds[key]}")
        return self.stats.mean(key, state)

    def variance(self, layer: int | LayerKey = -1, state: str = "h", direction: int = 0) -> np.ndarray:
        """Variance of the response, shape (n_words, n_units)."""
        key = self.layer_key(layer, direction)
        return self.stats.variance(key, state)

    # Persistence ---------------------------------------------------------------------------

    def save(self, path: str | os.PathLike[str]) -> None:
        """Write the analysis to one `.npz` file (versioned; `Analysis.load` reads it)."""
        arrays: dict[str, np.ndarray] = {"counts": self.stats.counts}
        slots = []
        for index, ((key, kind), sums) in enumerate(sorted(self.stats.sums.items())):
            arrays[f"sum_{index}"] = sums.sum
            arrays[f"sum_sq_{index}"] = sums.sum_sq
            slots.append({"module": key.module, "layer": key.layer, "direction": key.direction, "kind": kind})
        header = {
            "format": FILE_FORMAT,
            "version": FILE_VERSION,
            "vocab": self.vocab,
            "n_tokens": self.stats.n_tokens,
            "slots": slots,
            "kinds": [[k.module, k.layer, k.direction, v] for k, v in sorted(self._kinds.items())],
        }
        arrays["header"] = np.frombuffer(json.dumps(header).encode("utf-8"), dtype=np.uint8)
        with open(path, "wb") as handle:
            np.savez_compressed(handle, **arrays)  # type: ignore[arg-type]

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> Analysis:
        """Read a file written by `save`; a foreign, newer or damaged file raises ValueError."""
        from .stats import ResponseSums

        try:
            with np.load(Path(path), allow_pickle=False) as data:
                header = json.loads(bytes(data["header"]).decode("utf-8"))
                arrays = {name: data[name] for name in data.files}
        except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile) as error:
            raise ValueError(f"{path} is not a readable rnnvis analysis file ({error})") from error
        if header.get("format") != FILE_FORMAT:
            raise ValueError(f"{path} is not an rnnvis analysis file")
        if header.get("version") != FILE_VERSION:
            raise ValueError(
                f"{path} has analysis file version {header.get('version')}, this rnnvis-widget reads "
                f"version {FILE_VERSION}; re-run rv.analyze or use the rnnvis-widget that wrote it"
            )
        vocab = list(header["vocab"])
        stats = CorpusStats(len(vocab))
        stats.counts = arrays["counts"].astype(np.int64)
        stats.n_tokens = int(header["n_tokens"])
        for index, slot in enumerate(header["slots"]):
            key = LayerKey(slot["module"], slot["layer"], slot["direction"])
            stats.sums[(key, slot["kind"])] = ResponseSums(arrays[f"sum_{index}"], arrays[f"sum_sq_{index}"])
        kinds = {LayerKey(m, layer, d): list(v) for m, layer, d, v in header["kinds"]}
        return cls(vocab, stats, kinds)

    def __repr__(self) -> str:
        layers = [str(k) for k in self.layers]
        return f"<Analysis: {len(self.vocab)} words, {self.n_tokens} tokens, layers {layers}>"


def analyze(
    model: nn.Module,
    corpus: Any,
    vocab: Sequence[str],
    modules: Sequence[str] | None = None,
    forward: Callable[[nn.Module, Batch], Any] | None = None,
    batch_size: int = 64,
    device: torch.device | str | None = None,
    progress: bool = True,
    seed: int = 0,
    gates: bool = False,
) -> Analysis:
    """Record every hidden state of `model` over `corpus` and reduce it to per-word responses.

    Args:
        model: a live `torch.nn.Module` on any device; it is left exactly as it was.
        corpus: token-id sequences (list of lists, LongTensor (B, T), (ids, lengths) batches, or a
            DataLoader of those).
        vocab: `vocab[id]` is the text of token `id`.
        modules: names of modules to record; None records every nn.RNN/LSTM/GRU/*Cell.
        forward: `forward(model, batch)` runs the model; default `model(batch.ids)`.
        batch_size: sequences per batch when the corpus is not already batched.
        device: where to run; default the model's own device.
        progress: show a progress bar with tokens/s.
        seed: seeds torch for anything random during the run.
        gates: also record gate values (LSTM i, f, g, o; GRU r, z, n).
    """
    words = _check_vocab(vocab)
    torch.manual_seed(seed)
    stats = CorpusStats(len(words))
    batches: Iterable[Batch] = iter_batches(corpus, len(words), batch_size)
    with (
        StateRecorder(model, modules=modules, gates=gates, device=device) as recorder,
        tqdm(unit="tok", unit_scale=True, disable=not progress, desc="rnnvis") as bar,
    ):
        for batch in batches:
            stats.update(recorder.record(batch, forward))
            bar.update(batch.n_tokens)
        kinds = {key: recorder.kinds(key) for key in recorder.layers}
    if stats.n_tokens == 0:
        raise ValueError("the corpus has no tokens; pass at least one non-empty sequence")
    return Analysis(words, stats, kinds)
