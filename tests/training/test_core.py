"""The shared training core: schedule, bucketing, checkpoint/resume, callbacks."""

import numpy as np
import pytest
import torch
from skorch.callbacks import Callback

from skmedtext.datasets import load_medical_abstracts
from skmedtext.models import DMTBertClassifier
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
