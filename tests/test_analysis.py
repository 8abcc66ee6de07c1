"""analyze() end to end on a real LSTM, checked against a brute-force pass written here."""

from __future__ import annotations

from pathlib import Path

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


def brute_force_response(
    model: TinyLM, corpus: list[list[int]], vocab_size: int, kind: str
) -> np.ndarray:
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
def test_response_matches_brute_force(
    tiny: tuple[TinyLM, list[list[int]], list[str]], kind: str
) -> None:
    model, corpus, vocab = tiny
    analysis = rv.analyze(model, corpus, vocab, batch_size=7, progress=False)
    expected = brute_force_response(model, corpus, len(vocab), kind)
    np.testing.assert_allclose(analysis.response(-1, kind), expected, atol=1e-5)
    np.testing.assert_array_equal(
        analysis.counts, np.bincount(np.concatenate(corpus), minlength=len(vocab))
    )
    assert analysis.n_tokens == sum(len(s) for s in corpus)
    assert analysis.states(-1) == ["h", "c"]


def test_save_load_round_trip(
    tiny: tuple[TinyLM, list[list[int]], list[str]], tmp_path: Path
) -> None:
    model, corpus, vocab = tiny
    analysis = rv.analyze(model, corpus, vocab, progress=False)
    path = tmp_path / "a.npz"
    analysis.save(path)
    loaded = rv.Analysis.load(path)
    assert loaded.vocab == vocab and loaded.layers == analysis.layers
    np.testing.assert_array_equal(loaded.response(-1, "c"), analysis.response(-1, "c"))
    np.testing.assert_array_equal(loaded.counts, analysis.counts)


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
