"""The cross-validation run: one shared split, a clone per (pipeline, fold), every metric."""

import numbers
import time
import warnings

import numpy as np
from sklearn.base import clone
from sklearn.exceptions import FitFailedWarning
from sklearn.model_selection import StratifiedKFold, check_cv
from sklearn.utils import _safe_indexing
from sklearn.utils._param_validation import StrOptions, validate_params
from sklearn.utils.multiclass import unique_labels
from sklearn.utils.parallel import Parallel, delayed
from sklearn.utils.validation import _num_samples, column_or_1d

from skmedtext.evaluate._environment import environment
from skmedtext.evaluate._multilabel import (
    check_multilabel_predictions,
    is_multilabel_evaluation,
    multilabel_scores,
    multilabel_splitter,
    multilabel_target,
)
from skmedtext.evaluate._records import new_record
from skmedtext.evaluate._result import EvaluationResult
from skmedtext.metrics import (
    align_scores,
    classification_report_full,
    estimator_scores,
    multilabel_report,
    resolve_labels,
    resolve_names,
)
from skmedtext.utils import int_seed

__all__ = ["evaluate"]


@validate_params(
    {
        # pipelines and cv keep their own checks: their messages say how to fix them
        "pipelines": "no_validation",
        "X": ["array-like"],
        "y": ["array-like", "sparse matrix"],
        "cv": "no_validation",
        "random_state": ["random_state"],
        "labels": ["array-like", None],
        "target_names": ["array-like", None],
        "n_jobs": [numbers.Integral, None],
        "scores": ["boolean"],
        "seed_estimators": ["boolean"],
        "error_score": [StrOptions({"raise"}), numbers.Real],
        "verbose": ["verbose"],
    },
    prefer_skip_nested_validation=False,
)
def evaluate(
    pipelines,
    X,
    y,
    *,
    cv=5,
    random_state=0,
    labels=None,
    target_names=None,
    n_jobs=None,
    scores=True,
    seed_estimators=True,
    error_score="raise",
    verbose=0,
):
    """Cross-validate named pipelines on one shared split and collect every metric.

    Parameters
    ----------
    pipelines : dict of {str: estimator}
        Unfitted classifiers or pipelines (scikit-learn ``Pipeline`` or
        imbalanced-learn ``Pipeline`` with samplers such as SMOTE or SAAN, text
        pipelines starting with a vectorizer, ...). Each fold fits a ``clone``.
    X : array-like of shape (n_samples, ...)
        Inputs the pipelines accept: a 1-D array of texts, a matrix, ...
    y : array-like of shape (n_samples,) or (n_samples, n_labels)
        Class labels (integers or strings), or a multi-label target: a 0/1
        label-indicator matrix (dense or sparse) with at least 2 columns, every
        column carried by at least one row (rows without a label are fine). Each
        fold of a multi-label ``y`` is scored by
        :func:`~skmedtext.metrics.multilabel_report` (micro, macro and
        example-based ``samples`` F1, per-label P/R/F1); the pipelines must then
        predict an ``(n, n_labels)`` 0/1 matrix (e.g. ``OneVsRestClassifier``).
    cv : int, cross-validation generator or iterable, default=5
        An int gives ``StratifiedKFold(cv, shuffle=True, random_state=random_state)``
        as in paper 000, or for a multi-label ``y``
        :class:`~skmedtext.model_selection.MultilabelStratifiedKFold` (iterative
        stratification) with the same arguments. Anything else is passed to
        :func:`sklearn.model_selection.check_cv`. The splits are drawn once and
        shared by all pipelines, so fold scores are paired.
    random_state : int, RandomState instance or None, default=0
        Seeds the fold shuffle and, with ``seed_estimators``, the pipelines.
        The same int gives the same folds and (on CPU) the same scores.
    labels : array-like, default=None
        Classes to report, in order; ``unique_labels(y)`` by default. Every fold
        reports every class, including one that is absent from its test part.
        Must be None for a multi-label ``y`` (its columns are the labels).
    target_names : list of str, default=None
        Display names of ``labels`` (e.g. ``bunch.target_names``), or of the
        columns of a multi-label ``y``.
    n_jobs : int, default=None
        Number of (pipeline, fold) fits run in parallel with joblib; None is 1.
        Timings are only comparable between pipelines run with the same setting.
    scores : bool, default=True
        Also call ``predict_proba`` (else ``decision_function``) on each test
        part, for ROC-AUC and the ROC figure. Costs a second inference pass
        (timed apart as ``score_time``); False skips it and leaves AUCs NaN.
    seed_estimators : bool, default=True
        Set every ``random_state`` parameter (nested ones included, e.g.
        ``smote__random_state``) that is None in a clone to the integer seed
        drawn from ``random_state``, so that repeated runs agree. Parameters the
        user set are never changed.
    error_score : "raise" or float, default="raise"
        "raise" propagates a failing fit. A number (e.g. ``np.nan``) records the
        error in the fold (``EvaluationResult.frame["error"]``), warns with
        ``FitFailedWarning`` and gives the fold NaN metrics.
    verbose : int, default=0
        0 is silent; 1 shows a tqdm progress bar over the fits; 2 also writes
        one line per fold with its macro-F1 and fit time.

    Returns
    -------
    result : EvaluationResult

    Examples
    --------
    >>> from sklearn.feature_extraction.text import TfidfVectorizer
    >>> from sklearn.linear_model import LogisticRegression
    >>> from sklearn.naive_bayes import ComplementNB
    >>> from sklearn.pipeline import make_pipeline
    >>> from skmedtext.evaluate import evaluate
    >>> X = ["chest pain at rest", "pain in the chest", "cough and fever",
    ...      "fever with cough", "chest tightness", "dry cough"] * 5
    >>> y = ["cardio", "cardio", "resp", "resp", "cardio", "resp"] * 5
    >>> result = evaluate({"lr": make_pipeline(TfidfVectorizer(), LogisticRegression()),
    ...                    "cnb": make_pipeline(TfidfVectorizer(), ComplementNB())},
    ...                   X, y, cv=3)
    >>> result.frame.shape[0]  # one row per pipeline and fold
    6
    >>> result.summary().loc["lr", ("accuracy", "mean")]
    np.float64(1.0)
    """
    pipelines = _check_pipelines(pipelines)
    multilabel = is_multilabel_evaluation(y)
    if multilabel:
        y, labels, names = multilabel_target(y, _num_samples(X), labels, target_names)
    else:
        y, labels, names = _single_label_target(y, _num_samples(X), labels, target_names)
    # None stays None: unseeded folds, and estimators keep their own random_state
    seed = None if random_state is None else int_seed(random_state)
    splitter = _splitter(cv, y, seed, multilabel)
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="The least populated class", category=UserWarning)
        splits = [(np.asarray(tr), np.asarray(te)) for tr, te in splitter.split(X, y)]

    tasks = [(name, k) for name in pipelines for k in range(len(splits))]
    run = delayed(_fit_and_score)
    jobs = (
        run(
            pipelines[name],
            X,
            y,
            *splits[k],
            labels=labels,
            target_names=names,
            seed=seed if seed_estimators else None,
            scores=scores,
            error_score=error_score,
            multilabel=multilabel,
        )
        for name, k in tasks
    )
    outputs = Parallel(n_jobs=n_jobs, return_as="generator")(jobs)
    folds = {name: [] for name in pipelines}
    with _progress(len(tasks), verbose) as bar:
        for (name, k), out in zip(tasks, outputs):
            out.update(pipeline=name, fold=k)
            folds[name].append(out)
            bar.update(1)
            if verbose >= 2:
                _write_line(name, k, len(splits), out)

    metadata = {
        "cv": repr(cv) if not isinstance(cv, int) else repr(splitter),
        "n_splits": len(splits),
        "random_state": seed,
        "seed_estimators": bool(seed_estimators),
        "n_samples": int(y.shape[0]),
        "n_jobs": n_jobs,
        "scores": bool(scores),
        "pipelines": {name: _describe(est) for name, est in pipelines.items()},
        **environment(),
    }
    return EvaluationResult(
        folds, labels=labels, target_names=names, y=y, splits=splits, metadata=metadata
    )


def _check_pipelines(pipelines):
    if not isinstance(pipelines, dict):
        raise TypeError(
            "pipelines must be a dict {name: estimator}; got "
            f"{type(pipelines).__name__}. Wrap a single model as {{'model': estimator}}."
        )
    if not pipelines:
        raise ValueError("pipelines is empty; give at least one {name: estimator}.")
    for name, est in pipelines.items():
        if not isinstance(name, str) or not name:
            raise TypeError(f"pipeline names must be non-empty strings; got {name!r}.")
        if not (hasattr(est, "fit") and hasattr(est, "predict")):
            raise TypeError(f"pipeline {name!r} ({type(est).__name__}) has no fit/predict.")
    return dict(pipelines)


def _single_label_target(y, n_samples, labels, target_names):
    y = column_or_1d(y, warn=True)
    if n_samples != y.shape[0]:
        raise ValueError(f"X has {n_samples} samples but y has {y.shape[0]}.")
    if unique_labels(y).size < 2:
        raise ValueError("y must hold at least two classes to evaluate a classifier.")
    labels = resolve_labels(y, y, labels, None)
    return y, labels, resolve_names(labels, target_names)


def _splitter(cv, y, seed, multilabel):
    """The cross-validator: the default one for an int ``cv``, else ``check_cv``'s."""
    if isinstance(cv, (int, np.integer)) and not isinstance(cv, bool):
        if cv < 2:
            raise ValueError(f"cv must be at least 2 folds; got {cv}.")
        if multilabel:
            return multilabel_splitter(int(cv), y, seed)
        counts = np.unique(y, return_counts=True)[1]
        if counts.min() < cv:
            # StratifiedKFold only warns; a class missing from some test folds is
            # fine for the report (it handles absent classes) but worth saying.
            warnings.warn(
                f"the rarest class has {counts.min()} samples, fewer than cv={cv}: some "
                "test folds will not contain it (its recall is then undefined there).",
                UserWarning,
                stacklevel=3,
            )
        return StratifiedKFold(n_splits=int(cv), shuffle=True, random_state=seed)
    return check_cv(cv, y, classifier=True)


def _seed_params(estimator, seed):
    params = estimator.get_params(deep=True)
    unset = {
        key: seed
        for key, value in params.items()
        if (key == "random_state" or key.endswith("__random_state")) and value is None
    }
    if unset:
        estimator.set_params(**unset)
    return estimator


def _fit_and_score(
    estimator, X, y, train, test, *, labels, target_names, seed, scores, error_score,
    multilabel=False,
):  # fmt: skip
    """Fit a clone on ``train``, predict ``test``; return the fold record (a dict)."""
    record = new_record(train, test)
    est = clone(estimator)
    if seed is not None:
        _seed_params(est, seed)
    X_train, X_test = _safe_indexing(X, train), _safe_indexing(X, test)
    y_train, y_test = y[train], y[test]
    try:
        start = time.perf_counter()
        est.fit(X_train, y_train)
        record["fit_time"] = time.perf_counter() - start
        start = time.perf_counter()
        y_pred = est.predict(X_test)
        y_pred = (
            check_multilabel_predictions(y_pred, test.size, labels.size)
            if multilabel
            else np.asarray(y_pred)
        )
        record["predict_time"] = time.perf_counter() - start
        start = time.perf_counter()
        if multilabel:
            y_score = multilabel_scores(est, X_test, labels.size) if scores else None
        else:
            y_score, score_labels = estimator_scores(est, X_test) if scores else (None, None)
        record["score_time"] = time.perf_counter() - start if y_score is not None else np.nan
    except Exception as exc:  # noqa: BLE001 - error_score decides, as in cross_validate
        if error_score == "raise":
            raise
        record["error"] = f"{type(exc).__name__}: {exc}"
        warnings.warn(
            f"fit/predict failed on a fold and is scored {error_score}: {record['error']}",
            FitFailedWarning,
            stacklevel=2,
        )
        return record
    if multilabel:
        report = multilabel_report(y_test, y_pred, target_names=target_names, y_score=y_score)
    else:
        if y_score is not None:
            # Aligned to the global labels, so that pooled out-of-fold scores line up
            # even when a training fold lacked a class.
            y_score = align_scores(y_score, score_labels, labels)
        report = classification_report_full(
            y_test, y_pred, y_score, labels=labels, target_names=target_names
        )
    record.update(y_pred=y_pred, y_score=y_score, report=report)
    return record


def _progress(total, verbose):
    from tqdm.auto import tqdm

    return tqdm(total=total, desc="evaluate", unit="fit", disable=not verbose)


def _write_line(name, k, n_splits, out):
    from tqdm.auto import tqdm

    if out["report"] is None:
        tqdm.write(f"{name} fold {k + 1}/{n_splits}: failed ({out['error']})")
    else:
        report = out["report"]
        # a multi-label report has no accuracy; its headline is the micro-F1
        second = "f1_micro" if "f1_micro" in report and "accuracy" not in report else "accuracy"
        tqdm.write(
            f"{name} fold {k + 1}/{n_splits}: f1_macro={report.f1_macro:.4f} "
            f"{second}={report[second]:.4f} fit={out['fit_time']:.2f}s"
        )


def _describe(estimator):
    text = repr(estimator)
    return " ".join(text.split())

