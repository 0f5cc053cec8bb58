"""Loaders for the Chinese department-triage questions (11 internal-medicine units)."""

from functools import partial

import numpy as np
import pandas as pd

from skmedtext.datasets._base import (
    _fill_doc,
    _join_text_columns,
    _load_frame,
    _locate,
    _make_bunch,
    _object_array,
)
from skmedtext.datasets._fetch import _fetcher

__all__ = ["fetch_department_triage", "load_department_triage", "load_department_triage_corpus"]

_DATA_FILE = "department_triage_zh/department_triage_dev.csv"
#: the whole source sample file (GB18030), of which the dev file is a stratified 80%
_SOURCE_FILE = "department_triage_zh/样例_内科5000-6000.csv"
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


def _read_source_csv(path):
    return pd.read_csv(path, encoding="gb18030", dtype=str, keep_default_na=False)


def _triage_bunch(frame, located, as_frame, return_X_y):
    frame["text"] = _join_text_columns(frame, FEATURE_COLUMNS)
    frame["target"] = frame["department"].astype(object)
    return _make_bunch(
        frame,
        located,
        _NOTES,
        target_names=np.unique(_object_array(frame["target"])),
        as_frame=as_frame,
        return_X_y=return_X_y,
    )


@_fill_doc
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
    A gzip copy ships with the package, so this works with no data folder at all.

    Parameters
    ----------
    data_home : str or path-like, default=None
        Folder holding ``department_triage_zh/``. See :func:`get_data_home`; the
        packaged copy is the last resort.
    {frame_params}

    Returns
    -------
    bunch : sklearn.utils.Bunch
        ``data`` (6115,) object array of question texts (Series if ``as_frame``);
        ``target`` (6115,) object array of department names; ``target_names`` the
        sorted unique departments; ``frame`` DataFrame with ``department``,
        ``title``, ``ask``, ``answer``, ``text``, ``target``; ``DESCR``;
        ``filename``; ``data_source`` where it was found.
    (data, target) : tuple if ``return_X_y`` is True.

    Raises
    ------
    FileNotFoundError
        If the CSV is not found; the message lists every place searched.

    Examples
    --------
    >>> from skmedtext.datasets import load_department_triage
    >>> bunch = load_department_triage()
    >>> bunch.data.shape, len(bunch.target_names)
    ((6115,), 11)
    """
    frame, located = _load_frame(_DATA_FILE, _read_csv, partial(_locate, data_home=data_home))
    return _triage_bunch(frame, located, as_frame, return_X_y)


@_fill_doc
def fetch_department_triage(
    *, data_home=None, download_if_missing=True, as_frame=False, return_X_y=False
):
    """Download (once) and load the whole triage source file (11 departments).

    ``样例_内科5000-6000.csv`` of Toyhom/Chinese-medical-dialogue-data at commit
    26724a4 (MIT licence, GB18030 text, SHA-256 pinned), of which
    :func:`load_department_triage` is a stratified 80%. Same Bunch layout, text
    (``title + "\\n" + ask``) and target; the ``answer`` column is never a feature.
    It also holds the 20% of questions kept back from the development copy.

    Parameters
    ----------
    {fetch_params}
    {frame_params}

    Returns
    -------
    bunch : sklearn.utils.Bunch
        As :func:`load_department_triage`, with ``data_source="download cache"``.
    (data, target) : tuple if ``return_X_y`` is True.

    Raises
    ------
    {fetch_raises}

    Examples
    --------
    >>> from skmedtext.datasets import fetch_department_triage
    >>> X, y = fetch_department_triage(return_X_y=True)  # doctest: +SKIP
    """
    locate = _fetcher(data_home, download_if_missing)
    frame, located = _load_frame(_SOURCE_FILE, _read_source_csv, locate)
    return _triage_bunch(frame, located, as_frame, return_X_y)


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
    frame, _ = _load_frame(_DATA_FILE, _read_csv, partial(_locate, data_home=data_home))
    cells = frame[list(columns)].to_numpy(dtype=object).ravel()
    return _object_array(s.strip() for s in cells if s.strip())
