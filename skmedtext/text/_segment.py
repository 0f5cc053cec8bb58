"""Splitting texts into units: Chinese characters, jieba words, or English words."""

import re

from skmedtext.text._clean import strip_controls
from skmedtext.text._dictionary import default_jieba
from skmedtext.text._validation import check_str

__all__ = ["segment", "contains_cjk"]

# CJK unified ideographs: Extension A, the main block, compatibility ideographs, and
# the supplementary-plane extensions (rare characters in names and old records).
_CJK_RANGES = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002fa1f"
_CJK = re.compile(f"[{_CJK_RANGES}]")
# A word character that is not an ideograph: Latin (any script) letters, digits, "_".
_NON_CJK_WORD = f"[^\\W{_CJK_RANGES}]"
# One unit: an ideograph; or a word of letters/digits, with inner ' - . joining parts
# ("don't", "covid-19", "37.5", "hba1c"); or a single other non-space character.
_UNITS = re.compile(
    f"[{_CJK_RANGES}]|{_NON_CJK_WORD}+(?:['\\-.]{_NON_CJK_WORD}+)*|[^\\w\\s]"
)


def contains_cjk(text):
    """Return True if ``text`` has at least one CJK ideograph."""
    return bool(_CJK.search(text))


def _clean_units(units, lowercase):
    """Drop whitespace-only units and control characters; lowercase if asked."""
    out = []
    for unit in units:
        unit = strip_controls(unit).strip()
        if unit:
            out.append(unit.lower() if lowercase else unit)
    return out


def segment(text, level="word", *, tokenizer=None, lowercase=False, hmm=True):
    """Split one text into a list of units.

    Parameters
    ----------
    text : str
    level : {"word", "char"}, default="word"
        ``"char"`` (paper 003's character level): every Chinese character is a
        unit; English and numbers stay whole words (``"CT"``, ``"37.5"``,
        ``"covid-19"``); any other non-space character (punctuation, symbols) is
        a unit of its own. ``"word"``: jieba words for a text containing Chinese
        characters, the same regex words as ``"char"`` for text without them.
    tokenizer : jieba.Tokenizer, optional
        The jieba tokenizer for word level. By default a private one (never
        jieba's global ``jieba.dt``) carrying skmedtext's bundled medical
        dictionary with frequency adjustment, so terms such as 房间隔缺损 or
        动脉导管未闭 stay whole; it is built once per process on first use (about
        a second). Pass ``JiebaTokenizer(...).fit().jieba_tokenizer_`` for your own
        dictionary, or ``jieba.dt`` for plain jieba.
    lowercase : bool, default=False
        Lowercase the units (English terms).
    hmm : bool, default=True
        Let jieba's HMM join characters that are not in any dictionary.

    Returns
    -------
    units : list of str
        Never contains whitespace or control characters.

    Raises
    ------
    TypeError
        If ``text`` is not a str.
    ValueError
        If ``level`` is not "word" or "char".

    Examples
    --------
    >>> from skmedtext.text import segment
    >>> segment("胸痛三天", level="char")
    ['胸', '痛', '三', '天']
    >>> segment("患者诊断为房间隔缺损")
    ['患者', '诊断', '为', '房间隔缺损']
    >>> segment("Chest pain, T 37.5", lowercase=True)
    ['chest', 'pain', ',', 't', '37.5']
    """
    check_str(text)
    if level not in ("word", "char"):
        raise ValueError(f"level must be 'word' or 'char'; got {level!r}.")
    if level == "char" or not contains_cjk(text):
        return _clean_units(_UNITS.findall(text), lowercase)
    if tokenizer is None:
        tokenizer = default_jieba()
    return _clean_units(tokenizer.lcut(text, HMM=hmm), lowercase)
