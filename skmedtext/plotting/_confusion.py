"""One confusion-matrix panel per cross-validation fold (paper 000, Fig. 6)."""

import math

import numpy as np
from matplotlib.colors import Normalize
from matplotlib.lines import Line2D
from sklearn.metrics import ConfusionMatrixDisplay

from skmedtext.plotting._base import finish_figure, font_context, save_figure

__all__ = ["plot_confusion_matrices"]

_NORMALIZE = (None, "true", "pred", "all")
# Class names longer than this (or more classes than _MAX_NAMED) are replaced on
# the axes by their index, with an "index: name" key under the panels; long
# rotated tick labels would otherwise squeeze the matrices to nothing.
_MAX_TICK_CHARS = 12
_MAX_NAMED = 8


def plot_confusion_matrices(
    matrices,
    *,
    target_names=None,
    titles=None,
    normalize=None,
    ncols=None,
    cmap="Blues",
    tick_labels="auto",
    suptitle=None,
    figsize=None,
    save=None,
    dpi=150,
):
    """Draw confusion matrices side by side, one panel per fold, on one colour scale.

    Parameters
    ----------
    matrices : array-like of shape (n_classes, n_classes) or a sequence of them
        Counts with rows = true class and columns = predicted class (scikit-learn's
        ``confusion_matrix`` layout). :class:`~skmedtext.metrics.ClassificationReport`
        objects are accepted too (their ``confusion_matrix`` is drawn).
    target_names : list of str, default=None
        Class names in row order. Taken from the reports when reports are given;
        ``0 .. n_classes-1`` otherwise.
    titles : list of str, default=None
        Panel titles; ``"Fold 1"``, ``"Fold 2"``, ... by default (none for a
        single matrix).
    normalize : {None, "true", "pred", "all"}, default=None
        Draw counts (None) or fractions of each true class ("true", i.e. recall
        on the diagonal), of each predicted class ("pred") or of all samples.
    ncols : int, default=None
        Panels per row; ``ceil(sqrt(n_panels))`` by default (2 x 2 for four folds
        as in the paper, 3 + 2 for five).
    cmap : str, default="Blues"
        Colour map; darker means more samples.
    tick_labels : {"auto", "names", "index"}, default="auto"
        What the axes show. "auto" uses the names when they are short (at most 12
        characters, at most 8 classes) and otherwise class indices plus an
        ``index: name`` key under the panels.
    suptitle : str, default=None
        Title over all panels.
    figsize : tuple, default=None
        Chosen from the grid and the number of classes when None.
    save : str or path-like, default=None
        Where to write the figure (PNG unless the suffix says otherwise).
    dpi : int, default=150
        Resolution of the saved file.

    Returns
    -------
    fig : matplotlib.figure.Figure

    Notes
    -----
    Unlike the paper's Fig. 6 (true labels on x), rows are true labels and columns
    predicted labels, as everywhere in scikit-learn. All panels share one colour
    scale (one colour bar) so that folds compare at a glance.

    Examples
    --------
    >>> import numpy as np
    >>> from skmedtext.plotting import plot_confusion_matrices
    >>> folds = [np.array([[5, 1], [2, 7]]), np.array([[6, 0], [1, 8]])]
    >>> fig = plot_confusion_matrices(folds, target_names=["no", "yes"])
    >>> [ax.get_title() for ax in fig.axes[:2]]
    ['Fold 1', 'Fold 2']
    """
    matrices, names = _collect(matrices, target_names)
    if normalize not in _NORMALIZE:
        raise ValueError(f"normalize must be one of {_NORMALIZE}; got {normalize!r}.")
    if tick_labels not in ("auto", "names", "index"):
        raise ValueError(f"tick_labels must be 'auto', 'names' or 'index'; got {tick_labels!r}.")
    if titles is None:
        # One matrix is not a fold of anything; leave it untitled.
        titles = [f"Fold {i + 1}" for i in range(len(matrices))] if len(matrices) > 1 else [""]
    titles = list(titles)
    if len(titles) != len(matrices):
        raise ValueError(f"got {len(titles)} titles for {len(matrices)} matrices.")
    values = [_normalized(cm, normalize) for cm in matrices]

    n_classes = len(names)
    use_index = tick_labels == "index" or (
        tick_labels == "auto"
        and (n_classes > _MAX_NAMED or max(len(n) for n in names) > _MAX_TICK_CHARS)
    )
    ncols = ncols or math.ceil(math.sqrt(len(values)))
    nrows = math.ceil(len(values) / ncols)
    if figsize is None:
        side = max(2.6, 0.42 * n_classes + 1.2) + (0 if use_index else 0.8)
        spare_cell = nrows * ncols > len(values)
        key = 0.22 * math.ceil(n_classes / 2) + 0.2 if use_index and not spare_cell else 0.0
        figsize = (ncols * side + 1.0, nrows * side + key + (0.4 if suptitle else 0.0))

    with font_context(names, [suptitle, *titles]) as (shown, families):
        from matplotlib.figure import Figure

        fig = Figure(figsize=figsize, layout="constrained")
        axes = fig.subplots(nrows, ncols, squeeze=False)
        vmax = max(float(v.max()) for v in values) or 1.0
        norm = Normalize(vmin=0.0, vmax=vmax)
        ticks = [str(i) for i in range(n_classes)] if use_index else shown
        fmt = ".2f" if normalize else "d"
        # Short names (indices, "A", "肝病科") fit level; longer ones are slanted.
        rotate = max(len(t) for t in ticks) > 3
        for k, (ax, cm) in enumerate(zip(axes.flat, values)):
            display = ConfusionMatrixDisplay(cm, display_labels=ticks)
            display.plot(
                ax=ax,
                cmap=cmap,
                colorbar=False,
                values_format=fmt,
                xticks_rotation=45 if rotate else "horizontal",
                im_kw={"norm": norm},
                text_kw={"fontsize": "small" if n_classes > 6 else "medium"},
            )
            _recolor_texts(display, norm)
            if rotate:
                for label in ax.get_xticklabels():
                    label.set_horizontalalignment("right")
                    label.set_rotation_mode("anchor")
            ax.set_title(titles[k])
            # Axis names once per row/column of panels: the grid reads as one table.
            if k % ncols:
                ax.set_ylabel("")
            if k + ncols < len(values):
                ax.set_xlabel("")
        panels, spare = list(axes.flat[: len(values)]), list(axes.flat[len(values) :])
        fig.colorbar(
            panels[0].images[0],
            ax=panels,
            shrink=0.8,
            label="fraction" if normalize else "samples",
        )
        if use_index:
            _index_key(fig, shown, spare[0] if spare else None)
        for ax in spare[1:] if use_index else spare:
            ax.remove()
        if suptitle:
            fig.suptitle(suptitle)
        finish_figure(fig, families)
        save_figure(fig, save, dpi)
    return fig


def _collect(matrices, target_names):
    if hasattr(matrices, "confusion_matrix") or (
        isinstance(matrices, np.ndarray) and matrices.ndim == 2
    ):
        matrices = [matrices]
    matrices = list(matrices)
    if not matrices:
        raise ValueError("plot_confusion_matrices needs at least one matrix.")
    reports = [m for m in matrices if hasattr(m, "confusion_matrix")]
    if reports and target_names is None:
        target_names = reports[0].target_names
    arrays = [np.asarray(getattr(m, "confusion_matrix", m)) for m in matrices]
    shape = arrays[0].shape
    for i, cm in enumerate(arrays):
        if cm.ndim != 2 or cm.shape[0] != cm.shape[1] or cm.shape != shape:
            raise ValueError(
                f"every confusion matrix must be square and of the same shape; matrix {i} "
                f"has shape {cm.shape}, matrix 0 {shape}."
            )
    if target_names is None:
        target_names = range(shape[0])
    names = [str(n) for n in target_names]
    if len(names) != shape[0]:
        raise ValueError(f"got {len(names)} target_names for {shape[0]} classes.")
    return arrays, names


def _normalized(cm, normalize):
    cm = cm.astype(np.float64) if normalize else cm
    with np.errstate(invalid="ignore", divide="ignore"):
        if normalize == "true":
            cm = cm / cm.sum(axis=1, keepdims=True)
        elif normalize == "pred":
            cm = cm / cm.sum(axis=0, keepdims=True)
        elif normalize == "all":
            cm = cm / cm.sum()
    # A class absent from a fold has a 0/0 row; show it as 0 rather than "nan".
    return np.nan_to_num(cm) if normalize else cm


def _recolor_texts(display, norm):
    # ConfusionMatrixDisplay picks black/white per panel from that panel's own range;
    # with one shared colour scale the choice must follow the shared scale.
    if display.text_ is None:
        return
    cm = display.confusion_matrix
    for (i, j), text in np.ndenumerate(display.text_):
        text.set_color("white" if norm(cm[i, j]) > 0.5 else "black")


def _index_key(fig, names, ax):
    """Write the ``index: name`` key in a spare grid cell, else under the panels."""
    handles = [Line2D([], [], linestyle="none") for _ in names]
    entries = [f"{i}: {name}" for i, name in enumerate(names)]
    style = {"handlelength": 0, "handletextpad": 0, "frameon": False, "fontsize": "small"}
    if ax is not None:
        ax.axis("off")
        ax.legend(handles, entries, loc="center", title="classes", **style)
    else:
        fig.legend(
            handles, entries, loc="outside lower center", ncols=2 if len(names) > 3 else 1, **style
        )
