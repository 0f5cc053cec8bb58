"""StaResGRU-CNN and the baselines: learning on real triage questions, inputs, API."""

import pickle

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.dummy import DummyClassifier
from sklearn.exceptions import NotFittedError
from sklearn.metrics import balanced_accuracy_score
from skorch.callbacks import Callback

from skmedtext import SyntheticSequence
from skmedtext.datasets import load_department_triage, load_medical_abstracts
from skmedtext.embeddings import Word2VecEmbedder
from skmedtext.models import (
    BiGRUClassifier,
    BiLSTMClassifier,
    CNNGRUClassifier,
    CNNLSTMClassifier,
    DPCNNClassifier,
    StaResGRUCNNClassifier,
    TextCNNBiGRUClassifier,
    TextCNNClassifier,
)

ALL_MODELS = [
    StaResGRUCNNClassifier,
    TextCNNClassifier,
    BiLSTMClassifier,
    BiGRUClassifier,
    TextCNNBiGRUClassifier,
    CNNLSTMClassifier,
    CNNGRUClassifier,
    DPCNNClassifier,
]
# CI-sized: 32 characters (the question titles), 32-d inputs, a few epochs on one core;
# dropout is lowered because the paper's 0.4-0.5 slows learning of such tiny networks
COMMON = dict(
    max_length=32, embedding_dim=32, batch_size=16, max_epochs=4, lr=5e-3, dropout=0.1,
    device="cpu", random_state=0,
)  # fmt: skip
TINY = {
    StaResGRUCNNClassifier: dict(hidden_size=32, n_layers=2, filters=16),
    TextCNNClassifier: dict(filters=16),
    BiLSTMClassifier: dict(hidden_size=16),
    BiGRUClassifier: dict(hidden_size=16),
    TextCNNBiGRUClassifier: dict(filters=16, hidden_size=16),
    CNNLSTMClassifier: dict(filters=16, hidden_size=16, lr=1e-2, max_epochs=5),
    CNNGRUClassifier: dict(filters=16, hidden_size=16, lr=1e-2, max_epochs=5),
    DPCNNClassifier: dict(filters=16),
}
DEPARTMENTS = ["肝病科", "消化科", "神经科", "心血管科"]


@pytest.fixture(autouse=True, scope="module")
def one_thread():
    """Tiny recurrent nets run several times faster on one thread than on two busy ones."""
    import torch

    previous = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(previous)


def tiny(cls, **params):
    return cls(**{**COMMON, **TINY[cls], **params})


@pytest.fixture(scope="module")
def split(data_root):
    """60 training and 40 held-out questions of each of the four largest departments."""
    X, y = load_department_triage(data_home=data_root, return_X_y=True)
    X, y = np.asarray(X, dtype=object), np.asarray(y)
    rng = np.random.RandomState(0)
    train, test = [], []
    for department in DEPARTMENTS:
        rows = rng.permutation(np.flatnonzero(y == department))
        train.extend(rows[:60])
        test.extend(rows[60:100])
    train = rng.permutation(train)
    return X[train], y[train], X[test], y[test]


@pytest.fixture(scope="module")
def fitted(split):
    X, y, _, _ = split
    return {cls: tiny(cls).fit(X, y) for cls in ALL_MODELS}


def with_rows(X, rows):
    out = np.empty(len(X) + len(rows), dtype=object)
    out[: len(X)] = X
    out[len(X) :] = rows
    return out


# -- learning -------------------------------------------------------------------------------------
@pytest.mark.parametrize("cls", ALL_MODELS, ids=lambda c: c.__name__)
def test_learns_above_chance_on_held_out_questions(cls, fitted, split):
    X, y, X_test, y_test = split
    clf = fitted[cls]
    dummy = DummyClassifier(strategy="most_frequent").fit(X, y)
    chance = balanced_accuracy_score(y_test, dummy.predict(X_test))  # 0.25
    score = balanced_accuracy_score(y_test, clf.predict(X_test))
    assert score > chance + 0.2, f"{cls.__name__}: {score:.3f} vs chance {chance:.3f}"
    losses = clf.history_[:, "train_loss"]
    assert len(losses) == clf.max_epochs and losses[-1] < losses[0]


@pytest.mark.parametrize("cls", ALL_MODELS, ids=lambda c: c.__name__)
def test_fitted_attributes_and_outputs(cls, fitted, split):
    clf = fitted[cls]
    _, _, X_test, _ = split
    assert list(clf.classes_) == sorted(DEPARTMENTS)
    proba = clf.predict_proba(X_test[:7])
    assert proba.shape == (7, 4) and np.allclose(proba.sum(1), 1.0, atol=1e-5)
    assert set(clf.predict(X_test[:7])) <= set(DEPARTMENTS)
    module = clf.net_.module_
    assert clf.n_params_ == sum(p.numel() for p in module.parameters() if p.requires_grad)
    assert clf.embedding_space_.startswith("bare:char-32-")
    assert clf.embedder_ is None and len(clf.vocabulary_) > 100


@pytest.mark.parametrize("cls", ALL_MODELS, ids=lambda c: c.__name__)
def test_pickle_round_trip_gives_identical_predictions(cls, fitted, split):
    _, _, X_test, _ = split
    clf = fitted[cls]
    restored = pickle.loads(pickle.dumps(clf))
    np.testing.assert_array_equal(restored.predict_proba(X_test), clf.predict_proba(X_test))


@pytest.mark.parametrize("cls", ALL_MODELS, ids=lambda c: c.__name__)
def test_prediction_does_not_depend_on_batch_padding(cls, split):
    # fp32 property: under bf16 autocast (amp="auto" on CPUs with bf16 units) the rounding
    # of a row depends on the batch it is computed in
    X, y, X_test, _ = split
    clf = tiny(cls, amp=False).fit(X, y)
    short = min(X_test, key=len)
    alone = clf.predict_proba([short])
    in_batch = clf.predict_proba(np.r_[X_test[:20], [short]])[-1:]
    np.testing.assert_allclose(alone, in_batch, atol=1e-5)


@pytest.mark.parametrize("cls", [StaResGRUCNNClassifier, DPCNNClassifier], ids=lambda c: c.__name__)
def test_save_model_round_trip(cls, fitted, split, tmp_path):
    persistence = pytest.importorskip("skmedtext.persistence")
    _, _, X_test, _ = split
    clf = fitted[cls]
    loaded = persistence.load_model(persistence.save_model(clf, tmp_path / "model"), cls)
    np.testing.assert_array_equal(loaded.predict_proba(X_test), clf.predict_proba(X_test))
    assert loaded.vocabulary_ == clf.vocabulary_ and loaded.n_params_ == clf.n_params_
    assert loaded.embedding_space_ == clf.embedding_space_


# -- determinism and labels -----------------------------------------------------------------------
@pytest.mark.parametrize(
    "cls", [StaResGRUCNNClassifier, TextCNNClassifier], ids=lambda c: c.__name__
)
def test_same_random_state_same_model(cls, fitted, split):
    X, y, X_test, _ = split
    again = tiny(cls).fit(X, y)
    np.testing.assert_array_equal(again.predict_proba(X_test), fitted[cls].predict_proba(X_test))


def test_other_random_state_other_model(fitted, split):
    X, y, X_test, _ = split
    other = tiny(TextCNNClassifier, random_state=1).fit(X, y)
    reference = fitted[TextCNNClassifier]
    assert other.embedding_space_ != reference.embedding_space_  # another random table
    assert not np.allclose(other.predict_proba(X_test), reference.predict_proba(X_test))


def test_integer_labels_give_the_same_model_as_string_labels(fitted, split):
    X, y, X_test, _ = split
    codes = {d: i for i, d in enumerate(sorted(DEPARTMENTS))}  # the same class order
    clf = tiny(TextCNNClassifier).fit(X, np.array([codes[v] for v in y]))
    assert clf.classes_.tolist() == [0, 1, 2, 3]
    np.testing.assert_array_equal(
        clf.predict_proba(X_test), fitted[TextCNNClassifier].predict_proba(X_test)
    )
    assert clf.predict(X_test).dtype.kind == "i"


class _InterruptAfterFirstEpoch(Callback):
    def on_epoch_end(self, net, **kwargs):
        if len(net.history) == 1:
            raise KeyboardInterrupt  # skorch stops fitting as on Ctrl-C


def test_interrupted_fit_resumes_from_its_checkpoint(split, tmp_path):
    X, y, X_test, _ = split
    uninterrupted = tiny(StaResGRUCNNClassifier, max_epochs=2).fit(X[:80], y[:80])
    first = tiny(
        StaResGRUCNNClassifier, max_epochs=2, checkpoint_dir=tmp_path,
        callbacks=[_InterruptAfterFirstEpoch()],
    ).fit(X[:80], y[:80])  # fmt: skip
    assert len(first.history_) == 1
    resumed = tiny(StaResGRUCNNClassifier, max_epochs=2, checkpoint_dir=tmp_path).fit(
        X[:80], y[:80]
    )
    assert len(resumed.history_) == 2
    np.testing.assert_array_equal(
        resumed.predict_proba(X_test), uninterrupted.predict_proba(X_test)
    )


# -- embeddings -----------------------------------------------------------------------------------
def test_word2vec_embedding_frozen_or_fine_tuned(split):
    X, y, X_test, _ = split
    params = dict(embedding_params={"min_count": 2}, max_epochs=1)
    frozen = tiny(TextCNNClassifier, **params).set_params(embedding="word2vec").fit(X, y)
    embedder = frozen.embedder_
    assert isinstance(embedder, Word2VecEmbedder) and embedder.vector_size == 32
    assert frozen.embedding_space_ == embedder.embedding_space_
    table = frozen.net_.module_.inputs.embedding.weight
    np.testing.assert_array_equal(table.detach().numpy(), embedder.embedding_matrix_)
    assert not table.requires_grad
    tuned = clone(frozen).set_params(freeze_embedding=False).fit(X, y)
    assert tuned.embedding_space_ == frozen.embedding_space_  # the starting point is shared
    n_table = embedder.embedding_matrix_.size
    assert tuned.n_params_ == frozen.n_params_ + n_table
    tuned_table = tuned.net_.module_.inputs.embedding.weight.detach().numpy()
    assert not np.allclose(tuned_table, embedder.embedding_matrix_)


def test_word2vec_space_matches_an_identically_fitted_embedder(split):
    X, y, _, _ = split
    embedder = Word2VecEmbedder(vector_size=32, min_count=2, max_length=32, random_state=0).fit(X)
    clf = tiny(
        TextCNNClassifier, embedding="word2vec", embedding_params={"min_count": 2}, max_epochs=1
    )
    assert clf.fit(X, y).embedding_space_ == embedder.embedding_space_
    # and a fitted embedder can be handed over as is
    shared = tiny(TextCNNClassifier, embedding=embedder, max_epochs=1).fit(X[:40], y[:40])
    assert shared.embedder_ is embedder and shared.embedding_space_ == embedder.embedding_space_


def test_saved_vectors_and_word_level(split, tmp_path):
    X, y, _, _ = split
    embedder = Word2VecEmbedder(level="word", vector_size=16, min_count=2, random_state=0).fit(X)
    wv_path = tmp_path / "word.bin"  # word2vec binary: gensim pickles are refused
    from gensim.models import KeyedVectors

    wv = KeyedVectors(vector_size=16)
    wv.add_vectors(
        sorted(embedder.vocabulary_, key=embedder.vocabulary_.get), embedder.embedding_matrix_[2:]
    )
    wv.save_word2vec_format(str(wv_path), binary=True)
    clf = tiny(BiGRUClassifier, embedding=str(wv_path), level="word", max_epochs=1).fit(X, y)
    assert clf.embedding_space_ == embedder.embedding_space_
    assert clf.embedding_dim_ == 16 and "高血压" in clf.vocabulary_


def test_transformer_token_states(data_root, tmp_path):
    bunch = load_medical_abstracts(data_home=data_root)
    X, y = np.asarray(bunch.data, dtype=object)[:40], np.asarray(bunch.target)[:40]
    clf = tiny(TextCNNClassifier, embedding="transformer", max_length=24, max_epochs=1)
    clf.fit(X, y)
    assert clf.embedding_space_.startswith("hf-token-states:bert-384-")
    assert clf.embedding_dim_ == 384 and clf.vocabulary_ is None
    # the frozen encoder is not part of the trained network
    assert clf.n_params_ == sum(p.numel() for p in clf.net_.module_.parameters())
    assert clf.n_params_ < 100_000
    row = SyntheticSequence(np.random.RandomState(0).randn(5, 384), clf.embedding_space_, y[0])
    clf.fit(with_rows(X, [row]), np.r_[y, y[:1]])
    assert clf.predict(X[:3]).shape == (3,)
    persistence = pytest.importorskip("skmedtext.persistence")
    loaded = persistence.load_model(persistence.save_model(clf, tmp_path / "model"))
    np.testing.assert_array_equal(loaded.predict_proba(X), clf.predict_proba(X))
    assert loaded.embedding_space_ == clf.embedding_space_


# -- synthetic rows -------------------------------------------------------------------------------
def test_synthetic_rows_in_the_model_space_are_trained_on(split):
    X, y, X_test, _ = split
    embedder = Word2VecEmbedder(vector_size=32, min_count=2, max_length=32, random_state=0)
    embedder.set_params(output="sequence").fit(X)
    minority = np.flatnonzero(y == DEPARTMENTS[3])[:10]
    states = embedder.transform(X[minority])
    rows = [
        SyntheticSequence(
            s[: max(1, int(np.any(s != 0, -1).sum()))], embedder.embedding_space_, y[i]
        )
        for s, i in zip(states, minority)
    ]
    params = dict(embedding="word2vec", embedding_params={"min_count": 2}, max_epochs=2)
    plain = tiny(TextCNNClassifier, **params).fit(X, y)
    augmented = tiny(TextCNNClassifier, **params).fit(with_rows(X, rows), np.r_[y, y[minority]])
    assert augmented.embedding_space_ == embedder.embedding_space_
    assert not np.allclose(augmented.predict_proba(X_test), plain.predict_proba(X_test))


def test_synthetic_rows_from_another_space_are_refused(split):
    X, y, _, _ = split
    wrong = SyntheticSequence(np.ones((4, 32)), "hf-input-embeddings:bert-384-000000000000", y[0])
    with pytest.raises(ValueError, match="embedding space"):
        tiny(TextCNNClassifier, max_epochs=1).fit(with_rows(X[:40], [wrong]), np.r_[y[:40], y[:1]])
    clf = tiny(TextCNNClassifier, max_epochs=1).fit(X[:40], y[:40])
    with pytest.raises(ValueError, match="embedding space"):
        clf.predict(with_rows(X[:2], [wrong]))
    bad_size = SyntheticSequence(np.ones((4, 8)), clf.embedding_space_, y[0])
    with pytest.raises(ValueError, match="size 8"):
        clf.predict(with_rows(X[:2], [bad_size]))


# -- validation and the estimator API -------------------------------------------------------------
@pytest.mark.parametrize(
    "cls, params, error, match",
    [
        (TextCNNClassifier, dict(level="sentence"), ValueError, "level"),
        (TextCNNClassifier, dict(embedding="glove"), ValueError, "no such file"),
        (TextCNNClassifier, dict(embedding=3), TypeError, "embedding"),
        (TextCNNClassifier, dict(embedding_params=[1]), TypeError, "embedding_params"),
        (TextCNNClassifier, dict(embedding_params={"epochs": 3}), ValueError, "min_count"),
        (TextCNNClassifier, dict(kernel_sizes=()), ValueError, "kernel_sizes"),
        (StaResGRUCNNClassifier, dict(hidden_size=15), ValueError, "even"),
        (BiGRUClassifier, dict(dropout=1.0), ValueError, "dropout"),
        (DPCNNClassifier, dict(n_blocks=0), ValueError, "n_blocks"),
        (CNNLSTMClassifier, dict(max_length=0), ValueError, "max_length"),
    ],
)
def test_bad_parameters_raise_clear_errors(split, cls, params, error, match):
    X, y, _, _ = split
    with pytest.raises(error, match=match):
        tiny(cls, **params).fit(X[:20], y[:20])


def test_not_fitted_and_bad_input(split):
    X, y, _, _ = split
    with pytest.raises(NotFittedError):
        tiny(TextCNNClassifier).predict_proba(X[:2])
    with pytest.raises(ValueError, match="2 classes"):
        tiny(TextCNNClassifier).fit(X[:5], [y[0]] * 5)
    with pytest.raises(TypeError, match="single str"):
        tiny(TextCNNClassifier).fit("头痛", [y[0]])


@pytest.mark.parametrize("cls", ALL_MODELS, ids=lambda c: c.__name__)
def test_paper_defaults(cls):
    params = cls().get_params()
    assert params["embedding"] == "bare" and params["level"] == "char"
    if cls is StaResGRUCNNClassifier:
        assert (params["n_layers"], params["hidden_size"], params["dropout"]) == (4, 512, 0.4)
        assert (params["filters"], params["kernel_size"]) == (64, 3)


def test_staresgru_dropout_leaves_the_identity_path_alone():
    # paper 003's residual block is h + dropout(out): dropping units of the sum
    # (dropout(out + h)) also cut the identity path, which then survived 4
    # layers with probability (1 - p)^4. With p = 1 nothing but the identity path
    # reaches the projection: before the fix, nothing at all did.
    import torch
    from torch import nn

    from skmedtext.models._modules._sequence import StaResGRUCNN

    inputs = nn.Identity()
    inputs.embedding_dim = 8
    torch.manual_seed(0)
    net = StaResGRUCNN(inputs, 3, hidden_size=8, n_layers=2, filters=4, dropout=1.0).train()
    seen = []
    net.project.register_forward_hook(lambda module, args, out: seen.append(args[0]))
    x = torch.randn(2, 5, 8)
    net.classify(x, torch.tensor([5, 3]))
    # (batch, channels, time) into the convolution: the input itself (Identity shortcut)
    torch.testing.assert_close(seen[0].transpose(1, 2)[0], x[0])
