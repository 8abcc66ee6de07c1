"""The model zoo's two model kinds: a word-level language model and a binary classifier.

Both are embedding -> `nn.RNN` / `nn.GRU` / `nn.LSTM` (batch first) -> read-out, so
`rv.analyze(model, corpus, vocab)` finds and records the recurrent module without any help.
"""

from __future__ import annotations

import torch
from torch import nn

from .config import ModelConfig

RNN_CLASSES: dict[str, type[nn.RNN] | type[nn.GRU] | type[nn.LSTM]] = {
    "rnn": nn.RNN,
    "gru": nn.GRU,
    "lstm": nn.LSTM,
}


def _recurrent(config: ModelConfig) -> nn.RNNBase:
    # nn.RNNBase's own dropout acts between stacked layers only, so one layer gets none.
    dropout = config.dropout if config.n_layers > 1 else 0.0
    return RNN_CLASSES[config.cell](
        config.n_embedding, config.n_hidden, num_layers=config.n_layers, batch_first=True, dropout=dropout
    )


class LanguageModel(nn.Module):
    """Next-word model: embedding -> RNN -> adaptive softmax over the vocabulary.

    `model(ids)` returns the last layer's hidden states (B, T, H), not logits: a full softmax
    over the vocabulary is rarely needed (training uses the adaptive softmax's loss directly) and
    would dominate the cost of `rv.analyze`. `model.log_prob(ids)` gives (B, T, V) log-probabilities
    of the next word when you want them.
    """

    def __init__(self, vocab_size: int, config: ModelConfig):
        super().__init__()
        self.config = config
        self.embed = nn.Embedding(vocab_size, config.n_embedding)
        self.rnn = _recurrent(config)
        self.drop = nn.Dropout(config.dropout)
        # Cut-offs must lie inside the vocabulary; bands past its end are simply dropped.
        cutoffs = [c for c in config.cutoffs if 0 < c < vocab_size - 1]
        self.readout = nn.AdaptiveLogSoftmaxWithLoss(config.n_hidden, vocab_size, cutoffs, div_value=4.0)

    def forward(self, ids: torch.Tensor) -> torch.Tensor:
        """ids (B, T) int64 -> last-layer hidden states (B, T, H)."""
        states, _ = self.rnn(self.drop(self.embed(ids)))
        dropped: torch.Tensor = self.drop(states)
        return dropped

    def token_nll(self, ids: torch.Tensor, lengths: torch.Tensor) -> tuple[torch.Tensor, int]:
        """Summed negative log-likelihood of every next word inside the sequences, and how many
        words were predicted: token t+1 from tokens 0..t, for t + 1 < length (padding ignored).

        ids (B, T), lengths (B,) -> (scalar tensor, count).
        """
        states = self(ids[:, :-1])
        steps = torch.arange(ids.shape[1] - 1, device=ids.device)
        valid = steps[None, :] + 1 < lengths[:, None]
        output = self.readout(states[valid], ids[:, 1:][valid])
        count = int(valid.sum())
        return -output.output.sum(), count

    def log_prob(self, ids: torch.Tensor) -> torch.Tensor:
        """ids (B, T) -> (B, T, V) log-probability of each next word after each prefix."""
        states = self(ids)
        flat = self.readout.log_prob(states.reshape(-1, states.shape[-1]))
        return flat.reshape(*states.shape[:2], -1)


class Classifier(nn.Module):
    """Binary classifier: embedding -> RNN -> linear on the state after the last real token.

    `model(ids)` or `model(ids, lengths)` returns logits (B, 2); without lengths the last
    column is taken as the end of every sequence (fine for unpadded batches).
    """

    def __init__(self, vocab_size: int, config: ModelConfig, n_classes: int = 2):
        super().__init__()
        self.config = config
        self.embed = nn.Embedding(vocab_size, config.n_embedding)
        self.rnn = _recurrent(config)
        self.drop = nn.Dropout(config.dropout)
        self.readout = nn.Linear(config.n_hidden, n_classes)

    def forward(self, ids: torch.Tensor, lengths: torch.Tensor | None = None) -> torch.Tensor:
        """ids (B, T) int64, lengths (B,) -> logits (B, n_classes)."""
        states, _ = self.rnn(self.drop(self.embed(ids)))
        if lengths is None:
            last = states[:, -1]
        else:
            # Padding comes after the real tokens, so a forward RNN's state at length-1 has not
            # seen any of it.
            last = states[torch.arange(states.shape[0], device=states.device), lengths.to(states.device) - 1]
        logits: torch.Tensor = self.readout(self.drop(last))
        return logits
