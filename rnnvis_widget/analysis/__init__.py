"""The facade over capture and statistics: `analyze` runs a model over a corpus and
returns an `Analysis`, which answers per layer and state kind and saves to one file."""

from ._run import analyze
from .result import Analysis, Context, Stack

__all__ = ["Analysis", "Context", "Stack", "analyze"]
