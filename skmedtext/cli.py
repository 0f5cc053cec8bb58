"""The ``skmedtext`` command line: demo, benchmark, train, predict, encoders, pretrain.

Every sub-command is a thin layer over the public Python API; heavy imports
happen inside the command so ``skmedtext --help`` answers instantly.
"""

import argparse
import os
import subprocess
import sys
from pathlib import Path

from skmedtext._cli_io import (
    CommandError,
    check_output,
    read_csv,
    read_lines,
    require_two_classes,
    write_atomic,
)

__all__ = ["main"]

SUITES = {
    "samplers": "bench_samplers.py",
    "augment": "bench_augment.py",
    "losses": "bench_models.py",
    "models": "bench_models.py",
    "ablation": "bench_dmt.py",
    "speed": "bench_speed.py",
    "encoders": "bench_e5.py",
    "pretrain": "bench_pretrain.py",
    "text": "bench_text.py",
    "persistence": "bench_persistence.py",
    "baselines": "bench_baselines.py",
    "external": "bench_external.py",
    "ner": "bench_ner.py",
}
# two suites are parts of one script; a later --part from the user still wins
_SUITE_ARGS = {"losses": ["--part", "losses"], "models": ["--part", "grid"]}
_DEFAULT_OUTPUT = Path("results") / "benchmarks"


# -- demo ------------------------------------------------------------------------------
def _cmd_demo(args):
    from skmedtext._demo import run_demo

    run_demo(
        dataset=args.dataset,
        out=args.out,
        data_home=args.data_home,
        n_splits=args.folds,
        quick=args.quick,
        device=args.device,
    )


# -- benchmark -------------------------------------------------------------------------
def _benchmarks_dir():
    here = Path(__file__).resolve().parents[1] / "benchmarks"
    if here.is_dir():
        return here
    raise CommandError(
        "the benchmark scripts live in the repository's benchmarks/ folder, which this "
        "installation does not have; run from a clone (pip install -e .)."
    )


def _names_output(flag):
    # argparse accepts any unambiguous prefix, so --out is --output in every script
    name = flag.split("=", 1)[0]
    return len(name) >= 5 and "--output".startswith(name)


def _benchmark_command(suite, flags):
    """The script's command line: the user's flags unchanged, after the suite's own.

    Every script takes the same flag dialect (``benchmarks/_common.py``), so
    nothing is translated; only ``--output results/benchmarks/<suite>.md`` is
    added when the user names no output.
    """
    flags = list(flags)
    if flags[:1] == ["--"]:  # the documented "-- extra script args" separator
        flags = flags[1:]
    if not any(_names_output(flag) for flag in flags):
        flags += ["--output", str(_DEFAULT_OUTPUT / f"{suite}.md")]
    script = _benchmarks_dir() / SUITES[suite]
    return [sys.executable, str(script), *_SUITE_ARGS.get(suite, []), *flags]


def _cmd_benchmark(args):
    command = _benchmark_command(args.suite, args.flags)
    if not Path(command[1]).is_file():
        raise CommandError(f"benchmark script {command[1]} is missing.")
    print("running:", " ".join(command), flush=True)
    return subprocess.call(command)


# -- train / predict -------------------------------------------------------------------
def _cmd_train(args):
    import joblib

    from skmedtext._registry import build_pipeline

    out = check_output(args.out, {"--csv": args.csv}, force=args.force)
    frame = read_csv(args.csv, [args.text_col, args.label_col])
    frame = require_two_classes(frame, args.text_col, args.label_col, args.csv)
    pipeline = build_pipeline(
        args.model, sampler=args.sampler, encoder=args.encoder, device=args.device,
        random_state=args.random_state, verbose=1,
    )
    X = frame[args.text_col].astype(str).to_numpy(dtype=object)
    y = frame[args.label_col].to_numpy()
    print(f"training {args.model} (sampler: {args.sampler}) on {len(X)} rows", flush=True)
    pipeline.fit(X, y)
    write_atomic(out, lambda tmp: joblib.dump(pipeline, tmp))
    print(f"saved fitted pipeline to {out}")


def _cmd_predict(args):
    import joblib

    model_path = Path(args.model)
    if not model_path.is_file():
        raise CommandError(f"model file not found: {model_path}")
    out = check_output(args.out, {"--csv": args.csv, "--model": args.model}, force=args.force)
    frame = read_csv(args.csv, [args.text_col])
    texts = frame[args.text_col]
    if texts.isna().any():
        rows = texts.index[texts.isna()].tolist()[:5]
        raise CommandError(f"column {args.text_col!r} has empty cells (rows {rows}...)")
    pipeline = joblib.load(model_path)
    X = texts.astype(str).to_numpy(dtype=object)
    frame["prediction"] = pipeline.predict(X)
    if hasattr(pipeline, "predict_proba"):
        proba = pipeline.predict_proba(X)
        for k, label in enumerate(pipeline.classes_):
            frame[f"proba_{label}"] = proba[:, k]
    write_atomic(out, lambda tmp: frame.to_csv(tmp, index=False))
    print(f"wrote {len(frame)} predictions to {out}")


# -- encoders / pretrain ---------------------------------------------------------------
def _cmd_encoders_build(args):
    from skmedtext.encoders import build_encoder

    corpus = read_lines(args.corpus) if args.corpus else None
    path = build_encoder(args.name, home=args.home, corpus=corpus, overwrite=args.overwrite)
    print(path)


def _cmd_encoders_list(args):
    from skmedtext.encoders import PRESETS

    for name in sorted(PRESETS):
        print(name)


def _cmd_pretrain(args):
    from skmedtext.pretrain import pretrain_mlm

    for path in args.corpus:
        if not Path(path).is_file():
            raise CommandError(f"corpus file not found: {path}")
        if Path(args.out).exists() and os.path.samefile(path, args.out):
            raise CommandError(f"--out {args.out} is the corpus file {path}; choose another folder.")
    kwargs = dict(
        model_name_or_path=args.model_name_or_path,
        size=args.size,
        max_steps=args.max_steps,
        batch_size=args.batch_size,
        device=args.device,
        seed=args.seed,
    )
    if args.whole_word_masking:
        kwargs["whole_word_masking"] = "jieba"
    path = pretrain_mlm(list(args.corpus), args.out, **{k: v for k, v in kwargs.items() if v is not None})
    print(path)


# -- parser ----------------------------------------------------------------------------
def _parser():
    parser = argparse.ArgumentParser(
        prog="skmedtext",
        description="Imbalanced medical text classification: samplers, models, benchmarks.",
    )
    sub = parser.add_subparsers(dest="command", required=True)

    demo = sub.add_parser("demo", help="compare samplers and models on a real dataset (CPU)")
    demo.add_argument("--dataset", default="medical_abstracts",
                      choices=["medical_abstracts", "department_triage", "cardiac_shunt"])
    demo.add_argument("--out", default="results/demo")
    demo.add_argument("--data-home", default=None)
    demo.add_argument("--folds", type=int, default=5)
    demo.add_argument("--quick", action="store_true", help="a subset, for smoke tests")
    demo.add_argument("--device", default="auto")
    demo.set_defaults(func=_cmd_demo)

    # no -h here: --help goes to the script, which lists the flags it takes
    bench = sub.add_parser(
        "benchmark", add_help=False, help="run one benchmark suite from benchmarks/",
        usage="skmedtext benchmark --suite SUITE [script flags, e.g. --quick --help]",
    )  # fmt: skip
    bench.add_argument("--suite", required=True, choices=sorted(SUITES))
    bench.set_defaults(func=_cmd_benchmark, flags=[])

    from skmedtext._registry import MODELS, SAMPLERS

    train = sub.add_parser("train", help="fit a pipeline on a CSV and save it")
    train.add_argument("--csv", required=True)
    train.add_argument("--text-col", required=True)
    train.add_argument("--label-col", required=True)
    train.add_argument("--model", default="tfidf-lr", choices=sorted(MODELS))
    train.add_argument("--sampler", default="none", choices=sorted(SAMPLERS))
    train.add_argument("--encoder", default=None, help="encoder preset or folder")
    train.add_argument("--out", required=True, help="output .joblib file (never one of the inputs)")
    train.add_argument("--force", action="store_true", help="replace an existing --out file")
    train.add_argument("--device", default="auto")
    train.add_argument("--random-state", type=int, default=0)
    train.set_defaults(func=_cmd_train)

    predict = sub.add_parser("predict", help="predict a CSV with a saved pipeline")
    predict.add_argument("--model", required=True,
                         help="a .joblib file written by train (a pickle: only files you trust)")
    predict.add_argument("--csv", required=True)
    predict.add_argument("--text-col", required=True)
    predict.add_argument("--out", required=True, help="output CSV file (never one of the inputs)")
    predict.add_argument("--force", action="store_true", help="replace an existing --out file")
    predict.set_defaults(func=_cmd_predict)

    enc = sub.add_parser("encoders", help="build or list offline encoders")
    enc_sub = enc.add_subparsers(dest="encoders_command", required=True)
    build = enc_sub.add_parser("build", help="build an encoder folder into SKMEDTEXT_HOME")
    build.add_argument("name")
    build.add_argument("--corpus", nargs="*", help="text files: trim the vocabulary to them")
    build.add_argument("--home", default=None)
    build.add_argument("--overwrite", action="store_true")
    build.set_defaults(func=_cmd_encoders_build)
    listing = enc_sub.add_parser("list", help="list encoder presets")
    listing.set_defaults(func=_cmd_encoders_list)

    pre = sub.add_parser("pretrain", help="masked-LM pretraining of a domain encoder")
    pre.add_argument("--corpus", nargs="+", required=True, help="text files, one document per line")
    pre.add_argument("--out", required=True)
    pre.add_argument("--size", default=None, choices=["tiny", "small", "base"],
                     help="model size when training from scratch (default: small)")
    pre.add_argument("--model-name-or-path", default=None, help="continue from a local model")
    pre.add_argument("--max-steps", type=int, default=None)
    pre.add_argument("--batch-size", type=int, default=None)
    pre.add_argument("--whole-word-masking", action="store_true", help="jieba word masking")
    pre.add_argument("--device", default=None)
    pre.add_argument("--seed", type=int, default=None)
    pre.set_defaults(func=_cmd_pretrain)
    return parser


def main(argv=None):
    """Entry point of the ``skmedtext`` console script."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    parser = _parser()
    args, unknown = parser.parse_known_args(argv)
    if unknown and args.command != "benchmark":
        parser.error(f"unrecognized arguments: {' '.join(unknown)}")
    # benchmark flags belong to the script: passed on unchanged, in their order
    args.flags = unknown
    try:
        return args.func(args) or 0
    except CommandError as exc:
        print(f"skmedtext {args.command}: error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
