"""Callbacks of the training core: learning-rate schedule and auxiliary loss log.

As skorch keeps its callbacks apart from its net, these are the pieces the core
plugs into :class:`~skmedtext.training.TextNet` (checkpoints are in
``_checkpoint.py``, the divergence check in ``_health.py``);
:class:`WarmupLinearSchedule` is also the one warm-up schedule of the
masked-language-model pre-training.
"""

import numpy as np
from skorch.callbacks import Callback

__all__ = ["EpochAuxLoss", "WarmupLinearSchedule"]


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
