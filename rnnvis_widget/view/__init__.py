"""What the browser sees: the view model (payloads as compact binary arrays), the anywidget
classes, the comparison and the offline HTML snapshot."""

from .compare import Comparison, compare
from .marimo import marimo_view
from .widget import RNNVis, show

__all__ = ["Comparison", "RNNVis", "compare", "marimo_view", "show"]
