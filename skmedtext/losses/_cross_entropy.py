"""Class-weighted cross-entropy with weights from the training fold's class counts."""

import torch.nn.functional as F
from torch import nn

from skmedtext.losses._base import (
    as_weight_tensor,
    check_logits_target,
    check_reduction,
    class_weights_from_counts,
    full_precision,
)

__all__ = ["CrossEntropyLoss", "WeightedCrossEntropyLoss"]


class CrossEntropyLoss(nn.CrossEntropyLoss):
    """``torch.nn.CrossEntropyLoss`` computed in float32 with skmedtext's input checks.

    The same module as torch's (every constructor argument and the result are
    unchanged for float32 logits), except that bf16/fp16 logits, or a call
    inside ``torch.autocast``, are computed in float32 like the other skmedtext
    losses, and malformed logits or targets raise a clear error.

    Examples
    --------
    >>> import torch
    >>> from skmedtext.losses import CrossEntropyLoss
    >>> CrossEntropyLoss()(torch.zeros(2, 2, dtype=torch.bfloat16), torch.tensor([0, 1])).dtype
    torch.float32
    """

    def forward(self, logits, target):
        with full_precision(logits):
            n_classes = None if self.weight is None else self.weight.numel()
            logits, target = check_logits_target(logits, target, n_classes, name=type(self).__name__)
            return super().forward(logits, target)


class WeightedCrossEntropyLoss(nn.Module):
    """Cross-entropy with per-class weights, computed from class counts or given.

    ``loss_i = -w[y_i] * log softmax(z_i)[y_i]``; the ``'mean'`` reduction divides by
    ``sum_i w[y_i]``, exactly as ``torch.nn.CrossEntropyLoss(weight=w)`` does.
    Give either ``class_counts`` (weights from :func:`class_weights_from_counts`:
    ``(n / (K * n_k)) ** power``, rescaled to average one over the training samples;
    ``power=1`` is scikit-learn's ``'balanced'``) or an explicit ``weight``.

    Parameters
    ----------
    class_counts : array-like of int, shape (K,), default=None
        Training-fold sample counts per class, in class-index order.
    weight : array-like of float, shape (K,), default=None
        Explicit class weights (used as given).
    power : float, default=1.0
        Exponent of the inverse-frequency weights (only with ``class_counts``).
    reduction : {'mean', 'sum', 'none'}, default='mean'

    Attributes
    ----------
    weight : torch.Tensor of shape (K,)
        A buffer, so it follows ``.to(device)`` and the state dict.

    Examples
    --------
    >>> import torch
    >>> from skmedtext.losses import WeightedCrossEntropyLoss
    >>> loss = WeightedCrossEntropyLoss(class_counts=[90, 10])
    >>> loss.weight
    tensor([0.5556, 5.0000])
    >>> float(loss(torch.zeros(2, 2), torch.tensor([0, 1])))  # doctest: +ELLIPSIS
    0.693...
    """

    def __init__(self, class_counts=None, weight=None, power=1.0, reduction="mean"):
        super().__init__()
        if (class_counts is None) == (weight is None):
            raise ValueError("WeightedCrossEntropyLoss needs exactly one of class_counts or weight.")
        if weight is None:
            weight = class_weights_from_counts(class_counts, power)
        self.power = power
        self.reduction = check_reduction(reduction)
        self.register_buffer("weight", as_weight_tensor(weight, name="weight"))

    @property
    def n_classes(self):
        return self.weight.numel()

    def forward(self, logits, target):
        with full_precision(logits):
            logits, target = check_logits_target(logits, target, self.n_classes, name=type(self).__name__)
            return F.cross_entropy(logits, target, weight=self.weight, reduction=self.reduction)

    def extra_repr(self):
        return f"n_classes={self.n_classes}, reduction={self.reduction!r}"
