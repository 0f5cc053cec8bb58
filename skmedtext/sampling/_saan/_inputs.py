"""The three kinds of SAAN input behind one interface, and their helpers.

Each kind answers the same four questions for :class:`SAANSampler`, so that its
``_fit_resample`` reads like SMOTE's: how ``X`` is checked (:meth:`check`), how
the real rows of each class become token sequences (:meth:`real_sequences`),
how the GANs should treat them (``use_anchors``, ``per_position``), and how the
generated sequences are appended to ``X`` (:meth:`assemble`).
"""

import math
import os

import numpy as np
from scipy import sparse
from sklearn.base import clone
from sklearn.exceptions import NotFittedError
from sklearn.utils import column_or_1d
from sklearn.utils.validation import check_consistent_length, check_is_fitted
from sklearn_compat.utils.validation import validate_data

from skmedtext._synthetic import SyntheticSequence
from skmedtext.sampling._saan._bank import SequenceBank
from skmedtext.utils import check_texts, resolve_device, sequence_mask

__all__ = [
    "INPUT_KINDS",
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
    if isinstance(first, (list, tuple)) and len(first) == 1 and isinstance(first[0], str):
        return "text"  # [[text], ...]: scikit-learn's one-column layout
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
    carry variance; the remaining coordinates are constant zeros. With
    ``residual="nearest"``, ``lift`` adds to each generated row the part of the
    nearest real row (by distance within the subspace) that lies outside the ``k``
    directions, so synthetic rows do not all sit on one ``k``-dimensional flat
    that no real row lies on.
    """

    def __init__(self, X, n_components, residual=None):
        X = np.asarray(X, dtype=np.float64)
        self.n_features = X.shape[1]
        self.mean = X.mean(axis=0)
        width = self.n_features if n_components is None else min(n_components, self.n_features)
        self.width = width
        _, sing, vt = np.linalg.svd(X - self.mean, full_matrices=False)
        scale = sing / np.sqrt(max(X.shape[0] - 1, 1))
        keep = min(width, int(np.sum(scale > 1e-7 * max(scale.max(initial=0.0), 1e-12))))
        self.components, self.scale = vt[:keep], scale[:keep]
        self.residual = residual
        if residual == "nearest":
            # what the GAN cannot see: each real row's part outside the k directions
            coords = self.transform(X)
            self.real_residuals = X - self.inverse(coords)
            self.real_points = self._in_subspace(coords)

    def transform(self, X):
        coords = np.zeros((X.shape[0], self.width))
        k = len(self.scale)
        coords[:, :k] = (np.asarray(X, dtype=np.float64) - self.mean) @ self.components.T / self.scale
        return coords

    def inverse(self, coords):
        k = len(self.scale)
        return self.mean + (coords[:, :k] * self.scale) @ self.components

    def lift(self, coords):
        """Generated coordinates -> input features, with the chosen off-subspace residual."""
        rows = self.inverse(coords)
        if self.residual != "nearest" or len(self.real_points) == 0:
            return rows
        # the real row nearest in the subspace (input-space distances, not the
        # whitened ones, which would let low-variance directions decide) lends
        # its fine detail; ties go to the lowest index, so the output is deterministic
        points = self._in_subspace(coords)
        d2 = (
            (points**2).sum(1)[:, None]
            - 2 * points @ self.real_points.T
            + (self.real_points**2).sum(1)[None, :]
        )
        return rows + self.real_residuals[np.argmin(d2, axis=1)]

    def _in_subspace(self, coords):
        return coords[:, : len(self.scale)] * self.scale


def _is_path_like(encoder):
    return encoder is None or isinstance(encoder, (str, os.PathLike))


def embed_texts(encoder, X_all, texts, max_length, layer=None, device="cpu"):
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
    layer : int or None, default=None
        Hugging Face encoder only: ``None`` for the input word embeddings, else
        the output of the bottom ``layer`` transformer layers (negative: all but
        the top ``-layer``), computed by :class:`skmedtext.encoders.FrozenStack`
        and shared with its cache.
    device : str, default="cpu"
        Where the layers run (``layer`` only).

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
        if layer is not None:
            return _layer_states(model, ids, layer, device) | {"fitted": spec}
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


def _layer_states(model, ids, layer, device):
    """Token states after the bottom ``layer`` layers, zero-padded to (n, t, d)."""
    from skmedtext.encoders import FrozenStack, encoder_layers
    from skmedtext.utils import resolve_bf16

    n_layers = len(encoder_layers(model))
    cut = layer if layer >= 0 else n_layers + layer
    if not 0 <= cut <= n_layers:
        raise ValueError(
            f"layer={layer} is outside the encoder's {n_layers} layers "
            f"(use 0..{n_layers} or -{n_layers}..-1)."
        )
    stack = FrozenStack(model, n_layers - cut)
    # bf16 where DMT-BERT's amp="auto" uses it, so both read the same cached states
    states = stack.states([np.asarray(row) for row in ids], device, resolve_bf16("auto", device))
    values = np.zeros((len(ids), max(len(r) for r in ids), model.config.hidden_size), np.float32)
    for i, state in enumerate(states):
        values[i, : len(state)] = state.float().numpy()
    return {"space": stack.space, "values": values}


class _InputKind:
    """How one kind of ``X`` is checked, fed to the GANs and extended.

    An instance lives for one ``fit_resample``; ``attributes`` collects the
    fitted attributes the kind adds to the sampler.

    Parameters
    ----------
    sampler : SAANSampler
        The (validated) parameters of the fit.
    mask : array-like of shape (n, t) or None
        3-D input only: real positions.
    """

    name = None
    #: copy first/last vectors that are constant in a class into generated rows
    use_anchors = True
    #: standardise every (position, feature) instead of every feature
    per_position = False

    def __init__(self, sampler, mask=None):
        if mask is not None:
            raise ValueError("mask is only accepted with 3-D sequence input (n, t, d).")
        self.sampler = sampler
        self.attributes = {}

    @staticmethod
    def check(sampler, X, y):
        """Validate ``X`` and ``y`` of this kind; return them as arrays."""
        raise NotImplementedError

    def real_sequences(self, X, rows):
        """The rows of each class to over-sample (``rows``: one index array per class) as a bank."""
        raise NotImplementedError

    def assemble(self, X, blocks):
        """``X`` followed by the generated ``(label, vectors, masks)`` blocks."""
        raise NotImplementedError


def _forget_features(sampler):
    # only 2-D vectors have features; a previous fit on vectors must not leave them
    for attr in ("n_features_in_", "feature_names_in_"):
        sampler.__dict__.pop(attr, None)


def _refuse_strings(sampler, X):
    """Refuse 2-D strings, which ``validate_data`` would silently parse as numbers."""
    if sparse.issparse(X):
        return
    if hasattr(X, "to_numpy") and not isinstance(X, np.ndarray):
        X = X.to_numpy()
    try:
        values = np.asarray(X)
    except ValueError:
        return  # ragged: validate_data names the problem
    strings = values.dtype.kind in "US" or (
        values.dtype.kind == "O" and any(isinstance(v, (str, bytes)) for v in values.ravel())
    )
    if strings:
        raise ValueError(
            f"{type(sampler).__name__}: 2-D input of shape {values.shape} holds strings; 2-D "
            "input must be numeric vectors. Pass raw texts as a 1-D sequence or a single "
            "column (n, 1)."
        )


class VectorInput(_InputKind):
    """2-D vectors (dense or sparse), cut into ``n_tokens`` feature chunks."""

    name = "vector"
    use_anchors = False
    per_position = True

    @staticmethod
    def check(sampler, X, y):
        _refuse_strings(sampler, X)
        return validate_data(
            sampler,
            X=X,
            y=y,
            reset=True,
            accept_sparse=["csr", "csc"],
            dtype=[np.float64, np.float32],
            ensure_min_samples=2,
        )

    def real_sequences(self, X, rows):
        """2-D rows -> (optional) class principal coordinates -> token chunks."""
        n_components = self.sampler.n_components
        dense = [X[r].toarray() if sparse.issparse(X) else X[r] for r in rows]
        if n_components is None:
            self.subspaces = None
            coords = dense
        else:
            residual = self.sampler.subspace_residual
            self.subspaces = [ClassSubspace(block, n_components, residual) for block in dense]
            coords = [sub.transform(block) for sub, block in zip(self.subspaces, dense)]
        self.attributes["subspaces_"] = self.subspaces
        width = coords[0].shape[1] if coords else X.shape[1]
        t, chunk = token_layout(width, self.sampler.n_tokens)
        values = vectors_to_tokens(np.concatenate(coords) if coords else np.zeros((0, width)), t, chunk)
        return SequenceBank(np.ones(values.shape[:2], bool), [len(r) for r in rows], values=values)

    def assemble(self, X, blocks):
        d = X.shape[1]
        parts = []
        for g, (_, tokens, _) in enumerate(blocks):
            if self.subspaces is None:
                parts.append(tokens_to_vectors(tokens, d).astype(X.dtype))
            else:
                sub = self.subspaces[g]
                parts.append(sub.lift(tokens_to_vectors(tokens, sub.width)).astype(X.dtype))
        if not parts:
            return X.copy()
        new = np.concatenate(parts)
        if sparse.issparse(X):
            return sparse.vstack([X, sparse.csr_matrix(new)], format=X.format)
        return np.concatenate([X, new])


class SequenceInput(_InputKind):
    """3-D sequences ``(n, t, d)`` with exact-zero padding or an explicit ``mask``."""

    name = "sequence"

    def __init__(self, sampler, mask=None):
        super().__init__(sampler)
        self.mask = mask

    @staticmethod
    def check(sampler, X, y):
        _forget_features(sampler)
        y = column_or_1d(y, warn=True)
        X = np.asarray(X)
        if X.dtype.kind not in "fiub":
            raise ValueError(f"3-D sequence input must be numeric; got dtype {X.dtype}.")
        if X.dtype.kind != "f":
            X = X.astype(np.float64)
        if not np.isfinite(X).all():
            raise ValueError("3-D sequence input contains NaN or infinite values.")
        check_consistent_length(X, y)
        return X, y

    def _full_mask(self, X):
        if self.mask is None:
            return sequence_mask(X)
        mask = np.asarray(self.mask)
        if mask.shape != X.shape[:2]:
            raise ValueError(f"mask must have shape {X.shape[:2]} (n, t); got {mask.shape}.")
        return mask.astype(bool)

    def real_sequences(self, X, rows):
        order = np.concatenate(rows) if rows else np.zeros(0, dtype=int)
        full_mask = self._full_mask(X)
        # trailing positions that are padding in every real row are left out
        t = max(1, int(full_mask[order].any(axis=0).nonzero()[0].max(initial=0)) + 1)
        return SequenceBank(full_mask[order, :t], [len(r) for r in rows], values=X[order, :t])

    def assemble(self, X, blocks):
        n, t, d = X.shape
        n_new = sum(len(v) for _, v, _ in blocks)
        X_res = np.zeros((n + n_new, t, d), dtype=X.dtype)
        mask_res = np.zeros((n + n_new, t), dtype=bool)
        X_res[:n], mask_res[:n] = X, self._full_mask(X)
        start = n
        for _, vectors, masks in blocks:
            stop = start + len(vectors)
            X_res[start:stop, : vectors.shape[1]] = vectors
            mask_res[start:stop, : masks.shape[1]] = masks
            start = stop
        self.attributes["resampled_mask_"] = mask_res
        return X_res


class TextInput(_InputKind):
    """Raw texts, embedded as token sequences by the sampler's ``encoder``."""

    name = "text"

    @staticmethod
    def check(sampler, X, y):
        _forget_features(sampler)
        y = column_or_1d(y, warn=True)
        X = check_texts(X, estimator_name=type(sampler).__name__)
        check_consistent_length(X, y)
        return X, y

    def real_sequences(self, X, rows):
        counts = [len(r) for r in rows]
        if not counts:
            self.attributes["embedding_space_"] = None
            return SequenceBank(np.ones((0, 1), bool), [], values=np.zeros((0, 1, 1)))
        order = np.concatenate(rows)
        source = embed_texts(
            self.sampler.encoder, X, X[order], self.sampler.max_length,
            self.sampler.layer, resolve_device(self.sampler.device),
        )  # fmt: skip
        self.space = source["space"]
        self.attributes.update(embedding_space_=source["space"], encoder_=source["fitted"])
        if "values" in source:
            values = source["values"]
            full_mask = sequence_mask(values)
            t = int(full_mask.any(axis=0).nonzero()[0].max(initial=0)) + 1
            return SequenceBank(full_mask[:, :t], counts, values=values[:, :t])
        lengths = [len(ids) for ids in source["ids"]]
        ids = np.zeros((len(lengths), max(lengths)), dtype=np.int64)
        for i, row in enumerate(source["ids"]):
            ids[i, : len(row)] = row
        full_mask = np.arange(ids.shape[1])[None, :] < np.asarray(lengths)[:, None]
        return SequenceBank(full_mask, counts, ids=ids, table=source["table"])

    def assemble(self, X, blocks):
        rows = [
            SyntheticSequence(vectors[i][masks[i]], self.space, label)
            for label, vectors, masks in blocks
            for i in range(len(vectors))
        ]
        X_res = np.empty(len(X) + len(rows), dtype=object)
        X_res[: len(X)] = X
        X_res[len(X) :] = rows
        return X_res


INPUT_KINDS = {kind.name: kind for kind in (VectorInput, SequenceInput, TextInput)}
