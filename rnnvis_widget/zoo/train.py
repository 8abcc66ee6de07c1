"""Train, evaluate and save zoo models; load checkpoints safely.

A checkpoint is one `torch.save`d dict of plain data, read back with
`torch.load(..., weights_only=True)` (no pickled code runs):

    {"format": "rnnvis-zoo-checkpoint", "version": 1,
     "config": TrainConfig.to_dict(), "vocab": [str, ...], "metrics": {str: number},
     "history": [{str: number}, ...], "state_dict": {name: float16 tensor}}

``history`` (one entry per validation during training, empty without early stopping) was
added later; files without it still load.

Weights are stored as float16 to keep the shipped models small, and the recorded metrics are
measured on the float16-rounded weights, so they are what a loaded checkpoint gives.
"""

from __future__ import annotations

import math
import os
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import torch
from torch import nn
from tqdm.auto import tqdm

from .config import TrainConfig
from .corpora import Vocabulary
from .data import CorpusSplits, load_splits, training_indices
from .models import Classifier, LanguageModel

CHECKPOINT_FORMAT = "rnnvis-zoo-checkpoint"
CHECKPOINT_VERSION = 1
# Sequences sorted by length inside windows of this many batches: little padding, yet batches
# still vary from epoch to epoch.
BUCKET_BATCHES = 50


def build_model(config: TrainConfig, vocab_size: int) -> LanguageModel | Classifier:
    """A fresh model for a config's task: a language model for ``"lm"``, else a classifier.

    Parameters
    ----------
    config : TrainConfig
    vocab_size : int

    Returns
    -------
    LanguageModel or Classifier
    """
    if config.task == "lm":
        return LanguageModel(vocab_size, config.model)
    return Classifier(vocab_size, config.model)


def pad(sequences: list[list[int]]) -> tuple[torch.Tensor, torch.Tensor]:
    """Right-pad token-id lists with id 0.

    Parameters
    ----------
    sequences : list of list of int
        At least one, each non-empty.

    Returns
    -------
    ids : Tensor of shape (B, T), int64
    lengths : Tensor of shape (B,), int64
    """
    lengths = torch.tensor([len(s) for s in sequences], dtype=torch.long)
    ids = torch.zeros(len(sequences), int(lengths.max()), dtype=torch.long)
    for row, seq in enumerate(sequences):
        ids[row, : len(seq)] = torch.tensor(seq, dtype=torch.long)
    return ids, lengths


def bucketed_batches(
    lengths: list[int], batch_size: int, generator: torch.Generator | None
) -> Iterator[list[int]]:
    """Index lists of batches of similar-length sequences.

    Sequences are sorted by length inside windows of ``BUCKET_BATCHES`` batches: little
    padding, yet batches still vary from epoch to epoch.

    Parameters
    ----------
    lengths : list of int
        Length of each sequence.
    batch_size : int
    generator : torch.Generator or None
        Shuffles the sequences and the batches; None keeps corpus order (for evaluation).

    Yields
    ------
    list of int
        The sequence indices of one batch.
    """
    n = len(lengths)
    order = torch.randperm(n, generator=generator).tolist() if generator is not None else list(range(n))
    window = batch_size * BUCKET_BATCHES
    batches: list[list[int]] = []
    for start in range(0, n, window):
        chunk = sorted(order[start : start + window], key=lambda i: lengths[i])
        batches.extend(chunk[i : i + batch_size] for i in range(0, len(chunk), batch_size))
    if generator is not None:
        batches = [batches[i] for i in torch.randperm(len(batches), generator=generator).tolist()]
    yield from batches


@torch.inference_mode()
def evaluate_lm(model: LanguageModel, sequences: list[list[int]], batch_size: int = 256) -> dict[str, float]:
    """Perplexity of a language model on token-id sequences.

    Parameters
    ----------
    model : LanguageModel
        Put in eval mode for the evaluation, then back in its own mode.
    sequences : list of list of int
    batch_size : int, default 256

    Returns
    -------
    dict of str to float
        ``"perplexity"``: ``exp(mean NLL)`` of every next word inside the sequences (``<unk>``
        included as a word: it is what the model must predict for a rare word);
        ``"tokens"``: how many words were predicted.
    """
    was_training = model.training
    model.eval()
    total, count = 0.0, 0
    lengths = [len(s) for s in sequences]
    for indices in bucketed_batches(lengths, batch_size, None):
        ids, lens = pad([sequences[i] for i in indices])
        nll, n = model.token_nll(ids, lens)
        total += float(nll)
        count += n
    model.train(was_training)
    return {"perplexity": math.exp(total / max(count, 1)), "tokens": float(count)}


@torch.inference_mode()
def evaluate_classifier(
    model: Classifier, sequences: list[list[int]], labels: list[int], batch_size: int = 256
) -> dict[str, float]:
    """Accuracy, recall of each class and their mean (balanced accuracy).

    Parameters
    ----------
    model : Classifier
        Put in eval mode for the evaluation, then back in its own mode.
    sequences : list of list of int
    labels : list of int
        1 positive, 0 negative, one per sequence.
    batch_size : int, default 256

    Returns
    -------
    dict of str to float
        ``"accuracy"``, ``"recall_negative"``, ``"recall_positive"`` and
        ``"balanced_accuracy"``.
    """
    was_training = model.training
    model.eval()
    predicted: list[int] = []
    order: list[int] = []
    lengths = [len(s) for s in sequences]
    for indices in bucketed_batches(lengths, batch_size, None):
        ids, lens = pad([sequences[i] for i in indices])
        predicted.extend(model(ids, lens).argmax(-1).tolist())
        order.extend(indices)
    model.train(was_training)
    truth = [labels[i] for i in order]
    correct = [p == t for p, t in zip(predicted, truth, strict=True)]
    recall = {}
    for label, name in ((0, "negative"), (1, "positive")):
        hits = [c for c, t in zip(correct, truth, strict=True) if t == label]
        recall[f"recall_{name}"] = sum(hits) / max(len(hits), 1)
    return {
        "accuracy": sum(correct) / max(len(correct), 1),
        **recall,
        "balanced_accuracy": (recall["recall_negative"] + recall["recall_positive"]) / 2,
    }


def evaluate(model: nn.Module, config: TrainConfig, splits: CorpusSplits, split: str) -> dict[str, float]:
    """Evaluate a zoo model on one split: perplexity for a language model, accuracies for a
    classifier.

    Parameters
    ----------
    model : LanguageModel or Classifier
    config : TrainConfig
    splits : CorpusSplits
    split : {"train", "valid", "test"}

    Returns
    -------
    dict of str to float
        As ``evaluate_lm`` or ``evaluate_classifier`` return.
    """
    sequences = getattr(splits, split)
    if isinstance(model, LanguageModel):
        return evaluate_lm(model, sequences)
    assert isinstance(model, Classifier)
    return evaluate_classifier(model, sequences, getattr(splits, f"{split}_labels"))


def _round_to_float16(model: nn.Module) -> None:
    with torch.no_grad():
        for parameter in model.parameters():
            parameter.copy_(parameter.half().float())


@dataclass
class TrainResult:
    """What [train][rnnvis_widget.zoo.train.train] returns.

    Attributes
    ----------
    model : LanguageModel or Classifier
        Trained, with weights rounded to float16 (stored as float32), in eval mode.
    vocab : Vocabulary
    config : TrainConfig
        The config it was trained from.
    metrics : dict of str to float
        Validation and test metrics (prefixed ``valid_`` and ``test_``), measured on the
        rounded weights, plus ``steps``, ``epochs_run`` (steps over steps per epoch),
        ``train_tokens_seen``, ``parameters``, ``vocab_size`` and ``train_seconds``; for a
        classifier also ``train_examples`` and ``train_positive_fraction`` (the training set
        after any skew) and ``train_examples_seen_per_epoch`` (after oversampling); with early
        stopping also ``best_step``, ``best_epoch``, ``best_valid_perplexity`` or
        ``best_valid_accuracy`` (on the float32 weights, before rounding) and
        ``stopped_early`` (1.0 if it stopped before ``epochs``).
    splits : CorpusSplits
        The data it was trained and evaluated on.
    history : list of dict of str to float
        One entry per validation during training (``step``, ``epoch`` and the validation
        metrics); empty without early stopping.
    """

    model: LanguageModel | Classifier
    vocab: Vocabulary
    config: TrainConfig
    metrics: dict[str, float]
    splits: CorpusSplits
    history: list[dict[str, float]] = field(default_factory=list)


class EarlyStopping:
    """Keeps the best weights seen on the validation split and says when to stop.

    Parameters
    ----------
    patience : int
        Evaluations in a row without improvement after which training stops.
    higher_is_better : bool
        True for accuracy, False for perplexity.

    Attributes
    ----------
    best : float or None
        Best validation score so far.
    best_step : int
        Step at which it was reached.
    best_state : dict of str to Tensor or None
        A copy of the weights at ``best_step``.
    """

    def __init__(self, patience: int, higher_is_better: bool):
        self.patience = patience
        self.higher_is_better = higher_is_better
        self.best: float | None = None
        self.best_step = 0
        self.best_state: dict[str, torch.Tensor] | None = None
        self._since_best = 0

    def update(self, score: float, step: int, model: nn.Module) -> bool:
        """Record one validation score; True when training should stop.

        Parameters
        ----------
        score : float
        step : int
            Training steps done when it was measured.
        model : torch.nn.Module
            Its weights are copied if ``score`` is the best so far.

        Returns
        -------
        bool
        """
        better = self.best is None or (score > self.best if self.higher_is_better else score < self.best)
        if better:
            self.best, self.best_step, self._since_best = score, step, 0
            self.best_state = {k: v.detach().clone() for k, v in model.state_dict().items()}
        else:
            self._since_best += 1
        return self._since_best >= self.patience

    def restore(self, model: nn.Module) -> None:
        """Load the best weights seen into ``model``."""
        if self.best_state is not None:
            model.load_state_dict(self.best_state)


def train(config: TrainConfig, progress: bool = True, splits: CorpusSplits | None = None) -> TrainResult:
    """Train a model from scratch, then round its weights to float16 and evaluate it.

    Deterministic for the config's seed and thread count: Adam with gradient clipping and a
    learning rate decaying linearly to 0, on batches of similar-length sequences. With
    ``config.train.patience`` set it validates as it goes, stops once validation stops
    improving and keeps the best weights seen (see
    [OptimConfig][rnnvis_widget.zoo.OptimConfig]). The validation and test metrics are
    measured on the float16-rounded weights, so they are what a saved and loaded checkpoint
    gives.

    Parameters
    ----------
    config : TrainConfig
        What to train.
    progress : bool, default True
        Show a progress bar with the loss.
    splits : CorpusSplits, optional
        The data; default read with ``load_splits(config.data)``.

    Returns
    -------
    TrainResult
    """
    threads = torch.get_num_threads()
    torch.set_num_threads(config.train.threads)
    try:
        return _train(config, progress, splits)
    finally:
        torch.set_num_threads(threads)


def _batch_loss(
    model: LanguageModel | Classifier, splits: CorpusSplits, indices: list[int]
) -> tuple[torch.Tensor, int]:
    """Mean training loss of one batch of training items, and how many tokens it holds."""
    ids, lens = pad([splits.train[i] for i in indices])
    if isinstance(model, LanguageModel):
        nll, count = model.token_nll(ids, lens)
        return nll / max(count, 1), int(lens.sum())
    assert splits.train_labels is not None
    target = torch.tensor([splits.train_labels[i] for i in indices])
    return nn.functional.cross_entropy(model(ids, lens), target), int(lens.sum())


def _train(config: TrainConfig, progress: bool, splits: CorpusSplits | None) -> TrainResult:
    start = time.perf_counter()
    splits = splits if splits is not None else load_splits(config.data)
    torch.manual_seed(config.seed)
    model = build_model(config, len(splits.vocab))
    train_ix = training_indices(config.data, len(splits.train), splits.train_labels, config.seed)
    lengths = [len(splits.train[i]) for i in train_ix]
    per_epoch = math.ceil(len(train_ix) / config.train.batch_size)
    total = per_epoch * config.train.epochs
    if config.train.max_steps is not None:
        total = min(total, config.train.max_steps)
    optimiser = torch.optim.Adam(model.parameters(), lr=config.train.lr)
    # Linear decay to zero: a short CPU budget ends on small steps instead of noise.
    schedule = torch.optim.lr_scheduler.LambdaLR(optimiser, lambda step: 1.0 - step / max(total, 1))
    generator = torch.Generator().manual_seed(config.seed)
    monitor = "perplexity" if config.task == "lm" else "accuracy"
    stopper = None
    if config.train.patience is not None:
        stopper = EarlyStopping(config.train.patience, higher_is_better=monitor == "accuracy")
    eval_every = config.train.eval_every or per_epoch
    history: list[dict[str, float]] = []
    model.train()
    step, seen, stop = 0, 0, False
    bar = tqdm(total=total, desc=f"train {config.name}", unit="step", disable=not progress)
    while step < total and not stop:
        for batch in bucketed_batches(lengths, config.train.batch_size, generator):
            loss, tokens = _batch_loss(model, splits, [train_ix[i] for i in batch])
            optimiser.zero_grad()
            loss.backward()
            nn.utils.clip_grad_norm_(model.parameters(), config.train.clip)
            optimiser.step()
            schedule.step()
            step += 1
            seen += tokens
            bar.set_postfix(loss=f"{loss.item():.3f}", refresh=False)
            bar.update()
            if stopper is not None and (step % eval_every == 0 or step >= total):
                scores = evaluate(model, config, splits, "valid")
                history.append({"step": float(step), "epoch": step / per_epoch, **scores})
                stop = stopper.update(scores[monitor], step, model)
                if progress:
                    epoch = step / per_epoch
                    bar.write(f"step {step}, epoch {epoch:.2f}: valid {monitor} {scores[monitor]:.4f}")
            if stop or step >= total:
                break
    bar.close()
    metrics: dict[str, float] = {}
    if stopper is not None:
        stopper.restore(model)
        assert stopper.best is not None
        metrics.update(
            {
                "best_step": float(stopper.best_step),
                "best_epoch": stopper.best_step / per_epoch,
                f"best_valid_{monitor}": stopper.best,
                "stopped_early": float(stop and step < total),
            }
        )
    model.eval()
    _round_to_float16(model)
    for split in ("valid", "test"):
        metrics.update({f"{split}_{k}": v for k, v in evaluate(model, config, splits, split).items()})
    if splits.train_labels is not None:
        distinct = sorted(set(train_ix))
        metrics["train_examples"] = float(len(distinct))
        metrics["train_positive_fraction"] = sum(splits.train_labels[i] for i in distinct) / len(distinct)
        metrics["train_examples_seen_per_epoch"] = float(len(train_ix))
    metrics.update(
        steps=float(step),
        epochs_run=step / per_epoch,
        train_tokens_seen=float(seen),
        parameters=float(sum(p.numel() for p in model.parameters())),
        vocab_size=float(len(splits.vocab)),
        train_seconds=round(time.perf_counter() - start, 1),
    )
    return TrainResult(model, splits.vocab, config, metrics, splits, history)


# Checkpoints ---------------------------------------------------------------------------------


def save_checkpoint(result: TrainResult, path: str | os.PathLike[str]) -> Path:
    """Write a trained model as a float16 checkpoint.

    The checkpoint is one ``torch.save``d dict of plain data (format name and version,
    config, vocabulary, metrics and a state dict of float16 tensors), safe to read with
    ``weights_only=True``.

    Parameters
    ----------
    result : TrainResult
    path : str or os.PathLike
        Where to write; missing parent folders are made.

    Returns
    -------
    Path
        ``path``.
    """
    payload: dict[str, Any] = {
        "format": CHECKPOINT_FORMAT,
        "version": CHECKPOINT_VERSION,
        "config": result.config.to_dict(),
        "vocab": list(result.vocab.words),
        "metrics": dict(result.metrics),
        "history": [dict(entry) for entry in result.history],
        "state_dict": {
            k: v.detach().half() if v.is_floating_point() else v.detach()
            for k, v in result.model.state_dict().items()
        },
    }
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    torch.save(payload, path)
    return path


@dataclass
class Checkpoint:
    """A loaded checkpoint.

    Attributes
    ----------
    model : LanguageModel or Classifier
        Float32, in eval mode, on the CPU.
    vocab : Vocabulary
    config : TrainConfig
    metrics : dict of str to float
    history : list of dict of str to float
        The validations during training (empty without early stopping, or in a checkpoint
        written before histories were stored).
    """

    model: LanguageModel | Classifier
    vocab: Vocabulary
    config: TrainConfig
    metrics: dict[str, float]
    history: list[dict[str, float]] = field(default_factory=list)


def load_checkpoint(path: str | os.PathLike[str]) -> Checkpoint:
    """Read a checkpoint into a float32 model in eval mode.

    Read safely, with ``torch.load(..., weights_only=True)``: no pickled code runs.

    Parameters
    ----------
    path : str or os.PathLike
        A file written by [save_checkpoint][rnnvis_widget.zoo.save_checkpoint].

    Returns
    -------
    Checkpoint

    Raises
    ------
    ValueError
        If the file is not a zoo checkpoint or has another checkpoint version.
    """
    payload = torch.load(Path(path), map_location="cpu", weights_only=True)
    if not isinstance(payload, dict) or payload.get("format") != CHECKPOINT_FORMAT:
        raise ValueError(f"{path} is not an rnnvis zoo checkpoint")
    if payload.get("version") != CHECKPOINT_VERSION:
        raise ValueError(
            f"{path} has checkpoint version {payload.get('version')}; this rnnvis-widget reads "
            f"version {CHECKPOINT_VERSION}"
        )
    config = TrainConfig.from_dict(payload["config"])
    vocab = Vocabulary(list(payload["vocab"]))
    model = build_model(config, len(vocab))
    model.load_state_dict(
        {k: v.float() if v.is_floating_point() else v for k, v in payload["state_dict"].items()}
    )
    model.eval()
    history = [dict(entry) for entry in payload.get("history", [])]
    return Checkpoint(model, vocab, config, dict(payload["metrics"]), history)
