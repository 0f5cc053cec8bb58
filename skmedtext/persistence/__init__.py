"""Save and load fitted skmedtext torch classifiers in a folder format that runs no code.

``pickle``/``joblib`` work for every skmedtext estimator, but unpickling a file
runs whatever code the file names, so a pickle received from someone else is as
dangerous as a script from them. :func:`save_model` writes a folder that
:func:`load_model` reads with JSON, ``safetensors`` and Hugging Face tokenizer
files only:

``config.json``
    Format name and version, the skmedtext version, the estimator class name,
    its ``get_params()`` (JSON values only), ``classes_`` with their dtype, the
    multi-label state (``thresholds_``, or null for a single-label fit) and the
    class-specific state.
``manifest.json``
    The SHA-256 of every other file, ``config.json`` included, and a digest over
    them that identifies the model (:func:`model_digest`).
``model.safetensors``
    The weights of the trained torch module (``net_.module_.state_dict()``).
``criterion.safetensors``, ``history.json``
    The loss buffers (e.g. class weights) and the skorch training history.
class-specific files
    E.g. ``tokenizer/`` (``save_pretrained``), ``encoder_config.json`` and
    ``vocabulary.json``.

Loading refuses symbolic links, checks the manifest and every hash (the
config's too) before reading a value of the config, then the format, the
versions and the class: the class is looked up among skmedtext's persistable
classes by name, never imported from a name in the file. Any problem is a
``ValueError`` naming it. See ``docs/persistence.md``.
"""

import json
import os
import shutil
import uuid
import warnings
from pathlib import Path

from skmedtext._model_folder import (
    CONFIG_FILE,
    clean_leftovers,
    folder_files,
    is_model_folder,
    leftover_name,
    read_json,
    verify_folder,
    write_manifest,
)
from skmedtext.persistence._values import (
    decode,
    decode_classes,
    decode_multilabel,
    encode,
    encode_classes,
    encode_multilabel,
    encode_params,
    json_default,
)

__all__ = [
    "FORMAT_NAME",
    "FORMAT_VERSION",
    "load_model",
    "model_digest",
    "persistable_classes",
    "save_model",
]

FORMAT_NAME = "skmedtext-model"
#: major.minor; a reader refuses a newer major version, newer minors only add fields.
#: 2.0: config.json is covered by manifest.json; the class is stored by name.
#: 3.0: the ``multilabel`` field (sigmoid head, ``thresholds_``). A major step, not a
#: minor one: a 2.x reader ignoring it would load a multi-label model that predicts
#: one label per text, so it must refuse the folder instead.
FORMAT_VERSION = "3.0"
#: the oldest major format read (1.x configs were not covered by a hash)
_OLDEST_MAJOR = 2
#: what every config.json holds, checked before any value is used
_REQUIRED = {"format": str, "format_version": str, "skmedtext_version": str, "estimator": str,
             "params": dict, "classes": dict, "state": dict}  # fmt: skip
WEIGHTS_FILE = "model.safetensors"
CRITERION_FILE = "criterion.safetensors"
HISTORY_FILE = "history.json"


# -- config and classes -------------------------------------------------------------------
def _read_config(folder):
    path = folder / CONFIG_FILE
    config = read_json(path)
    if not isinstance(config, dict) or config.get("format") != FORMAT_NAME:
        raise ValueError(
            f"{folder} is not a skmedtext model folder (format is not {FORMAT_NAME!r})."
        )
    for key, kind in _REQUIRED.items():
        if not isinstance(config.get(key), kind):
            found = "missing" if key not in config else f"a {type(config[key]).__name__}"
            raise ValueError(
                f"{path}: the field {key!r} must be a {kind.__name__}; it is {found}."
            )
    return config


def _major(version, what):
    try:
        return int(str(version).split(".")[0])
    except ValueError:
        raise ValueError(f"config.json: {what} {version!r} is not a version number.") from None


def _check_versions(config):
    import skmedtext

    found = _major(config["format_version"], "format_version")
    if found > _major(FORMAT_VERSION, "format_version"):
        raise ValueError(
            f"the model was saved in format version {config['format_version']}, newer than the "
            f"{FORMAT_VERSION} this skmedtext {skmedtext.__version__} reads; upgrade skmedtext."
        )
    if found < _OLDEST_MAJOR:
        raise ValueError(
            f"the model was saved in format version {config['format_version']}, whose "
            "config.json is not covered by a hash; load it with the skmedtext that saved it "
            "and save it again."
        )
    saved = config["skmedtext_version"]
    if _major(saved, "skmedtext_version") > _major(skmedtext.__version__, "skmedtext_version"):
        raise ValueError(
            f"the model was saved by skmedtext {saved}, a newer major version than the installed "
            f"{skmedtext.__version__}; upgrade skmedtext."
        )


def persistable_classes():
    """The classes :func:`save_model` stores, by name: ``{class name: class}``.

    :func:`load_model` looks the saved class name up here and nowhere else: a
    name in a file never causes an import. A class is persistable when
    :mod:`skmedtext.models` exports it and it is a torch classifier implementing
    the ``_persist_state`` hook.

    Returns
    -------
    classes : dict of str -> type

    Examples
    --------
    >>> from skmedtext.persistence import persistable_classes
    >>> "DMTBertClassifier" in persistable_classes()
    True
    """
    from skmedtext import models
    from skmedtext.training import BaseTextClassifier

    base = BaseTextClassifier._persist_state
    exported = {name: getattr(models, name) for name in models.__all__}
    return {
        name: cls
        for name, cls in exported.items()
        if isinstance(cls, type)
        and issubclass(cls, BaseTextClassifier)
        and cls._persist_state is not base
    }


def _resolve_class(name):
    """The persistable class named ``name`` (a class name, or a dotted path ending in one)."""
    registry = persistable_classes()
    cls = registry.get(name.rpartition(".")[2]) if isinstance(name, str) else None
    if cls is None:
        raise ValueError(
            f"config.json names the estimator {name!r}, which is not one of the classes "
            f"save_model stores ({', '.join(sorted(registry))})."
        )
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
    estimator : DMTBertClassifier, HybridBertClassifier, a sequence classifier or a tagger
        A fitted skmedtext neural text classifier (a subclass of
        :class:`skmedtext.training.BaseTextClassifier`), single- or multi-label
        (then ``thresholds_`` is stored with it). Every parameter must be a JSON
        value (None, bool, int, float, str, list, tuple, dict, path).
    path : str or path-like
        The folder to create. It is written next to its final place and renamed
        into place at the end, so an interrupted save never leaves a half model.
    overwrite : bool, default=False
        Replace an existing model folder at ``path``. Only a folder that
        ``save_model`` wrote (its ``config.json`` names the format) is replaced;
        any other folder or file is refused, so user files are never deleted.

    Returns
    -------
    path : pathlib.Path
        The folder written.

    Raises
    ------
    ValueError
        If a parameter or class label is not a JSON value (the message names it).
    FileExistsError
        If ``path`` exists and ``overwrite`` is False, or ``path`` is not a model
        folder (a folder of other files, a file).

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

    if not isinstance(estimator, BaseTextClassifier) or (
        type(estimator) not in persistable_classes().values()
    ):
        raise TypeError(
            "save_model saves skmedtext's torch classifiers and taggers (DMTBertClassifier, the "
            f"sequence classifiers, the taggers); got {type(estimator).__name__}. Use joblib for other estimators and "
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
        # the public import path; load_model uses only the class name after the last dot
        "estimator": f"{'.'.join(cls.__module__.split('.')[:2])}.{cls.__name__}",
        "params": encode_params(estimator),
        "classes": encode_classes(estimator.classes_),
        "multilabel": encode_multilabel(estimator),
    }
    path = Path(path)
    _check_target(path, overwrite)
    path.parent.mkdir(parents=True, exist_ok=True)
    clean_leftovers(path)
    tmp = leftover_name(path, "saving", uuid.uuid4().hex[:8])
    tmp.mkdir()
    try:
        config["state"] = encode(estimator._persist_state(tmp), "state")
        _save_tensors(estimator.net_.module_.state_dict(), tmp / WEIGHTS_FILE)
        criterion = getattr(estimator.net_, "criterion_", None)
        if criterion is not None and criterion.state_dict():
            _save_tensors(criterion.state_dict(), tmp / CRITERION_FILE)
        _save_history(estimator.net_.history, tmp / HISTORY_FILE)
        text = json.dumps(config, indent=1, ensure_ascii=False)
        (tmp / CONFIG_FILE).write_text(text, encoding="utf-8")
        write_manifest(tmp)
        _sync(tmp)
        _move_into_place(tmp, path)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return path


def _check_target(path, overwrite):
    if not path.exists() and not path.is_symlink():
        return
    empty = path.is_dir() and not path.is_symlink() and not any(path.iterdir())
    if empty:
        return
    if not overwrite:
        raise FileExistsError(f"{path} exists; pass overwrite=True to replace it.")
    if not is_model_folder(path, FORMAT_NAME):
        raise FileExistsError(
            f"{path} is not a skmedtext model folder (no config.json of format {FORMAT_NAME!r}); "
            "overwrite=True only replaces a saved model. Choose another path or remove it yourself."
        )


def _sync(folder):
    from skmedtext.utils import fsync_path

    for name in folder_files(folder):
        fsync_path(folder / name)
    fsync_path(folder / "manifest.json")
    fsync_path(folder)


def _save_history(history, path):
    try:
        text = json.dumps(history.to_list(), default=json_default)
    except (TypeError, ValueError) as exc:
        warnings.warn(f"the training history is not JSON-able ({exc}); not saved.", stacklevel=3)
        return
    path.write_text(text, encoding="utf-8")


def _move_into_place(tmp, path):
    if path.exists():
        old = leftover_name(path, "old", uuid.uuid4().hex[:8])
        os.replace(path, old)
        os.replace(tmp, path)
        shutil.rmtree(old, ignore_errors=True)
    else:
        os.replace(tmp, path)


def model_digest(path):
    """The digest that identifies a saved model folder (after checking the whole folder).

    It covers every file, ``config.json`` included. Publish it through a channel
    you trust and pass it to ``load_model(expected_digest=...)``: unlike the
    hashes inside the folder, it cannot be rewritten together with the files.

    Parameters
    ----------
    path : str or path-like

    Returns
    -------
    digest : str
        64 hexadecimal characters.

    Raises
    ------
    ValueError
        If the folder fails the checks of :func:`load_model`'s first step.
    """
    folder = Path(path)
    if not folder.is_dir():
        raise FileNotFoundError(f"no model folder at {folder}.")
    return verify_folder(folder)


def load_model(path, expected_class=None, *, device=None, expected_digest=None):
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
    expected_digest : str or None, default=None
        Refuse the folder unless its :func:`model_digest` is this one.

    Returns
    -------
    estimator : the saved classifier, fitted
        ``predict_proba`` gives the same probabilities as the saved estimator.

    Raises
    ------
    ValueError
        If the folder holds a symbolic link, a file is missing, unlisted,
        truncated or modified (its SHA-256, config.json's included, differs from
        manifest.json), the digest is not ``expected_digest``, the folder is not
        a skmedtext model, names a class save_model does not store or another
        than ``expected_class``, was written by another major format or a newer
        major skmedtext, or a config field is missing or invalid.

    Examples
    --------
    >>> from skmedtext.models import DMTBertClassifier
    >>> from skmedtext.persistence import load_model
    >>> clf = load_model("my-model", expected_class=DMTBertClassifier)  # doctest: +SKIP
    """

    folder = Path(path)
    if not folder.is_dir():
        raise FileNotFoundError(f"no model folder at {folder}.")
    # every byte is checked before one value of the config is used
    verify_folder(folder, expected_digest)
    config = _read_config(folder)
    _check_versions(config)
    cls = _resolve_class(config["estimator"])
    if expected_class is not None and not issubclass(cls, expected_class):
        names = (
            " or ".join(c.__name__ for c in expected_class)
            if isinstance(expected_class, tuple)
            else expected_class.__name__
        )
        raise ValueError(f"{folder} holds a {cls.__name__}, not a {names}.")
    estimator = _construct(cls, config, device)
    try:
        _restore(estimator, config, folder)
    except ValueError:
        raise
    except Exception as exc:  # a forged but well-formed config that does not fit the class
        raise ValueError(
            f"{folder}: the saved state does not fit a {cls.__name__} ({type(exc).__name__}: "
            f"{exc})."
        ) from exc
    return estimator


def _construct(cls, config, device):
    params = decode(config["params"])
    if device is not None:
        params["device"] = device
    try:
        estimator = cls(**params)
        estimator._validate_params()
    except (TypeError, ValueError) as exc:
        raise ValueError(f"config.json parameters do not fit {cls.__name__}: {exc}") from exc
    estimator.classes_ = decode_classes(config["classes"])
    entry = _multilabel_entry(config)
    # before the net is rebuilt: multilabel_ selects its sigmoid output and loss
    estimator.multilabel_ = entry is not None
    if entry is not None:
        estimator.thresholds_ = decode_multilabel(entry, len(estimator.classes_))
    return estimator


def _multilabel_entry(config):
    """The ``multilabel`` field: None (single-label) or a dict; format 3 always holds it."""
    if _major(config["format_version"], "format_version") < 3:
        if "multilabel" in config:
            raise ValueError("config.json: format 2 has no 'multilabel' field; it holds one.")
        return None
    if "multilabel" not in config:
        raise ValueError("config.json: the field 'multilabel' must be a dict or null; it is missing.")
    entry = config["multilabel"]
    if entry is not None and not isinstance(entry, dict):
        raise ValueError(
            f"config.json: the field 'multilabel' must be a dict or null; it is a "
            f"{type(entry).__name__}."
        )
    return entry


def _restore(estimator, config, folder):
    import torch

    # building a module draws random initial weights: keep the caller's RNG untouched
    with torch.random.fork_rng(devices=[]):
        module = estimator._restore_module(decode(config["state"]), folder)
    criterion_file, history_file = folder / CRITERION_FILE, folder / HISTORY_FILE
    criterion_state = _load_tensors(criterion_file) if criterion_file.is_file() else None
    history = None
    if history_file.is_file():
        history = json.loads(history_file.read_text(encoding="utf-8"))
    try:
        weights = _load_tensors(folder / WEIGHTS_FILE)
        estimator._restore_net(module, weights, criterion_state, history)
    except RuntimeError as exc:  # load_state_dict: missing/unexpected keys or shapes
        raise ValueError(
            f"{folder}: the saved weights do not fit the {type(estimator).__name__} module: {exc}"
        ) from exc
