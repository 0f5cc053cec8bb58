"""Torch modules of paper 003's pooled baselines: AVRNN, AVCNN, Dropout-BiGRU, Dropout-AVRNN.

Paper 003 (Table 9) names these models and gives their parameter counts, not
their layers; the wiring here is skmedtext's reading of the names:

- **AV** pooling: the per-position states are summarised by the masked
  **a**verage and the masked max **v**alue over time, concatenated;
- **Dropout-** models: *spatial* dropout on the input vectors (one embedding
  channel dropped across every position of a row, Keras' ``SpatialDropout1D``),
  the usual meaning of the prefix in the Kaggle baselines these names come from.

With 100-d inputs, 44 classes and the defaults, the trainable parameters are
close to Table 9's GloVe column (Dropout-BiGRU 0.18M vs 0.16M, Dropout-AVRNN
0.20M vs 0.17M, AVRNN 0.25M vs 0.26M, AVCNN 0.75M vs 0.82M).
"""

import torch
from torch import nn

from skmedtext.models._modules._sequence import (
    BiRNN,
    SameConv1d,
    _SequenceNet,
    length_mask,
    masked_max,
    run_rnn,
)

__all__ = ["AVCNN", "AVRNN", "DropoutBiRNN", "SpatialDropout1d", "masked_mean"]


def masked_mean(h, lengths):
    """Mean over time of ``h (batch, time, channels)`` over the real positions only."""
    mask = length_mask(lengths, h.size(1)).unsqueeze(-1).to(h.dtype)
    return (h * mask).sum(dim=1) / lengths.clamp(min=1).unsqueeze(-1).to(h.dtype)


def average_and_max(h, lengths):
    """``[masked mean, masked max]`` over time, concatenated on the channels."""
    return torch.cat([masked_mean(h, lengths), masked_max(h, lengths)], dim=-1)


class SpatialDropout1d(nn.Module):
    """Drop whole channels of ``x (batch, time, channels)``, the same ones at every position."""

    def __init__(self, p=0.0):
        super().__init__()
        self.dropout = nn.Dropout1d(p)

    def forward(self, x):
        # Dropout1d zeroes channels of (batch, channels, time)
        return self.dropout(x.transpose(1, 2)).transpose(1, 2)


class DropoutBiRNN(BiRNN):
    """Dropout-BiGRU: spatial dropout on the input vectors, then :class:`BiRNN`."""

    def __init__(self, inputs, n_classes, *, spatial_dropout=0.2, **params):
        super().__init__(inputs, n_classes, **params)
        self.spatial = SpatialDropout1d(spatial_dropout)

    def classify(self, x, lengths):
        return super().classify(self.spatial(x), lengths)


class AVRNN(_SequenceNet):
    """(Spatial dropout ->) BiGRU/BiLSTM -> [average, max] over time -> (dense ->) linear.

    ``dense_size=None`` puts the linear layer straight on the pooled states
    (Dropout-AVRNN); an int adds a ReLU layer of that width (AVRNN).
    """

    def __init__(self, inputs, n_classes, *, cell="gru", hidden_size=128, dense_size=128,
                 spatial_dropout=0.0, dropout=0.2):  # fmt: skip
        super().__init__(inputs)
        rnn = {"gru": nn.GRU, "lstm": nn.LSTM}[cell]
        self.spatial = SpatialDropout1d(spatial_dropout)
        self.rnn = rnn(inputs.embedding_dim, hidden_size, batch_first=True, bidirectional=True)
        self.dropout = nn.Dropout(dropout)
        width = 4 * hidden_size
        self.dense = None
        if dense_size is not None:
            self.dense = nn.Sequential(nn.Linear(width, dense_size), nn.ReLU())
            width = dense_size
        self.fc = nn.Linear(width, n_classes)

    def classify(self, x, lengths):
        h, _ = run_rnn(self.rnn, self.spatial(x), lengths)
        z = self.dropout(average_and_max(h, lengths))
        if self.dense is not None:
            z = self.dropout(self.dense(z))
        return self.fc(z)


class AVCNN(_SequenceNet):
    """Parallel 'same' convolutions, each pooled by [average, max] over time -> linear."""

    def __init__(self, inputs, n_classes, *, kernel_sizes=(1, 2, 3, 5), filters=512,
                 spatial_dropout=0.0, dropout=0.2):  # fmt: skip
        super().__init__(inputs)
        self.spatial = SpatialDropout1d(spatial_dropout)
        self.convs = nn.ModuleList(
            SameConv1d(inputs.embedding_dim, filters, k) for k in kernel_sizes
        )
        self.dropout = nn.Dropout(dropout)
        self.fc = nn.Linear(2 * filters * len(kernel_sizes), n_classes)

    def classify(self, x, lengths):
        x = self.spatial(x).transpose(1, 2)
        mask = length_mask(lengths, x.size(2)).unsqueeze(-1)
        pooled = []
        for conv in self.convs:
            h = torch.relu(conv(x)).transpose(1, 2) * mask.to(x.dtype)
            pooled.append(average_and_max(h, lengths))
        return self.fc(self.dropout(torch.cat(pooled, dim=-1)))
