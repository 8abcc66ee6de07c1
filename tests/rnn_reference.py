"""A plain, step-by-step reference for nn.RNN/LSTM/GRU written from the textbook equations.

Deliberately independent of rnnvis_widget.capture: it loops over sequences, directions and
steps one at a time in float64, reading only the module's parameters.
"""

from __future__ import annotations

import torch
from torch import nn


def _w(module: nn.Module, name: str) -> torch.Tensor | None:
    p = getattr(module, name, None)
    return None if p is None else p.detach().double()


def cell_step(kind: str, x, h, c, w_ih, w_hh, b_ih, b_hh, w_hr, hidden: int, relu: bool):
    """One step of the textbook recurrence for one sequence (all vectors 1-D, float64).

    Returns h, c and the gates as a dict.
    """
    sig = torch.sigmoid
    gi = w_ih @ x + (b_ih if b_ih is not None else 0)
    gh = w_hh @ h + (b_hh if b_hh is not None else 0)
    H = hidden
    if kind == "LSTM":
        i = sig(gi[0:H] + gh[0:H])
        f = sig(gi[H : 2 * H] + gh[H : 2 * H])
        g = torch.tanh(gi[2 * H : 3 * H] + gh[2 * H : 3 * H])
        o = sig(gi[3 * H :] + gh[3 * H :])
        c = f * c + i * g
        h = o * torch.tanh(c)
        if w_hr is not None:
            h = w_hr @ h
        return h, c, {"i": i, "f": f, "g": g, "o": o}
    if kind == "GRU":
        r = sig(gi[0:H] + gh[0:H])
        z = sig(gi[H : 2 * H] + gh[H : 2 * H])
        n = torch.tanh(gi[2 * H :] + r * gh[2 * H :])
        h = (1 - z) * n + z * h
        return h, None, {"r": r, "z": z, "n": n}
    pre = gi + gh
    return (torch.relu(pre) if relu else torch.tanh(pre)), None, {}


def reference(module: nn.Module, x: torch.Tensor, lengths: list[int], packed: bool,
              hx=None):
    """States of every layer/direction of a fused module.

    x: [B, T, F] batch-major input (the module's input before any packing/transposing).
    packed: True if the module sees a PackedSequence (each sequence runs only its length);
            False if it sees the padded tensor (all T steps, both directions).
    hx: None or h0 [L*D, B, Hout] / (h0, c0).
    Returns (states, initial): states[(layer, d)][kind] -> [B, T, H] float64 with zeros at
    t >= lengths[b]; initial[(layer, d)][kind] -> [B, H] (state before the first recorded
    step of each sequence in that direction).
    """
    kind = type(module).__name__
    kind = {"RNN": "RNN", "LSTM": "LSTM", "GRU": "GRU"}[kind]
    relu = getattr(module, "nonlinearity", "tanh") == "relu"
    B, T, _ = x.shape
    D = 2 if module.bidirectional else 1
    H = module.hidden_size
    Hout = module.proj_size or H
    h0_all = c0_all = None
    if hx is not None:
        h0_all, c0_all = hx if isinstance(hx, tuple) else (hx, None)
    states: dict = {}
    initial: dict = {}
    layer_in = x.double()
    for layer in range(module.num_layers):
        outs = []
        for d in range(D):
            sfx = f"_l{layer}" + ("_reverse" if d else "")
            w = [_w(module, n + sfx) for n in ("weight_ih", "weight_hh", "bias_ih", "bias_hh",
                                                 "weight_hr")]
            seqs: dict[str, torch.Tensor] = {}
            init: dict[str, torch.Tensor] = {}
            out_d = torch.zeros(B, T, Hout, dtype=torch.float64)
            for b in range(B):
                n_run = lengths[b] if packed else T
                h = (h0_all[layer * D + d, b].double() if h0_all is not None
                     else torch.zeros(Hout, dtype=torch.float64))
                c = (c0_all[layer * D + d, b].double() if c0_all is not None
                     else torch.zeros(H, dtype=torch.float64))
                order = range(n_run) if d == 0 else range(n_run - 1, -1, -1)
                init_b = {"h": h, "c": c}
                for t in order:
                    if d == 1 and t == lengths[b] - 1:
                        init_b = {"h": h, "c": c}  # state before the last real token
                    h, c, gates = cell_step(kind, layer_in[b, t], h, c, *w, hidden=H,
                                            relu=relu)
                    out_d[b, t] = h
                    step = {"h": h, **gates}
                    if c is not None:
                        step["c"] = c
                    for k, v in step.items():
                        if k not in seqs:
                            seqs[k] = torch.zeros(B, T, v.shape[0], dtype=torch.float64)
                        if t < lengths[b]:
                            seqs[k][b, t] = v
                for k in ("h", "c") if kind == "LSTM" else ("h",):
                    init.setdefault(k, torch.zeros(B, init_b[k].shape[0], dtype=torch.float64))
                    init[k][b] = init_b[k]
            states[(layer, d)] = seqs
            initial[(layer, d)] = init
            outs.append(out_d)
        layer_in = torch.cat(outs, dim=-1)
    return states, initial
