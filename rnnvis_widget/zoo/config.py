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
    epochs = 1
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


@dataclass(frozen=True)
class DataConfig:
    """Which corpus, and how it becomes token ids.

    corpus: "shakespeare" (lines of all plays, or `plays`) or "reviews" (movie reviews with a
        binary label). min_count: words seen fewer times in the training split become <unk>.
    max_vocab: cap on vocabulary size (most frequent first), None for no cap.
    max_len: sequences are cut to this many tokens. max_words: reviews longer than this are
        dropped ("short reviews"); shakespeare ignores it. min_len: shorter sequences are dropped.
    sources: review sources to read. balance: "natural" keeps the class balance of the training
        split, "oversample" repeats randomly drawn minority-class reviews until classes are equal.
    split_seed: seed of the 80/10/10 split.
    """

    corpus: str = "shakespeare"
    plays: list[str] | None = None
    min_count: int = 5
    max_vocab: int | None = None
    max_len: int = 40
    min_len: int = 2
    max_words: int | None = None
    sources: list[str] = field(default_factory=lambda: ["imdb", "rotten_tomatoes"])
    balance: str = "natural"
    split_seed: int = 0


@dataclass(frozen=True)
class ModelConfig:
    """Model shape. `size` picks (layers, hidden) from `SIZES`; `layers` / `hidden` override it.
    `embedding` defaults to `hidden`. Language models read out with an adaptive softmax whose
    frequency bands end at `cutoffs` (word ids are frequency ranked), which makes a CPU epoch
    several times faster than a full softmax over the vocabulary at equal likelihood."""

    cell: str = "lstm"
    size: str = "small"
    layers: int | None = None
    hidden: int | None = None
    embedding: int | None = None
    dropout: float = 0.0
    cutoffs: list[int] = field(default_factory=lambda: [1000, 4000])

    @property
    def n_layers(self) -> int:
        return self.layers if self.layers is not None else SIZES[self.size][0]

    @property
    def n_hidden(self) -> int:
        return self.hidden if self.hidden is not None else SIZES[self.size][1]

    @property
    def n_embedding(self) -> int:
        return self.embedding if self.embedding is not None else self.n_hidden


@dataclass(frozen=True)
class OptimConfig:
    """Adam with gradient clipping; `threads` is fixed because CPU reductions, and hence the
    exact weights, depend on the number of threads."""

    epochs: int = 1
    batch_size: int = 128
    lr: float = 3e-3
    clip: float = 1.0
    threads: int = 1
    max_steps: int | None = None


@dataclass(frozen=True)
class TrainConfig:
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
        if self.model.cell not in ("rnn", "gru", "lstm"):
            raise ValueError(f"model.cell must be 'rnn', 'gru' or 'lstm', not {self.model.cell!r}")
        if self.model.size not in SIZES:
            raise ValueError(f"model.size must be one of {list(SIZES)}, not {self.model.size!r}")

    def to_dict(self) -> dict[str, Any]:
        """Plain dict of str / int / float / list / None (safe for `torch.load(weights_only=True)`)."""
        return asdict(self)

    @classmethod
    def from_dict(cls, raw: dict[str, Any]) -> TrainConfig:
        """Build from a dict such as `to_dict()` or a parsed TOML file; unknown keys raise."""
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
        with open(path, "rb") as handle:
            return cls.from_dict(tomllib.load(handle))

    def to_toml(self) -> str:
        """TOML text that `from_toml` reads back into an equal config (None values are omitted:
        TOML has no null, and every None here is a default)."""
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
        """Copy with some fields of sections replaced, e.g. `with_overrides(train={"epochs": 1})`."""
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
