"""``skmedtext demo``: the README's main job.

A real comparison on a real dataset, sized for 2 CPU cores: cross-validated
samplers (none, random over-sampling, SMOTE, SAAN) over frozen encoder
embeddings against a class-balanced character TF-IDF baseline, with and
without vocabulary augmentation of the raw texts. (Fine-tuned models are too
slow for a 10-minute CPU job; ``benchmarks/`` compares them.) The encoder runs
once over all texts (it is frozen, so that is exactly what each fold would
compute) and the folds look the vectors up.
"""

import time
from pathlib import Path

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin

from skmedtext.utils import TextInputMixin

__all__ = ["run_demo"]

_LOADERS = {
    "medical_abstracts": ("load_medical_abstracts", "minilm-en"),
    "department_triage": ("load_department_triage", "e5-small-multilingual"),
    "cardiac_shunt": ("load_cardiac_shunt", "e5-small-multilingual"),
}


class _VectorTable(dict):
    """text -> vector dict whose repr stays one short line (reports repr the pipelines)."""

    def __repr__(self):
        return f"<{len(self)} precomputed vectors>"


class _PrecomputedEmbedding(TextInputMixin, TransformerMixin, BaseEstimator):
    """Look texts up in a table of frozen-encoder vectors computed once.

    Equivalent to running the frozen encoder inside every fold (it has no fitted
    state), only cheaper; a text missing from the table is an error.
    """

    def __init__(self, table=None):
        self.table = table

    def fit(self, X, y=None):
        return self

    def transform(self, X):
        try:
            return np.vstack([self.table[text] for text in X])
        except KeyError as exc:
            raise ValueError(f"text not in the precomputed table: {str(exc)[:60]}") from None

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.requires_fit = False
        return tags


def _load(dataset, data_home, quick, random_state):
    from skmedtext import datasets

    loader_name, encoder = _LOADERS[dataset]
    bunch = getattr(datasets, loader_name)(data_home=data_home)
    X = np.asarray(bunch.data, dtype=object)
    y = np.asarray(bunch.target)
    if quick:
        from sklearn.model_selection import train_test_split

        X, _, y, _ = train_test_split(
            X, y, train_size=min(600, len(X) - 1), stratify=y, random_state=random_state
        )
    return X, y, list(bunch.target_names), encoder, bunch.data_source


def _embed_once(X, encoder, device):
    from skmedtext.embeddings import TransformerEmbedder

    unique = list(dict.fromkeys(X))
    start = time.perf_counter()
    embedder = TransformerEmbedder(encoder, max_length=128, device=device, verbose=1).fit(unique)
    vectors = embedder.transform(unique)
    seconds = time.perf_counter() - start
    print(f"embedded {len(unique)} texts with {encoder} in {seconds:.1f} s", flush=True)
    return _VectorTable(zip(unique, vectors))


def _pipelines(table, encoder, quick, random_state):
    from imblearn.over_sampling import SMOTE, RandomOverSampler
    from imblearn.pipeline import make_pipeline

    from skmedtext._registry import char_tfidf, logistic_regression
    from skmedtext.augment import VocabularyAugmenter
    from skmedtext.sampling import SAANSampler

    def on_vectors(*samplers):
        return make_pipeline(
            _PrecomputedEmbedding(table), *samplers, logistic_regression(random_state)
        )

    saan = SAANSampler(epochs=20, random_state=random_state)
    name = encoder.split("-")[0]
    return {
        "char TF-IDF + LR": make_pipeline(char_tfidf(), logistic_regression(random_state)),
        "vocabulary aug. + char TF-IDF + LR": make_pipeline(
            VocabularyAugmenter(random_state=random_state),
            char_tfidf(),
            logistic_regression(random_state),
        ),
        f"{name} + LR": on_vectors(),
        f"{name} + ROS + LR": on_vectors(RandomOverSampler(random_state=random_state)),
        f"{name} + SMOTE + LR": on_vectors(SMOTE(random_state=random_state)),
        f"{name} + SAAN + LR": on_vectors(saan),
    }


def run_demo(
    dataset="medical_abstracts",
    *,
    out="results/demo",
    data_home=None,
    n_splits=5,
    quick=False,
    device="auto",
    random_state=0,
):
    """Run the demo comparison and write its table, JSON and figures to ``out``.

    Returns
    -------
    result : skmedtext.evaluate.EvaluationResult
    """
    from skmedtext.evaluate import evaluate

    start = time.perf_counter()
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    X, y, target_names, encoder, source = _load(dataset, data_home, quick, random_state)
    counts = np.unique(y, return_counts=True)[1].tolist()
    print(
        f"{dataset} ({source}): {len(X)} texts, {len(target_names)} classes, counts {counts}",
        flush=True,
    )
    table = _embed_once(X, encoder, device)
    pipelines = _pipelines(table, encoder, quick, random_state)
    result = evaluate(
        pipelines, X, y, cv=n_splits, random_state=random_state,
        target_names=target_names, verbose=2,
    )
    result.metadata["data_source"] = source
    markdown = result.to_markdown()
    (out / "results.md").write_text(markdown + "\n", encoding="utf-8")
    result.to_json(out / "results.json")
    _figures(result, pipelines, X, y, out)
    print()
    print(markdown)
    print(f"\nwritten to {out.resolve()} in {time.perf_counter() - start:.0f} s")
    return result


def _figures(result, pipelines, X, y, out):
    from imblearn.utils import check_sampling_strategy

    best = result.best()
    result.plot_roc_curves(best, save=out / "roc_curves.png")
    result.plot_confusion_matrices(best, save=out / "confusion_matrices.png")
    # SAAN appends exactly the number of rows its sampling strategy asks for, so the
    # distribution after augmentation follows from the strategy without another fit
    saan = next(p for name, p in pipelines.items() if "SAAN" in name).steps[1][1]
    wanted = check_sampling_strategy(saan.sampling_strategy, y, "over-sampling")
    extra = [np.repeat(label, n) for label, n in wanted.items()]
    y_resampled = np.concatenate([np.asarray(y)] + extra)
    result.plot_class_distribution(y_resampled, save=out / "class_distribution.png")
