"""jieba dictionaries with frequency adjustment (paper 000), in private tokenizers.

Paper 000 "optimizes the jieba segmenter for the medical field through dictionary
expansion and adjustment of word frequency weights". Here:

* **Dictionary expansion.** Terms come from the bundled dictionary
  (``data/medical_dict_zh.txt``), a user file in jieba's user-dictionary format
  (``word [freq [tag]]`` per line, ``#`` comments allowed) or a list of such lines.
* **Frequency adjustment.** After all terms are loaded, each term's frequency is
  raised (never lowered) with jieba's ``suggest_freq(term, tune=True)`` to the
  smallest value that keeps it whole, shortest terms first. Doing it after
  loading matters: adding 房间隔 with a high frequency after 房间隔缺损 would
  otherwise split the longer term again.
* **Isolation.** Every dictionary lives in a private ``jieba.Tokenizer``; jieba's
  global tokenizer (``jieba.dt``, used by ``jieba.cut``/``jieba.load_userdict``)
  is never touched. A tokenizer is built once per distinct dictionary and
  process, copying jieba's main dictionary from a private base (~10 ms), and is
  shared read-only by every estimator with that dictionary; it is never pickled
  (rebuilt from the stored entries on first use after unpickling).
"""

import functools
import os
import re
import threading
from collections import OrderedDict
from importlib import resources

__all__ = ["cached_jieba", "default_jieba", "load_medical_dictionary", "read_dictionary"]

_DICT_RESOURCE = ("skmedtext.text", "data/medical_dict_zh.txt")
_LOCK = threading.RLock()
_BASE = None
_CACHE = OrderedDict()
_CACHE_SIZE = 8
_TAG = re.compile(r"^[A-Za-z_]+$")


def _medical_dictionary_text():
    package, name = _DICT_RESOURCE
    return resources.files(package).joinpath(name).read_text(encoding="utf-8")


def _parse_line(line, where):
    """``(word, freq or None, tag or None)`` from one ``word [freq [tag]]`` line."""
    parts = line.split()
    bad = len(parts) > 3 or (len(parts) > 1 and not parts[1].isdigit())
    bad = bad or (len(parts) == 3 and not _TAG.match(parts[2]))
    if bad:
        raise ValueError(
            f"{where}: {line!r} is not a dictionary entry 'word [freq [tag]]'. A term "
            "cannot contain spaces (jieba never joins words across a space)."
        )
    freq = int(parts[1]) if len(parts) > 1 else None
    if freq == 0:
        # jieba records freq-0 words in its global HMM state; refuse rather than mutate it.
        raise ValueError(f"{where}: frequency 0 is not supported for {parts[0]!r}; omit it.")
    return parts[0], freq, parts[2] if len(parts) == 3 else None


def _parse_lines(lines, source):
    entries = []
    for number, raw in enumerate(lines, start=1):
        if not isinstance(raw, str):
            raise TypeError(
                f"dictionary entries must be str; found {type(raw).__name__} at position "
                f"{number - 1}."
            )
        line = raw.strip().lstrip("\ufeff")
        if line and not line.startswith("#"):
            entries.append(_parse_line(line, f"{source}, line {number}"))
    return entries


def load_medical_dictionary():
    """Return the terms of skmedtext's bundled Chinese medical dictionary.

    About 880 common terms written for skmedtext (departments, diseases of
    internal medicine, cardiology and hepatology, congenital heart defects and
    shunts, symptoms, examinations, procedures, drugs, anatomy, record sections
    and multi-character negation cues), in the file
    ``skmedtext/text/data/medical_dict_zh.txt``. It is the default dictionary of
    :class:`JiebaTokenizer` and of :func:`~skmedtext.text.segment`; extend it
    with your own terms: ``JiebaTokenizer(dictionary=load_medical_dictionary() + mine)``.

    Returns
    -------
    terms : list of str

    Examples
    --------
    >>> from skmedtext.text import load_medical_dictionary
    >>> terms = load_medical_dictionary()
    >>> "房间隔缺损" in terms and "冠心病" in terms
    True
    """
    return [word for word, _, _ in _parse_lines(_medical_dictionary_text().splitlines(), "bundled")]


def read_dictionary(dictionary):
    """Entries of the ``dictionary`` parameter."""
    if dictionary is None:
        return []
    if isinstance(dictionary, str) and dictionary == "default":
        return _parse_lines(_medical_dictionary_text().splitlines(), "bundled dictionary")
    if isinstance(dictionary, (str, os.PathLike)):
        path = os.fspath(dictionary)
        if not os.path.isfile(path):
            raise ValueError(
                f"dictionary file {path!r} does not exist. Pass 'default', None, a path to a "
                "UTF-8 file with one 'word [freq [tag]]' per line, or a list of terms."
            )
        with open(path, encoding="utf-8") as handle:
            return _parse_lines(handle.read().splitlines(), path)
    if isinstance(dictionary, bytes):
        raise TypeError("dictionary must be 'default', None, a path or a list of str; got bytes.")
    return _parse_lines(list(dictionary), "dictionary list")


def _base_jieba():
    """A private, initialised jieba tokenizer with only jieba's main dictionary."""
    global _BASE
    with _LOCK:
        if _BASE is None:
            import jieba

            jieba.setLogLevel(60)  # silence "Building prefix dict ..." on stderr
            base = jieba.Tokenizer()
            base.initialize()
            _BASE = base
        return _BASE


def _build_jieba(entries, adjust_freq):
    import jieba

    base = _base_jieba()
    tok = jieba.Tokenizer(base.dictionary)
    tok.FREQ = dict(base.FREQ)
    tok.total = base.total
    tok.initialized = True
    for word, freq, tag in entries:
        tok.add_word(word, freq, tag)
    if adjust_freq:
        for word in sorted({word for word, _, _ in entries}, key=len):
            tok.suggest_freq(word, tune=True)
    return tok


def cached_jieba(entries, adjust_freq):
    key = (tuple(entries), bool(adjust_freq))
    with _LOCK:
        if key in _CACHE:
            _CACHE.move_to_end(key)
            return _CACHE[key]
        tok = _build_jieba(entries, adjust_freq)
        _CACHE[key] = tok
        if len(_CACHE) > _CACHE_SIZE:
            _CACHE.popitem(last=False)
        return tok


@functools.lru_cache(maxsize=1)
def default_jieba():
    """The private jieba tokenizer with the bundled medical dictionary, adjusted.

    Used by :func:`~skmedtext.text.segment` at word level. Built on first call and
    kept (re-reading the dictionary on every call cost ~11 ms per text).
    """
    return cached_jieba(read_dictionary("default"), True)
