"""Figure creation and saving shared by the plotting functions.

Figures are built with :class:`matplotlib.figure.Figure` directly rather than
through ``pyplot``: that renders with the Agg canvas on any machine (no display,
no global backend switch in the user's session) and does not keep figures alive
in pyplot's registry. In Jupyter the returned Figure still displays inline.
"""

import contextlib
from pathlib import Path

import matplotlib as mpl
from matplotlib.figure import Figure
from matplotlib.text import Text

from skmedtext.plotting._fonts import resolve_text_font

__all__ = ["figure_and_axes", "finish_figure", "font_context", "save_figure"]


def figure_and_axes(ax, figsize):
    """Return ``(fig, ax)``: the given axes' figure, or a new Figure with one axes."""
    if ax is not None:
        return ax.figure, ax
    fig = Figure(figsize=figsize, layout="constrained")
    return fig, fig.add_subplot()


@contextlib.contextmanager
def font_context(names, extra_texts=()):
    """Yield the class names to draw, inside an rc context whose fonts cover them."""
    shown, rc = resolve_text_font(names, extra_texts)
    with mpl.rc_context(rc):
        yield shown, rc.get("font.family")


def finish_figure(fig, families):
    """Pin the chosen font families on every text of ``fig``.

    Texts keep the family they were created with, but the user may save the
    figure again later, outside our rc context; pinning makes that safe. Tick
    labels our functions show are fixed (``set_ticks`` with labels) and exist
    already; numeric tick labels created lazily at draw time need no CJK font.
    (A ``draw`` here to force them would double the plotting time.)
    """
    if families is None:
        return
    for text in fig.findobj(Text):
        text.set_fontfamily(families)


def save_figure(fig, save, dpi=150):
    """Write ``fig`` to ``save`` (a path; the format follows the suffix, PNG by default)."""
    if save is None:
        return
    path = Path(save)
    if not path.suffix:
        path = path.with_suffix(".png")
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=dpi)
