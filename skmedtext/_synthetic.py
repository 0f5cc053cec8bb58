"""The value type for synthetic rows that samplers append to raw-text data.

imbalanced-learn's pipeline resamples only during ``fit``, so a text classifier
receives a 1-D object array that mixes real strings with synthetic rows. A
synthetic row is a :class:`SyntheticSequence`: a ``(t, d)`` float32 array of
vectors living in a named embedding ``space`` (for a BERT encoder: its input
word-embedding space), so the classifier can feed it straight into the encoder
(``inputs_embeds``) without decoding back to words.
"""

from dataclasses import dataclass, field

import numpy as np

__all__ = ["SyntheticSequence", "is_synthetic", "check_space"]


@dataclass(frozen=True, eq=False)
class SyntheticSequence:
    """A synthetic sample given as a sequence of embedding vectors.

    Parameters
    ----------
    vectors : ndarray of shape (t, d)
        The vectors, one per position. Stored read-only as float32.
    space : str
        Identifier of the embedding space the vectors live in, e.g.
        ``"hf-input-embeddings:bert-384-1a2b3c4d5e6f"``. A classifier whose own
        space differs refuses the row with a clear error.
    label : object, default=None
        The class the row was generated for (informative; the target array
        passed alongside is authoritative).

    Examples
    --------
    >>> import numpy as np
    >>> from skmedtext import SyntheticSequence
    >>> row = SyntheticSequence(np.zeros((4, 8)), space="demo", label=1)
    >>> row.vectors.shape, row.vectors.dtype.name
    ((4, 8), 'float32')
    """

    vectors: np.ndarray
    space: str
    label: object = field(default=None)

    def __post_init__(self):
        vectors = np.array(self.vectors, dtype=np.float32, copy=True)
        if vectors.ndim != 2 or vectors.shape[0] == 0:
            raise ValueError(
                "SyntheticSequence.vectors must be a non-empty 2-D array of shape "
                f"(t, d); got shape {vectors.shape}."
            )
        if not np.all(np.isfinite(vectors)):
            raise ValueError("SyntheticSequence.vectors contains NaN or infinite values.")
        if not isinstance(self.space, str) or not self.space:
            raise TypeError("SyntheticSequence.space must be a non-empty string.")
        vectors.setflags(write=False)
        object.__setattr__(self, "vectors", vectors)

    def __len__(self):
        return self.vectors.shape[0]

    def __repr__(self):
        t, d = self.vectors.shape
        return f"SyntheticSequence(t={t}, d={d}, space={self.space!r}, label={self.label!r})"


def is_synthetic(row):
    """Return True when ``row`` is a :class:`SyntheticSequence`."""
    return isinstance(row, SyntheticSequence)


def check_space(rows, expected_space, estimator_name):
    """Raise ``ValueError`` if any synthetic row lives in another embedding space."""
    for row in rows:
        if isinstance(row, SyntheticSequence) and row.space != expected_space:
            raise ValueError(
                f"{estimator_name} received a synthetic row from embedding space "
                f"{row.space!r}, but this model reads space {expected_space!r}. "
                "Fit the sampler with the same encoder as the classifier "
                "(e.g. SAANSampler(encoder=...) matching model_name_or_path)."
            )
