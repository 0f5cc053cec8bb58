"""Cross-validated comparison of named pipelines: every metric per fold, tables, tests, plots.

:func:`evaluate` fits a clone of each pipeline on every fold of one shared
stratified split, and returns an :class:`EvaluationResult` that holds every
fold's :class:`~skmedtext.metrics.ClassificationReport`, times and out-of-fold
predictions. From it come a tidy DataFrame, a mean +/- std summary, a Markdown
table with the best value per column in bold and a paired test between the two
best pipelines, JSON that round-trips, and the figures of paper 000.
"""

import datetime
import json
import os
import platform
import sys
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.base import clone
from sklearn.exceptions import FitFailedWarning
from sklearn.model_selection import StratifiedKFold, check_cv
from sklearn.utils import Bunch, _safe_indexing, check_random_state
from sklearn.utils.multiclass import unique_labels
from sklearn.utils.parallel import Parallel, delayed
from sklearn.utils.validation import _num_samples, column_or_1d

from skmedtext.metrics._report import (
    SCALAR_METRICS,
    ClassificationReport,
    align_scores,
    classification_report_full,
    estimator_scores,
    resolve_labels,
    resolve_names,
)

__all__ = ["EvaluationResult", "evaluate"]

TIME_COLUMNS = ("fit_time", "predict_time", "score_time")
"""Per-fold timings (seconds) in :attr:`EvaluationResult.frame`."""

MARKDOWN_METRICS = (
    "accuracy",
    "precision_macro",
    "recall_macro",
    "f1_macro",
    "f1_weighted",
    "roc_auc_macro",
)
"""Default metric columns of :meth:`EvaluationResult.to_markdown`."""

_TESTS = ("ttest", "corrected_ttest", "wilcoxon")
_LOWER_IS_BETTER = frozenset(TIME_COLUMNS)


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
    y : array-like of shape (n_samples,)
        Class labels (integers or strings).
    cv : int, cross-validation generator or iterable, default=5
        An int gives ``StratifiedKFold(cv, shuffle=True, random_state=random_state)``
        as in paper 000. Anything else is passed to
        :func:`sklearn.model_selection.check_cv`. The splits are drawn once and
        shared by all pipelines, so fold scores are paired.
    random_state : int, RandomState instance or None, default=0
        Seeds the fold shuffle and, with ``seed_estimators``, the pipelines.
        The same int gives the same folds and (on CPU) the same scores.
    labels : array-like, default=None
        Classes to report, in order; ``unique_labels(y)`` by default. Every fold
        reports every class, including one that is absent from its test part.
    target_names : list of str, default=None
        Display names of ``labels`` (e.g. ``bunch.target_names``).
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
    y = column_or_1d(y, warn=True)
    if _num_samples(X) != y.shape[0]:
        raise ValueError(f"X has {_num_samples(X)} samples but y has {y.shape[0]}.")
    if unique_labels(y).size < 2:
        raise ValueError("y must hold at least two classes to evaluate a classifier.")
    if error_score != "raise" and not isinstance(error_score, (int, float)):
        raise TypeError(f"error_score must be 'raise' or a number; got {error_score!r}.")
    labels = resolve_labels(y, y, labels, None)
    names = resolve_names(labels, target_names)
    seed = _int_seed(random_state)
    splits = _make_splits(cv, X, y, seed)

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
        "cv": repr(cv) if not isinstance(cv, int) else repr(_stratified(cv, seed)),
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


def _int_seed(random_state):
    if random_state is None or isinstance(random_state, (int, np.integer)):
        return None if random_state is None else int(random_state)
    return int(check_random_state(random_state).randint(np.iinfo(np.int32).max))


def _stratified(n_splits, seed):
    return StratifiedKFold(n_splits=n_splits, shuffle=True, random_state=seed)


def _make_splits(cv, X, y, seed):
    if isinstance(cv, (int, np.integer)) and not isinstance(cv, bool):
        if cv < 2:
            raise ValueError(f"cv must be at least 2 folds; got {cv}.")
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
        splitter = _stratified(int(cv), seed)
    else:
        splitter = check_cv(cv, y, classifier=True)
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="The least populated class", category=UserWarning)
        return [(np.asarray(tr), np.asarray(te)) for tr, te in splitter.split(X, y)]


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
    estimator, X, y, train, test, *, labels, target_names, seed, scores, error_score
):
    """Fit a clone on ``train``, predict ``test``; return the fold record (a dict)."""
    record = {
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
        y_pred = np.asarray(est.predict(X_test))
        record["predict_time"] = time.perf_counter() - start
        start = time.perf_counter()
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
    if y_score is not None:
        # Aligned to the global labels, so that pooled out-of-fold scores line up
        # even when a training fold lacked a class.
        y_score = align_scores(y_score, score_labels, labels)
    record["y_pred"] = y_pred
    record["y_score"] = y_score
    record["report"] = classification_report_full(
        y_test, y_pred, y_score, labels=labels, target_names=target_names
    )
    return record


def _progress(total, verbose):
    from tqdm.auto import tqdm

    return tqdm(total=total, desc="evaluate", unit="fit", disable=not verbose)


def _write_line(name, k, n_splits, out):
    from tqdm.auto import tqdm

    if out["report"] is None:
        tqdm.write(f"{name} fold {k + 1}/{n_splits}: failed ({out['error']})")
    else:
        tqdm.write(
            f"{name} fold {k + 1}/{n_splits}: f1_macro={out['report'].f1_macro:.4f} "
            f"accuracy={out['report'].accuracy:.4f} fit={out['fit_time']:.2f}s"
        )


def _describe(estimator):
    text = repr(estimator)
    return " ".join(text.split())


def environment():
    """Return the date, machine and package versions to print with a benchmark table.

    Returns
    -------
    info : dict
        ``date`` (ISO, local time), ``python``, ``platform``, ``cpu_count``,
        ``gpu`` (the CUDA device name when torch is already imported and sees
        one, else None) and ``versions`` of skmedtext, numpy, scikit-learn,
        imbalanced-learn and (when imported) torch and transformers.
    """
    import imblearn
    import sklearn

    import skmedtext

    versions = {
        "skmedtext": skmedtext.__version__,
        "numpy": np.__version__,
        "scikit-learn": sklearn.__version__,
        "imbalanced-learn": imblearn.__version__,
    }
    gpu = None
    for module in ("torch", "transformers"):
        # Only report what the pipelines actually loaded; importing torch here
        # would cost seconds for TF-IDF-only evaluations.
        if module in sys.modules:
            versions[module] = sys.modules[module].__version__
    if "torch" in sys.modules and sys.modules["torch"].cuda.is_available():
        gpu = sys.modules["torch"].cuda.get_device_name(0)
    return {
        "date": datetime.datetime.now().astimezone().isoformat(timespec="seconds"),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "cpu_count": os.cpu_count(),
        "gpu": gpu,
        "versions": versions,
    }


class EvaluationResult:
    """Everything :func:`evaluate` measured, with tables, a paired test, JSON and plots.

    Parameters
    ----------
    folds : dict of {str: list of dict}
        Per pipeline, one record per fold with keys ``pipeline``, ``fold``,
        ``train_index``, ``test_index``, ``n_train``, ``n_test``, ``fit_time``,
        ``predict_time``, ``score_time`` (seconds), ``y_pred``, ``y_score``
        (scores aligned to ``labels``, or None when the model gives none),
        ``report`` (:class:`~skmedtext.metrics.ClassificationReport`, None when
        the fold failed) and ``error`` (None or the error message).
    labels : ndarray
        The classes, in report order.
    target_names : list of str
        Display name of each class.
    y : ndarray
        The labels that were cross-validated.
    splits : list of (ndarray, ndarray)
        The shared (train, test) indices of each fold.
    metadata : dict
        CV description, seed, sizes, pipeline reprs, date, machine and versions.

    Attributes
    ----------
    frame : DataFrame
        Wide and tidy: one row per (pipeline, fold) with columns ``pipeline``,
        ``fold``, ``n_train``, ``n_test``, the :data:`TIME_COLUMNS`, every
        scalar metric of :data:`~skmedtext.metrics.SCALAR_METRICS` and
        ``error``. ``frame.melt(id_vars=["pipeline", "fold"])`` gives the long
        form.
    per_class : DataFrame
        One row per (pipeline, fold, class): precision, recall, f1, support,
        roc_auc.
    pipelines : list of str
        The names, in the order given.
    """

    def __init__(self, folds, *, labels, target_names, y, splits, metadata=None):
        self.folds = folds
        self.labels = np.asarray(labels)
        self.target_names = list(target_names)
        self.y = np.asarray(y)
        self.splits = splits
        self.metadata = dict(metadata or {})

    # -- tables ---------------------------------------------------------------------

    @property
    def pipelines(self):
        return list(self.folds)

    @property
    def n_splits(self):
        return len(self.splits)

    @property
    def frame(self):
        rows = []
        for name, records in self.folds.items():
            for rec in records:
                metrics = (
                    rec["report"].scalars()
                    if rec["report"] is not None
                    else dict.fromkeys(SCALAR_METRICS, np.nan)
                )
                rows.append(
                    {
                        "pipeline": name,
                        "fold": rec["fold"],
                        "n_train": rec["n_train"],
                        "n_test": rec["n_test"],
                        **{t: rec[t] for t in TIME_COLUMNS},
                        **metrics,
                        "error": rec["error"],
                    }
                )
        return pd.DataFrame(rows)

    @property
    def per_class(self):
        parts = []
        for name, records in self.folds.items():
            for rec in records:
                if rec["report"] is None:
                    continue
                part = rec["report"].per_class.reset_index()
                part.insert(0, "fold", rec["fold"])
                part.insert(0, "pipeline", name)
                parts.append(part)
        columns = ["pipeline", "fold", "class", "precision", "recall", "f1", "support", "roc_auc"]
        return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=columns)

    def reports(self, pipeline):
        """Return the per-fold reports of ``pipeline`` (None where the fold failed)."""
        return [rec["report"] for rec in self._records(pipeline)]

    def confusion_matrices(self, pipeline):
        """Return the per-fold confusion matrices of ``pipeline`` (rows true, columns predicted)."""
        return [r.confusion_matrix for r in self.reports(pipeline) if r is not None]

    def summary(self, metrics=None, *, ddof=1):
        """Mean and standard deviation over folds, one row per pipeline.

        Parameters
        ----------
        metrics : list of str, default=None
            Columns of :attr:`frame` to summarise; all metrics and times by default.
        ddof : int, default=1
            Delta degrees of freedom of the std (1: the sample std over folds).

        Returns
        -------
        summary : DataFrame
            Index ``pipeline``; columns a MultiIndex ``(metric, "mean"|"std")``.
            Failed folds (NaN) are left out of the mean.
        """
        metrics = list(metrics) if metrics is not None else [*SCALAR_METRICS, *TIME_COLUMNS]
        frame = self.frame
        unknown = sorted(set(metrics) - set(frame.columns))
        if unknown:
            raise ValueError(f"unknown metrics {unknown}; choose from {list(frame.columns)}.")
        grouped = frame.groupby("pipeline", sort=False)[metrics]
        out = pd.concat({"mean": grouped.mean(), "std": grouped.std(ddof=ddof)}, axis=1)
        out = out.swaplevel(axis=1)[[(m, s) for m in metrics for s in ("mean", "std")]]
        return out

    def rarest_classes(self, k=3):
        """Return the ``k`` classes with the fewest samples in ``y`` (rarest first)."""
        counts = np.array([np.sum(self.y == label) for label in self.labels])
        order = np.argsort(counts, kind="stable")[: max(0, int(k))]
        return [self.target_names[i] for i in order]

    def rare_class_recall(self, k=3, *, ddof=1):
        """Recall of the ``k`` rarest classes, mean and std over folds.

        Folds whose test part holds no sample of the class are left out (recall
        is undefined there rather than 0).

        Returns
        -------
        recall : DataFrame
            Index ``pipeline``; columns a MultiIndex ``(class name, "mean"|"std")``.
        """
        rare = self.rarest_classes(k)
        table = self.per_class
        table = table[table["class"].isin(rare) & (table["support"] > 0)]
        grouped = table.groupby(["pipeline", "class"], sort=False)["recall"]
        stats = pd.DataFrame({"mean": grouped.mean(), "std": grouped.std(ddof=ddof)})
        wide = stats.unstack("class").swaplevel(axis=1)
        columns = [(c, s) for c in rare for s in ("mean", "std")]
        return wide.reindex(index=self.pipelines, columns=pd.MultiIndex.from_tuples(columns))

    def ranking(self, metric="f1_macro"):
        """Return the pipeline names ordered from best to worst mean ``metric``."""
        means = self.frame.groupby("pipeline", sort=False)[metric].mean()
        return list(means.sort_values(ascending=metric in _LOWER_IS_BETTER, kind="stable").index)

    def best(self, metric="f1_macro"):
        """Return the name of the pipeline with the best mean ``metric``."""
        return self.ranking(metric)[0]

    def paired_test(self, metric="f1_macro", *, method="ttest", pipelines=None):
        """Paired test between two pipelines over the shared folds.

        Parameters
        ----------
        metric : str, default="f1_macro"
            A column of :attr:`frame`.
        method : {"ttest", "corrected_ttest", "wilcoxon"}, default="ttest"
            ``"ttest"``: :func:`scipy.stats.ttest_rel` on the fold scores.
            ``"corrected_ttest"``: the Nadeau & Bengio (2003) corrected resampled
            t-test, which inflates the variance by ``1/k + n_test/n_train``
            because cross-validation folds share training data (the plain t-test
            is then over-confident). ``"wilcoxon"``: :func:`scipy.stats.wilcoxon`
            signed-rank test (exact; with 5 folds its smallest two-sided p-value
            is 0.0625, so it can never reach 0.05).
        pipelines : tuple of two str, default=None
            The pipelines to compare; the two best by mean ``metric`` when None.

        Returns
        -------
        result : Bunch
            ``a``, ``b`` (names, ``a`` the better), ``metric``, ``method``,
            ``n`` (folds used: those where both succeeded), ``mean_a``,
            ``mean_b``, ``mean_diff``, ``statistic`` and ``pvalue`` (two-sided;
            NaN when undefined, e.g. identical scores on every fold).
        """
        from scipy import stats

        if method not in _TESTS:
            raise ValueError(f"method must be one of {_TESTS}; got {method!r}.")
        if pipelines is None:
            if len(self.folds) < 2:
                raise ValueError("a paired test needs at least two pipelines.")
            pipelines = self.ranking(metric)[:2]
        a, b = pipelines
        for name in (a, b):
            self._records(name)
        wide = self.frame.pivot(index="fold", columns="pipeline", values=metric)[[a, b]].dropna()
        diff = (wide[a] - wide[b]).to_numpy()
        n = diff.size
        statistic = pvalue = np.nan
        # Undefined cases stay NaN instead of scipy's warnings: identical scores on
        # every fold, or (t-tests) a constant difference, whose variance is zero.
        if n >= 2 and np.any(diff != 0):
            if method == "wilcoxon":
                statistic, pvalue = stats.wilcoxon(wide[a], wide[b])
            elif np.ptp(diff) > 0 and method == "ttest":
                statistic, pvalue = stats.ttest_rel(wide[a], wide[b])
            elif np.ptp(diff) > 0:
                ratio = float(np.mean([te.size / tr.size for tr, te in self.splits]))
                variance = (1.0 / n + ratio) * np.var(diff, ddof=1)
                statistic = diff.mean() / np.sqrt(variance)
                pvalue = 2 * stats.t.sf(abs(statistic), df=n - 1)
        return Bunch(
            a=a,
            b=b,
            metric=metric,
            method=method,
            n=int(n),
            mean_a=float(wide[a].mean()) if n else np.nan,
            mean_b=float(wide[b].mean()) if n else np.nan,
            mean_diff=float(diff.mean()) if n else np.nan,
            statistic=float(statistic),
            pvalue=float(pvalue),
        )

    def to_markdown(
        self,
        metrics=MARKDOWN_METRICS,
        *,
        k_rarest=3,
        times=True,
        test="ttest",
        test_metric="f1_macro",
        digits=3,
        footer=True,
    ):
        """Render the summary as a Markdown table: mean ± std, best per column in bold.

        Parameters
        ----------
        metrics : list of str, default=MARKDOWN_METRICS
            Metric columns, in order.
        k_rarest : int, default=3
            Add the recall of the ``k_rarest`` rarest classes (0 for none).
        times : bool, default=True
            Add the mean fit time (s) and predict time (s) per fold.
        test : {"ttest", "corrected_ttest", "wilcoxon"} or None, default="ttest"
            Paired test between the two best pipelines on ``test_metric``, written
            under the table (see :meth:`paired_test`); None for none.
        test_metric : str, default="f1_macro"
        digits : int, default=3
            Decimals of metric cells (times get 2).
        footer : bool, default=True
            Add a line with the CV scheme, sample count, date, machine and versions.

        Returns
        -------
        markdown : str

        Notes
        -----
        The best mean is bold in every column (highest for metrics, lowest for
        times); ties at the displayed precision are all bold.
        """
        columns = []  # (header, means Series, stds Series, higher_is_better, decimals)
        summary = self.summary(list(metrics) + (["fit_time", "predict_time"] if times else []))
        for m in metrics:
            columns.append((m, summary[(m, "mean")], summary[(m, "std")], True, digits))
        if k_rarest:
            rare = self.rare_class_recall(k_rarest)
            for name in self.rarest_classes(k_rarest):
                columns.append(
                    (f"recall: {name}", rare[(name, "mean")], rare[(name, "std")], True, digits)
                )
        if times:
            for t in ("fit_time", "predict_time"):
                columns.append((f"{t} (s)", summary[(t, "mean")], summary[(t, "std")], False, 2))

        header = ["pipeline", *(c[0] for c in columns)]
        lines = ["| " + " | ".join(_escape(h) for h in header) + " |"]
        lines.append("|" + "---|" + "---:|" * len(columns))
        bold = [_best_mask(means, higher, dec) for _, means, _, higher, dec in columns]
        for name in self.pipelines:
            cells = [_escape(name)]
            for (_, means, stds, _, dec), mask in zip(columns, bold):
                cell = _format_cell(means.get(name, np.nan), stds.get(name, np.nan), dec)
                cells.append(f"**{cell}**" if mask.get(name, False) else cell)
            lines.append("| " + " | ".join(cells) + " |")
        text = "\n".join(lines) + "\n"
        if test and len(self.folds) >= 2:
            text += "\n" + self._test_sentence(self.paired_test(test_metric, method=test)) + "\n"
        if footer:
            text += "\n" + self._footer() + "\n"
        return text

    def _test_sentence(self, res):
        label = {
            "ttest": "paired t-test (scipy.stats.ttest_rel)",
            "corrected_ttest": "corrected resampled t-test (Nadeau & Bengio 2003)",
            "wilcoxon": "Wilcoxon signed-rank test (scipy.stats.wilcoxon)",
        }[res.method]
        if np.isnan(res.pvalue):
            outcome = "p undefined (identical or too few fold scores)"
        else:
            outcome = f"statistic = {res.statistic:.3f}, p = {res.pvalue:.4g}"
        return (
            f"{label} on {res.metric} over {res.n} folds, {_escape(res.a)} vs {_escape(res.b)}: "
            f"mean difference {res.mean_diff:+.4f}, {outcome}."
        )

    def _footer(self):
        meta = self.metadata
        versions = ", ".join(f"{k} {v}" for k, v in meta.get("versions", {}).items())
        hardware = f"{meta.get('platform', '?')}, {meta.get('cpu_count', '?')} CPUs"
        if meta.get("gpu"):
            hardware += f", GPU {meta['gpu']}"
        return (
            f"{self.n_splits}-fold CV ({meta.get('cv', '?')}), n = {len(self.y)}, "
            f"{len(self.labels)} classes; mean ± std over folds (std with ddof=1). "
            f"Date {meta.get('date', '?')}; {hardware}; Python {meta.get('python', '?')}; "
            f"{versions}."
        )

    # -- predictions and plots -------------------------------------------------------

    def _records(self, pipeline):
        if pipeline not in self.folds:
            raise KeyError(f"no pipeline {pipeline!r}; have {self.pipelines}.")
        return self.folds[pipeline]

    def oof_predictions(self, pipeline, fold=None):
        """Return ``(y_true, y_pred, y_score)`` of the test parts, pooled over folds.

        ``fold`` selects one fold (0-based) instead. ``y_score`` (columns in
        ``labels`` order) is None when the pipeline gives no scores. Rows are in
        fold order, not in the order of ``y``.
        """
        records = [r for r in self._records(pipeline) if r["report"] is not None]
        if fold is not None:
            records = [r for r in records if r["fold"] == fold]
        if not records:
            raise ValueError(f"pipeline {pipeline!r} has no successful fold to pool.")
        y_true = np.concatenate([self.y[r["test_index"]] for r in records])
        y_pred = np.concatenate([r["y_pred"] for r in records])
        has_scores = all(r["y_score"] is not None for r in records)
        y_score = np.concatenate([r["y_score"] for r in records]) if has_scores else None
        return y_true, y_pred, y_score

    def plot_roc_curves(self, pipeline=None, *, fold=None, **kwargs):
        """Per-class ROC curves of ``pipeline`` (best by macro-F1 when None).

        Uses the pooled out-of-fold scores, or one ``fold``. Pooling probabilities
        from several fitted models is the usual ``cross_val_predict`` practice;
        with uncalibrated decision scores prefer one fold. Other keyword
        arguments go to :func:`skmedtext.plotting.plot_roc_curves` (``save=``...).
        """
        from skmedtext.plotting import plot_roc_curves

        pipeline = pipeline or self.best()
        y_true, _, y_score = self.oof_predictions(pipeline, fold)
        if y_score is None:
            raise ValueError(f"pipeline {pipeline!r} gives no probabilities or scores.")
        where = "out-of-fold" if fold is None else f"fold {fold + 1}"
        kwargs.setdefault("title", f"{pipeline}: ROC curves ({where})")
        return plot_roc_curves(
            y_true, y_score, labels=self.labels, target_names=self.target_names, **kwargs
        )

    def plot_confusion_matrices(self, pipeline=None, **kwargs):
        """One confusion matrix per fold of ``pipeline`` (best by macro-F1 when None).

        Keyword arguments go to :func:`skmedtext.plotting.plot_confusion_matrices`.
        """
        from skmedtext.plotting import plot_confusion_matrices

        pipeline = pipeline or self.best()
        records = [r for r in self._records(pipeline) if r["report"] is not None]
        kwargs.setdefault("suptitle", pipeline)
        kwargs.setdefault("titles", [f"Fold {r['fold'] + 1}" for r in records])
        return plot_confusion_matrices([r["report"] for r in records], **kwargs)

    def plot_class_distribution(self, y_resampled=None, **kwargs):
        """Class counts of the evaluated ``y``, optionally beside resampled labels.

        Keyword arguments go to :func:`skmedtext.plotting.plot_class_distribution`.
        """
        from skmedtext.plotting import plot_class_distribution

        kwargs.setdefault("stage_names", ("dataset", "resampled"))
        return plot_class_distribution(
            self.y, y_resampled, labels=self.labels, target_names=self.target_names, **kwargs
        )

    # -- serialisation -----------------------------------------------------------------

    def to_dict(self, *, predictions=True):
        """Return a JSON-serialisable dict; ``predictions=False`` drops indices and scores."""
        out = {
            "metadata": self.metadata,
            "labels": _py_list(self.labels),
            "target_names": self.target_names,
            "y": _py_list(self.y) if predictions else None,
            "splits": (
                [[_py_list(tr), _py_list(te)] for tr, te in self.splits] if predictions else None
            ),
            "summary": _summary_dict(self.summary()),
            "pipelines": {},
        }
        for name, records in self.folds.items():
            out["pipelines"][name] = [_record_dict(r, predictions) for r in records]
        if len(self.folds) >= 2:
            out["paired_test"] = dict(self.paired_test())
        return _clean_json(out)

    def to_json(self, path=None, *, predictions=True, indent=1):
        """Write :meth:`to_dict` as JSON to ``path`` (and return the text).

        NaN is written as ``null``. With ``predictions=True`` (default) the file
        also holds ``y``, the splits and every fold's predictions and scores, so
        that :meth:`from_json` gives back a result that can still plot.
        """
        text = json.dumps(self.to_dict(predictions=predictions), indent=indent, ensure_ascii=False)
        if path is not None:
            path = Path(path)
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
        return text

    @classmethod
    def from_json(cls, source):
        """Rebuild a result from :meth:`to_json` output (a path or the JSON text)."""
        text = str(source)
        if not text.lstrip().startswith("{"):
            text = Path(source).read_text(encoding="utf-8")
        data = json.loads(text)
        if data.get("splits") is None:
            raise ValueError("this JSON was written with predictions=False; it cannot be reloaded.")
        labels = np.asarray(data["labels"])
        splits = [
            (np.asarray(tr, dtype=np.intp), np.asarray(te, dtype=np.intp))
            for tr, te in data["splits"]
        ]
        folds = {}
        for name, records in data["pipelines"].items():
            folds[name] = [_record_from_dict(rec, splits, name) for rec in records]
        return cls(
            folds,
            labels=labels,
            target_names=data["target_names"],
            y=np.asarray(data["y"]),
            splits=splits,
            metadata=data.get("metadata"),
        )

    def __repr__(self):
        return (
            f"EvaluationResult(pipelines={self.pipelines}, n_splits={self.n_splits}, "
            f"n_samples={len(self.y)}, n_classes={len(self.labels)})"
        )


def _best_mask(means, higher, decimals):
    rounded = means.round(decimals)
    if rounded.notna().sum() < 2:
        return {}  # nothing to compare with
    target = rounded.max() if higher else rounded.min()
    return (rounded == target).to_dict()


def _format_cell(mean, std, decimals):
    if np.isnan(mean):
        return "–"
    if np.isnan(std):
        return f"{mean:.{decimals}f}"
    return f"{mean:.{decimals}f} ± {std:.{decimals}f}"


def _escape(text):
    return str(text).replace("|", "\\|")


def _py_list(values):
    return [v.item() if isinstance(v, np.generic) else v for v in np.asarray(values).tolist()]


def _summary_dict(summary):
    return {
        name: {f"{metric}_{stat}": row[(metric, stat)] for metric, stat in summary.columns}
        for name, row in summary.iterrows()
    }


def _record_dict(rec, predictions):
    out = {
        "fold": rec["fold"],
        "n_train": rec["n_train"],
        "n_test": rec["n_test"],
        **{t: rec[t] for t in TIME_COLUMNS},
        "error": rec["error"],
        "report": rec["report"].to_dict() if rec["report"] is not None else None,
    }
    if predictions:
        out["y_pred"] = None if rec["y_pred"] is None else _py_list(rec["y_pred"])
        out["y_score"] = (
            None if rec["y_score"] is None else np.round(rec["y_score"], 7).tolist()
        )
    return out


def _record_from_dict(rec, splits, name):
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
        "report": None if rec["report"] is None else ClassificationReport.from_dict(rec["report"]),
        "y_pred": None if rec.get("y_pred") is None else np.asarray(rec["y_pred"]),
        "y_score": None if rec.get("y_score") is None else np.asarray(rec["y_score"], dtype=float),
    }


def _clean_json(value):
    """Turn numpy scalars into Python ones and NaN into None, recursively."""
    if isinstance(value, dict):
        return {str(k): _clean_json(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_clean_json(v) for v in value]
    if isinstance(value, np.ndarray):
        return _clean_json(value.tolist())
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and np.isnan(value):
        return None
    return value
