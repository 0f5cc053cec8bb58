"""SAAN training and generation: one batched loop for the GANs of every class.

Generator and discriminator hold one parameter copy per class (see
``_modules``), so a training step of all class GANs is a single forward/backward
pass over the :class:`~skmedtext.sampling._saan._bank.SequenceBank` of every class.
"""

import math
from dataclasses import dataclass

import numpy as np
import torch
import torch.nn.functional as F

from skmedtext.sampling._saan._bank import Scaler
from skmedtext.sampling._saan._modules import (
    SparseAttentionDiscriminator,
    SparseAttentionGenerator,
)

__all__ = ["SAANDivergenceError", "GanConfig", "train_gans", "generate"]

_GEN_CHUNK = 1024  # rows generated per forward pass at sampling time


class SAANDivergenceError(FloatingPointError):
    """A SAAN generator or discriminator loss became NaN or infinite.

    The message names the class (for a multi-label ``y``: the label column) whose
    GAN diverged and the epoch; ``label``, ``epoch``, ``g_loss`` and ``d_loss``
    hold them.
    """

    def __init__(self, label, epoch, g_loss, d_loss, noun="class"):
        self.label, self.epoch, self.g_loss, self.d_loss = label, epoch, g_loss, d_loss
        self.noun = noun
        super().__init__(
            f"SAAN training diverged for {noun} {label!r} at epoch {epoch}: generator loss "
            f"{g_loss}, discriminator loss {d_loss}. Lower lr, use label_smoothing > 0, or "
            "check the input for extreme values."
        )

    def __reduce__(self):
        # the default would call the class with the message alone (joblib workers pickle it)
        return type(self), (self.label, self.epoch, self.g_loss, self.d_loss, self.noun)


@dataclass
class GanConfig:
    """Hyper-parameters of one training run (already validated by the sampler)."""

    latent_dim: int
    hidden_dim: int
    n_heads: int
    n_layers: int
    window: int
    epochs: int
    batch_size: int
    lr: float
    label_smoothing: float
    device: str
    instance_noise: float = 0.0
    spectral_norm: bool = True
    mmd_weight: float = 0.0
    verbose: int = 0


def _schedule(rng, counts, offsets, n_draws):
    """Global row indices (G, n_draws): each group cycles through shuffled copies of its rows."""
    out = np.empty((len(counts), n_draws), dtype=np.int64)
    for g, (count, offset) in enumerate(zip(counts, offsets)):
        reps = -(-n_draws // count)
        perm = np.argsort(rng.random((reps, count)), axis=1).ravel()[:n_draws]
        out[g] = perm + offset
    return out


def _adam(params, lr):
    """Adam with DCGAN's beta1 = 0.5; the fused kernel when this torch has one."""
    params = list(params)
    try:
        return torch.optim.Adam(params, lr=lr, betas=(0.5, 0.999), fused=True)
    except (RuntimeError, TypeError, ValueError):  # older torch / device without fused Adam
        return torch.optim.Adam(params, lr=lr, betas=(0.5, 0.999))


def _noise_like(x, mask, generator):
    return torch.randn(x.shape, generator=generator, device=x.device) * mask[..., None]


def _bce_per_group(logits, target):
    """Mean binary cross-entropy over the batch of each group -> (G,)."""
    full = torch.full_like(logits, target)
    return F.binary_cross_entropy_with_logits(logits, full, reduction="none").mean(dim=1)


def _summary(x, mask, per_position):
    """One vector per row for the generator's MMD term -> (G, B, features).

    2-D input cut into chunks: the chunks are the vector, so they are flattened;
    token sequences: the mean over real positions (what the quality metrics see).
    """
    if per_position:
        return x.flatten(2)
    weights = mask[..., None].to(x.dtype)
    return (x * weights).sum(2) / weights.sum(2).clamp_min(1.0)


def _mmd_per_group(fake, real):
    """Squared MMD (biased, so it is smooth and >= 0) between the rows of each group -> (G,).

    A mixture of RBF kernels at 0.5, 1 and 2 times the median squared distance
    of the real rows (the median heuristic, detached): the generator is pulled
    toward every real row, not only toward the region SAD finds hardest, which is
    what a collapsed GAN misses (generative moment matching, Li et al. 2015).
    """
    both = torch.cat([fake, real], dim=1)
    d2 = torch.cdist(both, both).pow(2)
    n = fake.shape[1]
    real_d2 = d2[:, n:, n:].detach()
    scale = real_d2.flatten(1).median(dim=1).values.clamp_min(1e-6)[:, None, None]
    kernel = sum(torch.exp(-d2 / (c * scale)) for c in (0.5, 1.0, 2.0))
    return (
        kernel[:, :n, :n].mean((1, 2)) + kernel[:, n:, n:].mean((1, 2))
        - 2 * kernel[:, :n, n:].mean((1, 2))
    )


def build_modules(cfg, n_groups, t, n_features):
    """Fresh generator and discriminator for ``n_groups`` classes."""
    window = min(cfg.window, t)
    gen = SparseAttentionGenerator(
        n_groups, t, cfg.latent_dim, cfg.hidden_dim, n_features, cfg.n_heads, cfg.n_layers, window
    )
    disc = SparseAttentionDiscriminator(
        n_groups, t, n_features, cfg.hidden_dim, cfg.n_heads, cfg.n_layers, window,
        spectral_norm=cfg.spectral_norm,
    )
    return gen.to(cfg.device), disc.to(cfg.device)


def train_gans(bank, cfg, seed, labels, use_anchors=True, per_position=False, checkpoint=None):
    """Train the per-class GANs with alternating updates (eqs. 11 and 13).

    Parameters
    ----------
    bank : SequenceBank
    cfg : GanConfig
    seed : int
        Seeds parameter initialisation, noise and batch order.
    labels : sequence
        Class label of each group (for messages only).
    use_anchors : bool, default=True
        Copy constant first/last vectors into generated rows.
    per_position : bool, default=False
        Standardise every (position, feature) separately (2-D input) instead of
        every feature over all positions (token sequences).
    checkpoint : pathlib.Path or None, default=None
        A folder claimed for this fit: the state is saved there after every
        epoch and, when a state is found, training resumes after its epoch.

    Returns
    -------
    state : dict
        ``generator``, ``scaler``, ``g_loss`` and ``d_loss`` (arrays of shape
        (G, epochs): mean loss per epoch of each class's GAN).

    Raises
    ------
    SAANDivergenceError
        When a loss becomes NaN/inf; the message names the class and epoch.
    """
    device = cfg.device
    rng = np.random.default_rng(seed)
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        gen, disc = build_modules(cfg, bank.n_groups, bank.t, bank.n_features)
    noise = torch.Generator(device=device).manual_seed(seed)
    scaler = Scaler(bank, device, use_anchors, per_position)
    # DCGAN's Adam settings (beta1 = 0.5): the paper gives no optimiser for SAAN
    opt_g, opt_d = _adam(gen.parameters(), cfg.lr), _adam(disc.parameters(), cfg.lr)
    real_target = 1.0 - cfg.label_smoothing

    n_groups, batch = bank.n_groups, cfg.batch_size
    steps = max(1, math.ceil(int(bank.counts.max()) / batch))
    g_hist = np.zeros((n_groups, cfg.epochs))
    d_hist = np.zeros((n_groups, cfg.epochs))
    modules = {"generator": gen, "discriminator": disc, "opt_g": opt_g, "opt_d": opt_d}
    start = _restore(checkpoint, modules, rng, noise, g_hist, d_hist)
    gen.train()
    disc.train()
    for epoch in range(start, cfg.epochs):
        real_rows = torch.as_tensor(_schedule(rng, bank.counts, bank.offsets, steps * batch))
        # the masks (lengths) of fake rows are those of other random real rows
        fake_rows = torch.as_tensor(_schedule(rng, bank.counts, bank.offsets, steps * batch))
        # instance noise, annealed linearly to 0: SAD sees real and fake through
        # the same Gaussian blur, so it cannot win by memorising a few real rows
        sigma = cfg.instance_noise * (1.0 - epoch / cfg.epochs)
        g_sum = torch.zeros(n_groups, device=device)
        d_sum = torch.zeros(n_groups, device=device)
        for step in range(steps):
            cols = slice(step * batch, (step + 1) * batch)
            x_real, m_real = bank.gather(real_rows[:, cols])
            x_real, m_real = x_real.to(device), m_real.to(device)
            x_real = scaler.scale(x_real, m_real)
            m_fake = bank.mask[fake_rows[:, cols]].to(device)
            z = torch.randn(
                (n_groups, batch, bank.t, cfg.latent_dim), generator=noise, device=device
            )
            fake = scaler.anchor(scaler.shape_output(gen(z, m_fake)), m_fake)

            if sigma > 0:
                x_real = x_real + sigma * _noise_like(x_real, m_real, noise)
                fake = fake + sigma * _noise_like(fake, m_fake, noise)

            # SAD step, eq. (13): real -> 1, fake -> 0
            disc.requires_grad_(True)
            d_loss = _bce_per_group(disc(x_real, m_real), real_target) + _bce_per_group(
                disc(fake.detach(), m_fake), 0.0
            )
            opt_d.zero_grad(set_to_none=True)
            d_loss.sum().backward()
            opt_d.step()

            # SAG step, eq. (11): -log SAD(SAG(z)), the non-saturating form
            disc.requires_grad_(False)
            g_loss = _bce_per_group(disc(fake, m_fake), 1.0)
            if cfg.mmd_weight > 0:
                g_loss = g_loss + cfg.mmd_weight * _mmd_per_group(
                    _summary(fake, m_fake, per_position), _summary(x_real, m_real, per_position)
                )
            opt_g.zero_grad(set_to_none=True)
            g_loss.sum().backward()
            opt_g.step()

            g_sum += g_loss.detach()
            d_sum += d_loss.detach()
        g_hist[:, epoch] = (g_sum / steps).cpu().numpy()
        d_hist[:, epoch] = (d_sum / steps).cpu().numpy()
        _check_finite(g_hist[:, epoch], d_hist[:, epoch], labels, epoch)
        _save(checkpoint, modules, rng, noise, g_hist, d_hist, epoch + 1)
        if cfg.verbose and (epoch + 1) % max(1, cfg.epochs // 10) == 0:
            print(
                f"[SAAN] epoch {epoch + 1}/{cfg.epochs}  "
                f"L_SAG {g_hist[:, epoch].mean():.4f}  L_SAD {d_hist[:, epoch].mean():.4f}",
                flush=True,
            )
    disc.requires_grad_(True)
    gen.eval()
    return {"generator": gen, "scaler": scaler, "g_loss": g_hist, "d_loss": d_hist}


_STATE_FILE = "saan_state.pt"


def _save(checkpoint, modules, rng, noise, g_hist, d_hist, epochs_done):
    if checkpoint is None:
        return
    from skmedtext.utils import atomic_torch_save

    state = {name: part.state_dict() for name, part in modules.items()}
    state.update(
        epochs_done=epochs_done,
        numpy_rng=rng.bit_generator.state,
        noise=noise.get_state(),
        # tensors, not numpy arrays: the file must load with weights_only=True
        g_hist=torch.from_numpy(g_hist[:, :epochs_done].copy()),
        d_hist=torch.from_numpy(d_hist[:, :epochs_done].copy()),
    )
    atomic_torch_save(state, checkpoint / _STATE_FILE)


def _restore(checkpoint, modules, rng, noise, g_hist, d_hist):
    """Load a saved state into the fresh modules; return the number of epochs done."""
    path = None if checkpoint is None else checkpoint / _STATE_FILE
    if path is None or not path.is_file():
        return 0
    # weights_only: the fingerprint in fit.json is plain JSON anyone can copy, so the
    # file itself must not be able to run code (tensors, dicts and numbers only)
    try:
        state = torch.load(path, map_location="cpu", weights_only=True)
        for name, part in modules.items():
            part.load_state_dict(state[name])
        rng.bit_generator.state = state["numpy_rng"]
        noise.set_state(state["noise"])
        done = min(int(state["epochs_done"]), g_hist.shape[1])
        g_hist[:, :done] = np.asarray(state["g_hist"])[:, :done]
        d_hist[:, :done] = np.asarray(state["d_hist"])[:, :done]
    except Exception as exc:
        raise ValueError(
            f"SAAN checkpoint {str(path)!r} cannot be restored ({type(exc).__name__}: "
            f"{str(exc).splitlines()[0][:200] if str(exc) else 'unreadable'}); it is corrupt, "
            "was written by an older skmedtext, or holds more than tensors. Delete the folder "
            f"{str(checkpoint)!r} to start over."
        ) from exc
    return done


def _check_finite(g_loss, d_loss, labels, epoch):
    bad = ~(np.isfinite(g_loss) & np.isfinite(d_loss))
    if bad.any():
        g = int(np.flatnonzero(bad)[0])
        raise SAANDivergenceError(labels[g], epoch + 1, g_loss[g], d_loss[g])


@torch.no_grad()
def generate(state, bank, group, n_samples, seed, cfg):
    """Draw ``n_samples`` synthetic rows for ``group`` in the original (unscaled) space.

    Returns ``(vectors, mask)``: float32 (n, t, f) with exact-zero padding and the
    boolean (n, t) mask of real positions (lengths drawn from the group's real rows).
    """
    gen, scaler = state["generator"], state["scaler"]
    device = cfg.device
    rng = np.random.default_rng([seed, group])
    noise = torch.Generator(device=device).manual_seed(int(rng.integers(2**31 - 1)))
    start, count = int(bank.offsets[group]), int(bank.counts[group])
    groups = torch.tensor([group], device=device)
    out = np.zeros((n_samples, bank.t, bank.n_features), dtype=np.float32)
    rows = torch.as_tensor(start + rng.integers(0, count, size=n_samples))
    masks = bank.mask[rows]
    for lo in range(0, n_samples, _GEN_CHUNK):
        m = masks[lo : lo + _GEN_CHUNK].to(device)[None]
        z = torch.randn((1, m.shape[1], bank.t, cfg.latent_dim), generator=noise, device=device)
        fake = scaler.unscale(scaler.shape_output(gen(z, m, groups), groups), m, groups)
        fake = scaler.anchor(fake, m, groups, raw=True)
        out[lo : lo + m.shape[1]] = fake[0].float().cpu().numpy()
    if not np.isfinite(out).all():
        raise SAANDivergenceError(
            "SAAN generator produced NaN/inf samples for group "
            f"{group}; training diverged. Lower lr or use label_smoothing > 0."
        )
    return out, masks.numpy()
