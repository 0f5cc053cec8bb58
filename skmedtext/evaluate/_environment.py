"""The one description of the machine and software that goes under every result table."""

import datetime
import os
import platform
import sys
from pathlib import Path

from skmedtext.utils import cpu_description

__all__ = ["environment"]

# The file read for the CPU model and flags; tests point it at a fixture.
_CPUINFO = Path("/proc/cpuinfo")


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
    model, bf16 = cpu_description(_CPUINFO)
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
