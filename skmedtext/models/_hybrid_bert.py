"""Paper 002's hybrid classifier (BERT-family encoder + BiLSTM + cross-attention)."""

import numbers

from sklearn.utils._param_validation import Interval

from skmedtext.models._dmt_bert import DMTBertClassifier
from skmedtext.training import CORE_PARAMS_DOC

__all__ = ["HybridBertClassifier"]

_POSITIVE = Interval(numbers.Integral, 1, None, closed="left")
# DMT-BERT parameters the hybrid does not have (its co-occurrence task and pooling)
_COOC_PARAMS = (
    "pooling", "lambda_cls", "lambda_cooc", "disease_terms", "cooccurrence", "min_cooccur",
    "max_pairs",
)  # fmt: skip


class HybridBertClassifier(DMTBertClassifier):
    """BERT-family encoder, BiLSTM and cross-attention (paper 002's hybrid model).

    Paper 002 (BioMedBERT + BiLSTM + cross-attention) does not fix the wiring;
    skmedtext's, in :class:`~skmedtext.models._modules._hybrid_bert.HybridBertModule`:
    the encoder's token states feed a BiLSTM; each BiLSTM state, projected to the
    encoder width, attends over the encoder states (multi-head cross-attention,
    padding masked); query and context are added and layer-normalised, averaged
    over the real tokens, and classified by ``hidden -> head_hidden -> K``. The
    whole stack is fine-tuned, or, with ``trainable_layers=k``, the top ``k``
    encoder layers above a cached frozen stack (as in DMT-BERT). Any local
    encoder works (``model_name_or_path``: BioMedBERT where a user has it;
    MiniLM and e5 here).

    Texts are encoded as in :class:`DMTBertClassifier`, so the model also takes
    :class:`~skmedtext.SyntheticSequence` rows (SAAN) in its input embedding
    space, persistence and multi-label ``y``; it has no co-occurrence task.

    Parameters
    ----------
    model_name_or_path : str or None, default=None
        Encoder preset or local HF folder (``None``: ``"minilm-en"``). Never downloaded.
    max_length : int, default=128
    truncation : {"head", "head_tail"}, default="head"
        As in :class:`DMTBertClassifier`.
    lstm_hidden : int, default=128
        BiLSTM units per direction.
    n_heads : int, default=4
        Cross-attention heads; must divide the encoder's hidden size.
    head_hidden : int, default=256
    dropout : float, default=0.2
        In the attention and the head.
    trainable_layers : int or None, default=None
        As in :class:`DMTBertClassifier`: fine-tune only the encoder's top ``k``
        layers (plus the BiLSTM, attention and head) above a cached frozen stack.
    frozen_cache : {"memory", "disk"}, default="memory"
        As in :class:`DMTBertClassifier`.
    attention_dropout : float or None, default=0.0
        As in :class:`DMTBertClassifier` (the encoder's attention probabilities;
        ``dropout`` above is this model's own).
    %(core)s

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
    embedding_space_ : str
        The encoder's input word-embedding space (synthetic rows must carry it).
    frozen_space_ : str
        With ``trainable_layers``: the frozen stack's output space (SAAN rows of
        ``SAANSampler(layer=-k)`` enter there).
    net_ : skmedtext.training.TextNet

    Examples
    --------
    >>> from skmedtext.models import HybridBertClassifier
    >>> texts = ["chronic hepatitis and cirrhosis", "acute myocardial infarction",
    ...          "hepatitis b with cirrhosis", "coronary disease and infarction"]
    >>> clf = HybridBertClassifier(max_epochs=1, batch_size=2, random_state=0)
    >>> clf.fit(texts, ["liver", "heart", "liver", "heart"]).predict(texts).shape
    (4,)
    """

    # DMT-BERT's co-occurrence task, switched off (constants, not parameters)
    pooling = "mean"
    lambda_cls = 1.0
    lambda_cooc = 0.0
    disease_terms = None
    cooccurrence = "corpus"
    min_cooccur = 2
    max_pairs = 0

    _parameter_constraints: dict = {
        **{
            k: v
            for k, v in DMTBertClassifier._parameter_constraints.items()
            if k not in _COOC_PARAMS
        },
        "lstm_hidden": [_POSITIVE],
        "n_heads": [_POSITIVE],
    }

    def __init__(self, model_name_or_path=None, *, max_length=128, truncation="head",
                 lstm_hidden=128, n_heads=4, head_hidden=256, dropout=0.2,
                 trainable_layers=None, frozen_cache="memory", attention_dropout=0.0,
                 criterion="ce", max_epochs=3, batch_size=32, lr=2e-5, weight_decay=0.01,
                 warmup_ratio=0.1, validation_fraction=0.0, n_iter_no_change=None,
                 grad_clip=1.0, bucket=True, pad_to_multiple_of=8, device="auto", amp="auto",
                 random_state=None, verbose=0, checkpoint_dir=None, callbacks=None,
                 on_divergence="raise"):  # fmt: skip
        self.lstm_hidden = lstm_hidden
        self.n_heads = n_heads
        super().__init__(
            model_name_or_path, max_length=max_length, truncation=truncation,
            head_hidden=head_hidden, dropout=dropout, trainable_layers=trainable_layers,
            frozen_cache=frozen_cache, attention_dropout=attention_dropout,
            criterion=criterion, max_epochs=max_epochs, batch_size=batch_size, lr=lr,
            weight_decay=weight_decay, warmup_ratio=warmup_ratio,
            validation_fraction=validation_fraction, n_iter_no_change=n_iter_no_change,
            grad_clip=grad_clip, bucket=bucket,
            pad_to_multiple_of=pad_to_multiple_of, device=device, amp=amp,
            random_state=random_state, verbose=verbose, checkpoint_dir=checkpoint_dir,
            callbacks=callbacks, on_divergence=on_divergence,
        )  # fmt: skip
        # DMT-BERT's __init__ stores these; here they are the class constants above
        for name in _COOC_PARAMS:
            self.__dict__.pop(name, None)

    def _loss_weights(self):
        return 1.0, 0.0

    def _build_module(self, n_classes, encoder):
        from skmedtext.models._modules._hybrid_bert import HybridBertModule

        return HybridBertModule(
            encoder, n_classes, lstm_hidden=self.lstm_hidden, n_heads=self.n_heads,
            head_hidden=self.head_hidden, dropout=self.dropout,
            cut=self._frozen_cut(encoder),
        )  # fmt: skip


HybridBertClassifier.__doc__ = HybridBertClassifier.__doc__ % {"core": CORE_PARAMS_DOC}
