"""Focal loss (Lin et al., 2017) for multi-class softmax outputs."""

import numbers

import numpy as np
import torch
from torch import nn

from skmedtext.losses._base import (
    as_weight_tensor,
    check_logits_target,
    check_reduction,
    class_weights_from_counts,
    full_precision,
    reduce_loss,
    true_class_log_prob,
)

__all__ = ["FocalLoss"]


def _alpha_vector(alpha, class_counts):
    """Per-class alpha as a tensor, or None."""
    if alpha is None:
        return None
    if isinstance(alpha, str):
        if alpha != "balanced":
            raise ValueError(f"alpha as a string must be 'balanced'; got {alpha!r}.")
        if class_counts is None:
            raise ValueError("alpha='balanced' needs class_counts (training-fold counts per class).")
        return as_weight_tensor(class_weights_from_counts(class_counts), name="alpha")
    if isinstance(alpha, numbers.Real) and not isinstance(alpha, bool):
        if not 0.0 <= alpha <= 1.0:
            raise ValueError(f"a float alpha must lie in [0, 1]; got {alpha!r}.")
        # RetinaNet convention: alpha weighs the positive class (index 1).
        return torch.tensor([1.0 - alpha, alpha], dtype=torch.float32)
    return as_weight_tensor(np.asarray(alpha, dtype=np.float64), name="alpha")


class FocalLoss(nn.Module):
    """Focal loss ``-alpha[y] * (1 - p_t) ** gamma * log p_t`` on softmax outputs.

    ``p_t`` is the softmax probability of the true class. ``gamma=0`` with no
    alpha is cross-entropy. The ``'mean'`` reduction is the plain mean over the
    batch (the RetinaNet / torchvision convention), not the alpha-weighted mean of
    ``CrossEntropyLoss(weight=...)``; with ``alpha='balanced'`` the weights average
    one over the training fold, so the two agree in expectation.

    Parameters
    ----------
    gamma : float, default=2.0
        Focusing parameter (>= 0).
    alpha : None, float, array-like of shape (K,), or 'balanced', default=None
        Class weighting. A float in [0, 1] is binary only: weight ``alpha`` for
        class 1 and ``1 - alpha`` for class 0. ``'balanced'`` uses
        ``n / (K * n_k)`` from ``class_counts``.
    class_counts : array-like of int, shape (K,), default=None
        Training-fold counts per class; needed only for ``alpha='balanced'``.
    reduction : {'mean', 'sum', 'none'}, default='mean'

    Examples
    --------
    >>> import torch
    >>> from skmedtext.losses import FocalLoss
    >>> logits, target = torch.tensor([[2.0, 0.0], [0.0, 0.5]]), torch.tensor([0, 0])
    >>> FocalLoss(gamma=2.0)(logits, target) < torch.nn.functional.cross_entropy(logits, target)
    tensor(True)
    """

    def __init__(self, gamma=2.0, alpha=None, class_counts=None, reduction="mean"):
        super().__init__()
        if (
            not isinstance(gamma, numbers.Real)
            or isinstance(gamma, bool)
            or not (np.isfinite(gamma) and gamma >= 0)
        ):
            raise ValueError(f"gamma must be a finite number >= 0; got {gamma!r}.")
        self.gamma = float(gamma)
        self.reduction = check_reduction(reduction)
        self.binary_alpha = isinstance(alpha, numbers.Real) and not isinstance(alpha, bool)
        alpha_vec = _alpha_vector(alpha, class_counts)
        self.register_buffer("alpha", alpha_vec)

    def forward(self, logits, target):
        n_classes = None if self.alpha is None else self.alpha.numel()
        name = type(self).__name__
        if self.binary_alpha and logits.ndim == 2 and logits.shape[1] != 2:
            raise ValueError(
                f"{name}: a float alpha is for binary problems; got {logits.shape[1]} classes. "
                "Pass one alpha per class or alpha='balanced'."
            )
        with full_precision(logits):
            logits, target = check_logits_target(logits, target, n_classes, name=name)
            log_pt = true_class_log_prob(logits, target)
            # 1 - p_t via expm1 stays accurate for confident predictions; the clamp
            # keeps the gradient of x**gamma finite at x = 0 when gamma < 1.
            one_minus_pt = (-torch.expm1(log_pt)).clamp(min=1e-12)
            per_sample = -one_minus_pt.pow(self.gamma) * log_pt
            if self.alpha is not None:
                per_sample = per_sample * self.alpha[target]
            return reduce_loss(per_sample, self.reduction)

    def extra_repr(self):
        alpha = None if self.alpha is None else [round(a, 4) for a in self.alpha.tolist()]
        return f"gamma={self.gamma}, alpha={alpha}, reduction={self.reduction!r}"
