"""Word lists used by the vocabulary augmenter: protected terms, negations, stop words.

Also the reader for user synonym dictionaries and the matcher that finds protected
medical terms in a segmented text. Kept apart from the estimator so that the
estimator module reads as the algorithm.
"""

import os
import re
from collections.abc import Mapping
from pathlib import Path

from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

from skmedtext.text import contains_cjk, segment

__all__ = [
    "FALLBACK_MEDICAL_TERMS",
    "FALLBACK_NEGATIONS",
    "DEFAULT_PROTECTED_PATTERN",
    "CHINESE_STOP_WORDS",
    "default_protected_terms",
    "default_negations",
    "load_synonym_dictionary",
    "ProtectedTermMatcher",
    "is_word_unit",
    "is_rewritable",
]

# Negation cues and polarity words. A cue is never substituted, never inserted,
# and insertion never happens between a cue and the end of its clause. Polarity
# words (阴性/阳性, negative/positive) are listed too because swapping one for the
# other inverts a finding just as dropping a negation does.
FALLBACK_NEGATIONS = frozenset(
    {
        # Chinese
        "无", "否认", "未", "未见", "未及", "未闻", "不", "没有", "没", "非", "否",
        "勿", "莫", "排除", "阴性", "阳性", "并无", "尚无", "不伴",
        # English
        "no", "not", "denies", "denied", "deny", "denying", "without", "negative",
        "positive", "none", "never", "neither", "nor", "cannot", "absent", "absence",
        "lack", "lacks", "lacking", "lacked", "free", "excluded", "unremarkable",
    }
)

# A small medical vocabulary used only when skmedtext.text provides no medical
# dictionary: common diseases, findings and examinations in both languages.
FALLBACK_MEDICAL_TERMS = frozenset(
    {
        # Chinese
        "高血压", "糖尿病", "冠心病", "心肌梗死", "心梗", "心衰", "心力衰竭", "房颤",
        "心律失常", "脑梗", "脑梗死", "脑出血", "中风", "卒中", "癫痫", "偏头痛", "头痛",
        "头晕", "眩晕", "胸痛", "胸闷", "心悸", "气短", "呼吸困难", "咳嗽", "咳痰", "咯血",
        "发热", "发烧", "腹痛", "腹泻", "便秘", "恶心", "呕吐", "黄疸", "水肿", "贫血",
        "乙肝", "丙肝", "肝炎", "肝硬化", "脂肪肝", "肝癌", "大三阳", "小三阳", "胃炎",
        "胃溃疡", "肠炎", "胰腺炎", "胆囊炎", "肺炎", "哮喘", "支气管炎", "肺结核", "结核",
        "肾炎", "肾衰竭", "尿毒症", "蛋白尿", "血尿", "痛风", "甲亢", "甲减", "甲状腺",
        "红斑狼疮", "类风湿", "关节炎", "白血病", "淋巴瘤", "肿瘤", "癌症", "艾滋病",
        "梅毒", "感冒", "流感", "帕金森", "抑郁症", "失眠", "血压", "血糖", "血脂",
        "心电图", "彩超", "CT", "核磁共振", "胃镜", "肠镜", "转氨酶", "胆红素", "肌酐",
        "卵圆孔未闭", "房间隔缺损", "室间隔缺损", "右向左分流", "发绀", "紫绀",
        # English
        "hypertension", "diabetes", "diabetes mellitus", "myocardial infarction",
        "heart failure", "atrial fibrillation", "arrhythmia", "stroke", "epilepsy",
        "migraine", "headache", "chest pain", "dyspnea", "cough", "fever", "pneumonia",
        "asthma", "tuberculosis", "hepatitis", "cirrhosis", "cancer", "carcinoma",
        "tumor", "tumour", "neoplasm", "neoplasms", "metastasis", "lymphoma",
        "leukemia", "anemia", "sepsis", "infection", "hiv", "aids", "renal failure",
        "nephritis", "gout", "arthritis", "lupus", "obesity", "depression",
        "schizophrenia", "dementia", "alzheimer's disease", "parkinson's disease",
        "coronary artery disease", "angina", "thrombosis", "embolism", "aneurysm",
        "ischemia", "insulin", "chemotherapy", "radiotherapy", "surgery",
        "patent foramen ovale",
    }
)

# Function words that carry no content: substituting them only breaks grammar,
# and word2vec neighbours of function words are other function words.
CHINESE_STOP_WORDS = frozenset(
    {
        "的", "了", "是", "我", "你", "他", "她", "它", "我们", "你们", "他们", "吗", "呢",
        "吧", "啊", "呀", "哦", "在", "和", "与", "及", "或", "或者", "也", "都", "就",
        "还", "又", "有", "这", "那", "这个", "那个", "很", "会", "能", "要", "可以", "一个",
        "什么", "怎么", "怎么办", "怎样", "如何", "为什么", "请问", "一下", "一些", "但",
        "但是", "而", "而且", "因为", "所以", "如果", "就是", "被", "把", "给", "对", "从",
        "到", "让", "着", "过", "得", "地", "之", "其", "该", "等", "您好", "你好", "谢谢",
        "的话", "自己", "然后", "已经", "现在", "还是", "这样", "那样", "这些", "那些",
        "比较", "特别", "一直", "经常", "时候", "知道", "想", "说", "请", "麻烦", "大家",
        "一点", "有点", "有些", "还有", "应该", "需要", "可能", "是否", "是不是", "怎么回事",
        "问题", "情况", "这种", "那种", "哪些", "多少", "之后", "以后", "以前", "之前",
    }
)

# Word shapes of disease, procedure and finding names, protected like dictionary
# terms: English medical suffixes (carcinoma, pancreatitis, thrombosis, anaemia,
# neuropathy, colectomy, rhabdomyolysis, ...) and Chinese words ending in a
# disease or pain character (肝炎, 肺癌, 糖尿病, 抑郁症, 综合征, 痢疾, 溃疡, 头痛,
# ...). A few ordinary words match too (analysis, diagnosis, 毛病); they are then
# only left unchanged.
DEFAULT_PROTECTED_PATTERN = (
    r"[a-z\-]{2,}(?:oma|omas|omata|itis|itides|osis|oses|iasis|aemia|emia|emias"
    r"|pathy|pathies|ectomy|ectomies|otomy|ostomy|plasty|scopy|algia|uria|penia"
    r"|lysis|megaly|plegia|plasia|trophy|rrhea|rrhoea|rrhage|cele)"
    r"|[\u3400-\u9fff]*[炎癌瘤病症征疮疹]"
)

_HAS_LETTER = re.compile(r"[A-Za-z\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_HAS_DIGIT = re.compile(r"\d")
# HIT Tongyici Cilin (同义词词林) line codes, e.g. "Aa01A01=": '=' synonyms,
# '#' related but not synonymous, '@' a word with no synonym.
_CILIN_CODE = re.compile(r"^[A-Za-z]{2}\d{2}[A-Za-z]\d{2}([=#@])$")
_SPLIT = re.compile(r"[\s,;，；、|]+")


def is_rewritable(unit):
    """True for a word the augmenter may replace or write.

    A word unit (see :func:`is_word_unit`) that is not a single Chinese character
    (particles, measure words and verbs such as 岁/点/吃 whose word2vec neighbours
    are rarely interchangeable) and not an upper-case acronym (``MR``, ``HIV``:
    abbreviations in medical text are nearly always medical terms).
    """
    if not is_word_unit(unit):
        return False
    if len(unit) == 1 and contains_cjk(unit):
        return False
    return not (len(unit) > 1 and unit.isupper() and unit.isascii())


def is_word_unit(unit):
    """True for a unit with a letter or CJK ideograph and no digit.

    Punctuation, numbers and alphanumeric codes (doses, ``HbA1c``, ``B超``) are
    never altered: they carry values, not wording.
    """
    return bool(_HAS_LETTER.search(unit)) and not _HAS_DIGIT.search(unit)


def _text_module_attr(name):
    """``skmedtext.text.<name>`` if that module defines it, else None."""
    import skmedtext.text

    return getattr(skmedtext.text, name, None)


def _terms_from(obj):
    """Flatten what a dictionary loader may return into a set of str terms."""
    if obj is None:
        return set()
    if isinstance(obj, (str, os.PathLike)):
        return read_term_file(obj)
    if hasattr(obj, "columns") and hasattr(obj, "iloc"):  # a DataFrame: first column
        obj = obj.iloc[:, 0].tolist()
    if isinstance(obj, Mapping):
        obj = obj.keys()
    terms = set()
    for item in obj:
        if isinstance(item, (tuple, list)) and item:
            item = item[0]  # (word, freq, tag) rows of a jieba user dictionary
        if isinstance(item, str) and item.strip():
            terms.add(item.strip())
    return terms


def default_protected_terms():
    """The medical terms protected by default.

    ``skmedtext.text.load_medical_dictionary()`` (the bundled Chinese medical
    dictionary) when that function exists and works, together with the small
    built-in bilingual :data:`FALLBACK_MEDICAL_TERMS` (the bundled dictionary has
    no English terms).

    Returns
    -------
    terms : frozenset of str
    """
    terms = set(FALLBACK_MEDICAL_TERMS)
    loader = _text_module_attr("load_medical_dictionary")
    if loader is not None:
        try:
            terms |= _terms_from(loader())
        except Exception:  # noqa: BLE001 - a broken optional dictionary must not break sampling
            pass
    return frozenset(terms)


def default_negations():
    """Negation cues protected by default: ``skmedtext.text.NEGATIONS`` (if it exists)
    together with :data:`FALLBACK_NEGATIONS` (the union is the safer choice)."""
    shared = _text_module_attr("NEGATIONS")
    extra = _terms_from(shared) if shared is not None else set()
    return frozenset(w.lower() for w in FALLBACK_NEGATIONS | extra)


def read_term_file(path):
    """Read one term per line; extra fields (jieba ``word freq tag``) are ignored."""
    terms = set()
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            line = line.strip()
            if line and not line.startswith("#"):
                terms.add(line.split()[0])
    return terms


def load_synonym_dictionary(source):
    """Read a user synonym dictionary into ``{word: [synonyms, ...]}``.

    Parameters
    ----------
    source : str, path-like or mapping
        A mapping ``{word: synonym or [synonyms]}`` (directional: only the keys
        get substituted), or a UTF-8 text file with one group of mutual synonyms
        per line, separated by whitespace, commas, semicolons, ``、`` or ``|``.
        Lines starting with ``#`` are comments. Lines in the HIT Tongyici Cilin
        format (``Aa01A01= 人 士 人物``) are understood: ``=`` groups are used,
        ``#`` (related) and ``@`` (single word) lines are skipped.

    Returns
    -------
    synonyms : dict of str -> list of str
        Keys are lower-cased; the lists keep first-seen order without duplicates
        and never contain the key itself.

    Examples
    --------
    >>> from skmedtext.augment import load_synonym_dictionary
    >>> load_synonym_dictionary({"Fever": ["pyrexia"]})
    {'fever': ['pyrexia']}
    """
    table = {}

    def add(word, synonyms):
        word = word.strip().lower()
        bucket = table.setdefault(word, [])
        for syn in synonyms:
            syn = syn.strip()
            if syn and syn.lower() != word and syn not in bucket:
                bucket.append(syn)

    if isinstance(source, Mapping):
        for word, syns in source.items():
            if not isinstance(word, str):
                raise TypeError(f"synonym dictionary keys must be str; got {type(word).__name__}.")
            syns = [syns] if isinstance(syns, str) else list(syns)
            if not all(isinstance(s, str) for s in syns):
                raise TypeError(f"synonyms of {word!r} must be str.")
            add(word, syns)
        return {k: v for k, v in table.items() if v}

    path = Path(source)
    if not path.is_file():
        raise ValueError(f"synonym dictionary file not found: {str(path)!r}.")
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            words = [w for w in _SPLIT.split(line.strip()) if w]
            if not words or words[0].startswith("#"):
                continue
            code = _CILIN_CODE.match(words[0])
            if code:
                if code.group(1) != "=":
                    continue
                words = words[1:]
            for word in words:
                add(word, [w for w in words if w != word])
    return {k: v for k, v in table.items() if v}


class ProtectedTermMatcher:
    """Find protected terms in a segmented text and report them as character spans.

    Terms with CJK characters are matched as substrings of the (lower-cased)
    text, wherever jieba put its word boundaries; other terms are matched as
    whole word sequences (case-insensitive), so ``no`` never matches inside
    ``not``.

    Parameters
    ----------
    terms : iterable of str
    pattern : str or None
        A regular expression; every unit it matches entirely (case-insensitive)
        is protected as well.
    """

    def __init__(self, terms, pattern=None):
        self.pattern = re.compile(pattern, re.IGNORECASE) if pattern else None
        self.cjk = {}  # first char -> sorted lengths (longest first) of CJK terms
        self.cjk_terms = set()
        self.words = {}  # first word -> lengths of word-sequence terms
        self.word_terms = set()
        for term in terms:
            term = term.strip().lower()
            if not term:
                continue
            if contains_cjk(term):
                self.cjk_terms.add(term)
                self.cjk.setdefault(term[0], set()).add(len(term))
            else:
                units = tuple(u.lower() for u in segment(term))
                if units:
                    self.word_terms.add(units)
                    self.words.setdefault(units[0], set()).add(len(units))
        self.cjk = {k: sorted(v, reverse=True) for k, v in self.cjk.items()}
        self.words = {k: sorted(v, reverse=True) for k, v in self.words.items()}

    def contains(self, word):
        """True if ``word`` is, or contains, a protected term."""
        low = word.lower()
        if any(True for _ in self._cjk_spans(low)):
            return True
        if self.pattern is not None and self.pattern.fullmatch(low):
            return True
        if contains_cjk(low):
            return False
        return any(True for _ in self._word_matches([u.lower() for u in segment(low)]))

    def spans(self, text, units, starts, ends):
        """Character spans ``(start, end)`` of protected terms in ``text``."""
        found = list(self._cjk_spans(text.lower()))
        for i, size in self._word_matches([u.lower() for u in units]):
            found.append((starts[i], ends[i + size - 1]))
        if self.pattern is not None:
            found += [
                (starts[i], ends[i]) for i, u in enumerate(units) if self.pattern.fullmatch(u)
            ]
        return found

    def _word_matches(self, lowered):
        """``(first unit, n units)`` of each word-sequence term in ``lowered``."""
        for i, unit in enumerate(lowered):
            for size in self.words.get(unit, ()):
                if tuple(lowered[i : i + size]) in self.word_terms:
                    yield i, size
                    break

    def _cjk_spans(self, low):
        if not self.cjk:
            return
        for i, ch in enumerate(low):
            for size in self.cjk.get(ch, ()):
                if low[i : i + size] in self.cjk_terms:
                    yield i, i + size
                    break


def resolve_word_set(value, default, *, name):
    """``"default"`` -> ``default``; None -> empty; a collection -> lower-cased set."""
    if isinstance(value, str):
        if value != "default":
            raise ValueError(
                f"{name} must be 'default', None or a collection of str; got {value!r}."
            )
        return frozenset(default)
    if value is None:
        return frozenset()
    words = set()
    for word in value:
        if not isinstance(word, str):
            raise TypeError(f"{name} must contain str; found {type(word).__name__}.")
        words.add(word.strip().lower())
    return frozenset(words)


def default_stop_words():
    """English (scikit-learn's list) and Chinese function words."""
    return frozenset(ENGLISH_STOP_WORDS) | CHINESE_STOP_WORDS
