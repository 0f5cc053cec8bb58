"""Torch modules of the taggers: token encoders, per-token emissions and a CRF head.

Every tagger is ``encoder -> linear emissions -> head``. The head is either a
linear-chain CRF (``torchcrf.CRF`` of pytorch-crf: its negative log-likelihood
trains, its Viterbi decodes) or a plain softmax over the emissions. pytorch-crf
has no marginals, so :func:`crf_marginals` adds the forward-backward pass that
gives ``predict_proba`` per-token tag marginals under the CRF.

The module returns the emissions ``(batch, time, n_tags)``; in training, when the
batch carries ``tags``, it returns ``(emissions, crf_nll)`` so the core's net adds
the CRF loss as its auxiliary term (see the tagger base).
"""

import warnings

import torch
import torch.nn.functional as F
from torch import nn
from torchcrf import CRF

from skmedtext.models._modules._bert import span_means
from skmedtext.models._modules._sequence import StaResGRUCNN, run_rnn

__all__ = [
    "BiLSTMEncoder",
    "CooccurrenceTaggerModule",
    "StaResGRUCNNEncoder",
    "TaggerModule",
    "TransformerEncoder",
    "crf_marginals",
]


def crf_marginals(crf, emissions, mask):
    """Per-position tag marginals ``P(tag_t = k | x)`` of a ``torchcrf.CRF`` (forward-backward).

    ``emissions`` is ``(batch, time, n_tags)``, ``mask`` ``(batch, time)`` with the
    real positions first (right padding). Padded positions get zeros.
    """
    emissions = emissions.float()
    mask = mask.bool()
    trans = crf.transitions  # [i, j]: score of moving from tag i to tag j
    steps = emissions.size(1)
    alphas = [crf.start_transitions + emissions[:, 0]]
    for t in range(1, steps):
        step = torch.logsumexp(alphas[-1].unsqueeze(2) + trans, dim=1) + emissions[:, t]
        alphas.append(torch.where(mask[:, t, None], step, alphas[-1]))
    betas = [crf.end_transitions.expand_as(alphas[0])]
    for t in range(steps - 2, -1, -1):
        nxt = emissions[:, t + 1] + betas[0]
        step = torch.logsumexp(trans + nxt.unsqueeze(1), dim=2)
        # past a row's end the backward score stays the end transition
        betas.insert(0, torch.where(mask[:, t + 1, None], step, betas[0]))
    alpha, beta = torch.stack(alphas, 1), torch.stack(betas, 1)
    log_z = torch.logsumexp(alphas[-1] + crf.end_transitions, dim=1)
    marginals = torch.exp(alpha + beta - log_z[:, None, None])
    return marginals * mask.unsqueeze(-1)


class BiLSTMEncoder(nn.Module):
    """``SequenceInput`` -> stacked BiLSTM; per-token states of width ``2 * hidden_size``."""

    def __init__(self, inputs, *, hidden_size=128, n_layers=1, dropout=0.5):
        super().__init__()
        self.inputs = inputs
        self.rnn = nn.LSTM(
            inputs.embedding_dim,
            hidden_size,
            num_layers=n_layers,
            batch_first=True,
            bidirectional=True,
            dropout=dropout if n_layers > 1 else 0.0,
        )
        self.dropout = nn.Dropout(dropout)
        self.out_dim = 2 * hidden_size

    def forward(self, input_ids, lengths, embed_index, embeds):
        out, _ = run_rnn(self.rnn, self.inputs(input_ids, embed_index, embeds), lengths)
        return self.dropout(out)


class StaResGRUCNNEncoder(StaResGRUCNN):
    """Paper 003's stacked residual BiGRU + CNN projection, kept per token (no pooling).

    The layers are :class:`StaResGRUCNN`'s (its ``encode`` without the max-pool
    and the classification layer); the tagger's emission layer reads the
    ``filters``-wide convolution output of every position.
    """

    def __init__(self, inputs, **params):
        super().__init__(inputs, 1, **params)
        del self.fc  # the tagger has its own emission layer
        self.out_dim = self.project.out_channels

    def forward(self, input_ids, lengths, embed_index, embeds):
        return self.dropout(self.encode(self.inputs(input_ids, embed_index, embeds), lengths))


class TaggerModule(nn.Module):
    """Token encoder -> linear emissions -> CRF (``head="crf"``) or softmax head.

    The encoder maps the batch's inputs to ``(batch, time, out_dim)`` states.
    ``forward`` returns the emissions; with ``tags`` given (training and
    validation batches) and a CRF head, ``(emissions, nll)`` with ``nll`` the CRF
    negative log-likelihood averaged over the batch's real tokens.
    """

    def __init__(self, encoder, n_tags, head="crf"):
        super().__init__()
        self.encoder = encoder
        self.emit = nn.Linear(encoder.out_dim, n_tags)
        self.head = head
        self.crf = CRF(n_tags, batch_first=True) if head == "crf" else None

    def forward(self, tags=None, **inputs):
        emissions = self.emit(self.encoder(**inputs)).float()
        # validation batches carry tags too, so valid_loss is the CRF loss as well
        if self.crf is None or tags is None:
            return emissions
        return emissions, self.crf_loss(emissions, tags)

    @property
    def inputs(self):
        """The encoder's embedding layer (what persistence reads the table from)."""
        return self.encoder.inputs

    def crf_loss(self, emissions, tags):
        """CRF negative log-likelihood per real token (padding: ``tags < 0``)."""
        mask = tags >= 0
        nll = -self.crf(emissions, tags.clamp_min(0), mask, reduction="sum")
        return nll / mask.sum().clamp_min(1)

    def decode(self, emissions, mask):
        """Best tag index sequence of each row (Viterbi under a CRF, argmax otherwise)."""
        if self.crf is None:
            best = emissions.argmax(-1)
            return [row[: int(n)].tolist() for row, n in zip(best, mask.sum(1))]
        with warnings.catch_warnings():
            # pytorch-crf 0.7.2 indexes with a uint8 mask internally; the result is right
            warnings.filterwarnings("ignore", message="where received a uint8")
            return self.crf.decode(emissions.float(), mask.bool())

    def marginals(self, emissions, mask):
        """Per-position tag probabilities: CRF marginals, or the softmax of the emissions."""
        if self.crf is None:
            return torch.softmax(emissions.float(), -1) * mask.unsqueeze(-1)
        return crf_marginals(self.crf, emissions, mask)


class TransformerEncoder(nn.Module):
    """A Hugging Face encoder's last states of the content tokens (``[CLS]`` dropped).

    Rows are ``[CLS] tokens [SEP] pad...``; position ``k`` of the output is
    content token ``k``, so the tagger's emissions line up with its targets.
    With ``cut``, a batch may carry ``embeds``: the output of the frozen layers
    below ``cut`` for those rows, so only the layers from ``cut`` up run.
    """

    def __init__(self, encoder, dropout=0.1, cut=None):
        super().__init__()
        self.encoder = encoder
        self.dropout = nn.Dropout(dropout)
        self.out_dim = encoder.config.hidden_size
        self.cut = cut

    def forward(self, attention_mask, lengths, input_ids=None, embeds=None):
        if embeds is not None:  # the cached output of the frozen layers below ``cut``
            from skmedtext.encoders import run_encoder_layers

            states = run_encoder_layers(self.encoder, embeds, attention_mask, self.cut, None)
        else:
            out = self.encoder(input_ids=input_ids, attention_mask=attention_mask)
            states = out.last_hidden_state
        return self.dropout(states[:, 1:])


class CooccurrenceTaggerModule(TaggerModule):
    """:class:`TaggerModule` plus paper 000's mention co-occurrence task (eqs. 19-21).

    In training, the mean states of the batch's gold mentions give cosine scores
    ``A_ij`` for the sampled mention pairs, ``p_ij = sigmoid(a * A_ij + b)`` and a BCE
    against whether the two mention strings co-occur in training documents; the
    auxiliary loss is the CRF loss (when ``head="crf"``) plus ``lambda_cooc`` times
    that BCE.
    """

    def __init__(self, encoder, n_tags, head="crf", lambda_cooc=0.1):
        super().__init__(encoder, n_tags, head)
        self.lambda_cooc = lambda_cooc
        self.cooc_scale = nn.Parameter(torch.tensor(5.0))
        self.cooc_bias = nn.Parameter(torch.tensor(0.0))

    def forward(self, tags=None, mentions=None, **inputs):
        states = self.encoder(**inputs)
        emissions = self.emit(states).float()
        if tags is None:
            return emissions
        aux = self.crf_loss(emissions, tags) if self.crf is not None else emissions.new_zeros(())
        if self.training and mentions is not None and mentions["pair_a"].numel():
            aux = aux + self.lambda_cooc * self._cooccurrence_loss(states, mentions)
        return emissions, aux

    def _cooccurrence_loss(self, states, m):
        # mention starts/ends are content-token positions, the states' own coordinates
        vectors = span_means(states, m["mention_row"], m["mention_start"], m["mention_end"])
        cosine = F.cosine_similarity(vectors[m["pair_a"]].float(), vectors[m["pair_b"]].float(), -1)
        logits = self.cooc_scale * cosine + self.cooc_bias
        return F.binary_cross_entropy_with_logits(logits, m["pair_y"].float())
