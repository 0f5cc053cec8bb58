"""Transformer taggers: BERT/e5 + CRF or softmax, and DMT-BERT's co-occurrence task.

Texts are tokenised by the encoder's fast tokenizer without special tokens and with
character offsets (a SentencePiece ``"▁"`` piece whose characters the next token
also covers is dropped, so every kept token starts on its own characters; the
e5 ``"query: "`` prefix is not used for tagging). Token rows longer than
``max_length - 2`` become overlapping windows, each encoded as
``[CLS] window [SEP]``; the windows' scores are merged back before decoding.
"""

import numbers

import numpy as np
import torch
from sklearn.utils._param_validation import Interval, StrOptions

from skmedtext.metrics import bio_to_spans
from skmedtext.models._collate import BertCollator
from skmedtext.models._frozen import FrozenStackMixin
from skmedtext.models._cooccurrence import cooccurring_pairs
from skmedtext.models._tagging._base import _TAGGER_CONSTRAINTS, TAGGER_PARAMS_DOC, TaggerMixin
from skmedtext.models._tagging._encoding import (
    IGNORE_INDEX,
    kept_pieces,
    token_tags,
    window_bounds,
)
from skmedtext.models._tagging._modules import CooccurrenceTaggerModule, TransformerEncoder
from skmedtext.training import CORE_PARAMS_DOC, BaseTextClassifier
from skmedtext.utils import round_up

__all__ = ["BertTagger", "DMTBertTagger"]


class WindowCollator:
    """``[CLS] window [SEP]`` rows, content-aligned tag rows and mention pairs (picklable)."""

    def __init__(self, cls_id, sep_id, pad_id, multiple, begins, pairs=None):
        self.special = (cls_id, sep_id, pad_id)
        self.multiple = multiple
        self.begins = np.asarray(begins, dtype=bool)
        self.pairs = pairs  # (BertCollator, {mention type index: ...}, term ids) or None

    def __call__(self, batch):
        rows, tags, mentions, states = [], [], [], []
        for item, char_tags in batch:
            states += item.get("window_states", [])
            has_tags = np.ndim(char_tags) > 0
            doc_tags = (
                token_tags(char_tags, item["starts"], item["ends"], self.begins)
                if has_tags
                else None
            )
            for s, e in item["windows"]:
                if has_tags and self.pairs is not None:
                    mentions += self._mentions(item, char_tags, s, e, len(rows))
                rows.append(item["input_ids"][s:e])
                if has_tags:
                    tags.append(doc_tags[s:e])
        cls_id, sep_id, pad_id = self.special
        width = round_up(max(len(r) for r in rows) + 2, self.multiple)
        input_ids = torch.full((len(rows), width), pad_id, dtype=torch.long)
        attention = torch.zeros((len(rows), width), dtype=torch.long)
        target = torch.full((len(rows), width - 1), IGNORE_INDEX, dtype=torch.long)
        for k, row in enumerate(rows):
            n = len(row)
            input_ids[k, : n + 2] = torch.tensor([cls_id, *row.tolist(), sep_id])
            attention[k, : n + 2] = 1
            if tags:
                target[k, :n] = torch.from_numpy(tags[k])
        lengths = torch.tensor([len(r) for r in rows], dtype=torch.long)
        x = {"input_ids": input_ids, "attention_mask": attention, "lengths": lengths}
        if states:  # the frozen layers' output, used instead of the token ids
            # (which stay: skorch measures a dict batch by its "input_ids")
            x["embeds"] = states[0].new_zeros((len(rows), width, states[0].shape[1]))
            for k, value in enumerate(states):
                x["embeds"][k, : len(value)] = value
        if tags:
            x["tags"] = target
            if self.pairs is not None:
                x["mentions"] = self.pairs[0]._pairs(mentions)
        return x, target

    def _mentions(self, item, char_tags, s, e, row):
        """Gold mentions of the co-occurrence types inside window ``[s, e)``, in its tokens."""
        _, names, terms = self.pairs
        tags = [names[i] if i >= 0 else "O" for i in char_tags[: len(item["text"])]]
        out = []
        for start, end, kind in bio_to_spans(tags):
            term = terms.get((kind, item["text"][start:end]))
            inside = np.flatnonzero((item["starts"][s:e] < end) & (item["ends"][s:e] > start))
            if term is not None and inside.size:
                out.append((row, int(inside[0]), int(inside[-1]) + 1, term))
        return out


def _fill_doc(cls):
    cls.__doc__ = cls.__doc__ % {"tagger": TAGGER_PARAMS_DOC, "core": CORE_PARAMS_DOC}
    return cls


@_fill_doc
class BertTagger(TaggerMixin, FrozenStackMixin, BaseTextClassifier):
    """Transformer (BERT / e5) token tagger with a CRF or softmax head.

    A local Hugging Face encoder (``"e5-small-multilingual"`` for Chinese) reads
    each window of subword tokens; a linear layer on every token's last state
    gives emissions and a CRF (pytorch-crf) decodes, or a softmax per token
    (``head="softmax"``, the plain BERT baseline). Subwords map to characters
    through the tokenizer's offsets; a predicted entity covers its first
    subword's first character to its last subword's last one.

    Parameters
    ----------
    model_name_or_path : str or None, default=None
        Encoder preset or local folder (``None`` is ``"minilm-en"``; use
        ``"e5-small-multilingual"`` for Chinese). Never downloaded.
    max_length : int, default=256
        Tokens per window, ``[CLS]`` and ``[SEP]`` included.
    trainable_layers : int or None, default=None
        Fine-tune only the top this many transformer layers (the embeddings
        and lower layers are frozen: the CPU setting); ``None`` fine-tunes all.
        A value above the encoder's depth trains every layer (the input
        embeddings stay frozen), as in :class:`~skmedtext.models.DMTBertClassifier`.
        The frozen layers' output for each ``[CLS] window [SEP]`` row is computed
        once (in eval mode, bf16 under ``amp``) and cached, as DMT-BERT's is:
        epochs, folds and grid candidates run only the top layers.
    frozen_cache : {"memory", "disk"}, default="memory"
        Where that output is kept, as in :class:`~skmedtext.models.DMTBertClassifier`.
    attention_dropout : float or None, default=0.0
        Dropout on the encoder's attention probabilities (``None``: the
        checkpoint's value); 0 keeps PyTorch's fused CPU attention kernel, as in
        :class:`~skmedtext.models.DMTBertClassifier`.
    head_lr : float, default=1e-3
        Learning rate of the emission layer and the CRF (the encoder uses ``lr``):
        the CRF's transitions start from zero and need larger steps.
    dropout : float, default=0.1
        On the token states.
    %(tagger)s
    %(core)s
    """

    _parameter_constraints: dict = {
        **BaseTextClassifier._parameter_constraints,
        **_TAGGER_CONSTRAINTS,
        "model_name_or_path": [str, None],
        "max_length": [Interval(numbers.Integral, 8, None, closed="left")],
        "trainable_layers": [Interval(numbers.Integral, 0, None, closed="left"), None],
        "frozen_cache": [StrOptions({"memory", "disk"})],
        "attention_dropout": [Interval(numbers.Real, 0, 1, closed="left"), None],
        "head_lr": [Interval(numbers.Real, 0, None, closed="neither")],
        "dropout": [Interval(numbers.Real, 0, 1, closed="left")],
    }

    def __init__(
        self, model_name_or_path=None, *, head="crf", max_length=256, window_overlap=32,
        split_sentences=False, trainable_layers=None, frozen_cache="memory",
        attention_dropout=0.0, head_lr=1e-3, dropout=0.1,
        emission_weight=0.0, tag_weighting="tags", criterion="ce", max_epochs=3, batch_size=8,
        lr=5e-5,
        weight_decay=0.01, warmup_ratio=0.1, validation_fraction=0.0, n_iter_no_change=None,
        grad_clip=1.0, bucket=True, pad_to_multiple_of=8, device="auto", amp="auto",
        random_state=None, verbose=0, checkpoint_dir=None, callbacks=None,
        on_divergence="raise",
    ):  # fmt: skip
        self.model_name_or_path = model_name_or_path
        self.head = head
        self.max_length = max_length
        self.window_overlap = window_overlap
        self.split_sentences = split_sentences
        self.trainable_layers = trainable_layers
        self.frozen_cache = frozen_cache
        self.attention_dropout = attention_dropout
        self.head_lr = head_lr
        self.dropout = dropout
        self.emission_weight = emission_weight
        self.tag_weighting = tag_weighting
        super().__init__(
            criterion=criterion, max_epochs=max_epochs, batch_size=batch_size, lr=lr,
            weight_decay=weight_decay, warmup_ratio=warmup_ratio,
            validation_fraction=validation_fraction, n_iter_no_change=n_iter_no_change,
            grad_clip=grad_clip, bucket=bucket, pad_to_multiple_of=pad_to_multiple_of,
            device=device, amp=amp, random_state=random_state, verbose=verbose,
            checkpoint_dir=checkpoint_dir, callbacks=callbacks, on_divergence=on_divergence,
        )  # fmt: skip

    def _check_param_relations(self):
        super()._check_param_relations()
        if self.window_overlap >= self.max_length - 2:
            raise ValueError(
                f"window_overlap ({self.window_overlap}) must be smaller than max_length - 2 "
                f"({self.max_length - 2} content tokens per window)."
            )

    def _loss_weights(self):
        # the module's auxiliary term holds the CRF loss and any co-occurrence loss
        return (float(self.emission_weight) if self.head == "crf" else 1.0), 1.0

    def _fit_encoding(self, X, y):
        from skmedtext.encoders import load_encoder

        self.encoder_spec_, self.tokenizer_, encoder = load_encoder(
            self.model_name_or_path, attention_dropout=self.attention_dropout
        )
        if not getattr(self.tokenizer_, "is_fast", False):
            raise ValueError(f"{type(self).__name__} needs a fast tokenizer (character offsets).")
        self._start_frozen_stack(encoder)
        return encoder

    def _encode(self, X):
        encoded = self.tokenizer_(
            list(X), add_special_tokens=False, return_offsets_mapping=True, verbose=False
        )
        items = []
        for text, ids, offsets in zip(X, encoded["input_ids"], encoded["offset_mapping"]):
            kept = kept_pieces(offsets)
            ids = np.asarray(ids, dtype=np.int64)[kept]
            offsets = np.asarray(offsets, dtype=np.int64).reshape(-1, 2)[kept]
            if not ids.size:  # an empty text still needs one position
                ids, offsets = np.array([self.tokenizer_.unk_token_id]), np.zeros((1, 2), int)
            windows = window_bounds(ids.size, self.max_length - 2, self.window_overlap)
            items.append({"input_ids": ids, "starts": offsets[:, 0], "ends": offsets[:, 1],
                          "windows": windows, "text": text})  # fmt: skip
        if self._frozen_stack() is not None:
            self._serve_frozen_states(items)
        return items, np.array([item["input_ids"].size for item in items])

    def _serve_frozen_states(self, items):
        """Each window's ``[CLS] window [SEP]`` states after the frozen layers (cached)."""
        from skmedtext.utils import resolve_bf16, resolve_device

        tok = self.tokenizer_
        rows = [np.concatenate(([tok.cls_token_id], item["input_ids"][s:e], [tok.sep_token_id]))
                for item in items for s, e in item["windows"]]  # fmt: skip
        device = resolve_device(self.device)
        states = iter(self._stack.states(rows, device, resolve_bf16(self.amp, device)))
        for item in items:
            item["window_states"] = [next(states) for _ in item["windows"]]

    def _tuned_encoder(self):
        return self.net_.module_.encoder.encoder

    def _mention_pairs(self):
        return None

    def _make_collator(self):
        tok = self.tokenizer_
        begins = [str(tag).startswith("B-") for tag in self.classes_]
        return WindowCollator(tok.cls_token_id, tok.sep_token_id, tok.pad_token_id or 0,
                              self.pad_to_multiple_of, begins, self._mention_pairs())  # fmt: skip

    def _build_module(self, n_classes, encoder):
        _freeze_lower_layers(encoder, self.trainable_layers)
        return CooccurrenceTaggerModule(
            TransformerEncoder(encoder, self.dropout, cut=self._frozen_cut(encoder)),
            n_classes, self.head,
            lambda_cooc=getattr(self, "lambda_cooc", 0.0),
        )  # fmt: skip

    # -- persistence hooks (skmedtext.persistence) --------------------------------------
    def _persist_state(self, folder):
        from skmedtext.encoders import save_encoder_state

        encoder = self.net_.module_.encoder.encoder
        return {
            **save_encoder_state(encoder, self.tokenizer_, self.encoder_spec_, folder),
            **self._frozen_state(),
        }

    def _restore_module(self, state, folder):
        from skmedtext.encoders import load_encoder_state

        self.encoder_spec_, self.tokenizer_, encoder = load_encoder_state(state, folder)
        self._restore_frozen_state(state)
        self.multilabel_ = False
        return self._build_module(len(self.classes_), encoder)

    def _net_params(self, module, criterion, device, amp):
        params = super()._net_params(module, criterion, device, amp)
        params["optimizer__param_groups"] = [
            ("emit.*", {"lr": self.head_lr}),
            ("crf.*", {"lr": self.head_lr}),
            ("cooc_*", {"lr": self.head_lr}),
        ]
        return params


def _freeze_lower_layers(encoder, trainable_layers):
    if trainable_layers is None:
        return
    n_layers = encoder.config.num_hidden_layers
    # above the depth: every layer trains, the input embeddings stay frozen (as FrozenStack)
    first = max(0, n_layers - trainable_layers)
    for name, param in encoder.named_parameters():
        parts = name.split(".")
        layer = int(parts[2]) if name.startswith("encoder.layer.") else -1
        param.requires_grad_(layer >= first)


class DMTBertTagger(BertTagger):
    """DMT-BERT tagger: :class:`BertTagger` plus paper 000's co-occurrence task.

    Paper 000 trains DMT-BERT on CCKS 2017 with an auxiliary task that predicts
    whether two disease/symptom mentions co-occur (eqs. 19-21). Here the
    mentions are the **gold** mentions of the ``cooc_types`` (default DISEASE
    and SIGNS) in the training labels: a term is a ``(type, mention string)``;
    two terms are a positive pair when they are mentioned together in at least
    ``min_cooccur`` training documents; in each training batch the pairs of
    different terms within one window are scored (at most ``max_pairs``,
    positives first) by ``sigmoid(a * cos(h_i, h_j) + b)`` of their mean token
    states against that label. The loss adds ``lambda_cooc`` times the BCE to the
    tagging loss; prediction does not use the task. ``lambda_cooc=0`` is
    :class:`BertTagger`.

    Parameters
    ----------
    model_name_or_path : str or None, default=None
    lambda_cooc : float, default=0.1
    cooc_types : tuple of str, default=("DISEASE", "SIGNS")
    min_cooccur : int, default=2
    max_pairs : int, default=64
    **params
        Every other parameter of :class:`BertTagger`.
    """

    _parameter_constraints: dict = {
        **BertTagger._parameter_constraints,
        "lambda_cooc": [Interval(numbers.Real, 0, None, closed="left")],
        "cooc_types": [tuple, list],
        "min_cooccur": [Interval(numbers.Integral, 1, None, closed="left")],
        "max_pairs": [Interval(numbers.Integral, 1, None, closed="left")],
    }

    def __init__(
        self, model_name_or_path=None, *, lambda_cooc=0.1, cooc_types=("DISEASE", "SIGNS"),
        min_cooccur=2, max_pairs=64, head="crf", max_length=256, window_overlap=32,
        split_sentences=False, trainable_layers=None, frozen_cache="memory",
        attention_dropout=0.0, head_lr=1e-3, dropout=0.1,
        emission_weight=0.0, tag_weighting="tags", criterion="ce", max_epochs=3, batch_size=8,
        lr=5e-5,
        weight_decay=0.01, warmup_ratio=0.1, validation_fraction=0.0, n_iter_no_change=None,
        grad_clip=1.0, bucket=True, pad_to_multiple_of=8, device="auto", amp="auto",
        random_state=None, verbose=0, checkpoint_dir=None, callbacks=None,
        on_divergence="raise",
    ):  # fmt: skip
        self.lambda_cooc = lambda_cooc
        self.cooc_types = cooc_types
        self.min_cooccur = min_cooccur
        self.max_pairs = max_pairs
        super().__init__(
            model_name_or_path, head=head, max_length=max_length, window_overlap=window_overlap,
            split_sentences=split_sentences, trainable_layers=trainable_layers,
            frozen_cache=frozen_cache, attention_dropout=attention_dropout, head_lr=head_lr, dropout=dropout,
            emission_weight=emission_weight, tag_weighting=tag_weighting, criterion=criterion,
            max_epochs=max_epochs, batch_size=batch_size, lr=lr, weight_decay=weight_decay,
            warmup_ratio=warmup_ratio, validation_fraction=validation_fraction,
            n_iter_no_change=n_iter_no_change, grad_clip=grad_clip, bucket=bucket,
            pad_to_multiple_of=pad_to_multiple_of, device=device, amp=amp,
            random_state=random_state, verbose=verbose, checkpoint_dir=checkpoint_dir,
            callbacks=callbacks, on_divergence=on_divergence,
        )  # fmt: skip

    def _fit_encoding(self, X, y):
        encoder = super()._fit_encoding(X, y)
        names = list(self.classes_)
        terms, per_doc = {}, []
        for text, row in zip(X, y):
            tags = [names[i] if i >= 0 else "O" for i in row[: len(text)]]
            spans = [(s, e, k) for s, e, k in bio_to_spans(tags) if k in self.cooc_types]
            per_doc.append(
                [(s, e, terms.setdefault((k, text[s:e]), len(terms))) for s, e, k in spans]
            )
        self.cooc_terms_ = terms
        self.cooccurring_pairs_ = cooccurring_pairs(per_doc, self.min_cooccur)
        return encoder

    def _persist_state(self, folder):
        state = super()._persist_state(folder)
        # term keys are (entity type, mention text) tuples: stored as [type, text, id]
        state["cooc_terms"] = [[k, text, i] for (k, text), i in self.cooc_terms_.items()]
        state["cooccurring_pairs"] = sorted(list(p) for p in self.cooccurring_pairs_)
        return state

    def _restore_module(self, state, folder):
        self.cooc_terms_ = {(k, text): int(i) for k, text, i in state["cooc_terms"]}
        self.cooccurring_pairs_ = frozenset(tuple(p) for p in state["cooccurring_pairs"])
        return super()._restore_module(state, folder)

    def _mention_pairs(self):
        if not self.lambda_cooc:
            return None
        sampler = BertCollator(0, 1, 1, self.cooccurring_pairs_, self.max_pairs)
        return sampler, list(self.classes_), self.cooc_terms_
