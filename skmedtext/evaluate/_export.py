"""An evaluation as a Markdown table and as JSON that round-trips."""

import json
from pathlib import Path

import numpy as np

from skmedtext.evaluate._multilabel import MULTILABEL_MARKDOWN_METRICS
from skmedtext.evaluate._records import (
    LOWER_IS_BETTER,
    py_list,
    record_from_dict,
    record_to_dict,
)

__all__ = [
    "MARKDOWN_METRICS",
    "MULTILABEL_MARKDOWN_METRICS",
    "result_fields",
    "to_dict",
    "to_markdown",
    "write_json",
]

MARKDOWN_METRICS = (
    "accuracy",
    "precision_macro",
    "recall_macro",
    "f1_macro",
    "f1_weighted",
    "roc_auc_macro",
)
"""Default metric columns of :meth:`EvaluationResult.to_markdown`."""

_TEST_LABELS = {
    "ttest": "paired t-test (scipy.stats.ttest_rel)",
    "corrected_ttest": "corrected resampled t-test (Nadeau & Bengio 2003)",
    "wilcoxon": "Wilcoxon signed-rank test (scipy.stats.wilcoxon)",
}


# -- Markdown ---------------------------------------------------------------------------


def _columns(result, metrics, k_rarest, times, digits):
    """``(header, means, stds, higher_is_better, decimals)`` per column of the table."""
    summary = result.summary(list(metrics) + (["fit_time", "predict_time"] if times else []))
    columns = [
        (m, summary[(m, "mean")], summary[(m, "std")], m not in LOWER_IS_BETTER, digits)
        for m in metrics
    ]
    if k_rarest:
        # a rare label's F1 (multi-label) says more than its recall, which a model
        # predicting the label everywhere would max out
        if result.multilabel:
            kind, rare = "F1", result.rare_label_f1(k_rarest)
        else:
            kind, rare = "recall", result.rare_class_recall(k_rarest)
        for name in result.rarest_classes(k_rarest):
            columns.append(
                (f"{kind}: {name}", rare[(name, "mean")], rare[(name, "std")], True, digits)
            )
    if times:
        for t in ("fit_time", "predict_time"):
            columns.append((f"{t} (s)", summary[(t, "mean")], summary[(t, "std")], False, 2))
    return columns


def to_markdown(result, metrics, *, k_rarest, times, test, test_metric, digits, footer):
    """The table of :meth:`EvaluationResult.to_markdown` (see there)."""
    columns = _columns(result, metrics, k_rarest, times, digits)
    header = ["pipeline", *(c[0] for c in columns)]
    lines = ["| " + " | ".join(_escape(h) for h in header) + " |"]
    lines.append("|" + "---|" + "---:|" * len(columns))
    bold = [_best_mask(means, higher, dec) for _, means, _, higher, dec in columns]
    for name in result.pipelines:
        cells = [_escape(name)]
        for (_, means, stds, _, dec), mask in zip(columns, bold):
            cell = _format_cell(means.get(name, np.nan), stds.get(name, np.nan), dec)
            cells.append(f"**{cell}**" if mask.get(name, False) else cell)
        lines.append("| " + " | ".join(cells) + " |")
    text = "\n".join(lines) + "\n"
    if test and len(result.pipelines) >= 2:
        text += "\n" + _test_sentence(result.paired_test(test_metric, method=test)) + "\n"
    if footer:
        text += "\n" + _footer(result) + "\n"
    return text


def _test_sentence(res):
    if np.isnan(res.pvalue):
        outcome = "p undefined (identical or too few fold scores)"
    else:
        outcome = f"statistic = {res.statistic:.3f}, p = {res.pvalue:.4g}"
    return (
        f"{_TEST_LABELS[res.method]} on {res.metric} over {res.n} folds, "
        f"{_escape(res.a)} vs {_escape(res.b)}: mean difference {res.mean_diff:+.4f}, {outcome}."
    )


def _footer(result):
    meta = result.metadata
    versions = ", ".join(f"{k} {v}" for k, v in meta.get("versions", {}).items())
    hardware = f"{meta.get('platform', '?')}, {meta.get('cpu_count', '?')} CPUs"
    if meta.get("cpu"):
        hardware = f"{meta['cpu']}, {hardware}"
    if meta.get("gpu"):
        hardware += f", GPU {meta['gpu']}"
    return (
        f"{result.n_splits}-fold CV ({meta.get('cv', '?')}), n = {len(result.y)}, "
        f"{len(result.labels)} {'labels (multi-label)' if result.multilabel else 'classes'}; "
        "mean ± std over folds (std with ddof=1). "
        f"Date {meta.get('date', '?')}; {hardware}; Python {meta.get('python', '?')}; "
        f"{versions}."
    )


def _best_mask(means, higher, decimals):
    rounded = means.round(decimals)
    if rounded.notna().sum() < 2:
        return {}  # nothing to compare with
    target = rounded.max() if higher else rounded.min()
    return (rounded == target).to_dict()


def _format_cell(mean, std, decimals):
    if np.isnan(mean):
        return "–"
    if np.isnan(std):
        return f"{mean:.{decimals}f}"
    return f"{mean:.{decimals}f} ± {std:.{decimals}f}"


def _escape(text):
    return str(text).replace("|", "\\|")


# -- JSON -------------------------------------------------------------------------------


def to_dict(result, predictions):
    """The dict of :meth:`EvaluationResult.to_dict` (see there)."""
    out = {
        "metadata": result.metadata,
        "labels": py_list(result.labels),
        "target_names": result.target_names,
        "y": py_list(result.y) if predictions else None,
        "splits": (
            [[py_list(tr), py_list(te)] for tr, te in result.splits] if predictions else None
        ),
        "summary": _summary_dict(result.summary()),
        "pipelines": {
            name: [record_to_dict(r, predictions) for r in records]
            for name, records in result.folds.items()
        },
    }
    if len(result.folds) >= 2:
        out["paired_test"] = dict(result.paired_test())
    return _clean_json(out)


def write_json(data, path, indent):
    """``data`` as JSON text, also written to ``path`` unless it is None."""
    text = json.dumps(data, indent=indent, ensure_ascii=False)
    if path is not None:
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return text


def result_fields(source):
    """The constructor arguments of a result from :func:`write_json` output (path or text)."""
    text = str(source)
    if not text.lstrip().startswith("{"):
        text = Path(source).read_text(encoding="utf-8")
    data = json.loads(text)
    if data.get("splits") is None:
        raise ValueError("this JSON was written with predictions=False; it cannot be reloaded.")
    splits = [
        (np.asarray(tr, dtype=np.intp), np.asarray(te, dtype=np.intp))
        for tr, te in data["splits"]
    ]
    folds = {
        name: [record_from_dict(rec, splits, name) for rec in records]
        for name, records in data["pipelines"].items()
    }
    return {
        "folds": folds,
        "labels": np.asarray(data["labels"]),
        "target_names": data["target_names"],
        "y": np.asarray(data["y"]),
        "splits": splits,
        "metadata": data.get("metadata"),
    }


def _summary_dict(summary):
    return {
        name: {f"{metric}_{stat}": row[(metric, stat)] for metric, stat in summary.columns}
        for name, row in summary.iterrows()
    }


def _clean_json(value):
    """Turn numpy scalars into Python ones and NaN into None, recursively."""
    if isinstance(value, dict):
        return {str(k): _clean_json(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_clean_json(v) for v in value]
    if isinstance(value, np.ndarray):
        return _clean_json(value.tolist())
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and np.isnan(value):
        return None
    return value
