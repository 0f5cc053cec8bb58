"""train_word2vec / load_word_vectors on a real subset of the department-triage questions."""

from collections import Counter

import numpy as np
import pytest
from sklearn.utils._param_validation import InvalidParameterError

from skmedtext.datasets import load_department_triage
from skmedtext.pretrain import load_word_vectors, train_word2vec
from skmedtext.text import JiebaTokenizer, segment

SMALL = dict(vector_size=24, epochs=3)


@pytest.fixture(scope="module")
def triage_texts(data_root):
    data = load_department_triage(data_home=data_root).data
    return list(np.random.RandomState(0).permutation(data)[:1200])


@pytest.fixture(scope="module")
def char_vectors(triage_texts):
    return train_word2vec(triage_texts, level="char", **SMALL)


def test_char_level_vectors_on_triage(triage_texts, char_vectors):
    wv = char_vectors
    assert wv.vector_size == 24 and wv.vectors.dtype == np.float32
    counts = Counter(u for t in triage_texts for u in segment(t, level="char", lowercase=True))
    frequent = [u for u, n in counts.most_common(50)]
    assert all(u in wv.key_to_index for u in frequent)
    assert all(len(u) == 1 for u in frequent if "\u4e00" <= u <= "\u9fff")
    # min_count=5 (Table 4): every unit in the vocabulary occurs at least 5 times
    assert min(wv.get_vecattr(k, "count") for k in wv.index_to_key) >= 5
    rare = [u for u, n in counts.items() if n < 5]
    assert rare and not any(u in wv.key_to_index for u in rare)
    # training moved the vectors away from gensim's uniform(-0.5, 0.5)/size start
    assert np.abs(wv["肝"]).max() > 0.5 / 24


def test_same_seed_same_vectors_other_seed_differs(triage_texts, char_vectors):
    again = train_word2vec(triage_texts, level="char", **SMALL)
    assert again.index_to_key == char_vectors.index_to_key
    np.testing.assert_array_equal(again.vectors, char_vectors.vectors)
    other = train_word2vec(triage_texts, level="char", seed=2, **SMALL)
    assert not np.array_equal(other.vectors, char_vectors.vectors)


@pytest.mark.parametrize("name", ["cmed_char.npz", "cmed_char.txt", "cmed_char.bin"])
def test_saved_file_reloads_identical(tmp_path, triage_texts, char_vectors, name):
    out = tmp_path / "vectors" / name
    wv = train_word2vec(triage_texts, level="char", out=out, **SMALL)
    assert out.is_file()
    loaded = load_word_vectors(out)
    assert loaded.index_to_key == wv.index_to_key == char_vectors.index_to_key
    np.testing.assert_array_equal(loaded.vectors, wv.vectors)
    assert load_word_vectors(str(out)).vector_size == 24


def test_word_level_keeps_dictionary_terms(triage_texts):
    texts = triage_texts[:600]
    wv = train_word2vec(texts, level="word", min_count=3, **SMALL)
    assert {"乙肝", "糖尿病", "高血压"} <= set(wv.key_to_index)
    assert all(len(k) >= 1 and " " not in k for k in wv.index_to_key)
    # a custom tokenizer (own dictionary) is used as given
    tok = JiebaTokenizer(dictionary=["乙肝小三阳"])
    wv_own = train_word2vec(texts, level="word", tokenizer=tok, min_count=2, **SMALL)
    assert "乙肝小三阳" in wv_own.key_to_index


def test_corpus_from_files_and_tokens(tmp_path, triage_texts):
    path = tmp_path / "corpus.txt"
    path.write_text("\n".join(t.replace("\n", " ") for t in triage_texts[:300]), encoding="utf-8")
    from_file = train_word2vec(path, **SMALL)
    from_list = train_word2vec([t.replace("\n", " ") for t in triage_texts[:300]], **SMALL)
    assert from_file.index_to_key == from_list.index_to_key
    np.testing.assert_array_equal(from_file.vectors, from_list.vectors)
    tokens = [["胸", "痛"], ["胸", "闷"]] * 5
    assert set(train_word2vec(tokens, **SMALL).index_to_key) == {"胸", "痛", "闷"}
    wv = train_word2vec(["胸痛"] * 6, tokenizer=lambda s: [s], vector_size=4)
    assert wv.index_to_key == ["胸痛"]


def test_errors(tmp_path):
    with pytest.raises(ValueError, match="min_count"):
        train_word2vec(["胸痛三天"], min_count=5)
    with pytest.raises(ValueError, match="missing"):
        train_word2vec(["胸痛", None])
    with pytest.raises(TypeError, match="bytes|decode"):
        train_word2vec(["胸痛", b"x"])
    with pytest.raises(TypeError, match="str"):
        train_word2vec(["胸痛", 3])
    with pytest.raises(ValueError):
        train_word2vec([])
    with pytest.raises(InvalidParameterError):
        train_word2vec(["胸痛"], level="sentence")
    with pytest.raises(InvalidParameterError):
        train_word2vec(["胸痛"], sg=2)
    with pytest.raises(ValueError, match="repeat"):
        train_word2vec(["胸痛"] * 6, word2vec_params={"window": 3})
    with pytest.raises(ValueError, match="level"):
        train_word2vec(["胸痛"] * 6, level="char", tokenizer=JiebaTokenizer(level="word"))
    with pytest.raises(TypeError, match="str tokens"):
        train_word2vec([["胸", 1]])
    with pytest.raises(FileNotFoundError, match="does not exist"):
        load_word_vectors(tmp_path / "missing.kv")
    with pytest.raises(InvalidParameterError):
        load_word_vectors(None)
