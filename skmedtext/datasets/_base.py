"""Locating the data folder, reading files once, and assembling Bunches.

The loaders never copy or download data: they read the files in place from a data
folder laid out like ``../shared/data`` (one sub-folder per corpus, each with its own
README). The folder is found, in this order, from

1. the ``data_home`` argument,
2. the ``SKMEDTEXT_DATA`` environment variable,
3. ``shared/data`` next to the checkout (``<repo root>/../shared/data``), then
   ``../shared/data`` seen from the current working directory, then ``shared/data``
   next to the repository this checkout was cloned from, when that is a local folder
   (so a throw-away ``git clone /path/to/skmedtext /tmp/fresh`` still finds the data).

The first of 1 or 2 that is given wins on its own (as ``SCIKIT_LEARN_DATA`` does in
scikit-learn): a wrong explicit path is reported rather than silently replaced by a
default one. Only the default locations of step 3 are tried one after the other.
"""

import os
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.utils import Bunch

__all__ = ["get_data_home"]

DATA_ENV_VAR = "SKMEDTEXT_DATA"

# Joins the free-text fields of one record into one document. A newline invents no
# punctuation inside Chinese text, keeps field boundaries visible to char/word
# n-grams, and is plain whitespace to WordPiece/SentencePiece tokenisers.
TEXT_SEPARATOR = "\n"

_cache = {}


def _default_homes():
    import skmedtext

    repo_root = Path(skmedtext.__file__).resolve().parents[1]
    candidates = [
        (repo_root.parent / "shared" / "data", "shared/data next to the checkout"),
        (Path.cwd().parent / "shared" / "data", "../shared/data from the working directory"),
    ]
    origin = _local_origin(repo_root)
    if origin is not None:
        candidates.append(
            (origin.parent / "shared" / "data", f"shared/data next to {origin}, the clone's origin")
        )
    unique, seen = [], set()
    for path, source in candidates:
        if path not in seen:
            seen.add(path)
            unique.append((path, source))
    return unique


def _local_origin(repo_root):
    """The local folder ``repo_root`` was cloned from (git remote ``origin``), or None."""
    import configparser

    config = configparser.ConfigParser(strict=False, interpolation=None)
    try:
        config.read(repo_root / ".git" / "config", encoding="utf-8")
        url = config.get('remote "origin"', "url", fallback="")
    except configparser.Error:
        return None
    if not url or "://" in url or url.startswith("git@"):
        return None
    origin = Path(url).expanduser()
    origin = origin if origin.is_absolute() else (repo_root / origin)
    return origin.resolve() if origin.is_dir() else None


def _candidate_homes(data_home=None):
    """Return the ``(path, where-it-came-from)`` pairs to search, in order."""
    if data_home is not None:
        return [(Path(data_home).expanduser().resolve(), "data_home argument")]
    env = os.environ.get(DATA_ENV_VAR)
    if env:
        return [(Path(env).expanduser().resolve(), f"{DATA_ENV_VAR} environment variable")]
    return _default_homes()


def get_data_home(data_home=None):
    """Return the folder the skmedtext loaders read the real data from.

    Parameters
    ----------
    data_home : str or path-like, default=None
        An explicit data folder. When ``None``, the ``SKMEDTEXT_DATA`` environment
        variable is used if set, else the first existing of ``shared/data`` next to
        the checkout, ``../shared/data`` from the working directory and
        ``shared/data`` next to the local repository the checkout was cloned from.

    Returns
    -------
    data_home : pathlib.Path
        The resolved folder. It is not created and may not exist (the loaders raise
        a ``FileNotFoundError`` that lists every place they looked).

    Examples
    --------
    >>> from skmedtext.datasets import get_data_home
    >>> get_data_home("/tmp/my_data").as_posix()
    '/tmp/my_data'
    """
    candidates = _candidate_homes(data_home)
    for path, _ in candidates:
        if path.is_dir():
            return path
    return candidates[0][0]


def _find_file(relative, data_home=None):
    """Return the path of ``relative`` under the first data folder that holds it."""
    candidates = _candidate_homes(data_home)
    for home, _ in candidates:
        path = home / relative
        if path.is_file():
            return path
    looked = "\n".join(f"  - {home / relative} ({source})" for home, source in candidates)
    raise FileNotFoundError(
        f"skmedtext could not find the data file {relative!r}. Looked in:\n{looked}\n"
        "Point the loader at the folder that holds medical_abstracts/, "
        "department_triage_zh/ and cardiac_shunt_zh/: pass data_home='/path/to/data' "
        f"or set the environment variable {DATA_ENV_VAR}=/path/to/data."
    )


def _read_cached(path, reader):
    """Read ``path`` with ``reader`` once per file version; return a fresh copy."""
    stat = path.stat()
    key = (str(path), reader, stat.st_mtime_ns, stat.st_size)
    if key not in _cache:
        _cache[key] = reader(path)
    return _cache[key].copy()


def _read_descr(csv_path, notes):
    readme = csv_path.parent / "README.md"
    text = readme.read_text(encoding="utf-8") if readme.is_file() else ""
    return f"{text.rstrip()}\n\n## How skmedtext loads it\n{notes.strip()}\n"


def _join_text_columns(frame, columns):
    """Join ``columns`` row by row with TEXT_SEPARATOR, skipping missing or blank fields."""
    parts = frame[list(columns)].astype(object)
    texts = [
        TEXT_SEPARATOR.join(
            str(value).strip() for value in row if not pd.isna(value) and str(value).strip()
        )
        for row in parts.itertuples(index=False, name=None)
    ]
    return pd.Series(texts, index=frame.index, dtype=object, name="text")


def _object_array(values):
    values = list(values)
    out = np.empty(len(values), dtype=object)
    out[:] = values
    return out


def _make_bunch(frame, *, target, target_names, descr, filename, as_frame, return_X_y):
    """Assemble the sklearn-style result from a frame that has ``text`` and ``target``.

    ``frame`` keeps every column of the file plus ``text`` (the feature) and
    ``target``; it is returned whatever ``as_frame`` says, because it is the only
    place the other columns (e.g. age, sex, the raw echo report) are available.
    """
    if as_frame:
        data = frame["text"].astype(object).rename("text")
        target_out = frame["target"].rename("target")
    else:
        data = _object_array(frame["text"])
        target_out = target
    if return_X_y:
        return data, target_out
    return Bunch(
        data=data,
        target=target_out,
        target_names=np.asarray(target_names, dtype=object),
        frame=frame,
        DESCR=descr,
        filename=str(filename),
        feature_names=["text"],
        target_column="target",
    )
