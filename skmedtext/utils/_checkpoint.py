"""Checkpoint folders tied to one fit, shared by the training core and SAAN."""

import json
import os
from pathlib import Path

__all__ = ["atomic_torch_save", "claim_checkpoint_folder", "fsync_path", "params_digest"]


def params_digest(estimator, ignore=()):
    """A sha256 object over ``estimator``'s parameters except ``ignore``; add the data to it.

    Parameters that cannot change the fitted result (the checkpoint folder itself,
    verbosity, thread counts, ...) go in ``ignore`` so that they may differ on resume.
    """
    import hashlib

    import numpy as np

    params = {k: v for k, v in estimator.get_params(deep=False).items() if k not in ignore}
    for name, value in params.items():
        if isinstance(value, (np.random.RandomState, np.random.Generator)):
            # its repr is its address and its state moves with every draw: the digest
            # of a resumed fit could never match, so the checkpoint would never be used
            raise ValueError(
                f"{name} given as a {type(value).__name__} object cannot be used with "
                f"checkpoint_dir: a resumed fit cannot tell whether it is the same generator "
                f"in the same state. Pass an int {name} (e.g. {name}=0) to make fits resumable."
            )
    params = {k: repr(v) for k, v in params.items()}
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
        When the folder holds a checkpoint of a different fit, or its ``fit.json``
        is corrupt.
    """
    folder = Path(checkpoint_dir)
    folder.mkdir(parents=True, exist_ok=True)
    fingerprint = {"estimator": owner, "fit": digest}
    marker = folder / "fit.json"
    if marker.is_file():
        try:
            found = json.loads(marker.read_text(encoding="utf-8"))
        except (ValueError, UnicodeDecodeError) as exc:
            raise ValueError(
                f"checkpoint file {str(marker)!r} is corrupt ({exc}); delete the folder "
                f"{str(folder)!r} to start over."
            ) from exc
        if found != fingerprint:
            owner_found = found.get("estimator") if isinstance(found, dict) else None
            raise ValueError(
                f"checkpoint_dir {str(folder)!r} holds a checkpoint of a different fit "
                f"({owner_found}, other data or parameters); use an empty folder "
                "or delete it to start over."
            )
    else:
        _atomic_write(marker, json.dumps(fingerprint).encode())
    return folder


def fsync_path(path):
    """Flush a file or a folder (its list of names) to disk; a no-op where the OS refuses.

    A rename is durable only once the new file and then its folder are synced:
    otherwise a power cut can leave the new name pointing at an empty file.
    """
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:  # folders cannot be opened on Windows
        return
    try:
        os.fsync(fd)
    except OSError:
        pass  # some file systems do not sync folders
    finally:
        os.close(fd)


def _atomic_write(path, data):
    tmp = path.with_name(path.name + ".tmp")
    with open(tmp, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, path)


def atomic_torch_save(obj, path):
    """``torch.save`` to a temporary file, then rename: a kill mid-write leaves the old file."""
    import torch

    path = Path(path)
    tmp = path.with_name(path.name + ".tmp")
    torch.save(obj, tmp)
    fsync_path(tmp)
    os.replace(tmp, path)
    fsync_path(path.parent)
