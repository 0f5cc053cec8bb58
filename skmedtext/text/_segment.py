"""Splitting texts into units: Chinese characters, jieba words, or English words."""

import re

__all__ = ["segment", "contains_cjk"]

_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_EN_WORD = re.compile(r"[A-Za-z]+(?:['\-][A-Za-z]+)*|\d+(?:\.\d+)?|[^\sA-Za-z\d]")


def contains_cjk(text):
    """Return True if ``text`` has at least one CJK ideograph."""
    return bool(_CJK.search(text))


def segment(text, level="word", *, tokenizer=None):
    """Split one text into a list of units.

    Parameters
    ----------
    text : str
    level : {"word", "char"}
        ``"char"``: every non-space character is a unit (Chinese char level, paper
        003). ``"word"``: jieba words for text containing CJK characters, regex
        words/numbers/punctuation otherwise.
    tokenizer : jieba.Tokenizer, optional
        A jieba tokenizer carrying a user medical dictionary; default jieba's global one.

    Examples
    --------
    >>> from skmedtext.text import segment
    >>> segment("胸痛三天", level="char")
    ['胸', '痛', '三', '天']
    """
    if level == "char":
        return [ch for ch in text if not ch.isspace()]
    if level != "word":
        raise ValueError(f"level must be 'word' or 'char'; got {level!r}.")
    if contains_cjk(text):
        if tokenizer is None:
            import jieba

            jieba.setLogLevel(60)
            tokenizer = jieba.dt
        return [w for w in tokenizer.lcut(text) if w.strip()]
    return _EN_WORD.findall(text)
