"""analyze() end to end on a real LSTM, checked against a brute-force pass written here."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import torch
from torch import nn

import rnnvis_widget as rv


class TinyLM(nn.Module):
    def __init__(self, vocab_size: int):
        super().__init__()
        self.embed = nn.Embedding(vocab_size, 8)
        self.rnn = nn.LSTM(8, 6, batch_first=True)

    def forward(self, ids: torch.Tensor) -> torch.Tensor:
        out, _ = self.rnn(self.embed(ids))
        return out


def brute_force_response(model: TinyLM, corpus: list[list[int]], vocab_size: int, kind: str) -> np.ndarray:
    """Mean Δ per word from one sequence at a time, no batching, no padding."""
    total = np.zeros((vocab_size, 6))
    count = np.zeros(vocab_size)
    with torch.no_grad():
        for seq in corpus:
            ids = torch.tensor([seq])
            h = torch.zeros(1, 1, 6)
            c = torch.zeros(1, 1, 6)
            for token in seq:
                prev = (h if kind == "h" else c).reshape(6).numpy().copy()
                _, (h, c) = model.rnn(model.embed(torch.tensor([[token]])), (h, c))
                now = (h if kind == "h" else c).reshape(6).numpy()
                total[token] += now - prev
                count[token] += 1
            del ids
    return total / np.maximum(count, 1)[:, None]


@pytest.fixture
def tiny() -> tuple[TinyLM, list[list[int]], list[str]]:
    torch.manual_seed(0)
    generator = torch.Generator().manual_seed(1)
    corpus = [
        torch.randint(0, 12, (int(n),), generator=generator).tolist()
        for n in torch.randint(1, 9, (20,), generator=generator)
    ]
    vocab = [f"w{i}" for i in range(15)]
    return TinyLM(len(vocab)), corpus, vocab


@pytest.mark.parametrize("kind", ["h", "c"])
def test_response_matches_brute_force(tiny: tuple[TinyLM, list[list[int]], list[str]], kind: str) -> None:
    model, corpus, vocab = tiny
    analysis = rv.analyze(model, corpus, vocab, batch_size=7, progress=False)
    expected = brute_force_response(model, corpus, len(vocab), kind)
    np.testing.assert_allclose(analysis.response(-1, kind), expected, atol=1e-5)
    np.testing.assert_array_equal(analysis.counts, np.bincount(np.concatenate(corpus), minlength=len(vocab)))
    assert analysis.n_tokens == sum(len(s) for s in corpus)
    assert analysis.states(-1) == ["h", "c"]


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs CUDA")
def test_analyze_on_cuda_matches_cpu(tiny: tuple[TinyLM, list[list[int]], list[str]]) -> None:
    model, corpus, vocab = tiny
    on_cpu = rv.analyze(model, corpus, vocab, progress=False)
    on_gpu = rv.analyze(model.cuda(), corpus, vocab, progress=False)
    assert next(model.parameters()).is_cuda  # the user's model stays where they put it
    np.testing.assert_array_equal(on_gpu.counts, on_cpu.counts)
    for kind in ("h", "c"):
        np.testing.assert_allclose(on_gpu.response(-1, kind), on_cpu.response(-1, kind), atol=1e-5)
        np.testing.assert_allclose(on_gpu.variance(-1, kind), on_cpu.variance(-1, kind), atol=1e-5)


def test_save_load_round_trip(tiny: tuple[TinyLM, list[list[int]], list[str]], tmp_path: Path) -> None:
    model, corpus, vocab = tiny
    analysis = rv.analyze(model, corpus, vocab, progress=False)
    path = tmp_path / "a.npz"
    analysis.save(path)
    loaded = rv.Analysis.load(path)
    assert loaded.vocab == vocab and loaded.layers == analysis.layers
    np.testing.assert_array_equal(loaded.response(-1, "c"), analysis.response(-1, "c"))
    np.testing.assert_array_equal(loaded.counts, analysis.counts)
    assert loaded.n_tokens == analysis.n_tokens
    for kind in ("h", "c"):
        np.testing.assert_array_equal(loaded.variance(-1, kind), analysis.variance(-1, kind))
        for got, want in zip(loaded.quantiles(-1, kind), analysis.quantiles(-1, kind), strict=True):
            np.testing.assert_array_equal(got, want)
        summary, expected = loaded.unit_summary(-1, kind), analysis.unit_summary(-1, kind)
        for name in (
            "mean",
            "std",
            "mean_abs",
            "sparsity",
            "saturation",
            "unsaturated",
            "unsaturated_sparsity",
        ):
            np.testing.assert_array_equal(getattr(summary, name), getattr(expected, name))
        for unit in range(6):
            assert loaded.top_contexts(unit, state=kind, sign=-1) == analysis.top_contexts(
                unit, state=kind, sign=-1
            )
    assert len(analysis.top_contexts(0)) > 0
    # The loaded statistics keep streaming: a further shard merges into them.
    loaded.stats.merge(rv.analyze(model, corpus, vocab, progress=False).stats)
    np.testing.assert_array_equal(loaded.counts, 2 * analysis.counts)
    np.testing.assert_allclose(loaded.response(-1, "h"), analysis.response(-1, "h"), atol=1e-12)


def _rewrite(
    source: Path, target: Path, edit: Callable[[dict[str, Any], dict[str, np.ndarray]], None]
) -> None:
    with np.load(source) as data:
        arrays = {name: data[name] for name in data.files}
    header = json.loads(bytes(arrays.pop("header")).decode())
    edit(header, arrays)
    arrays["header"] = np.frombuffer(json.dumps(header).encode(), dtype=np.uint8)
    np.savez(target, **arrays)


def test_load_rejects_other_versions_and_damaged_contents(
    tiny: tuple[TinyLM, list[list[int]], list[str]], tmp_path: Path
) -> None:
    model, corpus, vocab = tiny
    good = tmp_path / "good.npz"
    rv.analyze(model, corpus, vocab, progress=False, display_words=4).save(good)

    def bump(header: dict[str, Any], arrays: dict[str, np.ndarray]) -> None:
        header["version"] += 1

    def downgrade(header: dict[str, Any], arrays: dict[str, np.ndarray]) -> None:
        header["version"] = 1

    def drop_histogram(header: dict[str, Any], arrays: dict[str, np.ndarray]) -> None:
        del arrays["slot0_histogram"]

    def drop_unsaturated_counters(header: dict[str, Any], arrays: dict[str, np.ndarray]) -> None:
        # As a file written before the saturation-aware sparsity was kept.
        for name in [n for n in arrays if "unsaturated" in n]:
            del arrays[name]

    def reshape_mean(header: dict[str, Any], arrays: dict[str, np.ndarray]) -> None:
        arrays["slot1_mean"] = arrays["slot1_mean"][:-1]

    def shorten_vocab(header: dict[str, Any], arrays: dict[str, np.ndarray]) -> None:
        header["vocab"] = header["vocab"][:-1]

    cases = [
        (bump, "upgrade rnnvis-widget"),
        (downgrade, "version 1.*re-run rv.analyze"),
        (drop_histogram, "damaged.*slot0_histogram"),
        (drop_unsaturated_counters, "saturation-aware.*re-run rv.analyze"),
        (reshape_mean, "damaged.*shape"),
        (shorten_vocab, "damaged.*vocabulary"),
    ]
    for edit, message in cases:
        target = tmp_path / f"{edit.__name__}.npz"
        _rewrite(good, target, edit)
        with pytest.raises(ValueError, match=message):
            rv.Analysis.load(target)
    truncated = tmp_path / "truncated.npz"
    truncated.write_bytes(good.read_bytes()[: good.stat().st_size // 2])
    with pytest.raises(ValueError, match="not a readable rnnvis analysis"):
        rv.Analysis.load(truncated)


def test_load_rejects_damaged_and_foreign_files(tmp_path: Path) -> None:
    damaged = tmp_path / "damaged.npz"
    damaged.write_bytes(b"PK\x03\x04 not really a zip")
    with pytest.raises(ValueError, match="not a readable rnnvis analysis"):
        rv.Analysis.load(damaged)
    foreign = tmp_path / "foreign.npz"
    np.savez(foreign, header=np.frombuffer(b'{"format": "other"}', dtype=np.uint8))
    with pytest.raises(ValueError, match="not an rnnvis analysis"):
        rv.Analysis.load(foreign)


def test_vocab_is_validated(tiny: tuple[TinyLM, list[list[int]], list[str]]) -> None:
    model, corpus, _ = tiny
    with pytest.raises(TypeError, match="sequence of str"):
        rv.analyze(model, corpus, "abc", progress=False)
    with pytest.raises(TypeError, match=r"vocab\[1\] is int"):
        rv.analyze(model, corpus, ["a", 3], progress=False)  # type: ignore[list-item]


def test_a_vocabulary_object_is_read_through_its_words(
    tiny: tuple[TinyLM, list[list[int]], list[str]],
) -> None:
    model, corpus, words = tiny
    from rnnvis_widget.zoo import Vocabulary

    vocab = Vocabulary(list(words))
    by_object = rv.analyze(model, corpus, vocab, progress=False)
    by_list = rv.analyze(model, corpus, words, progress=False)
    assert by_object.vocab == list(words)
    np.testing.assert_array_equal(by_object.response(-1, "h"), by_list.response(-1, "h"))
