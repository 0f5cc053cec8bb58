"""Paper 003's pooled baselines on the sequence base: AVRNN, AVCNN, Dropout-BiGRU, Dropout-AVRNN.

The wiring of each network (paper 003 gives names and parameter counts only) is
documented in ``skmedtext/models/_modules/_pooled.py`` and ``docs/sequence_models.md``.
"""

from skmedtext.models._sequence._base import (
    _DROPOUT,
    _POSITIVE_INT,
    _BaseSequenceClassifier,
    _example,
    _fill_doc,
)
from skmedtext.models._sequence._cnn import _check_kernel_sizes

__all__ = [
    "AVCNNClassifier",
    "AVRNNClassifier",
    "DropoutAVRNNClassifier",
    "DropoutBiGRUClassifier",
]

# the arguments every member passes on to the sequence base unchanged
_BASE_ARGS = (
    "dropout", "level", "max_length", "embedding_dim", "freeze_embedding", "encoder",
    "embedding_params", "trainable_layers", "frozen_cache", "criterion", "max_epochs",
    "batch_size", "lr", "weight_decay",
    "warmup_ratio", "validation_fraction", "n_iter_no_change", "grad_clip", "bucket",
    "pad_to_multiple_of", "device", "amp", "random_state", "verbose", "checkpoint_dir",
    "callbacks", "on_divergence",
)  # fmt: skip


class _PooledClassifier(_BaseSequenceClassifier):
    """Builds its network from ``_modules._pooled`` (``_module_class`` names it there)."""

    def _init(self, embedding, own, given):
        for name, value in own.items():
            setattr(self, name, value)
        super().__init__(embedding, **{name: given[name] for name in _BASE_ARGS})

    def _build_module(self, n_classes, weights):
        from skmedtext.models._modules import _pooled

        network = getattr(_pooled, self._module_class)
        return network(self._sequence_input(weights), n_classes, **self._module_params())


_COMMON_DOC = """
    Parameters
    ----------
    %%(sequence)s
    %(own)s
    dropout : float, default=0.2
        On the input vectors and before the output layer(s).
    %%(core)s

    %%(attributes)s

    Examples
    --------
    """
_HIDDEN = """hidden_size : int, default=128
        GRU units per direction."""
_SPATIAL = """spatial_dropout : float in [0, 1), default=%s
        Probability of dropping an input channel across all positions of a row."""


@_fill_doc
class AVRNNClassifier(_PooledClassifier):
    __doc__ = (
        """AVRNN (paper 003, Table 9): BiGRU states pooled by average and max.

    A BiGRU reads the input vectors; its states are summarised by the masked
    average and the masked maximum over time, concatenated, then a ReLU layer
    of ``dense_size`` units and the output layer.
    """
        + _COMMON_DOC
        % {
            "own": _HIDDEN
            + """
    dense_size : int or None, default=128
        Width of the ReLU layer after the pooling (None: none).
    """
            + _SPATIAL % "0.0"
        }
        + _example("AVRNNClassifier", "hidden_size=8, dense_size=8, ")
    )
    _module_class = "AVRNN"
    _parameter_constraints: dict = {
        **_BaseSequenceClassifier._parameter_constraints,
        "hidden_size": [_POSITIVE_INT],
        "dense_size": [_POSITIVE_INT, None],
        "spatial_dropout": [_DROPOUT],
    }

    def __init__(self, embedding="bare", *, hidden_size=128, dense_size=128,
                 spatial_dropout=0.0, dropout=0.2, level="char", max_length=256,
                 embedding_dim=100, freeze_embedding=True, encoder=None, embedding_params=None,
                 trainable_layers=None, frozen_cache="memory",
                 criterion="ce", max_epochs=20, batch_size=64, lr=1e-3, weight_decay=0.0,
                 warmup_ratio=0.1, validation_fraction=0.0, n_iter_no_change=None,
                 grad_clip=1.0, bucket=True, pad_to_multiple_of=8, device="auto", amp="auto",
                 random_state=None, verbose=0, checkpoint_dir=None, callbacks=None,
                 on_divergence="raise"):  # fmt: skip
        own = dict(hidden_size=hidden_size, dense_size=dense_size, spatial_dropout=spatial_dropout)
        self._init(embedding, own, locals())

    def _module_params(self):
        return dict(hidden_size=self.hidden_size, dense_size=self.dense_size,
                    spatial_dropout=self.spatial_dropout, dropout=self.dropout)  # fmt: skip


class _DropoutRecurrent(_PooledClassifier):
    """Spatial dropout, then a BiGRU: the parameters of Dropout-AVRNN and Dropout-BiGRU."""

    _parameter_constraints: dict = {
        **_BaseSequenceClassifier._parameter_constraints,
        "hidden_size": [_POSITIVE_INT],
        "spatial_dropout": [_DROPOUT],
    }

    def __init__(self, embedding="bare", *, hidden_size=128, spatial_dropout=0.2, dropout=0.2,
                 level="char", max_length=256, embedding_dim=100, freeze_embedding=True,
                 encoder=None, embedding_params=None,
                 trainable_layers=None, frozen_cache="memory", criterion="ce", max_epochs=20,
                 batch_size=64, lr=1e-3, weight_decay=0.0, warmup_ratio=0.1,
                 validation_fraction=0.0, n_iter_no_change=None, grad_clip=1.0, bucket=True,
                 pad_to_multiple_of=8, device="auto", amp="auto", random_state=None, verbose=0,
                 checkpoint_dir=None, callbacks=None, on_divergence="raise"):  # fmt: skip
        own = dict(hidden_size=hidden_size, spatial_dropout=spatial_dropout)
        self._init(embedding, own, locals())


@_fill_doc
class DropoutAVRNNClassifier(_DropoutRecurrent):
    __doc__ = (
        """Dropout-AVRNN (paper 003, Table 9): spatial dropout, BiGRU, average and max pooling.

    AVRNN with spatial dropout on the input vectors and the output layer
    directly on the pooled states (no ReLU layer).
    """
        + _COMMON_DOC % {"own": _HIDDEN + "\n    " + _SPATIAL % "0.2"}
        + _example("DropoutAVRNNClassifier", "hidden_size=8, ")
    )
    _module_class = "AVRNN"

    def _module_params(self):
        return dict(hidden_size=self.hidden_size, dense_size=None,
                    spatial_dropout=self.spatial_dropout, dropout=self.dropout)  # fmt: skip


@_fill_doc
class DropoutBiGRUClassifier(_DropoutRecurrent):
    __doc__ = (
        """Dropout-BiGRU (paper 003, Table 9): spatial dropout, then the BiGRU baseline.

    Spatial dropout on the input vectors, a BiGRU whose final states of both
    directions are concatenated, dropout and the output layer.
    """
        + _COMMON_DOC % {"own": _HIDDEN + "\n    " + _SPATIAL % "0.2"}
        + _example("DropoutBiGRUClassifier", "hidden_size=8, ")
    )
    _module_class = "DropoutBiRNN"

    def _module_params(self):
        return dict(cell="gru", hidden_size=self.hidden_size,
                    spatial_dropout=self.spatial_dropout, dropout=self.dropout)  # fmt: skip


@_fill_doc
class AVCNNClassifier(_PooledClassifier):
    __doc__ = (
        """AVCNN (paper 003, Table 9): convolutions pooled by average and max.

    Parallel 'same' convolutions (ReLU) over the input vectors; each feature
    map is summarised by its masked average and maximum over time, all
    concatenated, then dropout and the output layer.
    """
        + _COMMON_DOC
        % {
            "own": """kernel_sizes : tuple of int, default=(1, 2, 3, 5)
    filters : int, default=512
        Feature maps per kernel size.
    """
            + _SPATIAL % "0.0"
        }
        + _example("AVCNNClassifier", "filters=4, ")
    )
    _module_class = "AVCNN"
    _parameter_constraints: dict = {
        **_BaseSequenceClassifier._parameter_constraints,
        "kernel_sizes": [tuple, list],
        "filters": [_POSITIVE_INT],
        "spatial_dropout": [_DROPOUT],
    }

    def __init__(self, embedding="bare", *, kernel_sizes=(1, 2, 3, 5), filters=512,
                 spatial_dropout=0.0, dropout=0.2, level="char", max_length=256,
                 embedding_dim=100, freeze_embedding=True, encoder=None, embedding_params=None,
                 trainable_layers=None, frozen_cache="memory",
                 criterion="ce", max_epochs=20, batch_size=64, lr=1e-3, weight_decay=0.0,
                 warmup_ratio=0.1, validation_fraction=0.0, n_iter_no_change=None,
                 grad_clip=1.0, bucket=True, pad_to_multiple_of=8, device="auto", amp="auto",
                 random_state=None, verbose=0, checkpoint_dir=None, callbacks=None,
                 on_divergence="raise"):  # fmt: skip
        own = dict(kernel_sizes=kernel_sizes, filters=filters, spatial_dropout=spatial_dropout)
        self._init(embedding, own, locals())

    def _check_param_relations(self):
        super()._check_param_relations()
        _check_kernel_sizes(self.kernel_sizes)

    def _module_params(self):
        return dict(kernel_sizes=tuple(self.kernel_sizes), filters=self.filters,
                    spatial_dropout=self.spatial_dropout, dropout=self.dropout)  # fmt: skip
