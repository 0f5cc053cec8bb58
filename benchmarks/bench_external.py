"""Public benchmarks no one here wrote: CBLUE KUAKE-QIC / CHIP-CTC / CHIP-STS and Ohsumed-23.

Each corpus is scored with its official metric on its official evaluation split
and printed next to the published number of its README (``../shared/data/<name>/
README.md``), with the gap:

* ``kuake_qic`` (11 intents): accuracy on **dev** (CBLUE's test labels are
  hidden; the published numbers are on test);
* ``chip_ctc`` (44 criteria, 427:1): macro-F1 on **dev** (same caveat);
* ``ohsumed23`` (23 MeSH classes): accuracy on the official Text GCN test split
  (the staged copy lacks 141 documents, see its README). Nothing is dropped:
  no model here was trained on Medical Abstracts, so the 664 abstracts shared
  with it (``in_medical_abstracts_dev``) stay in train and test;
* ``chip_sts`` (question pairs, macro-F1 on dev): a simple pair baseline only
  (char TF-IDF of both questions, ``abs(u - v)`` and ``u * v``, balanced LR).

Rows per single-text corpus (``--only`` keys in brackets):

* [char] char TF-IDF (Chinese 1-3-grams; English ``char_wb`` 3-5-grams) + balanced LR;
* [word] word TF-IDF (Chinese: jieba with the medical dictionary via
  ``skmedtext.text.JiebaTokenizer``; English: 1-2-grams) + balanced LR;
* [frozen] frozen encoder (``e5-small-multilingual`` for Chinese, ``minilm-en``
  for English; mean pooling) + L2 norm + standardisation + balanced LR. The
  vectors are computed in batches and cached as ``.npy`` under ``--cache-dir``;
* [sampler] the same vectors with ROS or SMOTE before a plain LR, the sampler
  picked by 3-fold stratified CV on the training split only (official metric);
* [dmt] ``DMTBertClassifier`` (co-occurrence task on, weighted CE, mean pooling)
  fine-tuned from the same encoder. On a CPU it is time-boxed: a class-capped
  subset of about ``--dmt-train`` training texts, ``--dmt-max-length`` tokens,
  ``--dmt-epochs`` epoch(s); with ``--device cuda`` it trains on the whole
  training split at 128 tokens for 3 epochs unless those flags say otherwise.

Hyper-parameters are fixed (nothing is tuned on the evaluation split). Each
finished row is cached as JSON under ``--cache-dir`` so an interrupted run
resumes (``--fresh`` recomputes).

``--quick`` subsamples (stratified) 400 training and 300 evaluation texts per
corpus, 32-token encoders and a 200-text DMT-BERT: a smoke test, not a result.

Usage::

    OMP_NUM_THREADS=1 python benchmarks/bench_external.py --output external.md
    skmedtext benchmark --suite external --quick --only char --datasets kuake_qic
"""

import hashlib
import json
import sys
import time
from pathlib import Path

import numpy as np

import _common  # benchmarks/ is on sys.path when a script runs

CORPORA = ("kuake_qic", "chip_ctc", "ohsumed23", "chip_sts")
METHODS = ("char", "word", "frozen", "sampler", "dmt")
QUICK_TRAIN, QUICK_TEST = 400, 300

#: corpus -> (loader, evaluation subset, official metric, language, published reference)
SPEC = {
    "kuake_qic": ("load_kuake_qic", "dev", "accuracy", "zh",
                  (84.3, "BERT-base, CBLUE README, test set")),
    "chip_ctc": ("load_chip_ctc", "dev", "macro-F1", "zh",
                 (69.2, "BERT-base, CBLUE README, test set")),
    "ohsumed23": ("load_ohsumed23", "test", "accuracy", "en",
                  (68.36, "Text GCN, Yao et al. 2019, original 7,400-doc split")),
    "chip_sts": ("load_chip_sts", "dev", "macro-F1", "zh",
                 (83.0, "BERT-base, CBLUE README, test set")),
}  # fmt: skip
ENCODER = {"zh": ("e5-small-multilingual", 128), "en": ("minilm-en", 256)}


def build_parser():
    p = _common.make_parser(
        __doc__, datasets=CORPORA, device=True,
        quick_help="400 train / 300 evaluation texts per corpus, tiny DMT-BERT (smoke test)",
    )  # fmt: skip
    p.add_argument("--only", nargs="+", choices=METHODS, default=list(METHODS),
                   help="rows to run (default: all)")  # fmt: skip
    p.add_argument("--cache-dir", type=Path, default=Path("results") / "external",
                   help="embedding and row cache (results/external)")  # fmt: skip
    p.add_argument("--fresh", action="store_true", help="ignore cached rows")
    p.add_argument("--batch-size", type=int, default=32, help="embedding batch size")
    p.add_argument("--dmt-train", type=int, default=None,
                   help="DMT-BERT training texts (class-capped subset); default 2000 on CPU, "
                   "all on CUDA")  # fmt: skip
    p.add_argument(
        "--dmt-max-length",
        type=int,
        default=None,
        help="DMT-BERT tokens per text (default 64 on CPU, 128 on CUDA)",
    )
    p.add_argument(
        "--dmt-epochs",
        type=int,
        default=None,
        help="DMT-BERT epochs (default 1 on CPU, 3 on CUDA)",
    )
    return p


# -- data -----------------------------------------------------------------------------------
def stratified_subset(X, y, n, seed):
    """At most ``n`` rows, stratified; the whole set when it is smaller."""
    if n is None or n >= len(y):
        return X, y
    from sklearn.model_selection import train_test_split

    X, _, y, _ = train_test_split(X, y, train_size=n, stratify=y, random_state=seed)
    return X, y


def class_capped(X, y, n, seed):
    """About ``n`` rows: every class capped at the largest ``c`` that keeps the total <= n.

    Rare classes stay whole, so the subset is less skewed than the split; the
    cap is reported with the row.
    """
    labels, counts = np.unique(y, return_counts=True)
    if n is None or n >= len(y):
        return X, y, int(counts.max())
    cap = max(c for c in range(1, counts.max() + 1) if np.minimum(counts, c).sum() <= n)
    rng = np.random.RandomState(seed)
    keep = np.sort(
        np.concatenate([rng.permutation(np.flatnonzero(y == k))[:cap] for k in labels])
    )
    return X[keep], y[keep], cap


def load_corpus(name, args):
    """``(X_train, y_train, X_eval, y_eval)`` on the corpus' official split."""
    from skmedtext import datasets

    loader, subset, *_ = SPEC[name]
    load = getattr(datasets, loader)
    parts = []
    for split in ("train", subset):
        X, y = load(subset=split, data_home=args.data_home, return_X_y=True)
        X, y = np.asarray(X, dtype=object), np.asarray(y)
        if args.quick:
            n = QUICK_TRAIN if split == "train" else QUICK_TEST
            X, y = stratified_subset(X, y, n, args.random_state)
        parts += [X, y]
    return tuple(parts)


# -- models ---------------------------------------------------------------------------------
def logistic(seed, balanced=True, C=1.0):
    from sklearn.linear_model import LogisticRegression

    weight = "balanced" if balanced else None
    return LogisticRegression(
        C=C, class_weight=weight, max_iter=3000, random_state=seed
    )


def tfidf(kind, language):
    """The char or word TF-IDF of a language (fitted on the training split only)."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    if kind == "char" and language == "zh":
        return TfidfVectorizer(
            analyzer="char", ngram_range=(1, 3), sublinear_tf=True, min_df=2
        )
    if kind == "char":
        return TfidfVectorizer(
            analyzer="char_wb",
            ngram_range=(3, 5),
            sublinear_tf=True,
            min_df=2,
            max_features=200_000,
        )
    if language == "zh":
        return TfidfVectorizer(analyzer=str.split, sublinear_tf=True, min_df=2)
    return TfidfVectorizer(
        ngram_range=(1, 2), sublinear_tf=True, min_df=2, max_features=200_000
    )


def tfidf_pipeline(kind, language, seed):
    from sklearn.pipeline import make_pipeline

    steps = [tfidf(kind, language), logistic(seed, C=10.0)]
    if kind == "word" and language == "zh":
        from skmedtext.text import JiebaTokenizer

        steps.insert(0, JiebaTokenizer(output="string"))
    return make_pipeline(*steps)


def vector_pipeline(seed, sampler=None):
    """L2 norm, standardisation, optional sampler, balanced LR."""
    from imblearn.pipeline import make_pipeline
    from sklearn.preprocessing import Normalizer, StandardScaler

    return make_pipeline(Normalizer(), StandardScaler(), *([sampler] if sampler else []),
                         logistic(seed))  # fmt: skip


def up_to_mean_size(y):
    """Sampling strategy: every class below the mean class size is raised to it.

    Oversampling CHIP-CTC fully ("auto") would fit LR on 44 x 5,127 rows, which
    is hours of CPU in the CV that picks the sampler; the LR stays balanced for
    what imbalance remains.
    """
    labels, counts = np.unique(y, return_counts=True)
    mean = int(np.ceil(counts.mean()))
    return {k: mean for k, c in zip(labels, counts) if c < mean}


def samplers(seed, rarest):
    """ROS and SMOTE (k = 5, fewer when the rarest class has only ``rarest`` rows)."""
    from imblearn.over_sampling import SMOTE, RandomOverSampler

    found = {
        "ROS": RandomOverSampler(sampling_strategy=up_to_mean_size, random_state=seed)
    }
    k = min(5, int(rarest) - 1)
    if k >= 1:
        found["SMOTE"] = SMOTE(
            sampling_strategy=up_to_mean_size, k_neighbors=k, random_state=seed
        )
    return found


def embed(texts, preset, max_length, args, tag):
    """Frozen mean-pooled vectors, cached as one ``.npy`` per (corpus split, encoder)."""
    key = hashlib.sha1(f"{preset}|{max_length}|mean".encode())
    for t in texts:
        key.update(str(t).encode("utf-8") + b"\0")
    path = (
        args.cache_dir
        / "vectors"
        / f"{tag}-{preset}-{max_length}-{key.hexdigest()[:12]}.npy"
    )
    if path.exists():
        return np.load(path)
    from skmedtext.embeddings import TransformerEmbedder

    embedder = TransformerEmbedder(
        preset, pooling="mean", max_length=max_length, batch_size=args.batch_size,
        device=args.device,
    )  # fmt: skip
    vectors = embedder.fit(texts[:1]).transform(texts).astype(np.float32)
    path.parent.mkdir(parents=True, exist_ok=True)
    np.save(path, vectors)
    return vectors


def dmt_settings(args):
    """``(n_train, max_length, epochs)`` of the DMT-BERT row: time-boxed on a CPU."""
    from skmedtext.utils import resolve_device

    cuda = str(resolve_device(args.device)).startswith("cuda")
    if args.quick:
        return 200, 32, 1
    return (
        args.dmt_train if args.dmt_train is not None else (None if cuda else 2000),
        args.dmt_max_length or (128 if cuda else 64),
        args.dmt_epochs or (3 if cuda else 1),
    )


# -- scoring --------------------------------------------------------------------------------
def score(metric, y_true, y_pred):
    from sklearn.metrics import accuracy_score, f1_score

    scores = {"accuracy": accuracy_score(y_true, y_pred),
              "macro-F1": f1_score(y_true, y_pred, average="macro")}  # fmt: skip
    return {k: 100 * float(v) for k, v in scores.items()}


def pick_sampler(V, y, metric, seed):
    """The sampler with the best 3-fold CV official metric on the training vectors."""
    from sklearn.base import clone
    from sklearn.model_selection import StratifiedKFold

    folds = list(StratifiedKFold(3, shuffle=True, random_state=seed).split(V, y))
    cv = {}
    rarest = min(np.unique(y[train], return_counts=True)[1].min() for train, _ in folds)
    for name, sampler in samplers(seed, rarest).items():
        values = []
        for train, test in folds:
            model = vector_pipeline(seed, clone(sampler)).fit(V[train], y[train])
            values.append(score(metric, y[test], model.predict(V[test]))[metric])
        cv[name] = float(np.mean(values))
    return max(cv, key=cv.get), cv


def run_method(method, data, language, metric, args):
    """Fit one row on the training split; returns ``(predictions, n_train, note)``."""
    X, y, X_eval, _ = data
    seed = args.random_state
    if method in ("char", "word"):
        return (
            tfidf_pipeline(method, language, seed).fit(X, y).predict(X_eval),
            len(y),
            "",
        )
    preset, max_length = ENCODER[language]
    if args.quick:
        max_length = 32
    if method in ("frozen", "sampler"):
        tag = f"{args.corpus}{'-quick' if args.quick else ''}"
        V = embed(list(X), preset, max_length, args, f"{tag}-train")
        V_eval = embed(list(X_eval), preset, max_length, args, f"{tag}-eval")
        if method == "frozen":
            model = vector_pipeline(seed).fit(V, y)
            return (
                model.predict(V_eval),
                len(y),
                f"{preset}, mean pool, {max_length} tokens",
            )
        best, cv = pick_sampler(V, y, metric, seed)
        model = vector_pipeline(
            seed, samplers(seed, np.unique(y, return_counts=True)[1].min())[best]
        ).fit(V, y)
        cv_text = ", ".join(f"{k} {v:.1f}" for k, v in cv.items())
        note = f"{best} (classes raised to the mean size) picked by 3-fold CV on train ({cv_text})"
        return model.predict(V_eval), len(y), note
    return run_dmt(X, y, X_eval, preset, args)


def run_dmt(X, y, X_eval, preset, args):
    from skmedtext.models import DMTBertClassifier
    from skmedtext.utils import resolve_device

    n_train, max_length, epochs = dmt_settings(args)
    X_sub, y_sub, cap = class_capped(X, y, n_train, args.random_state)
    model = DMTBertClassifier(
        preset, max_length=max_length, pooling="mean", criterion="weighted_ce",
        lambda_cooc=0.1, max_epochs=epochs, batch_size=32, lr=1e-4,
        device=args.device, random_state=args.random_state,
    )  # fmt: skip
    model.fit(X_sub, y_sub)
    note = (
        f"fine-tuned {preset} on {len(y_sub)} of {len(y)} train texts (<= {cap} per class), "
        f"{max_length} tokens, {epochs} epoch(s), lr 1e-4, {resolve_device(args.device)}"
    )
    return model.predict(X_eval), len(y_sub), note


def run_pairs(data, args):
    """CHIP-STS: char TF-IDF of each question, ``abs(u - v)`` and ``u * v``, balanced LR."""
    from scipy.sparse import hstack

    X, y, X_eval, _ = data
    vectorizer = tfidf("char", "zh").fit(np.concatenate([X[:, 0], X[:, 1]]))

    def features(P):
        u, v = vectorizer.transform(P[:, 0]), vectorizer.transform(P[:, 1])
        return hstack([abs(u - v), u.multiply(v)]).tocsr()

    model = logistic(args.random_state, C=10.0).fit(features(X), y)
    return (
        model.predict(features(X_eval)),
        len(y),
        "pair features abs(u - v), u * v of char 1-3-gram TF-IDF",
    )


# -- report ---------------------------------------------------------------------------------
ROW_NAMES = {
    "char": "char TF-IDF + balanced LR",
    "word": "word TF-IDF + balanced LR",
    "frozen": "frozen encoder + balanced LR",
    "sampler": "frozen encoder + best sampler + LR",
    "dmt": "DMT-BERT (time-boxed fine-tuning)",
    "pairs": "pair char TF-IDF + balanced LR",
}


def row_path(corpus, method, args):
    dmt = dmt_settings(args) if method == "dmt" else ""
    key = f"{corpus}|{method}|{args.quick}|{args.random_state}|{dmt}|{args.device}"
    digest = hashlib.sha1(key.encode()).hexdigest()[:12]
    return args.cache_dir / "rows" / f"{corpus}-{method}-{digest}.json"


def unseen_mask(data):
    """Evaluation rows whose text is not in the training split; None without overlap.

    CHIP-CTC's dev split repeats 380 training texts, which flatters every row;
    the score on the rest shows by how much.
    """
    X, _, X_eval, _ = data
    if X_eval.ndim != 1:
        return None
    unseen = ~np.isin(X_eval.astype(str), X.astype(str))
    return None if unseen.all() else unseen


def measure(corpus, method, data, args):
    """One row, from the row cache when this exact row already ran."""
    path = row_path(corpus, method, args)
    if path.exists() and not args.fresh:
        return json.loads(path.read_text(encoding="utf-8"))
    _, _, metric, language, _ = SPEC[corpus]
    print(f"[{corpus}] {method} ...", file=sys.stderr, flush=True)
    start = time.perf_counter()
    if method == "pairs":
        pred, n_train, note = run_pairs(data, args)
    else:
        pred, n_train, note = run_method(method, data, language, metric, args)
    row = {"method": method, "n_train": n_train, "note": note,
           "wall_s": time.perf_counter() - start, **score(metric, data[3], pred)}  # fmt: skip
    unseen = unseen_mask(data)
    if unseen is not None:
        row["unseen"] = score(metric, data[3][unseen], pred[unseen])[metric]
    print(f"[{corpus}] {method}: {metric} {row[metric]:.1f} ({row['wall_s']:.0f} s)",
          file=sys.stderr, flush=True)  # fmt: skip
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(row), encoding="utf-8")
    return row


def corpus_table(corpus, sizes, rows, args):
    _, subset, metric, _, (published, model) = SPEC[corpus]
    other = "accuracy" if metric == "macro-F1" else "macro-F1"
    quick = " (--quick subsample: not a result)" if args.quick else ""
    unseen = any("unseen" in row for row in rows)
    extra = f" | {metric} on {subset} texts not in train" if unseen else ""
    lines = [
        f"### {corpus}: train {sizes[0]} → {subset} {sizes[1]}, official metric {metric}{quick}",
        "",
        f"Published: {published:.1f} ({model}).",
        "",
        f"| method | train texts | {metric} | gap | {other}{extra} | wall s | notes |",
        "|---|---|---|---|---|---|---|" + ("---|" if unseen else ""),
    ]
    for row in rows:
        cell = (
            f" | {row['unseen']:.1f}" if "unseen" in row else (" | —" if unseen else "")
        )
        lines.append(
            f"| {ROW_NAMES[row['method']]} | {row['n_train']} | **{row[metric]:.1f}** | "
            f"{row[metric] - published:+.1f} | {row[other]:.1f}{cell} | {row['wall_s']:.0f} | "
            f"{row['note']} |"
        )
    return lines + [""]


def summary_table(results):
    lines = [
        "| corpus | evaluated on | metric | best row here | score | published (model) | gap |",
        "|---|---|---|---|---|---|---|",
    ]
    for corpus, rows in results.items():
        _, subset, metric, _, (published, model) = SPEC[corpus]
        best = max(rows, key=lambda r: r[metric])
        lines.append(
            f"| {corpus} | {subset} | {metric} | {ROW_NAMES[best['method']]} | "
            f"{best[metric]:.1f} | {published:.1f} ({model}) | {best[metric] - published:+.1f} |"
        )
    return lines + [""]


def planned_rows(args):
    """``(method, corpus)`` cheapest method first, so DMT-BERT rows come last."""
    plan = []
    for method in [m for m in METHODS if m in args.only]:
        for corpus in args.datasets:
            if corpus != "chip_sts":
                plan.append((method, corpus))
            elif method == "char":
                plan.append(("pairs", corpus))
    return plan


def run(args):
    plan = planned_rows(args)
    if not plan:
        return "No rows ran (--only selected nothing for these corpora)."
    data = {
        corpus: load_corpus(corpus, args)
        for corpus in dict.fromkeys(c for _, c in plan)
    }
    results = {corpus: [] for corpus in data}
    for method, corpus in plan:
        args.corpus = corpus
        results[corpus].append(measure(corpus, method, data[corpus], args))
    notes = (
        "CBLUE rows are scored on **dev** (the test labels are hidden); the published CBLUE "
        "numbers are on test. Ohsumed-23: official test split, nothing dropped (no model here "
        "was trained on Medical Abstracts, so the 664 shared abstracts stay). CHIP-STS: a "
        "simple pair baseline only. Scores ×100."
    )
    sections = []
    for corpus, rows in results.items():
        sizes = (len(data[corpus][1]), len(data[corpus][3]))
        sections += corpus_table(corpus, sizes, rows, args)
    total = sum(row["wall_s"] for rows in results.values() for row in rows)
    notes += (
        f" Sum of the row wall times (each measured when the row ran): {total:.0f} s."
    )
    return "\n".join(
        ["## External benchmarks", "", notes, "", *summary_table(results), *sections]
    )


def main(argv=None):
    versions = ("scikit-learn", "imbalanced-learn", "torch", "transformers", "jieba")
    return _common.main(build_parser(), run, argv, versions=versions)


if __name__ == "__main__":
    sys.exit(main())
