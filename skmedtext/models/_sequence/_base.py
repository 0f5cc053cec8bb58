"""The family base of StaResGRU-CNN and the neural baselines, on the shared training core.

:class:`_BaseSequenceClassifier` turns texts into token ids (a bare trainable
embedding or word2vec vectors) or into frozen transformer token states, accepts
SAAN synthetic rows living in the model's embedding space, and builds the torch
module of :mod:`skmedtext.models._modules._sequence` that a subclass names;
training itself is :class:`~skmedtext.training.BaseTextClassifier`'s. With
``trainable_layers`` the transformer path fine-tunes the encoder's top layers
(``_encoder_top``).
"""

import hashlib
import json
import numbers
import os
from pathlib import Path

import numpy as np
import torch
from sklearn.base import clone
from sklearn.utils._param_validation import Interval, StrOptions

from skmedtext._synthetic import SyntheticSequence, check_space
from skmedtext.models._collate import SequenceCollator, row_length
from skmedtext.models._sequence import _encoder_top
from skmedtext.training import CORE_PARAMS_DOC, BaseTextClassifier
from skmedtext.utils import int_seed

_NAMED_EMBEDDINGS = ("bare", "word2vec", "transformer")
# frozen transformer states are computed in chunks so no (n, max_length, d) array is built
_STATE_CHUNK = 256
_POSITIVE_INT = Interval(numbers.Integral, 1, None, closed="left")
_DROPOUT = Interval(numbers.Real, 0, 1, closed="left")

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

# the classifiers' parameters only (the family's taggers do not take them)
TRAINABLE_PARAMS_DOC = """trainable_layers : int or None, default=None
        ``embedding="transformer"`` only. ``None``: frozen last-layer token
        states, the encoder is not part of the network. ``k >= 1``: the
        encoder's input embeddings and bottom ``L - k`` layers stay frozen and
        their output for each distinct text is computed once and cached
        (:class:`skmedtext.encoders.FrozenStack`, shared with DMT-BERT's
        ``trainable_layers`` and ``SAANSampler(layer=-k)``); the top ``k``
        layers are part of the torch module and fine-tuned with the network,
        which reads their output; a ``k`` above the encoder's depth trains
        every layer, as in DMT-BERT. ``embedding_space_`` is then the cut layer's
        space: SAAN rows from ``SAANSampler(layer=-k)`` with the same encoder
        and ``max_length`` enter there. A given
        :class:`~skmedtext.embeddings.TransformerEmbedder` contributes its
        encoder, ``max_length`` and ``batch_size`` (its ``layer`` must be
        ``"last"``); ``embedding_params`` may only hold ``batch_size``. A lower
        ``lr`` (e.g. 1e-4) suits the transformer layers better than the
        family's default. The fine-tuned layers run without attention-probability
        dropout, as DMT-BERT's default ``attention_dropout=0.0`` (PyTorch's fused
        CPU attention has none).
    frozen_cache : {"memory", "disk"}, default="memory"
        With ``trainable_layers``: keep the frozen stack's output in the
        process-wide in-memory cache only, or also in a folder under
        ``SKMEDTEXT_HOME/frozen_stack`` that later processes read."""



def _bare_vocabulary(token_lists, min_count):
    """Token -> row (from 2) for tokens seen ``min_count`` times, most frequent first."""
    from collections import Counter

    counts = Counter(t for tokens in token_lists for t in tokens)
    kept = sorted((t for t, c in counts.items() if c >= min_count), key=lambda t: (-counts[t], t))
    return {token: i + 2 for i, token in enumerate(kept)}


class _BaseSequenceClassifier(BaseTextClassifier):
    """Input handling shared by StaResGRU-CNN and the baselines (not used directly).

    Subclasses set ``_module_class`` (a name in ``_modules._sequence``), merge
    their architecture's ``_parameter_constraints`` and implement
    ``_module_params()``. ``dropout`` is a family parameter (every member has
    one, with its own default): the input vectors are dropped out here.
    """

    _accepts_synthetic = True
    _module_class = None

    _parameter_constraints: dict = {
        **BaseTextClassifier._parameter_constraints,
        # a path must exist and an embedder must be one of two classes: see
        # _embedding_kind, run by _check_param_relations before any work
        "embedding": "no_validation",
        "level": [StrOptions({"char", "word"})],
        "max_length": [_POSITIVE_INT],
        "embedding_dim": [_POSITIVE_INT],
        "freeze_embedding": ["boolean"],
        "encoder": [str, os.PathLike, None],
        "embedding_params": [dict, None],
        "dropout": [_DROPOUT],
        "trainable_layers": [None, _POSITIVE_INT],
        "frozen_cache": [StrOptions({"memory", "disk"})],
    }

    def __init__(
        self,
        embedding,
        *,
        dropout,
        level,
        max_length,
        embedding_dim,
        freeze_embedding,
        encoder,
        embedding_params,
        trainable_layers=None,
        frozen_cache="memory",
        **core_params,
    ):
        # a private base: each member lists every parameter in its own signature,
        # which is what scikit-learn's get_params and clone read (the taggers built
        # on this base leave out trainable_layers and frozen_cache: defaults here)
        self.embedding = embedding
        self.dropout = dropout
        self.level = level
        self.max_length = max_length
        self.embedding_dim = embedding_dim
        self.freeze_embedding = freeze_embedding
        self.encoder = encoder
        self.embedding_params = embedding_params
        self.trainable_layers = trainable_layers
        self.frozen_cache = frozen_cache
        super().__init__(**core_params)

    def _module_params(self):  # pragma: no cover - abstract
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

    def _check_param_relations(self):
        super()._check_param_relations()
        kind = self._embedding_kind()
        extra = sorted(set(self.embedding_params or {}) - {"min_count"})
        if kind == "bare" and extra:
            raise ValueError(
                f"embedding='bare' only takes embedding_params 'min_count'; got {extra}."
            )
        _encoder_top.check_trainable_params(self, kind)

    # -- BaseTextClassifier hooks ------------------------------------------------------------
    def _fit_encoding(self, X, y):
        """Fit the input side; return the embedding table's initial weights (or None)."""
        kind = self._embedding_kind()
        real = [x for x in X if isinstance(x, str)]
        params = dict(self.embedding_params or {})
        self.embedder_ = None
        self.vocabulary_ = None
        # only a model with trainable_layers carries a frozen stack (a refit may drop it)
        self.__dict__.pop("_stack", None)
        self.__dict__.pop("_encoder_top", None)
        if self.trainable_layers is not None:
            self._encoder_top = True
            weights = _encoder_top.fit_encoder_top(self)
        elif kind == "bare":
            weights = self._fit_bare(real, params)
        elif kind == "transformer":
            weights = self._fit_transformer(real, params)
        else:
            weights = self._fit_word2vec(real, params, kind)
        check_space(X, self.embedding_space_, type(self).__name__)
        return weights

    def _fit_bare(self, real, params):
        from skmedtext.text import segment_texts

        min_count = params.pop("min_count", 1)
        self.vocabulary_ = _bare_vocabulary(segment_texts(real, self.level), min_count)
        weights = torch.randn(len(self.vocabulary_) + 2, self.embedding_dim)
        weights[0] = 0.0
        digest = hashlib.sha1(weights.numpy().tobytes())
        digest.update("\n".join(self.vocabulary_).encode("utf-8"))
        self.embedding_space_ = f"bare:{self.level}-{self.embedding_dim}-{digest.hexdigest()[:12]}"
        self.embedding_dim_ = self.embedding_dim
        return weights

    def _fit_word2vec(self, real, params, kind):
        from skmedtext.embeddings import Word2VecEmbedder

        if kind == "embedder":
            embedder = self.embedding
            if not hasattr(embedder, "vocabulary_"):
                embedder = clone(embedder).fit(real)
        else:
            if kind == "word2vec":
                seed = int_seed(self.random_state)
                params = {"vector_size": self.embedding_dim, "random_state": seed, **params}
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
        return torch.from_numpy(embedder.embedding_matrix_.copy())

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
        return None

    def _encode_real(self, texts):
        if getattr(self, "_encoder_top", False):
            return _encoder_top.encode_states(self, texts)
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
            if not ids.size:
                ids = np.array([UNKNOWN_INDEX], dtype=np.int64)
            items.append({"input_ids": ids})
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
        lengths = np.array([row_length(item) for item in items])
        return items, lengths

    def _make_collator(self):
        return SequenceCollator(self.pad_to_multiple_of, self.embedding_dim_)

    def _sequence_input(self, weights):
        """The embedding layer (lookup, vector rows, dropout) every family member starts with.

        ``weights``: the table's initial rows, or with ``trainable_layers`` the encoder.
        """
        from skmedtext.models._modules._sequence import EncoderTopInput, SequenceInput

        if getattr(self, "_encoder_top", False):
            from skmedtext.encoders import encoder_layers

            cut = len(encoder_layers(weights)) - self.trainable_layers
            return EncoderTopInput(weights, cut, dropout=self.dropout)
        return SequenceInput(
            None if self.vocabulary_ is None else len(self.vocabulary_) + 2,
            self.embedding_dim_,
            weights=weights,
            freeze=self.embedder_ is not None and bool(self.freeze_embedding),
            dropout=self.dropout,
        )

    def _build_module(self, n_classes, weights):
        from skmedtext.models._modules import _sequence as modules

        inputs = self._sequence_input(weights)
        return getattr(modules, self._module_class)(inputs, n_classes, **self._module_params())

    # -- persistence hooks (skmedtext.persistence) --------------------------------------
    def _persist_state(self, folder):
        from skmedtext.encoders import save_encoder_state

        folder = Path(folder)
        table = self.net_.module_.inputs.embedding
        state = {
            "embedding_space": self.embedding_space_,
            "embedding_dim": int(self.embedding_dim_),
            "n_params": int(self.n_params_),
            "frozen_table": bool(table is not None and not table.weight.requires_grad),
            "transformer": None,
        }
        if getattr(self, "_encoder_top", False):
            state["encoder_top"] = _encoder_top.persist_encoder_top(self, folder)
        elif self.vocabulary_ is not None:
            tokens = sorted(self.vocabulary_, key=self.vocabulary_.get)
            text = json.dumps(tokens, ensure_ascii=False)
            (folder / "vocabulary.json").write_text(text, encoding="utf-8")
        else:
            from safetensors.torch import save_file

            embedder = self.embedder_
            save_file(
                {k: v.contiguous() for k, v in embedder.model_.state_dict().items()},
                str(folder / "encoder.safetensors"),
            )
            state["transformer"] = {
                **save_encoder_state(
                    embedder.model_, embedder.tokenizer_, embedder.encoder_spec_, folder
                ),
                "params": {
                    k: v for k, v in embedder.get_params().items() if k != "model_name_or_path"
                },
                "embedding_space": embedder.embedding_space_,
            }
        return state

    def _restore_module(self, state, folder):
        folder = Path(folder)
        self.embedding_space_ = state["embedding_space"]
        self.embedding_dim_ = int(state["embedding_dim"])
        self.n_params_ = int(state["n_params"])
        self.embedder_ = None
        self.vocabulary_ = None
        self.__dict__.pop("_encoder_top", None)
        weights = None  # the saved weights replace the initial ones: none are drawn here
        if state.get("encoder_top"):
            self._encoder_top = True
            weights = _encoder_top.restore_encoder_top(self, state["encoder_top"], folder)
        elif state.get("transformer"):
            self.embedder_ = _restore_transformer(state["transformer"], folder)
        else:
            tokens = json.loads((folder / "vocabulary.json").read_text(encoding="utf-8"))
            self.vocabulary_ = {token: i + 2 for i, token in enumerate(tokens)}
        module = self._build_module(len(self.classes_), weights)
        if module.inputs.embedding is not None:
            module.inputs.embedding.weight.requires_grad_(not state["frozen_table"])
        return module

    def _fit(self, X, y, make_net):
        super()._fit(X, y, make_net)
        self.n_params_ = int(
            sum(p.numel() for p in self.net_.module_.parameters() if p.requires_grad)
        )
        return self


def _restore_transformer(state, folder):
    """A fitted TransformerEmbedder rebuilt from files written by ``_persist_state``."""
    from safetensors.torch import load_file

    from skmedtext.embeddings import TransformerEmbedder
    from skmedtext.encoders import load_encoder_state

    spec, tokenizer, model = load_encoder_state(state, folder)
    model.load_state_dict(load_file(str(folder / "encoder.safetensors")))
    model.requires_grad_(False)
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
        The fitted embedder (None for a bare embedding, with
        ``trainable_layers``, and for word2vec after
        :func:`skmedtext.persistence.load_model`, which keeps only the vocabulary
        and the trained table).
    tokenizer_, encoder_spec_, max_length_
        With ``trainable_layers``: the encoder's tokenizer, its preset
        (:class:`~skmedtext.encoders.EncoderSpec`) and the tokens kept per text;
        the encoder itself is ``net_.module_.inputs.encoder``.
    net_ : skmedtext.training.TextNet
        The fitted skorch net; ``history_`` is its history."""


def _fill_doc(cls):
    cls.__doc__ = cls.__doc__ % {
        "sequence": SEQUENCE_PARAMS_DOC + "\n    " + TRAINABLE_PARAMS_DOC,
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
