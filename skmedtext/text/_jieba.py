"""JiebaTokenizer: jieba words with the medical dictionary, or characters, in a pipeline.

The dictionaries and the private jieba tokenizers built from them are in
``_dictionary``; the segmentation of one text is :func:`~skmedtext.text.segment`.
"""

import os
import re

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin, _fit_context
from sklearn.utils._param_validation import StrOptions
from sklearn.utils.validation import check_is_fitted

from skmedtext.text._dictionary import cached_jieba, read_dictionary
from skmedtext.text._segment import segment
from skmedtext.text._validation import check_str
from skmedtext.utils import TextInputMixin, check_texts

__all__ = ["JiebaTokenizer"]


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
    (see the notes of ``skmedtext/text/_dictionary.py``). Character level follows
    paper 003's char-level CMed-Word2Vec: one unit per Chinese character. At both
    levels English and numbers are regex words (``"CT"``, ``"37.5"``,
    ``"covid-19"``), lowercased by default; whitespace and control characters
    never appear in the output.

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
        entries = read_dictionary(self.dictionary)
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
            self._jieba = cached_jieba(self.dictionary_, self.adjust_freq)
        return self

    @property
    def jieba_tokenizer_(self):
        check_is_fitted(self, "dictionary_")
        if self.__dict__.get("_jieba") is None:
            self._jieba = cached_jieba(self.dictionary_, self.adjust_freq)
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
        check_str(text)
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
