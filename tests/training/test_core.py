"""The shared training core: schedule, bucketing, checkpoint/resume, callbacks, its hooks."""

import numpy as np
import pytest
import torch
from sklearn.utils._param_validation import InvalidParameterError
from sklearn.utils.estimator_checks import check_param_validation
from skorch.callbacks import Callback

import skmedtext.encoders
import skmedtext.models
from skmedtext.datasets import load_medical_abstracts
from skmedtext.models import DMTBertClassifier, TextCNNClassifier
from skmedtext.training import BucketBatchSampler, EncodedDataset, WarmupLinearSchedule

TINY = dict(max_length=24, max_epochs=2, batch_size=16, random_state=0)


@pytest.fixture(scope="module")
def small(data_root):
    X, y = load_medical_abstracts(data_home=data_root, return_X_y=True)
    return np.asarray(X, dtype=object)[:48], np.asarray(y)[:48]


def test_warmup_linear_schedule_shape():
    schedule = WarmupLinearSchedule(warmup_steps=4, total_steps=10)
    factors = [schedule(step) for step in range(10)]
    assert factors[:4] == pytest.approx([0.2, 0.4, 0.6, 0.8])
    assert factors[4] == pytest.approx(1.0)
    assert all(a >= b for a, b in zip(factors[4:], factors[5:]))
    resumed = WarmupLinearSchedule(warmup_steps=4, total_steps=10, offset=6)
    assert resumed(0) == schedule(6)


def test_bucketing_batches_similar_lengths_and_covers_every_row():
    lengths = np.random.RandomState(0).randint(1, 200, size=500)
    dataset = EncodedDataset([{"x": np.zeros(n)} for n in lengths], np.zeros(500, int), lengths)
    torch.manual_seed(0)
    batches = list(BucketBatchSampler(dataset.lengths, batch_size=16, shuffle=True))
    seen = np.sort(np.concatenate(batches))
    np.testing.assert_array_equal(seen, np.arange(500))
    spread = np.mean([lengths[b].max() - lengths[b].min() for b in batches])
    shuffled = np.random.RandomState(1).permutation(500).reshape(-1, 20)[:, :16]
    assert spread < 0.5 * np.mean([lengths[b].max() - lengths[b].min() for b in shuffled])


class _InterruptAfterFirstEpoch(Callback):
    def on_epoch_end(self, net, **kwargs):
        if len(net.history) == 1:
            raise KeyboardInterrupt  # skorch stops fitting as on Ctrl-C


def test_interrupted_fit_resumes_to_the_uninterrupted_result(small, tmp_path):
    X, y = small
    uninterrupted = DMTBertClassifier(**TINY).fit(X, y).predict_proba(X)
    first = DMTBertClassifier(
        **TINY, checkpoint_dir=tmp_path, callbacks=[_InterruptAfterFirstEpoch()]
    ).fit(X, y)
    assert len(first.history_) == 1
    resumed = DMTBertClassifier(**TINY, checkpoint_dir=tmp_path).fit(X, y)
    assert len(resumed.history_) == 2
    np.testing.assert_array_equal(resumed.predict_proba(X), uninterrupted)


def test_bf16_on_cpu_trains_with_fp32_master_weights_and_is_deterministic(small, monkeypatch):
    # amp=True on CPU used to be refused; CPU autocast is now the fast path
    X, y = small
    modes = []
    real_autocast = torch.autocast

    def spy(*args, **kwargs):
        modes.append((kwargs.get("device_type", args[0] if args else None), kwargs.get("dtype")))
        return real_autocast(*args, **kwargs)

    monkeypatch.setattr(torch, "autocast", spy)
    params = {**TINY, "max_epochs": 1, "amp": True, "device": "cpu"}
    first = DMTBertClassifier(**params).fit(X, y)
    assert ("cpu", torch.bfloat16) in modes
    module = first.net_.module_
    assert all(p.dtype == torch.float32 for p in module.parameters())
    moments = [s["exp_avg"] for s in first.net_.optimizer_.state.values()]
    assert moments and all(m.dtype == torch.float32 for m in moments)
    proba = first.predict_proba(X)
    assert np.isfinite(proba).all()
    np.testing.assert_array_equal(DMTBertClassifier(**params).fit(X, y).predict_proba(X), proba)


def test_checkpoint_of_another_fit_is_refused(small, tmp_path):
    X, y = small
    DMTBertClassifier(**{**TINY, "max_epochs": 1}, checkpoint_dir=tmp_path).fit(X, y)
    with pytest.raises(ValueError, match="different fit"):
        DMTBertClassifier(**{**TINY, "lr": 1e-3}, checkpoint_dir=tmp_path).fit(X, y)


def test_user_callbacks_run(small):
    X, y = small
    seen = []

    class Record(Callback):
        def on_epoch_end(self, net, **kwargs):
            seen.append(len(net.history))

    DMTBertClassifier(**TINY, callbacks=[("record", Record())]).fit(X, y)
    assert seen == [1, 2]


# -- the core's seams: validation first, explicit hooks, no borrowed attributes ----------
CLASSIFIERS = [getattr(skmedtext.models, n) for n in skmedtext.models.__all__ if n.endswith("Classifier")]

TEXTS = ["胸痛胸闷三天", "心慌胸闷气短", "胃痛腹泻两天", "腹胀胃痛反酸"] * 4
LABELS = ["心内科", "心内科", "消化科", "消化科"] * 4
CNN_TINY = dict(
    filters=4, embedding_dim=8, max_length=8, max_epochs=1, device="cpu", random_state=0
)


def _tiny_cnn(**params):
    return TextCNNClassifier(**{**CNN_TINY, **params})


@pytest.mark.parametrize("cls", CLASSIFIERS, ids=lambda c: c.__name__)
def test_every_parameter_has_a_constraint_enforced_by_fit(cls):
    check_param_validation(cls.__name__, cls())


def test_parameter_errors_come_before_any_encoder_is_loaded(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("the encoder was loaded before the parameters were checked")

    monkeypatch.setattr(skmedtext.encoders, "load_encoder", refuse)
    with pytest.raises(InvalidParameterError, match="max_epochs"):
        DMTBertClassifier(max_epochs=0).fit(TEXTS, LABELS)
    with pytest.raises(ValueError, match="n_iter_no_change"):  # a check spanning two parameters
        DMTBertClassifier(n_iter_no_change=1).fit(TEXTS, LABELS)


def test_fit_encoding_state_is_handed_to_build_module(monkeypatch):
    seen = {}
    fit_encoding, build_module = TextCNNClassifier._fit_encoding, TextCNNClassifier._build_module

    def recording_fit_encoding(self, X, y):
        seen["returned"] = fit_encoding(self, X, y)
        return seen["returned"]

    def recording_build_module(self, n_classes, state):
        seen["received"] = state
        return build_module(self, n_classes, state)

    monkeypatch.setattr(TextCNNClassifier, "_fit_encoding", recording_fit_encoding)
    monkeypatch.setattr(TextCNNClassifier, "_build_module", recording_build_module)
    clf = _tiny_cnn().fit(TEXTS, LABELS)
    assert isinstance(seen["returned"], torch.Tensor) and seen["received"] is seen["returned"]
    # nothing is parked on the estimator between the hooks
    assert {k for k in vars(clf) if not k.endswith("_")} == set(clf.get_params())


def test_inference_net_has_no_training_callbacks_and_leaves_the_estimator_alone(tmp_path):
    clf = _tiny_cnn(checkpoint_dir=tmp_path / "ckpt", callbacks=[Callback()]).fit(TEXTS, LABELS)
    before = dict(vars(clf))
    net = clf._make_inference_net(clf.net_.module_, clf.net_.criterion_, "cpu")
    assert net.callbacks == [] and net.train_split is None
    assert vars(clf).keys() == before.keys()
    assert all(vars(clf)[k] is v for k, v in before.items())


def test_fit_accelerated_leaves_no_instance_attribute():
    pytest.importorskip("accelerate", reason="accelerate is in the 'scale' extra")
    from skmedtext.training import default_accelerator, fit_accelerated

    clf = fit_accelerated(_tiny_cnn(), TEXTS, LABELS, accelerator=default_accelerator(cpu=True))
    assert type(clf.net_) is TextCNNClassifier._net_class
    assert {k for k in vars(clf) if not k.endswith("_")} == set(clf.get_params())
    assert "_make_net" not in vars(clf)
