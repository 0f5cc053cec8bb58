"""Token units and vocabulary indices shared by word vectors and the sequence classifiers.

Index layout of every skmedtext embedding matrix: row :data:`PAD_INDEX` (0) is
padding, row :data:`UNKNOWN_INDEX` (1) the unknown token, vocabulary rows start at 2.
"""

import numpy as np

from skmedtext.text._segment import segment

__all__ = ["PAD_INDEX", "UNKNOWN_INDEX", "segment_texts", "tokens_to_indices"]

PAD_INDEX = 0
UNKNOWN_INDEX = 1


def segment_texts(texts, level):
    """Segment every text into units (:func:`skmedtext.text.segment`).

    Parameters
    ----------
    texts : iterable of str
    level : {"char", "word"}

    Returns
    -------
    units : list of list of str

    Examples
    --------
    >>> from skmedtext.text import segment_texts
    >>> segment_texts(["胸痛"], "char")
    [['胸', '痛']]
    """
    return [segment(text, level) for text in texts]


def tokens_to_indices(tokens, vocabulary, max_length):
    """Vocabulary indices of one token list, truncated to ``max_length``.

    Tokens missing from ``vocabulary`` map to :data:`UNKNOWN_INDEX`.

    Examples
    --------
    >>> from skmedtext.text import tokens_to_indices
    >>> tokens_to_indices(["胸", "痛", "热"], {"胸": 2, "痛": 3}, 2).tolist()
    [2, 3]
    """
    ids = [vocabulary.get(token, UNKNOWN_INDEX) for token in tokens[:max_length]]
    return np.asarray(ids, dtype=np.int64)
