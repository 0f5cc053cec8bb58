"""Reproducibility: the same random_state gives bit-identical output on CPU, for every
public estimator and two pipelines, fitted twice in one process.

GPU runs are not bit-identical by default (atomic adds in cuDNN/cuBLAS kernels);
``docs/scaling.md`` documents the switch that makes them so.
"""

import sys
from pathlib import Path

import numpy as np
import pytest
import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))  # tests/_reliability.py (importlib mode)
from _reliability import (  # noqa: E402
    as_arrays,
    chinese_subset,
    english_subset,
    estimator_cases,
    make_tiny_bert,
)

CASES = [
    "TransformerEmbedder", "Word2VecEmbedder", "TextCleaner", "JiebaTokenizer",
    "DMTBertClassifier", "StaResGRUCNNClassifier", "TextCNNClassifier", "BiLSTMClassifier",
    "BiGRUClassifier", "TextCNNBiGRUClassifier", "CNNLSTMClassifier", "CNNGRUClassifier",
    "DPCNNClassifier", "SAANSampler(vectors)", "SAANSampler(texts)", "VocabularyAugmenter",
    "Pipeline(VocabularyAugmenter, TF-IDF, LR)", "Pipeline(SAANSampler, DMTBertClassifier)",
]  # fmt: skip
# estimators whose random_state can be changed to check that it matters
SEEDED = {
    "DMTBertClassifier": "random_state",
    "StaResGRUCNNClassifier": "random_state",
    "TextCNNClassifier": "random_state",
    "Word2VecEmbedder": "random_state",
    "SAANSampler(vectors)": "random_state",
    "VocabularyAugmenter": "random_state",
}


@pytest.fixture(scope="module")
def cases(tmp_path_factory, data_root):
    tiny_bert = make_tiny_bert(tmp_path_factory.mktemp("tiny-bert"))
    return estimator_cases(tiny_bert, english_subset(data_root), chinese_subset(data_root))


def _run(case, **params):
    estimator = case.make()
    if params:
        estimator.set_params(**params)
    return as_arrays(case.output(case.fit(estimator)))


@pytest.mark.parametrize("name", CASES)
def test_same_random_state_gives_bit_identical_output(cases, name):
    case = cases[name]
    # the global torch generator is moved between the two fits: a seeded estimator
    # must not depend on it
    first = _run(case)
    torch.manual_seed(12345)
    second = _run(case)
    assert len(first) == len(second) and first
    for a, b in zip(first, second, strict=True):
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("name", list(SEEDED))
def test_another_random_state_changes_the_output(cases, name):
    case = cases[name]
    first = _run(case)
    other = _run(case, **{SEEDED[name]: 1})
    assert any(
        a.shape != b.shape or not np.array_equal(a, b) for a, b in zip(first, other, strict=True)
    )


def test_fitting_leaves_the_global_torch_generator_alone(cases):
    torch.manual_seed(0)
    expected = torch.rand(3)
    torch.manual_seed(0)
    cases["TextCNNClassifier"].fit(cases["TextCNNClassifier"].make())
    np.testing.assert_array_equal(torch.rand(3), expected)


def test_deterministic_algorithms_switch_runs_and_changes_nothing_on_cpu(cases):
    # the GPU recipe of docs/scaling.md must not break the CPU code paths
    previous = torch.are_deterministic_algorithms_enabled()
    for name in ("DMTBertClassifier", "StaResGRUCNNClassifier", "SAANSampler(vectors)"):
        default = _run(cases[name])
        torch.use_deterministic_algorithms(True)
        try:
            strict = _run(cases[name])
        finally:
            torch.use_deterministic_algorithms(previous)
        for a, b in zip(default, strict, strict=True):
            np.testing.assert_array_equal(a, b)
