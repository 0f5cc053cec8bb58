"""Sequence models: paper 003's embedding x model grid and paper 001's loss comparison.

Parts (``--part``):

- ``grid``: every model (StaResGRU-CNN, TextCNN, BiLSTM, BiGRU, TextCNN-BiGRU,
  CNN-LSTM, CNN-GRU, DPCNN, and paper 003's Table 9 baselines AVRNN, AVCNN,
  Dropout-BiGRU, Dropout-AVRNN) over a bare trainable embedding, word2vec trained
  on the training fold, and frozen transformer token states (paper 003, Table 8);
- ``losses``: TextCNN, BiLSTM, BiGRU and TextCNN-BiGRU, each trained with CE,
  weighted CE, focal loss, GHM-C and paper 001's own loss (``criterion=``;
  paper 001's Tables "Comparison Results of Neural Network Models / Loss
  Function"), on transformer token states (paper 001 feeds MC-BERT outputs);
- ``params``: trainable parameter counts at the paper defaults (no training).

Stratified k-fold CV (5 folds in the full setting); accuracy, macro-F1 and
micro-F1 (which equals accuracy for single-label data; both are listed because
the papers list both), trainable parameters (``n_params_``, frozen embeddings
excluded as in paper 003) and seconds per training epoch (skorch's epoch
``dur``; encoding time is excluded, fit time is listed separately).

Frozen transformer states do not change between folds and models, so the
benchmark computes them once per text (a caching ``TransformerEmbedder`` handed
to the classifiers as ``embedding=``); word2vec is retrained on every training
fold.

Run (``--quick`` is the CPU size: a 300-text stratified subset, 3 folds, 10
epochs, small networks; the full setting is meant for a GPU; ``--embeddings`` and
``--models`` split a part into shorter runs)::

    python benchmarks/bench_models.py --datasets department_triage --part grid --quick
    python benchmarks/bench_models.py --datasets cardiac_shunt --part losses --quick
    python benchmarks/bench_models.py --datasets department_triage --part params
"""

import sys
import time
from functools import partial

import numpy as np

import _common  # benchmarks/ is on sys.path when a script runs

ENCODER = "e5-small-multilingual"  # both datasets are Chinese
DATASETS = ("department_triage", "cardiac_shunt")
CRITERIA = {"CE": "ce", "weighted CE": "weighted_ce", "focal": "focal", "GHM": "ghm",
            "paper 001 loss": "cpghm"}  # fmt: skip


def _models():
    from skmedtext import models

    return {
        "StaResGRU-CNN": models.StaResGRUCNNClassifier,
        "TextCNN": models.TextCNNClassifier,
        "BiLSTM": models.BiLSTMClassifier,
        "BiGRU": models.BiGRUClassifier,
        "TextCNN-BiGRU": models.TextCNNBiGRUClassifier,
        "CNN-LSTM": models.CNNLSTMClassifier,
        "CNN-GRU": models.CNNGRUClassifier,
        "DPCNN": models.DPCNNClassifier,
        "AVRNN": models.AVRNNClassifier,
        "AVCNN": models.AVCNNClassifier,
        "Dropout-BiGRU": models.DropoutBiGRUClassifier,
        "Dropout-AVRNN": models.DropoutAVRNNClassifier,
    }


# network sizes of the quick (CPU) setting; the full setting uses the paper defaults
QUICK_SIZES = {
    "StaResGRU-CNN": dict(hidden_size=64, n_layers=2, filters=32),
    "TextCNN": dict(filters=32),
    "BiLSTM": dict(hidden_size=32),
    "BiGRU": dict(hidden_size=32),
    "TextCNN-BiGRU": dict(filters=32, hidden_size=32),
    "CNN-LSTM": dict(filters=32, hidden_size=32),
    "CNN-GRU": dict(filters=32, hidden_size=32),
    "DPCNN": dict(filters=32),
    "AVRNN": dict(hidden_size=32, dense_size=32),
    "AVCNN": dict(filters=32),
    "Dropout-BiGRU": dict(hidden_size=32),
    "Dropout-AVRNN": dict(hidden_size=32),
}
SETTINGS = {
    "quick": dict(n_max=300, epochs=10, batch_size=16, lr=3e-3, embedding_dim=64,
                  dropout=0.2, min_count=2, w2v_epochs=50, sizes=QUICK_SIZES,
                  max_length={"department_triage": 64, "cardiac_shunt": 128}),
    "full": dict(n_max=None, epochs=20, batch_size=64, lr=1e-3, embedding_dim=100,
                 dropout=None, min_count=5, w2v_epochs=50, sizes={},
                 max_length={"department_triage": 256, "cardiac_shunt": 512}),
}  # fmt: skip


def _cached_embedder(max_length, device):
    """A TransformerEmbedder (sequence output) that computes each text's states once."""
    from skmedtext.embeddings import TransformerEmbedder

    class CachedStates(TransformerEmbedder):
        def transform(self, X):
            cache = self.__dict__.setdefault("cache_", {})
            missing = list(dict.fromkeys(t for t in X if t not in cache))
            if missing:
                for text, states in zip(missing, super().transform(missing)):
                    cache[text] = states[: max(1, int(np.any(states != 0, -1).sum()))]
            out = np.zeros((len(X), self.max_length, self.n_features_out_), dtype=np.float32)
            for row, text in enumerate(X):
                out[row, : len(cache[text])] = cache[text]
            return out

    return CachedStates(ENCODER, output="sequence", max_length=max_length, device=device)


def _classifier(model, embedding, settings, max_length, device, seed, criterion="ce"):
    cls = _models()[model]
    params = dict(
        embedding=embedding,
        level="char",
        max_length=max_length,
        embedding_dim=settings["embedding_dim"],
        criterion=criterion,
        max_epochs=settings["epochs"],
        batch_size=settings["batch_size"],
        lr=settings["lr"],
        device=device,
        random_state=seed,
        **settings["sizes"].get(model, {}),
    )
    if embedding == "word2vec":
        # Table 4's 5 epochs assume a 36M-character corpus; on one training fold the
        # vectors barely leave their initialisation and every model predicts the
        # majority class (measured), so word2vec makes more passes here
        params["embedding_params"] = {
            "min_count": settings["min_count"],
            "epochs": settings["w2v_epochs"],
        }
    if settings["dropout"] is not None:
        params["dropout"] = settings["dropout"]
    return cls(**params)


def _cross_validate(make, X, y, folds, seed):
    """Fit a fresh classifier per fold; scores, parameter counts and epoch times."""
    from sklearn.metrics import accuracy_score, f1_score
    from sklearn.model_selection import StratifiedKFold

    rows = []
    for train, test in StratifiedKFold(folds, shuffle=True, random_state=seed).split(X, y):
        clf = make()
        start = time.perf_counter()
        clf.fit(X[train], y[train])
        fit_time = time.perf_counter() - start
        pred = clf.predict(X[test])
        rows.append(
            dict(
                accuracy=accuracy_score(y[test], pred),
                f1_macro=f1_score(y[test], pred, average="macro", zero_division=0),
                f1_micro=f1_score(y[test], pred, average="micro", zero_division=0),
                params=clf.n_params_,
                epoch_s=float(np.mean(clf.history_[:, "dur"])),
                fit_s=fit_time,
            )
        )
    return rows


def _summarise(rows):
    out = {}
    for key in rows[0]:
        values = np.array([r[key] for r in rows], dtype=float)
        out[key] = (values.mean(), values.std(ddof=1) if len(values) > 1 else 0.0)
    return out


def _cell(mean_std, digits=3):
    return f"{mean_std[0]:.{digits}f} ± {mean_std[1]:.{digits}f}"


def _params(value):
    return f"{value / 1e6:.2f}M" if value >= 1e5 else f"{value / 1e3:.1f}k"


def _table(results, first_header):
    lines = [
        f"| {first_header} | accuracy | macro-F1 | micro-F1 | params | s/epoch | fit s |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    # ties at the displayed precision are all bold
    best = max(round(s["f1_macro"][0], 3) for s in results.values())
    for name, s in results.items():
        f1 = _cell(s["f1_macro"])
        bold = round(s["f1_macro"][0], 3) == best
        lines.append(
            f"| {name} | {_cell(s['accuracy'])} | {f'**{f1}**' if bold else f1} | "
            f"{_cell(s['f1_micro'])} | {_params(s['params'][0])} | {s['epoch_s'][0]:.2f} | "
            f"{s['fit_s'][0]:.1f} |"
        )
    return "\n".join(lines) + "\n"


def _run_grid(X, y, settings, max_length, args, embedder):
    results = {}
    embeddings = {"bare": "bare", "word2vec": "word2vec", "transformer": embedder}
    for emb_name in args.embeddings or embeddings:
        embedding = embeddings[emb_name]
        for model in args.models or _models():
            make = partial(
                _classifier, model, embedding, settings, max_length, args.device,
                args.random_state,
            )  # fmt: skip
            results[f"{emb_name} / {model}"] = _summarise(
                _cross_validate(make, X, y, args.n_splits, args.random_state)
            )
            print(f"done: {emb_name} / {model}", flush=True)
    return _table(results, "embedding / model")


def _run_losses(X, y, settings, max_length, args, embedder):
    results = {}
    for model in args.models or ("TextCNN", "BiLSTM", "BiGRU", "TextCNN-BiGRU"):
        for loss_name, criterion in CRITERIA.items():
            make = partial(
                _classifier,
                model,
                embedder,
                settings,
                max_length,
                args.device,
                args.random_state,
                criterion,
            )
            results[f"{model} / {loss_name}"] = _summarise(
                _cross_validate(make, X, y, args.n_splits, args.random_state)
            )
            print(f"done: {model} / {loss_name}", flush=True)
    return _table(results, "model / loss")


def _run_params(X, y, max_length, args):
    """Trainable parameters at the paper defaults, for the vocabulary of all of X."""
    from skmedtext.embeddings import Word2VecEmbedder
    from skmedtext.models._modules import _pooled as pooled_modules
    from skmedtext.models._modules import _sequence as seq_modules

    embedder = Word2VecEmbedder(
        level="char", max_length=max_length, random_state=args.random_state
    ).fit(X)
    lines = ["| model | bare (char) | word2vec (char, frozen) | transformer states (384-d) |",
             "|---|---:|---:|---:|"]  # fmt: skip
    n_classes = np.unique(y).size
    for model, cls in _models().items():
        counts = []
        for embedding in ("bare", embedder):
            clf = cls(embedding, max_length=max_length, random_state=args.random_state)
            state = clf._fit_encoding(X, y)  # the training core's encoding hook: no training
            counts.append(_count(clf._build_module(n_classes, state)))
        # frozen transformer states: the encoder is not part of the network, only its width
        clf = cls(max_length=max_length)
        clf._validate_params()
        inputs = seq_modules.SequenceInput(None, 384)
        # Table 9's pooled models live in their own module file
        network = getattr(seq_modules, cls._module_class, None) or getattr(
            pooled_modules, cls._module_class
        )
        counts.append(_count(network(inputs, n_classes, **clf._module_params())))
        lines.append(f"| {model} | " + " | ".join(_params(c) for c in counts) + " |")
    return "\n".join(lines) + "\n"


def _count(module):
    return sum(p.numel() for p in module.parameters() if p.requires_grad)


def _scheme(args, n):
    if args.part == "params":
        return f"n = {n} (the vocabulary of all texts; no training)."
    return (
        f"n = {n}; {args.n_splits}-fold stratified CV (shuffled, seed {args.random_state}); "
        "mean ± std over folds (ddof=1); params and s/epoch are fold means; the best "
        "macro-F1 is bold."
    )


def _run_dataset(dataset, settings, args):
    max_length = settings["max_length"][dataset]
    X, y, _ = _common.load_dataset(
        dataset, data_home=args.data_home, random_state=args.random_state,
        n_max=settings["n_max"] if args.part != "params" else None,
    )  # fmt: skip
    if args.part == "params":
        table = _run_params(X, y, max_length, args)
    else:
        needs_states = args.part == "losses" or "transformer" in (
            args.embeddings or ["transformer"]
        )
        embedder = None
        if needs_states:
            embedder = _cached_embedder(max_length, args.device).fit(X)
            embedder.transform(X)  # fill the cache now, so no fit time includes encoding
        run_part = _run_grid if args.part == "grid" else _run_losses
        table = run_part(X, y, settings, max_length, args, embedder)
    shown = {k: v for k, v in settings.items() if k not in ("sizes", "max_length")}
    shown["n_splits"] = args.n_splits
    return (
        f"### {args.part}: {dataset}, {'quick (CPU)' if args.quick else 'full'} setting\n\n"
        f"Settings: {shown}, max_length {max_length} characters, transformer {ENCODER} "
        f"(frozen, last layer); quick network sizes {settings['sizes'] or 'paper defaults'}.\n\n"
        + table
        + "\n"
        + _scheme(args, len(X))
    )


def run(args):
    settings = SETTINGS["quick" if args.quick else "full"]
    return "\n\n".join(_run_dataset(d, settings, args) for d in args.datasets)


def build_parser():
    parser = _common.make_parser(
        __doc__, datasets=DATASETS, default_datasets=("department_triage",), n_splits=5,
        device=True, quick_help="CPU size: 300-text subset, 3 folds, 10 epochs",
    )  # fmt: skip
    parser.add_argument("--part", default="grid", choices=("grid", "losses", "params"))
    parser.add_argument(
        "--embeddings",
        nargs="*",
        choices=("bare", "word2vec", "transformer"),
        help="grid: run only these embeddings (to split long runs)",
    )
    parser.add_argument(
        "--models", nargs="*", choices=sorted(QUICK_SIZES), help="run only these models"
    )
    return parser


def main(argv=None):
    return _common.main(build_parser(), run, argv, versions=("gensim", "transformers"))


if __name__ == "__main__":
    sys.exit(main())
