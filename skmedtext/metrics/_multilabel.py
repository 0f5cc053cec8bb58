"""Multi-label reports: micro, macro and example-based scores, per-label P/R/F1.

The numbers come from scikit-learn's metric functions on 0/1 indicator matrices
(``average='micro'`` pools every label decision, ``'macro'`` averages the labels
equally, ``'samples'`` averages the per-record scores: the example-based F1 of the
multi-label literature); this module checks the matrices (a wrong width is a
clear error, not a silent broadcast) and gathers the scores into one report with
the label cardinality of the predictions and the F1 of the rarest labels.
"""

import numpy as np
import pandas as pd
from sklearn.metrics import (
    accuracy_score,
    hamming_loss,
    precision_recall_fscore_support,
    roc_auc_score,
)
from sklearn.utils import Bunch

from skmedtext.metrics._labels import resolve_names
from skmedtext.utils import check_indicator

__all__ = [
    "MULTILABEL_SCALAR_METRICS",
    "MultilabelReport",
    "check_indicator",
    "label_cardinality",
    "multilabel_report",
    "rare_label_f1",
]

_AVERAGES = ("micro", "macro", "samples")
MULTILABEL_SCALAR_METRICS = (
    *(f"{m}_{avg}" for avg in _AVERAGES for m in ("precision", "recall", "f1")),
    "subset_accuracy",
    "hamming_loss",
    "cardinality_true",
    "cardinality_pred",
    "roc_auc_macro",
)
"""Names of the scalar metrics of a :class:`MultilabelReport`, in table order."""


def _check_pair(y_true, y_pred):
    y_true = check_indicator(y_true, name="y_true")
    if y_true.shape[1] < 2:
        # scikit-learn reads an (n, 1) matrix as a binary y, not as one label
        raise ValueError(
            "a multi-label report needs at least 2 label columns; score a single "
            "label as a binary target (classification_report_full)."
        )
    y_pred = check_indicator(y_pred, name="y_pred", n_labels=y_true.shape[1])
    if y_pred.shape[0] != y_true.shape[0]:
        raise ValueError(
            f"y_true has {y_true.shape[0]} rows but y_pred has {y_pred.shape[0]}."
        )
    return y_true, y_pred


def label_cardinality(y):
    """Mean number of labels per record (Tsoumakas et al.'s label cardinality).

    Examples
    --------
    >>> from skmedtext.metrics import label_cardinality
    >>> label_cardinality([[1, 0, 1], [0, 0, 0]])
    1.0
    """
    y = check_indicator(y)
    return float(y.sum(axis=1).mean()) if y.shape[0] else float("nan")


def rare_label_f1(y_true, y_pred, k=3):
    """Macro F1 over the ``k`` labels with the fewest positives in ``y_true``.

    Ties go to the earlier column; ``k`` larger than the number of labels uses all.

    Examples
    --------
    >>> from skmedtext.metrics import rare_label_f1
    >>> rare_label_f1([[1, 1], [1, 0], [1, 0]], [[1, 1], [1, 0], [1, 1]], k=1)
    0.6666666666666666
    """
    y_true, y_pred = _check_pair(y_true, y_pred)
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or k < 1:
        raise ValueError(f"k must be a positive integer; got {k!r}.")
    rarest = np.argsort(y_true.sum(axis=0), kind="stable")[:k]
    # scored on the whole matrix: scikit-learn reads a single column as a binary y
    _, _, f1, _ = precision_recall_fscore_support(
        y_true, y_pred, average=None, zero_division=0
    )
    return float(f1[rarest].mean())


def _per_label_auc(y_true, y_score):
    """ROC-AUC per label, NaN where a label has only one class in ``y_true``."""
    auc = np.full(y_true.shape[1], np.nan)
    for j in range(y_true.shape[1]):
        if 0 < y_true[:, j].sum() < y_true.shape[0]:
            auc[j] = roc_auc_score(y_true[:, j], y_score[:, j])
    return auc


class MultilabelReport(Bunch):
    """Every multi-label metric of one evaluation: a :class:`~sklearn.utils.Bunch`.

    Keys (also attributes): the names in :data:`MULTILABEL_SCALAR_METRICS`
    (floats; ``roc_auc_macro`` is NaN without scores), ``per_label`` (DataFrame
    indexed by label name with columns ``precision, recall, f1, support,
    predicted, roc_auc``) and ``target_names`` (list of str).
    """

    def scalars(self):
        """The scalar metrics as a dict, in :data:`MULTILABEL_SCALAR_METRICS` order."""
        return {name: self[name] for name in MULTILABEL_SCALAR_METRICS}

    def to_frame(self):
        """Per-label rows followed by one row per average (micro, macro, samples)."""
        rows = [
            pd.DataFrame(
                {
                    "precision": [self[f"precision_{avg}"]],
                    "recall": [self[f"recall_{avg}"]],
                    "f1": [self[f"f1_{avg}"]],
                },
                index=[f"{avg} avg"],
            )
            for avg in _AVERAGES
        ]
        return pd.concat([self.per_label, *rows])

    def __repr__(self):
        return f"MultilabelReport(f1_micro={self.f1_micro:.4f}, f1_macro={self.f1_macro:.4f})"


def multilabel_report(y_true, y_pred, *, target_names=None, y_score=None):
    """Micro, macro and example-based scores, per-label P/R/F1 and label cardinality.

    Parameters
    ----------
    y_true, y_pred : array-like or sparse matrix of shape (n_samples, n_labels)
        True and predicted 0/1 label-indicator matrices of the same shape.
    target_names : list of str, default=None
        One name per label column (``'0'``, ``'1'``, ... by default).
    y_score : array-like of shape (n_samples, n_labels), default=None
        Per-label scores (``predict_proba``) for the ROC-AUC column.

    Returns
    -------
    report : MultilabelReport

    Raises
    ------
    ValueError
        If a matrix is not 0/1, the widths or row counts differ, or ``target_names``
        does not give one distinct name per label.

    Notes
    -----
    A label that is never true nor predicted scores 0 (``zero_division=0``) and
    pulls the macro average down, as in scikit-learn; a record with no true and
    no predicted label counts 0 in the example-based (samples) averages.

    Examples
    --------
    >>> from skmedtext.metrics import multilabel_report
    >>> report = multilabel_report([[1, 0], [1, 1]], [[1, 0], [1, 0]], target_names=["a", "b"])
    >>> round(report.f1_micro, 4), report.f1_macro, report.cardinality_pred
    (0.8, 0.5, 1.0)
    >>> float(report.per_label.loc["b", "recall"])
    0.0
    """
    y_true, y_pred = _check_pair(y_true, y_pred)
    names = resolve_names(np.arange(y_true.shape[1]), target_names)
    report = MultilabelReport(target_names=names)
    for avg in _AVERAGES:
        p, r, f, _ = precision_recall_fscore_support(
            y_true, y_pred, average=avg, zero_division=0
        )
        report.update(
            {
                f"precision_{avg}": float(p),
                f"recall_{avg}": float(r),
                f"f1_{avg}": float(f),
            }
        )
    p, r, f, support = precision_recall_fscore_support(
        y_true, y_pred, average=None, zero_division=0
    )
    auc = np.full(y_true.shape[1], np.nan)
    if y_score is not None:
        scores = np.asarray(y_score, dtype=np.float64)
        if scores.shape != y_true.shape:
            raise ValueError(
                f"y_score must have the shape of y_true {y_true.shape}; got {scores.shape}."
            )
        auc = _per_label_auc(y_true, scores)
    report.per_label = pd.DataFrame(
        {
            "precision": p,
            "recall": r,
            "f1": f,
            "support": support,
            "predicted": y_pred.sum(axis=0),
            "roc_auc": auc,
        },
        index=pd.Index(names, name="label"),
    )
    report.update(
        subset_accuracy=float(accuracy_score(y_true, y_pred)),
        hamming_loss=float(hamming_loss(y_true, y_pred)),
        cardinality_true=label_cardinality(y_true),
        cardinality_pred=label_cardinality(y_pred),
        roc_auc_macro=float(np.nanmean(auc))
        if np.isfinite(auc).any()
        else float("nan"),
    )
    return report
