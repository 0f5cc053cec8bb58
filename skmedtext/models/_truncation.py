"""Tokenise texts for a BERT-family encoder with plain or head+tail truncation.

``"head"`` keeps the first ``max_length`` tokens (special tokens included), the
tokenizer's own truncation. ``"head_tail"`` keeps the first quarter and the last
three quarters of the content-token budget, as Sun et al. (2019, "How to
Fine-Tune BERT for Text Classification?") found best for long documents (their
head-128 + tail-382 of 512): a medical abstract states its topic in the first
sentences and its conclusion in the last ones, and plain truncation drops the
conclusion of every abstract longer than the budget.
"""

import numpy as np

__all__ = ["HEAD_FRACTION", "head_tail_budget", "tokenize"]

#: share of the content-token budget kept from the start with ``"head_tail"``
HEAD_FRACTION = 0.25


def head_tail_budget(n_content):
    """Content tokens kept from the head and from the tail for a budget of ``n_content``."""
    head = int(n_content * HEAD_FRACTION)
    return head, n_content - head


def tokenize(tokenizer, texts, max_length, truncation="head", with_offsets=False):
    """Token ids (and character offsets) of ``texts``, at most ``max_length`` each.

    Parameters
    ----------
    tokenizer : transformers fast tokenizer
    texts : list of str
    max_length : int
        Tokens per text, special tokens included.
    truncation : {"head", "head_tail"}, default="head"
    with_offsets : bool, default=False
        Also return each token's ``(char_start, char_end)``; special tokens
        have ``(0, 0)``.

    Returns
    -------
    encoded : dict
        ``input_ids`` (list of lists) and, with ``with_offsets``,
        ``offset_mapping`` (list of lists of pairs).
    """
    if truncation == "head":
        return tokenizer(
            texts,
            truncation=True,
            max_length=max_length,
            return_offsets_mapping=with_offsets,
        )
    n_special = tokenizer.num_special_tokens_to_add(pair=False)
    head, tail = head_tail_budget(max_length - n_special)
    # the content tokens of a long text are cut below, so the length warning is moot
    full = tokenizer(
        texts, truncation=False, return_offsets_mapping=True, return_special_tokens_mask=True,
        verbose=False,
    )  # fmt: skip
    out = {"input_ids": [], "offset_mapping": []}
    for ids, offsets, special in zip(
        full["input_ids"], full["offset_mapping"], full["special_tokens_mask"]
    ):
        keep = _kept_positions(np.asarray(special, dtype=bool), head, tail)
        out["input_ids"].append([ids[i] for i in keep])
        out["offset_mapping"].append([tuple(offsets[i]) for i in keep])
    if not with_offsets:
        del out["offset_mapping"]
    return out


def _kept_positions(special, head, tail):
    """Positions kept: the special tokens and the first ``head`` + last ``tail`` others."""
    content = np.flatnonzero(~special)
    if content.size > head + tail:
        content = np.concatenate([content[:head], content[content.size - tail :]])
    return np.sort(np.concatenate([np.flatnonzero(special), content])).tolist()
