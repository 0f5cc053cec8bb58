"""Training health: a diverged fit stops with an error naming the epoch (or keeps the last good one).

A non-finite loss or weight makes every later probability NaN, and ``predict``
then answers ``classes_[0]`` for every row without a word; SAAN already reports
the same situation as ``SAANDivergenceError``.
"""

import math
import warnings

import torch
from skorch.callbacks import Callback

__all__ = ["DivergenceGuard", "TrainingDivergenceError"]


class TrainingDivergenceError(RuntimeError):
    """A torch classifier's training produced a non-finite loss or weights.

    The message names the estimator, the epoch and what was non-finite. Lower
    ``lr``, keep ``grad_clip`` on, or pass ``on_divergence="keep_last"`` to keep
    the weights of the last finite epoch instead.
    """


def _first_bad_parameter(module):
    for name, param in module.named_parameters():
        if not torch.isfinite(param.detach()).all():
            return name
    return None


class DivergenceGuard(Callback):
    """Check the epoch's training loss and the weights after every epoch.

    Parameters
    ----------
    owner : str
        The estimator's name, for messages.
    on_divergence : {"raise", "keep_last"}
        ``"raise"``: :class:`TrainingDivergenceError`. ``"keep_last"``: put back
        the weights of the last finite epoch, warn, and stop training (the
        history keeps the diverged epoch's row, so ``len(history_)`` tells where
        it stopped). With no finite epoch to go back to it raises.
    """

    def __init__(self, owner, on_divergence="raise"):
        self.owner = owner
        self.on_divergence = on_divergence

    def initialize(self):
        self.last_good_ = None
        self.last_good_epoch_ = None
        return self

    def on_epoch_end(self, net, **kwargs):
        epoch = len(net.history)
        loss = net.history[-1].get("train_loss", 0.0)
        problem = None
        if not math.isfinite(loss):
            problem = f"training loss {loss}"
        else:
            bad = _first_bad_parameter(net.module_)
            if bad is not None:
                problem = f"non-finite weights in {bad!r}"
        if problem is None:
            if self.on_divergence == "keep_last":
                self.last_good_ = {k: v.detach().clone() for k, v in net.module_.state_dict().items()}
                self.last_good_epoch_ = epoch
            return
        message = (
            f"{self.owner} training diverged at epoch {epoch}: {problem}. Lower lr, keep "
            "grad_clip on"
        )
        if self.on_divergence == "raise" or self.last_good_ is None:
            hint = (
                ", or pass on_divergence='keep_last' to keep the last finite epoch."
                if self.on_divergence == "raise"
                else "; no earlier epoch was finite, so there is nothing to keep."
            )
            raise TrainingDivergenceError(message + hint)
        net.module_.load_state_dict(self.last_good_)
        warnings.warn(
            f"{message}; on_divergence='keep_last' kept the weights of epoch "
            f"{self.last_good_epoch_} and stopped.",
            RuntimeWarning,
            stacklevel=2,
        )
        # skorch's way to end fit early (as EarlyStopping does); later callbacks of this
        # epoch (the checkpoint) do not run, so the diverged state is never saved
        raise KeyboardInterrupt
