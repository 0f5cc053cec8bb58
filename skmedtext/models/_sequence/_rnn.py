"""The recurrent members of the sequence family: BiLSTM and BiGRU."""

from skmedtext.models._sequence._base import (
    _POSITIVE_INT,
    _BaseSequenceClassifier,
    _example,
    _fill_doc,
)

__all__ = ["BiGRUClassifier", "BiLSTMClassifier"]


class _BiRNNClassifier(_BaseSequenceClassifier):
    """Bidirectional LSTM/GRU baseline (``_cell`` picks which)."""

    _module_class = "BiRNN"
    _cell = None

    _parameter_constraints: dict = {
        **_BaseSequenceClassifier._parameter_constraints,
        "hidden_size": [_POSITIVE_INT],
    }

    def __init__(
        self,
        embedding="bare",
        *,
        hidden_size=512,
        dropout=0.5,
        level="char",
        max_length=256,
        embedding_dim=100,
        freeze_embedding=True,
        encoder=None,
        embedding_params=None,
        trainable_layers=None,
        frozen_cache="memory",
        criterion="ce",
        max_epochs=20,
        batch_size=64,
        lr=1e-3,
        weight_decay=0.0,
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
        self.hidden_size = hidden_size
        super().__init__(
            embedding, dropout=dropout, level=level, max_length=max_length,
            embedding_dim=embedding_dim, freeze_embedding=freeze_embedding, encoder=encoder,
            embedding_params=embedding_params, trainable_layers=trainable_layers,
            frozen_cache=frozen_cache,
            criterion=criterion, max_epochs=max_epochs, batch_size=batch_size, lr=lr,
            weight_decay=weight_decay, warmup_ratio=warmup_ratio,
            validation_fraction=validation_fraction, n_iter_no_change=n_iter_no_change,
            grad_clip=grad_clip, bucket=bucket, pad_to_multiple_of=pad_to_multiple_of,
            device=device, amp=amp, random_state=random_state, verbose=verbose,
            checkpoint_dir=checkpoint_dir, callbacks=callbacks, on_divergence=on_divergence,
        )  # fmt: skip

    def _module_params(self):
        return dict(cell=self._cell, hidden_size=self.hidden_size, dropout=self.dropout)


_BIRNN_DOC = """Bidirectional %(cell)s baseline (paper 001; paper 003, Tables 7-9).

    A BiLSTM/BiGRU reads the input vectors (padding skipped); the final states
    of both directions are concatenated, followed by dropout and a linear layer.

    Parameters
    ----------
    %%(sequence)s
    hidden_size : int, default=512
        Units per direction (paper 003, Table 5: 512).
    dropout : float, default=0.5
        On the input vectors and on the final states (paper 001: 0.5).
    %%(core)s

    %%(attributes)s

    Examples
    --------
    """


@_fill_doc
class BiLSTMClassifier(_BiRNNClassifier):
    __doc__ = _BIRNN_DOC % {"cell": "LSTM"} + _example("BiLSTMClassifier", "hidden_size=8, ")
    _cell = "lstm"


@_fill_doc
class BiGRUClassifier(_BiRNNClassifier):
    __doc__ = _BIRNN_DOC % {"cell": "GRU"} + _example("BiGRUClassifier", "hidden_size=8, ")
    _cell = "gru"
