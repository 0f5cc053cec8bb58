"""Losses against hand-computed values, their degenerate forms, the factory and training."""

import functools
import math
import pickle

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from torch import nn

from skmedtext.losses import (
    CRITERIA,
    CPGHMSimilarityLoss,
    CrossEntropyLoss,
    FocalLoss,
    GHMCLoss,
    WeightedCrossEntropyLoss,
    build_criterion,
    class_similarity_from_embeddings,
    class_weights_from_counts,
)

COUNTS = [6, 2]  # a 3:1 training fold

# Logits whose softmax is easy to write down: two classes, target 0 everywhere.
LOGITS2 = [[2.0, 0.0], [2.0, 0.0], [2.0, 0.0], [0.0, 0.5]]
TARGET2 = [0, 0, 0, 0]


def _t(values, dtype=torch.float32):
    return torch.tensor(values, dtype=dtype)


def _binary_ce(margin):
    """-log p_0 for two logits with z_0 - z_1 = margin: log(1 + exp(-margin))."""
    return math.log1p(math.exp(-margin))


def _p0(margin):
    return 1.0 / (1.0 + math.exp(-margin))


@pytest.fixture
def random_batch():
    gen = torch.Generator().manual_seed(0)
    logits = torch.randn(12, 4, generator=gen) * 3
    target = torch.tensor([0, 0, 0, 0, 0, 0, 1, 1, 1, 2, 2, 3])
    return logits, target


def _all_criteria(counts):
    return {name: build_criterion(name, counts) for name in CRITERIA}


# --- class weights ---------------------------------------------------------------------


def test_class_weights_balanced_and_power():
    # n = 8, K = 2: n / (K n_k) = 8/12, 8/4; their sample average 6*(2/3) + 2*2 = 8 is n.
    np.testing.assert_allclose(class_weights_from_counts(COUNTS), [2 / 3, 2.0])
    # power 0.5: sqrt(2/3), sqrt(2), rescaled so that 6 w0 + 2 w1 = 8.
    raw = np.sqrt([2 / 3, 2.0])
    np.testing.assert_allclose(class_weights_from_counts(COUNTS, 0.5), raw * 8 / (6 * raw[0] + 2 * raw[1]))
    np.testing.assert_allclose(class_weights_from_counts(COUNTS, 0), [1.0, 1.0])
    # a class missing from the fold keeps a finite weight
    assert np.isfinite(class_weights_from_counts([5, 0, 3])).all()


@pytest.mark.parametrize(
    "counts, error, match",
    [
        ([3], ValueError, "at least 2 classes"),
        ([[1, 2]], ValueError, "1-D"),
        ([1.5, 2], ValueError, "non-negative integer"),
        ([-1, 2], ValueError, "non-negative integer"),
        ([0, 0], ValueError, "sums to zero"),
        (["a", "b"], TypeError, "integer counts"),
    ],
)
def test_class_counts_validation(counts, error, match):
    with pytest.raises(error, match=match):
        class_weights_from_counts(counts)


def test_class_weights_power_validation():
    with pytest.raises(ValueError, match="power"):
        class_weights_from_counts(COUNTS, power=-1)
    with pytest.raises(ValueError, match="power"):
        class_weights_from_counts(COUNTS, power="1")


# --- weighted cross-entropy -----------------------------------------------------------


def test_weighted_ce_hand_computed():
    logits, target = _t([[2.0, 0.0], [0.0, 0.5]]), torch.tensor([0, 1])
    w0, w1 = 2 / 3, 2.0
    # row 0: class 0 with margin 2; row 1: class 1 with margin 0.5
    expected = (w0 * _binary_ce(2.0) + w1 * _binary_ce(0.5)) / (w0 + w1)
    loss = WeightedCrossEntropyLoss(class_counts=COUNTS)
    assert float(loss(logits, target)) == pytest.approx(expected, rel=1e-6)


def test_weighted_ce_equals_torch_ce_with_fold_weights(random_batch):
    logits, target = random_batch
    counts = np.bincount(target.numpy(), minlength=4)  # the "training fold"
    weight = torch.tensor(class_weights_from_counts(counts), dtype=torch.float32)
    for reduction in ("mean", "sum", "none"):
        ours = WeightedCrossEntropyLoss(class_counts=counts, reduction=reduction)(logits, target)
        ref = nn.CrossEntropyLoss(weight=weight, reduction=reduction)(logits, target)
        torch.testing.assert_close(ours, ref)
    explicit = WeightedCrossEntropyLoss(weight=[1.0, 2.0, 3.0, 4.0])(logits, target)
    torch.testing.assert_close(
        explicit, F.cross_entropy(logits, target, weight=_t([1.0, 2.0, 3.0, 4.0]))
    )


def test_weighted_ce_argument_errors():
    with pytest.raises(ValueError, match="exactly one of"):
        WeightedCrossEntropyLoss()
    with pytest.raises(ValueError, match="exactly one of"):
        WeightedCrossEntropyLoss(class_counts=COUNTS, weight=[1.0, 1.0])
    with pytest.raises(ValueError, match="non-negative"):
        WeightedCrossEntropyLoss(weight=[1.0, -1.0])
    loss = WeightedCrossEntropyLoss(class_counts=COUNTS)
    with pytest.raises(ValueError, match="built for 2 classes"):
        loss(torch.zeros(3, 3), torch.tensor([0, 1, 2]))
    with pytest.raises(TypeError, match="integer class indices"):
        loss(torch.zeros(2, 2), torch.tensor([0.0, 1.0]))
    with pytest.raises(ValueError, match="2 rows but target has 3"):
        loss(torch.zeros(2, 2), torch.tensor([0, 1, 1]))


# --- focal ----------------------------------------------------------------------------


def test_focal_gamma_zero_is_cross_entropy(random_batch):
    logits, target = random_batch
    for reduction in ("mean", "sum", "none"):
        torch.testing.assert_close(
            FocalLoss(gamma=0.0, reduction=reduction)(logits, target),
            F.cross_entropy(logits, target, reduction=reduction),
        )


def test_focal_hand_computed():
    logits, target = _t(LOGITS2), torch.tensor(TARGET2)
    per_sample = []
    for margin in (2.0, 2.0, 2.0, -0.5):
        p = _p0(margin)
        per_sample.append((1 - p) ** 2 * -math.log(p))
    loss = FocalLoss(gamma=2.0, reduction="none")(logits, target)
    np.testing.assert_allclose(loss.numpy(), per_sample, rtol=1e-5)
    assert float(FocalLoss(gamma=2.0)(logits, target)) == pytest.approx(np.mean(per_sample), rel=1e-5)


def test_focal_alpha_variants():
    logits, target = _t([[2.0, 0.0], [0.0, 0.5]]), torch.tensor([0, 1])
    base = FocalLoss(gamma=1.0, reduction="none")(logits, target)
    binary = FocalLoss(gamma=1.0, alpha=0.25, reduction="none")(logits, target)
    torch.testing.assert_close(binary, base * _t([0.75, 0.25]))
    balanced = FocalLoss(gamma=1.0, alpha="balanced", class_counts=COUNTS, reduction="none")
    torch.testing.assert_close(balanced(logits, target), base * _t([2 / 3, 2.0]))
    # 'mean' is the plain batch mean, not the alpha-weighted mean
    mean = FocalLoss(gamma=1.0, alpha=[1.0, 3.0])(logits, target)
    assert float(mean) == pytest.approx(float((base * _t([1.0, 3.0])).mean()), rel=1e-6)


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"gamma": -1.0}, "gamma"),
        ({"gamma": float("inf")}, "gamma"),
        ({"alpha": 1.5}, r"\[0, 1\]"),
        ({"alpha": "inverse"}, "'balanced'"),
        ({"alpha": "balanced"}, "needs class_counts"),
    ],
)
def test_focal_parameter_errors(kwargs, match):
    with pytest.raises(ValueError, match=match):
        FocalLoss(**kwargs)


def test_focal_float_alpha_is_binary_only():
    with pytest.raises(ValueError, match="binary"):
        FocalLoss(alpha=0.25)(torch.zeros(2, 3), torch.tensor([0, 2]))


# --- GHM-C ----------------------------------------------------------------------------


def test_ghm_one_bin_is_cross_entropy(random_batch):
    logits, target = random_batch
    for momentum in (0.0, 0.75):
        loss = GHMCLoss(bins=1, momentum=momentum)
        for _ in range(2):  # the moving average must not change anything either
            torch.testing.assert_close(loss(logits, target), F.cross_entropy(logits, target))


def test_ghm_hand_computed_two_bins():
    # g = 1 - p_t: 0.119 (x3, bin 0) and 0.622 (bin 1). Densities 3/4 and 1/4 give raw
    # weights 4/3 and 4, whose mean is 2: beta = 2/3 for easy rows, 2 for the hard one.
    logits, target = _t(LOGITS2), torch.tensor(TARGET2)
    ce = [_binary_ce(2.0)] * 3 + [_binary_ce(-0.5)]
    beta = [2 / 3] * 3 + [2.0]
    per_sample = GHMCLoss(bins=2, reduction="none")(logits, target)
    np.testing.assert_allclose(per_sample.numpy(), np.multiply(beta, ce), rtol=1e-5)
    mean = GHMCLoss(bins=2)(logits, target)
    assert float(mean) == pytest.approx(np.dot(beta, ce) / 4, rel=1e-5)
    # the hard sample is up-weighted relative to plain CE
    assert per_sample[3] > F.cross_entropy(logits[3:], target[3:])


def test_ghm_momentum_moving_average_and_eval_mode():
    loss = GHMCLoss(bins=2, momentum=0.5)
    easy, hard = _t([[2.0, 0.0]]), _t([[0.0, 0.5]])
    first = torch.cat([easy, easy, easy, hard])  # fractions (3/4, 1/4)
    second = torch.cat([easy, hard, hard, hard])  # fractions (1/4, 3/4)
    target = torch.zeros(4, dtype=torch.long)
    loss(first, target)
    torch.testing.assert_close(loss.density.density, _t([0.75, 0.25]))  # first batch as is
    loss(second, target)
    torch.testing.assert_close(loss.density.density, _t([0.5, 0.5]))
    # with equal stored densities every weight is one: plain CE, even on a skewed batch
    loss.eval()
    torch.testing.assert_close(loss(first, target), F.cross_entropy(first, target))
    torch.testing.assert_close(loss.density.density, _t([0.5, 0.5]))  # eval does not update
    loss.reset_state()
    assert not loss.density.initialized and float(loss.density.density.sum()) == 0.0


def test_ghm_parameter_errors():
    with pytest.raises(ValueError, match="bins"):
        GHMCLoss(bins=0)
    with pytest.raises(ValueError, match="momentum"):
        GHMCLoss(momentum=1.0)
    with pytest.raises(ValueError, match="reduction"):
        GHMCLoss(reduction="avg")


# --- paper 001: class proportion + GHM + class similarity -------------------------------


def test_cpghm_without_extras_is_class_weighted_ce(random_batch):
    logits, target = random_batch
    counts = [6, 3, 2, 1]
    for power in (0.5, 1.0):
        loss = CPGHMSimilarityLoss(counts, weight_power=power, bins=1, similarity=None)
        weight = _t(class_weights_from_counts(counts, power))
        torch.testing.assert_close(loss(logits, target), F.cross_entropy(logits, target, weight=weight))
    # similarity_scale=0 switches the margin off as well
    loss = CPGHMSimilarityLoss(counts, weight_power=0.5, bins=1, similarity_scale=0.0)
    loss(logits, target)  # gathers confusion statistics, which must not be used
    weight = _t(class_weights_from_counts(counts, 0.5))
    torch.testing.assert_close(loss(logits, target), F.cross_entropy(logits, target, weight=weight))
    # no class weights either: plain cross-entropy
    plain = CPGHMSimilarityLoss(counts, weight_power=0, bins=1, similarity=None)
    torch.testing.assert_close(plain(logits, target), F.cross_entropy(logits, target))


def test_cpghm_without_similarity_is_weighted_ghm():
    logits, target = _t(LOGITS2 + [[0.0, 1.0]]), torch.tensor(TARGET2 + [1])
    counts = [4, 1]
    loss = CPGHMSimilarityLoss(counts, weight_power=1.0, bins=2, momentum=0.0, similarity=None)
    beta = GHMCLoss(bins=2, reduction="none")(logits, target) / F.cross_entropy(
        logits, target, reduction="none"
    )
    w = _t(class_weights_from_counts(counts))[target]
    ce = F.cross_entropy(logits, target, reduction="none")
    torch.testing.assert_close(loss(logits, target), (beta * w * ce).sum() / (beta * w).sum())


def test_cpghm_fixed_similarity_margin_hand_computed():
    # three classes; class 0 resembles class 1 (0.8), nothing else is similar
    similarity = [[5.0, 0.8, 0.0], [0.8, 5.0, 0.0], [0.0, 0.0, 5.0]]  # diagonal ignored
    loss = CPGHMSimilarityLoss(
        [1, 1, 1], weight_power=0, bins=1, similarity=similarity, similarity_scale=2.0
    )
    np.testing.assert_allclose(loss.similarity_matrix().diagonal().numpy(), 0.0)
    logits, target = _t([[1.0, 0.5, 0.0], [0.0, 0.0, 1.0]]), torch.tensor([0, 2])
    # row 0 (class 0): the class-1 logit gets + 2 * 0.8; row 1 (class 2): no margin
    z0 = [1.0, 0.5 + 1.6, 0.0]
    l0 = -z0[0] + math.log(sum(math.exp(v) for v in z0))
    l1 = -1.0 + math.log(2 + math.e)
    per_sample = CPGHMSimilarityLoss(
        [1, 1, 1],
        weight_power=0,
        bins=1,
        similarity=similarity,
        similarity_scale=2.0,
        reduction="none",
    )(logits, target)
    np.testing.assert_allclose(per_sample.numpy(), [l0, l1], rtol=1e-6)
    assert float(loss(logits, target)) == pytest.approx((l0 + l1) / 2, rel=1e-6)
    # the margin makes the loss larger than plain CE on the similar pair only
    assert l0 > float(F.cross_entropy(logits[:1], target[:1]))


def test_cpghm_confusion_similarity_statistics():
    loss = CPGHMSimilarityLoss([2, 2, 1], bins=1, similarity_momentum=0.5)
    logits = _t([[2.0, 1.0, 0.0], [0.0, 0.0, 0.0], [0.0, 3.0, 0.0]])
    target = torch.tensor([0, 0, 1])
    probs = torch.softmax(logits, dim=1)
    first = loss(logits, target)
    # the first batch has no margin: class-weighted CE
    weight = loss.class_weight
    torch.testing.assert_close(first, F.cross_entropy(logits, target, weight=weight))
    rows = torch.stack([probs[:2].mean(0), probs[2]])
    torch.testing.assert_close(loss.confusion[:2], rows)
    assert loss.class_seen.tolist() == [True, True, False]
    assert float(loss.confusion[2].abs().sum()) == 0.0  # class 2 not seen yet
    similarity = loss.similarity_matrix()
    expected = (loss.confusion + loss.confusion.T) / 2
    expected.fill_diagonal_(0.0)
    torch.testing.assert_close(similarity, expected)
    # second batch (one class-1 row): the margin comes from the first batch's
    # statistics, then the EMA updates class 1 only
    second = _t([[1.0, 0.0, 2.0]])
    value = loss(second, torch.tensor([1]))
    shifted = second + similarity[1]
    torch.testing.assert_close(value, F.cross_entropy(shifted, torch.tensor([1])))
    assert float(value) > float(F.cross_entropy(second, torch.tensor([1])))
    torch.testing.assert_close(
        loss.confusion[1], 0.5 * rows[1] + 0.5 * torch.softmax(second[0], dim=0)
    )
    torch.testing.assert_close(loss.confusion[0], rows[0])  # class 0 absent: unchanged
    # evaluation mode reads the statistics but does not update them
    before = loss.confusion.clone()
    loss.eval()
    loss(logits, target)
    torch.testing.assert_close(loss.confusion, before)
    loss.reset_state()
    assert float(loss.confusion.abs().sum()) == 0.0 and not loss.class_seen.any()


def test_cpghm_parameter_errors():
    with pytest.raises(ValueError, match="similarity must be"):
        CPGHMSimilarityLoss([1, 2], similarity="cosine")
    with pytest.raises(ValueError, match=r"shape \(2, 2\)"):
        CPGHMSimilarityLoss([1, 2], similarity=np.zeros((3, 3)))
    with pytest.raises(ValueError, match="non-negative"):
        CPGHMSimilarityLoss([1, 2], similarity=[[0.0, -0.5], [-0.5, 0.0]])
    with pytest.raises(ValueError, match="NaN"):
        CPGHMSimilarityLoss([1, 2], similarity=[[0.0, np.nan], [0.1, 0.0]])
    with pytest.raises(ValueError, match="similarity_momentum"):
        CPGHMSimilarityLoss([1, 2], similarity_momentum=1.0)
    with pytest.raises(ValueError, match="class_counts"):
        CPGHMSimilarityLoss([5])


def test_class_similarity_from_embeddings():
    emb = [[1.0, 0.0], [1.0, 1.0], [-1.0, 0.0]]
    s = class_similarity_from_embeddings(emb)
    np.testing.assert_allclose(s, [[0, 1 / math.sqrt(2), 0], [1 / math.sqrt(2), 0, 0], [0, 0, 0]])
    loss = CPGHMSimilarityLoss([1, 1, 1], similarity=s)
    assert loss.similarity_mode == "fixed"
    with pytest.raises(ValueError, match="all zeros"):
        class_similarity_from_embeddings([[0.0, 0.0], [1.0, 0.0]])
    with pytest.raises(ValueError, match="one row per class"):
        class_similarity_from_embeddings([1.0, 2.0])


# --- properties shared by every loss --------------------------------------------------


@pytest.mark.parametrize("name", sorted(CRITERIA))
def test_gradients_finite_on_extreme_logits(name):
    counts = [6, 3, 2, 1]
    loss = build_criterion(name, counts)
    logits = _t([[80.0, -80.0, 0.0, 0.0], [-80.0, 80.0, 0.0, 0.0], [0.0] * 4, [1e3, -1e3, 5.0, 0.0]])
    logits.requires_grad_(True)
    target = torch.tensor([0, 0, 2, 3])
    for _ in range(2):  # the second call uses moving-average state
        value = loss(logits, target)
        assert torch.isfinite(value)
        (grad,) = torch.autograd.grad(value, logits)
        assert torch.isfinite(grad).all()
        assert grad.abs().sum() > 0  # samples 1 and 3 are badly wrong


def test_focal_small_gamma_gradient_finite_at_certainty():
    # x ** gamma with gamma < 1 has an infinite derivative at x = 1 - p_t = 0
    logits = _t([[200.0, -200.0], [0.0, 1.0]]).requires_grad_(True)
    (grad,) = torch.autograd.grad(FocalLoss(gamma=0.5)(logits, torch.tensor([0, 0])), logits)
    assert torch.isfinite(grad).all() and grad[1].abs().sum() > 0


@pytest.mark.parametrize("name", sorted(CRITERIA))
def test_bf16_logits(name, random_batch):
    logits, target = random_batch
    counts = np.bincount(target.numpy(), minlength=4)
    low = logits.to(torch.bfloat16).requires_grad_(True)
    ref = build_criterion(name, counts)(low.detach().float(), target)
    value = build_criterion(name, counts)(low, target)
    assert value.dtype == torch.float32  # computed in full precision
    torch.testing.assert_close(value, ref)
    value.backward()
    assert low.grad.dtype == torch.bfloat16 and torch.isfinite(low.grad.float()).all()
    # inside CPU autocast as well
    with torch.autocast("cpu", dtype=torch.bfloat16):
        auto = build_criterion(name, counts)(low, target)
    assert auto.dtype == torch.float32
    torch.testing.assert_close(auto, ref)


@pytest.mark.parametrize("name", sorted(CRITERIA))
def test_pickle_round_trip_keeps_state(name, random_batch):
    logits, target = random_batch
    loss = build_criterion(name, [6, 3, 2, 1])
    loss(logits, target)  # gather moving-average state where there is any
    clone = pickle.loads(pickle.dumps(loss))
    assert type(clone) is type(loss)
    for key, value in loss.state_dict().items():
        torch.testing.assert_close(clone.state_dict()[key], value)
    loss.eval(), clone.eval()
    torch.testing.assert_close(clone(logits, target), loss(logits, target))


# --- build_criterion ------------------------------------------------------------------


def test_build_criterion_every_name():
    expected = {
        "ce": CrossEntropyLoss,
        "weighted_ce": WeightedCrossEntropyLoss,
        "focal": FocalLoss,
        "ghm": GHMCLoss,
        "cpghm": CPGHMSimilarityLoss,
    }
    assert set(CRITERIA) == set(expected)
    for name, cls in expected.items():
        assert type(build_criterion(name, COUNTS)) is cls
        assert type(build_criterion(name.upper(), COUNTS)) is cls
    # class counts reach the losses that use them
    torch.testing.assert_close(build_criterion("weighted_ce", COUNTS).weight, _t([2 / 3, 2.0]))
    torch.testing.assert_close(
        build_criterion("cpghm", COUNTS, weight_power=1.0).class_weight, _t([2 / 3, 2.0])
    )
    focal = build_criterion("focal", COUNTS, gamma=1.0, alpha="balanced")
    assert focal.gamma == 1.0
    torch.testing.assert_close(focal.alpha, _t([2 / 3, 2.0]))
    # the losses that need no counts work without them
    assert isinstance(build_criterion("ce"), nn.CrossEntropyLoss)
    assert isinstance(build_criterion("ghm", bins=5), GHMCLoss)


def test_build_criterion_unknown_name_lists_valid_ones():
    with pytest.raises(ValueError, match="unknown criterion 'hinge'") as err:
        build_criterion("hinge", COUNTS)
    for name in CRITERIA:
        assert repr(name) in str(err.value)


@pytest.mark.parametrize("name", ["weighted_ce", "cpghm"])
def test_build_criterion_needs_counts(name):
    with pytest.raises(ValueError, match="needs class_counts"):
        build_criterion(name)


def test_build_criterion_instance_is_copied_and_reset(random_batch):
    logits, target = random_batch
    mine = GHMCLoss(bins=3, momentum=0.5)
    mine(logits, target)
    built = build_criterion(mine, [6, 3, 2, 1])
    assert built is not mine and built.bins == 3
    assert mine.density.initialized and not built.density.initialized
    with pytest.raises(TypeError, match="cannot be applied to a criterion instance"):
        build_criterion(mine, gamma=1.0)


def test_build_criterion_class_tuple_and_partial():
    built = build_criterion(CPGHMSimilarityLoss, COUNTS, bins=4)
    assert isinstance(built, CPGHMSimilarityLoss) and built.density.bins == 4
    built = build_criterion(("cpghm", {"bins": 3, "similarity": None}), COUNTS)
    assert built.density.bins == 3 and built.similarity_mode is None
    built = build_criterion(("focal", {"gamma": 1.0}), COUNTS, gamma=0.5)  # kwargs win
    assert built.gamma == 0.5
    part = functools.partial(WeightedCrossEntropyLoss, power=0.5)
    built = build_criterion(part, COUNTS)
    torch.testing.assert_close(built.weight, _t(class_weights_from_counts(COUNTS, 0.5)))
    with pytest.raises(TypeError, match="keyword arguments"):
        build_criterion(functools.partial(FocalLoss, 2.0))
    with pytest.raises(TypeError, match="tuple criterion"):
        build_criterion(("focal", 2.0))
    with pytest.raises(TypeError, match="class_counts as build_criterion's own argument"):
        build_criterion(("weighted_ce", {"class_counts": COUNTS}), COUNTS)


def test_criterion_parameter_clones():
    from sklearn.base import clone

    from skmedtext.models import DMTBertClassifier

    for criterion in [("focal", {"gamma": 1.0}), functools.partial(GHMCLoss, bins=3), FocalLoss(1.0)]:
        copy = clone(DMTBertClassifier(criterion=criterion)).criterion
        assert type(copy) is type(criterion)
        built = build_criterion(copy, COUNTS)
        assert type(built) is (GHMCLoss if isinstance(criterion, functools.partial) else FocalLoss)


@pytest.mark.parametrize("bad", [3, None, F.cross_entropy, [("ce", {})]])
def test_build_criterion_rejects_other_types(bad):
    with pytest.raises(TypeError, match="criterion must be one of"):
        build_criterion(bad, COUNTS)


# --- training through the shared core -------------------------------------------------


@pytest.fixture(scope="module")
def abstracts_subset(data_root):
    from skmedtext.datasets import load_medical_abstracts

    bunch = load_medical_abstracts(data_home=data_root)
    rng = np.random.RandomState(0)
    # four classes, one of them rare (4 of 52 rows)
    sizes = {1: 16, 2: 4, 3: 16, 4: 16}
    idx = np.concatenate(
        [rng.choice(np.flatnonzero(bunch.target == k), n, replace=False) for k, n in sizes.items()]
    )
    return bunch.data[idx], bunch.target_names[bunch.target[idx] - 1]


@pytest.mark.parametrize("criterion", ["focal", ("cpghm", {"bins": 5})])
def test_dmt_bert_trains_with_criterion(criterion, abstracts_subset):
    from skmedtext.models import DMTBertClassifier

    X, y = abstracts_subset
    clf = DMTBertClassifier(
        max_length=32,
        max_epochs=1,
        batch_size=16,
        lambda_cooc=0.0,
        criterion=criterion,
        device="cpu",
        random_state=0,
    )
    assert clf.fit(X, y) is clf
    used = clf.net_.criterion_
    name = criterion if isinstance(criterion, str) else criterion[0]
    assert type(used) is CRITERIA[name]
    assert np.isfinite(clf.history_[-1, "train_loss"])
    proba = clf.predict_proba(X[:8])
    assert proba.shape == (8, 4) and np.allclose(proba.sum(1), 1, atol=1e-5)
    if name == "cpghm":
        # parameters given with the name arrive, and the class weights come from the
        # training fold (52 rows, one class with 4)
        assert used.density.bins == 5
        counts = np.unique(y, return_counts=True)[1]
        torch.testing.assert_close(used.class_weight, _t(class_weights_from_counts(counts, 0.5)))
        # skorch put the loss in training mode: it gathered confusion statistics
        assert used.class_seen.all()
        assert float(used.similarity_matrix().sum()) > 0
