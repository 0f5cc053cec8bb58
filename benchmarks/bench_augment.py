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

import sys
import time

import numpy as np

import _common  # benchmarks/ is on sys.path when a script runs

DATASETS = ("department_triage", "medical_abstracts")
QUICK_CAP = 150


def _ros_on_texts(X, y, random_state):
    """RandomOverSampler on a 1-D array of texts (imbalanced-learn wants a 2-D column)."""
    from imblearn.over_sampling import RandomOverSampler

    X_col = np.asarray(X, dtype=object).reshape(-1, 1)
    X_res, y_res = RandomOverSampler(random_state=random_state).fit_resample(X_col, y)
    return X_res.ravel(), y_res


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
        capped = args.quick and dataset == "department_triage"
        X, y, names = _common.load_dataset(
            dataset, data_home=args.data_home, cap=QUICK_CAP if capped else None,
            random_state=args.random_state,
        )  # fmt: skip
        print(f"{dataset}: {len(X)} texts, {len(names)} classes", flush=True)
        start = time.perf_counter()
        result = evaluate(
            pipelines(dataset, args.random_state), X, y, cv=args.n_splits,
            random_state=args.random_state, target_names=names, verbose=1,
        )  # fmt: skip
        seconds = time.perf_counter() - start
        vs_ros = result.paired_test(pipelines=("vocab", "ROS"))
        sections.append(
            f"### {dataset} ({len(X)} texts{', quick subset' if capped else ''})\n\n"
            + result.to_markdown(metrics=["accuracy", "f1_macro"], test=None)
            + f"\n\nvocab vs ROS, macro-F1 paired over {vs_ros.n} folds: mean difference "
            f"{vs_ros.mean_diff:+.4f} (paired t-test p = {vs_ros.pvalue:.3f}). "
            f"Wall time for this table: {seconds:.0f} s."
        )
    return "\n\n".join(sections)


def build_parser():
    return _common.make_parser(
        __doc__, datasets=DATASETS, n_splits=5, quick_help="3 folds, triage classes capped at 150"
    )


def main(argv=None):
    return _common.main(build_parser(), run, argv)


if __name__ == "__main__":
    sys.exit(main())
