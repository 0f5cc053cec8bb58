"""Rewriting one text: its word units, where it may change, and one random rewrite.

:func:`analyse` finds, once per source text, the units that may be substituted
and the gaps where a word may be inserted (with their candidates from the
:class:`~skmedtext.augment._candidates.Lexicon`); :func:`rewrite` then draws one
augmented text from that analysis (eq. 25 of paper 000).
"""

from dataclasses import dataclass

import numpy as np

from skmedtext.augment._lexicon import is_rewritable, is_word_unit
from skmedtext.text import JiebaTokenizer, contains_cjk, segment

__all__ = ["Segments", "Source", "analyse", "rewrite"]

# Units that end a sentence (context of an insertion) and a clause (scope of a
# negation); a line break ends both.
_SENTENCE_END = frozenset({"。", "！", "？", "!", "?", ".", ";", "；", "…"})
# 、 is missing on purpose: it separates items of one list, all under the same
# negation ("无发热、咳嗽、咳痰").
_CLAUSE_END = _SENTENCE_END | frozenset({",", "，", ":", "：", "(", ")", "（", "）"})



@dataclass
class Source:
    """Everything about one source text that does not depend on the random draws."""

    text: str
    units: list
    starts: np.ndarray
    ends: np.ndarray
    eligible: np.ndarray  # indices of units that may be substituted
    substitutes: list  # candidate replacements, aligned with ``eligible``
    slots: np.ndarray  # indices of units after which a word may be inserted
    slot_candidates: list  # ranked insertion candidates, aligned with ``slots``


class Segments:
    """Word units of each text, segmented once on first use (jieba is the slow part).

    Chinese goes through :class:`~skmedtext.text.JiebaTokenizer` (jieba with the
    bundled medical dictionary, built once per fit), English through the same
    regex words as :func:`~skmedtext.text.segment`; case is kept.
    """

    def __init__(self, texts):
        self.texts = texts
        self._units = {}
        self._tokenizer = None

    def __len__(self):
        return len(self.texts)

    def __getitem__(self, i):
        if i not in self._units:
            text = self.texts[i]
            if not contains_cjk(text):  # regex words: no need to load jieba
                self._units[i] = segment(text, level="word")
            else:
                if self._tokenizer is None:
                    self._tokenizer = JiebaTokenizer(lowercase=False).fit()
                self._units[i] = self._tokenizer.tokenize(text)
        return self._units[i]


def _offsets(text, units):
    """Start/end character offsets of units produced, in order, from ``text``.

    None when a unit is not found verbatim (the segmenter dropped a control
    character inside it): such a text is then left unchanged rather than edited
    at a guessed position.
    """
    starts, ends, pos = [], [], 0
    for unit in units:
        start = text.find(unit, pos)
        if start < 0:
            return None
        starts.append(start)
        ends.append(start + len(unit))
        pos = start + len(unit)
    return np.asarray(starts, dtype=int), np.asarray(ends, dtype=int)


def _span_ids(text, spans):
    """Per-character id of the protected span covering it (-1: none), longest first."""
    ids = np.full(len(text) + 1, -1, dtype=int)
    for k, (start, end) in enumerate(sorted(spans, key=lambda s: s[0] - s[1])):
        free = ids[start:end] == -1
        ids[start:end][free] = k
    return ids


def _newline_before(text, starts, ends):
    """True for each unit preceded by a line break (the title/body break of a question)."""
    gaps = [text[: starts[0]]] if len(starts) else []
    gaps += [text[e:s] for e, s in zip(ends[:-1], starts[1:])]
    return np.array(["\n" in gap for gap in gaps], dtype=bool)


def _sentence_ids(units, newline_before):
    """Sentence number of each unit: a new sentence after end punctuation or a line break."""
    ids, current = [], 0
    for i, unit in enumerate(units):
        if i > 0 and (units[i - 1] in _SENTENCE_END or newline_before[i]):
            current += 1
        ids.append(current)
    return np.asarray(ids, dtype=int)


def _negation_blocked(units, newline_before, lexicon):
    """Units after which nothing may be inserted because a negation governs them:
    from a cue up to the end of its clause (the next clause punctuation unit or
    line break), so the gap just before that punctuation is blocked too."""
    blocked = np.zeros(len(units), dtype=bool)
    in_scope = False
    for i, unit in enumerate(units):
        if unit in _CLAUSE_END or newline_before[i]:
            in_scope = False
        if lexicon.is_negation(unit):
            in_scope = True
        blocked[i] = in_scope
    return blocked


def analyse(text, units, lexicon, need_insertion):
    offsets = _offsets(text, units)
    if offsets is None:
        units = []
        offsets = np.zeros(0, dtype=int), np.zeros(0, dtype=int)
    starts, ends = offsets
    n = len(units)
    span_id = _span_ids(text, lexicon.matcher.spans(text, units, starts, ends))
    protected = np.array([(span_id[s:e] >= 0).any() for s, e in zip(starts, ends)], dtype=bool)
    content = np.array(
        [is_word_unit(u) and u.lower() not in lexicon.stop_words for u in units], dtype=bool
    )
    negation = np.array([lexicon.is_negation(u) for u in units], dtype=bool)

    eligible, substitutes = [], []
    # the shape rule (no single Chinese character, no acronym) guards word2vec
    # neighbours; a word the user's dictionary lists is substitutable regardless
    shaped = np.array([is_rewritable(u) or u.lower() in lexicon.table for u in units], dtype=bool)
    candidates = np.flatnonzero(content & shaped & ~protected & ~negation)
    lexicon.prefetch([units[i] for i in candidates])
    for i in candidates:
        cands = lexicon.substitutes(units[i])
        if cands:
            eligible.append(i)
            substitutes.append(cands)

    slots, slot_candidates = [], []
    if need_insertion and n:
        newline_before = _newline_before(text, starts, ends)
        sentence = _sentence_ids(units, newline_before)
        groups = [[] for _ in range(sentence[-1] + 1)]
        for unit, k, is_content in zip(units, sentence, content):
            if is_content:
                groups[k].append(unit)
        ranked = lexicon.context_candidates(groups, exclude=units)
        whole = None
        inside_span = np.zeros(n, dtype=bool)  # unit i and unit i+1 are one protected term
        right = span_id[starts[1:]]
        inside_span[:-1] = (span_id[ends[:-1] - 1] == right) & (right >= 0)
        blocked = inside_span | _negation_blocked(units, newline_before, lexicon)
        for i in range(n):
            if blocked[i] or not is_word_unit(units[i]):
                continue
            cands = ranked[sentence[i]]
            if not cands:  # a sentence with no known content word: use the whole text
                if whole is None:
                    words = [u for u, c in zip(units, content) if c]
                    whole = lexicon.context_candidates([words], units)[0]
                cands = whole
            if cands:
                slots.append(i)
                slot_candidates.append(cands)

    return Source(
        text=text,
        units=units,
        starts=starts,
        ends=ends,
        eligible=np.asarray(eligible, dtype=int),
        substitutes=substitutes,
        slots=np.asarray(slots, dtype=int),
        slot_candidates=slot_candidates,
    )


def _match_case(word, original):
    if original.isupper() and len(original) > 1 and not contains_cjk(original):
        return word.upper()
    if original[:1].isupper() and not contains_cjk(original):
        return word[:1].upper() + word[1:]
    return word


def rewrite(source, rng, p_substitute, p_insert):
    """One augmented text of ``source`` and its operation counts.

    Every eligible unit gets its own Bernoulli(p_substitute) draw (eq. 25) and
    every insertion slot its own Bernoulli(p_insert) draw; chosen words are drawn
    uniformly from the candidate lists.
    """
    replaced = {}
    hits = rng.random_sample(source.eligible.shape[0]) < p_substitute
    for j in np.flatnonzero(hits):
        cands, i = source.substitutes[j], source.eligible[j]
        replaced[i] = _match_case(cands[rng.randint(len(cands))], source.units[i])
    inserted = {}
    hits = rng.random_sample(source.slots.shape[0]) < p_insert
    for j in np.flatnonzero(hits):
        cands = source.slot_candidates[j]
        inserted[source.slots[j]] = cands[rng.randint(len(cands))]

    text, pieces, pos = source.text, [], 0
    for i, unit in enumerate(source.units):
        pieces.append(text[pos : source.starts[i]])
        pieces.append(replaced.get(i, unit))
        if i in inserted:
            word = inserted[i]
            # a space between two Latin words, nothing next to Chinese
            joiner = "" if contains_cjk(unit) or contains_cjk(word) else " "
            pieces.append(joiner + word)
        pos = source.ends[i]
    pieces.append(text[pos:])
    return "".join(pieces), len(replaced), len(inserted)
