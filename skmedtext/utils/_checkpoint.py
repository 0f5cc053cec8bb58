"""Checkpoint folders tied to one fit, shared by the training core and SAAN."""

import json
import os
from pathlib import Path

__all__ = ["atomic_torch_save", "claim_checkpoint_folder", "params_digest"]


def params_digest(estimator, ignore=()):
    """A sha256 object over ``estimator``'s parameters except ``ignore``; add the data to it.

    Parameters that cannot change the fitted result (the checkpoint folder itself,
    verbosity, thread counts, ...) go in ``ignore`` so that they may differ on resume.
    """
    import hashlib

    params = {k: repr(v) for k, v in estimator.get_params(deep=False).items() if k not in ignore}
    return hashlib.sha256(json.dumps(params, sort_keys=True).encode())


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
