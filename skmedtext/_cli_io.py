"""Input and output files of the command line, checked before any work starts.

The rules: an output never replaces an input; an existing output is replaced only
with ``--force``, and then atomically (a failed write leaves the old file); the
output folder is created and tried before the model is trained; every problem of
an input file is a :class:`CommandError` (one line on stderr, exit status 2).
"""

import os
import tempfile
from pathlib import Path

__all__ = [
    "CommandError",
    "check_output",
    "read_csv",
    "read_lines",
    "require_two_classes",
    "write_atomic",
]

# encodings Chinese and Western spreadsheets commonly save CSV files in; only used
# to name the likely encoding of a file that is not UTF-8
_LIKELY_ENCODINGS = ("gb18030", "big5", "shift_jis", "cp1252")


class CommandError(Exception):
    """A user error: printed as one line, exit status 2."""


def _same_file(a, b):
    if a.resolve() == b.resolve():
        return True
    try:
        return a.exists() and b.exists() and os.path.samefile(a, b)
    except OSError:
        return False


def check_output(out, inputs, *, force, flag="--out"):
    """Check (and prepare) the output file ``out`` before any work.

    Parameters
    ----------
    out : str or path-like
    inputs : dict of str -> path-like
        The command's input files by flag name (``{"--csv": ...}``).
    force : bool
        Replace an existing ``out``.
    flag : str
        The option naming ``out``, for messages.

    Returns
    -------
    out : pathlib.Path

    Raises
    ------
    CommandError
        If ``out`` is one of the inputs, a folder, exists without ``force``, or its
        folder cannot be created or written to.
    """
    out = Path(out).expanduser()
    for name, path in inputs.items():
        if path is not None and _same_file(out, Path(path).expanduser()):
            raise CommandError(
                f"{flag} {out} is the same file as {name}; writing it would destroy the input. "
                "Choose another output path."
            )
    if out.is_dir():
        raise CommandError(f"{flag} {out} is a folder; give a file path.")
    if out.exists() and not force:
        raise CommandError(f"{flag} {out} already exists; pass --force to replace it.")
    folder = out.parent
    try:
        folder.mkdir(parents=True, exist_ok=True)
        # os.access says yes to root on a read-only mount: try a real file instead
        with tempfile.TemporaryFile(dir=folder):
            pass
    except OSError as exc:
        raise CommandError(f"cannot write to the folder of {flag} {out}: {exc.strerror or exc}.")
    return out


def write_atomic(out, write):
    """Call ``write(temporary_path)``, then rename it to ``out``: never a half-written file.

    An ``OSError`` (disk full, permissions) becomes a :class:`CommandError`; the
    temporary file is removed and an existing ``out`` is left as it was.
    """
    out = Path(out)
    fd, tmp = tempfile.mkstemp(dir=out.parent, prefix=f".{out.name}.", suffix=".tmp")
    os.close(fd)
    try:
        write(tmp)
        os.replace(tmp, out)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        kept = "the previous file is unchanged" if out.exists() else "nothing was written"
        raise CommandError(f"could not write {out}: {exc.strerror or exc}; {kept}.") from None
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return out


def _encoding_problem(path):
    raw = Path(path).read_bytes()
    try:
        raw.decode("utf-8")
        where = ""
    except UnicodeDecodeError as exc:  # the file offset (a reader's error counts per chunk)
        where = f" (byte 0x{raw[exc.start]:02x} at offset {exc.start})"
    likely = next((e for e in _LIKELY_ENCODINGS if _decodes(raw, e)), None)
    guess = f"; it decodes as {likely}" if likely else ""
    return CommandError(
        f"{path} is not UTF-8{where}{guess}. Files must be UTF-8: convert it, e.g. "
        f"iconv -f {likely or 'ITS-ENCODING'} -t UTF-8 {path} > converted.csv"
    )


def _decodes(raw, encoding):
    try:
        raw.decode(encoding)
    except UnicodeDecodeError:
        return False
    return True


def read_csv(path, columns):
    """Read a UTF-8 CSV that has ``columns`` and at least one data row.

    Raises
    ------
    CommandError
        For a missing, empty, header-only, unparsable or non-UTF-8 file, or a
        missing column (the message lists the columns present).
    """
    import pandas as pd

    path = Path(path).expanduser()
    if not path.is_file():
        raise CommandError(f"CSV file not found: {path}")
    try:
        frame = pd.read_csv(path, encoding="utf-8", encoding_errors="strict")
    except UnicodeDecodeError:
        raise _encoding_problem(path) from None
    except pd.errors.EmptyDataError:
        raise CommandError(f"{path} is empty (no header, no rows).") from None
    except (pd.errors.ParserError, ValueError) as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise CommandError(f"{path} is not a readable CSV file: {first}") from None
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise CommandError(
            f"column(s) {missing} not in {path}; available columns: {list(frame.columns)}"
        )
    if frame.empty:
        raise CommandError(f"{path} has a header but no data rows.")
    return frame


def require_two_classes(frame, text_col, label_col, path):
    """The rows with a text and a label; a CommandError unless they hold 2+ classes."""
    frame = frame.dropna(subset=[text_col, label_col])
    if frame.empty:
        raise CommandError(f"{path}: no row has both a {text_col!r} text and a {label_col!r} label.")
    classes = frame[label_col].unique()
    if len(classes) < 2:
        raise CommandError(
            f"{path}: column {label_col!r} holds a single class ({classes[0]!r}) in "
            f"{len(frame)} row(s); a classifier needs at least 2 classes."
        )
    return frame


def read_lines(paths):
    """The non-blank lines of UTF-8 text files (a corpus), stripped."""
    texts = []
    for path in paths:
        path = Path(path).expanduser()
        if not path.is_file():
            raise CommandError(f"corpus file not found: {path}")
        try:
            with open(path, encoding="utf-8") as handle:
                texts.extend(line.strip() for line in handle if line.strip())
        except UnicodeDecodeError:
            raise _encoding_problem(path) from None
    return texts
