"""Multi-label targets in the training core: sigmoid head, criteria, thresholds, errors."""

import pickle

import numpy as np
import pytest
from sklearn.base import clone

from skmedtext.losses import (
    AsymmetricLoss,
    BCEWithLogitsLoss,
    WeightedBCEWithLogitsLoss,
)
from skmedtext.models import BiGRUClassifier, DMTBertClassifier
from skmedtext.training import tune_label_thresholds

TEXTS = [
    "胸痛胸闷三天",
    "心慌胸闷气短",
    "胃痛腹泻两天",
    "腹胀胃痛反酸",
    "胸痛腹泻",
    "心慌反酸",
] * 4
SETS = [
    ["心", "急"],
    ["心"],
    ["胃"],
    ["胃", "急"],
    ["心", "胃"],
    ["心", "胃", "急"],
] * 4
# the same target as an indicator over the sorted labels 心, 急, 胃
INDICATOR = np.array(
    [[1, 1, 0], [1, 0, 0], [0, 0, 1], [0, 1, 1], [1, 0, 1], [1, 1, 1]] * 4
)
FAST = {"hidden_size": 8, "max_epochs": 3, "lr": 0.01, "random_state": 0}


def test_label_collections_and_indicator_are_the_same_fit():
    by_sets = BiGRUClassifier(**FAST).fit(TEXTS, SETS)
    by_matrix = BiGRUClassifier(**FAST).fit(TEXTS, INDICATOR)
    assert by_sets.classes_.tolist() == ["心", "急", "胃"]
    assert by_matrix.classes_.tolist() == [0, 1, 2]
    assert by_sets.multilabel_ and type(by_sets.net_.criterion_) is BCEWithLogitsLoss
    proba = by_sets.predict_proba(TEXTS[:6])
    assert proba.shape == (6, 3) and ((proba > 0) & (proba < 1)).all()
    np.testing.assert_allclose(proba, by_matrix.predict_proba(TEXTS[:6]), atol=1e-6)
    pred = by_sets.predict(TEXTS[:6])
    assert pred.shape == (6, 3) and set(np.unique(pred)) <= {0, 1}
    np.testing.assert_array_equal(pred, (proba >= 0.5).astype(int))
    # tuples and sets work too; a pickled model predicts the same
    by_tuples = BiGRUClassifier(**FAST).fit(TEXTS, [tuple(s) for s in SETS])
    np.testing.assert_allclose(by_tuples.predict_proba(TEXTS[:6]), proba, atol=1e-6)
    clone_ = pickle.loads(pickle.dumps(by_sets))
    np.testing.assert_array_equal(clone_.predict(TEXTS[:6]), pred)
    # a later single-label fit of the same object is single-label again
    single = clone(by_sets).fit(TEXTS, [s[0] for s in SETS])
    assert not single.multilabel_ and single.predict(TEXTS[:2]).shape == (2,)


@pytest.mark.parametrize(
    "criterion, loss_type",
    [("weighted_ce", WeightedBCEWithLogitsLoss), ("weighted_bce", WeightedBCEWithLogitsLoss),
     (("asl", {"gamma_neg": 2.0}), AsymmetricLoss)],
)  # fmt: skip
def test_criteria_take_the_training_fold_label_counts(criterion, loss_type):
    clf = BiGRUClassifier(**{**FAST, "max_epochs": 1}, criterion=criterion).fit(
        TEXTS, INDICATOR
    )
    loss = clf.net_.criterion_
    assert type(loss) is loss_type
    if loss_type is WeightedBCEWithLogitsLoss:
        n, counts = len(INDICATOR), INDICATOR.sum(axis=0)
        np.testing.assert_allclose(
            loss.pos_weight.numpy(), (n - counts) / counts, rtol=1e-6
        )


def test_validation_split_tunes_thresholds():
    clf = BiGRUClassifier(**FAST, validation_fraction=0.25, n_iter_no_change=2)
    clf.fit(TEXTS, INDICATOR)
    assert clf.thresholds_.shape == (3,)
    assert "valid_loss" in clf.history_[-1]
    proba = clf.predict_proba(TEXTS)
    np.testing.assert_array_equal(
        clf.predict(TEXTS), (proba >= clf.thresholds_).astype(int)
    )


def test_tune_label_thresholds_by_hand():
    Y = [[1, 0], [0, 1], [1, 0], [0, 0]]
    proba = [[0.3, 0.6], [0.1, 0.7], [0.4, 0.2], [0.35, 0.1]]
    thresholds = tune_label_thresholds(Y, proba)
    # label 0: 0.3 and 0.4 positive, 0.35 negative -> best F1 0.8 at any cut below 0.3
    # (midpoint 0.2 of 0.1 and 0.3); label 1: only 0.7 positive -> cut between 0.6 and 0.7
    np.testing.assert_allclose(thresholds, [0.2, 0.65])
    assert tune_label_thresholds([[0, 1], [0, 1]], [[0.9, 0.8], [0.1, 0.9]])[0] == 0.5
    with pytest.raises(ValueError, match="shape of Y_true"):
        tune_label_thresholds(Y, [[0.1, 0.2]])


@pytest.mark.parametrize(
    "y, match",
    [
        (
            np.c_[INDICATOR, np.zeros(len(INDICATOR), int)],
            r"label column\(s\) 3 of y never occur",
        ),
        (np.zeros((len(TEXTS), 3), int), "no row of the multi-label y"),
        (INDICATOR * 2, "only 0 and 1"),
        (INDICATOR[:-1], "X has 24 rows but y has 23"),
        ([["a"]] * len(TEXTS), "at least 2 distinct labels"),
        ([["a", 1]] * len(TEXTS), "of one type"),
    ],
)
def test_bad_multilabel_y_is_named(y, match):
    with pytest.raises(ValueError, match=match):
        BiGRUClassifier(**FAST).fit(TEXTS, y)


def test_single_label_criterion_and_estimator_that_cannot_take_it():
    with pytest.raises(ValueError, match="'ghm' cannot train on a multi-label y"):
        BiGRUClassifier(**FAST, criterion="ghm").fit(TEXTS, INDICATOR)
    with pytest.raises(ValueError, match="multi-label loss"):
        BiGRUClassifier(**FAST, criterion="bce").fit(TEXTS, [s[0] for s in SETS])

    class OneLabelOnly(BiGRUClassifier):
        _accepts_multilabel = False

    with pytest.raises(ValueError, match="takes one label per text"):
        OneLabelOnly(**FAST).fit(TEXTS, INDICATOR)


def test_rows_without_labels_are_kept():
    Y = INDICATOR.copy()
    Y[::6] = 0
    clf = BiGRUClassifier(**FAST).fit(TEXTS, Y)
    assert clf.predict(TEXTS[:3]).shape == (3, 3)


@pytest.fixture(scope="module")
def hoc_small(data_root):
    from skmedtext.datasets import load_hoc

    bunch = load_hoc(subset="train", data_home=data_root)
    return np.asarray(bunch.data[:48], dtype=object), bunch.target[:48]


def test_dmt_bert_multilabel(hoc_small):
    X, Y = hoc_small
    keep = Y.sum(axis=0) > 0
    clf = DMTBertClassifier(max_length=32, max_epochs=1, batch_size=16, random_state=0)
    clf.fit(X, Y[:, keep])
    assert clf.multilabel_ and clf.predict_proba(X[:4]).shape == (4, int(keep.sum()))
    assert clf.predict(X[:4]).shape == (4, int(keep.sum()))


@pytest.fixture(scope="module")
def fitted_on_sets():
    return BiGRUClassifier(**{**FAST, "max_epochs": 1}).fit(TEXTS, SETS)


def test_score_is_subset_accuracy_for_sets_and_matrices(fitted_on_sets):
    clf = fitted_on_sets
    expected = float((clf.predict(TEXTS) == INDICATOR).all(axis=1).mean())
    assert clf.score(TEXTS, SETS) == pytest.approx(expected)
    assert clf.score(TEXTS, INDICATOR) == pytest.approx(expected)
    # a label set the classifier gets right counts, one it gets partly right does not
    pred = clf.predict(TEXTS[:1])[0]
    right = [list(clf.classes_[pred.astype(bool)])]
    wrong = [list(clf.classes_[~pred.astype(bool)])]
    assert clf.score(TEXTS[:1], right) == 1.0 and clf.score(TEXTS[:1], wrong) == 0.0


@pytest.mark.parametrize(
    "y, match",
    [
        (INDICATOR[:, :2], r"y has 2 label columns but the classifier was fitted on 3 labels"),
        (np.c_[INDICATOR, INDICATOR[:, :1]], "y has 4 label columns"),
        (INDICATOR[:, 0], r"fitted on a multi-label y \(3 labels\); score needs an \(n, 3\)"),
        ([["心", "x"]] * len(TEXTS), r"labels \['x'\] of y were not seen in fit"),
        (INDICATOR * 2, "score: y must hold only 0 and 1"),
        (INDICATOR[:-1], "X has 24 rows but y has 23"),
    ],
)  # fmt: skip
def test_score_with_a_y_unlike_the_fit_is_named(fitted_on_sets, y, match):
    with pytest.raises(ValueError, match=match):
        fitted_on_sets.score(TEXTS, y)


def test_single_label_fit_refuses_a_multilabel_y_at_score():
    clf = BiGRUClassifier(**{**FAST, "max_epochs": 1}).fit(TEXTS, [s[0] for s in SETS])
    assert 0 <= clf.score(TEXTS, [s[0] for s in SETS]) <= 1
    with pytest.raises(ValueError, match=r"fitted on one label per text \(2 classes\)"):
        clf.score(TEXTS, INDICATOR)


def test_taggers_refuse_a_multilabel_indicator():
    from skmedtext.models import BiLSTMCRFTagger

    with pytest.raises(ValueError, match=r"is not a \(start, end, type\) triple"):
        BiLSTMCRFTagger(max_epochs=1).fit(TEXTS, INDICATOR)
