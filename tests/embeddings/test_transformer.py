"""TransformerEmbedder: frozen MiniLM embeddings as a scikit-learn transformer."""

import pickle

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import cross_val_score

from skmedtext.datasets import load_medical_abstracts
from skmedtext.embeddings import TransformerEmbedder
from skmedtext.utils import sequence_mask

TEXTS = np.array(
    ["acute chest pain", "fever", "metastatic colorectal carcinoma of the liver"], dtype=object
)


@pytest.fixture(scope="module")
def pooled():
    # fp32, so the exact comparisons below hold on CPUs where "auto" picks bf16
    return TransformerEmbedder(amp=False).fit(TEXTS)


def test_pooled_output_is_order_and_batch_independent(pooled):
    full = pooled.transform(TEXTS)
    assert full.shape == (3, 384) and full.dtype == np.float32
    one_by_one = np.vstack([pooled.transform(TEXTS[i : i + 1]) for i in range(3)])
    np.testing.assert_allclose(full, one_by_one, atol=1e-5)
    reversed_rows = pooled.transform(TEXTS[::-1])[::-1]
    np.testing.assert_allclose(full, reversed_rows, atol=1e-5)


def test_mean_pooling_matches_a_hand_computed_mean(pooled):
    import torch

    enc = pooled.tokenizer_(["acute chest pain"], return_tensors="pt")
    with torch.no_grad():
        states = pooled.model_(**enc).last_hidden_state[0]
    np.testing.assert_allclose(
        pooled.transform(["acute chest pain"])[0], states.mean(0).numpy(), atol=1e-5
    )


def test_bf16_autocast_on_cpu_is_close_to_fp32_and_deterministic(pooled, monkeypatch):
    from skmedtext.utils import cpu_has_bf16, resolve_bf16

    assert resolve_bf16(TransformerEmbedder().amp, "cpu") == cpu_has_bf16()
    calls = []
    real_autocast = __import__("torch").autocast

    def spy(*args, **kwargs):
        calls.append(kwargs)
        return real_autocast(*args, **kwargs)

    monkeypatch.setattr("torch.autocast", spy)
    fast = TransformerEmbedder(amp=True, device="cpu").fit(TEXTS)
    first = fast.transform(TEXTS)
    assert calls and all(c["device_type"] == "cpu" and c["enabled"] for c in calls)
    np.testing.assert_array_equal(first, fast.transform(TEXTS))
    exact = pooled.transform(TEXTS)
    cosine = (first * exact).sum(1) / np.linalg.norm(first, axis=1) / np.linalg.norm(exact, axis=1)
    assert first.dtype == np.float32 and cosine.min() > 0.99


def test_each_distinct_text_runs_the_encoder_once(pooled):
    from skmedtext.encoders._frozen_stack import FROZEN_STACK_CACHE

    FROZEN_STACK_CACHE.clear()
    first = pooled.transform(TEXTS)
    assert FROZEN_STACK_CACHE.misses == len(TEXTS)
    # another fold or grid candidate: a fresh fit of the same encoder hits the cache
    again = clone(pooled).fit(TEXTS[:1]).transform(TEXTS[::-1])[::-1]
    assert FROZEN_STACK_CACHE.misses == len(TEXTS) and FROZEN_STACK_CACHE.hits == len(TEXTS)
    np.testing.assert_array_equal(first, again)
    # another max_length tokenises the longer texts otherwise: only they are computed again
    TransformerEmbedder(amp=False, max_length=4).fit(TEXTS).transform(TEXTS)
    cut = sum(len(ids) > 4 for ids in pooled.tokenizer_(list(TEXTS))["input_ids"])
    assert 0 < cut < len(TEXTS) and FROZEN_STACK_CACHE.misses == len(TEXTS) + cut


def test_sequence_output_is_zero_padded_with_a_recoverable_mask():
    emb = TransformerEmbedder(output="sequence", max_length=16).fit(TEXTS)
    seq = emb.transform(TEXTS)
    assert seq.shape == (3, 16, 384)
    lengths = [len(ids) for ids in emb.tokenizer_(list(TEXTS))["input_ids"]]
    np.testing.assert_array_equal(sequence_mask(seq).sum(1), lengths)
    assert emb.embedding_space_.startswith("hf-token-states:")


def test_input_layer_is_the_word_embedding_lookup():
    emb = TransformerEmbedder(output="sequence", layer="input", max_length=8).fit(TEXTS)
    seq = emb.transform(["fever"])
    ids = emb.tokenizer_(["fever"])["input_ids"][0]
    table = emb.model_.get_input_embeddings().weight.detach().numpy()
    np.testing.assert_allclose(seq[0, : len(ids)], table[ids], atol=1e-6)
    assert emb.embedding_space_.startswith("hf-input-embeddings:")


def test_long_texts_are_truncated(pooled):
    assert pooled.transform(["pain " * 100_000]).shape == (1, 384)


def test_clone_and_pickle_give_identical_output(pooled):
    restored = pickle.loads(pickle.dumps(pooled))
    np.testing.assert_array_equal(restored.transform(TEXTS), pooled.transform(TEXTS))
    assert clone(pooled).get_params() == pooled.get_params()


@pytest.mark.parametrize(
    "params, match",
    [({"pooling": "max"}, "pooling"), ({"output": "2d"}, "output"), ({"max_length": 0}, "max_length")],
)
def test_bad_parameters(params, match):
    with pytest.raises(ValueError, match=match):
        TransformerEmbedder(**params).fit(TEXTS)


def test_bad_input(pooled):
    with pytest.raises(TypeError):
        pooled.transform([b"\xff\xfe"])
    with pytest.raises(ValueError):
        pooled.transform(["ok", None])
    with pytest.raises(ValueError):
        TransformerEmbedder().fit([])


def test_frozen_embeddings_separate_medical_abstracts(data_root):
    bunch = load_medical_abstracts(data_home=data_root)
    idx = np.random.RandomState(0).permutation(len(bunch.data))[:240]
    X = np.asarray(bunch.data, dtype=object)[idx]
    y = np.asarray(bunch.target)[idx]
    # the encoder is frozen (no fitted state), so embedding once equals embedding per fold
    vectors = TransformerEmbedder(max_length=64).fit(X).transform(X)
    scores = cross_val_score(LogisticRegression(max_iter=500), vectors, y, cv=3, scoring="f1_macro")
    assert scores.mean() > 0.35, scores  # five classes: chance is about 0.2
