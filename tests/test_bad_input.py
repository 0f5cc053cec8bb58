"""Bad input, everywhere: every public estimator and loader gets a clear error naming the
problem, or a documented behaviour that is tested here (see docs/reliability.md).

Documented behaviours (not errors):

- ``transform``/``predict`` of zero rows: transformers return an empty result,
  classifiers raise ``ValueError`` (as scikit-learn classifiers do);
- an empty string is a valid text (it is encoded as an empty sequence);
- labels never seen in ``fit``: ``predict`` only returns ``classes_``, so ``score``
  counts those rows as wrong;
- a class with a single sample: classifiers train on it; the stratified
  ``validation_fraction`` split and SAAN refuse it with a ValueError naming it;
  the vocabulary augmenter varies its one text;
- very long texts are truncated to ``max_length`` tokens by the encoders and the
  classifiers (the result equals that of the text's beginning); cleaning,
  segmentation and augmentation work on the whole text.
"""

import re
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

sys.path.insert(0, str(Path(__file__).resolve().parent))  # tests/_reliability.py (importlib mode)
from _reliability import (  # noqa: E402
    DMT_TINY,
    SEQUENCE_TINY,
    chinese_subset,
    english_subset,
    make_tiny_bert,
    sequence_model,
)

from skmedtext import SyntheticSequence  # noqa: E402
from skmedtext import datasets as skdatasets  # noqa: E402
from skmedtext.augment import VocabularyAugmenter  # noqa: E402
from skmedtext.embeddings import TransformerEmbedder, Word2VecEmbedder  # noqa: E402
from skmedtext.models import DMTBertClassifier  # noqa: E402
from skmedtext.sampling import SAANSampler  # noqa: E402
from skmedtext.text import JiebaTokenizer, TextCleaner  # noqa: E402
from skmedtext.utils import check_texts  # noqa: E402

SURROGATE = b"chest pain \xff\xfe".decode("utf-8", "surrogateescape")
SAAN_TINY = dict(epochs=1, hidden_dim=8, n_heads=2, latent_dim=4, batch_size=8, random_state=0,
                 device="cpu")  # fmt: skip


@pytest.fixture(scope="module")
def tiny_bert(tmp_path_factory):
    return make_tiny_bert(tmp_path_factory.mktemp("tiny-bert"))


@pytest.fixture(scope="module")
def english(data_root):
    return english_subset(data_root, n=24)


@pytest.fixture(scope="module")
def chinese(data_root):
    return chinese_subset(data_root, n=24)


# -- the estimators, as "fit on (X, y)" callables --------------------------------------
def text_fitters(tiny_bert):
    fitters = {
        "TransformerEmbedder": lambda X, y: TransformerEmbedder(tiny_bert, max_length=16).fit(X),
        "Word2VecEmbedder": lambda X, y: Word2VecEmbedder(vector_size=4, min_count=1).fit(X),
        "TextCleaner": lambda X, y: TextCleaner().fit(X),
        "JiebaTokenizer": lambda X, y: JiebaTokenizer().fit(X),
        "DMTBertClassifier": lambda X, y: DMTBertClassifier(tiny_bert, **DMT_TINY).fit(X, y),
        "SAANSampler": lambda X, y: SAANSampler(encoder=tiny_bert, **SAAN_TINY).fit_resample(X, y),
        "VocabularyAugmenter": lambda X, y: VocabularyAugmenter(random_state=0).fit_resample(X, y),
    }
    for name in SEQUENCE_TINY:
        fitters[name] = lambda X, y, name=name: sequence_model(name).fit(X, y)
    return fitters


TEXT_ESTIMATORS = [
    "TransformerEmbedder", "Word2VecEmbedder", "TextCleaner", "JiebaTokenizer",
    "DMTBertClassifier", *SEQUENCE_TINY, "SAANSampler", "VocabularyAugmenter",
]  # fmt: skip
SUPERVISED = ["DMTBertClassifier", *SEQUENCE_TINY, "SAANSampler", "VocabularyAugmenter"]


@pytest.fixture(scope="module")
def fitters(tiny_bert):
    return text_fitters(tiny_bert)


def nan_series():
    return pd.Series(["chest pain", np.nan], dtype=object)


BAD_TEXTS = {
    "empty list": ([], ValueError, r"empty collection of texts \(0 samples\)"),
    "None": (["chest pain", None], ValueError, r"missing values \(None or NaN\) at positions 1"),
    "NaN in a Series": (nan_series(), ValueError, r"missing values \(None or NaN\) at positions 1"),
    "int": (["chest pain", 42], TypeError, r"expects str texts; found int at positions 1"),
    "invalid UTF-8 bytes": (["chest pain", b"\xff\xfe"], TypeError, r"found bytes.*Decode bytes"),
    "lone surrogates": (["chest pain", SURROGATE], ValueError, r"not valid Unicode.*positions 1"),
    "mixed types": (["chest pain", 1.5, b"x"], TypeError, r"found float at positions 1, 2"),
    "single string": ("chest pain", TypeError, r"got a single str.*\[text\]"),
    "2-D array": (np.array([["a", "b"], ["c", "d"]], dtype=object), ValueError, r"1-D sequence"),
    "set": ({"chest pain", "fever"}, TypeError, r"ordered sequence of texts; got a set"),
}  # fmt: skip


# SAAN also reads 2-D arrays as feature vectors, so a 2-D array of strings is numeric input
SAAN_VECTOR_MESSAGE = (ValueError, r"2-D input of shape \(2, 2\) holds strings.*numeric vectors")
def _fit_cases():
    for name in TEXT_ESTIMATORS:
        for bad in BAD_TEXTS:
            if (name, bad) == ("TextCleaner", "lone surrogates"):
                continue  # removing them is TextCleaner's job: tested below
            yield pytest.param(name, bad, id=f"{name}-{bad}")


@pytest.mark.parametrize("name, bad", list(_fit_cases()))
def test_bad_texts_in_fit_are_named(fitters, name, bad):
    X, error, message = BAD_TEXTS[bad]
    if (name, bad) == ("SAANSampler", "2-D array"):
        error, message = SAAN_VECTOR_MESSAGE
    y = np.array(["a", "b", "a"])[: len(X)] if not isinstance(X, str) else np.array(["a"])
    with pytest.raises(error, match=message):
        fitters[name](X, y)


BAD_TARGETS = {
    "mismatched lengths": (["a", "b", "a"], r"inconsistent numbers of samples"),
    "single class": (["a", "a", "a", "a"], r"(at least 2|more than 1) class"),
    # imbalanced-learn's own check answers first for SAAN: "Expected array-like ..., got None"
    "y is None": (None, r"requires y to be passed|got None"),
    "missing label": (np.array(["a", None, "b", "a"], dtype=object), r"missing labels at .* 1"),
    "NaN label": ([0.0, np.nan, 1.0, 0.0], r"NaN"),
    "continuous": ([0.5, 1.5, 2.5, 3.5], r"Unknown label type: continuous"),
}
def _target_cases():
    for name in SUPERVISED:
        for bad in BAD_TARGETS:
            yield pytest.param(name, bad, id=f"{name}-{bad}")


@pytest.mark.parametrize("name, bad", list(_target_cases()))
def test_bad_targets_are_named(fitters, name, bad):
    y, message = BAD_TARGETS[bad]
    X = ["chest pain today", "fever and cough", "chest tightness", "high fever"]
    with pytest.raises(ValueError, match=message):
        fitters[name](X, y)


# -- fitted estimators: predict/transform side -----------------------------------------
@pytest.fixture(scope="module")
def fitted(tiny_bert, english, chinese):
    Xe, ye = english
    Xc, yc = chinese
    return {
        "TransformerEmbedder": TransformerEmbedder(tiny_bert, max_length=16).fit(Xe),
        "TransformerEmbedder(sequence)": TransformerEmbedder(
            tiny_bert, max_length=16, output="sequence"
        ).fit(Xe),
        "Word2VecEmbedder": Word2VecEmbedder(vector_size=4, min_count=1, random_state=0).fit(Xc),
        "Word2VecEmbedder(sequence)": Word2VecEmbedder(
            vector_size=4, min_count=1, output="sequence", max_length=16, random_state=0
        ).fit(Xc),
        "TextCleaner": TextCleaner().fit(Xc),
        "JiebaTokenizer": JiebaTokenizer().fit(Xc),
        "DMTBertClassifier": DMTBertClassifier(tiny_bert, **DMT_TINY).fit(Xe, ye),
        "StaResGRUCNNClassifier": sequence_model("StaResGRUCNNClassifier").fit(Xc, yc),
    }


CLASSIFIERS = ["DMTBertClassifier", "StaResGRUCNNClassifier"]
TRANSFORMERS = ["TransformerEmbedder", "TransformerEmbedder(sequence)", "Word2VecEmbedder",
                "Word2VecEmbedder(sequence)", "TextCleaner", "JiebaTokenizer"]  # fmt: skip


def _apply(estimator, X):
    if hasattr(estimator, "predict_proba"):
        return estimator.predict_proba(X)
    return estimator.transform(X)


def _predict_cases():
    for name in CLASSIFIERS + TRANSFORMERS:
        for bad in BAD_TEXTS:
            # zero rows: tested below; lone surrogates: removing them is TextCleaner's job
            if bad != "empty list" and (name, bad) != ("TextCleaner", "lone surrogates"):
                yield pytest.param(name, bad, id=f"{name}-{bad}")


@pytest.mark.parametrize("name, bad", list(_predict_cases()))
def test_bad_texts_at_predict_time_are_named(fitted, name, bad):
    X, error, message = BAD_TEXTS[bad]
    with pytest.raises(error, match=message):
        _apply(fitted[name], X)


@pytest.mark.parametrize("name", CLASSIFIERS)
def test_predict_on_zero_rows_is_an_error_for_classifiers(fitted, name):
    with pytest.raises(ValueError, match="empty collection"):
        fitted[name].predict([])




@pytest.mark.parametrize(
    "name",
    [
        n for n in TRANSFORMERS
    ],
)
def test_transform_on_zero_rows_returns_an_empty_result(fitted, name):
    out = fitted[name].transform([])
    assert len(out) == 0
    if isinstance(out, np.ndarray) and out.ndim > 1:
        assert out.dtype == np.float32


@pytest.mark.parametrize("name", CLASSIFIERS + TRANSFORMERS)
def test_empty_string_is_a_valid_text(fitted, name):
    out = _apply(fitted[name], ["", "   "])
    assert len(out) == 2
    if name in CLASSIFIERS:
        np.testing.assert_allclose(out.sum(axis=1), 1.0, rtol=1e-5)


@pytest.mark.parametrize("name", CLASSIFIERS)
def test_labels_unseen_in_fit_count_as_errors_in_score(fitted, english, chinese, name):
    X, y = english if name == "DMTBertClassifier" else chinese
    clf = fitted[name]
    y_new = y.copy()
    y_new[:5] = "a label never seen in fit" if y.dtype == object else y.max() + 100
    predicted = clf.predict(X)
    assert set(predicted) <= set(clf.classes_)
    # the rows with an unseen label are never right; the others count as usual
    expected = np.sum(predicted[5:] == y[5:]) / len(y)
    assert clf.score(X, y_new) == pytest.approx(expected)


# -- one sample of a class ------------------------------------------------------------
def test_one_sample_class_trains_but_stratified_validation_refuses_it(chinese, tiny_bert):
    X, y = chinese
    y = y.copy()
    y[0] = "风湿免疫科"  # a class with one sample
    clf = sequence_model("TextCNNClassifier").fit(X, y)
    assert "风湿免疫科" in clf.classes_ and clf.predict_proba(X).shape == (len(X), 3)
    with pytest.raises(ValueError, match=r"2 samples of every class.*counts are \[.*\b1\]"):
        sequence_model("TextCNNClassifier", validation_fraction=0.25).fit(X, y)
    with pytest.raises(ValueError, match=r"validation_fraction needs at least 2 samples"):
        DMTBertClassifier(tiny_bert, validation_fraction=0.25, **DMT_TINY).fit(X, y)


def test_one_sample_class_in_samplers(chinese, tiny_bert):
    X, y = chinese
    y = y.copy()
    y[0] = "风湿免疫科"
    with pytest.raises(ValueError, match=r"at least 2 samples of every class.*'风湿免疫科' has 1"):
        SAANSampler(encoder=tiny_bert, **SAAN_TINY).fit_resample(X, y)
    # left out of the strategy, the other classes are over-sampled
    counts = {c: int((y == c).sum()) for c in np.unique(y)}
    strategy = {"肝病科": max(counts.values())}
    X_res, y_res = SAANSampler(encoder=tiny_bert, sampling_strategy=strategy, **SAAN_TINY
                               ).fit_resample(X, y)  # fmt: skip
    assert (y_res == "风湿免疫科").sum() == 1
    # the vocabulary augmenter varies the single text (documented)
    aug = VocabularyAugmenter(random_state=0, word2vec_params={"min_count": 1})
    X_aug, y_aug = aug.fit_resample(X, y)
    assert (y_aug == "风湿免疫科").sum() == max(counts.values())


# -- 100,000-character texts ------------------------------------------------------------
BIG_EN = ("chest pain radiating to the left arm with dyspnea " * 2000)[:100_000]
BIG_ZH = ("患者胸痛三天伴胸闷气短" * 10_000)[:100_000]


@pytest.mark.parametrize(
    "name, big, head",
    [
        ("TransformerEmbedder", BIG_EN, 400),
        ("TransformerEmbedder(sequence)", BIG_EN, 400),
        ("DMTBertClassifier", BIG_EN, 400),
        ("StaResGRUCNNClassifier", BIG_ZH, 60),
        ("Word2VecEmbedder(sequence)", BIG_ZH, 60),
    ],
)
def test_100k_character_text_is_truncated_not_fatal(fitted, name, big, head):
    assert len(big) == 100_000
    long_out = _apply(fitted[name], [big, "short text"])
    head_out = _apply(fitted[name], [big[:head], "short text"])
    assert np.all(np.isfinite(long_out))
    np.testing.assert_array_equal(long_out, head_out)  # only the first max_length tokens count


def test_100k_character_text_is_cleaned_and_segmented_whole(fitted):
    cleaned = fitted["TextCleaner"].transform([BIG_ZH])[0]
    assert cleaned == BIG_ZH
    tokens = fitted["JiebaTokenizer"].transform([BIG_ZH[:20_000]])[0]
    assert "".join(tokens) == BIG_ZH[:20_000]


def test_100k_character_text_in_samplers(chinese, tiny_bert):
    X, y = chinese
    X = X.copy()
    minority = np.flatnonzero(y == "心血管科")[0]
    X[minority] = BIG_ZH
    y_imb = y.copy()
    y_imb[np.flatnonzero(y == "心血管科")[4:]] = "肝病科"
    X_res, _ = SAANSampler(encoder=tiny_bert, max_length=16, **SAAN_TINY).fit_resample(X, y_imb)
    assert all(len(row) <= 16 for row in X_res[len(X):])
    X_aug, _ = VocabularyAugmenter(random_state=0, word2vec_params={"min_count": 1}).fit_resample(
        X, y_imb
    )
    assert X_aug[minority] == BIG_ZH


# -- embedding input of SAAN (2-D vectors, 3-D sequences) and synthetic rows -----------------
RNG = np.random.RandomState(0)
Y20 = np.r_[np.zeros(15, int), np.ones(5, int)]


@pytest.mark.parametrize(
    "X, kwargs, error, message",
    [
        (RNG.normal(size=(20, 3, 4, 2)), {}, ValueError, r"dim 4"),
        (RNG.normal(size=20), {}, ValueError, r"Expected 2D array"),
        (np.where(RNG.normal(size=(20, 6)) > 1, np.nan, 0.5), {}, ValueError, r"NaN"),
        (np.full((20, 5, 4), np.inf), {}, ValueError, r"NaN or infinite"),
        (np.full((20, 5, 4), "a"), {}, ValueError, r"must be numeric; got dtype <U1"),
        (np.ones((20, 5, 4), complex), {}, ValueError, r"must be numeric; got dtype complex128"),
        (RNG.normal(size=(20, 5, 4)), {"mask": np.ones((20, 4), bool)}, ValueError,
         r"mask must have shape \(20, 5\)"),
        (RNG.normal(size=(20, 6)), {"mask": np.ones((20, 6), bool)}, ValueError,
         r"mask is only accepted with 3-D"),
        ([np.ones((5, 4))] * 10 + [np.ones((3, 4))] * 10, {}, ValueError, r"inhomogeneous"),
        (np.zeros((0, 5, 4)), {}, ValueError, r"more than 1 class"),
        (np.zeros((0, 6)), {}, ValueError, r"0 sample\(s\)"),
    ],
    ids=["4-D", "1-D", "NaN 2-D", "inf 3-D", "str 3-D", "complex 3-D", "mask shape",
         "mask with 2-D", "ragged", "empty 3-D", "empty 2-D"],
)  # fmt: skip
def test_saan_embedding_input_errors(X, kwargs, error, message):
    y = Y20[: len(X)] if len(X) else np.zeros(0, int)
    with pytest.raises(error, match=message):
        SAANSampler(**SAAN_TINY).fit_resample(X, y, **kwargs)


def test_saan_vectors_with_a_text_encoder_are_refused(tiny_bert):
    with pytest.raises(ValueError, match="encoder is only used for raw-text input"):
        SAANSampler(encoder=tiny_bert, **SAAN_TINY).fit_resample(RNG.normal(size=(20, 6)), Y20)


def test_saan_all_padding_sequences_are_refused_clearly():
    X = RNG.normal(size=(20, 5, 4))
    X[15:] = 0.0  # every minority row is pure padding
    with pytest.raises(ValueError, match=r"pure padding .* at rows 15, 16, 17, 18, 19"):
        SAANSampler(**SAAN_TINY).fit_resample(X, Y20)


def test_synthetic_rows_must_match_the_models_space(fitted, english):
    X, y = english
    clf = fitted["DMTBertClassifier"]
    foreign = SyntheticSequence(np.zeros((4, 32)), space="another-space")
    with pytest.raises(ValueError, match="embedding space 'another-space'"):
        DMTBertClassifier(clf.model_name_or_path, **DMT_TINY).fit(
            np.r_[X, np.array([foreign], dtype=object)], np.r_[y, y[:1]]
        )
    with pytest.raises(TypeError, match="does not accept synthetic embedding rows"):
        fitted["TransformerEmbedder"].transform(np.array([foreign], dtype=object))
    seq = fitted["StaResGRUCNNClassifier"]
    wrong_dim = SyntheticSequence(np.ones((4, 3)), space=seq.embedding_space_)
    with pytest.raises(ValueError, match="vectors of size 3"):
        seq.predict_proba(np.array(["胸痛", wrong_dim], dtype=object))
    with pytest.raises(ValueError, match="NaN or infinite"):
        SyntheticSequence(np.full((4, 3), np.nan), space="s")
    with pytest.raises(ValueError, match=r"shape \(t, d\)"):
        SyntheticSequence(np.ones(3), space="s")


# -- loaders ------------------------------------------------------------------------------
LOADERS = ["load_medical_abstracts", "load_department_triage", "load_department_triage_corpus",
           "load_cardiac_shunt"]  # fmt: skip


@pytest.mark.parametrize("loader", LOADERS)
def test_loaders_name_the_wrong_data_home(loader, tmp_path):
    for home in (tmp_path / "does-not-exist", tmp_path):
        with pytest.raises(FileNotFoundError, match=rf"(?s)could not find.*{home}.*data_home"):
            getattr(skdatasets, loader)(data_home=home)
    a_file = tmp_path / "a-file.txt"
    a_file.write_text("x")
    with pytest.raises(FileNotFoundError, match=re.escape(str(a_file))):
        getattr(skdatasets, loader)(data_home=a_file)


# -- fuzzing the text path ------------------------------------------------------------------
TEXTS = st.lists(st.text(max_size=200), min_size=1, max_size=4)
FUZZ = settings(max_examples=20, deadline=None, suppress_health_check=list(HealthCheck))


@FUZZ
@given(texts=TEXTS)
def test_fuzz_check_texts_keeps_every_text(texts):
    out = check_texts(texts)
    assert out.dtype == object and out.shape == (len(texts),)
    assert list(out) == texts


@FUZZ
@given(texts=TEXTS)
def test_fuzz_transformer_embedder(fitted, texts):
    out = fitted["TransformerEmbedder"].transform(texts)
    assert out.shape == (len(texts), 32) and out.dtype == np.float32
    assert np.all(np.isfinite(out))


@FUZZ
@given(texts=TEXTS)
def test_fuzz_classifiers_predict(fitted, texts):
    for name in CLASSIFIERS:
        proba = fitted[name].predict_proba(texts)
        assert proba.shape == (len(texts), len(fitted[name].classes_))
        np.testing.assert_allclose(proba.sum(axis=1), 1.0, rtol=1e-5)


@FUZZ
@given(
    texts=TEXTS,
    bad=st.text(alphabet=st.characters(categories=["Cs"]), min_size=1, max_size=3),
    at=st.integers(0, 3),
)
def test_fuzz_lone_surrogates_are_always_refused(fitted, texts, bad, at):
    at = min(at, len(texts))
    texts = texts[:at] + [texts[0] + bad] + texts[at:]
    with pytest.raises(ValueError, match=rf"not valid Unicode.*positions {at}"):
        fitted["DMTBertClassifier"].predict(texts)


def test_text_cleaner_strips_lone_surrogates():
    cleaned = TextCleaner().fit([SURROGATE]).transform([SURROGATE])[0]
    assert cleaned.startswith("chest pain")
    cleaned.encode("utf-8")  # valid Unicode now
