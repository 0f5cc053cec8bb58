"""DMT-BERT: disease-aware multi-task BERT (paper 000) on the shared training core."""

from itertools import combinations

import numpy as np
import torch

from skmedtext._synthetic import SyntheticSequence, check_space
from skmedtext.models._cooccurrence import (
    TermMatcher,
    cooccurring_pairs,
    extract_disease_terms,
    load_disease_terms,
    token_spans,
)
from skmedtext.training._core import CORE_PARAMS_DOC, BaseTextClassifier
from skmedtext.utils import round_up

__all__ = ["DMTBertClassifier"]


class _BertCollator:
    """Pads a batch of encoded rows and samples co-occurrence pairs (picklable)."""

    def __init__(self, pad_id, multiple, hidden, positive_pairs, max_pairs):
        self.pad_id = pad_id
        self.multiple = multiple
        self.hidden = hidden
        self.positive_pairs = positive_pairs
        self.max_pairs = max_pairs

    def __call__(self, batch):
        items, targets = zip(*batch)
        length = round_up(max(_row_length(it) for it in items), self.multiple)
        input_ids = torch.full((len(items), length), self.pad_id, dtype=torch.long)
        mask = torch.zeros((len(items), length), dtype=torch.long)
        synth_index, synth_embeds = [], []
        mentions = []
        for row, item in enumerate(items):
            n = _row_length(item)
            mask[row, :n] = 1
            if "embeds" in item:
                synth_index.append(row)
                padded = torch.zeros((length, self.hidden))
                padded[:n] = torch.tensor(item["embeds"])
                synth_embeds.append(padded)
            else:
                input_ids[row, :n] = torch.from_numpy(item["input_ids"])
                mentions.extend((row, s, e, t) for s, e, t in item.get("mentions", ()))
        x = {
            "input_ids": input_ids,
            "attention_mask": mask,
            "synth_index": torch.tensor(synth_index, dtype=torch.long),
            "synth_embeds": (
                torch.stack(synth_embeds) if synth_embeds else torch.zeros((0, length, self.hidden))
            ),
        }
        x.update(self._pairs(mentions))
        return x, torch.tensor(targets, dtype=torch.long)

    def _pairs(self, mentions):
        pairs = [
            (i, j, float(tuple(sorted((mentions[i][3], mentions[j][3])) ) in self.positive_pairs))
            for i, j in combinations(range(len(mentions)), 2)
            if mentions[i][3] != mentions[j][3]
        ]
        if len(pairs) > self.max_pairs:
            # keep every positive that fits, fill the rest with random negatives
            pos = [p for p in pairs if p[2] == 1.0]
            neg = [p for p in pairs if p[2] == 0.0]
            pos = [pos[k] for k in torch.randperm(len(pos)).tolist()[: self.max_pairs // 2]]
            neg = [neg[k] for k in torch.randperm(len(neg)).tolist()[: self.max_pairs - len(pos)]]
            pairs = pos + neg
        m = torch.tensor([mt[:3] for mt in mentions], dtype=torch.long).reshape(-1, 3)
        p = torch.tensor(pairs, dtype=torch.float32).reshape(-1, 3)
        return {
            "mention_row": m[:, 0],
            "mention_start": m[:, 1],
            "mention_end": m[:, 2],
            "pair_a": p[:, 0].long(),
            "pair_b": p[:, 1].long(),
            "pair_y": p[:, 2],
        }


def _row_length(item):
    return len(item["embeds"]) if "embeds" in item else len(item["input_ids"])


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
    _aux_weight_param = "lambda_cooc"

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
        self.criterion = criterion
        self.max_epochs = max_epochs
        self.batch_size = batch_size
        self.lr = lr
        self.weight_decay = weight_decay
        self.warmup_ratio = warmup_ratio
        self.validation_fraction = validation_fraction
        self.n_iter_no_change = n_iter_no_change
        self.grad_clip = grad_clip
        self.bucket = bucket
        self.pad_to_multiple_of = pad_to_multiple_of
        self.device = device
        self.amp = amp
        self.random_state = random_state
        self.verbose = verbose
        self.checkpoint_dir = checkpoint_dir
        self.callbacks = callbacks

    def _classification_weight(self):
        return self.lambda_cls

    def _check_params(self):
        if self.pooling not in ("cls", "mean"):
            raise ValueError(f"pooling must be 'cls' or 'mean'; got {self.pooling!r}.")
        if not (isinstance(self.max_length, int) and self.max_length >= 4):
            raise ValueError(f"max_length must be an integer >= 4; got {self.max_length!r}.")
        if self.lambda_cooc < 0 or self.lambda_cls < 0:
            raise ValueError("lambda_cls and lambda_cooc must be non-negative.")
        if not 0 <= self.dropout < 1:
            raise ValueError(f"dropout must be in [0, 1); got {self.dropout!r}.")

    def _fit_encoding(self, X, y):
        from skmedtext.encoders import input_embedding_space, load_encoder

        self._check_params()
        self.encoder_spec_, self.tokenizer_, encoder = load_encoder(self.model_name_or_path)
        self._initial_encoder = encoder
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
        lengths = np.array([_row_length(it) for it in items])
        return items, lengths

    def _make_collator(self):
        return _BertCollator(
            pad_id=self.tokenizer_.pad_token_id or 0,
            multiple=self.pad_to_multiple_of,
            hidden=self.hidden_size_,
            positive_pairs=self.cooccurring_pairs_,
            max_pairs=self.max_pairs,
        )

    def _build_module(self, n_classes):
        from skmedtext.models._modules._bert import DMTBertModule

        encoder = self.__dict__.pop("_initial_encoder")
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

        from skmedtext.persistence import save_hf_encoder

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
        from skmedtext.encoders import EncoderSpec
        from skmedtext.persistence import build_hf_encoder

        self.tokenizer_, self._initial_encoder = build_hf_encoder(state["encoder"], folder)
        self.encoder_spec_ = EncoderSpec(**state["encoder_spec"])
        self.hidden_size_ = int(state["hidden_size"])
        self.embedding_space_ = state["embedding_space"]
        self.disease_terms_ = list(state["disease_terms"])
        self._matcher = TermMatcher(self.disease_terms_)
        self.cooccurring_pairs_ = frozenset(tuple(p) for p in state["cooccurring_pairs"])
        return self._build_module(len(self.classes_))


DMTBertClassifier.__doc__ = DMTBertClassifier.__doc__ % {"core": CORE_PARAMS_DOC}
