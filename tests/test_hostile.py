"""Issue 16, tried as a hostile user would: every item ends in a clear error or a documented result.

Payloads never run: each malicious pickle would create a marker file, and every test
that offers one checks that the marker is absent afterwards.
"""

import os
import pickle
import re

import numpy as np
import pandas as pd
import pytest
import torch

from skmedtext.cli import main as cli_main
from skmedtext.datasets import load_medical_abstracts
from skmedtext.embeddings import Word2VecEmbedder
from skmedtext.pretrain import load_word_vectors, save_word_vectors, train_word2vec
from skmedtext.sampling import SAANSampler
from skmedtext.utils import check_text_target, check_texts

SAAN_TINY = dict(epochs=1, batch_size=256, hidden_dim=8, n_heads=2, n_layers=1, latent_dim=4,
                 device="cpu")  # fmt: skip


class _Payload:
    """Unpickling this creates ``marker``: the proof that a load ran code."""

    def __init__(self, marker):
        self.marker = str(marker)

    def __reduce__(self):
        return (open, (self.marker, "w"))


def _pickle_file(path, marker):
    path.write_bytes(pickle.dumps(_Payload(marker)))
    return path


@pytest.fixture(scope="module")
def abstracts():
    """120 real abstracts of two classes (80/40), cut to their first 200 characters."""
    bunch = load_medical_abstracts()
    texts, y = np.asarray(bunch.data, dtype=object), np.asarray(bunch.target)
    rows = np.concatenate([np.flatnonzero(y == 5)[:80], np.flatnonzero(y == 3)[:40]])
    return np.array([t[:200] for t in texts[rows]], dtype=object), y[rows]


@pytest.fixture(scope="module")
def vectors(abstracts):
    texts, _ = abstracts
    return train_word2vec(list(texts), level="word", vector_size=8, min_count=2, epochs=1)


# -- item 2: word-vector paths never unpickle ----------------------------------------------
# a pickle under every name a user could give, and the three ways a path gets in
PICKLE_NAMES = ["v.kv", "v.model", "v.pkl", "v.pickle", "v.bin", "v.txt", "v.vec", "v.npz", "v"]


def _load_direct(path):
    return load_word_vectors(path)


def _load_embedder(path, texts):
    return Word2VecEmbedder(vectors=str(path)).fit(texts)


def _load_sequence_model(path, texts, y):
    from skmedtext.models import TextCNNClassifier

    return TextCNNClassifier(embedding=str(path), max_epochs=1, filters=4).fit(texts, y)


@pytest.mark.parametrize("entry", ["load_word_vectors", "Word2VecEmbedder", "TextCNNClassifier"])
@pytest.mark.parametrize("name", PICKLE_NAMES)
def test_word_vector_pickles_never_run(tmp_path, abstracts, entry, name):
    texts, y = abstracts
    marker = tmp_path / "PWNED"
    path = _pickle_file(tmp_path / name, marker)
    if name == "v.npz":  # a pickled object array inside a real .npz
        with open(path, "wb") as handle:
            np.savez(handle, words=np.array([_Payload(marker)], dtype=object), vectors=np.zeros((1, 2)))
    call = {
        "load_word_vectors": lambda: _load_direct(path),
        "Word2VecEmbedder": lambda: _load_embedder(path, texts[:5]),
        "TextCNNClassifier": lambda: _load_sequence_model(path, texts[::6], y[::6]),
    }[entry]
    with pytest.raises(ValueError, match=r"word-vector file|\.txt, \.vec|word2vec"):
        call()
    assert not marker.exists()


def test_wrong_suffix_message_names_formats_and_conversion(tmp_path):
    path = tmp_path / "vectors.kv"
    path.write_bytes(b"x")
    with pytest.raises(ValueError) as info:
        load_word_vectors(path)
    message = str(info.value)
    assert ".txt" in message and ".bin" in message and ".npz" in message
    assert "save_word2vec_format" in message and "binary=True" in message


@pytest.mark.parametrize("name", ["v.npz", "v.bin", "v.txt", "v.vec"])
def test_safe_formats_round_trip(tmp_path, vectors, name):
    loaded = load_word_vectors(save_word_vectors(vectors, tmp_path / name))
    assert loaded.index_to_key == vectors.index_to_key
    if name != "v.txt" and name != "v.vec":  # the text format rounds to 6 decimals
        np.testing.assert_array_equal(loaded.vectors, vectors.vectors)


@pytest.mark.parametrize(
    "arrays, message",
    [
        ({"vectors": np.zeros((1, 2))}, r"holds no \['words'\]"),
        ({"words": np.array(["a", "b"]), "vectors": np.zeros((3, 2))}, "shape"),
        ({"words": np.array(["a", "a"]), "vectors": np.zeros((2, 2))}, "duplicates"),
        ({"words": np.array([1, 2]), "vectors": np.zeros((2, 2))}, "str array"),
        ({"words": np.array(["a"]), "vectors": np.array([["x", "y"]])}, "float array"),
    ],
)
def test_malformed_npz_vectors_are_named(tmp_path, arrays, message):
    path = tmp_path / "v.npz"
    with open(path, "wb") as handle:
        np.savez(handle, **arrays)
    with pytest.raises(ValueError, match=message):
        load_word_vectors(path)


def test_train_word2vec_refuses_a_pickle_output_before_training(monkeypatch):
    import gensim.models

    def boom(*args, **kwargs):  # pragma: no cover - reached only if the check is late
        raise AssertionError("trained before checking out=")

    monkeypatch.setattr(gensim.models, "Word2Vec", boom)
    with pytest.raises(ValueError, match="cannot hold code"):
        train_word2vec(["胸痛"] * 6, out="vectors.kv")


# -- item 2: SAAN checkpoints are loaded with weights_only=True ----------------------------
def _saan_vectors(seed=0):
    rng = np.random.RandomState(seed)
    X = np.vstack([rng.normal(0, 1, (24, 6)), rng.normal(2, 1, (8, 6))])
    return X, np.array([0] * 24 + [1] * 8)


def test_saan_checkpoint_pickle_never_runs(tmp_path):
    X, y = _saan_vectors()
    folder = tmp_path / "ckpt"
    SAANSampler(checkpoint_dir=str(folder), random_state=0, **SAAN_TINY).fit_resample(X, y)
    marker = tmp_path / "PWNED"
    # the fingerprint (fit.json) is plain JSON and stays valid: only the state is swapped
    torch.save({"payload": _Payload(marker)}, folder / "saan_state.pt")
    with pytest.raises(ValueError, match=r"saan_state\.pt.*Delete the folder"):
        SAANSampler(checkpoint_dir=str(folder), random_state=0, **SAAN_TINY).fit_resample(X, y)
    assert not marker.exists()


@pytest.mark.parametrize("damage", ["truncate", "garbage", "empty"])
def test_saan_corrupt_checkpoint_names_file(tmp_path, damage):
    X, y = _saan_vectors()
    folder = tmp_path / "ckpt"
    SAANSampler(checkpoint_dir=str(folder), random_state=0, **SAAN_TINY).fit_resample(X, y)
    state = folder / "saan_state.pt"
    data = state.read_bytes()
    state.write_bytes({"truncate": data[: len(data) // 2], "garbage": b"\x00" * 64, "empty": b""}[damage])
    with pytest.raises(ValueError, match=r"saan_state\.pt.*start over"):
        SAANSampler(checkpoint_dir=str(folder), random_state=0, **SAAN_TINY).fit_resample(X, y)


@pytest.mark.parametrize("content", ["", "{not json", "[1, 2]", "\udcff"])
def test_corrupt_fingerprint_names_file(tmp_path, content):
    X, y = _saan_vectors()
    folder = tmp_path / "ckpt"
    folder.mkdir()
    (folder / "fit.json").write_bytes(content.encode("utf-8", "surrogateescape"))
    with pytest.raises(ValueError, match=r"fit\.json|different fit"):
        SAANSampler(checkpoint_dir=str(folder), random_state=0, **SAAN_TINY).fit_resample(X, y)


@pytest.mark.parametrize("state", [np.random.RandomState(0), np.random.default_rng(0)])
def test_saan_random_state_object_with_checkpoint_is_explained(tmp_path, state):
    X, y = _saan_vectors()
    sampler = SAANSampler(checkpoint_dir=str(tmp_path / "c"), random_state=state, **SAAN_TINY)
    # a RandomState passes parameter validation and is explained; a Generator is refused there
    with pytest.raises(ValueError, match=r"random_state given as a .* object cannot be used|"
                                         r"'random_state' parameter"):
        sampler.fit_resample(X, y)


# -- item 10: validation gaps --------------------------------------------------------------
MISSING = {
    "pd.NA": pd.NA,
    "pd.NaT": pd.NaT,
    "np.datetime64 NaT": np.datetime64("NaT"),
    "None": None,
    "nan": float("nan"),
}


@pytest.mark.parametrize("name", MISSING)
def test_missing_markers_in_texts(name):
    with pytest.raises(ValueError, match=r"missing values \(None or NaN\) at positions 1"):
        check_texts(["chest pain", MISSING[name]])


@pytest.mark.parametrize("name", MISSING)
def test_missing_markers_in_target(name):
    with pytest.raises(ValueError, match="missing labels|NaN"):
        check_text_target(["a", MISSING[name], "b"], 3)


@pytest.mark.parametrize("dtype", ["string", "Int64", "Float64", "boolean", "category"])
def test_missing_in_pandas_extension_targets(dtype):
    values = ["a", None, "b"] if dtype in ("string", "category") else [1, None, 0]
    y = pd.Series(values, dtype=dtype)
    with pytest.raises(ValueError, match="missing labels|NaN"):
        check_text_target(y, 3)


def test_string_series_with_na_in_an_estimator():
    from skmedtext.text import TextCleaner

    with pytest.raises(ValueError, match="TextCleaner.*missing values"):
        TextCleaner().fit_transform(pd.Series(["fever", None], dtype="string"))


@pytest.mark.parametrize(
    "X",
    [np.array([["1.5", "2"], ["3", "4"]] * 5), [["1.5", "2"], ["3", "4"]] * 5,
     np.array([["1.5", 2.0], ["3", 4.0]] * 5, dtype=object),
     pd.DataFrame({"a": ["1"] * 10, "b": ["2"] * 10})],
    ids=["unicode array", "list", "object array", "DataFrame"],
)  # fmt: skip
def test_saan_refuses_numeric_strings(X):
    y = np.array([0] * 7 + [1] * 3)
    with pytest.raises(ValueError, match="holds strings.*numeric vectors"):
        SAANSampler(**SAAN_TINY).fit_resample(X, y)


def test_saan_takes_one_column_lists_of_texts(abstracts):
    texts, y = abstracts
    texts, y = texts[::3], y[::3]
    embedder = Word2VecEmbedder(output="sequence", vector_size=8, min_count=1, max_length=12,
                                epochs=1, random_state=0)  # fmt: skip
    flat = SAANSampler(encoder=embedder, max_length=12, random_state=0, **SAAN_TINY)
    X_flat, y_flat = flat.fit_resample(texts, y)
    column = SAANSampler(encoder=embedder, max_length=12, random_state=0, **SAAN_TINY)
    X_col, y_col = column.fit_resample([[t] for t in texts], y)
    np.testing.assert_array_equal(y_col, y_flat)
    assert list(X_col[: len(texts)]) == list(texts)
    for a, b in zip(X_col[len(texts) :], X_flat[len(texts) :]):
        np.testing.assert_array_equal(a.vectors, b.vectors)


# -- item 7: the command line never destroys data ------------------------------------------
@pytest.fixture
def csvs(tmp_path, abstracts, monkeypatch):
    texts, y = abstracts
    good = tmp_path / "d.csv"
    pd.DataFrame({"text": texts, "label": y}).to_csv(good, index=False)
    (tmp_path / "empty.csv").write_bytes(b"")
    (tmp_path / "header.csv").write_text("text,label\n", encoding="utf-8")
    (tmp_path / "gbk.csv").write_bytes("text,label\n胸痛三天,心内科\n头痛,神经科\n".encode("gb18030"))
    (tmp_path / "latin.csv").write_bytes("text,label\nfi\xe8vre,a\ntoux,b\n".encode("latin-1"))
    (tmp_path / "one.csv").write_text("text,label\nfever,a\ncough,a\n", encoding="utf-8")
    (tmp_path / "quote.csv").write_text('text,label\n"never closed,a\n', encoding="utf-8")
    (tmp_path / "nolabels.csv").write_text("text,label\nfever,\ncough,\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def _train(csv, out="new.joblib", *extra, text="text", label="label"):
    return ["train", "--csv", csv, "--text-col", text, "--label-col", label, "--out", out, *extra]


CLI_INPUT_ERRORS = {
    "empty file": (_train("empty.csv"), "is empty"),
    "header only": (_train("header.csv"), "header but no data rows"),
    "GB18030 file": (_train("gbk.csv"), "not UTF-8.*gb18030.*iconv"),
    "Latin-1 file": (_train("latin.csv"), "not UTF-8.*byte 0xe8"),
    "one class": (_train("one.csv"), "single class"),
    "unclosed quote": (_train("quote.csv"), "not a readable CSV"),
    "no labels at all": (_train("nolabels.csv"), "no row has both"),
    "missing column": (_train("d.csv", label="dept"), r"\['dept'\] not in .*available columns"),
    "missing file": (_train("nope.csv"), "CSV file not found"),
    "out is the csv": (_train("d.csv", "d.csv"), "same file as --csv"),
    "out is the csv via ..": (_train("d.csv", "x/../d.csv"), "same file as --csv"),
    "out is a folder": (_train("d.csv", "."), "is a folder"),
    "out in an impossible folder": (_train("d.csv", "d.csv/m.joblib"), "cannot write to the folder"),
    "predict out is the model": (
        ["predict", "--model", "m.joblib", "--csv", "d.csv", "--text-col", "text", "--out",
         "m.joblib"], "same file as --model"),
    "predict out is the csv": (
        ["predict", "--model", "m.joblib", "--csv", "d.csv", "--text-col", "text", "--out",
         "d.csv", "--force"], "same file as --csv"),
    "predict into an impossible folder": (
        ["predict", "--model", "m.joblib", "--csv", "d.csv", "--text-col", "text", "--out",
         "d.csv/p.csv"], "cannot write to the folder"),
    "corpus not UTF-8": (["encoders", "build", "minilm-en", "--corpus", "gbk.csv", "--home", "h"],
                         "not UTF-8"),
}  # fmt: skip


@pytest.mark.parametrize("case", CLI_INPUT_ERRORS)
def test_cli_input_problems_are_one_line_exit_2(csvs, capsys, case, monkeypatch):
    argv, message = CLI_INPUT_ERRORS[case]
    (csvs / "m.joblib").write_bytes(b"model")
    before = (csvs / "d.csv").read_bytes()
    import joblib

    # predict must fail before it loads (or predicts with) the model
    monkeypatch.setattr(joblib, "load", lambda *a: pytest.fail("model loaded before the checks"))
    assert cli_main(argv) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err
    assert re.search(message, err), err
    assert (csvs / "d.csv").read_bytes() == before
    assert (csvs / "m.joblib").read_bytes() == b"model"


def test_cli_overwrite_needs_force_and_is_atomic(csvs, capsys, monkeypatch):
    argv = _train("d.csv", "m.joblib", "--model", "tfidf-lr")
    assert cli_main(argv) == 0
    saved = (csvs / "m.joblib").read_bytes()
    assert cli_main(argv) == 2
    assert "already exists; pass --force" in capsys.readouterr().err
    assert (csvs / "m.joblib").read_bytes() == saved
    # a write that fails half-way (disk full) leaves the previous file and no temporary
    import joblib

    def disk_full(obj, path):
        with open(path, "wb") as handle:
            handle.write(b"half")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(joblib, "dump", disk_full)
    assert cli_main([*argv, "--force"]) == 2
    assert "No space left on device; the previous file is unchanged" in capsys.readouterr().err
    assert (csvs / "m.joblib").read_bytes() == saved
    assert not [p for p in os.listdir(csvs) if p.endswith(".tmp")]
