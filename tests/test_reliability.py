"""Reliability (issue 15): results that do not depend on batching, trait values checked at the
edge, writes that cannot lose a file, errors that name the real cause, a random stream left
alone, and progress that says how far along a run is."""

from __future__ import annotations

import errno
import os
from collections import defaultdict
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import torch
import traitlets
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from torch import nn

import rnnvis_widget as rv
from rnnvis_widget import __main__ as cli
from rnnvis_widget.analysis import _run
from rnnvis_widget.capture import CaptureAlignmentError, CaptureMismatchError, NonFiniteStateError
from rnnvis_widget.capture.batches import Batch
from rnnvis_widget.stats import context_windows
from rnnvis_widget.view import _export
from rnnvis_widget.zoo import demo as demo_module
from rnnvis_widget.zoo.demo import DemoRun

VOCAB = 12
WORDS = [f"w{i}" for i in range(VOCAB)]
WIDTH = 2  # context_width of the analyses here


class TinyNet(nn.Module):
    """Embedding -> one fused recurrent module, run on the padded ids as they come (no packing)."""

    def __init__(self, kind: str = "LSTM", layers: int = 1, bidirectional: bool = True,
                 batch_first: bool = True, hidden: int = 4) -> None:
        super().__init__()
        self.emb = nn.Embedding(VOCAB, 3)
        module = {"LSTM": nn.LSTM, "GRU": nn.GRU, "RNN": nn.RNN}[kind]
        self.rnn = module(3, hidden, num_layers=layers, bidirectional=bidirectional, batch_first=batch_first)
        self.batch_first = batch_first

    def forward(self, ids: torch.Tensor) -> torch.Tensor:
        x = self.emb(ids)
        if not self.batch_first:
            x = x.transpose(0, 1)
        return self.rnn(x)[0]


def ragged_corpus(n: int, max_len: int, seed: int = 0) -> list[list[int]]:
    g = torch.Generator().manual_seed(seed)
    lengths = torch.randint(1, max_len + 1, (n,), generator=g)
    return [torch.randint(0, VOCAB, (int(k),), generator=g).tolist() for k in lengths]


def padded_pairs(corpus: list[list[int]], rows: int) -> list[tuple[torch.Tensor, torch.Tensor]]:
    """The corpus as ready-made padded (ids, lengths) batches, padding filled with junk ids."""
    pairs = []
    for start in range(0, len(corpus), rows):
        chunk = corpus[start : start + rows]
        lengths = torch.tensor([len(s) for s in chunk])
        ids = torch.full((len(chunk), int(lengths.max())), VOCAB - 1)
        for row, seq in enumerate(chunk):
            ids[row, : len(seq)] = torch.tensor(seq)
        pairs.append((ids, lengths))
    return pairs


def analyse(model: nn.Module, corpus: Any, batch_size: int, **options: Any) -> rv.Analysis:
    options = {"progress": False, "gates": True, "context_width": WIDTH, "top_contexts": 3, **options}
    return rv.analyze(model, corpus, WORDS, batch_size=batch_size, **options)


def corpus_windows(corpus: list[list[int]]) -> np.ndarray:
    """The context window of every token of the corpus, in corpus order: row p is position p."""
    lengths = np.array([len(s) for s in corpus])
    ids = np.zeros((len(corpus), lengths.max()), dtype=np.int64)
    for row, seq in enumerate(corpus):
        ids[row, : len(seq)] = seq
    return context_windows(ids, lengths, WIDTH)


def assert_contexts_point_at_the_corpus(analysis: rv.Analysis, corpus: list[list[int]]) -> None:
    expected = corpus_windows(corpus)
    for key in analysis.layers:
        for kind in analysis.states(key):
            top = analysis.contexts(key, kind)
            kept = top.positions >= 0
            assert kept.any()
            np.testing.assert_array_equal(top.windows[kept], expected[top.positions[kept]], f"{key} {kind}")


def assert_same_analysis(got: rv.Analysis, want: rv.Analysis, what: str) -> None:
    assert got.layers == want.layers and got.n_tokens == want.n_tokens
    np.testing.assert_array_equal(got.counts, want.counts)
    for key in want.layers:
        assert got.states(key) == want.states(key)
        for kind in want.states(key):
            label = f"{what}: {key} {kind}"
            pairs = [
                (got.response(key, kind), want.response(key, kind)),
                (got.variance(key, kind), want.variance(key, kind)),
                (got.unit_summary(key, kind).mean_abs, want.unit_summary(key, kind).mean_abs),
                (got.contexts(key, kind).values, want.contexts(key, kind).values),
            ]
            for mine, theirs in pairs:
                np.testing.assert_allclose(mine, theirs, atol=1e-5, err_msg=label)


# 1. Batching never changes results ----------------------------------------------------------


def test_unpacked_bidirectional_lstm_does_not_depend_on_batch_size() -> None:
    # The case: a padded, unpacked backward direction read the padding first, and its
    # responses moved by up to 0.12 between batch_size=1 and 64.
    torch.manual_seed(0)
    model = TinyNet("LSTM", layers=2, bidirectional=True)
    corpus = ragged_corpus(150, 14)
    alone = analyse(model, corpus, batch_size=1)
    for batch_size in (7, 64):
        assert_same_analysis(analyse(model, corpus, batch_size), alone, f"batch_size={batch_size}")
    assert_contexts_point_at_the_corpus(alone, corpus)


def test_responses_equal_those_of_each_sequence_traced_alone() -> None:
    torch.manual_seed(1)
    model = TinyNet("GRU", layers=2, bidirectional=True)
    corpus = ragged_corpus(60, 9, seed=1)
    analysis = analyse(model, corpus, batch_size=64)
    sums: dict[tuple[int, int], np.ndarray] = defaultdict(lambda: np.zeros((VOCAB, 4)))
    counts = np.zeros(VOCAB)
    for seq in corpus:
        tr = rv.trace(model, seq)
        np.add.at(counts, seq, 1)
        for layer in (0, 1):
            for direction in (0, 1):
                np.add.at(sums[(layer, direction)], seq, tr.delta(layer, "h", direction))
    seen = counts > 0
    for (layer, direction), total in sums.items():
        want = total[seen] / counts[seen, None]
        got = analysis.response(layer, "h", direction)[seen]
        np.testing.assert_allclose(got, want, atol=1e-5, err_msg=f"layer {layer} direction {direction}")


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    kind=st.sampled_from(["LSTM", "GRU", "RNN"]),
    layers=st.integers(1, 2),
    bidirectional=st.booleans(),
    batch_first=st.booleans(),
    lengths=st.lists(st.integers(1, 9), min_size=1, max_size=70),
    given_batches=st.booleans(),
    other_size=st.integers(2, 40),
    seed=st.integers(0, 2**16),
)
def test_batch_size_never_changes_an_analysis(
    kind: str, layers: int, bidirectional: bool, batch_first: bool, lengths: list[int],
    given_batches: bool, other_size: int, seed: int,
) -> None:
    torch.manual_seed(seed)
    model = TinyNet(kind, layers, bidirectional, batch_first)
    g = torch.Generator().manual_seed(seed)
    corpus = [torch.randint(0, VOCAB, (n,), generator=g).tolist() for n in lengths]
    # Ready-made padded batches (e.g. from a DataLoader) are regrouped like loose sequences.
    source: Any = padded_pairs(corpus, other_size) if given_batches else corpus
    alone = analyse(model, source, batch_size=1)
    assert_contexts_point_at_the_corpus(alone, corpus)
    for batch_size in (7, 64, other_size):
        again = analyse(model, source, batch_size)
        assert_same_analysis(again, alone, f"batch_size={batch_size}")
        assert_contexts_point_at_the_corpus(again, corpus)


def test_a_one_shot_iterator_keeps_corpus_positions() -> None:
    torch.manual_seed(2)
    model = TinyNet("LSTM", layers=1, bidirectional=True)
    corpus = ragged_corpus(80, 7, seed=2)
    from_list = analyse(model, corpus, batch_size=8)
    from_iterator = analyse(model, iter(corpus), batch_size=8)  # spooled by the counting pass
    assert_contexts_point_at_the_corpus(from_iterator, corpus)
    for key in from_list.layers:
        np.testing.assert_array_equal(
            from_iterator.contexts(key, "h").positions, from_list.contexts(key, "h").positions
        )


def test_a_forward_that_pads_is_refused_not_recorded() -> None:
    # What the README promises: padding added by the user's forward= is not silently recorded.
    model = TinyNet("LSTM", bidirectional=True)

    def pad_to_twelve(m: nn.Module, batch: Batch) -> Any:
        return m(nn.functional.pad(batch.ids, (0, 12 - batch.max_len)))

    with pytest.raises(CaptureAlignmentError, match="time steps"):
        analyse(model, ragged_corpus(10, 6), batch_size=4, forward=pad_to_twelve)


# 2-4. Widget traits are checked against the analysis ------------------------------------------


class TwoModules(nn.Module):
    """A bidirectional GRU (6 units, no "c") and a unidirectional LSTM (10 units) side by side."""

    def __init__(self) -> None:
        super().__init__()
        self.emb = nn.Embedding(VOCAB, 3)
        self.gru = nn.GRU(3, 6, batch_first=True, bidirectional=True)
        self.lstm = nn.LSTM(3, 10, batch_first=True)

    def forward(self, ids: torch.Tensor) -> Any:
        x = self.emb(ids)
        return self.gru(x)[0], self.lstm(x)[0]


@pytest.fixture(scope="module")
def mixed_analysis() -> rv.Analysis:
    torch.manual_seed(3)
    return rv.analyze(TwoModules(), ragged_corpus(300, 10, seed=3), WORDS, progress=False)


GRU_LAYER, LSTM_LAYER = 0, 1  # stacks sort by module name


def test_direction_is_checked_against_the_layer(mixed_analysis: rv.Analysis) -> None:
    assert [str(s) for s in mixed_analysis.stacks] == ["gru · layer 0", "lstm · layer 0"]
    widget = rv.RNNVis(mixed_analysis, layer=LSTM_LAYER)
    with pytest.raises(traitlets.TraitError, match="not bidirectional") as info:
        widget.direction = 1
    assert isinstance(info.value, ValueError)
    assert widget.direction == 0
    widget.n_clusters = 3  # later changes still work
    widget.layer = GRU_LAYER
    widget.direction = 1
    assert "backward" in widget.view["title"]
    widget.layer = LSTM_LAYER  # a layer without a backward direction shows its forward one
    assert widget.direction == 0 and widget.view["kind"] == "main"
    with pytest.raises(traitlets.TraitError, match="direction"):
        rv.RNNVis(mixed_analysis, layer=LSTM_LAYER, direction=1)


def test_state_must_be_recorded_at_the_layer(mixed_analysis: rv.Analysis) -> None:
    widget = rv.RNNVis(mixed_analysis, layer=LSTM_LAYER, state="c")
    with pytest.raises(traitlets.TraitError, match=r"'zz'.*\['h', 'c'\]") as info:
        widget.state = "zz"
    assert isinstance(info.value, ValueError)
    assert widget.state == "c" and "· c ·" in widget.view["title"]
    with pytest.raises(traitlets.TraitError, match=r"state 'x'"):
        rv.RNNVis(mixed_analysis, state="x")
    # Moving to a layer without "c" shows its "h": the user asked for the layer.
    widget.layer = GRU_LAYER
    assert widget.state == "h" and "· h ·" in widget.view["title"]
    # Asking for "c" where there is none is refused.
    with pytest.raises(traitlets.TraitError, match=r"\['h'\]"):
        widget.state = "c"
    assert widget.state == "h" and widget.layer == GRU_LAYER


def test_selected_words_must_be_shown(mixed_analysis: rv.Analysis) -> None:
    widget = rv.RNNVis(mixed_analysis, n_words=5)
    shown = widget.view["words"]["text"]
    widget.selected_words = shown[:2]
    with pytest.raises(traitlets.TraitError, match=r"'nope'.*not in the vocabulary"):
        widget.selected_words = ["nope"]
    rare = next(word for word in WORDS if word not in shown)
    with pytest.raises(traitlets.TraitError, match="raise n_words"):
        widget.selected_words = [rare]
    assert widget.selected_words == shown[:2]
    widget.n_words = 1  # the second pinned word is no longer shown: it is unpinned
    assert widget.selected_words == shown[:1]
    with pytest.raises(traitlets.TraitError, match="'nope'"):
        rv.RNNVis(mixed_analysis, selected_words=["nope"])


def test_selected_units_must_exist(mixed_analysis: rv.Analysis) -> None:
    widget = rv.RNNVis(mixed_analysis, layer=LSTM_LAYER)
    widget.selected_units = [0, 9]
    for bad in ([10**6], [-1], [10]):
        with pytest.raises(traitlets.TraitError, match=r"0\.\.9 of the 10"):
            widget.selected_units = bad
    assert widget.selected_units == [0, 9]
    widget.layer = GRU_LAYER  # 6 units: unit 9 is gone
    assert widget.selected_units == [0]
    with pytest.raises(traitlets.TraitError, match="selected_units"):
        rv.RNNVis(mixed_analysis, selected_units=[10**6])


# 5. Writes cannot lose a file -------------------------------------------------------------------


class _DiskFull:
    """A file that takes ``room`` bytes, then fails like a full disk."""

    def __init__(self, handle: Any, room: int) -> None:
        self._handle = handle
        self._room = room

    def write(self, data: Any) -> int:
        data = bytes(data)
        if len(data) > self._room:
            self._handle.write(data[: self._room])
            self._room = 0
            raise OSError(errno.ENOSPC, "No space left on device")
        self._room -= len(data)
        return int(self._handle.write(data))

    def __getattr__(self, name: str) -> Any:
        return getattr(self._handle, name)

    def __enter__(self) -> _DiskFull:
        return self

    def __exit__(self, *exc: object) -> None:
        self._handle.close()


def fill_disk_after(monkeypatch: pytest.MonkeyPatch, room: int) -> None:
    real_fdopen = os.fdopen
    monkeypatch.setattr(os, "fdopen", lambda fd, *a, **k: _DiskFull(real_fdopen(fd, *a, **k), room))


@pytest.fixture(scope="module")
def small_analysis() -> rv.Analysis:
    torch.manual_seed(4)
    return analyse(TinyNet("LSTM", bidirectional=False, hidden=6), ragged_corpus(200, 8, seed=4), 16)


def test_analysis_save_that_fails_keeps_the_old_file(
    small_analysis: rv.Analysis, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "run.npz"
    small_analysis.save(path)
    os.chmod(path, 0o640)
    good = path.read_bytes()
    with monkeypatch.context() as patch:
        fill_disk_after(patch, room=len(good) // 2)
        with pytest.raises(OSError, match="No space"):
            small_analysis.save(path)
        with pytest.raises(OSError, match="No space"):
            small_analysis.save(tmp_path / "new.npz")
    assert path.read_bytes() == good
    assert sorted(p.name for p in tmp_path.iterdir()) == ["run.npz"]  # nothing half written
    small_analysis.save(path)  # a successful save replaces the file, keeping its permissions
    assert rv.Analysis.load(path).n_tokens == small_analysis.n_tokens
    assert path.stat().st_mode & 0o777 == 0o640


def test_save_html_that_fails_keeps_the_old_file(
    small_analysis: rv.Analysis, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    widget = rv.RNNVis(small_analysis)
    path = tmp_path / "view.html"
    widget.save_html(path, ks=[2, 3])
    good = path.read_bytes()
    with monkeypatch.context() as patch:
        fill_disk_after(patch, room=1000)
        with pytest.raises(OSError, match="No space"):
            widget.save_html(path, ks=[2, 3, 4])
    with monkeypatch.context() as patch:
        patch.setattr(_export, "snapshot_html", lambda *a, **k: (_ for _ in ()).throw(KeyboardInterrupt))
        with pytest.raises(KeyboardInterrupt):
            widget.save_html(path)
    assert path.read_bytes() == good
    assert sorted(p.name for p in tmp_path.iterdir()) == ["view.html"]


# 6. Non-finite states name the layer, state, step and likely cause ------------------------------


def test_nan_weights_are_named_not_blamed_on_weight_drop() -> None:
    torch.manual_seed(5)
    model = TinyNet("LSTM", layers=2, bidirectional=False)
    with torch.no_grad():
        model.rnn.weight_hh_l1[3, 0] = float("nan")
    with pytest.raises(NonFiniteStateError) as info:
        analyse(model, ragged_corpus(20, 5), batch_size=8)
    message = str(info.value)
    assert not isinstance(info.value, CaptureMismatchError)
    assert isinstance(info.value, rv.CaptureError)
    for part in ("'rnn'", "layer 1", "forward direction", "NaN", "weight_hh_l1", "weights"):
        assert part in message, (part, message)
    assert "weight drop" not in message


def test_an_inf_input_is_traced_to_its_first_step_and_direction() -> None:
    torch.manual_seed(6)
    model = TinyNet("GRU", layers=1, bidirectional=True)
    with torch.no_grad():
        model.emb.weight[7] = float("inf")
    # Token 7 is read at step 4 of 6: going backward that is the 2nd step processed, earlier
    # than the forward direction's 5th.
    with pytest.raises(NonFiniteStateError) as info:
        rv.trace(model, [1, 2, 3, 4, 7, 5])
    message = str(info.value)
    for part in ("layer 0, backward direction", "step 4 of sequence 0", "input is already inf"):
        assert part in message, (part, message)
    with pytest.raises(NonFiniteStateError, match="input"):
        analyse(model, [[1, 2], [3, 7, 4]], batch_size=2)


def test_exploding_activations_are_named_as_such() -> None:
    model = TinyNet("RNN", layers=1, bidirectional=False)
    model.rnn = nn.RNN(3, 4, nonlinearity="relu", batch_first=True)
    with torch.no_grad():
        model.rnn.weight_hh_l0.copy_(torch.eye(4) * 1e30)
        model.rnn.bias_ih_l0.fill_(1.0)
    with pytest.raises(NonFiniteStateError, match="grew without bound") as info:
        rv.trace(model, [1, 2, 3, 4])
    assert "h of layer 0, forward direction became inf at step 2" in str(info.value)


class CellLoop(nn.Module):
    """An LSTMCell called once per step in Python, as hand-written decoders do."""

    def __init__(self) -> None:
        super().__init__()
        self.emb = nn.Embedding(VOCAB, 3)
        self.cell = nn.LSTMCell(3, 4)

    def forward(self, ids: torch.Tensor) -> torch.Tensor:
        x = self.emb(ids)
        h = c = x.new_zeros(ids.shape[0], 4)
        for t in range(ids.shape[1]):
            h, c = self.cell(x[:, t], (h, c))
        return h


@pytest.mark.parametrize("gates", [False, True])
def test_cells_report_the_step_that_went_non_finite(gates: bool) -> None:
    torch.manual_seed(7)
    model = CellLoop()
    with torch.no_grad():
        model.emb.weight[9] = float("nan")
    with pytest.raises(NonFiniteStateError) as info:
        rv.trace(model, [1, 2, 9, 3], gates=gates)
    message = str(info.value)
    for part in ("'cell'", "of the cell became NaN at step 2", "input is already NaN (first at step 2"):
        assert part in message, (part, message)


# 7. device= must be where the model is -----------------------------------------------------------


def test_a_device_without_the_model_is_refused() -> None:
    model = TinyNet()
    corpus = ragged_corpus(5, 4)
    for run in (
        lambda: rv.analyze(model, corpus, WORDS, device="meta", progress=False),
        lambda: rv.trace(model, corpus[0], device="meta"),
        lambda: rv.StateRecorder(model, device="meta"),
    ):
        with pytest.raises(ValueError, match=r"parameters are on cpu.*model\.to\('meta'\)"):
            run()
    assert rv.analyze(model, corpus, WORDS, device="cpu", progress=False).n_tokens == sum(map(len, corpus))


# 8. rv.analyze leaves torch's random stream alone -------------------------------------------------


class Noisy(TinyNet):
    """Draws random numbers in its forward, so the seed matters."""

    def forward(self, ids: torch.Tensor) -> torch.Tensor:
        x = self.emb(ids) + 0.1 * torch.randn(*ids.shape, 3)
        return self.rnn(x)[0]


def test_analyze_does_not_touch_the_global_random_state() -> None:
    model = Noisy(bidirectional=False)
    corpus = ragged_corpus(30, 6)
    torch.manual_seed(123)
    before = torch.get_rng_state()
    first = analyse(model, corpus, batch_size=8, seed=1)
    assert torch.equal(torch.get_rng_state(), before)
    second = analyse(model, corpus, batch_size=8, seed=1)
    other = analyse(model, corpus, batch_size=8, seed=2)
    np.testing.assert_array_equal(second.response(0, "h"), first.response(0, "h"))  # seeded
    assert not np.allclose(other.response(0, "h"), first.response(0, "h"))
    assert torch.equal(torch.get_rng_state(), before)


# 10. Progress with a total, and a demo that says what it does ------------------------------------


@pytest.fixture
def bar_totals(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    totals: list[Any] = []
    real = _run.tqdm

    def recording(*args: Any, **kwargs: Any) -> Any:
        totals.append(kwargs.get("total"))
        return real(*args, **kwargs)

    monkeypatch.setattr(_run, "tqdm", recording)
    return totals


def test_the_progress_bar_has_a_total_when_the_corpus_size_is_known(bar_totals: list[Any]) -> None:
    model = TinyNet(bidirectional=False)
    corpus = ragged_corpus(40, 6)
    n_tokens = sum(map(len, corpus))
    analyse(model, corpus, batch_size=8)  # counted by the display-word pass
    analyse(model, corpus, batch_size=8, display_words=0)  # a list: its lengths
    analyse(model, iter(corpus), batch_size=8)  # an iterator, counted while spooled
    analyse(model, padded_pairs(corpus, 16), batch_size=8, display_words=0)  # (ids, lengths)
    analyse(model, torch.randint(0, VOCAB, (5, 7)), batch_size=8, display_words=0)  # N x T
    analyse(model, iter(corpus), batch_size=8, display_words=0)  # unknown without a pass
    assert bar_totals == [n_tokens, n_tokens, n_tokens, n_tokens, 35, None]


def test_save_html_can_show_its_progress(small_analysis: rv.Analysis, tmp_path: Path, capsys: Any) -> None:
    rv.RNNVis(small_analysis).save_html(tmp_path / "a.html", slots="all", progress=True)
    err = capsys.readouterr().err
    assert "rnnvis snapshot" in err and "100%" in err and "writing a.html" in err


def test_the_demo_says_each_long_step(
    demo_run: DemoRun, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: Any
) -> None:
    small = DemoRun(demo_run.model, demo_run.vocab, [], demo_run.held_out[:300], demo_run.metrics)
    monkeypatch.setattr(demo_module, "load_demo_run", lambda: small)
    assert cli.main(["demo", "--out", str(tmp_path / "demo.html")]) == 0
    out, err = capsys.readouterr()
    steps = [line for line in err.splitlines() if line.startswith("rnnvis demo:")]
    assert [line.split()[2] for line in steps] == ["loading", "analysing", "co-clustering"]
    tokens = sum(map(len, small.held_out))
    assert f"/{tokens / 1000:.2f}k" in err or f"/{tokens}" in err  # the analysis bar has a total
    assert "rnnvis snapshot" in err and "writing demo.html" in err
    assert "wrote" in out and (tmp_path / "demo.html").exists()
