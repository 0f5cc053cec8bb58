"""How close synthetic samples are to real ones: MMD, k-NN precision/recall, C2ST.

Use these to tell a useful over-sampler (e.g. a trained SAAN generator) from a
collapsed one: compare its synthetic rows of a class with *held-out* real rows of
that class, and read the scores against the same scores of a second real sample
(the best a generator can do) and of a trivial baseline.
"""

import numbers

import numpy as np
from sklearn.base import clone
from sklearn.metrics import pairwise_distances, roc_auc_score
from sklearn.model_selection import StratifiedKFold, cross_val_predict
from sklearn.neighbors import KNeighborsClassifier, NearestNeighbors
from sklearn.utils import check_random_state

from skmedtext._synthetic import SyntheticSequence

__all__ = [
    "maximum_mean_discrepancy",
    "knn_precision_recall",
    "classifier_two_sample_test",
    "synthetic_quality_report",
]


def _as_matrix(X, name):
    """2-D float array from 2-D input, 3-D sequences or a collection of sequences.

    Sequences (3-D arrays with exact-zero padding, :class:`SyntheticSequence`
    rows, or ``(t, d)`` arrays) are mean-pooled over their real positions, so
    token-level synthetic rows can be scored in the pooled space.
    """
    if isinstance(X, np.ndarray) and X.dtype != object:
        arr = X
    else:
        items = list(X)
        if items and all(isinstance(r, SyntheticSequence) or np.ndim(r) == 2 for r in items):
            arr = np.stack([_pool(r.vectors if isinstance(r, SyntheticSequence) else r) for r in items])
        else:
            arr = np.asarray(items, dtype=float)
    arr = np.asarray(arr, dtype=np.float64)
    if arr.ndim == 3:
        arr = np.stack([_pool(row) for row in arr])
    if arr.ndim != 2:
        raise ValueError(f"{name} must be 2-D (n, d) or sequences (n, t, d); got shape {arr.shape}.")
    if arr.shape[0] < 2:
        raise ValueError(f"{name} needs at least 2 samples; got {arr.shape[0]}.")
    if not np.isfinite(arr).all():
        raise ValueError(f"{name} contains NaN or infinite values.")
    return arr


def _pool(seq):
    seq = np.asarray(seq, dtype=np.float64)
    real = np.any(seq != 0, axis=-1)
    return seq[real].mean(axis=0) if real.any() else np.zeros(seq.shape[-1])


def _pair(X_real, X_synth):
    real = _as_matrix(X_real, "X_real")
    synth = _as_matrix(X_synth, "X_synth")
    if real.shape[1] != synth.shape[1]:
        raise ValueError(
            f"X_real has {real.shape[1]} features but X_synth has {synth.shape[1]}."
        )
    return real, synth


def _subsample(X, max_samples, rng):
    if max_samples is None or X.shape[0] <= max_samples:
        return X
    return X[rng.choice(X.shape[0], max_samples, replace=False)]


def _median_gamma(Z, rng, max_points=1000):
    Z = _subsample(Z, max_points, rng)
    sq = pairwise_distances(Z, metric="sqeuclidean")
    med = np.median(sq[np.triu_indices_from(sq, k=1)])
    return 1.0 / (2.0 * med) if med > 0 else 1.0


def maximum_mean_discrepancy(X_real, X_synth, *, gamma=None, max_samples=2000, random_state=None):
    """Squared maximum mean discrepancy with an RBF kernel (unbiased estimate).

    ``k(a, b) = exp(-gamma ||a - b||^2)``; by default ``gamma = 1 / (2 sigma^2)``
    with ``sigma^2`` the median squared distance between pooled samples (the
    median heuristic). 0 means the two samples are indistinguishable by the
    kernel; the unbiased estimate can be slightly negative for identical
    distributions.

    Parameters
    ----------
    X_real, X_synth : array-like of shape (n, d), (n, t, d) or sequences
        Sequences are mean-pooled over their real (non-zero) positions.
    gamma : float or None, default=None
        Kernel coefficient; None uses the median heuristic.
    max_samples : int or None, default=2000
        Random subsample of each set above this size (the estimate is O(n^2)).
    random_state : int, RandomState or None, default=None

    Returns
    -------
    mmd2 : float

    Examples
    --------
    >>> import numpy as np
    >>> from skmedtext.metrics import maximum_mean_discrepancy
    >>> rng = np.random.RandomState(0)
    >>> a, b = rng.normal(size=(200, 5)), rng.normal(size=(200, 5))
    >>> maximum_mean_discrepancy(a, b, random_state=0) < maximum_mean_discrepancy(a, b + 1, random_state=0)
    True
    """
    rng = check_random_state(random_state)
    real, synth = _pair(X_real, X_synth)
    real, synth = _subsample(real, max_samples, rng), _subsample(synth, max_samples, rng)
    if gamma is None:
        gamma = _median_gamma(np.vstack([real, synth]), rng)
    elif not isinstance(gamma, numbers.Real) or gamma <= 0:
        raise ValueError(f"gamma must be a positive number or None; got {gamma!r}.")

    def kernel(a, b):
        return np.exp(-gamma * pairwise_distances(a, b, metric="sqeuclidean"))

    k_rr, k_ss, k_rs = kernel(real, real), kernel(synth, synth), kernel(real, synth)
    m, n = real.shape[0], synth.shape[0]
    term_rr = (k_rr.sum() - np.trace(k_rr)) / (m * (m - 1))
    term_ss = (k_ss.sum() - np.trace(k_ss)) / (n * (n - 1))
    return float(term_rr + term_ss - 2.0 * k_rs.mean())


def _radii(X, k):
    """Distance of every row to its k-th nearest other row."""
    k = min(k, X.shape[0] - 1)
    dist, _ = NearestNeighbors(n_neighbors=k + 1).fit(X).kneighbors(X)
    return dist[:, k]


def _coverage(points, centres, radii, chunk=2048):
    """Fraction of ``points`` inside at least one ball ``(centres[j], radii[j])``."""
    inside = np.zeros(points.shape[0], dtype=bool)
    for lo in range(0, points.shape[0], chunk):
        d = pairwise_distances(points[lo : lo + chunk], centres)
        inside[lo : lo + chunk] = (d <= radii[None, :]).any(axis=1)
    return float(inside.mean())


def knn_precision_recall(X_real, X_synth, *, k=3, max_samples=5000, random_state=None):
    """Improved precision and recall of Kynkäänniemi et al. (2019).

    The real manifold is the union of balls around each real sample whose radius
    is the distance to its ``k``-th nearest real neighbour; likewise for the
    synthetic manifold. Precision is the fraction of synthetic samples inside the
    real manifold (fidelity); recall is the fraction of real samples inside the
    synthetic manifold (diversity). A collapsed generator scores a recall near 0.

    Parameters
    ----------
    X_real, X_synth : array-like of shape (n, d), (n, t, d) or sequences
    k : int, default=3
    max_samples : int or None, default=5000
        Random subsample of each set above this size.
    random_state : int, RandomState or None, default=None

    Returns
    -------
    precision, recall : float, float

    Examples
    --------
    >>> import numpy as np
    >>> from skmedtext.metrics import knn_precision_recall
    >>> rng = np.random.RandomState(0)
    >>> real = rng.normal(size=(300, 4))
    >>> collapsed = np.repeat(real.mean(0, keepdims=True), 300, axis=0)
    >>> knn_precision_recall(real, collapsed)[1] < knn_precision_recall(real, rng.normal(size=(300, 4)))[1]
    True
    """
    if not isinstance(k, numbers.Integral) or k < 1:
        raise ValueError(f"k must be a positive integer; got {k!r}.")
    rng = check_random_state(random_state)
    real, synth = _pair(X_real, X_synth)
    real, synth = _subsample(real, max_samples, rng), _subsample(synth, max_samples, rng)
    precision = _coverage(synth, real, _radii(real, k))
    recall = _coverage(real, synth, _radii(synth, k))
    return precision, recall


def classifier_two_sample_test(
    X_real, X_synth, *, estimator=None, cv=5, max_samples=5000, random_state=None
):
    """Classifier two-sample test: cross-validated ROC AUC of real vs synthetic.

    A classifier learns to tell real from synthetic rows; its out-of-fold ROC AUC
    is 0.5 when they are indistinguishable and 1.0 when every synthetic row is
    recognisable.

    Parameters
    ----------
    X_real, X_synth : array-like of shape (n, d), (n, t, d) or sequences
    estimator : classifier with predict_proba, default=None
        None uses ``KNeighborsClassifier(n_neighbors=5)``, which also catches
        collapsed or duplicated samples that a linear model cannot separate.
    cv : int, default=5
        Stratified folds.
    max_samples : int or None, default=5000
    random_state : int, RandomState or None, default=None

    Returns
    -------
    auc : float

    Examples
    --------
    >>> import numpy as np
    >>> from skmedtext.metrics import classifier_two_sample_test
    >>> rng = np.random.RandomState(0)
    >>> real = rng.normal(size=(200, 3))
    >>> classifier_two_sample_test(real, real + 3, random_state=0) > 0.9
    True
    """
    rng = check_random_state(random_state)
    real, synth = _pair(X_real, X_synth)
    real, synth = _subsample(real, max_samples, rng), _subsample(synth, max_samples, rng)
    Z = np.vstack([real, synth])
    labels = np.r_[np.zeros(len(real), int), np.ones(len(synth), int)]
    n_splits = int(min(cv, len(real), len(synth)))
    if n_splits < 2:
        raise ValueError("classifier_two_sample_test needs at least 2 real and 2 synthetic samples.")
    model = KNeighborsClassifier(n_neighbors=5) if estimator is None else clone(estimator)
    splitter = StratifiedKFold(n_splits, shuffle=True, random_state=rng.randint(2**31 - 1))
    proba = cross_val_predict(model, Z, labels, cv=splitter, method="predict_proba")
    return float(roc_auc_score(labels, proba[:, 1]))


def synthetic_quality_report(X_real, X_synth, *, k=3, random_state=None):
    """All synthetic-quality scores at once.

    Returns
    -------
    report : dict
        ``mmd2`` (lower is better), ``precision`` and ``recall`` (higher is
        better), ``c2st_auc`` (0.5 is best), ``n_real``, ``n_synth``.

    Examples
    --------
    >>> import numpy as np
    >>> from skmedtext.metrics import synthetic_quality_report
    >>> rng = np.random.RandomState(0)
    >>> sorted(synthetic_quality_report(rng.normal(size=(50, 3)), rng.normal(size=(60, 3))))
    ['c2st_auc', 'mmd2', 'n_real', 'n_synth', 'precision', 'recall']
    """
    real, synth = _pair(X_real, X_synth)
    precision, recall = knn_precision_recall(real, synth, k=k, random_state=random_state)
    return {
        "mmd2": maximum_mean_discrepancy(real, synth, random_state=random_state),
        "precision": precision,
        "recall": recall,
        "c2st_auc": classifier_two_sample_test(real, synth, random_state=random_state),
        "n_real": int(real.shape[0]),
        "n_synth": int(synth.shape[0]),
    }
