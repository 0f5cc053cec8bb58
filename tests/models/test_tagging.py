"""Taggers (BiLSTM-CRF, StaResGRU-CNN-CRF) on a few tiny documents, 1-2 epochs."""

import itertools
import pickle

import numpy as np
import pytest
import torch
from sklearn.base import clone
from sklearn.model_selection import GridSearchCV
from sklearn.utils._param_validation import InvalidParameterError

from skmedtext.embeddings import TransformerEmbedder
from skmedtext.metrics import entity_f1_score, span_f1_scorer, spans_to_bio
from skmedtext.models import BiLSTMCRFTagger, StaResGRUCNNCRFTagger
from skmedtext.models._tagging._encoding import (
    kept_pieces,
    merge_windows,
    sentence_pieces,
    token_offsets,
    token_tags,
    window_bounds,
)
from skmedtext.models._tagging._modules import crf_marginals

X = ["右髋部疼痛", "腹痛三天", "左膝肿胀", "右膝疼痛两天，行CT检查"] * 2
Y = [
    [(0, 3, "BODY"), (3, 5, "SIGNS")],
    [(0, 2, "SIGNS")],
    [(0, 2, "BODY"), (2, 4, "SIGNS")],
    [(0, 2, "BODY"), (2, 4, "SIGNS"), (8, 10, "CHECK")],
] * 2
TINY = dict(hidden_size=8, embedding_dim=8, batch_size=4, max_epochs=2, lr=1e-2, random_state=0)
TAGGERS = [
    (BiLSTMCRFTagger, {}),
    (StaResGRUCNNCRFTagger, {"filters": 8, "n_layers": 2}),
]


def _tagger(cls=BiLSTMCRFTagger, **params):
    extra = dict(TAGGERS)[cls]
    return cls(**{**TINY, **extra, **params})


@pytest.fixture(scope="module")
def fitted():
    return _tagger().fit(X, Y)


@pytest.mark.parametrize("cls", [c for c, _ in TAGGERS])
def test_fit_predict_shapes(cls):
    tagger = _tagger(cls).fit(X, Y)
    expected = ["B-BODY", "B-CHECK", "B-SIGNS", "I-BODY", "I-CHECK", "I-SIGNS", "O"]
    assert list(tagger.classes_) == expected  # sorted, as persistence requires
    spans = tagger.predict(X[:4])
    assert len(spans) == 4
    for text, doc in zip(X, spans):
        assert all(0 <= s < e <= len(text) and isinstance(t, str) for s, e, t in doc)
    tags = tagger.predict_tags(X[:2])
    assert [len(t) for t in tags] == [len(x) for x in X[:2]]
    proba = tagger.predict_proba(X[:2])
    assert proba[0].shape == (len(X[0]), 7)
    np.testing.assert_allclose(proba[0].sum(1), 1.0, atol=1e-5)


def test_spans_and_bio_targets_fit_the_same_model():
    bio = [spans_to_bio(doc, text) for doc, text in zip(Y, X)]
    a = _tagger().fit(X, Y).predict_proba(X)
    b = _tagger().fit(X, bio).predict_proba(X)
    for pa, pb in zip(a, b):
        np.testing.assert_array_equal(pa, pb)


def test_learns_the_toy_task():
    tagger = _tagger(hidden_size=16, embedding_dim=16, max_epochs=25, batch_size=2).fit(X, Y)
    assert tagger.score(X, Y) > 0.9
    assert tagger.predict(["腹痛"]) == [[(0, 2, "SIGNS")]]


@pytest.mark.parametrize("name", ["fitted", "split_fitted"])
def test_determinism_clone_and_pickle(name, request):
    fitted = request.getfixturevalue(name)
    X_, Y_ = (XS, YS) if name == "split_fitted" else (X, Y)
    again = clone(fitted).fit(X_, Y_)
    for a, b in zip(fitted.predict_proba(X_), again.predict_proba(X_)):
        np.testing.assert_array_equal(a, b)
    restored = pickle.loads(pickle.dumps(fitted))
    assert restored.predict(X_) == fitted.predict(X_)
    assert clone(fitted).get_params() == fitted.get_params()
    assert not hasattr(fitted, "_fit_owners")  # fit-time bookkeeping does not stay


def test_grid_search_with_the_span_scorer():
    search = GridSearchCV(
        _tagger(max_epochs=1), {"head": ["crf", "softmax"]}, scoring=span_f1_scorer, cv=2
    )
    search.fit(X, Y)
    assert set(search.cv_results_["param_head"]) == {"crf", "softmax"}
    assert np.all(np.isfinite(search.cv_results_["mean_test_score"]))


@pytest.mark.parametrize(
    "params",
    [
        {"head": "softmax", "criterion": "focal"},
        {"criterion": "weighted_ce", "emission_weight": 0.5, "tag_weighting": "entities"},
        {"level": "word"},
        {"max_length": 4, "window_overlap": 1},
        {"validation_fraction": 0.25, "n_iter_no_change": 2, "max_epochs": 3},
    ],
)
def test_options(params):
    tagger = _tagger(**params).fit(X, Y)
    spans = tagger.predict(X)
    assert len(spans) == len(X)
    if params.get("level") == "word":
        # word-level predictions start and end on jieba word boundaries
        from skmedtext.text import segment_texts

        for text, doc in zip(X, spans):
            starts, ends = token_offsets(text, segment_texts([text], "word")[0])
            assert all(s in starts and e in ends for s, e, _ in doc)
    if "validation_fraction" in params:
        assert "valid_loss" in tagger.history_[-1]


def test_word2vec_embedding_and_empty_text():
    tagger = _tagger(StaResGRUCNNCRFTagger, embedding="word2vec").fit(X, Y)
    assert tagger.predict(["", "右膝"])[0] == []


def test_entity_aware_weights(fitted):
    tagger = clone(fitted).set_params(tag_weighting="entities")
    tagger.classes_ = fitted.classes_
    index = {tag: i for i, tag in enumerate(fitted.classes_)}
    docs = [
        ["B-BODY", "I-BODY", "I-BODY", "O", "B-SIGNS", "I-SIGNS"],
        ["B-BODY", "I-BODY"] + ["O"] * 5,
    ]
    rows = np.full((2, 7), -100)
    for row, tags in zip(rows, docs):
        row[: len(tags)] = [index[t] for t in tags]
    counts = dict(zip(fitted.classes_, tagger._class_counts(rows).tolist()))
    # O: 6 characters; BODY: 2 mentions; CHECK: none (counts 1); SIGNS: 1 mention
    assert counts == {"B-BODY": 2, "I-BODY": 2, "B-CHECK": 1, "I-CHECK": 1, "B-SIGNS": 1,
                      "I-SIGNS": 1, "O": 6}  # fmt: skip
    tagger.set_params(tag_weighting="tags")
    counts = dict(zip(fitted.classes_, tagger._class_counts(rows).tolist()))
    assert counts["I-BODY"] == 3 and counts["O"] == 6  # characters per tag


BAD_Y = [
    ([[(0, 9, "BODY")]] + Y[1:], "out of range"),
    ([[(0, 3, "BODY"), (2, 4, "SIGNS")]] + Y[1:], "overlap"),
    ([["O", "X-BODY", "O", "O", "O"]] + Y[1:], "unknown BIO tag"),
    ([["O", "B-BODY"]] + Y[1:], "2 BIO tags for 5 characters"),
    (Y[:-1], "same length"),
    ([[] for _ in X], "at least one entity"),
    ("BODY", "one entry per text"),
]


@pytest.mark.parametrize("y, match", BAD_Y)
def test_bad_targets(y, match):
    with pytest.raises(ValueError, match=match):
        _tagger().fit(X, y)


@pytest.mark.parametrize(
    "params, error, match",
    [
        ({"head": "hmm"}, InvalidParameterError, "head"),
        ({"emission_weight": -1}, InvalidParameterError, "emission_weight"),
        ({"tag_weighting": "chars"}, InvalidParameterError, "tag_weighting"),
        ({"window_overlap": 8, "max_length": 8}, ValueError, "window_overlap"),
        ({"embedding": TransformerEmbedder("minilm-en", layer=-2)}, ValueError, "layer"),
    ],
)
def test_bad_parameters(params, error, match):
    with pytest.raises(error, match=match):
        _tagger(**params).fit(X, Y)


def test_bad_texts(fitted):
    with pytest.raises((TypeError, ValueError)):
        _tagger().fit([1, 2], [[], [(0, 1, "A")]])
    with pytest.raises((TypeError, ValueError)):
        fitted.predict("右髋部疼痛")


# -- sentence pieces (split_sentences) -----------------------------------------------------------
def test_sentence_pieces_cover_the_text():
    text = "右髋部疼痛。腹痛三天！？\n左膝肿胀，T36.5℃；行CT"
    pieces = sentence_pieces(text)
    assert [text[s:e] for s, e in pieces] == ["右髋部疼痛。", "腹痛三天！？\n", "左膝肿胀，T36.5℃；", "行CT"]
    assert pieces[0][0] == 0 and pieces[-1][1] == len(text)
    assert all(a[1] == b[0] for a, b in zip(pieces, pieces[1:]))  # contiguous
    assert sentence_pieces("") == [(0, 0)]
    assert sentence_pieces("腹痛。") == [(0, 3)]  # a final sentence end makes no empty piece
    # at fit time no cut falls inside a gold entity
    assert sentence_pieces("腹痛。三天", [(0, 4, "SIGNS")]) == [(0, 5)]
    assert sentence_pieces("腹痛。三天", [(0, 3, "SIGNS")]) == [(0, 3), (3, 5)]


XS = ["右髋部疼痛。腹痛三天！左膝肿胀", "右膝疼痛两天，行CT检查。\n腹痛"] * 4
YS = [
    [(0, 3, "BODY"), (3, 5, "SIGNS"), (6, 8, "SIGNS"), (11, 13, "BODY"), (13, 15, "SIGNS")],
    [(0, 2, "BODY"), (2, 4, "SIGNS"), (8, 10, "CHECK"), (13, 15, "SIGNS")],
] * 4


@pytest.fixture(scope="module")
def split_fitted():
    params = dict(hidden_size=16, embedding_dim=16, max_epochs=25, batch_size=2)
    return _tagger(split_sentences=True, **params).fit(XS, YS)


def test_split_sentences_maps_back_to_the_text(split_fitted):
    doc = "左膝肿胀。右髋部疼痛！\n腹痛；右膝疼痛两天，行CT检查"
    pieces = sentence_pieces(doc)
    assert len(pieces) == 4
    alone = split_fitted.predict([doc[s:e] for s, e in pieces])
    expected = [(s + o, e + o, k) for (o, _), spans in zip(pieces, alone) for s, e, k in spans]
    assert len(expected) >= 4  # the toy task is learnt, so the check is not vacuous
    assert split_fitted.predict([doc]) == [expected]
    assert all(type(s) is int and type(e) is int for s, e, _ in expected)
    assert all(doc[s:e] for s, e, _ in expected)
    proba = split_fitted.predict_proba([doc])[0]
    np.testing.assert_array_equal(
        proba, np.concatenate(split_fitted.predict_proba([doc[s:e] for s, e in pieces]))
    )
    assert split_fitted.score(XS, YS) > 0.8
    # the same model on the whole text sees across the sentence ends: other scores
    whole = clone(split_fitted).set_params(split_sentences=False)
    whole.__dict__.update({k: v for k, v in vars(split_fitted).items() if k.endswith("_")})
    assert not np.array_equal(whole.predict_proba([doc])[0], proba)


def test_split_sentences_validation_keeps_a_text_whole():
    tagger = _tagger(validation_fraction=0.4)
    owners = np.array([0, 0, 1, 1, 1, 2, 3, 3, 4])  # the text of each of 9 pieces
    tagger._fit_owners = owners
    train, valid = tagger._split(np.zeros((9, 1)), np.random.RandomState(0))
    assert sorted(train.tolist() + valid.tolist()) == list(range(9))
    assert not set(owners[train]) & set(owners[valid])
    assert len(set(owners[valid])) == 2  # ceil(0.4 * 5) texts


def test_split_sentences_validation_fit():
    tagger = _tagger(split_sentences=True, validation_fraction=0.25).fit(XS, YS)
    assert "valid_loss" in tagger.history_[-1]


def test_split_sentences_must_be_boolean():
    with pytest.raises(InvalidParameterError, match="split_sentences"):
        _tagger(split_sentences="yes").fit(X, Y)


def test_windows_and_merge():
    assert window_bounds(5, 8, 2) == [(0, 5)]
    assert window_bounds(10, 4, 1) == [(0, 4), (3, 7), (6, 10)]
    scores = [np.full((4, 1), k, dtype=float) for k in range(3)]
    merged = merge_windows(scores, [(0, 4), (3, 7), (6, 10)], 10)
    # each position takes the window where it is furthest from an edge
    # (ties go to the earlier window)
    assert merged[:, 0].tolist() == [0, 0, 0, 0, 1, 1, 1, 2, 2, 2]


def test_token_tags_and_offsets():
    assert [a.tolist() for a in token_offsets("a 88岁", ["a", "88", "岁"])] == [
        [0, 2, 4],
        [1, 4, 5],
    ]
    # tags: O B-X I-X O ; a token holding an entity start is B-X
    char_tags = np.array([0, 1, 2, 0])
    begins = np.array([False, True, False])
    assert token_tags(char_tags, np.array([0, 2]), np.array([2, 4]), begins).tolist() == [1, 2]


def test_crf_marginals_match_brute_force():
    from torchcrf import CRF

    torch.manual_seed(0)
    crf = CRF(3, batch_first=True)
    for p in crf.parameters():
        torch.nn.init.normal_(p)
    emissions = torch.randn(1, 3, 3)
    mask = torch.ones(1, 3, dtype=torch.bool)
    expected = torch.zeros(3, 3)
    paths = {seq: float(crf(emissions, torch.tensor([seq]), mask, reduction="sum").detach().exp())
             for seq in itertools.product(range(3), repeat=3)}  # fmt: skip
    z = sum(paths.values())
    for seq, p in paths.items():
        for t, k in enumerate(seq):
            expected[t, k] += p / z
    torch.testing.assert_close(crf_marginals(crf, emissions, mask)[0], expected, atol=1e-5, rtol=0)


# -- transformer taggers (e5-small, top layer only, 1-2 epochs) ------------------------------
BERT = dict(model_name_or_path="e5-small-multilingual", trainable_layers=1, max_epochs=1,
            batch_size=4, random_state=0, device="cpu")  # fmt: skip
XB = ["右髋部疼痛", "腹痛三天，诊断为胃炎", "左膝肿胀", "右膝疼痛两天，行CT检查，胃炎"] * 2
YB = [
    [(0, 3, "BODY"), (3, 5, "SIGNS")],
    [(0, 2, "SIGNS"), (8, 10, "DISEASE")],
    [(0, 2, "BODY"), (2, 4, "SIGNS")],
    [(0, 2, "BODY"), (2, 4, "SIGNS"), (8, 10, "CHECK"), (13, 15, "DISEASE")],
] * 2


@pytest.mark.parametrize(
    "params",
    [{}, {"head": "softmax"}, {"max_length": 8, "window_overlap": 2}, {"split_sentences": True}],
)
def test_bert_tagger(params):
    from skmedtext.models import BertTagger

    tagger = BertTagger(**BERT, **params).fit(XB, YB)
    spans = tagger.predict(XB[:4] + [""])
    assert len(spans) == 5 and spans[-1] == []
    if params.get("split_sentences"):
        doc = XB[1] + "。" + XB[3]
        alone = tagger.predict([XB[1] + "。", XB[3]])
        shift = len(XB[1]) + 1
        assert tagger.predict([doc]) == [alone[0] + [(s + shift, e + shift, k)
                                                     for s, e, k in alone[1]]]  # fmt: skip
    proba = tagger.predict_proba(XB[:2])
    assert proba[1].shape[1] == len(tagger.classes_)
    np.testing.assert_allclose(proba[1].sum(1), 1.0, atol=1e-4)
    trainable = {n.split(".")[2] for n, p in tagger.net_.module_.encoder.encoder.named_parameters()
                 if p.requires_grad and n.startswith("encoder.layer.")}  # fmt: skip
    assert trainable == {"11"}


def test_dmt_bert_tagger_cooccurrence_task():
    from skmedtext.models import DMTBertTagger

    tagger = DMTBertTagger(**{**BERT, "max_epochs": 2}, min_cooccur=2).fit(XB, YB)
    terms = [("SIGNS", "疼痛"), ("SIGNS", "腹痛"), ("DISEASE", "胃炎"), ("SIGNS", "肿胀")]
    assert tagger.cooc_terms_ == {term: i for i, term in enumerate(terms)}
    # 疼痛 and 胃炎 share two documents (the fourth text, twice); 腹痛 and 胃炎 too
    assert tagger.cooccurring_pairs_ == frozenset({(0, 2), (1, 2)})
    assert all(np.isfinite(tagger.history_[:, "train_aux_loss"]))
    assert len(tagger.predict(XB[:2])) == 2


def test_kept_pieces_drop_covered_pieces():
    from skmedtext.models._tagging._encoding import kept_pieces

    # a SentencePiece "▁" sharing its character with the next piece, then an empty piece
    assert kept_pieces([(0, 1), (0, 1), (1, 2), (2, 2)]).tolist() == [1, 2]


def test_save_and_load_model(fitted, tmp_path):
    from skmedtext.persistence import load_model, save_model

    save_model(fitted, tmp_path / "tagger")
    loaded = load_model(tmp_path / "tagger")
    assert list(loaded.classes_) == list(fitted.classes_)
    for a, b in zip(loaded.predict_proba(X), fitted.predict_proba(X)):
        np.testing.assert_allclose(a, b, atol=1e-6)


def test_checkpoint_folder_resumes_and_refuses_other_targets(tmp_path):
    first = _tagger(checkpoint_dir=tmp_path).fit(X, Y)
    # every epoch is in the folder: the same fit resumes to the same weights
    again = _tagger(checkpoint_dir=tmp_path).fit(X, Y)
    for a, b in zip(first.predict_proba(X), again.predict_proba(X)):
        np.testing.assert_array_equal(a, b)
    # the per-character targets are part of the fit's fingerprint
    with pytest.raises(ValueError, match="checkpoint"):
        _tagger(checkpoint_dir=tmp_path).fit(X, [doc[:1] for doc in Y])


@pytest.mark.parametrize("name", ["BertTagger", "DMTBertTagger"])
def test_bert_taggers_save_and_load(name, tmp_path):
    from skmedtext import models
    from skmedtext.persistence import load_model, save_model

    params = {**BERT, "max_epochs": 2}
    if name == "DMTBertTagger":
        params["min_cooccur"] = 2
    fitted = getattr(models, name)(**params).fit(XB, YB)
    loaded = load_model(save_model(fitted, tmp_path / name))
    assert type(loaded) is type(fitted) and list(loaded.classes_) == list(fitted.classes_)
    assert loaded.predict(XB) == fitted.predict(XB)
    for a, b in zip(loaded.predict_proba(XB), fitted.predict_proba(XB)):
        np.testing.assert_allclose(a, b, atol=1e-5)
    if name == "DMTBertTagger":
        assert loaded.cooc_terms_ == fitted.cooc_terms_
        assert loaded.cooccurring_pairs_ == fitted.cooccurring_pairs_ != frozenset()


# -- RNN taggers over frozen transformer states (embedding="transformer") ---------------------
def _piece_states(encoder, tokenizer, ids):
    """Last-layer states of ``[CLS] ids [SEP]``, content positions only (the reference)."""
    row = torch.tensor([[tokenizer.cls_token_id, *ids, tokenizer.sep_token_id]])
    with torch.no_grad():
        return encoder(input_ids=row).last_hidden_state[0, 1:-1].numpy()


@pytest.mark.parametrize("max_length", [64, 8], ids=["one window", "windows"])
def test_transformer_token_states_follow_the_character_offsets(max_length):
    from skmedtext.encoders import FrozenStack, load_encoder
    from skmedtext.models._tagging._states import token_states

    _, tokenizer, encoder = load_encoder("e5-small-multilingual")
    text = "右膝疼痛两天，行CT检查，诊断为胃炎"
    starts, ends = token_offsets(text, list(text))
    stack = FrozenStack(encoder, 0)
    (states,) = token_states([text], [(starts, ends)], tokenizer, stack,
                             max_length=max_length, overlap=2, device="cpu", amp=False)  # fmt: skip
    assert states.shape == (len(text), encoder.config.hidden_size)
    enc = tokenizer(text, add_special_tokens=False, return_offsets_mapping=True)
    ids, offsets = np.array(enc["input_ids"]), np.array(enc["offset_mapping"])
    kept = kept_pieces(offsets)
    ids, offsets = ids[kept], offsets[kept]
    # each piece's state comes from the window in which it lies furthest from an edge
    bounds = window_bounds(len(ids), max_length - 2, 2)
    windows = [_piece_states(encoder, tokenizer, ids[s:e]) for s, e in bounds]
    pieces = merge_windows(windows, bounds, len(ids))
    for k, (a, b) in enumerate(offsets):
        for c in range(a, b):  # every character of a piece carries the piece's state
            np.testing.assert_allclose(states[c], pieces[k], atol=1e-4)
    assert (len(bounds) == 1) == (max_length == 64)


@pytest.mark.parametrize("cls", [c for c, _ in TAGGERS])
def test_rnn_taggers_learn_over_frozen_transformer_states(cls, tmp_path):
    from skmedtext.persistence import load_model, save_model

    extra = dict(TAGGERS)[cls]
    # 384-wide inputs: a width-8 recurrent layer does not fit them in 40 epochs, 32 does
    params = {**TINY, **extra, "hidden_size": 32, "max_epochs": 40, "batch_size": 8,
              "max_length": 64, "window_overlap": 8}  # fmt: skip
    params.update({"filters": 32} if "filters" in extra else {})
    tagger = cls("transformer", encoder="e5-small-multilingual", **params).fit(X, Y)
    assert tagger.vocabulary_ is None and tagger.embedding_dim_ == 384
    assert entity_f1_score(Y, tagger.predict(X)) >= 0.9
    # the states are cached: predicting again computes nothing new and gives the same spans
    assert tagger.predict(X) == tagger.predict(X)
    assert load_model(save_model(tagger, tmp_path / "tagger")).predict(X) == tagger.predict(X)


def test_bert_tagger_caps_trainable_layers_at_the_depth():
    from skmedtext.models import BertTagger

    tagger = BertTagger(**{**BERT, "trainable_layers": 20}).fit(XB[:4], YB[:4])
    encoder = tagger.net_.module_.encoder.encoder
    assert not any(p.requires_grad for p in encoder.embeddings.parameters())
    assert all(p.requires_grad for p in encoder.encoder.layer[0].parameters())


def test_bert_tagger_caches_the_frozen_layers():
    from skmedtext.encoders._frozen_stack import FROZEN_STACK_CACHE
    from skmedtext.models import BertTagger

    FROZEN_STACK_CACHE.clear()
    tagger = BertTagger(**{**BERT, "amp": False}).fit(XB[:4], YB[:4])
    assert tagger.frozen_space_.startswith("hf-layer-11:")
    n_cached = len(FROZEN_STACK_CACHE._items)
    assert n_cached == 4  # one [CLS] window [SEP] row per distinct training text
    again = BertTagger(**{**BERT, "amp": False}).fit(XB[:4], YB[:4])
    assert len(FROZEN_STACK_CACHE._items) == n_cached  # a second fit reads them all
    assert again.predict(XB[:4]) == tagger.predict(XB[:4])

    # the cached states give the uncached forward's token states
    items, _ = tagger._encode(XB[:3])
    collate = tagger._make_collator()
    batch = [(item, None) for item in items]
    cached, _ = collate(batch)
    for item in items:
        del item["window_states"]
    plain, _ = collate(batch)
    assert "embeds" in cached and "embeds" not in plain
    encoder = tagger.net_.module_.encoder.eval()
    with torch.no_grad():
        a, b = encoder(**cached), encoder(**plain)
    for k, n in enumerate(cached["lengths"].tolist()):  # padding positions are never read
        np.testing.assert_allclose(a[k, :n], b[k, :n], atol=1e-4)
