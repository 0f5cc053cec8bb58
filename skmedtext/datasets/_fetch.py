"""Downloading the full public corpora once into a checksum-verified cache (pooch).

Every remote file is pinned to a fixed commit of its source repository. Where the
SHA-256 of a file could be computed here (from a copy of the source repository at
that commit) it is written in :data:`REMOTE_FILES` and every download is checked
against it. Where it could not (the file was too large to be stored in the copy
available when this was written), ``sha256`` is ``None``: the first download is
accepted, its hash is written next to the file (``<file>.sha256``), reported in a
warning, and every later use is checked against that pin (trust on first use).

Downloads go to a temporary file in the cache folder and are moved into place only
when complete and verified (pooch's ``stream_download``), so an interrupted or
corrupt transfer never leaves a file at the cached path.
"""

import warnings
from functools import partial
from pathlib import Path
from typing import NamedTuple

from skmedtext.utils import get_skmedtext_home

__all__ = ["get_skmedtext_home"]
_DOWNLOAD_SOURCE = "download cache"
_TIMEOUT_S = 60


class RemoteFile(NamedTuple):
    """A file to download: its pinned URL and SHA-256 (None where not verified)."""

    url: str
    sha256: str | None


_GITHUB = "https://raw.githubusercontent.com"
_ABSTRACTS = f"{_GITHUB}/sebischair/Medical-Abstracts-TC-Corpus/70a2d9106c724729be8b3c4ddb00d1b14ec300c8"
_TRIAGE = f"{_GITHUB}/Toyhom/Chinese-medical-dialogue-data/26724a4357fcd142f0cab81188cacf1a2dd8a827"
_CBLUE = f"{_GITHUB}/Sherlock-coder/CBLUE/8f879e3624b06a184288a8770113da5fddcb61ff/data"
_TEXT_GCN = f"{_GITHUB}/yao8839836/text_gcn/962223652e9bb164ac2d83cd09fc7b8845ce860b/data"

#: cache path (relative to the download folder) -> where to get it. The cache
#: layout mirrors ``shared/data`` so one reader serves both.
REMOTE_FILES = {
    # sha256 None: medical_tc_train.csv was not in the stored copy of the repository.
    "medical_abstracts/medical_tc_train.csv": RemoteFile(f"{_ABSTRACTS}/medical_tc_train.csv", None),
    "medical_abstracts/medical_tc_test.csv": RemoteFile(
        f"{_ABSTRACTS}/medical_tc_test.csv",
        "1eecea73c9ecad292c55e10403bd139fab9580545d6878482997c5564d51ac05",
    ),
    "medical_abstracts/medical_tc_labels.csv": RemoteFile(
        f"{_ABSTRACTS}/medical_tc_labels.csv",
        "8a27ae03339c798103678efa8012f744a723ff71a80f2b2c1355ee249564adc5",
    ),
    "department_triage_zh/样例_内科5000-6000.csv": RemoteFile(
        f"{_TRIAGE}/%E6%A0%B7%E4%BE%8B_%E5%86%85%E7%A7%915000-6000.csv",
        "133e5f7e9a3255468375c258381d131b1dc0a4fff6d431cbe743884139b1eb25",
    ),
    "chip_ctc_zh/CHIP-CTC_train.json": RemoteFile(
        f"{_CBLUE}/CHIP-CTC/CHIP-CTC_train.json",
        "dcf5b9af0e346734c16eb7f1da29a3e4a662bb57c56c087d9a7adf5d330798c4",
    ),
    "chip_ctc_zh/CHIP-CTC_dev.json": RemoteFile(
        f"{_CBLUE}/CHIP-CTC/CHIP-CTC_dev.json",
        "d0b578cdd5507988605e5819c518974e59b5f0cab3bae48bb053985e755dde3b",
    ),
    "kuake_qic_zh/KUAKE-QIC_train.json": RemoteFile(
        f"{_CBLUE}/KUAKE-QIC/KUAKE-QIC_train.json",
        "090b296e71e6ca5144a193e2fc32b0297ab662cb689539ced1272198f19bc372",
    ),
    "kuake_qic_zh/KUAKE-QIC_dev.json": RemoteFile(
        f"{_CBLUE}/KUAKE-QIC/KUAKE-QIC_dev.json",
        "a572e0576afe8510bc9d6b25424f835e6d30e760109ac9fb48c8a77696aa2602",
    ),
    "chip_sts_zh/CHIP-STS_train.json": RemoteFile(
        f"{_CBLUE}/CHIP-STS/CHIP-STS_train.json",
        "e7a5c54f9e1d358745868e11cf9ee3c3f390c4cfdff85dfba13bbb24fd5b7720",
    ),
    "chip_sts_zh/CHIP-STS_dev.json": RemoteFile(
        f"{_CBLUE}/CHIP-STS/CHIP-STS_dev.json",
        "dcf8f2ac3b89afe4f9576685b00282b0e3aee627a94989b9a83782c4dee88c26",
    ),
    "ohsumed23_en/ohsumed.txt": RemoteFile(
        f"{_TEXT_GCN}/ohsumed.txt",
        "724b8ed25eb3d99b90b86fdc4ef5e2450b386ff0ba348afe38f420cd61eccc16",
    ),
    # sha256 None: data/corpus/ohsumed.txt was not in the stored copy of text_gcn.
    "ohsumed23_en/corpus_ohsumed.txt": RemoteFile(f"{_TEXT_GCN}/corpus/ohsumed.txt", None),
}


def _download_home(data_home):
    if data_home is None:
        return get_skmedtext_home() / "datasets"
    return Path(data_home).expanduser().resolve()


def _pin_path(path):
    return path.with_name(path.name + ".sha256")


def _check_pin(path, remote):
    """Verify a cached file whose hash is not in REMOTE_FILES against its first-use pin."""
    import pooch

    digest = pooch.file_hash(str(path))
    pin = _pin_path(path)
    if not pin.is_file():
        pin.write_text(digest + "\n", encoding="ascii")
        warnings.warn(
            f"{remote.url} has no published SHA-256 in skmedtext; the file at {path} was "
            f"accepted on first use and pinned to sha256:{digest} (written to {pin}). "
            "Later uses are checked against this pin.",
            UserWarning,
            stacklevel=3,
        )
    elif pin.read_text(encoding="ascii").strip() != digest:
        raise ValueError(
            f"{path} no longer matches the SHA-256 pinned at its first use ({pin}). "
            f"Delete both files to download {remote.url} again."
        )


def _download(remote, path):
    import pooch
    import requests

    known_hash = f"sha256:{remote.sha256}" if remote.sha256 else None
    downloader = pooch.HTTPDownloader(progressbar=True, timeout=_TIMEOUT_S)
    try:
        pooch.retrieve(
            remote.url, known_hash, fname=path.name, path=path.parent, downloader=downloader
        )
    except (requests.RequestException, OSError) as exc:
        raise ConnectionError(
            f"Could not download {remote.url} ({type(exc).__name__}: {exc}). Nothing was "
            f"written to {path}. If this machine is offline, download the file elsewhere "
            f"and place it at {path} by hand."
        ) from exc
    except ValueError as exc:
        raise ValueError(
            f"The file downloaded from {remote.url} does not match its pinned checksum "
            f"({exc}). It was discarded; nothing was written to {path}."
        ) from exc


def _fetch_file(relative, data_home=None, download_if_missing=True):
    """Return ``(path, source)`` of a remote file in the cache, downloading it if needed."""
    import pooch

    remote = REMOTE_FILES[relative]
    path = _download_home(data_home) / relative
    if path.is_file() and remote.sha256 and pooch.file_hash(str(path)) != remote.sha256:
        if not download_if_missing:
            raise ValueError(
                f"{path} does not match the SHA-256 of {remote.url}. Delete it, or call "
                "again with download_if_missing=True to replace it."
            )
        path.unlink()
    if not path.is_file():
        if not download_if_missing:
            raise OSError(
                f"{path} is not in the download cache and download_if_missing=False. "
                f"Call again with download_if_missing=True, or place the file from "
                f"{remote.url} there by hand."
            )
        path.parent.mkdir(parents=True, exist_ok=True)
        _download(remote, path)
    if remote.sha256 is None:
        _check_pin(path, remote)
    return path, _DOWNLOAD_SOURCE


def _fetcher(data_home, download_if_missing):
    """The ``locate`` callable the readers take, for the download cache."""
    return partial(_fetch_file, data_home=data_home, download_if_missing=download_if_missing)
