"""Loaders return the real data with the counts of the data READMEs."""

import re
from collections import Counter
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sklearn.utils import Bunch

from skmedtext.datasets import (
    CARDIAC_SHUNT_CLASSES,
    get_data_home,
    load_cardiac_shunt,
    load_department_triage,
    load_department_triage_corpus,
    load_medical_abstracts,
    map_echo_result,
)
from skmedtext.datasets import _base
from skmedtext.datasets._cardiac_shunt import _GRADE_RE, _NO_SHUNT_RE, _normalise

LOADERS = [load_medical_abstracts, load_department_triage, load_cardiac_shunt]

ABSTRACT_COUNTS = {1: 506, 2: 239, 3: 308, 4: 488, 5: 769}
TRIAGE_COUNTS = {
    "肝病科": 2497, "消化科": 1131, "神经科": 883, "心血管科": 864, "内分泌科": 446,
    "呼吸科": 122, "肾内科": 64, "感染科": 36, "血液科": 32, "普通内科": 26, "风湿免疫科": 14,
}  # fmt: skip
# Measured with map_echo_result on the 371 rows (the data README's regex estimate
# gives the same numbers).
CARDIAC_COUNTS = {0: 275, 1: 23, 2: 16, 3: 45, 4: 12}


@pytest.fixture(scope="module")
def abstracts(data_root):
    return load_medical_abstracts(data_home=data_root)


@pytest.fixture(scope="module")
def triage(data_root):
    return load_department_triage(data_home=data_root)


@pytest.fixture(scope="module")
def cardiac(data_root):
    return load_cardiac_shunt(data_home=data_root)


def _assert_texts(data, n):
    assert isinstance(data, np.ndarray) and data.dtype == object and data.shape == (n,)
    assert all(isinstance(t, str) and t.strip() for t in data)


# --- Medical Abstracts -------------------------------------------------------------


def test_medical_abstracts_counts_and_names(abstracts):
    _assert_texts(abstracts.data, 2310)
    assert abstracts.target.dtype.kind == "i"
    assert dict(Counter(abstracts.target.tolist())) == ABSTRACT_COUNTS
    assert list(abstracts.target_names) == [
        "neoplasms",
        "digestive system diseases",
        "nervous system diseases",
        "cardiovascular diseases",
        "general pathological conditions",
    ]
    frame = abstracts.frame
    assert list(frame["text"]) == list(frame["medical_abstract"]) == list(abstracts.data)
    # target_names[k - 1] names label k.
    names = abstracts.target_names[abstracts.target - 1]
    assert (names == frame["condition_name"].to_numpy()).all()


# --- Department triage -------------------------------------------------------------


def test_department_triage_counts(triage):
    _assert_texts(triage.data, 6115)
    assert dict(Counter(triage.target.tolist())) == TRIAGE_COUNTS
    assert list(triage.target_names) == sorted(TRIAGE_COUNTS)


def test_department_triage_text_is_title_newline_ask(triage):
    frame = triage.frame
    expected = [f"{t.strip()}\n{a.strip()}" for t, a in zip(frame["title"], frame["ask"])]
    assert list(triage.data) == expected


def test_department_triage_never_uses_answer(triage, data_root):
    answers = triage.frame["answer"].str.strip()
    assert (answers.str.len() > 0).all()
    leaked = [i for i, (a, t) in enumerate(zip(answers, triage.data)) if a in t]
    assert leaked == []
    # The answer is also absent from data built with as_frame=True.
    X = load_department_triage(data_home=data_root, as_frame=True).data
    assert not any(a in t for a, t in zip(answers[:200], X[:200]))


def test_department_triage_corpus(triage, data_root):
    corpus = load_department_triage_corpus(data_home=data_root)
    assert corpus.dtype == object and corpus.ndim == 1
    frame = triage.frame
    assert corpus.shape[0] == 3 * len(frame)  # no blank cell in this file
    assert list(corpus[:3]) == [frame[c][0].strip() for c in ("title", "ask", "answer")]
    answers = load_department_triage_corpus(data_home=data_root, columns=("answer",))
    assert list(answers) == [a.strip() for a in frame["answer"]]
    assert not set(TRIAGE_COUNTS) & set(corpus)
    with pytest.raises(ValueError, match="subset of"):
        load_department_triage_corpus(data_home=data_root, columns=("department",))


# --- Cardiac shunt -----------------------------------------------------------------


def test_cardiac_every_row_gets_exactly_one_class(cardiac):
    _assert_texts(cardiac.data, 371)
    reports = cardiac.frame["右心造影结果"]
    assert reports.map(lambda r: isinstance(r, str)).all()
    assert cardiac.target.dtype.kind == "i"
    assert set(cardiac.target.tolist()) == {0, 1, 2, 3, 4}
    assert [map_echo_result(r) for r in reports] == cardiac.target.tolist()
    assert dict(Counter(cardiac.target.tolist())) == CARDIAC_COUNTS
    # The two positive rules never compete on the real reports: no report both
    # grades a shunt and states there is none, so rule order decides nothing.
    for report in reports:
        norm = _normalise(report)
        graded = "右向左分流" in norm and _GRADE_RE.search(norm) is not None
        assert not (graded and _NO_SHUNT_RE.search(norm)), report


def test_cardiac_text_and_names(cardiac):
    frame = cardiac.frame
    assert list(frame.columns[:8]) == ["id", "性别", "年龄", "右心造影结果", "主诉", "现病史", "既往史", "个人史"]
    assert frame["年龄"].notna().all() and frame["年龄"].between(1, 120).all()
    row = frame.iloc[0]
    assert cardiac.data[0] == "\n".join(row[c].strip() for c in ("主诉", "现病史", "既往史"))
    # Rows with a missing field keep the others, without an empty line.
    missing = frame["主诉"].isna()
    assert missing.sum() == 4
    assert all("\n\n" not in t and not t.startswith("\n") for t in cardiac.data)
    # The label source and the unused personal history never enter the text.
    assert not any(r.strip() in t for r, t in zip(frame["右心造影结果"], cardiac.data))
    assert not any(p.strip() in t for p, t in zip(frame["个人史"], cardiac.data))
    assert len(cardiac.target_names) == 5
    cjk = re.compile(r"[\u4e00-\u9fff]")
    assert all(cjk.search(n) and re.search(r"[a-z]{3}", n) for n in cardiac.target_names)
    assert tuple(cardiac.target_names) == CARDIAC_SHUNT_CLASSES


# --- Common Bunch contract ---------------------------------------------------------


@pytest.mark.parametrize("loader", LOADERS)
def test_bunch_contract(loader, data_root):
    bunch = loader(data_home=data_root)
    assert isinstance(bunch, Bunch)
    n = bunch.data.shape[0]
    assert bunch.target.shape == (n,)
    assert isinstance(bunch.frame, pd.DataFrame) and len(bunch.frame) == n
    assert {"text", "target"} <= set(bunch.frame.columns)
    assert Path(bunch.filename).is_file()
    assert "How skmedtext loads it" in bunch.DESCR and "Source" in bunch.DESCR
    # Each call gets its own frame: the loaders cache the file, not the objects.
    bunch.frame.loc[0, "text"] = "changed"
    assert loader(data_home=data_root).frame.loc[0, "text"] != "changed"


@pytest.mark.parametrize("loader", LOADERS)
def test_as_frame_and_return_X_y(loader, data_root):
    X, y = loader(data_home=data_root, return_X_y=True)
    assert isinstance(X, np.ndarray) and isinstance(y, np.ndarray)
    bunch = loader(data_home=data_root, as_frame=True)
    assert isinstance(bunch.data, pd.Series) and isinstance(bunch.target, pd.Series)
    assert bunch.data.name == "text" and bunch.target.name == "target"
    assert bunch.data.index.equals(bunch.frame.index)
    assert list(bunch.data) == list(X) and list(bunch.target) == list(y)
    Xf, yf = loader(data_home=data_root, as_frame=True, return_X_y=True)
    assert isinstance(Xf, pd.Series) and isinstance(yf, pd.Series)


# --- Locating the data -------------------------------------------------------------


@pytest.mark.parametrize("loader", LOADERS)
def test_missing_data_home_says_where_it_looked(loader, tmp_path):
    with pytest.raises(FileNotFoundError) as info:
        loader(data_home=tmp_path)
    message = str(info.value)
    assert str(tmp_path) in message and "data_home argument" in message
    assert "SKMEDTEXT_DATA" in message and "data_home=" in message


def test_environment_variable(monkeypatch, tmp_path, data_root):
    monkeypatch.setenv("SKMEDTEXT_DATA", str(tmp_path))
    assert get_data_home() == tmp_path.resolve()
    with pytest.raises(FileNotFoundError, match="SKMEDTEXT_DATA environment variable"):
        load_medical_abstracts()
    # An explicit argument wins over the environment.
    assert load_medical_abstracts(data_home=data_root).data.shape == (2310,)
    monkeypatch.setenv("SKMEDTEXT_DATA", str(data_root))
    assert load_cardiac_shunt().data.shape == (371,)


def test_default_locations(monkeypatch, tmp_path, data_root):
    monkeypatch.delenv("SKMEDTEXT_DATA", raising=False)
    workdir = tmp_path / "checkout"
    workdir.mkdir()
    monkeypatch.chdir(workdir)
    homes = [path for path, _ in _base._default_homes()]
    assert homes[0] == Path(_base.__file__).resolve().parents[3] / "shared" / "data"
    assert (tmp_path / "shared" / "data").resolve() in homes
    if homes[0].is_dir():
        assert get_data_home() == homes[0]
    with pytest.raises(FileNotFoundError) as info:
        _base._find_file("no_such_corpus/file.csv")
    assert all(str(home / "no_such_corpus" / "file.csv") in str(info.value) for home in homes)


def test_get_data_home_explicit(tmp_path):
    assert get_data_home(tmp_path) == tmp_path.resolve()
    assert get_data_home(str(tmp_path / "absent")) == (tmp_path / "absent").resolve()


def test_a_clone_of_a_local_repository_finds_the_data_next_to_its_origin(tmp_path):
    # git clone /work/main /tmp/fresh: the data is next to /work/main, not next to /tmp/fresh
    origin = tmp_path / "work" / "main"
    origin.mkdir(parents=True)
    clone = tmp_path / "fresh"
    (clone / ".git").mkdir(parents=True)
    (clone / ".git" / "config").write_text(
        '[core]\n\tbare = false\n[remote "origin"]\n'
        f"\turl = {origin}\n\tfetch = +refs/heads/*:refs/remotes/origin/*\n"
    )
    assert _base._local_origin(clone) == origin.resolve()


@pytest.mark.parametrize(
    "url", ["https://github.com/org/skmedtext.git", "git@github.com:org/skmedtext.git", ""]
)
def test_a_remote_or_missing_origin_adds_no_data_folder(tmp_path, url):
    (tmp_path / ".git").mkdir()
    (tmp_path / ".git" / "config").write_text(f'[remote "origin"]\n\turl = {url}\n')
    assert _base._local_origin(tmp_path) is None
    assert _base._local_origin(tmp_path / "not-a-checkout") is None
