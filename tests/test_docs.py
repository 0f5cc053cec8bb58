"""The Sphinx site (user guides + autodoc API reference) builds offline with warnings as errors."""

import importlib
import inspect
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("sphinx", reason="Sphinx is not installed (pip install -e '.[docs]')")
pytest.importorskip("myst_parser", reason="myst-parser is not installed (pip install -e '.[docs]')")

REPO_ROOT = Path(__file__).resolve().parents[1]
DOCS = REPO_ROOT / "docs"
SUBPACKAGES = (
    "datasets text encoders embeddings training models losses sampling augment "
    "pretrain metrics plotting evaluate persistence utils"
).split()


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """Build a copy of docs/ (so the autosummary stubs are not written into the checkout)."""
    tmp = tmp_path_factory.mktemp("docs")
    src, out = tmp / "docs", tmp / "html"
    shutil.copytree(DOCS, src, ignore=shutil.ignore_patterns("_build", "generated"))
    env = dict(os.environ, OMP_NUM_THREADS="1", HF_HUB_OFFLINE="1", TRANSFORMERS_OFFLINE="1")
    # document this checkout even if another copy of skmedtext is installed
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO_ROOT), env.get("PYTHONPATH")]))
    cmd = [sys.executable, "-m", "sphinx", "-b", "html", "-W", "--keep-going", "-q", str(src), str(out)]
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, f"sphinx failed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr}"
    return out


def test_every_user_guide_page_is_built(site):
    pages = sorted(p.stem for p in DOCS.glob("*.md"))
    assert "index" in pages
    missing = [p for p in pages if not (site / f"{p}.html").is_file()]
    assert not missing


def test_api_page_lists_every_public_name(site):
    api = (site / "api.html").read_text(encoding="utf-8")
    assert "SAANSampler" in api and "DMTBertClassifier" in api
    for sub in SUBPACKAGES:
        module = importlib.import_module(f"skmedtext.{sub}")
        names = [n for n in module.__all__ if not (site / "generated" / f"skmedtext.{sub}.{n}.html").is_file()]
        assert not names, f"skmedtext.{sub}: no API page for {names}; add them to docs/api.rst"


@pytest.mark.parametrize(
    "qualname", ["skmedtext.sampling.SAANSampler", "skmedtext.models.DMTBertClassifier"]
)
def test_autodoc_rendered_the_docstring_parameters(site, qualname):
    module_name, _, name = qualname.rpartition(".")
    obj = getattr(importlib.import_module(module_name), name)
    page = (site / "generated" / f"{qualname}.html").read_text(encoding="utf-8")
    summary = inspect.getdoc(obj).splitlines()[0]
    assert summary.split(",")[0] in page
    # napoleon renders every documented parameter as a bold name in a field list
    params = [p for p in inspect.signature(obj).parameters if p != "self"]
    assert len(params) > 5  # the estimator signature, not some (*args, **kwargs) wrapper
    missing = [p for p in params if f"<strong>{p}</strong>" not in page]
    assert not missing, f"parameters not rendered for {qualname}: {missing}"
