"""Locating the data folder, reading files once, and assembling Bunches.

The loaders never copy or download data: they read the files in place from a data
folder laid out like ``../shared/data`` (one sub-folder per corpus, each with its own
README). The folder is found, in this order, from

1. the ``data_home`` argument,
2. the ``SKMEDTEXT_DATA`` environment variable,
3. ``shared/data`` next to the checkout (``<repo root>/../shared/data``), then
   ``../shared/data`` seen from the current working directory, then ``shared/data``
   next to the repository this checkout was cloned from, when that is a local folder
   (so a throw-away ``git clone /path/to/skmedtext /tmp/fresh`` still finds the data),
4. the copies embedded in the package (``skmedtext/datasets/data``; only the two
   development corpora ship there, gzip-compressed).

The first of 1 or 2 that is given wins on its own (as ``SCIKIT_LEARN_DATA`` does in
scikit-learn): a wrong explicit path is reported rather than silently replaced by a
default one. Only the default locations of steps 3 and 4 are tried one after the other.
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

#: the gzip-compressed copies of the development corpora shipped with the package
EMBEDDED_HOME = Path(__file__).resolve().parent / "data"
EMBEDDED_SOURCE = "embedded copy shipped in the skmedtext package"

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


def _embedded_file(relative):
    """The packaged copy of ``relative`` (plain or ``.gz``), or None."""
    for name in (relative, f"{relative}.gz"):
        path = EMBEDDED_HOME / name
        if path.is_file():
            return path
    return None


def _locate(relative, data_home=None):
    """Return ``(path, source)`` of ``relative`` in the first data folder that holds it.

    ``source`` says where the folder came from (e.g. ``"data_home argument"``), so
    a Bunch can tell the user which copy it read.
    """
    candidates = _candidate_homes(data_home)
    for home, source in candidates:
        path = home / relative
        if path.is_file():
            return path, source
    # An explicit data_home or SKMEDTEXT_DATA is the only place searched: falling
    # back to the packaged copy would hide a wrong path.
    explicit = data_home is not None or bool(os.environ.get(DATA_ENV_VAR))
    embedded = None if explicit else _embedded_file(relative)
    if embedded is not None:
        return embedded, EMBEDDED_SOURCE
    looked = "\n".join(f"  - {home / relative} ({source})" for home, source in candidates)
    folder = relative.split("/", 1)[0]
    raise FileNotFoundError(
        f"skmedtext could not find the data file {relative!r}. Looked in:\n{looked}\n"
        f"Point the loader at the folder that holds {folder}/: pass "
        "data_home='/path/to/data' or set the environment variable "
        f"{DATA_ENV_VAR}=/path/to/data."
    )


def _find_file(relative, data_home=None):
    """Return the path of ``relative`` under the first data folder that holds it."""
    return _locate(relative, data_home)[0]


def _read_cached(path, reader):
    """Read ``path`` with ``reader`` once per file version; return a fresh copy."""
    stat = path.stat()
    key = (str(path), reader, stat.st_mtime_ns, stat.st_size)
    if key not in _cache:
        _cache[key] = reader(path)
    return _cache[key].copy()


def _read_descr(path, notes, source=None):
    """The corpus README next to ``path``, the loader's notes and where it was read."""
    readme = path.parent / "README.md"
    if not readme.is_file():
        # A download cache holds no README; the package keeps a copy of each.
        readme = EMBEDDED_HOME / path.parent.name / "README.md"
    text = readme.read_text(encoding="utf-8") if readme.is_file() else ""
    where = f"\n\nRead from {path} ({source}).\n" if source else "\n"
    return f"{text.rstrip()}\n\n## How skmedtext loads it\n{notes.strip()}{where}"


def _check_subset(subset, allowed):
    """Return the split names ``subset`` stands for (``"all"`` means every split)."""
    if subset == "all":
        return tuple(allowed)
    if subset not in allowed:
        options = ", ".join(repr(s) for s in (*allowed, "all"))
        raise ValueError(f"subset must be one of {options}; got {subset!r}.")
    return (subset,)


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


def _columns_out(frame, columns, as_frame):
    """One column as a Series / 1-D array, several as a DataFrame / 2-D array."""
    columns = list(columns)
    if as_frame:
        return frame[columns[0]].rename(columns[0]) if len(columns) == 1 else frame[columns]
    if len(columns) == 1:
        values = frame[columns[0]]
        return _object_array(values) if values.dtype == object else values.to_numpy()
    values = frame[columns]
    return values.to_numpy(dtype=object if (values.dtypes == object).any() else None)


def _make_bunch(
    frame,
    located,
    notes,
    *,
    target_names,
    as_frame,
    return_X_y,
    feature_columns=("text",),
    target_columns=("target",),
    **extra,
):
    """Assemble the sklearn-style result from ``frame`` read at ``located``.

    ``located`` is the ``(path, source)`` pair of :func:`_locate`; ``notes`` says how
    the loader turns the file into ``data`` and ``target`` (appended to DESCR).
    ``frame`` keeps every column of the file plus the feature and target columns;
    it is returned whatever ``as_frame`` says, because it is the only place the
    other columns (e.g. age, sex, the raw echo report) are available. One feature
    (target) column gives 1-D ``data`` (``target``), several give 2-D ones.
    """
    data = _columns_out(frame, feature_columns, as_frame)
    target = _columns_out(frame, target_columns, as_frame)
    if return_X_y:
        return data, target
    target_column = target_columns[0] if len(target_columns) == 1 else list(target_columns)
    return Bunch(
        data=data,
        target=target,
        target_names=np.asarray(target_names, dtype=object),
        frame=frame,
        DESCR=_read_descr(located[0], notes, located[1]),
        filename=str(located[0]),
        data_source=located[1],
        feature_names=list(feature_columns),
        target_column=target_column,
        **extra,
    )


def _load_frame(relative, reader, locate):
    """Read ``relative`` found by ``locate``; return ``(frame, (path, source))``.

    ``locate`` maps a relative file name to ``(path, source)``: :func:`_locate` for
    the loaders, the download cache for the fetchers.
    """
    located = locate(relative)
    return _read_cached(located[0], reader), located


# Parameter and error texts every loader/fetcher shares, kept once; ``_fill_doc``
# puts them into a docstring's ``{name}`` fields (literal braces are doubled).
_DOC_FRAGMENTS = {
    "frame_params": """as_frame : bool, default=False
        If True, ``data`` and ``target`` are pandas objects (a Series, or a
        DataFrame for several columns) instead of arrays.
    return_X_y : bool, default=False
        If True, return ``(data, target)`` instead of a Bunch.""",
    "fetch_params": """data_home : str or path-like, default=None
        Download folder; ``None`` means ``get_skmedtext_home() / "datasets"``
        (``$SKMEDTEXT_HOME``). The cache mirrors the ``shared/data`` layout.
    download_if_missing : bool, default=True
        If False, raise an ``OSError`` instead of downloading a missing file.""",
    "fetch_raises": """OSError
        If a file is missing and ``download_if_missing`` is False, or the download
        fails (``ConnectionError``, naming the URL and where to place the file by
        hand).
    ValueError
        If ``subset`` is unknown or a download does not match its checksum.""",
    "load_raises": """FileNotFoundError
        If the file is not found; the message lists every place searched.
    ValueError
        If ``subset`` is unknown.""",
}


def _fill_doc(func):
    """Fill the shared ``{frame_params}``-style fields of ``func``'s docstring."""
    func.__doc__ = func.__doc__.format(**_DOC_FRAGMENTS)
    return func
