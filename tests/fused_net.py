"""The small fused-RNN model the capture and trace tests run: embedding -> nn.RNN/LSTM/GRU ->
a linear read-out of every step, optionally packing its input."""

from __future__ import annotations

import torch
from torch import nn
from torch.nn.utils.rnn import pack_padded_sequence


class FusedNet(nn.Module):
    """``kind`` is "LSTM", "GRU", "RNN_TANH" or "RNN_RELU"; ``n_out`` read-out units (default
    ``vocab``). A packed net returns the sum of its packed output (a scalar)."""

    def __init__(self, kind: str = "LSTM", hidden: int = 5, layers: int = 1, bidir: bool = False,
                 batch_first: bool = True, proj: int = 0, bias: bool = True,
                 packed: bool = False, dropout: float = 0.0, *, vocab: int = 11, emb: int = 4,
                 n_out: int | None = None) -> None:
        super().__init__()
        self.emb = nn.Embedding(vocab, emb)
        self.batch_first = batch_first
        self.packed = packed
        kw = dict(num_layers=layers, bidirectional=bidir, batch_first=batch_first, bias=bias,
                  dropout=dropout if layers > 1 else 0.0)
        if kind == "LSTM":
            self.rnn: nn.RNNBase = nn.LSTM(emb, hidden, proj_size=proj, **kw)
        elif kind == "GRU":
            self.rnn = nn.GRU(emb, hidden, **kw)
        else:
            self.rnn = nn.RNN(emb, hidden, nonlinearity=kind.split("_")[1].lower(), **kw)
        self.out = nn.Linear((proj or hidden) * (2 if bidir else 1), n_out or vocab)

    def embed(self, ids: torch.Tensor) -> torch.Tensor:
        return self.emb(ids)

    def forward(self, ids: torch.Tensor, lengths: torch.Tensor | None = None,
                hx: object = None) -> torch.Tensor:
        x = self.emb(ids)
        if not self.batch_first:
            x = x.transpose(0, 1)
        if self.packed:
            assert lengths is not None
            packed = pack_padded_sequence(x, lengths.cpu(), batch_first=self.batch_first,
                                          enforce_sorted=False)
            out, _ = self.rnn(packed, hx)
            return out.data.sum()
        out, _ = self.rnn(x, hx)
        return self.out(out)
