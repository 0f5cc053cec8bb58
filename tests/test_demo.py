"""``skmedtext demo``: the README's main job, at a small size on real data."""

import numpy as np
import pytest

from skmedtext.evaluate import EvaluationResult
from skmedtext._demo import _PrecomputedEmbedding, _VectorTable, run_demo


def test_precomputed_table_repr_stays_short():
    # evaluate() reprs every pipeline; a dict of thousands of vectors used to take minutes
    table = _VectorTable((f"text {i}", np.zeros(384)) for i in range(2000))
    text = repr(_PrecomputedEmbedding(table))
    assert text == "_PrecomputedEmbedding(table=<2000 precomputed vectors>)"


def test_precomputed_embedding_refuses_unknown_text():
    step = _PrecomputedEmbedding(_VectorTable({"fever": np.ones(3)}))
    np.testing.assert_array_equal(step.transform(["fever"]), np.ones((1, 3)))
    with pytest.raises(ValueError, match="not in the precomputed table"):
        step.transform(["cough"])


@pytest.fixture
def fresh_machine(monkeypatch, tmp_path):
    """No shared/data and no SKMEDTEXT_DATA: only the repository (and its package) exists."""
    from skmedtext.datasets import _base

    monkeypatch.delenv("SKMEDTEXT_DATA", raising=False)
    monkeypatch.setattr(_base, "_default_homes", lambda: [])
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    _base._cache.clear()
    yield
    _base._cache.clear()


def test_quick_demo_writes_table_json_and_figures(fresh_machine, tmp_path):
    # the README's first command on a machine where only the repository was cloned:
    # the demo runs on the embedded copy of Medical Abstracts, offline
    result = run_demo("medical_abstracts", out=tmp_path, n_splits=2, quick=True)
    from skmedtext.datasets import _base

    assert result.metadata["data_source"] == _base.EMBEDDED_SOURCE
    names = result.pipelines
    assert names == [
        "char TF-IDF + LR", "vocabulary aug. + char TF-IDF + LR", "minilm + LR", "minilm + ROS + LR",
        "minilm + SMOTE + LR", "minilm + SAAN + LR",
    ]  # fmt: skip
    summary = result.summary(["f1_macro"])
    # 5 classes: a chance-level (stratified) guess scores about 0.2 macro-F1
    assert (summary[("f1_macro", "mean")] > 0.35).all(), summary
    table = (tmp_path / "results.md").read_text(encoding="utf-8")
    assert all(name in table for name in names)
    saved = EvaluationResult.from_json(tmp_path / "results.json")
    assert saved.summary(["f1_macro"]).equals(summary)
    for figure in ("roc_curves.png", "confusion_matrices.png", "class_distribution.png"):
        assert (tmp_path / figure).stat().st_size > 10_000
