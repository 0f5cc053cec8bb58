"""The shared skorch-based training core of every skmedtext neural classifier."""

from skmedtext.training._core import BaseTextClassifier, TextNet, WarmupLinearSchedule
from skmedtext.training._data import BucketBatchSampler, EncodedDataset, make_loader, pad_sequences

__all__ = [
    "BaseTextClassifier",
    "BucketBatchSampler",
    "EncodedDataset",
    "TextNet",
    "WarmupLinearSchedule",
    "make_loader",
    "pad_sequences",
]
