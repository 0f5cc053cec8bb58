"""Where skmedtext keeps what it builds or downloads (encoders, datasets, caches)."""

import os
from pathlib import Path

__all__ = ["HOME_ENV_VAR", "get_skmedtext_home"]

HOME_ENV_VAR = "SKMEDTEXT_HOME"


def get_skmedtext_home(home=None):
    """Return the root of skmedtext's cache (downloaded data, built encoders).

    Parameters
    ----------
    home : str or path-like, default=None
        An explicit folder. When ``None``, the ``SKMEDTEXT_HOME`` environment
        variable is used if set, else ``$XDG_CACHE_HOME/skmedtext``, else
        ``~/.cache/skmedtext``.

    Returns
    -------
    home : pathlib.Path
        The folder (not created here). Encoders are built into its ``encoders``
        sub-folder, the dataset fetchers download into ``datasets``.

    Examples
    --------
    >>> from skmedtext.utils import get_skmedtext_home
    >>> get_skmedtext_home("/tmp/cache").as_posix()
    '/tmp/cache'
    """
    if home is None:
        home = os.environ.get(HOME_ENV_VAR)
    if home is None:
        home = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "skmedtext"
    if not isinstance(home, (str, os.PathLike)):
        raise TypeError(f"home must be a path or None; got {type(home).__name__}.")
    return Path(home).expanduser()
