"""iter_batches: every accepted corpus form, and a clear error for every bad input."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from torch.utils.data import DataLoader, TensorDataset

from rnnvis_widget.capture import batches as batches_module
from rnnvis_widget.capture.batches import Batch, iter_batches


def test_ragged_lists_are_grouped_by_length_with_corpus_positions() -> None:
    corpus = [[1, 2, 3], (4,), torch.tensor([5, 6]), np.array([7, 8, 9, 9], dtype=np.int32), [3, 3, 3]]
    batches = list(iter_batches(corpus, vocab_size=10, batch_size=2))
    # [1, 2, 3] and [3, 3, 3] fill a batch of length 3 first; the rest leave at the end.
    assert [b.ids.tolist() for b in batches] == [[[1, 2, 3], [3, 3, 3]], [[4]], [[5, 6]], [[7, 8, 9, 9]]]
    assert [b.starts.tolist() for b in batches if b.starts is not None] == [[0, 10], [3], [4], [6]]
    assert all(bool(b.mask().all()) for b in batches)  # no padding anywhere
    assert batches[-1].ids.dtype == torch.int64
    assert sum(b.n_tokens for b in batches) == 13


def test_waiting_sequences_are_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(batches_module, "MAX_WAITING_TOKENS", 5)
    corpus = [[1, 1], [2, 2, 2], [3, 3], [4, 4, 4], [5]]
    got = list(iter_batches(corpus, vocab_size=10, batch_size=64))
    # Past 5 waiting tokens the fullest group leaves early, still of one length.
    assert [b.ids.tolist() for b in got] == [[[1, 1], [3, 3]], [[2, 2, 2], [4, 4, 4]], [[5]]]
    assert [b.starts.tolist() for b in got if b.starts is not None] == [[0, 5], [2, 7], [10]]


def test_tensor_and_array_corpora_are_full_length() -> None:
    ids = torch.arange(12).reshape(4, 3) % 5
    for corpus in (ids, ids.numpy()):
        batches = list(iter_batches(corpus, vocab_size=5, batch_size=3))
        assert [b.lengths.tolist() for b in batches] == [[3, 3, 3], [3]]
        assert torch.equal(torch.cat([b.ids for b in batches]), ids)


def test_pairs_and_dataloader() -> None:
    ids = torch.tensor([[1, 2, 9], [3, 7, 7]])  # 9 and 7 are user padding beyond lengths
    lengths = torch.tensor([2, 1])
    # The rows of a padded batch are regrouped by length, padding (and user padding ids) dropped.
    got = list(iter_batches([(ids, lengths)], vocab_size=5))
    assert [(x.ids.tolist(), x.starts.tolist()) for x in got if x.starts is not None] == [
        ([[1, 2]], [0]),
        ([[3]], [2]),
    ]
    loader = DataLoader(TensorDataset(ids, lengths), batch_size=1)
    got = list(iter_batches(loader, vocab_size=5))
    assert [x.ids.tolist() for x in got] == [[[1, 2]], [[3]]]
    # Full-length batches are kept as given.
    full = DataLoader(torch.tensor([[1, 2], [3, 4], [0, 1]]), batch_size=2)
    got = list(iter_batches(full, 5))
    assert [x.lengths.tolist() for x in got] == [[2, 2], [2]]
    assert [x.starts.tolist() for x in got if x.starts is not None] == [[0, 2], [4]]


@pytest.mark.parametrize(
    ("corpus", "vocab", "exc", "words"),
    [
        ([], 5, ValueError, ["empty"]),
        (iter([]), 5, ValueError, ["empty"]),
        ([[1, 2], []], 5, ValueError, ["sequence 1", "zero length"]),
        ([[1, 2], [3, 5]], 5, ValueError, ["token id 5", "sequence 1, position 1", "vocab size 5"]),
        ([[1, -1]], 5, ValueError, ["token id -1", "position 1"]),
        ([[1.5, 2.0]], 5, TypeError, ["float", "integers"]),
        (torch.rand(2, 3), 5, TypeError, ["float32", ".long()"]),
        (np.ones((2, 2)), 5, TypeError, ["float64", "astype"]),
        (["the cat"], 5, TypeError, ["string", "Encode"]),
        ("the cat", 5, TypeError, ["string"]),
        (torch.tensor([1, 2]), 5, TypeError, ["1-D", "one sequence"]),
        ([(torch.ones(2, 3, dtype=torch.long), torch.tensor([3, 4]))], 5, ValueError,
         ["length 4", "3 columns"]),
        ([(torch.ones(2, 3, dtype=torch.long), torch.tensor([3, 0]))], 5, ValueError,
         ["sequence 1", "length 0"]),
        ([[[1, 2], [3, 4]]], 5, ValueError, ["shape (2, 2)", "1-D"]),
    ],
)
def test_bad_input_is_named(corpus, vocab, exc, words) -> None:
    with pytest.raises(exc) as info:
        list(iter_batches(corpus, vocab))
    for w in words:
        assert w in str(info.value), (w, str(info.value))


def test_error_positions_count_across_batches() -> None:
    corpus = [[1]] * 5 + [[1, 2, 8]]
    with pytest.raises(ValueError, match="sequence 5, position 2"):
        list(iter_batches(corpus, vocab_size=5, batch_size=2))


def test_batch_to_device_keeps_values() -> None:
    b = Batch(torch.tensor([[1, 2]]), torch.tensor([2]))
    moved = b.to("cpu")
    assert torch.equal(moved.ids, b.ids) and moved.n_tokens == 2
