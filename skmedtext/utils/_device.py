"""Where torch work runs: the device and whether bf16 autocast is on."""

__all__ = ["resolve_bf16", "resolve_device"]


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


def resolve_bf16(setting, device, *, name="amp"):
    """Whether to run under bf16 autocast: the one resolver for training, embedding and MLM.

    Parameters
    ----------
    setting : {"auto", True, False}
        ``"auto"`` enables bf16 on CUDA devices that support it; ``True`` asks for
        it and is refused on other devices (bf16 autocast is not offered on CPU
        yet, so ``True`` there would be a silent no-op); ``False`` disables it.
    device : str
        A resolved device (:func:`resolve_device`).
    name : str, default="amp"
        The caller's parameter name, used in the error message.

    Returns
    -------
    enabled : bool

    Examples
    --------
    >>> from skmedtext.utils import resolve_bf16
    >>> resolve_bf16("auto", "cpu")
    False
    """
    is_cuda = str(device).startswith("cuda")
    if setting == "auto":
        import torch

        return is_cuda and torch.cuda.is_bf16_supported()
    if setting is True and not is_cuda:
        raise ValueError(f"{name}=True (bf16 autocast) needs a CUDA device; got device={device!r}.")
    return bool(setting)
