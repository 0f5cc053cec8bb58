"""Multi-label HoC: TF-IDF, frozen MiniLM and DMT-BERT, each with and without over-sampling.

Hallmarks of Cancer (``load_hoc``: 1,296 train / 371 test abstracts, 10 labels,
1.33 per abstract, 14.7% with none). Fitted on the train split, scored once on
the test split (no CV: the split is fixed):

- ``TF-IDF + OvR LR``: word 1-2-gram TF-IDF, one-vs-rest logistic regression
  with ``class_weight='balanced'``;
- ``MiniLM + OvR LR``: frozen ``minilm-en`` mean-pooled sentence vectors, the
  same classifier;
- ``DMT-BERT``: fine-tuned DMT-BERT with a sigmoid head (``criterion='bce'``;
  15% of the training rows held out to tune one threshold per label);
- each with ``+ VocabAug`` (multi-label :class:`VocabularyAugmenter` before the
  features) and, for the vector pipelines, ``+ SAAN`` (multi-label
  :class:`SAANSampler` on the vectors, one GAN per MLSMOTE minority label).

Columns: micro-, macro- and example-based (samples) F1, the macro-F1 over the
three rarest training labels (``rare3``), and the label cardinality of the
predictions; the per-label F1 of every pipeline follows the table.

Run (``--quick``: DMT-BERT on 400 training abstracts, 64 tokens, 3 epochs; the
other pipelines always use the whole split)::

    python benchmarks/bench_multilabel.py --quick
"""

import sys

import numpy as np

import _common  # benchmarks/ is on sys.path when a script runs

ENCODER = "minilm-en"


def _tfidf_lr():
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.multiclass import OneVsRestClassifier

    return [
        TfidfVectorizer(ngram_range=(1, 2), min_df=2, sublinear_tf=True),
        OneVsRestClassifier(LogisticRegression(class_weight="balanced", max_iter=2000)),
    ]


def _ovr_lr():
    from sklearn.linear_model import LogisticRegression
    from sklearn.multiclass import OneVsRestClassifier

    return OneVsRestClassifier(LogisticRegression(class_weight="balanced", max_iter=2000))


def _augmenter(seed):
    from skmedtext.augment import VocabularyAugmenter

    return VocabularyAugmenter(p_substitute=0.15, p_insert=0.05, random_state=seed)


def _saan(seed):
    from skmedtext.sampling import SAANSampler

    return SAANSampler(epochs=30, n_tokens=8, random_state=seed)


class _Embed:
    """Frozen sentence vectors computed once per text (shared by the MiniLM rows)."""

    def __init__(self, device):
        from skmedtext.embeddings import TransformerEmbedder

        self.embedder = TransformerEmbedder(ENCODER, max_length=256, device=device)
        self.cache = {}

    def __call__(self, texts):
        new = [t for t in dict.fromkeys(texts) if t not in self.cache]
        if new:
            if not hasattr(self.embedder, "n_features_out_"):
                self.embedder.fit(new)
            for text, vector in zip(new, self.embedder.transform(new)):
                self.cache[text] = vector
        return np.stack([self.cache[t] for t in texts])


def _fit_predict(name, X_train, Y_train, X_test, args, embed):
    from imblearn.pipeline import make_pipeline

    seed = args.random_state
    if name.startswith("TF-IDF"):
        steps = ([_augmenter(seed)] if "VocabAug" in name else []) + _tfidf_lr()
        return make_pipeline(*steps).fit(X_train, Y_train).predict(X_test)
    if name.startswith("MiniLM"):
        X_tr, Y_tr = X_train, Y_train
        if "VocabAug" in name:
            X_tr, Y_tr = _augmenter(seed).fit_resample(list(X_train), Y_train)
        V_tr = embed(list(X_tr))
        if "SAAN" in name:
            V_tr, Y_tr = _saan(seed).fit_resample(V_tr, Y_tr)
        return _ovr_lr().fit(V_tr, Y_tr).predict(embed(list(X_test)))
    return _fit_predict_bert(name, X_train, Y_train, X_test, args)


def _fit_predict_bert(name, X_train, Y_train, X_test, args):
    from skmedtext.models import DMTBertClassifier

    quick = args.quick
    length = args.bert_length or (64 if quick else 256)
    epochs = args.bert_epochs or (3 if quick else 4)
    # 15% held out tunes the per-label thresholds (at 0.5 a short fit predicts no label)
    extra = {}
    if args.bert_trainable_layers is not None:  # -1: every layer (trainable_layers=None)
        k = args.bert_trainable_layers
        extra["trainable_layers"] = None if k < 0 else k
    if args.bert_lr is not None:
        extra["lr"] = args.bert_lr
    clf = DMTBertClassifier(
        ENCODER, max_length=length, max_epochs=epochs, batch_size=16,
        criterion="bce", validation_fraction=0.15,
        device=args.device, random_state=args.random_state, **extra,
    )  # fmt: skip
    X_tr, Y_tr = X_train, Y_train
    rows = args.bert_rows or (400 if quick else None)
    if rows:
        keep = np.random.RandomState(args.random_state).permutation(len(X_tr))[:rows]
        X_tr, Y_tr = X_tr[keep], Y_tr[keep]
    if "VocabAug" in name:
        X_tr, Y_tr = _augmenter(args.random_state).fit_resample(list(X_tr), Y_tr)
    if "SAAN" in name:
        from skmedtext.sampling import SAANSampler

        sampler = SAANSampler(epochs=10, encoder=ENCODER, max_length=clf.max_length,
                              random_state=args.random_state)  # fmt: skip
        X_tr, Y_tr = sampler.fit_resample(np.asarray(X_tr, dtype=object), Y_tr)
    return clf.fit(X_tr, Y_tr).predict(X_test)


PIPELINES = (
    "TF-IDF + OvR LR",
    "TF-IDF + OvR LR + VocabAug",
    "MiniLM + OvR LR",
    "MiniLM + OvR LR + VocabAug",
    "MiniLM + OvR LR + SAAN",
    "DMT-BERT",
    "DMT-BERT + VocabAug",
    "DMT-BERT + SAAN",
)


def run(args):
    from skmedtext.datasets import load_hoc
    from skmedtext.metrics import multilabel_report, rare_label_f1

    train = load_hoc(subset="train", data_home=args.data_home)
    test = load_hoc(subset="test", data_home=args.data_home)
    X_train = np.asarray(train.data, dtype=object)
    X_test = np.asarray(test.data, dtype=object)
    names = list(train.target_names)
    rarest = np.argsort(train.target.sum(axis=0), kind="stable")[:3]
    embed = _Embed(args.device)
    chosen = [p for p in PIPELINES if not args.pipelines or p in args.pipelines]
    rows, per_label = [], []
    for name in chosen:
        pred = _fit_predict(name, X_train, train.target, X_test, args, embed)
        report = multilabel_report(test.target, pred, target_names=names)
        # rare3 on the labels rarest in *training*, not in the test split
        rare = rare_label_f1(test.target[:, rarest], pred[:, rarest], k=3)
        rows.append((name, report.f1_micro, report.f1_macro, report.f1_samples, rare,
                     report.cardinality_pred))  # fmt: skip
        per_label.append((name, report.per_label["f1"].to_numpy()))
        print(f"{name}: micro-F1 {report.f1_micro:.4f}", file=sys.stderr, flush=True)
    return _markdown(rows, per_label, names, rarest, test.target)


def _markdown(rows, per_label, names, rarest, Y_test):
    lines = [
        "| Pipeline | micro-F1 | macro-F1 | samples-F1 | rare3 macro-F1 | cardinality |",
        "|---|---|---|---|---|---|",
    ]
    lines += [
        f"| {n} | {a:.4f} | {b:.4f} | {c:.4f} | {d:.4f} | {e:.2f} |"
        for n, a, b, c, d, e in rows
    ]
    lines += [
        "",
        f"Test split: {len(Y_test)} abstracts, label cardinality "
        f"{Y_test.sum(axis=1).mean():.2f}; rare3 = "
        + ", ".join(names[j] for j in rarest) + ".",
        "",
        "Per-label F1 (test):",
        "",
        "| Label | test support | " + " | ".join(n for n, _ in per_label) + " |",
        "|---|---|" + "---|" * len(per_label),
    ]
    for j, label in enumerate(names):
        cells = " | ".join(f"{f1[j]:.3f}" for _, f1 in per_label)
        lines.append(f"| {label} | {int(Y_test[:, j].sum())} | {cells} |")
    return "\n".join(lines)


if __name__ == "__main__":
    parser = _common.make_parser(
        __doc__, device=True, quick_help="DMT-BERT on 400 abstracts, 64 tokens, 3 epochs"
    )
    parser.add_argument("--pipelines", nargs="+", default=None, metavar="NAME",
                        help=f"run only these of: {', '.join(PIPELINES)}")  # fmt: skip
    for flag, what in (("rows", "training abstracts"), ("length", "tokens"), ("epochs", "epochs")):
        parser.add_argument(f"--bert-{flag}", type=int, default=None,
                            help=f"DMT-BERT {what} (overrides the --quick / full size)")  # fmt: skip
    parser.add_argument("--bert-trainable-layers", type=int, default=None,
                        help="DMT-BERT top layers fine-tuned (default: the class's; -1: all)")
    parser.add_argument("--bert-lr", type=float, default=None,
                        help="DMT-BERT learning rate (default: the class's)")  # fmt: skip
    sys.exit(_common.main(parser, run))
