"""DMT-BERT: the m1-m4 ablation of paper 000 and the loss comparison, against TF-IDF.

Settings (paper 000, Table 5 naming):

- m1: SAAN (text mode, the encoder's input-embedding space) + DMT-BERT with the
  disease co-occurrence task (``lambda_cooc > 0``)
- m2: DMT-BERT with the co-occurrence task, no SAAN
- m3: SAAN + single-task BERT (``lambda_cooc = 0``)
- m4: single-task BERT
- m2 with each criterion: CE (= m2), weighted CE, focal, GHM-C, paper 001's loss
- baseline: char n-gram TF-IDF + class-balanced logistic regression, same folds

Run (CPU-sized; add ``--device cuda`` and drop ``--quick`` on a GPU)::

    python benchmarks/bench_dmt.py --datasets medical_abstracts --quick --output results/dmt.md
    skmedtext benchmark --suite ablation --datasets department_triage --quick

The Markdown table (mean ± std over folds, best per column in bold, a paired test
of the top two) is printed and, with ``--output``, written there, with a JSON file
of every fold next to it (``<output stem>_<dataset>.json``).
"""

import sys

import _common  # benchmarks/ is on sys.path when a script runs

ENCODERS = {
    "medical_abstracts": "minilm-en",
    "department_triage": "e5-small-multilingual",
    "cardiac_shunt": "e5-small-multilingual",
}


def _pipelines(encoder, settings, device, seed):
    from imblearn.pipeline import make_pipeline
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    from skmedtext.models import DMTBertClassifier
    from skmedtext.sampling import SAANSampler

    def dmt(lambda_cooc, criterion="ce"):
        return DMTBertClassifier(
            encoder,
            lambda_cooc=lambda_cooc,
            criterion=criterion,
            max_length=settings["max_length"],
            max_epochs=settings["epochs"],
            batch_size=settings["batch_size"],
            lr=settings["lr"],
            device=device,
            random_state=seed,
        )

    def saan():
        return SAANSampler(
            encoder=encoder,
            max_length=settings["max_length"],
            epochs=settings["saan_epochs"],
            device=device,
            random_state=seed,
        )

    lam = settings["lambda_cooc"]
    pipelines = {
        # the CLI's "tfidf-lr" model, spelled out
        "char TF-IDF + LR (balanced)": make_pipeline(
            TfidfVectorizer(analyzer="char_wb", ngram_range=(1, 3), sublinear_tf=True, min_df=2),
            LogisticRegression(max_iter=2000, class_weight="balanced", random_state=seed),
        ),
        "m1: SAAN + DMT-BERT": make_pipeline(saan(), dmt(lam)),
        "m2: DMT-BERT (CE)": dmt(lam),
        "m3: SAAN + BERT": make_pipeline(saan(), dmt(0.0)),
        "m4: BERT": dmt(0.0),
    }
    for criterion in ("weighted_ce", "focal", "ghm", "cpghm"):
        pipelines[f"m2 + {criterion}"] = dmt(lam, criterion)
    return pipelines


QUICK = dict(n_max=400, epochs=2, max_length=64, batch_size=16, lr=1e-4, saan_epochs=20,
             lambda_cooc=0.1)  # fmt: skip
FULL = dict(n_max=None, epochs=3, max_length=256, batch_size=32, lr=5e-5, saan_epochs=100,
            lambda_cooc=0.1)  # fmt: skip


def run(args):
    from skmedtext.evaluate import evaluate

    settings = QUICK if args.quick else FULL
    sections = []
    for dataset in args.datasets:
        X, y, names = _common.load_dataset(
            dataset, data_home=args.data_home, n_max=settings["n_max"],
            random_state=args.random_state,
        )  # fmt: skip
        pipelines = _pipelines(ENCODERS[dataset], settings, args.device, args.random_state)
        if args.only:
            pipelines = {
                k: v for k, v in pipelines.items() if any(k.startswith(p) for p in args.only)
            }
        result = evaluate(pipelines, X, y, cv=args.n_splits, random_state=args.random_state,
                          target_names=names, verbose=2)  # fmt: skip
        if args.output:
            result.to_json(args.output.with_name(f"{args.output.stem}_{dataset}.json"))
        sections.append(
            f"## DMT-BERT ablation and losses: {dataset} ({len(X)} texts, {args.n_splits}-fold "
            f"CV, {'quick' if args.quick else 'full'} settings {settings})\n\n"
            + result.to_markdown()
        )
    return "\n\n".join(sections)


def build_parser():
    parser = _common.make_parser(
        __doc__, datasets=tuple(ENCODERS), default_datasets=("medical_abstracts",), n_splits=5,
        device=True, quick_help="CPU size: 400-text subset, 3 folds, 2 epochs",
    )  # fmt: skip
    parser.add_argument("--only", nargs="*", help="run only these settings (name prefixes)")
    return parser


def main(argv=None):
    return _common.main(build_parser(), run, argv, versions=("transformers", "skorch"))


if __name__ == "__main__":
    sys.exit(main())
