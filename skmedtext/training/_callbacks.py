"""Callbacks of the training core: learning-rate schedule, auxiliary loss log, checkpoints.

As skorch keeps its callbacks apart from its net, these are the pieces the core
plugs into :class:`~skmedtext.training.TextNet`; :class:`WarmupLinearSchedule` is
also the one warm-up schedule of the masked-language-model pre-training.
"""

import json
from pathlib import Path

import numpy as np
import torch
from skorch.callbacks import Callback, Checkpoint

from skmedtext.utils import claim_checkpoint_folder, params_digest

__all__ = ["EpochAuxLoss", "SaveRngState", "WarmupLinearSchedule"]


class WarmupLinearSchedule:
    """``LambdaLR`` factor: linear warm-up to 1, then linear decay to 0 (picklable).

    Parameters
    ----------
    warmup_steps : int
        Steps of the linear warm-up; step ``s < warmup_steps`` gets the factor
        ``(s + 1) / (warmup_steps + 1)``, so the first step already moves.
    total_steps : int
        All optimisation steps; the factor reaches 0 at the last one.
    offset : int, default=0
        Steps already taken (a resumed fit).

    Examples
    --------
    >>> from skmedtext.training import WarmupLinearSchedule
    >>> schedule = WarmupLinearSchedule(warmup_steps=1, total_steps=3)
    >>> [schedule(s) for s in range(3)]
    [0.5, 1.0, 0.5]
    """

    def __init__(self, warmup_steps, total_steps, offset=0):
        self.warmup_steps = int(warmup_steps)
        self.total_steps = max(1, int(total_steps))
        self.offset = int(offset)

    def __call__(self, step):
        step = step + self.offset
        if step < self.warmup_steps:
            return (step + 1) / (self.warmup_steps + 1)
        remaining = self.total_steps - step
        return max(0.0, remaining / max(1, self.total_steps - self.warmup_steps))


class EpochAuxLoss(Callback):
    """Average the auxiliary-task loss of each epoch's training batches into history."""

    def on_epoch_end(self, net, **kwargs):
        values = [b["train_aux_loss"] for b in net.history[-1, "batches"] if "train_aux_loss" in b]
        if values:
            net.history.record("train_aux_loss", float(np.mean(values)))


class SaveRngState(Callback):
    """Store torch's CPU RNG state after each epoch, so a resumed fit shuffles identically."""

    def __init__(self, path):
        self.path = path

    def on_epoch_end(self, net, **kwargs):
        torch.save(torch.get_rng_state(), self.path)


_CHECKPOINT_FILES = {
    "f_params": "params.pt",
    "f_optimizer": "optimizer.pt",
    "f_criterion": "criterion.pt",
    "f_history": "history.json",
}
_RNG_FILE = "rng_state.pt"


class CheckpointFolder:
    """A checkpoint folder tied to one fit (parameters + data fingerprint).

    :meth:`open` claims the folder (refusing one written by a different fit),
    :meth:`callbacks` saves every epoch into it, :meth:`completed_epochs` and
    :meth:`restore` resume from it.
    """

    def __init__(self, folder):
        self.folder = Path(folder)

    @classmethod
    def open(cls, checkpoint_dir, estimator, X, y_idx):
        if checkpoint_dir is None:
            return None
        # max_epochs may differ: a resumed fit may train for more epochs
        digest = params_digest(estimator, ignore=("checkpoint_dir", "callbacks", "max_epochs"))
        digest.update(np.ascontiguousarray(y_idx).tobytes())
        for x in X:
            digest.update(x.encode("utf-8") if isinstance(x, str) else x.vectors.tobytes())
        folder = claim_checkpoint_folder(
            checkpoint_dir, type(estimator).__name__, digest.hexdigest()
        )
        return cls(folder)

    def callbacks(self):
        """``(name, callback)`` pairs writing this folder after every epoch."""
        self.folder.mkdir(parents=True, exist_ok=True)
        checkpoint = Checkpoint(
            monitor=None, dirname=str(self.folder), f_pickle=None, **_CHECKPOINT_FILES
        )
        rng_state = SaveRngState(str(self.folder / _RNG_FILE))
        return [("checkpoint", checkpoint), ("rng_state", rng_state)]

    def completed_epochs(self):
        files = [self.folder / name for name in (*_CHECKPOINT_FILES.values(), _RNG_FILE)]
        if not all(f.is_file() for f in files):
            return 0
        return len(json.loads((self.folder / "history.json").read_text()))

    def restore(self, net):
        net.initialize()
        net.load_params(**{k: str(self.folder / v) for k, v in _CHECKPOINT_FILES.items()})
        torch.set_rng_state(torch.load(self.folder / _RNG_FILE))
