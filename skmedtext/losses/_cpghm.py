"""Paper 001's loss: class proportion + gradient harmonizing + class similarity."""

import numbers

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from skmedtext.losses._base import (
    as_weight_tensor,
    check_class_counts,
    check_logits_target,
    check_reduction,
    class_weights_from_counts,
    full_precision,
    reduce_loss,
    true_class_log_prob,
)
from skmedtext.losses._ghm import GradientDensity, gradient_norm

__all__ = ["CPGHMSimilarityLoss", "class_similarity_from_embeddings"]


def class_similarity_from_embeddings(embeddings):
    """Class similarity matrix from one embedding vector per class.

    ``S[j, k] = max(0, cos(e_j, e_k))`` for ``j != k`` and ``S[j, j] = 0``: the
    fixed ``similarity`` of :class:`CPGHMSimilarityLoss`. Typical vectors are
    sentence embeddings of the class names or descriptions, or the mean
    embedding of each class's training texts.

    Parameters
    ----------
    embeddings : array-like of float, shape (K, d)
        Row ``k`` describes class ``k`` (class-index order).

    Returns
    -------
    similarity : ndarray of float64, shape (K, K)

    Examples
    --------
    >>> from skmedtext.losses import class_similarity_from_embeddings
    >>> class_similarity_from_embeddings([[1.0, 0.0], [1.0, 1.0], [-1.0, 0.0]]).round(3)
    array([[0.   , 0.707, 0.   ],
           [0.707, 0.   , 0.   ],
           [0.   , 0.   , 0.   ]])
    """
    vectors = np.asarray(embeddings, dtype=np.float64)
    if vectors.ndim != 2 or vectors.shape[0] < 2:
        raise ValueError(
            f"embeddings must be a 2-D array with one row per class (at least 2); "
            f"got shape {vectors.shape}."
        )
    if not np.isfinite(vectors).all():
        raise ValueError("embeddings hold NaN or infinite values.")
    norms = np.linalg.norm(vectors, axis=1)
    if np.any(norms == 0):
        raise ValueError(f"embeddings of classes {np.flatnonzero(norms == 0).tolist()} are all zeros.")
    unit = vectors / norms[:, None]
    similarity = np.clip(unit @ unit.T, 0.0, 1.0)
    np.fill_diagonal(similarity, 0.0)
    return similarity


def _check_similarity(similarity, n_classes):
    """Return (mode, fixed matrix or None)."""
    if similarity is None:
        return None, None
    if isinstance(similarity, str):
        if similarity != "confusion":
            raise ValueError(
                f"similarity must be 'confusion', a (K, K) array or None; got {similarity!r}."
            )
        return "confusion", None
    matrix = torch.as_tensor(np.asarray(similarity, dtype=np.float64), dtype=torch.float32)
    if matrix.shape != (n_classes, n_classes):
        raise ValueError(
            f"a similarity matrix must have shape ({n_classes}, {n_classes}) to match "
            f"class_counts; got {tuple(matrix.shape)}."
        )
    if not torch.isfinite(matrix).all():
        raise ValueError("the similarity matrix holds NaN or infinite values.")
    if (matrix < 0).any():
        # A negative entry would be a bonus, not a margin; clip cosine scores first.
        raise ValueError(
            "the similarity matrix must be non-negative (clip cosine similarities at 0, "
            "as class_similarity_from_embeddings does)."
        )
    # The diagonal would only shift every target logit by a constant per class;
    # similarity is about pairs of different classes.
    return "fixed", matrix.fill_diagonal_(0.0)


class CPGHMSimilarityLoss(nn.Module):
    r"""Cost-sensitive loss of paper 001 (Zhang, Li & Chen, 2022).

    The paper adds "the proportion of categories, the gradient harmonizing
    mechanism and category similarity" to the loss without giving formulas; this
    is skmedtext's definition (documented in ``docs/losses.md``)::

        z'_i   = z_i + lambda * S[y_i]                  (similarity margin)
        l_i    = -log softmax(z'_i)[y_i]
        g_i    = 1 - softmax(z'_i)[y_i]                 (GHM gradient norm)
        beta_i = 1 / GD(g_i), batch mean one            (gradient harmonizing)
        w_k    = (n / (K n_k)) ** power, sample mean one (class proportion)
        loss   = sum_i beta_i w_{y_i} l_i / sum_i beta_i w_{y_i}

    * **Class proportion**: inverse-frequency weights of the training fold
      (:func:`class_weights_from_counts`). The default ``weight_power=0.5`` is
      softer than scikit-learn's ``'balanced'`` (``power=1``) because GHM already
      raises the weight of hard samples, which in imbalanced data are mostly the
      minority ones.
    * **Gradient harmonizing**: GHM-C weights as in :class:`GHMCLoss`.
    * **Class similarity**: a ``(K, K)`` matrix ``S`` with zero diagonal and
      entries ``>= 0``; row ``j`` is read for samples whose true class is ``j``.
      ``lambda * S[y_i, k]`` is added to each non-target logit ``k`` before the
      softmax: an additive margin (as in additive-margin softmax, but per class
      pair) that asks the model to separate a class most from the classes it
      resembles. The margin is a constant (no gradient flows through ``S``), so
      it only raises the loss and the gradient of samples whose true class
      resembles a class they also score high on. ``S`` comes from one of:

      - ``similarity='confusion'`` (default, needs nothing else): a soft
        confusion matrix measured on the training batches. ``C[j, k]`` is an
        exponential moving average (momentum ``similarity_momentum``) of the
        mean softmax probability that the training samples of class ``j`` in a
        batch give to class ``k``, computed from the unmodified logits,
        detached, updated only in training mode (``module.train()``), a class's
        first batch taken as is. ``S = (C + C^T) / 2`` with the diagonal set
        to zero, so a pair is similar when the model confuses it in either
        direction. Each batch uses the statistics gathered before it (the first
        batch of a fit has no margin) and margins shrink as the model stops
        confusing a pair; :meth:`reset_state` forgets them.
      - a fixed array you pass, e.g. :func:`class_similarity_from_embeddings`
        of label-name embeddings (cosine clipped at zero), or the relatedness
        of the diseases in a knowledge graph (paper 001 draws a "disease
        knowledge network"). Its diagonal is ignored (set to zero).

    Degenerate settings: ``similarity=None`` (or ``similarity_scale=0``) is the
    class-weighted GHM-C; with also ``bins=1`` it is exactly
    ``torch.nn.CrossEntropyLoss(weight=class_weights_from_counts(class_counts,
    weight_power))``; with also ``weight_power=0`` (or equal class counts) it is
    plain cross-entropy.

    Parameters
    ----------
    class_counts : array-like of int, shape (K,)
        Training-fold counts per class, in class-index order.
    weight_power : float, default=0.5
        Exponent of the inverse-frequency class weights (0 disables them).
    bins : int, default=10
        GHM gradient-norm bins.
    momentum : float in [0, 1), default=0.75
        EMA momentum of the GHM bin densities (the GHM paper's value).
    similarity : 'confusion', array-like of shape (K, K) or None, default='confusion'
        Source of the class similarity matrix (see above); ``None`` disables
        the margin. A fixed matrix must be finite and non-negative.
    similarity_scale : float, default=1.0
        ``lambda``, the margin (in logits) for a similarity of one.
    similarity_momentum : float in [0, 1), default=0.9
        EMA momentum of the soft confusion matrix.
    reduction : {'mean', 'sum', 'none'}, default='mean'
        ``'none'`` returns ``beta_i * w_{y_i} * l_i``.

    Examples
    --------
    >>> import torch
    >>> from skmedtext.losses import CPGHMSimilarityLoss
    >>> loss = CPGHMSimilarityLoss(class_counts=[80, 15, 5])
    >>> logits = torch.randn(8, 3, requires_grad=True)
    >>> value = loss(logits, torch.tensor([0, 0, 0, 0, 0, 1, 1, 2]))
    >>> value.backward()
    >>> loss.similarity_matrix().shape
    torch.Size([3, 3])
    """

    def __init__(
        self,
        class_counts,
        weight_power=0.5,
        bins=10,
        momentum=0.75,
        similarity="confusion",
        similarity_scale=1.0,
        similarity_momentum=0.9,
        reduction="mean",
    ):
        super().__init__()
        counts = check_class_counts(class_counts)
        n_classes = counts.size
        for name, value in (("similarity_scale", similarity_scale), ("similarity_momentum", similarity_momentum)):
            if not isinstance(value, numbers.Real) or isinstance(value, bool) or not np.isfinite(value):
                raise ValueError(f"{name} must be a finite number; got {value!r}.")
        if not 0.0 <= similarity_momentum < 1.0:
            raise ValueError(f"similarity_momentum must lie in [0, 1); got {similarity_momentum!r}.")
        self.weight_power = weight_power
        self.similarity_scale = float(similarity_scale)
        self.similarity_momentum = float(similarity_momentum)
        self.reduction = check_reduction(reduction)
        self.similarity_mode, fixed = _check_similarity(similarity, n_classes)
        self.density = GradientDensity(bins, momentum)
        weight = class_weights_from_counts(counts, weight_power)
        self.register_buffer("class_weight", as_weight_tensor(weight, name="class weights"))
        self.register_buffer("fixed_similarity", fixed)
        self.register_buffer("confusion", torch.zeros(n_classes, n_classes))
        self.register_buffer("class_seen", torch.zeros(n_classes, dtype=torch.bool))

    @property
    def n_classes(self):
        return self.class_weight.numel()

    def reset_state(self):
        """Forget the GHM densities and the confusion statistics."""
        self.density.reset_state()
        self.confusion.zero_()
        self.class_seen.zero_()

    def similarity_matrix(self):
        """The ``(K, K)`` class similarity currently used for the margin, or None."""
        if self.similarity_mode == "fixed":
            return self.fixed_similarity
        if self.similarity_mode == "confusion":
            return ((self.confusion + self.confusion.T) / 2).fill_diagonal_(0.0)
        return None

    def _update_confusion(self, probs, target):
        onehot = F.one_hot(target, self.n_classes).to(probs.dtype)
        counts = onehot.sum(0)
        present = counts > 0
        batch_rows = (onehot.T @ probs) / counts.clamp(min=1.0)[:, None]
        m = self.similarity_momentum
        blended = torch.where(self.class_seen[:, None], m * self.confusion + (1 - m) * batch_rows, batch_rows)
        self.confusion.copy_(torch.where(present[:, None], blended, self.confusion))
        self.class_seen |= present

    def forward(self, logits, target):
        with full_precision(logits):
            logits, target = check_logits_target(logits, target, self.n_classes, name=type(self).__name__)
            similarity = self.similarity_matrix()
            if self.similarity_mode == "confusion" and self.training:
                self._update_confusion(torch.softmax(logits.detach(), dim=1), target)
            if similarity is not None and self.similarity_scale != 0:
                logits = logits + self.similarity_scale * similarity[target]
            log_pt = true_class_log_prob(logits, target)
            weight = self.density(gradient_norm(log_pt)) * self.class_weight[target]
            return reduce_loss(-weight * log_pt, self.reduction, normalizer=weight.sum())

    def extra_repr(self):
        return (
            f"n_classes={self.n_classes}, weight_power={self.weight_power}, "
            f"similarity={self.similarity_mode!r}, similarity_scale={self.similarity_scale}, "
            f"reduction={self.reduction!r}"
        )
