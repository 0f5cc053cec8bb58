"""Over-samplers on frozen MiniLM sentence embeddings: none, ROS, SMOTE, BorderlineSMOTE, ADASYN, SAAN.

Every method feeds the same downstream ``LogisticRegression``; the sampler is
fitted on the training fold only (what an imbalanced-learn ``Pipeline`` does),
evaluated by 5-fold stratified cross-validation on Medical Abstracts and on the
department-triage set. Reported: macro-F1, the recall of the three rarest
classes, and the ``fit_resample`` time (mean +/- std over folds); and, for the
methods that generate rows, how close the synthetic rows of the rarest class are
to its real training rows (k-NN precision and recall, MMD², C2ST AUC from
``skmedtext.metrics.synthetic_quality_report``). Optional rows:
the vocabulary augmenter (texts are augmented, then re-embedded) alone and
followed by SAAN, when ``skmedtext.augment.VocabularyAugmenter`` exists.

Embeddings are computed once (mean-pooled MiniLM-L6, ``max_length`` tokens) and
cached under ``--results-dir`` (not committed), in chunks, so an interrupted run
resumes; per-fold results are cached too, so the script can be run repeatedly
within a time budget (``--max-seconds``) until the table is complete.

Usage::

    OMP_NUM_THREADS=1 python benchmarks/bench_samplers.py --quick
    OMP_NUM_THREADS=1 python benchmarks/bench_samplers.py               # full
    OMP_NUM_THREADS=1 python benchmarks/bench_samplers.py --time-full   # 6,115 x 384 timing

``--quick`` runs 5 folds on Medical Abstracts and department triage with
SAAN at ``epochs=10`` (and the other samplers at their defaults); the full run
uses SAAN's defaults. ``--embed-only`` only fills the embedding cache;
``--time-full`` times SAAN on all 6,115 x 384 triage embeddings (``--repeats``).
"""

import json
import os
import sys
import time
from pathlib import Path

import numpy as np

import _common  # benchmarks/ is on sys.path when a script runs

DATASETS = ("medical_abstracts", "department_triage")
BASE_METHODS = ("none", "ros", "smote", "borderline", "adasyn", "saan")
VOCAB_METHODS = ("vocab", "vocab+saan")
GENERATORS = ("smote", "borderline", "adasyn", "saan")  # rows made, not copied: quality scored
_CHUNK = 128  # texts per cached embedding chunk


# --------------------------------------------------------------------- data
def load_dataset(name, args):
    X, y, _ = _common.load_dataset(name, data_home=args.data_home)
    return X, y


def _embedder(max_length):
    from skmedtext.embeddings import TransformerEmbedder

    return TransformerEmbedder("minilm-en", output="pooled", max_length=max_length, batch_size=32)


def _precision_tag():
    """Cache-name suffix: bf16 embeddings (amp="auto" on a bf16 CPU) differ from fp32 ones."""
    from skmedtext.utils import resolve_bf16

    return "-bf16" if resolve_bf16("auto", "cpu") else ""


def embed_cached(texts, cache_dir, max_length, deadline=None, label=""):
    """Mean-pooled MiniLM embeddings of ``texts``, cached chunk by chunk in ``cache_dir``.

    Returns the (n, 384) array, or None when the deadline hit before all chunks
    were done (rerun to resume).
    """
    cache_dir.mkdir(parents=True, exist_ok=True)
    n_chunks = -(-len(texts) // _CHUNK)
    embedder = None
    parts = []
    for c in range(n_chunks):
        path = cache_dir / f"{c:05d}.npy"
        if not path.exists():
            if deadline is not None and time.time() > deadline:
                print(f"[embed] {label}: stopped at chunk {c}/{n_chunks} (time budget); rerun to resume")
                return None
            if embedder is None:
                embedder = _embedder(max_length).fit(texts[:1])
            t0 = time.time()
            vectors = embedder.transform(texts[c * _CHUNK : (c + 1) * _CHUNK])
            np.save(path, vectors.astype(np.float32))
            print(f"[embed] {label}: chunk {c + 1}/{n_chunks} in {time.time() - t0:.1f}s", flush=True)
        parts.append(np.load(path))
    return np.concatenate(parts)


def dataset_embeddings(name, args, deadline):
    texts, y = load_dataset(name, args)
    cache = args.results_dir / "embeddings" / f"{name}-minilm-mean-{args.max_length}{_precision_tag()}"
    X = embed_cached(texts, cache, args.max_length, deadline, name)
    return texts, X, y


# --------------------------------------------------------------------- methods
def make_sampler(method, args, seed):
    from imblearn.over_sampling import ADASYN, SMOTE, BorderlineSMOTE, RandomOverSampler

    from skmedtext.sampling import SAANSampler

    saan_kw = {"epochs": args.saan_epochs} if args.saan_epochs else {}
    return {
        "none": lambda: None,
        "ros": lambda: RandomOverSampler(random_state=seed),
        "smote": lambda: SMOTE(random_state=seed),
        "borderline": lambda: BorderlineSMOTE(random_state=seed),
        "adasyn": lambda: ADASYN(random_state=seed),
        "saan": lambda: SAANSampler(random_state=seed, **saan_kw),
        "vocab+saan": lambda: SAANSampler(random_state=seed, **saan_kw),  # balances the rest
        "vocab": lambda: None,
    }[method]()


def vocabulary_augmenter_available():
    try:
        from skmedtext.augment import VocabularyAugmenter  # noqa: F401
    except Exception as exc:  # missing, or broken while being written
        print(f"[bench] VocabularyAugmenter unavailable ({type(exc).__name__}: {exc}); skipping its rows")
        return False
    return True


def vocabulary_strategy(y, factor):
    """Grow every non-majority class to ``min(factor * n, n_majority)`` texts."""
    labels, counts = np.unique(y, return_counts=True)
    top = counts.max()
    return {c: int(min(factor * n, top)) for c, n in zip(labels, counts) if n < top}


def augment_and_embed(texts_train, y_train, args, seed, cache_dir, deadline):
    """Vocabulary augmentation of the training texts, then MiniLM embeddings of the new texts.

    Returns ``(vectors, labels, seconds)`` (the augmentation time, re-embedding
    excluded), or None when the embedding cache is incomplete (time budget).
    """
    import hashlib

    from skmedtext.augment import VocabularyAugmenter

    augmenter = VocabularyAugmenter(
        sampling_strategy=vocabulary_strategy(y_train, args.vocab_factor), random_state=seed
    )
    t0 = time.perf_counter()
    X_aug, y_aug = augmenter.fit_resample(texts_train, y_train)
    seconds = time.perf_counter() - t0
    new = np.asarray(X_aug, dtype=object)[len(texts_train) :]
    digest = hashlib.sha1("\x1f".join(new).encode("utf-8")).hexdigest()[:12]
    vectors = embed_cached(new, cache_dir / f"fold-seed{seed}-{digest}", args.max_length, deadline,
                           f"augmented ({len(new)} texts)")
    if vectors is None:
        return None
    return vectors, np.asarray(y_aug)[len(texts_train) :], seconds


def _classifier(seed):
    from sklearn.linear_model import LogisticRegression

    return LogisticRegression(max_iter=1000, random_state=seed)


def synthetic_quality(X_before, y_before, X_after, y_after, seed):
    """Quality of the rarest class's appended rows against its real training rows, or None.

    imbalanced-learn's over-samplers and SAAN return the original rows first.
    """
    from skmedtext.metrics import synthetic_quality_report

    labels, counts = np.unique(y_before, return_counts=True)
    rarest = labels[counts.argmin()]
    new = slice(len(y_before), None)
    synthetic = X_after[new][np.asarray(y_after[new]) == rarest]
    if len(synthetic) < 2:
        return None
    report = synthetic_quality_report(X_before[y_before == rarest], synthetic, random_state=seed)
    return {key: float(report[key]) for key in ("precision", "recall", "mmd2", "c2st_auc")}


def run_fold(method, X, y, texts, train, test, args, fold):
    """Fit sampler + LogisticRegression on one fold; return metrics and timings (None: resume later)."""
    from sklearn.metrics import f1_score, recall_score

    seed = fold
    X_tr, y_tr = X[train], y[train]
    extra = 0.0
    if method.startswith("vocab"):
        cache = args.results_dir / "embeddings" / f"{args._dataset}-augmented-x{args.vocab_factor}"
        out = augment_and_embed(texts[train], y_tr, args, seed, cache, args._deadline)
        if out is None:
            return None
        X_new, y_new, extra = out
        X_tr, y_tr = np.concatenate([X_tr, X_new]), np.concatenate([y_tr, y_new])
    sampler = make_sampler(method, args, seed)
    t0 = time.perf_counter()
    quality = None
    if sampler is not None:
        X_before, y_before = X_tr, y_tr
        X_tr, y_tr = sampler.fit_resample(X_tr, y_tr)
    fit_resample_s = time.perf_counter() - t0 + extra
    if sampler is not None and method in GENERATORS:
        quality = synthetic_quality(X_before, y_before, X_tr, y_tr, seed)
    clf = _classifier(seed).fit(X_tr, y_tr)
    pred = clf.predict(X[test])
    labels = np.unique(y)
    recalls = recall_score(y[test], pred, labels=labels, average=None, zero_division=0)
    return {
        "macro_f1": float(f1_score(y[test], pred, average="macro")),
        "recall": {str(c): float(r) for c, r in zip(labels, recalls)},
        "fit_resample_s": fit_resample_s,
        "n_train_resampled": int(len(y_tr)),
        "quality": quality,
    }


# --------------------------------------------------------------------- driver
def result_path(args, dataset, method, fold):
    tag = "quick" if args.quick else "full"
    folder = args.results_dir / "folds" / tag / dataset / method / _params_tag(method, args)
    return folder / f"fold{fold}.json"


def _params_tag(method, args):
    """Digest of the sampler's parameters: results of changed defaults are not reused."""
    import hashlib

    sampler = make_sampler(method, args, 0)
    params = {} if sampler is None else sampler.get_params()
    text = repr(sorted((k, repr(v)) for k, v in params.items() if k != "random_state"))
    return hashlib.sha1(text.encode("utf-8")).hexdigest()[:10]


def run(args):
    from sklearn.model_selection import StratifiedKFold

    deadline = time.time() + args.max_seconds if args.max_seconds else None
    args._deadline = deadline
    complete = True
    for dataset in args.datasets:
        texts, X, y = dataset_embeddings(dataset, args, deadline)
        if X is None:
            complete = False
            continue
        if args.embed_only:
            continue
        args._dataset = dataset
        folds = list(
            StratifiedKFold(args.n_splits, shuffle=True, random_state=args.random_state).split(X, y)
        )
        for method in args.only:
            for fold, (train, test) in enumerate(folds):
                path = result_path(args, dataset, method, fold)
                if path.exists():
                    continue
                if deadline is not None and time.time() > deadline:
                    complete = False
                    print(f"[bench] time budget reached before {dataset}/{method}/fold{fold}; rerun")
                    break
                res = run_fold(method, X, y, texts, train, test, args, fold)
                if res is None:
                    complete = False
                    print(f"[bench] {dataset}/{method}/fold{fold}: embedding cache incomplete; rerun")
                    break
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_text(json.dumps(res))
                print(
                    f"[bench] {dataset} {method} fold{fold}: macro-F1 {res['macro_f1']:.4f} "
                    f"fit_resample {res['fit_resample_s']:.2f}s",
                    flush=True,
                )
    return complete


def time_full_triage(args):
    """SAAN fit_resample on all 6,115 x 384 department-triage embeddings (the issue's target)."""
    from skmedtext.sampling import SAANSampler

    _, X, y = dataset_embeddings("department_triage", args, None)
    saan_kw = {"epochs": args.saan_epochs} if args.saan_epochs else {}
    times = []
    for seed in range(args.repeats):
        t0 = time.perf_counter()
        SAANSampler(random_state=seed, **saan_kw).fit_resample(X, y)
        times.append(time.perf_counter() - t0)
        print(f"[time] SAAN fit_resample on {X.shape[0]} x {X.shape[1]}: {times[-1]:.1f}s", flush=True)
    load = os.getloadavg() if hasattr(os, "getloadavg") else None
    return (
        f"SAAN `fit_resample` on all department-triage embeddings ({X.shape[0]} x {X.shape[1]}, "
        f"10 classes over-sampled to {int(np.unique(y, return_counts=True)[1].max())}): "
        f"{_fmt(times, 1)} s over {len(times)} runs (target: < 60 s on 2 CPU cores; "
        f"load average after the runs {load})."
    )


def _fmt(values, digits=3):
    values = np.asarray(values, dtype=float)
    spread = values.std(ddof=1) if values.size > 1 else 0.0
    return f"{values.mean():.{digits}f} ± {spread:.{digits}f}"


def table(args):
    lines = []
    for dataset in args.datasets:
        _, y = load_dataset(dataset, args)
        names, counts = np.unique(y, return_counts=True)
        rare = [str(c) for c in names[np.argsort(counts, kind="stable")[:3]]]
        count_of = dict(zip((str(n) for n in names), counts))
        lines += [
            f"\n**{dataset}** ({len(y)} rows, {len(names)} classes; rarest: "
            + ", ".join(f"{r} (n={count_of[r]})" for r in rare)
            + ")\n",
            "| method | macro-F1 | " + " | ".join(f"recall {r}" for r in rare) + " | fit_resample s |",
            "|---|---|" + "---|" * len(rare) + "---|",
        ]
        for method in args.only:
            paths = [result_path(args, dataset, method, f) for f in range(args.n_splits)]
            if not all(p.exists() for p in paths):
                lines.append(f"| {method} | (incomplete) |" + " |" * len(rare) + " |")
                continue
            res = [json.loads(p.read_text()) for p in paths]
            cells = [_fmt([r["macro_f1"] for r in res])]
            cells += [_fmt([r["recall"][c] for r in res]) for c in rare]
            cells.append(_fmt([r["fit_resample_s"] for r in res], 2))
            lines.append(f"| {method} | " + " | ".join(cells) + " |")
        lines += quality_table(args, dataset, rare[0])
    return "\n".join(lines)


def quality_table(args, dataset, rarest):
    """Synthetic rows of the rarest class against its real training rows, per generating method."""
    lines = [
        f"\nSynthetic rows of class {rarest} against its real training rows (mean ± std over "
        "folds; precision/recall: k-NN manifolds, k=3; C2ST: 5-NN classifier ROC AUC, 0.5 = "
        "indistinguishable):\n",
        "| method | k-NN precision | k-NN recall | MMD² | C2ST AUC |",
        "|---|---|---|---|---|",
    ]
    for method in (m for m in args.only if m in GENERATORS):
        paths = [result_path(args, dataset, method, f) for f in range(args.n_splits)]
        res = [json.loads(p.read_text()) for p in paths if p.exists()]
        scores = [r["quality"] for r in res if r.get("quality")]
        if len(scores) < args.n_splits:
            lines.append(f"| {method} | (incomplete) | | | |")
            continue
        cells = [_fmt([q[key] for q in scores]) for key in ("precision", "recall", "mmd2", "c2st_auc")]
        lines.append(f"| {method} | " + " | ".join(cells) + " |")
    return lines


def build_parser():
    parser = _common.make_parser(
        __doc__, datasets=DATASETS, n_splits=5, quick_n_splits=5, threads=True,
        quick_help="SAAN with 10 epochs (CPU-sized)",
    )  # fmt: skip
    parser.add_argument("--only", nargs="+", default=None, choices=BASE_METHODS + VOCAB_METHODS,
                        help="run only these methods (default: all available)")  # fmt: skip
    parser.add_argument("--max-length", type=int, default=128, help="MiniLM tokens per text")
    parser.add_argument("--saan-epochs", type=int, default=None,
                        help="override SAAN's epochs (default: 10 with --quick, else SAAN's default)")
    parser.add_argument("--vocab-factor", type=float, default=2.0,
                        help="vocabulary augmentation grows each minority class by this factor "
                             "(capped at the majority count) before SAAN balances the rest")
    parser.add_argument("--results-dir", type=Path, default=Path("results/bench_samplers"))
    parser.add_argument("--max-seconds", type=float, default=None,
                        help="stop starting new work after this many seconds (rerun to resume)")
    parser.add_argument("--embed-only", action="store_true")
    parser.add_argument("--time-full", action="store_true",
                        help="only time SAAN on all 6,115 x 384 triage embeddings")
    parser.add_argument("--repeats", type=int, default=3, help="runs for --time-full")
    return parser


def main_run(args):
    if args.only is None:
        args.only = list(BASE_METHODS)
        if vocabulary_augmenter_available():
            args.only += list(VOCAB_METHODS)
    if args.quick and args.saan_epochs is None:
        args.saan_epochs = 10
    if args.time_full:
        return time_full_triage(args)
    complete = run(args)
    if args.embed_only:
        return 0
    markdown = "\n".join(
        [
            "## Over-samplers on frozen MiniLM embeddings + LogisticRegression "
            f"({args.n_splits}-fold stratified CV{', quick' if args.quick else ''})",
            table(args),
            "",
            "Mean ± standard deviation over folds (ddof=1); fit_resample s is wall time on the "
            "training fold (vocab rows: augmentation, re-embedding excluded, plus SAAN).",
        ]
    )
    return markdown, 0 if complete else 3


def main(argv=None):
    return _common.main(build_parser(), main_run, argv)


if __name__ == "__main__":
    sys.exit(main())
