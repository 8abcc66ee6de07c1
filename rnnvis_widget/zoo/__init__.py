"""Model zoo: real corpora, training configs, a trainer and the pretrained models shipped in
the package.

    from rnnvis_widget.zoo import load_pretrained
    pre = load_pretrained("shakespeare-lstm")       # model, vocab, config, metrics, data splits
    analysis = rv.analyze(pre.model, pre.data.test, pre.vocab.words)
"""

from .config import SIZES, DataConfig, ModelConfig, OptimConfig, TrainConfig
from .corpora import Vocabulary, movie_reviews, shakespeare_lines, shakespeare_plays, tokenize
from .data import CorpusSplits, load_splits
from .models import Classifier, LanguageModel
from .pretrained import PRETRAINED, Pretrained, load_pretrained
from .train import TrainResult, load_checkpoint, save_checkpoint, train

__all__ = [
    "PRETRAINED",
    "SIZES",
    "Classifier",
    "CorpusSplits",
    "DataConfig",
    "LanguageModel",
    "ModelConfig",
    "OptimConfig",
    "Pretrained",
    "TrainConfig",
    "TrainResult",
    "Vocabulary",
    "load_checkpoint",
    "load_pretrained",
    "load_splits",
    "movie_reviews",
    "save_checkpoint",
    "shakespeare_lines",
    "shakespeare_plays",
    "tokenize",
    "train",
]
