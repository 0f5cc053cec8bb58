"""Sphinx configuration: the user guides (Markdown, via MyST) plus an autodoc API reference.

Build offline with ``python -m sphinx -b html docs docs/_build/html`` from the
repository root (``pip install -e ".[docs]"`` first). Nothing here reaches the
network: no intersphinx, the built-in alabaster theme, no remote images.
"""

import os
import sys
from pathlib import Path

# Import the checkout being documented, not some other installed copy.
_ROOT = Path(__file__).resolve().parents[1]
if (_ROOT / "skmedtext" / "__init__.py").is_file():
    sys.path.insert(0, str(_ROOT))

# Importing skmedtext must never try to reach the Hugging Face hub, and one thread
# keeps the build friendly to shared machines.
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")

import skmedtext  # noqa: E402

project = "skmedtext"
author = "skmedtext developers"
copyright = "skmedtext developers, BSD-3-Clause"
version = release = skmedtext.__version__

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.napoleon",
    "sphinx.ext.viewcode",
    "myst_parser",
]

source_suffix = {".rst": "restructuredtext", ".md": "markdown"}
root_doc = "index"
templates_path = ["_templates"]
exclude_patterns = ["_build", "Thumbs.db", ".DS_Store"]

# -- API reference -------------------------------------------------------------
autosummary_generate = True  # write one stub page per public name into generated/
autosummary_imported_members = True  # the public names live in private _modules
autodoc_member_order = "bysource"
autodoc_typehints = "none"  # the numpydoc "Parameters" sections already give the types
autodoc_default_options = {"show-inheritance": True}
napoleon_google_docstring = False
napoleon_numpy_docstring = True
napoleon_use_rtype = False



def _defining_module_doc(name, obj):
    """The ``#:`` comment or string docstring of a constant, read in the module that defines it.

    autodoc looks for attribute docs only in the module it documents (the public
    ``__init__``), while our constants are defined in private ``_modules``; without
    this it shows the docstring of ``dict``/``tuple``/``str`` itself.
    """
    from sphinx.pycode import ModuleAnalyzer

    package, _, attr = name.rpartition(".")
    candidates = [m for m in list(sys.modules) if m == package or m.startswith(package + ".")]
    for modname in sorted(candidates):
        if getattr(sys.modules[modname], attr, None) is not obj:
            continue
        try:
            docs = ModuleAnalyzer.for_module(modname).find_attr_docs()
        except Exception:  # noqa: BLE001 - no source (compiled module): try the next one
            continue
        if ("", attr) in docs:
            return list(docs[("", attr)])
    return None


def _describe_constant(obj):
    """A one-line fallback for an undocumented constant: its type and keys or values."""
    items = list(obj) if isinstance(obj, (dict, tuple, list, frozenset, set)) else None
    if items is None:
        return [f"``{type(obj).__name__}`` constant: ``{obj!r}``."]
    shown = ", ".join(f"``{item!r}``" for item in sorted(items, key=str))
    what = "keys" if isinstance(obj, dict) else "values"
    return [f"``{type(obj).__name__}`` constant; {what}: {shown}."]


def _constant_docstring(app, what, name, obj, options, lines):
    if what != "data" or getattr(obj, "__doc__", None) != type(obj).__doc__:
        return
    lines[:] = _defining_module_doc(name, obj) or _describe_constant(obj)


def _skip_metadata_request(app, what, name, obj, skip, options):
    # scikit-learn generates set_fit_request/set_score_request/... on every estimator;
    # their docstrings point into scikit-learn's own glossary, which is not part of
    # this offline build, and they are documented there.
    if name.startswith("set_") and name.endswith("_request"):
        return True
    return None


def setup(app):
    app.connect("autodoc-process-docstring", _constant_docstring)
    app.connect("autodoc-skip-member", _skip_metadata_request)


# -- Markdown (MyST) -----------------------------------------------------------
myst_heading_anchors = 3  # "page.md#some-heading" links in the user guides resolve

# -- HTML ----------------------------------------------------------------------
html_theme = "alabaster"
html_title = f"skmedtext {release}"
html_static_path = []
