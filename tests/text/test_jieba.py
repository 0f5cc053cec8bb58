"""JiebaTokenizer, segment, the bundled medical dictionary and NEGATIONS."""

import pickle
import unicodedata

import jieba
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sklearn.base import clone
from sklearn.exceptions import NotFittedError
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV, StratifiedKFold
from sklearn.pipeline import make_pipeline
from sklearn.utils._param_validation import InvalidParameterError

from skmedtext.datasets import load_department_triage
from skmedtext.text import (
    NEGATIONS,
    NEGATIONS_EN,
    NEGATIONS_ZH,
    JiebaTokenizer,
    TextCleaner,
    contains_cjk,
    load_medical_dictionary,
    segment,
)

CONTROL = {"Cc", "Cf", "Cs"}
SLOW = list(HealthCheck)  # long strings are slow to generate and shrink; that is the point
SHUNT_TERMS = ["房间隔缺损", "动脉导管未闭", "卵圆孔未闭", "右心声学造影"]


@pytest.fixture(scope="module")
def word_tok():
    return JiebaTokenizer().fit()


@pytest.fixture(scope="module")
def plain_tok():
    return JiebaTokenizer(dictionary=None).fit()


# --------------------------------------------------------------------------- dictionary


def test_bundled_dictionary():
    terms = load_medical_dictionary()
    assert len(terms) >= 300
    assert len(set(terms)) == len(terms)
    assert all(contains_cjk(t) and not any(c.isspace() for c in t) for t in terms)
    for term in ["冠心病", "高血压", *SHUNT_TERMS, "心血管科", "肝病科", "风湿免疫科", "恩替卡韦"]:
        assert term in terms


@pytest.mark.parametrize("term", SHUNT_TERMS)
def test_dictionary_terms_stay_whole(word_tok, plain_tok, term):
    sentence = f"患者诊断为{term}，建议复查"
    assert term in word_tok.tokenize(sentence)
    # jieba's own dictionary splits it: the medical dictionary is what keeps it whole
    assert term not in plain_tok.tokenize(sentence)


def test_atrial_septal_defect_split_without_dictionary(plain_tok):
    assert plain_tok.tokenize("房间隔缺损") == ["房间隔", "缺损"]
    assert JiebaTokenizer().fit().tokenize("房间隔缺损") == ["房间隔缺损"]


def test_frequency_adjustment_after_loading():
    # A later, frequent sub-term splits the longer term unless frequencies are
    # adjusted after every term is loaded.
    entries = ["房间隔缺损", "房间隔 3000000"]
    sentence = "患者诊断为房间隔缺损"
    unadjusted = JiebaTokenizer(dictionary=entries, adjust_freq=False).fit()
    adjusted = JiebaTokenizer(dictionary=entries, adjust_freq=True).fit()
    assert "房间隔缺损" not in unadjusted.tokenize(sentence)
    assert "房间隔缺损" in adjusted.tokenize(sentence)


def test_dictionary_file_and_list(tmp_path):
    path = tmp_path / "my_dict.txt"
    path.write_text(
        "\ufeff# hospital terms\n\n右心声学造影阳性 5 n\n左房增大\n  ", encoding="utf-8"
    )
    tok = JiebaTokenizer(dictionary=path).fit()
    assert [e[0] for e in tok.dictionary_] == ["右心声学造影阳性", "左房增大"]
    assert tok.dictionary_[0] == ("右心声学造影阳性", 5, "n")
    assert "右心声学造影阳性" in tok.tokenize("结果：右心声学造影阳性，左房增大")
    assert "左房增大" in JiebaTokenizer(dictionary=str(path)).fit().tokenize("左房增大")
    listed = JiebaTokenizer(dictionary=load_medical_dictionary() + ["左房增大"]).fit()
    assert {"左房增大", "房间隔缺损"} <= set(listed.tokenize("房间隔缺损伴左房增大"))


@pytest.mark.parametrize(
    "dictionary, error, match",
    [
        (["heart failure"], ValueError, "cannot contain spaces"),
        (["心衰 many"], ValueError, "word \\[freq"),
        (["心衰 0"], ValueError, "frequency 0"),
        (["心衰", 3], TypeError, "must be str"),
        (["心衰", None], TypeError, "must be str"),
        ("no/such/file.txt", ValueError, "does not exist"),
        (b"bytes.txt", InvalidParameterError, "dictionary"),
    ],
)
def test_bad_dictionary(dictionary, error, match):
    with pytest.raises(error, match=match):
        JiebaTokenizer(dictionary=dictionary).fit()


def test_global_jieba_state_untouched():
    term = "肺动静脉瘘样改变"
    before = jieba.lcut(f"可见{term}")
    tok = JiebaTokenizer(dictionary=[term]).fit()
    assert term in tok.tokenize(f"可见{term}")
    assert term not in jieba.lcut(f"可见{term}")
    assert jieba.lcut(f"可见{term}") == before
    assert tok.jieba_tokenizer_ is not jieba.dt
    assert term not in jieba.dt.FREQ


# --------------------------------------------------------------------------- levels


def test_char_level():
    tok = JiebaTokenizer(level="char").fit()
    assert tok.tokenize("胸痛三天") == ["胸", "痛", "三", "天"]
    # English words and numbers stay whole at char level, lowercased
    assert tok.tokenize("患者CT示结节12.5mm，HBsAg(+)") == [
        "患", "者", "ct", "示", "结", "节", "12.5mm", "，", "hbsag", "(", "+", ")",
    ]  # fmt: skip
    assert JiebaTokenizer(level="char", lowercase=False).fit().tokenize("CT") == ["CT"]


def test_english_word_level(word_tok):
    tokens = word_tok.tokenize("Patient denies chest pain; COVID-19 negative, T 37.5. Don't smoke")
    assert tokens == [
        "patient", "denies", "chest", "pain", ";", "covid-19", "negative", ",", "t", "37.5",
        ".", "don't", "smoke",
    ]  # fmt: skip
    assert segment("Chest Pain") == ["Chest", "Pain"]  # segment keeps case unless asked


def test_mixed_chinese_english(word_tok):
    tokens = word_tok.tokenize("冠心病患者CT检查")
    assert tokens[:2] == ["冠心病", "患者"] and "ct" in tokens


def test_output_string_and_shapes():
    texts = ["胸痛三天", "Chest pain", ""]
    tok = JiebaTokenizer(level="char", output="string").fit(texts)
    out = tok.transform(texts)
    assert isinstance(out, np.ndarray) and out.dtype == object and out.shape == (3,)
    assert out.tolist() == ["胸 痛 三 天", "chest pain", ""]
    lists = JiebaTokenizer().fit_transform(texts)
    assert isinstance(lists, list) and len(lists) == 3 and lists[2] == []
    assert JiebaTokenizer().fit().transform([]) == []


def test_synonyms_word_and_char():
    syn = {"心梗": "心肌梗死", "AMI": "急性心肌梗死"}
    word = JiebaTokenizer(synonyms=syn).fit()
    assert word.tokenize("既往心梗病史") == ["既往", "心肌梗死", "病史"]
    char = JiebaTokenizer(level="char", synonyms=syn).fit()
    assert "".join(char.tokenize("既往心梗病史")) == "既往心肌梗死病史"
    with pytest.raises(ValueError, match="synonyms"):
        JiebaTokenizer(synonyms={"心 梗": "心肌梗死"}).fit()


# --------------------------------------------------------------------------- segment


def test_segment_defaults_and_errors():
    assert segment("患者诊断为动脉导管未闭") == ["患者", "诊断", "为", "动脉导管未闭"]
    assert segment("胸痛 三天\x00", level="char") == ["胸", "痛", "三", "天"]
    plain = JiebaTokenizer(dictionary=None).fit().jieba_tokenizer_
    assert segment("房间隔缺损", tokenizer=plain) == ["房间隔", "缺损"]
    with pytest.raises(ValueError, match="level"):
        segment("胸痛", level="sentence")
    for bad in (None, b"x", 1):
        with pytest.raises(TypeError):
            segment(bad)


def test_negations_kept_whole(word_tok):
    assert {"无", "否认", "未", "不", "没有"} <= NEGATIONS_ZH
    assert {"no", "not", "denies", "without"} <= NEGATIONS_EN
    assert NEGATIONS == NEGATIONS_ZH | NEGATIONS_EN
    tokens = word_tok.tokenize("否认高血压病史，心尖区未闻及杂音，双下肢无明显水肿")
    assert {"否认", "未闻及", "无明显"} <= set(tokens)
    tokens = JiebaTokenizer().fit().tokenize("No fever, denies pain")
    assert {t for t in tokens if t in NEGATIONS} == {"no", "denies"}


# --------------------------------------------------------------------------- API


def test_not_fitted_and_bad_input():
    with pytest.raises(NotFittedError):
        JiebaTokenizer().transform(["胸痛"])
    with pytest.raises(NotFittedError):
        JiebaTokenizer().tokenize("胸痛")
    tok = JiebaTokenizer().fit()
    with pytest.raises(ValueError, match="missing"):
        tok.transform(["胸痛", None])
    with pytest.raises(ValueError, match="missing"):
        tok.transform(["胸痛", float("nan")])
    with pytest.raises(TypeError, match="decode"):
        tok.transform(["胸痛", "发热".encode()])
    with pytest.raises(TypeError, match="str"):
        tok.transform(["胸痛", 5])
    with pytest.raises(TypeError, match="single str"):
        tok.transform("胸痛")
    with pytest.raises(ValueError, match="shape"):
        tok.transform(np.array([["a", "b"], ["c", "d"]], dtype=object))
    with pytest.raises(TypeError, match="must be a str"):
        tok.tokenize(None)
    with pytest.raises(ValueError, match="empty"):
        JiebaTokenizer().fit([])


@pytest.mark.parametrize(
    "params",
    [{"level": "sentence"}, {"output": "list"}, {"adjust_freq": "yes"}, {"synonyms": ["a"]}],
)
def test_invalid_params(params):
    with pytest.raises(InvalidParameterError):
        JiebaTokenizer(**params).fit()


def test_fit_returns_self_clone_and_determinism():
    tok = JiebaTokenizer(level="word", dictionary=["左房增大"])
    assert tok.fit(["胸痛"]) is tok
    cloned = clone(tok)
    assert not hasattr(cloned, "dictionary_")
    assert cloned.get_params() == tok.get_params()
    texts = ["左房增大，房间隔缺损", "Chest pain"]
    assert cloned.fit().transform(texts) == tok.transform(texts)


def test_pickle_round_trip_without_dictionary_file(tmp_path):
    path = tmp_path / "terms.txt"
    path.write_text("左房增大\n", encoding="utf-8")
    tok = JiebaTokenizer(dictionary=path, synonyms={"心梗": "心肌梗死"}).fit()
    texts = ["左房增大伴心梗", "房间隔缺损"]
    expected = tok.transform(texts)
    blob = pickle.dumps(tok)
    # jieba's 500k-word dictionary is not pickled: it is rebuilt from dictionary_
    assert len(blob) < 100_000
    path.unlink()
    restored = pickle.loads(blob)
    assert restored.transform(texts) == expected
    assert restored.get_params()["dictionary"] == path


def test_pipeline_grid_search_on_triage(data_root):
    bunch = load_department_triage(data_home=data_root)
    rng = np.random.RandomState(0)
    keep = np.isin(bunch.target, ["肝病科", "心血管科", "内分泌科"])
    idx = rng.permutation(np.flatnonzero(keep))[:240]
    X, y = bunch.data[idx], bunch.target[idx]
    pipe = make_pipeline(
        TextCleaner(),
        JiebaTokenizer(output="string"),
        TfidfVectorizer(analyzer=str.split),
        LogisticRegression(max_iter=200),
    )
    search = GridSearchCV(
        pipe, {"jiebatokenizer__level": ["char", "word"]}, cv=StratifiedKFold(3), scoring="accuracy"
    )
    search.fit(X, y)
    # three departments, balanced-ish chance is about 1/3; both levels learn
    assert search.cv_results_["mean_test_score"].min() > 0.5
    # dictionary terms of real questions come out whole
    tokens = JiebaTokenizer().fit().transform(X)
    dictionary = set(load_medical_dictionary())
    found = {t for doc in tokens for t in doc if t in dictionary and len(t) >= 3}
    assert len(found) >= 5


# --------------------------------------------------------------------------- fuzzing

any_text = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=300)


def _clean_tokens(tokens):
    return all(
        tok and not any(c.isspace() or unicodedata.category(c) in CONTROL for c in tok)
        for tok in tokens
    )


@settings(max_examples=100, deadline=None, database=None, suppress_health_check=SLOW)
@given(text=any_text)
def test_fuzz_tokenizers(word_tok, text):
    assert _clean_tokens(word_tok.tokenize(text))
    assert _clean_tokens(segment(text, level="char"))
    assert _clean_tokens(segment(text, level="word", lowercase=True))


@settings(max_examples=3, deadline=None, database=None, suppress_health_check=SLOW)
@given(seed=st.text(alphabet=st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=40))
def test_fuzz_100k_chars(word_tok, seed):
    text = (seed * (100_000 // len(seed) + 1))[:100_000]
    assert _clean_tokens(word_tok.tokenize(text))
    assert _clean_tokens(segment(text, level="char"))
