"""DMT-BERT's partial fine-tuning: the frozen bottom stack and its cache."""

import numpy as np
import pytest
import torch

from skmedtext import SyntheticSequence
from skmedtext.datasets import load_medical_abstracts
from skmedtext.models import DMTBertClassifier
from skmedtext.encoders._frozen_stack import FROZEN_STACK_CACHE

TINY = dict(max_length=24, max_epochs=1, batch_size=16, random_state=0, lambda_cooc=0.0)


@pytest.fixture(scope="module")
def small(data_root):
    X, y = load_medical_abstracts(data_home=data_root, return_X_y=True)
    return np.asarray(X, dtype=object)[:40], np.asarray(y)[:40]


@pytest.fixture(autouse=True)
def _empty_cache():
    FROZEN_STACK_CACHE.clear()
    yield
    FROZEN_STACK_CACHE.clear()


def test_only_the_top_layers_train_and_the_cache_is_reused(small):
    X, y = small
    clf = DMTBertClassifier(trainable_layers=2, amp=False, **TINY).fit(X, y)
    encoder = clf.net_.module_.encoder
    assert clf.net_.module_.cut == 4 and clf.frozen_space_.startswith("hf-layer-4:")
    assert not any(p.requires_grad for p in encoder.embeddings.parameters())
    assert not any(p.requires_grad for p in encoder.encoder.layer[3].parameters())
    assert all(p.requires_grad for p in encoder.encoder.layer[4].parameters())
    assert FROZEN_STACK_CACHE.misses == len(set(X))
    misses = FROZEN_STACK_CACHE.misses
    # another fold / grid candidate on the same texts: nothing computed again
    DMTBertClassifier(trainable_layers=2, amp=False, **{**TINY, "lr": 1e-4}).fit(X[:30], y[:30])
    clf.predict(X)
    assert FROZEN_STACK_CACHE.misses == misses and FROZEN_STACK_CACHE.hits >= 30 + len(X)


@pytest.mark.parametrize(
    "change",
    [dict(trainable_layers=3), dict(max_length=20), dict(amp=True), dict(truncation="head_tail")],
    ids=["layer", "max_length", "bf16", "head_tail"],
)
def test_the_cache_is_invalidated_by_layer_and_tokenisation(small, change):
    X, y = small
    DMTBertClassifier(trainable_layers=2, amp=False, **TINY).fit(X, y)
    misses = FROZEN_STACK_CACHE.misses
    DMTBertClassifier(**{**TINY, "trainable_layers": 2, "amp": False, **change}).fit(X, y)
    assert FROZEN_STACK_CACHE.misses >= misses + len(set(X)) - 1


def test_the_cache_is_invalidated_by_other_encoder_weights(small):
    from skmedtext.encoders import load_encoder
    from skmedtext.encoders._frozen_stack import FrozenStack

    encoder = load_encoder("minilm-en")[2]
    space = FrozenStack(encoder, 2).space
    with torch.no_grad():
        encoder.encoder.layer[0].output.dense.weight.mul_(1.01)  # a frozen layer changes
    changed = FrozenStack(encoder, 2).space
    assert changed != space
    with torch.no_grad():
        encoder.encoder.layer[5].output.dense.weight.mul_(1.01)  # a trained layer does not count
    assert FrozenStack(encoder, 2).space == changed


@pytest.mark.parametrize("amp, atol", [(False, 1e-5), (True, 3e-2)])
def test_cached_predictions_match_the_uncached_forward(small, amp, atol):
    X, y = small
    clf = DMTBertClassifier(trainable_layers=2, amp=amp, device="cpu", **TINY).fit(X, y)
    cached = clf.predict_proba(X)
    # the same weights, the whole encoder run on token ids
    clf.set_params(trainable_layers=None)
    clf._stack, clf.net_.module_.cut = None, None
    np.testing.assert_allclose(clf.predict_proba(X), cached, atol=atol)


def test_synthetic_rows_enter_at_their_layer_and_other_layers_are_refused(small):
    X, y = small
    probe = DMTBertClassifier(trainable_layers=2, amp=False, **TINY).fit(X[:20], y[:20])
    rng = np.random.default_rng(0)
    rows = [
        SyntheticSequence(rng.normal(0, 0.05, (10, 384)), probe.embedding_space_, label=y[0]),
        SyntheticSequence(rng.normal(0, 0.5, (10, 384)), probe.frozen_space_, label=y[1]),
    ]
    X_mixed = np.array(list(X[:20]) + rows, dtype=object)
    y_mixed = list(y[:20]) + [y[0], y[1]]
    clf = DMTBertClassifier(trainable_layers=2, amp=False, **TINY).fit(X_mixed, y_mixed)
    assert clf.predict_proba(X_mixed).shape == (22, len(clf.classes_))
    other_layer = probe.frozen_space_.replace("hf-layer-4:", "hf-layer-3:")
    X_bad = np.array(list(X[:20]) + [SyntheticSequence(np.zeros((4, 384)), other_layer, label=y[0])],
                     dtype=object)  # fmt: skip
    with pytest.raises(ValueError, match="hf-layer-3"):
        DMTBertClassifier(trainable_layers=2, **TINY).fit(X_bad, list(y[:20]) + [y[0]])


def test_disk_cache_under_skmedtext_home(small, tmp_path, monkeypatch):
    X, y = small
    monkeypatch.setenv("SKMEDTEXT_HOME", str(tmp_path))
    params = dict(trainable_layers=2, frozen_cache="disk", amp=False, **TINY)
    first = DMTBertClassifier(**params).fit(X, y).predict_proba(X)
    assert len(list((tmp_path / "frozen_stack").rglob("*.pt"))) == len(set(X))
    FROZEN_STACK_CACHE.clear()  # a new process: only the disk remains
    second = DMTBertClassifier(**params).fit(X, y).predict_proba(X)
    assert FROZEN_STACK_CACHE.misses == 0
    np.testing.assert_array_equal(first, second)


def test_more_trainable_layers_than_the_encoder_has_trains_them_all(small):
    X, y = small
    clf = DMTBertClassifier(trainable_layers=7, amp=False, **TINY).fit(X[:20], y[:20])
    encoder = clf.net_.module_.encoder
    assert clf.net_.module_.cut == 0 and clf.frozen_space_.startswith("hf-layer-0:")
    assert not any(p.requires_grad for p in encoder.embeddings.parameters())
    assert all(p.requires_grad for p in encoder.encoder.layer[0].parameters())


def test_a_loaded_model_keeps_its_frozen_space(small, tmp_path):
    from skmedtext.persistence import load_model, save_model

    X, y = small
    clf = DMTBertClassifier(trainable_layers=1, amp=False, **TINY).fit(X[:20], y[:20])
    save_model(clf, tmp_path / "dmt")
    loaded = load_model(tmp_path / "dmt")
    # the space names the saved frozen weights, not the random ones the restore starts from
    assert loaded.frozen_space_ == clf.frozen_space_
    np.testing.assert_allclose(loaded.predict_proba(X[20:]), clf.predict_proba(X[20:]), atol=1e-5)
    assert loaded._frozen_stack().space == clf.frozen_space_
    row = SyntheticSequence(np.zeros((4, 384), np.float32), clf.frozen_space_, label=y[0])
    loaded._check_spaces([row])


def test_a_loaded_model_refuses_frozen_weights_other_than_the_saved_ones(small, tmp_path):
    from skmedtext.persistence import load_model, save_model

    X, y = small
    clf = DMTBertClassifier(trainable_layers=1, amp=False, **TINY).fit(X[:20], y[:20])
    loaded = load_model(save_model(clf, tmp_path / "dmt"))
    with torch.no_grad():  # before the stack is rebuilt on first use
        loaded.net_.module_.encoder.encoder.layer[0].output.dense.bias.add_(1.0)
    with pytest.raises(ValueError, match="DMTBertClassifier: the loaded encoder's frozen layers"):
        loaded.predict(X[20:])


def _attention_kernels(layer, hidden, mask):
    """Names of the scaled-dot-product kernels one training-mode layer call runs."""
    from torch.profiler import ProfilerActivity, profile

    layer.train()
    with profile(activities=[ProfilerActivity.CPU]) as prof:
        layer(hidden, attention_mask=mask)
    return {e.key for e in prof.key_averages() if "scaled_dot_product" in e.key}


@pytest.mark.parametrize("attention_dropout", [0.0, 0.3, None])
def test_attention_dropout_sets_the_checkpoint_value(attention_dropout):
    from skmedtext.encoders import load_encoder

    _, _, encoder = load_encoder("minilm-en", attention_dropout=attention_dropout)
    expected = 0.1 if attention_dropout is None else attention_dropout  # MiniLM ships 0.1
    assert encoder.config.attention_probs_dropout_prob == expected
    assert encoder.encoder.layer[-1].attention.self.dropout.p == expected


def test_zero_attention_dropout_keeps_the_fused_cpu_kernel():
    # the reason for the default: nonzero dropout sends training through the unfused path
    from skmedtext.encoders import load_encoder

    hidden = torch.randn(2, 16, 384)
    mask = torch.zeros(2, 1, 1, 16)
    kernels = {}
    for p in (0.0, 0.1):
        _, _, encoder = load_encoder("minilm-en", attention_dropout=p)
        kernels[p] = _attention_kernels(encoder.encoder.layer[-1], hidden, mask)
    assert any("flash" in k for k in kernels[0.0]), kernels
    assert not any("flash" in k for k in kernels[0.1]) and any("math" in k for k in kernels[0.1])


def test_estimators_fine_tune_without_attention_dropout_by_default(small):
    X, y = small
    clf = DMTBertClassifier(trainable_layers=1, amp=False, **TINY).fit(X[:16], y[:16])
    assert clf.net_.module_.encoder.config.attention_probs_dropout_prob == 0.0
    kept = DMTBertClassifier(trainable_layers=1, amp=False, attention_dropout=None, **TINY)
    assert kept.fit(X[:16], y[:16]).net_.module_.encoder.config.attention_probs_dropout_prob == 0.1


def test_dropout_rates_do_not_change_the_frozen_space():
    # the stack runs in eval mode: SAANSampler(layer=-k), which loads the checkpoint's
    # dropout, must land in the space of a DMT-BERT fine-tuning with attention_dropout=0
    from skmedtext.encoders import FrozenStack, load_encoder

    spaces = {
        FrozenStack(load_encoder("minilm-en", attention_dropout=p)[2], 2).space for p in (None, 0.0)
    }
    _, _, other = load_encoder("minilm-en")
    with torch.no_grad():
        other.encoder.layer[0].output.dense.bias.add_(1.0)
    assert len(spaces) == 1 and FrozenStack(other, 2).space not in spaces
