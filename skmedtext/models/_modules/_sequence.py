"""Torch modules of the sequence classifiers: StaResGRU-CNN (paper 003) and the baselines.

Every network reads a batch as ``(input_ids, lengths, embed_index, embeds)``:
token ids are looked up in the embedding table, and rows given directly as
vectors (synthetic SAAN rows, or frozen transformer states) are written over
their lookup; with ``trainable_layers`` (:class:`EncoderTopInput`) every row is
a cut-layer state that a transformer encoder's top layers turn into the input. Padding positions are zero vectors and every pooling is masked, so
a row's prediction does not depend on how much padding its batch carries.
"""

import math

import torch
from torch import nn
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

__all__ = [
    "EncoderTopInput",
    "SequenceInput",
    "StaResGRUCNN",
    "TextCNN",
    "BiRNN",
    "TextCNNBiGRU",
    "CNNRNN",
    "DPCNN",
]

_RNN_CELLS = {"lstm": nn.LSTM, "gru": nn.GRU}


# -- shared pieces -------------------------------------------------------------------
def length_mask(lengths, width):
    """Boolean ``(batch, width)`` mask of the real positions."""
    return torch.arange(width, device=lengths.device)[None, :] < lengths[:, None]


def masked_max(h, lengths):
    """Max over time of ``h (batch, time, channels)`` ignoring padding (eq. 9)."""
    mask = length_mask(lengths, h.size(1)).unsqueeze(-1)
    return h.masked_fill(~mask, float("-inf")).max(dim=1).values


def run_rnn(rnn, x, lengths):
    """Run a batch-first RNN on the real positions only; padded outputs are zeros."""
    packed = pack_padded_sequence(x, lengths.cpu(), batch_first=True, enforce_sorted=False)
    out, state = rnn(packed)
    out, _ = pad_packed_sequence(out, batch_first=True, total_length=x.size(1))
    return out, state


def final_states(state, bidirectional):
    """Last hidden state of the top layer (both directions concatenated)."""
    h_n = state[0] if isinstance(state, tuple) else state  # LSTM returns (h, c)
    if bidirectional:
        return torch.cat([h_n[-2], h_n[-1]], dim=-1)
    return h_n[-1]


class SequenceInput(nn.Module):
    """Embedding lookup, synthetic/precomputed rows written over it, then dropout.

    Parameters
    ----------
    vocab_size : int or None
        Rows of the embedding table (0 = padding, 1 = unknown); ``None`` when
        every row arrives as vectors (frozen transformer states).
    embedding_dim : int
    weights : Tensor of shape (vocab_size, embedding_dim) or None
        Initial table (word2vec); ``None`` keeps the random initialisation.
    freeze : bool
        Keep the table fixed.
    dropout : float
    """

    def __init__(self, vocab_size, embedding_dim, weights=None, freeze=False, dropout=0.0):
        super().__init__()
        self.embedding_dim = embedding_dim
        self.embedding = None
        if vocab_size is not None:
            self.embedding = nn.Embedding(vocab_size, embedding_dim, padding_idx=0)
            if weights is not None:
                with torch.no_grad():
                    self.embedding.weight.copy_(torch.as_tensor(weights))
            self.embedding.weight.requires_grad_(not freeze)
        self.dropout = nn.Dropout(dropout)

    def forward(self, input_ids, embed_index, embeds, lengths=None):
        if self.embedding is not None:
            x = self.embedding(input_ids)
        else:
            x = embeds.new_zeros((*input_ids.shape, self.embedding_dim))
        if embed_index.numel():
            x = x.index_copy(0, embed_index, embeds.to(x.dtype))
        return self.dropout(x)


class EncoderTopInput(nn.Module):
    """The top layers of a transformer encoder over its cut-layer states, then dropout.

    With ``trainable_layers=k`` every row arrives as the cached output of the
    encoder's bottom ``L - k`` layers (:class:`skmedtext.encoders.FrozenStack`);
    the top ``k`` layers run here, trained with the network above them.

    Parameters
    ----------
    encoder : transformers.PreTrainedModel
        A BERT-family encoder; only ``encoder.encoder.layer[cut:]`` runs here,
        its embeddings and bottom layers serve the cache.
    cut : int
        Index of the first layer that runs here.
    dropout : float
    """

    def __init__(self, encoder, cut, dropout=0.0):
        super().__init__()
        self.encoder = encoder
        self.cut = cut
        # no lookup table: the persistence hooks and SequenceInput's users read this
        self.embedding = None
        self.embedding_dim = encoder.config.hidden_size
        self.dropout = nn.Dropout(dropout)

    def forward(self, input_ids, embed_index, embeds, lengths=None):
        from skmedtext.encoders import run_encoder_layers

        # every row is a states row, collated in batch order (embed_index = 0..B-1)
        mask = length_mask(lengths, embeds.size(1))
        h = run_encoder_layers(self.encoder, embeds, mask.long(), self.cut, None)
        # the networks above read padding as zero vectors (a convolution's window
        # crosses into it); attention leaves non-zero states there
        return self.dropout(h * mask.unsqueeze(-1).to(h.dtype))


class _SequenceNet(nn.Module):
    """``SequenceInput`` followed by an architecture's ``classify(x, lengths)``."""

    def __init__(self, inputs):
        super().__init__()
        self.inputs = inputs

    def forward(self, input_ids, lengths, embed_index, embeds):
        return self.classify(self.inputs(input_ids, embed_index, embeds, lengths), lengths)

    def classify(self, x, lengths):  # pragma: no cover - abstract
        raise NotImplementedError


class SameConv1d(nn.Conv1d):
    """Stride-1 convolution keeping the length ('same' padding, also for even kernels)."""

    def __init__(self, in_channels, out_channels, kernel_size):
        super().__init__(in_channels, out_channels, kernel_size)
        left = (kernel_size - 1) // 2
        self.same_padding = (left, kernel_size - 1 - left)

    def forward(self, x):
        return super().forward(nn.functional.pad(x, self.same_padding))


def _conv_same(conv, x, lengths):
    """'same' 1-D convolution of ``x (batch, time, ch)`` + ReLU, padding re-zeroed."""
    h = torch.relu(conv(x.transpose(1, 2))).transpose(1, 2)
    return h * length_mask(lengths, h.size(1)).unsqueeze(-1).to(h.dtype)


# -- architectures ---------------------------------------------------------------------
class StaResGRUCNN(_SequenceNet):
    """Stacked residual BiGRU + CNN projection + max-pool (paper 003, Fig. 1).

    Each layer is ``h_l = BiGRU_l(h_{l-1}) + R(h_{l-1})`` (eqs. 5-6, 8) where the
    residual ``R`` is the identity, or a bias-free linear map ``W_ox`` (eq. 8)
    where the input width differs from ``hidden_size``; then dropout. A
    convolution (``filters`` x ``kernel_size``, ReLU) maps the states to a lower
    dimension, max-over-time pooling gives one vector (eq. 9) and a linear layer
    the class scores (eq. 10; softmax, eq. 11, is applied by the classifier).
    """

    def __init__(
        self,
        inputs,
        n_classes,
        *,
        hidden_size=512,
        n_layers=4,
        filters=64,
        kernel_size=3,
        dropout=0.4,
    ):
        super().__init__(inputs)
        input_dim = inputs.embedding_dim
        self.grus = nn.ModuleList(
            nn.GRU(
                input_dim if i == 0 else hidden_size,
                hidden_size // 2,
                batch_first=True,
                bidirectional=True,
            )
            for i in range(n_layers)
        )
        self.shortcut = (
            nn.Identity()
            if input_dim == hidden_size
            else nn.Linear(input_dim, hidden_size, bias=False)
        )
        self.dropout = nn.Dropout(dropout)
        self.project = SameConv1d(hidden_size, filters, kernel_size)
        self.fc = nn.Linear(filters, n_classes)

    def encode(self, x, lengths):
        """Per-position features ``(batch, time, filters)`` before the max-pool."""
        h = x
        for i, gru in enumerate(self.grus):
            out, _ = run_rnn(gru, h, lengths)
            # h + dropout(out) (paper 003): the identity path is never dropped
            h = (self.shortcut(h) if i == 0 else h) + self.dropout(out)
        return _conv_same(self.project, h, lengths)

    def classify(self, x, lengths):
        return self.fc(self.dropout(masked_max(self.encode(x, lengths), lengths)))


class _MultiConv(nn.Module):
    """Parallel 'same' convolutions, ReLU and masked max-over-time, concatenated."""

    def __init__(self, input_dim, kernel_sizes, filters):
        super().__init__()
        self.convs = nn.ModuleList(SameConv1d(input_dim, filters, k) for k in kernel_sizes)
        self.out_dim = filters * len(kernel_sizes)

    def forward(self, x, lengths):
        return torch.cat([masked_max(_conv_same(c, x, lengths), lengths) for c in self.convs], -1)


class TextCNN(_SequenceNet):
    """Kim (2014) TextCNN: parallel convolutions, ReLU, max-over-time, dropout, linear."""

    def __init__(self, inputs, n_classes, *, kernel_sizes=(3, 4, 5), filters=100, dropout=0.5):
        super().__init__(inputs)
        self.cnn = _MultiConv(inputs.embedding_dim, kernel_sizes, filters)
        self.dropout = nn.Dropout(dropout)
        self.fc = nn.Linear(self.cnn.out_dim, n_classes)

    def classify(self, x, lengths):
        return self.fc(self.dropout(self.cnn(x, lengths)))


class BiRNN(_SequenceNet):
    """Bidirectional LSTM or GRU; final states of both directions -> dropout -> linear."""

    def __init__(self, inputs, n_classes, *, cell="lstm", hidden_size=512, dropout=0.5):
        super().__init__(inputs)
        self.rnn = _RNN_CELLS[cell](
            inputs.embedding_dim, hidden_size, batch_first=True, bidirectional=True
        )
        self.dropout = nn.Dropout(dropout)
        self.fc = nn.Linear(2 * hidden_size, n_classes)

    def classify(self, x, lengths):
        _, state = run_rnn(self.rnn, x, lengths)
        return self.fc(self.dropout(final_states(state, bidirectional=True)))


class TextCNNBiGRU(_SequenceNet):
    """TextCNN and BiGRU branches side by side; their features are concatenated."""

    def __init__(
        self,
        inputs,
        n_classes,
        *,
        kernel_sizes=(3, 4, 5),
        filters=100,
        hidden_size=128,
        dropout=0.5,
    ):
        super().__init__(inputs)
        self.cnn = _MultiConv(inputs.embedding_dim, kernel_sizes, filters)
        self.gru = nn.GRU(inputs.embedding_dim, hidden_size, batch_first=True, bidirectional=True)
        self.dropout = nn.Dropout(dropout)
        self.fc = nn.Linear(self.cnn.out_dim + 2 * hidden_size, n_classes)

    def classify(self, x, lengths):
        _, state = run_rnn(self.gru, x, lengths)
        features = torch.cat([self.cnn(x, lengths), final_states(state, True)], -1)
        return self.fc(self.dropout(features))


class CNNRNN(_SequenceNet):
    """Convolution -> max-pool (``pool_size``) -> LSTM or GRU -> last state -> linear.

    The CNN-LSTM / CNN-GRU baselines of paper 003 (Kashgari's layout).
    """

    def __init__(
        self,
        inputs,
        n_classes,
        *,
        cell="lstm",
        filters=64,
        kernel_size=3,
        pool_size=2,
        hidden_size=100,
        dropout=0.4,
    ):
        super().__init__(inputs)
        self.conv = SameConv1d(inputs.embedding_dim, filters, kernel_size)
        self.pool = nn.MaxPool1d(pool_size, ceil_mode=True)
        self.pool_size = pool_size
        self.rnn = _RNN_CELLS[cell](filters, hidden_size, batch_first=True)
        self.dropout = nn.Dropout(dropout)
        self.fc = nn.Linear(hidden_size, n_classes)

    def classify(self, x, lengths):
        h = _conv_same(self.conv, x, lengths)
        mask = length_mask(lengths, h.size(1)).unsqueeze(-1)
        h = self.pool(h.masked_fill(~mask, float("-inf")).transpose(1, 2)).transpose(1, 2)
        lengths = torch.div(lengths + self.pool_size - 1, self.pool_size, rounding_mode="floor")
        h = h.masked_fill(~length_mask(lengths, h.size(1)).unsqueeze(-1), 0.0)
        _, state = run_rnn(self.rnn, h, lengths)
        return self.fc(self.dropout(final_states(state, bidirectional=False)))


class _DPCNNBlock(nn.Module):
    """Two pre-activation 'same' convolutions with an identity shortcut."""

    def __init__(self, filters, kernel_size):
        super().__init__()
        self.conv1 = SameConv1d(filters, filters, kernel_size)
        self.conv2 = SameConv1d(filters, filters, kernel_size)

    def forward(self, h, mask):
        z = self.conv1(torch.relu(h)) * mask
        z = self.conv2(torch.relu(z)) * mask
        return h + z


class DPCNN(_SequenceNet):
    """Deep pyramid CNN (Johnson & Zhang, 2017).

    Region embedding (convolution) -> a conv block -> ``n_blocks`` times
    [max-pool size 3 stride 2 -> conv block], each block two pre-activation
    convolutions with a shortcut -> max-over-time -> dropout -> linear.
    """

    def __init__(self, inputs, n_classes, *, filters=250, kernel_size=3, n_blocks=5, dropout=0.4):
        super().__init__(inputs)
        self.region = SameConv1d(inputs.embedding_dim, filters, kernel_size)
        self.base = _DPCNNBlock(filters, kernel_size)
        self.blocks = nn.ModuleList(_DPCNNBlock(filters, kernel_size) for _ in range(n_blocks))
        self.pool = nn.MaxPool1d(3, stride=2, padding=1)
        self.dropout = nn.Dropout(dropout)
        self.fc = nn.Linear(filters, n_classes)

    @staticmethod
    def default_blocks(max_length):
        """Halvings that take ``max_length`` positions down to about 4 (Kashgari's rule)."""
        return max(1, int(math.floor(math.log2(max(max_length, 2)))) - 2)

    def classify(self, x, lengths):
        mask = length_mask(lengths, x.size(1)).unsqueeze(1).to(x.dtype)
        h = self.base(self.region(x.transpose(1, 2)) * mask, mask)
        for block in self.blocks:
            # padding becomes -inf so pooling sees the same values as on an unpadded row
            h = self.pool(h.masked_fill(mask == 0, float("-inf")))
            lengths = torch.div(lengths + 1, 2, rounding_mode="floor")
            mask = length_mask(lengths, h.size(-1)).unsqueeze(1).to(h.dtype)
            h = block(h.masked_fill(mask == 0, 0.0), mask)
        return self.fc(self.dropout(masked_max(h.transpose(1, 2), lengths)))
