"""Loaders for the Chinese department-triage questions (11 internal-medicine units)."""

import numpy as np
import pandas as pd

from skmedtext.datasets._base import (
    _find_file,
    _join_text_columns,
    _make_bunch,
    _object_array,
    _read_cached,
    _read_descr,
)

__all__ = ["load_department_triage", "load_department_triage_corpus"]

_DATA_FILE = "department_triage_zh/department_triage_dev.csv"
FEATURE_COLUMNS = ("title", "ask")
_CORPUS_COLUMNS = ("title", "ask", "answer")

_NOTES = """
- `data`: `title` + "\\n" + `ask` (a newline joins them; a blank or missing field is
  left out). The doctor's `answer` is never part of `data`: it is written after the
  question arrives, so using it to predict the department leaks the label.
- `target`: the `department` string; `target_names` the sorted unique departments
  (the order of `numpy.unique`, i.e. of a classifier's `classes_`).
- `frame`: the file's columns (`department`, `title`, `ask`, `answer`) plus `text`
  and `target`. The `answer` column is kept there for inspection and for unlabelled
  pretraining (`load_department_triage_corpus`); it must not be used as a feature.
"""


def _read_csv(path):
    return pd.read_csv(path, encoding="utf-8", dtype=str, keep_default_na=False)


def load_department_triage(*, data_home=None, as_frame=False, return_X_y=False):
    """Load the Chinese patient questions labelled with a medical department.

    6,115 questions (a stratified 80% of ``样例_内科5000-6000.csv`` from
    Toyhom/Chinese-medical-dialogue-data, MIT licence), 11 strongly imbalanced
    classes: 肝病科 2497, 消化科 1131, 神经科 883, 心血管科 864, 内分泌科 446,
    呼吸科 122, 肾内科 64, 感染科 36, 血液科 32, 普通内科 26, 风湿免疫科 14.

    Each text is the question title and the question body joined by a newline
    (``title + "\\n" + ask``). The doctor's ``answer`` is never part of ``data``:
    it is not known when a question arrives and it often names the department, so
    it would leak the label. It stays available in ``frame["answer"]`` for
    inspection and as unlabelled text (see :func:`load_department_triage_corpus`).

    Parameters
    ----------
    data_home : str or path-like, default=None
        Folder holding ``department_triage_zh/``. See :func:`get_data_home`.
    as_frame : bool, default=False
        If True, ``data`` and ``target`` are pandas Series instead of arrays.
    return_X_y : bool, default=False
        If True, return ``(data, target)`` instead of a Bunch.

    Returns
    -------
    bunch : sklearn.utils.Bunch
        ``data`` (6115,) object array of question texts (Series if ``as_frame``);
        ``target`` (6115,) object array of department names; ``target_names`` the
        sorted unique departments; ``frame`` DataFrame with ``department``,
        ``title``, ``ask``, ``answer``, ``text``, ``target``; ``DESCR``;
        ``filename``.
    (data, target) : tuple if ``return_X_y`` is True.

    Raises
    ------
    FileNotFoundError
        If the CSV is not found; the message lists every place searched.

    Examples
    --------
    >>> from skmedtext.datasets import load_department_triage
    >>> bunch = load_department_triage()  # doctest: +SKIP
    >>> bunch.data.shape, len(bunch.target_names)  # doctest: +SKIP
    ((6115,), 11)
    """
    path = _find_file(_DATA_FILE, data_home)
    frame = _read_cached(path, _read_csv)
    frame["text"] = _join_text_columns(frame, FEATURE_COLUMNS)
    frame["target"] = frame["department"].astype(object)
    target = _object_array(frame["target"])
    return _make_bunch(
        frame,
        target=target,
        target_names=np.unique(target),
        descr=_read_descr(path, _NOTES),
        filename=path,
        as_frame=as_frame,
        return_X_y=return_X_y,
    )


def load_department_triage_corpus(*, data_home=None, columns=_CORPUS_COLUMNS):
    """Return the triage file's free text as an unlabelled corpus for pretraining.

    Every non-blank cell of ``columns`` becomes one document, row by row (title,
    ask, answer of the first question, then of the second, ...). No department
    label is included. Use it for masked-language-model or word2vec pretraining
    only: the ``answer`` column is allowed here because no label is learnt from it,
    but it must not be used as a classification feature.

    Note that this covers every row of the file, including rows that later serve as
    test folds; pretraining on it is transductive (the unlabelled text of the test
    questions is seen), which is standard for domain-adaptive pretraining but
    should be stated when reporting results.

    Parameters
    ----------
    data_home : str or path-like, default=None
        Folder holding ``department_triage_zh/``. See :func:`get_data_home`.
    columns : sequence of {"title", "ask", "answer"}, default=("title", "ask", "answer")
        Which text columns to include.

    Returns
    -------
    corpus : ndarray of shape (n_documents,), dtype=object
        Stripped, non-empty strings.

    Examples
    --------
    >>> from skmedtext.datasets import load_department_triage_corpus
    >>> corpus = load_department_triage_corpus(columns=("answer",))  # doctest: +SKIP
    """
    if isinstance(columns, str):
        columns = (columns,)
    unknown = sorted(set(columns) - set(_CORPUS_COLUMNS))
    if unknown or not columns:
        raise ValueError(
            f"columns must be a non-empty subset of {_CORPUS_COLUMNS}; got {tuple(columns)!r}."
        )
    frame = _read_cached(_find_file(_DATA_FILE, data_home), _read_csv)
    cells = frame[list(columns)].to_numpy(dtype=object).ravel()
    return _object_array(s.strip() for s in cells if s.strip())
