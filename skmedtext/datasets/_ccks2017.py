"""Loader for CCKS 2017 Task 2, Chinese clinical named-entity recognition."""

import json

import numpy as np
import pandas as pd
from sklearn.utils import Bunch

from skmedtext.datasets._base import _check_subset, _locate, _read_cached, _read_descr

__all__ = ["CCKS2017_ENTITY_TYPES", "load_ccks2017_ner"]

_FILES = {
    "train": "ccks2017_ner_zh/ccks2017_train.jsonl",
    "test": "ccks2017_ner_zh/ccks2017_test.jsonl",
}

#: the five entity types, most frequent in the training file first
CCKS2017_ENTITY_TYPES = ("BODY", "CHECK", "SIGNS", "TREATMENT", "DISEASE")


def _read_jsonl(path):
    rows = []
    with open(path, encoding="utf-8") as handle:
        for line in handle:
            if line.strip():
                doc = json.loads(line)
                # tuples: the cache hands out shallow copies, so nothing in it may be mutable
                doc["spans"] = tuple((e["start"], e["end"], e["type"]) for e in doc["entities"])
                rows.append(doc)
    frame = pd.DataFrame(rows).drop(columns="entities")
    frame["spans"] = frame["spans"].astype(object)
    return frame


def load_ccks2017_ner(subset="train", *, data_home=None, return_X_y=False):
    """Load the CCKS 2017 Task 2 clinical NER corpus (character spans).

    1,198 training and 398 test documents (sections of Chinese discharge records)
    with 29,866 / 9,112 entity mentions of five types: BODY, CHECK, SIGNS,
    TREATMENT and DISEASE (``CCKS2017_ENTITY_TYPES``). Spans are character
    offsets into the text with an exclusive end (``text[start:end]`` is the
    mention); none overlap. The test gold entities are the source repository's
    ``final_gold_truth.csv`` (9,112 mentions; the published CCKS count is 9,493,
    so scores here are close to, not identical with, published ones).

    Parameters
    ----------
    subset : {"train", "test", "all"}, default="train"
        The official split; ``"all"`` concatenates train then test.
    data_home : str or path-like, default=None
        Folder holding ``ccks2017_ner_zh/``. See :func:`get_data_home`. This
        corpus has no packaged copy.
    return_X_y : bool, default=False
        If True, return ``(data, target)`` instead of a Bunch.

    Returns
    -------
    bunch : sklearn.utils.Bunch
        ``data`` list of str (the texts); ``target`` list (one per text) of
        lists of ``(start, end, type)`` tuples, sorted by start; ``target_names``
        the entity types; ``sections`` object array (general / history /
        treatment_course / discharge); ``ids`` and ``records``; ``subset`` the
        split of each document; ``frame`` a DataFrame with every field of the
        files; ``DESCR``; ``filename`` (the files read, comma-separated);
        ``data_source``.
    (data, target) : tuple if ``return_X_y`` is True.

    Raises
    ------
    FileNotFoundError
        If a file is not found; the message lists every place searched.
    ValueError
        If ``subset`` is unknown.

    Examples
    --------
    >>> from skmedtext.datasets import load_ccks2017_ner
    >>> X, y = load_ccks2017_ner(return_X_y=True)  # doctest: +SKIP
    >>> X[1][16:19], y[1][0]  # doctest: +SKIP
    ('上腹部', (16, 19, 'BODY'))
    """
    frames, located = [], []
    for split in _check_subset(subset, tuple(_FILES)):
        path, source = _locate(_FILES[split], data_home)
        frame = _read_cached(path, _read_jsonl)
        frame.insert(0, "subset", split)
        frames.append(frame)
        located.append((path, source))
    frame = pd.concat(frames, ignore_index=True)
    data = frame["text"].tolist()
    target = [sorted(spans) for spans in frame["spans"]]
    if return_X_y:
        return data, target
    return Bunch(
        data=data,
        target=target,
        target_names=np.asarray(CCKS2017_ENTITY_TYPES, dtype=object),
        sections=frame["section"].to_numpy(dtype=object),
        ids=frame["id"].to_numpy(dtype=object),
        records=frame["record"].to_numpy(),
        subset=frame["subset"].to_numpy(dtype=object),
        frame=frame,
        DESCR=_read_descr(located[0][0], _NOTES, located[0][1]),
        filename=", ".join(str(path) for path, _ in located),
        data_source=located[0][1],
    )


_NOTES = """
- `data`: the `text` field of every document, in file order (train before test for
  `subset="all"`).
- `target`: per document, the `(start, end, type)` tuples of its `entities`
  (end exclusive, sorted by start). Convert them to per-character BIO tags with
  `skmedtext.metrics.spans_to_bio`.
- `sections`, `ids`, `records`, `subset`: per-document fields; `frame` holds all of
  them (with `spans`).
"""
