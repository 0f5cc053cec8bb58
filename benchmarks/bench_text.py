"""Character vs word segmentation (jieba, with and without the medical dictionary).

The two tables of ``docs/text.md`` §2, on the department-triage questions
cleaned with :class:`skmedtext.text.TextCleaner` (default options):

1. **Segmentation.** ``JiebaTokenizer(level="char")``, ``JiebaTokenizer(
   dictionary=None)`` (plain jieba) and ``JiebaTokenizer()`` (the bundled
   medical dictionary, frequencies adjusted): speed in texts/s (wall clock of
   ``transform`` on all texts after ``fit``, mean ± std over ``--repeats``),
   units per text, distinct units, and how many occurrences of the dictionary
   terms that plain jieba splits (``tokenize(term) != [term]``) come out whole.
2. **Bag of words.** TF-IDF (``sublinear_tf=True, min_df=2``, unigrams or
   uni+bigrams of those units) + ``LogisticRegression(C=10,
   class_weight="balanced", max_iter=2000)``, stratified k-fold
   (``shuffle=True, random_state=0``; the same folds for every row), reported
   by :func:`skmedtext.evaluate.evaluate` (accuracy, macro-F1, recall of the
   three rarest departments, fit time).

Segmentation does not learn from data, so every text is segmented once and the
cross-validation runs on the space-joined units (a lookup step replaces
``JiebaTokenizer(output="string")`` in the pipeline: the same features, and
the fit time is TF-IDF + LR only; table 1 gives the segmentation cost).

Usage::

    OMP_NUM_THREADS=1 python benchmarks/bench_text.py --output text.md
    skmedtext benchmark --suite text                      # the same, via the CLI
    python benchmarks/bench_text.py --quick               # 3 folds, classes capped at 150

``--quick`` caps every department at 150 questions (the rare ones stay whole),
uses 3 folds and one timing repeat; under a minute on 2 CPU cores. The full
run takes a few minutes.
"""

import sys
import time
from collections import Counter

import numpy as np

import _common  # benchmarks/ is on sys.path when a script runs

QUICK_CAP = 150

SEGMENTERS = {  # name -> JiebaTokenizer parameters
    "char": {"level": "char"},
    "word, jieba dictionary only": {"level": "word", "dictionary": None},
    "word, + medical dictionary": {"level": "word"},
}
NGRAMS = {"1": (1, 1), "1-2": (1, 2)}


def load(args):
    from skmedtext.text import TextCleaner

    X, y, names = _common.load_dataset(
        "department_triage", data_home=args.data_home, cap=QUICK_CAP if args.quick else None,
        random_state=args.random_state,
    )  # fmt: skip
    return TextCleaner().fit_transform(X), y, names


def segmentation_table(texts, repeats):
    """Table 1; returns (markdown, {segmenter: space-joined units per text})."""
    from skmedtext.text import JiebaTokenizer, load_medical_dictionary

    tokenizers = {name: JiebaTokenizer(**params).fit() for name, params in SEGMENTERS.items()}
    plain = tokenizers["word, jieba dictionary only"]
    terms = load_medical_dictionary()
    split = {t for t in terms if plain.tokenize(t) != [t]}

    rows, joined, kept_whole = [], {}, {}
    for name, tok in tokenizers.items():
        tok.transform(texts[:200])  # warm-up: jieba builds its prefix dict on first use
        speeds = []
        for _ in range(repeats):
            start = time.perf_counter()
            units = tok.transform(texts)
            speeds.append(len(texts) / (time.perf_counter() - start))
        joined[name] = {text: " ".join(u) for text, u in zip(texts, units)}
        counts = Counter(w for doc in units for w in doc if w in split)
        kept_whole[name] = counts
        plural = "s" if len(counts) != 1 else ""
        kept = "-" if name == "char" else (
            f"{sum(counts.values()):,} ({len(counts)} distinct term{plural})"
        )
        speed = f"{np.mean(speeds):,.0f}"
        if repeats > 1:
            speed += f" ± {np.std(speeds, ddof=1):,.0f}"
        rows.append(
            f"| {name} | {speed} | {np.mean([len(u) for u in units]):.1f} | "
            f"{len({w for doc in units for w in doc}):,} | {kept} |"
        )
    top = kept_whole["word, + medical dictionary"].most_common(6)
    markdown = (
        "| segmentation | speed (texts/s) | units / text | distinct units "
        "| occurrences of dictionary terms that plain jieba splits, kept whole |\n"
        "|---|---:|---:|---:|---|\n" + "\n".join(rows) + "\n\n"
        f"{len(texts):,} cleaned questions; speed is the wall clock of `transform` after `fit`, "
        f"mean ± std over {repeats} repeat(s). Of the {len(terms)} bundled terms, {len(split)} "
        "are split by plain jieba; the most frequent ones the dictionary keeps whole here: "
        + ", ".join(f"{t} ({n})" for t, n in top) + "."
    )
    return markdown, joined


def _lookup(X, table):
    """Replace each cleaned text by its precomputed space-joined units."""
    return np.array([table[text] for text in X], dtype=object)


def pipelines(joined, seed=0):
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import FunctionTransformer

    out = {}
    for name in SEGMENTERS:
        for label, ngram_range in NGRAMS.items():
            out[f"{name}, {label}-grams"] = make_pipeline(
                FunctionTransformer(_lookup, kw_args={"table": joined[name]}),
                TfidfVectorizer(tokenizer=str.split, token_pattern=None, lowercase=False,
                                ngram_range=ngram_range, sublinear_tf=True, min_df=2),
                LogisticRegression(C=10, class_weight="balanced", max_iter=2000,
                                   random_state=seed),
            )  # fmt: skip
    return out


def run(args):
    from skmedtext.evaluate import evaluate

    X, y, names = load(args)
    print(f"department_triage: {len(X)} texts, {len(names)} classes", flush=True)
    start = time.perf_counter()
    repeats = args.repeats or (1 if args.quick else 3)
    seg_markdown, joined = segmentation_table(X, repeats)
    seg_seconds = time.perf_counter() - start

    start = time.perf_counter()
    result = evaluate(pipelines(joined, args.random_state), X, y, cv=args.n_splits,
                      random_state=args.random_state,
                      target_names=names, verbose=1)  # fmt: skip
    cv_seconds = time.perf_counter() - start
    dictionary = result.paired_test(
        pipelines=("word, + medical dictionary, 1-grams", "word, jieba dictionary only, 1-grams")
    )
    subset = ", quick subset" if args.quick else ""
    return (
        f"### Segmentation ({len(X):,} department-triage questions{subset})\n\n"
        + seg_markdown
        + f" Wall time: {seg_seconds:.0f} s.\n\n"
        + f"### TF-IDF + balanced LR on those units ({args.n_splits}-fold CV{subset})\n\n"
        + result.to_markdown(metrics=["accuracy", "f1_macro"], k_rarest=3)
        + "\nMedical dictionary vs jieba dictionary only (word 1-grams), macro-F1 paired over "
        f"{dictionary.n} folds: mean difference {dictionary.mean_diff:+.4f} "
        f"(paired t-test p = {dictionary.pvalue:.3f}). "
        f"Wall time for this table: {cv_seconds:.0f} s."
    )


def build_parser():
    parser = _common.make_parser(
        __doc__, datasets=("department_triage",), n_splits=5,
        quick_help="classes capped at 150, 3 folds, 1 timing repeat",
    )  # fmt: skip
    parser.add_argument("--repeats", type=int, default=None,
                        help="timing repeats per segmenter (default 3; 1 with --quick)")
    return parser


def main(argv=None):
    return _common.main(build_parser(), run, argv)


if __name__ == "__main__":
    sys.exit(main())
