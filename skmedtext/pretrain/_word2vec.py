"""CMed-Word2Vec-style word vectors trained with gensim on a user's own corpus (paper 003).

Paper 003 trains word2vec at character level and at jieba word level on ~36M
characters of Chinese medical text with gensim (Table 4). The defaults here are
that table's settings, which are also gensim's defaults: CBOW (``sg=0``), 100
dimensions (``size``; the text mentions 50-dimensional vectors, the table says
100: we follow the table), window 5, ``min_count`` 5, negative sampling with 5
noise words (``hs=0``), ``sample`` 1e-3, ``alpha`` 0.025 -> ``min_alpha`` 1e-4,
``cbow_mean`` 1, 5 epochs (``iter``), seed 1. Table 4 uses 3 worker threads;
the default here is 1, because gensim is only reproducible for a seed with a
single worker.

GloVe (paper 003's CMed-GloVe) is not provided: no maintained, portable PyPI
package trains it (the candidates are unmaintained forks of ``glove-python``
with wheels for a few Linux Python versions, or wrappers that clone and compile
the Stanford C code at import). See ``docs/text.md``.
"""

import os
from numbers import Integral, Real
from pathlib import Path

from sklearn.base import clone
from sklearn.utils._param_validation import HasMethods, Interval, StrOptions, validate_params

__all__ = [
    "WORD2VEC_PARAMETER_CONSTRAINTS",
    "load_word_vectors",
    "save_word_vectors",
    "train_word2vec",
]

#: Constraints of the word2vec parameters that :func:`train_word2vec` shares with
#: :class:`~skmedtext.embeddings.Word2VecEmbedder`; both validate them from this one
#: dict (the embedder merges it into its ``_parameter_constraints``).
WORD2VEC_PARAMETER_CONSTRAINTS = {
    "level": [StrOptions({"char", "word"})],
    "vector_size": [Interval(Integral, 1, None, closed="left")],
    "sg": [Interval(Integral, 0, 1, closed="both")],
    "window": [Interval(Integral, 1, None, closed="left")],
    "min_count": [Interval(Integral, 1, None, closed="left")],
    "negative": [Interval(Integral, 0, None, closed="left")],
    "epochs": [Interval(Integral, 1, None, closed="left")],
}

# Formats that hold only data: a pickle-based file (gensim's KeyedVectors.save,
# a saved Word2Vec model) can run code when loaded, so it is never read.
_FORMATS = {".txt": "text", ".vec": "text", ".bin": "binary", ".npz": "npz"}
_FORMATS_DOC = (
    "word2vec text (.txt, .vec), word2vec binary (.bin) or skmedtext's .npz "
    "(save_word_vectors)"
)


def _is_tokenized(corpus):
    """True for a corpus given as a sequence of token lists."""
    if isinstance(corpus, (str, bytes, os.PathLike)) or not hasattr(corpus, "__len__"):
        return False
    return len(corpus) > 0 and all(isinstance(doc, (list, tuple)) for doc in corpus)


def _check_tokenized(corpus):
    sentences = []
    for i, doc in enumerate(corpus):
        bad = [t for t in doc if not isinstance(t, str)]
        if bad:
            raise TypeError(
                f"corpus: a tokenized document must hold str tokens; document {i} holds "
                f"{type(bad[0]).__name__}."
            )
        sentences.append(list(doc))
    return sentences


def _tokenize_corpus(corpus, level, tokenizer, clean):
    from skmedtext.pretrain._corpus import read_corpus
    from skmedtext.text import JiebaTokenizer, clean_text

    documents = read_corpus(corpus)
    if clean:
        documents = [clean_text(doc) for doc in documents]
    if tokenizer is None:
        tokenizer = JiebaTokenizer(level=level).fit()
    elif isinstance(tokenizer, JiebaTokenizer):
        if tokenizer.level != level:
            raise ValueError(
                f"tokenizer.level={tokenizer.level!r} differs from level={level!r}; "
                "set them to the same unit."
            )
        tokenizer = clone(tokenizer).fit()
    tokenize = tokenizer.tokenize if hasattr(tokenizer, "tokenize") else tokenizer
    return [tokenize(doc) for doc in documents]


def _vector_format(path, role):
    """The format of ``path`` from its suffix; a ValueError for any other file."""
    suffix = Path(path).suffix.lower()
    if suffix not in _FORMATS:
        raise ValueError(
            f"{role} {str(path)!r}: word vectors are read and written only as "
            f"{_FORMATS_DOC}, formats that cannot hold code; gensim's own .kv/.model files "
            "are pickles and are refused. Convert trusted gensim vectors once with "
            "kv.save_word2vec_format('vectors.bin', binary=True) (or "
            "skmedtext.pretrain.save_word_vectors(kv, 'vectors.npz'))."
        )
    return _FORMATS[suffix]


@validate_params(
    {
        "corpus": "no_validation",
        **WORD2VEC_PARAMETER_CONSTRAINTS,
        "alpha": [Interval(Real, 0, None, closed="neither")],
        "min_alpha": [Interval(Real, 0, None, closed="left")],
        "sample": [Interval(Real, 0, None, closed="left")],
        "workers": [Interval(Integral, 1, None, closed="left")],
        "seed": [Interval(Integral, 0, 2**32 - 1, closed="both")],
        "tokenizer": [HasMethods(["tokenize"]), callable, None],
        "clean": ["boolean"],
        "out": [str, os.PathLike, None],
        "word2vec_params": [dict, None],
    },
    prefer_skip_nested_validation=True,
)
def train_word2vec(
    corpus,
    level="char",
    *,
    vector_size=100,
    sg=0,
    window=5,
    min_count=5,
    negative=5,
    epochs=5,
    alpha=0.025,
    min_alpha=0.0001,
    sample=1e-3,
    workers=1,
    seed=1,
    tokenizer=None,
    clean=True,
    out=None,
    word2vec_params=None,
):
    """Train CMed-Word2Vec-style vectors on an unlabelled corpus (gensim word2vec).

    The corpus is cleaned (:func:`~skmedtext.text.clean_text`), segmented at
    character or jieba-word level (:class:`~skmedtext.text.JiebaTokenizer` with
    the bundled medical dictionary; English as lowercase words), and gensim's
    ``Word2Vec`` is trained on it with paper 003's Table 4 settings by default.

    Parameters
    ----------
    corpus : sequence of str, path-like, sequence of paths, or sequence of token lists
        Documents; UTF-8 text files with one document per line (see
        :func:`~skmedtext.pretrain.read_corpus`); or already segmented documents
        (lists of str tokens), which are used as they are (``level``,
        ``tokenizer`` and ``clean`` are then ignored).
    level : {"char", "word"}, default="char"
        Character level (one vector per Chinese character) or jieba word level.
    vector_size : int, default=100
        Dimension of the vectors (Table 4 ``size``).
    sg : {0, 1}, default=0
        0 is CBOW (the paper), 1 skip-gram.
    window : int, default=5
        Context window on each side.
    min_count : int, default=5
        Tokens seen fewer times get no vector.
    negative : int, default=5
        Noise words of negative sampling.
    epochs : int, default=5
        Passes over the corpus (Table 4 ``iter``).
    alpha, min_alpha : float, default=0.025, 0.0001
        Learning rate, decayed linearly from ``alpha`` to ``min_alpha``.
    sample : float, default=1e-3
        Down-sampling threshold of frequent tokens.
    workers : int, default=1
        Training threads. More are faster on large corpora, but gensim is then
        not reproducible for a seed (thread scheduling changes the updates).
    seed : int, default=1
        Seeds vector initialisation, negative sampling and down-sampling. With
        ``workers=1`` the same seed and corpus give identical vectors.
    tokenizer : JiebaTokenizer, callable or None, default=None
        Segmentation. ``None``: ``JiebaTokenizer(level=level)``. A
        ``JiebaTokenizer`` (fitted or not; its ``level`` must equal ``level``)
        carries your own dictionary or synonyms. Any callable ``str -> list of
        str`` also works.
    clean : bool, default=True
        Apply :func:`~skmedtext.text.clean_text` (default options) first.
    out : path-like or None, default=None
        Where to save the vectors (:func:`save_word_vectors`): ``.txt``/``.vec``
        word2vec text format, ``.bin`` word2vec binary format or ``.npz``
        (vocabulary, vectors and counts as plain arrays). Other suffixes are
        refused before training. Read any of them back with
        :func:`load_word_vectors` or ``Word2VecEmbedder(vectors=out)``.
    word2vec_params : dict or None, default=None
        Other ``gensim.models.Word2Vec`` arguments (``max_final_vocab``,
        ``hs``, ``cbow_mean``, ``ns_exponent``, ``shrink_windows`` ...).

    Returns
    -------
    wv : gensim.models.KeyedVectors
        Tokens sorted by decreasing frequency (``wv.index_to_key``), vectors in
        ``wv.vectors`` (float32), counts in ``wv.get_vecattr(token, "count")``.

    Raises
    ------
    ValueError
        If the corpus is empty or no token occurs ``min_count`` times.
    TypeError
        If documents are not text (``None``, bytes, numbers).

    Examples
    --------
    >>> from skmedtext.pretrain import train_word2vec
    >>> texts = ["胸痛三天伴胸闷", "胸闷气短两周", "反复胸痛一月"] * 5
    >>> wv = train_word2vec(texts, level="char", vector_size=8, min_count=5)
    >>> wv.vector_size, "胸" in wv.key_to_index
    (8, True)
    """
    from gensim.models import Word2Vec

    if out is not None:
        _vector_format(out, "out")  # before the training, not after it
    if _is_tokenized(corpus):
        sentences = _check_tokenized(corpus)
    else:
        sentences = _tokenize_corpus(corpus, level, tokenizer, clean)
    params = dict(word2vec_params or {})
    reserved = {"sentences", "corpus_file", "vector_size", "sg", "window", "min_count",
                "negative", "epochs", "alpha", "min_alpha", "sample", "workers", "seed"}
    clash = reserved.intersection(params)
    if clash:
        raise ValueError(f"word2vec_params must not repeat named arguments: {sorted(clash)}.")
    model = Word2Vec(
        vector_size=vector_size,
        sg=int(sg),
        window=window,
        min_count=min_count,
        negative=negative,
        epochs=epochs,
        alpha=alpha,
        min_alpha=min_alpha,
        sample=sample,
        workers=workers,
        seed=seed,
        **params,
    )
    model.build_vocab(sentences)
    if len(model.wv) == 0:
        raise ValueError(
            f"no token occurs at least min_count={min_count} times in the corpus "
            f"({sum(map(len, sentences))} tokens in {len(sentences)} documents); lower "
            "min_count or pass more text."
        )
    model.train(sentences, total_examples=model.corpus_count, epochs=model.epochs)
    wv = model.wv
    if out is not None:
        save_word_vectors(wv, out)
    return wv


@validate_params(
    {"wv": [HasMethods(["save_word2vec_format"])], "path": [str, os.PathLike]},
    prefer_skip_nested_validation=True,
)
def save_word_vectors(wv, path):
    """Save word vectors in a format that holds only data (never a pickle).

    The format follows the suffix: ``.txt``/``.vec`` word2vec text, ``.bin``
    word2vec binary, ``.npz`` numpy arrays ``words`` (str), ``vectors``
    (float32) and ``counts`` (int64, the training counts; -1 where unknown),
    read back with ``allow_pickle=False``. The word2vec formats are the common
    currency of other tools; ``.npz`` also keeps the counts.

    Parameters
    ----------
    wv : gensim.models.KeyedVectors
    path : str or path-like
        Parent folders are created.

    Returns
    -------
    path : pathlib.Path

    Raises
    ------
    ValueError
        If the suffix is not ``.txt``, ``.vec``, ``.bin`` or ``.npz``.

    Examples
    --------
    >>> import tempfile, os
    >>> from skmedtext.pretrain import train_word2vec, save_word_vectors, load_word_vectors
    >>> wv = train_word2vec(["胸痛胸闷"] * 10, vector_size=4)
    >>> path = save_word_vectors(wv, os.path.join(tempfile.mkdtemp(), "cmed_char.npz"))
    >>> load_word_vectors(path).index_to_key == wv.index_to_key
    True
    """
    import numpy as np

    path = Path(path).expanduser()
    fmt = _vector_format(path, "path")
    path.parent.mkdir(parents=True, exist_ok=True)
    if fmt != "npz":
        wv.save_word2vec_format(str(path), binary=fmt == "binary")
        return path
    words = list(wv.index_to_key)
    counts = [_count(wv, word) for word in words]
    with open(path, "wb") as handle:  # a handle: np.savez would append ".npz" to a str
        np.savez(
            handle,
            words=np.array(words, dtype=str),
            vectors=np.asarray(wv.vectors, dtype=np.float32),
            counts=np.asarray(counts, dtype=np.int64),
        )
    return path


def _count(wv, word):
    try:
        return int(wv.get_vecattr(word, "count"))
    except (KeyError, AttributeError):
        return -1


def _load_npz(path):
    import numpy as np
    from gensim.models import KeyedVectors

    with np.load(path, allow_pickle=False) as data:
        missing = {"words", "vectors"} - set(data.files)
        if missing:
            raise ValueError(f"holds no {sorted(missing)} array(s); it has {sorted(data.files)}")
        words, vectors = data["words"], data["vectors"]
        counts = data["counts"] if "counts" in data.files else None
    if words.ndim != 1 or words.dtype.kind != "U":
        raise ValueError(f"'words' must be a 1-D str array; got {words.dtype} {words.shape}")
    if vectors.ndim != 2 or vectors.shape[0] != words.shape[0] or vectors.dtype.kind != "f":
        raise ValueError(
            f"'vectors' must be a float array of shape ({words.shape[0]}, d); got "
            f"{vectors.dtype} {vectors.shape}"
        )
    if len(set(words.tolist())) != words.shape[0]:
        raise ValueError("'words' holds duplicates")
    wv = KeyedVectors(vector_size=vectors.shape[1])
    wv.add_vectors(words.tolist(), vectors.astype(np.float32))
    if counts is not None and counts.shape == words.shape and counts.dtype.kind in "iu":
        for word, count in zip(words.tolist(), counts.tolist()):
            if count >= 0:
                wv.set_vecattr(word, "count", count)
    return wv


@validate_params({"path": [str, os.PathLike]}, prefer_skip_nested_validation=True)
def load_word_vectors(path):
    """Load word vectors from a file that holds only data (never a pickle).

    The format follows the suffix as in :func:`save_word_vectors`:
    ``.txt``/``.vec`` word2vec text, ``.bin`` word2vec binary, ``.npz``
    skmedtext's arrays (loaded with ``allow_pickle=False``). Any other file,
    gensim's ``KeyedVectors.save``/``Word2Vec.save`` output (``.kv``,
    ``.model``) included, is refused: those are pickles, and loading a pickle
    runs whatever code it names. Convert vectors you trust once, in the session
    that made them or after loading them yourself:
    ``kv.save_word2vec_format("vectors.bin", binary=True)``.

    Parameters
    ----------
    path : str or path-like

    Returns
    -------
    wv : gensim.models.KeyedVectors

    Raises
    ------
    FileNotFoundError
        If ``path`` does not exist.
    ValueError
        If the suffix is not one of the formats above, or the file is not valid
        in its format (the message names the file).

    Examples
    --------
    >>> import tempfile, os
    >>> from skmedtext.pretrain import train_word2vec, load_word_vectors
    >>> path = os.path.join(tempfile.mkdtemp(), "cmed_char.bin")
    >>> wv = train_word2vec(["胸痛胸闷"] * 10, vector_size=4, out=path)
    >>> bool((load_word_vectors(path).vectors == wv.vectors).all())
    True
    """
    from gensim.models import KeyedVectors

    path = Path(path).expanduser()
    if not path.is_file():
        raise FileNotFoundError(f"word-vector file {str(path)!r} does not exist.")
    fmt = _vector_format(path, "word-vector file")
    try:
        if fmt == "npz":
            return _load_npz(path)
        return KeyedVectors.load_word2vec_format(str(path), binary=fmt == "binary")
    except Exception as exc:
        raise ValueError(
            f"word-vector file {str(path)!r} is not valid {fmt} word vectors: "
            f"{type(exc).__name__}: {exc}"
        ) from exc
