"""Multi-label targets in the training core: one sigmoid per label.

A classifier of the core takes a multi-label ``y`` in either form scikit-learn
uses: a 2-D 0/1 indicator array (``classes_`` is then ``0 .. n_labels - 1``) or
a sequence of label collections (lists, tuples or sets, read by
:class:`~sklearn.preprocessing.MultiLabelBinarizer`; ``classes_`` lists the
labels, sorted). The module then ends in one logit per label, trained with a
multi-label criterion (``"ce"`` reads as ``"bce"``, ``"weighted_ce"`` as
``"weighted_bce"`` and ``"focal"`` as its binary form; ``"asl"`` is the
asymmetric loss); ``predict_proba`` returns the ``(n, n_labels)`` sigmoid
probabilities and ``predict`` the 0/1 indicator ``proba >= thresholds_``.

``thresholds_`` is 0.5 for every label, unless ``validation_fraction > 0``: the
held-out split (drawn by iterative stratification) then also tunes one
threshold per label, the one maximising that label's F1
(:func:`tune_label_thresholds`).
"""

from collections.abc import Set as AbstractSet

import numpy as np
import scipy.sparse as sp
import torch
from sklearn.preprocessing import MultiLabelBinarizer

from skmedtext.losses import MULTILABEL_CRITERIA, build_criterion
from skmedtext.model_selection import MultilabelStratifiedKFold
from skmedtext.utils import check_indicator, check_multilabel_target, int_seed

__all__ = [
    "check_score_target",
    "encode_multilabel_target",
    "is_multilabel_y",
    "multilabel_criterion",
    "multilabel_holdout",
    "sigmoid_first",
    "tune_label_thresholds",
]

# single-label criterion names and their per-label (sigmoid) counterparts
_SIGMOID_FORMS = {"ce": "bce", "weighted_ce": "weighted_bce"}


def _is_collection(value):
    return isinstance(value, (list, tuple, AbstractSet)) or (
        isinstance(value, np.ndarray) and value.ndim == 1 and value.dtype.kind in "OUS"
    )


def is_multilabel_y(y):
    """True for a 2-D ``y`` with at least 2 columns or a sequence of label collections.

    Unlike the samplers (which follow imbalanced-learn), a classifier reads every
    2-D 0/1 ``y`` as multi-label, one-hot rows included, as scikit-learn does.
    """
    if sp.issparse(y):
        return y.ndim == 2 and y.shape[1] >= 2
    if isinstance(y, np.ndarray) and y.dtype != object:
        return y.ndim == 2 and y.shape[1] >= 2
    if hasattr(y, "shape") and hasattr(y, "to_numpy"):  # DataFrame / Series
        return len(y.shape) == 2 and y.shape[1] >= 2
    try:
        rows = list(y)
    except TypeError:
        return False
    return bool(rows) and all(_is_collection(row) for row in rows)


def _is_matrix(y):
    """An indicator matrix (sparse, 2-D array or frame) rather than label collections."""
    return (
        sp.issparse(y)
        or (hasattr(y, "ndim") and y.ndim == 2)
        or (hasattr(y, "to_numpy") and len(y.shape) == 2)
    )


def encode_multilabel_target(y, n_samples, estimator_name):
    """``(classes, Y)``: the labels and the int64 0/1 matrix of a multi-label ``y``.

    Raises a clear error for values other than 0/1, a label no row carries, a ``y``
    where no row has a label, and a row count unlike ``X``'s.
    """
    if _is_matrix(y):
        values = y if sp.issparse(y) else np.asarray(y)
        if values.dtype.kind in "OUS":
            raise ValueError(
                f"{estimator_name}: a 2-D multi-label y must be a 0/1 indicator matrix; "
                "give label names as a list of collections instead."
            )
        Y = check_multilabel_target(
            values, estimator_name=estimator_name, n_samples=n_samples
        )
        return np.arange(Y.shape[1]), Y.astype(np.int64)
    rows = [sorted(row) if isinstance(row, AbstractSet) else list(row) for row in y]
    binarizer = MultiLabelBinarizer()
    try:
        Y = binarizer.fit_transform(rows)
    except TypeError as exc:  # labels of mixed types cannot be sorted
        raise ValueError(
            f"{estimator_name}: the labels of a multi-label y must be of one type "
            f"(all str or all int); {exc}."
        ) from exc
    if Y.shape[1] < 2:
        raise ValueError(
            f"{estimator_name}: a multi-label y needs at least 2 distinct labels; got "
            f"{binarizer.classes_.tolist()!r}."
        )
    Y = check_multilabel_target(Y, estimator_name=estimator_name, n_samples=n_samples)
    return binarizer.classes_, Y.astype(np.int64)


def check_score_target(estimator, y):
    """The ``y`` given to ``score``, checked against what the classifier was fitted on.

    A multi-label fit returns ``y`` as the (n, n_labels) 0/1 matrix in the order
    of ``classes_`` (label collections are mapped through them); a single-label
    fit refuses a multi-label ``y``. A wrong width, unknown labels, values other
    than 0/1 are named errors (before anything is predicted): scikit-learn's
    ``accuracy_score`` would score 0/2 values silently, and its width message
    does not say which width was expected.
    """
    name = f"{type(estimator).__name__}.score"
    classes = estimator.classes_
    if not getattr(estimator, "multilabel_", False):
        if is_multilabel_y(y):
            raise ValueError(
                f"{name}: the classifier was fitted on one label per text ({len(classes)} "
                f"classes); got a multi-label y of shape {np.shape(y)}."
            )
        return y
    width = len(classes)
    if not is_multilabel_y(y):
        raise ValueError(
            f"{name}: the classifier was fitted on a multi-label y ({width} labels); score "
            f"needs an (n, {width}) 0/1 matrix or one label collection per text, got y of "
            f"shape {np.shape(y)}."
        )
    # as in fit: arrays (and frames) are indicator matrices, lists hold label collections
    if _is_matrix(y):
        values = y if sp.issparse(y) else np.asarray(y)
        if values.shape[1] != width:
            raise ValueError(
                f"{name}: y has {values.shape[1]} label columns but the classifier was "
                f"fitted on {width} labels ({_shown(classes)})."
            )
        Y = check_indicator(values, name=f"{name}: y")
    else:
        rows = [sorted(row) if isinstance(row, AbstractSet) else list(row) for row in y]
        unknown = {label for row in rows for label in row} - set(classes.tolist())
        if unknown:
            raise ValueError(
                f"{name}: labels {_shown(sorted(unknown, key=str))} of y were not seen in "
                f"fit; the classifier knows {_shown(classes)}."
            )
        Y = MultiLabelBinarizer(classes=classes.tolist()).fit_transform(rows)
    return Y


def _shown(labels, limit=10):
    labels = [v.item() if isinstance(v, np.generic) else v for v in labels]
    return f"{labels[:limit]!r}{' ...' if len(labels) > limit else ''}"


def multilabel_holdout(Y, fraction, rng):
    """Train and validation rows, the validation share ``fraction`` of the rows,
    drawn by iterative stratification so that each label keeps its share."""
    n_splits = max(2, round(1 / fraction))
    if n_splits > Y.shape[0]:
        raise ValueError(
            f"validation_fraction={fraction} leaves no validation row out of {Y.shape[0]}."
        )
    splitter = MultilabelStratifiedKFold(
        n_splits, shuffle=True, random_state=int_seed(rng)
    )
    train, valid = next(splitter.split(np.zeros(Y.shape[0]), Y))
    return train, valid


def multilabel_criterion(criterion, Y_train):
    """The loss for one sigmoid per label, with the training fold's label counts."""
    name = criterion[0] if isinstance(criterion, tuple) else criterion
    if isinstance(name, str) and name.lower() in _SIGMOID_FORMS:
        name = _SIGMOID_FORMS[name.lower()]
        criterion = (name, criterion[1]) if isinstance(criterion, tuple) else name
    if isinstance(name, str) and name.lower() not in MULTILABEL_CRITERIA:
        raise ValueError(
            f"criterion {name!r} cannot train on a multi-label y; use one of "
            f"{sorted({*MULTILABEL_CRITERIA, *_SIGMOID_FORMS})} or a loss module taking "
            "(logits (n, L), target (n, L))."
        )
    Y_train = np.asarray(Y_train)
    return build_criterion(
        criterion, Y_train.sum(axis=0), multilabel=True, n_samples=Y_train.shape[0]
    )


def sigmoid_first(output):
    """Per-label probabilities from a module output (the first element of a tuple)."""
    if isinstance(output, tuple):
        output = output[0]
    return torch.sigmoid(output.float())


def tune_label_thresholds(Y_true, proba, *, default=0.5):
    """One decision threshold per label, maximising that label's F1 on ``(Y_true, proba)``.

    The candidates are ``default`` and the midpoints between consecutive distinct
    probabilities of the label; ties keep the candidate closest to ``default``.
    A label without a positive row keeps ``default``.

    Parameters
    ----------
    Y_true : array-like of shape (n_samples, n_labels)
        0/1 indicator of the validation rows.
    proba : array-like of shape (n_samples, n_labels)
        Predicted probabilities of those rows.
    default : float, default=0.5

    Returns
    -------
    thresholds : ndarray of float64, shape (n_labels,)

    Examples
    --------
    >>> from skmedtext.training import tune_label_thresholds
    >>> tune_label_thresholds([[1, 0], [0, 1], [1, 0]], [[0.3, 0.6], [0.1, 0.7], [0.4, 0.2]])
    array([0.2 , 0.45])
    """
    Y = check_indicator(Y_true, name="Y_true").astype(bool)
    proba = np.asarray(proba, dtype=np.float64)
    if proba.shape != Y.shape:
        raise ValueError(
            f"proba must have the shape of Y_true {Y.shape}; got {proba.shape}."
        )
    thresholds = np.full(Y.shape[1], float(default))
    for j in range(Y.shape[1]):
        if not Y[:, j].any():
            continue
        values = np.unique(proba[:, j])
        candidates = np.r_[default, (values[1:] + values[:-1]) / 2, values[:1] / 2]
        predicted = proba[:, j][None, :] >= candidates[:, None]
        tp = (predicted & Y[:, j]).sum(axis=1)
        f1 = 2 * tp / (predicted.sum(axis=1) + Y[:, j].sum())
        best = np.flatnonzero(np.isclose(f1, f1.max()))
        thresholds[j] = candidates[best[np.argmin(np.abs(candidates[best] - default))]]
    return thresholds
