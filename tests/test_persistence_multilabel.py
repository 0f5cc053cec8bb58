"""Saving and loading multi-label classifiers in the safe folder format (format 3)."""

import json
import shutil
import sys
from pathlib import Path

import numpy as np
import pytest
import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))  # tests/_reliability.py (importlib mode)
from _reliability import DMT_TINY, make_tiny_bert  # noqa: E402
from test_persistence import rewrite_config, rewrite_manifest  # noqa: E402

from skmedtext.losses import AsymmetricLoss, WeightedBCEWithLogitsLoss  # noqa: E402
from skmedtext.models import (  # noqa: E402
    BiGRUClassifier,
    DMTBertClassifier,
    HybridBertClassifier,
    TextCNNClassifier,
)
from skmedtext.persistence import FORMAT_VERSION, load_model, save_model  # noqa: E402

TEXTS = ["胸痛胸闷三天", "心慌胸闷气短", "胃痛腹泻两天", "腹胀胃痛反酸", "胸痛腹泻", "心慌反酸"] * 4
SETS = [["心", "急"], ["心"], ["胃"], ["胃", "急"], ["心", "胃"], ["心", "胃", "急"]] * 4
ABSTRACTS = [
    "chronic hepatitis b with liver cirrhosis",
    "acute myocardial infarction and chest pain",
    "viral hepatitis and fatty liver disease",
    "coronary artery disease with heart failure",
] * 3
ORGAN_SETS = [["liver"], ["heart"], ["liver", "viral"], ["heart"]] * 3
SEQUENCE = {"hidden_size": 8, "max_epochs": 2, "lr": 0.01, "random_state": 0}


@pytest.fixture(scope="module")
def tiny_bert(tmp_path_factory):
    return make_tiny_bert(tmp_path_factory.mktemp("tiny-bert"))


def _round_trip(clf, X, folder):
    loaded = load_model(save_model(clf, folder), expected_class=type(clf))
    assert loaded.multilabel_ is True
    np.testing.assert_array_equal(loaded.predict_proba(X), clf.predict_proba(X))
    np.testing.assert_array_equal(loaded.predict(X), clf.predict(X))
    np.testing.assert_array_equal(loaded.thresholds_, clf.thresholds_)
    assert loaded.classes_.dtype == clf.classes_.dtype
    assert loaded.classes_.tolist() == clf.classes_.tolist()
    assert type(loaded.net_.criterion_) is type(clf.net_.criterion_)
    return loaded


def test_sequence_classifier_with_tuned_thresholds_round_trips(tmp_path):
    clf = BiGRUClassifier(**SEQUENCE, criterion="weighted_bce", validation_fraction=0.25)
    clf.fit(TEXTS, SETS)
    assert not np.all(clf.thresholds_ == 0.5)  # tuned: a lost threshold would show
    loaded = _round_trip(clf, TEXTS, tmp_path / "bigru")
    assert isinstance(loaded.net_.criterion_, WeightedBCEWithLogitsLoss)
    torch.testing.assert_close(loaded.net_.criterion_.pos_weight, clf.net_.criterion_.pos_weight)
    config = json.loads((tmp_path / "bigru" / "config.json").read_text())
    assert config["format_version"] == FORMAT_VERSION == "3.0"
    assert config["multilabel"] == {"thresholds": clf.thresholds_.tolist()}
    assert loaded.predict(TEXTS).shape == (len(TEXTS), 3)


def test_indicator_fit_and_hand_set_scalar_threshold(tmp_path):
    Y = np.array([[1, 1, 0], [1, 0, 0], [0, 0, 1], [0, 1, 1], [1, 0, 1], [1, 1, 1]] * 4)
    clf = TextCNNClassifier(filters=4, max_epochs=1, random_state=0, criterion="asl").fit(TEXTS, Y)
    clf.thresholds_ = 0.3  # predict broadcasts a scalar; the folder stores one per label
    loaded = load_model(save_model(clf, tmp_path / "cnn"))
    assert isinstance(loaded.net_.criterion_, AsymmetricLoss)
    np.testing.assert_array_equal(loaded.thresholds_, [0.3, 0.3, 0.3])
    np.testing.assert_array_equal(loaded.predict(TEXTS), clf.predict(TEXTS))
    assert loaded.classes_.tolist() == [0, 1, 2]


def test_dmt_bert_multilabel_round_trip(tiny_bert, tmp_path):
    encoder = tmp_path / "bert"
    shutil.copytree(tiny_bert, encoder)
    clf = DMTBertClassifier(str(encoder), **DMT_TINY).fit(ABSTRACTS, ORGAN_SETS)
    clf.thresholds_ = np.array([0.4, 0.5, 0.6])
    shutil.rmtree(encoder)  # loading never needs the encoder folder
    _round_trip(clf, ABSTRACTS, tmp_path / "dmt")


def test_hybrid_multilabel_round_trip(tiny_bert, tmp_path):
    params = {**DMT_TINY, "lstm_hidden": 4, "n_heads": 2, "head_hidden": 8}
    clf = HybridBertClassifier(tiny_bert, **params).fit(ABSTRACTS, ORGAN_SETS)
    _round_trip(clf, ABSTRACTS, tmp_path / "hybrid")


@pytest.fixture(scope="module")
def saved_multilabel(tmp_path_factory):
    clf = BiGRUClassifier(**{**SEQUENCE, "max_epochs": 1}).fit(TEXTS, SETS)
    return save_model(clf, tmp_path_factory.mktemp("saved") / "bigru")


@pytest.mark.parametrize(
    "edit, message",
    [
        (lambda c: c["multilabel"].update(thresholds=[0.5, 0.5]), r"\[3 finite numbers\]"),
        (lambda c: c["multilabel"].update(thresholds=[0.5, None, 0.5]), "finite numbers"),
        (lambda c: c["multilabel"].update(thresholds=[0.5, True, 0.5]), "finite numbers"),
        (lambda c: c.update(multilabel=[0.5, 0.5, 0.5]), "must be a dict or null; it is a list"),
        (lambda c: c.pop("multilabel"), "'multilabel' must be a dict or null; it is missing"),
        (lambda c: c.update(format_version="2.0"), "format 2 has no 'multilabel' field"),
    ],
)  # fmt: skip
def test_forged_multilabel_fields_are_named(saved_multilabel, tmp_path, edit, message):
    folder = tmp_path / "copy"
    shutil.copytree(saved_multilabel, folder)
    rewrite_config(folder, edit)
    rewrite_manifest(folder, lambda m: None)
    with pytest.raises(ValueError, match=message):
        load_model(folder)


def test_format_2_single_label_folders_still_load(tmp_path):
    labels = [s[0] for s in SETS]
    clf = BiGRUClassifier(**{**SEQUENCE, "max_epochs": 1}).fit(TEXTS, labels)
    folder = save_model(clf, tmp_path / "single")
    assert json.loads((folder / "config.json").read_text())["multilabel"] is None

    def as_format_2(config):  # what skmedtext wrote before format 3
        config.update(format_version="2.0")
        del config["multilabel"]

    rewrite_config(folder, as_format_2)
    rewrite_manifest(folder, lambda m: None)
    loaded = load_model(folder)
    assert loaded.multilabel_ is False
    np.testing.assert_array_equal(loaded.predict(TEXTS), clf.predict(TEXTS))
