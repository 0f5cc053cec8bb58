"""VocabularyAugmenter: eq. 25 on real text, protected terms, negations, imblearn contract."""

import pickle
import re
from collections import Counter

import numpy as np
import pandas as pd
import pytest
from imblearn.over_sampling import RandomOverSampler
from imblearn.pipeline import make_pipeline
from imblearn.utils.estimator_checks import (
    check_param_validation,
    check_samplers_string,
    check_target_type,
)
from sklearn.base import clone
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV, StratifiedKFold
from sklearn.preprocessing import label_binarize
from sklearn.utils._param_validation import InvalidParameterError

from skmedtext.augment import VocabularyAugmenter, load_synonym_dictionary
from skmedtext.augment._lexicon import DEFAULT_PROTECTED_PATTERN
from skmedtext.datasets import load_department_triage, load_medical_abstracts
from skmedtext.text import contains_cjk, segment

TINY_W2V = {"vector_size": 32, "epochs": 5}
# Clause punctuation as the augmenter defines it (a negation's scope ends there).
CLAUSE_END = re.compile(r"[,，:：()（）。！？!?.;；…\n]")
EN_SYNONYMS = {
    "patients": ["subjects"],
    "study": ["trial", "investigation"],
    "increased": ["elevated"],
    "significant": ["notable"],
    "treatment": ["therapy"],
}


def _subset(X, y, counts):
    """The first ``counts[c]`` texts of each class ``c``: a real, imbalanced subset."""
    idx = np.concatenate([np.flatnonzero(y == c)[:n] for c, n in counts.items()])
    return X[idx], y[idx]


@pytest.fixture(scope="module")
def en(data_root):
    b = load_medical_abstracts(data_home=data_root)
    return _subset(b.data, b.target, {5: 32, 1: 20, 4: 16, 3: 12, 2: 6})


@pytest.fixture(scope="module")
def zh(data_root):
    b = load_department_triage(data_home=data_root)
    return _subset(b.data, b.target, {"肝病科": 60, "消化科": 30, "呼吸科": 12, "风湿免疫科": 6})


@pytest.fixture(scope="module")
def fitted(en, zh):
    """One word2vec-trained fit per language; its vectors are reused below."""
    out = {}
    for lang, (X, y) in {"en": en, "zh": zh}.items():
        aug = VocabularyAugmenter(random_state=0, word2vec_params=TINY_W2V)
        X_res, y_res = aug.fit_resample(X, y)
        out[lang] = aug, X_res, y_res
    return out


def _binomial_ok(k, n, p, sigmas=4.0):
    return abs(k - n * p) <= sigmas * np.sqrt(n * p * (1 - p))


def _count(term, text):
    """Occurrences of a term: substrings for Chinese, whole words otherwise."""
    if contains_cjk(term):
        return text.count(term)
    return len(re.findall(rf"(?<![\w-]){re.escape(term)}(?![\w-])", text, flags=re.IGNORECASE))


def _synthetic_pairs(aug, X, X_res):
    rows = np.flatnonzero(aug.synthetic_mask_)
    return [(X[aug.source_indices_[r]], X_res[r]) for r in rows]


# --- the word2vec fit and the row contract ----------------------------------------------


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_rows_contract_and_log(lang, fitted, en, zh):
    X, y = {"en": en, "zh": zh}[lang]
    aug, X_res, y_res = fitted[lang]
    n = X.shape[0]
    assert X_res.dtype == object and X_res.ndim == 1
    assert list(X_res[:n]) == list(X) and list(y_res[:n]) == list(y)
    counts = Counter(y_res)
    assert len(set(counts.values())) == 1  # "auto" levels every class to the majority
    assert np.array_equal(aug.synthetic_mask_, np.arange(X_res.shape[0]) >= n)
    assert np.array_equal(aug.sample_indices_, aug.source_indices_)
    assert np.array_equal(y_res, y[aug.sample_indices_])
    log = aug.augmentation_log_
    assert np.array_equal(log["source"], aug.source_indices_[aug.synthetic_mask_])
    assert all(v.shape == (aug.synthetic_mask_.sum(),) for v in log.values())
    assert (log["n_substituted"] <= log["n_eligible"]).all()
    assert (log["n_inserted"] <= log["n_slots"]).all()
    assert log["n_eligible"].sum() > 500 and log["n_slots"].sum() > 500
    # texts really change, and each source of a class is used in turn
    changed = [a != s for s, a in _synthetic_pairs(aug, X, X_res)]
    assert np.mean(changed) > 0.5
    for klass, n_new in aug.sampling_strategy_.items():
        used = Counter(log["source"][y_res[aug.synthetic_mask_] == klass])
        if n_new:
            assert max(used.values()) - min(used.values()) <= 1
    assert aug.keyed_vectors_ is not None and len(aug.keyed_vectors_) > 100


# --- eq. 25: the substitution probability model -------------------------------------------


@pytest.mark.parametrize("p", [0.1, 0.3])
@pytest.mark.parametrize("lang", ["en", "zh"])
def test_substitution_rate_matches_p(lang, p, fitted, en, zh):
    X, y = {"en": en, "zh": zh}[lang]
    kv = fitted[lang][0].keyed_vectors_
    # 150 variants of every class's texts: each draw is independent, so the
    # substitutions over all eligible words are Binomial(n, p)
    strategy = {c: 150 for c in np.unique(y)}
    aug = VocabularyAugmenter(
        sampling_strategy=strategy, p_substitute=p, p_insert=0.0, synonyms=kv, random_state=1
    )
    X_res, _ = aug.fit_resample(X, y)
    log = aug.augmentation_log_
    k, n = log["n_substituted"].sum(), log["n_eligible"].sum()
    assert n > 1500
    assert _binomial_ok(k, n, p), f"observed {k}/{n} = {k / n:.4f}, p = {p}"
    pairs = _synthetic_pairs(aug, X, X_res)
    if lang == "en":
        # count the replaced words from the texts themselves: same units, some changed
        for (src, out), n_sub in zip(pairs, log["n_substituted"]):
            a, b = segment(src), segment(out)
            assert len(a) == len(b)
            assert sum(u != v for u, v in zip(a, b)) == n_sub
    else:
        for (src, out), n_sub in zip(pairs, log["n_substituted"]):
            assert (src != out) == (n_sub > 0)


def test_substitution_extremes(fitted, en):
    X, y = en
    kv = fitted["en"][0].keyed_vectors_
    none = VocabularyAugmenter(p_substitute=0.0, p_insert=0.0, synonyms=kv, random_state=0)
    X_res, _ = none.fit_resample(X, y)
    assert list(X_res[none.synthetic_mask_]) == list(X[none.source_indices_[none.synthetic_mask_]])
    every = VocabularyAugmenter(p_substitute=1.0, p_insert=0.0, synonyms=kv, random_state=0)
    every.fit_resample(X, y)
    log = every.augmentation_log_
    assert np.array_equal(log["n_substituted"], log["n_eligible"])


def test_insertion_rate_matches_p_insert(fitted, en):
    X, y = en
    kv = fitted["en"][0].keyed_vectors_
    aug = VocabularyAugmenter(p_substitute=0.0, p_insert=0.2, synonyms=kv, random_state=3)
    X_res, _ = aug.fit_resample(X, y)
    log = aug.augmentation_log_
    assert _binomial_ok(log["n_inserted"].sum(), log["n_slots"].sum(), 0.2)
    for (src, out), n_ins in zip(_synthetic_pairs(aug, X, X_res), log["n_inserted"]):
        assert len(segment(out)) == len(segment(src)) + n_ins


# --- protected terms and negations ---------------------------------------------------------


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_protected_terms_and_negations_survive(lang, fitted, en, zh):
    X, y = {"en": en, "zh": zh}[lang]
    kv = fitted[lang][0].keyed_vectors_
    aug = VocabularyAugmenter(p_substitute=0.6, p_insert=0.6, synonyms=kv, random_state=2)
    X_res, _ = aug.fit_resample(X, y)
    pattern = re.compile(DEFAULT_PROTECTED_PATTERN, re.IGNORECASE)
    checked = Counter()
    for src, out in _synthetic_pairs(aug, X, X_res):
        terms = [t for t in aug.protected_terms_ if t.lower() in src.lower()]
        terms += [u for u in segment(src) if pattern.fullmatch(u)]
        for term in set(terms):
            n = _count(term, src)
            assert _count(term, out) >= n, f"protected {term!r} lost in {out!r}"
            checked["term"] += n
        for cue in aug.negations_:
            n = _count(cue, src)
            assert _count(cue, out) >= n, f"negation {cue!r} lost in {out!r}"
            checked["negation"] += n
    # the assertions above ran on real occurrences, not on an empty set
    assert checked["term"] > 50 and checked["negation"] > 10


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_insertion_never_separates_a_negation_from_its_clause(lang, fitted, en, zh):
    X, y = {"en": en, "zh": zh}[lang]
    kv = fitted[lang][0].keyed_vectors_
    aug = VocabularyAugmenter(p_substitute=0.0, p_insert=1.0, synonyms=kv, random_state=0)
    X_res, _ = aug.fit_resample(X, y)
    assert aug.augmentation_log_["n_inserted"].sum() > 100
    cues = sorted(aug.negations_, key=len, reverse=True)
    n_scopes = 0
    for src, out in _synthetic_pairs(aug, X, X_res):
        for cue in cues:
            flags = re.IGNORECASE
            rx = re.escape(cue) if contains_cjk(cue) else rf"(?<![\w-]){re.escape(cue)}(?![\w-])"
            for m in re.finditer(rx, src, flags):
                end = CLAUSE_END.search(src, m.end())
                scope = src[m.start() : end.start() if end else len(src)]
                assert scope in out, f"{scope!r} was split in {out!r}"
                n_scopes += 1
    assert n_scopes > 10


def test_user_protected_terms_and_negations(en):
    X, y = en
    target = "patients"  # the most frequent content word: it would be substituted
    aug = VocabularyAugmenter(
        p_substitute=1.0, p_insert=0.0, synonyms=EN_SYNONYMS, protected=[target], random_state=0
    )
    X_res, _ = aug.fit_resample(X, y)
    pairs = _synthetic_pairs(aug, X, X_res)
    assert sum(_count(target, src) for src, _ in pairs) > 20
    assert all(_count(target, out) == _count(target, src) for src, out in pairs)
    free = VocabularyAugmenter(
        p_substitute=1.0, p_insert=0.0, synonyms=EN_SYNONYMS, protected=None, random_state=0
    )
    X_free, _ = free.fit_resample(X, y)
    pairs = _synthetic_pairs(free, X, X_free)
    assert all(_count(target, out) == 0 for _, out in pairs)  # p=1: every one replaced
    # a user negation list makes "study" a cue: it is then never substituted
    neg = VocabularyAugmenter(
        p_substitute=1.0, p_insert=0.0, synonyms=EN_SYNONYMS, negations=["study"], random_state=0
    )
    X_neg, _ = neg.fit_resample(X, y)
    pairs = _synthetic_pairs(neg, X, X_neg)
    assert sum(_count("study", src) for src, _ in pairs) > 0
    assert all(_count("study", out) == _count("study", src) for src, out in pairs)


# --- synonym sources -----------------------------------------------------------------------


def test_synonym_dictionary_file_formats(tmp_path):
    path = tmp_path / "syn.txt"
    path.write_text(
        "# comment\n发热 发烧，高热\nAa01A01= 病人 患者\nAa01A02# 医生 大夫\nfever, pyrexia\n",
        encoding="utf-8",
    )
    table = load_synonym_dictionary(path)
    assert table["发热"] == ["发烧", "高热"] and table["高热"] == ["发热", "发烧"]
    assert table["病人"] == ["患者"]
    assert "医生" not in table  # '#' lines of Cilin are related words, not synonyms
    assert table["fever"] == ["pyrexia"]
    assert load_synonym_dictionary({"Fever": "pyrexia"}) == {"fever": ["pyrexia"]}
    with pytest.raises(ValueError, match="not found"):
        load_synonym_dictionary(tmp_path / "missing.txt")
    with pytest.raises(TypeError, match="keys must be str"):
        load_synonym_dictionary({1: ["a"]})


def test_dictionary_only_and_combined_sources(tmp_path, en, fitted):
    X, y = en
    path = tmp_path / "syn.txt"
    path.write_text("study trial\n", encoding="utf-8")
    aug = VocabularyAugmenter(p_substitute=1.0, p_insert=0.0, synonyms=str(path), random_state=0)
    X_res, _ = aug.fit_resample(X, y)
    assert aug.keyed_vectors_ is None and aug.synonyms_ == {"study": ["trial"], "trial": ["study"]}
    def swap(m):
        word = {"study": "trial", "trial": "study"}[m.group(0).lower()]
        return word.capitalize() if m.group(0)[0].isupper() else word

    for src, out in _synthetic_pairs(aug, X, X_res):
        assert out == re.sub(r"(?<![\w-])(?:study|trial)(?![\w-])", swap, src, flags=re.IGNORECASE)
    # dictionary synonyms take precedence over word2vec neighbours for their words
    kv = fitted["en"][0].keyed_vectors_
    both = VocabularyAugmenter(
        p_substitute=1.0, p_insert=0.0, synonyms=[kv, {"patients": ["subjects"]}], random_state=0
    )
    X_both, _ = both.fit_resample(X, y)
    for src, out in _synthetic_pairs(both, X, X_both):
        a, b = segment(src), segment(out)
        assert all(v == "subjects" for u, v in zip(a, b) if u == "patients")
    with pytest.raises(ValueError, match="one source of vectors"):
        VocabularyAugmenter(synonyms=["word2vec", kv]).fit_resample(X, y)


@pytest.mark.parametrize("scope", ["class", "corpus"])
def test_candidate_scope(scope, fitted, en):
    X, y = en
    kv = fitted["en"][0].keyed_vectors_
    aug = VocabularyAugmenter(
        p_substitute=0.5, p_insert=0.5, synonyms=kv, candidate_scope=scope, random_state=0
    )
    X_res, y_res = aug.fit_resample(X, y)
    foreign = 0
    for klass in aug.sampling_strategy_:
        own = Counter(u.lower() for text in X[y == klass] for u in segment(text))
        for row in np.flatnonzero(aug.synthetic_mask_ & (y_res == klass)):
            written = Counter(u.lower() for u in segment(X_res[row]))
            written -= Counter(u.lower() for u in segment(X[aug.source_indices_[row]]))
            foreign += sum(1 for w in written if w not in own)
    # "class": every word written comes from the class's own training texts
    assert (foreign == 0) if scope == "class" else (foreign > 0)


def test_dictionary_only_insertion_uses_related_words(en):
    X, y = en
    aug = VocabularyAugmenter(p_substitute=0.0, p_insert=1.0, synonyms=EN_SYNONYMS, random_state=0)
    X_res, _ = aug.fit_resample(X, y)
    written = set(w for syns in EN_SYNONYMS.values() for w in syns)
    assert aug.augmentation_log_["n_inserted"].sum() > 0
    for src, out in _synthetic_pairs(aug, X, X_res):
        new = Counter(segment(out.lower())) - Counter(segment(src.lower()))
        assert set(new) <= written


# --- determinism -----------------------------------------------------------------------------


def test_deterministic_for_a_seed(zh):
    X, y = zh
    params = {"p_substitute": 0.3, "p_insert": 0.2, "word2vec_params": TINY_W2V}
    a, _ = VocabularyAugmenter(random_state=7, **params).fit_resample(X, y)
    b, _ = clone(VocabularyAugmenter(random_state=7, **params)).fit_resample(X, y)
    c, _ = VocabularyAugmenter(random_state=8, **params).fit_resample(X, y)
    assert list(a) == list(b)
    assert list(a) != list(c)
    rs = np.random.RandomState(3)
    d, _ = VocabularyAugmenter(random_state=rs, **params).fit_resample(X, y)
    e, _ = VocabularyAugmenter(random_state=np.random.RandomState(3), **params).fit_resample(X, y)
    assert list(d) == list(e)


# --- imbalanced-learn contract -----------------------------------------------------------


def test_imblearn_checks_that_apply_to_text():
    # check_samplers_string: object array of "A"/"B"/"C"; it asserts that no new
    # value appears, so insertion (which adds words) is switched off.
    check_samplers_string("VocabularyAugmenter", VocabularyAugmenter(p_insert=0.0, random_state=0))
    # y is validated before X, so the numeric X of these checks is never reached.
    check_target_type("VocabularyAugmenter", VocabularyAugmenter())
    check_param_validation("VocabularyAugmenter", VocabularyAugmenter())
    # The other imblearn sampler checks (fit_resample, sampling_strategy, sparse,
    # pandas, list, multiclass_ova, 2d_target, preserve_dtype, sample_indices,
    # one_label, nan, feature names) draw numeric make_classification data, which
    # a text sampler rightly rejects; their text versions are the tests below.


def _ros_counts(y, strategy):
    X = np.arange(len(y)).reshape(-1, 1)
    ros = RandomOverSampler(sampling_strategy=strategy, random_state=0)
    return Counter(ros.fit_resample(X, y)[1])


@pytest.mark.parametrize(
    "strategy",
    ["auto", "minority", "not minority", "not majority", "all", {1: 60, 2: 40}, "callable"],
)
def test_sampling_strategy_counts(strategy, en):
    X, y = en
    if strategy == "callable":
        strategy = lambda y: {c: 50 for c in np.unique(y) if np.sum(y == c) < 50}  # noqa: E731
    aug = VocabularyAugmenter(sampling_strategy=strategy, synonyms=EN_SYNONYMS, random_state=0)
    X_res, y_res = aug.fit_resample(X, y)
    assert Counter(y_res) == _ros_counts(y, strategy)
    assert X_res.shape == y_res.shape


def test_float_strategy_for_binary(en):
    X, y = en
    keep = np.isin(y, [5, 2])
    X, y = X[keep], y[keep]
    aug = VocabularyAugmenter(sampling_strategy=0.5, synonyms=EN_SYNONYMS, random_state=0)
    _, y_res = aug.fit_resample(X, y)
    assert Counter(y_res) == {5: 32, 2: 16} == _ros_counts(y, 0.5)
    with pytest.raises(ValueError, match="binary"):
        VocabularyAugmenter(sampling_strategy=0.5, synonyms=EN_SYNONYMS).fit_resample(*en)


def test_input_containers_round_trip(en):
    X, y = en
    aug = VocabularyAugmenter(synonyms=EN_SYNONYMS, random_state=0)
    X_arr, y_arr = aug.fit_resample(X, y)
    X_list, y_list = clone(aug).fit_resample(list(X), list(y))
    assert isinstance(X_list, list) and isinstance(y_list, list)
    assert X_list == list(X_arr) and y_list == list(y_arr)
    X_s, y_s = clone(aug).fit_resample(pd.Series(X, name="text"), pd.Series(y, name="label"))
    assert isinstance(X_s, pd.Series) and X_s.name == "text" and y_s.name == "label"
    assert list(X_s) == list(X_arr)
    X_col, _ = clone(aug).fit_resample(X.reshape(-1, 1), y)
    assert X_col.shape == X_arr.shape
    # one-vs-all encoded and column targets, as imblearn's OVA / 2d-target checks
    classes = np.unique(y)
    X_ova, y_ova = clone(aug).fit_resample(X, label_binarize(y, classes=classes))
    assert list(X_ova) == list(X_arr)
    assert np.array_equal(classes[y_ova.argmax(axis=1)], y_arr)
    _, y_col = clone(aug).fit_resample(X, y.reshape(-1, 1))
    assert np.array_equal(y_col, y_arr)


def test_pickle_round_trip(fitted, en):
    aug = fitted["en"][0]
    restored = pickle.loads(pickle.dumps(aug))
    assert np.array_equal(restored.sample_indices_, aug.sample_indices_)
    assert len(restored.keyed_vectors_) == len(aug.keyed_vectors_)
    X, y = en
    params = {"synonyms": EN_SYNONYMS, "random_state": 0}
    a, _ = pickle.loads(pickle.dumps(VocabularyAugmenter(**params))).fit_resample(X, y)
    b, _ = VocabularyAugmenter(**params).fit_resample(X, y)
    assert list(a) == list(b)


def test_pipeline_in_grid_search(en):
    X, y = en
    pipe = make_pipeline(
        VocabularyAugmenter(random_state=0, word2vec_params={"vector_size": 16, "epochs": 2}),
        TfidfVectorizer(),
        LogisticRegression(max_iter=300),
    )
    search = GridSearchCV(
        pipe,
        {"vocabularyaugmenter__p_substitute": [0.1, 0.3]},
        cv=StratifiedKFold(2, shuffle=True, random_state=0),
        scoring="f1_macro",
    )
    search.fit(X, y)
    assert len(search.cv_results_["params"]) == 2
    aug = search.best_estimator_.named_steps["vocabularyaugmenter"]
    assert aug.synthetic_mask_.sum() > 0  # it resampled at fit time...
    assert search.predict(X).shape == y.shape  # ...and is skipped at predict time


# --- bad input ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "X, y, error, match",
    [
        (None, [0, 1], TypeError, "sequence of texts"),
        (["a b", "c d"], None, ValueError, "requires y"),
        (["a b", None], [0, 1], ValueError, "missing values"),
        (["a b", 3], [0, 1], TypeError, "expects str texts"),
        (["a b", b"c"], [0, 1], TypeError, "Decode bytes"),
        ("fever", [0], TypeError, "single str"),
        ([], [], ValueError, "empty"),
        (np.array([["a", "b"], ["c", "d"]], dtype=object), [0, 1], ValueError, "1-D"),
        (["a b", "c d", "e f"], [0, 1], ValueError, "inconsistent"),
        (["a b", "c d", "e f"], [0, 0, 0], ValueError, "more than 1 class"),
        (["a b", "c d"], [0.5, 1.5], ValueError, "Unknown label type"),
        (["a b", "c d", "e f"], np.array(["x", None, "y"], dtype=object), ValueError, "missing"),
        (["a b", "c d"], [0.0, np.nan], ValueError, "NaN"),
    ],
)
def test_bad_input(X, y, error, match):
    with pytest.raises(error, match=match):
        VocabularyAugmenter(synonyms={"a": ["b"]}).fit_resample(X, y)


@pytest.mark.parametrize(
    "params",
    [
        {"p_substitute": 1.5},
        {"p_insert": -0.1},
        {"n_neighbors": 0},
        {"min_similarity": 2.0},
        {"synonyms": 3},
        {"negations": "none"},
        {"stop_words": "english"},
        {"word2vec_params": "big"},
    ],
)
def test_invalid_params(params):
    with pytest.raises(InvalidParameterError):
        VocabularyAugmenter(**params).fit_resample(["a b", "c d"], [0, 1])


def test_unusable_sources_raise_clear_errors(tmp_path):
    X, y = ["fever and cough", "no fever"], [0, 1]
    with pytest.raises(ValueError, match="not found"):
        VocabularyAugmenter(synonyms=str(tmp_path / "nope.txt")).fit_resample(X, y)
    with pytest.raises(ValueError, match="min_count"):
        VocabularyAugmenter(word2vec_params={"min_count": 50}).fit_resample(X, y)
    with pytest.raises(ValueError, match="at least one source"):
        VocabularyAugmenter(synonyms=[]).fit_resample(X, y)
    with pytest.raises(ValueError, match="regular expression"):
        VocabularyAugmenter(synonyms={"a": "b"}, protected_pattern="(").fit_resample(X, y)


def test_a_class_with_one_text_is_augmented(zh):
    # Unlike SMOTE (which needs k neighbours) augmentation needs one text only.
    X, y = zh
    y = y.copy()
    y[np.flatnonzero(y == "风湿免疫科")[1:]] = "肝病科"
    kv_aug = VocabularyAugmenter(p_substitute=0.5, word2vec_params=TINY_W2V, random_state=0)
    X_res, y_res = kv_aug.fit_resample(X, y)
    single = np.flatnonzero(y == "风湿免疫科")[0]
    rows = np.flatnonzero(y_res == "风湿免疫科")
    assert len(rows) == Counter(y).most_common(1)[0][1]
    assert set(kv_aug.source_indices_[rows]) == {single}
    assert len(set(X_res[rows])) > 1


# --- composition with SAAN and DMT-BERT --------------------------------------------------


def test_composes_with_saan_and_dmt_bert(en):
    """VocabularyAugmenter grows the minority part-way, SAAN balances the rest with
    embedding sequences, DMT-BERT trains on strings and synthetic rows together."""
    sampling = pytest.importorskip("skmedtext.sampling", reason="skmedtext.sampling is missing")
    if not hasattr(sampling, "SAANSampler"):
        pytest.skip("skmedtext.sampling.SAANSampler does not exist yet")
    from skmedtext.models import DMTBertClassifier

    X, y = en
    keep = np.concatenate([np.flatnonzero(y == 5)[:24], np.flatnonzero(y == 2)[:6]])
    X, y = X[keep], y[keep]
    pipe = make_pipeline(
        VocabularyAugmenter(
            sampling_strategy=0.5, random_state=0, word2vec_params={"vector_size": 16, "epochs": 2}
        ),
        sampling.SAANSampler(epochs=1, max_length=24, random_state=0, device="cpu"),
        DMTBertClassifier(max_length=24, max_epochs=1, batch_size=16, random_state=0, device="cpu"),
    )
    pipe.fit(X, y)
    aug, saan, clf = (step for _, step in pipe.steps)
    assert aug.synthetic_mask_.sum() == 6  # 6 -> 12 texts: half the majority
    assert saan.synthetic_mask_.sum() == 12  # 12 -> 24: SAAN balances the rest
    assert set(clf.classes_) == {2, 5}
    assert pipe.predict(X[:5]).shape == (5,)
