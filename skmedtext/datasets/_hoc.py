"""Loader for HoC, the Hallmarks of Cancer corpus (multi-label, 10 hallmarks)."""

from functools import partial

import numpy as np
import pandas as pd

from skmedtext.datasets._base import _check_subset, _fill_doc, _load_frame, _locate, _make_bunch

__all__ = ["load_hoc"]

_DATA_FILE = "hoc_en/hoc.csv.gz"
_SPLITS = ("train", "dev", "test")

_NOTES = """
- `data`: the `text` column (the source's tokenised sentences joined by spaces).
- `target`: an (n, 10) 0/1 int indicator matrix, one column per top-level hallmark
  in `target_names` order (sorted); a row of zeros is an abstract with no label
  (14.7%). The same columns, named by hallmark, are in `frame`, and
  `sklearn.preprocessing.MultiLabelBinarizer(classes=target_names)` inverts it.
- `frame`: the file's columns (`doc_id`, `text`, `labels`, `fine_labels`, `split`)
  plus one indicator column per hallmark.
- The split is a fixed seeded 70/10/20 split made here (not BLURB's).
"""


def _read_csv(path):
    return pd.read_csv(path, dtype={"doc_id": str}, keep_default_na=False)


@_fill_doc
def load_hoc(*, subset="train", data_home=None, as_frame=False, return_X_y=False):
    """Load HoC: PubMed abstracts with their hallmarks of cancer (multi-label).

    1,852 abstracts (train 1,296 / dev 185 / test 371, a seeded split made here,
    not BLURB's) labelled with zero or more of 10 top-level hallmarks (1.33 per
    abstract on average, 272 with none). GPL-3.0 (see DESCR).

    Parameters
    ----------
    subset : {{"train", "dev", "test", "all"}}, default="train"
        Which split; ``"all"`` keeps every row (file order).
    data_home : str or path-like, default=None
        Folder holding ``hoc_en/``. See :func:`get_data_home`.
    {frame_params}

    Returns
    -------
    bunch : sklearn.utils.Bunch
        ``data`` object array of abstracts; ``target`` (n, 10) int 0/1 indicator
        matrix (a DataFrame with ``as_frame``); ``target_names`` the 10 hallmarks
        (sorted, the column order of ``target``); ``frame``; ``DESCR``;
        ``filename``; ``data_source``.
    (data, target) : tuple if ``return_X_y`` is True.

    Raises
    ------
    {load_raises}

    Examples
    --------
    >>> from skmedtext.datasets import load_hoc
    >>> X, Y = load_hoc(subset="test", return_X_y=True)  # doctest: +SKIP
    >>> Y.shape  # doctest: +SKIP
    (371, 10)
    """
    splits = _check_subset(subset, _SPLITS)
    frame, located = _load_frame(_DATA_FILE, _read_csv, partial(_locate, data_home=data_home))
    label_sets = frame["labels"].map(lambda s: set(filter(None, s.split(";"))))
    names = sorted(set().union(*label_sets))
    for name in names:
        frame[name] = np.fromiter((name in s for s in label_sets), dtype=np.int64, count=len(frame))
    frame = frame[frame["split"].isin(splits)].reset_index(drop=True)
    frame["text"] = frame["text"].astype(object)
    return _make_bunch(
        frame,
        located,
        _NOTES,
        target_names=names,
        as_frame=as_frame,
        return_X_y=return_X_y,
        target_columns=tuple(names),
    )
