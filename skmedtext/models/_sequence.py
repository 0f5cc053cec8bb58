"""StaResGRU-CNN (paper 003) and the neural baselines, on the shared training core.

All of them share one private base, :class:`_BaseSequenceClassifier`, which
turns texts into token ids (a bare trainable embedding or word2vec vectors) or
into frozen transformer token states, pads batches, accepts SAAN synthetic rows
living in the model's embedding space, and builds the torch module of
:mod:`skmedtext.models._modules._sequence`; training itself is
:class:`~skmedtext.training.BaseTextClassifier`'s.
"""

import hashlib
import numbers
import os

import numpy as np
import torch
from sklearn.base import clone

from skmedtext._synthetic import SyntheticSequence, check_space
from skmedtext.training._core import CORE_PARAMS_DOC, BaseTextClassifier
from skmedtext.utils import round_up

__all__ = [
    "StaResGRUCNNClassifier",
    "TextCNNClassifier",
    "BiLSTMClassifier",
    "BiGRUClassifier",
    "TextCNNBiGRUClassifier",
    "CNNLSTMClassifier",
    "CNNGRUClassifier",
    "DPCNNClassifier",
]

_LEVELS = ("char", "word")
_NAMED_EMBEDDINGS = ("bare", "word2vec", "transformer")
# frozen transformer states are computed in chunks so no (n, max_length, d) array is built
_STATE_CHUNK = 256

SEQUENCE_PARAMS_DOC = """embedding : str, path-like, KeyedVectors or an embedder, default="bare"
        Where the input vectors come from (paper 003's embedding axis):

        - ``"bare"``: a randomly initialised embedding trained with the model;
        - ``"word2vec"``: CBOW word2vec trained with gensim on the training
          texts (:class:`~skmedtext.embeddings.Word2VecEmbedder` with
          ``vector_size=embedding_dim`` and ``random_state``);
        - a path to saved vectors or a gensim ``KeyedVectors`` (e.g. a
          CMed-Word2Vec-like model trained on a larger medical corpus);
        - a :class:`~skmedtext.embeddings.Word2VecEmbedder`: used as is when
          already fitted (so a SAAN sampler and the model can share one), else a
          clone is fitted on the training texts (``sklearn.base.clone``, e.g. in
          cross-validation, unfits it);
        - ``"transformer"``: frozen token states of ``encoder``'s last layer
          (:class:`~skmedtext.embeddings.TransformerEmbedder` sequence output);
        - a :class:`~skmedtext.embeddings.TransformerEmbedder`: used as is when
          fitted with ``output="sequence"`` (its ``max_length`` and ``layer``
          apply; ``layer="input"`` reads SAAN's text-mode space), else a clone
          with ``output="sequence"`` is fitted.
    level : {"char", "word"}, default="char"
        Chinese characters or words (jieba; regex words for English). Ignored by
        ``"transformer"``, which uses the encoder's own tokenizer.
    max_length : int, default=256
        Tokens kept per text (paper 003: 512).
    embedding_dim : int, default=100
        Size of a bare embedding and of trained word2vec vectors (paper 003,
        Table 4); loaded vectors and transformers bring their own size.
    freeze_embedding : bool, default=True
        Keep pretrained vectors (word2vec, loaded) fixed, as in paper 003's
        parameter counts; False fine-tunes them. A bare embedding is always
        trained and transformer states are always frozen.
    encoder : str or None, default=None
        Encoder preset or local folder for ``embedding="transformer"``
        (``None`` is ``"minilm-en"``; use ``"e5-small-multilingual"`` for Chinese).
    embedding_params : dict or None, default=None
        Extra parameters of the embedder, e.g. ``{"min_count": 2, "epochs": 10}``
        for word2vec, ``{"batch_size": 64}`` for the transformer, or
        ``{"min_count": 2}`` for the vocabulary of a bare embedding (default 1)."""


# -- encoding helpers ------------------------------------------------------------------
def _row_length(item):
    return len(item["embeds"]) if "embeds" in item else len(item["ids"])


class _SequenceCollator:
    """Pads a batch of token-id rows and vector rows (picklable)."""

    def __init__(self, multiple, dim):
        self.multiple = multiple
        self.dim = dim

    def __call__(self, batch):
        items, targets = zip(*batch)
        lengths = [_row_length(item) for item in items]
        width = round_up(max(lengths), self.multiple)
        input_ids = torch.zeros((len(items), width), dtype=torch.long)
        embed_index, embeds = [], []
        for row, item in enumerate(items):
            if "embeds" in item:
                padded = torch.zeros((width, self.dim))
                padded[: lengths[row]] = torch.from_numpy(item["embeds"])
                embed_index.append(row)
                embeds.append(padded)
            else:
                input_ids[row, : lengths[row]] = torch.from_numpy(item["ids"])
        x = {
            "input_ids": input_ids,
            "lengths": torch.tensor(lengths, dtype=torch.long),
            "embed_index": torch.tensor(embed_index, dtype=torch.long),
            "embeds": torch.stack(embeds) if embeds else torch.zeros((0, width, self.dim)),
        }
        return x, torch.tensor(targets, dtype=torch.long)


def _bare_vocabulary(token_lists, min_count):
    """Token -> row (from 2) for tokens seen ``min_count`` times, most frequent first."""
    from collections import Counter

    counts = Counter(t for tokens in token_lists for t in tokens)
    kept = sorted((t for t, c in counts.items() if c >= min_count), key=lambda t: (-counts[t], t))
    return {token: i + 2 for i, token in enumerate(kept)}


def _check_positive_int(name, value):
    if not isinstance(value, numbers.Integral) or isinstance(value, bool) or value < 1:
        raise ValueError(f"{name} must be a positive integer; got {value!r}.")


def _check_dropout(value):
    if not (isinstance(value, numbers.Real) and 0.0 <= value < 1.0):
        raise ValueError(f"dropout must be in [0, 1); got {value!r}.")


# -- the family base -----------------------------------------------------------------------
class _BaseSequenceClassifier(BaseTextClassifier):
    """Input handling shared by StaResGRU-CNN and the baselines (not used directly).

    Subclasses set ``_module_class`` (a name in ``_modules._sequence``) and
    implement ``_module_params()`` and ``_check_model_params()``.
    """

    _accepts_synthetic = True
    _module_class = None

    def __init__(
        self,
        embedding="bare",
        *,
        level="char",
        max_length=256,
        embedding_dim=100,
        freeze_embedding=True,
        encoder=None,
        embedding_params=None,
        criterion="ce",
        max_epochs=20,
        batch_size=64,
        lr=1e-3,
        weight_decay=0.0,
        warmup_ratio=0.1,
        validation_fraction=0.0,
        n_iter_no_change=None,
        grad_clip=1.0,
        bucket=True,
        pad_to_multiple_of=8,
        device="auto",
        amp="auto",
        random_state=None,
        verbose=0,
        checkpoint_dir=None,
        callbacks=None,
    ):
        self.embedding = embedding
        self.level = level
        self.max_length = max_length
        self.embedding_dim = embedding_dim
        self.freeze_embedding = freeze_embedding
        self.encoder = encoder
        self.embedding_params = embedding_params
        self.criterion = criterion
        self.max_epochs = max_epochs
        self.batch_size = batch_size
        self.lr = lr
        self.weight_decay = weight_decay
        self.warmup_ratio = warmup_ratio
        self.validation_fraction = validation_fraction
        self.n_iter_no_change = n_iter_no_change
        self.grad_clip = grad_clip
        self.bucket = bucket
        self.pad_to_multiple_of = pad_to_multiple_of
        self.device = device
        self.amp = amp
        self.random_state = random_state
        self.verbose = verbose
        self.checkpoint_dir = checkpoint_dir
        self.callbacks = callbacks

    # -- hooks for subclasses ---------------------------------------------------------------
    def _module_params(self):  # pragma: no cover - abstract
        raise NotImplementedError

    def _check_model_params(self):  # pragma: no cover - abstract
        raise NotImplementedError

    # -- validation ---------------------------------------------------------------------
    def _embedding_kind(self):
        from gensim.models import KeyedVectors

        from skmedtext.embeddings import TransformerEmbedder, Word2VecEmbedder

        emb = self.embedding
        if isinstance(emb, str) and emb in _NAMED_EMBEDDINGS:
            return emb
        if isinstance(emb, Word2VecEmbedder):
            return "embedder"
        if isinstance(emb, TransformerEmbedder):
            return "transformer"
        if isinstance(emb, (KeyedVectors, os.PathLike)) or hasattr(emb, "wv"):
            return "vectors"
        if isinstance(emb, str):
            if os.path.isfile(os.path.expanduser(emb)):
                return "vectors"
            raise ValueError(
                f"embedding must be one of {_NAMED_EMBEDDINGS}, a path to saved word vectors, "
                "KeyedVectors, a Word2VecEmbedder or a TransformerEmbedder; got "
                f"{emb!r} (no such file)."
            )
        raise TypeError(
            f"embedding must be one of {_NAMED_EMBEDDINGS}, a path, KeyedVectors, a "
            f"Word2VecEmbedder or a TransformerEmbedder; got {type(emb).__name__}."
        )

    def _check_params(self):
        if self.level not in _LEVELS:
            raise ValueError(f"level must be one of {_LEVELS}; got {self.level!r}.")
        for name in ("max_length", "embedding_dim", "pad_to_multiple_of"):
            _check_positive_int(name, getattr(self, name))
        if self.embedding_params is not None and not isinstance(self.embedding_params, dict):
            raise TypeError(
                "embedding_params must be a dict or None; got "
                f"{type(self.embedding_params).__name__}."
            )
        self._check_model_params()

    def _seed(self):
        # inside fit the torch generator is seeded from random_state, so this is reproducible
        if isinstance(self.random_state, numbers.Integral):
            return int(self.random_state)
        return int(torch.randint(np.iinfo(np.int32).max, ()).item())

    # -- BaseTextClassifier hooks ------------------------------------------------------------
    def _fit_encoding(self, X, y):
        self._check_params()
        kind = self._embedding_kind()
        real = [x for x in X if isinstance(x, str)]
        params = dict(self.embedding_params or {})
        self.embedder_ = None
        self.vocabulary_ = None
        if kind == "bare":
            self._fit_bare(real, params)
        elif kind == "transformer":
            self._fit_transformer(real, params)
        else:
            self._fit_word2vec(real, params, kind)
        check_space(X, self.embedding_space_, type(self).__name__)

    def _fit_bare(self, real, params):
        from skmedtext.text import segment_texts

        min_count = params.pop("min_count", 1)
        if params:
            raise ValueError(
                f"embedding='bare' only takes embedding_params 'min_count'; got {sorted(params)}."
            )
        self.vocabulary_ = _bare_vocabulary(segment_texts(real, self.level), min_count)
        weights = torch.randn(len(self.vocabulary_) + 2, self.embedding_dim)
        weights[0] = 0.0
        digest = hashlib.sha1(weights.numpy().tobytes())
        digest.update("\n".join(self.vocabulary_).encode("utf-8"))
        self.embedding_space_ = f"bare:{self.level}-{self.embedding_dim}-{digest.hexdigest()[:12]}"
        self.embedding_dim_ = self.embedding_dim
        self._initial_weights = weights

    def _fit_word2vec(self, real, params, kind):
        from skmedtext.embeddings import Word2VecEmbedder

        if kind == "embedder":
            embedder = self.embedding
            if not hasattr(embedder, "vocabulary_"):
                embedder = clone(embedder).fit(real)
        else:
            if kind == "word2vec":
                params = {"vector_size": self.embedding_dim, "random_state": self._seed(), **params}
            else:
                params = {**params, "vectors": self.embedding}
            embedder = Word2VecEmbedder(level=self.level, max_length=self.max_length, **params)
            embedder.fit(real)
        if embedder.level != self.level:
            raise ValueError(
                f"the Word2VecEmbedder segments at level={embedder.level!r} but the classifier has "
                f"level={self.level!r}; make them equal."
            )
        self.embedder_ = embedder
        self.vocabulary_ = embedder.vocabulary_
        self.embedding_space_ = embedder.embedding_space_
        self.embedding_dim_ = embedder.n_features_out_
        self._initial_weights = torch.from_numpy(embedder.embedding_matrix_.copy())

    def _fit_transformer(self, real, params):
        from skmedtext.embeddings import TransformerEmbedder

        given = self.embedding
        if isinstance(given, TransformerEmbedder):
            if hasattr(given, "model_") and given.output == "sequence":
                embedder = given
            else:
                embedder = clone(given).set_params(output="sequence").fit(real)
        else:
            params = {"device": self.device, **params}
            embedder = TransformerEmbedder(
                self.encoder, output="sequence", max_length=self.max_length, **params
            ).fit(real)
        self.embedder_ = embedder
        self.embedding_space_ = self.embedder_.embedding_space_
        self.embedding_dim_ = self.embedder_.n_features_out_
        self._initial_weights = None

    def _encode_real(self, texts):
        if self.vocabulary_ is None:  # transformer: frozen states, computed once up front
            items = []
            for start in range(0, len(texts), _STATE_CHUNK):
                states = self.embedder_.transform(texts[start : start + _STATE_CHUNK])
                for row in states:
                    n = max(1, int(np.any(row != 0, axis=-1).sum()))
                    items.append({"embeds": np.ascontiguousarray(row[:n])})
            return items
        from skmedtext.text import UNKNOWN_INDEX, segment_texts, tokens_to_indices

        items = []
        for tokens in segment_texts(texts, self.level):
            ids = tokens_to_indices(tokens, self.vocabulary_, self.max_length)
            # a text without any token still needs one position to be pooled over
            items.append({"ids": ids if ids.size else np.array([UNKNOWN_INDEX], dtype=np.int64)})
        return items

    def _encode(self, X):
        name = type(self).__name__
        check_space(X, self.embedding_space_, name)
        real_pos = [i for i, x in enumerate(X) if isinstance(x, str)]
        items = [None] * len(X)
        for i, item in zip(real_pos, self._encode_real([X[i] for i in real_pos])):
            items[i] = item
        for i, x in enumerate(X):
            if isinstance(x, SyntheticSequence):
                if x.vectors.shape[1] != self.embedding_dim_:
                    raise ValueError(
                        f"{name}: a synthetic row has vectors of size {x.vectors.shape[1]}, but "
                        f"the embedding space {self.embedding_space_!r} has size "
                        f"{self.embedding_dim_}."
                    )
                # a copy: the row's vectors are read-only and torch wants writable arrays
                items[i] = {"embeds": np.array(x.vectors[: self.max_length], dtype=np.float32)}
        lengths = np.array([_row_length(item) for item in items])
        return items, lengths

    def _make_collator(self):
        return _SequenceCollator(self.pad_to_multiple_of, self.embedding_dim_)

    def _build_module(self, n_classes):
        from skmedtext.models._modules import _sequence as modules

        weights = self.__dict__.pop("_initial_weights", None)
        inputs = modules.SequenceInput(
            None if self.vocabulary_ is None else len(self.vocabulary_) + 2,
            self.embedding_dim_,
            weights=weights,
            freeze=self.embedder_ is not None and bool(self.freeze_embedding),
            dropout=self.dropout,
        )
        return getattr(modules, self._module_class)(inputs, n_classes, **self._module_params())

    # -- persistence hooks (skmedtext.persistence) --------------------------------------
    def _persist_state(self, folder):
        from pathlib import Path

        from skmedtext.persistence import save_hf_encoder, save_json

        folder = Path(folder)
        table = self.net_.module_.inputs.embedding
        state = {
            "embedding_space": self.embedding_space_,
            "embedding_dim": int(self.embedding_dim_),
            "n_params": int(self.n_params_),
            "frozen_table": bool(table is not None and not table.weight.requires_grad),
            "transformer": None,
        }
        if self.vocabulary_ is not None:
            tokens = sorted(self.vocabulary_, key=self.vocabulary_.get)
            save_json(tokens, folder / "vocabulary.json")
        else:
            from dataclasses import asdict

            from safetensors.torch import save_file

            embedder = self.embedder_
            save_file(
                {k: v.contiguous() for k, v in embedder.model_.state_dict().items()},
                str(folder / "encoder.safetensors"),
            )
            state["transformer"] = {
                "encoder": save_hf_encoder(embedder.model_, embedder.tokenizer_, folder, "encoder"),
                "encoder_spec": asdict(embedder.encoder_spec_),
                "params": {
                    k: v for k, v in embedder.get_params().items() if k != "model_name_or_path"
                },
                "embedding_space": embedder.embedding_space_,
            }
        return state

    def _restore_module(self, state, folder):
        from pathlib import Path

        from skmedtext.persistence import load_json

        folder = Path(folder)
        self.embedding_space_ = state["embedding_space"]
        self.embedding_dim_ = int(state["embedding_dim"])
        self.n_params_ = int(state["n_params"])
        self.embedder_ = None
        self.vocabulary_ = None
        if state.get("transformer"):
            self.embedder_ = _restore_transformer(state["transformer"], folder)
        else:
            tokens = load_json(folder / "vocabulary.json")
            self.vocabulary_ = {token: i + 2 for i, token in enumerate(tokens)}
        module = self._build_module(len(self.classes_))
        if module.inputs.embedding is not None:
            module.inputs.embedding.weight.requires_grad_(not state["frozen_table"])
        return module

    def fit(self, X, y):
        """Fit the classifier on texts (and synthetic rows in ``embedding_space_``).

        Parameters
        ----------
        X : sequence of str or SyntheticSequence of length n
        y : array-like of shape (n,)
            Class labels (strings or integers).

        Returns
        -------
        self : object
            The fitted classifier.
        """
        super().fit(X, y)
        self.n_params_ = int(
            sum(p.numel() for p in self.net_.module_.parameters() if p.requires_grad)
        )
        return self


def _restore_transformer(state, folder):
    """A fitted TransformerEmbedder rebuilt from files written by ``_persist_state``."""
    from safetensors.torch import load_file

    from skmedtext.embeddings import TransformerEmbedder
    from skmedtext.encoders import EncoderSpec
    from skmedtext.persistence import build_hf_encoder

    tokenizer, model = build_hf_encoder(state["encoder"], folder)
    model.load_state_dict(load_file(str(folder / "encoder.safetensors")))
    model.requires_grad_(False)
    spec = EncoderSpec(**state["encoder_spec"])
    embedder = TransformerEmbedder(spec.name, **state["params"])
    embedder.encoder_spec_, embedder.tokenizer_, embedder.model_ = spec, tokenizer, model
    embedder.embedding_space_ = state["embedding_space"]
    embedder.n_features_out_ = int(model.config.hidden_size)
    return embedder


_ATTRIBUTES_DOC = """Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
    n_params_ : int
        Trainable parameters of the network (frozen embeddings excluded, as in
        paper 003's tables).
    embedding_space_ : str
        Identifier of the input embedding space; synthetic rows must carry it.
    embedding_dim_ : int
        Size of the input vectors.
    vocabulary_ : dict of str -> int or None
        Token -> embedding row (None for transformer states).
    embedder_ : Word2VecEmbedder, TransformerEmbedder or None
        The fitted embedder (None for a bare embedding, and for word2vec after
        :func:`skmedtext.persistence.load_model`, which keeps only the vocabulary
        and the trained table).
    net_ : skmedtext.training.TextNet
        The fitted skorch net; ``history_`` is its history."""


def _fill_doc(cls):
    cls.__doc__ = cls.__doc__ % {
        "sequence": SEQUENCE_PARAMS_DOC,
        "core": CORE_PARAMS_DOC,
        "attributes": _ATTRIBUTES_DOC,
    }
    return cls


def _example(name, params):
    return f""">>> from skmedtext.models import {name}
    >>> texts = ["胸痛胸闷三天", "心慌胸闷气短", "胃痛腹泻两天", "腹胀胃痛反酸"] * 4
    >>> labels = ["心内科", "心内科", "消化科", "消化科"] * 4
    >>> clf = {name}({params}max_epochs=2, random_state=0).fit(texts, labels)
    >>> clf.predict(["胸闷胸痛"]).shape
    (1,)"""


# -- the models ----------------------------------------------------------------------------
@_fill_doc
class StaResGRUCNNClassifier(_BaseSequenceClassifier):
    __doc__ = """Stacked residual GRU-CNN text classifier (StaResGRU-CNN, paper 003).

    ``n_layers`` bidirectional GRU layers are stacked with a residual
    connection after each (eqs. 5-8: ``h_l = BiGRU(h_{l-1}) + h_{l-1}``, the
    first layer's input mapped by a bias-free linear ``W_ox`` when its width
    differs), with dropout between layers; a convolution (``filters`` x
    ``kernel_size``, ReLU) projects the states to a lower dimension, max-pooling
    over time (eq. 9) gives one vector, and a fully connected layer (eq. 10)
    with softmax (eq. 11) classifies. The recurrent-state residual term of
    eq. 7 is not used: it needs a custom GRU cell and the paper states the
    residual layers add no learned parameters. See ``docs/sequence_models.md``.

    Parameters
    ----------
    %(sequence)s
    hidden_size : int, default=512
        Width of every stacked BiGRU layer's output (both directions together,
        so ``hidden_size // 2`` units per direction; must be even). Keeping it
        constant lets the residual sums add without projections.
    n_layers : int, default=4
        Stacked BiGRU layers (paper 003).
    filters : int, default=64
        Output channels of the projecting convolution (paper 003, Table 6).
    kernel_size : int, default=3
    dropout : float, default=0.4
        On the input vectors, between layers and before the classifier (Table 5).
    %(core)s

    %(attributes)s

    Examples
    --------
    """ + _example("StaResGRUCNNClassifier", "hidden_size=16, n_layers=2, filters=8, ")

    _module_class = "StaResGRUCNN"

    def __init__(
        self,
        embedding="bare",
        *,
        hidden_size=512,
        n_layers=4,
        filters=64,
        kernel_size=3,
        dropout=0.4,
        level="char",
        max_length=256,
        embedding_dim=100,
        freeze_embedding=True,
        encoder=None,
        embedding_params=None,
        criterion="ce",
        max_epochs=20,
        batch_size=64,
        lr=1e-3,
        weight_decay=0.0,
        warmup_ratio=0.1,
        validation_fraction=0.0,
        n_iter_no_change=None,
        grad_clip=1.0,
        bucket=True,
        pad_to_multiple_of=8,
        device="auto",
        amp="auto",
        random_state=None,
        verbose=0,
        checkpoint_dir=None,
        callbacks=None,
    ):
        self.hidden_size = hidden_size
        self.n_layers = n_layers
        self.filters = filters
        self.kernel_size = kernel_size
        self.dropout = dropout
        super().__init__(
            embedding, level=level, max_length=max_length, embedding_dim=embedding_dim,
            freeze_embedding=freeze_embedding, encoder=encoder, embedding_params=embedding_params,
            criterion=criterion, max_epochs=max_epochs, batch_size=batch_size, lr=lr,
            weight_decay=weight_decay, warmup_ratio=warmup_ratio,
            validation_fraction=validation_fraction, n_iter_no_change=n_iter_no_change,
            grad_clip=grad_clip, bucket=bucket, pad_to_multiple_of=pad_to_multiple_of,
            device=device, amp=amp, random_state=random_state, verbose=verbose,
            checkpoint_dir=checkpoint_dir, callbacks=callbacks,
        )  # fmt: skip

    def _check_model_params(self):
        for name in ("hidden_size", "n_layers", "filters", "kernel_size"):
            _check_positive_int(name, getattr(self, name))
        if self.hidden_size % 2:
            raise ValueError(
                "hidden_size is split over two GRU directions and must be even; got "
                f"{self.hidden_size}."
            )
        _check_dropout(self.dropout)

    def _module_params(self):
        return dict(
            hidden_size=self.hidden_size,
            n_layers=self.n_layers,
            filters=self.filters,
            kernel_size=self.kernel_size,
            dropout=self.dropout,
        )


@_fill_doc
class TextCNNClassifier(_BaseSequenceClassifier):
    __doc__ = """TextCNN (Kim, 2014), paper 001's and paper 003's CNN baseline.

    Parallel convolutions of several widths, ReLU, max-pooling over time,
    dropout and a linear layer.

    Parameters
    ----------
    %(sequence)s
    kernel_sizes : tuple of int, default=(3, 4, 5)
    filters : int, default=100
        Channels per kernel size.
    dropout : float, default=0.5
        On the input vectors and on the pooled features (paper 001: 0.5).
    %(core)s

    %(attributes)s

    Examples
    --------
    """ + _example("TextCNNClassifier", "filters=8, ")

    _module_class = "TextCNN"

    def __init__(
        self,
        embedding="bare",
        *,
        kernel_sizes=(3, 4, 5),
        filters=100,
        dropout=0.5,
        level="char",
        max_length=256,
        embedding_dim=100,
        freeze_embedding=True,
        encoder=None,
        embedding_params=None,
        criterion="ce",
        max_epochs=20,
        batch_size=64,
        lr=1e-3,
        weight_decay=0.0,
        warmup_ratio=0.1,
        validation_fraction=0.0,
        n_iter_no_change=None,
        grad_clip=1.0,
        bucket=True,
        pad_to_multiple_of=8,
        device="auto",
        amp="auto",
        random_state=None,
        verbose=0,
        checkpoint_dir=None,
        callbacks=None,
    ):
        self.kernel_sizes = kernel_sizes
        self.filters = filters
        self.dropout = dropout
        super().__init__(
            embedding, level=level, max_length=max_length, embedding_dim=embedding_dim,
            freeze_embedding=freeze_embedding, encoder=encoder, embedding_params=embedding_params,
            criterion=criterion, max_epochs=max_epochs, batch_size=batch_size, lr=lr,
            weight_decay=weight_decay, warmup_ratio=warmup_ratio,
            validation_fraction=validation_fraction, n_iter_no_change=n_iter_no_change,
            grad_clip=grad_clip, bucket=bucket, pad_to_multiple_of=pad_to_multiple_of,
            device=device, amp=amp, random_state=random_state, verbose=verbose,
            checkpoint_dir=checkpoint_dir, callbacks=callbacks,
        )  # fmt: skip

    def _check_model_params(self):
        _check_kernel_sizes(self.kernel_sizes)
        _check_positive_int("filters", self.filters)
        _check_dropout(self.dropout)

    def _module_params(self):
        return dict(
            kernel_sizes=tuple(self.kernel_sizes), filters=self.filters, dropout=self.dropout
        )


def _check_kernel_sizes(kernel_sizes):
    if isinstance(kernel_sizes, (str, bytes)) or not hasattr(kernel_sizes, "__iter__"):
        raise ValueError(
            f"kernel_sizes must be a tuple of positive integers; got {kernel_sizes!r}."
        )
    sizes = tuple(kernel_sizes)
    if not sizes:
        raise ValueError("kernel_sizes must hold at least one kernel size.")
    for k in sizes:
        _check_positive_int("every kernel size", k)


class _BiRNNClassifier(_BaseSequenceClassifier):
    """Bidirectional LSTM/GRU baseline (``_cell`` picks which)."""

    _module_class = "BiRNN"
    _cell = None

    def __init__(
        self,
        embedding="bare",
        *,
        hidden_size=512,
        dropout=0.5,
        level="char",
        max_length=256,
        embedding_dim=100,
        freeze_embedding=True,
        encoder=None,
        embedding_params=None,
        criterion="ce",
        max_epochs=20,
        batch_size=64,
        lr=1e-3,
        weight_decay=0.0,
        warmup_ratio=0.1,
        validation_fraction=0.0,
        n_iter_no_change=None,
        grad_clip=1.0,
        bucket=True,
        pad_to_multiple_of=8,
        device="auto",
        amp="auto",
        random_state=None,
        verbose=0,
        checkpoint_dir=None,
        callbacks=None,
    ):
        self.hidden_size = hidden_size
        self.dropout = dropout
        super().__init__(
            embedding, level=level, max_length=max_length, embedding_dim=embedding_dim,
            freeze_embedding=freeze_embedding, encoder=encoder, embedding_params=embedding_params,
            criterion=criterion, max_epochs=max_epochs, batch_size=batch_size, lr=lr,
            weight_decay=weight_decay, warmup_ratio=warmup_ratio,
            validation_fraction=validation_fraction, n_iter_no_change=n_iter_no_change,
            grad_clip=grad_clip, bucket=bucket, pad_to_multiple_of=pad_to_multiple_of,
            device=device, amp=amp, random_state=random_state, verbose=verbose,
            checkpoint_dir=checkpoint_dir, callbacks=callbacks,
        )  # fmt: skip

    def _check_model_params(self):
        _check_positive_int("hidden_size", self.hidden_size)
        _check_dropout(self.dropout)

    def _module_params(self):
        return dict(cell=self._cell, hidden_size=self.hidden_size, dropout=self.dropout)


_BIRNN_DOC = """Bidirectional %(cell)s baseline (paper 001; paper 003, Tables 7-9).

    A BiLSTM/BiGRU reads the input vectors (padding skipped); the final states
    of both directions are concatenated, followed by dropout and a linear layer.

    Parameters
    ----------
    %%(sequence)s
    hidden_size : int, default=512
        Units per direction (paper 003, Table 5: 512).
    dropout : float, default=0.5
        On the input vectors and on the final states (paper 001: 0.5).
    %%(core)s

    %%(attributes)s

    Examples
    --------
    """


@_fill_doc
class BiLSTMClassifier(_BiRNNClassifier):
    __doc__ = _BIRNN_DOC % {"cell": "LSTM"} + _example("BiLSTMClassifier", "hidden_size=8, ")
    _cell = "lstm"


@_fill_doc
class BiGRUClassifier(_BiRNNClassifier):
    __doc__ = _BIRNN_DOC % {"cell": "GRU"} + _example("BiGRUClassifier", "hidden_size=8, ")
    _cell = "gru"


@_fill_doc
class TextCNNBiGRUClassifier(_BaseSequenceClassifier):
    __doc__ = """TextCNN and BiGRU side by side (paper 001's Text-CNN-BiGRU baseline).

    The TextCNN branch's max-pooled features and the BiGRU's final states of
    both directions are concatenated, then dropout and a linear layer. Paper 001
    does not describe how the two are combined; the parallel layout keeps the
    comparison with :class:`TextCNNClassifier` and :class:`BiGRUClassifier`
    direct (its serial counterpart is :class:`CNNGRUClassifier`).

    Parameters
    ----------
    %(sequence)s
    kernel_sizes : tuple of int, default=(3, 4, 5)
    filters : int, default=100
        Channels per kernel size.
    hidden_size : int, default=512
        GRU units per direction.
    dropout : float, default=0.5
    %(core)s

    %(attributes)s

    Examples
    --------
    """ + _example("TextCNNBiGRUClassifier", "filters=8, hidden_size=8, ")

    _module_class = "TextCNNBiGRU"

    def __init__(
        self,
        embedding="bare",
        *,
        kernel_sizes=(3, 4, 5),
        filters=100,
        hidden_size=512,
        dropout=0.5,
        level="char",
        max_length=256,
        embedding_dim=100,
        freeze_embedding=True,
        encoder=None,
        embedding_params=None,
        criterion="ce",
        max_epochs=20,
        batch_size=64,
        lr=1e-3,
        weight_decay=0.0,
        warmup_ratio=0.1,
        validation_fraction=0.0,
        n_iter_no_change=None,
        grad_clip=1.0,
        bucket=True,
        pad_to_multiple_of=8,
        device="auto",
        amp="auto",
        random_state=None,
        verbose=0,
        checkpoint_dir=None,
        callbacks=None,
    ):
        self.kernel_sizes = kernel_sizes
        self.filters = filters
        self.hidden_size = hidden_size
        self.dropout = dropout
        super().__init__(
            embedding, level=level, max_length=max_length, embedding_dim=embedding_dim,
            freeze_embedding=freeze_embedding, encoder=encoder, embedding_params=embedding_params,
            criterion=criterion, max_epochs=max_epochs, batch_size=batch_size, lr=lr,
            weight_decay=weight_decay, warmup_ratio=warmup_ratio,
            validation_fraction=validation_fraction, n_iter_no_change=n_iter_no_change,
            grad_clip=grad_clip, bucket=bucket, pad_to_multiple_of=pad_to_multiple_of,
            device=device, amp=amp, random_state=random_state, verbose=verbose,
            checkpoint_dir=checkpoint_dir, callbacks=callbacks,
        )  # fmt: skip

    def _check_model_params(self):
        _check_kernel_sizes(self.kernel_sizes)
        for name in ("filters", "hidden_size"):
            _check_positive_int(name, getattr(self, name))
        _check_dropout(self.dropout)

    def _module_params(self):
        return dict(
            kernel_sizes=tuple(self.kernel_sizes),
            filters=self.filters,
            hidden_size=self.hidden_size,
            dropout=self.dropout,
        )


class _CNNRNNClassifier(_BaseSequenceClassifier):
    """Convolution -> max-pool -> LSTM/GRU baseline (``_cell`` picks which)."""

    _module_class = "CNNRNN"
    _cell = None

    def __init__(
        self,
        embedding="bare",
        *,
        filters=64,
        kernel_size=3,
        pool_size=2,
        hidden_size=100,
        dropout=0.4,
        level="char",
        max_length=256,
        embedding_dim=100,
        freeze_embedding=True,
        encoder=None,
        embedding_params=None,
        criterion="ce",
        max_epochs=20,
        batch_size=64,
        lr=1e-3,
        weight_decay=0.0,
        warmup_ratio=0.1,
        validation_fraction=0.0,
        n_iter_no_change=None,
        grad_clip=1.0,
        bucket=True,
        pad_to_multiple_of=8,
        device="auto",
        amp="auto",
        random_state=None,
        verbose=0,
        checkpoint_dir=None,
        callbacks=None,
    ):
        self.filters = filters
        self.kernel_size = kernel_size
        self.pool_size = pool_size
        self.hidden_size = hidden_size
        self.dropout = dropout
        super().__init__(
            embedding, level=level, max_length=max_length, embedding_dim=embedding_dim,
            freeze_embedding=freeze_embedding, encoder=encoder, embedding_params=embedding_params,
            criterion=criterion, max_epochs=max_epochs, batch_size=batch_size, lr=lr,
            weight_decay=weight_decay, warmup_ratio=warmup_ratio,
            validation_fraction=validation_fraction, n_iter_no_change=n_iter_no_change,
            grad_clip=grad_clip, bucket=bucket, pad_to_multiple_of=pad_to_multiple_of,
            device=device, amp=amp, random_state=random_state, verbose=verbose,
            checkpoint_dir=checkpoint_dir, callbacks=callbacks,
        )  # fmt: skip

    def _check_model_params(self):
        for name in ("filters", "kernel_size", "pool_size", "hidden_size"):
            _check_positive_int(name, getattr(self, name))
        _check_dropout(self.dropout)

    def _module_params(self):
        return dict(
            cell=self._cell,
            filters=self.filters,
            kernel_size=self.kernel_size,
            pool_size=self.pool_size,
            hidden_size=self.hidden_size,
            dropout=self.dropout,
        )


_CNNRNN_DOC = """CNN-%(cell)s baseline (paper 003, Tables 7-9).

    A convolution (``filters`` x ``kernel_size``, ReLU, 'same' padding), max
    pooling of size ``pool_size``, a %(cell)s whose last state feeds dropout and
    a linear layer (the layout of the Kashgari models paper 003 compares).

    Parameters
    ----------
    %%(sequence)s
    filters : int, default=64
        Paper 003, Table 6.
    kernel_size : int, default=3
        Paper 003, Table 6.
    pool_size : int, default=2
    hidden_size : int, default=100
        %(cell)s units.
    dropout : float, default=0.4
        On the input vectors and on the last state (paper 003, Table 5).
    %%(core)s

    %%(attributes)s

    Examples
    --------
    """


@_fill_doc
class CNNLSTMClassifier(_CNNRNNClassifier):
    __doc__ = _CNNRNN_DOC % {"cell": "LSTM"} + _example(
        "CNNLSTMClassifier", "filters=8, hidden_size=8, "
    )
    _cell = "lstm"


@_fill_doc
class CNNGRUClassifier(_CNNRNNClassifier):
    __doc__ = _CNNRNN_DOC % {"cell": "GRU"} + _example(
        "CNNGRUClassifier", "filters=8, hidden_size=8, "
    )
    _cell = "gru"


@_fill_doc
class DPCNNClassifier(_BaseSequenceClassifier):
    __doc__ = """Deep pyramid CNN (Johnson & Zhang, 2017), paper 003's DPCNN baseline.

    A region embedding (convolution), a block of two pre-activation
    convolutions with a shortcut, then ``n_blocks`` times [max-pool of size 3
    and stride 2, halving the length -> such a block], max-pooling over what
    is left, dropout and a linear layer.

    Parameters
    ----------
    %(sequence)s
    filters : int, default=250
        Channels of every convolution (Johnson & Zhang).
    kernel_size : int, default=3
    n_blocks : int or None, default=None
        Downsampling blocks; ``None`` takes ``max_length`` down to about four
        positions (``floor(log2(max_length)) - 2``, Kashgari's rule).
    dropout : float, default=0.4
        On the input vectors and on the pooled features.
    %(core)s

    %(attributes)s

    Examples
    --------
    """ + _example("DPCNNClassifier", "filters=8, ")

    _module_class = "DPCNN"

    def __init__(
        self,
        embedding="bare",
        *,
        filters=250,
        kernel_size=3,
        n_blocks=None,
        dropout=0.4,
        level="char",
        max_length=256,
        embedding_dim=100,
        freeze_embedding=True,
        encoder=None,
        embedding_params=None,
        criterion="ce",
        max_epochs=20,
        batch_size=64,
        lr=1e-3,
        weight_decay=0.0,
        warmup_ratio=0.1,
        validation_fraction=0.0,
        n_iter_no_change=None,
        grad_clip=1.0,
        bucket=True,
        pad_to_multiple_of=8,
        device="auto",
        amp="auto",
        random_state=None,
        verbose=0,
        checkpoint_dir=None,
        callbacks=None,
    ):
        self.filters = filters
        self.kernel_size = kernel_size
        self.n_blocks = n_blocks
        self.dropout = dropout
        super().__init__(
            embedding, level=level, max_length=max_length, embedding_dim=embedding_dim,
            freeze_embedding=freeze_embedding, encoder=encoder, embedding_params=embedding_params,
            criterion=criterion, max_epochs=max_epochs, batch_size=batch_size, lr=lr,
            weight_decay=weight_decay, warmup_ratio=warmup_ratio,
            validation_fraction=validation_fraction, n_iter_no_change=n_iter_no_change,
            grad_clip=grad_clip, bucket=bucket, pad_to_multiple_of=pad_to_multiple_of,
            device=device, amp=amp, random_state=random_state, verbose=verbose,
            checkpoint_dir=checkpoint_dir, callbacks=callbacks,
        )  # fmt: skip

    def _check_model_params(self):
        for name in ("filters", "kernel_size"):
            _check_positive_int(name, getattr(self, name))
        if self.n_blocks is not None:
            _check_positive_int("n_blocks", self.n_blocks)
        _check_dropout(self.dropout)

    def _module_params(self):
        from skmedtext.models._modules._sequence import DPCNN

        n_blocks = self.n_blocks or DPCNN.default_blocks(self.max_length)
        return dict(
            filters=self.filters,
            kernel_size=self.kernel_size,
            n_blocks=n_blocks,
            dropout=self.dropout,
        )
