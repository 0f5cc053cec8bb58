"""DMTBertClassifier on the shared training core: learning, the co-occurrence task, API."""

import pickle

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.dummy import DummyClassifier
from sklearn.metrics import f1_score
from sklearn.model_selection import GridSearchCV, StratifiedKFold

from skmedtext import SyntheticSequence
from skmedtext.datasets import load_medical_abstracts
from skmedtext.models import DMTBertClassifier
from skmedtext.models._cooccurrence import (
    TermMatcher,
    cooccurring_pairs,
    extract_disease_terms,
    token_spans,
)

TINY = dict(max_length=32, max_epochs=1, batch_size=16, random_state=0)


@pytest.fixture(scope="module")
def abstracts(data_root):
    bunch = load_medical_abstracts(data_home=data_root)
    X = np.asarray(bunch.data, dtype=object)
    y = np.asarray(bunch.target)
    order = np.random.RandomState(0).permutation(len(X))
    return X[order], y[order]


@pytest.fixture(scope="module")
def small(abstracts):
    X, y = abstracts
    return X[:48], y[:48]


# -- the co-occurrence definitions ------------------------------------------------
def test_extractor_mines_english_and_chinese_disease_terms():
    texts = [
        "chronic hepatitis with cirrhosis and lymphoma",
        "hepatitis and lymphoma in the elderly",
        "患者有冠心病和高血压病史",
        "冠心病，高血压病，糖尿病",
    ]
    terms = extract_disease_terms(texts, min_term_records=2)
    assert "hepatitis" in terms and "lymphoma" in terms
    assert "冠心病" in terms
    assert "elderly" not in terms and "chronic" not in terms


def test_cooccurrence_labels_follow_min_cooccur():
    matcher = TermMatcher(["hepatitis", "cirrhosis", "lymphoma"])
    records = [
        "hepatitis and cirrhosis",
        "cirrhosis after hepatitis",
        "hepatitis and lymphoma",
    ]
    ids = {t: i for i, t in enumerate(matcher.terms)}
    pairs = cooccurring_pairs((matcher.find(t) for t in records), min_cooccur=2)
    assert tuple(sorted((ids["hepatitis"], ids["cirrhosis"]))) in pairs
    assert tuple(sorted((ids["hepatitis"], ids["lymphoma"]))) not in pairs
    assert len(cooccurring_pairs((matcher.find(t) for t in records), min_cooccur=1)) == 2


def test_token_spans_cover_the_mention():
    from transformers import AutoTokenizer

    from skmedtext.encoders import resolve_encoder

    tokenizer = AutoTokenizer.from_pretrained(resolve_encoder("minilm-en").path)
    text = "acute hepatitis today"
    matcher = TermMatcher(["hepatitis"])
    enc = tokenizer(text, return_offsets_mapping=True)
    spans = token_spans(enc["offset_mapping"], matcher.find(text))
    assert len(spans) == 1
    start, end, term = spans[0]
    pieces = tokenizer.convert_ids_to_tokens(enc["input_ids"][start:end])
    assert "".join(p.lstrip("#") for p in pieces) == "hepatitis"


# -- learning on real data -----------------------------------------------------------
@pytest.mark.slow
def test_learns_medical_abstracts_above_chance(abstracts):
    X, y = abstracts
    train, test = slice(0, 256), slice(256, 496)
    # full fine-tuning: with 48 steps the default top-2-layer setting is still far behind
    clf = DMTBertClassifier(
        max_length=48, max_epochs=3, batch_size=16, lr=1e-4, pooling="mean", random_state=0,
        trainable_layers=None,
    ).fit(X[train], y[train])
    macro = f1_score(y[test], clf.predict(X[test]), average="macro")
    dummy = DummyClassifier(strategy="stratified", random_state=0).fit(X[train], y[train])
    chance = f1_score(y[test], dummy.predict(X[test]), average="macro")
    assert macro > chance + 0.15, (macro, chance)


def test_auxiliary_loss_falls_during_training(abstracts):
    X, y = abstracts
    clf = DMTBertClassifier(
        max_length=48, max_epochs=3, batch_size=16, lr=1e-4, lambda_cooc=1.0, random_state=0
    ).fit(X[:96], y[:96])
    aux = clf.history_[:, "train_aux_loss"]
    assert len(clf.cooccurring_pairs_) > 0
    assert aux[-1] < aux[0], aux


def test_lambda_cooc_zero_is_the_single_task_model(small):
    X, y = small
    clf = DMTBertClassifier(lambda_cooc=0.0, **TINY).fit(X, y)
    assert clf.disease_terms_ == []
    assert "train_aux_loss" not in clf.history_[-1]


# -- synthetic rows --------------------------------------------------------------------
def test_synthetic_rows_in_the_input_embedding_space_are_accepted(small):
    X, y = small
    probe = DMTBertClassifier(**TINY).fit(X[:16], y[:16])
    rng = np.random.RandomState(0)
    synth = [
        SyntheticSequence(rng.normal(0, 0.05, (12, 384)), probe.embedding_space_, label=y[0])
        for _ in range(4)
    ]
    X_mixed = np.empty(len(X) + 4, dtype=object)
    X_mixed[: len(X)] = X
    X_mixed[len(X) :] = synth
    y_mixed = np.concatenate([y, [y[0]] * 4])
    clf = DMTBertClassifier(**TINY).fit(X_mixed, y_mixed)
    assert clf.predict(X[:5]).shape == (5,)


def test_synthetic_rows_from_another_space_are_refused(small):
    X, y = small
    X_mixed = np.empty(len(X) + 1, dtype=object)
    X_mixed[: len(X)] = X
    X_mixed[-1] = SyntheticSequence(np.zeros((3, 384)) + 0.1, "word2vec:char-384-abc", label=y[0])
    with pytest.raises(ValueError, match="space"):
        DMTBertClassifier(**TINY).fit(X_mixed, np.append(y, y[0]))


# -- scikit-learn conventions ----------------------------------------------------------
def test_pickle_clone_determinism_and_labels(small):
    X, y = small
    labels = np.array(["neo", "dig", "ner", "car", "gen"], dtype=object)[y - 1]
    clf = DMTBertClassifier(**TINY).fit(X, labels)
    assert set(clf.classes_) <= set(labels)
    proba = clf.predict_proba(X)
    assert proba.shape == (len(X), clf.classes_.size)
    np.testing.assert_allclose(proba.sum(1), 1.0, rtol=1e-5)
    again = clone(clf).fit(X, labels)
    np.testing.assert_array_equal(again.predict_proba(X), proba)
    restored = pickle.loads(pickle.dumps(clf))
    np.testing.assert_array_equal(restored.predict_proba(X), proba)
    assert restored.predict(X).dtype == labels.dtype


def test_grid_search_with_stratified_kfold(small):
    X, y = small
    grid = GridSearchCV(
        DMTBertClassifier(**TINY),
        {"pooling": ["cls", "mean"]},
        cv=StratifiedKFold(2, shuffle=True, random_state=0),
        scoring="f1_macro",
    ).fit(X, y)
    assert grid.best_params_["pooling"] in ("cls", "mean")


def test_validation_split_and_early_stopping(small):
    X, y = small
    X2, y2 = np.concatenate([X, X]), np.concatenate([y, y])
    clf = DMTBertClassifier(
        **{**TINY, "max_epochs": 2}, validation_fraction=0.25, n_iter_no_change=1
    ).fit(X2, y2)
    assert "valid_loss" in clf.history_[-1]


@pytest.mark.parametrize(
    "X, y, error, match",
    [
        ([], [], ValueError, "empty"),
        (["a", None, "c"], [0, 1, 0], ValueError, "None|missing"),
        (["a", 3, "c"], [0, 1, 0], TypeError, "str"),
        (["a", "b", "c"], [0, 1], ValueError, "length|samples"),
        (["a", "b", "c"], [1, 1, 1], ValueError, "2 classes"),
    ],
)
def test_bad_input_is_rejected_clearly(X, y, error, match):
    with pytest.raises(error, match=match):
        DMTBertClassifier(**TINY).fit(X, y)


def test_bad_parameters_are_rejected():
    with pytest.raises(ValueError, match="pooling"):
        DMTBertClassifier(pooling="max", **TINY).fit(["a b", "c d"], [0, 1])
    with pytest.raises(ValueError, match="n_iter_no_change"):
        DMTBertClassifier(n_iter_no_change=2, **TINY).fit(["a b", "c d"], [0, 1])


def test_very_long_texts_are_truncated_not_fatal(small):
    X, y = small
    clf = DMTBertClassifier(**TINY).fit(X, y)
    assert clf.predict(["fever " * 20000]).shape == (1,)
