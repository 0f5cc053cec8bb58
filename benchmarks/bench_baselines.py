"""Four TF-IDF baselines on Medical Abstracts, compared by skmedtext.evaluate.

The example table of ``docs/evaluation.md`` ("Example: compare four pipelines on
Medical Abstracts") and of the last section of ``docs/results.md``. Stratified
k-fold cross-validation (``shuffle=True, random_state=0``; the same folds for
every row, and ``evaluate`` seeds the unseeded SMOTE with the same seed) of

* ``TF-IDF + LR``: ``TfidfVectorizer(min_df=2)`` + ``LogisticRegression(max_iter=1000)``;
* ``TF-IDF + LR (balanced)``: the same with ``class_weight="balanced"``;
* ``TF-IDF + SMOTE + LR``: SMOTE on the TF-IDF vectors of the training fold
  (an imbalanced-learn ``Pipeline``), then the plain LR;
* ``TF-IDF + ComplementNB``.

Prints ``result.to_markdown(k_rarest=2)`` (accuracy, macro/weighted scores,
ROC-AUC, recall of the two rarest classes, fit/predict time, the paired t-test
between the two best and the footer with date, machine and versions), then the
corrected resampled t-test (Nadeau & Bengio 2003) on the same pair.

Usage::

    OMP_NUM_THREADS=1 python benchmarks/bench_baselines.py --output baselines.md
    skmedtext benchmark --suite baselines                 # the same, via the CLI
    python benchmarks/bench_baselines.py --quick          # 3 folds

About a minute on 2 CPU cores (2,310 abstracts, 20 fits).
"""

import sys
import time

import _common  # benchmarks/ is on sys.path when a script runs


def pipelines():
    """The four pipelines of the docs/evaluation.md example, unchanged."""
    from imblearn.over_sampling import SMOTE
    from imblearn.pipeline import make_pipeline as make_imb_pipeline
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.naive_bayes import ComplementNB
    from sklearn.pipeline import make_pipeline

    return {
        "TF-IDF + LR": make_pipeline(TfidfVectorizer(min_df=2), LogisticRegression(max_iter=1000)),
        "TF-IDF + LR (balanced)": make_pipeline(
            TfidfVectorizer(min_df=2), LogisticRegression(max_iter=1000, class_weight="balanced")
        ),
        "TF-IDF + SMOTE + LR": make_imb_pipeline(
            TfidfVectorizer(min_df=2), SMOTE(), LogisticRegression(max_iter=1000)
        ),
        "TF-IDF + ComplementNB": make_pipeline(TfidfVectorizer(min_df=2), ComplementNB()),
    }


def run(args):
    from skmedtext.evaluate import evaluate

    X, y, names = _common.load_dataset("medical_abstracts", data_home=args.data_home)
    print(f"medical_abstracts: {len(X)} texts, {len(names)} classes", flush=True)
    wall, cpu = time.perf_counter(), time.process_time()
    result = evaluate(pipelines(), X, y, cv=args.n_splits, random_state=args.random_state,
                      target_names=names, verbose=1)  # fmt: skip
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    corrected = result.paired_test(method="corrected_ttest")
    return (
        result.to_markdown(k_rarest=2)
        + f"\nCorrected resampled t-test (Nadeau & Bengio 2003) on {corrected.metric} over "
        f"{corrected.n} folds, {corrected.a} vs {corrected.b}: mean difference "
        f"{corrected.mean_diff:+.4f}, t = {corrected.statistic:.3f}, p = {corrected.pvalue:.3f}. "
        f"Cross-validation took {wall:.0f} s wall, {cpu:.0f} s CPU."
    )


def build_parser():
    return _common.make_parser(
        __doc__, datasets=("medical_abstracts",), n_splits=5, quick_help="3 folds"
    )


def main(argv=None):
    return _common.main(build_parser(), run, argv)


if __name__ == "__main__":
    sys.exit(main())
