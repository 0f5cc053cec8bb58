"""The shared skorch-based training core of every skmedtext neural classifier."""

from skmedtext.training._accelerate import AcceleratedTextNet, default_accelerator, fit_accelerated
from skmedtext.training._callbacks import WarmupLinearSchedule
from skmedtext.training._core import CORE_PARAMS_DOC, BaseTextClassifier
from skmedtext.training._data import BucketBatchSampler, EncodedDataset, make_loader, pad_sequences
from skmedtext.training._health import TrainingDivergenceError
from skmedtext.training._net import TextNet

__all__ = [
    "CORE_PARAMS_DOC",
    "AcceleratedTextNet",
    "BaseTextClassifier",
    "BucketBatchSampler",
    "EncodedDataset",
    "TextNet",
    "TrainingDivergenceError",
    "WarmupLinearSchedule",
    "default_accelerator",
    "fit_accelerated",
    "make_loader",
    "pad_sequences",
]

# multi-label targets: per-label decision thresholds (the rest is inside the core)
from skmedtext.training._multilabel import tune_label_thresholds  # noqa: E402

__all__ += ["tune_label_thresholds"]
