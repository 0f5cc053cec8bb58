"""Paper 003's pooled baselines and paper 002's hybrid: wiring, sizes, synthetic rows, multi-label."""

import numpy as np
import pytest
import torch

from skmedtext import SyntheticSequence
from skmedtext.models import (
    AVCNNClassifier,
    AVRNNClassifier,
    DropoutAVRNNClassifier,
    DropoutBiGRUClassifier,
    HybridBertClassifier,
)
from skmedtext.models._modules._pooled import (
    AVCNN,
    AVRNN,
    DropoutBiRNN,
    SpatialDropout1d,
    masked_mean,
)
from skmedtext.models._modules._sequence import SequenceInput

TEXTS = ["胸痛胸闷三天", "心慌胸闷气短", "胃痛腹泻两天", "腹胀胃痛反酸"] * 4
LABELS = ["心内科", "心内科", "消化科", "消化科"] * 4
SMALL = {
    AVRNNClassifier: {"hidden_size": 8, "dense_size": 8},
    DropoutAVRNNClassifier: {"hidden_size": 8},
    DropoutBiGRUClassifier: {"hidden_size": 8},
    AVCNNClassifier: {"filters": 4, "kernel_sizes": (1, 2)},
}


def _n_params(module):
    return sum(p.numel() for p in module.parameters() if p.requires_grad)


def test_parameter_counts_near_table_9():
    # paper 003, Table 9, GloVe column (100-d inputs, 44 diagnoses)
    table = {"dbigru": 0.16e6, "davrnn": 0.17e6, "avrnn": 0.26e6, "avcnn": 0.82e6}
    made = {
        "dbigru": DropoutBiRNN(SequenceInput(None, 100), 44, cell="gru", hidden_size=128),
        "davrnn": AVRNN(SequenceInput(None, 100), 44, dense_size=None, spatial_dropout=0.2),
        "avrnn": AVRNN(SequenceInput(None, 100), 44),
        "avcnn": AVCNN(SequenceInput(None, 100), 44),
    }
    for name, module in made.items():
        assert 0.7 < _n_params(module) / table[name] < 1.3, name


def test_pooling_ignores_padding_and_spatial_dropout_drops_whole_channels():
    h = torch.tensor([[[1.0], [3.0], [100.0]], [[2.0], [2.0], [2.0]]])
    torch.testing.assert_close(masked_mean(h, torch.tensor([2, 3])), torch.tensor([[2.0], [2.0]]))
    drop = SpatialDropout1d(0.5).train()
    torch.manual_seed(0)
    out = drop(torch.ones(4, 6, 10))
    zero_channels = (out == 0).all(dim=1)  # (batch, channels): zero at every position
    assert zero_channels.any() and ((out == 0).any(dim=1) == zero_channels).all()
    assert torch.equal(SpatialDropout1d(0.5).eval()(torch.ones(2, 3, 4)), torch.ones(2, 3, 4))
    # a row's output does not depend on the padding its batch carries
    module = AVCNN(SequenceInput(20, 8), 3, filters=4).eval()
    ids = torch.tensor([[3, 4, 5, 0, 0]])
    empty = (torch.zeros(0, dtype=torch.long), torch.zeros(0, 5, 8))
    short = module(ids[:, :3], torch.tensor([3]), empty[0], empty[1][:, :3])
    torch.testing.assert_close(module(ids, torch.tensor([3]), *empty), short)


@pytest.mark.parametrize("cls", list(SMALL))
def test_fit_predict_single_and_multi_label(cls):
    clf = cls(max_epochs=2, random_state=0, **SMALL[cls]).fit(TEXTS, LABELS)
    assert clf.predict(["胸闷胸痛"]).shape == (1,)
    assert clf.n_params_ > 0
    Y = np.array([[1, 0, 1], [1, 0, 0], [0, 1, 0], [0, 1, 1]] * 4)
    multi = cls(max_epochs=1, random_state=0, **SMALL[cls]).fit(TEXTS, Y)
    assert multi.predict(TEXTS[:2]).shape == (2, 3)


def test_bad_parameters_are_named():
    with pytest.raises(ValueError, match="spatial_dropout"):
        DropoutBiGRUClassifier(spatial_dropout=1.5).fit(TEXTS, LABELS)
    with pytest.raises(ValueError, match="kernel"):
        AVCNNClassifier(kernel_sizes=(0,)).fit(TEXTS, LABELS)
    with pytest.raises(ValueError, match="dense_size"):
        AVRNNClassifier(dense_size=0).fit(TEXTS, LABELS)


ABSTRACTS = [
    "chronic hepatitis and cirrhosis",
    "acute myocardial infarction",
    "hepatitis b with cirrhosis",
    "coronary disease and infarction",
] * 3
ORGANS = ["liver", "heart", "liver", "heart"] * 3
TINY = {"max_length": 16, "max_epochs": 1, "batch_size": 4, "random_state": 0, "lstm_hidden": 8}


def test_hybrid_wiring_synthetic_rows_and_multilabel():
    probe = HybridBertClassifier(**TINY).fit(ABSTRACTS, ORGANS)
    module = probe.net_.module_
    assert module.lstm.bidirectional and module.attention.embed_dim == 384
    assert "train_aux_loss" not in probe.history_[-1]
    assert not hasattr(probe, "lambda_cooc") or "lambda_cooc" not in probe.get_params()
    rng = np.random.RandomState(0)
    synth = [
        SyntheticSequence(rng.normal(0, 0.05, (6, 384)), probe.embedding_space_, label="liver")
        for _ in range(2)
    ]
    X = np.empty(len(ABSTRACTS) + 2, dtype=object)
    X[: len(ABSTRACTS)], X[len(ABSTRACTS) :] = ABSTRACTS, synth
    clf = HybridBertClassifier(**TINY).fit(X, ORGANS + ["liver", "liver"])
    assert clf.predict_proba(ABSTRACTS[:2]).shape == (2, 2)
    sets = [["liver"], ["heart"], ["liver", "viral"], ["heart"]] * 3
    multi = HybridBertClassifier(**TINY).fit(ABSTRACTS, sets)
    assert multi.classes_.tolist() == ["heart", "liver", "viral"]
    assert multi.predict(ABSTRACTS[:3]).shape == (3, 3)
    with pytest.raises(ValueError, match="n_heads=5 must divide"):
        HybridBertClassifier(**{**TINY, "n_heads": 5}).fit(ABSTRACTS, ORGANS)


def test_hybrid_trains_only_the_top_layers_above_a_cached_stack(tmp_path):
    from skmedtext.persistence import load_model, save_model

    clf = HybridBertClassifier(trainable_layers=1, amp=False, **TINY).fit(ABSTRACTS, ORGANS)
    module = clf.net_.module_
    assert module.cut == 5 and clf.frozen_space_.startswith("hf-layer-5:")
    assert not any(p.requires_grad for p in module.encoder.encoder.layer[4].parameters())
    assert all(p.requires_grad for p in module.encoder.encoder.layer[5].parameters())
    # a row in the frozen stack's output space enters above it; another space is refused
    row = SyntheticSequence(np.zeros((5, 384)) + 0.1, clf.frozen_space_, label="liver")
    X = np.empty(len(ABSTRACTS) + 1, dtype=object)
    X[: len(ABSTRACTS)], X[-1] = ABSTRACTS, row
    HybridBertClassifier(trainable_layers=1, amp=False, **TINY).fit(X, ORGANS + ["liver"])
    other = SyntheticSequence(np.zeros((5, 384)) + 0.1, "hf-layer-2:abc", label="liver")
    X[-1] = other
    with pytest.raises(ValueError, match="hf-layer-2:abc"):
        HybridBertClassifier(trainable_layers=1, amp=False, **TINY).fit(X, ORGANS + ["liver"])
    save_model(clf, tmp_path / "hybrid")
    loaded = load_model(tmp_path / "hybrid")
    np.testing.assert_allclose(
        loaded.predict_proba(ABSTRACTS), clf.predict_proba(ABSTRACTS), atol=1e-5
    )
