"""The one description of the machine and software that goes under every result table."""

import datetime
import os
import platform
import sys
from pathlib import Path

__all__ = ["environment"]

# CPU flags that mean bfloat16 arithmetic in hardware (AVX-512 BF16, AMX tiles);
# torch's CPU autocast to bf16 is only faster than fp32 with one of them.
BF16_CPU_FLAGS = ("avx512_bf16", "amx_bf16")
_CPUINFO = Path("/proc/cpuinfo")


def _cpuinfo_fields():
    """``(model name, set of flags)`` of the first processor in /proc/cpuinfo, or None."""
    try:
        lines = _CPUINFO.read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return None
    model, flags = None, set()
    for line in lines:
        key, _, value = line.partition(":")
        key = key.strip()
        if key == "model name" and model is None:
            model = value.strip()
        elif key in ("flags", "Features") and not flags:
            flags = set(value.split())
    return model, flags


def cpu_description():
    """The CPU model name and the bf16 flags it has.

    Returns
    -------
    model : str
        From ``/proc/cpuinfo`` (Linux), else what :mod:`platform` knows.
    bf16_flags : list of str or None
        The members of :data:`BF16_CPU_FLAGS` the CPU reports (empty when it
        has none); None where the flags cannot be read (not Linux).
    """
    fields = _cpuinfo_fields()
    model, flags = fields if fields is not None else (None, None)
    model = model or platform.processor() or platform.machine() or "unknown CPU"
    bf16 = None if flags is None else [flag for flag in BF16_CPU_FLAGS if flag in flags]
    return model, bf16


def environment():
    """Return the date, machine and package versions to print with a result table.

    This is the one environment record of skmedtext: :func:`evaluate` stores it in
    :attr:`EvaluationResult.metadata` and the benchmark scripts print it.

    Returns
    -------
    info : dict
        ``date`` (ISO, local time), ``python``, ``platform``, ``cpu`` (model
        name), ``cpu_count``, ``cpu_bf16`` (the bf16 instruction flags of the
        CPU, ``avx512_bf16`` / ``amx_bf16``: an empty list when it has neither,
        None when unknown), ``torch_threads`` (None unless torch is imported),
        ``gpu`` (the CUDA device name when torch is already imported and sees
        one, else None) and ``versions`` of skmedtext, numpy, scikit-learn,
        imbalanced-learn and (when imported) torch and transformers.

    Examples
    --------
    >>> from skmedtext.evaluate import environment
    >>> info = environment()
    >>> sorted(k for k in info if k.startswith("cpu"))
    ['cpu', 'cpu_bf16', 'cpu_count']
    """
    import imblearn
    import numpy as np
    import sklearn

    import skmedtext

    versions = {
        "skmedtext": skmedtext.__version__,
        "numpy": np.__version__,
        "scikit-learn": sklearn.__version__,
        "imbalanced-learn": imblearn.__version__,
    }
    for module in ("torch", "transformers"):
        # Only report what the pipelines actually loaded; importing torch here
        # would cost seconds for TF-IDF-only evaluations.
        if module in sys.modules:
            versions[module] = sys.modules[module].__version__
    torch = sys.modules.get("torch")
    gpu = torch.cuda.get_device_name(0) if torch and torch.cuda.is_available() else None
    model, bf16 = cpu_description()
    return {
        "date": datetime.datetime.now().astimezone().isoformat(timespec="seconds"),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "cpu": model,
        "cpu_count": os.cpu_count(),
        "cpu_bf16": bf16,
        "torch_threads": torch.get_num_threads() if torch else None,
        "gpu": gpu,
        "versions": versions,
    }
