"""Multi-label losses against hand-computed values, their degenerate forms and the factory."""

import math
import pickle

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from torch import nn

from skmedtext.losses import (
    CRITERIA,
    MULTILABEL_CRITERIA,
    AsymmetricLoss,
    BCEWithLogitsLoss,
    BinaryFocalLoss,
    FocalLoss,
    WeightedBCEWithLogitsLoss,
    build_criterion,
    pos_weights_from_counts,
)

LOGITS = [[2.0, -1.0, 0.0], [-3.0, 0.5, 4.0]]
TARGET = [[1, 0, 1], [0, 0, 1]]


def _t(values):
    return torch.tensor(values, dtype=torch.float32)


def _sig(z):
    return 1.0 / (1.0 + math.exp(-z))


def _by_hand(element):
    """Mean over the n * L label decisions of element(z, y)."""
    values = [element(z, y) for zs, ys in zip(LOGITS, TARGET) for z, y in zip(zs, ys)]
    return sum(values) / len(values)


def _bce(z, y):
    p = _sig(z)
    return -(y * math.log(p) + (1 - y) * math.log(1 - p))


def test_bce_matches_hand_computed():
    value = BCEWithLogitsLoss()(_t(LOGITS), torch.tensor(TARGET))
    assert float(value) == pytest.approx(_by_hand(_bce), rel=1e-6)
    per = BCEWithLogitsLoss(reduction="none")(
        _t(LOGITS), torch.tensor(TARGET, dtype=torch.bool)
    )
    assert per.shape == (2, 3)
    assert float(
        BCEWithLogitsLoss(reduction="sum")(_t(LOGITS), _t(TARGET))
    ) == pytest.approx(6 * _by_hand(_bce), rel=1e-6)


def test_pos_weights_and_weighted_bce():
    np.testing.assert_allclose(pos_weights_from_counts([1, 3, 0], 4), [3.0, 1 / 3, 4.0])
    soft = pos_weights_from_counts([1, 3], 4, power=0.5)
    np.testing.assert_allclose(soft, [math.sqrt(3), math.sqrt(1 / 3)])
    loss = WeightedBCEWithLogitsLoss(label_counts=[1, 3, 1], n_samples=4)
    w = [3.0, 1 / 3, 3.0]

    def weighted():
        total = 0.0
        for zs, ys in zip(LOGITS, TARGET):
            for j, (z, y) in enumerate(zip(zs, ys)):
                p = _sig(z)
                total += -(w[j] * y * math.log(p) + (1 - y) * math.log(1 - p))
        return total / 6

    assert float(loss(_t(LOGITS), _t(TARGET))) == pytest.approx(weighted(), rel=1e-6)
    with pytest.raises(ValueError, match="exactly one of label_counts"):
        WeightedBCEWithLogitsLoss()
    with pytest.raises(ValueError, match="n_samples"):
        WeightedBCEWithLogitsLoss(label_counts=[1, 2])
    with pytest.raises(ValueError, match="above n_samples"):
        WeightedBCEWithLogitsLoss(label_counts=[1, 5], n_samples=4)
    with pytest.raises(ValueError, match="built for 2 labels"):
        WeightedBCEWithLogitsLoss(pos_weight=[1.0, 2.0])(_t(LOGITS), _t(TARGET))


@pytest.mark.parametrize("alpha", [None, 0.25])
def test_binary_focal_matches_hand_computed(alpha):
    gamma = 2.0

    def element(z, y):
        pt = _sig(z) if y else 1 - _sig(z)
        a = 1.0 if alpha is None else (alpha if y else 1 - alpha)
        return -a * (1 - pt) ** gamma * math.log(pt)

    value = BinaryFocalLoss(gamma=gamma, alpha=alpha)(_t(LOGITS), _t(TARGET))
    assert float(value) == pytest.approx(_by_hand(element), rel=1e-5)
    # gamma = 0 without alpha is BCE; torchvision's sigmoid_focal_loss convention
    plain = BinaryFocalLoss(gamma=0.0)(_t(LOGITS), _t(TARGET))
    assert float(plain) == pytest.approx(_by_hand(_bce), rel=1e-6)


def test_asymmetric_loss_matches_hand_computed():
    gp, gn, m = 1.0, 4.0, 0.05

    def element(z, y):
        p = _sig(z)
        if y:
            return -((1 - p) ** gp) * math.log(p)
        pm = max(p - m, 0.0)
        return -(pm**gn) * math.log(1 - pm)

    value = AsymmetricLoss(gamma_pos=gp, gamma_neg=gn, clip=m)(_t(LOGITS), _t(TARGET))
    assert float(value) == pytest.approx(_by_hand(element), rel=1e-5)
    summed = AsymmetricLoss(gamma_pos=gp, gamma_neg=gn, clip=m, reduction="sum")
    assert float(summed(_t(LOGITS), _t(TARGET))) == pytest.approx(
        6 * _by_hand(element), rel=1e-5
    )
    # no focusing and no margin is BCE
    bce = AsymmetricLoss(gamma_pos=0.0, gamma_neg=0.0, clip=0.0)(_t(LOGITS), _t(TARGET))
    assert float(bce) == pytest.approx(_by_hand(_bce), rel=1e-6)
    # an easy negative below the margin costs nothing and pushes nothing
    z = _t([[-4.0]]).requires_grad_(True)
    value = AsymmetricLoss()(z, _t([[0]]))
    value.backward()
    assert float(value.detach()) == 0.0 and float(z.grad) == 0.0


@pytest.mark.parametrize("name", sorted(MULTILABEL_CRITERIA))
def test_gradients_finite_on_extreme_logits_and_bf16(name):
    extra = {"gamma_neg": 0.5} if name == "asl" else {}  # x ** 0.5 is steep at 0
    loss = build_criterion(name, [3, 1, 0], multilabel=True, n_samples=4, **extra)
    logits = _t(
        [[80.0, -80.0, 0.0], [-1e3, 1e3, 5.0], [0.0, 0.0, 0.0], [-200.0, -200.0, 200.0]]
    )
    target = _t([[1, 1, 0], [1, 0, 1], [0, 1, 0], [0, 0, 0]])
    logits.requires_grad_(True)
    value = loss(logits, target)
    (grad,) = torch.autograd.grad(value, logits)
    assert torch.isfinite(value) and torch.isfinite(grad).all() and grad.abs().sum() > 0
    low = _t(LOGITS).to(torch.bfloat16)
    with torch.autocast("cpu", dtype=torch.bfloat16):
        auto = loss(low, _t(TARGET))
    assert auto.dtype == torch.float32
    torch.testing.assert_close(auto, loss(low.float(), _t(TARGET)))
    clone = pickle.loads(pickle.dumps(loss))
    torch.testing.assert_close(
        clone(_t(LOGITS), _t(TARGET)), loss(_t(LOGITS), _t(TARGET))
    )


def test_factory_multilabel_names():
    expected = {
        "bce": BCEWithLogitsLoss,
        "weighted_bce": WeightedBCEWithLogitsLoss,
        "focal": BinaryFocalLoss,
        "asl": AsymmetricLoss,
    }
    assert set(MULTILABEL_CRITERIA) == set(expected)
    for name, cls in expected.items():
        assert type(build_criterion(name, [2, 1], multilabel=True, n_samples=4)) is cls
        assert (
            type(build_criterion(name.upper(), [2, 1], multilabel=True, n_samples=4))
            is cls
        )
    weighted = build_criterion("weighted_bce", [1, 3], multilabel=True, n_samples=4)
    torch.testing.assert_close(weighted.pos_weight, _t([3.0, 1 / 3]))
    asl = build_criterion(("asl", {"gamma_neg": 2.0}), multilabel=True, clip=0.1)
    assert (asl.gamma_neg, asl.clip) == (2.0, 0.1)
    # 'focal' keeps its single-label meaning without multilabel=True
    assert type(build_criterion("focal", [3, 1])) is FocalLoss
    assert set(CRITERIA).isdisjoint({"bce", "weighted_bce", "asl"})
    # an instance is copied as for single-label losses
    mine = AsymmetricLoss(gamma_neg=1.0)
    built = build_criterion(mine, multilabel=True)
    assert built is not mine and built.gamma_neg == 1.0


def test_factory_multilabel_errors():
    with pytest.raises(ValueError, match="cannot train on a multi-label"):
        build_criterion("ce", [2, 1], multilabel=True, n_samples=4)
    with pytest.raises(ValueError, match="multi-label loss"):
        build_criterion("bce", [2, 1])
    with pytest.raises(ValueError, match="needs class_counts"):
        build_criterion("weighted_bce", multilabel=True)
    with pytest.raises(ValueError, match="n_samples"):
        build_criterion("weighted_bce", [2, 1], multilabel=True)
    with pytest.raises(TypeError, match="n_samples is for multi-label"):
        build_criterion("ce", [2, 1], n_samples=3)
    with pytest.raises(TypeError, match="label_counts"):
        build_criterion("bce", multilabel=True, label_counts=[1, 2])


def test_multilabel_loss_input_errors():
    loss = BCEWithLogitsLoss()
    with pytest.raises(ValueError, match=r"shape \(n, n_labels\)"):
        loss(_t([0.0, 1.0]), _t([0, 1]))
    with pytest.raises(ValueError, match="target has"):
        loss(_t(LOGITS), _t([[1, 0], [0, 1]]))
    with pytest.raises(ValueError, match="0/1 indicator"):
        loss(_t(LOGITS), _t([[2, 0, 1], [0, 0, 1]]))
    with pytest.raises(ValueError, match="gamma"):
        BinaryFocalLoss(gamma=-1.0)
    with pytest.raises(ValueError, match="alpha"):
        BinaryFocalLoss(alpha=1.5)
    with pytest.raises(ValueError, match="clip"):
        AsymmetricLoss(clip=1.0)
    with pytest.raises(ValueError, match="reduction"):
        AsymmetricLoss(reduction="max")


def test_bce_equals_torch():
    gen = torch.Generator().manual_seed(0)
    logits = torch.randn(16, 5, generator=gen) * 4
    target = (torch.rand(16, 5, generator=gen) > 0.7).float()
    expected = F.binary_cross_entropy_with_logits(logits, target)
    torch.testing.assert_close(BCEWithLogitsLoss()(logits, target), expected)
    assert isinstance(build_criterion("bce", multilabel=True), nn.Module)
