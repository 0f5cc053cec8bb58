"""The lexicon of the vocabulary augmenter: which words it may write, and which are related.

:class:`Lexicon` holds the protected terms, negations and stop words and the two
sources of related words (a synonym dictionary and word2vec neighbours); it
answers which units may be replaced, by what, and what may be inserted into a
sentence.
"""

import copy
import re

import numpy as np

from skmedtext.augment._lexicon import ProtectedTermMatcher, is_rewritable
from skmedtext.text import contains_cjk

__all__ = ["Lexicon"]


class Lexicon:
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
