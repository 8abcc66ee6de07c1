"""Model manager: configs, deterministic training, safe checkpoints, the shipped models, the CLI."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest
import torch

import rnnvis_widget as rv
from rnnvis_widget.__main__ import main
from rnnvis_widget.zoo import PRETRAINED, TrainConfig, load_pretrained
from rnnvis_widget.zoo.config import ModelConfig
from rnnvis_widget.zoo.corpora import Vocabulary
from rnnvis_widget.zoo.data import CorpusSplits, skew, training_indices
from rnnvis_widget.zoo.models import Classifier, LanguageModel
from rnnvis_widget.zoo.pretrained import CHECKPOINTS, checkpoint_path, config_path
from rnnvis_widget.zoo.train import evaluate, load_checkpoint, pad, save_checkpoint, train

TINY_LM = """
name = "tiny"
task = "lm"
seed = 1
[data]
corpus = "shakespeare"
plays = ["comedies/twelfth-night"]
min_count = 3
[model]
cell = "gru"
hidden = 16
cutoffs = [100]
[train]
epochs = 1
batch_size = 32
max_steps = 6
"""


@pytest.fixture(scope="module")
def tiny_config(tmp_path_factory: pytest.TempPathFactory) -> TrainConfig:
    path = tmp_path_factory.mktemp("cfg") / "tiny.toml"
    path.write_text(TINY_LM)
    return TrainConfig.from_toml(path)


def test_config_round_trips_through_toml(tmp_path: Path, tiny_config: TrainConfig) -> None:
    assert tiny_config.model.n_layers == 1 and tiny_config.model.n_hidden == 16
    assert tiny_config.model.n_embedding == 16
    path = tmp_path / "again.toml"
    path.write_text(tiny_config.to_toml())
    assert TrainConfig.from_toml(path) == tiny_config
    assert TrainConfig.from_dict(tiny_config.to_dict()) == tiny_config


def test_sizes_follow_rnnvis() -> None:
    assert (ModelConfig(size="small").n_layers, ModelConfig(size="small").n_hidden) == (1, 200)
    assert (ModelConfig(size="medium").n_layers, ModelConfig(size="medium").n_hidden) == (2, 600)
    assert (ModelConfig(size="large").n_layers, ModelConfig(size="large").n_hidden) == (2, 1500)


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ({"name": "x", "model": {"cells": "lstm"}}, "unknown keys in \\[model\\]"),
        ({"name": "x", "epochs": 3}, "unknown top-level keys"),
        ({"task": "lm"}, "needs a name"),
        ({"name": "x", "task": "classify"}, "labelled data"),
        ({"name": "x", "model": {"cell": "transformer"}}, "model.cell"),
        ({"name": "x", "model": {"size": "huge"}}, "model.size"),
        ({"name": "x", "data": {"truncate": "middle"}}, "data.truncate"),
        ({"name": "x", "data": {"train_positive_fraction": 0.75}}, "needs task 'classify'"),
        ({"name": "x", "train": {"patience": 0}}, "train.patience"),
    ],
)
def test_bad_configs_say_what_is_wrong(raw: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        TrainConfig.from_dict(raw)


def test_training_is_deterministic_for_a_seed(tiny_config: TrainConfig) -> None:
    first = train(tiny_config, progress=False)
    second = train(tiny_config, progress=False, splits=first.splits)
    other = train(tiny_config.with_overrides(), progress=False, splits=first.splits)
    reseeded = train(
        TrainConfig.from_dict({**tiny_config.to_dict(), "seed": 2}), progress=False, splits=first.splits
    )
    for name, value in first.model.state_dict().items():
        assert torch.equal(value, second.model.state_dict()[name]), name
        assert torch.equal(value, other.model.state_dict()[name]), name
    assert first.metrics["test_perplexity"] == second.metrics["test_perplexity"]
    assert reseeded.metrics["test_perplexity"] != first.metrics["test_perplexity"]
    # Six steps from scratch already beat a uniform guess over the vocabulary.
    assert first.metrics["test_perplexity"] < first.metrics["vocab_size"]


def test_checkpoint_round_trip_is_safe_and_exact(tiny_config: TrainConfig, tmp_path: Path) -> None:
    result = train(tiny_config, progress=False)
    path = save_checkpoint(result, tmp_path / "tiny.pt")
    # weights_only=True refuses anything but plain data: the file holds no pickled code.
    payload = torch.load(path, weights_only=True)
    assert payload["config"] == tiny_config.to_dict()
    assert all(v.dtype == torch.float16 for v in payload["state_dict"].values())
    loaded = load_checkpoint(path)
    assert loaded.vocab.words == result.vocab.words and loaded.config == tiny_config
    assert not loaded.model.training
    # The recorded metrics were measured on the float16 weights, so the loaded model gives them.
    assert evaluate(loaded.model, tiny_config, result.splits, "test") == {
        k[len("test_") :]: v for k, v in result.metrics.items() if k.startswith("test_")
    }


# Early stopping: a few hundred tokens of a made-up language, so each run takes a second or two.
def _toy_splits() -> CorpusSplits:
    words = ["<unk>", *(f"w{i}" for i in range(11))]
    sentence = [[1 + (start + step) % 11 for step in range(8)] for start in range(11)]
    return CorpusSplits(Vocabulary(words), sentence * 4, sentence[:4], sentence[4:8])


EARLY = """
name = "early"
task = "lm"
seed = 0
[model]
cell = "gru"
hidden = 8
cutoffs = [6]
[train]
epochs = 10
batch_size = 4
patience = 2
"""


def test_early_stopping_restores_the_best_epoch_and_stops_after_patience(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import importlib

    train_module = importlib.import_module("rnnvis_widget.zoo.train")
    real_evaluate = train_module.evaluate
    # Scripted validation perplexities: best after epoch 2, then two epochs without improvement.
    script = [9.0, 5.0, 6.0, 5.5, 1.0, 1.0]
    weights: list[dict[str, torch.Tensor]] = []

    def scripted(
        model: torch.nn.Module, config: TrainConfig, splits: CorpusSplits, split: str
    ) -> dict[str, float]:
        if split == "valid" and model.training:
            weights.append({k: v.clone() for k, v in model.state_dict().items()})
            return {"perplexity": script[len(weights) - 1], "tokens": 1.0}
        return real_evaluate(model, config, splits, split)

    monkeypatch.setattr(train_module, "evaluate", scripted)
    path = tmp_path / "early.toml"
    path.write_text(EARLY)
    config = TrainConfig.from_toml(path)
    result = train(config, progress=False, splits=_toy_splits())
    per_epoch = 44 // 4
    assert len(weights) == 4, "validates once per epoch and stops 2 epochs after the best"
    assert result.metrics["epochs_run"] == 4 and result.metrics["steps"] == 4 * per_epoch
    assert result.metrics["best_epoch"] == 2 and result.metrics["best_step"] == 2 * per_epoch
    assert result.metrics["best_valid_perplexity"] == 5.0 and result.metrics["stopped_early"] == 1.0
    assert [h["epoch"] for h in result.history] == [1, 2, 3, 4]
    for name, value in result.model.state_dict().items():
        # The returned weights are epoch 2's, rounded to float16 like every trained model's.
        assert torch.equal(value, weights[1][name].half().float()), name
        assert not torch.equal(value, weights[3][name].half().float()), name
    saved = load_checkpoint(save_checkpoint(result, tmp_path / "early.pt"))
    assert saved.metrics["best_epoch"] == 2 and saved.history == result.history


def test_early_stopping_on_real_overfitting_keeps_the_best_validation() -> None:
    # A tiny language model on 44 sentences overfits within a few epochs at this learning rate.
    config = TrainConfig.from_dict(
        {
            "name": "overfit",
            "model": {"cell": "lstm", "hidden": 32, "cutoffs": [6]},
            "train": {"epochs": 60, "batch_size": 4, "lr": 0.03, "patience": 3},
        }
    )
    splits = _toy_splits()
    splits.valid = [[1, 5, 2, 9, 3, 7, 4, 11], [6, 6, 2, 2, 8, 1, 10, 3]]
    result = train(config, progress=False, splits=splits)
    scores = [h["perplexity"] for h in result.history]
    assert result.metrics["stopped_early"] == 1.0 and result.metrics["epochs_run"] < 60
    assert min(scores) == result.metrics["best_valid_perplexity"] < scores[-1]
    assert len(scores) - 1 - scores.index(min(scores)) == 3
    # Restored, then rounded to float16: validation is (nearly) the best one seen, not the last.
    assert result.metrics["valid_perplexity"] == pytest.approx(min(scores), rel=1e-2)


def test_skew_and_oversampling_choose_the_training_set() -> None:
    labels = [1] * 60 + [0] * 40
    skewed = skew(labels, 0.75, seed=0)
    assert sum(labels[i] for i in skewed) == 60 and len(skewed) == 80
    config = TrainConfig.from_dict(
        {"name": "x", "task": "classify", "data": {"corpus": "reviews", "train_positive_fraction": 0.75}}
    )
    assert training_indices(config.data, 100, labels, 0) == skewed
    balanced = training_indices(replace(config.data, balance="oversample"), 100, labels, 0)
    assert sum(labels[i] for i in balanced) == 60 and len(balanced) == 120
    assert set(balanced) == set(skewed)
    unskewed = replace(config.data, train_positive_fraction=None)
    assert training_indices(unskewed, 100, labels, 0) == list(range(100))


def test_truncate_keeps_the_first_or_the_last_tokens() -> None:
    from rnnvis_widget.zoo import DataConfig, load_splits, movie_reviews
    from rnnvis_widget.zoo.corpora import split_indices

    texts, _ = movie_reviews(sources=["rotten_tomatoes"])
    config = DataConfig(corpus="reviews", sources=["rotten_tomatoes"], max_len=3, min_len=1, min_count=1)
    train_ix = split_indices(len(texts), config.split_seed)[0]
    # Same reviews in the same splits; only which three tokens each keeps differs.
    head = load_splits(config)
    assert [head.vocab.decode(ids) for ids in head.train] == [texts[i][:3] for i in train_ix]
    tail = load_splits(replace(config, truncate="tail"))
    assert [tail.vocab.decode(ids) for ids in tail.train] == [texts[i][-3:] for i in train_ix]


def test_load_checkpoint_rejects_other_files(tmp_path: Path) -> None:
    path = tmp_path / "other.pt"
    torch.save({"weights": torch.zeros(2)}, path)
    with pytest.raises(ValueError, match="not an rnnvis zoo checkpoint"):
        load_checkpoint(path)


def test_padding_changes_nothing() -> None:
    config = ModelConfig(cell="lstm", hidden=8, cutoffs=[5])
    torch.manual_seed(0)
    lm = LanguageModel(12, config).eval()
    classifier = Classifier(12, ModelConfig(cell="gru", hidden=8)).eval()
    ids, lengths = pad([[1, 2, 3, 4, 5], [6, 7, 8]])
    nll, count = lm.token_nll(ids, lengths)
    alone = [lm.token_nll(*pad([seq]))[0] for seq in ([1, 2, 3, 4, 5], [6, 7, 8])]
    assert count == 4 + 2
    assert torch.allclose(nll, sum(alone), atol=1e-5)
    logits = classifier(ids, lengths)
    assert torch.allclose(logits[1], classifier(torch.tensor([[6, 7, 8]]))[0], atol=1e-6)
    assert lm.log_prob(ids).shape == (2, 5, 12)


# The shipped models -------------------------------------------------------------------------


def test_shipped_checkpoints_fit_the_size_budget() -> None:
    sizes = {name: checkpoint_path(name).stat().st_size for name in PRETRAINED}
    assert sum(sizes.values()) <= 25 * 2**20, sizes
    assert sorted(p.stem for p in CHECKPOINTS.glob("*.pt")) == sorted(PRETRAINED)


@pytest.mark.parametrize("name", sorted(PRETRAINED))
def test_shipped_checkpoint_was_made_from_its_config(name: str) -> None:
    checkpoint = load_checkpoint(checkpoint_path(name))
    assert checkpoint.config == TrainConfig.from_toml(config_path(name))
    if checkpoint.config.task == "lm":
        assert 1 < checkpoint.metrics["test_perplexity"] < 400
    else:
        assert checkpoint.metrics["test_accuracy"] > 0.65


def test_shipped_models_meet_the_quality_goals_of_their_case_studies() -> None:
    metrics = {name: load_checkpoint(checkpoint_path(name)).metrics for name in PRETRAINED}
    # Every shipped model was trained with early stopping and records how it went.
    for name, m in metrics.items():
        assert m["epochs_run"] >= m["best_epoch"] > 0, name
    assert metrics["shakespeare-lstm"]["test_perplexity"] <= 130
    assert metrics["sentiment-gru"]["test_accuracy"] >= 0.85
    # The imbalance story: a 3:1 skew costs recall on negatives, oversampling wins much of it back.
    gap = {
        n: metrics[n]["test_recall_positive"] - metrics[n]["test_recall_negative"]
        for n in ("sentiment-gru", "sentiment-gru-skewed", "sentiment-gru-oversampled")
    }
    assert metrics["sentiment-gru-skewed"]["train_positive_fraction"] == pytest.approx(0.75, abs=1e-3)
    assert gap["sentiment-gru-skewed"] > gap["sentiment-gru-oversampled"] > gap["sentiment-gru"] > 0


def test_pretrained_demo_model_is_a_two_layer_lstm() -> None:
    pre = load_pretrained("shakespeare-lstm")
    assert isinstance(pre.model.rnn, torch.nn.LSTM) and pre.model.rnn.num_layers == 2
    assert "hath" in pre.vocab.index and "thou" in pre.vocab.index


def test_pretrained_classifier_reproduces_its_recorded_metrics() -> None:
    pre = load_pretrained("sentiment-gru")
    assert pre.data.test_labels is not None
    again = evaluate(pre.model, pre.config, pre.data, "test")
    assert again["accuracy"] == pre.metrics["test_accuracy"]
    analysis = rv.analyze(
        pre.model,
        pre.data.test[:200],
        pre.vocab.words,
        forward=lambda m, b: m(b.ids, b.lengths),
        progress=False,
    )
    assert analysis.response().shape == (len(pre.vocab), 50)


def test_unknown_pretrained_name_lists_the_shipped_ones() -> None:
    with pytest.raises(KeyError, match="shakespeare-lstm"):
        load_pretrained("gpt-5")


# Command line --------------------------------------------------------------------------------


def test_cli_train_writes_a_loadable_checkpoint(
    tmp_path: Path, tiny_config: TrainConfig, capsys: pytest.CaptureFixture[str]
) -> None:
    config = tmp_path / "tiny.toml"
    config.write_text(TINY_LM)
    out = tmp_path / "tiny.pt"
    assert main(["train", str(config), "--out", str(out), "--quiet"]) == 0
    report = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert report["checkpoint"] == str(out) and report["test_perplexity"] > 1
    assert load_checkpoint(out).config == tiny_config


def test_cli_demo_uses_the_shipped_model_without_training(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import importlib

    import rnnvis_widget.zoo.demo as demo

    # `rnnvis_widget.zoo.train` the attribute is the function; the module is in sys.modules.
    train_module = importlib.import_module("rnnvis_widget.zoo.train")

    def no_training(*args: object, **kwargs: object) -> None:
        raise AssertionError("the demo path must not train")

    monkeypatch.setattr(train_module, "train", no_training)
    monkeypatch.setattr("rnnvis_widget.zoo.train", no_training)
    monkeypatch.setattr(demo, "DEMO_LINES", 300)
    out = tmp_path / "demo.html"
    assert main(["demo", "--out", str(out)]) == 0
    assert out.stat().st_size > 10_000
    assert "wrote" in capsys.readouterr().out


def test_cli_train_names_the_shipped_configs_when_the_config_is_missing(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with pytest.raises(SystemExit):
        main(["train", "no-such-config.toml"])
    assert "shakespeare-lstm" in capsys.readouterr().err
