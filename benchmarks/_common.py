"""Plumbing shared by the benchmark scripts: one flag dialect, one environment, one ``main``.

Every script builds its parser with :func:`make_parser` (``--quick``, ``--output``,
``--random-state``, ``--data-home`` and, where they apply, ``--datasets``,
``--n-splits``, ``--device`` / ``--threads``), adds its own options, and hands it
with its ``run(args) -> markdown`` to :func:`main`, which appends the wall time,
the reproducing command and the machine to the table, prints it and writes it
to ``--output``. ``skmedtext benchmark --suite NAME ...`` passes its flags to the
script unchanged, so the same flags work in both places.
"""

import argparse
import os
import sys
import time
from pathlib import Path

import numpy as np

# Set before any script imports transformers: benchmarks run offline.
for _key, _value in (
    ("HF_HUB_OFFLINE", "1"),
    ("TRANSFORMERS_OFFLINE", "1"),
    ("TOKENIZERS_PARALLELISM", "false"),
):
    os.environ.setdefault(_key, _value)

DATASETS = ("medical_abstracts", "department_triage", "cardiac_shunt")


# -- arguments ----------------------------------------------------------------------------
class _DatasetsAction(argparse.Action):
    """``--datasets`` with a clear refusal where a script reproduces one fixed table.

    The accepted names live in ``allowed``, not ``choices``: argparse would check
    ``choices`` first and answer with its generic message.
    """

    allowed = DATASETS

    def __call__(self, parser, namespace, values, option_string=None):
        bad = [v for v in values if v not in self.allowed]
        if len(self.allowed) == 1 and bad:
            parser.error(
                f"this benchmark reproduces a table on {self.allowed[0]} only; "
                f"got --datasets {' '.join(bad)}"
            )
        if bad:
            parser.error(f"--datasets: unknown {bad}; choose from {list(self.allowed)}")
        setattr(namespace, self.dest, list(values))


def make_parser(
    doc,
    *,
    datasets=None,
    default_datasets=None,
    n_splits=None,
    quick_n_splits=3,
    device=False,
    threads=None,
    quick_help="CPU size",
):
    """The argument parser every benchmark script starts from.

    Parameters
    ----------
    doc : str
        The script's docstring; its first line is the description.
    datasets : tuple of str, optional
        Accepted ``--datasets`` values; ``None`` leaves the option out.
    default_datasets : sequence of str, optional
        Default of ``--datasets`` (all of ``datasets`` when omitted).
    n_splits : int, optional
        Default number of folds of ``--n-splits``; ``None`` leaves it out.
    quick_n_splits : int, default=3
        The folds under ``--quick`` when ``--n-splits`` is not given.
    device : bool, default=False
        Whether to add ``--device`` (``auto``, ``cpu``, ``cuda[:N]``).
    threads : bool, optional
        Whether to add ``--threads`` (torch CPU threads, set by :func:`main`);
        defaults to ``device``.
    quick_help : str
        What ``--quick`` does in this script.
    """
    parser = argparse.ArgumentParser(description=doc.strip().split("\n")[0])
    parser.add_argument("--quick", action="store_true", help=quick_help)
    parser.add_argument("--output", type=Path, default=None, help="also write the Markdown here")
    parser.add_argument(
        "--random-state", type=int, default=0, help="seed of folds, subsets and models (0)"
    )
    parser.add_argument("--data-home", default=None, help="folder holding the datasets")
    if datasets is not None:
        action = type("DatasetsAction", (_DatasetsAction,), {"allowed": tuple(datasets)})
        parser.add_argument(
            "--datasets", nargs="+", action=action, default=list(default_datasets or datasets),
            metavar="DATASET", help=f"one or more of {', '.join(datasets)}",
        )  # fmt: skip
    if n_splits is not None:
        parser.add_argument(
            "--n-splits", type=int, default=None,
            help=f"cross-validation folds (default {n_splits}; {quick_n_splits} with --quick)",
        )  # fmt: skip
        parser.set_defaults(_folds=(n_splits, quick_n_splits))
    if device:
        parser.add_argument("--device", default="auto", help="auto, cpu or cuda[:N]")
    if device if threads is None else threads:
        parser.add_argument("--threads", type=int, default=1, help="torch CPU threads")
    return parser


def parse_args(parser, argv=None):
    """Parse, then resolve the defaults that depend on ``--quick``."""
    args = parser.parse_args(argv)
    folds = vars(args).pop("_folds", None)
    if folds is not None and args.n_splits is None:
        args.n_splits = folds[1] if args.quick else folds[0]
    return args


# -- data ---------------------------------------------------------------------------------
def load_dataset(name, *, data_home=None, cap=None, n_max=None, random_state=0):
    """One of the bundled datasets as ``(X, y, target_names)``, optionally subsampled.

    Parameters
    ----------
    name : str
        ``medical_abstracts``, ``department_triage`` or ``cardiac_shunt``.
    data_home : str, optional
        Passed to the loader.
    cap : int, optional
        At most this many texts per class (rare classes stay whole), in the
        original order.
    n_max : int, optional
        A stratified subset of this size (``train_test_split``).
    random_state : int, default=0
        Seed of the subset.
    """
    from skmedtext import datasets

    bunch = getattr(datasets, f"load_{name}")(data_home=data_home)
    X, y = np.asarray(bunch.data, dtype=object), np.asarray(bunch.target)
    if cap:
        rng = np.random.RandomState(random_state)
        keep = np.concatenate(
            [rng.permutation(np.flatnonzero(y == c))[:cap] for c in np.unique(y)]
        )
        keep.sort()
        X, y = X[keep], y[keep]
    if n_max and n_max < len(X):
        from sklearn.model_selection import train_test_split

        X, _, y, _ = train_test_split(
            X, y, train_size=n_max, stratify=y, random_state=random_state
        )
    return X, y, list(bunch.target_names)


# -- environment and output -----------------------------------------------------------------
def reproduce_command():
    """The command line that reproduces this run, with the thread setting it ran under."""
    command = " ".join(["python", f"benchmarks/{Path(sys.argv[0]).name}", *sys.argv[1:]])
    threads = os.environ.get("OMP_NUM_THREADS", "(unset)")
    return f"OMP_NUM_THREADS={threads} {command}"


def environment(versions=()):
    """:func:`skmedtext.evaluate.environment` plus what a benchmark footer shows.

    Adds ``load_average`` and ``command``, and the versions of the distributions
    named in ``versions``.
    """
    from importlib.metadata import PackageNotFoundError, version

    from skmedtext.evaluate import environment as base_environment

    env = base_environment()
    env["load_average"] = os.getloadavg() if hasattr(os, "getloadavg") else None
    env["command"] = reproduce_command()
    for name in versions:
        try:
            env["versions"][name] = version(name)
        except PackageNotFoundError:
            env["versions"][name] = "not installed"
    return env


def footer(env):
    """The Markdown lines under every table: command, machine, versions."""
    threads = env.get("torch_threads")
    threads = f", torch threads {threads}" if threads else ""
    load = env["load_average"]
    load = f", load average {load[0]:.1f}" if load else ""
    return (
        f"Command: `{env['command']}`\n\n"
        f"Date {env['date']}; {env.get('cpu', 'CPU')}, {env['cpu_count']} logical CPUs"
        f"{threads}{load}; "
        f"GPU: {env['gpu'] or 'none'}; {env['platform']}; Python {env['python']}; "
        + ", ".join(f"{k} {v}" for k, v in env["versions"].items())
        + "."
    )


def publish(markdown, output):
    """Print the report and, with ``--output``, write it; returns the exit status 0."""
    print("\n" + markdown)
    if output:
        output = Path(output)
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_text(markdown + "\n", encoding="utf-8")
    return 0


def main(parser, run, argv=None, *, versions=()):
    """Parse, run, add the footer, publish.

    ``run(args)`` returns the report's Markdown, or ``(markdown, status)``, or an
    int exit status when there is nothing to publish (e.g. a run stopped by a
    time budget, to be resumed).
    """
    args = parse_args(parser, argv)
    if getattr(args, "threads", None):
        import torch

        torch.set_num_threads(args.threads)
    start = time.perf_counter()
    out = run(args)
    status = 0
    if isinstance(out, tuple):
        out, status = out
    if isinstance(out, int):
        return out
    wall = time.perf_counter() - start
    publish(f"{out.rstrip()}\n\nWall time {wall:.0f} s.\n\n{footer(environment(versions))}",
            args.output)  # fmt: skip
    return status
