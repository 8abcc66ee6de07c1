"""`trace`: every per-step state of one input sequence, captured exactly like `rv.analyze` does.

The sentence view needs the states of one sentence, token by token, from the very code that
produced the corpus statistics beside it: one `StateRecorder` run on a batch of one, with the same
recomputation and the same check against the module's own output. The model is left as it was
(training flags, parameters, hooks; see `StateRecorder`), and so is torch's global random state.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch
from torch import nn

from .batches import Batch, _as_int_tensor
from .recorder import StateRecorder, capture_device, cuda_indices
from .types import MEMORY_KINDS, LayerKey

__all__ = ["Trace", "trace"]


@dataclass(frozen=True)
class Trace:
    """Every recorded state of one input sequence, in token order.

    Attributes
    ----------
    ids : ndarray of shape (T,), int64
        The token ids that were run.
    layers : list of LayerKey
        Every recorded ``LayerKey(module, layer, direction)``, in model order.
    states : dict
        ``states[key][kind]`` is a read-only float32 array of shape (T, H_kind): row ``t`` is the
        state right after token ``t`` was consumed, also for a backward direction (which
        consumes the tokens from last to first). Kinds: "h", "c" (LSTM) and, with
        ``gates=True``, "i", "f", "g", "o" (LSTM) or "r", "z", "n" (GRU).
    initial : dict
        ``initial[key][kind]`` is a read-only float32 array of shape (H_kind,) for the memory
        kinds "h" and "c": the state before the direction's first processed token (the
        model's ``hx``, zeros if it passed none).
    output : Any
        What the model's forward returned, with every tensor detached and copied to the CPU
        (tuples, lists and dicts are walked); e.g. a classifier's logits.

    Notes
    -----
    Layer indices (``layer=`` of `state` and `delta`) count the distinct
    (module, layer) stacks in the order of ``Analysis.stacks`` (sorted by module name, then
    layer), negative from the end, so ``trace.state(i)`` and ``analysis.response(i)`` name the
    same layer. A ``LayerKey`` is accepted too.
    """

    ids: np.ndarray
    layers: list[LayerKey]
    states: dict[LayerKey, dict[str, np.ndarray]]
    initial: dict[LayerKey, dict[str, np.ndarray]]
    output: Any

    @property
    def n_tokens(self) -> int:
        """T, the number of tokens."""
        return int(self.ids.shape[0])

    @property
    def stacks(self) -> list[tuple[str, int]]:
        """Distinct ``(module, layer)`` positions: the index space of ``layer=``."""
        return _stacks(self.layers)

    def layer_key(self, layer: int | LayerKey = -1, direction: int = 0) -> LayerKey:
        """Resolve a layer index (into `stacks`, negative from the end) and a direction."""
        return _layer_key(self.layers, layer, direction)

    def state(self, layer: int | LayerKey = -1, kind: str = "h", direction: int = 0) -> np.ndarray:
        """The state ``x(t)`` of one layer, kind and direction.

        Returns
        -------
        ndarray of shape (T, H), float32, read-only; row ``t`` follows token ``t``.
        """
        return self._kinds(layer, direction, kind)[kind]

    def delta(self, layer: int | LayerKey = -1, kind: str = "h", direction: int = 0) -> np.ndarray:
        """The response of every unit to every token: ``Δx(t) = x(t) − x(previous step)``.

        The previous step of token ``t`` is ``t − 1`` going forward and ``t + 1`` going backward;
        the first processed token is compared with the initial state. For a gate the response
        is its value (a copy of `state`). The same convention as the corpus statistics.

        Returns
        -------
        ndarray of shape (T, H), float32.
        """
        key = self.layer_key(layer, direction)
        values = self._kinds(key, direction, kind)[kind]
        if kind not in MEMORY_KINDS:
            return values.copy()
        start = self.initial[key][kind][None, :]
        if key.direction == 0:
            previous = np.concatenate([start, values[:-1]])
        else:
            previous = np.concatenate([values[1:], start])
        return values - previous

    def _kinds(self, layer: int | LayerKey, direction: int, kind: str) -> dict[str, np.ndarray]:
        key = self.layer_key(layer, direction)
        kinds = self.states[key]
        if kind not in kinds:
            raise KeyError(f"state {kind!r} was not recorded at {key}; recorded: {list(kinds)}")
        return kinds


def trace(
    model: nn.Module,
    ids: Any,
    *,
    modules: Sequence[str] | None = None,
    forward: Callable[[nn.Module, Batch], Any] | None = None,
    gates: bool = False,
    device: torch.device | str | None = None,
) -> Trace:
    """Run one sequence through the live model and return every per-step state, exactly.

    Parameters
    ----------
    model : torch.nn.Module
        The live model, on any device; left exactly as it was.
    ids : list of int, ndarray or LongTensor of shape (T,) or (1, T)
        The token ids of one sequence.
    modules : list of str, optional
        Qualified names of the modules to record; None records every nn.RNN/LSTM/GRU/*Cell.
    forward : callable, optional
        ``forward(model, batch)`` runs the model on a [Batch][rnnvis_widget.capture.Batch] of one row
        (``batch.ids`` (1, T), ``batch.lengths`` (1,)); default ``model(batch.ids)``. Use the
        same one as for ``rv.analyze``. The whole forward runs, so that `Trace.output`
        holds its result.
    gates : bool
        Also record gate values (LSTM i, f, g, o; GRU r, z, n).
    device : torch.device or str, optional
        Where the ids are sent; default the model's own device. It must hold the model's
        parameters (move the model with ``model.to(device)`` first).

    Returns
    -------
    Trace

    Raises
    ------
    TypeError
        ``ids`` is not integer token ids.
    ValueError
        ``ids`` is empty, negative, or holds more than one sequence, or ``device`` holds none
        of the model's parameters.
    CaptureError
        The recorded states cannot be aligned with the tokens or disagree with the module's
        own output (see [StateRecorder][rnnvis_widget.capture.StateRecorder]).
    """
    row = _one_sequence(ids)
    where = capture_device(model, device)
    batch = Batch(row[None, :], torch.tensor([row.shape[0]], dtype=torch.int64))
    run = forward if forward is not None else _call_model
    returned: list[Any] = []

    def forward_and_keep(m: nn.Module, b: Batch) -> Any:
        result = run(m, b)
        returned.append(result)
        return result

    with (
        # The forward may draw random numbers (noise layers, sampling); the user's stream
        # must continue as if no trace had been taken.
        torch.random.fork_rng(devices=cuda_indices(model, where)),
        StateRecorder(model, modules=modules, gates=gates, device=where, stop_early=False) as rec,
    ):
        step = rec.record(batch, forward_and_keep)
        layers = list(rec.layers)
    states = {
        key: {kind: _frozen(values[0].numpy()) for kind, values in step.states[key].items()}
        for key in layers
    }
    initial = {
        key: {kind: _frozen(values[0].numpy()) for kind, values in step.initial[key].items()}
        for key in layers
    }
    output = _detached(returned[0]) if returned else None
    return Trace(_frozen(row.numpy()), layers, states, initial, output)


def _call_model(model: nn.Module, batch: Batch) -> Any:
    return model(batch.ids)


def _one_sequence(ids: Any) -> torch.Tensor:
    """``ids`` as a (T,) int64 CPU tensor, or a clear error naming the fix."""
    if isinstance(ids, Batch):
        raise TypeError("trace takes the ids of one sequence, not a Batch; pass batch.ids[i]")
    row = _as_int_tensor(ids, "ids")
    if row.dim() == 0:
        raise TypeError(
            f"ids is a single number ({int(row)}); pass the token ids of one sequence as a "
            "list of ints or a 1-D LongTensor, e.g. [ids]"
        )
    if row.dim() == 2:
        if row.shape[0] != 1:
            raise ValueError(
                f"ids has shape {tuple(row.shape)}: {row.shape[0]} sequences. trace runs one "
                "sequence; pass ids[i] (one row), or use rv.analyze for a corpus"
            )
        row = row[0]
    if row.dim() != 1:
        raise ValueError(
            f"ids has shape {tuple(row.shape)}; pass one sequence as shape (T,) or (1, T)"
        )
    if row.shape[0] == 0:
        raise ValueError("ids is empty; a trace needs at least one token id")
    if bool((row < 0).any()):
        position = int((row < 0).nonzero()[0])
        raise ValueError(
            f"token id {int(row[position])} at position {position} is negative; token ids index "
            "the vocabulary from 0. Map unknown tokens to an <unk> id."
        )
    return row.contiguous()


def _frozen(values: np.ndarray) -> np.ndarray:
    out = np.array(values, copy=True)
    out.setflags(write=False)
    return out


def _detached(value: Any) -> Any:
    """``value`` with every tensor detached and copied to the CPU (a normal tensor, not an
    inference-mode one), walking tuples, named tuples, lists and dicts."""
    if isinstance(value, torch.Tensor):
        return value.detach().to("cpu", copy=True)
    if isinstance(value, tuple):
        items = [_detached(v) for v in value]
        return type(value)(*items) if hasattr(value, "_fields") else tuple(items)
    if isinstance(value, list):
        return [_detached(v) for v in value]
    if isinstance(value, dict):
        out = copy.copy(value)  # keeps a dict subclass (e.g. a model-output record)
        for name in value:
            out[name] = _detached(value[name])
        return out
    return value


def _stacks(layers: Sequence[LayerKey]) -> list[tuple[str, int]]:
    """Distinct (module, layer) pairs, ordered as ``Analysis.stacks`` orders them."""
    return sorted({(key.module, key.layer) for key in layers})


def _layer_key(layers: Sequence[LayerKey], layer: int | LayerKey, direction: int) -> LayerKey:
    if isinstance(layer, LayerKey):
        key = layer
    else:
        if isinstance(layer, bool) or not isinstance(layer, int | np.integer):
            raise TypeError(f"layer must be an int index or a LayerKey, got {type(layer).__name__}")
        stacks = _stacks(layers)
        if not -len(stacks) <= layer < len(stacks):
            names = [f"{module or 'model'} · layer {lay}" for module, lay in stacks]
            raise IndexError(
                f"layer {layer} out of range: this trace has {len(stacks)} layers {names}"
            )
        module, lay = stacks[layer]
        key = LayerKey(module, lay, direction)
    if key not in layers:
        raise KeyError(f"{key} was not recorded; recorded layers: {[str(k) for k in layers]}")
    return key
