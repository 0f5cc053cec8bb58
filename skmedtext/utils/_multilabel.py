"""Multi-label targets: indicator checks, MLSMOTE's imbalance measures, over-sampling plans.

Shared by the multi-label reports, the splitter, the classifiers and the two
over-samplers, so that every one reads a 2-D ``y`` and a multi-label
``sampling_strategy`` the same way.
"""

import math
import numbers

import numpy as np
import scipy.sparse as sp

__all__ = [
    "check_indicator",
    "check_multilabel_target",
    "draw_seed_rows",
    "is_multilabel_target",
    "label_imbalance",
    "multilabel_sampling_targets",
]


def check_indicator(y, *, name="y", n_labels=None):
    """Return ``y`` as a dense int8 0/1 matrix of shape (n, n_labels), checked.

    Parameters
    ----------
    y : array-like or sparse matrix of shape (n_samples, n_labels)
        A label-indicator matrix (as :class:`~sklearn.preprocessing.MultiLabelBinarizer`
        returns).
    name : str, default='y'
        How errors name the matrix.
    n_labels : int, default=None
        The width required (the labels an estimator was fitted on).

    Returns
    -------
    indicator : ndarray of int8, shape (n_samples, n_labels)

    Raises
    ------
    ValueError
        If ``y`` is not 2-D, holds values other than 0 and 1, or has the wrong width.

    Examples
    --------
    >>> from skmedtext.utils import check_indicator
    >>> check_indicator([[1, 0], [1, 1]]).tolist()
    [[1, 0], [1, 1]]
    """
    values = y.toarray() if sp.issparse(y) else np.asarray(y)
    if values.ndim != 2 or values.shape[1] < 1:
        raise ValueError(
            f"{name} must be a 2-D label-indicator matrix of shape (n_samples, n_labels); "
            f"got shape {values.shape}. Turn lists of label sets into one with "
            "sklearn.preprocessing.MultiLabelBinarizer."
        )
    if values.dtype.kind not in "biuf" or not np.isin(values, (0, 1)).all():
        raise ValueError(f"{name} must hold only 0 and 1 (a label-indicator matrix).")
    if n_labels is not None and values.shape[1] != n_labels:
        raise ValueError(
            f"{name} has {values.shape[1]} label columns but {n_labels} labels are expected."
        )
    return values.astype(np.int8)


def is_multilabel_target(y):
    """True for a 2-D 0/1 ``y`` with at least 2 columns that is not one-vs-all encoded.

    imbalanced-learn reads a 2-D indicator with exactly one 1 per row as a
    binarised multi-class target, and so do skmedtext's samplers; any other 0/1
    matrix (a row with no label or with several) is multi-label.

    Examples
    --------
    >>> from skmedtext.utils import is_multilabel_target
    >>> is_multilabel_target([[1, 1], [0, 1]]), is_multilabel_target([[1, 0], [0, 1]])
    (True, False)
    >>> is_multilabel_target(["a", "b"])
    False
    """
    if y is None or isinstance(y, (str, bytes)):
        return False
    if not sp.issparse(y):
        try:
            y = np.asarray(y)
        except (ValueError, TypeError):
            return False
    if y.ndim != 2 or y.shape[1] < 2:
        return False
    values = y.toarray() if sp.issparse(y) else y
    if values.dtype.kind not in "biuf" or not np.isin(values, (0, 1)).all():
        return False
    return bool((values.sum(axis=1) != 1).any())


def check_multilabel_target(y, *, estimator_name, n_samples=None):
    """A multi-label ``y`` for fitting: a 0/1 matrix whose every label occurs.

    Rows with no label are allowed (a record may carry none of the labels); a
    label column with no positive row, or a ``y`` where no row has a label, is
    refused, since nothing could be learnt or sampled for it.

    Returns
    -------
    Y : ndarray of int8, shape (n_samples, n_labels)
    """
    Y = check_indicator(y, name="y")
    if n_samples is not None and Y.shape[0] != n_samples:
        raise ValueError(
            f"{estimator_name}: X has {n_samples} rows but y has {Y.shape[0]}."
        )
    counts = Y.sum(axis=0)
    if not counts.any():
        raise ValueError(
            f"{estimator_name}: no row of the multi-label y carries a label."
        )
    never = np.flatnonzero(counts == 0)
    if never.size:
        shown = ", ".join(str(j) for j in never[:10])
        raise ValueError(
            f"{estimator_name}: label column(s) {shown} of y never occur (no positive "
            "row); drop those columns, or fit on data that has them."
        )
    return Y


def label_imbalance(Y):
    """MLSMOTE's imbalance measures (Charte et al., 2015) of an indicator matrix.

    ``IRLbl(j) = max_k n_k / n_j`` (1 for the most frequent label) and
    ``MeanIR``, its mean over the labels; the *minority labels* are those with
    ``IRLbl > MeanIR``.

    Returns
    -------
    irlbl : ndarray of float64, shape (n_labels,)
    mean_ir : float

    Examples
    --------
    >>> from skmedtext.utils import label_imbalance
    >>> irlbl, mean_ir = label_imbalance([[1, 1, 0], [1, 0, 0], [1, 0, 1], [1, 1, 0]])
    >>> irlbl.tolist(), float(mean_ir)
    ([1.0, 2.0, 4.0], 2.3333333333333335)
    """
    counts = check_indicator(Y).sum(axis=0).astype(np.float64)
    if (counts == 0).any():
        raise ValueError("label_imbalance needs every label to occur at least once.")
    irlbl = counts.max() / counts
    return irlbl, float(irlbl.mean())


def _targets_from_dict(strategy, counts, estimator_name):
    wanted = {}
    for label, target in strategy.items():
        ok = isinstance(label, numbers.Integral) and not isinstance(label, bool)
        if not ok or not 0 <= label < counts.size:
            raise ValueError(
                f"{estimator_name}: with a multi-label y, sampling_strategy keys are label "
                f"column indices 0..{counts.size - 1}; got {label!r}."
            )
        if isinstance(target, bool) or not isinstance(target, numbers.Integral):
            raise TypeError(
                f"{estimator_name}: sampling_strategy[{label}] must be an int."
            )
        if target < counts[label]:
            raise ValueError(
                f"{estimator_name}: sampling_strategy[{label}]={target} is below the "
                f"{counts[label]} rows that already carry label {label}; an over-sampler "
                "only adds rows."
            )
        wanted[int(label)] = int(target)
    return wanted


def multilabel_sampling_targets(Y, sampling_strategy, *, estimator_name="sampler"):
    """Synthetic rows to make per label, ``{label column: n_new}``, rarest label first.

    ``sampling_strategy`` for a multi-label ``y`` (counts are rows carrying a label):

    - ``'auto'``: every minority label (``IRLbl > MeanIR``, see
      :func:`label_imbalance`) is grown to ``ceil(max count / MeanIR)`` rows,
      the count at which its ``IRLbl`` would equal the mean;
    - ``'minority'``: only the rarest label, to the same count;
    - a float ``r`` in (0, 1]: every label below ``ceil(r * max count)`` is grown to it;
    - a dict ``{label column: n_rows}``: those labels to those counts.

    Each synthetic row also carries labels other than the one it was made for
    (its label set), so co-occurring labels grow too; the plan counts only the
    label a row is made for.

    Examples
    --------
    >>> from skmedtext.utils import multilabel_sampling_targets
    >>> Y = [[1, 0, 0]] * 8 + [[1, 1, 0]] * 2 + [[0, 0, 1]]
    >>> multilabel_sampling_targets(Y, "auto")
    {2: 1}
    >>> multilabel_sampling_targets(Y, 0.5)
    {2: 4, 1: 3}
    """
    Y = check_multilabel_target(Y, estimator_name=estimator_name)
    counts = Y.sum(axis=0).astype(np.int64)
    irlbl, mean_ir = label_imbalance(Y)
    level = math.ceil(counts.max() / mean_ir)
    if isinstance(sampling_strategy, str) and sampling_strategy in ("auto", "minority"):
        labels = np.flatnonzero(irlbl > mean_ir)
        if sampling_strategy == "minority":
            labels = np.argsort(counts, kind="stable")[:1]
        wanted = {int(j): max(level, int(counts[j])) for j in labels}
    elif isinstance(sampling_strategy, numbers.Real) and not isinstance(
        sampling_strategy, bool
    ):
        if not 0 < sampling_strategy <= 1:
            raise ValueError(
                f"{estimator_name}: a float sampling_strategy must lie in (0, 1]; "
                f"got {sampling_strategy!r}."
            )
        level = math.ceil(sampling_strategy * counts.max())
        wanted = {int(j): level for j in np.flatnonzero(counts < level)}
    elif isinstance(sampling_strategy, dict):
        wanted = _targets_from_dict(sampling_strategy, counts, estimator_name)
    else:
        raise ValueError(
            f"{estimator_name}: with a multi-label y, sampling_strategy must be 'auto', "
            f"'minority', a float in (0, 1] or a dict {{label column: rows}}; got "
            f"{sampling_strategy!r}."
        )
    order = sorted(wanted, key=lambda j: (counts[j], j))
    return {j: wanted[j] - int(counts[j]) for j in order if wanted[j] > counts[j]}


def draw_seed_rows(Y, targets, rng):
    """The real row each synthetic row is made from, and the label it is made for.

    For label ``j``, ``targets[j]`` rows carrying ``j`` are drawn in turn: each
    is used ``floor`` or ``ceil(n_new / n_j)`` times, in a random order (the
    rule of the single-label over-samplers).

    Returns
    -------
    seeds, labels : ndarray of int, shape (n_synthetic,)
    """
    Y = np.asarray(Y)
    seeds, labels = [], []
    for j, n_new in targets.items():
        members = np.flatnonzero(Y[:, j])
        rounds = [
            rng.permutation(members) for _ in range(math.ceil(n_new / members.size))
        ]
        seeds.append(np.concatenate(rounds)[:n_new])
        labels.append(np.full(n_new, j))
    if not seeds:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    return np.concatenate(seeds).astype(np.int64), np.concatenate(labels).astype(
        np.int64
    )
