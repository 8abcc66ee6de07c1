"""Streaming statistics of captured states: per-word mean response, variance, quantiles of the
display words, per-unit summaries and top contexts, in memory independent of corpus length.

`CorpusStats` folds in one captured batch at a time (``responses`` says what a response
is per state kind); ``a.merge(b)`` of two shards equals one pass over both.
"""

from .contexts import TopContexts, context_windows
from .corpus_stats import CorpusStats, Slot, SlotStats, StatsConfig, UnitSummary
from .responses import (
    DEFAULT_MIN_COUNT,
    GATE_BOUNDS,
    MEMORY_KINDS,
    Bound,
    activation_bounds,
    step_responses,
    top_words,
)

__all__ = [
    "DEFAULT_MIN_COUNT",
    "GATE_BOUNDS",
    "MEMORY_KINDS",
    "Bound",
    "CorpusStats",
    "Slot",
    "SlotStats",
    "StatsConfig",
    "TopContexts",
    "UnitSummary",
    "activation_bounds",
    "context_windows",
    "step_responses",
    "top_words",
]
