"""Domain-adaptive pretraining: a Chinese encoder built from the unlabelled data folder.

1. **Corpus.** Every piece of free Chinese text in the data folder, without any
   label: the department-triage question titles, question bodies and doctors'
   answers (``load_department_triage_corpus``), and the cardiac admission records'
   chief complaint, present illness, past and personal history (the echo result,
   which defines that set's label, is left out). Written one document per line to
   ``<work-dir>/corpus_zh.txt``.
2. **MLM pretraining** with :func:`skmedtext.pretrain.pretrain_mlm`: a WordPiece
   tokenizer (one token per Chinese character) trained on that corpus and a BERT
   of ``--size`` trained from scratch with masked-language modelling
   (``--wwm``: jieba whole-word masking). Resumable: re-running the same command
   continues or reuses ``<work-dir>/encoder-...``.
3. **Comparison** on department triage (stratified k-fold, the same folds for
   every method, :func:`skmedtext.evaluate.evaluate`): the domain encoder
   fine-tuned with ``DMTBertClassifier``; the same architecture and tokenizer
   with random weights, fine-tuned the same way (what pretraining adds); the
   English MiniLM (``"minilm-en"``) fine-tuned the same way; character 1-3-gram
   TF-IDF + balanced logistic regression; and, when
   ``skmedtext.models.StaResGRUCNNClassifier`` exists,
   StaResGRU-CNN over character word2vec trained on the same corpus
   (:func:`skmedtext.pretrain.train_word2vec`).

Leakage: pretraining (MLM and word2vec) sees text only, never a department, so
it cannot learn the label mapping. It is transductive, though: the unlabelled
text of every question, those that later fall in test folds included (and their
doctors' answers), is in the corpus, as in domain-adaptive pretraining on a
hospital's own records. The doctors' answers are never a classification feature:
the classifiers see ``title + ask`` only.

Hyper-parameters are fixed in advance (not tuned on the folds). ``--quick`` is a
CPU size: a tiny encoder (2 x 64) pretrained for a few hundred steps and a
triage subset capped at ``--cap`` texts per class (rare classes kept whole), 3
folds. The full setting (``--size small``, 4 x 256, 10,000 steps of 128 x 128
tokens; all 6,115 questions, 5 folds) is meant for one GPU. ``--cap 0`` uses all
questions at any size. ``--pretrain-only`` stops after pretraining, so a long
pretraining can be run (and, being resumable, interrupted and re-run) apart
from the comparison.

Example::

    OMP_NUM_THREADS=1 python benchmarks/bench_pretrain.py --quick --output pretrain.md
    python benchmarks/bench_pretrain.py --device cuda --output pretrain_gpu.md
"""

import json
import sys
import time
from pathlib import Path

import numpy as np

import _common  # benchmarks/ is on sys.path when a script runs

CARDIAC_TEXT_COLUMNS = ("主诉", "现病史", "既往史", "个人史")  # not 右心造影结果 (the label)

# Fixed in advance, not tuned on the folds. Fine-tuning learning rates: 5e-5 for the
# pretrained MiniLM (as bench_e5), higher for the small from-scratch encoders, as small
# BERTs need (Turc et al. 2019 fine-tune BERT-mini/small with up to 3e-4).
QUICK = dict(size="tiny", max_steps=400, batch_size=32, max_length=64, lr=1e-3, cap=35,
             ft_epochs=3, ft_max_length=32, ft_lr=1e-3, w2v_epochs=5, seq_epochs=5)  # fmt: skip
FULL = dict(size="small", max_steps=10000, batch_size=128, max_length=128, lr=5e-4, cap=None,
            ft_epochs=5, ft_max_length=128, ft_lr=2e-4, w2v_epochs=5,
            seq_epochs=20)  # fmt: skip


def build_parser():
    p = _common.make_parser(
        __doc__, n_splits=5, device=True, quick_help="CPU size: tiny encoder, triage subset"
    )
    p.add_argument("--size", choices=["tiny", "small", "base"], default=None)
    p.add_argument("--max-steps", type=int, default=None, help="MLM optimisation steps")
    p.add_argument("--batch-size", type=int, default=None, help="MLM sequences per step")
    p.add_argument("--max-length", type=int, default=None, help="MLM tokens per sequence")
    p.add_argument("--lr", type=float, default=None, help="MLM peak learning rate")
    p.add_argument("--wwm", action="store_true", help="jieba whole-word masking")
    p.add_argument("--cap", type=int, default=None, help="texts per triage class in the CV")
    p.add_argument("--ft-epochs", type=int, default=None, help="fine-tuning epochs")
    p.add_argument("--ft-max-length", type=int, default=None, help="fine-tuning tokens per text")
    p.add_argument("--ft-lr", type=float, default=None, help="fine-tuning lr of our encoder")
    p.add_argument("--pretrain-only", action="store_true",
                   help="build the corpus, encoder and word2vec, then stop")  # fmt: skip
    p.add_argument("--skip", nargs="*", default=[],
                   choices=["random", "minilm", "tfidf", "staresgru"],
                   help="methods to leave out")  # fmt: skip
    p.add_argument("--work-dir", default=None,
                   help="corpus, encoder, vectors (SKMEDTEXT_HOME/bench_pretrain)")  # fmt: skip
    return p


def _fill_defaults(args):
    for key, value in (QUICK if args.quick else FULL).items():
        if getattr(args, key, None) is None:
            setattr(args, key, value)
    return args


# ---------------------------------------------------------------- data


def build_corpus(data_home, path):
    """Write every unlabelled Chinese document of the data folder to ``path``."""
    from skmedtext.datasets import load_cardiac_shunt, load_department_triage_corpus

    docs = list(load_department_triage_corpus(data_home=data_home))
    frame = load_cardiac_shunt(data_home=data_home, as_frame=True).frame
    for column in CARDIAC_TEXT_COLUMNS:
        docs.extend(str(v) for v in frame[column] if isinstance(v, str) and v.strip())
    # one document per line: line breaks inside a document become spaces
    docs = [" ".join(d.split()) for d in docs]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(d + "\n" for d in docs if d), encoding="utf-8")
    return docs


# ---------------------------------------------------------------- methods


def finetuned(path, args, lr):
    from skmedtext.models import DMTBertClassifier

    # mean pooling: neither encoder has a trained [CLS] (no next-sentence task);
    # weighted CE for the imbalance; the co-occurrence task off to compare encoders only.
    return DMTBertClassifier(
        model_name_or_path=path, pooling="mean", max_length=args.ft_max_length,
        criterion="weighted_ce", lambda_cooc=0.0, max_epochs=args.ft_epochs, batch_size=32,
        lr=lr, device=args.device, random_state=args.random_state,
    )  # fmt: skip


def random_init_copy(encoder, dest, seed):
    """The pretrained encoder's architecture and tokenizer with fresh random weights."""
    import torch
    from transformers import AutoConfig, AutoModelForMaskedLM, AutoTokenizer

    if not (dest / "config.json").is_file():
        torch.manual_seed(seed)
        model = AutoModelForMaskedLM.from_config(AutoConfig.from_pretrained(encoder))
        model.save_pretrained(str(dest))
        AutoTokenizer.from_pretrained(encoder).save_pretrained(str(dest))
    return str(dest)


def tfidf(args):
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline

    return make_pipeline(
        TfidfVectorizer(analyzer="char", ngram_range=(1, 3), sublinear_tf=True, min_df=2),
        LogisticRegression(
            C=10.0, class_weight="balanced", max_iter=5000, random_state=args.random_state
        ),
    )


def staresgru(vectors, args):
    from skmedtext import models

    cls = getattr(models, "StaResGRUCNNClassifier", None)
    if cls is None:
        return None
    small = dict(hidden_size=64, n_layers=2, max_length=64) if args.quick else {}
    return cls(
        embedding=str(vectors), level="char", criterion="weighted_ce",
        max_epochs=args.seq_epochs, device=args.device, random_state=args.random_state, **small,
    )  # fmt: skip


# ---------------------------------------------------------------- report


def pretrain_lines(log, docs):
    s = log["settings"]
    hist = log["history"]
    tokens_per_s = log["tokens_seen"] / max(log["elapsed_s"], 1e-9)
    last_window = hist[-2]["step"] if len(hist) > 1 else 0
    return [
        f"- corpus: {len(docs):,} documents, {sum(map(len, docs)):,} characters -> "
        f"{s['n_tokens']:,} tokens in {s['n_sequences']:,} packed sequences of {s['max_length']}",
        f"- model: {s['model']}, device {s['device']}, bf16 {s['bf16']}, "
        f"whole-word masking {s['whole_word_masking']}",
        f"- schedule: {log['step']:,} steps x {s['batch_size']} sequences "
        f"({log['step'] / s['steps_per_epoch']:.2f} epochs), lr {s['lr']:g}, "
        f"warm-up {s['warmup_steps']} steps, linear decay",
        f"- MLM loss: {hist[0]['loss']:.3f} (mean of the first {hist[0]['step']} steps) -> "
        f"{hist[-1]['loss']:.3f} (last {hist[-1]['step'] - last_window} steps)",
        f"- time: tokenizer training + tokenisation {s['prepare_s']:.0f} s, training "
        f"{log['elapsed_s']:.0f} s ({tokens_per_s:,.0f} tokens/s)",
    ]


def run(args):
    from transformers.utils import logging as hf_logging

    from skmedtext.encoders import resolve_encoder
    from skmedtext.utils import get_skmedtext_home
    from skmedtext.evaluate import evaluate
    from skmedtext.pretrain import pretrain_mlm, train_word2vec

    _fill_defaults(args)
    hf_logging.set_verbosity_error()  # per-fold "LOAD REPORT" tables of the MLM head
    work = Path(args.work_dir) if args.work_dir else get_skmedtext_home() / "bench_pretrain"
    tag = f"{args.size}-L{args.max_length}-b{args.batch_size}-s{args.max_steps}" + (
        "-wwm" if args.wwm else ""
    )

    corpus = work / "corpus_zh.txt"
    docs = build_corpus(args.data_home, corpus)
    print(f"corpus: {len(docs)} documents -> {corpus}", file=sys.stderr)
    encoder = pretrain_mlm(
        [corpus], work / f"encoder-{tag}", size=args.size, max_steps=args.max_steps,
        batch_size=args.batch_size, max_length=args.max_length, lr=args.lr,
        whole_word_masking="jieba" if args.wwm else False,
        save_steps=max(100, args.max_steps // 10), logging_steps=max(1, args.max_steps // 20),
        seed=args.random_state, device=args.device, progress=True,
    )  # fmt: skip
    log = json.loads((Path(encoder) / "pretrain_log.json").read_text(encoding="utf-8"))
    vectors = work / f"w2v-char-e{args.w2v_epochs}.kv"
    if "staresgru" not in args.skip and not vectors.exists():
        start = time.perf_counter()
        train_word2vec([corpus], level="char", epochs=args.w2v_epochs, out=vectors)
        print(f"word2vec: {time.perf_counter() - start:.0f} s -> {vectors}", file=sys.stderr)
    if args.pretrain_only:
        return "\n".join(pretrain_lines(log, docs))

    X, y, _ = _common.load_dataset(
        "department_triage", data_home=args.data_home, cap=args.cap,
        random_state=args.random_state,
    )  # fmt: skip
    y = y.astype(object)
    ours = f"domain BERT ({args.size}, ours) fine-tuned"
    pipelines = {ours: finetuned(encoder, args, args.ft_lr)}
    if "random" not in args.skip:  # the same fine-tuning without pretraining
        random_copy = random_init_copy(encoder, work / f"random-{tag}", args.random_state)
        pipelines["same encoder, random init (no pretraining)"] = finetuned(
            random_copy, args, args.ft_lr
        )
    if "minilm" not in args.skip:
        minilm = resolve_encoder("minilm-en").path
        pipelines["English MiniLM-L6 fine-tuned"] = finetuned(minilm, args, 5e-5)
    if "tfidf" not in args.skip:
        pipelines["char 1-3-gram TF-IDF + balanced LR"] = tfidf(args)
    notes = []
    if "staresgru" not in args.skip:
        model = staresgru(vectors, args)
        if model is None:
            notes.append("StaResGRU-CNN: not run (skmedtext.models.StaResGRUCNNClassifier "
                         "does not exist in this checkout).")  # fmt: skip
        else:
            pipelines["StaResGRU-CNN over domain char word2vec"] = model
    print(f"CV: {len(X)} triage texts, {len(pipelines)} methods", file=sys.stderr)
    result = evaluate(
        pipelines, X, y, cv=args.n_splits, random_state=args.random_state, scores=False,
        verbose=1,
    )

    subset = f" (capped at {args.cap} per class)" if args.cap else ""
    lines = ["## Pretraining (no labels)", ""] + pretrain_lines(log, docs)
    lines += [
        "",
        f"## Department triage{subset}: {len(X)} texts, {len(np.unique(y))} classes, "
        f"{args.n_splits}-fold CV",
        "",
        result.to_markdown(metrics=("accuracy", "f1_macro", "recall_macro")).rstrip(),
    ]
    lines += [""] + notes if notes else []
    return "\n".join(lines)


def main(argv=None):
    return _common.main(build_parser(), run, argv, versions=("transformers", "tokenizers"))


if __name__ == "__main__":
    sys.exit(main())
