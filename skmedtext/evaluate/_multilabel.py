"""Multi-label targets in :func:`~skmedtext.evaluate.evaluate`: checks, folds, reports.

A 2-D 0/1 ``y`` with at least two columns is evaluated as multi-label: folds by
iterative stratification (:class:`~skmedtext.model_selection.MultilabelStratifiedKFold`),
each fold scored by :func:`~skmedtext.metrics.multilabel_report` (micro, macro and
example-based F1, per-label P/R/F1). The fold records, tables and JSON are the
single-label ones with a :class:`~skmedtext.metrics.MultilabelReport` in place of
the :class:`~skmedtext.metrics.ClassificationReport`.
"""

import warnings

import numpy as np
import pandas as pd
import scipy.sparse as sp

from skmedtext.metrics import MultilabelReport, estimator_scores, resolve_names
from skmedtext.model_selection import MultilabelStratifiedKFold
from skmedtext.utils import check_multilabel_target

__all__ = [
    "MULTILABEL_MARKDOWN_METRICS",
    "check_multilabel_predictions",
    "is_multilabel_evaluation",
    "multilabel_report_from_dict",
    "multilabel_report_to_dict",
    "multilabel_scores",
    "multilabel_splitter",
    "multilabel_target",
]

MULTILABEL_MARKDOWN_METRICS = (
    "f1_micro",
    "f1_macro",
    "f1_samples",
    "precision_micro",
    "recall_micro",
    "subset_accuracy",
    "hamming_loss",
    "roc_auc_macro",
)
"""Default metric columns of :meth:`EvaluationResult.to_markdown` for a multi-label ``y``."""

_PER_LABEL = ("precision", "recall", "f1", "support", "predicted", "roc_auc")


def is_multilabel_evaluation(y):
    """True for a 2-D ``y`` with at least 2 columns (an (n, 1) column stays single-label)."""
    if sp.issparse(y):
        return y.shape[1] >= 2
    shape = np.shape(y)
    return len(shape) == 2 and shape[1] >= 2


def multilabel_target(y, n_samples, labels, target_names):
    """``(Y, labels, names)`` of a multi-label ``y``: every label column must occur."""
    if labels is not None:
        raise ValueError(
            "labels selects classes of a 1-D y; with a multi-label y every column is a "
            "label. Select columns of y instead (and give their names as target_names)."
        )
    Y = check_multilabel_target(y, estimator_name="evaluate", n_samples=n_samples)
    labels = np.arange(Y.shape[1])
    if target_names is not None and len(target_names) != Y.shape[1]:
        raise ValueError(
            f"target_names has {len(target_names)} names but the multi-label y has "
            f"{Y.shape[1]} label columns; give one name per column."
        )
    return Y, labels, resolve_names(labels, target_names)


def multilabel_splitter(n_splits, Y, seed):
    """The default folds for a multi-label ``Y``; warns when a label is rarer than the folds."""
    counts = Y.sum(axis=0)
    if counts.min() < n_splits:
        warnings.warn(
            f"the rarest label is carried by {counts.min()} rows, fewer than cv={n_splits}: "
            "some test folds will not contain it (its recall is then undefined there).",
            UserWarning,
            stacklevel=4,
        )
    # shuffled as the single-label StratifiedKFold is (unseeded when seed is None)
    return MultilabelStratifiedKFold(n_splits, shuffle=True, random_state=seed)


def check_multilabel_predictions(y_pred, n_test, n_labels):
    """``predict``'s output as an int8 (n_test, n_labels) 0/1 matrix, or a clear error."""
    values = y_pred.toarray() if sp.issparse(y_pred) else np.asarray(y_pred)
    if values.shape != (n_test, n_labels):
        raise ValueError(
            f"the pipeline predicted an array of shape {values.shape} for a multi-label y of "
            f"{n_labels} labels; it must predict an ({n_test}, {n_labels}) 0/1 matrix (wrap a "
            "single-label classifier in sklearn.multiclass.OneVsRestClassifier)."
        )
    if values.dtype.kind not in "biuf" or not np.isin(values, (0, 1)).all():
        raise ValueError("the pipeline's multi-label predictions must hold only 0 and 1.")
    return values.astype(np.int8)


def multilabel_scores(estimator, X, n_labels):
    """Per-label scores of shape (n, n_labels) (``predict_proba`` first), or None.

    A list of per-label ``(n, 2)`` probability arrays (``MultiOutputClassifier``,
    multi-output forests) is turned into the positive column of each.
    """
    scores, _ = estimator_scores(estimator, X)
    if scores is None:
        return None
    if isinstance(scores, list):
        scores = np.column_stack([np.asarray(s)[:, -1] for s in scores])
    scores = np.asarray(scores, dtype=np.float64)
    if scores.ndim != 2 or scores.shape[1] != n_labels:
        raise ValueError(
            f"the pipeline's scores have shape {scores.shape}; a multi-label y of {n_labels} "
            "labels needs one score column per label (or pass scores=False)."
        )
    return scores


def multilabel_report_to_dict(report):
    """The JSON form of a :class:`MultilabelReport` (NaN as None)."""
    return {
        "multilabel": True,
        **{name: _json_float(value) for name, value in report.scalars().items()},
        "target_names": list(report.target_names),
        "per_label": {
            col: [_json_float(v) for v in report.per_label[col]] for col in _PER_LABEL
        },
    }


def multilabel_report_from_dict(data):
    """Rebuild a report written by :func:`multilabel_report_to_dict`."""
    per_label = pd.DataFrame(
        {
            col: [np.nan if v is None else v for v in data["per_label"][col]]
            for col in _PER_LABEL
        },
        index=pd.Index(data["target_names"], name="label"),
    )
    for col in ("support", "predicted"):
        per_label[col] = per_label[col].astype(np.int64)
    scalars = {
        k: np.nan if v is None else float(v)
        for k, v in data.items()
        if k not in ("multilabel", "target_names", "per_label")
    }
    return MultilabelReport(
        **scalars, target_names=list(data["target_names"]), per_label=per_label
    )


def _json_float(value):
    value = float(value)
    return None if np.isnan(value) else value
