"""Vocabulary augmentation (paper 000, "Data enhancement", eq. 25) as an over-sampler.

Synthetic minority texts are made from real ones by two word-level operations:
synonym substitution, each eligible word replaced independently with probability
``p`` so that ``P(T'|T) = p**k * (1 - p)**(n - k)``, and random insertion of
words ranked by their similarity to the sentence context.
"""

import copy
import math
import numbers
import os
import re
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
from imblearn.over_sampling.base import BaseOverSampler
from imblearn.utils import Substitution, check_target_type
from imblearn.utils._docstring import _random_state_docstring
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import HasMethods, Interval, StrOptions

from skmedtext.augment._lexicon import (
    DEFAULT_PROTECTED_PATTERN,
    ProtectedTermMatcher,
    default_negations,
    default_protected_terms,
    default_stop_words,
    is_rewritable,
    is_word_unit,
    load_synonym_dictionary,
    read_term_file,
    resolve_word_set,
)
from skmedtext.text import JiebaTokenizer, contains_cjk, segment
from skmedtext.utils import TextInputMixin, check_sampler_target, check_text_target, check_texts

__all__ = ["VocabularyAugmenter"]

_WORD2VEC_DEFAULTS = {
    "vector_size": 100,
    "window": 5,
    "min_count": 2,
    "sg": 1,  # skip-gram: on a few thousand texts CBOW puts every word at cosine ~0.99
    "negative": 5,
    "epochs": 5,
    "workers": 1,  # one worker thread: gensim is only reproducible single-threaded
}
# Units that end a sentence (context of an insertion) and a clause (scope of a
# negation); a line break ends both.
_SENTENCE_END = frozenset({"。", "！", "？", "!", "?", ".", ";", "；", "…"})
# 、 is missing on purpose: it separates items of one list, all under the same
# negation ("无发热、咳嗽、咳痰").
_CLAUSE_END = _SENTENCE_END | frozenset({",", "，", ":", "：", "(", ")", "（", "）"})


@dataclass
class _Source:
    """Everything about one source text that does not depend on the random draws."""

    text: str
    units: list
    starts: np.ndarray
    ends: np.ndarray
    eligible: np.ndarray  # indices of units that may be substituted
    substitutes: list  # candidate replacements, aligned with ``eligible``
    slots: np.ndarray  # indices of units after which a word may be inserted
    slot_candidates: list  # ranked insertion candidates, aligned with ``slots``


class _Lexicon:
    """Protected terms, negations, stop words and the two sources of related words."""

    def __init__(
        self, *, protected, pattern, negations, stop_words, table, kv, acronyms, n_neighbors,
        min_sim,
    ):
        self.matcher = ProtectedTermMatcher(protected, pattern)
        self.acronyms = acronyms
        self.negations = negations
        cjk_cues = sorted((w for w in negations if contains_cjk(w)), key=len, reverse=True)
        self.cjk_negation = re.compile("|".join(map(re.escape, cjk_cues))) if cjk_cues else None
        self.stop_words = stop_words
        self.table = table
        self.kv = kv
        self.n_neighbors = n_neighbors
        self.min_sim = min_sim
        self._cache = {}
        if kv is not None:
            self.vectors = _centred(kv.get_normed_vectors())
            # words the augmenter may ever write: decided once over the vocabulary
            self.writable = np.fromiter(
                (self.may_write(w) for w in kv.index_to_key), dtype=bool, count=len(kv)
            )

    def restricted_to(self, words):
        """A copy that only writes word2vec words from ``words`` (lower-cased);
        dictionary synonyms stay as given."""
        other = copy.copy(self)
        other._cache = {}
        if self.kv is not None:
            keep = np.zeros(len(self.kv), dtype=bool)
            keep[[self.kv.key_to_index[w] for w in words if w in self.kv.key_to_index]] = True
            other.writable = self.writable & keep
        return other

    def is_negation(self, unit):
        """A negation cue or polarity word. CJK units containing a cue count too
        (jieba glues 无/不/未 to the next word: 无力, 不伴, 未见), and so do English
        words with the prefix ``non``."""
        low = unit.lower()
        if low in self.negations or low.endswith("n't"):
            return True
        if contains_cjk(low):
            return self.cjk_negation is not None and self.cjk_negation.search(low) is not None
        # "nonsmoker", "non-diabetic": word2vec happily offers them for their antonyms
        return low.startswith("non") and len(low) > 4

    def may_write(self, word):
        """May ``word`` be put into a text (as substitute or insertion)?"""
        return (
            is_rewritable(word)
            and word.lower() not in self.stop_words
            and word.lower() not in self.acronyms
            and not self.is_negation(word)
            and not self.matcher.contains(word)
        )

    def row(self, unit):
        """Row of ``unit`` in the word vectors (exact key first, then lower-cased)."""
        if self.kv is None:
            return None
        index = self.kv.key_to_index.get(unit)
        return self.kv.key_to_index.get(unit.lower()) if index is None else index

    def substitutes(self, unit):
        """Replacement candidates for ``unit``.

        Its dictionary synonyms when it has any (a curated list beats
        distributional neighbours), otherwise its ``n_neighbors`` nearest
        word2vec neighbours with cosine >= ``min_similarity``.
        """
        low = unit.lower()
        if low not in self._cache:
            self.prefetch([unit])
        return self._cache[low]

    def prefetch(self, units):
        """Compute the candidates of many units with one matrix product."""
        todo, rows = [], []
        for unit in units:
            low = unit.lower()
            if low in self._cache or low in todo:
                continue
            synonyms = [s for s in self.table.get(low, ()) if self._may_substitute(s)]
            row = self.row(unit)
            if synonyms or row is None:
                self._cache[low] = synonyms
            else:
                todo.append(low)
                rows.append(row)
        if rows:
            sims = self.vectors[rows] @ self.vectors.T
            sims[np.arange(len(rows)), rows] = -np.inf
            for low, found in zip(todo, self._top(sims)):
                self._cache[low] = [w for w in found if w.lower() != low]

    def _may_substitute(self, word):
        # user synonyms may be phrases or codes; only keep negations/medical terms out
        return not self.is_negation(word) and not self.matcher.contains(word)

    def context_candidates(self, unit_groups, exclude):
        """Insertion candidates for each group of units (a sentence), best first.

        The context of a sentence is the mean of the (centred, unit-normalised)
        word2vec vectors of its content words; candidates are the writable
        vocabulary words closest to it by cosine, minus words already in the text.
        """
        if self.kv is None:
            return self._dictionary_candidates(unit_groups, exclude)
        contexts, kept = [], []
        for g, units in enumerate(unit_groups):
            rows = [r for r in map(self.row, units) if r is not None]
            if rows:
                mean = self.vectors[rows].mean(axis=0)
                norm = np.linalg.norm(mean)
                if norm > 0:
                    contexts.append(mean / norm)
                    kept.append(g)
        result = [[] for _ in unit_groups]
        if contexts:
            sims = np.stack(contexts) @ self.vectors.T
            sims[:, [r for r in map(self.row, exclude) if r is not None]] = -np.inf
            for g, found in zip(kept, self._top(sims)):
                result[g] = found
        return result

    def _dictionary_candidates(self, unit_groups, exclude):
        # Without vectors the related words of a sentence are its words' dictionary
        # synonyms, in order of appearance (there is no similarity to rank them by).
        seen = {u.lower() for u in exclude}
        result = []
        for units in unit_groups:
            words = []
            for unit in units:
                for syn in self.table.get(unit.lower(), ()):
                    if syn.lower() not in seen and syn not in words and self.may_write(syn):
                        words.append(syn)
            result.append(words[: self.n_neighbors])
        return result

    def _top(self, sims):
        """Per row of ``sims`` (b, V): the best ``n_neighbors`` writable words."""
        sims = np.where(self.writable, sims, -np.inf)
        k = min(self.n_neighbors, sims.shape[1])
        top = np.argpartition(-sims, k - 1, axis=1)[:, :k]
        order = np.argsort(-np.take_along_axis(sims, top, axis=1), axis=1, kind="stable")
        top = np.take_along_axis(top, order, axis=1)
        keys = self.kv.index_to_key
        return [[keys[i] for i in row if s[i] >= self.min_sim] for row, s in zip(top, sims)]


def _centred(vectors):
    """Subtract the mean word vector and renormalise.

    word2vec vectors trained on a small corpus share a large common direction:
    rare words sit close to it and would top every context ranking at cosine
    ~0.99. Removing the mean (the first step of "all-but-the-top", Mu &
    Viswanath 2018) makes the cosine reflect topic instead of frequency.
    """
    centred = vectors - vectors.mean(axis=0)
    norms = np.linalg.norm(centred, axis=1, keepdims=True)
    return (centred / np.where(norms > 0, norms, 1)).astype(np.float32)


class _Segments:
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


def _analyse(text, units, lexicon, need_insertion):
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

    return _Source(
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


def _augment(source, rng, p_substitute, p_insert):
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


@Substitution(
    sampling_strategy=BaseOverSampler._sampling_strategy_docstring,
    random_state=_random_state_docstring,
)
class VocabularyAugmenter(TextInputMixin, BaseOverSampler):
    """Over-sample minority classes of raw texts by synonym substitution and insertion.

    The vocabulary-based augmentation of paper 000 ("Data enhancement", eq. 25) as an
    imbalanced-learn over-sampler: each synthetic text is a copy of a real text of
    the class to grow, in which

    - **synonym substitution**: every *eligible* word is replaced, independently,
      with probability ``p_substitute``, so that a text with ``n`` eligible words
      becomes a given variant with ``k`` replacements with probability
      ``P(T'|T) = p**k (1-p)**(n-k)`` (eq. 25). A word is eligible when it is a
      content word (letters or CJK, no digits, not a stop word), is not part of a
      protected medical term, is not a negation, and has at least one candidate.
      The replacement is drawn uniformly from its candidates: the synonyms from
      the user dictionary, then its ``n_neighbors`` nearest word2vec neighbours
      with cosine similarity ``>= min_similarity``;
    - **random insertion**: after every word (not after punctuation or a number)
      that is not inside a protected term or a negation scope, a related word is
      inserted with
      probability ``p_insert``. Candidates are ranked by cosine similarity to the
      sentence context, the mean of the unit-normalised word2vec vectors of the
      sentence's content words; the inserted word is drawn uniformly from the
      ``n_neighbors`` best-ranked words not already in the text (with
      similarity ``>= min_similarity``).

    Words are jieba words for Chinese text and regex words for English
    (:func:`skmedtext.text.segment` at ``level="word"``). Protected medical
    terms and negations are never substituted, removed or split, insertion
    never falls between a negation and the end of its clause, and no negation,
    protected term, number or punctuation mark is ever written into a text.
    Original rows are returned unchanged and first, synthetic texts after them.

    Read more in ``docs/augmentation.md``.

    Parameters
    ----------
    {sampling_strategy}

    {random_state}

    p_substitute : float in [0, 1], default=0.1
        Probability ``p`` that each eligible word is replaced (eq. 25).

    p_insert : float in [0, 1], default=0.1
        Probability that a related word is inserted at each insertion slot (the
        position after a word outside protected terms and negation scopes).

    synonyms : "word2vec", str, path-like, dict, KeyedVectors or list, default="word2vec"
        Where synonyms and related words come from:

        - ``"word2vec"``: a gensim ``Word2Vec`` trained in ``fit_resample`` on the
          segmented training texts (all classes), reproducibly (one worker,
          seed drawn from ``random_state``);
        - a path (str or path-like) or a dict: a user synonym dictionary, see
          :func:`~skmedtext.augment.load_synonym_dictionary`;
        - a gensim ``KeyedVectors`` (e.g. ``Word2Vec(...).wv`` trained on a
          larger corpus): used instead of training one;
        - a list of the above to combine them, e.g. ``["word2vec", "syn.txt"]``.

        Insertion ranks candidates by word vectors; with a dictionary only, the
        insertion candidates of a sentence are its words' dictionary synonyms.

    n_neighbors : int, default=5
        Number of nearest neighbours kept as substitution candidates of a word
        and as insertion candidates of a sentence.

    min_similarity : float in [-1, 1], default=0.5
        Neighbours with a lower cosine similarity are not candidates.

    protected : "default", None, str, path-like or collection of str, default="default"
        Medical terms that are never altered. ``"default"``: the medical
        dictionary of :mod:`skmedtext.text` when available, otherwise a small
        built-in list (``skmedtext.augment._lexicon.FALLBACK_MEDICAL_TERMS``). Any
        other string or a path: a UTF-8 file with one term per line (jieba user
        dictionary lines ``word freq tag`` work). Chinese terms match anywhere in
        the text, other terms as whole words, case-insensitively.

    protected_pattern : "default", str or None, default="default"
        A regular expression; every word it matches entirely (case-insensitive)
        is protected like a dictionary term. ``"default"``
        (``skmedtext.augment._lexicon.DEFAULT_PROTECTED_PATTERN``): English
        words with a medical suffix (-oma, -itis, -osis, -emia, -pathy, -ectomy,
        -lysis, ...) and Chinese words ending in 炎/癌/瘤/病/症/征/疮/疹, so that
        word2vec never swaps one disease name for another. None: no pattern.

    negations : "default", None or collection of str, default="default"
        Negation cues and polarity words. ``"default"``: the built-in list (无, 否认,
        未, 不, 没有, 非, 阴性, no, not, denies, without, negative, ...) together
        with ``skmedtext.text.NEGATIONS`` when it exists. Chinese words containing
        a Chinese cue (无力, 未见) are treated as cues too.

    stop_words : "default", None or collection of str, default="default"
        Function words that are neither substituted nor written (``"default"``:
        scikit-learn's English list and common Chinese function words).

    candidate_scope : {{"corpus", "class"}}, default="corpus"
        Which word2vec words may be written into a text of class ``c``.
        ``"corpus"``: any vocabulary word. ``"class"``: only words that occur in
        the training texts of ``c``, so that no other class's vocabulary leaks
        into its synthetic texts; a class with very few texts then has few
        candidates (one with a single text is only duplicated). Dictionary
        synonyms are used in both cases.

    word2vec_params : dict, default=None
        Extra keyword arguments for ``gensim.models.Word2Vec`` (defaults:
        ``vector_size=100, window=5, min_count=2, sg=1, negative=5, epochs=5,
        workers=1``; ``seed`` is drawn from ``random_state`` unless given).

    Attributes
    ----------
    sampling_strategy_ : dict
        Number of synthetic texts made for each class.

    sample_indices_ : ndarray of shape (n_samples_new,)
        Input row each output row comes from (as in ``RandomOverSampler``).

    synthetic_mask_ : ndarray of shape (n_samples_new,), dtype=bool
        True for the synthetic rows (the rows after the originals).

    source_indices_ : ndarray of shape (n_samples_new,)
        Input row each output row was made from: itself for an original row,
        the augmented text for a synthetic row (equal to ``sample_indices_``).

    augmentation_log_ : dict of ndarray of shape (n_synthetic,)
        Per synthetic row: ``"source"`` row, ``"n_eligible"`` words,
        ``"n_substituted"``, ``"n_slots"`` insertion slots and ``"n_inserted"``
        (``pandas.DataFrame(augmentation_log_)`` shows it as a table).

    keyed_vectors_ : gensim.models.KeyedVectors or None
        The word vectors used (trained or given); None with a dictionary only.

    synonyms_ : dict of str -> list of str
        The merged user synonym dictionary (empty without one).

    protected_terms_ : frozenset of str
        The protected medical terms used.

    negations_ : frozenset of str
        The negation cues used.

    See Also
    --------
    imblearn.over_sampling.RandomOverSampler : Duplicates texts unchanged.
    skmedtext.augment.load_synonym_dictionary : Format of synonym files.

    Notes
    -----
    The paper gives the probability model but neither ``p``, the synonym
    source, nor how "semantic relevance to the context" is computed; the choices
    above are documented in ``docs/augmentation.md``. Because every draw is
    independent, an augmented text can equal its source (probability
    ``(1-p_substitute)**n * (1-p_insert)**m``); it is then a plain duplicate, as
    ``RandomOverSampler`` would make. A class with a single text can be
    augmented (its one text is varied repeatedly). Sources are used in turn:
    each text of a class is augmented ``floor`` or ``ceil(n_new / n_class)``
    times, in a random order.

    Examples
    --------
    >>> from collections import Counter
    >>> from skmedtext.augment import VocabularyAugmenter
    >>> X = ["patient denies chest pain today", "mild fever and cough for two days",
    ...      "no fever but severe headache", "chest pain with mild cough"] * 5
    >>> y = [0, 0, 0, 1] * 5
    >>> aug = VocabularyAugmenter(synonyms={{"mild": ["slight"], "severe": ["intense"]}},
    ...                           p_substitute=0.5, random_state=0)
    >>> X_res, y_res = aug.fit_resample(X, y)
    >>> sorted(Counter(y_res).items())
    [(0, 15), (1, 15)]
    >>> int(aug.synthetic_mask_.sum())
    10
    """

    _parameter_constraints: dict = {
        **BaseOverSampler._parameter_constraints,
        "p_substitute": [Interval(numbers.Real, 0, 1, closed="both")],
        "p_insert": [Interval(numbers.Real, 0, 1, closed="both")],
        "synonyms": [
            str, os.PathLike, Mapping, list, HasMethods(["most_similar", "get_normed_vectors"])
        ],
        "n_neighbors": [Interval(numbers.Integral, 1, None, closed="left")],
        "min_similarity": [Interval(numbers.Real, -1, 1, closed="both")],
        "protected": [str, os.PathLike, None, list, tuple, set, frozenset],
        "protected_pattern": [str, None],
        "negations": [StrOptions({"default"}), None, list, tuple, set, frozenset],
        "stop_words": [StrOptions({"default"}), None, list, tuple, set, frozenset],
        "candidate_scope": [StrOptions({"class", "corpus"})],
        "word2vec_params": [dict, None],
    }

    def __init__(
        self,
        *,
        sampling_strategy="auto",
        random_state=None,
        p_substitute=0.1,
        p_insert=0.1,
        synonyms="word2vec",
        n_neighbors=5,
        min_similarity=0.5,
        protected="default",
        protected_pattern="default",
        negations="default",
        stop_words="default",
        candidate_scope="corpus",
        word2vec_params=None,
    ):
        super().__init__(sampling_strategy=sampling_strategy)
        self.random_state = random_state
        self.p_substitute = p_substitute
        self.p_insert = p_insert
        self.synonyms = synonyms
        self.n_neighbors = n_neighbors
        self.min_similarity = min_similarity
        self.protected = protected
        self.protected_pattern = protected_pattern
        self.negations = negations
        self.stop_words = stop_words
        self.candidate_scope = candidate_scope
        self.word2vec_params = word2vec_params

    def fit_resample(self, X, y):
        """Return the texts with synthetic minority texts appended.

        Parameters
        ----------
        X : sequence of str, 1-D array, pandas Series or array of shape (n, 1)
            The training texts.
        y : array-like of shape (n_samples,)
            Class labels (one-vs-all encoded labels are accepted, as in
            imbalanced-learn).

        Returns
        -------
        X_resampled : ndarray of shape (n_samples_new,), dtype=object
            The input texts unchanged and first, then the synthetic texts (a list
            or a pandas object when the input was one).
        y_resampled : ndarray of shape (n_samples_new,)
            The corresponding labels.
        """
        check_sampler_target(y, estimator_name=type(self).__name__)
        return super().fit_resample(X, y)

    def _check_X_y(self, X, y, accept_sparse=None):
        # Texts, not a numeric matrix: replaces BaseSampler's validate_data, as
        # RandomOverSampler does for its string input.
        name = type(self).__name__
        y, binarize_y = check_target_type(y, indicate_one_vs_all=True)
        X = check_texts(X, estimator_name=name)
        y = check_text_target(y, X.shape[0], estimator_name=name)
        return X, y, binarize_y

    def _fit_resample(self, X, y):
        rng = check_random_state(self.random_state)
        w2v_seed = rng.randint(np.iinfo(np.int32).max)
        units_of = _Segments(X)
        lexicon = self._make_lexicon(units_of, w2v_seed)

        plan = [np.arange(X.shape[0])]
        for klass, n_new in self.sampling_strategy_.items():
            members = np.flatnonzero(y == klass)
            if n_new <= 0 or members.size == 0:
                continue
            rounds = [rng.permutation(members) for _ in range(math.ceil(n_new / members.size))]
            plan.append(np.concatenate(rounds)[:n_new])
        sample_indices = np.concatenate(plan)
        sources = sample_indices[X.shape[0] :]

        need_insertion = self.p_insert > 0
        lexicons = self._class_lexicons(lexicon, units_of, y)
        analysed = {}
        texts, log = [], np.zeros((sources.shape[0], 4), dtype=int)
        for row, src in enumerate(sources):
            if src not in analysed:
                analysed[src] = _analyse(X[src], units_of[src], lexicons[y[src]], need_insertion)
            source = analysed[src]
            text, n_sub, n_ins = _augment(source, rng, self.p_substitute, self.p_insert)
            texts.append(text)
            log[row] = (source.eligible.shape[0], n_sub, source.slots.shape[0], n_ins)

        X_res = np.empty(sample_indices.shape[0], dtype=object)
        X_res[: X.shape[0]] = X
        X_res[X.shape[0] :] = texts
        self.sample_indices_ = sample_indices
        self.source_indices_ = sample_indices.copy()
        self.synthetic_mask_ = np.arange(sample_indices.shape[0]) >= X.shape[0]
        self.augmentation_log_ = {
            "source": sources,
            "n_eligible": log[:, 0],
            "n_substituted": log[:, 1],
            "n_slots": log[:, 2],
            "n_inserted": log[:, 3],
        }
        return X_res, y[sample_indices]

    def _class_lexicons(self, lexicon, units_of, y):
        """The lexicon each class's texts are augmented with."""
        targets = [k for k, n in self.sampling_strategy_.items() if n > 0]
        if self.candidate_scope == "corpus":
            return {k: lexicon for k in targets}
        lexicons = {}
        for klass in targets:
            words = {u.lower() for i in np.flatnonzero(y == klass) for u in units_of[i]}
            lexicons[klass] = lexicon.restricted_to(words)
        return lexicons

    def _make_lexicon(self, units_of, seed):
        use_word2vec, kv, table = self._synonym_sources()
        protected = self.protected
        if isinstance(protected, str) and protected == "default":
            protected = default_protected_terms()
        elif isinstance(protected, (str, os.PathLike)):
            protected = read_term_file(protected)
        self.protected_terms_ = resolve_word_set(protected, (), name="protected")
        self.negations_ = resolve_word_set(self.negations, default_negations(), name="negations")
        stop_words = resolve_word_set(self.stop_words, default_stop_words(), name="stop_words")
        acronyms = frozenset()
        if use_word2vec:
            kv, acronyms = self._train_word2vec(units_of, seed)
        self.keyed_vectors_ = kv
        self.synonyms_ = table
        pattern = self.protected_pattern
        if pattern == "default":
            pattern = DEFAULT_PROTECTED_PATTERN
        elif pattern is not None:
            try:
                re.compile(pattern)
            except re.error as exc:
                raise ValueError(
                    f"protected_pattern is not a valid regular expression: {exc}."
                ) from exc
        return _Lexicon(
            protected=self.protected_terms_,
            pattern=pattern,
            negations=self.negations_,
            stop_words=stop_words - self.negations_,
            table=table,
            kv=kv,
            acronyms=acronyms,
            n_neighbors=self.n_neighbors,
            min_sim=self.min_similarity,
        )

    def _synonym_sources(self):
        sources = self.synonyms if isinstance(self.synonyms, list) else [self.synonyms]
        if not sources:
            raise ValueError("synonyms must name at least one source; got an empty list.")
        use_word2vec, kv, table = False, None, {}
        for source in sources:
            if isinstance(source, str) and source == "word2vec":
                use_word2vec = True
            elif hasattr(source, "get_normed_vectors") and hasattr(source, "key_to_index"):
                kv = source
            elif isinstance(source, (str, os.PathLike, Mapping)):
                for word, syns in load_synonym_dictionary(source).items():
                    table.setdefault(word, [])
                    table[word] += [s for s in syns if s not in table[word]]
            else:
                raise TypeError(
                    "synonyms entries must be 'word2vec', a path, a dict or gensim "
                    f"KeyedVectors; got {type(source).__name__}."
                )
        if use_word2vec and kv is not None:
            raise ValueError(
                "synonyms lists both 'word2vec' and KeyedVectors; give one source of vectors."
            )
        return use_word2vec, kv, table

    def _train_word2vec(self, units_of, seed):
        """Train word2vec on the lower-cased word units of every training text.

        Returns the vectors and the lower-cased words written mostly in capitals
        in the texts (acronyms such as MR, HCC): lower-casing hides them from
        :func:`is_rewritable`, so they are excluded from candidates by this list.
        """
        from gensim.models import Word2Vec  # heavy import, only when vectors are trained

        params = {**_WORD2VEC_DEFAULTS, "seed": int(seed), **(self.word2vec_params or {})}
        sentences, upper = [], Counter()
        for i in range(len(units_of)):
            words = [u for u in units_of[i] if is_word_unit(u)]
            upper.update(u.lower() if len(u) > 1 and u.isupper() else None for u in words)
            if words:
                sentences.append([u.lower() for u in words])
        if not sentences:
            raise ValueError(
                "VocabularyAugmenter: the texts contain no words to train word2vec on."
            )
        model = Word2Vec(**params)
        model.build_vocab(sentences)
        if len(model.wv) == 0:
            raise ValueError(
                "VocabularyAugmenter: no word occurs min_count="
                f"{params['min_count']} times; lower word2vec_params['min_count'] "
                "or pass a synonym dictionary."
            )
        model.train(sentences, total_examples=len(sentences), epochs=model.epochs)
        counts = model.wv.expandos["count"]
        acronyms = frozenset(
            word for word, n_upper in upper.items()
            if word is not None and word in model.wv.key_to_index
            and 2 * n_upper > counts[model.wv.key_to_index[word]]
        )
        return model.wv, acronyms

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = False
        tags.input_tags.dataframe = False
        tags.sampler_tags.sample_indices = True
        return tags
