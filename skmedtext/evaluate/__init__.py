"""Cross-validated comparison of named pipelines: every metric per fold, tables, tests, plots.

:func:`evaluate` fits a clone of each pipeline on every fold of one shared
stratified split, and returns an :class:`EvaluationResult` that holds every
fold's :class:`~skmedtext.metrics.ClassificationReport`, times and out-of-fold
predictions. A 2-D 0/1 ``y`` is evaluated as multi-label (iterative
stratification, micro/macro/example-based F1 per fold). From it come a tidy DataFrame, a mean +/- std summary, a Markdown
table with the best value per column in bold and a paired test between the two
best pipelines, JSON that round-trips, and the figures of paper 000.
:func:`environment` is the date, machine and versions block printed under every
table (the benchmarks use it too).
"""

from skmedtext.evaluate._environment import environment
from skmedtext.evaluate._export import MARKDOWN_METRICS
from skmedtext.evaluate._records import TIME_COLUMNS
from skmedtext.evaluate._result import EvaluationResult
from skmedtext.evaluate._validation import evaluate

__all__ = ["MARKDOWN_METRICS", "TIME_COLUMNS", "EvaluationResult", "environment", "evaluate"]
