"""Size and speed of saving a fitted DMT-BERT: skmedtext.persistence vs pickle vs joblib.

The table of ``docs/persistence.md``. Fits
``DMTBertClassifier(max_length=32, max_epochs=1, batch_size=16, random_state=0,
device="cpu")`` (MiniLM-L6 encoder, 22.7M parameters) on the first 32 Medical
Abstracts, then saves and reloads it ``--repeats`` times in each format, to a
file or folder in a temporary directory:

* ``skmedtext.persistence``: :func:`~skmedtext.persistence.save_model` /
  :func:`~skmedtext.persistence.load_model` (JSON + safetensors + tokenizer files);
* ``pickle``: ``pickle.dump`` / ``pickle.load`` on an open file (highest protocol);
* ``joblib``: ``joblib.dump`` / ``joblib.load`` (no compression).

Reported: the size on disk (MB = 10^6 bytes; all files of the folder), the
process CPU time (``time.process_time``) and the wall time of one save and one
load, mean ± std over the repeats, and whether ``predict_proba`` of every
reloaded model equals the original bit for bit on the 32 training abstracts and
the next 32.

Usage::

    OMP_NUM_THREADS=1 python benchmarks/bench_persistence.py --output persistence.md
    skmedtext benchmark --suite persistence               # the same, via the CLI
    python benchmarks/bench_persistence.py --quick        # one repeat

About a minute on 2 CPU cores (the fit is one epoch over 32 short texts).
"""

import pickle
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

import _common  # benchmarks/ is on sys.path when a script runs

N_TRAIN = 32


def fit_model(data_home=None, seed=0):
    from skmedtext.models import DMTBertClassifier

    X, y, _ = _common.load_dataset("medical_abstracts", data_home=data_home)
    model = DMTBertClassifier(max_length=32, max_epochs=1, batch_size=16, random_state=seed,
                              device="cpu")  # fmt: skip
    model.fit(X[:N_TRAIN], y[:N_TRAIN])
    return model, X[: 2 * N_TRAIN]


def _size(path):
    path = Path(path)
    if path.is_file():
        return path.stat().st_size
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def _formats():
    """name -> (save(model, path), load(path), file name)."""
    import joblib

    from skmedtext.persistence import load_model, save_model

    def pickle_save(model, path):
        with open(path, "wb") as handle:
            pickle.dump(model, handle, protocol=pickle.HIGHEST_PROTOCOL)

    def pickle_load(path):
        with open(path, "rb") as handle:
            return pickle.load(handle)  # noqa: S301 - our own file, written just above

    return {
        "skmedtext.persistence": (lambda m, p: save_model(m, p), load_model, "model"),
        "pickle": (pickle_save, pickle_load, "model.pkl"),
        "joblib": (lambda m, p: joblib.dump(m, p), joblib.load, "model.joblib"),
    }


def _timed(func, *args):
    cpu, wall = time.process_time(), time.perf_counter()
    out = func(*args)
    return out, time.process_time() - cpu, time.perf_counter() - wall


def measure(model, X, repeats):
    reference = model.predict_proba(X)
    rows = {}
    for name, (save, load, filename) in _formats().items():
        times = {"save_cpu": [], "save_wall": [], "load_cpu": [], "load_wall": []}
        identical, size = True, None
        for k in range(repeats):
            with tempfile.TemporaryDirectory(prefix="bench_persistence_") as tmp:
                path = Path(tmp) / filename
                _, cpu, wall = _timed(save, model, path)
                times["save_cpu"].append(cpu)
                times["save_wall"].append(wall)
                size = _size(path)
                loaded, cpu, wall = _timed(load, path)
                times["load_cpu"].append(cpu)
                times["load_wall"].append(wall)
                identical &= bool(np.array_equal(loaded.predict_proba(X), reference))
                del loaded
            print(f"{name} repeat {k + 1}/{repeats}: {size / 1e6:.1f} MB", flush=True)
        rows[name] = (size, times, identical)
    return rows


def _cell(values):
    if len(values) == 1:
        return f"{values[0]:.2f}"
    return f"{np.mean(values):.2f} ± {np.std(values, ddof=1):.2f}"


def run(args):
    start = time.perf_counter()
    model, X = fit_model(args.data_home, args.random_state)
    n_params = sum(p.numel() for p in model.net_.module_.parameters())
    print(f"fitted DMTBertClassifier ({n_params / 1e6:.1f}M parameters) "
          f"in {time.perf_counter() - start:.0f} s", flush=True)  # fmt: skip
    repeats = args.repeats or (1 if args.quick else 3)
    rows = measure(model, X, repeats)
    lines = [
        "| format | size (MB) | save CPU s | load CPU s | save wall s | load wall s "
        "| `predict_proba` identical |",
        "|---|---:|---:|---:|---:|---:|---|",
    ]
    for name, (size, t, identical) in rows.items():
        lines.append(
            f"| {name} | {size / 1e6:.1f} | {_cell(t['save_cpu'])} | {_cell(t['load_cpu'])} "
            f"| {_cell(t['save_wall'])} | {_cell(t['load_wall'])} "
            f"| {'yes' if identical else 'NO'} |"
        )
    return (
        "\n".join(lines)
        + f"\n\nDMTBertClassifier on MiniLM-L6 ({n_params / 1e6:.1f}M parameters), fitted for one "
        f"epoch on {N_TRAIN} Medical Abstracts; {repeats} save/load repeat(s) per format, "
        "mean ± std; `predict_proba` compared bit for bit on "
        f"{len(X)} abstracts; no GPU used (device=\"cpu\")."
    )


def build_parser():
    parser = _common.make_parser(
        __doc__, datasets=("medical_abstracts",), threads=True, quick_help="one repeat per format"
    )
    parser.add_argument("--repeats", type=int, default=None,
                        help="save/load repeats per format (default 3; 1 with --quick)")
    return parser


def main(argv=None):
    return _common.main(build_parser(), run, argv, versions=("skorch", "safetensors"))


if __name__ == "__main__":
    sys.exit(main())
