"""word2vec embeddings (trained with gensim on the training texts, or loaded) as a transformer."""

import hashlib
import os
from numbers import Integral

import numpy as np
from sklearn.base import BaseEstimator, _fit_context
from sklearn.utils._param_validation import Interval, StrOptions

from skmedtext.embeddings._base import EmbedderMixin
from skmedtext.pretrain import WORD2VEC_PARAMETER_CONSTRAINTS
from skmedtext.text import UNKNOWN_INDEX, segment_texts, tokens_to_indices
from skmedtext.utils import int_seed

__all__ = ["Word2VecEmbedder"]


def _load_vectors(vectors):
    """KeyedVectors from an instance, a gensim ``Word2Vec`` model or a saved file."""
    from gensim.models import KeyedVectors

    from skmedtext.pretrain import load_word_vectors

    if isinstance(vectors, KeyedVectors):
        return vectors
    if isinstance(getattr(vectors, "wv", None), KeyedVectors):
        return vectors.wv
    if not isinstance(vectors, (str, os.PathLike)):
        raise TypeError(
            "vectors must be None, a gensim KeyedVectors/Word2Vec object or a path to saved "
            f"vectors; got {type(vectors).__name__}."
        )
    return load_word_vectors(vectors)


class Word2VecEmbedder(EmbedderMixin, BaseEstimator):
    """Embed texts with word2vec vectors trained on the training texts (or loaded).

    ``fit`` segments the texts into characters or words (jieba for Chinese, a
    regex for English, see :func:`skmedtext.text.segment`) and trains a gensim
    CBOW word2vec model on them (:func:`skmedtext.pretrain.train_word2vec`)
    with paper 003's settings (Table 4: window 5,
    negative sampling with 5 noise words, ``min_count`` 5, 5 epochs), single
    threaded and seeded so that the same ``random_state`` gives the same
    vectors. Alternatively it loads ready vectors (``vectors=``), e.g. a
    CMed-Word2Vec-like model trained on a larger medical corpus.

    The vectors are laid out in ``embedding_matrix_`` for neural models: row 0
    is padding (zeros), row 1 the unknown token (the mean vector), then one row
    per vocabulary entry. ``embedding_space_`` names that space, so a synthetic
    sequence made with an identically fitted embedder is accepted by a sequence
    classifier using the same vectors.

    Parameters
    ----------
    vectors : None, str, path-like or gensim KeyedVectors, default=None
        ``None`` trains word2vec on the texts given to ``fit``. Otherwise ready
        vectors: a ``KeyedVectors``/``Word2Vec`` object or a file read by
        :func:`~skmedtext.pretrain.load_word_vectors` (``.txt``/``.vec`` word2vec
        text, ``.bin`` binary, ``.npz``; gensim's pickled ``.kv``/``.model`` saves
        are refused). Then ``vector_size`` and the training parameters are
        ignored, and the vectors' own vocabulary is used.
    level : {"char", "word"}, default="char"
        Unit of segmentation: Chinese characters, or words (jieba for Chinese).
    vector_size : int, default=100
        Dimension of trained vectors (paper 003, Table 4).
    window : int, default=5
    min_count : int, default=5
        Tokens seen fewer times in the training texts get no vector (they map to
        the unknown row).
    negative : int, default=5
        Noise words of negative sampling.
    sg : {0, 1}, default=0
        0 is CBOW (the paper), 1 skip-gram.
    epochs : int, default=5
    output : {"mean", "sequence"}, default="mean"
        ``"mean"``: ``(n, d)`` mean of the vectors of a text's in-vocabulary
        tokens (zeros when it has none). ``"sequence"``: ``(n, max_length, d)``
        float32, the vectors of the first ``max_length`` tokens (unknown tokens
        get the unknown vector) and exact zero vectors as padding.
    max_length : int, default=128
        Tokens kept per text for ``"sequence"`` output and :meth:`to_indices`.
    random_state : int, RandomState or None, default=None
        Seeds gensim (vector initialisation and sampling).

    Attributes
    ----------
    vocabulary_ : dict of str -> int
        Token -> row of ``embedding_matrix_`` (rows from 2).
    embedding_matrix_ : ndarray of shape (n_words + 2, d), float32
        ``n_words = len(vocabulary_)``; row 0 is padding, row 1 unknown tokens.
    embedding_space_ : str
        ``"word2vec:{level}-{d}-{sha1[:12]}"`` fingerprinting the matrix and the
        vocabulary.
    n_features_out_ : int
        The dimension ``d``.

    Examples
    --------
    >>> from skmedtext.embeddings import Word2VecEmbedder
    >>> texts = ["胸痛三天", "胸闷气短", "头痛发热", "咳嗽发热"] * 5
    >>> emb = Word2VecEmbedder(vector_size=8, min_count=2, random_state=0).fit(texts)
    >>> emb.transform(["胸痛发热"]).shape
    (1, 8)
    >>> emb.set_params(output="sequence", max_length=6).transform(["胸痛发热"]).shape
    (1, 6, 8)
    >>> emb.to_indices(["胸痛"])[0].tolist()[0] >= 2
    True
    """

    _parameter_constraints = {
        # ready vectors are recognised by their gensim type, checked when loaded
        "vectors": "no_validation",
        **WORD2VEC_PARAMETER_CONSTRAINTS,
        "output": [StrOptions({"mean", "sequence"})],
        "max_length": [Interval(Integral, 1, None, closed="left")],
        "random_state": ["random_state"],
    }
    _vector_output = "mean"
    _feature_prefix = "word2vec"

    def __init__(
        self,
        vectors=None,
        *,
        level="char",
        vector_size=100,
        window=5,
        min_count=5,
        negative=5,
        sg=0,
        epochs=5,
        output="mean",
        max_length=128,
        random_state=None,
    ):
        self.vectors = vectors
        self.level = level
        self.vector_size = vector_size
        self.window = window
        self.min_count = min_count
        self.negative = negative
        self.sg = sg
        self.epochs = epochs
        self.output = output
        self.max_length = max_length
        self.random_state = random_state

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        """Train (or load) the vectors and build the embedding matrix.

        Parameters
        ----------
        X : sequence of str
            Training texts (ignored when ``vectors`` is given, apart from validation).
        y : ignored

        Returns
        -------
        self : Word2VecEmbedder
        """
        X = self._check_fit_input(X)
        if self.vectors is None:
            from skmedtext.pretrain import train_word2vec

            # token lists go in as they are, so training and lookup segment alike
            wv = train_word2vec(
                segment_texts(X, self.level),
                vector_size=self.vector_size,
                window=self.window,
                min_count=self.min_count,
                negative=self.negative,
                sg=self.sg,
                epochs=self.epochs,
                seed=int_seed(self.random_state),
            )
        else:
            wv = _load_vectors(self.vectors)
        self._set_vectors(list(wv.index_to_key), np.asarray(wv.vectors, dtype=np.float32))
        return self

    def _set_vectors(self, keys, vectors):
        d = vectors.shape[1]
        matrix = np.zeros((len(keys) + 2, d), dtype=np.float32)
        matrix[2:] = vectors
        # the unknown row must not be a zero vector: zeros mark padding in sequence output
        matrix[UNKNOWN_INDEX] = vectors.mean(axis=0) if len(keys) else 0.0
        self.vocabulary_ = {key: i + 2 for i, key in enumerate(keys)}
        self.embedding_matrix_ = matrix
        digest = hashlib.sha1(matrix.tobytes())
        digest.update("\n".join(map(str, keys)).encode("utf-8"))
        self.embedding_space_ = f"word2vec:{self.level}-{d}-{digest.hexdigest()[:12]}"
        self.n_features_out_ = int(d)

    def to_indices(self, X):
        """Rows of ``embedding_matrix_`` for the first ``max_length`` tokens of each text.

        Parameters
        ----------
        X : sequence of str

        Returns
        -------
        indices : list of ndarray of int64
            One array per text (possibly empty for a text without tokens);
            unknown tokens are 1.
        """
        X = self._check_transform_input(X)
        return [
            tokens_to_indices(t, self.vocabulary_, self.max_length)
            for t in segment_texts(X, self.level)
        ]

    def _embed(self, X, out):
        if self.output == "sequence":
            for row, ids in enumerate(self.to_indices(X)):
                out[row, : len(ids)] = self.embedding_matrix_[ids]
            return
        for row, tokens in enumerate(segment_texts(X, self.level)):
            ids = [self.vocabulary_[t] for t in tokens if t in self.vocabulary_]
            if ids:
                out[row] = self.embedding_matrix_[ids].mean(axis=0)
