"""The one seeding helper: an integer seed from a scikit-learn ``random_state``."""

import numbers

import numpy as np
from sklearn.utils import check_random_state

__all__ = ["int_seed"]


def int_seed(random_state):
    """An integer seed for libraries that take one (torch, gensim, scikit-learn splitters).

    An integer passes through unchanged, so ``random_state=0`` means seed 0
    everywhere. ``None`` or a ``RandomState`` draws a seed from it: a seeded
    ``RandomState`` therefore gives a reproducible sequence of seeds, ``None`` a
    fresh one.

    Parameters
    ----------
    random_state : int, RandomState instance or None

    Returns
    -------
    seed : int in ``[0, 2**31 - 1)``

    Examples
    --------
    >>> import numpy as np
    >>> from skmedtext.utils import int_seed
    >>> int_seed(7)
    7
    >>> int_seed(np.random.RandomState(0)) == int_seed(np.random.RandomState(0))
    True
    """
    if isinstance(random_state, numbers.Integral) and not isinstance(random_state, bool):
        return int(random_state)
    return int(check_random_state(random_state).randint(np.iinfo(np.int32).max))
