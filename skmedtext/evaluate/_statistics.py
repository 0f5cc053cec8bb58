"""Statistics over cross-validation folds: mean and std, rare-class recall, paired tests."""

import numpy as np
import pandas as pd

__all__ = ["PAIRED_TESTS", "class_recall", "paired_test", "summarize"]

PAIRED_TESTS = ("ttest", "corrected_ttest", "wilcoxon")


def summarize(frame, metrics, ddof):
    """Mean and std of ``metrics`` (columns of ``frame``) per pipeline, in that order.

    Returns a DataFrame indexed by pipeline with ``(metric, "mean"|"std")`` columns.
    """
    unknown = sorted(set(metrics) - set(frame.columns))
    if unknown:
        raise ValueError(f"unknown metrics {unknown}; choose from {list(frame.columns)}.")
    grouped = frame.groupby("pipeline", sort=False)[metrics]
    out = pd.concat({"mean": grouped.mean(), "std": grouped.std(ddof=ddof)}, axis=1)
    return out.swaplevel(axis=1)[[(m, s) for m in metrics for s in ("mean", "std")]]


def class_recall(per_class, classes, pipelines, ddof, metric="recall"):
    """Recall (or another ``per_class`` column) of ``classes`` per pipeline, mean and
    std over the folds that hold them.

    A fold without a sample of the class is left out: its recall is undefined
    there, and counting it as 0 would punish the pipeline for the split.
    """
    table = per_class[per_class["class"].isin(classes) & (per_class["support"] > 0)]
    grouped = table.groupby(["pipeline", "class"], sort=False)[metric]
    stats = pd.DataFrame({"mean": grouped.mean(), "std": grouped.std(ddof=ddof)})
    wide = stats.unstack("class").swaplevel(axis=1)
    columns = [(c, s) for c in classes for s in ("mean", "std")]
    return wide.reindex(index=pipelines, columns=pd.MultiIndex.from_tuples(columns))


def corrected_ttest(diff, test_train_ratio):
    """Nadeau & Bengio's (2003) corrected resampled t-test on fold differences.

    Cross-validation folds share training data, so the fold scores are not
    independent and the plain paired t-test is over-confident; the variance is
    inflated by ``1/k + n_test/n_train``. Returns ``(statistic, two-sided p)``.
    """
    from scipy import stats

    n = diff.size
    variance = (1.0 / n + test_train_ratio) * np.var(diff, ddof=1)
    statistic = diff.mean() / np.sqrt(variance)
    return statistic, 2 * stats.t.sf(abs(statistic), df=n - 1)


def paired_test(a, b, method, test_train_ratio):
    """``(statistic, pvalue)`` of the paired ``method`` on fold scores ``a`` and ``b``.

    Undefined cases give NaN rather than scipy's warnings: identical scores on
    every fold, fewer than two folds, or (t-tests) a constant difference, whose
    variance is zero. ``method`` is one of :data:`PAIRED_TESTS`, checked by the caller.
    """
    from scipy import stats

    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    diff = a - b
    if diff.size < 2 or not np.any(diff != 0):
        return np.nan, np.nan
    if method == "wilcoxon":
        return stats.wilcoxon(a, b)
    if np.ptp(diff) == 0:
        return np.nan, np.nan
    if method == "ttest":
        return stats.ttest_rel(a, b)
    return corrected_ttest(diff, test_train_ratio)
