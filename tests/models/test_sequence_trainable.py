"""The sequence models' ``trainable_layers``: a transformer's top layers fine-tuned under the network."""

import pickle

import numpy as np
import pytest
import torch
from imblearn.pipeline import make_pipeline
from sklearn.base import clone
from sklearn.utils._param_validation import InvalidParameterError

from skmedtext.encoders._frozen_stack import FROZEN_STACK_CACHE
from skmedtext.models import (
    AVRNNClassifier,
    BiGRUClassifier,
    DPCNNClassifier,
    StaResGRUCNNClassifier,
    TextCNNClassifier,
)

TINY = dict(embedding="transformer", trainable_layers=1, max_length=16, max_epochs=1,
            batch_size=4, lr=1e-3, random_state=0, amp=False, device="cpu")  # fmt: skip


def varied(X):
    """Texts of 3 to 16 tokens: predicted together, most of them are padded."""
    return [X[i][: 8 + 10 * i] for i in range(6)]


def tiny_cnn(**params):
    return TextCNNClassifier(filters=8, **{**TINY, **params})


@pytest.fixture(scope="module")
def data(data_root):
    from skmedtext.datasets import load_medical_abstracts

    X, y = load_medical_abstracts(data_home=data_root, return_X_y=True)
    return np.asarray(X, dtype=object)[:12], np.asarray(y)[:12]


@pytest.fixture(scope="module")
def fitted(data):
    FROZEN_STACK_CACHE.clear()
    return tiny_cnn().fit(*data)


@pytest.fixture(scope="module")
def pristine():
    from skmedtext.encoders import load_encoder

    return load_encoder("minilm-en")[2]


@pytest.mark.parametrize(
    "params, error, match",
    [
        (dict(trainable_layers=0), InvalidParameterError, "trainable_layers"),
        (dict(frozen_cache="ram"), InvalidParameterError, "frozen_cache"),
        (dict(embedding="bare"), ValueError, "needs embedding='transformer'"),
        (dict(embedding_params={"pooling": "cls"}), ValueError, r"only takes \['batch_size'\]"),
    ],
)
def test_bad_parameters_are_named(data, params, error, match):
    with pytest.raises(error, match=match):
        tiny_cnn(**params).fit(*data)


def test_an_embedder_reading_the_input_layer_is_refused(data):
    from skmedtext.embeddings import TransformerEmbedder

    with pytest.raises(ValueError, match="layer='input'"):
        tiny_cnn(embedding=TransformerEmbedder(output="sequence", layer="input")).fit(*data)


def test_none_keeps_the_frozen_last_layer_states(data):
    FROZEN_STACK_CACHE.clear()
    clf = tiny_cnn(trainable_layers=None).fit(*data)
    assert clf.embedding_space_.startswith("hf-token-states:")
    assert not any(name.startswith("inputs.encoder") for name in clf.net_.module_.state_dict())
    # the states are the whole frozen encoder's, once per text (TransformerEmbedder's cache)
    assert clf.embedder_.last_layer_stack().cut == 6
    assert FROZEN_STACK_CACHE.misses == len(set(data[0]))


def test_only_the_top_layer_trains(fitted, pristine):
    encoder = fitted.net_.module_.inputs.encoder
    assert fitted.embedding_space_.startswith("hf-layer-5:") and fitted.embedder_ is None
    before, after = pristine.state_dict(), encoder.state_dict()
    changed = {k for k in before if not torch.equal(before[k], after[k])}
    assert changed and all(k.startswith("encoder.layer.5.") for k in changed)
    top = sum(p.numel() for p in encoder.encoder.layer[5].parameters())
    network = sum(p.numel() for n, p in fitted.net_.module_.named_parameters()
                  if not n.startswith("inputs.encoder"))  # fmt: skip
    assert fitted.n_params_ == top + network


def test_a_second_fit_reads_the_cache(data, fitted):
    X, y = data
    misses = FROZEN_STACK_CACHE.misses
    assert misses >= len(set(X))
    clone(fitted).set_params(lr=1e-4).fit(X[:10], y[:10])
    fitted.predict_proba(X)
    assert FROZEN_STACK_CACHE.misses == misses


@pytest.mark.parametrize("amp, atol", [(False, 1e-5), (True, 3e-2)])
def test_cached_states_match_the_whole_encoder(data, amp, atol):
    X, y = data
    clf = tiny_cnn(amp=amp).fit(X, y)
    cached = clf.predict_proba(varied(X))
    module = clf.net_.module_.eval()
    ids = clf.tokenizer_(varied(X), truncation=True, max_length=16, padding=True,
                         return_tensors="pt")  # fmt: skip
    lengths = ids["attention_mask"].sum(1)
    with torch.no_grad():  # no cache: every layer of the fine-tuned encoder, fp32
        states = module.inputs.encoder(**ids).last_hidden_state
        states = states * ids["attention_mask"].unsqueeze(-1)
        whole = torch.softmax(module.classify(states, lengths), -1).numpy()
    np.testing.assert_allclose(cached, whole, atol=atol)


def test_padding_does_not_change_a_prediction(data, fitted):
    texts = varied(data[0])
    lengths = [len(fitted.tokenizer_(t)["input_ids"]) for t in texts]
    assert min(lengths) < 8 and max(lengths) == 16
    alone = np.vstack([fitted.predict_proba([t]) for t in texts])
    np.testing.assert_allclose(fitted.predict_proba(texts), alone, atol=1e-5)


def test_clone_pickle_and_persistence_round_trip(data, fitted, tmp_path):
    from skmedtext.persistence import load_model, save_model

    X, _ = data
    assert clone(fitted).get_params() == fitted.get_params()
    expected = fitted.predict_proba(X)
    np.testing.assert_array_equal(pickle.loads(pickle.dumps(fitted)).predict_proba(X), expected)
    loaded = load_model(save_model(fitted, tmp_path / "model"))
    FROZEN_STACK_CACHE.clear()  # the loaded frozen weights compute the states again
    np.testing.assert_array_equal(loaded.predict_proba(X), expected)
    assert loaded.trainable_layers == 1 and loaded.n_params_ == fitted.n_params_
    assert loaded._stack.space == fitted.embedding_space_ == loaded.embedding_space_


def test_a_loaded_model_refuses_frozen_weights_other_than_the_saved_ones(data, fitted, tmp_path):
    from skmedtext.persistence import load_model, save_model

    X, _ = data
    loaded = load_model(save_model(fitted, tmp_path / "model"))
    with torch.no_grad():  # before the stack is rebuilt on first use
        loaded.net_.module_.inputs.encoder.embeddings.word_embeddings.weight.mul_(2.0)
    with pytest.raises(ValueError, match="TextCNNClassifier: the loaded encoder's frozen layers"):
        loaded.predict(X)


def test_disk_cache_under_skmedtext_home(data, tmp_path, monkeypatch):
    X, y = data
    monkeypatch.setenv("SKMEDTEXT_HOME", str(tmp_path))
    FROZEN_STACK_CACHE.clear()  # states held in memory are not written again
    first = tiny_cnn(frozen_cache="disk").fit(X, y).predict_proba(X)
    assert len(list((tmp_path / "frozen_stack").rglob("*.pt"))) == len(set(X))
    FROZEN_STACK_CACHE.clear()  # a new process: only the disk remains
    second = tiny_cnn(frozen_cache="disk").fit(X, y).predict_proba(X)
    assert FROZEN_STACK_CACHE.misses == 0
    np.testing.assert_array_equal(first, second)


@pytest.mark.parametrize(
    "cls, params",
    [
        (StaResGRUCNNClassifier, dict(hidden_size=16, n_layers=2, filters=8)),
        (BiGRUClassifier, dict(hidden_size=8)),
        (AVRNNClassifier, dict(hidden_size=8, dense_size=8)),
        (DPCNNClassifier, dict(filters=8)),
    ],
)
def test_every_family_member_runs_on_the_top_layers(data, cls, params):
    X, y = data
    clf = cls(**params, **{**TINY, "trainable_layers": 2}).fit(X, y)
    assert clf.embedding_space_.startswith("hf-layer-4:")
    assert clf.predict_proba(X[:3]).shape == (3, len(clf.classes_))


def test_saan_rows_of_the_cut_layer_enter_and_others_are_refused(data_root):
    from skmedtext.datasets import load_medical_abstracts
    from skmedtext.sampling import SAANSampler

    saan = dict(epochs=1, batch_size=256, hidden_dim=8, n_heads=2, latent_dim=4, device="cpu",
                max_length=16, random_state=0)  # fmt: skip
    bunch = load_medical_abstracts(data_home=data_root)
    texts, y = np.asarray(bunch.data, dtype=object), np.asarray(bunch.target)
    rows = np.concatenate([np.flatnonzero(y == label)[:n] for label, n in ((5, 6), (1, 3))])
    texts, y = list(texts[rows]), y[rows]
    pipe = make_pipeline(SAANSampler(layer=-1, **saan), tiny_cnn())
    assert pipe.fit(texts, y).predict(texts[:3]).shape == (3,)
    X_res, y_res = SAANSampler(layer=-2, **saan).fit_resample(texts, y)
    with pytest.raises(ValueError, match="hf-layer-4"):
        tiny_cnn().fit(X_res, y_res)


def test_the_fine_tuned_layers_run_without_attention_dropout(fitted):
    encoder = fitted.net_.module_.inputs.encoder
    assert encoder.config.attention_probs_dropout_prob == 0.0
    assert all(layer.attention.self.dropout.p == 0.0 for layer in encoder.encoder.layer)


def test_more_trainable_layers_than_the_encoder_has_trains_them_all(data):
    # one rule with DMT-BERT and the BERT taggers: capped at the depth, embeddings frozen
    clf = tiny_cnn(trainable_layers=7).fit(*data)
    encoder = clf.net_.module_.inputs.encoder
    assert clf.embedding_space_.startswith("hf-layer-0:")
    assert not any(p.requires_grad for p in encoder.embeddings.parameters())
    assert all(p.requires_grad for p in encoder.encoder.layer[0].parameters())
