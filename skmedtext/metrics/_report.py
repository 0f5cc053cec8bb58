"""One report with every classification metric the papers show, per fit or per fold.

The numbers come from scikit-learn's own metric functions; this module only
gathers them, aligns score columns to a fixed list of labels (so that every fold of
a cross-validation reports the same classes, even a class that a fold never
predicts), and defines the one-vs-rest ROC-AUC per class where scikit-learn's
multiclass ``roc_auc_score`` would give up (a class absent from ``y_true``).
"""

import warnings

import numpy as np
import pandas as pd
from sklearn.exceptions import UndefinedMetricWarning
from sklearn.metrics import (
    accuracy_score,
    balanced_accuracy_score,
    confusion_matrix,
    precision_recall_fscore_support,
    roc_auc_score,
)
from sklearn.utils import Bunch
from sklearn.utils.multiclass import unique_labels
from sklearn.utils.validation import check_is_fitted

from skmedtext.metrics._labels import align_scores, estimator_scores, resolve_labels, resolve_names

__all__ = [
    "ClassificationReport",
    "aggregate_reports",
    "classification_report_full",
    "report_from_estimator",
    "SCALAR_METRICS",
    "PER_CLASS_METRICS",
]

_AVERAGES = ("macro", "micro", "weighted")
SCALAR_METRICS = (
    "accuracy",
    "balanced_accuracy",
    *(f"{m}_{avg}" for avg in _AVERAGES for m in ("precision", "recall", "f1")),
    "roc_auc_macro",
    "roc_auc_micro",
    "roc_auc_weighted",
)
"""Names of the scalar metrics of a :class:`ClassificationReport`, in table order."""

PER_CLASS_METRICS = ("precision", "recall", "f1", "support", "roc_auc")
"""Columns of :meth:`ClassificationReport.to_frame`."""


class ClassificationReport(Bunch):
    """Every metric of one evaluation: a :class:`~sklearn.utils.Bunch` with helpers.

    Keys (also attributes): the names in :data:`SCALAR_METRICS` (floats; the
    ROC-AUC entries are NaN when no scores were given), ``per_class`` (DataFrame
    indexed by target name with columns ``precision, recall, f1, support,
    roc_auc``), ``confusion_matrix`` (ndarray, rows = true label, columns =
    predicted label, in ``labels`` order), ``labels`` (ndarray) and
    ``target_names`` (list of str).
    """

    def scalars(self):
        """Return the scalar metrics as a ``{name: float}`` dict in table order."""
        return {name: float(self[name]) for name in SCALAR_METRICS}

    def to_frame(self):
        """Return the per-class table plus macro/micro/weighted average rows.

        The per-class rows come first (indexed by target name); the rows
        ``macro avg``, ``micro avg`` and ``weighted avg`` follow, with the total
        support and the averaged ROC-AUC.
        """
        total = int(self.per_class["support"].sum())
        rows = {
            f"{avg} avg": {
                "precision": self[f"precision_{avg}"],
                "recall": self[f"recall_{avg}"],
                "f1": self[f"f1_{avg}"],
                "support": total,
                "roc_auc": self.get(f"roc_auc_{avg}", np.nan),
            }
            for avg in _AVERAGES
        }
        return pd.concat([self.per_class, pd.DataFrame.from_dict(rows, orient="index")])

    def to_dict(self):
        """Return a JSON-serialisable dict (lists and Python scalars only)."""
        return {
            **{name: _json_float(self[name]) for name in SCALAR_METRICS},
            "labels": _to_python_list(self.labels),
            "target_names": list(self.target_names),
            "per_class": {
                col: [_json_float(v) for v in self.per_class[col]] for col in PER_CLASS_METRICS
            },
            "confusion_matrix": np.asarray(self.confusion_matrix).tolist(),
        }

    @classmethod
    def from_dict(cls, data):
        """Rebuild a report written by :meth:`to_dict`."""
        per_class = pd.DataFrame(
            {
                col: [_from_json_float(v) for v in data["per_class"][col]]
                for col in PER_CLASS_METRICS
            },
            index=pd.Index(data["target_names"], name="class"),
        )
        per_class["support"] = per_class["support"].astype(np.int64)
        return cls(
            **{name: _from_json_float(data[name]) for name in SCALAR_METRICS},
            labels=np.asarray(data["labels"]),
            target_names=list(data["target_names"]),
            per_class=per_class,
            confusion_matrix=np.asarray(data["confusion_matrix"], dtype=np.int64),
        )

    def __repr__(self):
        shown = ", ".join(f"{k}={self[k]:.3f}" for k in ("accuracy", "f1_macro", "roc_auc_macro"))
        return f"ClassificationReport({shown}, n_classes={len(self.labels)})"


def _json_float(value):
    value = float(value)
    return None if np.isnan(value) else value


def _from_json_float(value):
    return np.nan if value is None else float(value)


def _to_python_list(values):
    return [v.item() if isinstance(v, np.generic) else v for v in np.asarray(values).tolist()]


def _per_class_auc(y_true, y_score, labels):
    aucs = np.full(len(labels), np.nan)
    for k, label in enumerate(labels):
        positive = y_true == label
        # One-vs-rest AUC needs both a positive and a negative row; otherwise it is
        # undefined and stays NaN instead of failing the whole report.
        if positive.any() and not positive.all():
            aucs[k] = roc_auc_score(positive, y_score[:, k])
    return aucs


def classification_report_full(
    y_true,
    y_pred,
    y_score=None,
    *,
    labels=None,
    target_names=None,
    score_labels=None,
    zero_division=0.0,
):
    """Compute accuracy, P/R/F1 (macro, micro, weighted, per class), ROC-AUC, confusion.

    Parameters
    ----------
    y_true : array-like of shape (n_samples,)
        True labels.
    y_pred : array-like of shape (n_samples,)
        Predicted labels.
    y_score : array-like of shape (n_samples, n_score_labels), default=None
        Class probabilities (``predict_proba``) or decision scores, one column per
        class of ``score_labels``. Needed for ROC-AUC; without it the AUC entries
        are NaN.
    labels : array-like, default=None
        The classes to report, in order. Defaults to the sorted union of the
        classes in ``y_true``, ``y_pred`` and ``score_labels``. Pass the full list
        in cross-validation so that every fold reports every class.
    target_names : list of str, default=None
        Display names for ``labels``; defaults to ``str(label)``.
    score_labels : array-like, default=None
        The class of each column of ``y_score`` (a classifier's ``classes_``);
        defaults to ``labels``. Columns are realigned to ``labels``.
    zero_division : {0.0, 1.0, np.nan}, default=0.0
        Value of precision (recall) for a class that is never predicted (never
        present); as in scikit-learn, but without the warning.

    Returns
    -------
    report : ClassificationReport
        A Bunch with ``accuracy``, ``balanced_accuracy``,
        ``{precision,recall,f1}_{macro,micro,weighted}``,
        ``roc_auc_{macro,micro,weighted}``, ``per_class`` (DataFrame), ``confusion_matrix``,
        ``labels`` and ``target_names``.

    Notes
    -----
    ROC-AUC is one-vs-rest per class: ``roc_auc_score(y_true == c, score[:, c])``.
    A class absent from ``y_true`` has no AUC (NaN). ``roc_auc_macro`` is the mean
    of the defined per-class AUCs and ``roc_auc_weighted`` their mean weighted by
    support. When every class is present these equal scikit-learn's
    ``roc_auc_score(..., multi_class="ovr", average="macro"/"weighted")``; when
    one is missing scikit-learn refuses the whole score, whereas this report
    still averages the classes that can be scored. ``roc_auc_micro`` is
    ``roc_auc_score(label_binarize(y_true, classes=labels), score,
    average="micro")``: one curve over all (sample, class) cells.

    Decision scores work as well as probabilities (only their order matters).
    Score columns of classes the model never saw are filled with the lowest
    score (probability 0).

    Examples
    --------
    >>> from skmedtext.metrics import classification_report_full
    >>> report = classification_report_full([0, 1, 1, 2], [0, 1, 2, 2])
    >>> round(report.accuracy, 2), round(report.f1_macro, 3)
    (0.75, 0.778)
    >>> report.per_class["support"].tolist()
    [1, 2, 1]
    """
    y_true = np.asarray(y_true)
    y_pred = np.asarray(y_pred)
    if y_true.ndim != 1 or y_pred.shape != y_true.shape:
        raise ValueError(
            f"y_true and y_pred must be 1-D of equal length; got shapes {y_true.shape} and "
            f"{y_pred.shape}."
        )
    if y_true.size == 0:
        raise ValueError("cannot report on zero samples.")
    labels = resolve_labels(y_true, y_pred, labels, score_labels)
    names = resolve_names(labels, target_names)

    with warnings.catch_warnings():
        # zero_division is explicit, so the "ill-defined" warnings say nothing new.
        warnings.simplefilter("ignore", UndefinedMetricWarning)
        result = {
            "accuracy": accuracy_score(y_true, y_pred),
            "balanced_accuracy": _balanced_accuracy(y_true, y_pred),
        }
        for avg in _AVERAGES:
            p, r, f, _ = precision_recall_fscore_support(
                y_true, y_pred, labels=labels, average=avg, zero_division=zero_division
            )
            result.update({f"precision_{avg}": p, f"recall_{avg}": r, f"f1_{avg}": f})
        p, r, f, support = precision_recall_fscore_support(
            y_true, y_pred, labels=labels, average=None, zero_division=zero_division
        )

    aucs = np.full(len(labels), np.nan)
    if y_score is not None:
        scores = align_scores(y_score, labels if score_labels is None else score_labels, labels)
        if scores.shape[0] != y_true.shape[0]:
            raise ValueError(
                f"y_score has {scores.shape[0]} rows but y_true has {y_true.shape[0]}."
            )
        aucs = _per_class_auc(y_true, scores, labels)
    defined = ~np.isnan(aucs)
    result["roc_auc_macro"] = float(aucs[defined].mean()) if defined.any() else np.nan
    result["roc_auc_micro"] = _micro_auc(y_true, scores, labels) if y_score is not None else np.nan
    result["roc_auc_weighted"] = (
        float(np.average(aucs[defined], weights=support[defined])) if defined.any() else np.nan
    )

    per_class = pd.DataFrame(
        {
            "precision": p,
            "recall": r,
            "f1": f,
            "support": support.astype(np.int64),
            "roc_auc": aucs,
        },
        index=pd.Index(names, name="class"),
    )
    return ClassificationReport(
        **{k: float(v) for k, v in result.items()},
        per_class=per_class,
        confusion_matrix=confusion_matrix(y_true, y_pred, labels=labels),
        labels=labels,
        target_names=names,
    )


def _micro_auc(y_true, scores, labels):
    # scikit-learn's average="micro": one ROC over every (sample, class) cell of the
    # one-hot truth against the score matrix. It needs one positive and one negative
    # cell, i.e. at least two classes.
    indicator = (y_true[:, None] == np.asarray(labels)[None, :]).ravel()
    if indicator.all() or not indicator.any():
        return np.nan
    return float(roc_auc_score(indicator, scores.ravel()))


def _balanced_accuracy(y_true, y_pred):
    # scikit-learn warns when y_pred holds a class y_true lacks; the value is still
    # the mean recall over the classes of y_true, which is what we want.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        return balanced_accuracy_score(y_true, y_pred)


def report_from_estimator(
    estimator, X, y, *, labels=None, target_names=None, zero_division=0.0, scores=True
):
    """Predict ``X`` with a fitted estimator and report on it against ``y``.

    Parameters
    ----------
    estimator : fitted classifier or Pipeline
        Must implement ``predict``; ``predict_proba`` (preferred) or
        ``decision_function`` are used for ROC-AUC when present.
    X : array-like
        Inputs the estimator accepts (raw texts for text pipelines).
    y : array-like of shape (n_samples,)
        True labels.
    labels, target_names, zero_division
        As in :func:`classification_report_full`. ``labels`` defaults to the
        estimator's ``classes_`` plus any other class found in ``y``.
    scores : bool, default=True
        Whether to compute scores for ROC-AUC.

    Returns
    -------
    report : ClassificationReport

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.linear_model import LogisticRegression
    >>> from skmedtext.metrics import report_from_estimator
    >>> X, y = load_iris(return_X_y=True)
    >>> clf = LogisticRegression(max_iter=500).fit(X, y)
    >>> report = report_from_estimator(clf, X, y)
    >>> report.per_class.shape, report.roc_auc_macro > 0.9
    ((3, 5), True)
    """
    check_is_fitted(estimator)
    y = np.asarray(y)
    y_pred = estimator.predict(X)
    y_score, classes = estimator_scores(estimator, X) if scores else (None, None)
    if labels is None and getattr(estimator, "classes_", None) is not None:
        labels = unique_labels(np.asarray(estimator.classes_), y)
    return classification_report_full(
        y,
        y_pred,
        y_score,
        labels=labels,
        target_names=target_names,
        score_labels=classes,
        zero_division=zero_division,
    )


def aggregate_reports(reports, *, ddof=1):
    """Summarise a list of reports (e.g. one per CV fold) as mean and std.

    Parameters
    ----------
    reports : list of ClassificationReport
        All must share the same ``labels`` (pass ``labels=`` when creating them).
    ddof : int, default=1
        Delta degrees of freedom of the standard deviation (1: the sample std,
        pandas' default; 0: the population std).

    Returns
    -------
    result : Bunch
        ``per_fold`` DataFrame (one row per report, scalar metrics as columns),
        ``summary`` DataFrame (index = metric, columns ``mean``, ``std``),
        ``per_class`` DataFrame (index = class, columns a MultiIndex
        ``(metric, mean|std)``; support is summed, not averaged) and
        ``confusion_matrix`` (the element-wise sum over reports, i.e. the
        confusion matrix of the pooled out-of-fold predictions).

    Examples
    --------
    >>> from skmedtext.metrics import aggregate_reports, classification_report_full
    >>> folds = [classification_report_full([0, 1, 1], [0, 1, 0], labels=[0, 1]),
    ...          classification_report_full([0, 0, 1], [0, 0, 1], labels=[0, 1])]
    >>> aggregate_reports(folds).summary.loc["accuracy", "mean"].round(3)
    np.float64(0.833)
    """
    reports = list(reports)
    if not reports:
        raise ValueError("aggregate_reports needs at least one report.")
    first = reports[0]
    for i, rep in enumerate(reports[1:], start=1):
        if not np.array_equal(np.asarray(rep.labels), np.asarray(first.labels)):
            raise ValueError(
                f"report {i} has labels {list(rep.labels)} but report 0 has "
                f"{list(first.labels)}; create every report with the same labels=."
            )
    per_fold = pd.DataFrame([rep.scalars() for rep in reports])
    per_fold.index.name = "fold"
    summary = pd.DataFrame({"mean": per_fold.mean(), "std": per_fold.std(ddof=ddof)})
    stacked = pd.concat([rep.per_class for rep in reports], keys=range(len(reports)))
    columns = {}
    for metric in PER_CLASS_METRICS:
        by_class = stacked[metric].groupby(level="class", sort=False)
        if metric == "support":
            columns[(metric, "sum")] = by_class.sum()
        else:
            columns[(metric, "mean")] = by_class.mean()
            columns[(metric, "std")] = by_class.std(ddof=ddof)
    per_class = pd.DataFrame(columns).reindex(first.target_names)
    return Bunch(
        per_fold=per_fold,
        summary=summary,
        per_class=per_class,
        confusion_matrix=np.sum([rep.confusion_matrix for rep in reports], axis=0),
    )
