"""`trace`: one sequence's per-step states, against the step-by-step reference, against a batched
recording, and with the model and torch's random state left exactly as they were."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from fused_net import FusedNet
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rnn_reference import reference
from torch import nn

import rnnvis_widget as rv
from rnnvis_widget.capture import CaptureMismatchError, LayerKey, StateRecorder
from rnnvis_widget.capture.batches import Batch
from rnnvis_widget.capture.trace import Trace, trace

VOCAB, EMB = 9, 3


def Net(*args: object, **kwargs: object) -> FusedNet:
    """The shared test model with this file's sizes and a two-unit read-out of every step."""
    return FusedNet(*args, vocab=VOCAB, emb=EMB, n_out=2, **kwargs)  # type: ignore[arg-type]


def with_lengths(m: nn.Module, b: Batch) -> object:
    return m(b.ids, b.lengths)


def reference_of(net: Net, ids: list[int], hx: object = None) -> tuple[dict, dict]:
    """Reference states [T, H] and initial states [H] of one sequence, per (layer, direction)."""
    with torch.no_grad():
        x = net.emb(torch.tensor([ids]))
    states, initial = reference(net.rnn, x, [len(ids)], packed=False, hx=hx)
    return (
        {key: {k: v[0] for k, v in kinds.items()} for key, kinds in states.items()},
        {key: {k: v[0] for k, v in kinds.items()} for key, kinds in initial.items()},
    )


def assert_close(got: np.ndarray, want: torch.Tensor, msg: str, atol: float = 1e-5) -> None:
    assert got.dtype == np.float32, msg
    torch.testing.assert_close(torch.from_numpy(np.array(got)).double(), want, atol=atol,
                               rtol=1e-5, msg=msg)


# -- exactness ------------------------------------------------------------------------------


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    kind=st.sampled_from(["LSTM", "GRU", "RNN_TANH", "RNN_RELU"]),
    layers=st.integers(1, 2),
    bidir=st.booleans(),
    batch_first=st.booleans(),
    bias=st.booleans(),
    proj=st.integers(0, 3),
    hidden=st.integers(4, 6),
    ids=st.lists(st.integers(0, VOCAB - 1), min_size=1, max_size=6),
    with_hx=st.booleans(),
    gates=st.booleans(),
    seed=st.integers(0, 2**16),
)
def test_trace_matches_the_step_by_step_reference(kind, layers, bidir, batch_first, bias, proj,
                                                  hidden, ids, with_hx, gates, seed) -> None:
    torch.manual_seed(seed)
    proj = proj if kind == "LSTM" else 0
    net = Net(kind, hidden, layers, bidir, batch_first, proj, bias)
    hx = None
    if with_hx:
        n = layers * (2 if bidir else 1)
        h0 = torch.randn(n, 1, proj or hidden)
        hx = (h0, torch.randn(n, 1, hidden)) if kind == "LSTM" else h0
    tr = trace(net, ids, gates=gates, forward=lambda m, b: m(b.ids, b.lengths, hx))
    ref_states, ref_initial = reference_of(net, ids, hx)

    assert tr.ids.dtype == np.int64 and tr.ids.tolist() == ids
    assert tr.layers == [LayerKey("rnn", lay, d) for lay in range(layers)
                         for d in range(2 if bidir else 1)]
    for (lay, d), kinds in ref_states.items():
        key = LayerKey("rnn", lay, d)
        want_kinds = kinds if gates else {k: v for k, v in kinds.items() if k in ("h", "c")}
        assert sorted(tr.states[key]) == sorted(want_kinds)
        for kind_name, want in want_kinds.items():
            assert tr.states[key][kind_name].shape == tuple(want.shape)
            assert_close(tr.states[key][kind_name], want, f"{key} {kind_name}")
            assert_close(tr.state(lay, kind_name, d), want, f"{key} state({kind_name})")
        assert sorted(tr.initial[key]) == sorted(ref_initial[(lay, d)])
        for kind_name, want in ref_initial[(lay, d)].items():
            assert_close(tr.initial[key][kind_name], want, f"{key} initial {kind_name}")


@pytest.mark.parametrize("kind", ["LSTM", "GRU"])
def test_delta_is_the_change_since_the_previous_processed_step(kind: str) -> None:
    torch.manual_seed(3)
    net = Net(kind, hidden=4, layers=2, bidir=True)
    ids = [1, 4, 2, 7, 3]
    h0 = torch.randn(4, 1, 4)
    hx = (h0, torch.randn(4, 1, 4)) if kind == "LSTM" else h0
    tr = trace(net, ids, gates=True, forward=lambda m, b: m(b.ids, b.lengths, hx))
    ref_states, ref_initial = reference_of(net, ids, hx)
    memory = ["h", "c"] if kind == "LSTM" else ["h"]
    for (lay, d), kinds in ref_states.items():
        for name in memory:
            x, start = kinds[name], ref_initial[(lay, d)][name]
            want = torch.empty_like(x)
            for t in range(len(ids)):
                # Forward reads t-1 before t; backward reads t+1 before t.
                before = t - 1 if d == 0 else t + 1
                previous = start if before in (-1, len(ids)) else x[before]
                want[t] = x[t] - previous
            assert_close(tr.delta(lay, name, d), want, f"delta {name} layer {lay} dir {d}")
        for gate in (g for g in kinds if g not in memory):
            assert_close(tr.delta(lay, gate, d), kinds[gate], f"gate {gate} layer {lay} dir {d}")


def test_cell_loop_is_traced_per_call() -> None:
    class Loop(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.emb = nn.Embedding(VOCAB, EMB)
            self.cell = nn.GRUCell(EMB, 4)

        def forward(self, ids: torch.Tensor) -> torch.Tensor:
            x = self.emb(ids)
            h = torch.zeros(ids.shape[0], 4)
            for t in range(ids.shape[1]):
                h = self.cell(x[:, t], h)
            return h

    torch.manual_seed(2)
    model = Loop()
    ids = [3, 1, 8]
    tr = trace(model, ids)
    with torch.no_grad():
        h = torch.zeros(4)
        for t, token in enumerate(ids):
            h = model.cell(model.emb(torch.tensor(token)), h)
            np.testing.assert_allclose(tr.state(0)[t], h.numpy(), atol=1e-6)
    assert tr.layers == [LayerKey("cell", 0, 0)]
    assert not np.any(tr.initial[LayerKey("cell")]["h"])


def test_disagreement_with_the_module_is_refused() -> None:
    class NoisyGRU(nn.GRU):
        def forward(self, input, hx=None):  # type: ignore[override]
            out, state = super().forward(input, hx)
            return out + 1e-3, state

    model = Net("GRU")
    model.rnn = NoisyGRU(EMB, 5, batch_first=True)
    with pytest.raises(CaptureMismatchError, match="'rnn'"):
        trace(model, [1, 2, 3])


# -- one sequence == its row of a batch -------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "bidir", "packed"),
    [("LSTM", True, True), ("GRU", True, True), ("RNN_TANH", False, False), ("LSTM", False, False)],
)
def test_trace_equals_its_row_of_a_batch(kind: str, bidir: bool, packed: bool) -> None:
    # A padded, unpacked backward direction reads the padding first, so bidirectional models
    # are compared packed: then every row is processed as if alone.
    torch.manual_seed(7)
    net = Net(kind, hidden=5, layers=2, bidir=bidir, proj=2 if kind == "LSTM" else 0,
              packed=packed)
    seqs = [[1, 2, 3, 4, 5, 6], [7, 8], [4], [2, 2, 5, 1]]
    lengths = torch.tensor([len(s) for s in seqs])
    ids = torch.zeros(len(seqs), int(lengths.max()), dtype=torch.int64)
    for row, seq in enumerate(seqs):
        ids[row, : len(seq)] = torch.tensor(seq)
    with StateRecorder(net, gates=True) as rec:
        step = rec.record(Batch(ids, lengths), with_lengths)
    for row, seq in enumerate(seqs):
        tr = trace(net, torch.tensor(seq), gates=True, forward=with_lengths)
        assert tr.layers == list(step.states)
        for key, kinds in step.states.items():
            assert sorted(tr.states[key]) == sorted(kinds)
            for name, batched in kinds.items():
                np.testing.assert_allclose(tr.states[key][name], batched[row, : len(seq)].numpy(),
                                           atol=1e-6, err_msg=f"row {row} {key} {name}")
            for name, batched in step.initial[key].items():
                np.testing.assert_allclose(tr.initial[key][name], batched[row].numpy(),
                                           atol=1e-6, err_msg=f"row {row} {key} initial {name}")


# -- the model and torch's random state are left alone ---------------------------------------


class Noisy(nn.Module):
    """Mixed training flags, a frozen embedding, dropout, and a forward that draws random numbers
    even in eval mode (like a noise-injection layer)."""

    def __init__(self) -> None:
        super().__init__()
        self.emb = nn.Embedding(VOCAB, EMB)
        self.emb.weight.requires_grad_(False)
        self.rnn = nn.LSTM(EMB, 4, num_layers=2, dropout=0.5, batch_first=True)
        self.drop = nn.Dropout(0.5)
        self.head = nn.Linear(4, 3)
        self.seen: list[tuple[bool, bool]] = []

    def forward(self, ids: torch.Tensor) -> torch.Tensor:
        self.seen.append((self.training, torch.is_grad_enabled()))
        x = self.emb(ids) + 0.0 * torch.rand(ids.shape[0], ids.shape[1], EMB)
        out, _ = self.rnn(self.drop(x))
        return self.head(out[:, -1])


def snapshot(model: nn.Module) -> dict[str, object]:
    return {
        "params": {k: (v.detach().clone(), v._version) for k, v in model.state_dict().items()},
        "requires_grad": {k: p.requires_grad for k, p in model.named_parameters()},
        "grads": {k: p.grad for k, p in model.named_parameters()},
        "training": {n: m.training for n, m in model.named_modules()},
        "hooks": {n: (len(m._forward_hooks), len(m._forward_pre_hooks)) for n, m in model.named_modules()},
    }


def assert_untouched(model: nn.Module, before: dict[str, object]) -> None:
    after = snapshot(model)
    params_before, params_after = before["params"], after["params"]
    assert isinstance(params_before, dict) and isinstance(params_after, dict)
    for name, (value, version) in params_before.items():
        assert torch.equal(params_after[name][0], value), name
        assert params_after[name][1] == version, f"{name} was written in place"
    for part in ("requires_grad", "grads", "training", "hooks"):
        assert after[part] == before[part], part


def test_model_and_random_state_are_left_as_they_were() -> None:
    torch.manual_seed(0)
    model = Noisy().train()
    model.head.eval()  # a mix of flags that model.train()/eval() alone would not restore
    before = snapshot(model)
    rng = torch.get_rng_state()
    tr = trace(model, [1, 2, 3])
    assert model.seen == [(False, False)]  # ran in eval mode without autograd
    assert torch.equal(torch.get_rng_state(), rng)
    assert_untouched(model, before)
    assert tr.output.shape == (1, 3)


def test_a_failing_trace_also_leaves_the_model_alone() -> None:
    torch.manual_seed(0)
    model = Noisy().train()
    before = snapshot(model)
    rng = torch.get_rng_state()

    def broken(m: nn.Module, b: Batch) -> object:
        m(b.ids)
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError, match="boom"):
        trace(model, [1, 2], forward=broken)
    assert torch.equal(torch.get_rng_state(), rng)
    assert_untouched(model, before)


# -- output, layers, the returned object ---------------------------------------------------------


def test_output_is_what_the_forward_returned_on_the_cpu() -> None:
    class TwoHeads(FusedNet):
        def forward(self, ids, lengths=None, hx=None):  # type: ignore[override]
            logits = super().forward(ids)
            return {"logits": logits[:, -1], "all": (logits, [logits.sum()]), "name": "x"}

    torch.manual_seed(5)
    model = TwoHeads("GRU", hidden=4, vocab=VOCAB, emb=EMB, n_out=2)
    ids = [2, 5, 1]
    tr = trace(model, ids)
    with torch.no_grad():
        want = FusedNet.forward(model, torch.tensor([ids]))
    logits = tr.output["logits"]
    assert isinstance(logits, torch.Tensor) and logits.device.type == "cpu"
    assert not torch.is_inference(logits) and not logits.requires_grad
    torch.testing.assert_close(logits, want[:, -1])
    torch.testing.assert_close(tr.output["all"][0], want)
    torch.testing.assert_close(tr.output["all"][1][0], want.sum())
    assert tr.output["name"] == "x"


def test_the_trace_is_frozen() -> None:
    tr = trace(Net("GRU"), [1, 2])
    assert isinstance(tr, Trace) and tr.n_tokens == 2
    with pytest.raises(AttributeError):
        tr.ids = np.zeros(2)  # type: ignore[misc]
    with pytest.raises(ValueError, match="read-only"):
        tr.state()[0, 0] = 1.0


class TwoStacks(nn.Module):
    """Two recurrent modules registered in the opposite of alphabetical order."""

    def __init__(self) -> None:
        super().__init__()
        self.emb = nn.Embedding(VOCAB, EMB)
        self.zeta = nn.GRU(EMB, 3, num_layers=2, batch_first=True)
        self.alpha = nn.LSTM(3, 4, bidirectional=True, batch_first=True)

    def forward(self, ids: torch.Tensor) -> torch.Tensor:
        out, _ = self.zeta(self.emb(ids))
        return self.alpha(out)[0]


def test_layer_indices_name_the_same_layers_as_the_analysis() -> None:
    torch.manual_seed(1)
    model = TwoStacks()
    tr = trace(model, [1, 2, 3])
    assert tr.layers == [LayerKey("zeta", 0), LayerKey("zeta", 1), LayerKey("alpha", 0, 0),
                         LayerKey("alpha", 0, 1)]  # model order
    analysis = rv.analyze(model, [[1, 2, 3], [4, 5]], [str(i) for i in range(VOCAB)],
                          progress=False, display_words=0)
    assert tr.stacks == [(s.module, s.layer) for s in analysis.stacks]
    for index in range(-len(tr.stacks), len(tr.stacks)):
        for direction in analysis.directions(index):
            assert tr.layer_key(index, direction) == analysis.layer_key(index, direction)
    assert tr.layer_key(0, 1) == LayerKey("alpha", 0, 1)
    assert tr.layer_key(-1) == LayerKey("zeta", 1, 0)
    key = LayerKey("alpha", 0, 1)
    np.testing.assert_array_equal(tr.state(key, "c"), tr.states[key]["c"])


def test_bad_layer_kind_or_direction_says_what_exists() -> None:
    tr = trace(TwoStacks(), [1, 2])
    with pytest.raises(IndexError, match=r"layer 3 out of range.*3 layers"):
        tr.state(3)
    with pytest.raises(KeyError, match="zeta/layer1/backward was not recorded"):
        tr.state(-1, direction=1)
    with pytest.raises(KeyError, match=r"state 'c' was not recorded at zeta/layer0/forward"):
        tr.delta(1, "c")
    with pytest.raises(TypeError, match="int index or a LayerKey"):
        tr.state("alpha")  # type: ignore[arg-type]


# -- input forms and errors ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "ids",
    [[1, 2, 3], (1, 2, 3), torch.tensor([1, 2, 3]), torch.tensor([[1, 2, 3]]),
     np.array([1, 2, 3], dtype=np.int32), torch.tensor([1, 2, 3], dtype=torch.int32)],
)
def test_every_form_of_one_sequence_gives_the_same_trace(ids: object) -> None:
    torch.manual_seed(4)
    net = Net("GRU")
    want = trace(net, [1, 2, 3])
    got = trace(net, ids)
    assert got.ids.dtype == np.int64 and got.ids.tolist() == [1, 2, 3]
    np.testing.assert_array_equal(got.state(), want.state())


@pytest.mark.parametrize(
    ("ids", "error", "message"),
    [
        ("the cat", TypeError, "string"),
        ([1.0, 2.0], TypeError, "integers"),
        (torch.tensor([1.0, 2.0]), TypeError, r"float32.*\.long\(\)"),
        ([True, False], TypeError, "integers"),
        (["a", "b"], TypeError, "integer token ids"),
        (None, TypeError, "integer token ids"),
        (3, TypeError, r"single number.*\[ids\]"),
        (Batch(torch.ones(1, 2, dtype=torch.int64), torch.tensor([2])), TypeError, r"batch\.ids\[i\]"),
        ([], ValueError, "empty"),
        (torch.zeros(1, 0, dtype=torch.int64), ValueError, "empty"),
        (torch.ones(2, 3, dtype=torch.int64), ValueError, r"2 sequences.*ids\[i\]"),
        (torch.ones(1, 1, 3, dtype=torch.int64), ValueError, r"\(T,\) or \(1, T\)"),
        ([1, -2, 3], ValueError, "-2 at position 1"),
    ],
)
def test_bad_ids_fail_clearly(ids: object, error: type[Exception], message: str) -> None:
    net = Net("GRU")
    before = snapshot(net)
    with pytest.raises(error, match=message):
        trace(net, ids)
    assert_untouched(net, before)
