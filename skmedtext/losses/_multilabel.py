"""Multi-label losses: one sigmoid per label, targets a 0/1 indicator matrix.

Every loss here is called as ``loss(logits (n, L), target (n, L))`` with a 0/1
(float, int or bool) target, computes in float32 (also inside ``torch.autocast``)
and, with ``reduction='mean'``, averages over the ``n * L`` label decisions like
``torch.nn.BCEWithLogitsLoss``, so that the four losses share one learning-rate
scale and ``gamma = 0`` forms reduce exactly to binary cross-entropy.
"""

import numbers

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from skmedtext.losses._base import (
    as_weight_tensor,
    check_counts,
    check_reduction,
    full_precision,
    reduce_loss,
)

__all__ = [
    "AsymmetricLoss",
    "BCEWithLogitsLoss",
    "BinaryFocalLoss",
    "WeightedBCEWithLogitsLoss",
    "pos_weights_from_counts",
]


def _check_number(value, name, *, low=0.0, high=None):
    ok = (
        isinstance(value, numbers.Real)
        and not isinstance(value, bool)
        and np.isfinite(value)
    )
    if not ok or value < low or (high is not None and value > high):
        bound = f"in [{low}, {high}]" if high is not None else f">= {low}"
        raise ValueError(f"{name} must be a finite number {bound}; got {value!r}.")
    return float(value)


def check_label_counts(label_counts, n_samples, *, name="label_counts"):
    """Return per-label positive counts (int64, shape (L,)) and ``n_samples`` checked.

    A label with no positive row is allowed here (a rare label can be missing from
    a fold); the estimators refuse labels that never occur in the whole ``y``.
    """
    counts = check_counts(label_counts, name=name, min_size=1, unit="label")
    if (
        isinstance(n_samples, bool)
        or not isinstance(n_samples, numbers.Integral)
        or n_samples < 1
    ):
        raise ValueError(
            f"n_samples must be a positive integer (training rows); got {n_samples!r}."
        )
    if counts.max() > n_samples:
        raise ValueError(
            f"{name} holds a count above n_samples={n_samples}: {counts.tolist()}."
        )
    return counts, int(n_samples)


def pos_weights_from_counts(label_counts, n_samples, power=1.0):
    """Positive-class weights per label from training-fold label counts.

    ``w_j = ((n - n_j) / max(n_j, 1)) ** power``: the negative-to-positive ratio
    that ``torch.nn.BCEWithLogitsLoss(pos_weight=...)`` documents, so that each
    label's positives and negatives weigh the same in total. A label without a
    positive row in the fold counts one, keeping its weight finite.

    Parameters
    ----------
    label_counts : array-like of int, shape (L,)
        Training rows carrying each label.
    n_samples : int
        Training rows in the fold (with or without labels).
    power : float, default=1.0
        Exponent (``0.5`` softens the weights, ``0`` gives all ones).

    Returns
    -------
    pos_weight : ndarray of float64, shape (L,)

    Examples
    --------
    >>> from skmedtext.losses import pos_weights_from_counts
    >>> pos_weights_from_counts([10, 50], 100).tolist()
    [9.0, 1.0]
    """
    counts, n = check_label_counts(label_counts, n_samples)
    power = _check_number(power, "power")
    return ((n - counts) / np.maximum(counts, 1)).astype(np.float64) ** power


def check_multilabel_logits_target(logits, target, n_labels=None, *, name="loss"):
    """Shape and value checks for ``(n, L)`` logits against an ``(n, L)`` 0/1 target."""
    for what, value in (("logits", logits), ("target", target)):
        if not isinstance(value, torch.Tensor) or value.ndim != 2:
            shape = (
                tuple(value.shape) if hasattr(value, "shape") else type(value).__name__
            )
            raise ValueError(
                f"{name} expects {what} of shape (n, n_labels) (a multi-label indicator); got {shape}."
            )
    if target.shape != logits.shape:
        raise ValueError(
            f"{name}: logits have shape {tuple(logits.shape)} but the target has "
            f"{tuple(target.shape)}; both must be (n, n_labels)."
        )
    if n_labels is not None and logits.shape[1] != n_labels:
        raise ValueError(
            f"{name} was built for {n_labels} labels but the logits have {logits.shape[1]} columns."
        )
    target = target.float()
    if target.numel() and not bool(((target == 0) | (target == 1)).all()):
        raise ValueError(f"{name} expects a 0/1 indicator target; got other values.")
    return logits.float(), target


class _MultiLabelLoss(nn.Module):
    """Checks, float32 and reduction; subclasses write ``_elementwise``."""

    def __init__(self, reduction="mean"):
        super().__init__()
        self.reduction = check_reduction(reduction)

    def _n_labels(self):
        weight = getattr(self, "pos_weight", None)
        return None if weight is None else weight.numel()

    def forward(self, logits, target):
        with full_precision(logits):
            logits, target = check_multilabel_logits_target(
                logits, target, self._n_labels(), name=type(self).__name__
            )
            return reduce_loss(self._elementwise(logits, target), self.reduction)


class BCEWithLogitsLoss(_MultiLabelLoss):
    """Binary cross-entropy on one sigmoid per label (``'bce'``).

    ``torch.nn.functional.binary_cross_entropy_with_logits`` with skmedtext's
    checks and float32 computation; ``reduction='none'`` gives the ``(n, L)``
    element losses.

    Parameters
    ----------
    pos_weight : array-like of float, shape (L,), default=None
        Weight of the positive term per label.
    reduction : {'mean', 'sum', 'none'}, default='mean'

    Examples
    --------
    >>> import torch
    >>> from skmedtext.losses import BCEWithLogitsLoss
    >>> float(BCEWithLogitsLoss()(torch.zeros(2, 3), torch.ones(2, 3)))  # log 2
    0.6931471824645996
    """

    def __init__(self, pos_weight=None, reduction="mean"):
        super().__init__(reduction)
        weight = (
            None
            if pos_weight is None
            else as_weight_tensor(pos_weight, name="pos_weight")
        )
        self.register_buffer("pos_weight", weight)

    def _elementwise(self, logits, target):
        return F.binary_cross_entropy_with_logits(
            logits, target, pos_weight=self.pos_weight, reduction="none"
        )

    def extra_repr(self):
        return f"n_labels={self._n_labels()}, reduction={self.reduction!r}"


class WeightedBCEWithLogitsLoss(BCEWithLogitsLoss):
    """Binary cross-entropy with positive weights from the training fold (``'weighted_bce'``).

    ``pos_weight`` comes from :func:`pos_weights_from_counts` (negatives over
    positives per label, to the power ``power``) or is given.

    Parameters
    ----------
    label_counts : array-like of int, shape (L,), default=None
        Training rows carrying each label.
    n_samples : int, default=None
        Training rows in the fold; needed with ``label_counts``.
    pos_weight : array-like of float, shape (L,), default=None
        Explicit positive weights instead of counts.
    power : float, default=1.0
    reduction : {'mean', 'sum', 'none'}, default='mean'

    Examples
    --------
    >>> from skmedtext.losses import WeightedBCEWithLogitsLoss
    >>> WeightedBCEWithLogitsLoss(label_counts=[10, 50], n_samples=100).pos_weight
    tensor([9., 1.])
    """

    def __init__(
        self,
        label_counts=None,
        n_samples=None,
        pos_weight=None,
        power=1.0,
        reduction="mean",
    ):
        if (label_counts is None) == (pos_weight is None):
            raise ValueError(
                "WeightedBCEWithLogitsLoss needs exactly one of label_counts (with n_samples) "
                "or pos_weight."
            )
        if pos_weight is None:
            pos_weight = pos_weights_from_counts(label_counts, n_samples, power)
        self.power = power
        super().__init__(pos_weight=pos_weight, reduction=reduction)


def _log_sigmoids(logits):
    """``log p`` and ``log (1 - p)`` without overflow for large logits."""
    return F.logsigmoid(logits), F.logsigmoid(-logits)


class BinaryFocalLoss(_MultiLabelLoss):
    """Sigmoid focal loss per label (Lin et al., 2017), the multi-label ``'focal'``.

    ``-alpha_t * (1 - p_t) ** gamma * log p_t`` for each label decision, with
    ``p_t = p`` for a positive and ``1 - p`` for a negative (torchvision's
    ``sigmoid_focal_loss``). ``gamma=0`` and ``alpha=None`` is binary cross-entropy.

    Parameters
    ----------
    gamma : float, default=2.0
        Focusing parameter (>= 0).
    alpha : float in [0, 1] or None, default=None
        Weight of positives (``1 - alpha`` for negatives); RetinaNet used 0.25.
    reduction : {'mean', 'sum', 'none'}, default='mean'

    Examples
    --------
    >>> import torch
    >>> from skmedtext.losses import BinaryFocalLoss
    >>> logits, target = torch.tensor([[2.0, -1.0]]), torch.tensor([[1, 0]])
    >>> bool(BinaryFocalLoss()(logits, target) < BinaryFocalLoss(gamma=0.0)(logits, target))
    True
    """

    def __init__(self, gamma=2.0, alpha=None, reduction="mean"):
        super().__init__(reduction)
        self.gamma = _check_number(gamma, "gamma")
        self.alpha = None if alpha is None else _check_number(alpha, "alpha", high=1.0)

    def _elementwise(self, logits, target):
        log_p, log_q = _log_sigmoids(logits)
        log_pt = target * log_p + (1 - target) * log_q
        # the clamp keeps the gradient of x ** gamma finite at x = 0 when gamma < 1
        weight = (-torch.expm1(log_pt)).clamp(min=1e-12).pow(self.gamma)
        if self.alpha is not None:
            weight = weight * (target * self.alpha + (1 - target) * (1 - self.alpha))
        return -weight * log_pt

    def extra_repr(self):
        return f"gamma={self.gamma}, alpha={self.alpha}, reduction={self.reduction!r}"


class AsymmetricLoss(_MultiLabelLoss):
    """Asymmetric loss for multi-label classification (Ridnik et al., ICCV 2021), ``'asl'``.

    Per label decision, with ``p = sigmoid(z)`` and the shifted probability
    ``p_m = max(p - clip, 0)``::

        L+ = -(1 - p) ** gamma_pos * log(p)            (positive label)
        L- = -p_m ** gamma_neg * log(1 - p_m)          (negative label)

    The probability margin ``clip`` discards easy negatives outright (``p <= clip``
    costs nothing) and lowers the weight of mislabelled-looking ones; a larger
    ``gamma_neg`` than ``gamma_pos`` down-weights the many easy negatives more
    than the few positives. The paper's code returns the sum over the batch;
    here ``'mean'`` averages the ``n * L`` terms like the other multi-label
    losses (``reduction='sum'`` gives the paper's scale), so
    ``gamma_pos = gamma_neg = clip = 0`` is exactly ``'bce'``.

    Parameters
    ----------
    gamma_pos : float, default=0.0
    gamma_neg : float, default=4.0
        The paper's defaults (0 and 4).
    clip : float in [0, 1), default=0.05
        Probability margin ``m`` for negatives.
    eps : float, default=1e-8
        Floor inside ``log(1 - p_m)`` (``1 - p_m`` can round to zero in float32).
    reduction : {'mean', 'sum', 'none'}, default='mean'

    Examples
    --------
    >>> import torch
    >>> from skmedtext.losses import AsymmetricLoss
    >>> easy_negative = torch.tensor([[-4.0]])  # p = 0.018 < clip
    >>> float(AsymmetricLoss()(easy_negative, torch.tensor([[0]])))
    0.0
    """

    def __init__(
        self, gamma_pos=0.0, gamma_neg=4.0, clip=0.05, eps=1e-8, reduction="mean"
    ):
        super().__init__(reduction)
        self.gamma_pos = _check_number(gamma_pos, "gamma_pos")
        self.gamma_neg = _check_number(gamma_neg, "gamma_neg")
        self.clip = _check_number(clip, "clip")
        if self.clip >= 1:
            raise ValueError(f"clip must lie in [0, 1); got {clip!r}.")
        self.eps = _check_number(eps, "eps", high=0.5)

    def _elementwise(self, logits, target):
        log_p, log_q = _log_sigmoids(logits)
        positive = -(-torch.expm1(log_p)).clamp(min=1e-12).pow(self.gamma_pos) * log_p
        if self.clip > 0:
            p_m = (torch.sigmoid(logits) - self.clip).clamp(min=0)
            log_q_m = torch.log((1 - p_m).clamp(min=self.eps))
        else:
            p_m, log_q_m = torch.sigmoid(logits), log_q
        # the floor keeps d(p_m ** gamma)/dp finite where the margin zeroed p_m (0 * inf
        # would be NaN); 0 ** 0 = 1, so gamma_neg = 0 keeps the plain log-loss term
        negative = -p_m.clamp(min=1e-12).pow(self.gamma_neg) * log_q_m
        return target * positive + (1 - target) * negative

    def extra_repr(self):
        return (
            f"gamma_pos={self.gamma_pos}, gamma_neg={self.gamma_neg}, clip={self.clip}, "
            f"reduction={self.reduction!r}"
        )
