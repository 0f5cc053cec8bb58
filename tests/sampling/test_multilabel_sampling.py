"""Multi-label over-sampling: MLSMOTE's measures, the plan, SAAN and vocabulary augmentation."""

import numpy as np
import pytest
import scipy.sparse as sp
from imblearn.pipeline import make_pipeline
from sklearn.linear_model import LogisticRegression
from sklearn.multiclass import OneVsRestClassifier

from skmedtext.augment import VocabularyAugmenter
from skmedtext.sampling import SAANSampler
from skmedtext.utils import (
    check_multilabel_target,
    draw_seed_rows,
    is_multilabel_target,
    label_imbalance,
    multilabel_sampling_targets,
)

# counts 12, 4, 2; two rows without a label
Y = np.array(
    [[1, 0, 0]] * 8 + [[1, 1, 0]] * 3 + [[0, 1, 1]] + [[1, 0, 1]] + [[0, 0, 0]] * 2
)
TEXTS = [
    "mild fever and cough for two days",
    "patient denies chest pain today",
    "severe headache with mild nausea",
    "chest pain with mild cough at night",
    "fever resolved after two days of rest",
] * 3


def test_imbalance_measures_by_hand():
    irlbl, mean_ir = label_imbalance(Y)
    counts = np.array([12, 4, 2])
    np.testing.assert_allclose(irlbl, counts.max() / counts)
    assert mean_ir == pytest.approx(np.mean([1, 3, 6]))


def test_sampling_targets():
    # MeanIR = 10/3; minority: label 2 (IRLbl 6); level ceil(12 / (10/3)) = 4
    assert multilabel_sampling_targets(Y, "auto") == {2: 2}
    assert multilabel_sampling_targets(Y, "minority") == {2: 2}
    assert multilabel_sampling_targets(Y, 1.0) == {2: 10, 1: 8}
    assert multilabel_sampling_targets(Y, {1: 5, 2: 2}) == {1: 1}
    with pytest.raises(ValueError, match="below the 4 rows"):
        multilabel_sampling_targets(Y, {1: 3})
    with pytest.raises(ValueError, match="label column indices 0..2"):
        multilabel_sampling_targets(Y, {"b": 5})
    with pytest.raises(ValueError, match=r"\(0, 1\]"):
        multilabel_sampling_targets(Y, 1.5)
    with pytest.raises(ValueError, match="'auto', 'minority'"):
        multilabel_sampling_targets(Y, "not majority")


def test_seed_rows_use_every_carrier_in_turn():
    seeds, labels = draw_seed_rows(Y, {2: 5, 1: 2}, np.random.RandomState(0))
    assert labels.tolist() == [2] * 5 + [1] * 2
    carriers = np.flatnonzero(Y[:, 2])
    assert set(seeds[:5]) == set(carriers)
    assert np.bincount(seeds[:5], minlength=Y.shape[0])[carriers].tolist() in (
        [3, 2],
        [2, 3],
    )
    assert Y[seeds[5:], 1].all()


def test_target_checks():
    assert is_multilabel_target(Y) and is_multilabel_target(sp.csr_matrix(Y))
    assert not is_multilabel_target(np.eye(3, dtype=int))  # one-vs-all encoding
    assert not is_multilabel_target([0, 1, 1]) and not is_multilabel_target([[0.5, 1]])
    with pytest.raises(ValueError, match=r"label column\(s\) 2 of y never occur"):
        check_multilabel_target(
            np.c_[Y[:, :2], np.zeros(len(Y), int)], estimator_name="E"
        )
    with pytest.raises(ValueError, match="no row of the multi-label y"):
        check_multilabel_target(np.zeros((3, 2), int), estimator_name="E")
    with pytest.raises(ValueError, match="X has 4 rows but y has 15"):
        check_multilabel_target(Y, estimator_name="E", n_samples=4)


def _vectors(seed=0):
    rng = np.random.RandomState(seed)
    return rng.normal(size=(len(Y), 6)) + 3 * Y @ rng.normal(size=(3, 6))


def test_saan_multilabel_vectors_label_sets_by_vote():
    X = _vectors()
    sampler = SAANSampler(epochs=2, n_tokens=2, random_state=0, sampling_strategy=1.0)
    X_res, Y_res = sampler.fit_resample(X, Y)
    assert X_res.shape == (len(Y) + 18, 6) and Y_res.shape == (len(Y) + 18, 3)
    np.testing.assert_array_equal(X_res[: len(Y)], X)
    np.testing.assert_array_equal(Y_res[: len(Y)], Y)
    assert sampler.synthetic_labels_.tolist() == [2] * 10 + [1] * 8
    new = Y_res[len(Y) :]
    # every row carries the label it was made for; label 1's neighbours mostly carry 0 too
    assert new[np.arange(18), sampler.synthetic_labels_].all()
    assert new[10:, 0].all()
    assert sampler.synthetic_mask_.sum() == 18 and not hasattr(
        sampler, "synthetic_classes_"
    )
    # sparse y comes back sparse
    _, Y_sparse = SAANSampler(epochs=1, random_state=0).fit_resample(
        X, sp.csr_matrix(Y)
    )
    assert sp.issparse(Y_sparse) and Y_sparse.shape[1] == 3


def test_saan_multilabel_errors_and_single_label_unchanged():
    X = _vectors()
    few = Y.copy()
    few[12, 2] = 0  # label 2 on one row only
    with pytest.raises(ValueError, match="label column 2 has 1"):
        SAANSampler(epochs=1).fit_resample(X, few)
    with pytest.raises(ValueError, match="never occur"):
        SAANSampler(epochs=1).fit_resample(X, np.c_[Y, np.zeros(len(Y), int)])
    with pytest.raises(ValueError, match="epochs"):
        SAANSampler(epochs=0).fit_resample(X, Y)
    # one-vs-all encoded y keeps imbalanced-learn's multi-class reading
    onehot = np.eye(3, dtype=int)[[0] * 9 + [1] * 3 + [2] * 3]
    _, y_res = SAANSampler(epochs=1, random_state=0).fit_resample(X, onehot)
    assert y_res.sum(axis=1).tolist() == [1] * len(y_res)
    assert y_res.sum(axis=0).tolist() == [9, 9, 9]


def test_saan_refuses_a_continuous_y():
    # the half of imbalanced-learn's check_target_type that still applies
    with pytest.raises(ValueError, match="Unknown label type"):
        SAANSampler(epochs=1).fit_resample(np.random.random((20, 2)), np.linspace(0, 1, 20))


def test_saan_multilabel_in_imblearn_pipeline():
    X = _vectors(1)
    pipe = make_pipeline(
        SAANSampler(epochs=1, random_state=0), OneVsRestClassifier(LogisticRegression())
    )
    pipe.fit(X, Y)
    assert pipe.predict(X).shape == Y.shape


def test_vocabulary_multilabel_seed_label_sets_and_pipeline():
    from sklearn.feature_extraction.text import TfidfVectorizer

    aug = VocabularyAugmenter(
        synonyms={"mild": ["slight"], "severe": ["intense"], "fever": ["pyrexia"]},
        p_substitute=0.5,
        random_state=0,
        sampling_strategy=1.0,
    )
    X_res, Y_res = aug.fit_resample(TEXTS, Y)
    assert isinstance(X_res, list) and len(X_res) == len(TEXTS) + 18
    assert X_res[: len(TEXTS)] == TEXTS
    sources = aug.augmentation_log_["source"]
    np.testing.assert_array_equal(
        Y_res[len(TEXTS) :], Y[sources]
    )  # the seed's label set
    assert Y[sources, aug.synthetic_labels_].all()
    assert aug.sampling_strategy_ == {2: 10, 1: 8}
    pipe = make_pipeline(
        VocabularyAugmenter(synonyms={"mild": ["slight"]}, random_state=0),
        TfidfVectorizer(),
        OneVsRestClassifier(LogisticRegression()),
    )
    assert pipe.fit(TEXTS, Y).predict(TEXTS).shape == Y.shape
    # candidate_scope='class' takes words from the records of the label grown
    scoped = VocabularyAugmenter(
        synonyms="word2vec",
        candidate_scope="class",
        random_state=0,
        word2vec_params={"min_count": 1},
    )
    _, Y_scoped = scoped.fit_resample(TEXTS, Y)
    assert Y_scoped.shape[1] == 3
    with pytest.raises(ValueError, match="sampling_strategy must be 'auto'"):
        VocabularyAugmenter(sampling_strategy="all").fit_resample(TEXTS, Y)


def test_saan_multilabel_messages_name_labels():
    import pickle

    from skmedtext.sampling import SAANDivergenceError

    X = _vectors()
    sampler = SAANSampler(epochs=2, lr=1e30, random_state=0, sampling_strategy={2: 4})
    with pytest.raises(SAANDivergenceError, match=r"diverged for label column 2 at epoch 1") as info:
        sampler.fit_resample(X, Y)
    assert "class" not in str(info.value)
    assert (info.value.label, info.value.epoch) == (2, 1)
    # the structured error survives pickling (joblib workers), message included
    assert str(pickle.loads(pickle.dumps(info.value))) == str(info.value)
    with pytest.raises(ValueError, match="label column 2 has 1") as info:
        few = Y.copy()
        few[12, 2] = 0
        SAANSampler(epochs=1).fit_resample(X, few)
    assert "class" not in str(info.value)
