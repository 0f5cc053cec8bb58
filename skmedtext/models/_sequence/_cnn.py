"""The convolutional members of the sequence family: TextCNN and DPCNN."""

import numbers

from skmedtext.models._sequence._base import (
    _POSITIVE_INT,
    _BaseSequenceClassifier,
    _example,
    _fill_doc,
)

__all__ = ["DPCNNClassifier", "TextCNNClassifier"]


@_fill_doc
class TextCNNClassifier(_BaseSequenceClassifier):
    __doc__ = """TextCNN (Kim, 2014), paper 001's and paper 003's CNN baseline.

    Parallel convolutions of several widths, ReLU, max-pooling over time,
    dropout and a linear layer.

    Parameters
    ----------
    %(sequence)s
    kernel_sizes : tuple of int, default=(3, 4, 5)
    filters : int, default=100
        Channels per kernel size.
    dropout : float, default=0.5
        On the input vectors and on the pooled features (paper 001: 0.5).
    %(core)s

    %(attributes)s

    Examples
    --------
    """ + _example("TextCNNClassifier", "filters=8, ")

    _module_class = "TextCNN"

    _parameter_constraints: dict = {
        **_BaseSequenceClassifier._parameter_constraints,
        "kernel_sizes": [tuple, list],
        "filters": [_POSITIVE_INT],
    }

    def __init__(
        self,
        embedding="bare",
        *,
        kernel_sizes=(3, 4, 5),
        filters=100,
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
            kernel_sizes=tuple(self.kernel_sizes), filters=self.filters, dropout=self.dropout
        )


def _check_kernel_sizes(kernel_sizes):
    if isinstance(kernel_sizes, (str, bytes)) or not hasattr(kernel_sizes, "__iter__"):
        raise ValueError(
            f"kernel_sizes must be a tuple of positive integers; got {kernel_sizes!r}."
        )
    sizes = tuple(kernel_sizes)
    if not sizes:
        raise ValueError("kernel_sizes must hold at least one kernel size.")
    for k in sizes:
        if not isinstance(k, numbers.Integral) or isinstance(k, bool) or k < 1:
            raise ValueError(f"every kernel size must be a positive integer; got {k!r}.")



@_fill_doc
class DPCNNClassifier(_BaseSequenceClassifier):
    __doc__ = """Deep pyramid CNN (Johnson & Zhang, 2017), paper 003's DPCNN baseline.

    A region embedding (convolution), a block of two pre-activation
    convolutions with a shortcut, then ``n_blocks`` times [max-pool of size 3
    and stride 2, halving the length -> such a block], max-pooling over what
    is left, dropout and a linear layer.

    Parameters
    ----------
    %(sequence)s
    filters : int, default=250
        Channels of every convolution (Johnson & Zhang).
    kernel_size : int, default=3
    n_blocks : int or None, default=None
        Downsampling blocks; ``None`` takes ``max_length`` down to about four
        positions (``floor(log2(max_length)) - 2``, Kashgari's rule).
    dropout : float, default=0.4
        On the input vectors and on the pooled features.
    %(core)s

    %(attributes)s

    Examples
    --------
    """ + _example("DPCNNClassifier", "filters=8, ")

    _module_class = "DPCNN"

    _parameter_constraints: dict = {
        **_BaseSequenceClassifier._parameter_constraints,
        "filters": [_POSITIVE_INT],
        "kernel_size": [_POSITIVE_INT],
        "n_blocks": [_POSITIVE_INT, None],
    }

    def __init__(
        self,
        embedding="bare",
        *,
        filters=250,
        kernel_size=3,
        n_blocks=None,
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
        self.n_blocks = n_blocks
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
        from skmedtext.models._modules._sequence import DPCNN

        n_blocks = self.n_blocks or DPCNN.default_blocks(self.max_length)
        return dict(
            filters=self.filters,
            kernel_size=self.kernel_size,
            n_blocks=n_blocks,
            dropout=self.dropout,
        )
