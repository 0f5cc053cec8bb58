"""The integrity layer of a saved model folder: manifest, hashes, symlinks, leftovers.

``manifest.json`` lists the SHA-256 of every file of the folder, ``config.json``
included, and a digest over that list; :func:`verify_folder` checks all of it
before :mod:`skmedtext.persistence` reads a single value of the config, so an
edited config (reversed ``classes``, other ``params``) is refused like an edited
weight file. The digest identifies the whole model: published through a trusted
channel, it turns the hashes into a check against someone who rewrites the folder
and its manifest together (``load_model(expected_digest=...)``).
"""

import hashlib
import json
import os
import re
import shutil
from pathlib import Path, PurePosixPath

__all__ = [
    "CONFIG_FILE",
    "MANIFEST_FILE",
    "clean_leftovers",
    "folder_files",
    "is_model_folder",
    "leftover_name",
    "read_json",
    "verify_folder",
    "write_manifest",
]

CONFIG_FILE = "config.json"
MANIFEST_FILE = "manifest.json"
_MANIFEST_FORMAT = "skmedtext-model-manifest"
_LEFTOVER = r"\.{name}\.(saving|old)-[0-9a-f]{{8}}"


def sha256(path):
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _digest(files):
    lines = "".join(f"{name}\t{files[name]}\n" for name in sorted(files))
    return hashlib.sha256(lines.encode("utf-8")).hexdigest()


def folder_files(folder):
    """Every file of ``folder`` as sorted POSIX paths, the manifest excepted.

    Raises
    ------
    ValueError
        For a symbolic link anywhere inside (it could point outside the folder, or
        swap a verified file for another after the check) or anything that is
        neither a file nor a folder.
    """
    folder = Path(folder)
    names = []
    for root, dirs, files in os.walk(folder, followlinks=False):
        for entry in (*dirs, *files):
            path = Path(root) / entry
            rel = path.relative_to(folder).as_posix()
            if path.is_symlink():
                raise ValueError(
                    f"{folder}: {rel!r} is a symbolic link; a model folder holds only regular "
                    "files. Copy the real file in, or save the model again."
                )
            if entry in files:
                if not path.is_file():
                    raise ValueError(f"{folder}: {rel!r} is not a regular file.")
                if rel != MANIFEST_FILE:
                    names.append(rel)
    return sorted(names)


def write_manifest(folder):
    """Hash every file of ``folder`` into ``manifest.json``; return the model digest."""
    folder = Path(folder)
    files = {name: sha256(folder / name) for name in folder_files(folder)}
    digest = _digest(files)
    manifest = {"format": _MANIFEST_FORMAT, "algorithm": "sha256", "files": files, "digest": digest}
    (folder / MANIFEST_FILE).write_text(json.dumps(manifest, indent=1), encoding="utf-8")
    return digest


def read_json(path):
    """The JSON value in ``path``; a ValueError naming the file when it is not JSON."""
    try:
        return json.loads(Path(path).read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ValueError(f"{path} is not valid JSON ({exc}); the folder is damaged.") from exc


def _read_manifest(folder):
    path = folder / MANIFEST_FILE
    manifest = read_json(path)
    if not isinstance(manifest, dict):
        manifest = {}
    files = manifest.get("files")
    if (
        manifest.get("format") != _MANIFEST_FORMAT
        or manifest.get("algorithm") != "sha256"
        or not isinstance(files, dict)
        or not all(isinstance(k, str) and isinstance(v, str) for k, v in files.items())
        or not isinstance(manifest.get("digest"), str)
    ):
        raise ValueError(f"{path} is not a skmedtext manifest (format, algorithm, files, digest).")
    return files, manifest["digest"]


def verify_folder(folder, expected_digest=None):
    """Check the whole folder against its manifest; return the model digest.

    Raises
    ------
    ValueError
        A symbolic link; a missing or malformed manifest; a digest that does not
        match the file list (or ``expected_digest``); a listed file missing,
        outside the folder or with another SHA-256; a file the manifest does not
        list. Every message names the file.
    """
    folder = Path(folder)
    present = folder_files(folder)
    if not (folder / MANIFEST_FILE).is_file():
        raise ValueError(
            f"{folder} has no {MANIFEST_FILE}: it is not a skmedtext model folder, or was saved "
            "by an older skmedtext whose config.json is not covered by a hash. Save the model "
            "again with this version."
        )
    files, digest = _read_manifest(folder)
    if _digest(files) != digest:
        raise ValueError(f"{folder}: {MANIFEST_FILE} was edited (its digest does not match).")
    if expected_digest is not None and digest != expected_digest:
        raise ValueError(
            f"{folder}: the model digest {digest} is not the expected {expected_digest}; "
            "this is another model, or it was modified."
        )
    if CONFIG_FILE not in files:
        raise ValueError(f"{folder}: {MANIFEST_FILE} does not list {CONFIG_FILE}.")
    for name, expected in files.items():
        rel = PurePosixPath(name)
        if rel.is_absolute() or ".." in rel.parts or name == MANIFEST_FILE:
            raise ValueError(f"{folder}: {MANIFEST_FILE} lists the file {name!r} outside the folder.")
        path = folder / rel
        if not path.is_file():
            raise ValueError(f"{folder}: the file {name!r} listed in {MANIFEST_FILE} is missing.")
        if sha256(path) != expected:
            raise ValueError(
                f"{folder}: {name!r} does not match its SHA-256 in {MANIFEST_FILE}; the file is "
                "truncated, damaged or was modified after saving. Do not use it."
            )
    unexpected = sorted(set(present) - set(files))
    if unexpected:
        raise ValueError(
            f"{folder}: files {unexpected} were not written by save_model (not listed in "
            f"{MANIFEST_FILE}); remove them or save the model again."
        )
    return digest


def is_model_folder(path, format_name):
    """True for a folder holding a config.json of ``format_name`` (what save_model writes)."""
    config = Path(path) / CONFIG_FILE
    if Path(path).is_symlink() or not config.is_file() or config.is_symlink():
        return False
    try:
        found = json.loads(config.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return isinstance(found, dict) and found.get("format") == format_name


def leftover_name(path, kind, token):
    """The hidden sibling of ``path`` used while saving (``kind``: saving or old)."""
    return Path(path).parent / f".{Path(path).name}.{kind}-{token}"


def clean_leftovers(path):
    """Remove what interrupted saves of ``path`` left next to it; return the names removed."""
    path = Path(path)
    if not path.parent.is_dir():
        return []
    pattern = re.compile(_LEFTOVER.format(name=re.escape(path.name)))
    removed = []
    for sibling in path.parent.iterdir():
        if pattern.fullmatch(sibling.name) and sibling.is_dir() and not sibling.is_symlink():
            shutil.rmtree(sibling, ignore_errors=True)
            removed.append(sibling.name)
    return sorted(removed)
