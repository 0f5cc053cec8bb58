"""Input validation for estimators that take raw texts."""

import numbers
from collections.abc import Mapping, Set

import numpy as np
import pandas as pd
from sklearn.utils.multiclass import check_classification_targets

from skmedtext._synthetic import SyntheticSequence

__all__ = [
    "check_sampler_target",
    "check_texts",
    "check_text_target",
]


def _positions(mask, limit=5):
    idx = np.flatnonzero(mask)
    shown = ", ".join(str(i) for i in idx[:limit])
    return shown + (f", ... ({idx.size} in all)" if idx.size > limit else "")


def _is_missing(value):
    # pandas' own markers (a "string"/"Int64" column, a datetime column) are missing
    # values too, not objects of a wrong type
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    if isinstance(value, numbers.Real) and not isinstance(value, bool):
        return bool(np.isnan(value))
    if isinstance(value, (np.datetime64, np.timedelta64)):
        return bool(np.isnat(value))
    return False


def _has_lone_surrogate(value):
    if not isinstance(value, str) or value.isascii():
        return False
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def check_texts(
    X,
    *,
    allow_synthetic=False,
    estimator_name="estimator",
    allow_empty=False,
    allow_surrogates=False,
):
    """Validate a collection of texts and return it as a 1-D object array.

    Parameters
    ----------
    X : sequence of str, 1-D array, pandas Series, or array of shape (n, 1)
        The texts. Each element must be a ``str``; with ``allow_synthetic`` also a
        :class:`~skmedtext.SyntheticSequence`.
    allow_synthetic : bool, default=False
        Accept synthetic rows produced by skmedtext samplers.
    estimator_name : str, default="estimator"
        Used in error messages.
    allow_empty : bool, default=False
        Accept an empty collection (e.g. ``predict`` on zero rows).
    allow_surrogates : bool, default=False
        Accept texts holding lone surrogate code points (``"\\udcff"``, what
        ``bytes.decode(errors="surrogateescape")`` makes of invalid UTF-8). They are
        not valid Unicode: tokenizers and UTF-8 writers fail on them, so by default
        they are refused; a cleaner that removes them may allow them.

    Returns
    -------
    texts : ndarray of shape (n,), dtype=object

    Raises
    ------
    TypeError
        If ``X`` is a single string, or an element is not text (bytes, numbers, ...).
    ValueError
        If ``X`` is empty, has the wrong shape, holds missing values (None, NaN, ``pd.NA``, ``pd.NaT``) or
        texts with lone surrogates (invalid UTF-8 decoded with ``surrogateescape``).

    Examples
    --------
    >>> from skmedtext.utils import check_texts
    >>> check_texts(["chest pain", "fever"]).shape
    (2,)
    """
    if isinstance(X, (str, bytes)):
        raise TypeError(
            f"{estimator_name} expects a sequence of texts, got a single {type(X).__name__}. "
            "Wrap it in a list: [text]."
        )
    if isinstance(X, (Mapping, Set)):
        # unordered (or keyed) collections cannot line up with a target
        raise TypeError(
            f"{estimator_name} expects an ordered sequence of texts; got a "
            f"{type(X).__name__}. Pass a list, array or pandas Series."
        )
    if hasattr(X, "to_numpy") and not isinstance(X, np.ndarray):
        X = X.to_numpy()
    if not isinstance(X, np.ndarray):
        try:
            items = list(X)
        except TypeError as exc:
            raise TypeError(
                f"{estimator_name} expects a sequence of texts; got {type(X).__name__}."
            ) from exc
        if items and all(isinstance(v, (list, tuple)) and len(v) == 1 for v in items):
            items = [v[0] for v in items]  # scikit-learn's one-column (n, 1) layout, as lists
        X = np.empty(len(items), dtype=object)
        X[:] = items
    if X.ndim == 2 and X.shape[1] == 1:
        X = X[:, 0]
    if X.ndim != 1:
        raise ValueError(
            f"{estimator_name} expects a 1-D sequence of texts; got an array of shape "
            f"{X.shape}. Select a single text column."
        )
    if X.shape[0] == 0 and not allow_empty:
        raise ValueError(f"{estimator_name} received an empty collection of texts (0 samples).")
    X = X.astype(object, copy=False)

    missing = np.fromiter((_is_missing(v) for v in X), dtype=bool, count=X.shape[0])
    if missing.any():
        raise ValueError(
            f"{estimator_name}: X contains missing values (None or NaN) at positions "
            f"{_positions(missing)}. Drop or fill them before fitting."
        )
    allowed = (str, SyntheticSequence) if allow_synthetic else (str,)
    wrong = np.fromiter((not isinstance(v, allowed) for v in X), dtype=bool, count=X.shape[0])
    if wrong.any():
        first = X[np.flatnonzero(wrong)[0]]
        hint = " Decode bytes first, e.g. b.decode('utf-8')." if isinstance(first, bytes) else ""
        if isinstance(first, SyntheticSequence):
            hint = " This estimator does not accept synthetic embedding rows."
        raise TypeError(
            f"{estimator_name} expects str texts; found {type(first).__name__} at positions "
            f"{_positions(wrong)}.{hint}"
        )
    if not allow_surrogates:
        invalid = np.fromiter((_has_lone_surrogate(v) for v in X), dtype=bool, count=X.shape[0])
        if invalid.any():
            raise ValueError(
                f"{estimator_name}: X contains texts that are not valid Unicode (lone surrogate "
                "code points, e.g. invalid UTF-8 bytes decoded with errors='surrogateescape') at "
                f"positions {_positions(invalid)}. Decode the original bytes with "
                "errors='replace', or remove them with skmedtext.text.strip_controls."
            )
    return X


def check_text_target(y, n_samples, *, estimator_name="estimator"):
    """Validate a classification target for ``n_samples`` texts; return a 1-D array."""
    if y is None:
        raise ValueError(f"{estimator_name} requires y to be passed, but the target y is None.")
    if not hasattr(y, "dtype") and not isinstance(y, (str, bytes)):
        # a list: numpy would turn ["a", nan] into the two strings "a" and "nan"
        try:
            as_objects = np.asarray(y, dtype=object)
        except ValueError:
            as_objects = None
        y = np.asarray(y)
        if as_objects is not None and as_objects.shape == y.shape and y.dtype.kind in "US":
            y = as_objects if any(_is_missing(v) for v in as_objects.ravel()) else y
    y = np.asarray(y)
    if y.ndim == 2 and y.shape[1] == 1:
        y = y.ravel()
    if y.ndim != 1:
        raise ValueError(f"{estimator_name} expects a 1-D target; got shape {y.shape}.")
    if y.shape[0] != n_samples:
        raise ValueError(
            f"{estimator_name}: X and y have inconsistent numbers of samples: "
            f"{n_samples} texts but {y.shape[0]} labels."
        )
    if y.dtype == object:
        missing = np.fromiter((_is_missing(v) for v in y), dtype=bool, count=y.shape[0])
        if missing.any():
            raise ValueError(
                f"{estimator_name}: y contains missing labels at positions {_positions(missing)}."
            )
    elif y.dtype.kind == "f" and not np.all(np.isfinite(y)):
        raise ValueError(f"{estimator_name}: y contains NaN or infinite labels.")
    check_classification_targets(y)
    return y


def check_sampler_target(y, *, estimator_name="sampler"):
    """Name a missing or missing-valued ``y`` before imbalanced-learn looks at it.

    ``BaseSampler.fit_resample`` runs ``check_classification_targets`` before the
    sampler's own ``_check_X_y``, and that fails with a bare ``TypeError`` inside
    ``np.unique`` on a ``None`` label; samplers call this first.
    """
    if y is None:
        raise ValueError(f"{estimator_name} requires y to be passed, but the target y is None.")
    y_check = np.asarray(y)
    if y_check.ndim == 1 or (y_check.ndim == 2 and y_check.shape[1] == 1):
        check_text_target(y_check, y_check.shape[0], estimator_name=estimator_name)
