"""The two development corpora load with no data folder at all, from the packaged copies."""

import gzip
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from skmedtext.datasets import load_department_triage, load_medical_abstracts
from skmedtext.datasets import _base

EMBEDDED = Path(_base.__file__).resolve().parent / "data"


@pytest.fixture
def no_data_folder(monkeypatch, tmp_path):
    """Hide shared/data and SKMEDTEXT_DATA, as on a fresh machine."""
    monkeypatch.delenv("SKMEDTEXT_DATA", raising=False)
    monkeypatch.setattr(_base, "_default_homes", lambda: [(tmp_path / "none", "hidden for the test")])
    _base._cache.clear()
    yield
    _base._cache.clear()


@pytest.mark.parametrize("loader", [load_medical_abstracts, load_department_triage])
def test_embedded_copy_has_the_same_rows_as_the_shared_one(loader, no_data_folder, data_root):
    embedded = loader()
    assert embedded.data_source == _base.EMBEDDED_SOURCE
    assert Path(embedded.filename).parent.parent == EMBEDDED
    assert embedded.filename.endswith(".csv.gz")
    assert _base.EMBEDDED_SOURCE in embedded.DESCR and "Licen" in embedded.DESCR
    shared = loader(data_home=data_root)
    assert shared.data_source == "data_home argument"
    pd.testing.assert_frame_equal(embedded.frame, shared.frame)
    assert list(embedded.data) == list(shared.data)
    assert list(embedded.target) == list(shared.target)
    assert list(embedded.target_names) == list(shared.target_names)


def test_explicit_locations_never_fall_back_to_the_embedded_copy(no_data_folder, tmp_path, monkeypatch):
    with pytest.raises(FileNotFoundError, match="data_home argument"):
        load_medical_abstracts(data_home=tmp_path)
    monkeypatch.setenv("SKMEDTEXT_DATA", str(tmp_path))
    with pytest.raises(FileNotFoundError, match="SKMEDTEXT_DATA"):
        load_department_triage()


def test_cardiac_has_no_embedded_copy(no_data_folder):
    from skmedtext.datasets import load_cardiac_shunt

    with pytest.raises(FileNotFoundError, match="cardiac_shunt_zh"):
        load_cardiac_shunt()


def test_embedded_files_are_small_licensed_and_reproducible(data_root):
    for folder, csv in [
        ("medical_abstracts", "medical_abstracts_dev.csv"),
        ("department_triage_zh", "department_triage_dev.csv"),
    ]:
        packed = EMBEDDED / folder / f"{csv}.gz"
        assert (EMBEDDED / folder / "LICENSE").is_file() and (EMBEDDED / folder / "README.md").is_file()
        raw = packed.read_bytes()
        assert len(raw) < 2_000_000
        assert raw[4:8] == b"\0\0\0\0"  # gzip mtime 0: the bytes do not depend on when it was made
        assert gzip.decompress(raw) == (data_root / folder / csv).read_bytes()


def test_a_fresh_process_without_data_folder_loads_the_embedded_copy(tmp_path):
    # A clean interpreter, run from an empty folder, with the shared folder hidden:
    # what `skmedtext demo` sees on a machine where only the repository was cloned.
    code = (
        "from skmedtext.datasets import _base, load_medical_abstracts, load_department_triage\n"
        "_base._default_homes = lambda: []\n"
        "a = load_medical_abstracts(); t = load_department_triage()\n"
        "print(a.data.shape[0], t.data.shape[0], a.data_source == _base.EMBEDDED_SOURCE)\n"
    )
    env = {k: v for k, v in __import__("os").environ.items() if k != "SKMEDTEXT_DATA"}
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["2310", "6115", "True"]
