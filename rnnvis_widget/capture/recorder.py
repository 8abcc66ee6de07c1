"""StateRecorder: hook a live model's recurrent modules and record every state, batch by batch.

The model is left as it was: every submodule's training flag is restored, every hook removed,
parameters are only read, and forwards run under ``torch.inference_mode()`` (no autograd graph)
-- also when the forward raises or the user interrupts.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import partial
from types import TracebackType
from typing import Any

import torch
from torch import Tensor, nn
from torch.utils.hooks import RemovableHandle

from ._cells import CellStep, capture_cell_call
from ._fused import FUSED_TYPES, Recorded, capture_fused
from ._modules import family
from ._scans import scan_family
from .batches import Batch
from .types import GATE_KINDS, CaptureAlignmentError, CaptureError, LayerKey, StepBatch

__all__ = ["RECURRENT_TYPES", "StateRecorder", "capture_device", "cuda_indices", "find_recurrent_modules"]

RECURRENT_TYPES = (nn.RNN, nn.LSTM, nn.GRU, nn.RNNCell, nn.LSTMCell, nn.GRUCell)

Forward = Callable[[nn.Module, Batch], Any]


def find_recurrent_modules(model: nn.Module) -> list[str]:
    """Qualified names of every standard recurrent module in ``model``.

    Parameters
    ----------
    model : torch.nn.Module

    Returns
    -------
    names : list of str
        Names from ``model.named_modules()`` of every ``nn.RNN``, ``nn.LSTM``, ``nn.GRU``,
        ``nn.RNNCell``, ``nn.LSTMCell`` and ``nn.GRUCell``, and of every scan-computed
        recurrent module (Mamba, minGRU, xLSTM; see `capture._scans`), in module order.
    """
    return [
        name for name, m in model.named_modules()
        if isinstance(m, RECURRENT_TYPES) or scan_family(m) is not None
    ]


def _model_device(model: nn.Module) -> torch.device:
    for p in model.parameters():
        return p.device
    for b in model.buffers():
        return b.device
    return torch.device("cpu")


def capture_device(model: nn.Module, device: torch.device | str | None) -> torch.device:
    """Where capture sends the batches: ``device``, checked against where the model lives.

    Parameters
    ----------
    model : torch.nn.Module
    device : torch.device, str or None
        None: the device of the model's first parameter (or buffer).

    Returns
    -------
    torch.device

    Raises
    ------
    ValueError
        If ``device`` holds none of the model's parameters and buffers: the model would run
        on inputs somewhere else than its weights, which fails or (for ``"meta"``) yields
        states without values.
    """
    own = _model_device(model)
    if device is None:
        return own
    wanted = torch.device(device)
    held = {t.device for t in model.parameters()} | {t.device for t in model.buffers()}
    if held and not any(_same_device(wanted, where) for where in held):
        places = ", ".join(sorted(str(where) for where in held))
        raise ValueError(
            f"device={str(wanted)!r}, but the model's parameters are on {places}: capture runs "
            "the model where its weights are. Move the model first "
            f"(model.to({str(wanted)!r})) and leave device=None, or pass device={str(own)!r}."
        )
    return wanted


def cuda_indices(model: nn.Module, device: torch.device) -> list[int]:
    """CUDA devices whose random state a forward of ``model`` on ``device`` may use.

    Parameters
    ----------
    model : torch.nn.Module
    device : torch.device
        Where the batches go.

    Returns
    -------
    list of int
        For ``torch.random.fork_rng(devices=...)``; empty on a CPU-only run.
    """
    indices = set()
    for where in (_model_device(model), device):
        if where.type == "cuda":
            indices.add(where.index if where.index is not None else torch.cuda.current_device())
    return sorted(indices)


def _same_device(a: torch.device, b: torch.device) -> bool:
    """Same device type, and the same index where both name one (``cuda`` is any GPU)."""
    return a.type == b.type and (a.index is None or b.index is None or a.index == b.index)


def _default_forward(model: nn.Module, batch: Batch) -> Any:
    return model(batch.ids)


def _no_recurrent_error(model: nn.Module) -> ValueError:
    types = sorted({type(m).__name__ for m in model.modules()})
    names = [n for n, _ in model.named_modules() if n][:20]
    return ValueError(
        f"no recurrent module found in {type(model).__name__}: it contains only "
        f"{', '.join(types)}. Standard nn.RNN/LSTM/GRU and nn.RNNCell/LSTMCell/GRUCell are found "
        "automatically; for a hand-written cell, name it with modules=[...] (its qualified name "
        "from model.named_modules(), e.g. modules=['cell']); it must return h or (h, c) once per "
        f"time step. Module names here: {names}"
    )


class StateRecorder:
    """Context manager that records every hidden state of a model's recurrent modules.

    Entering remembers every submodule's training flag, puts the model in eval mode and
    installs forward hooks on the chosen modules; leaving (always, also on exceptions and
    KeyboardInterrupt) removes every hook and restores every flag.

    Parameters
    ----------
    model : torch.nn.Module
        The live model; it is left as it was.
    modules : sequence of str, optional
        Qualified names of the modules to record, including custom cells whose per-call
        output is ``h`` or ``(h, c)``. None records every ``nn.RNN``/``LSTM``/``GRU``/``*Cell``
        found.
    gates : bool, default False
        Also record gates (LSTM ``i``, ``f``, ``g``, ``o``; GRU ``r``, ``z``, ``n``) of standard
        modules and cells.
    device : torch.device or str, optional
        Where batches are sent; default the device of the model's first parameter. It must
        hold the model's parameters (move the model with ``model.to(device)`` first).
    stop_early : bool, default True
        End each forward as soon as every recorded module (all fused) has run over all the
        batch's steps, skipping what follows (e.g. a large softmax read-out); False runs the
        whole forward. Cell loops always run to the end.
    keep_on_device : bool, default False
        Leave the states of modules on a GPU there (float32, same layout) instead of copying
        them to the CPU; for consumers that work on the device, like
        [CorpusStats][rnnvis_widget.stats.CorpusStats].

    Attributes
    ----------
    layers : list of LayerKey
        Every recorded (module, layer, direction): module by module, in the order found or
        given, then by layer and direction.
    device : torch.device
        Where batches are sent.

    Raises
    ------
    ValueError
        If the model has no recurrent module (and ``modules`` is None), ``modules`` is empty,
        it names a module the model does not have, or ``device`` holds none of the model's
        parameters.

    Examples
    --------
    ```python
    with StateRecorder(model) as rec:
        for batch in iter_batches(corpus, len(vocab)):
            step = rec.record(batch)          # StepBatch, states on CPU, float32
    ```
    """

    def __init__(
        self, model: nn.Module, modules: Sequence[str] | None = None, gates: bool = False,
        device: torch.device | str | None = None, stop_early: bool = True,
        keep_on_device: bool = False,
    ) -> None:
        self.model = model
        self.gates = bool(gates)
        self.stop_early = bool(stop_early)
        self.keep_on_device = bool(keep_on_device)
        self._steps_needed = 0
        self.device = capture_device(model, device)
        named = dict(model.named_modules())
        if modules is None:
            names = find_recurrent_modules(model)
            if not names:
                raise _no_recurrent_error(model)
        else:
            if isinstance(modules, str):
                modules = [modules]
            names = list(dict.fromkeys(modules))
            if not names:
                raise ValueError("modules=[] names nothing to record; pass None to find them")
            unknown = [n for n in names if n not in named]
            if unknown:
                raise ValueError(
                    f"no module named {unknown[0]!r} in {type(model).__name__}. Use qualified "
                    f"names from model.named_modules(); available: "
                    f"{[n for n in named if n][:40]}"
                )
        self._modules: dict[str, nn.Module] = {n: named[n] for n in names}
        self._kinds: dict[LayerKey, list[str]] = {}
        self.layers: list[LayerKey] = []
        for name, mod in self._modules.items():
            fam = family(mod)
            scan = scan_family(mod)
            if scan is not None:
                self._kinds[LayerKey(name, 0, 0)] = scan.kinds(mod, self.gates)
                self.layers.append(LayerKey(name, 0, 0))
                continue
            if isinstance(mod, FUSED_TYPES):
                n_dir = 2 if mod.bidirectional else 1
                keys = [LayerKey(name, lay, d) for lay in range(mod.num_layers)
                        for d in range(n_dir)]
            else:
                keys = [LayerKey(name, 0, 0)]
            kinds = ["h", "c"] if fam == "LSTM" else ["h"]
            if self.gates and fam != "custom":
                kinds += list(GATE_KINDS[fam])
            for k in keys:
                self._kinds[k] = list(kinds)
            self.layers.extend(keys)
        self._handles: list[RemovableHandle] = []
        self._flags: list[tuple[nn.Module, bool]] = []
        self._tf32: tuple[bool, bool] | None = None
        self._active = False
        self._recording = False
        self._calls: dict[str, list[Recorded | CellStep]] = {}

    # -- context management -------------------------------------------------------------

    def __enter__(self) -> StateRecorder:
        if self._active:
            raise RuntimeError("this StateRecorder is already in use")
        self._flags = [(m, m.training) for m in self.model.modules()]
        try:
            self.model.eval()
            if self.device.type == "cuda":
                # cuDNN may run float32 RNNs in TF32 (~1e-3 error); exact capture needs fp32.
                self._tf32 = (torch.backends.cudnn.allow_tf32,
                              torch.backends.cuda.matmul.allow_tf32)
                torch.backends.cudnn.allow_tf32 = False
                torch.backends.cuda.matmul.allow_tf32 = False
            for name, mod in self._modules.items():
                self._handles.append(
                    mod.register_forward_hook(partial(self._hook, name), with_kwargs=True)
                )
        except BaseException:
            self._restore()
            raise
        self._active = True
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._restore()

    def _restore(self) -> None:
        self._active = False
        self._recording = False
        self._calls = {}
        while self._handles:
            self._handles.pop().remove()
        for mod, flag in self._flags:
            mod.training = flag  # per module: .train() would recurse and overwrite children
        self._flags = []
        if self._tf32 is not None:
            torch.backends.cudnn.allow_tf32, torch.backends.cuda.matmul.allow_tf32 = self._tf32
            self._tf32 = None

    # -- public -------------------------------------------------------------------------

    def kinds(self, key: LayerKey) -> list[str]:
        """State kinds recorded at a layer.

        Parameters
        ----------
        key : LayerKey
            One of the recorder's ``layers``.

        Returns
        -------
        kinds : list of str
            ``"h"``, ``"c"`` and gate names. A custom cell's ``"c"`` is known only after the
            first [`record`][rnnvis_widget.StateRecorder.record] call.

        Raises
        ------
        KeyError
            If ``key`` is not recorded here.
        """
        if key not in self._kinds:
            raise KeyError(f"{key} is not recorded here; recorded: {[str(k) for k in self.layers]}")
        return list(self._kinds[key])

    def record(self, batch: Batch, forward: Forward | None = None) -> StepBatch:
        """Run the model on one batch under inference mode and return every recorded state.

        Parameters
        ----------
        batch : Batch
            The batch, on any device; the forward pass gets it on the recorder's device.
        forward : callable, optional
            ``forward(model, batch_on_device)`` runs the model; default ``model(batch.ids)``.

        Returns
        -------
        StepBatch
            Every recorded state of the batch, aligned with ``batch.ids``.

        Raises
        ------
        CaptureError
            Naming the module, if a module was never called, its steps do not line up with
            the batch's tokens, or recomputed states disagree with its own output.
        RuntimeError
            If the recorder is used outside a ``with`` block.
        """
        if not self._active:
            raise RuntimeError(
                "use StateRecorder as a context manager: `with StateRecorder(model) as rec:`"
            )
        fwd = forward if forward is not None else _default_forward
        self._calls = {name: [] for name in self._modules}
        self._steps_needed = int(batch.lengths.max())
        self._recording = True
        try:
            with torch.inference_mode():
                try:
                    fwd(self.model, batch.to(self.device))
                except _EveryStateRecorded:
                    pass
            calls = self._calls
        finally:
            self._recording = False
            self._calls = {}
        out = StepBatch(batch=batch)
        mask = batch.mask()
        pad = None if bool(mask.all()) else ~mask[:, :, None]
        pending: set[torch.device] = set()  # CUDA devices with copies to the host in flight
        for name, mod_calls in calls.items():
            if not mod_calls:
                raise CaptureError(
                    f"module {name!r} was never called by the forward pass, so it has no states "
                    "for this batch. Pass forward=callable(model, batch) that runs it, or select "
                    "only the modules your forward uses with modules=[...]."
                )
            if isinstance(mod_calls[0], Recorded):
                per_layer = self._join_fused(name, mod_calls, batch)
            else:
                per_layer = self._join_cells(name, mod_calls, batch)
            for (layer, d), (states, initial) in per_layer.items():
                key = LayerKey(name, layer, d)
                if self.keep_on_device and next(iter(states.values())).device.type != "cpu":
                    out.states[key] = {k: _on_device(v, pad) for k, v in states.items()}
                    out.initial[key] = {k: v.to(dtype=torch.float32, copy=True) for k, v in initial.items()}
                else:
                    out.states[key] = {k: _to_user(v, pad, pending) for k, v in states.items()}
                    out.initial[key] = {k: _to_cpu(v) for k, v in initial.items()}
                if "c" in states and "c" not in self._kinds[key]:
                    self._kinds[key].insert(1, "c")
        for device in pending:
            torch.cuda.synchronize(device)
        return out

    # -- internals ----------------------------------------------------------------------

    def _hook(
        self, name: str, module: nn.Module, args: tuple[Any, ...], kwargs: dict[str, Any],
        output: Any,
    ) -> None:
        if not self._recording:
            return
        scan = scan_family(module)
        if scan is not None:
            rec: Recorded | CellStep = scan.capture(module, name, args, kwargs, output, self.gates)
        elif isinstance(module, FUSED_TYPES):
            rec = capture_fused(module, name, args, kwargs, output, self.gates)
        else:
            step = len(self._calls[name])
            rec = capture_cell_call(module, name, args, kwargs, output, self.gates, step)
        self._calls[name].append(rec)
        if self.stop_early and self._every_state_recorded():
            # Nothing after the recorded modules matters to the states: skip the rest of the
            # forward (often a large softmax read-out). The module itself has already run, so
            # the exactness check above was made against its real output.
            raise _EveryStateRecorded

    def _every_state_recorded(self) -> bool:
        """Whether the forward pass may end now.

        Returns
        -------
        bool
            True once every recorded module is a fused one that has covered all the batch's
            steps. Cells run once per step, so a cell loop never ends the forward early.
        """
        for calls in self._calls.values():
            if not calls or not all(isinstance(c, Recorded) for c in calls):
                return False
            steps = sum(next(iter(c.states.values()))["h"].shape[0] for c in calls if isinstance(c, Recorded))
            if steps < self._steps_needed:
                return False
        return True

    def _join_fused(
        self, name: str, calls: Sequence[Recorded | CellStep], batch: Batch
    ) -> dict[tuple[int, int], tuple[dict[str, Tensor], dict[str, Tensor]]]:
        recs = [c for c in calls if isinstance(c, Recorded)]
        result = {}
        for key in recs[0].states:
            states = {k: torch.cat([r.states[key][k] for r in recs]) for k in recs[0].states[key]}
            result[key] = (states, dict(recs[0].initial[key]))
        n_steps, n_batch = next(iter(result.values()))[0]["h"].shape[:2]
        self._check_shape(name, n_steps, n_batch, batch)
        if len(recs) == 1 and recs[0].lengths is not None:
            lengths = recs[0].lengths
            if not torch.equal(lengths.cpu(), batch.lengths.cpu()):
                raise CaptureAlignmentError(
                    f"module {name!r} got a PackedSequence with lengths {lengths.tolist()[:8]}... "
                    f"but the batch's lengths are {batch.lengths.tolist()[:8]}...; its steps "
                    "cannot be aligned with the tokens. Pack with the batch's own lengths."
                )
        if recs[0].padded_backward:
            for (_, d), (states, initial) in result.items():
                if d == 1:
                    _backward_initial(states, initial, batch.lengths)
        return {k: (_fit(s, batch), i) for k, (s, i) in result.items()}

    def _join_cells(
        self, name: str, calls: Sequence[Recorded | CellStep], batch: Batch
    ) -> dict[tuple[int, int], tuple[dict[str, Tensor], dict[str, Tensor]]]:
        steps = [c for c in calls if isinstance(c, CellStep)]
        has_c = [s.c is not None for s in steps]
        if any(has_c) and not all(has_c):
            raise CaptureAlignmentError(
                f"module {name!r} returned (h, c) on some calls and h alone on others"
            )
        shapes = {tuple(s.h.shape) for s in steps}
        if len(shapes) > 1:
            raise CaptureAlignmentError(
                f"module {name!r} returned states of different shapes {sorted(shapes)} across "
                "calls; a recorded cell must be called once per time step on the whole batch."
            )
        self._check_shape(name, len(steps), steps[0].h.shape[0], batch)
        states = {"h": torch.stack([s.h for s in steps])}
        first = steps[0]
        initial = {"h": first.h0 if first.h0 is not None else torch.zeros_like(first.h)}
        if all(has_c):
            states["c"] = torch.stack([s.c for s in steps if s.c is not None])
            c_ref = states["c"][0]
            initial["c"] = first.c0 if first.c0 is not None else torch.zeros_like(c_ref)
        for kind in first.gates:
            states[kind] = torch.stack([s.gates[kind] for s in steps])
        return {(0, 0): (_fit(states, batch), initial)}

    @staticmethod
    def _check_shape(name: str, n_steps: int, n_batch: int, batch: Batch) -> None:
        if n_batch != batch.batch_size:
            raise CaptureAlignmentError(
                f"module {name!r} was run on a batch of {n_batch} sequences, but the batch has "
                f"{batch.batch_size}; forward must feed all rows of batch.ids in order (check "
                "batch_first) so that states line up with tokens."
            )
        longest = int(batch.lengths.max())
        if not longest <= n_steps <= batch.max_len:
            raise CaptureAlignmentError(
                f"module {name!r} ran {n_steps} time steps, but the batch has {batch.max_len} "
                f"token positions (longest sequence {longest}); its steps cannot be aligned one "
                "to one with the tokens. Make forward run it once per token (no extra BOS/EOS "
                "steps, no truncation), or leave it out with modules=[...]."
            )


class _EveryStateRecorded(BaseException):
    """Ends a forward pass once every state is recorded. A BaseException, so that a user's
    `except Exception` inside forward does not swallow it."""


def _backward_initial(states: dict[str, Tensor], initial: dict[str, Tensor],
                      lengths: Tensor) -> None:
    """Fix the initial states of direction 1 over padded input, in place.

    Direction 1 starts at the padded end, so the state before a sequence's last real token is
    the state at position ``lengths[b]`` (if that position exists).

    Parameters
    ----------
    states : dict of str to Tensor
        Kind to tensor of shape (T, B, H), time-major.
    initial : dict of str to Tensor
        Kind to tensor of shape (B, H); overwritten where a sequence has padding.
    lengths : Tensor of shape (B,), int64
    """
    for kind in list(initial):
        seq = states[kind]  # [T, B, H]
        n_steps = seq.shape[0]
        lens = lengths.to(seq.device)
        has_pad = lens < n_steps
        idx = lens.clamp(max=n_steps - 1)[None, :, None].expand(1, -1, seq.shape[-1])
        after = seq.gather(0, idx).squeeze(0)
        initial[kind] = torch.where(has_pad[:, None], after, initial[kind])


def _fit(states: dict[str, Tensor], batch: Batch) -> dict[str, Tensor]:
    """Zero-pad time-major states to the batch's padded length.

    Parameters
    ----------
    states : dict of str to Tensor
        Kind to tensor of shape (T', B, H), with ``T'`` at least the longest sequence.
    batch : Batch

    Returns
    -------
    dict of str to Tensor
        Kind to tensor of shape (T, B, H), ``T = batch.max_len``.
    """
    out = {}
    for kind, seq in states.items():
        missing = batch.max_len - seq.shape[0]
        if missing > 0:
            seq = torch.cat([seq, seq.new_zeros(missing, *seq.shape[1:])])
        out[kind] = seq
    return out


def _to_user(seq: Tensor, pad: Tensor | None, pending: set[torch.device]) -> Tensor:
    """Copy time-major states on any device to a batch-major CPU tensor, zero where padded.

    Runs outside inference mode, so the result is an ordinary tensor the caller may modify.
    From a CUDA device the layout change and the zeroing happen there, and the copy goes to
    page-locked host memory without waiting; the device is added to ``pending``, and the
    caller must synchronise it before the result is read. On an H100, copies to ordinary
    (pageable) host memory were 6.7 of capture's 14.4 ms per 64 x 35 batch of a 2 x 600 LSTM;
    with this, capture of 100k tokens went from 0.58 s to 0.46 s.

    Parameters
    ----------
    seq : Tensor of shape (T, B, H)
    pad : Tensor of shape (B, T, 1), bool, or None
        True at padding positions; None if the batch has no padding.
    pending : set of torch.device
        Collects the CUDA devices whose copies are still in flight.

    Returns
    -------
    Tensor of shape (B, T, H), float32
        Contiguous, on the CPU.
    """
    if seq.device.type == "cuda":
        seq = seq.transpose(0, 1).to(dtype=torch.float32, memory_format=torch.contiguous_format)
        if pad is not None:
            seq = seq.masked_fill(pad.to(seq.device), 0.0)
        host = torch.empty(seq.shape, dtype=torch.float32, pin_memory=True)
        host.copy_(seq, non_blocking=True)
        pending.add(seq.device)
        return host
    out = seq.transpose(0, 1).to(
        device="cpu", dtype=torch.float32, memory_format=torch.contiguous_format, copy=True
    )
    return out.masked_fill_(pad, 0.0) if pad is not None else out


def _on_device(seq: Tensor, pad: Tensor | None) -> Tensor:
    """Batch-major float32 copy on the same device, zero where padded.

    Parameters
    ----------
    seq : Tensor of shape (T, B, H)
    pad : Tensor of shape (B, T, 1), bool, or None
        True at padding positions; None if the batch has no padding.

    Returns
    -------
    Tensor of shape (B, T, H), float32
        Contiguous, on ``seq``'s device.
    """
    out = seq.transpose(0, 1).to(dtype=torch.float32, memory_format=torch.contiguous_format, copy=True)
    return out.masked_fill_(pad.to(out.device), 0.0) if pad is not None else out


def _to_cpu(t: Tensor) -> Tensor:
    return t.to(device="cpu", dtype=torch.float32, copy=True)
