"""Cells called in Python loops, named custom cells, several modules, step-by-step fused calls."""

from __future__ import annotations

import pytest
import torch
from rnn_reference import cell_step, reference
from torch import nn

from rnnvis_widget.capture import CaptureError, LayerKey, StateRecorder
from rnnvis_widget.capture.batches import Batch

VOCAB, EMB, HID = 9, 4, 5


def batch_of(lengths: list[int], seed: int = 0) -> Batch:
    g = torch.Generator().manual_seed(seed)
    ids = torch.randint(1, VOCAB, (len(lengths), max(lengths)), generator=g)
    lens = torch.tensor(lengths)
    ids[torch.arange(ids.shape[1])[None, :] >= lens[:, None]] = 0
    return Batch(ids, lens)


class CellLoop(nn.Module):
    """Embedding, then a standard cell called once per step over all T positions."""

    def __init__(self, kind: str, pass_hx: bool = True) -> None:
        super().__init__()
        self.emb = nn.Embedding(VOCAB, EMB)
        self.cell = {"LSTM": nn.LSTMCell, "GRU": nn.GRUCell, "RNN": nn.RNNCell}[kind](EMB, HID)
        self.kind = kind
        self.pass_hx = pass_hx
        self.h0 = torch.randn(1, HID)

    def forward(self, ids: torch.Tensor) -> torch.Tensor:
        x = self.emb(ids)
        B = ids.shape[0]
        h = self.h0.expand(B, HID).contiguous()
        state: object = (h, torch.zeros(B, HID)) if self.kind == "LSTM" else h
        outs = []
        for t in range(ids.shape[1]):
            if self.pass_hx or t > 0:
                state = self.cell(x[:, t], state)
            else:
                state = self.cell(x[:, t])
            outs.append(state[0] if isinstance(state, tuple) else state)
        return torch.stack(outs, 1)


def expected_cell(model: CellLoop, batch: Batch) -> dict[str, torch.Tensor]:
    """Textbook loop (tests/rnn_reference.cell_step) over one sequence at a time."""
    cell = model.cell
    w = [getattr(cell, n).detach().double()
         for n in ("weight_ih", "weight_hh", "bias_ih", "bias_hh")]
    x = model.emb(batch.ids).detach().double()
    B, T = batch.ids.shape
    out: dict[str, torch.Tensor] = {}
    for b in range(B):
        h = model.h0[0].double() if model.pass_hx else torch.zeros(HID, dtype=torch.float64)
        c = torch.zeros(HID, dtype=torch.float64)
        for t in range(T):
            h, c_new, gates = cell_step(model.kind, x[b, t], h, c, *w, None, hidden=HID,
                                        relu=False)
            c = c_new if c_new is not None else c
            vals = {"h": h, **gates}
            if model.kind == "LSTM":
                vals["c"] = c
            for k, v in vals.items():
                out.setdefault(k, torch.zeros(B, T, HID, dtype=torch.float64))
                if t < batch.lengths[b]:
                    out[k][b, t] = v
    return out


@pytest.mark.parametrize("kind", ["LSTM", "GRU", "RNN"])
@pytest.mark.parametrize("pass_hx", [True, False])
def test_standard_cell_loop_with_gates(kind: str, pass_hx: bool) -> None:
    torch.manual_seed(0)
    model = CellLoop(kind, pass_hx)
    batch = batch_of([4, 2, 4])
    with StateRecorder(model, gates=True) as rec:
        assert rec.layers == [LayerKey("cell")]
        step = rec.record(batch)
    want = expected_cell(model, batch)
    got = step.states[LayerKey("cell")]
    assert sorted(got) == sorted(want) == sorted(rec.kinds(LayerKey("cell")))
    for k, v in want.items():
        torch.testing.assert_close(got[k].double(), v, atol=1e-5, rtol=1e-5, msg=k)
    init = step.initial[LayerKey("cell")]["h"]
    torch.testing.assert_close(init, model.h0.expand(3, HID) if pass_hx else torch.zeros(3, HID))


class OddGRUCell(nn.Module):
    """A hand-written GRU variant (update gate on the candidate, reset after the matmul)."""

    def __init__(self, n_in: int, n_hid: int) -> None:
        super().__init__()
        self.wx = nn.Linear(n_in, 3 * n_hid)
        self.wh = nn.Linear(n_hid, 3 * n_hid, bias=False)
        self.n_hid = n_hid

    def forward(self, x: torch.Tensor, h: torch.Tensor | None = None) -> torch.Tensor:
        if h is None:
            h = x.new_zeros(x.shape[0], self.n_hid)
        a, b, c = self.wx(x).chunk(3, -1)
        ha, hb, hc = self.wh(h).chunk(3, -1)
        r, z = torch.sigmoid(a + ha), torch.sigmoid(b + hb)
        n = torch.tanh(c + r * hc)
        return z * n + (1 - z) * h


class PeepholeCell(nn.Module):
    """A custom LSTM-like cell returning (h, c); takes its state as keyword ``state``."""

    def __init__(self, n_in: int, n_hid: int) -> None:
        super().__init__()
        self.lin = nn.Linear(n_in + n_hid, 4 * n_hid)
        self.peep = nn.Parameter(torch.randn(n_hid))

    def forward(self, x: torch.Tensor, state: tuple[torch.Tensor, torch.Tensor]):
        h, c = state
        i, f, g, o = self.lin(torch.cat([x, h], -1)).chunk(4, -1)
        c = torch.sigmoid(f + self.peep * c) * c + torch.sigmoid(i) * torch.tanh(g)
        return torch.sigmoid(o) * torch.tanh(c), c


class CustomLoop(nn.Module):
    def __init__(self, peephole: bool) -> None:
        super().__init__()
        self.emb = nn.Embedding(VOCAB, EMB)
        self.peephole = peephole
        self.cell: nn.Module = PeepholeCell(EMB, HID) if peephole else OddGRUCell(EMB, HID)

    def forward(self, ids: torch.Tensor) -> torch.Tensor:
        x = self.emb(ids)
        B = ids.shape[0]
        h, c = torch.full((B, HID), 0.5), torch.zeros(B, HID)
        hs = []
        for t in range(ids.shape[1]):
            if self.peephole:
                h, c = self.cell(x[:, t], state=(h, c))
            else:
                h = self.cell(x[:, t], h if t else None)
            hs.append(h)
        return torch.stack(hs, 1)


@pytest.mark.parametrize("peephole", [False, True])
def test_named_custom_cell(peephole: bool) -> None:
    torch.manual_seed(1)
    model = CustomLoop(peephole)
    batch = batch_of([3, 5, 1])
    with pytest.raises(ValueError, match="no recurrent module found"):
        StateRecorder(model)
    with StateRecorder(model, modules=["cell"], gates=True) as rec:
        step = rec.record(batch)
        kinds = rec.kinds(LayerKey("cell"))
    assert kinds == (["h", "c"] if peephole else ["h"])
    # Expected: run the cell by hand, one sequence at a time.
    with torch.no_grad():
        x = model.emb(batch.ids)
        for b, n in enumerate(batch.lengths.tolist()):
            h, c = torch.full((1, HID), 0.5), torch.zeros(1, HID)
            if not peephole:
                h = torch.zeros(1, HID)
            for t in range(n):
                if peephole:
                    h, c = model.cell(x[b : b + 1, t], state=(h, c))
                else:
                    h = model.cell(x[b : b + 1, t], h)
                got = step.states[LayerKey("cell")]
                torch.testing.assert_close(got["h"][b, t], h[0])
                if peephole:
                    torch.testing.assert_close(got["c"][b, t], c[0])
            assert bool((step.states[LayerKey("cell")]["h"][b, n:] == 0).all())
    want_h0 = torch.full((3, HID), 0.5) if peephole else torch.zeros(3, HID)
    torch.testing.assert_close(step.initial[LayerKey("cell")]["h"], want_h0)


class Seq2Seq(nn.Module):
    """Bidirectional GRU encoder + LSTMCell decoder fed the same tokens (teacher forcing)."""

    def __init__(self) -> None:
        super().__init__()
        self.emb = nn.Embedding(VOCAB, EMB)
        self.encoder = nn.GRU(EMB, HID, num_layers=2, bidirectional=True)
        self.bridge = nn.Linear(2 * HID, HID)
        self.decoder = nn.LSTMCell(EMB, HID)

    def forward(self, ids: torch.Tensor) -> torch.Tensor:
        x = self.emb(ids).transpose(0, 1)  # time-major
        _, h_n = self.encoder(x)
        h = torch.tanh(self.bridge(torch.cat([h_n[-2], h_n[-1]], -1)))
        state = (h, torch.zeros_like(h))
        outs = []
        for t in range(ids.shape[1]):
            state = self.decoder(x[t], state)
            outs.append(state[0])
        return torch.stack(outs)


def test_encoder_decoder_each_by_name() -> None:
    torch.manual_seed(2)
    model = Seq2Seq()
    batch = batch_of([4, 3])
    with StateRecorder(model) as rec:
        step = rec.record(batch)
    assert rec.layers == [LayerKey("encoder", lay, d) for lay in range(2) for d in range(2)] + [
        LayerKey("decoder")
    ]
    with torch.no_grad():
        x = model.emb(batch.ids)
        ref, _ = reference(model.encoder, x, batch.lengths.tolist(), packed=False)
        _, h_n = model.encoder(x.transpose(0, 1))
        h = torch.tanh(model.bridge(torch.cat([h_n[-2], h_n[-1]], -1)))
    for (lay, d), kinds in ref.items():
        torch.testing.assert_close(step.states[LayerKey("encoder", lay, d)]["h"].double(),
                                   kinds["h"], atol=1e-5, rtol=1e-5)
    torch.testing.assert_close(step.initial[LayerKey("decoder")]["h"], h)
    dec = step.states[LayerKey("decoder")]
    assert set(dec) == {"h", "c"}
    with torch.no_grad():
        hd, cd = model.decoder(x[:, 0], (h, torch.zeros_like(h)))
    torch.testing.assert_close(dec["h"][:, 0], hd)
    torch.testing.assert_close(dec["c"][:, 0], cd)
    # Only the decoder, by name:
    with StateRecorder(model, modules=["decoder"]) as rec:
        only = rec.record(batch)
    assert list(only.states) == [LayerKey("decoder")]
    torch.testing.assert_close(only.states[LayerKey("decoder")]["h"], dec["h"])


class StepwiseLSTM(nn.Module):
    """Calls a fused 2-layer LSTM once per step with length-1 inputs, carrying hx."""

    def __init__(self) -> None:
        super().__init__()
        self.emb = nn.Embedding(VOCAB, EMB)
        self.rnn = nn.LSTM(EMB, HID, num_layers=2, batch_first=True)

    def forward(self, ids: torch.Tensor) -> torch.Tensor:
        x = self.emb(ids)
        hx = None
        outs = []
        for t in range(ids.shape[1]):
            out, hx = self.rnn(x[:, t : t + 1], hx)
            outs.append(out)
        return torch.cat(outs, 1)


def test_fused_module_called_step_by_step_is_concatenated() -> None:
    torch.manual_seed(3)
    model = StepwiseLSTM()
    batch = batch_of([5, 2, 4])
    with StateRecorder(model, gates=True) as rec:
        step = rec.record(batch)
    with torch.no_grad():
        ref, _ = reference(model.rnn, model.emb(batch.ids), batch.lengths.tolist(), False)
    for (lay, d), kinds in ref.items():
        for k, v in kinds.items():
            torch.testing.assert_close(step.states[LayerKey("rnn", lay, d)][k].double(), v,
                                       atol=1e-5, rtol=1e-5)


def test_cell_called_twice_per_step_is_an_alignment_error() -> None:
    class Twice(CellLoop):
        def forward(self, ids: torch.Tensor) -> torch.Tensor:
            x = self.emb(ids)
            h = torch.zeros(ids.shape[0], HID)
            for t in range(ids.shape[1]):
                h = self.cell(x[:, t], self.cell(x[:, t], h))
            return h

    with StateRecorder(Twice("GRU")) as rec, pytest.raises(CaptureError, match="'cell' ran 8"):
        rec.record(batch_of([4, 4]))
