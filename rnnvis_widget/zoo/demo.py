"""The demo: a small LSTM language model trained for a few seconds on Shakespeare, analysed,
and saved as an offline snapshot. Replaced by shipped checkpoints once the model manager lands."""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

import torch
from torch import nn

from ..analysis import Analysis, analyze
from ..widget import RNNVis
from .corpora import Vocabulary, shakespeare_lines

DEMO_PLAYS = [
    "comedies/twelfth-night",
    "comedies/as-you-like-it",
    "comedies/much-ado-about-nothing",
    "comedies/a-midsummer-night-s-dream",
    "histories/henry-v",
]


class LanguageModel(nn.Module):
    """Embedding -> LSTM -> linear read-out over the vocabulary."""

    def __init__(self, vocab_size: int, embedding: int = 32, hidden: int = 64, layers: int = 2):
        super().__init__()
        self.embed = nn.Embedding(vocab_size, embedding)
        self.rnn = nn.LSTM(embedding, hidden, num_layers=layers, batch_first=True)
        self.readout = nn.Linear(hidden, vocab_size)

    def forward(self, ids: torch.Tensor) -> torch.Tensor:
        states, _ = self.rnn(self.embed(ids))
        logits: torch.Tensor = self.readout(states)
        return logits


@dataclass
class DemoRun:
    model: LanguageModel
    vocab: Vocabulary
    train: list[list[int]]
    held_out: list[list[int]]
    loss: float
    seconds: float


def _batches(
    sequences: list[list[int]], batch_size: int, generator: torch.Generator
) -> list[torch.Tensor]:
    order = torch.randperm(len(sequences), generator=generator).tolist()
    batches = []
    for start in range(0, len(order) - batch_size + 1, batch_size):
        chunk = [sequences[i] for i in order[start : start + batch_size]]
        width = max(len(s) for s in chunk)
        batch = torch.zeros(len(chunk), width, dtype=torch.long)
        for row, seq in enumerate(chunk):
            batch[row, : len(seq)] = torch.tensor(seq)
        batches.append(batch)
    return batches


def train_demo_model(seconds: float = 8.0, seed: int = 0) -> DemoRun:
    """Train the demo LSTM on five plays for about `seconds` of wall time (padding id 0 is <unk>,
    ignored by the loss)."""
    torch.manual_seed(seed)
    lines = [line[:30] for line in shakespeare_lines(DEMO_PLAYS) if len(line) >= 3]
    vocab = Vocabulary.build(lines, min_count=3)
    encoded = [vocab.encode(line) for line in lines]
    cut = len(encoded) * 9 // 10
    train, held_out = encoded[:cut], encoded[cut:]
    model = LanguageModel(len(vocab))
    optimiser = torch.optim.Adam(model.parameters(), lr=5e-3)
    loss_fn = nn.CrossEntropyLoss(ignore_index=0)
    generator = torch.Generator().manual_seed(seed)
    start = time.perf_counter()
    loss = float("nan")
    model.train()
    while time.perf_counter() - start < seconds:
        for batch in _batches(train, 64, generator):
            logits = model(batch[:, :-1])
            step_loss = loss_fn(logits.reshape(-1, logits.shape[-1]), batch[:, 1:].reshape(-1))
            optimiser.zero_grad()
            step_loss.backward()
            optimiser.step()
            loss = step_loss.item()
            if time.perf_counter() - start >= seconds:
                break
    model.eval()
    return DemoRun(model, vocab, train, held_out, loss, time.perf_counter() - start)


def build_demo(
    out: str | Path = "demo.html", seconds: float = 8.0, progress: bool = True
) -> tuple[Path, Analysis]:
    """Train, analyse the held-out lines and write the snapshot to `out`."""
    run = train_demo_model(seconds)
    analysis = analyze(run.model, run.held_out, run.vocab.words, progress=progress)
    widget = RNNVis(analysis)
    path = widget.save_html(out, title="rnnvis demo: Shakespeare LSTM")
    return Path(path), analysis
