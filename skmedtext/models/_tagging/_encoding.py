"""Characters, tokens and windows: how a tagger's targets and outputs map to the text.

Every tagger labels *tokens* (characters, jieba words or transformer subwords)
while its targets and outputs are *character* spans. A token covers the
characters ``[start, end)`` of the text; a token's training tag is ``B-X`` when an
entity of type X begins inside it, else the tag of its first character (``I-X``
or ``O``); a predicted token entity covers its first token's start to its last
token's end. Characters no token covers (whitespace) get ``O``. Long token
sequences are cut into overlapping windows whose per-token scores are merged back
(each position takes the window in which it lies furthest from an edge).

With ``split_sentences=True`` a tagger first cuts each text into *pieces* after
sentence ends (:data:`SENTENCE_ENDS`) and tags every piece as a text of its own;
the pieces are contiguous, cover the text exactly and their spans are shifted
back by the piece's start.
"""

import re

import numpy as np

from skmedtext.metrics import bio_to_spans, check_spans, spans_to_bio

__all__ = [
    "IGNORE_INDEX",
    "SENTENCE_ENDS",
    "char_tag_indices",
    "join_piece_spans",
    "merge_windows",
    "sentence_pieces",
    "tag_names",
    "target_spans",
    "token_offsets",
    "token_spans_to_chars",
    "token_tags",
    "window_bounds",
]

#: padding of the per-token targets (torch's cross-entropy ``ignore_index``)
IGNORE_INDEX = -100

#: characters after which a sentence piece ends (a run of them stays in one piece);
#: the split most CCKS 2017 BiLSTM-CRF code trains on. Not "." or ",": they sit
#: inside numbers ("36.5", "1,000") and enumerations ("1.").
SENTENCE_ENDS = "。；！？;!?\n\r"
_SENTENCE_END_RUN = re.compile("[" + re.escape(SENTENCE_ENDS) + "]+")


def sentence_pieces(text, spans=()):
    """``[(start, end), ...]``: the contiguous pieces of ``text``, cut after sentence ends.

    A cut that would fall inside one of ``spans`` (gold entities at fit time) is
    skipped, so no entity is ever split between pieces. An empty text is one
    empty piece.
    """
    inside = np.zeros(len(text) + 1, dtype=bool)
    for start, end, _ in spans:
        inside[start + 1 : end] = True  # a cut at c splits an entity when start < c < end
    pieces, start = [], 0
    for match in _SENTENCE_END_RUN.finditer(text):
        cut = match.end()
        if cut < len(text) and not inside[cut]:
            pieces.append((start, cut))
            start = cut
    pieces.append((start, len(text)))
    return pieces


def join_piece_spans(piece_spans, offsets, owners, n_texts):
    """Per text, the spans of its pieces shifted to the text's characters (in order)."""
    out = [[] for _ in range(n_texts)]
    for spans, offset, owner in zip(piece_spans, offsets, owners):
        out[owner].extend((int(s + offset), int(e + offset), kind) for s, e, kind in spans)
    return out


def target_spans(X, y, estimator_name):
    """Per document the validated ``(start, end, type)`` spans of ``y`` (spans or BIO tags)."""
    if isinstance(y, (str, bytes)) or not hasattr(y, "__len__"):
        raise ValueError(
            f"{estimator_name}: y must be a list with one entry per text (a list of "
            f"(start, end, type) spans or of per-character BIO tags); got {type(y).__name__}."
        )
    if len(y) != len(X):
        raise ValueError(
            f"{estimator_name}: X and y must have the same length; got {len(X)} texts and "
            f"{len(y)} targets."
        )
    out = []
    for i, (text, doc) in enumerate(zip(X, y)):
        if any(isinstance(tag, str) for tag in doc):
            if len(doc) != len(text):
                raise ValueError(
                    f"{estimator_name}: document {i} has {len(doc)} BIO tags for {len(text)} "
                    "characters; give one tag per character."
                )
            out.append(bio_to_spans(doc, document=i))
        else:
            out.append(check_spans(doc, len(text), document=i))
    return out


def tag_names(spans):
    """The BIO tags of the entity types of ``spans``, sorted (``B-*``, ``I-*``, then ``O``).

    Sorted like every classifier's ``classes_`` (``np.unique``), which
    :mod:`skmedtext.persistence` relies on.
    """
    kinds = {kind for doc in spans for _, _, kind in doc}
    return sorted(["O"] + [f"{p}-{kind}" for kind in kinds for p in ("B", "I")])


def char_tag_indices(spans, length, index):
    """Per-character tag indices of one document (``index`` maps tag name -> index)."""
    return np.array([index[t] for t in spans_to_bio(spans, length)], dtype=np.int64)


def token_offsets(text, tokens):
    """``(starts, ends)`` character offsets of ``tokens`` found in order in ``text``.

    A token the text does not contain verbatim (a normalised form) takes the one
    character after the previous token, so every token keeps a position.
    """
    starts, ends, pos = [], [], 0
    for token in tokens:
        found = text.find(token, pos)
        if found < 0:
            found, size = min(pos, max(len(text) - 1, 0)), 1
        else:
            size = len(token)
        starts.append(found)
        ends.append(min(found + size, len(text)))
        pos = ends[-1]
    return np.asarray(starts, dtype=np.int64), np.asarray(ends, dtype=np.int64)


def token_tags(char_tags, starts, ends, begins):
    """Token tag indices from character tag indices (see the module docstring).

    ``begins`` is the boolean per-tag-index array of the ``B-`` tags.
    """
    out = np.empty(len(starts), dtype=np.int64)
    for k, (s, e) in enumerate(zip(starts, ends)):
        segment = char_tags[s:e]
        first_b = np.flatnonzero(begins[segment])
        out[k] = segment[first_b[0]] if first_b.size else segment[0]
    return out


def token_spans_to_chars(token_spans, starts, ends):
    """Character spans of entities given as token-index spans."""
    return [(int(starts[s]), int(ends[e - 1]), kind) for s, e, kind in token_spans]


def kept_pieces(offsets):
    """Indices of the subword pieces that own characters no later piece also covers.

    Drops pieces without characters and pieces whose characters the next piece
    covers too (a SentencePiece ``"▁"`` sharing its character with the next piece).
    """
    offsets = np.asarray(offsets, dtype=np.int64).reshape(-1, 2)
    keep = offsets[:, 1] > offsets[:, 0]
    nxt = np.vstack([offsets[1:], [[-1, -1]]])
    covered = (nxt[:, 0] <= offsets[:, 0]) & (offsets[:, 1] <= nxt[:, 1]) & (nxt[:, 0] >= 0)
    return np.flatnonzero(keep & ~covered)


def window_bounds(n, size, overlap):
    """``[(start, end), ...]`` windows of at most ``size`` positions covering ``range(n)``.

    Consecutive windows share ``overlap`` positions; the last one ends at ``n``.
    """
    if n <= size:
        return [(0, n)]
    step = max(1, size - overlap)
    starts = list(range(0, n - size, step)) + [n - size]
    return [(s, s + size) for s in starts]


def merge_windows(scores, bounds, n):
    """Per-position scores of a whole sequence from its windows' ``(len, C)`` scores.

    Each position takes the window in which it lies furthest from an edge, so a
    token always sees as much context as the windows offer.
    """
    out = np.zeros((n, scores[0].shape[-1]), dtype=scores[0].dtype)
    best = np.full(n, -1)
    for window, (s, e) in zip(scores, bounds):
        pos = np.arange(s, e)
        margin = np.minimum(pos - s, e - 1 - pos)
        better = margin > best[s:e]
        out[pos[better]] = window[: e - s][better]
        best[s:e] = np.maximum(best[s:e], margin)
    return out
