"""The recurrent-convolutional members of the sequence family.

StaResGRU-CNN (paper 003's model), TextCNN-BiGRU (parallel branches, paper 001)
and CNN-LSTM / CNN-GRU (a convolution feeding a recurrent layer, paper 003).
"""

from skmedtext.models._sequence._base import (
    _POSITIVE_INT,
    _BaseSequenceClassifier,
    _example,
    _fill_doc,
)
from skmedtext.models._sequence._cnn import _check_kernel_sizes

__all__ = [
    "CNNGRUClassifier",
    "CNNLSTMClassifier",
    "StaResGRUCNNClassifier",
    "TextCNNBiGRUClassifier",
]


@_fill_doc
class StaResGRUCNNClassifier(_BaseSequenceClassifier):
    __doc__ = """Stacked residual GRU-CNN text classifier (StaResGRU-CNN, paper 003).

    ``n_layers`` bidirectional GRU layers are stacked with a residual
    connection after each (eqs. 5-8: ``h_l = BiGRU(h_{l-1}) + h_{l-1}``, the
    first layer's input mapped by a bias-free linear ``W_ox`` when its width
    differs), with dropout on each layer's output before the residual sum
    (``h + dropout(BiGRU(h))``: the identity path is never dropped); a convolution (``filters`` x
    ``kernel_size``, ReLU) projects the states to a lower dimension, max-pooling
    over time (eq. 9) gives one vector, and a fully connected layer (eq. 10)
    with softmax (eq. 11) classifies. The recurrent-state residual term of
    eq. 7 is not used: it needs a custom GRU cell and the paper states the
    residual layers add no learned parameters. See ``docs/sequence_models.md``.

    Parameters
    ----------
    %(sequence)s
    hidden_size : int, default=512
        Width of every stacked BiGRU layer's output (both directions together,
        so ``hidden_size // 2`` units per direction; must be even). Keeping it
        constant lets the residual sums add without projections.
    n_layers : int, default=4
        Stacked BiGRU layers (paper 003).
    filters : int, default=64
        Output channels of the projecting convolution (paper 003, Table 6).
    kernel_size : int, default=3
    dropout : float, default=0.4
        On the input vectors, between layers and before the classifier (Table 5).
    %(core)s

    %(attributes)s

    Examples
    --------
    """ + _example("StaResGRUCNNClassifier", "hidden_size=16, n_layers=2, filters=8, ")

    _module_class = "StaResGRUCNN"

    _parameter_constraints: dict = {
        **_BaseSequenceClassifier._parameter_constraints,
        "hidden_size": [_POSITIVE_INT],
        "n_layers": [_POSITIVE_INT],
        "filters": [_POSITIVE_INT],
        "kernel_size": [_POSITIVE_INT],
    }

    def __init__(
        self,
        embedding="bare",
        *,
        hidden_size=512,
        n_layers=4,
        filters=64,
        kernel_size=3,
        dropout=0.4,
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
        self.n_layers = n_layers
        self.filters = filters
        self.kernel_size = kernel_size
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

    def _check_param_relations(self):
        super()._check_param_relations()
        if self.hidden_size % 2:
            raise ValueError(
                "hidden_size is split over two GRU directions and must be even; got "
                f"{self.hidden_size}."
            )

    def _module_params(self):
        return dict(
            hidden_size=self.hidden_size,
            n_layers=self.n_layers,
            filters=self.filters,
            kernel_size=self.kernel_size,
            dropout=self.dropout,
        )


@_fill_doc
class TextCNNBiGRUClassifier(_BaseSequenceClassifier):
    __doc__ = """TextCNN and BiGRU side by side (paper 001's Text-CNN-BiGRU baseline).

    The TextCNN branch's max-pooled features and the BiGRU's final states of
    both directions are concatenated, then dropout and a linear layer. Paper 001
    does not describe how the two are combined; the parallel layout keeps the
    comparison with :class:`TextCNNClassifier` and :class:`BiGRUClassifier`
    direct (its serial counterpart is :class:`CNNGRUClassifier`).

    Parameters
    ----------
    %(sequence)s
    kernel_sizes : tuple of int, default=(3, 4, 5)
    filters : int, default=100
        Channels per kernel size.
    hidden_size : int, default=512
        GRU units per direction.
    dropout : float, default=0.5
    %(core)s

    %(attributes)s

    Examples
    --------
    """ + _example("TextCNNBiGRUClassifier", "filters=8, hidden_size=8, ")

    _module_class = "TextCNNBiGRU"

    _parameter_constraints: dict = {
        **_BaseSequenceClassifier._parameter_constraints,
        "kernel_sizes": [tuple, list],
        "filters": [_POSITIVE_INT],
        "hidden_size": [_POSITIVE_INT],
    }

    def __init__(
        self,
        embedding="bare",
        *,
        kernel_sizes=(3, 4, 5),
        filters=100,
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
        self.kernel_sizes = kernel_sizes
        self.filters = filters
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

    def _check_param_relations(self):
        super()._check_param_relations()
        _check_kernel_sizes(self.kernel_sizes)

    def _module_params(self):
        return dict(
            kernel_sizes=tuple(self.kernel_sizes),
            filters=self.filters,
            hidden_size=self.hidden_size,
            dropout=self.dropout,
        )


class _CNNRNNClassifier(_BaseSequenceClassifier):
    """Convolution -> max-pool -> LSTM/GRU baseline (``_cell`` picks which)."""

    _module_class = "CNNRNN"
    _cell = None

    _parameter_constraints: dict = {
        **_BaseSequenceClassifier._parameter_constraints,
        "filters": [_POSITIVE_INT],
        "kernel_size": [_POSITIVE_INT],
        "pool_size": [_POSITIVE_INT],
        "hidden_size": [_POSITIVE_INT],
    }

    def __init__(
        self,
        embedding="bare",
        *,
        filters=64,
        kernel_size=3,
        pool_size=2,
        hidden_size=100,
        dropout=0.4,
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
        self.filters = filters
        self.kernel_size = kernel_size
        self.pool_size = pool_size
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
        return dict(
            cell=self._cell,
            filters=self.filters,
            kernel_size=self.kernel_size,
            pool_size=self.pool_size,
            hidden_size=self.hidden_size,
            dropout=self.dropout,
        )


_CNNRNN_DOC = """CNN-%(cell)s baseline (paper 003, Tables 7-9).

    A convolution (``filters`` x ``kernel_size``, ReLU, 'same' padding), max
    pooling of size ``pool_size``, a %(cell)s whose last state feeds dropout and
    a linear layer (the layout of the Kashgari models paper 003 compares).

    Parameters
    ----------
    %%(sequence)s
    filters : int, default=64
        Paper 003, Table 6.
    kernel_size : int, default=3
        Paper 003, Table 6.
    pool_size : int, default=2
    hidden_size : int, default=100
        %(cell)s units.
    dropout : float, default=0.4
        On the input vectors and on the last state (paper 003, Table 5).
    %%(core)s

    %%(attributes)s

    Examples
    --------
    """


@_fill_doc
class CNNLSTMClassifier(_CNNRNNClassifier):
    __doc__ = _CNNRNN_DOC % {"cell": "LSTM"} + _example(
        "CNNLSTMClassifier", "filters=8, hidden_size=8, "
    )
    _cell = "lstm"


@_fill_doc
class CNNGRUClassifier(_CNNRNNClassifier):
    __doc__ = _CNNRNN_DOC % {"cell": "GRU"} + _example(
        "CNNGRUClassifier", "filters=8, hidden_size=8, "
    )
    _cell = "gru"
