"""Training and inference speed of DMTBertClassifier against a plain transformers loop.

The settings run in the same process on the same random subset of Medical
Abstracts (its real length distribution), with the same encoder folder, batch size,
``max_length``, ``max_epochs`` and optimiser (AdamW, lr 2e-5):

* ``reference``: ``AutoModelForSequenceClassification`` from the MiniLM folder and a
  hand-written loop that tokenises each batch with ``padding="max_length"``, float32
  on CPU (bf16 autocast on CUDA);
* ``ours_fp32``: ``DMTBertClassifier(lambda_cooc=0, amp=False)`` with the core's
  defaults (tokenise once, dynamic padding, length bucketing);
* ``ours_bf16``: the same with ``amp=True`` (bf16 autocast, fp32 master weights);
* ``ours_bf16_k2``: bf16 and ``trainable_layers=2``: the embeddings and the bottom
  layers are frozen and their output is computed once per text (the cache is cleared
  before each fit, so building it is part of the measured fit);
* ``ours_fixed`` (on request): fp32 with the reference's padding
  (``bucket=False, pad_to_multiple_of=max_length``).

Measured per setting and repeat: training throughput of the epoch loop (samples/s;
model loading, ours' up-front tokenisation and the frozen-stack cache excluded),
**end-to-end fit throughput** (samples x epochs / wall time of the whole ``fit``:
loading, tokenising, the cache build and every epoch; the fair basis for
``trainable_layers``), inference throughput (texts/s for ``predict_proba`` / the
reference's eval loop, tokenisation included) and peak memory above the phase's
starting point (CUDA: ``torch.cuda.max_memory_allocated``; CPU: resident set size
sampled every 5 ms with psutil, or ``ru_maxrss`` without it). The settings run in a
rotated order in each repeat, and ratios to the reference are taken within a
repeat, so slow drifts of a shared machine cancel out.

Run ``python benchmarks/bench_speed.py --quick`` (CPU-sized) or without ``--quick``
for the full size (meant for a GPU); ``--device cuda`` forces the GPU.
"""

import argparse
import gc
import json
import os
import resource
import statistics
import sys
import threading
import time
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F

import _common  # benchmarks/ is on sys.path when a script runs

QUICK = {"n_texts": 48, "batch_size": 16, "max_length": 256, "epochs": 1, "repeats": 2}
FULL = {"n_texts": 2048, "batch_size": 32, "max_length": 256, "epochs": 1, "repeats": 3}
SETTINGS = ("reference", "ours_fp32", "ours_bf16", "ours_bf16_k2", "ours_fixed")
DEFAULT_SETTINGS = ("reference", "ours_fp32", "ours_bf16", "ours_bf16_k2")
LABELS = {
    "reference": "reference (HF model + torch loop, pad to max_length)",
    "ours_fp32": "DMTBertClassifier fp32 (amp=False)",
    "ours_bf16": "DMTBertClassifier bf16 (amp=True)",
    "ours_bf16_k2": "DMTBertClassifier bf16 + trainable_layers=2",
    "ours_fixed": "DMTBertClassifier fp32, pad to max_length (bucket=False)",
}
LR = 2e-5


def build_parser():
    parser = _common.make_parser(
        __doc__, datasets=("medical_abstracts",), device=True, quick_help=f"CPU-sized run {QUICK}"
    )
    parser.add_argument("--n-texts", type=int,
                        help=f"texts to train on (and as many to predict); full {FULL['n_texts']}")
    parser.add_argument("--batch-size", type=int, help=f"full {FULL['batch_size']}")
    parser.add_argument("--max-length", type=int, help=f"full {FULL['max_length']}")
    parser.add_argument("--epochs", type=int, help=f"full {FULL['epochs']}")
    parser.add_argument("--repeats", type=int, help=f"full {FULL['repeats']}")
    parser.add_argument("--settings", nargs="+", choices=SETTINGS, default=list(DEFAULT_SETTINGS),
                        help="settings to run ('reference' is always included)")
    parser.add_argument("--json", default=None, help="write the raw measurements here")
    return parser


def _fill_defaults(args):
    from skmedtext.utils import resolve_device

    for key, value in (QUICK if args.quick else FULL).items():
        if getattr(args, key) is None:
            setattr(args, key, value)
    args.settings = ["reference"] + [s for s in SETTINGS if s in args.settings and s != "reference"]
    args.device = resolve_device(args.device)
    return args


# --- measurement helpers -----------------------------------------------------------------


def _sync(device):
    if device.startswith("cuda"):
        torch.cuda.synchronize(device)


def _release_free_heap():
    """Hand freed heap pages back to the OS (glibc ``malloc_trim``) so that the RSS at
    the start of a phase does not already hold the previous phase's peak."""
    try:
        import ctypes

        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):  # not glibc: the RSS deltas are lower bounds
        pass


class PeakMemory:
    """Peak memory of a ``with`` block above its starting point, in MiB."""

    def __init__(self, device, interval=0.005):
        self.device = device
        self.interval = interval
        self.mib = float("nan")

    def __enter__(self):
        gc.collect()
        _release_free_heap()
        if self.device.startswith("cuda"):
            torch.cuda.synchronize(self.device)
            torch.cuda.reset_peak_memory_stats(self.device)
            self._base = torch.cuda.memory_allocated(self.device)
            return self
        try:
            import psutil
        except ImportError:  # ru_maxrss is a lifetime maximum: a lower bound only
            self._process = None
            self._base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
            return self
        self._process = psutil.Process()
        self._base = self._peak = self._process.memory_info().rss
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()
        return self

    def _sample(self):
        while not self._stop.is_set():
            self._peak = max(self._peak, self._process.memory_info().rss)
            self._stop.wait(self.interval)

    def __exit__(self, *exc):
        if self.device.startswith("cuda"):
            torch.cuda.synchronize(self.device)
            peak = torch.cuda.max_memory_allocated(self.device)
        elif self._process is None:
            peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
        else:
            self._stop.set()
            self._thread.join()
            peak = max(self._peak, self._process.memory_info().rss)
        self.mib = (peak - self._base) / 2**20
        return False


class Timer:
    def __init__(self, device):
        self.device = device

    def __enter__(self):
        _sync(self.device)
        self._wall, self._cpu = time.perf_counter(), time.process_time()
        return self

    def __exit__(self, *exc):
        _sync(self.device)
        self.wall = time.perf_counter() - self._wall
        self.cpu = time.process_time() - self._cpu
        return False


def _autocast(device):
    """bf16 autocast on CUDA (what DMTBertClassifier's amp='auto' does); off on CPU."""
    enabled = device.startswith("cuda") and torch.cuda.is_bf16_supported()
    return torch.autocast(device_type="cuda" if device.startswith("cuda") else "cpu", dtype=torch.bfloat16, enabled=enabled)


# --- the plain reference -------------------------------------------------------------------


def reference_fit(path, texts, y, n_classes, args, seed):
    """Load the HF classification model and train it with a hand-written loop."""
    from transformers import AutoModelForSequenceClassification, AutoTokenizer

    torch.manual_seed(seed)
    device = args.device
    tokenizer = AutoTokenizer.from_pretrained(path, local_files_only=True)
    model = AutoModelForSequenceClassification.from_pretrained(
        path, num_labels=n_classes, local_files_only=True
    ).to(device)
    optimizer = torch.optim.AdamW(model.parameters(), lr=LR, weight_decay=0.01)
    targets = torch.as_tensor(y, dtype=torch.long)
    model.train()
    with Timer(device) as loop:
        for _ in range(args.epochs):
            order = torch.randperm(len(texts)).tolist()
            for start in range(0, len(texts), args.batch_size):
                index = order[start : start + args.batch_size]
                batch = tokenizer(
                    [texts[i] for i in index],
                    padding="max_length",
                    truncation=True,
                    max_length=args.max_length,
                    return_tensors="pt",
                ).to(device)
                with _autocast(device):
                    logits = model(**batch).logits
                loss = F.cross_entropy(logits.float(), targets[index].to(device))
                loss.backward()
                optimizer.step()
                optimizer.zero_grad(set_to_none=True)
    return (model, tokenizer), loop


def reference_predict(fitted, texts, args):
    model, tokenizer = fitted
    model.eval()
    out = []
    with torch.inference_mode(), _autocast(args.device):
        for start in range(0, len(texts), args.batch_size):
            batch = tokenizer(
                list(texts[start : start + args.batch_size]),
                padding="max_length",
                truncation=True,
                max_length=args.max_length,
                return_tensors="pt",
            ).to(args.device)
            out.append(torch.softmax(model(**batch).logits.float(), dim=-1).cpu())
    return torch.cat(out).numpy()


# --- ours -----------------------------------------------------------------------------------


def _cpu_epoch_timer():
    """A skorch callback recording each epoch's process CPU time as ``cpu_dur``
    (skorch's own EpochTimer records only wall time)."""
    from skorch.callbacks import Callback

    class CpuEpochTimer(Callback):
        def on_epoch_begin(self, net, **kwargs):
            self.start_ = time.process_time()

        def on_epoch_end(self, net, **kwargs):
            net.history.record("cpu_dur", time.process_time() - self.start_)

    return ("cpu_epoch_timer", CpuEpochTimer())


def ours_classifier(setting, args, seed):
    from skmedtext.models import DMTBertClassifier

    fixed = setting == "ours_fixed"
    bf16 = setting.startswith("ours_bf16")
    return DMTBertClassifier(
        "minilm-en",
        max_length=args.max_length,
        batch_size=args.batch_size,
        max_epochs=args.epochs,
        lr=LR,
        lambda_cooc=0.0,
        criterion="ce",
        bucket=not fixed,
        pad_to_multiple_of=args.max_length if fixed else 8,
        trainable_layers=2 if setting == "ours_bf16_k2" else None,
        amp=bf16,
        device=args.device,
        random_state=seed,
        callbacks=[_cpu_epoch_timer()],
    )


def ours_fit(setting, texts, y, args, seed):
    from skmedtext.encoders import clear_frozen_stack_cache

    clear_frozen_stack_cache()  # every fit pays for its cache: no repeat starts warm
    clf = ours_classifier(setting, args, seed)
    clf.fit(texts, y)
    # skorch's EpochTimer: wall time of each epoch's training loop (the encoder
    # load and the up-front tokenisation of fit() are outside it)
    loop = Timer(args.device)
    loop.wall = float(sum(clf.history_[:, "dur"]))
    loop.cpu = float(sum(clf.history_[:, "cpu_dur"]))
    return clf, loop


# --- one measurement ------------------------------------------------------------------------


def run_setting(setting, path, data, args, seed):
    train_x, train_y, test_x, n_classes = data
    device = args.device
    gc.collect()
    with PeakMemory(device) as train_mem, Timer(device) as fit_time:
        if setting == "reference":
            fitted, loop = reference_fit(path, list(train_x), train_y, n_classes, args, seed)
        else:
            fitted, loop = ours_fit(setting, train_x, train_y, args, seed)
    with PeakMemory(device) as infer_mem, Timer(device) as infer_time:
        if setting == "reference":
            proba = reference_predict(fitted, test_x, args)
        else:
            proba = fitted.predict_proba(test_x)
    assert proba.shape[0] == len(test_x) and np.isfinite(proba).all()
    n_train = len(train_x) * args.epochs
    result = {
        "setting": setting,
        "train_samples_per_s": n_train / loop.wall,
        "train_samples_per_cpu_s": n_train / loop.cpu,
        "fit_wall_s": fit_time.wall,
        "fit_samples_per_s": n_train / fit_time.wall,
        "fit_samples_per_cpu_s": n_train / fit_time.cpu,
        "infer_texts_per_s": len(test_x) / infer_time.wall,
        "infer_texts_per_cpu_s": len(test_x) / infer_time.cpu,
        "train_peak_mib": train_mem.mib,
        "infer_peak_mib": infer_mem.mib,
    }
    del fitted
    if device.startswith("cuda"):
        torch.cuda.empty_cache()
    return result


def warm_up(path, data, args):
    """One short pass of each system so lazy imports, thread pools, the CUDA context and
    kernel choices are paid before anything is timed."""
    train_x, train_y, test_x, n_classes = data
    small = argparse.Namespace(**{**vars(args), "epochs": 1})
    k = min(len(train_x), args.batch_size)
    # a batch holding every class, so ours' fit validation passes
    index = np.unique(np.concatenate([np.unique(train_y, return_index=True)[1], np.arange(k)]))
    x, y = train_x[index], train_y[index]
    fitted, _ = reference_fit(path, list(x), y, n_classes, small, args.random_state)
    reference_predict(fitted, test_x[:k], small)
    for setting in args.settings[1:]:
        clf, _ = ours_fit(setting, x, y, small, args.random_state)
        clf.predict_proba(test_x[:k])


# --- data, environment, report ------------------------------------------------------------


def load_data(args):
    X, target, _ = _common.load_dataset("medical_abstracts", data_home=args.data_home)
    rng = np.random.RandomState(args.random_state)
    n = min(args.n_texts, len(X) // 2)
    order = rng.permutation(len(X))
    train, test = order[:n], order[n : 2 * n]
    classes, y = np.unique(target, return_inverse=True)
    return X[train], y[train], X[test], classes.size


def token_lengths(path, texts, max_length):
    from transformers import AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(path, local_files_only=True)
    lengths = np.array([len(ids) for ids in tokenizer(list(texts), truncation=True, max_length=max_length)["input_ids"]])
    return lengths


def _mean_std(values, fmt="{:.1f}"):
    values = [v for v in values if np.isfinite(v)]
    if not values:
        return "n/a"
    if len(values) == 1:  # one repeat: no spread to report
        return fmt.format(values[0])
    return f"{fmt.format(statistics.mean(values))} ± {fmt.format(statistics.stdev(values))}"


def report(results, env, args, lengths):
    by = {s: [r for r in results if r["setting"] == s] for s in args.settings}
    ref = by["reference"]

    def ratios(setting, key):
        return [o[key] / r[key] for o, r in zip(by[setting], ref)]

    lines = [
        f"Medical Abstracts, {args.n_texts} training + {args.n_texts} prediction texts, "
        f"max_length {args.max_length}, batch size {args.batch_size}, {args.epochs} epoch(s), "
        f"{args.repeats} repeat(s), device `{args.device}`"
        + (f" ({env['gpu']})" if env["gpu"] else "")
        + ".",
        f"Token lengths after truncation: mean {lengths.mean():.0f}, median {np.median(lengths):.0f}, "
        f"{(lengths >= args.max_length).mean():.0%} at max_length (so at most "
        f"{args.max_length / lengths.mean():.2f}x less padded work from dynamic padding).",
        f"CPU: {env.get('cpu')}, bf16 flags: {', '.join(env.get('cpu_bf16') or []) or 'none'}.",
        "",
        "| setting | train samples/s (epoch loop) | × ref | × ref (CPU time) "
        "| fit samples/s (end-to-end) | × ref | × ref (CPU time) | inference texts/s | × ref "
        "| × ref (CPU time) | fit end-to-end (s) | peak memory train (MiB) | "
        "peak memory inference (MiB) |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for setting in args.settings:
        rows = by[setting]
        is_ref = setting == "reference"
        cells = [LABELS[setting]]
        for key in ("train_samples_per_s", "fit_samples_per_s", "infer_texts_per_s"):
            cpu_key = key.replace("_per_s", "_per_cpu_s")
            cells.append(_mean_std([r[key] for r in rows], "{:.2f}"))
            cells.append("1" if is_ref else _mean_std(ratios(setting, key), "{:.2f}"))
            cells.append("1" if is_ref else _mean_std(ratios(setting, cpu_key), "{:.2f}"))
        cells.append(_mean_std([r["fit_wall_s"] for r in rows]))
        cells.append(_mean_std([r["train_peak_mib"] for r in rows], "{:.0f}"))
        cells.append(_mean_std([r["infer_peak_mib"] for r in rows], "{:.0f}"))
        lines.append("| " + " | ".join(cells) + " |")
    load = env["load_average"], env.get("load_average_end")
    lines += [
        "",
        "Mean ± standard deviation over repeats; ratios are taken within each repeat. "
        "Train samples/s is the epoch loop only (wall clock); 'fit samples/s (end-to-end)' "
        "divides samples x epochs by the whole fit: loading the encoder, ours' up-front "
        "tokenisation and, with trainable_layers, building the frozen-stack cache (cleared "
        "before every fit). '× ref (CPU time)' compares "
        "samples per second of process CPU time, which other processes on a shared "
        "machine disturb much less than wall-clock time.",
    ]
    if all(load):
        lines += ["", f"Load average at start / end: {load[0][0]:.1f} / {load[1][0]:.1f}."]
    return "\n".join(lines)


def run(args):
    from transformers.utils import logging as hf_logging

    from skmedtext.encoders import resolve_encoder

    hf_logging.set_verbosity_error()
    hf_logging.disable_progress_bar()
    _fill_defaults(args)
    path = resolve_encoder("minilm-en").path
    env = _common.environment(versions=("transformers", "tokenizers", "skorch"))
    env["device"] = args.device
    data = load_data(args)
    lengths = token_lengths(path, data[0], args.max_length)
    print(f"# warming up on {args.device} ...", file=sys.stderr, flush=True)
    warm_up(path, data, args)
    results = []
    for repeat in range(args.repeats):
        # rotate the order so that no setting always runs first or last
        shift = repeat % len(args.settings)
        order = args.settings[shift:] + args.settings[:shift]
        for setting in order:
            t = time.perf_counter()
            result = run_setting(setting, path, data, args, args.random_state + repeat)
            result["repeat"] = repeat
            results.append(result)
            print(
                f"# repeat {repeat} {setting}: {result['train_samples_per_s']:.2f} samples/s train, "
                f"{result['infer_texts_per_s']:.2f} texts/s inference ({time.perf_counter() - t:.0f} s)",
                file=sys.stderr,
                flush=True,
            )
    results.sort(key=lambda r: (args.settings.index(r["setting"]), r["repeat"]))
    env["load_average_end"] = os.getloadavg()
    if args.json:
        raw = {"env": env, "args": {k: str(v) for k, v in vars(args).items()}, "results": results}
        Path(args.json).write_text(json.dumps(raw, indent=1))
    return report(results, env, args, lengths)


def main(argv=None):
    return _common.main(
        build_parser(), run, argv, versions=("transformers", "tokenizers", "skorch")
    )


if __name__ == "__main__":
    sys.exit(main())
