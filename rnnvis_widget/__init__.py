"""rnnvis-widget: see what the hidden memory of a recurrent neural network has learned."""

from .analysis import Analysis, analyze
from .capture import LayerKey
from .widget import RNNVis

__all__ = ["Analysis", "LayerKey", "RNNVis", "analyze"]
__version__ = "0.1.0"
