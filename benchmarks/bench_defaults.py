"""What a new user gets: ``make_pipeline(SAANSampler(), DMTBertClassifier())`` on held-out abstracts.

Issue 20 asks that the paper-000 pipeline **at its defaults** beat frozen MiniLM +
class-balanced logistic regression on held-out data. This script fits, on the
training part of one held-out split of Medical Abstracts, and scores on the rest:

- ``frozen MiniLM + LR (balanced)``: mean-pooled, normalised sentence vectors;
- ``DMTBertClassifier()``: every parameter at its default but the seed;
- ``SAANSampler() + DMTBertClassifier()``: the same, after SAAN at its defaults
  (it generates in the encoder's input word-embedding space; those rows pass
  through the frozen bottom layers).

The held-out split is the first fold of ``StratifiedKFold(n_splits, shuffle=True,
random_state)``, i.e. fold 1 of the ``bench_dmt.py`` tables, so its scores can be
read against that fold's row there. ``--quick`` uses a 400-abstract subset.

Run (CPU)::

    OMP_NUM_THREADS=1 python benchmarks/bench_defaults.py --threads 1 --output results/defaults.md
"""

import sys

import _common  # benchmarks/ is on sys.path when a script runs

ENCODER = "minilm-en"


def _pipelines(seed, device):
    from imblearn.pipeline import make_pipeline
    from sklearn.linear_model import LogisticRegression

    from skmedtext.embeddings import TransformerEmbedder
    from skmedtext.models import DMTBertClassifier
    from skmedtext.sampling import SAANSampler

    return {
        "frozen MiniLM + LR (balanced)": make_pipeline(
            TransformerEmbedder(ENCODER, pooling="mean", max_length=256, normalize=True,
                                device=device),
            LogisticRegression(max_iter=2000, class_weight="balanced", random_state=seed),
        ),  # fmt: skip
        "DMTBertClassifier()": DMTBertClassifier(ENCODER, device=device, random_state=seed),
        "SAANSampler() + DMTBertClassifier()": make_pipeline(
            SAANSampler(random_state=seed, device=device),
            DMTBertClassifier(ENCODER, device=device, random_state=seed),
        ),
    }


class _HeldOut:
    """One split, named by where it comes from (the report prints the CV's repr)."""

    def __init__(self, folds, split):
        self.folds, self.split_ = folds, split

    def split(self, X=None, y=None, groups=None):
        yield self.split_

    def get_n_splits(self, X=None, y=None, groups=None):
        return 1

    def __repr__(self):
        return f"fold 1 of {self.folds!r}"


def run(args):
    from sklearn.model_selection import StratifiedKFold

    from skmedtext.evaluate import evaluate

    X, y, names = _common.load_dataset(
        "medical_abstracts", data_home=args.data_home, n_max=400 if args.quick else None,
        random_state=args.random_state,
    )  # fmt: skip
    folds = StratifiedKFold(args.n_splits, shuffle=True, random_state=args.random_state)
    split = next(folds.split(X, y))
    result = evaluate(
        _pipelines(args.random_state, args.device), X, y, cv=_HeldOut(folds, split),
        random_state=args.random_state, target_names=names, verbose=2,
    )  # fmt: skip
    header = (
        f"## Defaults on held-out Medical Abstracts (issue 20)\n\n"
        f"Trained on {len(split[0])} abstracts, scored on the {len(split[1])} held out "
        f"(fold 1 of {args.n_splits}-fold stratified CV, seed {args.random_state}).\n\n"
    )
    return header + result.to_markdown()


def build_parser():
    parser = _common.make_parser(
        __doc__, n_splits=5, quick_n_splits=5, device=True, quick_help="a 400-abstract subset"
    )
    return parser


def main(argv=None):
    return _common.main(build_parser(), run, argv, versions=("transformers", "skorch"))


if __name__ == "__main__":
    sys.exit(main())
