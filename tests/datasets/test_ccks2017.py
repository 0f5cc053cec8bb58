"""load_ccks2017_ner returns the CCKS 2017 Task 2 corpus with the counts of its README."""

from collections import Counter

import pytest

from skmedtext.datasets import CCKS2017_ENTITY_TYPES, load_ccks2017_ner
from skmedtext.metrics import bio_to_spans, spans_to_bio

# ../shared/data/ccks2017_ner_zh/README.md
COUNTS = {
    "train": {"BODY": 10719, "CHECK": 9546, "SIGNS": 7831, "TREATMENT": 1048, "DISEASE": 722},
    "test": {"BODY": 2875, "CHECK": 3013, "SIGNS": 2257, "TREATMENT": 451, "DISEASE": 516},
}
N_DOCS = {"train": 1198, "test": 398}
N_CHARS = {"train": 261857, "test": 88045}
N_EMPTY = {"train": 32, "test": 3}


@pytest.fixture(scope="module", params=["train", "test"])
def split(request, data_root):
    return request.param, load_ccks2017_ner(request.param, data_home=data_root)


def test_counts_match_the_readme(split):
    name, bunch = split
    assert len(bunch.data) == len(bunch.target) == N_DOCS[name]
    assert Counter(t for doc in bunch.target for _, _, t in doc) == COUNTS[name]
    assert sum(len(text) for text in bunch.data) == N_CHARS[name]
    assert sum(1 for doc in bunch.target if not doc) == N_EMPTY[name]
    assert set(bunch.sections) == {"general", "history", "treatment_course", "discharge"}
    assert list(bunch.target_names) == list(CCKS2017_ENTITY_TYPES)
    assert set(bunch.subset) == {name}
    assert "CCKS 2017" in bunch.DESCR and "How skmedtext loads it" in bunch.DESCR


def test_spans_match_mentions_and_round_trip_through_bio(split):
    _, bunch = split
    mentions = bunch.frame["text"].tolist()
    for text, spans in zip(mentions, bunch.target):
        assert spans == sorted(spans)
        assert bio_to_spans(spans_to_bio(spans, text)) == spans


def test_first_document(data_root):
    bunch = load_ccks2017_ner(data_home=data_root)
    text, spans = bunch.data[0], bunch.target[0]
    assert [text[s:e] for s, e, _ in spans] == ["右髋部", "疼痛", "肿胀"]
    assert spans[0] == (21, 24, "BODY")


def test_all_and_return_X_y(data_root):
    X, y = load_ccks2017_ner("all", data_home=data_root, return_X_y=True)
    assert len(X) == len(y) == 1198 + 398
    assert isinstance(X, list) and isinstance(y[0], list)


def test_bad_subset_and_missing_folder(tmp_path):
    with pytest.raises(ValueError, match="subset"):
        load_ccks2017_ner("valid")
    with pytest.raises(FileNotFoundError, match="ccks2017_ner_zh"):
        load_ccks2017_ner(data_home=tmp_path)


def test_target_is_a_fresh_copy(data_root):
    first = load_ccks2017_ner(data_home=data_root)
    first.target[1].clear()
    first.data[0] = "changed"
    again = load_ccks2017_ner(data_home=data_root)
    assert again.target[1] and again.data[0] != "changed"
