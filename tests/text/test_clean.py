"""clean_text / TextCleaner: what is removed, what is deliberately kept, API conventions."""

import pickle
import unicodedata

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sklearn.base import clone
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.pipeline import make_pipeline
from sklearn.utils._param_validation import InvalidParameterError

from skmedtext.text import TextCleaner, clean_text, strip_controls

CONTROL = {"Cc", "Cf", "Cs"}
SLOW = list(HealthCheck)  # long strings are slow to generate and shrink; that is the point


def has_control(text, allowed=""):
    return any(unicodedata.category(ch) in CONTROL and ch not in allowed for ch in text)


# --------------------------------------------------------------------------- clean_text


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("胸痛\x00三天\x07", "胸痛三天"),  # control characters deleted
        ("胸痛\u200b三天\ufeff", "胸痛三天"),  # zero-width space and BOM (Cf) deleted
        ("胸痛\t\t三天\r\n伴   胸闷", "胸痛 三天 伴 胸闷"),  # whitespace runs -> one space
        ("  发热  ", "发热"),
        ("头痛！！！", "头痛！"),  # repeated punctuation shortened
        ("头痛。。。。", "头痛。"),
        ("why???", "why?"),
        ("尿蛋白(+++)", "尿蛋白(+++)"),  # symbols are grades: kept
        ("ALT↑↑", "ALT↑↑"),
        ("ＣＴ示：１２ｍｍ结节", "CT示：12mm结节"),  # full-width letters/digits -> half
        ("体温３８．５℃", "体温38.5°C"),
        ("胸痛\u3000三天", "胸痛 三天"),  # ideographic space
        ("WBC 10⁹/L, 1½ 片, m²", "WBC 10⁹/L, 1½ 片, m²"),  # superscripts, fractions kept
        ("①高血压②糖尿病", "①高血压②糖尿病"),  # circled list markers kept
        ("无胸痛，有发热；否认高血压？", "无胸痛，有发热；否认高血压？"),  # Chinese punctuation kept
    ],
)
def test_clean_text_defaults(raw, expected):
    assert clean_text(raw) == expected


def test_plain_nfkc_changes_values_that_safe_mode_keeps():
    # The reason for the "safe" default: NFKC turns 10^9/L into 109/L.
    assert clean_text("10⁹/L ①", normalize="nfkc") == "109/L 1"
    assert clean_text("10⁹/L ①") == "10⁹/L ①"
    assert clean_text("ＣＴ", normalize=None) == "ＣＴ"


def test_cjk_punctuation_ascii():
    out = clean_text("无胸痛，有发热。否认【高血压】：“是”！", cjk_punctuation="ascii")
    assert out == '无胸痛,有发热.否认[高血压]:"是"!'
    # without normalisation the sentence punctuation is still mapped
    assert clean_text("胸痛，发热", normalize=None, cjk_punctuation="ascii") == "胸痛,发热"


def test_newlines_and_cjk_spaces():
    text = "主诉：胸痛\r\n\r\n  现病史：三天前 出现\n胸闷"
    assert clean_text(text, keep_newlines=True) == "主诉：胸痛\n现病史：三天前 出现\n胸闷"
    assert clean_text(text, remove_cjk_spaces=True) == "主诉：胸痛现病史：三天前出现胸闷"
    # spaces between Latin words stay
    assert clean_text("chest  pain 胸 痛", remove_cjk_spaces=True) == "chest pain 胸痛"


def test_other_options():
    assert clean_text("Chest PAIN", lowercase=True) == "chest pain"
    assert clean_text("a!!!b", max_punct_repeat=2) == "a!!b"
    assert clean_text("a!!!b", max_punct_repeat=None) == "a!!!b"
    assert clean_text("a  b", collapse_whitespace=False) == "a  b"
    assert clean_text("a\x00b", remove_controls=False) == "a\x00b"
    assert clean_text("") == ""


@pytest.mark.parametrize("bad", [None, b"chest pain", 3, 1.5, ["a"]])
def test_clean_text_rejects_non_str(bad):
    with pytest.raises(TypeError, match="must be a str"):
        clean_text(bad)


def test_clean_text_bytes_hint():
    with pytest.raises(TypeError, match="decode"):
        clean_text("胸痛".encode())


def test_strip_controls():
    assert strip_controls("a\x00b\u200cc\td") == "abcd"


# --------------------------------------------------------------------------- TextCleaner


def test_text_cleaner_matches_clean_text():
    texts = ["胸痛  三天。。。", "ＨＢｓＡｇ (+)", "Chest\x00 pain!!"]
    cleaner = TextCleaner(lowercase=True)
    assert cleaner.fit(texts) is cleaner
    out = cleaner.transform(texts)
    assert isinstance(out, np.ndarray) and out.dtype == object and out.shape == (3,)
    assert out.tolist() == [clean_text(t, lowercase=True) for t in texts]
    # stateless: transform without fit works and gives the same
    assert TextCleaner(lowercase=True).transform(texts).tolist() == out.tolist()
    assert TextCleaner().transform([]).shape == (0,)


def test_text_cleaner_bad_input():
    cleaner = TextCleaner()
    with pytest.raises(ValueError, match="missing"):
        cleaner.transform(["a", None])
    with pytest.raises(TypeError, match="bytes|decode"):
        cleaner.transform(["a", b"b"])
    with pytest.raises(TypeError, match="str"):
        cleaner.transform(["a", 3])
    with pytest.raises(TypeError, match="single str"):
        cleaner.transform("a single text")
    with pytest.raises(ValueError, match="empty"):
        cleaner.fit([])


@pytest.mark.parametrize(
    "params",
    [
        {"normalize": "NFKD"},
        {"cjk_punctuation": "zh"},
        {"max_punct_repeat": 0},
        {"lowercase": "yes"},
    ],
)
def test_text_cleaner_invalid_params(params):
    with pytest.raises(InvalidParameterError):
        TextCleaner(**params).fit(["a"])
    with pytest.raises(InvalidParameterError):
        TextCleaner(**params).transform(["a"])


def test_text_cleaner_clone_pickle_pipeline():
    cleaner = TextCleaner(keep_newlines=True, max_punct_repeat=2)
    assert clone(cleaner).get_params() == cleaner.get_params()
    restored = pickle.loads(pickle.dumps(cleaner.fit(["x"])))
    assert restored.transform(["a!!!!\n\nb"]).tolist() == ["a!!\nb"]
    pipe = make_pipeline(TextCleaner(lowercase=True), TfidfVectorizer())
    X = pipe.fit_transform(["Chest  PAIN!!!", "chest pain", "fever"])
    assert X.shape[0] == 3 and "pain" in pipe[-1].vocabulary_


# --------------------------------------------------------------------------- fuzzing

# Arbitrary code points except lone surrogates (not valid in UTF-8 text); control
# and format characters, combining marks, full-width forms and CJK are all drawn.
any_text = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=300)
medical_ish = st.text(
    alphabet=st.sampled_from(list("胸痛发热，。！!？?  \t\n\x00\u200bＣＴ１２+↑⁹①…—abcXYZ.-")),
    max_size=200,
)


@settings(max_examples=150, deadline=None, database=None, suppress_health_check=SLOW)
@given(text=st.one_of(any_text, medical_ish))
def test_fuzz_clean_text_no_controls_and_idempotent(text):
    out = clean_text(text)
    assert isinstance(out, str)
    assert not has_control(out)
    assert out == out.strip() and "  " not in out
    assert clean_text(out) == out
    ascii_out = clean_text(text, cjk_punctuation="ascii", keep_newlines=True, lowercase=True)
    assert not has_control(ascii_out, allowed="\n")  # keep_newlines keeps line breaks
    assert "\n\n" not in ascii_out


@settings(max_examples=5, deadline=None, database=None, suppress_health_check=SLOW)
@given(seed=st.text(alphabet=st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=50))
def test_fuzz_clean_text_100k_chars(seed):
    text = (seed * (100_000 // len(seed) + 1))[:100_000]
    out = clean_text(text, remove_cjk_spaces=True)
    assert len(out) <= 100_000 * 18  # NFKC expands a character to at most 18
    assert not has_control(out)
