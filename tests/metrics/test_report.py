"""Every number of the report equals scikit-learn's own metric functions on real predictions."""

import json

import numpy as np
import pandas as pd
import pytest
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import (
    accuracy_score,
    balanced_accuracy_score,
    classification_report,
    confusion_matrix,
    precision_recall_fscore_support,
    roc_auc_score,
)
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import label_binarize
from sklearn.svm import LinearSVC

from skmedtext.datasets import load_medical_abstracts
from skmedtext.metrics import (
    PER_CLASS_METRICS,
    SCALAR_METRICS,
    ClassificationReport,
    aggregate_reports,
    classification_report_full,
    report_from_estimator,
)

AVERAGES = ("macro", "micro", "weighted")


def _text_pipeline():
    return make_pipeline(TfidfVectorizer(min_df=2), LogisticRegression(max_iter=300))


@pytest.fixture(scope="module")
def abstracts(data_root):
    """A stratified 700-abstract subset, labels as ints (1..5) and as disease names."""
    bunch = load_medical_abstracts(data_home=data_root)
    X, _, y, _ = train_test_split(
        bunch.data, bunch.target, train_size=700, stratify=bunch.target, random_state=0
    )
    names = np.asarray(bunch.target_names, dtype=object)[y - 1]
    return X, y, names


@pytest.fixture(scope="module", params=["int", "str"])
def fitted(request, abstracts):
    """TF-IDF + logistic regression fitted on 70%, with its predictions on the rest."""
    X, y_int, y_str = abstracts
    y = y_int if request.param == "int" else y_str
    X_tr, X_te, y_tr, y_te = train_test_split(X, y, test_size=0.3, stratify=y, random_state=0)
    clf = _text_pipeline().fit(X_tr, y_tr)
    return clf, X_te, y_te, clf.predict(X_te), clf.predict_proba(X_te)


def test_scalar_metrics_match_sklearn(fitted):
    clf, _, y, y_pred, proba = fitted
    rep = classification_report_full(y, y_pred, proba, score_labels=clf.classes_)
    assert rep.accuracy == pytest.approx(accuracy_score(y, y_pred))
    assert rep.balanced_accuracy == pytest.approx(balanced_accuracy_score(y, y_pred))
    for avg in AVERAGES:
        p, r, f, _ = precision_recall_fscore_support(y, y_pred, average=avg, zero_division=0)
        assert rep[f"precision_{avg}"] == pytest.approx(p)
        assert rep[f"recall_{avg}"] == pytest.approx(r)
        assert rep[f"f1_{avg}"] == pytest.approx(f)
    for avg in ("macro", "weighted"):
        expected = roc_auc_score(y, proba, multi_class="ovr", average=avg, labels=clf.classes_)
        assert rep[f"roc_auc_{avg}"] == pytest.approx(expected)
    onehot = label_binarize(y, classes=clf.classes_)
    assert rep.roc_auc_micro == pytest.approx(roc_auc_score(onehot, proba, average="micro"))
    # Micro-F1 over all classes is accuracy: a cross-check independent of sklearn.
    assert rep.f1_micro == pytest.approx(rep.accuracy)
    assert set(rep.scalars()) == set(SCALAR_METRICS)


def test_per_class_rows_match_sklearn_classification_report(fitted):
    clf, _, y, y_pred, proba = fitted
    names = [f"class-{c}" for c in clf.classes_]
    rep = classification_report_full(
        y, y_pred, proba, labels=clf.classes_, target_names=names, score_labels=clf.classes_
    )
    expected = classification_report(
        y, y_pred, labels=clf.classes_, target_names=names, output_dict=True, zero_division=0
    )
    frame = rep.to_frame()
    for name in [*names, "macro avg", "weighted avg"]:
        row = frame.loc[name]
        assert row["precision"] == pytest.approx(expected[name]["precision"])
        assert row["recall"] == pytest.approx(expected[name]["recall"])
        assert row["f1"] == pytest.approx(expected[name]["f1-score"])
        assert row["support"] == expected[name]["support"]
    for k, label in enumerate(clf.classes_):
        auc = roc_auc_score(y == label, proba[:, k])
        assert rep.per_class.loc[names[k], "roc_auc"] == pytest.approx(auc)
    assert list(rep.per_class.columns) == list(PER_CLASS_METRICS)
    np.testing.assert_array_equal(
        rep.confusion_matrix, confusion_matrix(y, y_pred, labels=clf.classes_)
    )
    assert rep.per_class["support"].sum() == len(y)


def test_class_absent_from_fold(fitted):
    """A test fold without one class: still reported, with sklearn's numbers and NaN AUC."""
    clf, _, y, y_pred, proba = fitted
    absent = clf.classes_[1]
    keep = y != absent
    y_fold, pred_fold, proba_fold = y[keep], y_pred[keep], proba[keep]
    rep = classification_report_full(
        y_fold, pred_fold, proba_fold, labels=clf.classes_, score_labels=clf.classes_
    )
    assert list(rep.labels) == list(clf.classes_)
    row = rep.per_class.loc[str(absent)]
    assert row["support"] == 0 and row["recall"] == 0.0 and np.isnan(row["roc_auc"])
    for avg in AVERAGES:
        p, r, f, _ = precision_recall_fscore_support(
            y_fold, pred_fold, labels=clf.classes_, average=avg, zero_division=0
        )
        assert (rep[f"precision_{avg}"], rep[f"recall_{avg}"], rep[f"f1_{avg}"]) == pytest.approx(
            (p, r, f)
        )
    present = [k for k, c in enumerate(clf.classes_) if c != absent]
    aucs = [roc_auc_score(y_fold == clf.classes_[k], proba_fold[:, k]) for k in present]
    assert rep.roc_auc_macro == pytest.approx(np.mean(aucs))
    supports = [np.sum(y_fold == clf.classes_[k]) for k in present]
    assert rep.roc_auc_weighted == pytest.approx(np.average(aucs, weights=supports))
    np.testing.assert_array_equal(
        rep.confusion_matrix, confusion_matrix(y_fold, pred_fold, labels=clf.classes_)
    )
    assert rep.confusion_matrix[1].sum() == 0


def test_class_never_seen_in_training(abstracts):
    """A model trained without a class scores it 0; the report still lists it."""
    X, _, y = abstracts
    unseen = "digestive system diseases"
    train = y != unseen
    clf = _text_pipeline().fit(X[train][:400], y[train][:400])
    rep = report_from_estimator(clf, X[400:], y[400:])
    assert unseen in rep.target_names and unseen not in clf.classes_
    k = rep.target_names.index(unseen)
    assert rep.per_class["recall"].iloc[k] == 0.0
    assert rep.confusion_matrix[:, k].sum() == 0  # never predicted
    # All-zero scores rank every abstract alike: chance-level AUC.
    assert rep.per_class["roc_auc"].iloc[k] == pytest.approx(0.5)


def test_zero_division_nan_is_passed_to_sklearn(fitted):
    clf, _, y, y_pred, _ = fitted
    labels = np.concatenate([clf.classes_[:1], clf.classes_[2:]])
    keep = np.isin(y, labels) & np.isin(y_pred, labels)
    rep = classification_report_full(
        y[keep], y_pred[keep], labels=clf.classes_, zero_division=np.nan
    )
    p, r, f, _ = precision_recall_fscore_support(
        y[keep], y_pred[keep], labels=clf.classes_, average="macro", zero_division=np.nan
    )
    assert (rep.precision_macro, rep.recall_macro, rep.f1_macro) == pytest.approx((p, r, f))
    assert np.isnan(rep.per_class["recall"].iloc[1])


def test_report_from_estimator_equals_manual_report(fitted):
    clf, X, y, y_pred, proba = fitted
    rep = report_from_estimator(clf, X, y)
    manual = classification_report_full(y, y_pred, proba, score_labels=clf.classes_)
    assert rep.scalars() == pytest.approx(manual.scalars(), nan_ok=True)
    pd.testing.assert_frame_equal(rep.per_class, manual.per_class)
    no_scores = report_from_estimator(clf, X, y, scores=False)
    assert np.isnan(no_scores.roc_auc_macro) and no_scores.f1_macro == rep.f1_macro


def test_decision_function_scores(abstracts):
    X, _, y = abstracts
    X_tr, X_te, y_tr, y_te = train_test_split(X, y, test_size=0.3, stratify=y, random_state=1)
    svm = make_pipeline(TfidfVectorizer(min_df=2), LinearSVC()).fit(X_tr, y_tr)
    rep = report_from_estimator(svm, X_te, y_te)
    scores = svm.decision_function(X_te)
    for k, label in enumerate(svm.classes_):
        assert rep.per_class["roc_auc"].iloc[k] == pytest.approx(
            roc_auc_score(y_te == label, scores[:, k])
        )


def test_binary_with_one_dimensional_scores(abstracts):
    X, y_int, _ = abstracts
    two = np.isin(y_int, [1, 5])
    X2, y2 = X[two], y_int[two]
    X_tr, X_te, y_tr, y_te = train_test_split(X2, y2, test_size=0.4, stratify=y2, random_state=0)
    clf = _text_pipeline().fit(X_tr, y_tr)
    p = clf.predict_proba(X_te)[:, 1]
    rep = classification_report_full(y_te, clf.predict(X_te), p, score_labels=clf.classes_)
    assert rep.roc_auc_macro == pytest.approx(roc_auc_score(y_te, p))
    assert rep.per_class["roc_auc"].tolist() == pytest.approx([roc_auc_score(y_te, p)] * 2)
    assert rep.f1_macro == pytest.approx(
        precision_recall_fscore_support(y_te, clf.predict(X_te), average="macro")[2]
    )


def test_aggregate_reports_over_folds(fitted):
    clf, _, y, y_pred, proba = fitted
    halves = np.array_split(np.arange(len(y)), 3)
    reports = [
        classification_report_full(
            y[i], y_pred[i], proba[i], labels=clf.classes_, score_labels=clf.classes_
        )
        for i in halves
    ]
    agg = aggregate_reports(reports)
    f1 = [
        precision_recall_fscore_support(y[i], y_pred[i], average="macro", zero_division=0)[2]
        for i in halves
    ]
    assert agg.summary.loc["f1_macro", "mean"] == pytest.approx(np.mean(f1))
    assert agg.summary.loc["f1_macro", "std"] == pytest.approx(np.std(f1, ddof=1))
    assert agg.per_fold.shape == (3, len(SCALAR_METRICS))
    np.testing.assert_array_equal(
        agg.confusion_matrix, confusion_matrix(y, y_pred, labels=clf.classes_)
    )
    first = str(clf.classes_[0])
    recalls = [np.mean(y_pred[i][y[i] == clf.classes_[0]] == clf.classes_[0]) for i in halves]
    assert agg.per_class.loc[first, ("recall", "mean")] == pytest.approx(np.mean(recalls))
    assert agg.per_class.loc[first, ("support", "sum")] == np.sum(y == clf.classes_[0])
    with pytest.raises(ValueError, match="same labels"):
        aggregate_reports([reports[0], classification_report_full(["x", "y"], ["x", "y"])])
    with pytest.raises(ValueError, match="at least one"):
        aggregate_reports([])


def test_json_round_trip(fitted):
    clf, X, y, _, _ = fitted
    rep = report_from_estimator(clf, X, y)
    text = json.dumps(rep.to_dict(), allow_nan=False)
    back = ClassificationReport.from_dict(json.loads(text))
    assert back.scalars() == pytest.approx(rep.scalars(), nan_ok=True)
    pd.testing.assert_frame_equal(back.per_class, rep.per_class)
    np.testing.assert_array_equal(back.confusion_matrix, rep.confusion_matrix)
    assert repr(back) == repr(rep)


def test_no_scores_gives_nan_auc_but_every_other_metric():
    rep = classification_report_full(["a", "b", "b", "c"], ["a", "b", "c", "c"])
    assert all(np.isnan(rep[f"roc_auc_{avg}"]) for avg in ("macro", "micro", "weighted"))
    assert rep.per_class.index.tolist() == ["a", "b", "c"]
    assert rep.accuracy == pytest.approx(0.75)


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"y_true": [0, 1], "y_pred": [0]}, "equal length"),
        ({"y_true": [], "y_pred": []}, "zero samples"),
        ({"y_true": [0, 1, 2], "y_pred": [0, 1, 2], "labels": [0, 1]}, "not in labels"),
        ({"y_true": [0, 1], "y_pred": [0, 1], "labels": [0, 0, 1]}, "repeat"),
        ({"y_true": [0, 1], "y_pred": [0, 1], "target_names": ["a"]}, "target_names has 1"),
        ({"y_true": [0, 1], "y_pred": [0, 1], "y_score": np.ones((2, 3))}, "shape"),
        ({"y_true": [0, 1], "y_pred": [0, 1], "y_score": np.ones((3, 2))}, "rows"),
    ],
)
def test_bad_input_is_rejected_clearly(kwargs, match):
    y_true, y_pred = kwargs.pop("y_true"), kwargs.pop("y_pred")
    y_score = kwargs.pop("y_score", None)
    with pytest.raises(ValueError, match=match):
        classification_report_full(y_true, y_pred, y_score, **kwargs)
