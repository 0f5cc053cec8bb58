"""The fold record: what one (pipeline, fold) fit leaves behind, and its JSON form.

One place defines the keys, so that the run that fills records, the result that
tabulates them and the JSON export that writes and reads them agree.
"""

import numpy as np

from skmedtext.evaluate._multilabel import (
    multilabel_report_from_dict,
    multilabel_report_to_dict,
)
from skmedtext.metrics import ClassificationReport, MultilabelReport

__all__ = [
    "LOWER_IS_BETTER",
    "TIME_COLUMNS",
    "new_record",
    "py_list",
    "record_from_dict",
    "record_to_dict",
]

TIME_COLUMNS = ("fit_time", "predict_time", "score_time")
"""Per-fold timings (seconds) in :attr:`EvaluationResult.frame`."""

# Times are costs and the Hamming loss an error rate: the smallest is the best.
LOWER_IS_BETTER = frozenset({*TIME_COLUMNS, "hamming_loss"})


def new_record(train, test):
    """A fold record before the fit: indices and sizes set, results empty, times NaN."""
    return {
        "train_index": train,
        "test_index": test,
        "n_train": int(train.size),
        "n_test": int(test.size),
        "y_pred": None,
        "y_score": None,
        "report": None,
        "error": None,
        **dict.fromkeys(TIME_COLUMNS, np.nan),
    }


def py_list(values):
    """``values`` as a list of Python scalars (numpy scalars unwrapped)."""
    return [v.item() if isinstance(v, np.generic) else v for v in np.asarray(values).tolist()]


def record_to_dict(rec, predictions):
    """The JSON form of a record; the indices are not repeated (the splits hold them)."""
    out = {
        "fold": rec["fold"],
        "n_train": rec["n_train"],
        "n_test": rec["n_test"],
        **{t: rec[t] for t in TIME_COLUMNS},
        "error": rec["error"],
        "report": _report_to_dict(rec["report"]),
    }
    if predictions:
        out["y_pred"] = None if rec["y_pred"] is None else py_list(rec["y_pred"])
        out["y_score"] = (
            None if rec["y_score"] is None else np.round(rec["y_score"], 7).tolist()
        )
    return out


def record_from_dict(rec, splits, name):
    """Rebuild a record of pipeline ``name`` from :func:`record_to_dict` output."""
    train, test = splits[rec["fold"]]
    return {
        "pipeline": name,
        "fold": rec["fold"],
        "train_index": train,
        "test_index": test,
        "n_train": rec["n_train"],
        "n_test": rec["n_test"],
        **{t: np.nan if rec[t] is None else rec[t] for t in TIME_COLUMNS},
        "error": rec["error"],
        "report": _report_from_dict(rec["report"]),
        "y_pred": None if rec.get("y_pred") is None else np.asarray(rec["y_pred"]),
        "y_score": None if rec.get("y_score") is None else np.asarray(rec["y_score"], dtype=float),
    }


def _report_to_dict(report):
    if report is None:
        return None
    if isinstance(report, MultilabelReport):
        return multilabel_report_to_dict(report)
    return report.to_dict()


def _report_from_dict(data):
    if data is None:
        return None
    if data.get("multilabel"):
        return multilabel_report_from_dict(data)
    return ClassificationReport.from_dict(data)
