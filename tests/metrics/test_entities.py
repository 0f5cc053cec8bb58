"""BIO conversion and entity-level scores, against hand-computed values."""

import pytest
from sklearn.base import BaseEstimator

from skmedtext.metrics import (
    bio_to_spans,
    check_spans,
    entity_comparison_table,
    entity_f1_score,
    entity_report,
    entity_scores,
    make_span_scorer,
    span_f1_scorer,
    spans_to_bio,
)

GOLD = [[(0, 2, "BODY"), (3, 5, "SIGNS"), (6, 9, "CHECK")], [(0, 3, "DISEASE")]]
PRED = [
    [(0, 2, "BODY"), (3, 4, "SIGNS"), (10, 12, "CHECK")],
    [(0, 3, "TREATMENT"), (4, 6, "DISEASE")],
]


def test_spans_to_bio_and_back():
    tags = spans_to_bio([(3, 5, "SIGNS"), (0, 2, "BODY")], 6)
    assert tags == ["B-BODY", "I-BODY", "O", "B-SIGNS", "I-SIGNS", "O"]
    assert bio_to_spans(tags) == [(0, 2, "BODY"), (3, 5, "SIGNS")]
    assert spans_to_bio([], "abc") == ["O", "O", "O"]
    # adjacent entities of one type stay apart thanks to B-
    assert bio_to_spans(["B-A", "B-A", "I-A"]) == [(0, 1, "A"), (1, 3, "A")]


def test_dangling_inside_tags():
    tags = ["I-A", "I-A", "O", "B-B", "I-A"]
    assert bio_to_spans(tags) == [(0, 2, "A"), (3, 4, "B"), (4, 5, "A")]
    with pytest.raises(ValueError, match="continues no A entity"):
        bio_to_spans(tags, strict=True)
    assert bio_to_spans(["B-A", "I-A"], strict=True) == [(0, 2, "A")]


@pytest.mark.parametrize("tag", ["X", "B-", "E-A", "b-A", None, ""])
def test_unknown_tags(tag):
    with pytest.raises(ValueError, match="unknown BIO tag"):
        bio_to_spans(["O", tag], document=7)


@pytest.mark.parametrize(
    "spans, match",
    [
        ([(0, 9, "A")], "out of range"),
        ([(-1, 2, "A")], "out of range"),
        ([(3, 3, "A")], "out of range"),
        ([(0, 3, "A"), (2, 4, "B")], "overlap"),
        ([(0, 2, "")], "non-empty string"),
        ([(0, 2)], "triple"),
        ([(0.0, 2, "A")], "integers"),
        ("0 2 A", "must be a list"),
    ],
)
def test_check_spans_errors(spans, match):
    with pytest.raises(ValueError, match=match):
        check_spans(spans, 5, document=3)


def test_strict_scores_by_hand():
    s = entity_scores(GOLD, PRED)
    assert s.attrs["matching"] == "strict"
    assert list(s.index) == [
        "BODY",
        "CHECK",
        "DISEASE",
        "SIGNS",
        "TREATMENT",
        "micro avg",
        "macro avg",
    ]
    assert s.loc["BODY", ["precision", "recall", "f1"]].tolist() == [1.0, 1.0, 1.0]
    assert s.loc["SIGNS", "f1"] == 0.0 and s.loc["TREATMENT", "support"] == 0
    # 1 exact hit; 5 predicted, 4 gold
    assert s.loc["micro avg", "precision"] == pytest.approx(1 / 5)
    assert s.loc["micro avg", "recall"] == pytest.approx(1 / 4)
    assert s.loc["micro avg", "f1"] == pytest.approx(2 * 0.2 * 0.25 / 0.45)
    assert s.loc["macro avg", ["precision", "recall", "f1"]].tolist() == pytest.approx([0.2] * 3)
    assert s.loc["micro avg", ["support", "predicted"]].tolist() == [4, 5]


def test_relaxed_scores_by_hand():
    s = entity_scores(GOLD, PRED, matching="relaxed")
    # SIGNS (3, 4) overlaps gold (3, 5): 2 of 5 predictions correct, 2 of 4 gold found
    assert s.loc["SIGNS", "f1"] == 1.0
    assert s.loc["micro avg", "precision"] == pytest.approx(2 / 5)
    assert s.loc["micro avg", "recall"] == pytest.approx(2 / 4)
    assert s.loc["micro avg", "f1"] == pytest.approx(2 * 0.4 * 0.5 / 0.9)
    # not one-to-one: one long prediction finds both gold mentions
    wide = entity_scores([[(0, 2, "A"), (2, 4, "A")]], [[(0, 4, "A")]], matching="relaxed")
    assert wide.loc["A", ["precision", "recall"]].tolist() == [1.0, 1.0]
    # overlap of another type does not count
    other = entity_scores([[(0, 2, "A")]], [[(0, 2, "B")]], matching="relaxed")
    assert other.loc["micro avg", "f1"] == 0.0


def test_bio_input_and_types_order():
    gold_tags = [spans_to_bio(GOLD[0], 12), spans_to_bio(GOLD[1], 6)]
    assert entity_scores(gold_tags, PRED).equals(entity_scores(GOLD, PRED))
    s = entity_scores(GOLD, PRED, types=["SIGNS", "BODY"])
    assert list(s.index[:2]) == ["SIGNS", "BODY"]
    assert s.loc["micro avg", "support"] == 2
    assert s.loc["macro avg", "f1"] == 0.5


def test_perfect_and_empty():
    assert entity_f1_score(GOLD, GOLD) == 1.0
    assert entity_f1_score([[], []], [[], []]) == 0.0
    assert entity_f1_score(GOLD, PRED, average="macro") == pytest.approx(0.2)


def test_bad_arguments():
    with pytest.raises(ValueError, match="matching"):
        entity_scores(GOLD, PRED, matching="partial")
    with pytest.raises(ValueError, match="average"):
        entity_f1_score(GOLD, PRED, average="weighted")
    with pytest.raises(ValueError, match="same number of documents"):
        entity_scores(GOLD, PRED[:1])
    with pytest.raises(ValueError, match="document 1"):
        entity_scores(GOLD, [[], [(0, 3, "A"), (1, 2, "B")]])


def test_report_in_table_7_layout():
    table = entity_report(GOLD, PRED, model="BiLSTM-CRF")
    assert list(table.columns) == ["Model", "Types", "Precision", "Recall", "F-score", "Support"]
    assert table["Model"].tolist()[:2] == ["BiLSTM-CRF", ""]
    assert table.set_index("Types").loc["micro avg", "F-score"] == 22.22
    comparison = entity_comparison_table(GOLD, {"a": PRED, "b": GOLD}, matching="relaxed")
    assert comparison.values.tolist() == [["a", 40.0, 50.0, 44.44], ["b", 100.0, 100.0, 100.0]]


class _Fixed(BaseEstimator):
    def __init__(self, output=None):
        self.output = output

    def predict(self, X):
        return self.output[: len(X)]


def test_scorers():
    est = _Fixed(PRED)
    assert span_f1_scorer(est, ["t1", "t2"], GOLD) == pytest.approx(2 * 0.2 * 0.25 / 0.45)
    relaxed = make_span_scorer("relaxed", "micro")
    assert relaxed(est, ["t1", "t2"], GOLD) == pytest.approx(2 * 0.4 * 0.5 / 0.9)
    with pytest.raises(ValueError, match="matching"):
        make_span_scorer("loose")
