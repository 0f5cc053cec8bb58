"""Plumbing shared by the benchmark scripts: the reproducing command and the output."""

import os
import sys
from pathlib import Path


def reproduce_command():
    """The command line that reproduces this run, as a Markdown sentence."""
    command = " ".join(["python", f"benchmarks/{Path(sys.argv[0]).name}", *sys.argv[1:]])
    threads = os.environ.get("OMP_NUM_THREADS", "(unset)")
    return f"Command: `OMP_NUM_THREADS={threads} {command}`"


def add_output_argument(parser):
    parser.add_argument("--output", type=Path, default=None, help="also write the Markdown here")


def add_folds_argument(parser):
    parser.add_argument(
        "--n-splits", type=int, default=None, help="folds (default 5; 3 with --quick)"
    )


def resolve_folds(args):
    if args.n_splits is None:
        args.n_splits = 3 if args.quick else 5
    return args


def publish(markdown, output):
    """Print the table and, with ``--output``, write it; returns the exit status 0."""
    print("\n" + markdown)
    if output:
        output = Path(output)
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_text(markdown + "\n", encoding="utf-8")
    return 0
