"""MultilabelStratifiedKFold: every row tested once, label shares kept per fold."""

import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import KFold, cross_val_score
from sklearn.multiclass import OneVsRestClassifier

from skmedtext.model_selection import MultilabelStratifiedKFold


def _imbalanced_indicator(n=600, seed=0):
    rng = np.random.RandomState(seed)
    rates = np.array([0.4, 0.2, 0.08, 0.03, 0.01])
    Y = (rng.rand(n, rates.size) < rates).astype(int)
    Y[rng.rand(n) < 0.2] = 0  # rows with no label
    return Y


@pytest.mark.parametrize("shuffle, seed", [(False, None), (True, 0), (True, 7)])
def test_every_row_once_and_proportions_close(shuffle, seed):
    Y = _imbalanced_indicator()
    cv = MultilabelStratifiedKFold(n_splits=5, shuffle=shuffle, random_state=seed)
    tests = [test for _, test in cv.split(np.zeros(len(Y)), Y)]
    assert len(tests) == cv.get_n_splits() == 5
    joined = np.concatenate(tests)
    assert np.array_equal(np.sort(joined), np.arange(len(Y)))
    for train, test in cv.split(np.zeros(len(Y)), Y):
        assert np.intersect1d(train, test).size == 0 and train.size + test.size == len(
            Y
        )
    counts = np.array([Y[t].sum(axis=0) for t in tests])
    # each fold holds its fifth of every label, to within one row
    assert np.all(np.abs(counts - Y.sum(axis=0) / 5) <= 1.0)
    sizes = np.array([t.size for t in tests])
    assert sizes.max() - sizes.min() <= 2


def test_better_than_kfold_on_rare_labels():
    Y = _imbalanced_indicator(seed=1)
    X = np.zeros(len(Y))

    def spread(cv):
        counts = np.array([Y[t].sum(axis=0) for _, t in cv.split(X, Y)])
        return np.abs(counts - Y.sum(axis=0) / 5).max()

    assert spread(MultilabelStratifiedKFold(5)) < spread(
        KFold(5, shuffle=True, random_state=0)
    )


def test_deterministic_and_seeded():
    Y = _imbalanced_indicator()
    X = np.zeros(len(Y))

    def folds(cv):
        return [t.tolist() for _, t in cv.split(X, Y)]

    assert folds(MultilabelStratifiedKFold(4)) == folds(MultilabelStratifiedKFold(4))
    a = folds(MultilabelStratifiedKFold(4, shuffle=True, random_state=3))
    assert a == folds(MultilabelStratifiedKFold(4, shuffle=True, random_state=3))
    assert a != folds(MultilabelStratifiedKFold(4, shuffle=True, random_state=4))


def test_works_as_cv_of_sklearn():
    rng = np.random.RandomState(0)
    Y = _imbalanced_indicator(200)
    X = Y + rng.normal(scale=0.5, size=Y.shape)
    scores = cross_val_score(
        OneVsRestClassifier(LogisticRegression()),
        X,
        Y,
        cv=MultilabelStratifiedKFold(3),
        scoring="f1_micro",
    )
    assert scores.shape == (3,) and np.all(scores > 0.5)


def test_errors():
    Y = _imbalanced_indicator(20)
    with pytest.raises(ValueError, match="n_splits"):
        MultilabelStratifiedKFold(1)
    with pytest.raises(TypeError, match="n_splits"):
        MultilabelStratifiedKFold(2.5)
    with pytest.raises(ValueError, match="random_state has no effect"):
        MultilabelStratifiedKFold(3, random_state=0)
    with pytest.raises(ValueError, match="label-indicator"):
        next(MultilabelStratifiedKFold(3).split(np.zeros(20), np.arange(20)))
    with pytest.raises(ValueError, match="needs y"):
        next(MultilabelStratifiedKFold(3).split(np.zeros(20), None))
    with pytest.raises(ValueError, match="inconsistent numbers of samples"):
        next(MultilabelStratifiedKFold(3).split(np.zeros(19), Y))
    with pytest.raises(ValueError, match="more than the 20 rows"):
        next(MultilabelStratifiedKFold(21).split(np.zeros(20), Y))
