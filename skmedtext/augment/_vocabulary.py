"""Vocabulary augmentation (paper 000, "Data enhancement", eq. 25) as an over-sampler.

Synthetic minority texts are made from real ones by two word-level operations:
synonym substitution, each eligible word replaced independently with probability
``p`` so that ``P(T'|T) = p**k * (1 - p)**(n - k)``, and random insertion of
words ranked by their similarity to the sentence context.
"""

import math
import numbers
import os
import re
from collections import Counter
from collections.abc import Mapping

import numpy as np
from imblearn.over_sampling.base import BaseOverSampler
from imblearn.utils import Substitution, check_target_type
from imblearn.utils._docstring import _random_state_docstring
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import HasMethods, Interval, StrOptions

from skmedtext.augment._lexicon import (
    DEFAULT_PROTECTED_PATTERN,
    default_negations,
    default_protected_terms,
    default_stop_words,
    is_word_unit,
    load_synonym_dictionary,
    read_term_file,
    resolve_word_set,
)
from skmedtext.augment._candidates import Lexicon
from skmedtext.augment._multilabel import fit_resample_multilabel
from skmedtext.augment._rewrite import Segments, analyse, rewrite
from skmedtext.utils import (
    TextInputMixin,
    check_sampler_target,
    check_text_target,
    check_texts,
    int_seed,
    is_multilabel_target,
)

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

    **Multi-label** ``y`` (a 2-D 0/1 matrix that is not one-vs-all encoded):
    the records carrying MLSMOTE's minority labels are rewritten, and each
    synthetic text carries its seed record's label set; ``sampling_strategy``
    then reads as in :func:`skmedtext.utils.multilabel_sampling_targets`
    (``'auto'``, ``'minority'``, a float or ``{{label column: rows}}``).

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
        Number of synthetic texts made for each class (each label column for a
        multi-label ``y``).

    synthetic_labels_ : ndarray of shape (n_synthetic,)
        Multi-label ``y`` only: the label column each synthetic text was made for.

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
        y : array-like of shape (n_samples,) or (n_samples, n_labels)
            Class labels (one-vs-all encoded labels are accepted, as in
            imbalanced-learn), or a multi-label 0/1 indicator matrix (any other
            2-D 0/1 ``y``): see "Multi-label ``y``" in the class docstring.

        Returns
        -------
        X_resampled : ndarray of shape (n_samples_new,), dtype=object
            The input texts unchanged and first, then the synthetic texts (a list
            or a pandas object when the input was one).
        y_resampled : ndarray of shape (n_samples_new,) or (n_samples_new, n_labels)
            The corresponding labels (label sets for a multi-label ``y``).
        """
        if is_multilabel_target(y):
            return fit_resample_multilabel(self, X, y)
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
        # one stream per fit: word2vec's seed is its first draw, then the sampling
        rng = check_random_state(self.random_state)
        w2v_seed = int_seed(rng)
        units_of = Segments(X)
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
        members = {k: np.flatnonzero(y == k) for k, n in self.sampling_strategy_.items() if n > 0}
        X_res = self._synthesize(X, units_of, lexicon, sources, y[sources], members, rng)
        return X_res, y[sample_indices]

    def _synthesize(self, X, units_of, lexicon, sources, groups, members, rng):
        """``X`` followed by one rewrite of each ``sources`` row; sets the fitted attributes.

        ``groups[i]`` is the class (or, for a multi-label ``y``, the label) synthetic
        row ``i`` is made for, ``members`` its rows: with ``candidate_scope='class'``
        the words of those rows are the candidates.
        """
        need_insertion = self.p_insert > 0
        lexicons = self._class_lexicons(lexicon, units_of, members)
        analysed = {}
        texts, log = [], np.zeros((sources.shape[0], 4), dtype=int)
        for row, (src, group) in enumerate(zip(sources, groups)):
            if (src, group) not in analysed:
                analysed[src, group] = analyse(
                    X[src], units_of[src], lexicons[group], need_insertion
                )
            source = analysed[src, group]
            text, n_sub, n_ins = rewrite(source, rng, self.p_substitute, self.p_insert)
            texts.append(text)
            log[row] = (source.eligible.shape[0], n_sub, source.slots.shape[0], n_ins)

        sample_indices = np.concatenate([np.arange(X.shape[0]), sources])
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
        return X_res

    def _class_lexicons(self, lexicon, units_of, members):
        """The lexicon each class's (or label's) texts are augmented with."""
        if self.candidate_scope == "corpus":
            return {k: lexicon for k in members}
        lexicons = {}
        for group, rows in members.items():
            words = {u.lower() for i in rows for u in units_of[i]}
            lexicons[group] = lexicon.restricted_to(words)
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
        return Lexicon(
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
