"""The pretrained models shipped inside the package, and `load_pretrained(name)`.

Each checkpoint under `checkpoints/` was made by `python -m rnnvis_widget train
rnnvis_widget/zoo/configs/<name>.toml --out rnnvis_widget/zoo/checkpoints/<name>.pt`; the config is
also stored inside the checkpoint.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import torch
from torch import nn

from ..capture import Batch
from .config import TrainConfig
from .corpora import Vocabulary, tokenize
from .data import CorpusSplits, load_splits
from .models import Classifier, LanguageModel
from .train import load_checkpoint

HERE = Path(__file__).parent
CHECKPOINTS = HERE / "checkpoints"
CONFIGS = HERE / "configs"

#: Shipped models and what they are.
PRETRAINED: dict[str, str] = {
    "shakespeare-lstm": "LSTM language model, 2 x 128, all 38 plays (the demo model)",
    "sparsity-rnn": "vanilla RNN language model, 1 x 128, all plays (compare with sparsity-lstm)",
    "sparsity-lstm": "LSTM language model, 1 x 128, all plays (compare with sparsity-rnn)",
    "sentiment-gru": "GRU sentiment classifier, 1 x 50, IMDB reviews (last 200 tokens), natural balance",
    "sentiment-gru-skewed": "sentiment-gru trained on a 3:1 positive:negative subset",
    "sentiment-gru-oversampled": "sentiment-gru-skewed with its negatives oversampled to balance",
}


@dataclass
class Pretrained:
    """A shipped model with its vocabulary, config, recorded metrics and corpus.

    Attributes
    ----------
    name : str
        One of the names in ``PRETRAINED``.
    model : LanguageModel or Classifier
        Float32, in eval mode, on the CPU.
    vocab : Vocabulary
    config : TrainConfig
        The config it was trained from.
    metrics : dict of str to float
        Recorded at training time on the float16-rounded weights, so they are what this
        model gives (e.g. ``test_perplexity``, ``test_accuracy``).
    data : CorpusSplits
        The corpus splits it was trained and evaluated on, encoded with its vocabulary; read
        from the corpus package on first access.
    """

    name: str
    model: LanguageModel | Classifier
    vocab: Vocabulary
    config: TrainConfig
    metrics: dict[str, float]
    _splits: CorpusSplits | None = field(default=None, repr=False)

    @property
    def data(self) -> CorpusSplits:
        """Train / valid / test token-id lists (and labels); read from the corpus package once.

        Raises
        ------
        ValueError
            If the corpus installed here gives another vocabulary than the model's.
        """
        if self._splits is None:
            self._splits = load_splits(self.config.data, self.vocab)
        return self._splits

    def encode(self, text: str) -> list[int]:
        """Token ids of a text, tokenised as the corpus was; unknown words become ``<unk>``.

        Parameters
        ----------
        text : str

        Returns
        -------
        list of int
        """
        return self.vocab.encode(tokenize(text))

    def forward(self, model: nn.Module, batch: Batch) -> Any:
        """How this model is run on a batch: a classifier reads the real lengths."""
        if isinstance(model, Classifier):
            return model(batch.ids, batch.lengths)
        return model(batch.ids)

    def widget_options(self) -> dict[str, Any]:
        """What `rv.RNNVis` (and `rv.show`) need to run sentences through this model live.

        Returns
        -------
        dict
            ``model``, ``encode``, ``forward``, ``predict`` (a language model's next-word
            log-probabilities, via its adaptive softmax) and ``labels`` (a classifier's class
            names); use as ``rv.RNNVis(analysis, **pre.widget_options())``.
        """
        options: dict[str, Any] = {"model": self.model, "encode": self.encode, "forward": self.forward}
        if isinstance(self.model, LanguageModel):
            options["predict"] = _next_word_log_prob
        else:
            options["labels"] = list(CLASS_LABELS)
        return options


#: Class names of the shipped sentiment classifiers, by class index.
CLASS_LABELS = ("negative", "positive")


def _next_word_log_prob(model: nn.Module, batch: Batch) -> torch.Tensor:
    assert isinstance(model, LanguageModel)
    return model.log_prob(batch.ids)


def config_path(name: str) -> Path:
    """The TOML config a shipped model was trained from.

    Parameters
    ----------
    name : str
        One of the names in ``PRETRAINED``.

    Returns
    -------
    Path

    Raises
    ------
    KeyError
        If no model of that name is shipped.
    """
    _check(name)
    return CONFIGS / f"{name}.toml"


def checkpoint_path(name: str) -> Path:
    """Where a shipped model's checkpoint lies.

    Parameters
    ----------
    name : str
        One of the names in ``PRETRAINED``.

    Returns
    -------
    Path

    Raises
    ------
    KeyError
        If no model of that name is shipped.
    """
    _check(name)
    return CHECKPOINTS / f"{name}.pt"


def _check(name: str) -> None:
    if name not in PRETRAINED:
        raise KeyError(f"no pretrained model {name!r}; shipped: {sorted(PRETRAINED)}")


def load_pretrained(name: str) -> Pretrained:
    """Load a shipped model in eval mode on the CPU.

    Parameters
    ----------
    name : str
        One of the names in ``PRETRAINED``: ``"shakespeare-lstm"`` (LSTM language model,
        2 x 128, all 38 plays; the demo model), ``"sparsity-rnn"`` and ``"sparsity-lstm"``
        (vanilla RNN and LSTM language models, 1 x 128, all plays, to compare),
        ``"sentiment-gru"`` (GRU sentiment classifier, 1 x 50, the last 200 tokens of IMDB
        reviews, natural class balance), ``"sentiment-gru-skewed"`` (the same trained on a
        3:1 positive:negative subset) and ``"sentiment-gru-oversampled"`` (that subset with
        its negatives oversampled to balance).

    Returns
    -------
    Pretrained

    Raises
    ------
    KeyError
        If no model of that name is shipped.
    FileNotFoundError
        If its checkpoint is missing; the message gives the command that rebuilds it.

    Examples
    --------
    >>> pre = load_pretrained("shakespeare-lstm")   # doctest: +SKIP
    >>> analysis = rv.analyze(pre.model, pre.data.test, pre.vocab.words)   # doctest: +SKIP
    """
    path = checkpoint_path(name)
    if not path.is_file():
        rebuild = f"python -m rnnvis_widget train {config_path(name)} --out {path}"
        raise FileNotFoundError(f"{path} is missing; rebuild it with: {rebuild}")
    checkpoint = load_checkpoint(path)
    return Pretrained(name, checkpoint.model, checkpoint.vocab, checkpoint.config, checkpoint.metrics)
