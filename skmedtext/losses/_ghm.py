"""Gradient harmonizing mechanism (GHM-C, Li et al., AAAI 2019) for softmax outputs."""

import numbers

import torch
import torch.nn.functional as F
from torch import nn

from skmedtext.losses._base import (
    check_logits_target,
    check_reduction,
    full_precision,
    reduce_loss,
    true_class_log_prob,
)

__all__ = ["GHMCLoss"]


def gradient_norm(log_pt):
    """GHM's gradient norm for softmax cross-entropy: ``g = 1 - p_t``.

    The gradient of CE with respect to the logits is ``softmax - onehot``; its L1
    norm halved is ``((1 - p_t) + sum_{k != t} p_k) / 2 = 1 - p_t``, so the two
    definitions coincide. ``g`` lies in [0, 1]: 0 for a perfectly classified
    sample, 1 for one that puts no mass on its class. Detached.
    """
    return (-torch.expm1(log_pt.detach())).clamp(0.0, 1.0)


def check_bins_momentum(bins, momentum):
    if not isinstance(bins, numbers.Integral) or isinstance(bins, bool) or bins < 1:
        raise ValueError(f"bins must be an integer >= 1; got {bins!r}.")
    if not isinstance(momentum, numbers.Real) or isinstance(momentum, bool) or not 0.0 <= momentum < 1.0:
        raise ValueError(f"momentum must be a number in [0, 1); got {momentum!r}.")


class GradientDensity(nn.Module):
    """Per-sample GHM weights ``beta_i ∝ 1 / GD(g_i)``, normalised to mean one.

    ``[0, 1]`` is cut into ``bins`` equal bins; the density of a bin is the
    fraction of the batch whose gradient norm falls in it. With ``momentum > 0``
    the densities are an exponential moving average over training batches
    (``d <- m * d + (1 - m) * d_batch``, the first batch taken as is, unlike
    mmdetection, whose zero-initialised sum inflates the first weights), updated
    only in training mode and used as stored in eval mode. Averaging fractions
    instead of counts keeps a short last batch from skewing the average.

    Normalising the weights to mean one over the batch equals mmdetection's
    ``tot / (num_in_bin * n_nonempty_bins)`` when ``momentum=0``.
    """

    def __init__(self, bins=10, momentum=0.0):
        super().__init__()
        check_bins_momentum(bins, momentum)
        self.bins = int(bins)
        self.momentum = float(momentum)
        self.register_buffer("density", torch.zeros(self.bins))
        self.register_buffer("initialized", torch.zeros((), dtype=torch.bool))

    def reset_state(self):
        self.density.zero_()
        self.initialized.zero_()

    def forward(self, g):
        index = (g * self.bins).long().clamp_(0, self.bins - 1)
        # one_hot + sum instead of bincount: deterministic on every device.
        fraction = F.one_hot(index, self.bins).sum(0).to(g.dtype) / max(g.numel(), 1)
        density = fraction
        if self.momentum > 0:
            if self.training:
                blended = self.momentum * self.density + (1.0 - self.momentum) * fraction
                self.density.copy_(torch.where(self.initialized, blended, fraction))
                self.initialized.fill_(True)
            # Before any training batch, or for a bin never seen in training, there is
            # no stored density; fall back on the batch's own so weights stay finite.
            stored = self.initialized & (self.density > 0)
            density = torch.where(stored, self.density, fraction)
        beta = 1.0 / density[index]
        return beta / beta.mean()

    def extra_repr(self):
        return f"bins={self.bins}, momentum={self.momentum}"


class GHMCLoss(nn.Module):
    """GHM-C classification loss adapted to multi-class softmax.

    ``loss = sum_i beta_i * CE_i / sum_i beta_i`` with ``beta_i = 1 / GD(g_i)``, the
    inverse density of samples with a similar gradient norm ``g_i = 1 - p_t``
    (equal to half the L1 norm of ``softmax - onehot``). Easy samples (many, with
    small ``g``) are down-weighted, as are outliers when they crowd the top bin.
    The weights are detached and normalised to mean one over the batch, so
    ``bins=1`` is exactly cross-entropy. See :class:`GradientDensity` for the
    moving average used when ``momentum > 0``.

    Parameters
    ----------
    bins : int, default=10
        Number of equal-width gradient-norm bins on [0, 1].
    momentum : float in [0, 1), default=0.0
        EMA momentum of the bin densities (the GHM paper uses 0.75; 0 is
        mmdetection's default and keeps the loss stateless).
    reduction : {'mean', 'sum', 'none'}, default='mean'
        ``'none'`` returns ``beta_i * CE_i`` (weights of batch-mean one).

    Examples
    --------
    >>> import torch
    >>> from skmedtext.losses import GHMCLoss
    >>> logits = torch.tensor([[4.0, 0.0], [4.0, 0.0], [4.0, 0.0], [0.0, 0.5]])
    >>> weights = GHMCLoss(bins=10, reduction="none")(logits, torch.tensor([0, 0, 0, 0]))
    >>> bool(weights[3] > weights[0])
    True
    """

    def __init__(self, bins=10, momentum=0.0, reduction="mean"):
        super().__init__()
        self.reduction = check_reduction(reduction)
        self.density = GradientDensity(bins, momentum)

    @property
    def bins(self):
        return self.density.bins

    @property
    def momentum(self):
        return self.density.momentum

    def reset_state(self):
        """Forget the moving-average densities (a fresh fit starts from here)."""
        self.density.reset_state()

    def forward(self, logits, target):
        with full_precision(logits):
            logits, target = check_logits_target(logits, target, name=type(self).__name__)
            log_pt = true_class_log_prob(logits, target)
            beta = self.density(gradient_norm(log_pt))
            return reduce_loss(-beta * log_pt, self.reduction)

    def extra_repr(self):
        return f"reduction={self.reduction!r}"
