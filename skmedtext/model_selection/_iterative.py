"""Iterative stratification (Sechidis et al., 2011) as a scikit-learn splitter."""

import numbers

import numpy as np
from sklearn.model_selection import BaseCrossValidator
from sklearn.utils import check_random_state

from skmedtext.utils import check_indicator

__all__ = ["MultilabelStratifiedKFold"]


class MultilabelStratifiedKFold(BaseCrossValidator):
    """K-fold cross-validation that keeps every label's share in each fold.

    The iterative stratification of Sechidis, Tsoumakas and Vlahavas (ECML PKDD
    2011, Algorithm 1): each fold wants ``n_j / k`` rows carrying label ``j``.
    Repeatedly, the label with the fewest rows still to place is taken, and each
    of its rows goes to the fold that most wants that label (ties: the fold that
    wants the most rows overall, then the lowest fold, or a random one with
    ``shuffle=True``); placing a row lowers every one of its labels' wants in
    that fold. Rare labels are thus spread first, when the folds are still free.
    Rows with no label are placed last, to the folds wanting the most rows.
    Every row is in exactly one test fold.

    Parameters
    ----------
    n_splits : int, default=5
        Number of folds (at least 2).
    shuffle : bool, default=False
        Visit the rows of each label in a random order and break ties at random;
        without it the split is a deterministic function of ``y``.
    random_state : int, RandomState instance or None, default=None
        Seed of the shuffling (only with ``shuffle=True``).

    Examples
    --------
    >>> import numpy as np
    >>> from skmedtext.model_selection import MultilabelStratifiedKFold
    >>> Y = np.array([[1, 0], [1, 0], [0, 1], [0, 1], [1, 1], [1, 1]])
    >>> for train, test in MultilabelStratifiedKFold(n_splits=2).split(Y, Y):
    ...     print(test, Y[test].sum(axis=0))
    [0 2 4] [2 2]
    [1 3 5] [2 2]
    """

    def __init__(self, n_splits=5, *, shuffle=False, random_state=None):
        if isinstance(n_splits, bool) or not isinstance(n_splits, numbers.Integral):
            raise TypeError(f"n_splits must be an integer >= 2; got {n_splits!r}.")
        if n_splits < 2:
            raise ValueError(f"n_splits must be an integer >= 2; got {n_splits}.")
        if not isinstance(shuffle, bool):
            raise TypeError(f"shuffle must be True or False; got {shuffle!r}.")
        if not shuffle and random_state is not None:
            raise ValueError(
                "random_state has no effect without shuffle=True; leave it None or shuffle."
            )
        self.n_splits = int(n_splits)
        self.shuffle = shuffle
        self.random_state = random_state

    def get_n_splits(self, X=None, y=None, groups=None):
        """Return the number of folds."""
        return self.n_splits

    def split(self, X, y, groups=None):
        """Generate train/test indices; ``y`` is an (n, n_labels) 0/1 indicator matrix.

        Parameters
        ----------
        X : array-like of shape (n_samples, ...)
            Only its length is used.
        y : array-like or sparse matrix of shape (n_samples, n_labels)
            The label-indicator matrix to stratify on.
        groups : None
            Ignored.

        Yields
        ------
        train, test : ndarray of int
        """
        return super().split(X, y, groups)

    def _iter_test_indices(self, X, y=None, groups=None):
        if y is None:
            raise ValueError(
                "MultilabelStratifiedKFold needs y, a label-indicator matrix."
            )
        Y = check_indicator(y, name="y").astype(bool)
        n = Y.shape[0]  # split() already checked that X has as many rows
        if self.n_splits > n:
            raise ValueError(f"n_splits={self.n_splits} is more than the {n} rows.")
        fold = self._assign(Y)
        for k in range(self.n_splits):
            yield np.flatnonzero(fold == k)

    def _assign(self, Y):
        """Sechidis et al.'s Algorithm 1: the fold of every row."""
        rng = check_random_state(self.random_state) if self.shuffle else None
        n, k = Y.shape[0], self.n_splits
        want_rows = np.full(k, n / k)
        want_label = np.outer(np.full(k, 1 / k), Y.sum(axis=0)).astype(np.float64)
        fold = np.full(n, -1)
        remaining = Y.copy()
        while remaining.any():
            counts = remaining.sum(axis=0).astype(np.float64)
            counts[counts == 0] = np.inf
            label = int(np.argmin(counts))
            rows = np.flatnonzero(remaining[:, label])
            if rng is not None:
                rows = rng.permutation(rows)
            for row in rows:
                target = self._best(want_label[:, label], want_rows, rng)
                fold[row] = target
                want_label[target] -= Y[row]
                want_rows[target] -= 1
                remaining[row] = False
        for row in np.flatnonzero(fold < 0):
            target = self._best(want_rows, want_rows, rng)
            fold[row] = target
            want_rows[target] -= 1
        return fold

    @staticmethod
    def _best(primary, secondary, rng):
        """The fold with the largest ``primary``, ties by ``secondary``, then lowest or random."""
        top = np.flatnonzero(primary == primary.max())
        if top.size > 1:
            top = top[secondary[top] == secondary[top].max()]
        if top.size > 1 and rng is not None:
            return int(rng.choice(top))
        return int(top[0])
