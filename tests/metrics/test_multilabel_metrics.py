"""Multi-label reports against hand-computed values, and their input checks."""

import numpy as np
import pytest
import scipy.sparse as sp

from skmedtext.metrics import (
    MULTILABEL_SCALAR_METRICS,
    check_indicator,
    label_cardinality,
    multilabel_report,
    rare_label_f1,
)

Y_TRUE = np.array([[1, 0, 0], [1, 1, 0], [0, 1, 0], [1, 0, 1]])
Y_PRED = np.array([[1, 0, 0], [1, 0, 0], [0, 1, 1], [0, 0, 1]])


def test_report_matches_hand_computed():
    report = multilabel_report(Y_TRUE, Y_PRED, target_names=["a", "b", "c"])
    # label a: tp 2, fp 0, fn 1; b: tp 1, fn 1; c: tp 1, fp 1
    tp, fp, fn = 4, 1, 2
    assert report.precision_micro == pytest.approx(tp / (tp + fp))
    assert report.recall_micro == pytest.approx(tp / (tp + fn))
    assert report.f1_micro == pytest.approx(2 * tp / (2 * tp + fp + fn))
    f1 = [2 * 2 / (2 * 2 + 1), 2 * 1 / (2 + 1), 2 * 1 / (2 + 1)]
    assert report.f1_macro == pytest.approx(np.mean(f1))
    np.testing.assert_allclose(report.per_label["f1"], f1)
    # example-based: per-record F1 = 1, 2/3, 2/3, 2/3
    assert report.f1_samples == pytest.approx(np.mean([1, 2 / 3, 2 / 3, 2 / 3]))
    assert report.subset_accuracy == pytest.approx(0.25)
    assert report.hamming_loss == pytest.approx(3 / 12)
    assert report.cardinality_true == pytest.approx(6 / 4)
    assert report.cardinality_pred == pytest.approx(5 / 4)
    assert report.per_label["support"].tolist() == [3, 2, 1]
    assert report.per_label["predicted"].tolist() == [2, 1, 2]
    assert np.isnan(report.roc_auc_macro)
    assert list(report.scalars()) == list(MULTILABEL_SCALAR_METRICS)
    frame = report.to_frame()
    assert frame.index.tolist() == [
        "a",
        "b",
        "c",
        "micro avg",
        "macro avg",
        "samples avg",
    ]
    assert "f1_micro=0.7273" in repr(report)


def test_report_with_scores_and_sparse_input():
    scores = np.array(
        [[0.9, 0.1, 0.2], [0.8, 0.4, 0.1], [0.2, 0.7, 0.6], [0.3, 0.2, 0.9]]
    )
    report = multilabel_report(sp.csr_matrix(Y_TRUE), Y_PRED, y_score=scores)
    assert report.per_label.index.tolist() == ["0", "1", "2"]
    assert report.per_label["roc_auc"].tolist() == [1.0, 1.0, 1.0]
    assert report.roc_auc_macro == 1.0
    # a label true nowhere has no AUC; the macro mean skips it
    y_true = Y_TRUE.copy()
    y_true[:, 2] = 0
    report = multilabel_report(y_true, Y_PRED, y_score=scores)
    assert (
        np.isnan(report.per_label.loc["2", "roc_auc"]) and report.roc_auc_macro == 1.0
    )


def test_cardinality_and_rare_labels():
    assert label_cardinality(Y_TRUE) == 1.5
    # rarest label is c (1 positive): F1 2/3; the two rarest: b and c
    assert rare_label_f1(Y_TRUE, Y_PRED, k=1) == pytest.approx(2 / 3)
    assert rare_label_f1(Y_TRUE, Y_PRED, k=2) == pytest.approx(2 / 3)
    assert rare_label_f1(Y_TRUE, Y_PRED, k=10) == pytest.approx(
        multilabel_report(Y_TRUE, Y_PRED).f1_macro
    )
    with pytest.raises(ValueError, match="k must be"):
        rare_label_f1(Y_TRUE, Y_PRED, k=0)


def test_bad_input_is_named():
    with pytest.raises(ValueError, match="y_pred has 2 label columns but 3"):
        multilabel_report(Y_TRUE, Y_PRED[:, :2])
    with pytest.raises(ValueError, match="4 rows but y_pred has 3"):
        multilabel_report(Y_TRUE, Y_PRED[:3])
    with pytest.raises(ValueError, match="at least 2 label columns"):
        multilabel_report(Y_TRUE[:, :1], Y_PRED[:, :1])
    with pytest.raises(ValueError, match="MultiLabelBinarizer"):
        multilabel_report([0, 1, 2], [0, 1, 2])
    with pytest.raises(ValueError, match="only 0 and 1"):
        check_indicator([[0, 2]])
    with pytest.raises(ValueError, match="only 0 and 1"):
        check_indicator([["a", "b"]])
    with pytest.raises(ValueError, match="one name per|names"):
        multilabel_report(Y_TRUE, Y_PRED, target_names=["a", "b"])
    with pytest.raises(ValueError, match="y_score must have the shape"):
        multilabel_report(Y_TRUE, Y_PRED, y_score=np.zeros((4, 2)))
