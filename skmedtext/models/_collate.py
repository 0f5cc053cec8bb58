"""Batch collation of the models: pad encoded rows (token ids or vectors) into tensors.

Rows are dicts: ``{"input_ids": ...}`` for tokenised text, ``{"embeds": ...}`` for
synthetic or precomputed vector rows (plus DMT-BERT's ``"mentions"``). Collators
are picklable classes: a fitted classifier pickles with its net and loaders.
"""

from itertools import combinations

import numpy as np
import torch

from skmedtext.utils import round_up

__all__ = ["BertCollator", "SequenceCollator", "row_length"]


def row_length(item):
    """Positions of an encoded row: its vectors or its token ids."""
    return len(item["embeds"]) if "embeds" in item else len(item["input_ids"])


def _writable(value):
    """A synthetic row's read-only array copied (torch warns on non-writable arrays)."""
    if isinstance(value, np.ndarray) and not value.flags.writeable:
        return value.copy()
    return value


class BertCollator:
    """Pads a batch of encoded rows and samples co-occurrence pairs (picklable).

    A pair's label is 1 when its two terms are in ``positive_pairs`` (corpus-level
    co-occurrence) or, with ``same_record``, when its two mentions come from the
    same row of the batch.
    """

    def __init__(self, pad_id, multiple, hidden, positive_pairs, max_pairs, same_record=False):
        self.pad_id = pad_id
        self.multiple = multiple
        self.hidden = hidden
        self.positive_pairs = positive_pairs
        self.max_pairs = max_pairs
        self.same_record = same_record

    def __call__(self, batch):
        items, targets = zip(*batch)
        length = round_up(max(row_length(it) for it in items), self.multiple)
        input_ids = torch.full((len(items), length), self.pad_id, dtype=torch.long)
        mask = torch.zeros((len(items), length), dtype=torch.long)
        synth_index, synth_embeds = [], []
        mentions = []
        for row, item in enumerate(items):
            n = row_length(item)
            mask[row, :n] = 1
            if "embeds" in item:
                synth_index.append(row)
                padded = torch.zeros((length, self.hidden))
                padded[:n] = torch.as_tensor(_writable(item["embeds"]))
                synth_embeds.append(padded)
            else:
                input_ids[row, :n] = torch.from_numpy(item["input_ids"])
            # texts served as cached frozen-stack states keep their mentions
            mentions.extend((row, s, e, t) for s, e, t in item.get("mentions", ()))
        x = {
            "input_ids": input_ids,
            "attention_mask": mask,
            "synth_index": torch.tensor(synth_index, dtype=torch.long),
            "synth_embeds": (
                torch.stack(synth_embeds) if synth_embeds else torch.zeros((0, length, self.hidden))
            ),
        }
        x.update(self._pairs(mentions))
        # one array first: multi-label targets are rows, slow to convert one by one
        return x, torch.as_tensor(np.asarray(targets), dtype=torch.long)

    def _pairs(self, mentions):
        pairs = [
            (i, j, self._label(mentions[i], mentions[j]))
            for i, j in combinations(range(len(mentions)), 2)
            if mentions[i][3] != mentions[j][3]
        ]
        if len(pairs) > self.max_pairs:
            # keep every positive that fits, fill the rest with random negatives
            pos = [p for p in pairs if p[2] == 1.0]
            neg = [p for p in pairs if p[2] == 0.0]
            pos = [pos[k] for k in torch.randperm(len(pos)).tolist()[: self.max_pairs // 2]]
            neg = [neg[k] for k in torch.randperm(len(neg)).tolist()[: self.max_pairs - len(pos)]]
            pairs = pos + neg
        m = torch.tensor([mt[:3] for mt in mentions], dtype=torch.long).reshape(-1, 3)
        p = torch.tensor(pairs, dtype=torch.float32).reshape(-1, 3)
        return {
            "mention_row": m[:, 0],
            "mention_start": m[:, 1],
            "mention_end": m[:, 2],
            "pair_a": p[:, 0].long(),
            "pair_b": p[:, 1].long(),
            "pair_y": p[:, 2],
        }

    def _label(self, a, b):
        """``a``, ``b``: mentions ``(row, start, end, term)``."""
        if self.same_record:
            return float(a[0] == b[0])
        return float(tuple(sorted((a[3], b[3]))) in self.positive_pairs)


class SequenceCollator:
    """Pads a batch of token-id rows and vector rows (picklable)."""

    def __init__(self, multiple, dim):
        self.multiple = multiple
        self.dim = dim

    def __call__(self, batch):
        items, targets = zip(*batch)
        lengths = [row_length(item) for item in items]
        width = round_up(max(lengths), self.multiple)
        input_ids = torch.zeros((len(items), width), dtype=torch.long)
        embed_index, embeds = [], []
        for row, item in enumerate(items):
            if "embeds" in item:
                padded = torch.zeros((width, self.dim))
                padded[: lengths[row]] = torch.as_tensor(_writable(item["embeds"]))
                embed_index.append(row)
                embeds.append(padded)
            else:
                input_ids[row, : lengths[row]] = torch.from_numpy(item["input_ids"])
        x = {
            "input_ids": input_ids,
            "lengths": torch.tensor(lengths, dtype=torch.long),
            "embed_index": torch.tensor(embed_index, dtype=torch.long),
            "embeds": torch.stack(embeds) if embeds else torch.zeros((0, width, self.dim)),
        }
        # one array first: multi-label targets are rows, slow to convert one by one
        return x, torch.as_tensor(np.asarray(targets), dtype=torch.long)
