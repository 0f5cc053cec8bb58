"""Checkpoints as transactions: a kill at any instant leaves a complete epoch or the one before.

Each epoch's whole state (weights, optimizer, criterion, history, torch RNG and
the bookkeeping of ``state.json``) is written into a hidden temporary folder,
every file and the folder are flushed to disk, and the folder is then renamed to
``epoch-<n>``. A rename is atomic, so an ``epoch-<n>`` folder is always complete;
resuming reads the highest one. Older epochs and the leftovers of a killed write
are removed only after the new epoch is in place.

skorch's own ``Checkpoint`` writes the files one after another into the same
names and swallows write errors; :class:`SaveCheckpoint` raises them.
"""

import errno
import json
import os
import re
import shutil
import uuid
from pathlib import Path

import numpy as np
import torch
from skorch.callbacks import Callback

from skmedtext.utils import claim_checkpoint_folder, fsync_path, params_digest

__all__ = ["CheckpointFolder", "SaveCheckpoint"]

_NET_FILES = {
    "f_params": "params.pt",
    "f_optimizer": "optimizer.pt",
    "f_criterion": "criterion.pt",
    "f_history": "history.json",
}
_RNG_FILE = "rng_state.pt"
_STATE_FILE = "state.json"
_EPOCH = re.compile(r"epoch-(\d{6})")
_TEMPORARY = re.compile(r"\.epoch-\d{6}\.tmp-[0-9a-f]{8}")


def _start_over(folder):
    return f"delete the folder {str(folder)!r} to start over"


class CheckpointFolder:
    """A checkpoint folder tied to one fit (parameters + data fingerprint).

    :meth:`open` claims the folder (refusing one written by a different fit),
    :meth:`callbacks` saves every epoch into it, :meth:`completed_epochs` and
    :meth:`restore` resume from it.
    """

    def __init__(self, folder, max_epochs):
        self.folder = Path(folder)
        self.max_epochs = int(max_epochs)

    @classmethod
    def open(cls, checkpoint_dir, estimator, X, y_idx):
        if checkpoint_dir is None:
            return None
        # max_epochs is checked on its own (state.json), to say what differs
        digest = params_digest(estimator, ignore=("checkpoint_dir", "callbacks", "max_epochs"))
        digest.update(np.ascontiguousarray(y_idx).tobytes())
        for x in X:
            digest.update(x.encode("utf-8") if isinstance(x, str) else x.vectors.tobytes())
        folder = claim_checkpoint_folder(
            checkpoint_dir, type(estimator).__name__, digest.hexdigest()
        )
        return cls(folder, estimator.max_epochs)

    def callbacks(self):
        """``(name, callback)`` pairs writing this folder after every epoch."""
        return [("checkpoint", SaveCheckpoint(self))]

    # -- reading -------------------------------------------------------------------------
    def _latest(self):
        epochs = [
            (int(m.group(1)), p)
            for p in self.folder.iterdir()
            if p.is_dir() and (m := _EPOCH.fullmatch(p.name))
        ]
        return max(epochs, default=(0, None))

    def completed_epochs(self):
        """Epochs done by the newest complete checkpoint (0 for none).

        Raises
        ------
        ValueError
            If that checkpoint was made with another ``max_epochs`` or is corrupt.
        """
        epoch, path = self._latest()
        if path is None:
            return 0
        state = self._read_state(path)
        if state.get("epoch") != epoch:
            raise ValueError(
                f"checkpoint {str(path)!r} is corrupt ({_STATE_FILE} says epoch "
                f"{state.get('epoch')!r}); {_start_over(self.folder)}."
            )
        if state.get("max_epochs") != self.max_epochs:
            raise ValueError(
                f"checkpoint_dir {str(self.folder)!r} holds a fit with max_epochs="
                f"{state.get('max_epochs')} ({epoch} epochs done); this fit has max_epochs="
                f"{self.max_epochs}. The learning-rate schedule spans max_epochs, so the two "
                f"fits differ: use max_epochs={state.get('max_epochs')} to resume, or "
                f"{_start_over(self.folder)}."
            )
        return epoch

    def _read_state(self, path):
        file = path / _STATE_FILE
        try:
            state = json.loads(file.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise ValueError(
                f"checkpoint file {str(file)!r} cannot be read ({exc}); {_start_over(self.folder)}."
            ) from exc
        if not isinstance(state, dict):
            raise ValueError(f"checkpoint file {str(file)!r} is corrupt; {_start_over(self.folder)}.")
        return state

    def restore(self, net):
        """Load the newest complete checkpoint into ``net`` (weights_only torch loads)."""
        _, path = self._latest()
        net.initialize()
        for key, name in _NET_FILES.items():
            try:
                net.load_params(**{key: str(path / name)})
            except Exception as exc:
                raise ValueError(
                    f"checkpoint file {str(path / name)!r} cannot be restored "
                    f"({type(exc).__name__}: {_first_line(exc)}); {_start_over(self.folder)}."
                ) from exc
        try:
            rng = torch.load(path / _RNG_FILE, map_location="cpu", weights_only=True)
            torch.set_rng_state(rng)
        except Exception as exc:
            raise ValueError(
                f"checkpoint file {str(path / _RNG_FILE)!r} cannot be restored "
                f"({type(exc).__name__}: {_first_line(exc)}); {_start_over(self.folder)}."
            ) from exc

    # -- writing -------------------------------------------------------------------------
    def save(self, net):
        """Write the epoch just finished as one transaction; raise any write error."""
        epoch = len(net.history)
        final = self.folder / f"epoch-{epoch:06d}"
        tmp = self.folder / f".{final.name}.tmp-{uuid.uuid4().hex[:8]}"
        try:
            tmp.mkdir()
            net.save_params(**{key: str(tmp / name) for key, name in _NET_FILES.items()})
            torch.save(torch.get_rng_state(), tmp / _RNG_FILE)
            state = {"epoch": epoch, "max_epochs": self.max_epochs}
            (tmp / _STATE_FILE).write_text(json.dumps(state), encoding="utf-8")
            for name in (*_NET_FILES.values(), _RNG_FILE, _STATE_FILE):
                fsync_path(tmp / name)
            fsync_path(tmp)
            if final.exists():  # written before a kill that came before the cleanup
                shutil.rmtree(final)
            os.replace(tmp, final)
            fsync_path(self.folder)
        except Exception as exc:  # torch reports a full disk as a RuntimeError
            shutil.rmtree(tmp, ignore_errors=True)
            previous = self._latest()[0]
            kept = f" The checkpoint of epoch {previous} is intact." if previous else ""
            reason = getattr(exc, "strerror", None) or _first_line(exc)
            raise OSError(
                getattr(exc, "errno", None) or errno.EIO,
                f"could not write the checkpoint of epoch {epoch} into {str(self.folder)!r}: "
                f"{reason}.{kept}",
            ) from exc
        self._remove_older(epoch)

    def _remove_older(self, epoch):
        for path in self.folder.iterdir():
            match = _EPOCH.fullmatch(path.name)
            stale = (match and int(match.group(1)) < epoch) or _TEMPORARY.fullmatch(path.name)
            if stale and path.is_dir() and not path.is_symlink():
                shutil.rmtree(path, ignore_errors=True)


def _first_line(exc):
    text = str(exc).strip()
    return text.splitlines()[0][:200] if text else "unreadable"


class SaveCheckpoint(Callback):
    """Save a :class:`CheckpointFolder` transaction after every epoch."""

    def __init__(self, checkpoint):
        self.checkpoint = checkpoint

    def on_epoch_end(self, net, **kwargs):
        self.checkpoint.save(net)
