"""BiLSTM-CRF and StaResGRU-CNN-CRF (paper 003's NER table) over char or word tokens.

Both read the sequence classifiers' inputs (a bare embedding, word2vec or loaded
vectors; :class:`~skmedtext.models._sequence._base._BaseSequenceClassifier` fits
them) and put a per-token encoder and a CRF or softmax head on top.
"""

import numbers

import numpy as np
import torch
from sklearn.utils._param_validation import Interval

from skmedtext.models._sequence._base import SEQUENCE_PARAMS_DOC, _BaseSequenceClassifier
from skmedtext.models._tagging._base import _TAGGER_CONSTRAINTS, TAGGER_PARAMS_DOC, TaggerMixin
from skmedtext.models._tagging._encoding import (
    IGNORE_INDEX,
    token_offsets,
    token_tags,
    window_bounds,
)
from skmedtext.models._tagging._modules import BiLSTMEncoder, StaResGRUCNNEncoder, TaggerModule
from skmedtext.training import CORE_PARAMS_DOC
from skmedtext.utils import round_up

__all__ = ["BiLSTMCRFTagger", "StaResGRUCNNCRFTagger"]

_POSITIVE_INT = Interval(numbers.Integral, 1, None, closed="left")


class TokenRowCollator:
    """Pads the windows of a batch of texts into token rows with their tag rows (picklable).

    A text's target is its row of per-character tag indices (``-1`` when
    predicting); its token tags are derived here from the tokens' offsets.
    """

    def __init__(self, multiple, begins, dim=None):
        self.multiple = multiple
        self.begins = np.asarray(begins, dtype=bool)
        self.dim = dim  # with frozen transformer vectors: their size (rows are vectors)

    def __call__(self, batch):
        key = "input_ids" if self.dim is None else "embeds"
        rows, tags = [], []
        for item, char_tags in batch:
            has_tags = np.ndim(char_tags) > 0
            if has_tags:
                doc_tags = token_tags(char_tags, item["starts"], item["ends"], self.begins)
            for s, e in item["windows"]:
                rows.append(item[key][s:e])
                if has_tags:
                    tags.append(doc_tags[s:e])
        width = round_up(max(len(r) for r in rows), self.multiple)
        input_ids = torch.zeros((len(rows), width), dtype=torch.long)
        target = torch.full((len(rows), width), IGNORE_INDEX, dtype=torch.long)
        if self.dim is None:
            embed_index, embeds = torch.zeros(0, dtype=torch.long), torch.zeros((0, width, 1))
        else:
            embed_index = torch.arange(len(rows))
            embeds = torch.zeros((len(rows), width, self.dim))
        for k, row in enumerate(rows):
            if self.dim is None:
                input_ids[k, : len(row)] = torch.from_numpy(row)
            else:
                embeds[k, : len(row)] = torch.from_numpy(row)
            if tags:
                target[k, : len(row)] = torch.from_numpy(tags[k])
        x = {
            "input_ids": input_ids,
            "lengths": torch.tensor([len(r) for r in rows], dtype=torch.long),
            "embed_index": embed_index,
            "embeds": embeds,
        }
        if tags:
            x["tags"] = target
        return x, target


class _RNNTagger(TaggerMixin, _BaseSequenceClassifier):
    """Token ids from the sequence classifiers' vocabulary, a per-token encoder, a head."""

    _encoder_class = None

    _parameter_constraints: dict = {
        **_BaseSequenceClassifier._parameter_constraints,
        **_TAGGER_CONSTRAINTS,
    }

    def _check_param_relations(self):
        super()._check_param_relations()
        embedder = self.embedding
        if self._embedding_kind() == "transformer" and getattr(embedder, "layer", "last") != "last":
            raise ValueError(
                f"{type(self).__name__} reads a transformer's last layer; the given "
                f"TransformerEmbedder has layer={embedder.layer!r}. Use layer='last'."
            )

    def _units(self, texts):
        """The texts as the family base segments them into this tagger's tokens.

        ``segment_texts(level="char")`` keeps runs of digits and Latin letters
        together ("T36.6"), but an entity may be one character of such a run
        (CHECK "T" in "T36.6℃"), so at char level every non-space character is
        its own token: the base sees the characters separated by spaces.
        """
        if self.level != "char":
            return list(texts)
        return [" ".join(c for c in text if not c.isspace()) for text in texts]

    def _fit_encoding(self, X, y):
        return super()._fit_encoding(self._units(X), y)

    def _encode(self, X):
        from skmedtext.text import UNKNOWN_INDEX, segment_texts, tokens_to_indices

        items = []
        for text, tokens in zip(X, segment_texts(self._units(X), self.level)):
            starts, ends = token_offsets(text, tokens)
            ids = tokens_to_indices(tokens, self.vocabulary_ or {}, max(1, len(tokens)))
            if not len(tokens):  # an empty text still needs one position
                ids, starts, ends = np.array([UNKNOWN_INDEX]), np.zeros(1, int), np.zeros(1, int)
            windows = window_bounds(ids.size, self.max_length, self.window_overlap)
            items.append({"input_ids": ids, "starts": starts, "ends": ends, "windows": windows})
        if self.vocabulary_ is None:  # embedding="transformer": frozen states per token
            self._add_transformer_states(X, items)
        return items, np.array([item["input_ids"].size for item in items])

    def _add_transformer_states(self, X, items):
        """Replace each item's token ids by its tokens' frozen transformer vectors."""
        from skmedtext.models._tagging._states import token_states
        from skmedtext.utils import resolve_bf16, resolve_device

        embedder = self.embedder_
        device = resolve_device(self.device)
        states = token_states(
            X, [(item["starts"], item["ends"]) for item in items], embedder.tokenizer_,
            embedder.last_layer_stack(), max_length=embedder.max_length,
            overlap=self.window_overlap,
            device=device, amp=resolve_bf16(embedder.amp, device),
        )  # fmt: skip
        for item, vectors in zip(items, states):
            item["embeds"] = vectors

    def _make_collator(self):
        begins = [str(tag).startswith("B-") for tag in self.classes_]
        dim = None if self.vocabulary_ is not None else self.embedding_dim_
        return TokenRowCollator(self.pad_to_multiple_of, begins, dim)

    def _build_module(self, n_classes, weights):
        encoder = self._encoder_class(self._sequence_input(weights), **self._module_params())
        return TaggerModule(encoder, n_classes, head=self.head)


_DOC_TAIL = """
    Attributes
    ----------
    classes_ : ndarray of str
        The BIO tags (``"O"``, then ``"B-TYPE"``, ``"I-TYPE"`` per type, sorted).
    vocabulary_ : dict
        Token -> embedding row.
    net_ : skmedtext.models._tagging._net.TaggerNet
        The trained skorch net; ``history_`` its history.
"""


def _fill_doc(cls):
    cls.__doc__ = cls.__doc__ % {
        "sequence": SEQUENCE_PARAMS_DOC.replace("the classifier", "the tagger"),
        "tagger": TAGGER_PARAMS_DOC,
        "core": CORE_PARAMS_DOC,
        "tail": _DOC_TAIL,
    }
    return cls


@_fill_doc
class BiLSTMCRFTagger(_RNNTagger):
    """BiLSTM-CRF named-entity tagger (Huang et al., 2015; paper 003's NER baseline).

    Each token (character or word) is embedded, a bidirectional LSTM reads the
    text, a linear layer gives per-tag emission scores and a CRF decodes the
    best tag sequence. ``fit`` takes per text a list of ``(start, end, type)``
    character spans or a list of per-character BIO tags; ``predict`` returns
    spans, ``predict_tags`` per-character BIO tags. At ``level="word"`` (jieba)
    a word's tag is ``B-X`` when an entity starts inside it, so boundaries
    inside a word are lost; predictions cover whole words.

    Parameters
    ----------
    %(sequence)s
    hidden_size : int, default=128
        LSTM units per direction.
    n_layers : int, default=1
    dropout : float, default=0.5
        On the LSTM states (and between layers).
    %(tagger)s
    %(core)s
    %(tail)s
    Examples
    --------
    >>> from skmedtext.models import BiLSTMCRFTagger
    >>> X = ["右髋部疼痛", "腹痛三天", "左膝肿胀"] * 4
    >>> y = [[(0, 3, "BODY"), (3, 5, "SIGNS")], [(0, 2, "SIGNS")],
    ...      [(0, 2, "BODY"), (2, 4, "SIGNS")]] * 4
    >>> tagger = BiLSTMCRFTagger(hidden_size=8, embedding_dim=8, max_epochs=2, random_state=0)
    >>> tagger.fit(X, y).predict(["右膝疼痛"])  # doctest: +SKIP
    [[(0, 2, 'BODY'), (2, 4, 'SIGNS')]]
    """

    _encoder_class = BiLSTMEncoder
    _parameter_constraints: dict = {
        **_RNNTagger._parameter_constraints,
        "hidden_size": [_POSITIVE_INT],
        "n_layers": [_POSITIVE_INT],
    }

    def __init__(
        self, embedding="bare", *, hidden_size=128, n_layers=1, dropout=0.5, head="crf",
        emission_weight=0.0, tag_weighting="tags", window_overlap=64, split_sentences=True,
        level="char", max_length=512, embedding_dim=100, freeze_embedding=True, encoder=None,
        embedding_params=None, criterion="ce", max_epochs=20, batch_size=32, lr=1e-3,
        weight_decay=0.0, warmup_ratio=0.1, validation_fraction=0.0, n_iter_no_change=None,
        grad_clip=5.0, bucket=True, pad_to_multiple_of=8, device="auto", amp="auto",
        random_state=None, verbose=0, checkpoint_dir=None, callbacks=None,
        on_divergence="raise",
    ):  # fmt: skip
        self.hidden_size = hidden_size
        self.n_layers = n_layers
        self.head = head
        self.emission_weight = emission_weight
        self.tag_weighting = tag_weighting
        self.window_overlap = window_overlap
        self.split_sentences = split_sentences
        super().__init__(
            embedding, dropout=dropout, level=level, max_length=max_length,
            embedding_dim=embedding_dim, freeze_embedding=freeze_embedding, encoder=encoder,
            embedding_params=embedding_params, criterion=criterion, max_epochs=max_epochs,
            batch_size=batch_size, lr=lr, weight_decay=weight_decay, warmup_ratio=warmup_ratio,
            validation_fraction=validation_fraction, n_iter_no_change=n_iter_no_change,
            grad_clip=grad_clip, bucket=bucket, pad_to_multiple_of=pad_to_multiple_of,
            device=device, amp=amp, random_state=random_state, verbose=verbose,
            checkpoint_dir=checkpoint_dir, callbacks=callbacks, on_divergence=on_divergence,
        )  # fmt: skip

    def _module_params(self):
        return dict(hidden_size=self.hidden_size, n_layers=self.n_layers, dropout=self.dropout)


@_fill_doc
class StaResGRUCNNCRFTagger(_RNNTagger):
    """StaResGRU-CNN-CRF named-entity tagger (paper 003's best NER pipeline).

    Paper 003's stacked residual BiGRU and CNN projection
    (:class:`~skmedtext.models.StaResGRUCNNClassifier`'s layers) kept per token,
    a linear emission layer and a CRF (or softmax) head. Targets and outputs
    as in :class:`BiLSTMCRFTagger`.

    Parameters
    ----------
    %(sequence)s
    hidden_size : int, default=256
        Width of each BiGRU layer (both directions together).
    n_layers : int, default=2
        Stacked residual BiGRU layers.
    filters : int, default=128
        Channels of the CNN projection (the emission layer's input).
    kernel_size : int, default=3
    dropout : float, default=0.4
    %(tagger)s
    %(core)s
    %(tail)s
    Examples
    --------
    >>> from skmedtext.models import StaResGRUCNNCRFTagger
    >>> tagger = StaResGRUCNNCRFTagger(hidden_size=8, filters=8, max_epochs=1)
    """

    _encoder_class = StaResGRUCNNEncoder
    _parameter_constraints: dict = {
        **_RNNTagger._parameter_constraints,
        "hidden_size": [_POSITIVE_INT],
        "n_layers": [_POSITIVE_INT],
        "filters": [_POSITIVE_INT],
        "kernel_size": [_POSITIVE_INT],
    }

    def __init__(
        self, embedding="bare", *, hidden_size=256, n_layers=2, filters=128, kernel_size=3,
        dropout=0.4, head="crf", emission_weight=0.0, tag_weighting="tags", window_overlap=64,
        split_sentences=True, level="char", max_length=512, embedding_dim=100,
        freeze_embedding=True, encoder=None, embedding_params=None, criterion="ce",
        max_epochs=20, batch_size=32, lr=1e-3,
        weight_decay=0.0, warmup_ratio=0.1, validation_fraction=0.0, n_iter_no_change=None,
        grad_clip=5.0, bucket=True, pad_to_multiple_of=8, device="auto", amp="auto",
        random_state=None, verbose=0, checkpoint_dir=None, callbacks=None,
        on_divergence="raise",
    ):  # fmt: skip
        self.hidden_size = hidden_size
        self.n_layers = n_layers
        self.filters = filters
        self.kernel_size = kernel_size
        self.head = head
        self.emission_weight = emission_weight
        self.tag_weighting = tag_weighting
        self.window_overlap = window_overlap
        self.split_sentences = split_sentences
        super().__init__(
            embedding, dropout=dropout, level=level, max_length=max_length,
            embedding_dim=embedding_dim, freeze_embedding=freeze_embedding, encoder=encoder,
            embedding_params=embedding_params, criterion=criterion, max_epochs=max_epochs,
            batch_size=batch_size, lr=lr, weight_decay=weight_decay, warmup_ratio=warmup_ratio,
            validation_fraction=validation_fraction, n_iter_no_change=n_iter_no_change,
            grad_clip=grad_clip, bucket=bucket, pad_to_multiple_of=pad_to_multiple_of,
            device=device, amp=amp, random_state=random_state, verbose=verbose,
            checkpoint_dir=checkpoint_dir, callbacks=callbacks, on_divergence=on_divergence,
        )  # fmt: skip

    def _module_params(self):
        return dict(
            hidden_size=self.hidden_size,
            n_layers=self.n_layers,
            filters=self.filters,
            kernel_size=self.kernel_size,
            dropout=self.dropout,
        )
