"""Negation cue words of Chinese and English clinical text.

Replacing or dropping one of these flips what a record says ("无胸痛" -> "胸痛"), so
text augmentation must leave them alone and feature code may want to flag them.
Chinese entries are jieba units (the multi-character ones are in the bundled medical
dictionary, so :class:`~skmedtext.text.JiebaTokenizer` keeps them whole); English
entries are lowercase tokens as :func:`~skmedtext.text.segment` produces them with
``lowercase=True``.
"""

__all__ = ["NEGATIONS", "NEGATIONS_ZH", "NEGATIONS_EN"]

NEGATIONS_ZH = frozenset(
    {
        "无", "未", "不", "没", "没有", "否", "否认", "非", "未见", "未及", "未闻及",
        "未触及", "未诉", "未发现", "未曾", "从未", "并无", "无明显", "不伴", "排除",
        "阴性",  # a negative test result: swapping it for 阳性 inverts the finding
    }
)

NEGATIONS_EN = frozenset(
    {
        "no", "not", "non", "nor", "neither", "never", "none", "nothing", "without",
        "deny", "denies", "denied", "denying", "negative", "absent", "absence",
        "lack", "lacks", "lacked", "lacking", "cannot",
        "don't", "doesn't", "didn't", "isn't", "wasn't", "aren't", "weren't",
        "hasn't", "haven't", "hadn't", "won't", "can't", "couldn't",
    }
)

NEGATIONS = NEGATIONS_ZH | NEGATIONS_EN
