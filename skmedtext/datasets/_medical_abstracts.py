"""Loader and fetcher for the English Medical Abstracts corpus (5 disease groups)."""

from functools import partial

import numpy as np
import pandas as pd

from skmedtext.datasets._base import (
    _check_subset,
    _fill_doc,
    _load_frame,
    _locate,
    _make_bunch,
)
from skmedtext.datasets._fetch import _fetcher

__all__ = ["fetch_medical_abstracts", "load_medical_abstracts"]

_FOLDER = "medical_abstracts"
_DEV_FILE = f"{_FOLDER}/medical_abstracts_dev.csv"
_LABEL_FILE = f"{_FOLDER}/medical_tc_labels.csv"
#: the corpus' official split, as published (fetched, not staged)
_SPLIT_FILES = {"train": f"{_FOLDER}/medical_tc_train.csv", "test": f"{_FOLDER}/medical_tc_test.csv"}

_NOTES = """
- `data`: the `medical_abstract` column as is (title sentence first).
- `target`: the integer `condition_label` 1..5, kept as in the file (not shifted to
  0..4), so `target_names[k - 1]` is the name of label `k`.
- `target_names`: from medical_tc_labels.csv, in label order.
- `frame`: the file's columns plus `condition_name`, `text` and `target` (and
  `split` for the fetched official split).
"""

def _read_csv(path):
    return pd.read_csv(path, encoding="utf-8")


def _abstracts_bunch(frame, located, locate, as_frame, return_X_y):
    labels, _ = _load_frame(_LABEL_FILE, _read_csv, locate)
    labels = labels.sort_values("condition_label")
    names = dict(zip(labels["condition_label"], labels["condition_name"]))
    frame["condition_name"] = frame["condition_label"].map(names).astype(object)
    frame["text"] = frame["medical_abstract"].astype(object)
    frame["target"] = frame["condition_label"].astype(np.int64)
    return _make_bunch(
        frame,
        located,
        _NOTES,
        target_names=labels["condition_name"].tolist(),
        as_frame=as_frame,
        return_X_y=return_X_y,
    )


@_fill_doc
def load_medical_abstracts(*, data_home=None, as_frame=False, return_X_y=False):
    """Load the Medical Abstracts text classification corpus (English, 5 classes).

    2,310 abstracts (a stratified 80% of the corpus' official test split) labelled
    with one of five disease groups: 1 neoplasms (506), 2 digestive system diseases
    (239), 3 nervous system diseases (308), 4 cardiovascular diseases (488),
    5 general pathological conditions (769). Licence CC BY-SA 3.0. A gzip copy ships
    with the package, so this works with no data folder at all.

    Parameters
    ----------
    data_home : str or path-like, default=None
        Folder holding ``medical_abstracts/``. See :func:`get_data_home` for the
        search order when ``None``; the packaged copy is the last resort.
    {frame_params}

    Returns
    -------
    bunch : sklearn.utils.Bunch
        ``data`` (2310,) object array of abstracts (Series if ``as_frame``);
        ``target`` (2310,) int array of labels 1..5; ``target_names`` the five
        names in label order (``target_names[k - 1]`` names label ``k``);
        ``frame`` DataFrame with every column plus ``condition_name``, ``text``,
        ``target``; ``DESCR`` the corpus README; ``filename`` the CSV path;
        ``data_source`` where it was found (e.g. the embedded copy).
    (data, target) : tuple if ``return_X_y`` is True.

    Raises
    ------
    FileNotFoundError
        If an explicit ``data_home`` or ``SKMEDTEXT_DATA`` lacks the CSV; the
        message lists every place searched.

    Examples
    --------
    >>> from skmedtext.datasets import load_medical_abstracts
    >>> X, y = load_medical_abstracts(return_X_y=True)
    >>> X.shape, sorted(set(y.tolist()))
    ((2310,), [1, 2, 3, 4, 5])
    """
    locate = partial(_locate, data_home=data_home)
    frame, located = _load_frame(_DEV_FILE, _read_csv, locate)
    return _abstracts_bunch(frame, located, locate, as_frame, return_X_y)


@_fill_doc
def fetch_medical_abstracts(
    *, subset="train", data_home=None, download_if_missing=True, as_frame=False, return_X_y=False
):
    """Download (once) and load the full Medical Abstracts corpus, official split.

    The official split of Schopf, Braun and Matthes (NLPIR 2022): 11,550 training
    and 2,888 test abstracts in the same five classes as
    :func:`load_medical_abstracts`, from github.com/sebischair/Medical-Abstracts-TC-Corpus
    at commit 70a2d91. The test file's SHA-256 is pinned; the training file's could
    not be computed when this was written, so its first download is pinned instead
    (a warning gives the hash). Note that the test split contains the 2,310
    development abstracts of :func:`load_medical_abstracts`.

    Parameters
    ----------
    subset : {{"train", "test", "all"}}, default="train"
        Which official split; ``"all"`` concatenates train then test.
    {fetch_params}
    {frame_params}

    Returns
    -------
    bunch : sklearn.utils.Bunch
        As :func:`load_medical_abstracts`, with ``frame["split"]`` (train/test)
        and ``data_source="download cache"``.
    (data, target) : tuple if ``return_X_y`` is True.

    Raises
    ------
    {fetch_raises}

    Examples
    --------
    >>> from skmedtext.datasets import fetch_medical_abstracts
    >>> X, y = fetch_medical_abstracts(subset="test", return_X_y=True)  # doctest: +SKIP
    >>> X.shape  # doctest: +SKIP
    (2888,)
    """
    splits = _check_subset(subset, tuple(_SPLIT_FILES))
    locate = _fetcher(data_home, download_if_missing)
    frames = []
    for split in splits:
        frame, located = _load_frame(_SPLIT_FILES[split], _read_csv, locate)
        frames.append(frame.assign(split=split))
    frame = pd.concat(frames, ignore_index=True)
    return _abstracts_bunch(frame, located, locate, as_frame, return_X_y)

