"""Array-shape helpers shared by the collators, the samplers and MLM pretraining."""

import math

import numpy as np

__all__ = ["round_up", "sequence_mask"]


def round_up(length, multiple):
    """Round ``length`` up to a multiple of ``multiple`` (so batch shapes repeat).

    ``multiple`` of ``None`` or at most 1 leaves ``length`` unchanged.

    Examples
    --------
    >>> from skmedtext.utils import round_up
    >>> round_up(13, 8), round_up(13, None)
    (16, 13)
    """
    if multiple is None or multiple <= 1:
        return int(length)
    return int(math.ceil(length / multiple) * multiple)


def sequence_mask(X):
    """Boolean mask ``(n, t)`` of the real positions of a padded 3-D sequence array.

    skmedtext's convention for 3-D embedding input ``(n, t, d)``: padding positions
    are exact zero vectors, so the mask travels with the array through pipelines.
    """
    X = np.asarray(X)
    if X.ndim != 3:
        raise ValueError(f"expected a 3-D array (n, t, d) of embedding sequences; got {X.shape}.")
    return np.any(X != 0, axis=-1)
