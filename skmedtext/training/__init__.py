"""The shared skorch-based training core of every skmedtext neural classifier."""

from skmedtext.training._accelerate import AcceleratedTextNet, default_accelerator, fit_accelerated
from skmedtext.training._core import BaseTextClassifier, TextNet, WarmupLinearSchedule
from skmedtext.training._data import BucketBatchSampler, EncodedDataset, make_loader, pad_sequences

__all__ = [
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
