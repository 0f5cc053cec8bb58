"""The skmedtext command line: train/predict round trip and clear errors."""

import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

from skmedtext.cli import main
from skmedtext.datasets import load_department_triage


@pytest.fixture(scope="module")
def triage_csv(tmp_path_factory, data_root):
    bunch = load_department_triage(data_home=data_root)
    rng = np.random.RandomState(0)
    idx = rng.permutation(len(bunch.data))[:400]
    frame = pd.DataFrame(
        {
            "question": np.asarray(bunch.data, dtype=object)[idx],
            "department": np.asarray(bunch.target, dtype=object)[idx],
        }
    )
    path = tmp_path_factory.mktemp("cli") / "triage.csv"
    frame.to_csv(path, index=False)
    return path, frame


def test_train_then_predict_round_trip(triage_csv, tmp_path):
    path, frame = triage_csv
    model = tmp_path / "model.joblib"
    out = tmp_path / "pred.csv"
    assert main(["train", "--csv", str(path), "--text-col", "question",
                 "--label-col", "department", "--model", "tfidf-lr", "--sampler", "ros",
                 "--out", str(model)]) == 0
    assert main(["predict", "--model", str(model), "--csv", str(path),
                 "--text-col", "question", "--out", str(out)]) == 0
    predictions = pd.read_csv(out)
    assert len(predictions) == len(frame)
    assert set(predictions["prediction"]) <= set(frame["department"])
    # a linear model on its own training data must beat the majority class clearly
    accuracy = (predictions["prediction"] == frame["department"]).mean()
    majority = frame["department"].value_counts(normalize=True).iloc[0]
    assert accuracy > majority + 0.05
    proba_cols = [c for c in predictions if c.startswith("proba_")]
    np.testing.assert_allclose(predictions[proba_cols].sum(axis=1), 1.0, rtol=1e-6)


def test_wrong_column_is_a_one_line_error(triage_csv, tmp_path, capsys):
    path, _ = triage_csv
    code = main(["train", "--csv", str(path), "--text-col", "text", "--label-col",
                 "department", "--out", str(tmp_path / "m.joblib")])
    assert code == 2
    err = capsys.readouterr().err
    assert "['text']" in err and "available columns" in err


def test_missing_file_is_reported(tmp_path, capsys):
    code = main(["predict", "--model", str(tmp_path / "nope.joblib"), "--csv", "x.csv",
                 "--text-col", "t", "--out", str(tmp_path / "o.csv")])
    assert code == 2
    assert "model file not found" in capsys.readouterr().err


def test_incompatible_sampler_is_refused(triage_csv, tmp_path):
    path, _ = triage_csv
    with pytest.raises(ValueError, match="SMOTE"):
        main(["train", "--csv", str(path), "--text-col", "question", "--label-col",
              "department", "--model", "textcnn", "--sampler", "smote",
              "--out", str(tmp_path / "m.joblib")])


def test_console_entry_point_lists_encoders():
    result = subprocess.run(
        [sys.executable, "-m", "skmedtext", "encoders", "list"],
        capture_output=True, text=True, check=True,
    )
    assert "minilm-en" in result.stdout and "e5-small-multilingual" in result.stdout


@pytest.mark.parametrize(
    "suite",
    ["samplers", "augment", "losses", "models", "ablation", "speed", "encoders", "pretrain",
     "text", "persistence", "baselines"],
)
def test_benchmark_options_are_accepted_by_each_script(suite, tmp_path):
    import argparse

    from skmedtext.cli import SUITES, _benchmark_command, _benchmarks_dir

    args = argparse.Namespace(suite=suite, dataset=None, out=str(tmp_path), quick=True,
                              device="cpu", extra=[])
    command = _benchmark_command(args, _benchmarks_dir() / SUITES[suite])
    # each script parses the translated flags (argparse exits 2 on an unknown one)
    probe = subprocess.run(command[:2] + ["--help"], capture_output=True, text=True)
    assert probe.returncode == 0
    flags = [c for c in command[2:] if c.startswith("--")]
    for flag in flags:
        assert flag in probe.stdout, (suite, flag)


def test_fixed_dataset_suites_refuse_another_dataset(capsys):
    code = main(["benchmark", "--suite", "text", "--dataset", "medical_abstracts"])
    assert code == 2
    assert "department_triage only" in capsys.readouterr().err
