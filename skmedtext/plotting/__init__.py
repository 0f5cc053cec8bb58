"""Figures of paper 000: per-class ROC curves, per-fold confusion matrices, class counts.

Every function returns a :class:`matplotlib.figure.Figure` drawn with the Agg
canvas (no display needed) and writes a PNG when given ``save=path``. Chinese
class names render when a CJK font is installed; otherwise they are drawn as
``class <i>`` with a warning that says how to install one.
"""

from skmedtext.plotting._confusion import plot_confusion_matrices
from skmedtext.plotting._distribution import plot_class_distribution
from skmedtext.plotting._roc import plot_roc_curves

__all__ = ["plot_class_distribution", "plot_confusion_matrices", "plot_roc_curves"]
