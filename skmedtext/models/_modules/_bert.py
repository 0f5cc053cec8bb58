"""Torch module of DMT-BERT (paper 000, eqs. 14-21)."""

import torch
import torch.nn.functional as F
from torch import nn


def masked_mean(states, mask):
    """Mean of ``states`` (B, L, d) over positions where ``mask`` (B, L) is 1 (eq. 17)."""
    mask = mask.unsqueeze(-1).to(states.dtype)
    return (states * mask).sum(1) / mask.sum(1).clamp_min(1.0)


def span_means(states, rows, starts, ends):
    """Mean token state of each mention span ``states[row, start:end]``."""
    positions = torch.arange(states.shape[1], device=states.device)
    inside = (positions[None, :] >= starts[:, None]) & (positions[None, :] < ends[:, None])
    weights = inside.to(states.dtype) / (ends - starts).clamp_min(1)[:, None].to(states.dtype)
    return torch.einsum("ml,mld->md", weights, states[rows])


def mlp_head(hidden, head_hidden, n_classes, dropout):
    """The classification head ``hidden -> head_hidden -> K`` with ReLU and dropout (eq. 18)."""
    return nn.Sequential(
        nn.Dropout(dropout),
        nn.Linear(hidden, head_hidden),
        nn.ReLU(),
        nn.Dropout(dropout),
        nn.Linear(head_hidden, n_classes),
    )


class DMTBertModule(nn.Module):
    """BERT encoder + classification head + disease co-occurrence predictor.

    Real rows enter as ``input_ids``; synthetic rows (SAAN) replace their rows of
    the word-embedding lookup with ``synth_embeds`` before the encoder runs, so both
    go through one ``inputs_embeds`` call.
    """

    def __init__(
        self, encoder, n_classes, head_hidden=256, dropout=0.2, pooling="cls", cooc=True, cut=None
    ):
        super().__init__()
        self.encoder = encoder
        # with a frozen bottom stack (trainable_layers), every row arrives as the
        # cached output of layer ``cut`` and only the layers above it run
        self.cut = cut
        hidden = encoder.config.hidden_size
        self.pooling = pooling
        self.head = mlp_head(hidden, head_hidden, n_classes, dropout)
        self.cooc = cooc
        # p_ij = sigmoid(scale * A_ij + bias): cosine scores live in [-1, 1], so a
        # learned affine map lets the BCE reach confident probabilities.
        self.cooc_scale = nn.Parameter(torch.tensor(5.0))
        self.cooc_bias = nn.Parameter(torch.tensor(0.0))

    def forward(
        self,
        input_ids,
        attention_mask,
        synth_index,
        synth_embeds,
        mention_row,
        mention_start,
        mention_end,
        pair_a,
        pair_b,
        pair_y,
    ):
        if self.cut is not None:
            from skmedtext.encoders import run_encoder_layers

            hidden = synth_embeds  # every row is a states row, collated in batch order
            states = run_encoder_layers(self.encoder, hidden, attention_mask, self.cut, None)
        else:
            embeds = self.encoder.get_input_embeddings()(input_ids)
            if synth_index.numel():
                embeds = embeds.index_copy(0, synth_index, synth_embeds.to(embeds.dtype))
            out = self.encoder(inputs_embeds=embeds, attention_mask=attention_mask)
            states = out.last_hidden_state
        pooled = states[:, 0] if self.pooling == "cls" else masked_mean(states, attention_mask)
        logits = self.head(pooled)
        if not (self.training and self.cooc and pair_a.numel()):
            return logits
        mentions = span_means(states, mention_row, mention_start, mention_end)
        cosine = F.cosine_similarity(mentions[pair_a].float(), mentions[pair_b].float(), dim=-1)
        pair_logits = self.cooc_scale * cosine + self.cooc_bias
        aux = F.binary_cross_entropy_with_logits(pair_logits, pair_y.float())
        return logits, aux
