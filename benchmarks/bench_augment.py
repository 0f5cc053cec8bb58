"""Vocabulary augmentation vs random over-sampling for a TF-IDF + logistic regression.

What the paper-000 text augmentation (synonym substitution + random insertion,
eq. 25) buys a simple classifier, and what it costs. On Medical Abstracts (en)
and department triage (zh), stratified 5-fold cross-validation
(``shuffle=True, random_state=0``; the same folds for every row) of

* ``none``: TF-IDF + logistic regression on the training texts as they are;
* ``ROS``: ``RandomOverSampler`` on the raw texts (copies), then TF-IDF + LR;
* ``vocab``: ``VocabularyAugmenter(random_state=0)`` (word2vec neighbours trained
  on the training fold, ``candidate_scope="corpus"``), then TF-IDF + LR;
* ``vocab (class scope)``: the same with ``candidate_scope="class"``.

Every sampler balances the training fold (``sampling_strategy="auto"``) and runs
on the training fold only (an imbalanced-learn ``Pipeline``). Reported by
:func:`skmedtext.evaluate.evaluate`: accuracy, macro-F1, the recall of the three
rarest classes and the fit time (sampler + TF-IDF + LR), mean ± std over folds.

TF-IDF: character 1-2-grams for the Chinese questions, words for the English
abstracts (``min_df=2, sublinear_tf=True``); ``LogisticRegression(max_iter=2000)``.

Usage::

    OMP_NUM_THREADS=1 python benchmarks/bench_augment.py --output augment.md
    skmedtext benchmark --suite augment                   # the same, via the CLI
    python benchmarks/bench_augment.py --quick            # 3 folds, triage classes capped at 150

``--quick`` uses 3 folds and caps every triage class at 150 texts (the rare
classes stay whole); it takes a few minutes on 2 CPU cores.
"""

import argparse
import os
import sys
import time

import numpy as np

from _common import (  # benchmarks/ is on sys.path when a script runs
    add_folds_argument,
    add_output_argument,
    publish,
    reproduce_command,
    resolve_folds,
)

os.environ.setdefault("HF_HUB_OFFLINE", "1")

DATASETS = ("department_triage", "medical_abstracts")
QUICK_CAP = 150


def _ros_on_texts(X, y, random_state):
    """RandomOverSampler on a 1-D array of texts (imbalanced-learn wants a 2-D column)."""
    from imblearn.over_sampling import RandomOverSampler

    X_col = np.asarray(X, dtype=object).reshape(-1, 1)
    X_res, y_res = RandomOverSampler(random_state=random_state).fit_resample(X_col, y)
    return X_res.ravel(), y_res


def load(dataset, quick, seed=0):
    from skmedtext import datasets

    loader = {"department_triage": datasets.load_department_triage,
              "medical_abstracts": datasets.load_medical_abstracts}[dataset]  # fmt: skip
    bunch = loader()
    X, y = np.asarray(bunch.data, dtype=object), np.asarray(bunch.target)
    if quick and dataset == "department_triage":
        rng = np.random.RandomState(seed)
        keep = np.concatenate(
            [rng.permutation(np.flatnonzero(y == c))[:QUICK_CAP] for c in np.unique(y)]
        )
        keep.sort()
        X, y = X[keep], y[keep]
    return X, y, list(bunch.target_names)


def pipelines(dataset, seed=0):
    from imblearn import FunctionSampler
    from imblearn.pipeline import make_pipeline
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    from skmedtext.augment import VocabularyAugmenter

    def model():
        if dataset == "department_triage":
            tfidf = TfidfVectorizer(
                analyzer="char", ngram_range=(1, 2), min_df=2, sublinear_tf=True
            )
        else:
            tfidf = TfidfVectorizer(min_df=2, sublinear_tf=True)
        return [tfidf, LogisticRegression(max_iter=2000, random_state=seed)]

    ros = FunctionSampler(func=_ros_on_texts, kw_args={"random_state": seed}, validate=False)
    return {
        "none": make_pipeline(*model()),
        "ROS": make_pipeline(ros, *model()),
        "vocab": make_pipeline(VocabularyAugmenter(random_state=seed), *model()),
        "vocab (class scope)": make_pipeline(
            VocabularyAugmenter(candidate_scope="class", random_state=seed), *model()
        ),
    }


def run(args):
    from skmedtext.evaluate import evaluate

    sections = []
    for dataset in args.datasets:
        X, y, names = load(dataset, args.quick)
        print(f"{dataset}: {len(X)} texts, {len(names)} classes", flush=True)
        start = time.perf_counter()
        result = evaluate(
            pipelines(dataset), X, y, cv=args.n_splits, random_state=0, target_names=names,
            verbose=1,
        )
        seconds = time.perf_counter() - start
        vs_ros = result.paired_test(pipelines=("vocab", "ROS"))
        sections.append(
            f"### {dataset} ({len(X)} texts"
            f"{', quick subset' if args.quick and dataset == 'department_triage' else ''})\n\n"
            + result.to_markdown(metrics=["accuracy", "f1_macro"], test=None)
            + f"\n\nvocab vs ROS, macro-F1 paired over {vs_ros.n} folds: mean difference "
            f"{vs_ros.mean_diff:+.4f} (paired t-test p = {vs_ros.pvalue:.3f}). "
            f"Wall time for this table: {seconds:.0f} s."
        )
    return (
        "\n\n".join(sections)
        + "\n\n"
        + reproduce_command()
    )


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="3 folds, triage classes capped")
    parser.add_argument("--datasets", nargs="+", default=list(DATASETS), choices=DATASETS)
    add_folds_argument(parser)
    add_output_argument(parser)
    args = parser.parse_args(argv)
    resolve_folds(args)
    return args


def main(argv=None):
    args = parse_args(argv)
    return publish(run(args), args.output)


if __name__ == "__main__":
    sys.exit(main())
