"""Reading an unlabelled pretraining corpus given as texts or as text files."""

import os
from pathlib import Path

from skmedtext.utils import check_texts

__all__ = ["read_corpus"]


def _is_file_like(item):
    if isinstance(item, os.PathLike):
        return True
    # A document never spans lines in the one-per-line file format, so a string with a
    # newline is text; a short string naming an existing file is taken as that file.
    return isinstance(item, str) and "\n" not in item and len(item) < 4096 and os.path.isfile(item)


def _looks_like_path(item):
    # A file name typed by a user ("notes.txt", "data/notes") rather than a document.
    return (
        isinstance(item, str)
        and "\n" not in item
        and len(item) < 4096
        and (item.endswith((".txt", ".csv", ".tsv", ".jsonl")) or os.sep in item or "/" in item)
        and not any(ch.isspace() for ch in item.strip())
    )


def _read_lines(path):
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"corpus file {str(path)!r} does not exist.")
    # utf-8-sig drops the byte-order mark that Windows editors put in front of line 1.
    with open(path, encoding="utf-8-sig") as handle:
        return [line.strip() for line in handle]


def read_corpus(corpus, *, name="corpus"):
    """Return the documents of ``corpus`` as a list of non-empty, stripped strings.

    Parameters
    ----------
    corpus : str, path-like, or sequence of str / path-like
        Either documents (a sequence of strings), or text files in UTF-8 holding one
        document per line (a single path, or a sequence of paths). A sequence is read
        as files when any element is a ``pathlib.Path`` or every string names an
        existing file; then every element must be a file.
    name : str
        Used in error messages.

    Returns
    -------
    documents : list of str
        Blank documents and blank lines are dropped.

    Raises
    ------
    FileNotFoundError
        A path (a ``pathlib.Path``, or a single string that looks like a file name)
        does not exist.
    TypeError
        ``corpus`` is a single document string, bytes, or holds non-strings.
    ValueError
        ``corpus`` is empty, holds only blank documents, has missing values, or mixes
        existing file paths with other strings.

    Examples
    --------
    >>> from skmedtext.pretrain._corpus import read_corpus
    >>> read_corpus(["胸痛三天", "  ", "发热"])
    ['胸痛三天', '发热']
    """
    if isinstance(corpus, os.PathLike) or (isinstance(corpus, str) and _is_file_like(corpus)):
        corpus = [corpus]
    if isinstance(corpus, str) and _looks_like_path(corpus):
        raise FileNotFoundError(f"{name}: corpus file {corpus!r} does not exist.")
    if isinstance(corpus, bytes):
        raise TypeError(
            f"{name} must hold str documents or file paths; got bytes (decode it first)."
        )
    if isinstance(corpus, str):
        raise TypeError(
            f"{name} must be a sequence of documents or of text-file paths; got a single string "
            "that is not an existing file. Wrap a document in a list: [text]."
        )
    items = list(corpus) if not hasattr(corpus, "to_numpy") else list(corpus.to_numpy())
    flags = [_is_file_like(item) for item in items]
    as_files = bool(items) and (all(flags) or any(isinstance(i, os.PathLike) for i in items))
    if not as_files and any(flags):
        # Some strings name files and others do not: most likely a mistyped path, which
        # would otherwise be trained on as if its name were a document.
        missing = [item for item, flag in zip(items, flags) if not flag][:3]
        raise ValueError(
            f"{name} mixes existing file paths with other strings ({missing!r} ...). Pass "
            "either documents or paths of existing text files, not both."
        )
    if as_files:
        documents = []
        for item in items:
            if not isinstance(item, (str, os.PathLike)):
                raise TypeError(f"{name}: expected file paths; found {type(item).__name__}.")
            documents.extend(_read_lines(item))
    else:
        documents = [str(doc).strip() for doc in check_texts(items, estimator_name=name)]
    documents = [doc for doc in documents if doc]
    if not documents:
        raise ValueError(f"{name} holds no non-blank documents.")
    return documents
