"""Issue 16, second half: saved model folders, checkpoints, training health and encoder bounds.

The first half (word vectors, SAAN, validation gaps, the CLI) is tests/test_hostile.py.
Every case ends in a clear error or a documented result.
"""

import json
import os
import pickle
import shutil
import subprocess
import sys
import textwrap
import warnings

import numpy as np
import pytest
import torch
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from skorch.callbacks import Callback

from skmedtext.datasets import load_medical_abstracts
from skmedtext.models import DMTBertClassifier, TextCNNClassifier
from skmedtext.persistence import load_model, save_model
from skmedtext.training import TrainingDivergenceError

TINY = dict(filters=4, embedding_dim=8, max_length=32, batch_size=16, level="char",
            random_state=0, device="cpu")  # fmt: skip


class _Payload:
    def __init__(self, marker):
        self.marker = str(marker)

    def __reduce__(self):
        return (open, (self.marker, "w"))


@pytest.fixture(scope="module")
def data():
    """48 real abstracts of two classes (32/16), cut to their first 120 characters."""
    bunch = load_medical_abstracts()
    texts, y = np.asarray(bunch.data, dtype=object), np.asarray(bunch.target)
    rows = np.concatenate([np.flatnonzero(y == 5)[:32], np.flatnonzero(y == 3)[:16]])
    return np.array([t[:120] for t in texts[rows]], dtype=object), y[rows]


@pytest.fixture(scope="module")
def reference(data):
    """Probabilities of an uninterrupted 3-epoch fit, what every resumed fit must give."""
    return TextCNNClassifier(max_epochs=3, **TINY).fit(*data).predict_proba(data[0])


@pytest.fixture(scope="module")
def fitted(data):
    return TextCNNClassifier(max_epochs=2, **TINY).fit(*data)


@pytest.fixture(scope="module")
def saved(fitted, tmp_path_factory):
    return save_model(fitted, tmp_path_factory.mktemp("saved") / "model")


@pytest.fixture
def folder(saved, tmp_path):
    return shutil.copytree(saved, tmp_path / "model")


def _config(folder):
    return json.loads((folder / "config.json").read_text(encoding="utf-8"))


def _forge(folder, config):
    """Rewrite config.json and recompute the manifest: an attacker who knows the format."""
    from skmedtext._model_folder import write_manifest

    (folder / "config.json").write_text(json.dumps(config), encoding="utf-8")
    return write_manifest(folder)


# -- items 1 and 6: loading is data, never code; config.json is covered ----------------------
HOSTILE_NAMES = ["skmedtext.__main__.X", "skmedtext.cli.main", "os.system", "builtins.eval",
                 "skmedtext.models.TextCNNClassifier.__init__", "skmedtext.persistence.load_model",
                 "TextCNNClassifierX", "", "skmedtext.", 5, None, ["TextCNNClassifier"],
                 {"name": "TextCNNClassifier"}]  # fmt: skip


@pytest.mark.parametrize("name", HOSTILE_NAMES, ids=repr)
def test_estimator_names_are_looked_up_never_imported(folder, name, monkeypatch):
    import importlib

    monkeypatch.setattr(sys, "argv", ["skmedtext", "benchmark", "--suite", "text"])
    calls = []
    real = importlib.import_module
    monkeypatch.setattr(importlib, "import_module", lambda n, *a: calls.append(n) or real(n, *a))
    config = _config(folder)
    config["estimator"] = name
    _forge(folder, config)
    with pytest.raises(ValueError, match="estimator"):
        load_model(folder, expected_class=TextCNNClassifier)  # SystemExit would escape
    assert not [n for n in calls if n.startswith(("skmedtext.__main__", "os", "builtins"))]


def test_expected_class_is_checked(folder):
    with pytest.raises(ValueError, match="not a DMTBertClassifier"):
        load_model(folder, expected_class=DMTBertClassifier)


CONFIG_EDITS = {
    "reverse classes": lambda c: c["classes"]["values"].reverse(),
    "max_length": lambda c: c["params"].update(max_length=8),
    "drop a param": lambda c: c["params"].pop("filters"),
    "new key": lambda c: c.update(extra=1),
    "format_version": lambda c: c.update(format_version="2.1"),
}


@pytest.mark.parametrize("edit", CONFIG_EDITS)
def test_config_edits_fail_the_manifest(folder, edit):
    config = _config(folder)
    CONFIG_EDITS[edit](config)
    (folder / "config.json").write_text(json.dumps(config), encoding="utf-8")
    with pytest.raises(ValueError, match=r"'config.json' does not match its SHA-256"):
        load_model(folder)


def test_forged_manifest_still_meets_the_semantic_checks_and_the_digest(folder, saved, data):
    from skmedtext.persistence import model_digest

    digest = model_digest(saved)
    config = _config(folder)
    config["classes"]["values"].reverse()
    _forge(folder, config)
    with pytest.raises(ValueError, match="classes.*sorted"):
        load_model(folder)
    config["classes"]["values"].reverse()
    config["params"]["max_length"] = 16
    _forge(folder, config)
    assert load_model(folder).max_length == 16  # documented: hashes are not a signature
    with pytest.raises(ValueError, match="digest"):
        load_model(folder, expected_digest=digest)
    assert load_model(saved, expected_digest=digest).predict(data[0][:3]) is not None


@pytest.mark.parametrize("key", ["format", "format_version", "estimator", "params", "classes",
                                 "state"])  # fmt: skip
def test_missing_config_keys_are_value_errors(folder, key):
    config = _config(folder)
    del config[key]
    _forge(folder, config)
    with pytest.raises(ValueError, match=key if key != "format" else "format"):
        load_model(folder)


TAMPERING = {
    "truncated weights": lambda f: (f / "model.safetensors").write_bytes(
        (f / "model.safetensors").read_bytes()[:100]),
    "unlisted file": lambda f: (f / "notes.txt").write_text("x"),
    "missing file": lambda f: (f / "vocabulary.json").unlink(),
    "manifest missing": lambda f: (f / "manifest.json").unlink(),
    "manifest garbage": lambda f: (f / "manifest.json").write_text("[1]"),
    "manifest not JSON": lambda f: (f / "manifest.json").write_bytes(b"\xff{"),
    "manifest digest edited": lambda f: (f / "manifest.json").write_text(
        (f / "manifest.json").read_text().replace('"digest": "', '"digest": "0')),
    "symlinked file": lambda f: _symlink(f / "vocabulary.json"),
    "symlinked folder": lambda f: os.symlink(f.parent, f / "sub"),
    "config not JSON": lambda f: (f / "config.json").write_text("{"),
}  # fmt: skip


def _symlink(path):
    real = path.with_name("real.json")
    path.rename(real)
    os.symlink(real.name, path)


@pytest.mark.parametrize("case", TAMPERING)
def test_tampered_folders_are_refused(folder, case):
    TAMPERING[case](folder)
    with pytest.raises(ValueError, match=r"manifest|SHA-256|symbolic link|not written by|missing"):
        load_model(folder)


JSON = st.recursive(
    st.none() | st.booleans() | st.integers(-10**6, 10**6) | st.floats(allow_nan=False)
    | st.text(max_size=12),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=6,
)  # fmt: skip
FIELDS = ["estimator", "format_version", "skmedtext_version", "params", "classes", "state",
          "params.max_length", "params.filters", "params.level", "params.kernel_sizes",
          "params.criterion", "params.device", "classes.dtype", "classes.values",
          "state.vocabulary", "state.embedding_space"]  # fmt: skip


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(field=st.sampled_from(FIELDS), value=JSON, forge=st.booleans())
def test_fuzz_config_fields(folder, field, value, forge):
    """Any value in any field: a ValueError naming the problem, or a model that loads."""
    config = _config(folder)
    *parents, leaf = field.split(".")
    target = config
    for key in parents:
        target = target.setdefault(key, {}) if isinstance(target.get(key), dict) else None
        if target is None:
            return
    target[leaf] = value
    original = (folder / "config.json").read_bytes(), (folder / "manifest.json").read_bytes()
    try:
        if forge:
            _forge(folder, config)
        else:
            (folder / "config.json").write_text(json.dumps(config), encoding="utf-8")
        try:
            model = load_model(folder)
        except ValueError:
            return
        assert not forge or isinstance(model, TextCNNClassifier)
        assert forge, "an edit without a new manifest loaded"
    finally:
        (folder / "config.json").write_bytes(original[0])
        (folder / "manifest.json").write_bytes(original[1])


# -- item 9: overwrite only replaces a model; leftovers are cleaned ---------------------------
def test_overwrite_refuses_a_folder_of_user_files(fitted, tmp_path):
    target = tmp_path / "documents"
    target.mkdir()
    (target / "thesis.docx").write_text("years of work")
    with pytest.raises(FileExistsError, match="not a skmedtext model"):
        save_model(fitted, target, overwrite=True)
    assert (target / "thesis.docx").read_text() == "years of work"
    (tmp_path / "file").write_text("x")
    with pytest.raises(FileExistsError):
        save_model(fitted, tmp_path / "file", overwrite=True)


def test_overwrite_replaces_a_model_and_cleans_leftovers(fitted, tmp_path, data):
    target = save_model(fitted, tmp_path / "m")
    for name in (".m.saving-0123abcd", ".m.old-89abcdef"):
        (tmp_path / name).mkdir()
        (tmp_path / name / "model.safetensors").write_bytes(b"half")
    (tmp_path / ".other.saving-0123abcd").mkdir()  # another model's: left alone
    with pytest.raises(FileExistsError):
        save_model(fitted, target)
    save_model(fitted, target, overwrite=True)
    assert sorted(p.name for p in tmp_path.iterdir()) == [".other.saving-0123abcd", "m"]
    np.testing.assert_array_equal(load_model(target).predict_proba(data[0]), fitted.predict_proba(data[0]))


# -- item 3: checkpoints are transactions ------------------------------------------------------
KILL_SCRIPT = textwrap.dedent(
    """
    import json, os, sys
    import numpy as np, torch
    from skmedtext.models import TextCNNClassifier
    import skmedtext.training._checkpoint as ckpt

    texts, y, tiny, root, threads = json.load(open(sys.argv[1]))
    texts, y = np.array(texts, dtype=object), np.array(y)
    torch.set_num_threads(threads)  # the same reductions as the test process (bit identity)

    def run(point):
        # die during epoch 2's checkpoint: mid-files, before the rename, before the cleanup
        real_save, real_replace, real_clean = torch.save, os.replace, ckpt.CheckpointFolder._remove_older
        calls = []
        def save(obj, f, *a, **k):
            calls.append(str(f))
            if point == "files" and "epoch-000002" in str(f) and len(calls) > 1:
                os._exit(9)
            return real_save(obj, f, *a, **k)
        def replace(src, dst):
            if point == "rename" and str(dst).endswith("epoch-000002"):
                os._exit(9)
            return real_replace(src, dst)
        def clean(self, epoch):
            if point == "cleanup" and epoch == 2:
                os._exit(9)
            return real_clean(self, epoch)
        torch.save, os.replace, ckpt.CheckpointFolder._remove_older = save, replace, clean
        TextCNNClassifier(max_epochs=3, checkpoint_dir=os.path.join(root, point), **tiny).fit(texts, y)
        os._exit(0)

    children = []
    for point in ("files", "rename", "cleanup"):
        pid = os.fork()
        if pid == 0:
            run(point)
        children.append(pid)
    print([os.waitpid(pid, 0)[1] >> 8 for pid in children])
    """
)


def test_a_kill_at_any_checkpoint_write_resumes_bit_identically(data, reference, tmp_path):
    texts, y = data
    spec = tmp_path / "spec.json"
    spec.write_text(json.dumps([texts.tolist(), y.tolist(), TINY, str(tmp_path),
                                torch.get_num_threads()]))  # fmt: skip
    result = subprocess.run([sys.executable, "-c", KILL_SCRIPT, str(spec)], capture_output=True,
                            text=True, timeout=120)  # fmt: skip
    assert result.stdout.strip() == "[9, 9, 9]", result.stderr
    for point, done in (("files", 1), ("rename", 1), ("cleanup", 2)):
        folder = tmp_path / point
        epochs = sorted(p.name for p in folder.iterdir() if p.name.startswith("epoch-"))
        assert epochs[-1] == f"epoch-{done:06d}", (point, epochs)
        clf = TextCNNClassifier(max_epochs=3, checkpoint_dir=str(folder), **TINY).fit(texts, y)
        np.testing.assert_array_equal(clf.predict_proba(texts), reference)
        assert sorted(p.name for p in folder.iterdir()) == ["epoch-000003", "fit.json"]


def test_a_failed_checkpoint_write_is_raised_and_keeps_the_previous_epoch(
    data, reference, tmp_path, monkeypatch
):
    texts, y = data
    real = torch.save

    def disk_full(obj, f, *args, **kwargs):
        if "epoch-000002" in str(f):
            raise RuntimeError("[enforce fail at inline_container.cc] . PytorchStreamWriter failed "
                               "writing file data/0: file write failed (No space left on device)")
        return real(obj, f, *args, **kwargs)

    monkeypatch.setattr(torch, "save", disk_full)
    folder = tmp_path / "ckpt"
    with pytest.raises(OSError, match=r"epoch 2 .*No space left.*epoch 1 is intact"):
        TextCNNClassifier(max_epochs=3, checkpoint_dir=str(folder), **TINY).fit(texts, y)
    assert sorted(p.name for p in folder.iterdir()) == ["epoch-000001", "fit.json"]
    monkeypatch.setattr(torch, "save", real)
    resumed = TextCNNClassifier(max_epochs=3, checkpoint_dir=str(folder), **TINY).fit(texts, y)
    np.testing.assert_array_equal(resumed.predict_proba(texts), reference)


@pytest.fixture(scope="module")
def checkpoint_source(data, tmp_path_factory):
    folder = tmp_path_factory.mktemp("ckpt") / "ckpt"
    TextCNNClassifier(max_epochs=2, checkpoint_dir=str(folder), **TINY).fit(*data)
    return folder


@pytest.fixture
def checkpoint(checkpoint_source, tmp_path):
    return shutil.copytree(checkpoint_source, tmp_path / "ckpt")


def test_a_different_max_epochs_is_refused(data, checkpoint):
    with pytest.raises(ValueError, match=r"max_epochs=2 \(2 epochs done\).*max_epochs=1"):
        TextCNNClassifier(max_epochs=1, checkpoint_dir=str(checkpoint), **TINY).fit(*data)
    with pytest.raises(ValueError, match="max_epochs=2"):
        TextCNNClassifier(max_epochs=4, checkpoint_dir=str(checkpoint), **TINY).fit(*data)


CORRUPTIONS = {
    "params.pt truncated": ("params.pt", lambda b: b[: len(b) // 2]),
    "optimizer.pt garbage": ("optimizer.pt", lambda b: b"\0" * 32),
    "history.json empty": ("history.json", lambda b: b""),
    "rng_state.pt empty": ("rng_state.pt", lambda b: b""),
    "state.json garbage": ("state.json", lambda b: b"{"),
    "state.json other epoch": ("state.json", lambda b: b'{"epoch": 7, "max_epochs": 2}'),
}


@pytest.mark.parametrize("case", CORRUPTIONS)
def test_a_corrupt_checkpoint_names_the_file_and_how_to_start_over(data, checkpoint, case):
    name, damage = CORRUPTIONS[case]
    path = checkpoint / "epoch-000002" / name
    path.write_bytes(damage(path.read_bytes()))
    with pytest.raises(ValueError, match=rf"{name}.*delete the folder .* to start over"):
        TextCNNClassifier(max_epochs=2, checkpoint_dir=str(checkpoint), **TINY).fit(*data)


@pytest.mark.filterwarnings("ignore:Detected pickle protocol")
@pytest.mark.parametrize("name", ["params.pt", "optimizer.pt", "rng_state.pt"])
def test_a_pickle_in_a_checkpoint_never_runs(data, checkpoint, tmp_path, name):
    marker = tmp_path / "PWNED"
    with open(checkpoint / "epoch-000002" / name, "wb") as handle:
        pickle.dump(_Payload(marker), handle)
    with pytest.raises(ValueError, match=name):
        TextCNNClassifier(max_epochs=2, checkpoint_dir=str(checkpoint), **TINY).fit(*data)
    assert not marker.exists()


def test_random_state_object_with_checkpoint_dir_is_explained(data, tmp_path):
    params = {**TINY, "random_state": np.random.RandomState(0)}
    with pytest.raises(ValueError, match="random_state given as a RandomState.*int"):
        TextCNNClassifier(max_epochs=1, checkpoint_dir=str(tmp_path / "c"), **params).fit(*data)


# -- item 5: training health -------------------------------------------------------------------
def test_divergence_is_an_error_naming_the_epoch(data):
    with pytest.raises(TrainingDivergenceError, match=r"TextCNNClassifier training diverged at "
                                                      r"epoch 1.*on_divergence='keep_last'"):
        TextCNNClassifier(max_epochs=2, **{**TINY, "lr": 1e30, "grad_clip": None}).fit(*data)


class _PoisonAfterFirstEpoch(Callback):
    """A user callback that makes epoch 2 diverge (NaN weights after epoch 1)."""

    def on_epoch_end(self, net, **kwargs):
        if len(net.history) == 1:
            with torch.no_grad():
                next(net.module_.parameters()).fill_(float("nan"))


@pytest.mark.parametrize("on_divergence", ["raise", "keep_last"])
def test_keep_last_keeps_the_last_finite_epoch(data, tmp_path, on_divergence):
    clf = TextCNNClassifier(max_epochs=3, callbacks=[_PoisonAfterFirstEpoch()], on_divergence=on_divergence,
                            checkpoint_dir=str(tmp_path / "c"), **TINY)  # fmt: skip
    if on_divergence == "raise":
        with pytest.raises(TrainingDivergenceError, match="epoch 2"):
            clf.fit(*data)
        return
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        clf.fit(*data)
    assert any("kept the weights of epoch 1" in str(w.message) for w in caught)
    assert len(clf.history_) == 2
    assert np.isfinite(clf.predict_proba(data[0])).all()
    # the diverged epoch was never checkpointed
    assert sorted(p.name for p in (tmp_path / "c").iterdir()) == ["epoch-000001", "fit.json"]


# -- item 8: max_length within the encoder's position table ----------------------------------
def test_max_length_beyond_the_position_table_is_refused_at_fit(data):
    from skmedtext.embeddings import TransformerEmbedder

    with pytest.raises(ValueError, match=r"max_length=2048 exceeds the encoder's limit of 512"):
        TransformerEmbedder(max_length=2048).fit(data[0][:4])
    with pytest.raises(ValueError, match=r"max_length=2048 .* 512"):
        DMTBertClassifier(max_length=2048, max_epochs=1, device="cpu").fit(*data)


def test_roberta_padding_offset_is_counted():
    from transformers import BertConfig, RobertaConfig, XLMRobertaConfig

    from skmedtext.encoders import max_input_length

    assert max_input_length(BertConfig(max_position_embeddings=512)) == 512
    assert max_input_length(RobertaConfig(max_position_embeddings=514, pad_token_id=1)) == 512
    assert max_input_length(XLMRobertaConfig(max_position_embeddings=514, pad_token_id=1)) == 512
