"""DMT-BERT: disease-aware multi-task BERT (paper 000) on the shared training core."""

import numbers
import os

import numpy as np
from sklearn.utils._param_validation import Interval, StrOptions

from skmedtext._synthetic import SyntheticSequence, check_space
from skmedtext.models._collate import BertCollator, row_length
from skmedtext.models._cooccurrence import (
    TermMatcher,
    cooccurring_pairs,
    extract_disease_terms,
    load_disease_terms,
    token_spans,
)
from skmedtext.training import CORE_PARAMS_DOC, BaseTextClassifier

__all__ = ["DMTBertClassifier"]


class DMTBertClassifier(BaseTextClassifier):
    """Disease-aware multi-task BERT classifier (DMT-BERT, paper 000).

    A local Hugging Face BERT-family encoder is fine-tuned with a classification
    head ``hidden -> head_hidden -> K`` (paper: 768-256-K, dropout 0.2) on the
    ``[CLS]`` state (eq. 18) or the mean of token states (eq. 17), jointly with an
    auxiliary disease co-occurrence task (eqs. 19-21): mention embeddings are the
    mean token states of disease-term spans, ``A_ij`` their cosine similarity,
    ``p_ij = sigmoid(a * A_ij + b)`` with learned ``a, b``, and the loss is
    ``lambda_cls * L_cls + lambda_cooc * BCE(p, y)`` (BCE averaged over pairs).
    How terms, mentions and co-occurrence labels are defined is documented in
    :mod:`skmedtext.models._cooccurrence` and ``docs/dmt_bert.md``.

    ``lambda_cooc=0`` is the single-task model, so the paper's ablations are
    parameter settings: m1 = SAAN + ``lambda_cooc>0``, m2 = ``lambda_cooc>0``,
    m3 = SAAN + ``lambda_cooc=0``, m4 = ``lambda_cooc=0``.

    Besides texts, ``fit`` accepts :class:`~skmedtext.SyntheticSequence` rows whose
    ``space`` is this encoder's input word-embedding space (``embedding_space_``);
    they enter the encoder through ``inputs_embeds``.

    Parameters
    ----------
    model_name_or_path : str or None, default=None
        Encoder preset (``"minilm-en"``, ``"e5-small-multilingual"``) or a local HF
        folder; ``None`` means ``"minilm-en"``. Never downloaded.
    max_length : int, default=128
        Tokens per text after truncation (paper: 512).
    pooling : {"cls", "mean"}, default="cls"
    head_hidden : int, default=256
    dropout : float, default=0.2
    lambda_cls : float, default=1.0
        Weight of the classification loss (lambda_1, eq. 21).
    lambda_cooc : float, default=0.1
        Weight of the co-occurrence loss (lambda_2, eq. 21); 0 disables the task.
    disease_terms : list of str, path or None, default=None
        Disease lexicon; ``None`` mines one from the training texts.
    min_cooccur : int, default=2
        Two terms co-occur when mentioned together in at least this many training
        records.
    max_pairs : int, default=64
        Co-occurrence pairs per batch at most (positives kept first).
    %(core)s

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
    embedding_space_ : str
        Identifier of the encoder's input word-embedding space.
    disease_terms_ : list of str
        The lexicon used (empty when ``lambda_cooc=0``).
    cooccurring_pairs_ : frozenset of (int, int)
        Term-id pairs labelled as co-occurring.
    net_ : skmedtext.training.TextNet
        The fitted skorch net; ``history_`` is its history (``train_loss``,
        ``train_aux_loss``, ``valid_loss`` per epoch).

    Examples
    --------
    >>> from skmedtext.models import DMTBertClassifier
    >>> texts = ["chronic hepatitis and cirrhosis", "acute myocardial infarction",
    ...          "hepatitis b with cirrhosis", "coronary disease and infarction"]
    >>> clf = DMTBertClassifier(max_epochs=1, batch_size=2, random_state=0)
    >>> clf.fit(texts, ["liver", "heart", "liver", "heart"]).predict(texts).shape
    (4,)
    """

    _accepts_synthetic = True

    _parameter_constraints: dict = {
        **BaseTextClassifier._parameter_constraints,
        "model_name_or_path": [str, os.PathLike, None],
        "max_length": [Interval(numbers.Integral, 4, None, closed="left")],
        "pooling": [StrOptions({"cls", "mean"})],
        "head_hidden": [Interval(numbers.Integral, 1, None, closed="left")],
        "dropout": [Interval(numbers.Real, 0, 1, closed="left")],
        "lambda_cls": [Interval(numbers.Real, 0, None, closed="left")],
        "lambda_cooc": [Interval(numbers.Real, 0, None, closed="left")],
        "disease_terms": ["array-like", str, os.PathLike, None],
        "min_cooccur": [Interval(numbers.Integral, 1, None, closed="left")],
        "max_pairs": [Interval(numbers.Integral, 0, None, closed="left")],
    }

    def __init__(
        self,
        model_name_or_path=None,
        *,
        max_length=128,
        pooling="cls",
        head_hidden=256,
        dropout=0.2,
        lambda_cls=1.0,
        lambda_cooc=0.1,
        disease_terms=None,
        min_cooccur=2,
        max_pairs=64,
        criterion="ce",
        max_epochs=3,
        batch_size=32,
        lr=2e-5,
        weight_decay=0.01,
        warmup_ratio=0.1,
        validation_fraction=0.0,
        n_iter_no_change=None,
        grad_clip=1.0,
        bucket=True,
        pad_to_multiple_of=8,
        device="auto",
        amp="auto",
        random_state=None,
        verbose=0,
        checkpoint_dir=None,
        callbacks=None,
        on_divergence="raise",
    ):
        self.model_name_or_path = model_name_or_path
        self.max_length = max_length
        self.pooling = pooling
        self.head_hidden = head_hidden
        self.dropout = dropout
        self.lambda_cls = lambda_cls
        self.lambda_cooc = lambda_cooc
        self.disease_terms = disease_terms
        self.min_cooccur = min_cooccur
        self.max_pairs = max_pairs
        super().__init__(
            criterion=criterion, max_epochs=max_epochs, batch_size=batch_size, lr=lr,
            weight_decay=weight_decay, warmup_ratio=warmup_ratio,
            validation_fraction=validation_fraction, n_iter_no_change=n_iter_no_change,
            grad_clip=grad_clip, bucket=bucket, pad_to_multiple_of=pad_to_multiple_of,
            device=device, amp=amp, random_state=random_state, verbose=verbose,
            checkpoint_dir=checkpoint_dir, callbacks=callbacks, on_divergence=on_divergence,
        )  # fmt: skip

    def _loss_weights(self):
        return self.lambda_cls, self.lambda_cooc

    def _fit_encoding(self, X, y):
        from skmedtext.encoders import check_max_length, input_embedding_space, load_encoder

        self.encoder_spec_, self.tokenizer_, encoder = load_encoder(self.model_name_or_path)
        check_max_length(self.max_length, encoder, type(self).__name__)
        self.hidden_size_ = encoder.config.hidden_size
        self.embedding_space_ = input_embedding_space(encoder)
        check_space(X, self.embedding_space_, type(self).__name__)
        real = [x for x in X if isinstance(x, str)]
        if self.lambda_cooc > 0:
            if self.disease_terms is not None:
                self.disease_terms_ = load_disease_terms(self.disease_terms)
            else:
                self.disease_terms_ = extract_disease_terms(real)
        else:
            self.disease_terms_ = []
        self._matcher = TermMatcher(self.disease_terms_)
        self.cooccurring_pairs_ = cooccurring_pairs(
            (self._matcher.find(t) for t in real), self.min_cooccur
        )
        return encoder

    def _encode(self, X):
        check_space(X, self.embedding_space_, type(self).__name__)
        prefix = self.encoder_spec_.prefix
        real_pos = [i for i, x in enumerate(X) if isinstance(x, str)]
        with_offsets = bool(self.disease_terms_)
        encoded = self.tokenizer_(
            [prefix + X[i] for i in real_pos],
            truncation=True,
            max_length=self.max_length,
            return_offsets_mapping=with_offsets,
        )
        items = [None] * len(X)
        for k, i in enumerate(real_pos):
            item = {"input_ids": np.asarray(encoded["input_ids"][k], dtype=np.int64)}
            if with_offsets:
                spans = token_spans(encoded["offset_mapping"][k], self._matcher.find(X[i]), len(prefix))
                item["mentions"] = spans
            items[i] = item
        for i, x in enumerate(X):
            if isinstance(x, SyntheticSequence):
                items[i] = {"embeds": np.asarray(x.vectors[: self.max_length], dtype=np.float32)}
        lengths = np.array([row_length(it) for it in items])
        return items, lengths

    def _make_collator(self):
        return BertCollator(
            pad_id=self.tokenizer_.pad_token_id or 0,
            multiple=self.pad_to_multiple_of,
            hidden=self.hidden_size_,
            positive_pairs=self.cooccurring_pairs_,
            max_pairs=self.max_pairs,
        )

    def _build_module(self, n_classes, encoder):
        from skmedtext.models._modules._bert import DMTBertModule

        return DMTBertModule(
            encoder,
            n_classes,
            head_hidden=self.head_hidden,
            dropout=self.dropout,
            pooling=self.pooling,
            cooc=self.lambda_cooc > 0,
        )

    # -- persistence hooks (skmedtext.persistence) --------------------------------------
    def _persist_state(self, folder):
        from dataclasses import asdict

        from skmedtext.encoders import save_hf_encoder

        encoder = save_hf_encoder(self.net_.module_.encoder, self.tokenizer_, folder, "encoder")
        return {
            "encoder": encoder,
            "encoder_spec": asdict(self.encoder_spec_),
            "hidden_size": self.hidden_size_,
            "embedding_space": self.embedding_space_,
            "disease_terms": list(self.disease_terms_),
            "cooccurring_pairs": sorted(list(p) for p in self.cooccurring_pairs_),
        }

    def _restore_module(self, state, folder):
        from skmedtext.encoders import EncoderSpec, build_hf_encoder

        self.tokenizer_, encoder = build_hf_encoder(state["encoder"], folder)
        self.encoder_spec_ = EncoderSpec(**state["encoder_spec"])
        self.hidden_size_ = int(state["hidden_size"])
        self.embedding_space_ = state["embedding_space"]
        self.disease_terms_ = list(state["disease_terms"])
        self._matcher = TermMatcher(self.disease_terms_)
        self.cooccurring_pairs_ = frozenset(tuple(p) for p in state["cooccurring_pairs"])
        return self._build_module(len(self.classes_), encoder)


DMTBertClassifier.__doc__ = DMTBertClassifier.__doc__ % {"core": CORE_PARAMS_DOC}
