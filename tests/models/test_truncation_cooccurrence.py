"""Head+tail truncation and the within-record co-occurrence label of DMT-BERT."""

import numpy as np
import pytest
import torch
from sklearn.base import clone

from skmedtext.encoders import load_encoder
from skmedtext.models import DMTBertClassifier
from skmedtext.models._collate import BertCollator
from skmedtext.models._truncation import head_tail_budget, tokenize

TINY = dict(max_length=32, max_epochs=1, batch_size=8, random_state=0, amp=False, trainable_layers=None)
LONG = " ".join(f"word{i} alpha{i}" for i in range(200))


@pytest.fixture(scope="module")
def tokenizer():
    return load_encoder("minilm-en")[1]


def test_head_tail_keeps_the_first_quarter_and_the_end(tokenizer):
    full = tokenizer(LONG, add_special_tokens=False)["input_ids"]
    out = tokenize(tokenizer, [LONG], 34, "head_tail", with_offsets=True)
    ids, offsets = out["input_ids"][0], out["offset_mapping"][0]
    head, tail = head_tail_budget(32)
    assert (head, tail) == (8, 24)
    assert len(ids) == 34
    assert ids[0] == tokenizer.cls_token_id and ids[-1] == tokenizer.sep_token_id
    assert ids[1 : 1 + head] == full[:head]
    assert ids[1 + head : -1] == full[-tail:]
    # the kept tokens' offsets point at their own characters; specials at (0, 0)
    assert offsets[0] == (0, 0) and offsets[-1] == (0, 0)
    assert (
        LONG[offsets[-2][0] : offsets[-2][1]]
        == "alpha199"[-(offsets[-2][1] - offsets[-2][0]) :]
    )
    assert offsets[1] == (0, 4)


def test_head_tail_equals_head_for_short_texts(tokenizer):
    texts = ["acute myocardial infarction", "chronic hepatitis b"]
    a = tokenize(tokenizer, texts, 32, "head", with_offsets=True)
    b = tokenize(tokenizer, texts, 32, "head_tail", with_offsets=True)
    assert a["input_ids"] == b["input_ids"]
    assert [list(map(tuple, o)) for o in a["offset_mapping"]] == b["offset_mapping"]


def test_head_tail_classifier_encodes_the_tail_and_predicts():
    texts = [
        LONG + " hepatitis",
        LONG + " infarction",
        "liver hepatitis",
        "heart infarction",
    ] * 2
    y = ["liver", "heart", "liver", "heart"] * 2
    clf = DMTBertClassifier(truncation="head_tail", lambda_cooc=0, **TINY).fit(texts, y)
    items, lengths = clf._encode([texts[0]])
    tail_ids = clf.tokenizer_(" hepatitis", add_special_tokens=False)["input_ids"]
    assert list(items[0]["input_ids"][-1 - len(tail_ids) : -1]) == tail_ids
    assert lengths[0] == 32
    head = clone(clf).set_params(truncation="head").fit(texts, y)
    assert list(head._encode([texts[0]])[0][0]["input_ids"][-2:-1]) != tail_ids[-1:]
    assert clf.predict_proba(texts).shape == (8, 2)


def test_truncation_is_validated():
    with pytest.raises(ValueError, match="truncation"):
        DMTBertClassifier(truncation="tail", **TINY).fit(["a b", "c d"], [0, 1])


def test_same_record_labels_pairs_by_row():
    collator = BertCollator(0, 8, 4, positive_pairs=frozenset({(0, 2)}), max_pairs=64,
                            same_record=True)  # fmt: skip
    mentions = [(0, 1, 2, 0), (0, 3, 4, 1), (1, 1, 2, 2)]
    pairs = collator._pairs(mentions)
    got = {(int(a), int(b)): float(y) for a, b, y in
           zip(pairs["pair_a"], pairs["pair_b"], pairs["pair_y"])}  # fmt: skip
    assert got == {(0, 1): 1.0, (0, 2): 0.0, (1, 2): 0.0}
    corpus = BertCollator(
        0, 8, 4, positive_pairs=frozenset({(0, 2)}), max_pairs=64
    )._pairs(mentions)
    got = {(int(a), int(b)): float(y) for a, b, y in
           zip(corpus["pair_a"], corpus["pair_b"], corpus["pair_y"])}  # fmt: skip
    assert got == {(0, 1): 0.0, (0, 2): 1.0, (1, 2): 0.0}


def test_record_cooccurrence_trains_the_auxiliary_task():
    texts = ["hepatitis and cirrhosis of the liver", "lymphoma with anemia in blood",
             "cirrhosis after hepatitis", "anemia and lymphoma"] * 3  # fmt: skip
    y = ["liver", "blood", "liver", "blood"] * 3
    terms = ["hepatitis", "cirrhosis", "lymphoma", "anemia"]
    clf = DMTBertClassifier(
        cooccurrence="record", lambda_cooc=1.0, disease_terms=terms, **TINY
    )
    clf.fit(texts, y)
    assert clf.cooccurring_pairs_ == frozenset()
    aux = clf.history_[:, "train_aux_loss"]
    assert np.isfinite(aux).all() and aux[0] > 0
    x, _ = next(iter(torch.utils.data.DataLoader(
        [(it, 0) for it in clf._encode(texts[:2])[0]], batch_size=2,
        collate_fn=clf._make_collator())))  # fmt: skip
    assert x["pair_y"].tolist() and set(x["pair_y"].tolist()) == {0.0, 1.0}
