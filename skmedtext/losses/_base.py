"""Helpers shared by the skmedtext losses: input checks, class weights, reduction."""

import numbers
from contextlib import contextmanager

import numpy as np
import torch

__all__ = ["class_weights_from_counts"]

REDUCTIONS = ("mean", "sum", "none")


def check_class_counts(class_counts, *, name="class_counts"):
    """Return ``class_counts`` as a 1-D int64 array after checking it.

    The counts are per class in class-index order, as measured on the training fold.
    A zero count is allowed (a rare class can be missing from a fold).
    """
    counts = check_counts(class_counts, name=name, min_size=2, unit="class")
    if counts.sum() == 0:
        raise ValueError(f"{name} sums to zero: no training samples were counted.")
    return counts


def check_counts(counts, *, name, min_size, unit):
    """1-D non-negative integer counts (one per class or label) as int64."""
    counts = np.asarray(counts)
    if counts.ndim != 1 or counts.size < min_size:
        at_least = (
            f" (at least {min_size} {unit}es)"
            if unit == "class" and min_size > 1
            else ""
        )
        raise ValueError(
            f"{name} must be a 1-D array with one count per {unit}{at_least}; "
            f"got shape {counts.shape}."
        )
    if counts.dtype == bool or not np.issubdtype(counts.dtype, np.number):
        raise TypeError(f"{name} must hold integer counts; got dtype {counts.dtype}.")
    if (
        not np.all(np.isfinite(counts))
        or np.any(counts < 0)
        or np.any(counts != np.round(counts))
    ):
        raise ValueError(
            f"{name} must hold non-negative integer counts; got {counts.tolist()}."
        )
    return counts.astype(np.int64)


def check_reduction(reduction):
    if reduction not in REDUCTIONS:
        raise ValueError(f"reduction must be one of {REDUCTIONS}; got {reduction!r}.")
    return reduction


def class_weights_from_counts(class_counts, power=1.0):
    """Inverse-frequency class weights from training-fold class counts.

    ``w_k = (n / (K * max(n_k, 1))) ** power``, then rescaled so that the average
    weight over the training samples is one: ``sum_k n_k * w_k = n``. With
    ``power=1`` and every class present this is exactly scikit-learn's
    ``class_weight='balanced'`` (``n / (K * n_k)``, whose training-sample average is
    already one); ``power=0.5``
    is the softer inverse square root; ``power=0`` gives all ones. A class with
    no training sample is counted as one sample so its weight stays finite (it is
    never used in training on that fold).

    Parameters
    ----------
    class_counts : array-like of int, shape (K,)
        Number of training samples per class, in class-index order.
    power : float, default=1.0
        Exponent applied to the balanced weights.

    Returns
    -------
    weights : ndarray of float64, shape (K,)

    Examples
    --------
    >>> from skmedtext.losses import class_weights_from_counts
    >>> class_weights_from_counts([90, 10]).round(3)
    array([0.556, 5.   ])
    """
    counts = check_class_counts(class_counts)
    is_number = isinstance(power, numbers.Real) and not isinstance(power, bool)
    if not is_number or not np.isfinite(power) or power < 0:
        raise ValueError(f"power must be a finite number >= 0; got {power!r}.")
    n, k = counts.sum(), counts.size
    weights = (n / (k * np.maximum(counts, 1))) ** float(power)
    return weights * (n / np.dot(counts, weights))


def as_weight_tensor(values, n_classes=None, *, name):
    """Validate a per-class weight vector and return it as a float32 tensor."""
    weight = torch.as_tensor(np.asarray(values, dtype=np.float64), dtype=torch.float32)
    if weight.ndim != 1 or (n_classes is not None and weight.numel() != n_classes):
        expected = "K" if n_classes is None else n_classes
        raise ValueError(
            f"{name} must be 1-D with {expected} entries; got shape {tuple(weight.shape)}."
        )
    if not torch.isfinite(weight).all() or (weight < 0).any():
        raise ValueError(
            f"{name} must be finite and non-negative; got {weight.tolist()}."
        )
    return weight


def check_logits_target(logits, target, n_classes=None, *, name="loss"):
    """Shape/dtype checks that give a clear message instead of an indexing error."""
    if not isinstance(logits, torch.Tensor) or logits.ndim != 2:
        shape = (
            tuple(logits.shape) if hasattr(logits, "shape") else type(logits).__name__
        )
        raise ValueError(f"{name} expects logits of shape (n, K); got {shape}.")
    if not isinstance(target, torch.Tensor) or target.ndim != 1:
        shape = (
            tuple(target.shape) if hasattr(target, "shape") else type(target).__name__
        )
        raise ValueError(f"{name} expects a 1-D target of class indices; got {shape}.")
    if (
        target.dtype.is_floating_point
        or target.dtype == torch.bool
        or target.is_complex()
    ):
        raise TypeError(
            f"{name} expects integer class indices (int64); got target dtype {target.dtype}."
        )
    if target.shape[0] != logits.shape[0]:
        raise ValueError(
            f"{name}: logits have {logits.shape[0]} rows but target has {target.shape[0]}."
        )
    if logits.shape[1] < 2:
        raise ValueError(
            f"{name} needs at least 2 classes (logit columns); got {logits.shape[1]}."
        )
    if n_classes is not None and logits.shape[1] != n_classes:
        raise ValueError(
            f"{name} was built for {n_classes} classes but the logits have {logits.shape[1]} columns."
        )
    return logits.float(), target.long()


@contextmanager
def full_precision(tensor):
    """Compute a loss in float32 even inside ``torch.autocast`` (matmuls and
    log-softmax would otherwise run in bf16/fp16 on CPU)."""
    with torch.autocast(device_type=tensor.device.type, enabled=False):
        yield


def reduce_loss(per_sample, reduction, normalizer=None):
    """'none' -> per-sample values; 'sum' -> their sum; 'mean' -> sum / normalizer
    (the weighted mean convention of ``torch.nn.CrossEntropyLoss(weight=...)``), or
    the plain mean when no normalizer is given."""
    if reduction == "none":
        return per_sample
    total = per_sample.sum()
    if reduction == "sum":
        return total
    return total / normalizer if normalizer is not None else total / per_sample.numel()


def true_class_log_prob(logits, target):
    return torch.log_softmax(logits, dim=1).gather(1, target[:, None]).squeeze(1)
