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

    ``model(ids)`` returns the last layer's hidden states, not logits: a full softmax over the
    vocabulary is rarely needed (training uses the adaptive softmax's loss directly) and would
    dominate the cost of ``rv.analyze``. [log_prob][rnnvis_widget.zoo.LanguageModel.log_prob]
    gives log-probabilities of the next word when you want them.

    Parameters
    ----------
    vocab_size : int
        Number of token ids.
    config : ModelConfig
        The model shape.

    Attributes
    ----------
    embed : torch.nn.Embedding
    rnn : torch.nn.RNN, torch.nn.GRU or torch.nn.LSTM
        Batch first; the module ``rv.analyze`` records.
    readout : torch.nn.AdaptiveLogSoftmaxWithLoss
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
        """Last-layer hidden states of a batch.

        Parameters
        ----------
        ids : Tensor of shape (B, T), int64

        Returns
        -------
        Tensor of shape (B, T, H), float32
        """
        states, _ = self.rnn(self.drop(self.embed(ids)))
        dropped: torch.Tensor = self.drop(states)
        return dropped

    def token_nll(self, ids: torch.Tensor, lengths: torch.Tensor) -> tuple[torch.Tensor, int]:
        """Summed negative log-likelihood of every next word inside the sequences.

        Token ``t + 1`` is predicted from tokens ``0..t``, for ``t + 1 < length``; padding is
        ignored.

        Parameters
        ----------
        ids : Tensor of shape (B, T), int64
        lengths : Tensor of shape (B,), int64

        Returns
        -------
        nll : Tensor of shape (), float32
            The summed negative log-likelihood.
        count : int
            How many words were predicted.
        """
        states = self(ids[:, :-1])
        steps = torch.arange(ids.shape[1] - 1, device=ids.device)
        valid = steps[None, :] + 1 < lengths[:, None]
        output = self.readout(states[valid], ids[:, 1:][valid])
        count = int(valid.sum())
        return -output.output.sum(), count

    def log_prob(self, ids: torch.Tensor) -> torch.Tensor:
        """Log-probability of each next word after each prefix.

        Parameters
        ----------
        ids : Tensor of shape (B, T), int64

        Returns
        -------
        Tensor of shape (B, T, V), float32
            ``V`` is the vocabulary size.
        """
        states = self(ids)
        flat = self.readout.log_prob(states.reshape(-1, states.shape[-1]))
        return flat.reshape(*states.shape[:2], -1)


class Classifier(nn.Module):
    """Binary classifier: embedding -> RNN -> linear on the state after the last real token.

    ``model(ids)`` or ``model(ids, lengths)`` returns logits; without lengths the last column
    is taken as the end of every sequence (fine for unpadded batches).

    Parameters
    ----------
    vocab_size : int
        Number of token ids.
    config : ModelConfig
        The model shape.
    n_classes : int, default 2

    Attributes
    ----------
    embed : torch.nn.Embedding
    rnn : torch.nn.RNN, torch.nn.GRU or torch.nn.LSTM
        Batch first; the module ``rv.analyze`` records.
    readout : torch.nn.Linear
    """

    def __init__(self, vocab_size: int, config: ModelConfig, n_classes: int = 2):
        super().__init__()
        self.config = config
        self.embed = nn.Embedding(vocab_size, config.n_embedding)
        self.rnn = _recurrent(config)
        self.drop = nn.Dropout(config.dropout)
        self.readout = nn.Linear(config.n_hidden, n_classes)

    def forward(self, ids: torch.Tensor, lengths: torch.Tensor | None = None) -> torch.Tensor:
        """Class logits of a batch.

        Parameters
        ----------
        ids : Tensor of shape (B, T), int64
        lengths : Tensor of shape (B,), int64, optional
            Length of each sequence; None takes column ``T - 1`` as every sequence's end.

        Returns
        -------
        Tensor of shape (B, n_classes), float32
        """
        states, _ = self.rnn(self.drop(self.embed(ids)))
        if lengths is None:
            last = states[:, -1]
        else:
            # Padding comes after the real tokens, so a forward RNN's state at length-1 has not
            # seen any of it.
            last = states[torch.arange(states.shape[0], device=states.device), lengths.to(states.device) - 1]
        logits: torch.Tensor = self.readout(self.drop(last))
        return logits
