"""Fetchers download through pooch from a local HTTP server; the suite never reaches the internet."""

import hashlib
import json
import re
import socket
import threading
from urllib.parse import unquote
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from skmedtext.datasets import (
    fetch_chip_sts,
    fetch_department_triage,
    fetch_kuake_qic,
    fetch_medical_abstracts,
    fetch_ohsumed23,
    get_skmedtext_home,
)
from skmedtext.datasets import _fetch
from skmedtext.datasets._fetch import RemoteFile

QIC = {
    "train": [{"id": "s1", "query": "丰胸的方法有哪些", "label": "治疗方案"},
              {"id": "s2", "query": "感冒吃什么药", "label": "治疗方案"},
              {"id": "s3", "query": "头疼怎么回事", "label": "病因分析"}],
    "dev": [{"id": "s1", "query": "胃疼挂什么科", "label": "就医建议"}],
}  # fmt: skip
STS = [{"id": "1", "text1": "糖尿病能吃西瓜吗", "text2": "糖尿病人可以吃西瓜吗", "label": "1",
        "category": "diabetes"}]  # fmt: skip
LABELS = "condition_label,condition_name\n1,neoplasms\n2,digestive system diseases\n"
FILES = {
    "kuake_qic_zh/KUAKE-QIC_train.json": json.dumps(QIC["train"], ensure_ascii=False).encode(),
    "kuake_qic_zh/KUAKE-QIC_dev.json": json.dumps(QIC["dev"], ensure_ascii=False).encode(),
    "chip_sts_zh/CHIP-STS_train.json": json.dumps(STS, ensure_ascii=False).encode(),
    "medical_abstracts/medical_tc_train.csv": b'condition_label,medical_abstract\n1,"A tumour."\n2,"A gut."\n',
    "medical_abstracts/medical_tc_test.csv": b'condition_label,medical_abstract\n2,"Colitis, acute."\n',
    "medical_abstracts/medical_tc_labels.csv": LABELS.encode(),
    "department_triage_zh/样例_内科5000-6000.csv": (
        "department,title,ask,answer\n心血管科,高血压能吃党参吗？,我有高血压。,可以。\n"
    ).encode("gb18030"),
    "ohsumed23_en/ohsumed.txt": b"data/x/test/C01/0001011\ttest\tC01\ndata/x/training/C04/0000002\ttrain\tC04\n",
    "ohsumed23_en/corpus_ohsumed.txt": b"Infection in joints. Abstract one.\nA neoplasm. Abstract two.",
}


class _Handler(BaseHTTPRequestHandler):
    def do_GET(self):  # noqa: N802 (http.server's name)
        self.server.hits.append(self.path)
        name = unquote(self.path.lstrip("/"))
        if name.startswith("truncated/"):
            body = FILES[name.removeprefix("truncated/")]
            self.send_response(200)
            self.send_header("Content-Length", str(len(body) + 1000))
            self.end_headers()
            self.wfile.write(body[: len(body) // 2])
            self.wfile.flush()
            self.close_connection = True
            return
        if name not in FILES:
            self.send_error(404)
            return
        self.send_response(200)
        self.send_header("Content-Length", str(len(FILES[name])))
        self.end_headers()
        self.wfile.write(FILES[name])

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def server():
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    httpd.hits = []
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield httpd
    httpd.shutdown()
    httpd.server_close()


def _sha(data):
    return hashlib.sha256(data).hexdigest()


@pytest.fixture
def registry(monkeypatch, server):
    """Every remote file served by the local server, with its true hash (no internet)."""
    base = f"http://127.0.0.1:{server.server_address[1]}"
    table = {name: RemoteFile(f"{base}/{name}", _sha(FILES[name])) for name in FILES}
    monkeypatch.setattr(_fetch, "REMOTE_FILES", table)
    server.hits.clear()
    return table


def _no_partial_files(folder):
    return [p.name for p in folder.rglob("*") if p.is_file()] == []


def test_the_real_registry_pins_commits_and_hashes():
    for name, remote in _fetch.REMOTE_FILES.items():
        assert re.match(r"https://raw\.githubusercontent\.com/[^/]+/[^/]+/[0-9a-f]{40}/", remote.url)
        assert remote.sha256 is None or re.fullmatch(r"[0-9a-f]{64}", remote.sha256)
    unverified = sorted(n for n, r in _fetch.REMOTE_FILES.items() if r.sha256 is None)
    assert unverified == ["medical_abstracts/medical_tc_train.csv", "ohsumed23_en/corpus_ohsumed.txt"]


def test_download_then_reuse_the_cache(registry, server, tmp_path):
    bunch = fetch_kuake_qic(subset="all", data_home=tmp_path)
    assert list(bunch.data) == [r["query"] for r in QIC["train"] + QIC["dev"]]
    assert list(bunch.frame["split"]) == ["train"] * 3 + ["dev"]
    assert bunch.data_source == "download cache"
    assert "KUAKE-QIC" in bunch.DESCR  # the packaged README stands in for the cache's
    for split in ("train", "dev"):
        path = tmp_path / f"kuake_qic_zh/KUAKE-QIC_{split}.json"
        assert path.read_bytes() == FILES[f"kuake_qic_zh/KUAKE-QIC_{split}.json"]
    assert len(server.hits) == 2
    again = fetch_kuake_qic(subset="dev", data_home=tmp_path, download_if_missing=False)
    assert list(again.data) == [QIC["dev"][0]["query"]] and len(server.hits) == 2
    fetch_kuake_qic(subset="dev", data_home=tmp_path)  # cached and verified: no request
    assert len(server.hits) == 2


def test_default_cache_is_under_skmedtext_home(registry, monkeypatch, tmp_path):
    monkeypatch.setenv("SKMEDTEXT_HOME", str(tmp_path / "home"))
    assert get_skmedtext_home() == tmp_path / "home"
    pairs = fetch_chip_sts(return_X_y=True)[0]
    assert pairs.shape == (1, 2)
    assert (tmp_path / "home/datasets/chip_sts_zh/CHIP-STS_train.json").is_file()


def test_checksum_mismatch_keeps_nothing(registry, monkeypatch, tmp_path):
    name = "kuake_qic_zh/KUAKE-QIC_train.json"
    monkeypatch.setitem(_fetch.REMOTE_FILES, name, registry[name]._replace(sha256="0" * 64))
    with pytest.raises(ValueError, match="does not match its pinned checksum") as info:
        fetch_kuake_qic(data_home=tmp_path)
    assert registry[name].url in str(info.value)
    assert _no_partial_files(tmp_path)


def test_interrupted_transfer_keeps_nothing(registry, monkeypatch, server, tmp_path):
    name = "kuake_qic_zh/KUAKE-QIC_train.json"
    base = f"http://127.0.0.1:{server.server_address[1]}"
    broken = registry[name]._replace(url=f"{base}/truncated/{name}")
    monkeypatch.setitem(_fetch.REMOTE_FILES, name, broken)
    with pytest.raises(ConnectionError) as info:
        fetch_kuake_qic(data_home=tmp_path)
    message = str(info.value)
    assert broken.url in message and str(tmp_path / name) in message
    assert _no_partial_files(tmp_path)


def test_offline_names_the_url_and_where_to_put_the_file(registry, monkeypatch, tmp_path):
    with socket.socket() as sock:  # a port nothing listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    name = "chip_sts_zh/CHIP-STS_train.json"
    offline = registry[name]._replace(url=f"http://127.0.0.1:{port}/{name}")
    monkeypatch.setitem(_fetch.REMOTE_FILES, name, offline)
    with pytest.raises(OSError, match="by hand") as info:
        fetch_chip_sts(data_home=tmp_path)
    assert isinstance(info.value, ConnectionError)
    assert offline.url in str(info.value) and str(tmp_path / name) in str(info.value)
    assert _no_partial_files(tmp_path)
    # The file placed by hand is then used without any network.
    (tmp_path / name).write_bytes(FILES[name])
    assert fetch_chip_sts(data_home=tmp_path).data.shape == (1, 2)


def test_download_if_missing_false(registry, server, tmp_path):
    with pytest.raises(OSError, match="download_if_missing=False") as info:
        fetch_kuake_qic(data_home=tmp_path, download_if_missing=False)
    assert "KUAKE-QIC_train.json" in str(info.value) and server.hits == []


def test_a_bad_subset_is_refused_before_any_download(registry, server, tmp_path):
    with pytest.raises(ValueError, match="subset"):
        fetch_medical_abstracts(subset="dev", data_home=tmp_path)
    with pytest.raises(ValueError, match="subset"):
        fetch_ohsumed23(subset="dev", data_home=tmp_path)
    assert server.hits == []


def test_unverified_file_is_pinned_on_first_use(registry, monkeypatch, tmp_path):
    name = "medical_abstracts/medical_tc_train.csv"
    monkeypatch.setitem(_fetch.REMOTE_FILES, name, registry[name]._replace(sha256=None))
    with pytest.warns(UserWarning, match=f"pinned to sha256:{_sha(FILES[name])}"):
        bunch = fetch_medical_abstracts(subset="all", data_home=tmp_path)
    assert list(bunch.target) == [1, 2, 2] and list(bunch.frame["split"]) == ["train", "train", "test"]
    assert list(bunch.target_names) == ["neoplasms", "digestive system diseases"]
    pin = tmp_path / f"{name}.sha256"
    assert pin.read_text().strip() == _sha(FILES[name])
    (tmp_path / name).write_bytes(FILES[name] + b'1,"tampered."\n')
    with pytest.raises(ValueError, match="pinned at its first use"):
        fetch_medical_abstracts(data_home=tmp_path)


def test_a_corrupt_cached_file_is_replaced(registry, server, tmp_path):
    name = "kuake_qic_zh/KUAKE-QIC_dev.json"
    (tmp_path / name).parent.mkdir(parents=True)
    (tmp_path / name).write_bytes(b"[]")
    with pytest.raises(ValueError, match="does not match the SHA-256"):
        fetch_kuake_qic(subset="dev", data_home=tmp_path, download_if_missing=False)
    assert fetch_kuake_qic(subset="dev", data_home=tmp_path).data.shape == (1,)
    assert (tmp_path / name).read_bytes() == FILES[name]


def test_triage_source_is_read_as_gb18030(registry, tmp_path):
    bunch = fetch_department_triage(data_home=tmp_path)
    assert list(bunch.data) == ["高血压能吃党参吗？\n我有高血压。"]
    assert list(bunch.target) == ["心血管科"] and "可以。" not in bunch.data[0]


def test_ohsumed_original_split(registry, monkeypatch, tmp_path):
    name = "ohsumed23_en/corpus_ohsumed.txt"
    monkeypatch.setitem(_fetch.REMOTE_FILES, name, registry[name]._replace(sha256=None))
    with pytest.warns(UserWarning, match="pinned"):
        bunch = fetch_ohsumed23(subset="all", data_home=tmp_path)
    assert list(bunch.frame["doc_id"]) == ["0001011", "0000002"]
    assert list(bunch.target) == ["C01", "C04"] and bunch.data[1] == "A neoplasm. Abstract two."
    assert list(bunch.frame["label_name"]) == ["Bacterial Infections and Mycoses", "Neoplasms"]
    assert fetch_ohsumed23(subset="test", data_home=tmp_path).data.shape == (1,)
