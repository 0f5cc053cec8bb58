"""DMT-BERT: the m1-m4 ablation of paper 000 and the loss comparison, against baselines.

Settings (paper 000, Table 5 naming), all in the same stratified folds:

- m1: SAAN + DMT-BERT with the disease co-occurrence task (``lambda_cooc > 0``)
- m2: DMT-BERT with the co-occurrence task, no SAAN
- m3: SAAN + single-task BERT (``lambda_cooc = 0``)
- m4: single-task BERT
- ``m2 + <criterion>`` / ``m4 + <criterion>``: the same with another loss (focal,
  paper 001's cpghm, ...); ``m4 + weighted_ce``: inverse-frequency class weights
- ``m2 (record co-occurrence)``: the co-occurrence label of two mentions is "same
  record" instead of "terms co-occur in >= 2 training records"
- ``m4 (head+tail)``: ``truncation="head_tail"`` instead of plain truncation
- ``paper 002``: :class:`HybridBertClassifier` (BERT + BiLSTM + cross-attention) with
  the same encoder, layers, lr and epochs
- baselines: char n-gram TF-IDF + class-balanced logistic regression, and the frozen
  encoder (mean-pooled) + class-balanced logistic regression

Full size (the default) follows issue 20's CPU-first setting: the encoder's top
``trainable_layers`` layers are fine-tuned above a cached frozen stack, bf16 where
the CPU has bf16 units (``amp="auto"``), mean pooling, lr 1e-4 with warm-up and
linear decay; SAAN generates in the same cut-layer space (``layer=-trainable_layers``)
so its rows enter above the frozen stack. ``--quick`` is a 400-text, 3-fold smoke
run.

Every setting's folds are saved as ``<output stem>_<dataset>_<setting>.json`` as soon
as the setting finishes; a later run with the same ``--output`` loads them instead
of recomputing, so a long grid can be stopped and resumed, and the table is
rewritten after every setting.

Run (CPU; add ``--device cuda`` on a GPU)::

    python benchmarks/bench_dmt.py --datasets medical_abstracts --output results/dmt.md
    python benchmarks/bench_dmt.py --only "m4: BERT" "char TF-IDF" --output results/dmt.md
    skmedtext benchmark --suite ablation --datasets department_triage --quick
"""

import re
import sys

import _common  # benchmarks/ is on sys.path when a script runs

ENCODERS = {
    "medical_abstracts": "minilm-en",
    "department_triage": "e5-small-multilingual",
    "cardiac_shunt": "e5-small-multilingual",
}
MAX_LENGTH = {"medical_abstracts": 256, "department_triage": 128, "cardiac_shunt": 256}

QUICK = dict(n_max=400, epochs=2, max_length=64, batch_size=16, lr=1e-4, saan_epochs=20,
             lambda_cooc=0.1, trainable_layers=2)  # fmt: skip
FULL = dict(n_max=None, epochs=3, max_length=None, batch_size=16, lr=1e-4, saan_epochs=30,
            lambda_cooc=0.1, trainable_layers=2)  # fmt: skip

#: the order a full run takes: the comparisons that matter most first
ORDER = (
    "char TF-IDF + LR (balanced)",
    "frozen encoder + LR (balanced)",
    "m4: BERT",
    "m2: DMT-BERT",
    "m3: SAAN + BERT",
    "m1: SAAN + DMT-BERT",
    "paper 002: BERT + BiLSTM + cross-attention",
    "m2 (record co-occurrence)",
    "m4 (head+tail)",
    "m4 + weighted_ce",
    "m4 + focal",
    "m4 + cpghm",
    "m2 + focal",
    "m2 + cpghm",
    "m3 + focal",
    "m3 + cpghm",
    "m1 + focal",
    "m1 + cpghm",
)


def _pipelines(encoder, settings, device, seed):
    from imblearn.pipeline import make_pipeline
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    from skmedtext.embeddings import TransformerEmbedder
    from skmedtext.models import DMTBertClassifier, HybridBertClassifier
    from skmedtext.sampling import SAANSampler

    k = settings["trainable_layers"]

    def dmt(lambda_cooc, criterion="ce", **extra):
        return DMTBertClassifier(
            encoder, lambda_cooc=lambda_cooc, criterion=criterion,
            max_length=settings["max_length"], max_epochs=settings["epochs"],
            batch_size=settings["batch_size"], lr=settings["lr"], pooling="mean",
            trainable_layers=k, frozen_cache="disk", device=device, random_state=seed, **extra,
        )  # fmt: skip

    def saan():
        return SAANSampler(
            encoder=encoder, layer=None if k is None else -k, max_length=settings["max_length"],
            epochs=settings["saan_epochs"], device=device, random_state=seed,
        )  # fmt: skip

    def balanced_lr():
        return LogisticRegression(max_iter=2000, class_weight="balanced", random_state=seed)

    lam = settings["lambda_cooc"]
    pipelines = {
        "char TF-IDF + LR (balanced)": make_pipeline(
            TfidfVectorizer(analyzer="char_wb", ngram_range=(1, 3), sublinear_tf=True, min_df=2),
            balanced_lr(),
        ),
        "frozen encoder + LR (balanced)": make_pipeline(
            TransformerEmbedder(encoder, pooling="mean", max_length=settings["max_length"],
                                normalize=True, device=device),  # fmt: skip
            balanced_lr(),
        ),
        "paper 002: BERT + BiLSTM + cross-attention": HybridBertClassifier(
            encoder, max_length=settings["max_length"], max_epochs=settings["epochs"],
            batch_size=settings["batch_size"], lr=settings["lr"], trainable_layers=k,
            frozen_cache="disk", device=device, random_state=seed,
        ),  # fmt: skip
        "m2 (record co-occurrence)": dmt(lam, cooccurrence="record"),
        "m4 (head+tail)": dmt(0.0, truncation="head_tail"),
        # paper 001's first cost-sensitive loss: inverse-frequency class weights
        "m4 + weighted_ce": dmt(0.0, "weighted_ce"),
    }
    for criterion in ("ce", "focal", "cpghm"):
        suffix = "" if criterion == "ce" else f" + {criterion}"
        names = ("m1: SAAN + DMT-BERT", "m2: DMT-BERT", "m3: SAAN + BERT", "m4: BERT")
        if suffix:
            names = tuple(n.split(":")[0] for n in names)
        m1, m2, m3, m4 = (name + suffix for name in names)
        pipelines[m1] = make_pipeline(saan(), dmt(lam, criterion))
        pipelines[m2] = dmt(lam, criterion)
        pipelines[m3] = make_pipeline(saan(), dmt(0.0, criterion))
        pipelines[m4] = dmt(0.0, criterion)
    return {name: pipelines[name] for name in ORDER}


def _slug(name):
    return re.sub(r"[^a-z0-9]+", "_", name.lower()).strip("_")


def _merge(results):
    """One result from per-setting results computed on the same folds."""
    from skmedtext.evaluate import EvaluationResult

    import numpy as np

    first = results[0]
    for other in results[1:]:
        same = len(other.splits) == len(first.splits) and all(
            np.array_equal(a[1], b[1]) for a, b in zip(other.splits, first.splits)
        )
        if not same:
            raise ValueError("per-setting results come from different folds; delete their JSON")
    folds = {name: fold for r in results for name, fold in r.folds.items()}
    return EvaluationResult(folds, labels=first.labels, target_names=first.target_names,
                            y=first.y, splits=first.splits, metadata=first.metadata)  # fmt: skip


def _run_dataset(dataset, settings, args):
    from skmedtext.evaluate import EvaluationResult, evaluate

    X, y, names = _common.load_dataset(
        dataset, data_home=args.data_home, n_max=settings["n_max"],
        random_state=args.random_state,
    )  # fmt: skip
    pipelines = _pipelines(ENCODERS[dataset], settings, args.device, args.random_state)
    if args.only:
        pipelines = {k: v for k, v in pipelines.items() if any(k.startswith(p) for p in args.only)}
    results = []
    for name, pipeline in pipelines.items():
        path = None
        if args.output:
            path = args.output.with_name(f"{args.output.stem}_{dataset}_{_slug(name)}.json")
        if path is not None and path.is_file():
            results.append(EvaluationResult.from_json(path))
            print(f"# {name}: loaded {path}", file=sys.stderr, flush=True)
            continue
        if args.report_only:
            continue
        result = evaluate({name: pipeline}, X, y, cv=args.n_splits,
                          random_state=args.random_state, target_names=names, verbose=2)  # fmt: skip
        if path is not None:
            result.to_json(path)
        results.append(result)
        if args.output:  # the table so far, so that a stopped grid still leaves one
            partial = _section(dataset, X, settings, args, _merge(results))
            args.output.with_name(f"{args.output.stem}_{dataset}_partial.md").write_text(partial)
    return _section(dataset, X, settings, args, _merge(results))


#: (a, b) pairs whose difference the tables report: SAAN's effect (m1 vs m2, m3 vs m4),
#: the co-occurrence task's (m2 vs m4) and its two label definitions
COMPARISONS = (
    ("m1: SAAN + DMT-BERT", "m2: DMT-BERT"),
    ("m3: SAAN + BERT", "m4: BERT"),
    ("m2: DMT-BERT", "m4: BERT"),
    ("m2 (record co-occurrence)", "m2: DMT-BERT"),
    ("m4 (head+tail)", "m4: BERT"),
    ("m4 + weighted_ce", "m4: BERT"),
    ("m4 + focal", "m4: BERT"),
    ("m4 + cpghm", "m4: BERT"),
    ("paper 002: BERT + BiLSTM + cross-attention", "m2: DMT-BERT"),
    ("paper 002: BERT + BiLSTM + cross-attention", "m4: BERT"),
)
BASELINES = ("char TF-IDF + LR (balanced)", "frozen encoder + LR (balanced)")


def _corrected_interval(diff, test_train_ratio, level=0.95):
    """Mean of fold differences and its Nadeau-Bengio corrected confidence interval."""
    import numpy as np
    from scipy import stats

    n = diff.size
    if n < 2:
        return float(diff.mean()) if n else float("nan"), float("nan")
    scale = np.sqrt((1.0 / n + test_train_ratio) * np.var(diff, ddof=1))
    return float(diff.mean()), float(stats.t.ppf(0.5 + level / 2, n - 1) * scale)


def _comparisons(result):
    """Markdown rows: macro-F1 and rare-class recall differences with corrected 95% CIs."""
    import numpy as np

    rare = result.rarest_classes(3)
    per_class = result.per_class
    ratio = float(np.mean([te.size / tr.size for tr, te in result.splits]))
    ranked = result.ranking("f1_macro")
    models = [p for p in ranked if p.startswith("m")]
    baselines = [p for p in ranked if p in BASELINES]
    best = [(models[0], baselines[0])] if models and baselines else []
    rows = []
    for a, b in best + list(COMPARISONS):
        if a not in result.pipelines or b not in result.pipelines:
            continue
        test = result.paired_test("f1_macro", method="corrected_ttest", pipelines=(a, b))
        wide = result.frame.pivot(index="fold", columns="pipeline", values="f1_macro")
        f1 = _corrected_interval((wide[a] - wide[b]).dropna().to_numpy(), ratio)
        recall = per_class[per_class["class"].isin(rare)].pivot_table(
            index="fold", columns="pipeline", values="recall", aggfunc="mean"
        )
        rec = _corrected_interval((recall[a] - recall[b]).dropna().to_numpy(), ratio)
        rows.append(
            f"| {a} vs {b} | {f1[0]:+.4f} ± {f1[1]:.4f} | {test.pvalue:.3f} "
            f"| {rec[0]:+.4f} ± {rec[1]:.4f} |"
        )
    if not rows:
        return ""
    return "\n".join([
        "",
        f"Differences over the same folds (mean ± half-width of the Nadeau-Bengio corrected "
        f"95% interval; p of the corrected resampled t-test). Rare classes: {', '.join(rare)}.",
        "",
        "| comparison | Δ macro-F1 | p | Δ mean recall of the 3 rarest classes |",
        "|---|---:|---:|---:|",
        *rows,
    ])  # fmt: skip


def _section(dataset, X, settings, args, result):
    size = "quick" if args.quick else "full"
    return (
        f"## DMT-BERT ablation and losses: {dataset} ({len(X)} texts, {args.n_splits}-fold "
        f"stratified CV, {size} settings {settings}, encoder {ENCODERS[dataset]})\n\n"
        + result.to_markdown()
        + _comparisons(result)
    )


def run(args):
    sections = []
    for dataset in args.datasets:
        settings = dict(QUICK if args.quick else FULL)
        if settings["max_length"] is None:
            settings["max_length"] = MAX_LENGTH[dataset]
        if args.trainable_layers is not None:
            settings["trainable_layers"] = None if args.trainable_layers < 0 else args.trainable_layers
        sections.append(_run_dataset(dataset, settings, args))
    return "\n\n".join(sections)


def build_parser():
    parser = _common.make_parser(
        __doc__, datasets=tuple(ENCODERS), default_datasets=("medical_abstracts",), n_splits=5,
        device=True, quick_help="CPU smoke size: 400-text subset, 3 folds, 2 epochs, max_length 64",
    )  # fmt: skip
    parser.add_argument("--only", nargs="*", help="run only these settings (name prefixes)")
    parser.add_argument("--report-only", action="store_true",
                        help="only tabulate the settings already saved next to --output")
    parser.add_argument("--trainable-layers", type=int, default=None,
                        help="top layers fine-tuned (default 2; -1 fine-tunes all)")  # fmt: skip
    return parser


def main(argv=None):
    return _common.main(build_parser(), run, argv, versions=("transformers", "skorch"))


if __name__ == "__main__":
    sys.exit(main())
