"""Word2VecEmbedder: gensim word2vec trained on real triage questions, or loaded."""

import pickle
import re
from collections import Counter

import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import balanced_accuracy_score
from sklearn.pipeline import make_pipeline

from skmedtext.datasets import load_department_triage
from skmedtext.embeddings import Word2VecEmbedder
from skmedtext.text import segment

SMALL = dict(vector_size=16, min_count=2, random_state=0)


@pytest.fixture(scope="module")
def triage(data_root):
    X, y = load_department_triage(data_home=data_root, return_X_y=True)
    order = np.random.RandomState(0).permutation(len(X))
    return np.asarray(X, dtype=object)[order], np.asarray(y)[order]


@pytest.fixture(scope="module")
def texts(triage):
    return triage[0][:300]


@pytest.fixture(scope="module")
def fitted(texts):
    return Word2VecEmbedder(**SMALL).fit(texts)


def test_matrix_layout_and_space(fitted, texts):
    V, d = len(fitted.vocabulary_), fitted.n_features_out_
    assert d == 16 and V > 100  # several hundred distinct characters occur twice
    assert fitted.embedding_matrix_.shape == (V + 2, d)
    assert fitted.embedding_matrix_.dtype == np.float32
    assert not fitted.embedding_matrix_[0].any()  # padding row
    assert np.allclose(fitted.embedding_matrix_[1], fitted.embedding_matrix_[2:].mean(0))
    assert sorted(fitted.vocabulary_.values()) == list(range(2, V + 2))
    assert re.fullmatch(r"word2vec:char-16-[0-9a-f]{12}", fitted.embedding_space_)
    # min_count: exactly the units seen at least twice in the texts are kept
    counts = Counter(unit for t in texts for unit in segment(t, "char"))
    assert {unit for unit, c in counts.items() if c >= 2} == set(fitted.vocabulary_)


def test_same_random_state_same_vectors_and_space(fitted, texts):
    again = Word2VecEmbedder(**SMALL).fit(texts)
    np.testing.assert_array_equal(again.embedding_matrix_, fitted.embedding_matrix_)
    assert again.embedding_space_ == fitted.embedding_space_
    other = Word2VecEmbedder(**{**SMALL, "random_state": 1}).fit(texts)
    assert other.embedding_space_ != fitted.embedding_space_
    assert not np.allclose(other.embedding_matrix_, fitted.embedding_matrix_)


def test_mean_output(fitted):
    X = ["头痛三天", "\u2603\u2604", "胸闷"]  # the middle text has only unknown characters
    out = fitted.transform(X)
    assert out.shape == (3, 16) and out.dtype == np.float32
    expected = fitted.embedding_matrix_[
        [fitted.vocabulary_[c] for c in "头痛三天" if c in fitted.vocabulary_]
    ]
    np.testing.assert_allclose(out[0], expected.mean(0), rtol=1e-6)
    assert not out[1].any()
    assert list(fitted.get_feature_names_out()[:2]) == ["word2vec0", "word2vec1"]


def test_sequence_output_and_indices(fitted):
    # a fitted copy with other output settings (set_params keeps the fitted vectors)
    emb = pickle.loads(pickle.dumps(fitted)).set_params(output="sequence", max_length=6)
    X = ["头痛", "\u2603头痛胸闷心慌气短咳嗽"]
    seq = emb.transform(X)
    ids = emb.to_indices(X)
    assert seq.shape == (2, 6, 16) and seq.dtype == np.float32
    assert [len(i) for i in ids] == [2, 6]  # truncated to max_length
    assert ids[1][0] == 1  # the unknown character
    np.testing.assert_array_equal(seq[1], fitted.embedding_matrix_[ids[1]])
    np.testing.assert_array_equal(seq[0, :2], fitted.embedding_matrix_[ids[0]])
    assert not seq[0, 2:].any()  # zero padding
    assert seq[1, 0].any()  # the unknown vector is not mistaken for padding
    with pytest.raises(AttributeError, match="output='mean'"):
        emb.get_feature_names_out()


def test_word_level_uses_jieba_words(texts):
    emb = Word2VecEmbedder(level="word", **SMALL).fit(texts)
    assert emb.embedding_space_.startswith("word2vec:word-16-")
    assert any(len(token) >= 2 for token in emb.vocabulary_)
    assert "高血压" in emb.vocabulary_


def test_loaded_vectors_reproduce_the_trained_space(fitted, texts, tmp_path):
    from gensim.models import KeyedVectors

    wv = KeyedVectors(vector_size=16)
    keys = sorted(fitted.vocabulary_, key=fitted.vocabulary_.get)
    wv.add_vectors(keys, fitted.embedding_matrix_[2:])
    path = tmp_path / "vectors.bin"  # binary word2vec: exact float32, no pickle
    wv.save_word2vec_format(str(path), binary=True)
    for source in (wv, str(path)):
        loaded = Word2VecEmbedder(vectors=source, min_count=10_000).fit(texts[:3])
        assert loaded.embedding_space_ == fitted.embedding_space_
        np.testing.assert_array_equal(loaded.embedding_matrix_, fitted.embedding_matrix_)
    text_path = tmp_path / "vectors.txt"
    wv.save_word2vec_format(str(text_path))
    loaded = Word2VecEmbedder(vectors=text_path).fit(texts[:3])
    np.testing.assert_allclose(loaded.embedding_matrix_, fitted.embedding_matrix_, atol=1e-5)


def test_mean_vectors_feed_a_linear_model_above_chance(triage):
    X, y = triage
    keep = np.isin(y, ["肝病科", "消化科", "神经科", "心血管科"])
    X, y = X[keep], y[keep]
    pipe = make_pipeline(
        Word2VecEmbedder(vector_size=32, min_count=3, epochs=10, random_state=0),
        LogisticRegression(max_iter=2000, class_weight="balanced"),
    )
    pipe.fit(X[:1200], y[:1200])
    score = balanced_accuracy_score(y[1200:1600], pipe.predict(X[1200:1600]))
    # 4 balanced-scored classes: chance is 0.25; measured about 0.95 for seeds 0-2
    assert score > 0.6


@pytest.mark.parametrize(
    "params, error, match",
    [
        (dict(level="sentence"), ValueError, "level"),
        (dict(output="pooled"), ValueError, "output"),
        (dict(vector_size=0), ValueError, "vector_size"),
        (dict(sg=2), ValueError, "sg"),
        (dict(min_count=10_000), ValueError, "min_count"),
        (dict(vectors=3.5), TypeError, "vectors"),
        (dict(vectors="/nonexistent/vectors.kv"), FileNotFoundError, "does not exist"),
    ],
)
def test_bad_parameters_raise_clear_errors(texts, params, error, match):
    with pytest.raises(error, match=match):
        Word2VecEmbedder(**params).fit(texts[:50])


def test_bad_input_and_not_fitted(texts):
    from sklearn.exceptions import NotFittedError

    with pytest.raises(NotFittedError):
        Word2VecEmbedder().transform(["头痛"])
    with pytest.raises(TypeError, match="single str"):
        Word2VecEmbedder().fit("头痛")
    with pytest.raises(ValueError, match="missing"):
        Word2VecEmbedder().fit(["头痛", None])


def test_pickle_round_trip(fitted):
    restored = pickle.loads(pickle.dumps(fitted))
    X = ["头痛三天伴恶心", "胸闷气短"]
    np.testing.assert_array_equal(restored.transform(X), fitted.transform(X))
    assert restored.embedding_space_ == fitted.embedding_space_
