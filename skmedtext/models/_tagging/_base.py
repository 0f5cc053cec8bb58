"""What every tagger adds to the training core: span targets in, span predictions out.

A tagger is a :class:`~skmedtext.training.BaseTextClassifier` whose "classes" are
the BIO tags (``classes_``: ``"O"``, ``"B-TYPE"``, ``"I-TYPE"``, ...) and whose
target per text is a row of per-character tag indices (padding ``-100``); the core
trains it unchanged, with :class:`TaggerNet` reducing the per-token loss to the
real positions. The family members say how texts become token rows
(``_encode``: ``input_ids`` plus the tokens' character ``starts``/``ends`` and the
``windows`` a long text is cut into) and build a :class:`TaggerModule`.
With ``split_sentences`` every text is first cut into sentence pieces
(:func:`sentence_pieces`): the model trains and predicts on the pieces, and the
pieces' spans and scores are joined back into the texts' characters.
"""

import math
import numbers

import numpy as np
import torch
from sklearn.model_selection import ShuffleSplit
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import check_is_fitted

from skmedtext.losses import build_criterion
from skmedtext.metrics import bio_to_spans, entity_f1_score, spans_to_bio
from skmedtext.models._tagging._encoding import (
    IGNORE_INDEX,
    char_tag_indices,
    join_piece_spans,
    merge_windows,
    sentence_pieces,
    tag_names,
    target_spans,
    token_spans_to_chars,
)
from skmedtext.models._tagging._net import TaggerNet
from skmedtext.utils import check_texts

__all__ = ["TAGGER_PARAMS_DOC", "TaggerMixin"]

TAGGER_PARAMS_DOC = """head : {"crf", "softmax"}, default="crf"
        ``"crf"``: a linear-chain CRF (pytorch-crf) over the emissions, trained
        by its negative log-likelihood (per real token) and decoded by Viterbi;
        ``"softmax"``: each token's tag is the argmax of its emissions, trained
        by ``criterion`` alone.
    emission_weight : float, default=0.0
        With ``head="crf"``, weight of ``criterion`` computed on the emissions,
        added to the CRF loss (0 trains the CRF alone). With
        ``head="softmax"`` the criterion is the whole loss and this is unused.
        ``criterion="weighted_ce"`` or ``"focal"`` with a positive weight is the
        imbalance-aware loss: rare tags (DISEASE, TREATMENT) weigh more.
    tag_weighting : {"tags", "entities"}, default="tags"
        The counts that ``weighted_ce`` / balanced ``focal`` turn into tag
        weights: ``"tags"`` counts characters per tag; ``"entities"`` gives
        ``B-X`` and ``I-X`` both the number of X mentions (entity-type-aware:
        a type's weight follows how many mentions it has, not how long they
        are) and ``O`` its character count.
    window_overlap : int, default=64
        Token rows longer than ``max_length`` are cut into windows of
        ``max_length`` tokens sharing this many; their scores are merged back
        (each token keeps the window where it is furthest from an edge).
    split_sentences : bool
        Cut every text into sentence pieces (after 。；！？;!? and line breaks)
        and train and predict on the pieces, each a sequence of its own; the
        predicted spans are shifted back to the text's characters, and no
        piece boundary is cut inside a gold entity at fit time. Default True
        for the RNN taggers (measured on CCKS 2017, see docs/ner.md), False
        for the transformer taggers (not measured yet; with it,
        ``DMTBertTagger`` counts co-occurring terms per piece, not per text)."""

_TAGGER_CONSTRAINTS = {
    "head": [StrOptions({"crf", "softmax"})],
    "emission_weight": [Interval(numbers.Real, 0, None, closed="left")],
    "tag_weighting": [StrOptions({"tags", "entities"})],
    "window_overlap": [Interval(numbers.Integral, 0, None, closed="left")],
    "split_sentences": ["boolean"],
}


class TaggerMixin:
    """Tagging half of a tagger; put it before the family base in the class bases."""

    _accepts_synthetic = False
    _net_class = TaggerNet

    # -- scikit-learn API --------------------------------------------------------------
    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        # y is a list of span lists: not a classifier's 1-D labels, so cross-validation
        # must use plain (unstratified) folds
        tags.estimator_type = None
        tags.classifier_tags = None
        tags.target_tags.one_d_labels = False
        return tags

    def _check_param_relations(self):
        super()._check_param_relations()
        if self.window_overlap >= self.max_length:
            raise ValueError(
                f"window_overlap ({self.window_overlap}) must be smaller than max_length "
                f"({self.max_length})."
            )

    def _validate_fit_input(self, X, y):
        name = type(self).__name__
        X = check_texts(X, allow_synthetic=False, estimator_name=name)
        self.multilabel_ = False
        spans = target_spans(X, y, name)
        classes = tag_names(spans)
        if len(classes) == 1:
            raise ValueError(f"{name} needs at least one entity in y; every target is empty.")
        texts, owners, offsets = self._pieces(X, spans)
        # read once by _split, which must keep a text's pieces on one side of the split
        self._fit_owners = owners
        index = {tag: i for i, tag in enumerate(classes)}
        width = max(1, max(len(text) for text in texts))
        y_idx = np.full((len(texts), width), IGNORE_INDEX, dtype=np.int64)
        for row, (text, owner, offset) in enumerate(zip(texts, owners, offsets)):
            end = offset + len(text)
            doc = [(s - offset, e - offset, k) for s, e, k in spans[owner] if offset <= s < end]
            y_idx[row, : len(text)] = char_tag_indices(doc, len(text), index)
        return np.asarray(texts, dtype=object), np.asarray(classes, dtype=object), y_idx

    def _pieces(self, X, spans=None):
        """``(texts, owners, offsets)``: what the model reads, and where each comes from.

        Without ``split_sentences`` the texts are ``X``; with it, their sentence
        pieces (cut nowhere inside ``spans``), ``owners`` the index of each
        piece's text and ``offsets`` its first character there.
        """
        if not self.split_sentences:
            return list(X), np.arange(len(X)), np.zeros(len(X), dtype=np.int64)
        texts, owners, offsets = [], [], []
        for i, text in enumerate(X):
            for start, end in sentence_pieces(text, () if spans is None else spans[i]):
                texts.append(text[start:end])
                owners.append(i)
                offsets.append(start)
        return texts, np.asarray(owners, dtype=np.int64), np.asarray(offsets, dtype=np.int64)

    def _split(self, y_idx, rng):
        """Train/validation rows; the validation texts are drawn whole (all their pieces)."""
        owners = self.__dict__.pop("_fit_owners", None)
        if owners is None:
            owners = np.arange(y_idx.shape[0])
        if self.validation_fraction == 0:
            return np.arange(owners.size), None
        n_texts = int(owners.max()) + 1
        n_valid = math.ceil(self.validation_fraction * n_texts)
        splitter = ShuffleSplit(n_splits=1, test_size=n_valid, random_state=rng)
        _, valid_texts = next(splitter.split(np.zeros(n_texts)))
        in_valid = np.isin(owners, valid_texts)
        return np.flatnonzero(~in_valid), np.flatnonzero(in_valid)

    def _fold_criterion(self, y_train):
        return build_criterion(self.criterion, self._class_counts(y_train))

    def _class_counts(self, y_idx):
        """Per-tag counts of the training fold's real characters (``tag_weighting``)."""
        y = np.asarray(y_idx).ravel()
        counts = np.bincount(y[y >= 0], minlength=len(self.classes_))
        if self.tag_weighting == "entities":
            # one B- character per mention: both tags of a type get its mention count
            for i, tag in enumerate(self.classes_):
                if tag.startswith("I-"):
                    counts[i] = counts[list(self.classes_).index("B-" + tag[2:])]
        return np.maximum(counts, 1)

    def _loss_weights(self):
        if self.head == "crf":
            return float(self.emission_weight), 1.0
        return 1.0, 0.0

    # -- prediction -----------------------------------------------------------------------
    def _document_scores(self, X, kind):
        """Per text, its merged per-token ``(n_tokens, n_tags)`` emissions or marginals."""
        check_is_fitted(self, "net_")
        dataset, order = self._encoded_in_length_order(X)
        module = self.net_.module_
        module.eval()
        rows = []
        with torch.no_grad():
            for batch, _ in self.net_.get_iterator(dataset, training=False):
                batch = {k: v.to(self.net_.device) for k, v in batch.items()}
                emissions = self.net_.infer(batch)
                mask = batch["lengths"][:, None] > torch.arange(
                    emissions.size(1), device=emissions.device
                )
                scores = emissions if kind == "emissions" else module.marginals(emissions, mask)
                rows.extend(
                    s[: int(n)].float().cpu().numpy() for s, n in zip(scores, batch["lengths"])
                )
        merged, k = [None] * len(order), 0
        for position, item in zip(order, dataset.items):
            bounds = item["windows"]
            merged[position] = merge_windows(rows[k : k + len(bounds)], bounds, len(item["starts"]))
            k += len(bounds)
        return merged, [dataset.items[i] for i in np.argsort(order)]

    def _decode(self, emissions):
        module = self.net_.module_
        scores = torch.from_numpy(emissions).to(self.net_.device)[None]
        mask = torch.ones(scores.shape[:2], dtype=torch.bool, device=scores.device)
        return module.decode(scores, mask)[0]

    def predict(self, X):
        """Predicted entities of each text.

        Parameters
        ----------
        X : sequence of str of length n

        Returns
        -------
        spans : list of length n
            Per text a list of ``(start, end, type)`` tuples, ``end`` exclusive.
        """
        X = check_texts(X, estimator_name=type(self).__name__)
        texts, owners, offsets = self._pieces(X)
        emissions, items = self._document_scores(texts, "emissions")
        piece_spans = []
        for scores, item in zip(emissions, items):
            tags = [self.classes_[i] for i in self._decode(scores)]
            spans = token_spans_to_chars(bio_to_spans(tags), item["starts"], item["ends"])
            piece_spans.append([span for span in spans if span[0] < span[1]])
        return join_piece_spans(piece_spans, offsets, owners, len(X))

    def predict_tags(self, X):
        """Per-character BIO tags of each text (``predict``'s spans written as tags)."""
        X = check_texts(X, estimator_name=type(self).__name__)
        return [spans_to_bio(spans, text) for spans, text in zip(self.predict(X), X)]

    def predict_proba(self, X):
        """Per-token tag probabilities, columns in the order of ``classes_``.

        Under ``head="crf"`` these are the CRF's marginals ``P(tag_t | text)``
        (forward-backward); under ``head="softmax"`` the softmax of the
        emissions. Tokens are the model's units (characters at ``level="char"``);
        with ``split_sentences`` the pieces' tokens follow each other, each
        piece's marginals computed on the piece alone.

        Returns
        -------
        proba : list of ndarray of shape (n_tokens_i, n_tags)
        """
        X = check_texts(X, estimator_name=type(self).__name__)
        texts, owners, _ = self._pieces(X)
        proba = self._document_scores(texts, "marginals")[0]
        if not self.split_sentences:
            return proba
        per_text = [[] for _ in range(len(X))]
        for rows, owner in zip(proba, owners):
            per_text[owner].append(rows)
        return [np.concatenate(rows) for rows in per_text]

    def score(self, X, y):
        """Strict micro entity F1 of ``predict(X)`` against ``y`` (spans or BIO tags)."""
        return entity_f1_score(y, self.predict(X))
