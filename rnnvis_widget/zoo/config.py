"""Training configurations: dataclasses, read from and written to TOML.

A config names everything that decides a trained model: corpus and its preprocessing, model
shape, optimisation and seed. It is stored in every checkpoint as a plain dict, so a checkpoint
says how to reproduce itself (`python -m rnnvis_widget train CONFIG`).

Example (`rnnvis_widget/zoo/configs/shakespeare-lstm.toml`)::

    name = "shakespeare-lstm"
    task = "lm"                  # "lm" (next-word language model) or "classify" (binary)
    seed = 0
    [data]
    corpus = "shakespeare"       # or "reviews"
    min_count = 5
    [model]
    cell = "lstm"                # "rnn", "gru" or "lstm"
    size = "small"               # RNNVis sizes: small 1x200, medium 2x600, large 2x1500
    layers = 2                   # these two override the size
    hidden = 128
    [train]
    epochs = 12                  # at most; with patience, stop when validation stops improving
    patience = 2
"""

from __future__ import annotations

import sys
from dataclasses import asdict, dataclass, field, fields, replace
from pathlib import Path
from typing import Any, Literal, cast

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10 ships no TOML reader; tomli is its backport
    import tomli as tomllib

Task = Literal["lm", "classify"]
Cell = Literal["rnn", "gru", "lstm"]

#: (layers, hidden units) of the model sizes RNNVis used.
SIZES: dict[str, tuple[int, int]] = {"small": (1, 200), "medium": (2, 600), "large": (2, 1500)}
CORPORA = ("shakespeare", "reviews")
BALANCE = ("natural", "oversample")
TRUNCATE = ("head", "tail")


@dataclass(frozen=True)
class DataConfig:
    """Which corpus, and how it becomes token ids.

    Parameters
    ----------
    corpus : {"shakespeare", "reviews"}, default "shakespeare"
        ``"shakespeare"``: lines of all plays, or of ``plays``; ``"reviews"``: movie reviews
        with a binary label.
    plays : list of str, optional
        Plays to read, e.g. ``["comedies/twelfth-night"]``; None reads all of them.
    min_count : int, default 5
        Words seen fewer times in the training split become ``<unk>``.
    max_vocab : int, optional
        Cap on vocabulary size (most frequent first); None for no cap.
    max_len : int, default 40
        Sequences are cut to this many tokens.
    truncate : {"head", "tail"}, default "head"
        Which ``max_len`` tokens a longer sequence keeps: its first (``"head"``) or its last
        (``"tail"``; a review's verdict tends to come at its end).
    min_len : int, default 2
        Shorter sequences (after the cut) are dropped.
    max_words : int, optional
        Reviews longer than this are dropped ("short reviews"); shakespeare ignores it.
    sources : list of str, default ["imdb", "rotten_tomatoes"]
        Review sources to read.
    train_positive_fraction : float, optional
        Skew the training split: randomly drawn reviews of one class are left out of training
        until this fraction of the rest is positive (0.75 is 3:1 positive:negative). The
        vocabulary, validation and test splits are those of the unskewed corpus, so models
        trained with and without the skew share them. None trains on the whole split.
    balance : {"natural", "oversample"}, default "natural"
        ``"natural"`` keeps the class balance of the (possibly skewed) training set;
        ``"oversample"`` repeats randomly drawn minority-class reviews until classes are equal.
    split_seed : int, default 0
        Seed of the 80/10/10 split.
    """

    corpus: str = "shakespeare"
    plays: list[str] | None = None
    min_count: int = 5
    max_vocab: int | None = None
    max_len: int = 40
    truncate: str = "head"
    min_len: int = 2
    max_words: int | None = None
    sources: list[str] = field(default_factory=lambda: ["imdb", "rotten_tomatoes"])
    train_positive_fraction: float | None = None
    balance: str = "natural"
    split_seed: int = 0


@dataclass(frozen=True)
class ModelConfig:
    """Model shape.

    Parameters
    ----------
    cell : {"rnn", "gru", "lstm"}, default "lstm"
        The recurrent module: ``nn.RNN``, ``nn.GRU`` or ``nn.LSTM``.
    size : {"small", "medium", "large"}, default "small"
        Picks (layers, hidden) from ``SIZES``, the sizes RNNVis used: 1 x 200, 2 x 600 and
        2 x 1500.
    layers : int, optional
        Overrides the number of layers of ``size``.
    hidden : int, optional
        Overrides the hidden units of ``size``.
    embedding : int, optional
        Embedding width; defaults to the hidden width.
    dropout : float, default 0.0
        Dropout on the embedding, between stacked layers and before the read-out.
    cutoffs : list of int, default [1000, 4000]
        Language models read out with an adaptive softmax whose frequency bands end at these
        word ids (ids are frequency ranked), which makes a CPU epoch several times faster than
        a full softmax over the vocabulary at equal likelihood.
    """

    cell: str = "lstm"
    size: str = "small"
    layers: int | None = None
    hidden: int | None = None
    embedding: int | None = None
    dropout: float = 0.0
    cutoffs: list[int] = field(default_factory=lambda: [1000, 4000])

    @property
    def n_layers(self) -> int:
        """Number of layers: ``layers``, else that of ``size``."""
        return self.layers if self.layers is not None else SIZES[self.size][0]

    @property
    def n_hidden(self) -> int:
        """Hidden units per layer: ``hidden``, else that of ``size``."""
        return self.hidden if self.hidden is not None else SIZES[self.size][1]

    @property
    def n_embedding(self) -> int:
        """Embedding width: ``embedding``, else the hidden width."""
        return self.embedding if self.embedding is not None else self.n_hidden


@dataclass(frozen=True)
class OptimConfig:
    """Optimisation: Adam with gradient clipping and a learning rate decaying linearly to 0,
    optionally stopped early on the validation split.

    Parameters
    ----------
    epochs : int, default 1
        Passes over the training split; with ``patience`` set, the most passes. The learning
        rate decays to 0 over all of them, stopped early or not.
    batch_size : int, default 128
        Sequences per step.
    lr : float, default 3e-3
        Adam's initial learning rate.
    clip : float, default 1.0
        Largest gradient norm; larger gradients are scaled down to it.
    threads : int, default 1
        Torch threads while training. Fixed because CPU reductions, and hence the exact
        weights, depend on the number of threads.
    max_steps : int, optional
        Stop after this many steps even if the epochs are not done.
    patience : int, optional
        Early stopping: evaluate on the validation split (perplexity for a language model,
        accuracy for a classifier) every ``eval_every`` steps and after the last step, keep
        the best weights seen, and stop after ``patience`` evaluations in a row without
        improvement; the best weights are restored at the end. None trains every step without
        looking at the validation split.
    eval_every : int, optional
        Steps between validations when ``patience`` is set; None validates after each epoch.
    """

    epochs: int = 1
    batch_size: int = 128
    lr: float = 3e-3
    clip: float = 1.0
    threads: int = 1
    max_steps: int | None = None
    patience: int | None = None
    eval_every: int | None = None


@dataclass(frozen=True)
class TrainConfig:
    """Everything that decides a trained model: corpus, model shape, optimisation and seed.

    Stored in every checkpoint as a plain dict, so a checkpoint says how to reproduce itself.
    Read from TOML with [from_toml][rnnvis_widget.zoo.TrainConfig.from_toml].

    Parameters
    ----------
    name : str
        Name of the model; also the default checkpoint file name.
    task : {"lm", "classify"}, default "lm"
        ``"lm"``: next-word language model; ``"classify"``: binary classifier (needs
        ``data.corpus = "reviews"``).
    seed : int, default 0
        Seeds the initial weights, the order of batches and the oversampling draws.
    data : DataConfig, optional
        The corpus and its preprocessing.
    model : ModelConfig, optional
        The model shape.
    train : OptimConfig, optional
        The optimisation.

    Raises
    ------
    ValueError
        If ``task``, ``data.corpus``, ``data.balance``, ``data.truncate``, ``model.cell`` or
        ``model.size`` is not one of its allowed values, ``task`` is ``"classify"`` on an
        unlabelled corpus, ``data.train_positive_fraction`` is outside (0, 1) or set for a
        language model, or ``train.patience`` or ``train.eval_every`` is below 1.
    """

    name: str
    task: str = "lm"
    seed: int = 0
    data: DataConfig = field(default_factory=DataConfig)
    model: ModelConfig = field(default_factory=ModelConfig)
    train: OptimConfig = field(default_factory=OptimConfig)

    def __post_init__(self) -> None:
        if self.task not in ("lm", "classify"):
            raise ValueError(f"task must be 'lm' or 'classify', not {self.task!r}")
        if self.data.corpus not in CORPORA:
            raise ValueError(f"data.corpus must be one of {CORPORA}, not {self.data.corpus!r}")
        if self.task == "classify" and self.data.corpus != "reviews":
            raise ValueError("task 'classify' needs labelled data: data.corpus = 'reviews'")
        if self.data.balance not in BALANCE:
            raise ValueError(f"data.balance must be one of {BALANCE}, not {self.data.balance!r}")
        if self.data.truncate not in TRUNCATE:
            raise ValueError(f"data.truncate must be one of {TRUNCATE}, not {self.data.truncate!r}")
        fraction = self.data.train_positive_fraction
        if fraction is not None and not (self.task == "classify" and 0 < fraction < 1):
            raise ValueError(
                f"data.train_positive_fraction must lie strictly between 0 and 1 and needs task "
                f"'classify', not {fraction!r} with task {self.task!r}"
            )
        if self.train.patience is not None and self.train.patience < 1:
            raise ValueError(f"train.patience must be at least 1 or left out, not {self.train.patience}")
        if self.train.eval_every is not None and self.train.eval_every < 1:
            raise ValueError(f"train.eval_every must be at least 1 or left out, not {self.train.eval_every}")
        if self.model.cell not in ("rnn", "gru", "lstm"):
            raise ValueError(f"model.cell must be 'rnn', 'gru' or 'lstm', not {self.model.cell!r}")
        if self.model.size not in SIZES:
            raise ValueError(f"model.size must be one of {list(SIZES)}, not {self.model.size!r}")

    def to_dict(self) -> dict[str, Any]:
        """The config as a plain dict.

        Returns
        -------
        dict
            Nested dicts of str, int, float, list and None only, safe to store in a checkpoint
            read with ``torch.load(weights_only=True)``.
        """
        return asdict(self)

    @classmethod
    def from_dict(cls, raw: dict[str, Any]) -> TrainConfig:
        """Build a config from a dict.

        Parameters
        ----------
        raw : dict
            Such as [to_dict][rnnvis_widget.zoo.TrainConfig.to_dict] returns or a parsed TOML
            file gives: top-level keys plus ``data``, ``model`` and ``train`` sections.

        Returns
        -------
        TrainConfig

        Raises
        ------
        ValueError
            For unknown keys, a missing ``name``, or a value that is not allowed.
        """
        raw = dict(raw)
        parts: dict[str, Any] = {}
        for key, part in (("data", DataConfig), ("model", ModelConfig), ("train", OptimConfig)):
            section = dict(raw.pop(key, {}) or {})
            known = {f.name for f in fields(part)}
            unknown = set(section) - known
            if unknown:
                raise ValueError(f"unknown keys in [{key}]: {sorted(unknown)}; known: {sorted(known)}")
            parts[key] = part(**section)
        known_top = {f.name for f in fields(cls)} - {"data", "model", "train"}
        unknown = set(raw) - known_top
        if unknown:
            raise ValueError(f"unknown top-level keys: {sorted(unknown)}; known: {sorted(known_top)}")
        if "name" not in raw:
            raise ValueError("a config needs a name")
        return cls(**raw, **parts)

    @classmethod
    def from_toml(cls, path: str | Path) -> TrainConfig:
        """Read a config from a TOML file.

        Parameters
        ----------
        path : str or Path
            The TOML file, laid out like the shipped configs in
            ``rnnvis_widget/zoo/configs/``: top-level ``name``, ``task`` and ``seed``, and the
            tables ``[data]``, ``[model]`` and ``[train]``.

        Returns
        -------
        TrainConfig

        Raises
        ------
        ValueError
            For unknown keys, a missing ``name``, or a value that is not allowed.
        """
        with open(path, "rb") as handle:
            return cls.from_dict(tomllib.load(handle))

    def to_toml(self) -> str:
        """The config as TOML text.

        Returns
        -------
        str
            Text that [from_toml][rnnvis_widget.zoo.TrainConfig.from_toml] reads back into an
            equal config. None values are omitted: TOML has no null, and every None here is a
            default.
        """
        lines: list[str] = []
        top = self.to_dict()
        for key in ("name", "task", "seed"):
            lines.append(f"{key} = {_toml_value(top[key])}")
        for section in ("data", "model", "train"):
            lines.append(f"\n[{section}]")
            lines.extend(
                f"{k} = {_toml_value(v)}"
                for k, v in cast(dict[str, Any], top[section]).items()
                if v is not None
            )
        return "\n".join(lines) + "\n"

    def with_overrides(self, **sections: dict[str, Any]) -> TrainConfig:
        """A copy with some fields of sections replaced.

        Parameters
        ----------
        **sections : dict
            Section name (``data``, ``model``, ``train``) to the fields to replace, e.g.
            ``with_overrides(train={"epochs": 1})``.

        Returns
        -------
        TrainConfig
        """
        changed: dict[str, Any] = {}
        for key, values in sections.items():
            changed[key] = replace(getattr(self, key), **values)
        return replace(self, **changed)


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    return repr(value)
