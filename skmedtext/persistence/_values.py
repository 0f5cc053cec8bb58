"""JSON forms of what a saved model holds: parameters, ``classes_`` and multi-label state.

Every value is checked on the way in (only JSON types, so that loading runs no
code) and on the way out (a forged but hash-consistent config must still give
a valid estimator or a ``ValueError`` naming the field).
"""

import math
import os
from pathlib import Path

import numpy as np

__all__ = [
    "decode",
    "decode_classes",
    "decode_multilabel",
    "encode",
    "encode_classes",
    "encode_multilabel",
    "encode_params",
    "json_default",
]

_TAGS = ("__tuple__", "__path__")


# -- JSON encoding of parameters and labels ------------------------------------------------
def encode(value, where):
    """JSON form of a parameter value; tuples and paths are tagged to come back as such."""
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, (np.bool_,)):
        return bool(value)
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        if not math.isfinite(value):
            raise ValueError(f"{where} = {value!r} is not finite and cannot be stored in JSON.")
        return float(value)
    if isinstance(value, os.PathLike):
        return {"__path__": os.fspath(value)}
    if isinstance(value, tuple):
        return {"__tuple__": [encode(v, f"{where}[{i}]") for i, v in enumerate(value)]}
    if isinstance(value, list):
        return [encode(v, f"{where}[{i}]") for i, v in enumerate(value)]
    if isinstance(value, dict):
        out = {}
        for key, v in value.items():
            if not isinstance(key, str) or key in _TAGS:
                raise ValueError(
                    f"{where} has the key {key!r}; only str keys (not {_TAGS}) are stored."
                )
            out[key] = encode(v, f"{where}[{key!r}]")
        return out
    raise ValueError(
        f"{where} = {value!r} ({type(value).__name__}) cannot be stored in JSON. save_model "
        "keeps only None, bool, int, float, str, lists, tuples, dicts with str keys and paths, "
        "so that loading runs no code. Set a JSON-able value before saving (e.g. "
        "set_params(callbacks=None)), or use pickle/joblib for files you trust."
    )


def decode(value):
    if isinstance(value, list):
        return [decode(v) for v in value]
    if isinstance(value, dict):
        if set(value) == {"__tuple__"}:
            return tuple(decode(v) for v in value["__tuple__"])
        if set(value) == {"__path__"}:
            return Path(value["__path__"])
        return {k: decode(v) for k, v in value.items()}
    return value


def encode_params(estimator):
    name = type(estimator).__name__
    return {
        key: encode(value, f"{name} parameter {key!r}")
        for key, value in estimator.get_params(deep=False).items()
    }


def encode_classes(classes):
    classes = np.asarray(classes)
    if classes.dtype.kind not in "biufUO":
        raise ValueError(f"classes_ of dtype {classes.dtype} cannot be stored in JSON.")
    values = classes.tolist()
    for label in values:
        if not isinstance(label, (bool, int, float, str)):
            raise ValueError(
                f"class label {label!r} ({type(label).__name__}) cannot be stored in JSON; use str "
                "or int labels."
            )
    return {"dtype": classes.dtype.str, "values": values}


def decode_classes(entry):
    """``classes_`` back from JSON: a sorted array of unique labels, as ``fit`` makes it."""
    values = entry.get("values")
    try:
        dtype = np.dtype(entry.get("dtype"))
    except (TypeError, ValueError):
        raise ValueError(f"config.json: classes dtype {entry.get('dtype')!r} is not a dtype.") from None
    if dtype.kind not in "biufUO" or not isinstance(values, list) or len(values) < 2:
        raise ValueError(
            f"config.json: classes must hold at least 2 labels of a bool, int, float or str "
            f"dtype; got dtype {entry.get('dtype')!r} and {type(values).__name__} values."
        )
    if not all(isinstance(v, (bool, int, float, str)) for v in values):
        raise ValueError("config.json: class labels must be bool, int, float or str.")
    try:
        if dtype.kind == "O":
            classes = np.empty(len(values), dtype=object)
            classes[:] = values
        else:
            classes = np.asarray(values, dtype=dtype)
        in_order = bool((classes[:-1] < classes[1:]).all())
    except (TypeError, ValueError, OverflowError) as exc:
        raise ValueError(f"config.json: classes do not fit dtype {dtype}: {exc}") from None
    if not in_order:
        # fit stores np.unique's output; reordered labels would relabel every prediction
        raise ValueError("config.json: classes are not unique and sorted as fit stores them.")
    return classes


def json_default(value):
    if isinstance(value, np.generic):
        return value.item()
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def encode_multilabel(estimator):
    """The ``multilabel`` field: None for a single-label fit, else its decision thresholds.

    ``thresholds_`` may have been set by hand to a scalar (``predict`` broadcasts
    it); it is stored as one threshold per label, which predicts the same.
    """
    if not getattr(estimator, "multilabel_", False):
        return None
    n_labels = len(estimator.classes_)
    try:
        thresholds = np.broadcast_to(
            np.asarray(estimator.thresholds_, dtype=np.float64), (n_labels,)
        )
    except (TypeError, ValueError):
        raise ValueError(
            f"thresholds_ of shape {np.shape(estimator.thresholds_)} does not give one "
            f"threshold per label ({n_labels} labels); set one per label before saving."
        ) from None
    if not np.isfinite(thresholds).all():
        raise ValueError("thresholds_ holds a value that is not finite; it cannot be saved.")
    return {"thresholds": thresholds.tolist()}


def decode_multilabel(entry, n_labels):
    """``thresholds_`` from the ``multilabel`` field, checked against the number of labels."""
    values = entry.get("thresholds") if isinstance(entry, dict) else None
    ok = (
        isinstance(values, list)
        and len(values) == n_labels
        and all(
            isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)
            for v in values
        )
    )
    if not ok:
        raise ValueError(
            f"config.json: multilabel must be {{'thresholds': [{n_labels} finite numbers]}}, "
            f"one per label of classes; got {entry!r:.200}."
        )
    return np.asarray(values, dtype=np.float64)
