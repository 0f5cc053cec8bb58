"""Loaders and fetchers for three CBLUE corpora: CHIP-CTC, KUAKE-QIC and CHIP-STS.

CBLUE's official test labels are held by its leaderboard, so the labelled splits are
``train`` and ``dev``; use ``dev`` as the test set (the published numbers in the
READMEs are on the hidden test set).
"""

import json
from functools import partial

import numpy as np
import pandas as pd

from skmedtext.datasets._base import (
    _check_subset,
    _fill_doc,
    _join_text_columns,
    _load_frame,
    _locate,
    _make_bunch,
)
from skmedtext.datasets._fetch import _fetcher

__all__ = [
    "fetch_chip_ctc",
    "fetch_chip_sts",
    "fetch_kuake_qic",
    "load_chip_ctc",
    "load_chip_sts",
    "load_kuake_qic",
]

_SPLITS = ("train", "dev")
_CTC = ("chip_ctc_zh", "CHIP-CTC", "text")
_QIC = ("kuake_qic_zh", "KUAKE-QIC", "query")
_STS = ("chip_sts_zh", "CHIP-STS", None)

_NOTES = """
- `data`: the `{text}` field as is; `target`: the `label` string; `target_names` the
  sorted unique labels of the loaded rows (the order of a classifier's `classes_`).
- `frame`: the JSON fields plus `split` (train/dev), `text` and `target`.
- CBLUE's test labels are not public: `dev` is the test set.
"""

_STS_NOTES = """
- `target="label"` (default): `data` is an (n, 2) object array of the question pairs
  (`text1`, `text2`; a DataFrame with `as_frame=True`), `target` the int 0/1
  "same intent" label, `target_names` ["0", "1"]. `category` (the disease) is in
  the Bunch as well.
- `target="category"`: a single-text task; `data` is `text1` + "\\n" + `text2`,
  `target` the disease (5 classes, about 4:1 imbalance in train).
- `frame`: the JSON fields plus `split`, `text` and `target`.
- CBLUE's test labels are not public: `dev` is the test set.
"""


def _read_json(path):
    with open(path, encoding="utf-8") as handle:
        return pd.DataFrame(json.load(handle), dtype=object)


def _cblue_frame(spec, subset, locate):
    """Concatenate the requested splits of one CBLUE corpus; return (frame, located)."""
    folder, prefix, _ = spec
    frames, first = [], None
    for split in _check_subset(subset, _SPLITS):
        frame, located = _load_frame(f"{folder}/{prefix}_{split}.json", _read_json, locate)
        frames.append(frame.assign(split=split))
        first = first or located
    return pd.concat(frames, ignore_index=True), first


def _single_text(spec, subset, locate, as_frame, return_X_y):
    frame, located = _cblue_frame(spec, subset, locate)
    frame["text"] = frame[spec[2]].astype(object)
    frame["target"] = frame["label"].astype(object)
    return _make_bunch(
        frame,
        located,
        _NOTES.format(text=spec[2]),
        target_names=np.unique(frame["target"].to_numpy(dtype=object)),
        as_frame=as_frame,
        return_X_y=return_X_y,
    )


def _pairs(subset, target, locate, as_frame, return_X_y):
    if target not in ("label", "category"):
        raise ValueError(f"target must be 'label' or 'category'; got {target!r}.")
    frame, located = _cblue_frame(_STS, subset, locate)
    frame["text"] = _join_text_columns(frame, ("text1", "text2"))
    if target == "label":
        frame["target"] = frame["label"].astype(np.int64)
        features = ("text1", "text2")
    else:
        frame["target"] = frame["category"].astype(object)
        features = ("text",)
    return _make_bunch(
        frame,
        located,
        _STS_NOTES,
        target_names=np.unique(frame["target"]).astype(str),
        as_frame=as_frame,
        return_X_y=return_X_y,
        feature_columns=features,
        category=frame["category"].to_numpy(dtype=object),
    )


@_fill_doc
def load_chip_ctc(*, subset="train", data_home=None, as_frame=False, return_X_y=False):
    """Load CBLUE CHIP-CTC: Chinese clinical-trial screening criteria, 44 classes.

    22,962 training and 7,682 dev sentences, each labelled with one of 44 criterion
    categories (Disease 5,127 ... Ethical Audit 12 in train: 427:1). The official
    metric is macro-F1. Research use (see DESCR for the licence notes).

    Parameters
    ----------
    subset : {{"train", "dev", "all"}}, default="train"
        Which split; ``"all"`` concatenates train then dev. The test labels are
        hidden, so ``dev`` is the test set.
    data_home : str or path-like, default=None
        Folder holding ``chip_ctc_zh/``. See :func:`get_data_home`.
    {frame_params}

    Returns
    -------
    bunch : sklearn.utils.Bunch
        ``data`` object array of sentences, ``target`` English label strings,
        ``target_names``, ``frame`` (with ``split``), ``DESCR`` (the corpus README),
        ``filename`` (the first file read) and ``data_source``.
    (data, target) : tuple if ``return_X_y`` is True.

    Raises
    ------
    {load_raises}

    Examples
    --------
    >>> from skmedtext.datasets import load_chip_ctc
    >>> X, y = load_chip_ctc(subset="dev", return_X_y=True)  # doctest: +SKIP
    >>> X.shape  # doctest: +SKIP
    (7682,)
    """
    locate = partial(_locate, data_home=data_home)
    return _single_text(_CTC, subset, locate, as_frame, return_X_y)


@_fill_doc
def load_kuake_qic(*, subset="train", data_home=None, as_frame=False, return_X_y=False):
    """Load CBLUE KUAKE-QIC: Chinese medical search-query intent, 11 classes.

    6,931 training and 1,955 dev queries labelled with one of 11 intents (治疗方案
    1,750 ... 指标解读 137 in train: 12.8:1; the dev distribution differs). The
    official metric is accuracy. Research use (see DESCR for the licence notes).

    Parameters
    ----------
    subset : {{"train", "dev", "all"}}, default="train"
        Which split; ``"all"`` concatenates train then dev. The test labels are
        hidden, so ``dev`` is the test set.
    data_home : str or path-like, default=None
        Folder holding ``kuake_qic_zh/``. See :func:`get_data_home`.
    {frame_params}

    Returns
    -------
    bunch : sklearn.utils.Bunch
        ``data`` object array of queries, ``target`` Chinese intent strings,
        ``target_names``, ``frame`` (with ``split``), ``DESCR``, ``filename`` and
        ``data_source``.
    (data, target) : tuple if ``return_X_y`` is True.

    Raises
    ------
    {load_raises}

    Examples
    --------
    >>> from skmedtext.datasets import load_kuake_qic
    >>> X, y = load_kuake_qic(return_X_y=True)  # doctest: +SKIP
    """
    locate = partial(_locate, data_home=data_home)
    return _single_text(_QIC, subset, locate, as_frame, return_X_y)


@_fill_doc
def load_chip_sts(
    *, subset="train", target="label", data_home=None, as_frame=False, return_X_y=False
):
    """Load CBLUE CHIP-STS: Chinese medical question pairs (same intent or not).

    16,000 training and 4,000 dev pairs, balanced 0/1 labels (official metric
    macro-F1). Each pair also carries the disease it is about (``category``: 5
    classes, diabetes 8,039 ... hepatitis 1,953 in train), usable as an imbalanced
    single-text target.

    Parameters
    ----------
    subset : {{"train", "dev", "all"}}, default="train"
        Which split; ``"all"`` concatenates train then dev.
    target : {{"label", "category"}}, default="label"
        ``"label"``: ``data`` is an (n, 2) array of question pairs and ``target``
        the 0/1 label. ``"category"``: ``data`` is the pair joined by a newline
        (one text per row) and ``target`` the disease.
    data_home : str or path-like, default=None
        Folder holding ``chip_sts_zh/``. See :func:`get_data_home`.
    {frame_params}

    Returns
    -------
    bunch : sklearn.utils.Bunch
        ``data``, ``target``, ``target_names``, ``category`` (the disease of each
        pair), ``frame`` (with ``split``), ``DESCR``, ``filename``, ``data_source``.
    (data, target) : tuple if ``return_X_y`` is True.

    Raises
    ------
    {load_raises}

    Examples
    --------
    >>> from skmedtext.datasets import load_chip_sts
    >>> pairs, same = load_chip_sts(return_X_y=True)  # doctest: +SKIP
    >>> pairs.shape  # doctest: +SKIP
    (16000, 2)
    """
    locate = partial(_locate, data_home=data_home)
    return _pairs(subset, target, locate, as_frame, return_X_y)


@_fill_doc
def fetch_chip_ctc(
    *, subset="train", data_home=None, download_if_missing=True, as_frame=False, return_X_y=False
):
    """Download (once) and load CBLUE CHIP-CTC; the same Bunch as :func:`load_chip_ctc`.

    Files: ``data/CHIP-CTC/CHIP-CTC_{{train,dev}}.json`` of Sherlock-coder/CBLUE at
    commit 8f879e3, SHA-256 pinned.

    Parameters
    ----------
    subset : {{"train", "dev", "all"}}, default="train"
        Which split.
    {fetch_params}
    {frame_params}

    Returns
    -------
    bunch : sklearn.utils.Bunch
        As :func:`load_chip_ctc`, with ``data_source="download cache"``.
    (data, target) : tuple if ``return_X_y`` is True.

    Raises
    ------
    {fetch_raises}
    """
    locate = _fetcher(data_home, download_if_missing)
    return _single_text(_CTC, subset, locate, as_frame, return_X_y)


@_fill_doc
def fetch_kuake_qic(
    *, subset="train", data_home=None, download_if_missing=True, as_frame=False, return_X_y=False
):
    """Download (once) and load CBLUE KUAKE-QIC; the same Bunch as :func:`load_kuake_qic`.

    Files: ``data/KUAKE-QIC/KUAKE-QIC_{{train,dev}}.json`` of Sherlock-coder/CBLUE at
    commit 8f879e3, SHA-256 pinned.

    Parameters
    ----------
    subset : {{"train", "dev", "all"}}, default="train"
        Which split.
    {fetch_params}
    {frame_params}

    Returns
    -------
    bunch : sklearn.utils.Bunch
        As :func:`load_kuake_qic`, with ``data_source="download cache"``.
    (data, target) : tuple if ``return_X_y`` is True.

    Raises
    ------
    {fetch_raises}
    """
    locate = _fetcher(data_home, download_if_missing)
    return _single_text(_QIC, subset, locate, as_frame, return_X_y)


@_fill_doc
def fetch_chip_sts(
    *,
    subset="train",
    target="label",
    data_home=None,
    download_if_missing=True,
    as_frame=False,
    return_X_y=False,
):
    """Download (once) and load CBLUE CHIP-STS; the same Bunch as :func:`load_chip_sts`.

    Files: ``data/CHIP-STS/CHIP-STS_{{train,dev}}.json`` of Sherlock-coder/CBLUE at
    commit 8f879e3, SHA-256 pinned.

    Parameters
    ----------
    subset : {{"train", "dev", "all"}}, default="train"
        Which split.
    target : {{"label", "category"}}, default="label"
        As in :func:`load_chip_sts`.
    {fetch_params}
    {frame_params}

    Returns
    -------
    bunch : sklearn.utils.Bunch
        As :func:`load_chip_sts`, with ``data_source="download cache"``.
    (data, target) : tuple if ``return_X_y`` is True.

    Raises
    ------
    {fetch_raises}
    """
    locate = _fetcher(data_home, download_if_missing)
    return _pairs(subset, target, locate, as_frame, return_X_y)
