"""Entity spans: BIO conversion, validation and entity-level precision/recall/F1.

A document's entities are ``(start, end, type)`` tuples over its characters,
``end`` exclusive (``text[start:end]`` is the mention), without overlap. Two
matchings are scored, and every number says which one it uses:

- **strict**: a predicted entity is correct when a gold entity has exactly the
  same start, end and type (CoNLL / seqeval / the CCKS 2017 official
  "strict" score). True positives are the same for precision and recall.
- **relaxed**: a predicted entity is correct when it overlaps (shares at least
  one character with) a gold entity of the same type; a gold entity is found when
  a predicted entity of its type overlaps it. Precision is the share of predicted
  entities that are correct, recall the share of gold entities that are found
  (the CCKS 2017 "relaxed" score; matching is not one-to-one, so one long
  prediction covering two gold mentions finds both).

Micro averages pool the counts of every type; macro averages are unweighted means
of the per-type precision, recall and F1 (the F1 of the macro row is the mean of
the per-type F1s, as in scikit-learn). A ratio with a zero denominator is 0.
"""

import numbers
from collections import defaultdict

import numpy as np
import pandas as pd
from sklearn.metrics import make_scorer

__all__ = [
    "bio_to_spans",
    "check_spans",
    "entity_comparison_table",
    "entity_f1_score",
    "entity_report",
    "entity_scores",
    "make_span_scorer",
    "span_f1_scorer",
    "spans_to_bio",
]

_MATCHINGS = ("strict", "relaxed")
_AVERAGES = ("micro", "macro")


# -- validation and conversion -------------------------------------------------------------
def check_spans(spans, length=None, *, document=None):
    """Validate one document's entity spans; return them as sorted ``(int, int, str)`` tuples.

    Parameters
    ----------
    spans : sequence of (start, end, type)
        ``end`` exclusive. Lists and tuples are accepted.
    length : int or str, optional
        The document's length (or the text itself): spans must lie in
        ``[0, length]``.
    document : int, optional
        Position of the document, named in error messages.

    Returns
    -------
    spans : list of tuple
        Sorted by start.

    Raises
    ------
    ValueError
        If a span is not a ``(start, end, type)`` triple of two integers and a
        non-empty string, is empty or reversed (``end <= start``), lies outside
        the text, or overlaps another span (nested entities are not supported).
    """
    where = "" if document is None else f" in document {document}"
    if isinstance(spans, (str, bytes)) or not hasattr(spans, "__iter__"):
        raise ValueError(f"entities{where} must be a list of (start, end, type); got {spans!r}.")
    length = len(length) if isinstance(length, str) else length
    out = []
    for span in spans:
        if isinstance(span, (str, bytes)) or not hasattr(span, "__len__") or len(span) != 3:
            raise ValueError(f"entity {span!r}{where} is not a (start, end, type) triple.")
        start, end, kind = span
        if not all(
            isinstance(v, numbers.Integral) and not isinstance(v, bool) for v in (start, end)
        ):
            raise ValueError(f"entity {span!r}{where}: start and end must be integers.")
        if not isinstance(kind, str) or not kind:
            raise ValueError(f"entity {span!r}{where}: the type must be a non-empty string.")
        if not 0 <= start < end or (length is not None and end > length):
            bound = "" if length is None else f" of a text of length {length}"
            raise ValueError(
                f"entity {span!r}{where} is out of range: need 0 <= start < end{bound} "
                "(end exclusive)."
            )
        out.append((int(start), int(end), kind))
    out.sort()
    for previous, current in zip(out, out[1:]):
        if current[0] < previous[1]:
            raise ValueError(
                f"entities {previous!r} and {current!r}{where} overlap; nested or overlapping "
                "entities cannot be written as BIO tags."
            )
    return out


def spans_to_bio(spans, length):
    """Per-character BIO tags of one document.

    Parameters
    ----------
    spans : sequence of (start, end, type)
        Checked with :func:`check_spans`.
    length : int or str
        The number of characters (or the text).

    Returns
    -------
    tags : list of str
        ``"B-TYPE"`` on an entity's first character, ``"I-TYPE"`` on the others,
        ``"O"`` elsewhere.

    Examples
    --------
    >>> from skmedtext.metrics import spans_to_bio
    >>> spans_to_bio([(1, 3, "BODY")], "右髋部痛")
    ['O', 'B-BODY', 'I-BODY', 'O']
    """
    length = len(length) if isinstance(length, str) else length
    tags = ["O"] * length
    for start, end, kind in check_spans(spans, length):
        tags[start] = f"B-{kind}"
        tags[start + 1 : end] = [f"I-{kind}"] * (end - start - 1)
    return tags


def _split_tag(tag, position, where):
    if tag == "O":
        return "O", None
    if isinstance(tag, str) and len(tag) > 2 and tag[:2] in ("B-", "I-"):
        return tag[0], tag[2:]
    raise ValueError(
        f"unknown BIO tag {tag!r} at position {position}{where}; tags must be 'O', "
        "'B-<type>' or 'I-<type>'."
    )


def bio_to_spans(tags, *, strict=False, document=None):
    """Entity spans read back from per-character (or per-token) BIO tags.

    Parameters
    ----------
    tags : sequence of str
        ``"O"``, ``"B-TYPE"`` or ``"I-TYPE"`` per position.
    strict : bool, default=False
        What an ``I-TYPE`` that does not continue an entity of the same type
        (after ``O``, at the start, or after another type) means. False: it
        starts a new entity, as conlleval and seqeval's default mode read it.
        True: raise a ``ValueError``.
    document : int, optional
        Position of the document, named in error messages.

    Returns
    -------
    spans : list of (start, end, type)
        ``end`` exclusive, sorted by start.

    Raises
    ------
    ValueError
        On a tag that is not ``O``/``B-*``/``I-*``, or on a dangling ``I-`` when
        ``strict``.

    Examples
    --------
    >>> from skmedtext.metrics import bio_to_spans
    >>> bio_to_spans(["O", "B-BODY", "I-BODY", "I-SIGNS"])
    [(1, 3, 'BODY'), (3, 4, 'SIGNS')]
    """
    where = "" if document is None else f" in document {document}"
    spans, start, current = [], None, None
    for i, tag in enumerate(tags):
        prefix, kind = _split_tag(tag, i, where)
        if prefix == "I" and kind == current:
            continue
        if prefix == "I" and strict:
            raise ValueError(
                f"tag {tag!r} at position {i}{where} continues no {kind} entity "
                "(strict=True); use strict=False to read it as the start of one."
            )
        if current is not None:
            spans.append((start, i, current))
        start, current = (i, kind) if prefix in ("B", "I") else (None, None)
    if current is not None:
        spans.append((start, len(tags), current))
    return spans


def _is_tag_sequence(doc):
    return any(isinstance(item, str) for item in doc)


def _as_span_lists(y, name):
    """Span lists from ``y``: per document a span list or a BIO tag list."""
    if isinstance(y, (str, bytes)) or not hasattr(y, "__len__"):
        raise ValueError(f"{name} must be a list with one entry per document; got {y!r}.")
    out = []
    for i, doc in enumerate(y):
        if _is_tag_sequence(doc):
            out.append(bio_to_spans(doc, document=i))
        else:
            out.append(check_spans(doc, document=i))
    return out


# -- counting ----------------------------------------------------------------------------------
def _overlaps(span, others):
    return sum(1 for other in others if span[0] < other[1] and other[0] < span[1]) > 0


def _count(gold_docs, pred_docs, matching):
    """Per type: [gold, predicted, correct predictions, found gold]."""
    counts = defaultdict(lambda: np.zeros(4, dtype=np.int64))
    for gold, pred in zip(gold_docs, pred_docs):
        by_type = defaultdict(lambda: ([], []))
        for span in gold:
            by_type[span[2]][0].append(span)
        for span in pred:
            by_type[span[2]][1].append(span)
        for kind, (g, p) in by_type.items():
            if matching == "strict":
                hits = len(set(g) & set(p))
                counts[kind] += (len(g), len(p), hits, hits)
            else:
                correct = sum(_overlaps(s, g) for s in p)
                found = sum(_overlaps(s, p) for s in g)
                counts[kind] += (len(g), len(p), correct, found)
    return counts


def _ratio(num, den):
    return float(num) / den if den else 0.0


def _prf(gold, pred, correct, found):
    precision, recall = _ratio(correct, pred), _ratio(found, gold)
    f1 = _ratio(2 * precision * recall, precision + recall)
    return precision, recall, f1


def _check_choice(name, value, allowed):
    if value not in allowed:
        raise ValueError(f"{name} must be one of {allowed}; got {value!r}.")


def entity_scores(y_true, y_pred, *, matching="strict", types=None):
    """Entity-level precision, recall and F1 per type, with micro and macro averages.

    Parameters
    ----------
    y_true, y_pred : list of documents
        Per document a list of ``(start, end, type)`` spans or a list of BIO
        tags (both forms may be mixed; tags are read with :func:`bio_to_spans`).
    matching : {"strict", "relaxed"}, default="strict"
        Exact span and type, or overlap and type (see the module docstring).
    types : sequence of str, optional
        Types to report, in this order (and to macro-average over). Default:
        every type in ``y_true`` or ``y_pred``, most frequent in ``y_true`` first.

    Returns
    -------
    scores : pandas.DataFrame
        Index: the types, then ``"micro avg"`` and ``"macro avg"``. Columns:
        ``precision``, ``recall``, ``f1`` (fractions in [0, 1]), ``support``
        (gold entities), ``predicted`` (predicted entities). ``attrs["matching"]``
        records the matching.

    Examples
    --------
    >>> from skmedtext.metrics import entity_scores
    >>> gold = [[(0, 2, "BODY"), (3, 5, "SIGNS")]]
    >>> pred = [[(0, 2, "BODY"), (3, 4, "SIGNS")]]
    >>> entity_scores(gold, pred)["f1"].round(3).to_dict()
    {'BODY': 1.0, 'SIGNS': 0.0, 'micro avg': 0.5, 'macro avg': 0.5}
    >>> float(entity_scores(gold, pred, matching="relaxed").loc["micro avg", "f1"])
    1.0
    """
    _check_choice("matching", matching, _MATCHINGS)
    gold_docs, pred_docs = _as_span_lists(y_true, "y_true"), _as_span_lists(y_pred, "y_pred")
    if len(gold_docs) != len(pred_docs):
        raise ValueError(
            f"y_true and y_pred must hold the same number of documents; got {len(gold_docs)} "
            f"and {len(pred_docs)}."
        )
    counts = _count(gold_docs, pred_docs, matching)
    if types is None:
        types = sorted(counts, key=lambda kind: (-counts[kind][0], kind))
    types = list(types)
    rows = {}
    for kind in types:
        c = counts.get(kind, np.zeros(4, dtype=np.int64))
        rows[kind] = (*_prf(*c), int(c[0]), int(c[1]))
    total = sum((counts.get(kind, np.zeros(4, dtype=np.int64)) for kind in types), np.zeros(4))
    rows["micro avg"] = (*_prf(*total), int(total[0]), int(total[1]))
    per_type = np.array([rows[kind][:3] for kind in types]) if types else np.zeros((1, 3))
    rows["macro avg"] = (*per_type.mean(axis=0), int(total[0]), int(total[1]))
    frame = pd.DataFrame.from_dict(
        rows, orient="index", columns=["precision", "recall", "f1", "support", "predicted"]
    )
    frame.attrs["matching"] = matching
    return frame


def entity_f1_score(y_true, y_pred, *, matching="strict", average="micro"):
    """Entity-level F1 (one number) for :func:`make_span_scorer` and ``scoring=``.

    Parameters
    ----------
    y_true, y_pred : list of documents
        Span lists or BIO tag lists, as in :func:`entity_scores`.
    matching : {"strict", "relaxed"}, default="strict"
    average : {"micro", "macro"}, default="micro"

    Returns
    -------
    f1 : float
    """
    _check_choice("average", average, _AVERAGES)
    return float(entity_scores(y_true, y_pred, matching=matching).loc[f"{average} avg", "f1"])


def make_span_scorer(matching="strict", average="micro"):
    """A scikit-learn scorer of entity F1 for ``GridSearchCV(scoring=...)``.

    It calls the tagger's ``predict`` (span lists) and scores them against the
    held-out ``y`` (span or BIO lists) with :func:`entity_f1_score`.

    Examples
    --------
    >>> from skmedtext.metrics import make_span_scorer
    >>> relaxed_macro = make_span_scorer("relaxed", "macro")
    """
    _check_choice("matching", matching, _MATCHINGS)
    _check_choice("average", average, _AVERAGES)
    return make_scorer(entity_f1_score, matching=matching, average=average)


#: strict micro entity F1 scorer (exact span and type, all types pooled)
span_f1_scorer = make_span_scorer()


# -- tables in the papers' layout ---------------------------------------------------------------
def entity_report(y_true, y_pred, *, model="model", matching="strict", types=None, digits=2):
    """Per-type table in the layout of paper 000's Table 7 (percentages).

    Parameters
    ----------
    y_true, y_pred : list of documents
    model : str, default="model"
        Written in the ``Model`` column of the first row.
    matching : {"strict", "relaxed"}, default="strict"
    types : sequence of str, optional
    digits : int, default=2

    Returns
    -------
    table : pandas.DataFrame
        Columns ``Model``, ``Types``, ``Precision``, ``Recall``, ``F-score``,
        ``Support``; one row per type, then the micro and macro averages.
        ``attrs["matching"]`` records the matching; ``to_markdown``-ready.
    """
    scores = entity_scores(y_true, y_pred, matching=matching, types=types)
    table = pd.DataFrame(
        {
            "Model": [model] + [""] * (len(scores) - 1),
            "Types": scores.index,
            "Precision": (100 * scores["precision"]).round(digits).to_numpy(),
            "Recall": (100 * scores["recall"]).round(digits).to_numpy(),
            "F-score": (100 * scores["f1"]).round(digits).to_numpy(),
            "Support": scores["support"].to_numpy(),
        }
    )
    table.attrs["matching"] = matching
    return table


def entity_comparison_table(y_true, predictions, *, matching="strict", average="micro", digits=2):
    """Model comparison in the layout of paper 000's Table 8 (percentages).

    Parameters
    ----------
    y_true : list of documents
    predictions : dict of str -> list of documents
        Each model's predictions for the same documents.
    matching : {"strict", "relaxed"}, default="strict"
    average : {"micro", "macro"}, default="micro"
    digits : int, default=2

    Returns
    -------
    table : pandas.DataFrame
        Columns ``Model``, ``Precision``, ``Recall``, ``F1 score``.
    """
    _check_choice("average", average, _AVERAGES)
    rows = []
    for name, y_pred in predictions.items():
        row = entity_scores(y_true, y_pred, matching=matching).loc[f"{average} avg"]
        rows.append(
            [name, *(round(100 * float(row[k]), digits) for k in ("precision", "recall", "f1"))]
        )
    table = pd.DataFrame(rows, columns=["Model", "Precision", "Recall", "F1 score"])
    table.attrs.update(matching=matching, average=average)
    return table
