"""Where a word is in the view, for the search box: any vocabulary word, with the reason when it
is not drawn (not in the vocabulary, too rare to be clustered, or clustered but not among the
words shown)."""

from __future__ import annotations

import numpy as np

from ._payloads import WordAnswer
from ._viewmodel import ViewModel, ViewSlot

__all__ = ["locate_word"]


def locate_word(viewmodel: ViewModel, slot: ViewSlot, k: int, n_words: int, word: str) -> WordAnswer:
    """Locate ``word`` in the view of ``slot`` clustered into ``k`` showing ``n_words`` words.

    Parameters
    ----------
    viewmodel : ViewModel
    slot : ViewSlot
    k : int
        The clusters on screen.
    n_words : int
        How many words the view shows.
    word : str
        Vocabulary text, matched exactly (surrounding whitespace ignored unless that leaves
        nothing: a whitespace token can be searched too).

    Returns
    -------
    WordAnswer
        ``cluster`` is the word's cluster (None when it is not clustered) and ``shown`` whether
        the view draws it; ``message`` says which, and how to draw it when it is not.
    """
    analysis = viewmodel.analysis
    text = word.strip() or word
    ids = [i for i, w in enumerate(analysis.vocab) if w == text]
    base: WordAnswer = {
        "query": word, "word": text, "count": 0, "cluster": None, "shown": False, "message": ""
    }
    if not ids:
        return {**base, "message": f"“{text}” is not in the vocabulary of {len(analysis.vocab):,} words"}
    index = ids[0]
    counts = analysis.counts
    count = int(counts[index])
    co = viewmodel.cocluster(slot, k)
    label = int(co.word_labels[index])
    shown = bool(np.isin(index, viewmodel.display_ids(n_words, slot)))
    answer: WordAnswer = {**base, "count": count, "cluster": label if label >= 0 else None, "shown": shown}
    if count == 0:
        return {**answer, "message": f"“{text}” never occurs in the analysed corpus"}
    if label < 0:
        least = viewmodel.effective_min_count()  # the clustering's own threshold
        return {
            **answer,
            "message": f"“{text}” is seen {count}×, fewer than min_count = {least}: too rare to be clustered",
        }
    if shown:
        return {**answer, "message": f"“{text}” is in word cluster {label} (seen {count}×)"}
    if viewmodel.word_selection == "strongest":
        return {
            **answer,
            "message": (
                f"“{text}” is in word cluster {label} but not among the {n_words} words with the "
                "strongest responses: raise n_words, or show the most frequent words"
            ),
        }
    rank = int((counts > count).sum()) + 1
    return {
        **answer,
        "message": (
            f"“{text}” is in word cluster {label} but not among the {n_words} words drawn "
            f"(it is about the {rank:,}th most frequent): set n_words to {rank} or more to draw it"
        ),
    }
