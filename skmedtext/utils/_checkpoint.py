"""Checkpoint folders tied to one fit, shared by the training core and SAAN."""

import json
import os
from pathlib import Path

__all__ = ["claim_checkpoint_folder", "atomic_torch_save"]


def claim_checkpoint_folder(checkpoint_dir, owner, digest):
    """Create ``checkpoint_dir`` for the fit ``digest`` of ``owner`` (an estimator name).

    The first call writes ``fit.json``; later calls with the same folder must
    come from the same fit (same parameters and data), because resuming another
    fit's state would silently mix two models.

    Returns
    -------
    folder : pathlib.Path

    Raises
    ------
    ValueError
        When the folder holds a checkpoint of a different fit.
    """
    folder = Path(checkpoint_dir)
    folder.mkdir(parents=True, exist_ok=True)
    fingerprint = {"estimator": owner, "fit": digest}
    marker = folder / "fit.json"
    if marker.is_file():
        found = json.loads(marker.read_text())
        if found != fingerprint:
            raise ValueError(
                f"checkpoint_dir {str(folder)!r} holds a checkpoint of a different fit "
                f"({found.get('estimator')}, other data or parameters); use an empty folder "
                "or delete it to start over."
            )
    else:
        marker.write_text(json.dumps(fingerprint))
    return folder


def atomic_torch_save(obj, path):
    """``torch.save`` to a temporary file, then rename: a kill mid-write leaves the old file."""
    import torch

    path = Path(path)
    tmp = path.with_name(path.name + ".tmp")
    torch.save(obj, tmp)
    os.replace(tmp, path)
