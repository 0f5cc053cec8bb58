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

    python benchmarks/bench_dmt.py --dataset medical_abstracts --quick --out results/dmt
    python benchmarks/bench_dmt.py --dataset department_triage --quick --out results/dmt

The Markdown table (mean ± std over folds, best per column in bold, a paired test
of the top two) and a JSON file with every fold are written to ``--out``.
"""

import argparse
import time
from pathlib import Path

import numpy as np

ENCODERS = {
    "medical_abstracts": "minilm-en",
    "department_triage": "e5-small-multilingual",
    "cardiac_shunt": "e5-small-multilingual",
}


def _data(dataset, n_max, seed):
    from sklearn.model_selection import train_test_split

    from skmedtext import datasets

    bunch = getattr(datasets, f"load_{dataset}")()
    X, y = np.asarray(bunch.data, dtype=object), np.asarray(bunch.target)
    if n_max and n_max < len(X):
        X, _, y, _ = train_test_split(X, y, train_size=n_max, stratify=y, random_state=seed)
    return X, y, list(bunch.target_names)


def _pipelines(encoder, settings, device, seed):
    from imblearn.pipeline import make_pipeline

    from skmedtext._registry import _logistic_regression, _tfidf
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
        "char TF-IDF + LR (balanced)": make_pipeline(_tfidf(), _logistic_regression(seed)),
        "m1: SAAN + DMT-BERT": make_pipeline(saan(), dmt(lam)),
        "m2: DMT-BERT (CE)": dmt(lam),
        "m3: SAAN + BERT": make_pipeline(saan(), dmt(0.0)),
        "m4: BERT": dmt(0.0),
    }
    for criterion in ("weighted_ce", "focal", "ghm", "cpghm"):
        pipelines[f"m2 + {criterion}"] = dmt(lam, criterion)
    return pipelines


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dataset", default="medical_abstracts", choices=sorted(ENCODERS))
    parser.add_argument("--out", default="results/dmt")
    parser.add_argument("--quick", action="store_true", help="CPU size: subset, 3 folds, 2 epochs")
    parser.add_argument("--device", default="auto")
    parser.add_argument("--folds", type=int, default=None)
    parser.add_argument("--only", nargs="*", help="run only these settings (name prefixes)")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)

    from skmedtext.evaluate import evaluate

    if args.quick:
        settings = dict(n_max=400, folds=3, epochs=2, max_length=64, batch_size=16, lr=1e-4,
                        saan_epochs=20, lambda_cooc=0.1)
    else:
        settings = dict(n_max=None, folds=5, epochs=3, max_length=256, batch_size=32, lr=5e-5,
                        saan_epochs=100, lambda_cooc=0.1)
    folds = args.folds or settings["folds"]
    X, y, names = _data(args.dataset, settings["n_max"], args.seed)
    pipelines = _pipelines(ENCODERS[args.dataset], settings, args.device, args.seed)
    if args.only:
        pipelines = {k: v for k, v in pipelines.items() if any(k.startswith(p) for p in args.only)}
    start = time.perf_counter()
    result = evaluate(pipelines, X, y, cv=folds, random_state=args.seed, target_names=names,
                      verbose=2)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    header = (
        f"## DMT-BERT ablation and losses: {args.dataset} ({len(X)} texts, {folds}-fold CV, "
        f"{'quick' if args.quick else 'full'} settings {settings})\n\n"
        f"Command: `python benchmarks/bench_dmt.py --dataset {args.dataset}"
        f"{' --quick' if args.quick else ''} --device {args.device}`; "
        f"wall time {time.perf_counter() - start:.0f} s.\n\n"
    )
    markdown = header + result.to_markdown()
    (out / f"dmt_{args.dataset}.md").write_text(markdown + "\n", encoding="utf-8")
    result.to_json(out / f"dmt_{args.dataset}.json")
    print(markdown)


if __name__ == "__main__":
    main()
