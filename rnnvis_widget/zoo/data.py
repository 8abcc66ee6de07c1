"""From a `DataConfig` to token-id splits: deterministic 80/10/10, vocabulary from train only."""

from __future__ import annotations

import random
from dataclasses import dataclass

from .config import DataConfig
from .corpora import Vocabulary, movie_reviews, shakespeare_lines, split_indices, take


@dataclass
class CorpusSplits:
    """A corpus as token ids, split 80/10/10.

    Attributes
    ----------
    vocab : Vocabulary
        Built from the training split only.
    train, valid, test : list of list of int
        Token-id sequences of each split.
    train_labels, valid_labels, test_labels : list of int or None
        For labelled corpora one int per sequence (1 positive, 0 negative), else None.
    """

    vocab: Vocabulary
    train: list[list[int]]
    valid: list[list[int]]
    test: list[list[int]]
    train_labels: list[int] | None = None
    valid_labels: list[int] | None = None
    test_labels: list[int] | None = None

    @property
    def n_tokens(self) -> dict[str, int]:
        """Tokens in each split, keyed ``"train"``, ``"valid"``, ``"test"``."""
        return {name: sum(map(len, getattr(self, name))) for name in ("train", "valid", "test")}


def load_splits(config: DataConfig, vocab: Vocabulary | None = None) -> CorpusSplits:
    """Read the corpus named by ``config`` and split it; the same config gives the same splits.

    Sequences are cut to ``max_len`` tokens (their first or last, as ``truncate`` says), those
    shorter than ``min_len`` dropped, the rest split 80/10/10 with ``split_seed``, and the
    vocabulary built from the training split. ``train_positive_fraction`` and ``balance`` are
    not applied here: they choose what the trainer draws from the training split
    (``rnnvis_widget.zoo.data.training_indices``).

    Parameters
    ----------
    config : DataConfig
        The corpus and its preprocessing.
    vocab : Vocabulary, optional
        The vocabulary the ids must use (e.g. a checkpoint's). It must equal the one the
        config builds from the training split.

    Returns
    -------
    CorpusSplits

    Raises
    ------
    ValueError
        If ``vocab`` is given and differs from the one built here: then the corpus on this
        machine differs from the one the model was trained on (another package version).
    """
    labels: list[int] | None
    if config.corpus == "shakespeare":
        texts = shakespeare_lines(config.plays)
        labels = None
    else:
        texts, labels = movie_reviews(config.max_words, config.sources)
    if config.truncate == "tail":
        texts = [tokens[-config.max_len :] for tokens in texts]
    else:
        texts = [tokens[: config.max_len] for tokens in texts]
    keep = [i for i, tokens in enumerate(texts) if len(tokens) >= config.min_len]
    texts = take(texts, keep)
    labels = take(labels, keep) if labels is not None else None
    train_ix, valid_ix, test_ix = split_indices(len(texts), config.split_seed)
    built = Vocabulary.build(take(texts, train_ix), config.min_count, config.max_vocab)
    if vocab is not None and vocab.words != built.words:
        raise ValueError(
            f"the {config.corpus!r} corpus installed here gives a different training vocabulary than the "
            "model's; install the corpus version it was trained on (see rnnvis_widget.zoo.corpora)"
        )
    vocab = built
    encoded = [vocab.encode(tokens) for tokens in texts]
    return CorpusSplits(
        vocab,
        take(encoded, train_ix),
        take(encoded, valid_ix),
        take(encoded, test_ix),
        take(labels, train_ix) if labels is not None else None,
        take(labels, valid_ix) if labels is not None else None,
        take(labels, test_ix) if labels is not None else None,
    )


def oversample(labels: list[int], seed: int) -> list[int]:
    """Indices of a class-balanced training set.

    Parameters
    ----------
    labels : list of int
        Class of each training item.
    seed : int
        Seeds the draws.

    Returns
    -------
    list of int
        Every item once, plus minority-class items drawn with replacement until each class
        has as many as the largest one.
    """
    by_class: dict[int, list[int]] = {}
    for index, label in enumerate(labels):
        by_class.setdefault(label, []).append(index)
    largest = max(len(members) for members in by_class.values())
    rng = random.Random(seed)
    chosen = list(range(len(labels)))
    for label in sorted(by_class):
        members = by_class[label]
        chosen.extend(rng.choice(members) for _ in range(largest - len(members)))
    return chosen


def skew(labels: list[int], positive_fraction: float, seed: int) -> list[int]:
    """Indices of a training set skewed to a given share of positive items.

    Parameters
    ----------
    labels : list of int
        Class of each training item, 1 positive and 0 negative.
    positive_fraction : float
        Share of positives wanted, strictly between 0 and 1.
    seed : int
        Seeds which items of the over-represented class are left out.

    Returns
    -------
    list of int
        Sorted indices: every item of one class and a random subset of the other, as large as
        makes ``positive_fraction`` of the result positive (rounded down).
    """
    positives = [i for i, label in enumerate(labels) if label == 1]
    negatives = [i for i, label in enumerate(labels) if label != 1]
    ratio = positive_fraction / (1 - positive_fraction)
    rng = random.Random(seed)
    if len(positives) >= ratio * len(negatives):
        positives = rng.sample(positives, int(ratio * len(negatives)))
    else:
        negatives = rng.sample(negatives, int(len(positives) / ratio))
    return sorted(positives + negatives)


def training_indices(config: DataConfig, n: int, labels: list[int] | None, seed: int) -> list[int]:
    """Which training items one epoch visits: the split, skewed and balanced as configured.

    Parameters
    ----------
    config : DataConfig
        Its ``train_positive_fraction`` (skew first) and ``balance`` (then oversample).
    n : int
        Number of training items.
    labels : list of int or None
        Class of each training item; None for an unlabelled corpus, which is used whole.
    seed : int
        Seeds the skew and the oversampling draws.

    Returns
    -------
    list of int
        Indices into the training split, repeats included.
    """
    chosen = list(range(n))
    if labels is None:
        return chosen
    if config.train_positive_fraction is not None:
        chosen = skew(labels, config.train_positive_fraction, seed)
    if config.balance == "oversample":
        chosen = [chosen[i] for i in oversample([labels[i] for i in chosen], seed)]
    return chosen
