"""Input handling for SAAN: which kind of X, vectors as token sequences, texts as embeddings."""

import math
import os

import numpy as np
from scipy import sparse
from sklearn.base import clone
from sklearn.exceptions import NotFittedError
from sklearn.utils.validation import check_is_fitted

from skmedtext._synthetic import SyntheticSequence

__all__ = [
    "ClassSubspace",
    "input_kind",
    "token_layout",
    "vectors_to_tokens",
    "tokens_to_vectors",
    "embed_texts",
]

_AUTO_MAX_TOKENS = 8


def input_kind(X):
    """``"text"`` (1-D texts), ``"sequence"`` (3-D arrays) or ``"vector"`` (2-D, default)."""
    if sparse.issparse(X):
        return "vector"
    if isinstance(X, (str, bytes)):
        return "text"  # check_texts explains that a single string is not a collection
    if hasattr(X, "columns"):  # a DataFrame: one object column of str is text
        first = X.iloc[0, 0] if X.shape[0] and X.shape[1] == 1 else None
        return "text" if isinstance(first, (str, SyntheticSequence)) else "vector"
    if hasattr(X, "to_numpy") and not isinstance(X, np.ndarray):
        X = X.to_numpy()
    if isinstance(X, np.ndarray):
        if X.dtype.kind in "OUS" and (X.ndim == 1 or (X.ndim == 2 and X.shape[1] == 1)):
            return "text"
        return "sequence" if X.ndim == 3 else "vector"
    try:
        first = next(iter(X))
    except StopIteration:
        return "text"  # an empty list: check_texts names the problem ("empty collection")
    except TypeError:
        return "vector"
    if isinstance(first, (str, bytes, SyntheticSequence)) or first is None:
        return "text"
    return "sequence" if np.ndim(first) == 2 else "vector"


def token_layout(n_features, n_tokens):
    """How ``n_features`` become ``t`` tokens of ``chunk`` features (zero-padded).

    ``"auto"`` uses at most 16 tokens; an integer asks for (at most) that many.
    Returns ``(t, chunk)`` with ``t * chunk >= n_features`` and the fewest tokens
    that hold the features at that chunk width.
    """
    wanted = _AUTO_MAX_TOKENS if n_tokens == "auto" else int(n_tokens)
    chunk = math.ceil(n_features / min(wanted, n_features))
    return math.ceil(n_features / chunk), chunk


def vectors_to_tokens(X, t, chunk):
    """(n, d) -> (n, t, chunk): consecutive feature chunks as positions."""
    n, d = X.shape
    padded = np.zeros((n, t * chunk), dtype=np.float32)
    padded[:, :d] = X
    return padded.reshape(n, t, chunk)


def tokens_to_vectors(tokens, n_features):
    """(n, t, chunk) -> (n, d): the inverse of :func:`vectors_to_tokens`."""
    return tokens.reshape(tokens.shape[0], -1)[:, :n_features]


class ClassSubspace:
    """Whitened principal coordinates of one class (2-D input).

    ``coords = (x - mean) V_k^T / s_k`` keeps the ``k`` leading principal
    directions of the class, each scaled to unit variance; ``inverse`` maps
    generated coordinates back. With ``n`` samples at most ``n - 1`` directions
    carry variance; the remaining coordinates are constant zeros.
    """

    def __init__(self, X, n_components):
        X = np.asarray(X, dtype=np.float64)
        self.n_features = X.shape[1]
        self.mean = X.mean(axis=0)
        width = self.n_features if n_components is None else min(n_components, self.n_features)
        self.width = width
        _, sing, vt = np.linalg.svd(X - self.mean, full_matrices=False)
        scale = sing / np.sqrt(max(X.shape[0] - 1, 1))
        keep = min(width, int(np.sum(scale > 1e-7 * max(scale.max(initial=0.0), 1e-12))))
        self.components, self.scale = vt[:keep], scale[:keep]

    def transform(self, X):
        coords = np.zeros((X.shape[0], self.width))
        k = len(self.scale)
        coords[:, :k] = (np.asarray(X, dtype=np.float64) - self.mean) @ self.components.T / self.scale
        return coords

    def inverse(self, coords):
        k = len(self.scale)
        return self.mean + (coords[:, :k] * self.scale) @ self.components


def _is_path_like(encoder):
    return encoder is None or isinstance(encoder, (str, os.PathLike))


def embed_texts(encoder, X_all, texts, max_length):
    """Real minority samples of raw-text input, as token sequences in an embedding space.

    Parameters
    ----------
    encoder : None, str, path or embedder object
        ``None``/preset name/local folder: the Hugging Face encoder's input
        word-embedding lookup of the tokenised texts (truncated to
        ``max_length``). An object: a skmedtext embedder with
        ``output="sequence"`` and a fitted ``embedding_space_``; used as is when
        already fitted, otherwise a clone is fitted on ``X_all``.
    X_all : ndarray of str
        Every training text (for fitting an unfitted embedder).
    texts : ndarray of str
        The texts to embed (the rows of the classes being over-sampled).
    max_length : int

    Returns
    -------
    source : dict
        ``space`` and either ``ids`` (list of lists) + ``table`` (tensor V x d)
        or ``values`` (n, t, d) float32 with exact-zero padding; ``fitted`` is the
        embedder object used (or the encoder spec).
    """
    if _is_path_like(encoder):
        from skmedtext.encoders import input_embedding_space, load_encoder

        spec, tokenizer, model = load_encoder(encoder)
        ids = tokenizer(
            [spec.prefix + text for text in texts], truncation=True, max_length=max_length
        )["input_ids"]
        table = model.get_input_embeddings().weight.detach().float().clone()
        return {"space": input_embedding_space(model), "ids": ids, "table": table, "fitted": spec}

    output = getattr(encoder, "output", "sequence")
    if output != "sequence":
        raise ValueError(
            f"SAANSampler needs token sequences from its encoder, but {type(encoder).__name__} "
            f"has output={output!r}; set output='sequence'."
        )
    try:
        check_is_fitted(encoder)
        fitted = encoder
    except NotFittedError:
        fitted = clone(encoder).fit(X_all)
    space = getattr(fitted, "embedding_space_", None)
    if not isinstance(space, str) or not space:
        raise ValueError(
            f"{type(encoder).__name__} has no fitted 'embedding_space_'; SAANSampler needs it "
            "to label synthetic rows with the space they live in."
        )
    values = np.asarray(fitted.transform(texts), dtype=np.float32)
    if values.ndim != 3:
        raise ValueError(
            f"{type(encoder).__name__}.transform returned shape {values.shape}; SAANSampler "
            "needs (n, t, d) sequences."
        )
    return {"space": space, "values": values, "fitted": fitted}
