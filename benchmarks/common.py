"""What several benchmarks share: the reference LSTM language model of the issues and a real
corpus slice. Benchmarks run as scripts, so this folder is on sys.path."""

from __future__ import annotations

import torch
from torch import nn

from rnnvis_widget.zoo.corpora import Vocabulary, shakespeare_lines


class LanguageModel(nn.Module):
    """Embedding -> LSTM -> linear read-out; the issues' reference is 2 x 600, vocab 10,000,
    embedding 200. Weights are left untrained: speed and sizes do not depend on them."""

    def __init__(
        self, vocab: int = 10_000, emb: int = 200, hidden: int = 600, layers: int = 2, readout: bool = True
    ):
        super().__init__()
        self.emb = nn.Embedding(vocab, emb)
        self.rnn = nn.LSTM(
            emb, hidden, num_layers=layers, batch_first=True, dropout=0.5 if layers > 1 else 0.0
        )
        self.decoder = nn.Linear(hidden, vocab) if readout else None

    def forward(self, ids: torch.Tensor) -> torch.Tensor:
        out, _ = self.rnn(self.emb(ids))
        return self.decoder(out) if self.decoder is not None else out


def shakespeare_corpus(
    tokens: int, plays: list[str] | None = None, max_vocab: int | None = None, min_count: int = 1
) -> tuple[list[list[int]], list[str]]:
    """The first lines of the plays up to `tokens` tokens, and a vocabulary padded with unused
    placeholder words to exactly `max_vocab` entries when given."""
    lines = shakespeare_lines(plays)
    vocab = Vocabulary.build(lines, min_count=min_count, max_size=max_vocab)
    words = list(vocab.words)
    if max_vocab is not None:
        words += [f"<unused{i}>" for i in range(max_vocab - len(words))]
    corpus, total = [], 0
    for line in lines:
        corpus.append(vocab.encode(line))
        total += len(line)
        if total >= tokens:
            break
    return corpus, words
