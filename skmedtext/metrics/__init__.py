"""Classification reports for a fitted pipeline or for cross-validation folds.

:func:`classification_report_full` gathers scikit-learn's metric functions into
one :class:`ClassificationReport` (accuracy, balanced accuracy, macro/micro/
weighted precision, recall and F1, per-class P/R/F1/support, one-vs-rest ROC-AUC
per class and averaged, confusion matrix); :func:`report_from_estimator` builds
it from a fitted model; :func:`aggregate_reports` summarises folds.
:func:`resolve_labels`, :func:`resolve_names`, :func:`align_scores` and
:func:`estimator_scores` are the checks and alignments the reports, the figures
and :func:`skmedtext.evaluate.evaluate` share.
"""

from skmedtext.metrics._labels import (
    align_scores,
    estimator_scores,
    resolve_labels,
    resolve_names,
)
from skmedtext.metrics._report import (
    PER_CLASS_METRICS,
    SCALAR_METRICS,
    ClassificationReport,
    aggregate_reports,
    classification_report_full,
    report_from_estimator,
)

__all__ = [
    "PER_CLASS_METRICS",
    "SCALAR_METRICS",
    "ClassificationReport",
    "aggregate_reports",
    "align_scores",
    "classification_report_full",
    "estimator_scores",
    "report_from_estimator",
    "resolve_labels",
    "resolve_names",
]

# synthetic-sample quality (SAAN and other generators)
from skmedtext.metrics._synthetic_quality import (  # noqa: E402
    classifier_two_sample_test,
    knn_precision_recall,
    maximum_mean_discrepancy,
    synthetic_quality_report,
)

__all__ += [
    "classifier_two_sample_test",
    "knn_precision_recall",
    "maximum_mean_discrepancy",
    "synthetic_quality_report",
]

# entity spans: BIO conversion and entity-level scores (clinical NER)
from skmedtext.metrics._entities import (  # noqa: E402
    bio_to_spans,
    check_spans,
    entity_comparison_table,
    entity_f1_score,
    entity_report,
    entity_scores,
    make_span_scorer,
    span_f1_scorer,
    spans_to_bio,
)

__all__ += [
    "bio_to_spans",
    "check_spans",
    "entity_comparison_table",
    "entity_f1_score",
    "entity_report",
    "entity_scores",
    "make_span_scorer",
    "span_f1_scorer",
    "spans_to_bio",
]

# multi-label: indicator checks, micro/macro/example-based scores, per-label report
from skmedtext.metrics._multilabel import (  # noqa: E402
    MULTILABEL_SCALAR_METRICS,
    MultilabelReport,
    check_indicator,
    label_cardinality,
    multilabel_report,
    rare_label_f1,
)

__all__ += [
    "MULTILABEL_SCALAR_METRICS",
    "MultilabelReport",
    "check_indicator",
    "label_cardinality",
    "multilabel_report",
    "rare_label_f1",
]
