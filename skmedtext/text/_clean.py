"""Regex/Unicode cleaning of raw medical text (paper 000, preprocessing, first phase).

Paper 000 cleans its records "with regular expressions ... removing special
characters, redundant spaces, punctuation ... correcting common formatting errors
such as repeated characters and improper line breaks" but gives no rules. These are
skmedtext's, chosen so that cleaning never changes what a record says:

* control and invisible format characters (Unicode Cc, Cf, lone surrogates Cs) go;
  the ones that are whitespace (tab, newline, ...) become a space;
* full-width letters, digits and symbols become half-width by NFKC, except for
  characters whose compatibility form changes a value: superscripts and subscripts
  (``10⁹/L`` must not become ``109/L``), circled numbers (``①高血压``) and vulgar
  fractions (``1½``), and, unless asked, the full-width Chinese sentence
  punctuation ``，：；？！（）``;
* a run of one repeated *punctuation* character is shortened (``。。。`` -> ``。``);
  symbols are left alone, because ``(++)``/``(+++)`` and ``↑↑`` are clinical grades;
* whitespace runs collapse to one space (optionally keeping line breaks).
"""

import numbers
import re
import unicodedata

from sklearn.base import BaseEstimator, TransformerMixin, _fit_context
from sklearn.utils._param_validation import Interval, StrOptions

from skmedtext.text._validation import check_str
from skmedtext.utils import TextInputMixin, check_texts

__all__ = ["clean_text", "strip_controls", "TextCleaner"]

_CONTROL_CATEGORIES = frozenset({"Cc", "Cf", "Cs"})
# Compatibility tags whose NFKC form would change a number or a list marker.
_UNSAFE_COMPAT = ("<super>", "<sub>", "<circle>", "<fraction>")
# Full-width Chinese sentence punctuation that NFKC would turn into ASCII.
_CJK_SENTENCE_PUNCT = frozenset("，：；？！（）…")
# Chinese punctuation without an NFKC mapping -> ASCII, for cjk_punctuation="ascii".
_CJK_TO_ASCII = {
    "。": ".", "、": ",", "【": "[", "】": "]", "〔": "(", "〕": ")", "「": '"', "」": '"',
    "『": '"', "』": '"', "“": '"', "”": '"', "‘": "'", "’": "'", "—": "-", "～": "~",
}
_ASCII_PUNCT = str.maketrans(
    {**_CJK_TO_ASCII, **{c: unicodedata.normalize("NFKC", c) for c in _CJK_SENTENCE_PUNCT}}
)
_CJK_CHARS = (
    "\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef"
    "\u2018\u2019\u201c\u201d\U00020000-\U0002fa1f"
)
_SPACE_BETWEEN_CJK = re.compile(f"(?<=[{_CJK_CHARS}])\\s+(?=[{_CJK_CHARS}])")
_REPEATED_CHAR = re.compile(r"(.)\1+", re.DOTALL)
_HORIZONTAL_SPACE = re.compile(r"[^\S\n]+")
_NEWLINES = re.compile(r" ?\n[\s]*")
_ANY_SPACE = re.compile(r"\s+")


class _LazyCharTable(dict):
    """A ``str.translate`` table filled on demand, one code point at a time.

    Building a table for all 1.1M code points up front costs seconds; texts use a
    few thousand distinct characters, so each is classified once when first seen.
    """

    def __init__(self, rule):
        super().__init__()
        self._rule = rule

    def __missing__(self, codepoint):
        value = self._rule(chr(codepoint))
        self[codepoint] = value
        return value


def _control_rule(keep_newlines):
    def rule(ch):
        if unicodedata.category(ch) not in _CONTROL_CATEGORIES:
            return ch
        if ch in "\n\r\x85" and keep_newlines:
            return "\n"
        return " " if ch.isspace() else None

    return rule


def _nfkc_rule(keep_cjk_punct):
    def rule(ch):
        if keep_cjk_punct and ch in _CJK_SENTENCE_PUNCT:
            return ch
        if unicodedata.decomposition(ch).startswith(_UNSAFE_COMPAT):
            return ch
        return unicodedata.normalize("NFKC", ch)

    return rule


_TABLES = {
    "controls": _LazyCharTable(_control_rule(False)),
    "controls_nl": _LazyCharTable(_control_rule(True)),
    "nfkc_keep": _LazyCharTable(_nfkc_rule(True)),
    "nfkc_ascii": _LazyCharTable(_nfkc_rule(False)),
}
_STRIP_TABLE = _LazyCharTable(
    lambda ch: None if unicodedata.category(ch) in _CONTROL_CATEGORIES else ch
)


def strip_controls(text):
    """Delete control, format and surrogate characters (Unicode Cc, Cf, Cs) from ``text``."""
    return text.translate(_STRIP_TABLE)


def _normalize(text, normalize, keep_cjk_punct):
    if normalize is None or text.isascii():
        return text
    if normalize == "nfkc":
        return unicodedata.normalize("NFKC", text)
    if unicodedata.is_normalized("NFKC", text):
        return text
    # NFKC character by character (skipping unsafe characters), then NFC of the whole
    # string, equals NFKC of the string wherever no character was skipped.
    table = _TABLES["nfkc_keep" if keep_cjk_punct else "nfkc_ascii"]
    return unicodedata.normalize("NFC", text.translate(table))


def _shorten_punct_runs(text, max_repeat):
    def repl(match):
        run = match.group(0)
        if len(run) <= max_repeat or unicodedata.category(run[0])[0] != "P":
            return run
        return run[0] * max_repeat

    return _REPEATED_CHAR.sub(repl, text)


def _collapse_spaces(text, keep_newlines):
    if not keep_newlines:
        return _ANY_SPACE.sub(" ", text).strip()
    text = _HORIZONTAL_SPACE.sub(" ", text)
    return _NEWLINES.sub("\n", text).strip()


def clean_text(
    text,
    *,
    normalize="safe",
    cjk_punctuation="keep",
    remove_controls=True,
    max_punct_repeat=1,
    collapse_whitespace=True,
    keep_newlines=False,
    remove_cjk_spaces=False,
    lowercase=False,
):
    """Clean one raw text: controls, Unicode width, repeated punctuation, whitespace.

    The steps run in this order: control characters, Unicode normalisation,
    Chinese punctuation mapping, spaces between Chinese characters, repeated
    punctuation, whitespace, lowercasing. See the module docstring for what is
    deliberately left alone (``++``, ``10⁹``, ``①``).

    Parameters
    ----------
    text : str
        One text.
    normalize : {"safe", "nfkc"} or None, default="safe"
        ``"safe"``: Unicode NFKC (full-width ``ＣＴ１２`` -> ``CT12``, ideographic
        space -> space, ``℃`` -> ``°C``, compatibility ideographs -> unified
        ones) except superscripts/subscripts, circled numbers and fractions.
        ``"nfkc"``: plain NFKC of everything. ``None``: no normalisation.
    cjk_punctuation : {"keep", "ascii"}, default="keep"
        ``"keep"``: Chinese sentence punctuation stays as written (``，`` and
        ``,`` remain distinct; the comma delimits negation scope in "无胸痛，有发热"
        either way). ``"ascii"``: map it to ASCII (``，。、；：？！（）【】“”`` ->
        ``,.,;:?!()[]""``), one form per punctuation mark.
    remove_controls : bool, default=True
        Delete control, invisible format (zero-width space, BOM, bidi marks) and
        surrogate characters; whitespace controls (tab, CR, LF ...) become spaces.
    max_punct_repeat : int or None, default=1
        Shorten a run of one repeated punctuation character to this length
        (``!!!`` -> ``!``, ``……`` -> ``…``). ``None`` keeps runs.
    collapse_whitespace : bool, default=True
        Collapse whitespace runs to one space and strip both ends.
    keep_newlines : bool, default=False
        With ``collapse_whitespace``, keep one line break where the text had any.
    remove_cjk_spaces : bool, default=False
        Delete whitespace (line breaks included) between two Chinese characters or
        Chinese punctuation marks: Chinese uses no spaces, so "胸 痛" or a word
        broken across lines is a formatting error.
    lowercase : bool, default=False
        Lowercase the result (English terms; Chinese is unaffected).

    Returns
    -------
    cleaned : str

    Raises
    ------
    TypeError
        If ``text`` is not a ``str`` (``None``, bytes, numbers ...).

    Examples
    --------
    >>> from skmedtext.text import clean_text
    >>> clean_text("患者ＣＴ示：肺结节！！！\\t\\x00尿蛋白(++)，WBC 10⁹/L")
    '患者CT示：肺结节！ 尿蛋白(++)，WBC 10⁹/L'
    """
    check_str(text)
    if remove_controls:
        text = text.translate(_TABLES["controls_nl" if keep_newlines else "controls"])
    keep_cjk = cjk_punctuation == "keep"
    text = _normalize(text, normalize, keep_cjk)
    if not keep_cjk:
        text = text.translate(_ASCII_PUNCT)
    if remove_cjk_spaces:
        text = _SPACE_BETWEEN_CJK.sub("", text)
    if max_punct_repeat is not None:
        text = _shorten_punct_runs(text, max_punct_repeat)
    if collapse_whitespace:
        text = _collapse_spaces(text, keep_newlines)
    if lowercase:
        text = text.lower()
    return text


class TextCleaner(TextInputMixin, TransformerMixin, BaseEstimator):
    """Clean raw texts with :func:`clean_text` inside a scikit-learn pipeline.

    Stateless: ``fit`` only validates the parameters, and ``transform`` works
    without it. Put it before :class:`~skmedtext.text.JiebaTokenizer` or a
    vectorizer.

    Parameters
    ----------
    normalize : {"safe", "nfkc"} or None, default="safe"
        Unicode normalisation; see :func:`clean_text`.
    cjk_punctuation : {"keep", "ascii"}, default="keep"
        Keep Chinese punctuation or map it to ASCII.
    remove_controls : bool, default=True
        Delete control/format characters.
    max_punct_repeat : int or None, default=1
        Longest run of one repeated punctuation character kept.
    collapse_whitespace : bool, default=True
        Collapse whitespace runs to one space and strip the ends.
    keep_newlines : bool, default=False
        Keep one line break where the text had any.
    remove_cjk_spaces : bool, default=False
        Delete whitespace between Chinese characters.
    lowercase : bool, default=False
        Lowercase the result.

    Examples
    --------
    >>> from skmedtext.text import TextCleaner
    >>> TextCleaner().fit_transform(["胸痛  三天。。。", "ＨＢｓＡｇ (+)"]).tolist()
    ['胸痛 三天。', 'HBsAg (+)']
    """

    _parameter_constraints = {
        "normalize": [StrOptions({"safe", "nfkc"}), None],
        "cjk_punctuation": [StrOptions({"keep", "ascii"})],
        "remove_controls": ["boolean"],
        "max_punct_repeat": [Interval(numbers.Integral, 1, None, closed="left"), None],
        "collapse_whitespace": ["boolean"],
        "keep_newlines": ["boolean"],
        "remove_cjk_spaces": ["boolean"],
        "lowercase": ["boolean"],
    }

    def __init__(
        self,
        *,
        normalize="safe",
        cjk_punctuation="keep",
        remove_controls=True,
        max_punct_repeat=1,
        collapse_whitespace=True,
        keep_newlines=False,
        remove_cjk_spaces=False,
        lowercase=False,
    ):
        self.normalize = normalize
        self.cjk_punctuation = cjk_punctuation
        self.remove_controls = remove_controls
        self.max_punct_repeat = max_punct_repeat
        self.collapse_whitespace = collapse_whitespace
        self.keep_newlines = keep_newlines
        self.remove_cjk_spaces = remove_cjk_spaces
        self.lowercase = lowercase

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.requires_fit = False
        return tags

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X=None, y=None):
        """Validate the parameters (and ``X`` if given); nothing is learned.

        Parameters
        ----------
        X : sequence of str, optional
        y : ignored

        Returns
        -------
        self : TextCleaner
        """
        if X is not None:
            check_texts(X, estimator_name=type(self).__name__, allow_surrogates=True)
        return self

    def transform(self, X):
        """Clean every text.

        Parameters
        ----------
        X : sequence of str of length n

        Returns
        -------
        cleaned : ndarray of shape (n,), dtype=object
        """
        self._validate_params()
        # cleaning is what removes lone surrogates, so they must get this far
        X = check_texts(
            X, estimator_name=type(self).__name__, allow_empty=True, allow_surrogates=True
        )
        options = self.get_params()
        out = X.copy()
        for i, text in enumerate(X):
            out[i] = clean_text(text, **options)
        return out
