"""The user's model is left exactly as it was, and every bad input fails clearly."""

from __future__ import annotations

from collections.abc import Callable

import pytest
import torch
from torch import nn

from rnnvis_widget.capture import (
    CaptureAlignmentError,
    CaptureError,
    CaptureMismatchError,
    LayerKey,
    StateRecorder,
)
from rnnvis_widget.capture.batches import Batch

VOCAB, EMB, HID = 7, 3, 4


class LM(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.emb = nn.Embedding(VOCAB, EMB)
        self.rnn = nn.LSTM(EMB, HID, num_layers=2, dropout=0.5, batch_first=True)
        self.drop = nn.Dropout(0.5)
        self.head = nn.Linear(HID, VOCAB)

    def forward(self, ids: torch.Tensor) -> torch.Tensor:
        out, _ = self.rnn(self.drop(self.emb(ids)))
        return self.head(out)


def batch(n: int = 3, T: int = 4) -> Batch:
    return Batch(torch.randint(0, VOCAB, (n, T)), torch.full((n,), T))


def snapshot(model: nn.Module) -> dict[str, object]:
    return {
        "params": {k: (v.detach().clone(), v._version) for k, v in model.state_dict().items()},
        "training": {n: m.training for n, m in model.named_modules()},
        "hooks": {n: (len(m._forward_hooks), len(m._forward_pre_hooks),
                      len(getattr(m, "_forward_hooks_with_kwargs", {})))
                  for n, m in model.named_modules()},
        "grads": {k: p.grad for k, p in model.named_parameters()},
    }


def assert_untouched(model: nn.Module, before: dict[str, object]) -> None:
    after = snapshot(model)
    params_a, params_b = after["params"], before["params"]
    assert isinstance(params_a, dict) and isinstance(params_b, dict)
    for k, (v, version) in params_b.items():
        assert torch.equal(params_a[k][0], v), k  # bit-identical
        assert params_a[k][1] == version, f"{k} was written in place"
    assert after["training"] == before["training"]
    assert after["hooks"] == before["hooks"]
    assert all(g is None for g in after["grads"].values())  # type: ignore[union-attr]


def mixed_mode_model() -> LM:
    torch.manual_seed(0)
    model = LM().train()
    model.head.eval()  # a mix of flags, which model.train()/eval() alone would not restore
    return model


def test_success_path_leaves_model_untouched_and_runs_in_eval() -> None:
    model = mixed_mode_model()
    before = snapshot(model)
    seen: list[tuple[bool, bool, bool]] = []

    def fwd(m: nn.Module, b: Batch) -> object:
        seen.append((m.training, torch.is_grad_enabled(), torch.is_inference_mode_enabled()))
        return m(b.ids)

    b = batch()
    with StateRecorder(model) as rec:
        first = rec.record(b, fwd)
        second = rec.record(b, fwd)
    assert seen == [(False, False, True)] * 2
    # eval mode => no dropout => deterministic
    for key in first.states:
        assert torch.equal(first.states[key]["h"], second.states[key]["h"])
        t = first.states[key]["h"]
        assert not t.requires_grad and t.grad_fn is None and not t.is_inference()
        t.add_(1)  # results are ordinary tensors the caller may modify
    assert_untouched(model, before)


@pytest.mark.parametrize("exc", [RuntimeError("boom"), KeyboardInterrupt()])
def test_exception_or_interrupt_mid_corpus_restores_model(exc: BaseException) -> None:
    model = mixed_mode_model()
    before = snapshot(model)
    calls = 0

    def fwd(m: nn.Module, b: Batch) -> object:
        nonlocal calls
        calls += 1
        out = m(b.ids)  # hooks fire before the interruption
        if calls == 2:
            raise exc
        return out

    # stop_early=False: let the forward go on past the recorded module to where it raises.
    with pytest.raises(type(exc)), StateRecorder(model, stop_early=False) as rec:
        for _ in range(3):
            rec.record(batch(), fwd)
    assert calls == 2
    assert_untouched(model, before)


def test_forward_stops_once_every_state_is_recorded() -> None:
    model = mixed_mode_model()
    before = snapshot(model)
    head_calls: list[int] = []
    handle = model.head.register_forward_hook(lambda *args: head_calls.append(1))
    b = batch()
    try:
        with StateRecorder(model) as rec:
            early = rec.record(b)
        assert head_calls == []  # the read-out after the LSTM never ran
        with StateRecorder(model, stop_early=False) as rec:
            full = rec.record(b)
        assert head_calls == [1]
    finally:
        handle.remove()
    for key in full.states:
        for kind in full.states[key]:
            assert torch.equal(early.states[key][kind], full.states[key][kind])
    assert_untouched(model, before)


def test_a_forward_that_swallows_exceptions_still_stops_early() -> None:
    model = mixed_mode_model()
    after: list[str] = []

    def careless(m: nn.Module, b: Batch) -> object:
        try:
            out = m(b.ids)
        except Exception:  # must not catch the recorder's early stop
            after.append("swallowed")
            return None
        after.append("went on")
        return out

    with StateRecorder(model) as rec:
        out = rec.record(batch(), careless)
    assert after == []
    assert set(out.states) == set(rec.layers)


def test_interrupt_inside_a_hook_restores_model(monkeypatch: pytest.MonkeyPatch) -> None:
    import rnnvis_widget.capture.recorder as recorder

    model = mixed_mode_model()
    before = snapshot(model)

    def interrupted(*args: object, **kwargs: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(recorder, "capture_fused", interrupted)
    with pytest.raises(KeyboardInterrupt), StateRecorder(model) as rec:
        rec.record(batch())
    assert_untouched(model, before)


def test_record_outside_context_is_refused() -> None:
    rec = StateRecorder(LM())
    with pytest.raises(RuntimeError, match="context manager"):
        rec.record(batch())


def test_no_recurrent_module_lists_types_and_fix() -> None:
    model = nn.Sequential(nn.Embedding(5, 3), nn.Linear(3, 3))
    with pytest.raises(ValueError) as info:
        StateRecorder(model)
    msg = str(info.value)
    assert "Embedding" in msg and "Linear" in msg and "modules=[" in msg


def test_unknown_module_name_lists_names() -> None:
    with pytest.raises(ValueError, match=r"no module named 'rnn2'.*'rnn'"):
        StateRecorder(LM(), modules=["rnn2"])


def test_forward_that_never_reaches_the_module() -> None:
    model = LM()
    before = snapshot(model)
    with StateRecorder(model) as rec, pytest.raises(CaptureError, match="'rnn' was never called"):
        rec.record(batch(), lambda m, b: m.emb(b.ids))
    assert_untouched(model, before)


@pytest.mark.parametrize(
    ("forward", "match"),
    [
        (lambda m, b: m(b.ids[:, :-1]), "'rnn' ran 3 time steps"),
        (lambda m, b: m(torch.cat([b.ids, b.ids], 1)), "'rnn' ran 8 time steps"),
        (lambda m, b: m(b.ids[:2]), "batch of 2 sequences"),
    ],
)
def test_misaligned_forward_is_named(forward: Callable[[nn.Module, Batch], object],
                                     match: str) -> None:
    with StateRecorder(LM()) as rec, pytest.raises(CaptureAlignmentError, match=match):
        rec.record(batch(), forward)


class NoisyLSTM(nn.LSTM):
    """A subclass whose forward changes what the recurrence computes (like weight drop)."""

    def forward(self, input, hx=None):  # type: ignore[override]
        out, state = super().forward(input, hx)
        return out + 1e-3, state


class Wrapped(nn.Module):
    def __init__(self, rnn: nn.Module) -> None:
        super().__init__()
        self.emb = nn.Embedding(VOCAB, EMB)
        self.inner = rnn

    def forward(self, ids: torch.Tensor) -> torch.Tensor:
        return self.inner(self.emb(ids))[0]


def test_disagreement_with_the_module_raises_naming_it() -> None:
    model = Wrapped(NoisyLSTM(EMB, HID, batch_first=True))
    with StateRecorder(model) as rec, pytest.raises(CaptureMismatchError, match="'inner'"):
        rec.record(batch())


def test_weights_changed_inside_forward_are_caught() -> None:
    class Drifting(nn.GRU):
        def forward(self, input, hx=None):  # type: ignore[override]
            with torch.no_grad():
                w = self.weight_hh_l1.clone()
                self.weight_hh_l1.mul_(0.5)
            try:
                return super().forward(input, hx)
            finally:
                with torch.no_grad():
                    self.weight_hh_l1.copy_(w)

    model = Wrapped(Drifting(EMB, HID, num_layers=2, batch_first=True))
    with StateRecorder(model) as rec, pytest.raises(CaptureMismatchError, match="'inner'"):
        rec.record(batch())


def test_custom_module_with_sequence_output_is_refused() -> None:
    class SeqCell(nn.Module):
        def forward(self, x: torch.Tensor) -> torch.Tensor:
            return x.cumsum(1)

    class M(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.emb = nn.Embedding(VOCAB, EMB)
            self.cell = SeqCell()

        def forward(self, ids: torch.Tensor) -> torch.Tensor:
            return self.cell(self.emb(ids))

    with StateRecorder(M(), modules=["cell"]) as rec, pytest.raises(
        CaptureAlignmentError, match=r"shape \(3, 4, 3\).*one time step per call"
    ):
        rec.record(batch())


def test_layers_known_at_enter() -> None:
    model = LM()
    rec = StateRecorder(model, gates=True)
    assert rec.layers == [LayerKey("rnn", 0, 0), LayerKey("rnn", 1, 0)]
    assert rec.kinds(LayerKey("rnn", 1, 0)) == ["h", "c", "i", "f", "g", "o"]
    assert str(LayerKey("enc.rnn", 1, 1)) == "enc.rnn/layer1/backward"
    with pytest.raises(KeyError):
        rec.kinds(LayerKey("nope"))
