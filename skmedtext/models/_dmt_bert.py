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
from skmedtext.models._frozen import FrozenStackMixin
from skmedtext.models._truncation import tokenize
from skmedtext.training import CORE_PARAMS_DOC, BaseTextClassifier

__all__ = ["DMTBertClassifier"]


class DMTBertClassifier(FrozenStackMixin, BaseTextClassifier):
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

    **Defaults** are the CPU-first setting measured by ``benchmarks/bench_dmt.py``
    (``docs/results.md``): the top 2 encoder layers and the head are fine-tuned
    above a cached frozen stack (``trainable_layers=2``), in bf16 where the CPU
    has bf16 matrix units (``amp="auto"``), with mean pooling (MiniLM and e5
    were trained for it), ``max_length=256``, lr 1e-4 with warm-up over the first tenth and
    linear decay, batch 16, 3 epochs: minutes, not hours, for a few thousand
    abstracts on 2 CPU cores. The paper's full fine-tuning is
    ``trainable_layers=None, lr=2e-5, pooling="cls", max_length=512``.

    Besides texts, ``fit`` accepts :class:`~skmedtext.SyntheticSequence` rows whose
    ``space`` is this encoder's input word-embedding space (``embedding_space_``);
    they enter the encoder through ``inputs_embeds``.

    Parameters
    ----------
    model_name_or_path : str or None, default=None
        Encoder preset (``"minilm-en"``, ``"e5-small-multilingual"``) or a local HF
        folder; ``None`` means ``"minilm-en"``. Never downloaded.
    max_length : int, default=256
        Tokens per text after truncation (paper: 512).
    truncation : {"head", "head_tail"}, default="head"
        How a text longer than ``max_length`` is cut: ``"head"`` keeps its
        first tokens; ``"head_tail"`` keeps the first quarter of the token
        budget from the start and the rest from the end (Sun et al., 2019:
        head 128 + tail 382 of 512), so an abstract keeps its conclusion.
    pooling : {"cls", "mean"}, default="mean"
        ``[CLS]`` state (eq. 18) or the mean of the token states (eq. 17);
        MiniLM and e5 were trained for mean pooling.
    head_hidden : int, default=256
    dropout : float, default=0.2
    lambda_cls : float, default=1.0
        Weight of the classification loss (lambda_1, eq. 21).
    lambda_cooc : float, default=0.1
        Weight of the co-occurrence loss (lambda_2, eq. 21); 0 disables the task.
    disease_terms : list of str, path or None, default=None
        Disease lexicon; ``None`` mines one from the training texts.
    cooccurrence : {"corpus", "record"}, default="corpus"
        The auxiliary label ``y_ij`` of a pair of disease mentions of different
        terms in a batch. ``"corpus"``: 1 when the two *terms* are mentioned
        together in at least ``min_cooccur`` training records (a corpus-level
        co-occurrence graph). ``"record"``: 1 when the two *mentions* come from
        the same record (the paper's words: "co-occur in the same medical
        record"), 0 across records. See ``docs/dmt_bert.md`` for the measured
        comparison.
    min_cooccur : int, default=2
        With ``cooccurrence="corpus"``: two terms co-occur when mentioned
        together in at least this many training records.
    max_pairs : int, default=64
        Co-occurrence pairs per batch at most (positives kept first).
    trainable_layers : int or None, default=2
        Fine-tune only the top ``k`` transformer layers (and the head); the input
        embeddings and the bottom ``L - k`` layers are frozen. Their output for
        each distinct text is computed once and cached (keyed by the frozen
        weights, the cut layer and the token ids, i.e. ``max_length``,
        truncation and text), so epochs, CV folds and grid-search candidates
        sharing an encoder reuse it. ``None`` fine-tunes everything; ``0``
        trains the head on a frozen encoder; a ``k`` above the encoder's depth
        trains all its layers (the input embeddings stay frozen).
    frozen_cache : {"memory", "disk"}, default="memory"
        Where the frozen stack's output is kept with ``trainable_layers``: a
        process-wide in-memory cache (LRU, 4 GiB), or that plus a folder under
        ``SKMEDTEXT_HOME/frozen_stack`` that later processes read.
    attention_dropout : float or None, default=0.0
        Dropout on the attention probabilities of the fine-tuned layers; ``None``
        keeps the checkpoint's value (0.1 for MiniLM and e5). 0 by default because
        PyTorch's fused CPU attention kernel has no dropout: any other value sends
        every training step through the unfused attention, 1.8x slower per step
        on the measured Xeon at ``max_length=256`` (``docs/speed.md``; the
        accuracy comparison is in ``docs/results.md``). Hidden-state dropout
        (the checkpoint's ``hidden_dropout_prob``) is unchanged.
    %(core)s

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
    embedding_space_ : str
        Identifier of the encoder's input word-embedding space.
    frozen_space_ : str
        With ``trainable_layers``: the space of the frozen stack's output
        (``"hf-layer-<cut>:<digest>"``); synthetic rows from this space enter
        above the frozen layers, rows from the input space go through them.
    disease_terms_ : list of str
        The lexicon used (empty when ``lambda_cooc=0``).
    cooccurring_pairs_ : frozenset of (int, int)
        Term-id pairs labelled as co-occurring (empty with
        ``cooccurrence="record"``).
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
        "cooccurrence": [StrOptions({"corpus", "record"})],
        "truncation": [StrOptions({"head", "head_tail"})],
        "min_cooccur": [Interval(numbers.Integral, 1, None, closed="left")],
        "max_pairs": [Interval(numbers.Integral, 0, None, closed="left")],
        "trainable_layers": [None, Interval(numbers.Integral, 0, None, closed="left")],
        "frozen_cache": [StrOptions({"memory", "disk"})],
        "attention_dropout": [Interval(numbers.Real, 0, 1, closed="left"), None],
    }

    def __init__(
        self,
        model_name_or_path=None,
        *,
        max_length=256,
        truncation="head",
        pooling="mean",
        head_hidden=256,
        dropout=0.2,
        lambda_cls=1.0,
        lambda_cooc=0.1,
        disease_terms=None,
        cooccurrence="corpus",
        min_cooccur=2,
        max_pairs=64,
        trainable_layers=2,
        frozen_cache="memory",
        attention_dropout=0.0,
        criterion="ce",
        max_epochs=3,
        batch_size=16,
        lr=1e-4,
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
        self.truncation = truncation
        self.pooling = pooling
        self.head_hidden = head_hidden
        self.dropout = dropout
        self.lambda_cls = lambda_cls
        self.lambda_cooc = lambda_cooc
        self.disease_terms = disease_terms
        self.cooccurrence = cooccurrence
        self.min_cooccur = min_cooccur
        self.max_pairs = max_pairs
        self.trainable_layers = trainable_layers
        self.frozen_cache = frozen_cache
        self.attention_dropout = attention_dropout
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

        self.encoder_spec_, self.tokenizer_, encoder = load_encoder(
            self.model_name_or_path, attention_dropout=self.attention_dropout
        )
        check_max_length(self.max_length, encoder, type(self).__name__)
        self.hidden_size_ = encoder.config.hidden_size
        self.embedding_space_ = input_embedding_space(encoder)
        self._start_frozen_stack(encoder)
        self._check_spaces(X)
        real = [x for x in X if isinstance(x, str)]
        if self.lambda_cooc > 0:
            if self.disease_terms is not None:
                self.disease_terms_ = load_disease_terms(self.disease_terms)
            else:
                self.disease_terms_ = extract_disease_terms(real)
        else:
            self.disease_terms_ = []
        self._matcher = TermMatcher(self.disease_terms_)
        self.cooccurring_pairs_ = (
            cooccurring_pairs((self._matcher.find(t) for t in real), self.min_cooccur)
            if self.cooccurrence == "corpus" else frozenset()
        )  # fmt: skip
        return encoder

    def _tuned_encoder(self):
        return self.net_.module_.encoder

    def _check_spaces(self, X):
        """Synthetic rows must come from the input space or, with a frozen stack, its output."""
        spaces = {self.embedding_space_}
        stack = self._frozen_stack()
        if stack is not None:
            spaces.add(stack.space)
        for x in X:
            if isinstance(x, SyntheticSequence) and x.space not in spaces:
                check_space([x], " or ".join(sorted(spaces)), type(self).__name__)

    def _encode(self, X):
        self._check_spaces(X)
        prefix = self.encoder_spec_.prefix
        real_pos = [i for i, x in enumerate(X) if isinstance(x, str)]
        with_offsets = bool(self.disease_terms_)
        encoded = tokenize(
            self.tokenizer_, [prefix + X[i] for i in real_pos], self.max_length,
            self.truncation, with_offsets,
        )  # fmt: skip
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
        if self._frozen_stack() is not None:
            self._serve_frozen_states(X, items)
        lengths = np.array([row_length(it) for it in items])
        return items, lengths

    def _serve_frozen_states(self, X, items):
        """Replace token ids / input-space vectors by the frozen stack's (cached) output."""
        from skmedtext.utils import resolve_bf16, resolve_device

        device = resolve_device(self.device)
        todo = [i for i, x in enumerate(X) if not (
            isinstance(x, SyntheticSequence) and x.space == self._stack.space)]  # fmt: skip
        rows = [items[i].get("input_ids", items[i].get("embeds")) for i in todo]
        states = self._stack.states(rows, device, resolve_bf16(self.amp, device))
        for i, value in zip(todo, states):
            items[i] = {"embeds": value, **({"mentions": items[i]["mentions"]}
                                            if "mentions" in items[i] else {})}  # fmt: skip

    def _make_collator(self):
        return BertCollator(
            pad_id=self.tokenizer_.pad_token_id or 0,
            multiple=self.pad_to_multiple_of,
            hidden=self.hidden_size_,
            positive_pairs=self.cooccurring_pairs_,
            max_pairs=self.max_pairs,
            same_record=self.cooccurrence == "record",
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
            cut=self._frozen_cut(encoder),
        )

    # -- persistence hooks (skmedtext.persistence) --------------------------------------
    def _persist_state(self, folder):
        from skmedtext.encoders import save_encoder_state

        encoder = self.net_.module_.encoder
        return {
            **save_encoder_state(encoder, self.tokenizer_, self.encoder_spec_, folder),
            "hidden_size": self.hidden_size_,
            "embedding_space": self.embedding_space_,
            "disease_terms": list(self.disease_terms_),
            "cooccurring_pairs": sorted(list(p) for p in self.cooccurring_pairs_),
            **self._frozen_state(),
        }

    def _restore_module(self, state, folder):
        from skmedtext.encoders import load_encoder_state

        self.encoder_spec_, self.tokenizer_, encoder = load_encoder_state(state, folder)
        self.hidden_size_ = int(state["hidden_size"])
        self.embedding_space_ = state["embedding_space"]
        self.disease_terms_ = list(state["disease_terms"])
        self._matcher = TermMatcher(self.disease_terms_)
        self.cooccurring_pairs_ = frozenset(tuple(p) for p in state["cooccurring_pairs"])
        self._restore_frozen_state(state)
        return self._build_module(len(self.classes_), encoder)


DMTBertClassifier.__doc__ = DMTBertClassifier.__doc__ % {"core": CORE_PARAMS_DOC}
