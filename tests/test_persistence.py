"""Saving and loading: the safe folder format (skmedtext.persistence) and pickle/joblib."""

import io
import json
import pickle
import shutil
import sys
from pathlib import Path

import joblib
import numpy as np
import pytest
import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))  # tests/_reliability.py (importlib mode)
from _reliability import (  # noqa: E402
    DMT_TINY,
    as_arrays,
    chinese_subset,
    english_subset,
    estimator_cases,
    make_tiny_bert,
    sequence_model,
)

from skmedtext.models import (  # noqa: E402
    DMTBertClassifier,
    StaResGRUCNNClassifier,
    TextCNNClassifier,
)
from skmedtext.persistence import FORMAT_VERSION, load_model, save_model  # noqa: E402


@pytest.fixture(scope="module")
def tiny_bert(tmp_path_factory):
    return make_tiny_bert(tmp_path_factory.mktemp("tiny-bert"))


@pytest.fixture(scope="module")
def english(data_root):
    return english_subset(data_root)


@pytest.fixture(scope="module")
def chinese(data_root):
    return chinese_subset(data_root)


@pytest.fixture(scope="module")
def dmt(tiny_bert, english, tmp_path_factory):
    """A DMT-BERT fitted on an encoder folder that is deleted afterwards."""
    X, y = english
    encoder = tmp_path_factory.mktemp("encoder-copy") / "bert"
    shutil.copytree(tiny_bert, encoder)
    labels = np.array(["cls-" + str(v) for v in y], dtype=object)
    clf = DMTBertClassifier(str(encoder), criterion="weighted_ce", **DMT_TINY).fit(X, labels)
    shutil.rmtree(encoder)  # loading must never need the original model folder
    return clf


@pytest.fixture(scope="module")
def saved_dmt(dmt, tmp_path_factory):
    return save_model(dmt, tmp_path_factory.mktemp("saved") / "dmt")


def copy_of(folder, tmp_path):
    target = tmp_path / "copy"
    shutil.copytree(folder, target)
    return target


# -- the safe format -------------------------------------------------------------------
def test_dmt_round_trip_gives_identical_probabilities(dmt, saved_dmt, english):
    X, _ = english
    rng_before = torch.get_rng_state()
    loaded = load_model(saved_dmt, expected_class=DMTBertClassifier)
    assert torch.equal(torch.get_rng_state(), rng_before)  # loading leaves the caller's RNG alone
    np.testing.assert_array_equal(loaded.predict_proba(X), dmt.predict_proba(X))
    assert loaded.get_params() == dmt.get_params()
    assert loaded.classes_.dtype == dmt.classes_.dtype
    np.testing.assert_array_equal(loaded.classes_, dmt.classes_)
    assert loaded.embedding_space_ == dmt.embedding_space_
    assert loaded.disease_terms_ == dmt.disease_terms_
    assert loaded.cooccurring_pairs_ == dmt.cooccurring_pairs_
    torch.testing.assert_close(loaded.net_.criterion_.weight, dmt.net_.criterion_.weight)
    assert loaded.history_[:, "train_loss"] == dmt.history_[:, "train_loss"]


def test_saved_folder_holds_only_data_files(saved_dmt):
    names = sorted(p.relative_to(saved_dmt).as_posix() for p in saved_dmt.rglob("*") if p.is_file())
    assert not [n for n in names if n.endswith((".pkl", ".pickle", ".pt", ".bin", ".py"))]
    config = json.loads((saved_dmt / "config.json").read_text())
    assert config["format_version"] == FORMAT_VERSION
    assert config["estimator"] == "skmedtext.models.DMTBertClassifier"
    manifest = json.loads((saved_dmt / "manifest.json").read_text())
    # every file, config.json included, is covered by the manifest
    assert sorted(manifest["files"]) == [n for n in names if n != "manifest.json"]


def test_sequence_model_round_trip_keeps_tuple_params_and_string_labels(chinese, tmp_path):
    X, y = chinese
    clf = sequence_model("TextCNNClassifier").fit(X, y)
    assert isinstance(clf.kernel_sizes, tuple)
    loaded = load_model(save_model(clf, tmp_path / "textcnn"), expected_class=TextCNNClassifier)
    assert loaded.kernel_sizes == clf.kernel_sizes and isinstance(loaded.kernel_sizes, tuple)
    assert loaded.classes_.dtype == object and list(loaded.classes_) == list(clf.classes_)
    np.testing.assert_array_equal(loaded.predict_proba(X), clf.predict_proba(X))
    np.testing.assert_array_equal(loaded.predict(X), clf.predict(X))
    assert loaded.n_params_ == clf.n_params_ and loaded.vocabulary_ == clf.vocabulary_


def test_word2vec_sequence_model_round_trip(chinese, tmp_path):
    X, y = chinese
    clf = sequence_model(
        "StaResGRUCNNClassifier",
        embedding="word2vec",
        embedding_params={"min_count": 1, "epochs": 1},
    ).fit(X, y)
    loaded = load_model(save_model(clf, tmp_path / "staresgru"))
    assert isinstance(loaded, StaResGRUCNNClassifier)
    np.testing.assert_array_equal(loaded.predict_proba(X), clf.predict_proba(X))
    assert loaded.embedding_space_ == clf.embedding_space_ and loaded.vocabulary_ == clf.vocabulary_
    # the trained table travels in the weights; the word2vec embedder itself is not kept
    assert loaded.embedder_ is None
    table = loaded.net_.module_.inputs.embedding.weight
    np.testing.assert_array_equal(table.detach().numpy(), clf.embedder_.embedding_matrix_)
    assert not table.requires_grad  # freeze_embedding survives


def test_transformer_state_sequence_model_round_trip(english, tiny_bert, tmp_path):
    X, y = english
    clf = sequence_model("BiGRUClassifier", embedding="transformer", encoder=tiny_bert).fit(X, y)
    loaded = load_model(save_model(clf, tmp_path / "bigru"))
    np.testing.assert_array_equal(loaded.predict_proba(X), clf.predict_proba(X))
    # the frozen encoder travels with the model
    assert loaded.embedder_.embedding_space_ == clf.embedder_.embedding_space_
    np.testing.assert_array_equal(loaded.embedder_.transform(X[:3]), clf.embedder_.transform(X[:3]))


def test_loaded_model_can_be_saved_again_and_refitted(saved_dmt, english, tmp_path, tiny_bert):
    X, y = english
    loaded = load_model(saved_dmt)
    again = load_model(save_model(loaded, tmp_path / "again"))
    np.testing.assert_array_equal(again.predict_proba(X), loaded.predict_proba(X))
    # its model_name_or_path is gone; a refit needs an encoder that exists
    refit = loaded.set_params(model_name_or_path=tiny_bert).fit(X, y)
    assert refit.predict(X).shape == (len(X),)


def test_device_override(saved_dmt, english):
    loaded = load_model(saved_dmt, device="cpu")
    assert loaded.device == "cpu" and loaded.predict(english[0][:2]).shape == (2,)


# -- errors on save ----------------------------------------------------------------------
def test_non_json_parameter_is_refused_by_name(dmt, tmp_path):
    from skorch.callbacks import Callback

    clf = pickle.loads(pickle.dumps(dmt)).set_params(callbacks=[Callback()])
    with pytest.raises(ValueError, match="parameter 'callbacks'.*cannot be stored in JSON"):
        save_model(clf, tmp_path / "m")
    assert not (tmp_path / "m").exists() and not list(tmp_path.iterdir())  # nothing left behind


def test_unfitted_and_unsupported_estimators_are_refused(tmp_path):
    with pytest.raises(ValueError, match="not fitted"):
        save_model(DMTBertClassifier(), tmp_path / "m")
    from sklearn.linear_model import LogisticRegression

    with pytest.raises(TypeError, match="joblib"):
        save_model(LogisticRegression(), tmp_path / "m")


def test_existing_folder_needs_overwrite(dmt, saved_dmt, tmp_path, english):
    target = copy_of(saved_dmt, tmp_path)
    with pytest.raises(FileExistsError, match="overwrite=True"):
        save_model(dmt, target)
    save_model(dmt, target, overwrite=True)
    np.testing.assert_array_equal(load_model(target).predict_proba(english[0][:4]),
                                  dmt.predict_proba(english[0][:4]))  # fmt: skip


# -- errors on load ----------------------------------------------------------------------
def test_other_model_type_is_refused(saved_dmt):
    with pytest.raises(ValueError, match="holds a DMTBertClassifier, not a TextCNNClassifier"):
        load_model(saved_dmt, expected_class=TextCNNClassifier)


def test_truncated_weights_are_detected(saved_dmt, tmp_path):
    folder = copy_of(saved_dmt, tmp_path)
    weights = folder / "model.safetensors"
    weights.write_bytes(weights.read_bytes()[:1000])
    with pytest.raises(ValueError, match="'model.safetensors' does not match its SHA-256"):
        load_model(folder)


def test_tampered_tokenizer_file_is_detected(saved_dmt, tmp_path):
    folder = copy_of(saved_dmt, tmp_path)
    vocab = next((folder / "encoder_tokenizer").glob("tokenizer*.json"))
    vocab.write_text(vocab.read_text().replace('"[CLS]"', '"[CLX]"', 1))
    with pytest.raises(ValueError, match="modified after saving"):
        load_model(folder)


def test_truncated_weights_with_a_matching_hash_still_fail_clearly(saved_dmt, tmp_path):
    # a forged config.json hides the truncation from the hash check
    folder = copy_of(saved_dmt, tmp_path)
    weights = folder / "model.safetensors"
    weights.write_bytes(weights.read_bytes()[:1000])
    rewrite_manifest(folder, lambda m: m["files"].update({"model.safetensors": sha256(weights)}))
    with pytest.raises(ValueError, match="not a readable safetensors file"):
        load_model(folder)


@pytest.mark.parametrize(
    "edit, message",
    [
        (lambda c: c.update(format_version="4.0"), "format version 4.0, newer"),
        (lambda c: c.update(format_version="1.0"), "format version 1.0, whose config.json"),
        (lambda c: c.update(skmedtext_version="99.0.0"), "newer major version"),
        (lambda c: c.update(format="something-else"), "not a skmedtext model folder"),
        (lambda c: c.update(estimator="os.system"), "not one of the classes save_model stores"),
        (lambda c: c.update(estimator="skmedtext.persistence.save_model"),
         "not one of the classes save_model stores"),
        (lambda c: c["params"].update(no_such_param=1), "do not fit DMTBertClassifier"),
    ],
)  # fmt: skip
def test_bad_config_is_refused(saved_dmt, tmp_path, edit, message):
    # the config edits go with a recomputed manifest: what the checks behind the hashes see
    folder = copy_of(saved_dmt, tmp_path)
    rewrite_config(folder, edit)
    rewrite_manifest(folder, lambda m: None)
    with pytest.raises(ValueError, match=message):
        load_model(folder)


@pytest.mark.parametrize(
    "edit, message",
    [
        (lambda m: m["files"].update({"../outside.bin": "0" * 64}), "outside the folder"),
        (lambda m: m["files"].update({"more.bin": "0" * 64}), "'more.bin'.*missing"),
    ],
)
def test_bad_manifest_is_refused(saved_dmt, tmp_path, edit, message):
    folder = copy_of(saved_dmt, tmp_path)
    rewrite_manifest(folder, edit)
    with pytest.raises(ValueError, match=message):
        load_model(folder)


def test_missing_unlisted_and_unreadable_files(saved_dmt, tmp_path):
    folder = copy_of(saved_dmt, tmp_path)
    (folder / "history.json").unlink()
    with pytest.raises(ValueError, match="'history.json' listed in manifest.json is missing"):
        load_model(folder)
    folder = copy_of(saved_dmt, tmp_path / "b")
    (folder / "encoder_tokenizer" / "added_by_someone.py").write_text("import os")
    with pytest.raises(ValueError, match="not written by save_model"):
        load_model(folder)
    (folder / "encoder_tokenizer" / "added_by_someone.py").unlink()
    (folder / "config.json").write_text("{not json")
    with pytest.raises(ValueError, match="'config.json' does not match its SHA-256"):
        load_model(folder)
    rewrite_manifest(folder, lambda m: None)
    with pytest.raises(ValueError, match="not valid JSON"):
        load_model(folder)
    (folder / "config.json").unlink()
    with pytest.raises(ValueError, match="'config.json' listed in manifest.json is missing"):
        load_model(folder)
    with pytest.raises(FileNotFoundError):
        load_model(tmp_path / "nowhere")


def sha256(path):
    import hashlib

    return hashlib.sha256(path.read_bytes()).hexdigest()


def rewrite_config(folder, edit):
    config = json.loads((folder / "config.json").read_text())
    edit(config)
    (folder / "config.json").write_text(json.dumps(config))


def rewrite_manifest(folder, edit):
    """Forge the manifest: the config's new hash, ``edit`` applied, the digest recomputed."""
    import hashlib

    path = folder / "manifest.json"
    manifest = json.loads(path.read_text())
    manifest["files"]["config.json"] = sha256(folder / "config.json")
    edit(manifest)
    lines = "".join(f"{k}\t{manifest['files'][k]}\n" for k in sorted(manifest["files"]))
    manifest["digest"] = hashlib.sha256(lines.encode()).hexdigest()
    path.write_text(json.dumps(manifest))


# -- pickle and joblib -------------------------------------------------------------------
CASES = [
    "TransformerEmbedder", "Word2VecEmbedder", "TextCleaner", "JiebaTokenizer",
    "DMTBertClassifier", "StaResGRUCNNClassifier", "TextCNNClassifier", "BiLSTMClassifier",
    "BiGRUClassifier", "TextCNNBiGRUClassifier", "CNNLSTMClassifier", "CNNGRUClassifier",
    "DPCNNClassifier", "SAANSampler(vectors)", "SAANSampler(texts)", "VocabularyAugmenter",
    "Pipeline(VocabularyAugmenter, TF-IDF, LR)", "Pipeline(SAANSampler, DMTBertClassifier)",
]  # fmt: skip


@pytest.fixture(scope="module")
def cases(tiny_bert, english, chinese):
    return estimator_cases(tiny_bert, english, chinese)


def _round_trip(obj, how):
    if how == "pickle":
        return pickle.loads(pickle.dumps(obj))
    buffer = io.BytesIO()
    joblib.dump(obj, buffer)
    buffer.seek(0)
    return joblib.load(buffer)


@pytest.mark.parametrize("name", CASES)
def test_pickle_and_joblib_round_trip_gives_identical_output(cases, name):
    case = cases[name]
    estimator = case.make()
    fitted = case.fit(estimator)
    if isinstance(fitted, tuple):  # a sampler: the fitted sampler itself is round-tripped,
        # then must resample identically (its parameters and random_state survived)
        expected = as_arrays(case.output(fitted))
        for how in ("pickle", "joblib"):
            again = case.fit(_round_trip(estimator, how))
            for a, b in zip(as_arrays(case.output(again)), expected, strict=True):
                np.testing.assert_array_equal(a, b)
        return
    expected = as_arrays(case.output(fitted))
    for how in ("pickle", "joblib"):
        restored = _round_trip(fitted, how)
        assert type(restored) is type(fitted)
        for a, b in zip(as_arrays(case.output(restored)), expected, strict=True):
            np.testing.assert_array_equal(a, b)
