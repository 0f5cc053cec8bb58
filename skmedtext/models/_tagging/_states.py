"""Frozen transformer states for the RNN taggers' tokens (``embedding="transformer"``).

A tagger's tokens are characters (or jieba words) while a transformer reads
subword pieces, so the states are carried over through character offsets:

1. the text is cut into subword pieces with the tokenizer's offsets (pieces that
   own no character of their own are dropped, as in :class:`BertTagger`);
2. long texts are read in windows of ``max_length - 2`` pieces, each as
   ``[CLS] window [SEP]``, overlapping by ``overlap`` pieces; a piece takes its
   state from the window in which it lies furthest from an edge;
3. each character takes the last-layer state of the piece covering it (a
   character no piece covers, e.g. whitespace, gets zeros);
4. a tagger token (a character, or a word at ``level="word"``) is the mean of
   its characters' vectors.

The encoder runs once per distinct window: :class:`skmedtext.encoders.FrozenStack`
with every layer frozen caches the states across epochs, CV folds and grid
candidates.
"""

import numpy as np

from skmedtext.models._tagging._encoding import kept_pieces, merge_windows, window_bounds

__all__ = ["token_states"]


def _piece_windows(tokenizer, texts, max_length, overlap):
    """Per text: kept piece ids, their offsets, and the ``[CLS] ... [SEP]`` window rows."""
    encoded = tokenizer(
        list(texts), add_special_tokens=False, return_offsets_mapping=True, verbose=False
    )
    size = max_length - 2
    out = []
    for ids, offsets in zip(encoded["input_ids"], encoded["offset_mapping"]):
        kept = kept_pieces(offsets)
        ids = np.asarray(ids, dtype=np.int64)[kept]
        offsets = np.asarray(offsets, dtype=np.int64).reshape(-1, 2)[kept]
        bounds = window_bounds(ids.size, size, min(overlap, size - 1)) if ids.size else []
        rows = [
            np.concatenate([[tokenizer.cls_token_id], ids[s:e], [tokenizer.sep_token_id]])
            for s, e in bounds
        ]
        out.append((offsets, bounds, rows))
    return out


def token_states(texts, spans, tokenizer, stack, *, max_length, overlap, device, amp):
    """Frozen transformer vectors of each text's tagger tokens.

    Parameters
    ----------
    texts : list of str
    spans : list of (starts, ends)
        Per text, the character offsets of its tagger tokens.
    tokenizer : fast Hugging Face tokenizer
    stack : skmedtext.encoders.FrozenStack
        Over the whole encoder (``trainable_layers=0``): its output is the last layer.
    max_length : int
        Pieces per window, ``[CLS]`` and ``[SEP]`` included.
    overlap : int
        Pieces shared by consecutive windows.
    device : str
    amp : bool
        bf16 autocast for the encoder.

    Returns
    -------
    states : list of float32 arrays of shape (n_tokens, hidden)
    """
    layout = _piece_windows(tokenizer, texts, max_length, overlap)
    all_rows = [row for _, _, rows in layout for row in rows]
    values = stack.states(all_rows, device, amp) if all_rows else []
    hidden = int(stack.encoder.config.hidden_size)
    out, k = [], 0
    for text, (starts, ends), (offsets, bounds, rows) in zip(texts, spans, layout):
        chars = np.zeros((len(text) + 1, hidden), dtype=np.float32)
        if rows:
            windows = [values[k + i].float().numpy()[1:-1] for i in range(len(rows))]
            k += len(rows)
            pieces = merge_windows(windows, bounds, len(offsets))
            for (a, b), vector in zip(offsets, pieces):
                chars[a:b] = vector
        # a token's characters, or its own position when it has none (a normalised form)
        vectors = [chars[s:max(e, s + 1)].mean(axis=0) for s, e in zip(starts, ends)]
        out.append(np.asarray(vectors, dtype=np.float32).reshape(-1, hidden))
    return out
