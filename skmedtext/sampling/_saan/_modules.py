"""Torch modules of SAAN: sparse self-attention generator (SAG) and discriminator (SAD).

Every module here holds ``n_groups`` independent copies of its parameters, stacked
along a leading axis, and runs them in one batched computation: group ``g`` is the
GAN of the ``g``-th class being over-sampled. The groups never share a parameter
and the losses are summed over groups, so each group receives exactly the gradient
of its own loss and (Adam being element-wise) trains exactly as a separate GAN
would; stacking only removes the per-class Python loop.

Tensor layout: ``(G, B, t, features)`` for sequences (``G`` groups, ``B`` samples
per group, ``t`` positions) and ``(G, B, t)`` boolean masks of the real positions.
Every ``forward`` takes an optional ``groups`` index tensor selecting a subset of
the stacked parameters (used to generate one class at a time).
"""

import math

import torch
import torch.nn.functional as F
from torch import nn

__all__ = [
    "GroupedLinear",
    "GroupedLayerNorm",
    "SparseSelfAttention",
    "SparseAttentionGenerator",
    "SparseAttentionDiscriminator",
    "local_window_mask",
    "attention_allowed",
    "resolve_window",
]


# The paper's window on its longest sequences: w = 86 of t = 512 positions, so a
# position sees about a third of the sequence. "auto" keeps that fraction at
# every length; an absolute 86 would give full attention to anything under 87.
_PAPER_WINDOW, _PAPER_LENGTH = 86, 512


def resolve_window(window, t):
    """Half-width of the local window on sequences of ``t`` positions.

    ``"auto"`` scales the paper's ``w = 86`` of 512 to ``t``:
    ``max(1, round(t * 86 / 512))``; an int keeps its absolute meaning. Either
    way the result is capped at ``t``.
    """
    if window == "auto":
        window = max(1, round(t * _PAPER_WINDOW / _PAPER_LENGTH))
    return min(int(window), int(t))


def local_window_mask(t, window, device=None):
    """Boolean ``(t, t)`` matrix, True where ``|i - k| <= window`` (paper, M_ik = 0)."""
    idx = torch.arange(t, device=device)
    return (idx[:, None] - idx[None, :]).abs() <= window


def attention_allowed(mask, window):
    """Which keys each query may attend to: inside the window and not padding.

    Parameters
    ----------
    mask : bool tensor (..., t)
        Real (non-padding) positions.
    window : int
        Half-width ``w`` of the local window.

    Returns
    -------
    allowed : bool tensor (..., t, t) or None
        ``allowed[..., i, k]`` is True iff ``|i - k| <= w`` and key ``k`` is real.
        The diagonal is always allowed so a padding query never sees an all
        ``-inf`` row (its output is discarded anyway); for real queries this
        changes nothing because real keys on the diagonal are allowed already.
        ``None`` when every pair is allowed (no padding and ``w >= t - 1``), so
        callers can skip the additive mask altogether.
    """
    t = mask.shape[-1]
    if window >= t - 1 and bool(mask.all()):
        return None
    band = local_window_mask(t, window, device=mask.device)
    eye = torch.eye(t, dtype=torch.bool, device=mask.device)
    return band & (mask[..., None, :] | eye)


def _take(param, groups):
    return param if groups is None else param[groups]


class GroupedLinear(nn.Module):
    """``y = x W_g + b_g`` with one weight matrix per group (nn.Linear's init).

    With ``spectral_norm=True`` each group's matrix is divided by its largest
    singular value, estimated by one power-iteration step per training forward
    pass (Miyato et al., 2018; ``torch.nn.utils.spectral_norm`` per group).
    """

    def __init__(self, n_groups, in_features, out_features, bias=True, spectral_norm=False):
        super().__init__()
        bound = 1.0 / math.sqrt(in_features)
        self.weight = nn.Parameter(torch.empty(n_groups, in_features, out_features))
        nn.init.uniform_(self.weight, -bound, bound)
        if bias:
            self.bias = nn.Parameter(torch.empty(n_groups, out_features))
            nn.init.uniform_(self.bias, -bound, bound)
        else:
            self.register_parameter("bias", None)
        self.spectral_norm = spectral_norm
        if spectral_norm:
            self.register_buffer("_u", F.normalize(torch.randn(n_groups, out_features), dim=-1))

    def _normalised_weight(self):
        w = self.weight
        with torch.no_grad():
            u = self._u
            v = F.normalize(torch.bmm(w, u[..., None])[..., 0], dim=-1)
            if self.training:
                u = F.normalize(torch.bmm(w.transpose(1, 2), v[..., None])[..., 0], dim=-1)
                self._u.copy_(u)
                v = F.normalize(torch.bmm(w, u[..., None])[..., 0], dim=-1)
        sigma = torch.einsum("gi,gio,go->g", v, w, u)
        return w / sigma[:, None, None]

    def forward(self, x, groups=None):
        weight = _take(self._normalised_weight() if self.spectral_norm else self.weight, groups)
        lead = x.shape[1:-1]
        flat = x.reshape(x.shape[0], -1, x.shape[-1])
        if self.bias is None:
            out = torch.bmm(flat, weight)
        else:
            out = torch.baddbmm(_take(self.bias, groups)[:, None, :], flat, weight)
        return out.reshape(x.shape[0], *lead, weight.shape[-1])


class GroupedLayerNorm(nn.Module):
    """LayerNorm over the last axis with a per-group affine transform."""

    def __init__(self, n_groups, dim):
        super().__init__()
        self.weight = nn.Parameter(torch.ones(n_groups, dim))
        self.bias = nn.Parameter(torch.zeros(n_groups, dim))

    def forward(self, x, groups=None):
        shape = (x.shape[0],) + (1,) * (x.dim() - 2) + (x.shape[-1],)
        weight = _take(self.weight, groups).reshape(shape)
        bias = _take(self.bias, groups).reshape(shape)
        return torch.addcmul(bias, F.layer_norm(x, x.shape[-1:]), weight)


class SparseSelfAttention(nn.Module):
    """Multi-head local-window sparse self-attention, eqs. (5)-(10) of the SAAN paper.

    ``Q_j = z W_j^q``, ``K_j = z W_j^k``, ``V_j = z W_j^v`` with per-head matrices of
    shape ``d x d/m``; ``head_j = softmax(Q_j K_j^T / sqrt(d_k) + M) V_j`` with
    ``M_ik = 0`` iff ``|i - k| <= w`` (and key ``k`` is not padding) else ``-inf``;
    output ``Concat(head_1..head_m) W^A``. The ``m`` per-head ``d x d/m`` matrices
    are stored side by side, and ``W^q, W^k, W^v`` next to each other, as one
    ``d x 3d`` matrix ``w_qkv`` (the same parameters, one matmul): columns
    ``[j d_k, (j + 1) d_k)`` of the first third are ``W_j^q``, of the second
    ``W_j^k``, of the third ``W_j^v``. No biases, as in the equations. The paper's mask is the same for
    every head (``M_j`` with ``w = 86`` for all ``j``), and so is ours.
    """

    def __init__(self, n_groups, dim, n_heads, spectral_norm=False):
        super().__init__()
        if dim % n_heads:
            raise ValueError(f"hidden width {dim} is not divisible by n_heads={n_heads}.")
        self.n_heads = n_heads
        self.d_k = dim // n_heads
        self.w_qkv = GroupedLinear(n_groups, dim, 3 * dim, bias=False, spectral_norm=spectral_norm)
        # nn.Linear's init bound for a d x d matrix, as if the three were separate
        nn.init.uniform_(self.w_qkv.weight, -1.0 / math.sqrt(dim), 1.0 / math.sqrt(dim))
        self.w_a = GroupedLinear(n_groups, dim, dim, bias=False, spectral_norm=spectral_norm)

    def _split_heads(self, z, groups):
        """Q, K, V of shape (G*B, m, t, d_k), eqs. (8)-(10)."""
        g, b, t, dim = z.shape
        qkv = self.w_qkv(z, groups).reshape(g * b, t, 3, self.n_heads, self.d_k)
        return qkv.permute(2, 0, 3, 1, 4).unbind(0)

    def forward(self, z, allowed, groups=None, return_weights=False):
        """Attend within the window.

        Parameters
        ----------
        z : float tensor (G, B, t, d)
        allowed : bool tensor (G, B, t, t) or None
            From :func:`attention_allowed`; ``None`` means no masking is needed.
        groups : long tensor or None
            Subset of the stacked parameters to use.
        return_weights : bool, default=False
            Also return the attention weights ``(G, B, m, t, t)``.
        """
        g, b, t, dim = z.shape
        q, k, v = self._split_heads(z, groups)
        mask = None if allowed is None else allowed.reshape(g * b, 1, t, t)
        if not return_weights:
            # PyTorch's fused kernel computes softmax(Q K^T / sqrt(d_k) + M) V without
            # materialising the (t, t) scores: 2-5x faster than the explicit form on CPU
            # for 4 heads of width 8 at 8 to 256 positions (fp32, forward + backward)
            heads = F.scaled_dot_product_attention(q, k, v, attn_mask=mask)
            return self.w_a(heads.transpose(1, 2).reshape(g, b, t, dim), groups)
        # eq. (7) as written, for the attention weights themselves
        scale = 1.0 / math.sqrt(self.d_k)
        scores = (q @ k.transpose(-1, -2)) * scale
        if mask is not None:
            scores = scores.masked_fill(~mask, float("-inf"))
        weights = torch.softmax(scores, dim=-1)
        heads = (weights @ v).transpose(1, 2).reshape(g, b, t, dim)
        return self.w_a(heads, groups), weights.reshape(g, b, self.n_heads, t, t)


class _Block(nn.Module):
    """Pre-LayerNorm residual block: sparse self-attention, then a feed-forward layer."""

    def __init__(self, n_groups, dim, n_heads, ff_mult=2, spectral_norm=False):
        super().__init__()
        self.norm_attn = GroupedLayerNorm(n_groups, dim)
        self.attn = SparseSelfAttention(n_groups, dim, n_heads, spectral_norm)
        self.norm_ff = GroupedLayerNorm(n_groups, dim)
        self.ff_in = GroupedLinear(n_groups, dim, ff_mult * dim, spectral_norm=spectral_norm)
        self.ff_out = GroupedLinear(n_groups, ff_mult * dim, dim, spectral_norm=spectral_norm)

    def forward(self, x, allowed, groups=None):
        x = x + self.attn(self.norm_attn(x, groups), allowed, groups)
        hidden = F.gelu(self.ff_in(self.norm_ff(x, groups), groups))
        return x + self.ff_out(hidden, groups)


class _SparseAttentionStack(nn.Module):
    """Input projection + positions, ``n_layers`` blocks, final LayerNorm."""

    def __init__(
        self, n_groups, max_len, in_dim, dim, n_heads, n_layers, window, spectral_norm=False
    ):
        super().__init__()
        self.window = int(window)
        self.max_len = int(max_len)
        self.in_proj = GroupedLinear(n_groups, in_dim, dim, spectral_norm=spectral_norm)
        # Forward positions (from the start) and backward positions (from the last
        # real position): attention is permutation-equivariant, and text rows end in
        # a [SEP] whose index depends on the row's length.
        self.pos = nn.Parameter(0.02 * torch.randn(n_groups, max_len, dim))
        self.rev_pos = nn.Parameter(0.02 * torch.randn(n_groups, max_len, dim))
        self.blocks = nn.ModuleList(
            _Block(n_groups, dim, n_heads, spectral_norm=spectral_norm) for _ in range(n_layers)
        )
        self.norm = GroupedLayerNorm(n_groups, dim)

    def encode(self, x, mask, groups=None):
        t = x.shape[2]
        if t > self.max_len:
            raise ValueError(f"sequence length {t} exceeds the module's max_len={self.max_len}.")
        positions = torch.arange(t, device=x.device)
        last = torch.where(mask, positions, -1).amax(dim=-1, keepdim=True)
        rev = (last - positions).clamp(0, t - 1)
        pos = _take(self.pos, groups)[:, None, :t, :]
        rev_table = _take(self.rev_pos, groups)
        group_idx = torch.arange(rev_table.shape[0], device=x.device)[:, None, None]
        rev_pos = rev_table[group_idx, rev]
        h = self.in_proj(x, groups) + pos + rev_pos
        allowed = attention_allowed(mask, self.window)
        for block in self.blocks:
            h = block(h, allowed, groups)
        return self.norm(h, groups)


class SparseAttentionGenerator(_SparseAttentionStack):
    """SAG: Gaussian noise sequence ``z`` (G, B, t, latent) -> synthetic sequence.

    Padding positions of the output (``mask`` False) are exact zeros.
    """

    def __init__(self, n_groups, max_len, latent_dim, dim, out_dim, n_heads, n_layers, window):
        super().__init__(n_groups, max_len, latent_dim, dim, n_heads, n_layers, window)
        self.out_proj = GroupedLinear(n_groups, dim, out_dim)

    def forward(self, z, mask, groups=None):
        out = self.out_proj(self.encode(z, mask, groups), groups)
        return out * mask[..., None].to(out.dtype)


class SparseAttentionDiscriminator(_SparseAttentionStack):
    """SAD: sequence (G, B, t, d) -> logit (G, B) of "real minority sample".

    The probability of eq. (12) is ``sigmoid(logit)``; the per-position outputs of
    the attention stack are mean-pooled over the real positions first.
    ``spectral_norm=True`` normalises every linear map of SAD (a stabiliser the
    paper does not mention; see ``docs/saan.md``).
    """

    def __init__(
        self, n_groups, max_len, in_dim, dim, n_heads, n_layers, window, spectral_norm=False
    ):
        super().__init__(
            n_groups, max_len, in_dim, dim, n_heads, n_layers, window, spectral_norm
        )
        self.head = GroupedLinear(n_groups, dim, 1, spectral_norm=spectral_norm)

    def forward(self, x, mask, groups=None):
        h = self.encode(x, mask, groups)
        weights = mask.to(h.dtype)[..., None]
        pooled = (h * weights).sum(dim=2) / weights.sum(dim=2).clamp_min(1.0)
        return self.head(pooled, groups).squeeze(-1)
