"""Datasets, padding and length-bucketed batching shared by every skmedtext classifier.

The loop is host-bound on small encoders (see DESIGN.md's measurements): texts are
encoded once up front, batches are padded only to their own longest row rounded up
to ``pad_to_multiple_of`` so shapes repeat, and training batches are drawn from
length-sorted chunks so that little compute is spent on padding.
"""

import math

import numpy as np
import torch
from torch.utils.data import DataLoader, Dataset, Sampler

from skmedtext.utils import round_up

__all__ = ["EncodedDataset", "BucketBatchSampler", "make_loader", "pad_sequences"]


class EncodedDataset(Dataset):
    """Pre-encoded rows (one dict per row) with integer targets and row lengths.

    ``y`` is ``(n,)`` class indices, or ``(n, width)`` per-token indices padded with
    negative values (taggers); a row's target is then its row.
    """

    def __init__(self, items, y=None, lengths=None):
        self.items = list(items)
        self.y = None if y is None else np.asarray(y, dtype=np.int64)
        if lengths is None:
            lengths = [1] * len(self.items)
        self.lengths = np.asarray(lengths, dtype=np.int64)

    def __len__(self):
        return len(self.items)

    def __getitem__(self, index):
        if self.y is None:
            return self.items[index], -1
        # per-token targets (taggers) are rows; class targets are scalars
        target = self.y[index]
        return self.items[index], (int(target) if target.ndim == 0 else target)

    def subset(self, indices):
        indices = np.asarray(indices)
        y = None if self.y is None else self.y[indices]
        return EncodedDataset([self.items[i] for i in indices], y, self.lengths[indices])


class BucketBatchSampler(Sampler):
    """Shuffled batches of similar length.

    Rows are shuffled, cut into chunks of ``chunk_batches * batch_size``, sorted by
    length inside each chunk and split into batches; the batch order is shuffled
    again. The permutation comes from the torch global generator, so a seeded fit is
    reproducible.
    """

    def __init__(self, lengths, batch_size, chunk_batches=50, shuffle=True):
        self.lengths = np.asarray(lengths)
        self.batch_size = int(batch_size)
        self.chunk = max(1, int(chunk_batches)) * self.batch_size
        self.shuffle = shuffle

    def _batches(self):
        n = len(self.lengths)
        order = torch.randperm(n).numpy() if self.shuffle else np.arange(n)
        batches = []
        for start in range(0, n, self.chunk):
            chunk = order[start : start + self.chunk]
            chunk = chunk[np.argsort(self.lengths[chunk], kind="stable")]
            batches.extend(chunk[i : i + self.batch_size] for i in range(0, len(chunk), self.batch_size))
        if self.shuffle:
            batches = [batches[i] for i in torch.randperm(len(batches)).tolist()]
        return batches

    def __iter__(self):
        for batch in self._batches():
            yield batch.tolist()

    def __len__(self):
        return math.ceil(len(self.lengths) / self.batch_size)


def make_loader(dataset, batch_size=32, shuffle=False, collate_fn=None, bucket=True, **_ignored):
    """Build the DataLoader skorch iterates over (used as ``iterator_train``/``iterator_valid``).

    Training loaders bucket by length when ``bucket``; evaluation loaders keep the
    dataset order, which the estimators pre-sort by length and restore afterwards.
    """
    lengths = getattr(dataset, "lengths", None)
    if shuffle and bucket and lengths is not None:
        sampler = BucketBatchSampler(lengths, batch_size, shuffle=True)
        return DataLoader(dataset, batch_sampler=sampler, collate_fn=collate_fn)
    return DataLoader(dataset, batch_size=batch_size, shuffle=shuffle, collate_fn=collate_fn)


def pad_sequences(sequences, pad_value=0, multiple=1, max_length=None, dtype=torch.long):
    """Pad 1-D integer sequences into a ``(batch, length)`` tensor plus a 0/1 mask."""
    longest = max(len(s) for s in sequences)
    length = round_up(longest, multiple)
    if max_length is not None:
        length = min(length, max(max_length, longest))
    out = torch.full((len(sequences), length), pad_value, dtype=dtype)
    mask = torch.zeros((len(sequences), length), dtype=torch.long)
    for row, seq in enumerate(sequences):
        out[row, : len(seq)] = torch.as_tensor(seq, dtype=dtype)
        mask[row, : len(seq)] = 1
    return out, mask
