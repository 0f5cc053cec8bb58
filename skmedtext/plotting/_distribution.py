"""Class counts before and after resampling (paper 000, Fig. 4)."""

from collections.abc import Mapping

import numpy as np
from sklearn.utils.multiclass import unique_labels

from skmedtext.metrics import resolve_labels, resolve_names
from skmedtext.plotting._base import figure_and_axes, finish_figure, font_context, save_figure

__all__ = ["plot_class_distribution"]


def plot_class_distribution(
    y,
    y_resampled=None,
    *,
    labels=None,
    target_names=None,
    stage_names=("before", "after"),
    normalize=False,
    title="Class distribution",
    ax=None,
    figsize=None,
    save=None,
    dpi=150,
):
    """Draw the class counts of one or more label arrays as grouped horizontal bars.

    Parameters
    ----------
    y : array-like of shape (n_samples,) or dict of {str: array-like}
        Labels before resampling, or a mapping ``{stage name: labels}`` to compare
        any number of stages (e.g. original, vocabulary augmentation, SAAN).
    y_resampled : array-like, default=None
        Labels after resampling (e.g. the second output of ``fit_resample``).
        Not allowed when ``y`` is a mapping.
    labels : array-like, default=None
        Classes to draw, top to bottom; the sorted union of all stages by default.
    target_names : list of str, default=None
        Display names for ``labels`` (Chinese names render when a CJK font exists;
        see :func:`plot_roc_curves`).
    stage_names : tuple of str, default=("before", "after")
        Legend names of ``y`` and ``y_resampled``.
    normalize : bool, default=False
        Draw proportions of each stage's total instead of counts. Every bar is
        annotated with both, ``count (percent)``.
    title : str or None, default="Class distribution"
        Axes title.
    ax : matplotlib Axes, default=None
        Axes to draw on; a new Figure is created when None.
    figsize : tuple, default=None
        Chosen from the number of classes and stages when None.
    save : str or path-like, default=None
        Where to write the figure (PNG unless the suffix says otherwise).
    dpi : int, default=150
        Resolution of the saved file.

    Returns
    -------
    fig : matplotlib.figure.Figure

    Examples
    --------
    >>> import numpy as np
    >>> from imblearn.over_sampling import RandomOverSampler
    >>> from skmedtext.plotting import plot_class_distribution
    >>> y = np.array(["common"] * 8 + ["rare"] * 2)
    >>> _, y_res = RandomOverSampler(random_state=0).fit_resample(np.zeros((10, 1)), y)
    >>> fig = plot_class_distribution(y, y_res)
    >>> [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    ['before (n=10)', 'after (n=16)']
    """
    stages = _stages(y, y_resampled, stage_names)
    every = [np.asarray(v) for v in stages.values()]
    if labels is None:
        labels = unique_labels(*every)
    for values in every:
        labels = resolve_labels(values, values, labels, None)
    names = resolve_names(labels, target_names)
    counts = np.array([[np.sum(v == label) for label in labels] for v in every])
    totals = counts.sum(axis=1, keepdims=True)
    heights = counts / totals if normalize else counts

    n_classes, n_stages = len(labels), len(stages)
    if figsize is None:
        longest = max(len(n) for n in names)
        figsize = (6.0 + min(longest, 40) * 0.07, 1.4 + n_classes * (0.2 + 0.2 * n_stages))
    with font_context(names, [title, *stages]) as (shown, families):
        fig, ax = figure_and_axes(ax, figsize)
        bar = 0.8 / n_stages
        rows = np.arange(n_classes)
        for s, (stage, height) in enumerate(zip(stages, heights)):
            # The first stage sits on top of each group, in legend order.
            offsets = rows - 0.4 + bar * (s + 0.5)
            bars = ax.barh(offsets, height, height=bar, label=f"{stage} (n={totals[s, 0]})")
            ax.bar_label(
                bars,
                labels=[f"{c} ({c / totals[s, 0]:.1%})" for c in counts[s]],
                padding=3,
                fontsize="small",
            )
        ax.set_yticks(rows, shown)
        ax.set_ylim(n_classes - 0.5, -0.5)  # first class on top, no empty margins
        ax.set_xlabel("proportion of samples" if normalize else "samples")
        # Room on the right for the longest "count (percent)" annotation.
        ax.set_xlim(0, heights.max() * 1.3)
        ax.spines[["top", "right"]].set_visible(False)
        if title:
            ax.set_title(title)
        ax.legend(loc="best", fontsize="small")
        finish_figure(fig, families)
        save_figure(fig, save, dpi)
    return fig


def _stages(y, y_resampled, stage_names):
    if isinstance(y, Mapping):
        if y_resampled is not None:
            raise ValueError("pass either a mapping of stages as y or y and y_resampled, not both.")
        stages = {str(name): values for name, values in y.items()}
    else:
        given = [y] if y_resampled is None else [y, y_resampled]
        stage_names = list(stage_names)
        if len(stage_names) < len(given):
            raise ValueError(f"stage_names needs {len(given)} names; got {stage_names}.")
        stages = dict(zip((str(n) for n in stage_names), given))
    if not stages:
        raise ValueError("plot_class_distribution needs at least one label array.")
    for name, values in stages.items():
        values = np.asarray(values)
        if values.ndim != 1 or values.size == 0:
            raise ValueError(f"labels of stage {name!r} must be a non-empty 1-D array.")
    return stages
