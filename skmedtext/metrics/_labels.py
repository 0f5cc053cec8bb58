"""Which classes a report covers, their names, and score columns aligned to them.

Shared by the reports, the figures and :func:`skmedtext.evaluate.evaluate`, so that
every fold and every figure agrees on the classes, their order and their names.
"""

import numpy as np
from sklearn.utils.multiclass import unique_labels

__all__ = ["align_scores", "estimator_scores", "resolve_labels", "resolve_names"]


def resolve_labels(y_true, y_pred, labels=None, score_labels=None):
    """Return the classes to report: ``labels`` checked, or the sorted union found.

    Parameters
    ----------
    y_true, y_pred : array-like of shape (n_samples,)
        True and predicted labels (pass the same array twice when there is one).
    labels : array-like, default=None
        The classes wanted, in order. Checked to be 1-D, non-empty, without
        repeats, and to cover every class of ``y_true`` and ``y_pred``.
    score_labels : array-like, default=None
        The class of each score column; joins the union when ``labels`` is None.

    Returns
    -------
    labels : ndarray of shape (n_classes,)
        ``labels`` as an array, or the sorted union of the classes found.

    Raises
    ------
    ValueError
        If ``labels`` is empty, repeats a class or misses a class of the data.

    Examples
    --------
    >>> from skmedtext.metrics import resolve_labels
    >>> resolve_labels(["b", "a"], ["a", "c"]).tolist()
    ['a', 'b', 'c']
    >>> resolve_labels([0, 1], [1, 1], labels=[1, 0, 2]).tolist()
    [1, 0, 2]
    """
    if labels is not None:
        labels = np.asarray(labels)
        if labels.ndim != 1 or labels.size == 0:
            raise ValueError("labels must be a non-empty 1-D list of class labels.")
        if np.unique(labels).size != labels.size:
            raise ValueError(f"labels must not repeat a class; got {labels.tolist()}.")
        unknown = np.setdiff1d(unique_labels(y_true, y_pred), labels)
        if unknown.size:
            raise ValueError(
                f"y_true/y_pred hold classes {unknown.tolist()} that are not in labels="
                f"{labels.tolist()}."
            )
        return labels
    found = unique_labels(y_true, y_pred)
    if score_labels is not None:
        found = unique_labels(found, np.asarray(score_labels))
    return found


def resolve_names(labels, target_names=None):
    """Return one distinct display name per class (``str(label)`` by default).

    Parameters
    ----------
    labels : array-like of shape (n_classes,)
        The classes, in order.
    target_names : list of str, default=None
        One display name per class.

    Returns
    -------
    names : list of str

    Raises
    ------
    ValueError
        If there is not exactly one name per class, or a name repeats.

    Examples
    --------
    >>> from skmedtext.metrics import resolve_names
    >>> resolve_names([0, 1])
    ['0', '1']
    >>> resolve_names([0, 1], ["no", "yes"])
    ['no', 'yes']
    """
    if target_names is None:
        return [str(label) for label in labels]
    target_names = [str(name) for name in target_names]
    if len(target_names) != len(labels):
        raise ValueError(
            f"target_names has {len(target_names)} names but there are {len(labels)} "
            f"classes ({list(labels)})."
        )
    if len(set(target_names)) != len(target_names):
        raise ValueError(f"target_names must be distinct; got {target_names}.")
    return target_names


def align_scores(y_score, score_labels, labels):
    """Reorder score columns to ``labels``; classes the scorer never saw get zeros.

    Parameters
    ----------
    y_score : array-like of shape (n_samples, n_score_labels) or (n_samples,)
        Probabilities or decision scores. A 1-D array is the score of the second
        of two classes (scikit-learn's binary convention) and is expanded to two
        columns ``[-s, s]`` (``[1 - p, p]`` when it lies in [0, 1]).
    score_labels : array-like of shape (n_score_labels,)
        The class of each column, e.g. a fitted classifier's ``classes_``.
    labels : array-like of shape (n_classes,)
        The classes wanted, in the order wanted.

    Returns
    -------
    aligned : ndarray of shape (n_samples, n_classes), float64
    """
    y_score = np.asarray(y_score, dtype=np.float64)
    score_labels = np.asarray(score_labels)
    if y_score.ndim == 1:
        if score_labels.size != 2:
            raise ValueError(
                "a 1-D y_score is only meaningful for two classes; got score labels "
                f"{score_labels.tolist()}."
            )
        in_unit = y_score.size and y_score.min() >= 0 and y_score.max() <= 1
        y_score = np.column_stack([1 - y_score if in_unit else -y_score, y_score])
    if y_score.ndim != 2 or y_score.shape[1] != score_labels.size:
        raise ValueError(
            f"y_score has shape {y_score.shape} but {score_labels.size} score labels were "
            f"given ({score_labels.tolist()}); pass labels matching its columns."
        )
    unknown = np.setdiff1d(score_labels, labels)
    if unknown.size:
        raise ValueError(f"score columns for classes {unknown.tolist()} are not in labels.")
    # A class missing from the scorer's training data gets the lowest possible score,
    # which for probabilities is exactly what the classifier implies (p = 0).
    fill = 0.0 if y_score.size == 0 or y_score.min() >= 0 else y_score.min() - 1.0
    aligned = np.full((y_score.shape[0], len(labels)), fill)
    position = {label: i for i, label in enumerate(np.asarray(labels).tolist())}
    for j, label in enumerate(score_labels.tolist()):
        aligned[:, position[label]] = y_score[:, j]
    return aligned


def estimator_scores(estimator, X):
    """Return ``(scores, classes)`` from ``predict_proba``, else ``decision_function``.

    Parameters
    ----------
    estimator : fitted classifier or Pipeline
    X : array-like
        Inputs the estimator accepts.

    Returns
    -------
    scores : ndarray or None
        The probabilities or decision scores; None when the estimator offers
        neither (or cannot use them, as ``SVC(probability=False)``).
    classes : ndarray or None
        The estimator's ``classes_``: the class of each score column.

    Examples
    --------
    A linear SVM has no ``predict_proba``, so its decision scores come back (one
    column for two classes, scikit-learn's binary convention):

    >>> from sklearn.svm import LinearSVC
    >>> from skmedtext.metrics import estimator_scores
    >>> X, y = [[0.0], [1.0], [2.0], [3.0]], ["no", "no", "yes", "yes"]
    >>> scores, classes = estimator_scores(LinearSVC().fit(X, y), X)
    >>> scores.shape, classes.tolist()
    ((4,), ['no', 'yes'])
    """
    classes = getattr(estimator, "classes_", None)
    for method in ("predict_proba", "decision_function"):
        if not hasattr(estimator, method):
            continue
        try:
            scores = getattr(estimator, method)(X)
        except (AttributeError, NotImplementedError):
            # e.g. SVC(probability=False) exposes predict_proba but cannot use it.
            continue
        if classes is None:
            raise AttributeError(
                f"{type(estimator).__name__} gives {method} but has no classes_; cannot "
                "tell which class each score column belongs to."
            )
        return scores, np.asarray(classes)
    return None, classes
