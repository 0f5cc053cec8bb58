"""The one entry point through which every skmedtext classifier gets its loss."""

import copy
import functools
import inspect

from torch import nn

from skmedtext.losses._base import check_class_counts
from skmedtext.losses._cpghm import CPGHMSimilarityLoss
from skmedtext.losses._cross_entropy import CrossEntropyLoss, WeightedCrossEntropyLoss
from skmedtext.losses._focal import FocalLoss
from skmedtext.losses._ghm import GHMCLoss
from skmedtext.losses._multilabel import (
    AsymmetricLoss,
    BCEWithLogitsLoss,
    BinaryFocalLoss,
    WeightedBCEWithLogitsLoss,
    check_label_counts,
)

__all__ = ["CRITERIA", "MULTILABEL_CRITERIA", "build_criterion"]

CRITERIA = {
    "ce": CrossEntropyLoss,
    "weighted_ce": WeightedCrossEntropyLoss,
    "focal": FocalLoss,
    "ghm": GHMCLoss,
    "cpghm": CPGHMSimilarityLoss,
}

# one sigmoid per label; 'focal' is the same name in its binary (per-label) form
MULTILABEL_CRITERIA = {
    "bce": BCEWithLogitsLoss,
    "weighted_bce": WeightedBCEWithLogitsLoss,
    "focal": BinaryFocalLoss,
    "asl": AsymmetricLoss,
}


def _accepts(cls, name):
    try:
        return name in inspect.signature(cls).parameters
    except (TypeError, ValueError):  # pragma: no cover - builtins without a signature
        return False


def _instantiate(cls, class_counts, kwargs, multilabel=False, n_samples=None):
    """Give the counts to a loss that takes them: ``class_counts`` (single-label) or
    ``label_counts`` and ``n_samples`` (multi-label)."""
    for own in ("class_counts", "label_counts", "n_samples"):
        if own in kwargs:
            raise TypeError(
                f"pass {own} as build_criterion's own argument, not in kwargs."
            )
    if not multilabel:
        if _accepts(cls, "class_counts"):
            kwargs = {**kwargs, "class_counts": class_counts}
    elif class_counts is not None and _accepts(cls, "label_counts"):
        kwargs = {**kwargs, "label_counts": class_counts, "n_samples": n_samples}
    return cls(**kwargs)


def _resolve_multilabel_name(name, label_counts):
    key = name.lower()
    if key not in MULTILABEL_CRITERIA:
        single = " (a single-label loss)" if key in CRITERIA else ""
        raise ValueError(
            f"criterion {name!r}{single} cannot train on a multi-label (2-D indicator) y; "
            f"valid multi-label names are {sorted(MULTILABEL_CRITERIA)}, or pass a "
            "torch.nn.Module taking (logits (n, L), target (n, L))."
        )
    if key == "weighted_bce" and label_counts is None:
        raise ValueError(
            "criterion 'weighted_bce' needs class_counts (training-fold positives per label) "
            "and n_samples."
        )
    return MULTILABEL_CRITERIA[key]


def _resolve_name(name, class_counts):
    key = name.lower()
    if key in MULTILABEL_CRITERIA and key not in CRITERIA:
        raise ValueError(
            f"criterion {name!r} is a multi-label loss: it needs a 2-D indicator y "
            f"(multilabel=True); single-label names are {sorted(CRITERIA)}."
        )
    if key not in CRITERIA:
        raise ValueError(
            f"unknown criterion {name!r}; valid names are {sorted(CRITERIA)}, "
            "or pass a torch.nn.Module instance or class, a (name, params) tuple or a "
            "functools.partial of a loss class."
        )
    if key in ("weighted_ce", "cpghm") and class_counts is None:
        raise ValueError(
            f"criterion {key!r} needs class_counts (training-fold counts per class)."
        )
    return CRITERIA[key]


def _split_params(criterion):
    """``(name or class, params)`` tuples and ``functools.partial(cls, **params)`` are
    a loss plus constructor arguments; anything else carries none."""
    if isinstance(criterion, functools.partial):
        if criterion.args:
            raise TypeError(
                "a functools.partial criterion may only bind keyword arguments."
            )
        return criterion.func, dict(criterion.keywords)
    if isinstance(criterion, tuple):
        if len(criterion) != 2 or not isinstance(criterion[1], dict):
            raise TypeError(
                "a tuple criterion must be (name or loss class, dict of constructor "
                f"arguments); got {criterion!r}."
            )
        return criterion[0], dict(criterion[1])
    return criterion, {}


def build_criterion(
    criterion="ce", class_counts=None, *, multilabel=False, n_samples=None, **kwargs
):
    """Build the loss module a classifier trains with.

    Parameters
    ----------
    criterion : str, nn.Module instance, nn.Module subclass, tuple or partial, default='ce'
        A name from ``CRITERIA``:

        - ``'ce'``: :class:`CrossEntropyLoss` (``torch.nn.CrossEntropyLoss``
          computed in float32);
        - ``'weighted_ce'``: :class:`WeightedCrossEntropyLoss` (balanced weights);
        - ``'focal'``: :class:`FocalLoss`;
        - ``'ghm'``: :class:`GHMCLoss`;
        - ``'cpghm'``: :class:`CPGHMSimilarityLoss` (paper 001).

        With ``multilabel=True`` the names come from ``MULTILABEL_CRITERIA``
        (one sigmoid per label):

        - ``'bce'``: :class:`BCEWithLogitsLoss`;
        - ``'weighted_bce'``: :class:`WeightedBCEWithLogitsLoss` (positive
          weights from the training fold's label counts);
        - ``'focal'``: :class:`BinaryFocalLoss` (the per-label form);
        - ``'asl'``: :class:`AsymmetricLoss` (Ridnik et al., 2021).

        A module instance is deep-copied (so folds of a cross-validation never
        share moving-average state and the caller's object is never changed) and
        its ``reset_state()`` is called when it has one. A class is instantiated
        with ``kwargs``. To give constructor arguments through an estimator's
        single ``criterion`` parameter and still get the training fold's class
        counts, pass ``(name_or_class, {"param": value})`` or
        ``functools.partial(LossClass, param=value)``; their arguments are merged
        with ``kwargs`` (``kwargs`` win).
    class_counts : array-like of int, shape (K,), default=None
        Training-fold counts per class in class-index order. Passed to every
        loss whose constructor takes ``class_counts``; required by
        ``'weighted_ce'`` and ``'cpghm'``, and by ``'focal'`` with
        ``alpha='balanced'``. With ``multilabel=True``: training rows carrying
        each label, shape (L,), given to losses taking ``label_counts``.
    multilabel : bool, default=False
        Build a loss for a 2-D 0/1 target of shape (n, L).
    n_samples : int, default=None
        Training rows of the fold; with ``multilabel=True`` and ``class_counts``
        (required by ``'weighted_bce'``).
    **kwargs
        Constructor arguments of the loss (e.g. ``gamma=2.0``, ``bins=10``).

    Returns
    -------
    criterion : torch.nn.Module
        Called as ``criterion(logits (n, K), target int64 (n,))``, or with
        ``multilabel=True`` as ``criterion(logits (n, L), target 0/1 (n, L))``.

    Examples
    --------
    >>> from skmedtext.losses import build_criterion
    >>> build_criterion("focal", [90, 10], gamma=1.0)
    FocalLoss(gamma=1.0, alpha=None, reduction='mean')
    >>> build_criterion("weighted_ce", [90, 10]).weight
    tensor([0.5556, 5.0000])
    >>> build_criterion(("cpghm", {"bins": 5}), [90, 10]).density.bins
    5
    >>> build_criterion("weighted_bce", [10, 50], multilabel=True, n_samples=100).pos_weight
    tensor([9., 1.])
    """
    if multilabel:
        if class_counts is not None:
            class_counts, n_samples = check_label_counts(
                class_counts, n_samples, name="class_counts"
            )
    elif n_samples is not None:
        raise TypeError("n_samples is for multi-label criteria (multilabel=True).")
    elif class_counts is not None:
        class_counts = check_class_counts(class_counts)
    criterion, params = _split_params(criterion)
    kwargs = {**params, **kwargs}
    if isinstance(criterion, str):
        if multilabel:
            cls = _resolve_multilabel_name(criterion, class_counts)
            return _instantiate(cls, class_counts, kwargs, True, n_samples)
        return _instantiate(
            _resolve_name(criterion, class_counts), class_counts, kwargs
        )
    if isinstance(criterion, nn.Module):
        if kwargs:
            raise TypeError(
                f"keyword arguments {sorted(kwargs)} cannot be applied to a criterion instance; "
                "pass its name or class instead."
            )
        module = copy.deepcopy(criterion)
        if callable(getattr(module, "reset_state", None)):
            module.reset_state()
        return module
    if isinstance(criterion, type) and issubclass(criterion, nn.Module):
        return _instantiate(criterion, class_counts, kwargs, multilabel, n_samples)
    raise TypeError(
        f"criterion must be one of {sorted(CRITERIA)}, a torch.nn.Module instance, an "
        f"nn.Module subclass, a (name, params) tuple or a functools.partial of a loss "
        f"class; got {criterion!r}."
    )
