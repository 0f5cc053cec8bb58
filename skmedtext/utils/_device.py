"""Where torch work runs: the device and whether bf16 autocast is on."""

import functools
import platform
from pathlib import Path

__all__ = ["cpu_description", "cpu_has_bf16", "resolve_bf16", "resolve_device"]

#: CPU flags that mean bfloat16 matrix arithmetic in hardware (AVX-512 BF16, AMX
#: tiles); torch's CPU autocast to bf16 is only faster than fp32 with one of them.
BF16_CPU_FLAGS = ("avx512_bf16", "amx_bf16")
_CPUINFO = Path("/proc/cpuinfo")


def resolve_device(device):
    """Map ``"auto"``/``None`` to ``"cuda"`` when available else ``"cpu"``; check the rest."""
    import torch

    if device in (None, "auto"):
        return "cuda" if torch.cuda.is_available() else "cpu"
    device = str(device)
    if device.startswith("cuda") and not torch.cuda.is_available():
        raise ValueError(f"device={device!r} was requested but CUDA is not available here.")
    if not (device == "cpu" or device.startswith("cuda") or device == "mps"):
        raise ValueError(f"device must be 'auto', 'cpu', 'cuda[:N]' or 'mps'; got {device!r}.")
    return device


def _cpuinfo_fields(path):
    """``(model name, set of flags)`` of the first processor in a cpuinfo file, or None."""
    try:
        lines = Path(path).read_text(encoding="utf-8", errors="replace").splitlines()
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


def cpu_description(cpuinfo=None):
    """The CPU model name and the bf16 flags it has.

    Parameters
    ----------
    cpuinfo : path-like, default=None
        The file to read; None reads ``/proc/cpuinfo``.

    Returns
    -------
    model : str
        From the cpuinfo file (Linux), else what :mod:`platform` knows.
    bf16_flags : list of str or None
        The bf16 flags the CPU reports (``avx512_bf16``, ``amx_bf16``) (empty when it
        has none); None where the flags cannot be read (not Linux).

    Examples
    --------
    >>> from skmedtext.utils import cpu_description
    >>> model, flags = cpu_description()
    >>> isinstance(model, str)
    True
    """
    fields = _cpuinfo_fields(_CPUINFO if cpuinfo is None else cpuinfo)
    model, flags = fields if fields is not None else (None, None)
    model = model or platform.processor() or platform.machine() or "unknown CPU"
    bf16 = None if flags is None else [flag for flag in BF16_CPU_FLAGS if flag in flags]
    return model, bf16


def _torch_reports_bf16():
    """Ask torch's own CPU feature probe (private names, hence the guard)."""
    import torch

    probes = [getattr(torch.cpu, name, None) for name in ("_is_amx_tile_supported",
                                                          "_is_avx512_bf16_supported")]
    probes = [probe for probe in probes if probe is not None]
    if not probes:
        return None
    try:
        return any(probe() for probe in probes)
    except Exception:  # a probe that fails means "cannot tell", not "no"
        return None


@functools.lru_cache(maxsize=1)
def cpu_has_bf16():
    """Whether this CPU has bf16 matrix units (AMX or AVX-512 BF16).

    The flags come from ``/proc/cpuinfo``; where it cannot be read (not Linux),
    torch's own CPU feature probe answers. The answer is cached: the CPU does
    not change while the process runs.

    Returns
    -------
    has_bf16 : bool

    Examples
    --------
    >>> from skmedtext.utils import cpu_has_bf16
    >>> isinstance(cpu_has_bf16(), bool)
    True
    """
    flags = cpu_description()[1]
    if flags is not None:
        return bool(flags)
    return bool(_torch_reports_bf16())


def resolve_bf16(setting, device, *, name="amp"):
    """Whether to run under bf16 autocast: the one resolver for training, embedding and MLM.

    Parameters
    ----------
    setting : {"auto", True, False}
        ``"auto"`` enables bf16 on CUDA devices that support it and on CPUs
        with bf16 matrix units (:func:`cpu_has_bf16`), where bf16 autocast is
        several times faster than fp32; elsewhere (a CPU without them, MPS)
        it stays off, as emulated bf16 is slower than fp32. ``True`` forces
        it, on CPU too; ``False`` disables it.
    device : str or torch.device
        A resolved device (:func:`resolve_device`).
    name : str, default="amp"
        The caller's parameter name, used in the error message.

    Returns
    -------
    enabled : bool

    Examples
    --------
    >>> from skmedtext.utils import cpu_has_bf16, resolve_bf16
    >>> resolve_bf16("auto", "cpu") == cpu_has_bf16()
    True
    >>> resolve_bf16(True, "cpu")
    True
    """
    if setting not in ("auto", True, False):
        raise ValueError(f"{name} must be 'auto', True or False; got {setting!r}.")
    device = str(device)
    if setting != "auto":
        if setting and device.startswith("mps"):
            raise ValueError(f"{name}=True (bf16 autocast) is not offered on MPS; use 'cpu' or 'cuda'.")
        return bool(setting)
    if device.startswith("cuda"):
        import torch

        return torch.cuda.is_bf16_supported()
    return device == "cpu" and cpu_has_bf16()
