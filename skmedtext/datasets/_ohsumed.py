"""Loader and fetcher for Ohsumed-23 (MEDLINE abstracts, 23 MeSH disease classes)."""

from functools import partial

import numpy as np
import pandas as pd
from sklearn.utils import Bunch

from skmedtext.datasets._base import (
    _check_subset,
    _fill_doc,
    _join_text_columns,
    _load_frame,
    _locate,
    _make_bunch,
)
from skmedtext.datasets._fetch import _fetcher

__all__ = ["drop_medical_abstracts_overlap", "fetch_ohsumed23", "load_ohsumed23"]

_SPLITS = ("train", "test")
_STAGED_FILE = "ohsumed23_en/ohsumed23.csv.gz"
_INDEX_FILE = "ohsumed23_en/ohsumed.txt"
_CORPUS_FILE = "ohsumed23_en/corpus_ohsumed.txt"
_OVERLAP = "in_medical_abstracts_dev"

#: MeSH "C" category names of the 23 classes (Text GCN's ohsumed_single_23 folders)
OHSUMED23_CATEGORIES = {
    "C01": "Bacterial Infections and Mycoses", "C02": "Virus Diseases",
    "C03": "Parasitic Diseases", "C04": "Neoplasms", "C05": "Musculoskeletal Diseases",
    "C06": "Digestive System Diseases", "C07": "Stomatognathic Diseases",
    "C08": "Respiratory Tract Diseases", "C09": "Otorhinolaryngologic Diseases",
    "C10": "Nervous System Diseases", "C11": "Eye Diseases",
    "C12": "Urologic and Male Genital Diseases",
    "C13": "Female Genital Diseases and Pregnancy Complications",
    "C14": "Cardiovascular Diseases", "C15": "Hemic and Lymphatic Diseases",
    "C16": "Neonatal Diseases and Abnormalities", "C17": "Skin and Connective Tissue Diseases",
    "C18": "Nutritional and Metabolic Diseases", "C19": "Endocrine Diseases",
    "C20": "Immunologic Diseases", "C21": "Disorders of Environmental Origin",
    "C22": "Animal Diseases", "C23": "Pathological Conditions, Signs and Symptoms",
}  # fmt: skip

_NOTES = """
- `data`: `title` + "\\n" + `abstract` (the README's title + " " + abstract, with the
  package's field separator). `target`: the MeSH code C01..C23; `target_names` the
  23 codes in order, `category_names` their names.
- `frame`: the file's columns plus `text` and `target`; `in_medical_abstracts_dev`
  marks the abstracts shared with Medical Abstracts (see
  `drop_medical_abstracts_overlap`).
"""

_FETCH_NOTES = """
- The original Text GCN split (7,400 documents: 3,357 train, 4,043 test), including
  the 141 documents the staged copy removes. `data`: the document as Text GCN's
  `data/corpus/ohsumed.txt` holds it (title and abstract on one line).
- `target`: the MeSH code C01..C23; `target_names` the codes, `category_names` names.
- `frame`: `doc_id`, `split`, `label`, `label_name`, `text`, `target` (no overlap flag).
"""


def _read_staged(path):
    return pd.read_csv(path, dtype={"doc_id": str}, keep_default_na=False)


def _read_index(path):
    return pd.read_csv(path, sep="\t", header=None, names=["path", "split", "label"], dtype=str)


def _read_lines(path):
    with open(path, encoding="utf-8", errors="replace") as handle:
        return pd.Series(handle.read().rstrip("\n").split("\n"), dtype=object)


def _ohsumed_bunch(frame, located, notes, subset, as_frame, return_X_y):
    frame = frame[frame["split"].isin(_check_subset(subset, _SPLITS))].reset_index(drop=True)
    frame["target"] = frame["label"].astype(object)
    codes = sorted(OHSUMED23_CATEGORIES)
    return _make_bunch(
        frame,
        located,
        notes,
        target_names=codes,
        as_frame=as_frame,
        return_X_y=return_X_y,
        category_names=np.asarray([OHSUMED23_CATEGORIES[c] for c in codes], dtype=object),
    )


@_fill_doc
def load_ohsumed23(*, subset="train", data_home=None, as_frame=False, return_X_y=False):
    """Load Ohsumed-23: MEDLINE 1991 abstracts in 23 MeSH disease categories.

    The single-label Text GCN split (Yao et al., AAAI 2019), staged with 141
    documents removed: 3,292 train and 3,967 test abstracts, 23 classes (563:9 =
    62.6:1 in train). 664 abstracts (train 300, test 364) also appear in the
    Medical Abstracts development file; ``frame["in_medical_abstracts_dev"]`` marks
    them and :func:`drop_medical_abstracts_overlap` removes them.

    Parameters
    ----------
    subset : {{"train", "test", "all"}}, default="train"
        Which official split; ``"all"`` keeps both (file order).
    data_home : str or path-like, default=None
        Folder holding ``ohsumed23_en/``. See :func:`get_data_home`.
    {frame_params}

    Returns
    -------
    bunch : sklearn.utils.Bunch
        ``data`` (title + newline + abstract), ``target`` the MeSH code,
        ``target_names`` the 23 codes, ``category_names`` their names, ``frame``,
        ``DESCR``, ``filename``, ``data_source``.
    (data, target) : tuple if ``return_X_y`` is True.

    Raises
    ------
    {load_raises}

    Examples
    --------
    >>> from skmedtext.datasets import load_ohsumed23, drop_medical_abstracts_overlap
    >>> test = drop_medical_abstracts_overlap(load_ohsumed23(subset="test"))  # doctest: +SKIP
    >>> test.data.shape  # doctest: +SKIP
    (3603,)
    """
    _check_subset(subset, _SPLITS)
    locate = partial(_locate, data_home=data_home)
    frame, located = _load_frame(_STAGED_FILE, _read_staged, locate)
    frame["text"] = _join_text_columns(frame, ("title", "abstract"))
    return _ohsumed_bunch(frame, located, _NOTES, subset, as_frame, return_X_y)


@_fill_doc
def fetch_ohsumed23(
    *, subset="train", data_home=None, download_if_missing=True, as_frame=False, return_X_y=False
):
    """Download (once) and load the original Ohsumed-23 split of Text GCN (7,400 docs).

    ``data/ohsumed.txt`` (document, split, label; SHA-256 pinned) and
    ``data/corpus/ohsumed.txt`` (one document per line; its SHA-256 could not be
    computed when this was written, so the first download is pinned and reported)
    of yao8839836/text_gcn at commit 9622236. Unlike :func:`load_ohsumed23` this
    keeps the 141 documents the staged copy removed and has no overlap flag.

    Parameters
    ----------
    subset : {{"train", "test", "all"}}, default="train"
        Which official split.
    {fetch_params}
    {frame_params}

    Returns
    -------
    bunch : sklearn.utils.Bunch
        As :func:`load_ohsumed23`, with ``data_source="download cache"``.
    (data, target) : tuple if ``return_X_y`` is True.

    Raises
    ------
    {fetch_raises}
    """
    _check_subset(subset, _SPLITS)
    locate = _fetcher(data_home, download_if_missing)
    index, located = _load_frame(_INDEX_FILE, _read_index, locate)
    texts, _ = _load_frame(_CORPUS_FILE, _read_lines, locate)
    if len(texts) != len(index):
        raise ValueError(
            f"{_CORPUS_FILE} has {len(texts)} lines but {_INDEX_FILE} lists {len(index)} "
            "documents; delete both from the download cache and fetch again."
        )
    frame = index.assign(
        doc_id=index["path"].str.rsplit("/", n=1).str[-1],
        label_name=index["label"].map(OHSUMED23_CATEGORIES),
        text=texts.str.strip().to_numpy(),
    )[["doc_id", "split", "label", "label_name", "text"]]
    return _ohsumed_bunch(frame, located, _FETCH_NOTES, subset, as_frame, return_X_y)


def drop_medical_abstracts_overlap(bunch):
    """Drop the Ohsumed-23 rows whose abstract is also in Medical Abstracts.

    The two corpora share MEDLINE 1991 abstracts (664 in the staged Ohsumed-23).
    Drop them whenever a model trained on one corpus is scored on the other.

    Parameters
    ----------
    bunch : sklearn.utils.Bunch
        A Bunch from :func:`load_ohsumed23` (any ``subset`` and ``as_frame``).

    Returns
    -------
    bunch : sklearn.utils.Bunch
        A new Bunch with ``data``, ``target`` and ``frame`` restricted to the rows
        where ``in_medical_abstracts_dev`` is False; the other fields are shared.

    Raises
    ------
    ValueError
        If ``bunch.frame`` has no ``in_medical_abstracts_dev`` column (e.g. the
        fetched original split).

    Examples
    --------
    >>> from skmedtext.datasets import load_ohsumed23, drop_medical_abstracts_overlap
    >>> train = drop_medical_abstracts_overlap(load_ohsumed23())  # doctest: +SKIP
    >>> len(train.target)  # doctest: +SKIP
    2992
    """
    frame = getattr(bunch, "frame", None)
    if frame is None or _OVERLAP not in frame:
        raise ValueError(
            f"bunch.frame has no {_OVERLAP!r} column; pass the Bunch of load_ohsumed23()."
        )
    keep = ~frame[_OVERLAP].to_numpy(dtype=bool)
    out = Bunch(**bunch)
    out.frame = frame[keep]
    out.data = bunch.data[keep]
    out.target = bunch.target[keep]
    return out
