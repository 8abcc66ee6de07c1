"""Fused nn.RNN/LSTM/GRU capture against a plain step-by-step reference (tests/rnn_reference)."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from unittest import mock

import pytest
import torch
from fused_net import FusedNet
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rnn_reference import reference
from torch import nn

from rnnvis_widget.capture import (
    CaptureAlignmentError,
    LayerKey,
    StateRecorder,
    find_recurrent_modules,
)
from rnnvis_widget.capture import _fused as fused
from rnnvis_widget.capture.batches import Batch

VOCAB = 11
EMB = 4


def Net(*args: object, **kwargs: object) -> FusedNet:
    """The shared test model with this file's vocabulary and embedding sizes."""
    return FusedNet(*args, vocab=VOCAB, emb=EMB, **kwargs)  # type: ignore[arg-type]


def make_batch(lengths: list[int], seed: int = 0) -> Batch:
    g = torch.Generator().manual_seed(seed)
    T = max(lengths)
    ids = torch.randint(1, VOCAB, (len(lengths), T), generator=g)
    lens = torch.tensor(lengths)
    ids[torch.arange(T)[None, :] >= lens[:, None]] = 0
    return Batch(ids, lens)


def run_forward(m: nn.Module, b: Batch) -> object:
    return m(b.ids, b.lengths)


def compare(net: Net, batch: Batch, step, hx=None, gates: bool = True,
            atol: float = 1e-5) -> None:
    with torch.no_grad():
        x = net.embed(batch.ids)
    ref_states, ref_init = reference(net.rnn, x, batch.lengths.tolist(), net.packed, hx)
    assert set(step.states) == {LayerKey("rnn", lay, d) for (lay, d) in ref_states}
    for (lay, d), kinds in ref_states.items():
        key = LayerKey("rnn", lay, d)
        got = step.states[key]
        if not gates:
            kinds = {k: v for k, v in kinds.items() if k in ("h", "c")}
        assert sorted(got) == sorted(kinds), key
        for kind, want in kinds.items():
            assert got[kind].dtype == torch.float32
            assert got[kind].shape == want.shape, (key, kind)
            torch.testing.assert_close(got[kind].double(), want, atol=atol, rtol=1e-5,
                                       msg=f"{key} {kind}")
        for kind, want in ref_init[(lay, d)].items():
            torch.testing.assert_close(step.initial[key][kind].double(), want, atol=atol,
                                       rtol=1e-5, msg=f"{key} initial {kind}")
    mask = batch.mask()
    for per_kind in step.states.values():
        for t in per_kind.values():
            assert bool((t[~mask] == 0).all())


@contextlib.contextmanager
def inner_layers_by(route: str) -> Iterator[None]:
    """Recompute inner layers with a step loop (the CPU's way) or with the module's own kernel
    one layer at a time (the GPU's way), whatever the device the test runs on."""
    devices = frozenset({"cpu", "cuda"}) if route == "kernel" else frozenset()
    with mock.patch.object(fused, "KERNEL_PER_LAYER_DEVICES", devices):
        yield


@pytest.mark.parametrize("kind", ["LSTM", "GRU", "RNN_TANH", "RNN_RELU"])
@pytest.mark.parametrize("bidir", [False, True])
@pytest.mark.parametrize("route", ["loop", "kernel"])
def test_fused_matches_reference_two_layers(kind: str, bidir: bool, route: str) -> None:
    torch.manual_seed(1)
    net = Net(kind, hidden=6, layers=2, bidir=bidir)
    batch = make_batch([5, 3, 1, 5])
    with inner_layers_by(route), StateRecorder(net, gates=True) as rec:
        step = rec.record(batch)
        assert rec.layers == [LayerKey("rnn", lay, d) for lay in range(2)
                              for d in range(2 if bidir else 1)]
    compare(net, batch, step)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    kind=st.sampled_from(["LSTM", "GRU", "RNN_TANH", "RNN_RELU"]),
    layers=st.integers(1, 4),
    bidir=st.booleans(),
    batch_first=st.booleans(),
    bias=st.booleans(),
    packed=st.booleans(),
    proj=st.integers(0, 3),
    hidden=st.integers(4, 7),
    lengths=st.lists(st.integers(1, 6), min_size=1, max_size=4),
    with_hx=st.booleans(),
    gates=st.booleans(),
    seed=st.integers(0, 2**16),
    route=st.sampled_from(["loop", "kernel"]),
)
def test_fused_property(kind, layers, bidir, batch_first, bias, packed, proj, hidden, lengths,
                        with_hx, gates, seed, route) -> None:
    torch.manual_seed(seed)
    proj = proj if kind == "LSTM" else 0
    net = Net(kind, hidden=hidden, layers=layers, bidir=bidir, batch_first=batch_first,
              proj=proj, bias=bias, packed=packed, dropout=0.3)
    batch = make_batch(lengths, seed)
    hx = None
    n = layers * (2 if bidir else 1)
    if with_hx:
        h0 = torch.randn(n, len(lengths), proj or hidden)
        hx = (h0, torch.randn(n, len(lengths), hidden)) if kind == "LSTM" else h0
    with inner_layers_by(route), StateRecorder(net, gates=gates) as rec:
        step = rec.record(batch, lambda m, b: m(b.ids, b.lengths, hx))
        for key in rec.layers:
            assert sorted(step.states[key]) == sorted(rec.kinds(key))
    compare(net, batch, step, hx, gates)


def test_find_recurrent_modules() -> None:
    class Seq2Seq(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.enc = nn.Sequential(nn.Embedding(5, 3), nn.GRU(3, 4))
            self.dec = nn.LSTMCell(3, 4)
            self.head = nn.Linear(4, 5)

    assert find_recurrent_modules(Seq2Seq()) == ["enc.1", "dec"]


def test_unbatched_input_and_kwargs_call() -> None:
    torch.manual_seed(4)
    net = Net("LSTM", hidden=4, layers=2, bidir=True)
    batch = make_batch([5])
    h0 = torch.randn(4, 4)
    c0 = torch.randn(4, 4)

    def fwd(m: Net, b: Batch) -> object:
        return m.rnn(input=m.emb(b.ids[0]), hx=(h0, c0))  # [T, E]: no batch dimension

    with StateRecorder(net) as rec:
        step = rec.record(batch, fwd)
    compare(net, batch, step, (h0[:, None], c0[:, None]), gates=False)


def test_packed_lengths_that_differ_from_the_batch_are_refused() -> None:
    net = Net("GRU", packed=True)
    batch = make_batch([4, 3])
    with StateRecorder(net) as rec, pytest.raises(CaptureAlignmentError, match=r"'rnn'.*lengths"):
        rec.record(batch, lambda m, b: m(b.ids, torch.tensor([4, 2])))


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs CUDA")
def test_keep_on_device_gives_the_same_states_on_the_gpu() -> None:
    torch.manual_seed(6)
    net = Net("LSTM", hidden=8, layers=2, bidir=True).cuda()
    batch = make_batch([6, 2, 5])
    with StateRecorder(net) as rec:
        on_host = rec.record(batch)
    with StateRecorder(net, keep_on_device=True) as rec:
        on_gpu = rec.record(batch)
    for key, kinds in on_host.states.items():
        for kind, states in kinds.items():
            assert on_gpu.states[key][kind].is_cuda and on_gpu.initial[key]["h"].is_cuda
            torch.testing.assert_close(on_gpu.states[key][kind].cpu(), states, rtol=0, atol=1e-6)


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs CUDA")
@pytest.mark.parametrize("kind", ["LSTM", "GRU"])
def test_cuda_matches_reference(kind: str) -> None:
    torch.manual_seed(5)
    net = Net(kind, hidden=8, layers=3, bidir=True, proj=3 if kind == "LSTM" else 0)
    batch = make_batch([6, 2, 5])
    with StateRecorder(net.cuda(), gates=True) as rec:
        step = rec.record(batch, run_forward)
    compare(net.cpu(), batch, step)
