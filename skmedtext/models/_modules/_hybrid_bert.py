"""Torch module of paper 002's hybrid: encoder states, BiLSTM, cross-attention, pooling."""

import torch
from torch import nn
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

from skmedtext.models._modules._bert import masked_mean, mlp_head

__all__ = ["HybridBertModule"]


class HybridBertModule(nn.Module):
    """BERT-family encoder -> BiLSTM -> cross-attention -> pooling -> head.

    1. The encoder turns the tokens (or a synthetic row's vectors, written over
       the word-embedding lookup as in DMT-BERT) into token states ``H`` (B, L, d).
    2. A BiLSTM reads ``H`` (real positions only) into sequential states ``S``
       (B, L, 2h), projected to ``d``: ``Q = W S``.
    3. Cross-attention: every BiLSTM position queries the encoder states,
       ``C = MultiHead(Q, H, H)`` with the padding keys masked, so the
       order-aware BiLSTM view selects the contextual evidence of the encoder.
    4. ``Z = LayerNorm(Q + C)`` (residual), averaged over the real positions.
    5. Head: dropout -> linear ``d -> head_hidden`` -> ReLU -> dropout -> linear.
    """

    def __init__(self, encoder, n_classes, *, lstm_hidden=128, n_heads=4, head_hidden=256,
                 dropout=0.2, cut=None):  # fmt: skip
        super().__init__()
        self.encoder = encoder
        # with a frozen bottom stack (trainable_layers) every row arrives as the cached
        # output of layer ``cut`` in ``synth_embeds`` and only the layers above it run
        self.cut = cut
        d = encoder.config.hidden_size
        if d % n_heads:
            raise ValueError(f"n_heads={n_heads} must divide the encoder's hidden size {d}.")
        self.lstm = nn.LSTM(d, lstm_hidden, batch_first=True, bidirectional=True)
        self.query = nn.Linear(2 * lstm_hidden, d)
        self.attention = nn.MultiheadAttention(d, n_heads, dropout=dropout, batch_first=True)
        self.norm = nn.LayerNorm(d)
        self.head = mlp_head(d, head_hidden, n_classes, dropout)

    def _bilstm(self, states, lengths):
        packed = pack_padded_sequence(
            states, lengths.cpu(), batch_first=True, enforce_sorted=False
        )
        out, _ = self.lstm(packed)
        out, _ = pad_packed_sequence(out, batch_first=True, total_length=states.size(1))
        return out

    def _encoder_states(self, input_ids, attention_mask, synth_index, synth_embeds):
        if self.cut is not None:
            from skmedtext.encoders import run_encoder_layers

            return run_encoder_layers(self.encoder, synth_embeds, attention_mask, self.cut, None)
        embeds = self.encoder.get_input_embeddings()(input_ids)
        if synth_index.numel():
            embeds = embeds.index_copy(0, synth_index, synth_embeds.to(embeds.dtype))
        return self.encoder(inputs_embeds=embeds, attention_mask=attention_mask).last_hidden_state

    def forward(self, input_ids, attention_mask, synth_index, synth_embeds, **_unused):
        # the mention/pair tensors of DMT-BERT's collator carry no task here
        states = self._encoder_states(input_ids, attention_mask, synth_index, synth_embeds)
        lengths = attention_mask.sum(dim=1).clamp(min=1)
        # the LSTM and the attention run in float32 (bf16 autocast keeps the encoder)
        states = states.float()
        with torch.autocast(device_type=states.device.type, enabled=False):
            query = self.query(self._bilstm(states, lengths))
            context, _ = self.attention(
                query, states, states, key_padding_mask=attention_mask == 0, need_weights=False
            )
            fused = self.norm(query + context)
            return self.head(masked_mean(fused, attention_mask))
