"""skmedtext.metrics."""

from skmedtext.metrics._report import (
    ClassificationReport,
    aggregate_reports,
    classification_report_full,
    report_from_estimator,
)

__all__ = [
    "ClassificationReport",
    "aggregate_reports",
    "classification_report_full",
    "report_from_estimator",
]
