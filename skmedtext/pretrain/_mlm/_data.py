"""The training data of MLM pretraining: the tokenised corpus as a table, and its batches.

The corpus is tokenised once into a padded ``(n, max_length)`` table; a step's
rows and masks are then pure functions of ``(seed, step)``, which is what lets a
resumed run reproduce an uninterrupted one.
"""

import math
import warnings

import numpy as np

from skmedtext.utils import round_up

__all__ = ["Batcher", "build_sequences", "step_seed"]


def _jieba_word_ids(document, offsets):
    """Index of the jieba word each token starts in (the same id = one word)."""
    import jieba

    char_word = np.zeros(len(document) + 1, dtype=np.int64)
    for k, (_, start, end) in enumerate(jieba.tokenize(document)):
        char_word[start:end] = k
    starts = np.array([s for s, _ in offsets], dtype=np.int64).reshape(-1)
    return char_word[np.minimum(starts, len(document))]


def _encode(documents, tokenizer, wwm, chunk=4096):
    """Token ids (and jieba word ids) of every document, without special tokens."""
    if wwm:
        import jieba

        jieba.setLogLevel(60)  # no "Building prefix dict" chatter
    ids, words = [], []
    for begin in range(0, len(documents), chunk):
        batch = documents[begin : begin + chunk]
        enc = tokenizer(
            batch,
            add_special_tokens=False,
            return_attention_mask=False,
            return_token_type_ids=False,
            return_offsets_mapping=bool(wwm),
            verbose=False,
        )
        for k, doc in enumerate(batch):
            ids.append(np.asarray(enc["input_ids"][k], dtype=np.int32))
            if wwm:
                words.append(_jieba_word_ids(doc, enc["offset_mapping"][k]))
    return ids, (words if wwm else None)


def build_sequences(documents, tokenizer, max_length, packing, wwm):
    """Tokenise once and lay the corpus out as a padded ``(n, max_length)`` table.

    Returns a dict with ``ids`` (int32), ``special`` (bool: [CLS]/[SEP]/padding,
    never masked), ``lengths`` and, for whole-word masking, ``words`` (int64 word
    ids, -1 on special positions; equal ids = one word).
    """
    ids, words = _encode(documents, tokenizer, wwm)
    cls_id, sep_id, pad_id = tokenizer.cls_token_id, tokenizer.sep_token_id, tokenizer.pad_token_id
    if cls_id is None or sep_id is None:
        raise ValueError("the tokenizer needs [CLS] and [SEP] (or <s> and </s>) tokens.")
    body = max_length - 1 if packing else max_length - 2
    rows = []  # (ids, words) of each sequence body, without [CLS] (and [SEP] when not packed)
    if packing:
        stream = np.concatenate([np.append(x, sep_id) for x in ids])
        wstream = None
        if wwm:
            offset, parts = 0, []
            for w in words:  # make word ids unique across documents
                parts.append(np.append(w + offset, -1))
                offset += int(w.max(initial=-1)) + 1
            wstream = np.concatenate(parts)
        for start in range(0, len(stream), body):
            piece = slice(start, start + body)
            rows.append((stream[piece], None if wstream is None else wstream[piece]))
        rows = [(r, w) for r, w in rows if len(r) and not np.all(r == sep_id)]
    else:
        for k, x in enumerate(ids):
            for start in range(0, len(x), body):
                piece = np.append(x[start : start + body], sep_id)
                wpiece = None if words is None else np.append(words[k][start : start + body], -1)
                rows.append((piece, wpiece))
    if not rows:
        raise ValueError("the corpus produced no tokens.")
    n = len(rows)
    table = np.full((n, max_length), pad_id, dtype=np.int32)
    word_table = np.full((n, max_length), -1, dtype=np.int64) if wwm else None
    lengths = np.empty(n, dtype=np.int64)
    for i, (r, w) in enumerate(rows):
        table[i, 0] = cls_id
        table[i, 1 : len(r) + 1] = r
        lengths[i] = len(r) + 1
        if wwm:
            word_table[i, 1 : len(w) + 1] = w
    positions = np.arange(max_length)[None, :]
    special = (table == cls_id) | (table == sep_id) | (positions >= lengths[:, None])
    if wwm:
        word_table[special] = -1
    return {"ids": table, "special": special, "lengths": lengths, "words": word_table}


def step_seed(seed, step, stream):
    """A 32-bit seed for one purpose (``stream``) at one step of one run."""
    return int(np.random.SeedSequence([seed, step, stream]).generate_state(1)[0])


class Batcher:
    """Picks the rows of a step and masks them with transformers' MLM collator."""

    def __init__(self, data, tokenizer, mlm_probability, wwm, batch_size, seed):
        from transformers import DataCollatorForLanguageModeling

        self.data = data
        self.batch_size = batch_size
        self.seed = seed
        self.n = len(data["lengths"])
        self.steps_per_epoch = math.ceil(self.n / batch_size)
        with warnings.catch_warnings():
            # whole-word masking in transformers always uses [MASK] (it says so loudly)
            warnings.simplefilter("ignore", UserWarning)
            self.collator = DataCollatorForLanguageModeling(
                tokenizer,
                mlm_probability=mlm_probability,
                whole_word_mask=bool(wwm),
                mask_replace_prob=1.0 if wwm else 0.8,
                random_replace_prob=0.0 if wwm else 0.1,
            )
        self._order_epoch, self._order = None, None

    def rows(self, step):
        """Row indices of ``step``: a fresh permutation per epoch, a function of (seed, epoch)."""
        epoch, position = divmod(step, self.steps_per_epoch)
        if self._order_epoch != epoch:
            self._order = np.random.default_rng([self.seed, epoch]).permutation(self.n)
            self._order_epoch = epoch
        return self._order[position * self.batch_size : (position + 1) * self.batch_size]

    def __call__(self, step):
        import torch

        rows = self.rows(step)
        width = min(self.data["ids"].shape[1], round_up(int(self.data["lengths"][rows].max()), 8))
        ids = torch.from_numpy(self.data["ids"][rows, :width].astype(np.int64))
        special = torch.from_numpy(self.data["special"][rows, :width])
        offsets = None
        if self.data["words"] is not None:
            # transformers finds word boundaries from offset mappings (a gap between a
            # token's start and the previous token's end starts a word). Chinese has no
            # gaps, so encode the jieba word ids as offsets: token k of word w spans
            # (k + w, k + 1 + w), contiguous within a word, with a gap at each new word.
            words = self.data["words"][rows, :width]
            k = np.arange(width)[None, :]
            offsets = np.stack([k + words, k + 1 + words], axis=-1)
        self.collator.generator = torch.Generator().manual_seed(step_seed(self.seed, step, 1))
        input_ids, labels = self.collator.torch_mask_tokens(
            ids, special_tokens_mask=special, offset_mapping=offsets
        )
        if not (labels != -100).any():
            # A tiny batch can draw no mask at all; predict its first real token then.
            first = int(np.argmax(~special.numpy().ravel()))
            labels.view(-1)[first] = ids.view(-1)[first]
            input_ids.view(-1)[first] = self.collator.tokenizer.mask_token_id
        lengths = torch.from_numpy(self.data["lengths"][rows])
        attention_mask = (torch.arange(width)[None, :] < lengths[:, None]).long()
        batch = {"input_ids": input_ids, "attention_mask": attention_mask, "labels": labels}
        return batch, int(lengths.sum())
