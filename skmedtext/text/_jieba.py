"""jieba segmentation with medical user dictionaries and frequency adjustment (paper 000).

Paper 000 "optimizes the jieba segmenter for the medical field through dictionary
expansion and adjustment of word frequency weights". Here:

* **Dictionary expansion.** Terms come from the bundled dictionary
  (``data/medical_dict_zh.txt``), a user file in jieba's user-dictionary format
  (``word [freq [tag]]`` per line, ``#`` comments allowed) or a list of such lines.
* **Frequency adjustment.** After all terms are loaded, each term's frequency is
  raised (never lowered) with jieba's ``suggest_freq(term, tune=True)`` to the
  smallest value that keeps it whole, shortest terms first. Doing it after
  loading matters: adding 房间隔 with a high frequency after 房间隔缺损 would
  otherwise split the longer term again.
* **Isolation.** Every dictionary lives in a private ``jieba.Tokenizer``; jieba's
  global tokenizer (``jieba.dt``, used by ``jieba.cut``/``jieba.load_userdict``)
  is never touched. A tokenizer is built once per distinct dictionary and
  process, copying jieba's main dictionary from a private base (~10 ms), and is
  shared read-only by every estimator with that dictionary; it is never pickled
  (rebuilt from the stored entries on first use after unpickling).
"""

import functools
import os
import re
import threading
from collections import OrderedDict
from importlib import resources

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin, _fit_context
from sklearn.utils._param_validation import StrOptions
from sklearn.utils.validation import check_is_fitted

from skmedtext.text._clean import _check_str
from skmedtext.text._segment import segment
from skmedtext.utils import TextInputMixin, check_texts

__all__ = ["JiebaTokenizer", "load_medical_dictionary", "default_jieba"]

_DICT_RESOURCE = ("skmedtext.text", "data/medical_dict_zh.txt")
_LOCK = threading.RLock()
_BASE = None
_CACHE = OrderedDict()
_CACHE_SIZE = 8
_TAG = re.compile(r"^[A-Za-z_]+$")


def _medical_dictionary_text():
    package, name = _DICT_RESOURCE
    return resources.files(package).joinpath(name).read_text(encoding="utf-8")


def _parse_line(line, where):
    """``(word, freq or None, tag or None)`` from one ``word [freq [tag]]`` line."""
    parts = line.split()
    bad = len(parts) > 3 or (len(parts) > 1 and not parts[1].isdigit())
    bad = bad or (len(parts) == 3 and not _TAG.match(parts[2]))
    if bad:
        raise ValueError(
            f"{where}: {line!r} is not a dictionary entry 'word [freq [tag]]'. A term "
            "cannot contain spaces (jieba never joins words across a space)."
        )
    freq = int(parts[1]) if len(parts) > 1 else None
    if freq == 0:
        # jieba records freq-0 words in its global HMM state; refuse rather than mutate it.
        raise ValueError(f"{where}: frequency 0 is not supported for {parts[0]!r}; omit it.")
    return parts[0], freq, parts[2] if len(parts) == 3 else None


def _parse_lines(lines, source):
    entries = []
    for number, raw in enumerate(lines, start=1):
        if not isinstance(raw, str):
            raise TypeError(
                f"dictionary entries must be str; found {type(raw).__name__} at position "
                f"{number - 1}."
            )
        line = raw.strip().lstrip("\ufeff")
        if line and not line.startswith("#"):
            entries.append(_parse_line(line, f"{source}, line {number}"))
    return entries


def load_medical_dictionary():
    """Return the terms of skmedtext's bundled Chinese medical dictionary.

    About 880 common terms written for skmedtext (departments, diseases of
    internal medicine, cardiology and hepatology, congenital heart defects and
    shunts, symptoms, examinations, procedures, drugs, anatomy, record sections
    and multi-character negation cues), in the file
    ``skmedtext/text/data/medical_dict_zh.txt``. It is the default dictionary of
    :class:`JiebaTokenizer` and of :func:`~skmedtext.text.segment`; extend it
    with your own terms: ``JiebaTokenizer(dictionary=load_medical_dictionary() + mine)``.

    Returns
    -------
    terms : list of str

    Examples
    --------
    >>> from skmedtext.text import load_medical_dictionary
    >>> terms = load_medical_dictionary()
    >>> "房间隔缺损" in terms and "冠心病" in terms
    True
    """
    return [word for word, _, _ in _parse_lines(_medical_dictionary_text().splitlines(), "bundled")]


def _read_dictionary(dictionary):
    """Entries of the ``dictionary`` parameter."""
    if dictionary is None:
        return []
    if isinstance(dictionary, str) and dictionary == "default":
        return _parse_lines(_medical_dictionary_text().splitlines(), "bundled dictionary")
    if isinstance(dictionary, (str, os.PathLike)):
        path = os.fspath(dictionary)
        if not os.path.isfile(path):
            raise ValueError(
                f"dictionary file {path!r} does not exist. Pass 'default', None, a path to a "
                "UTF-8 file with one 'word [freq [tag]]' per line, or a list of terms."
            )
        with open(path, encoding="utf-8") as handle:
            return _parse_lines(handle.read().splitlines(), path)
    if isinstance(dictionary, bytes):
        raise TypeError("dictionary must be 'default', None, a path or a list of str; got bytes.")
    return _parse_lines(list(dictionary), "dictionary list")


def _base_jieba():
    """A private, initialised jieba tokenizer with only jieba's main dictionary."""
    global _BASE
    with _LOCK:
        if _BASE is None:
            import jieba

            jieba.setLogLevel(60)  # silence "Building prefix dict ..." on stderr
            base = jieba.Tokenizer()
            base.initialize()
            _BASE = base
        return _BASE


def _build_jieba(entries, adjust_freq):
    import jieba

    base = _base_jieba()
    tok = jieba.Tokenizer(base.dictionary)
    tok.FREQ = dict(base.FREQ)
    tok.total = base.total
    tok.initialized = True
    for word, freq, tag in entries:
        tok.add_word(word, freq, tag)
    if adjust_freq:
        for word in sorted({word for word, _, _ in entries}, key=len):
            tok.suggest_freq(word, tune=True)
    return tok


def _cached_jieba(entries, adjust_freq):
    key = (tuple(entries), bool(adjust_freq))
    with _LOCK:
        if key in _CACHE:
            _CACHE.move_to_end(key)
            return _CACHE[key]
        tok = _build_jieba(entries, adjust_freq)
        _CACHE[key] = tok
        if len(_CACHE) > _CACHE_SIZE:
            _CACHE.popitem(last=False)
        return tok


@functools.lru_cache(maxsize=1)
def default_jieba():
    """The private jieba tokenizer with the bundled medical dictionary, adjusted.

    Used by :func:`~skmedtext.text.segment` at word level. Built on first call and
    kept (re-reading the dictionary on every call cost ~11 ms per text).
    """
    return _cached_jieba(_read_dictionary("default"), True)


def _check_synonyms(synonyms):
    if synonyms is None:
        return {}
    for key, value in synonyms.items():
        for item in (key, value):
            if not isinstance(item, str) or not item or any(c.isspace() for c in item):
                raise ValueError(
                    "synonyms must map non-empty str terms without spaces to non-empty str "
                    f"terms without spaces; got {key!r}: {value!r}."
                )
    return dict(synonyms)


class JiebaTokenizer(TextInputMixin, TransformerMixin, BaseEstimator):
    """Segment texts into words (jieba + medical dictionary) or characters.

    Word level follows paper 000's preprocessing: jieba with a medical user
    dictionary whose term frequencies are adjusted so that the terms stay whole
    (see the module notes). Character level follows paper 003's char-level
    CMed-Word2Vec: one unit per Chinese character. At both levels English and
    numbers are regex words (``"CT"``, ``"37.5"``, ``"covid-19"``), lowercased
    by default; whitespace and control characters never appear in the output.

    Parameters
    ----------
    level : {"word", "char"}, default="word"
        Unit of segmentation.
    dictionary : "default", None, path-like or list of str, default="default"
        ``"default"``: the bundled medical dictionary
        (:func:`load_medical_dictionary`). ``None``: jieba's own dictionary only.
        A path: a UTF-8 jieba user dictionary (``word [freq [tag]]`` per line,
        ``#`` comments allowed). A list: such lines or bare terms. To add terms
        to the bundled ones pass ``load_medical_dictionary() + my_terms``. Used at
        word level only.
    adjust_freq : bool, default=True
        Raise each dictionary term's frequency to the smallest value that keeps it
        whole (jieba ``suggest_freq``), after all terms are loaded.
    hmm : bool, default=True
        Let jieba's HMM join characters that are in no dictionary into new words.
    lowercase : bool, default=True
        Lowercase tokens (English terms and abbreviations).
    synonyms : dict of str -> str or None, default=None
        Term standardisation (paper 000: "term matching and standardization"):
        each key is replaced by its value, e.g. ``{"心梗": "心肌梗死"}``. At word
        level keys and values are added to the dictionary and whole tokens are
        replaced (before lowercasing, so keys match as written); at char level
        occurrences in the text are replaced, longest key first, before
        splitting.
    output : {"tokens", "string"}, default="tokens"
        ``"tokens"``: ``transform`` returns a list with one list of tokens per
        text. ``"string"``: a 1-D object array of space-joined tokens, ready for
        ``TfidfVectorizer(analyzer=str.split)``.

    Attributes
    ----------
    dictionary_ : tuple of (str, int or None, str or None)
        The ``(term, freq, tag)`` entries loaded (synonym terms included). They
        are stored so a pickled tokenizer rebuilds its jieba dictionary without
        the original file.
    jieba_tokenizer_ : jieba.Tokenizer
        The private jieba tokenizer (read-only; shared by estimators with the
        same dictionary, never pickled).

    See Also
    --------
    skmedtext.text.segment : the same segmentation for one text, bundled dictionary.
    skmedtext.text.TextCleaner : clean texts before segmenting them.

    Examples
    --------
    >>> from skmedtext.text import JiebaTokenizer
    >>> tok = JiebaTokenizer().fit()
    >>> tok.transform(["患者诊断为房间隔缺损，CT正常"])
    [['患者', '诊断', '为', '房间隔缺损', '，', 'ct', '正常']]
    >>> JiebaTokenizer(dictionary=None).fit().tokenize("房间隔缺损")
    ['房间隔', '缺损']
    >>> JiebaTokenizer(level="char", output="string").fit_transform(["胸痛 3天"]).tolist()
    ['胸 痛 3 天']
    """

    _parameter_constraints = {
        "level": [StrOptions({"word", "char"})],
        "dictionary": [str, os.PathLike, "array-like", None],
        "adjust_freq": ["boolean"],
        "hmm": ["boolean"],
        "lowercase": ["boolean"],
        "synonyms": [dict, None],
        "output": [StrOptions({"tokens", "string"})],
    }

    def __init__(
        self,
        *,
        level="word",
        dictionary="default",
        adjust_freq=True,
        hmm=True,
        lowercase=True,
        synonyms=None,
        output="tokens",
    ):
        self.level = level
        self.dictionary = dictionary
        self.adjust_freq = adjust_freq
        self.hmm = hmm
        self.lowercase = lowercase
        self.synonyms = synonyms
        self.output = output

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X=None, y=None):
        """Load the dictionary and build the jieba tokenizer; ``X`` is only validated.

        Parameters
        ----------
        X : sequence of str, optional
        y : ignored

        Returns
        -------
        self : JiebaTokenizer
        """
        if X is not None:
            check_texts(X, estimator_name=type(self).__name__)
        synonyms = _check_synonyms(self.synonyms)
        entries = _read_dictionary(self.dictionary)
        known = {word for word, _, _ in entries}
        for term in [*synonyms, *synonyms.values()]:
            if term not in known:
                entries.append((term, None, None))
                known.add(term)
        self.dictionary_ = tuple(entries)
        self._synonyms = synonyms
        self._synonym_re = (
            re.compile("|".join(re.escape(k) for k in sorted(synonyms, key=len, reverse=True)))
            if synonyms
            else None
        )
        # char level never consults jieba; jieba_tokenizer_ builds it on demand
        self._jieba = None
        if self.level == "word":
            self._jieba = _cached_jieba(self.dictionary_, self.adjust_freq)
        return self

    @property
    def jieba_tokenizer_(self):
        check_is_fitted(self, "dictionary_")
        if self.__dict__.get("_jieba") is None:
            self._jieba = _cached_jieba(self.dictionary_, self.adjust_freq)
        return self._jieba

    def __getstate__(self):
        state = super().__getstate__()
        state.pop("_jieba", None)  # holds a lock and a 500k-entry dict: rebuilt on demand
        return state

    def tokenize(self, text):
        """Tokens of one text.

        Parameters
        ----------
        text : str

        Returns
        -------
        tokens : list of str
        """
        check_is_fitted(self, "dictionary_")
        _check_str(text)
        if self.level == "char":
            if self._synonym_re is not None:
                text = self._synonym_re.sub(lambda m: self._synonyms[m.group(0)], text)
            return segment(text, "char", lowercase=self.lowercase)
        tokens = segment(text, "word", tokenizer=self.jieba_tokenizer_, hmm=self.hmm)
        if self._synonyms:
            tokens = [self._synonyms.get(token, token) for token in tokens]
        if self.lowercase:
            tokens = [token.lower() for token in tokens]
        return tokens

    def transform(self, X):
        """Segment every text.

        Parameters
        ----------
        X : sequence of str of length n

        Returns
        -------
        tokens : list of n lists of str, or ndarray of shape (n,) of str
            Lists for ``output="tokens"``, space-joined strings for ``"string"``.
        """
        check_is_fitted(self, "dictionary_")
        X = check_texts(X, estimator_name=type(self).__name__, allow_empty=True)
        tokens = [self.tokenize(text) for text in X]
        if self.output == "tokens":
            return tokens
        out = np.empty(len(tokens), dtype=object)
        out[:] = [" ".join(t) for t in tokens]
        return out
