"""Pick a font that can draw the class names (Chinese department names, ...).

matplotlib's default DejaVu Sans has no CJK glyphs, so Chinese labels come out as
empty boxes. Since matplotlib 3.6 a *list* of families falls back glyph by glyph,
so we keep the user's families first and append the first installed font that
covers every character we are about to draw. matplotlib's font cache is built
once and does not notice fonts installed later (``apt-get install
fonts-noto-cjk``), so fonts on the system but missing from the cache are added.
"""

import functools
import warnings

from matplotlib import font_manager, rcParams
from matplotlib.ft2font import FT2Font

__all__ = ["find_font_for", "resolve_text_font"]

# Sans faces for Simplified Chinese first, serif and other scripts' CJK faces later.
_PREFERRED = (
    "Noto Sans CJK SC",
    "Noto Sans SC",
    "Source Han Sans SC",
    "Source Han Sans CN",
    "WenQuanYi Micro Hei",
    "WenQuanYi Zen Hei",
    "Microsoft YaHei",
    "SimHei",
    "PingFang SC",
    "Heiti SC",
    "Noto Sans CJK",
    "Source Han Sans",
    "Droid Sans Fallback",
    "Arial Unicode MS",
    "Noto Serif CJK",
    "AR PL UMing",
)

# Fonts whose charmap claims every code point but whose glyphs are placeholder boxes
# (matplotlib >= 3.10 ships "Last Resort" as its own final fallback); choosing one
# would "cover" Chinese names and still draw boxes.
_PLACEHOLDER_FONTS = ("Last Resort",)

INSTALL_HINT = (
    "Install a CJK font, e.g. `apt-get install fonts-noto-cjk` (Debian/Ubuntu) or "
    "`fonts-wqy-microhei`, then plot again."
)


@functools.lru_cache(maxsize=None)
def _charmap(path):
    try:
        return frozenset(FT2Font(path).get_charmap())
    except (OSError, RuntimeError, ValueError):
        return frozenset()


def _rank(name):
    for rank, prefix in enumerate(_PREFERRED):
        if name.startswith(prefix):
            return rank
    return len(_PREFERRED)


def _entries(preferred_only):
    entries = [
        e for e in font_manager.fontManager.ttflist if not e.name.startswith(_PLACEHOLDER_FONTS)
    ]
    if preferred_only:
        entries = [e for e in entries if _rank(e.name) < len(_PREFERRED)]
    # Regular upright faces first: a bold or italic file of the same family would
    # otherwise be picked by path order and every label would come out bold.
    return sorted(
        entries,
        key=lambda e: (
            _rank(e.name), e.style != "normal", e.weight not in (400, "normal"), e.fname
        ),
    )


@functools.lru_cache(maxsize=1)
def _register_uncached_system_fonts():
    known = {entry.fname for entry in font_manager.fontManager.ttflist}
    added = 0
    for path in font_manager.findSystemFonts():
        if path not in known:
            try:
                font_manager.fontManager.addfont(path)
                added += 1
            except (OSError, RuntimeError, ValueError):
                continue
    return added


def _search(codepoints, preferred_only):
    for entry in _entries(preferred_only):
        if codepoints <= _charmap(entry.fname):
            return entry.name
    return None


def find_font_for(texts):
    """Return the family name of an installed font that covers every character.

    Characters the default font already draws are not required of the fallback.
    Returns None when the default font suffices *or* when no font covers them;
    use :func:`resolve_text_font` to tell the two apart.
    """
    missing = _missing_codepoints(texts)
    if not missing:
        return None
    # A known CJK face in matplotlib's cache wins; otherwise the cache may simply
    # predate the system's fonts (installed after matplotlib built it), so add
    # those and take the best face covering the text, known or not.
    found = _search(missing, preferred_only=True)
    if found is None:
        _register_uncached_system_fonts()
        found = _search(missing, preferred_only=False)
    return found


def _default_font_path():
    return font_manager.findfont(
        font_manager.FontProperties(family=rcParams["font.family"]), fallback_to_default=True
    )


def _missing_codepoints(texts):
    wanted = {ord(ch) for text in texts if text for ch in str(text) if not ch.isspace()}
    return frozenset(wanted - _charmap(_default_font_path()))


def resolve_text_font(names, extra_texts=()):
    """Return ``(names_to_draw, rc_overrides)`` so that ``names`` render legibly.

    Parameters
    ----------
    names : list of str
        Class names to draw.
    extra_texts : sequence of str
        Other texts of the figure (titles) that must render too.

    Returns
    -------
    names_to_draw : list of str
        ``names`` unchanged when a font covers them; otherwise names the fonts
        cannot draw are replaced by ``"class <i>"`` (their position), with a
        ``UserWarning`` giving the mapping and how to install a CJK font.
    rc : dict
        ``rcParams`` overrides (``font.family`` with the fallback appended), or
        an empty dict when the default font draws everything.
    """
    names = [str(n) for n in names]
    texts = [*names, *(str(t) for t in extra_texts if t)]
    if not _missing_codepoints(texts):
        return names, {}
    family = find_font_for(texts)
    if family is not None:
        current = rcParams["font.family"]
        current = [current] if isinstance(current, str) else list(current)
        return names, {"font.family": [*current, family]}
    shown, replaced = [], []
    for i, name in enumerate(names):
        if _missing_codepoints([name]):
            shown.append(f"class {i}")
            replaced.append(f"class {i} = {name}")
        else:
            shown.append(name)
    warnings.warn(
        "No installed font can draw some class names, so they are shown by position: "
        + "; ".join(replaced)
        + ". "
        + INSTALL_HINT,
        UserWarning,
        stacklevel=3,
    )
    return shown, {}
