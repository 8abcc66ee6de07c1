"""Model manager: configs, deterministic training, safe checkpoints, the shipped models, the CLI."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import torch

import rnnvis_widget as rv
from rnnvis_widget.__main__ import main
from rnnvis_widget.zoo import PRETRAINED, TrainConfig, load_pretrained
from rnnvis_widget.zoo.config import ModelConfig
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
    assert sum(sizes.values()) <= 15 * 2**20, sizes
    assert sorted(p.stem for p in CHECKPOINTS.glob("*.pt")) == sorted(PRETRAINED)


@pytest.mark.parametrize("name", sorted(PRETRAINED))
def test_shipped_checkpoint_was_made_from_its_config(name: str) -> None:
    checkpoint = load_checkpoint(checkpoint_path(name))
    assert checkpoint.config == TrainConfig.from_toml(config_path(name))
    if checkpoint.config.task == "lm":
        assert 1 < checkpoint.metrics["test_perplexity"] < 400
    else:
        assert checkpoint.metrics["test_accuracy"] > 0.65


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
