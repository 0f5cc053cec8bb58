"""Save and load fitted skmedtext torch classifiers in a folder format that runs no code.

``pickle``/``joblib`` work for every skmedtext estimator, but unpickling a file
runs whatever code the file names, so a pickle received from someone else is as
dangerous as a script from them. :func:`save_model` writes a folder that
:func:`load_model` reads with JSON, ``safetensors`` and Hugging Face tokenizer
files only:

``config.json``
    Format name and version, the skmedtext version, the estimator class, its
    ``get_params()`` (JSON values only), ``classes_`` with their dtype, the
    class-specific state and the SHA-256 of every other file.
``model.safetensors``
    The weights of the trained torch module (``net_.module_.state_dict()``).
``criterion.safetensors``, ``history.json``
    The loss buffers (e.g. class weights) and the skorch training history.
class-specific files
    E.g. ``tokenizer/`` (``save_pretrained``), ``encoder_config.json`` and
    ``vocabulary.json``.

Loading checks the format, the versions, the class (``expected_class``) and
every hash before reading anything else; any mismatch is a ``ValueError``
naming the problem. See ``docs/persistence.md``.
"""

import hashlib
import json
import math
import os
import shutil
import uuid
import warnings
from pathlib import Path, PurePosixPath

import numpy as np

__all__ = ["FORMAT_NAME", "FORMAT_VERSION", "load_model", "save_model"]

FORMAT_NAME = "skmedtext-model"
#: major.minor; a reader refuses a newer major version, newer minors only add fields
FORMAT_VERSION = "1.0"
CONFIG_FILE = "config.json"
WEIGHTS_FILE = "model.safetensors"
CRITERION_FILE = "criterion.safetensors"
HISTORY_FILE = "history.json"
_TAGS = ("__tuple__", "__path__")


# -- JSON encoding of parameters and labels ------------------------------------------------
def _encode(value, where):
    """JSON form of a parameter value; tuples and paths are tagged to come back as such."""
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, (np.bool_,)):
        return bool(value)
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        if not math.isfinite(value):
            raise ValueError(f"{where} = {value!r} is not finite and cannot be stored in JSON.")
        return float(value)
    if isinstance(value, os.PathLike):
        return {"__path__": os.fspath(value)}
    if isinstance(value, tuple):
        return {"__tuple__": [_encode(v, f"{where}[{i}]") for i, v in enumerate(value)]}
    if isinstance(value, list):
        return [_encode(v, f"{where}[{i}]") for i, v in enumerate(value)]
    if isinstance(value, dict):
        out = {}
        for key, v in value.items():
            if not isinstance(key, str) or key in _TAGS:
                raise ValueError(
                    f"{where} has the key {key!r}; only str keys (not {_TAGS}) are stored."
                )
            out[key] = _encode(v, f"{where}[{key!r}]")
        return out
    raise ValueError(
        f"{where} = {value!r} ({type(value).__name__}) cannot be stored in JSON. save_model "
        "keeps only None, bool, int, float, str, lists, tuples, dicts with str keys and paths, "
        "so that loading runs no code. Set a JSON-able value before saving (e.g. "
        "set_params(callbacks=None)), or use pickle/joblib for files you trust."
    )


def _decode(value):
    if isinstance(value, list):
        return [_decode(v) for v in value]
    if isinstance(value, dict):
        if set(value) == {"__tuple__"}:
            return tuple(_decode(v) for v in value["__tuple__"])
        if set(value) == {"__path__"}:
            return Path(value["__path__"])
        return {k: _decode(v) for k, v in value.items()}
    return value


def _encode_params(estimator):
    name = type(estimator).__name__
    return {
        key: _encode(value, f"{name} parameter {key!r}")
        for key, value in estimator.get_params(deep=False).items()
    }


def _encode_classes(classes):
    classes = np.asarray(classes)
    if classes.dtype.kind not in "biufUO":
        raise ValueError(f"classes_ of dtype {classes.dtype} cannot be stored in JSON.")
    values = classes.tolist()
    for label in values:
        if not isinstance(label, (bool, int, float, str)):
            raise ValueError(
                f"class label {label!r} ({type(label).__name__}) cannot be stored in JSON; use str "
                "or int labels."
            )
    return {"dtype": classes.dtype.str, "values": values}


def _decode_classes(entry):
    dtype = np.dtype(entry["dtype"])
    if dtype.kind not in "biufUO":
        raise ValueError(f"config.json: unsupported classes dtype {entry['dtype']!r}.")
    if dtype.kind == "O":
        classes = np.empty(len(entry["values"]), dtype=object)
        classes[:] = entry["values"]
        return classes
    return np.asarray(entry["values"], dtype=dtype)


def _json_default(value):
    if isinstance(value, np.generic):
        return value.item()
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


# -- files and hashes ----------------------------------------------------------------------
def _sha256(path):
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _listed_files(folder):
    return sorted(
        p.relative_to(folder).as_posix()
        for p in folder.rglob("*")
        if p.is_file() and p.relative_to(folder).as_posix() != CONFIG_FILE
    )


def _verify_files(folder, files):
    if not isinstance(files, dict) or WEIGHTS_FILE not in files:
        raise ValueError(f"{folder}: config.json lists no {WEIGHTS_FILE}; the folder is damaged.")
    for name, expected in files.items():
        rel = PurePosixPath(name)
        if rel.is_absolute() or ".." in rel.parts:
            raise ValueError(f"{folder}: config.json lists the file {name!r} outside the folder.")
        path = folder / rel
        if not path.is_file():
            raise ValueError(f"{folder}: the file {name!r} listed in config.json is missing.")
        if _sha256(path) != expected:
            raise ValueError(
                f"{folder}: {name!r} does not match its SHA-256 in config.json; the file is "
                "truncated, damaged or was modified after saving. Do not use it."
            )
    unexpected = sorted(set(_listed_files(folder)) - set(files))
    if unexpected:
        raise ValueError(
            f"{folder}: files {unexpected} were not written by save_model (not listed in "
            "config.json); remove them or save the model again."
        )


def _read_config(folder):
    path = folder / CONFIG_FILE
    if not path.is_file():
        raise ValueError(f"{folder} is not a skmedtext model folder: it has no {CONFIG_FILE}.")
    try:
        config = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ValueError(f"{path} is not valid JSON ({exc}); the folder is damaged.") from exc
    if not isinstance(config, dict) or config.get("format") != FORMAT_NAME:
        raise ValueError(
            f"{folder} is not a skmedtext model folder (format is not {FORMAT_NAME!r})."
        )
    return config


def _major(version, what):
    try:
        return int(str(version).split(".")[0])
    except ValueError:
        raise ValueError(f"config.json: {what} {version!r} is not a version number.") from None


def _check_versions(config):
    import skmedtext

    found = _major(config.get("format_version"), "format_version")
    if found > _major(FORMAT_VERSION, "format_version"):
        raise ValueError(
            f"the model was saved in format version {config['format_version']}, newer than the "
            f"{FORMAT_VERSION} this skmedtext {skmedtext.__version__} reads; upgrade skmedtext."
        )
    saved = config.get("skmedtext_version", "0")
    if _major(saved, "skmedtext_version") > _major(skmedtext.__version__, "skmedtext_version"):
        raise ValueError(
            f"the model was saved by skmedtext {saved}, a newer major version than the installed "
            f"{skmedtext.__version__}; upgrade skmedtext."
        )


def _resolve_class(path):
    """The estimator class named in config.json, restricted to skmedtext's torch classifiers."""
    import importlib

    from skmedtext.training import BaseTextClassifier

    module_name, _, class_name = str(path).rpartition(".")
    if not module_name.startswith("skmedtext.") or not class_name.isidentifier():
        raise ValueError(f"config.json names the estimator {path!r}, not a skmedtext class.")
    try:
        cls = getattr(importlib.import_module(module_name), class_name)
    except (ImportError, AttributeError) as exc:
        raise ValueError(
            f"config.json names the estimator {path!r}, unknown to this skmedtext."
        ) from exc
    if not (isinstance(cls, type) and issubclass(cls, BaseTextClassifier)):
        raise ValueError(f"config.json names {path!r}, which is not a skmedtext torch classifier.")
    return cls


# -- safetensors ---------------------------------------------------------------------------
def _save_tensors(state_dict, path):
    from safetensors.torch import save_file

    # clone: safetensors refuses tensors sharing memory, and saves CPU tensors
    tensors = {k: v.detach().to("cpu").clone().contiguous() for k, v in state_dict.items()}
    save_file(tensors, str(path), metadata={"format": "pt"})


def _load_tensors(path):
    from safetensors import SafetensorError
    from safetensors.torch import load_file

    try:
        return load_file(str(path), device="cpu")
    except (SafetensorError, OSError, ValueError) as exc:
        raise ValueError(f"{path} is not a readable safetensors file ({exc}).") from exc


# -- public API ------------------------------------------------------------------------------
def save_model(estimator, path, *, overwrite=False):
    """Save a fitted skmedtext torch classifier into a folder that loads without running code.

    Parameters
    ----------
    estimator : DMTBertClassifier or a sequence classifier
        A fitted skmedtext neural text classifier (a subclass of
        :class:`skmedtext.training.BaseTextClassifier`). Every parameter must be a
        JSON value (None, bool, int, float, str, list, tuple, dict, path).
    path : str or path-like
        The folder to create. It is written next to its final place and renamed
        into place at the end, so an interrupted save never leaves a half model.
    overwrite : bool, default=False
        Replace an existing folder at ``path``.

    Returns
    -------
    path : pathlib.Path
        The folder written.

    Raises
    ------
    ValueError
        If a parameter or class label is not a JSON value (the message names it).
    FileExistsError
        If ``path`` exists and ``overwrite`` is False.

    Examples
    --------
    >>> from skmedtext.models import TextCNNClassifier
    >>> from skmedtext.persistence import load_model, save_model
    >>> texts = ["胸痛胸闷三天", "心慌胸闷气短", "胃痛腹泻两天", "腹胀胃痛反酸"] * 4
    >>> labels = ["心内科", "心内科", "消化科", "消化科"] * 4
    >>> clf = TextCNNClassifier(filters=8, max_epochs=1, random_state=0).fit(texts, labels)
    >>> import tempfile, os
    >>> folder = save_model(clf, os.path.join(tempfile.mkdtemp(), "triage-model"))
    >>> bool((load_model(folder).predict(texts) == clf.predict(texts)).all())
    True
    """
    import skmedtext
    from skmedtext.training import BaseTextClassifier

    if not isinstance(estimator, BaseTextClassifier):
        raise TypeError(
            "save_model saves skmedtext's torch classifiers (DMTBertClassifier, the sequence "
            f"classifiers); got {type(estimator).__name__}. Use joblib for other estimators and "
            "pipelines (load such files only from sources you trust)."
        )
    if not hasattr(estimator, "net_"):
        raise ValueError(
            f"this {type(estimator).__name__} is not fitted yet; call fit before save_model."
        )
    cls = type(estimator)
    config = {
        "format": FORMAT_NAME,
        "format_version": FORMAT_VERSION,
        "skmedtext_version": skmedtext.__version__,
        "estimator": f"{cls.__module__}.{cls.__qualname__}",
        "params": _encode_params(estimator),
        "classes": _encode_classes(estimator.classes_),
    }
    path = Path(path)
    if path.exists() and not overwrite and (not path.is_dir() or any(path.iterdir())):
        raise FileExistsError(f"{path} exists; pass overwrite=True to replace it.")
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.parent / f".{path.name}.saving-{uuid.uuid4().hex[:8]}"
    tmp.mkdir()
    try:
        config["state"] = _encode(estimator._persist_state(tmp), "state")
        _save_tensors(estimator.net_.module_.state_dict(), tmp / WEIGHTS_FILE)
        criterion = getattr(estimator.net_, "criterion_", None)
        if criterion is not None and criterion.state_dict():
            _save_tensors(criterion.state_dict(), tmp / CRITERION_FILE)
        _save_history(estimator.net_.history, tmp / HISTORY_FILE)
        config["files"] = {name: _sha256(tmp / name) for name in _listed_files(tmp)}
        text = json.dumps(config, indent=1, ensure_ascii=False)
        (tmp / CONFIG_FILE).write_text(text, encoding="utf-8")
        _move_into_place(tmp, path)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return path


def _save_history(history, path):
    try:
        text = json.dumps(history.to_list(), default=_json_default)
    except (TypeError, ValueError) as exc:
        warnings.warn(f"the training history is not JSON-able ({exc}); not saved.", stacklevel=3)
        return
    path.write_text(text, encoding="utf-8")


def _move_into_place(tmp, path):
    if path.exists():
        old = path.parent / f".{path.name}.old-{uuid.uuid4().hex[:8]}"
        os.replace(path, old)
        os.replace(tmp, path)
        shutil.rmtree(old, ignore_errors=True)
    else:
        os.replace(tmp, path)


def load_model(path, expected_class=None, *, device=None):
    """Load a classifier saved by :func:`save_model`, reading only JSON, safetensors and tokenizers.

    Parameters
    ----------
    path : str or path-like
        The folder written by :func:`save_model`.
    expected_class : class, tuple of classes or None, default=None
        Refuse the folder unless it holds an instance of (a subclass of) this.
    device : str or None, default=None
        Override the saved ``device`` parameter (e.g. ``"cpu"`` for a model trained
        with ``device="cuda"``).

    Returns
    -------
    estimator : the saved classifier, fitted
        ``predict_proba`` gives the same probabilities as the saved estimator.

    Raises
    ------
    ValueError
        If the folder is not a skmedtext model, holds another class than
        ``expected_class``, was written by a newer major format or skmedtext
        version, or a file is missing, unlisted, truncated or modified (its
        SHA-256 differs from config.json).

    Examples
    --------
    >>> from skmedtext.models import DMTBertClassifier
    >>> from skmedtext.persistence import load_model
    >>> clf = load_model("my-model", expected_class=DMTBertClassifier)  # doctest: +SKIP
    """
    import torch

    folder = Path(path)
    if not folder.is_dir():
        raise FileNotFoundError(f"no model folder at {folder}.")
    config = _read_config(folder)
    _check_versions(config)
    cls = _resolve_class(config.get("estimator"))
    if expected_class is not None and not issubclass(cls, expected_class):
        names = (
            " or ".join(c.__name__ for c in expected_class)
            if isinstance(expected_class, tuple)
            else expected_class.__name__
        )
        raise ValueError(f"{folder} holds a {cls.__name__}, not a {names}.")
    _verify_files(folder, config.get("files"))
    params = _decode(config["params"])
    if device is not None:
        params["device"] = device
    try:
        estimator = cls(**params)
    except TypeError as exc:
        raise ValueError(f"config.json parameters do not fit {cls.__name__}: {exc}") from exc
    estimator.classes_ = _decode_classes(config["classes"])
    # building a module draws random initial weights: keep the caller's RNG untouched
    with torch.random.fork_rng(devices=[]):
        module = estimator._restore_module(_decode(config.get("state", {})), folder)
    files = config["files"]
    criterion_state = _load_tensors(folder / CRITERION_FILE) if CRITERION_FILE in files else None
    history = None
    if HISTORY_FILE in files:
        history = json.loads((folder / HISTORY_FILE).read_text(encoding="utf-8"))
    try:
        weights = _load_tensors(folder / WEIGHTS_FILE)
        estimator._restore_net(module, weights, criterion_state, history)
    except RuntimeError as exc:  # load_state_dict: missing/unexpected keys or shapes
        raise ValueError(
            f"{folder}: the saved weights do not fit the {cls.__name__} module: {exc}"
        ) from exc
    return estimator
