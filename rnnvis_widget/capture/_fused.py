"""Recompute every layer's states of a fused ``nn.RNN`` / ``nn.LSTM`` / ``nn.GRU`` call.

A forward hook on a fused module sees only the input, the optional ``hx``, the last layer's
output and the final states. From the module's own weights this file rebuilds, per layer and
direction, the state at every step:

* inner layers: on the CPU, one step loop over time per layer (both directions advance
  together through a batched matmul); the input projection of all steps is one matrix product
  up front, and the gate pre-activations fall out of the loop for free. On a GPU, where such a
  loop is hundreds of tiny kernel launches, the module's own kernel runs the layer alone and
  the layer is then treated like the last one (below);
* the last layer: its h is the module's own output, so the gates of all steps are two matrix
  products (input and previous h); LSTM's c is a short element-wise loop c = f*c + i*g.

Then the recomputed h of the last layer (from our inner layers' outputs and our c) is compared
with the module's output, and every layer's final h (and c) with the module's ``h_n`` /
``c_n``; a disagreement raises `CaptureMismatchError` naming the module. Before that, a NaN or
inf in any recomputed state raises `NonFiniteStateError` naming where it first appeared.

Everything here runs on the module's device, in the module's dtype, time-major, in "processing
order" (direction 1 reversed in time), with a [D, T, B, ...] leading direction axis.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import torch
from torch import Tensor, nn
from torch.nn.utils.rnn import PackedSequence, pad_packed_sequence

from ._modules import check_close, family, first_non_finite, hidden_size, non_finite_message
from .types import GATE_KINDS, NonFiniteStateError

__all__ = ["FUSED_TYPES", "Recorded", "capture_fused"]

FUSED_TYPES = (nn.RNN, nn.LSTM, nn.GRU)

#: Device types on which an inner layer's h comes from the module's own kernel run on that
#: layer alone (then gates and c as for the last layer) instead of a step loop. The loop does
#: the recurrent matrix products once and the kernel route twice: on 2 CPU cores capture of a
#: 64 x 35 batch of a 2 x 600 LSTM took 290 ms by loop and 314-360 ms by kernel; on an H100 the
#: loop's many small launches cost more, 10.0 ms against 7.9 ms.
KERNEL_PER_LAYER_DEVICES: frozenset[str] = frozenset({"cuda"})


@dataclass
class Recorded:
    """States of one call of a recorded module, on the module's device.

    Attributes
    ----------
    states : dict of (int, int) to dict of str to Tensor
        ``states[(layer, direction)][kind]`` has shape (T, B, H_kind), time-major, in time
        order.
    initial : dict of (int, int) to dict of str to Tensor
        ``initial[(layer, direction)][kind]`` has shape (B, H), for ``"h"`` and, for LSTM,
        ``"c"``: the given ``hx`` or zeros.
    lengths : Tensor of shape (B,), int64, on the CPU, or None
        Set when the input was a PackedSequence (padding skipped), else None.
    padded_backward : bool
        True if direction 1 ran over padding (unpacked padded input), so the recorder must
        take a sequence's initial backward state from position ``lengths[b]``.
    """

    states: dict[tuple[int, int], dict[str, Tensor]] = field(default_factory=dict)
    initial: dict[tuple[int, int], dict[str, Tensor]] = field(default_factory=dict)
    lengths: Tensor | None = None
    padded_backward: bool = False


def _activation(module: nn.Module) -> Callable[[Tensor], Tensor]:
    return torch.relu if getattr(module, "nonlinearity", "tanh") == "relu" else torch.tanh


@dataclass
class _Params:
    """One layer's weights, stacked over directions ``D``.

    Attributes
    ----------
    w_ih : Tensor of shape (D, G, F)
        Input weights; ``G`` is the gate width (4H for LSTM, 3H for GRU, H for RNN) and ``F``
        the layer's input width.
    w_hh : Tensor of shape (D, G, Hout)
        Recurrent weights.
    b_ih, b_hh : Tensor of shape (D, G) or None
        Biases; None for ``bias=False``.
    w_hr : Tensor of shape (D, Hout, H) or None
        LSTM projection weights; None without ``proj_size``.
    """

    w_ih: Tensor
    w_hh: Tensor
    b_ih: Tensor | None
    b_hh: Tensor | None
    w_hr: Tensor | None


def _layer_params(module: nn.Module, layer: int, n_dir: int) -> _Params:
    def stack(kind: str) -> Tensor | None:
        names = [f"{kind}_l{layer}{'_reverse' if d else ''}" for d in range(n_dir)]
        found = [getattr(module, n, None) for n in names]
        if any(t is None for t in found):
            return None
        tensors = [t.detach() for t in found if t is not None]
        return tensors[0].unsqueeze(0) if n_dir == 1 else torch.stack(tensors)

    w_ih, w_hh = stack("weight_ih"), stack("weight_hh")
    assert w_ih is not None and w_hh is not None, "standard RNN modules always have weights"
    w_hr = stack("weight_hr") if getattr(module, "proj_size", 0) else None
    b_ih, b_hh = (stack("bias_ih"), stack("bias_hh")) if module.bias else (None, None)
    return _Params(w_ih, w_hh, b_ih, b_hh, w_hr)


def _linear(x: Tensor, w: Tensor, b: Tensor | None) -> Tensor:
    """``x[d] @ w[d].T + b[d]`` for every direction ``d``, one batched matmul for all.

    Parameters
    ----------
    x : Tensor of shape (D, ..., F)
    w : Tensor of shape (D, G, F)
    b : Tensor of shape (D, G) or None

    Returns
    -------
    Tensor of shape (D, ..., G)
    """
    shape = x.shape
    flat = x.reshape(shape[0], -1, shape[-1])
    if b is None:
        y = torch.bmm(flat, w.transpose(1, 2))
    else:
        y = torch.baddbmm(b[:, None, :], flat, w.transpose(1, 2))
    return y.reshape(*shape[:-1], w.shape[1])


def _proc(x: Tensor, n_dir: int) -> Tensor:
    """Time order to processing order (direction 1 reversed in time).

    Parameters
    ----------
    x : Tensor of shape (T, ...)
    n_dir : int
        Number of directions ``D``, 1 or 2.

    Returns
    -------
    Tensor of shape (D, T, ...)
    """
    return torch.stack([x, x.flip(0)]) if n_dir == 2 else x.unsqueeze(0)


def _unproc(x: Tensor, d: int) -> Tensor:
    """Processing order of direction d -> time order."""
    return x.flip(0) if d else x


def _run_layer(
    module: nn.Module, p: _Params, xg: Tensor, h0: Tensor, c0: Tensor | None,
    valid: Tensor | None, want_gates: bool,
) -> tuple[Tensor, Tensor | None, Tensor | None]:
    """Step loop for an inner layer.

    Parameters
    ----------
    module : torch.nn.Module
        The fused module.
    p : _Params
        The layer's weights.
    xg : Tensor of shape (D, T, B, G)
        Input projections in processing order, with ``b_ih`` (and, for LSTM and RNN, ``b_hh``)
        folded in (see `_input_gates`); overwritten with the gate pre-activations.
    h0 : Tensor of shape (D, B, Hout)
    c0 : Tensor of shape (D, B, H) or None
    valid : Tensor of shape (D, T, B, 1), bool, or None
        Packed input: hold the state where False.
    want_gates : bool

    Returns
    -------
    h : Tensor of shape (D, T, B, Hout)
    c : Tensor of shape (D, T, B, H) or None
    gates : Tensor of shape (D, T, B, G) or None
        Activated gates, if asked for (never for RNN).
    """
    fam = family(module)
    n_dir, n_steps = xg.shape[0], xg.shape[1]
    w_hh_t = p.w_hh.transpose(1, 2)
    w_hr_t = p.w_hr.transpose(1, 2) if p.w_hr is not None else None
    hs = xg.new_empty(n_dir, n_steps, *h0.shape[1:])
    cs = xg.new_empty(n_dir, n_steps, *c0.shape[1:]) if c0 is not None else None
    gru_gates = torch.empty_like(xg) if want_gates and fam == "GRU" else None
    act = _activation(module)
    h, c = h0, c0
    hid = hidden_size(module)
    for s in range(n_steps):
        c_new: Tensor | None = None
        if fam == "LSTM":
            assert c is not None and cs is not None
            pre = xg[:, s].baddbmm_(h, w_hh_t)  # both biases are already in xg
            sig = pre.sigmoid()
            g = pre[..., 2 * hid : 3 * hid].tanh()
            if valid is None and w_hr_t is None:
                # Common case: write c and h straight into the outputs, no copies.
                c = torch.mul(sig[..., hid : 2 * hid], c, out=cs[:, s]).addcmul_(sig[..., :hid], g)
                h = torch.mul(sig[..., 3 * hid :], c.tanh(), out=hs[:, s])
                continue
            c_new = torch.addcmul(sig[..., hid : 2 * hid] * c, sig[..., :hid], g)
            h_new = sig[..., 3 * hid :] * c_new.tanh()
            if w_hr_t is not None:
                h_new = torch.bmm(h_new, w_hr_t)
        elif fam == "GRU":
            if p.b_hh is not None:
                hg = torch.baddbmm(p.b_hh[:, None, :], h, w_hh_t)
            else:
                hg = torch.bmm(h, w_hh_t)
            xi = xg[:, s]
            rz = (xi[..., : 2 * hid] + hg[..., : 2 * hid]).sigmoid_()
            n = torch.addcmul(xi[..., 2 * hid :], rz[..., :hid], hg[..., 2 * hid :]).tanh_()
            h_new = torch.addcmul(n, rz[..., hid:], h - n)
            if gru_gates is not None:
                gru_gates[:, s, :, : 2 * hid] = rz
                gru_gates[:, s, :, 2 * hid :] = n
        else:
            h_new = act(xg[:, s].baddbmm_(h, w_hh_t))
        if valid is not None:
            v = valid[:, s]
            h = torch.where(v, h_new, h)
            if c is not None and c_new is not None:
                c = torch.where(v, c_new, c)
        else:
            h, c = h_new, c_new
        hs[:, s] = h
        if cs is not None and c is not None:
            cs[:, s] = c
    if not want_gates or fam == "RNN":
        return hs, cs, None
    if fam == "GRU":
        return hs, cs, gru_gates
    return hs, cs, _lstm_activate(xg, hid)


def _lstm_activate(pre: Tensor, hid: int) -> Tensor:
    """LSTM pre-activations to gates, in place: sigmoid for i, f, o; tanh for g.

    Parameters
    ----------
    pre : Tensor of shape (..., 4 * hid)
    hid : int
        Hidden size ``H``.

    Returns
    -------
    Tensor of shape (..., 4 * hid)
        ``pre`` itself, overwritten.
    """
    g = pre[..., 2 * hid : 3 * hid].tanh()
    pre.sigmoid_()
    pre[..., 2 * hid : 3 * hid] = g
    return pre


def _input_gates(module: nn.Module, p: _Params, inp: Tensor) -> Tensor:
    """Input projections of a layer, in processing order.

    LSTM and RNN add ``b_hh`` here too, saving one pass per step; GRU cannot, since its
    candidate gate multiplies ``W_hn h + b_hn`` by ``r``.

    Parameters
    ----------
    module : torch.nn.Module
    p : _Params
    inp : Tensor of shape (T, B, F)
        The layer's input, time-major.

    Returns
    -------
    Tensor of shape (D, T, B, G)
    """
    bias = p.b_ih
    if family(module) != "GRU" and p.b_hh is not None:
        bias = p.b_ih + p.b_hh if p.b_ih is not None else p.b_hh
    return _linear(_proc(inp, p.w_ih.shape[0]), p.w_ih, bias)


def _layer_by_kernel(
    module: nn.Module, p: _Params, inp: Tensor, h0: Tensor, c0: Tensor | None
) -> Tensor:
    """h of one inner layer from the module's own kernel (cuDNN on a GPU) run on it alone.

    Parameters
    ----------
    module : torch.nn.Module
    p : _Params
    inp : Tensor of shape (T, B, F)
        The layer's input, time-major.
    h0 : Tensor of shape (D, B, Hout)
    c0 : Tensor of shape (D, B, H) or None

    Returns
    -------
    Tensor of shape (D, T, B, Hout)
        In processing order.
    """
    n_dir = p.w_ih.shape[0]
    per_direction = (p.w_ih, p.w_hh, p.b_ih, p.b_hh, p.w_hr)  # the kernel's weight order
    weights = [w[d] for d in range(n_dir) for w in per_direction if w is not None]
    h0 = h0.contiguous()
    fam = family(module)
    with warnings.catch_warnings():
        # Weights picked out of a multi-layer module are not one flat cuDNN buffer, so cuDNN
        # warns that it compacts them on each call; for one layer's weights that is cheap.
        warnings.filterwarnings("ignore", message=".*contiguous chunk of memory.*")
        if fam == "LSTM":
            assert c0 is not None
            out = torch.lstm(inp, (h0, c0.contiguous()), weights, bool(module.bias), 1, 0.0,
                             False, n_dir == 2, False)[0]
        else:
            run = {"GRU": torch.gru, "RNN": torch.rnn_tanh}[fam]
            if getattr(module, "nonlinearity", "tanh") == "relu":
                run = torch.rnn_relu
            out = run(inp, h0, weights, bool(module.bias), 1, 0.0, False, n_dir == 2, False)[0]
    h_out = h0.shape[-1]
    return torch.stack([out[..., :h_out], out[..., h_out:].flip(0)]) if n_dir == 2 else out.unsqueeze(0)


def _known_layer(
    module: nn.Module, p: _Params, xg: Tensor, h_seq: Tensor, h0: Tensor,
    c0: Tensor | None, valid: Tensor | None, want_gates: bool,
) -> tuple[Tensor | None, Tensor | None, Tensor]:
    """A layer whose h is known (the last layer's is the module's output): gates by matmuls,
    c by a short loop.

    The caller checks that the h implied by the recomputed gates (and c) equals ``h_seq``.

    Parameters
    ----------
    module : torch.nn.Module
    p : _Params
    xg : Tensor of shape (D, T, B, G)
        As for `_run_layer`; overwritten.
    h_seq : Tensor of shape (D, T, B, Hout)
        The known h, processing order.
    h0 : Tensor of shape (D, B, Hout)
    c0 : Tensor of shape (D, B, H) or None
    valid : Tensor of shape (D, T, B, 1), bool, or None
    want_gates : bool

    Returns
    -------
    c : Tensor of shape (D, T, B, H) or None
    gates : Tensor of shape (D, T, B, G) or None
        Activated gates, if asked for (never for RNN).
    implied_h : Tensor of shape (D, T, B, Hout)
        The h that the recomputed gates (and c) imply, to compare with ``h_seq``.
    """
    fam = family(module)
    n_dir, n_steps, n_batch = h_seq.shape[:3]
    h_prev = torch.cat([h0.unsqueeze(1), h_seq[:, :-1]], dim=1)
    if valid is not None:
        # A packed sequence's backward direction starts fresh from h0 at its last real token.
        prev_valid = torch.cat([torch.zeros_like(valid[:, :1]), valid[:, :-1]], dim=1)
        h_prev = torch.where(prev_valid, h_prev, h0.unsqueeze(1))
    hid = hidden_size(module)
    cs: Tensor | None = None
    gates: Tensor | None = None
    flat = (n_dir, n_steps * n_batch, -1)
    if fam == "LSTM":
        assert c0 is not None
        # xg already holds x W_ih^T + b_ih + b_hh; add h_prev W_hh^T in place.
        xg.view(flat).baddbmm_(h_prev.view(flat), p.w_hh.transpose(1, 2))
        gates = _lstm_activate(xg, hid)
        i, f, g, o = gates.split(hid, dim=-1)
        ig = i * g
        cs = torch.empty_like(ig)
        c = c0
        for s in range(n_steps):
            if valid is None:  # one kernel per step, written straight into the output
                c = torch.addcmul(ig[:, s], f[:, s], c, out=cs[:, s])
                continue
            c = torch.where(valid[:, s], torch.addcmul(ig[:, s], f[:, s], c), c)
            cs[:, s] = c
        h_chk = o * cs.tanh()
        if p.w_hr is not None:
            h_chk = _linear(h_chk, p.w_hr, None)
    elif fam == "GRU":
        hg = _linear(h_prev, p.w_hh, p.b_hh)
        rz = (xg[..., : 2 * hid] + hg[..., : 2 * hid]).sigmoid_()
        r, z = rz[..., :hid], rz[..., hid:]
        n = torch.addcmul(xg[..., 2 * hid :], r, hg[..., 2 * hid :]).tanh_()
        h_chk = torch.addcmul(n, z, h_prev - n)
        gates = torch.cat([rz, n], dim=-1) if want_gates else None
    else:
        xg.view(flat).baddbmm_(h_prev.view(flat), p.w_hh.transpose(1, 2))
        h_chk = _activation(module)(xg)
    return cs, (gates if want_gates and fam != "RNN" else None), h_chk


def _check_finite(
    module: nn.Module, name: str, layer: int, inputs: Tensor, states: dict[str, Tensor | None]
) -> None:
    """Raise `NonFiniteStateError` if a recomputed state of a layer holds NaN or inf.

    Runs before any comparison with the module's output, which a NaN would fail with a
    misleading message. Reports the earliest processed step of any direction and kind.

    Parameters
    ----------
    module : torch.nn.Module
    name : str
        The module's qualified name, for the message.
    layer : int
    inputs : Tensor of shape (T, B, F)
        The module's input, time-major, to tell a non-finite input from other causes.
    states : dict of str to Tensor of shape (D, T, B, H) or None
        The layer's states by kind, in processing order.
    """
    earliest: tuple[int, int, str, int, str] | None = None  # (step, row, what, direction, kind)
    for kind, seq in states.items():
        # One reduction, no mask: a NaN or inf anywhere makes the sum non-finite. (An overflowing
        # sum of finite values only costs the exact search below, which then finds nothing.)
        if seq is None or bool(torch.isfinite(seq.sum())):
            continue
        for d in range(seq.shape[0]):
            found = first_non_finite(seq[d])
            if found is not None and (earliest is None or found[0] < earliest[0]):
                earliest = (*found, d, kind)
    if earliest is None:
        return
    step, row, what, d, kind = earliest
    n_steps = inputs.shape[0]
    where = f"{kind} of layer {layer}, {'backward' if d else 'forward'} direction"
    # Direction 1 runs backward in time: its processing step s is token n_steps - 1 - s.
    token = n_steps - 1 - step if d else step
    raise NonFiniteStateError(non_finite_message(module, name, where, token, row, what, inputs))


def _final(seq: Tensor, lengths: Tensor | None, valid: Tensor | None) -> Tensor:
    """State after the last processed step.

    Parameters
    ----------
    seq : Tensor of shape (D, T, B, H)
        Processing order.
    lengths : Tensor of shape (B,) or None
    valid : Tensor of shape (D, T, B, 1), bool, or None
        For packed input; then each sequence ends at its own last real step.

    Returns
    -------
    Tensor of shape (D, B, H)
    """
    if valid is None or lengths is None:
        return seq[:, -1]
    # Direction 0 of a packed sequence ends at its last real token; direction 1 at t = 0.
    last = torch.stack([lengths - 1, torch.full_like(lengths, seq.shape[1] - 1)])[: seq.shape[0]]
    idx = last.to(seq.device)[:, None, :, None].expand(-1, 1, -1, seq.shape[-1])
    return seq.gather(1, idx).squeeze(1)


@dataclass
class _Call:
    """One call of a fused module, normalised: time-major, batched, states always present.

    Attributes
    ----------
    xs : Tensor of shape (T, B, F)
        The input.
    outs : Tensor of shape (T, B, D * Hout)
        The last layer's output.
    h0, h_n : Tensor of shape (L * D, B, Hout)
        Initial and final hidden states.
    c0, c_n : Tensor of shape (L * D, B, H) or None
        Initial and final cell states (LSTM).
    lengths : Tensor of shape (B,), int64, on the CPU, or None
        For packed input, else None.
    """

    xs: Tensor
    outs: Tensor
    h0: Tensor
    c0: Tensor | None
    h_n: Tensor
    c_n: Tensor | None
    lengths: Tensor | None


def _normalise(module: nn.Module, args: tuple[Any, ...], kwargs: dict[str, Any],
               output: Any) -> _Call:
    """Read input, hx and output of a hooked call the way the module itself read them."""
    fam = family(module)
    x = args[0] if args else kwargs["input"]
    hx = args[1] if len(args) > 1 else kwargs.get("hx")
    out, hn = output
    lengths: Tensor | None = None
    batched = True
    if isinstance(x, PackedSequence):
        # Original (unsorted) order; the module permutes hx and h_n to match it.
        xs, lengths = pad_packed_sequence(x)
        outs, _ = pad_packed_sequence(out, total_length=xs.shape[0])
    else:
        batched = x.dim() == 3
        xs, outs = (x, out) if batched else (x.unsqueeze(1), out.unsqueeze(1))
        if batched and module.batch_first:
            xs, outs = xs.transpose(0, 1), outs.transpose(0, 1)
    h_n, c_n = hn if fam == "LSTM" else (hn, None)
    h0, c0 = hx if isinstance(hx, tuple) else (hx, None)
    if not batched:  # unbatched call: states are [L*D, H]
        h_n, c_n, h0, c0 = (t.unsqueeze(1) if t is not None else None
                            for t in (h_n, c_n, h0, c0))
    assert h_n is not None
    if h0 is None:
        h0 = torch.zeros_like(h_n)
    if c_n is not None and c0 is None:
        c0 = torch.zeros_like(c_n)
    return _Call(xs, outs, h0, c0, h_n, c_n, lengths)


def capture_fused(
    module: nn.Module, name: str, args: tuple[Any, ...], kwargs: dict[str, Any], output: Any,
    want_gates: bool,
) -> Recorded:
    """Recompute all layers of one call of a fused RNN/LSTM/GRU from a forward hook's view.

    Parameters
    ----------
    module : nn.RNN, nn.LSTM or nn.GRU
    name : str
        Its qualified name, for error messages.
    args, kwargs : tuple, dict
        What the module was called with (input, optional ``hx``).
    output : Any
        What it returned.
    want_gates : bool

    Returns
    -------
    Recorded

    Raises
    ------
    NonFiniteStateError
        If a recomputed state holds NaN or inf.
    CaptureMismatchError
        If the recomputation disagrees with ``output``.
    """
    assert isinstance(module, FUSED_TYPES)
    call = _normalise(module, args, kwargs, output)
    fam = family(module)
    n_dir = 2 if module.bidirectional else 1
    n_layers = int(module.num_layers)
    hid = hidden_size(module)
    h_out = call.h_n.shape[-1]
    lengths = call.lengths
    valid: Tensor | None = None
    if lengths is not None:
        steps = torch.arange(call.xs.shape[0], device=call.xs.device)
        valid = _proc(steps[:, None] < lengths.to(call.xs.device)[None, :], n_dir)[..., None]
    rec = Recorded(lengths=lengths, padded_backward=lengths is None and n_dir == 2)
    inp = call.xs
    for layer in range(n_layers):
        p = _layer_params(module, layer, n_dir)
        sl = slice(layer * n_dir, (layer + 1) * n_dir)
        h0 = call.h0[sl]
        c0 = call.c0[sl] if call.c0 is not None else None
        xg = _input_gates(module, p, inp)
        implied_h: Tensor | None = None
        if layer < n_layers - 1 and valid is None and inp.device.type in KERNEL_PER_LAYER_DEVICES:
            h_seq = _layer_by_kernel(module, p, inp, h0, c0)
            c_seq, gates, implied_h = _known_layer(module, p, xg, h_seq, h0, c0, None, want_gates)
        elif layer < n_layers - 1:
            h_seq, c_seq, gates = _run_layer(module, p, xg, h0, c0, valid, want_gates)
        else:
            outs = call.outs
            h_seq = (torch.stack([outs[..., :h_out], outs[..., h_out:].flip(0)]) if n_dir == 2
                     else outs.unsqueeze(0))
            c_seq, gates, implied_h = _known_layer(module, p, xg, h_seq, h0, c0, valid, want_gates)
        kinds: dict[str, Tensor | None] = {"h": h_seq, "c": c_seq}
        if gates is not None:
            kinds.update(zip(GATE_KINDS[fam], gates.split(hid, dim=-1), strict=True))
        _check_finite(module, name, layer, call.xs, kinds)
        if implied_h is not None:
            check_close(name, f"outputs of layer {layer}", implied_h, h_seq, valid)
        check_close(name, f"final h of layer {layer}", _final(h_seq, lengths, valid),
                    call.h_n[sl])
        if c_seq is not None and call.c_n is not None:
            check_close(name, f"final c of layer {layer}", _final(c_seq, lengths, valid),
                        call.c_n[sl])
        for d in range(n_dir):
            st = {"h": _unproc(h_seq[d], d)}
            init = {"h": h0[d]}
            if c_seq is not None and c0 is not None:
                st["c"] = _unproc(c_seq[d], d)
                init["c"] = c0[d]
            if gates is not None:
                for k, g in zip(GATE_KINDS[fam], gates[d].split(hid, dim=-1), strict=True):
                    st[k] = _unproc(g, d)
            rec.states[(layer, d)] = st
            rec.initial[(layer, d)] = init
        if layer < n_layers - 1:
            inp = torch.cat([rec.states[(layer, d)]["h"] for d in range(n_dir)], dim=-1)
    return rec
