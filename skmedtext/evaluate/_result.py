"""The result of :func:`~skmedtext.evaluate.evaluate`: fold records, tables, tests, plots.

:class:`EvaluationResult` stores the fold records and derives its tables from
them; the statistics live in ``_statistics`` and the Markdown/JSON forms in
``_export``, so that each can be read (and tested) on its own.
"""

import numpy as np
import pandas as pd
from sklearn.utils import Bunch

from skmedtext.evaluate._export import (
    MARKDOWN_METRICS,
    MULTILABEL_MARKDOWN_METRICS,
    result_fields,
    to_dict,
    to_markdown,
    write_json,
)
from skmedtext.evaluate._records import LOWER_IS_BETTER, TIME_COLUMNS
from skmedtext.evaluate._statistics import (
    PAIRED_TESTS,
    class_recall,
    paired_test,
    summarize,
)
from skmedtext.metrics import MULTILABEL_SCALAR_METRICS, SCALAR_METRICS

__all__ = ["EvaluationResult"]


class EvaluationResult:
    """Everything :func:`evaluate` measured, with tables, a paired test, JSON and plots.

    Parameters
    ----------
    folds : dict of {str: list of dict}
        Per pipeline, one record per fold with keys ``pipeline``, ``fold``,
        ``train_index``, ``test_index``, ``n_train``, ``n_test``, ``fit_time``,
        ``predict_time``, ``score_time`` (seconds), ``y_pred``, ``y_score``
        (scores aligned to ``labels``, or None when the model gives none),
        ``report`` (:class:`~skmedtext.metrics.ClassificationReport`, or
        :class:`~skmedtext.metrics.MultilabelReport` for a multi-label ``y``;
        None when the fold failed) and ``error`` (None or the error message).
    labels : ndarray
        The classes, in report order (the column indices of a multi-label ``y``).
    target_names : list of str
        Display name of each class (label).
    y : ndarray
        The labels that were cross-validated: 1-D, or the (n, n_labels) 0/1
        matrix of a multi-label evaluation.
    splits : list of (ndarray, ndarray)
        The shared (train, test) indices of each fold.
    metadata : dict
        CV description, seed, sizes, pipeline reprs, date, machine and versions.

    Attributes
    ----------
    frame : DataFrame
        Wide and tidy: one row per (pipeline, fold) with columns ``pipeline``,
        ``fold``, ``n_train``, ``n_test``, the :data:`TIME_COLUMNS`, every
        scalar metric of :data:`~skmedtext.metrics.SCALAR_METRICS` (of
        :data:`~skmedtext.metrics.MULTILABEL_SCALAR_METRICS` when ``multilabel``)
        and ``error``. ``frame.melt(id_vars=["pipeline", "fold"])`` gives the long
        form.
    per_class : DataFrame
        One row per (pipeline, fold, class): precision, recall, f1, support,
        roc_auc (multi-label: one row per label, with its ``predicted`` count too).
    pipelines : list of str
        The names, in the order given.
    multilabel : bool
        Whether ``y`` is a multi-label indicator matrix.
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
    def multilabel(self):
        return self.y.ndim == 2

    @property
    def _scalar_metrics(self):
        return MULTILABEL_SCALAR_METRICS if self.multilabel else SCALAR_METRICS

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
                    else dict.fromkeys(self._scalar_metrics, np.nan)
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
                report = rec["report"]
                table = report.per_label if self.multilabel else report.per_class
                part = table.rename_axis("class").reset_index()
                part.insert(0, "fold", rec["fold"])
                part.insert(0, "pipeline", name)
                parts.append(part)
        columns = ["pipeline", "fold", "class", "precision", "recall", "f1", "support", "roc_auc"]
        if self.multilabel:
            columns.insert(-1, "predicted")
        return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=columns)

    def reports(self, pipeline):
        """Return the per-fold reports of ``pipeline`` (None where the fold failed)."""
        return [rec["report"] for rec in self._records(pipeline)]

    def confusion_matrices(self, pipeline):
        """Return the per-fold confusion matrices of ``pipeline`` (rows true, columns predicted)."""
        self._single_label_only("confusion matrices")
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
        metrics = list(metrics) if metrics is not None else [*self._scalar_metrics, *TIME_COLUMNS]
        return summarize(self.frame, metrics, ddof)

    def rarest_classes(self, k=3):
        """Return the ``k`` classes (labels) with the fewest samples in ``y`` (rarest first)."""
        if self.multilabel:
            counts = self.y.sum(axis=0)
        else:
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
        return class_recall(self.per_class, self.rarest_classes(k), self.pipelines, ddof)

    def rare_label_f1(self, k=3, *, ddof=1):
        """F1 of each of the ``k`` rarest classes (labels), mean and std over folds.

        The rare-label column of a multi-label table; folds whose test part holds
        no sample of the label are left out, as in :meth:`rare_class_recall`.

        Returns
        -------
        f1 : DataFrame
            Index ``pipeline``; columns a MultiIndex ``(label name, "mean"|"std")``.
        """
        return class_recall(
            self.per_class, self.rarest_classes(k), self.pipelines, ddof, metric="f1"
        )

    def ranking(self, metric="f1_macro"):
        """Return the pipeline names ordered from best to worst mean ``metric``."""
        means = self.frame.groupby("pipeline", sort=False)[metric].mean()
        return list(means.sort_values(ascending=metric in LOWER_IS_BETTER, kind="stable").index)

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
        if method not in PAIRED_TESTS:
            raise ValueError(f"method must be one of {PAIRED_TESTS}; got {method!r}.")
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
        ratio = float(np.mean([te.size / tr.size for tr, te in self.splits]))
        statistic, pvalue = paired_test(wide[a], wide[b], method, ratio)
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
        metrics=None,
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
        metrics : list of str, default=None
            Metric columns, in order: :data:`MARKDOWN_METRICS` by default; for a
            multi-label ``y`` ``f1_micro``, ``f1_macro``, ``f1_samples``,
            ``precision_micro``, ``recall_micro``, ``subset_accuracy``,
            ``hamming_loss`` and ``roc_auc_macro``.
        k_rarest : int, default=3
            Add the recall of the ``k_rarest`` rarest classes (multi-label: the
            F1 of the rarest labels) (0 for none).
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
        times and the Hamming loss); ties at the displayed precision are all bold.
        """
        if metrics is None:
            metrics = MULTILABEL_MARKDOWN_METRICS if self.multilabel else MARKDOWN_METRICS
        return to_markdown(
            self,
            metrics,
            k_rarest=k_rarest,
            times=times,
            test=test,
            test_metric=test_metric,
            digits=digits,
            footer=footer,
        )

    # -- predictions and plots -------------------------------------------------------

    def _single_label_only(self, what):
        if self.multilabel:
            raise ValueError(
                f"{what} is for single-label results; this evaluation is multi-label (see "
                "per_class for per-label precision, recall, F1 and ROC-AUC)."
            )

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

        self._single_label_only("plot_roc_curves")
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

        self._single_label_only("plot_confusion_matrices")
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

        self._single_label_only("plot_class_distribution")
        kwargs.setdefault("stage_names", ("dataset", "resampled"))
        return plot_class_distribution(
            self.y, y_resampled, labels=self.labels, target_names=self.target_names, **kwargs
        )

    # -- serialisation -----------------------------------------------------------------

    def to_dict(self, *, predictions=True):
        """Return a JSON-serialisable dict; ``predictions=False`` drops indices and scores."""
        return to_dict(self, predictions)

    def to_json(self, path=None, *, predictions=True, indent=1):
        """Write :meth:`to_dict` as JSON to ``path`` (and return the text).

        NaN is written as ``null``. With ``predictions=True`` (default) the file
        also holds ``y``, the splits and every fold's predictions and scores, so
        that :meth:`from_json` gives back a result that can still plot.
        """
        return write_json(self.to_dict(predictions=predictions), path, indent)

    @classmethod
    def from_json(cls, source):
        """Rebuild a result from :meth:`to_json` output (a path or the JSON text)."""
        return cls(**result_fields(source))

    def __repr__(self):
        return (
            f"EvaluationResult(pipelines={self.pipelines}, n_splits={self.n_splits}, "
            f"n_samples={len(self.y)}, "
            f"{'n_labels' if self.multilabel else 'n_classes'}={len(self.labels)})"
        )

