"""rnnvis-widget: see what the hidden memory of a recurrent neural network has learned.

The package follows the data flow: ``capture`` (every hidden state, exact) → ``stats``
(streaming per-word statistics) → ``clustering`` (co-clustering of words and units) →
``analysis`` (``rv.analyze`` and the ``Analysis`` result) → ``view`` (the widgets, the
comparison and offline snapshots); ``zoo`` holds corpora, configs and trained models.
"""

from importlib.metadata import PackageNotFoundError, version

from .analysis import Analysis, Context, Stack, analyze
from .capture import (
    Batch,
    CaptureError,
    CaptureMismatchError,
    LayerKey,
    NonFiniteStateError,
    StateRecorder,
    Trace,
    trace,
)
from .clustering import CoClustering
from .stats import TopContexts, UnitSummary
from .view import Comparison, RNNVis, compare, marimo_view, show

try:
    __version__ = version("rnnvis-widget")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0+unknown"

__all__ = [
    "Analysis",
    "Batch",
    "CaptureError",
    "CaptureMismatchError",
    "CoClustering",
    "Comparison",
    "Context",
    "LayerKey",
    "NonFiniteStateError",
    "RNNVis",
    "Stack",
    "StateRecorder",
    "TopContexts",
    "Trace",
    "UnitSummary",
    "__version__",
    "analyze",
    "compare",
    "marimo_view",
    "show",
    "trace",
]
