"""Loader for the English Medical Abstracts corpus (5 disease groups)."""

import numpy as np
import pandas as pd

from skmedtext.datasets._base import _find_file, _make_bunch, _read_cached, _read_descr

__all__ = ["load_medical_abstracts"]

_FOLDER = "medical_abstracts"
_DATA_FILE = f"{_FOLDER}/medical_abstracts_dev.csv"
_LABEL_FILE = f"{_FOLDER}/medical_tc_labels.csv"

_NOTES = """
- `data`: the `medical_abstract` column as is (title sentence first).
- `target`: the integer `condition_label` 1..5, kept as in the file (not shifted to
  0..4), so `target_names[k - 1]` is the name of label `k`.
- `target_names`: from medical_tc_labels.csv, in label order.
- `frame`: the file's columns plus `condition_name`, `text` and `target`.
"""


def _read_csv(path):
    return pd.read_csv(path, encoding="utf-8")


def load_medical_abstracts(*, data_home=None, as_frame=False, return_X_y=False):
    """Load the Medical Abstracts text classification corpus (English, 5 classes).

    2,310 abstracts (a stratified 80% of the corpus' official test split) labelled
    with one of five disease groups: 1 neoplasms (506), 2 digestive system diseases
    (239), 3 nervous system diseases (308), 4 cardiovascular diseases (488),
    5 general pathological conditions (769). Licence CC BY-SA 3.0.

    Parameters
    ----------
    data_home : str or path-like, default=None
        Folder holding ``medical_abstracts/``. See :func:`get_data_home` for the
        search order when ``None``.
    as_frame : bool, default=False
        If True, ``data`` and ``target`` are pandas Series instead of arrays.
    return_X_y : bool, default=False
        If True, return ``(data, target)`` instead of a Bunch.

    Returns
    -------
    bunch : sklearn.utils.Bunch
        ``data`` (2310,) object array of abstracts (Series if ``as_frame``);
        ``target`` (2310,) int array of labels 1..5; ``target_names`` the five
        names in label order (``target_names[k - 1]`` names label ``k``);
        ``frame`` DataFrame with every column plus ``condition_name``, ``text``,
        ``target``; ``DESCR`` the corpus README; ``filename`` the CSV path.
    (data, target) : tuple if ``return_X_y`` is True.

    Raises
    ------
    FileNotFoundError
        If the CSV is not found; the message lists every place searched.

    Examples
    --------
    >>> from skmedtext.datasets import load_medical_abstracts
    >>> X, y = load_medical_abstracts(return_X_y=True)  # doctest: +SKIP
    >>> X.shape, sorted(set(y))  # doctest: +SKIP
    ((2310,), [1, 2, 3, 4, 5])
    """
    path = _find_file(_DATA_FILE, data_home)
    labels = _read_cached(_find_file(_LABEL_FILE, data_home), _read_csv)
    labels = labels.sort_values("condition_label")
    frame = _read_cached(path, _read_csv)

    names = dict(zip(labels["condition_label"], labels["condition_name"]))
    frame["condition_name"] = frame["condition_label"].map(names).astype(object)
    frame["text"] = frame["medical_abstract"].astype(object)
    frame["target"] = frame["condition_label"].astype(np.int64)
    return _make_bunch(
        frame,
        target=frame["target"].to_numpy(),
        target_names=labels["condition_name"].tolist(),
        descr=_read_descr(path, _NOTES),
        filename=path,
        as_frame=as_frame,
        return_X_y=return_X_y,
    )
