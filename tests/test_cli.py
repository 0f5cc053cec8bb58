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
     "text", "persistence", "baselines", "external", "ner"],
)
def test_benchmark_options_are_accepted_by_each_script(suite, tmp_path):
    from skmedtext.cli import _benchmark_command

    command = _benchmark_command(suite, ["--quick", "--output", str(tmp_path / "x.md")])
    # each script parses the passed-through flags (argparse exits 2 on an unknown one)
    probe = subprocess.run(command[:2] + ["--help"], capture_output=True, text=True)
    assert probe.returncode == 0, probe.stderr
    flags = [c for c in command[2:] if c.startswith("--")]
    # one dialect: every script takes the common flags of benchmarks/_common.py
    for flag in flags + ["--quick", "--output", "--random-state", "--data-home"]:
        assert flag in probe.stdout, (suite, flag)


def test_benchmark_flags_pass_through_unchanged():
    from skmedtext.cli import _benchmark_command

    flags = ["--datasets", "medical_abstracts", "--only", "char", "m2:", "--quick"]
    command = _benchmark_command("ablation", flags)
    assert command[0] == sys.executable and command[1].endswith("bench_dmt.py")
    assert command[2:] == flags + ["--output", "results/benchmarks/ablation.md"]
    # the "--" separator of older docs is dropped; an output the user names is kept
    command = _benchmark_command("losses", ["--", "--n-splits", "5", "--output", "l.md"])
    assert command[2:] == ["--part", "losses", "--n-splits", "5", "--output", "l.md"]
    assert _benchmark_command("text", ["--out", "t.md"])[2:] == ["--out", "t.md"]


def test_external_suite_quick_tfidf_row(data_root, tmp_path):
    # the smallest real run of the external benchmark: one corpus, one row, subsampled
    out = tmp_path / "external.md"
    code = main(["benchmark", "--suite", "external", "--quick", "--only", "char",
                 "--datasets", "kuake_qic", "--data-home", str(data_root),
                 "--cache-dir", str(tmp_path / "cache"), "--output", str(out)])  # fmt: skip
    assert code == 0
    text = out.read_text(encoding="utf-8")
    assert "kuake_qic" in text and "84.3 (BERT-base" in text and "**dev**" in text
    assert "char TF-IDF + balanced LR" in text and "Command:" in text


def test_fixed_dataset_suites_refuse_another_dataset(capfd):
    code = main(["benchmark", "--suite", "text", "--dataset", "medical_abstracts"])
    assert code == 2
    assert "department_triage only" in capfd.readouterr().err
