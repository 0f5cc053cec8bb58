"""The real sequences SAAN learns from, and the per-class scaling its GANs train in.

The real samples of all classes being over-sampled live in one "bank" (a padded
float tensor, or token ids plus a word-embedding table for raw texts); the GAN of
class ``g`` draws its real batches from its own rows only.
"""

import numpy as np
import torch
import torch.nn.functional as F

__all__ = ["SequenceBank", "Scaler"]


class SequenceBank:
    """The real sequences of the classes being over-sampled, grouped by class.

    Parameters
    ----------
    mask : bool ndarray (N, t)
        Real positions of each row (rows are ordered by group).
    counts : sequence of int
        Rows per group, in order; ``sum(counts) == N``.
    values : float ndarray (N, t, f) or None
        The vectors (padding positions are ignored).
    ids, table : int ndarray (N, t) and float tensor (V, f), optional
        Instead of ``values``: token ids looked up in an embedding table on the
        fly, so raw-text input never materialises ``N x t x f`` floats.
    """

    def __init__(self, mask, counts, values=None, ids=None, table=None):
        self.mask = torch.as_tensor(np.asarray(mask, dtype=bool))
        self.counts = np.asarray(counts, dtype=np.int64)
        self.offsets = np.concatenate([[0], np.cumsum(self.counts)[:-1]])
        if values is not None:
            self.values = torch.as_tensor(np.asarray(values, dtype=np.float32))
            self.ids = self.table = None
        else:
            self.values = None
            self.ids = torch.as_tensor(np.asarray(ids, dtype=np.int64))
            self.table = table.detach().float().cpu()
        self.lengths = self.mask.sum(dim=1).numpy()

    @property
    def n_groups(self):
        return len(self.counts)

    @property
    def t(self):
        return self.mask.shape[1]

    @property
    def n_features(self):
        return (self.values if self.values is not None else self.table).shape[-1]

    def gather(self, rows):
        """Vectors and masks of the global ``rows`` (any shape) -> (*rows, t, f)."""
        if self.values is not None:
            return self.values[rows], self.mask[rows]
        return F.embedding(self.ids[rows], self.table), self.mask[rows]

    def _at(self, rows, positions):
        """Vectors of ``rows`` at one position each -> (n, f)."""
        if self.values is not None:
            return self.values[rows, positions]
        return F.embedding(self.ids[rows, positions], self.table)

    def group_stats(self, per_position=False, chunk=128):
        """Per-group feature mean, std and max |standardised value| over real positions.

        Shape (G, 1, f), or (G, t, f) with ``per_position`` (2-D input cut into
        chunks: position ``i`` holds different original features than ``j``).
        """
        f, t = self.n_features, self.t
        shape = (self.n_groups, t if per_position else 1, f)
        means, stds = np.zeros(shape), np.ones(shape)
        for g, (start, count) in enumerate(zip(self.offsets, self.counts)):
            total = torch.zeros(shape[1:], dtype=torch.float64)
            sq = torch.zeros(shape[1:], dtype=torch.float64)
            n = torch.zeros((shape[1], 1), dtype=torch.float64)
            for lo in range(start, start + count, chunk):
                x, m = self.gather(torch.arange(lo, min(lo + chunk, start + count)))
                x, m = x.double() * m[..., None], m.double()[..., None]
                if per_position:
                    total += x.sum(0)
                    sq += (x**2).sum(0)
                    n += m.sum(0)
                else:
                    total += x.sum((0, 1))
                    sq += (x**2).sum((0, 1))
                    n += m.sum((0, 1))
            n = n.clamp_min(1.0)
            mean = total / n
            var = (sq / n - mean**2).clamp_min(0.0)
            means[g] = mean.numpy()
            std = var.sqrt().numpy()
            # constant features (e.g. zero padding of the last chunk) get std 0
            stds[g] = np.where(std > 1e-6 * max(std.max(), 1e-12), std, 0.0)
        bounds = self._bounds(means, stds, per_position, chunk)
        return means.astype(np.float32), stds.astype(np.float32), bounds.astype(np.float32)

    def _bounds(self, means, stds, per_position, chunk):
        """Largest |standardised value| of each feature in each group (a second pass)."""
        bounds = np.zeros_like(means)
        safe = np.where(stds > 0, stds, 1.0)
        for g, (start, count) in enumerate(zip(self.offsets, self.counts)):
            for lo in range(start, start + count, chunk):
                x, m = self.gather(torch.arange(lo, min(lo + chunk, start + count)))
                z = ((x.double().numpy() - means[g]) / safe[g]) * m.numpy()[..., None]
                z = np.abs(z).max(axis=0 if per_position else (0, 1))
                bounds[g] = np.maximum(bounds[g], z.reshape(bounds[g].shape))
        return bounds

    def anchors(self):
        """Vectors that are identical at the first / last real position of every row.

        Returns ``(first, has_first, last, has_last)`` with ``first``/``last`` of
        shape (G, f) and boolean flags (G,). For text rows these are the
        ``[CLS]``/``[SEP]`` embeddings; copying them into synthetic rows saves the
        generator from having to learn constants exactly.
        """
        f = self.n_features
        first, last = np.zeros((self.n_groups, f), np.float32), np.zeros((self.n_groups, f), np.float32)
        has_first, has_last = np.zeros(self.n_groups, bool), np.zeros(self.n_groups, bool)
        for g, (start, count) in enumerate(zip(self.offsets, self.counts)):
            rows = torch.arange(start, start + count)
            end = torch.as_tensor(self.lengths[start : start + count] - 1)
            heads = self._at(rows, torch.zeros_like(end))
            tails = self._at(rows, end)
            if count > 1 and self.t > 1:
                has_first[g] = bool((heads == heads[0]).all())
                has_last[g] = bool((tails == tails[0]).all()) and bool((end > 0).all())
            first[g], last[g] = heads[0].numpy(), tails[0].numpy()
        return first, has_first, last, has_last


class Scaler:
    """Per-group standardisation and anchor copying, as torch tensors on ``device``."""

    def __init__(self, bank, device, use_anchors, per_position=False):
        mean, std, bound = bank.group_stats(per_position)
        # (G, 1, 1 or t, f): broadcasts over the batch (and positions). Features
        # that are constant in a class are held at that constant in generated
        # rows: a generator drifting there would hand SAD a free give-away.
        self.varies = torch.as_tensor(std > 0, device=device)[:, None]
        self.bound = torch.as_tensor(np.maximum(bound, 1e-3), device=device)[:, None]
        self.mean = torch.as_tensor(mean, device=device)[:, None]
        self.std = torch.as_tensor(np.where(std > 0, std, 1.0), device=device)[:, None]
        first, has_first, last, has_last = bank.anchors()
        if not use_anchors or per_position:
            has_first[:] = has_last[:] = False
        # anchors in the original space (copied exactly into generated rows) and
        # in the standardised space the GANs train in
        self.first_raw = torch.as_tensor(first, device=device)[:, None, :]
        self.last_raw = torch.as_tensor(last, device=device)[:, None, :]
        self.first = (self.first_raw - self.mean[:, :, 0]) / self.std[:, :, 0]
        self.last = (self.last_raw - self.mean[:, :, 0]) / self.std[:, :, 0]
        self.has_first = torch.as_tensor(has_first, device=device)
        self.has_last = torch.as_tensor(has_last, device=device)
        self.any_anchor = bool(has_first.any() or has_last.any())

    def scale(self, x, mask, groups=None):
        mean, std = self._stats(groups)
        return (x - mean) / std * mask[..., None]

    def unscale(self, x, mask, groups=None):
        mean, std = self._stats(groups)
        return (x * std + mean) * mask[..., None]

    def _stats(self, groups):
        if groups is None:
            return self.mean, self.std
        return self.mean[groups], self.std[groups]

    def shape_output(self, raw, groups=None):
        """Generator output -> standardised sample: bounded, constants held.

        ``b * tanh(raw / b)`` with ``b`` the largest |standardised value| the
        class reaches in that feature (DCGAN's tanh output, scaled to the data):
        the identity near 0, so it changes nothing while the generator is
        sensible, but a generator running away (which SAD can then reject
        without effort, leaving it no useful gradient) saturates instead.
        """
        varies = self.varies if groups is None else self.varies[groups]
        bound = self.bound if groups is None else self.bound[groups]
        return bound * torch.tanh(raw / bound) * varies

    def anchor(self, fake, mask, groups=None, raw=False):
        """Overwrite the first/last real position with the group's constant vectors.

        ``raw=True`` for rows already mapped back to the original space.
        """
        if not self.any_anchor:
            return fake
        sel = slice(None) if groups is None else groups
        t = fake.shape[2]
        positions = torch.arange(t, device=fake.device)
        last_idx = torch.where(mask, positions, -1).amax(dim=-1, keepdim=True)
        is_first = (positions == 0) & self.has_first[sel][:, None, None]
        is_last = (positions == last_idx) & self.has_last[sel][:, None, None]
        first = (self.first_raw if raw else self.first)[sel][:, :, None, :]
        last = (self.last_raw if raw else self.last)[sel][:, :, None, :]
        fake = torch.where(is_first[..., None], first, fake)
        return torch.where(is_last[..., None], last, fake)
