"""One-vs-rest ROC curves per class with the AUC in the legend (paper 000, Fig. 5)."""

import numpy as np
from sklearn.metrics import auc, roc_curve

from skmedtext.metrics import align_scores, resolve_labels, resolve_names
from skmedtext.plotting._base import figure_and_axes, finish_figure, font_context, save_figure

__all__ = ["plot_roc_curves"]

# Up to this many classes the legend fits in the empty lower-right corner of a
# good ROC plot; more entries would hide the curves, so the legend moves outside.
_MAX_LEGEND_INSIDE = 6


def plot_roc_curves(
    y_true,
    y_score,
    *,
    labels=None,
    target_names=None,
    score_labels=None,
    title="ROC curves (one-vs-rest)",
    ax=None,
    figsize=None,
    save=None,
    dpi=150,
):
    """Plot one ROC curve per class, one-vs-rest, with its AUC in the legend.

    Parameters
    ----------
    y_true : array-like of shape (n_samples,)
        True labels (strings or integers).
    y_score : array-like of shape (n_samples, n_score_labels)
        Probabilities (``predict_proba``) or decision scores, one column per class
        of ``score_labels``.
    labels : array-like, default=None
        Classes to draw, in legend order. Defaults to ``score_labels`` (or the
        classes of ``y_true`` when that is None too).
    target_names : list of str, default=None
        Display names for ``labels``; Chinese names render when a CJK font is
        installed (see Notes).
    score_labels : array-like, default=None
        The class of each column of ``y_score`` (e.g. ``clf.classes_``);
        defaults to ``labels``.
    title : str or None, default="ROC curves (one-vs-rest)"
        Axes title.
    ax : matplotlib Axes, default=None
        Axes to draw on; a new Figure is created when None.
    figsize : tuple, default=None
        Size of the new Figure; chosen from the number of classes when None.
    save : str or path-like, default=None
        Where to write the figure (PNG unless the suffix says otherwise).
    dpi : int, default=150
        Resolution of the saved file.

    Returns
    -------
    fig : matplotlib.figure.Figure

    Notes
    -----
    The AUC in the legend is ``auc(*roc_curve(y_true == c, score[:, c])[:2])``,
    which equals ``roc_auc_score(y_true == c, score[:, c])``. A class absent from
    ``y_true`` has no curve; its legend entry says ``no positives``. The dashed
    grey diagonal is the chance level (red in the paper's figure, but red is one of
    the class colours here).

    Figures are drawn with the Agg canvas and need no display. When a class name
    has characters the default font lacks (Chinese), the first installed CJK font
    (Noto Sans CJK, Source Han Sans, WenQuanYi, SimHei, ...) is appended as a
    fallback family; if there is none, such names are drawn as ``class <i>`` and
    a ``UserWarning`` gives the mapping.

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.linear_model import LogisticRegression
    >>> from skmedtext.plotting import plot_roc_curves
    >>> X, y = load_iris(return_X_y=True)
    >>> clf = LogisticRegression(max_iter=500).fit(X, y)
    >>> fig = plot_roc_curves(y, clf.predict_proba(X), score_labels=clf.classes_,
    ...                       target_names=["setosa", "versicolor", "virginica"])
    >>> [t.get_text() for t in fig.axes[0].get_legend().get_texts()][0]
    'setosa (AUC = 1.000)'
    """
    y_true = np.asarray(y_true)
    if score_labels is None and labels is None:
        score_labels = resolve_labels(y_true, y_true, None, None)
    if labels is None:
        labels = np.asarray(score_labels)
    labels = resolve_labels(y_true, y_true, labels, None)
    names = resolve_names(labels, target_names)
    scores = align_scores(y_score, labels if score_labels is None else score_labels, labels)
    if scores.shape[0] != y_true.shape[0]:
        raise ValueError(f"y_score has {scores.shape[0]} rows but y_true has {y_true.shape[0]}.")

    outside = len(labels) > _MAX_LEGEND_INSIDE
    if figsize is None:
        figsize = (8.6, 5.2) if outside else (6.0, 5.4)
    with font_context(names, [title]) as (shown, families):
        fig, ax = figure_and_axes(ax, figsize)
        colors = _colors(len(labels))
        for k, label in enumerate(labels):
            positive = y_true == label
            if not positive.any() or positive.all():
                # Keep the entry so the legend still lists every class.
                ax.plot([], [], color=colors[k], label=f"{shown[k]} (no positives)")
                continue
            fpr, tpr, _ = roc_curve(positive, scores[:, k])
            entry = f"{shown[k]} (AUC = {auc(fpr, tpr):.3f})"
            ax.plot(fpr, tpr, lw=1.8, color=colors[k], label=entry)
        # Grey rather than the paper's red: red is one of the class colours.
        ax.plot([0, 1], [0, 1], color="0.45", ls="--", lw=1.2, label="chance (AUC = 0.5)")
        ax.set(
            xlim=(-0.01, 1.01),
            ylim=(-0.01, 1.01),
            xlabel="False positive rate",
            ylabel="True positive rate",
            aspect="equal",
        )
        if title:
            ax.set_title(title)
        ax.grid(alpha=0.3)
        if outside:
            ax.legend(loc="upper left", bbox_to_anchor=(1.02, 1.0), fontsize="small", frameon=False)
        else:
            ax.legend(loc="lower right", fontsize="small")
        finish_figure(fig, families)
        save_figure(fig, save, dpi)
    return fig


def _colors(n):
    # tab10 keeps the classic distinct colours; more classes need tab20's extra hues.
    from matplotlib import colormaps

    cmap = colormaps["tab10" if n <= 10 else "tab20"]
    return [cmap(i % cmap.N) for i in range(n)]
