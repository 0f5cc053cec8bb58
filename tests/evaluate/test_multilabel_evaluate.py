"""evaluate() with a multi-label y: iterative stratification, multi-label reports, tables, JSON."""

import warnings

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.dummy import DummyClassifier
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import f1_score
from sklearn.multiclass import OneVsRestClassifier
from sklearn.pipeline import make_pipeline

from skmedtext.evaluate import EvaluationResult, evaluate
from skmedtext.evaluate._multilabel import MULTILABEL_MARKDOWN_METRICS
from skmedtext.model_selection import MultilabelStratifiedKFold

WORDS = {
    0: ["chest", "pain", "angina", "cardiac"],
    1: ["cough", "fever", "sputum", "lung"],
    2: ["rash", "itch", "skin", "eczema"],
}
NAMES = ["cardio", "resp", "derm"]


def _data(n=48, seed=0):
    """Texts whose words reveal their labels; label 2 is the rarest, some rows have none."""
    rng = np.random.RandomState(seed)
    Y = np.zeros((n, 3), dtype=int)
    Y[:, 0] = rng.rand(n) < 0.5
    Y[:, 1] = rng.rand(n) < 0.4
    Y[::6, 2] = 1
    texts = []
    for row in Y:
        words = [w for j in np.flatnonzero(row) for w in rng.choice(WORDS[j], 2)]
        texts.append(" ".join(words + ["patient", "seen", "today"]))
    return np.array(texts, dtype=object), Y


def _ovr():
    return make_pipeline(
        TfidfVectorizer(), OneVsRestClassifier(LogisticRegression(C=10, max_iter=200))
    )


@pytest.fixture(scope="module")
def data():
    return _data()


@pytest.fixture(scope="module")
def result(data):
    X, Y = data
    pipelines = {
        "tfidf-ovr": _ovr(),
        "prior": make_pipeline(TfidfVectorizer(), DummyClassifier(strategy="prior")),
    }
    return evaluate(pipelines, X, Y, cv=3, random_state=0, target_names=NAMES)


def test_default_folds_are_iterative_stratification(data, result):
    X, Y = data
    assert result.multilabel and result.y.shape == Y.shape
    assert "MultilabelStratifiedKFold" in result.metadata["cv"]
    expected = list(MultilabelStratifiedKFold(3, shuffle=True, random_state=0).split(X, Y))
    for (tr, te), (etr, ete) in zip(result.splits, expected):
        np.testing.assert_array_equal(te, ete)
    # the rare label (8 rows) is spread over the test folds to within one row
    per_fold = [Y[te, 2].sum() for _, te in result.splits]
    assert max(per_fold) - min(per_fold) <= 1


def test_fold_scores_are_sklearns_micro_macro_and_example_based_f1(data, result):
    _, Y = data
    frame = result.frame.set_index(["pipeline", "fold"])
    for k, (_, test) in enumerate(result.splits):
        rec = result.folds["tfidf-ovr"][k]
        assert rec["y_pred"].shape == (test.size, 3) and rec["y_score"].shape == (test.size, 3)
        for avg in ("micro", "macro", "samples"):
            expected = f1_score(Y[test], rec["y_pred"], average=avg, zero_division=0)
            assert frame.loc[("tfidf-ovr", k), f"f1_{avg}"] == pytest.approx(expected)
    # the words give the labels away: OvR is near perfect; the prior predicts the same
    # labels for every row (its per-label probabilities, a list of (n, 2) arrays, are scored)
    summary = result.summary()
    assert summary.loc["tfidf-ovr", ("f1_micro", "mean")] > 0.9
    assert summary.loc["prior", ("f1_micro", "mean")] < 0.7
    prior = result.folds["prior"][0]
    assert (prior["y_pred"] == prior["y_pred"][0]).all() and prior["y_score"].shape[1] == 3
    assert result.best("f1_micro") == "tfidf-ovr" and result.best("hamming_loss") == "tfidf-ovr"
    assert set(result.per_class["class"]) == set(NAMES)
    assert "predicted" in result.per_class.columns


def test_markdown_table(result):
    text = result.to_markdown()
    header = text.splitlines()[0]
    for metric in MULTILABEL_MARKDOWN_METRICS:
        assert metric in header
    # the rarest label's F1, and the labels (not classes) in the footer
    assert "F1: derm" in header and "recall:" not in header
    assert "3 labels (multi-label)" in text and "MultilabelStratifiedKFold" in text
    ovr = next(line for line in text.splitlines() if line.startswith("| tfidf-ovr"))
    prior = next(line for line in text.splitlines() if line.startswith("| prior"))
    cells = header.split("|").index(" hamming_loss ")
    # lower is better for the Hamming loss: bold goes to OvR
    assert ovr.split("|")[cells].strip().startswith("**")
    assert not prior.split("|")[cells].strip().startswith("**")
    assert "paired t-test (scipy.stats.ttest_rel) on f1_macro" in text


def test_json_round_trip(result):
    back = EvaluationResult.from_json(result.to_json())
    assert back.multilabel and back.y.shape == result.y.shape
    np.testing.assert_array_equal(
        back.folds["tfidf-ovr"][1]["y_pred"], result.folds["tfidf-ovr"][1]["y_pred"]
    )
    assert back.to_markdown(footer=False) == result.to_markdown(footer=False)
    report = back.reports("prior")[0]
    assert report.per_label.loc["derm", "support"] == result.reports("prior")[0].per_label.loc[
        "derm", "support"
    ]
    assert "n_labels=3" in repr(back)


def test_sparse_y_and_single_label_plots_refused(data):
    X, Y = data
    result = evaluate({"ovr": _ovr()}, X, sp.csr_matrix(Y), cv=2, scores=False)
    assert result.frame["roc_auc_macro"].isna().all()
    assert result.frame["f1_micro"].notna().all()
    with pytest.raises(ValueError, match="single-label results; this evaluation is multi-label"):
        result.plot_confusion_matrices()
    with pytest.raises(ValueError, match="multi-label"):
        result.confusion_matrices("ovr")


@pytest.mark.parametrize(
    "make_y, kwargs, match",
    [
        (lambda Y: np.c_[Y, np.zeros(len(Y), int)], {}, r"label column\(s\) 3 of y never occur"),
        (lambda Y: np.zeros_like(Y), {}, "no row of the multi-label y carries a label"),
        (lambda Y: Y * 2, {}, "only 0 and 1"),
        (lambda Y: Y[:-1], {}, "X has 48 rows but y has 47"),
        (lambda Y: Y, {"target_names": ["a", "b"]}, "target_names has 2 names but the multi-label"),
        (lambda Y: Y, {"labels": [0, 1]}, "labels selects classes of a 1-D y"),
    ],
)  # fmt: skip
def test_bad_multilabel_y_is_named(data, make_y, kwargs, match):
    X, Y = data
    with pytest.raises(ValueError, match=match):
        evaluate({"ovr": _ovr()}, X, make_y(Y), cv=2, **kwargs)


def test_a_single_label_pipeline_on_a_multilabel_y_is_a_clear_error(data):
    X, Y = data

    class FirstColumn(DummyClassifier):
        """Fits and predicts one label per row: the wrong width for a multi-label y."""

        def fit(self, X, y):
            return super().fit(X, np.asarray(y)[:, 0])

    pipeline = make_pipeline(TfidfVectorizer(), FirstColumn())
    with pytest.raises(ValueError, match=r"predicted an array of shape \(24,\).*\(24, 3\) 0/1"):
        evaluate({"one": pipeline}, X, Y, cv=2)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = evaluate({"one": pipeline, "ovr": _ovr()}, X, Y, cv=2, error_score=np.nan)
    assert result.frame.set_index("pipeline").loc["one", "error"].str.contains("OneVsRest").all()


def test_rare_label_warning(data):
    X, Y = data
    with pytest.warns(UserWarning, match="rarest label is carried by 8 rows, fewer than cv=10"):
        evaluate({"ovr": _ovr()}, X, Y, cv=10)
