"""The shared skorch-based training core of every skmedtext neural classifier."""

from skmedtext.training._accelerate import AcceleratedTextNet, default_accelerator, fit_accelerated
from skmedtext.training._callbacks import WarmupLinearSchedule
from skmedtext.training._core import CORE_PARAMS_DOC, BaseTextClassifier
from skmedtext.training._data import BucketBatchSampler, EncodedDataset, make_loader, pad_sequences
from skmedtext.training._net import TextNet

__all__ = [
    "CORE_PARAMS_DOC",
    "AcceleratedTextNet",
    "BaseTextClassifier",
    "BucketBatchSampler",
    "EncodedDataset",
    "TextNet",
    "WarmupLinearSchedule",
    "default_accelerator",
    "fit_accelerated",
    "make_loader",
    "pad_sequences",
]
