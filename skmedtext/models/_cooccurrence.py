"""Disease mentions and corpus-level co-occurrence labels for DMT-BERT's auxiliary task.

Definitions (paper 000 leaves them open; these are skmedtext's):

* **Disease terms.** Either the user's lexicon (``disease_terms``: list or a UTF-8 file,
  one term per line), or terms mined from the training texts by
  :func:`extract_disease_terms`: Chinese jieba words ending in 病 / 症 / 炎 / 癌 / 瘤 /
  综合征 / 综合症 (at least two characters), English words ending in -itis, -oma,
  -emia/-aemia, -osis (minus a few non-diseases such as "diagnosis"), and English
  bigrams "<word> disease|syndrome|cancer|disorder" whose first word is not a stop
  word. Mined terms must occur in at least ``min_term_records`` training records.
* **Mentions.** Every non-overlapping occurrence of a term in a text (longest term
  first, case-insensitive; English terms only at word boundaries), mapped to the
  encoder tokens that overlap its characters.
* **Labels.** Two different terms *co-occur* when both are mentioned in at least
  ``min_cooccur`` training records. During training every pair of mentions of
  different terms inside a batch (across records, so that negatives exist) is a
  binary example with ``y_ij = 1`` iff its two terms co-occur.
"""

import re
from collections import Counter
from itertools import combinations
from pathlib import Path

import numpy as np

from skmedtext.text import contains_cjk, segment

__all__ = [
    "extract_disease_terms",
    "load_disease_terms",
    "TermMatcher",
    "cooccurring_pairs",
]

_ZH_SUFFIXES = ("综合征", "综合症", "病", "症", "炎", "癌", "瘤")
_EN_SUFFIX = re.compile(r"^[a-z][a-z\-]{2,}(?:itis|oma|omas|emia|aemia|osis)$")
_EN_NOT_DISEASE = {"diagnosis", "prognosis", "hypnosis", "osmosis", "stoma", "aroma", "diploma", "coma"}
_EN_HEADS = ("disease", "syndrome", "cancer", "disorder")
_EN_STOP = {
    "the", "a", "an", "of", "in", "with", "and", "or", "for", "to", "this", "that", "these",
    "their", "its", "his", "her", "no", "not", "without", "by", "on", "as", "at", "from",
    "other", "any", "all", "such", "is", "was", "were", "be", "been", "are", "which", "who",
}


def _terms_in(text):
    if contains_cjk(text):
        return {
            w for w in segment(text, level="word") if len(w) >= 2 and w.endswith(_ZH_SUFFIXES)
        }
    words = re.findall(r"[a-z][a-z'\-]*", text.lower())
    found = {w for w in words if _EN_SUFFIX.match(w) and w not in _EN_NOT_DISEASE}
    for first, second in zip(words, words[1:]):
        if second in _EN_HEADS and first not in _EN_STOP and len(first) > 2:
            found.add(f"{first} {second}")
    return found


def extract_disease_terms(texts, min_term_records=2, max_terms=1000):
    """Mine disease terms from texts (see the module docstring for the rule).

    Parameters
    ----------
    texts : iterable of str
    min_term_records : int, default=2
        Keep terms found in at least this many texts.
    max_terms : int, default=1000
        Keep at most this many, the most frequent first.

    Returns
    -------
    terms : list of str

    Examples
    --------
    >>> from skmedtext.models import extract_disease_terms
    >>> extract_disease_terms(["Chronic hepatitis and lymphoma.", "Hepatitis with lymphoma"])
    ['hepatitis', 'lymphoma']
    """
    counts = Counter()
    for text in texts:
        counts.update(_terms_in(text))
    kept = [(t, c) for t, c in counts.items() if c >= min_term_records]
    kept.sort(key=lambda tc: (-tc[1], tc[0]))
    return sorted(t for t, _ in kept[:max_terms])


def load_disease_terms(disease_terms):
    """Normalise a user lexicon: a list of terms or a path to a one-term-per-line file."""
    if isinstance(disease_terms, (str, Path)):
        path = Path(disease_terms)
        if not path.is_file():
            raise FileNotFoundError(f"disease_terms file not found: {path}")
        terms = [line.strip() for line in path.read_text(encoding="utf-8").splitlines()]
    else:
        terms = [str(t).strip() for t in disease_terms]
    terms = sorted({t for t in terms if t})
    if not terms:
        raise ValueError("disease_terms is empty.")
    return terms


class TermMatcher:
    """Find term mentions in texts (longest first, case-insensitive)."""

    def __init__(self, terms):
        self.terms = list(terms)
        self.index = {t.lower(): i for i, t in enumerate(self.terms)}
        alternatives = []
        for term in sorted(self.terms, key=len, reverse=True):
            escaped = re.escape(term.lower())
            alternatives.append(escaped if contains_cjk(term) else rf"(?<![a-z]){escaped}(?![a-z])")
        self._pattern = re.compile("|".join(alternatives)) if alternatives else None

    def __getstate__(self):
        return {"terms": self.terms}

    def __setstate__(self, state):
        self.__init__(state["terms"])

    def find(self, text):
        """Return ``[(char_start, char_end, term_id), ...]`` for ``text``."""
        if self._pattern is None:
            return []
        lowered = text.lower()
        return [(m.start(), m.end(), self.index[m.group(0)]) for m in self._pattern.finditer(lowered)]


def cooccurring_pairs(mentions_per_record, min_cooccur=2):
    """Pairs of term ids ``(a, b)``, ``a < b``, mentioned together in >= ``min_cooccur`` records."""
    counts = Counter()
    for mentions in mentions_per_record:
        ids = sorted({int(term) for _, _, term in mentions})
        counts.update(combinations(ids, 2))
    return frozenset(pair for pair, c in counts.items() if c >= min_cooccur)


def token_spans(offsets, char_spans, shift=0):
    """Map character spans to ``[token_start, token_end)`` through a tokenizer's offsets.

    ``offsets`` is the fast tokenizer's ``offset_mapping`` (special tokens have
    ``(0, 0)``); ``shift`` is the length of a prefix prepended before tokenising.
    Spans cut off by truncation are dropped.
    """
    offsets = np.asarray(offsets)
    real = offsets[:, 1] > offsets[:, 0]
    spans = []
    for start, end, term in char_spans:
        start, end = start + shift, end + shift
        hit = np.flatnonzero(real & (offsets[:, 0] < end) & (offsets[:, 1] > start))
        if hit.size:
            spans.append((int(hit[0]), int(hit[-1]) + 1, int(term)))
    return spans
