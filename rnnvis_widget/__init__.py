"""rnnvis-widget: see what the hidden memory of a recurrent neural network has learned."""

from .analysis import Analysis, analyze
from .capture import LayerKey
from .compare import Comparison, compare
from .widget import RNNVis, show

__all__ = ["Analysis", "Comparison", "LayerKey", "RNNVis", "analyze", "compare", "show"]
__version__ = "0.1.0"
