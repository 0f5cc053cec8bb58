"""evaluate(): shared seeded folds, every metric per fold, tables, paired tests, JSON, plots."""

import json
import re

import numpy as np
import pandas as pd
import pytest
from imblearn.over_sampling import SMOTE
from imblearn.pipeline import make_pipeline as make_imb_pipeline
from joblib import parallel_config
from scipy import stats
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.exceptions import FitFailedWarning
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import f1_score, recall_score, roc_auc_score
from sklearn.model_selection import StratifiedKFold, train_test_split
from sklearn.naive_bayes import ComplementNB
from sklearn.pipeline import make_pipeline

from skmedtext.datasets import load_medical_abstracts
from skmedtext.evaluate import EvaluationResult, environment, evaluate
from skmedtext.metrics import SCALAR_METRICS

CV = 3


def tfidf_lr():
    return make_pipeline(TfidfVectorizer(min_df=2), LogisticRegression(max_iter=200))


def tfidf_cnb():
    return make_pipeline(TfidfVectorizer(min_df=2), ComplementNB())


@pytest.fixture(scope="module")
def abstracts(data_root):
    """300 stratified Medical Abstracts with the disease names as string labels."""
    bunch = load_medical_abstracts(data_home=data_root)
    X, _, y, _ = train_test_split(
        bunch.data, bunch.target, train_size=300, stratify=bunch.target, random_state=0
    )
    return X, np.asarray(bunch.target_names, dtype=object)[y - 1]


@pytest.fixture(scope="module")
def result(abstracts):
    X, y = abstracts
    return evaluate({"lr": tfidf_lr(), "cnb": tfidf_cnb()}, X, y, cv=CV, random_state=0)


def test_folds_are_seeded_stratified_and_shared(result, abstracts):
    X, y = abstracts
    expected = list(StratifiedKFold(CV, shuffle=True, random_state=0).split(X, y))
    assert len(result.splits) == CV
    for (tr, te), (etr, ete) in zip(result.splits, expected):
        np.testing.assert_array_equal(tr, etr)
        np.testing.assert_array_equal(te, ete)
    for name in result.pipelines:
        for rec, (_, te) in zip(result.folds[name], expected):
            np.testing.assert_array_equal(rec["test_index"], te)


def test_frame_has_one_row_per_pipeline_and_fold(result):
    frame = result.frame
    assert frame.shape[0] == 2 * CV
    assert list(frame[["pipeline", "fold"]].itertuples(index=False, name=None)) == [
        (name, k) for name in ("lr", "cnb") for k in range(CV)
    ]
    for column in [*SCALAR_METRICS, "fit_time", "predict_time", "score_time", "n_train"]:
        assert column in frame.columns
    assert (frame["fit_time"] > 0).all() and (frame["predict_time"] > 0).all()
    assert frame["error"].isna().all()
    assert (frame["n_train"] + frame["n_test"] == 300).all()


def test_fold_metrics_equal_sklearn_on_a_refit_clone(result, abstracts):
    X, y = abstracts
    train, test = result.splits[1]
    clf = tfidf_lr().fit(X[train], y[train])
    pred, proba = clf.predict(X[test]), clf.predict_proba(X[test])
    row = result.frame.query("pipeline == 'lr' and fold == 1").iloc[0]
    assert row["f1_macro"] == pytest.approx(f1_score(y[test], pred, average="macro"))
    assert row["recall_weighted"] == pytest.approx(
        recall_score(y[test], pred, average="weighted")
    )
    assert row["roc_auc_macro"] == pytest.approx(
        roc_auc_score(y[test], proba, multi_class="ovr", labels=clf.classes_)
    )
    np.testing.assert_array_equal(result.folds["lr"][1]["y_pred"], pred)


def test_summary_is_mean_and_sample_std_of_the_frame(result):
    summary = result.summary(["f1_macro", "fit_time"])
    for name in result.pipelines:
        f1 = result.frame.loc[result.frame["pipeline"] == name, "f1_macro"]
        assert summary.loc[name, ("f1_macro", "mean")] == pytest.approx(f1.mean())
        assert summary.loc[name, ("f1_macro", "std")] == pytest.approx(np.std(f1, ddof=1))
    assert list(summary.columns) == [
        ("f1_macro", "mean"), ("f1_macro", "std"), ("fit_time", "mean"), ("fit_time", "std")
    ]
    with pytest.raises(ValueError, match="unknown metrics"):
        result.summary(["f2"])


@pytest.mark.parametrize("method", ["ttest", "corrected_ttest", "wilcoxon"])
def test_paired_test_between_the_two_best(result, method):
    res = result.paired_test("f1_macro", method=method)
    means = result.frame.groupby("pipeline")["f1_macro"].mean()
    assert res.a == means.idxmax() and res.b == means.idxmin()
    wide = result.frame.pivot(index="fold", columns="pipeline", values="f1_macro")
    a, b = wide[res.a].to_numpy(), wide[res.b].to_numpy()
    if method == "ttest":
        expected = stats.ttest_rel(a, b).pvalue
    elif method == "wilcoxon":
        expected = stats.wilcoxon(a, b).pvalue
    else:
        d = a - b
        ratio = np.mean([te.size / tr.size for tr, te in result.splits])
        t = d.mean() / np.sqrt((1 / len(d) + ratio) * d.var(ddof=1))
        expected = 2 * stats.t.sf(abs(t), len(d) - 1)
        assert res.pvalue > stats.ttest_rel(a, b).pvalue  # the correction is conservative
    assert res.pvalue == pytest.approx(expected)
    assert res.mean_diff == pytest.approx(np.mean(a - b)) and res.n == CV


def test_markdown_bolds_the_best_and_reports_the_test(result):
    text = result.to_markdown(k_rarest=2)
    lines = text.splitlines()
    header = [c.strip() for c in lines[0].strip("|").split("|")]
    rows = {line.split("|")[1].strip(): line for line in lines[2:4]}
    best = result.best("f1_macro")
    column = header.index("f1_macro")
    assert rows[best].split("|")[column + 1].strip().startswith("**")
    other = next(name for name in rows if name != best)
    assert not rows[other].split("|")[column + 1].strip().startswith("**")
    rare = result.rarest_classes(2)
    assert f"recall: {rare[0]}" in header and f"recall: {rare[1]}" in header
    assert "fit_time (s)" in header
    mean = result.summary(["accuracy"]).loc[best, ("accuracy", "mean")]
    assert f"{mean:.3f} ± " in rows[best]
    p = result.paired_test().pvalue
    assert re.search(rf"paired t-test .* p = {p:.4g}", text)
    assert "3-fold CV" in text and "scikit-learn" in text


def test_rare_class_recall(result):
    counts = pd.Series(result.y).value_counts()
    assert counts.is_unique  # no ties in this subset, so the order is well defined
    assert result.rarest_classes(2) == list(counts.sort_values().index[:2])
    rare = result.rarest_classes(1)[0]
    table = result.rare_class_recall(1)
    for name in result.pipelines:
        recalls = []
        for rec in result.folds[name]:
            y_true = result.y[rec["test_index"]]
            recalls.append(np.mean(rec["y_pred"][y_true == rare] == rare))
        assert table.loc[name, (rare, "mean")] == pytest.approx(np.mean(recalls))


def test_json_round_trip_keeps_tables_and_plots(result, tmp_path):
    path = tmp_path / "out" / "result.json"
    text = result.to_json(path)
    assert json.loads(path.read_text(encoding="utf-8")) == json.loads(text)
    assert "NaN" not in text
    back = EvaluationResult.from_json(path)
    pd.testing.assert_frame_equal(back.frame, result.frame)
    pd.testing.assert_frame_equal(back.per_class, result.per_class)
    assert back.to_markdown() == result.to_markdown()
    y_true, _, y_score = back.oof_predictions("lr")
    ref_true, _, ref_score = result.oof_predictions("lr")
    np.testing.assert_array_equal(y_true, ref_true)
    np.testing.assert_allclose(y_score, ref_score, atol=1e-6)
    small = json.loads(result.to_json(predictions=False))
    assert small["splits"] is None and "y_pred" not in small["pipelines"]["lr"][0]
    with pytest.raises(ValueError, match="predictions=False"):
        EvaluationResult.from_json(result.to_json(predictions=False))


def test_plots_from_the_result(result, tmp_path):
    fig = result.plot_roc_curves(save=tmp_path / "roc.png")
    best = result.best()
    y_true, _, y_score = result.oof_predictions(best)
    legend = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    k = 0
    assert legend[k] == (
        f"{result.target_names[k]} (AUC = "
        f"{roc_auc_score(y_true == result.labels[k], y_score[:, k]):.3f})"
    )
    fig = result.plot_confusion_matrices("cnb", save=tmp_path / "cm.png")
    assert len([ax for ax in fig.axes if ax.images]) == CV
    result.plot_class_distribution(save=tmp_path / "dist.png")
    for name in ("roc", "cm", "dist"):
        assert (tmp_path / f"{name}.png").read_bytes()[:4] == b"\x89PNG"


def test_same_seed_same_scores_and_smote_pipeline(abstracts):
    """An imblearn pipeline that resamples; its unset SMOTE seed comes from random_state."""
    X, y = abstracts
    pipelines = {
        "smote": make_imb_pipeline(
            TfidfVectorizer(min_df=2), SMOTE(k_neighbors=3), LogisticRegression(max_iter=200)
        )
    }
    first = evaluate(pipelines, X, y, cv=2, random_state=3)
    second = evaluate(pipelines, X, y, cv=2, random_state=3)
    cols = list(SCALAR_METRICS)
    pd.testing.assert_frame_equal(first.frame[cols], second.frame[cols])
    assert pipelines["smote"].get_params()["smote__random_state"] is None  # not mutated
    other = evaluate(pipelines, X, y, cv=2, random_state=4)
    assert not np.array_equal(first.splits[0][1], other.splits[0][1])


def test_class_absent_from_a_test_fold(abstracts):
    """A class with 2 samples and 3 folds: one test fold lacks it, and says so."""
    X, y = abstracts
    y = y.copy()
    rare_rows = np.flatnonzero(y == "neoplasms")[:2]
    y[rare_rows] = "rare"
    with pytest.warns(UserWarning, match="fewer than cv=3"):
        res = evaluate({"cnb": tfidf_cnb()}, X, y, cv=3, random_state=0)
    per_class = res.per_class.query("`class` == 'rare'")
    assert sorted(per_class["support"]) == [0, 1, 1]
    empty = per_class[per_class["support"] == 0].iloc[0]
    assert np.isnan(empty["roc_auc"]) and empty["recall"] == 0.0  # as sklearn, zero_division=0
    # The rare-class table ignores the fold where recall is undefined.
    assert res.rarest_classes(1) == ["rare"]
    expected = per_class.loc[per_class["support"] > 0, "recall"].mean()
    assert res.rare_class_recall(1).loc["cnb", ("rare", "mean")] == pytest.approx(expected)


class _FailsOnSecondFold(BaseEstimator, ClassifierMixin):
    """Raises in fit when the training part holds the first sample (a real failure path)."""

    def __init__(self, bad_text=None):
        self.bad_text = bad_text

    def fit(self, X, y):
        if self.bad_text in list(X):
            raise RuntimeError("cannot fit this fold")
        self.inner_ = tfidf_cnb().fit(X, y)
        self.classes_ = self.inner_.classes_
        return self

    def predict(self, X):
        return self.inner_.predict(X)


def test_error_score_records_failures(abstracts):
    X, y = abstracts
    model = {"flaky": _FailsOnSecondFold(bad_text=X[0]), "cnb": tfidf_cnb()}
    with pytest.raises(RuntimeError, match="cannot fit"):
        evaluate(model, X, y, cv=2)
    with pytest.warns(FitFailedWarning, match="cannot fit"):
        res = evaluate(model, X, y, cv=2, error_score=np.nan)
    flaky = res.frame[res.frame["pipeline"] == "flaky"]
    failed = flaky["error"].notna()
    assert failed.sum() == 1 and flaky.loc[failed, "f1_macro"].isna().all()
    assert flaky.loc[~failed, "f1_macro"].notna().all()
    assert np.isnan(flaky.loc[~failed, "roc_auc_macro"]).all()  # no predict_proba
    assert "fit_time" in res.to_markdown()


def test_parallel_fits_give_the_same_scores(abstracts, result):
    X, y = abstracts
    with parallel_config(backend="threading"):
        par = evaluate({"lr": tfidf_lr(), "cnb": tfidf_cnb()}, X, y, cv=CV, n_jobs=2)
    cols = list(SCALAR_METRICS)
    pd.testing.assert_frame_equal(par.frame[cols], result.frame[cols])


def test_progress_bar_when_verbose_and_no_scores(abstracts, capsys):
    X, y = abstracts
    res = evaluate({"cnb": tfidf_cnb()}, X[:120], y[:120], cv=2, verbose=2, scores=False)
    assert res.frame["roc_auc_macro"].isna().all() and res.frame["score_time"].isna().all()
    assert res.frame["f1_macro"].notna().all()
    with pytest.raises(ValueError, match="no probabilities"):
        res.plot_roc_curves()
    err = capsys.readouterr()
    assert "evaluate" in err.err and "2/2" in err.err
    assert "cnb fold 1/2: f1_macro=" in err.out + err.err


@pytest.mark.parametrize(
    "pipelines, X_len, error, match",
    [
        ([tfidf_cnb()], None, TypeError, "dict"),
        ({}, None, ValueError, "empty"),
        ({"x": object()}, None, TypeError, "fit/predict"),
        ({"cnb": tfidf_cnb()}, 10, ValueError, "samples"),
    ],
)
def test_bad_arguments(abstracts, pipelines, X_len, error, match):
    X, y = abstracts
    X = X[:X_len] if X_len else X
    with pytest.raises(error, match=match):
        evaluate(pipelines, X, y)


def test_one_class_or_one_fold_is_rejected(abstracts):
    X, y = abstracts
    with pytest.raises(ValueError, match="two classes"):
        evaluate({"cnb": tfidf_cnb()}, X, np.zeros(len(X)))
    with pytest.raises(ValueError, match="at least 2"):
        evaluate({"cnb": tfidf_cnb()}, X, y, cv=1)


def test_environment_names_the_cpu_and_its_bf16_flags(monkeypatch, tmp_path):
    info = environment()
    assert isinstance(info["cpu"], str) and info["cpu"]
    assert "cpu_bf16" in info and "torch_threads" in info
    assert info["cpu_bf16"] is None or set(info["cpu_bf16"]) <= {"avx512_bf16", "amx_bf16"}
    json.dumps(info)  # it goes into the result's JSON metadata as it is

    from skmedtext.evaluate import _environment

    cpuinfo = tmp_path / "cpuinfo"
    cpuinfo.write_text(
        "processor\t: 0\nmodel name\t: Test CPU 9000\nflags\t\t: fpu avx512f amx_bf16\n\n"
        "processor\t: 1\nmodel name\t: Test CPU 9000\nflags\t\t: fpu avx512f amx_bf16\n"
    )
    monkeypatch.setattr(_environment, "_CPUINFO", cpuinfo)
    info = environment()
    assert info["cpu"] == "Test CPU 9000" and info["cpu_bf16"] == ["amx_bf16"]
    cpuinfo.write_text("processor\t: 0\nmodel name\t: Old CPU\nflags\t\t: fpu sse2\n")
    assert environment()["cpu_bf16"] == []


def test_markdown_footer_names_the_cpu(result):
    assert result.metadata["cpu"] in result.to_markdown()
