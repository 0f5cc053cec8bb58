"""Save a Hugging Face encoder's configuration and tokenizer as plain files, and rebuild it.

Used by the persistence hooks of the classifiers that hold an encoder (DMT-BERT,
sequence models on transformer states): the configuration is JSON, the tokenizer
``save_pretrained`` files, and the weights travel in the owner's own safetensors
file, so that loading runs no code.
"""

import json
from pathlib import Path

import numpy as np

__all__ = ["build_hf_encoder", "load_encoder_state", "save_encoder_state", "save_hf_encoder"]


def _json_default(value):
    if isinstance(value, np.generic):
        return value.item()
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def save_hf_encoder(model, tokenizer, folder, prefix):
    """Save a Hugging Face encoder's config (JSON) and tokenizer under ``folder``.

    Parameters
    ----------
    model : transformers.PreTrainedModel
        The encoder; its weights are not written here (the owner saves them).
    tokenizer : transformers tokenizer
    folder : str or path-like
        An existing folder.
    prefix : str
        Files are named ``{prefix}_config.json`` and ``{prefix}_tokenizer/``.

    Returns
    -------
    state : dict
        JSON-able state that :func:`build_hf_encoder` needs.
    """
    folder = Path(folder)
    config = model.config.to_dict()
    (folder / f"{prefix}_config.json").write_text(
        json.dumps(config, indent=1, sort_keys=True, default=_json_default), encoding="utf-8"
    )
    tokenizer.save_pretrained(str(folder / f"{prefix}_tokenizer"))
    kwargs = {}
    if getattr(model, "pooler", "absent") is None:  # e.g. BertModel(add_pooling_layer=False)
        kwargs["add_pooling_layer"] = False
    return {"prefix": prefix, "model_kwargs": kwargs}


def build_hf_encoder(state, folder):
    """``(tokenizer, model)`` rebuilt from :func:`save_hf_encoder`'s files, untrained.

    ``AutoModel.from_config`` builds the architecture with random weights (the
    caller loads the saved ones); ``trust_remote_code`` stays off, so a config can
    only name architectures that ship with transformers.

    Parameters
    ----------
    state : dict
        What :func:`save_hf_encoder` returned.
    folder : str or path-like
        The folder it wrote into.

    Returns
    -------
    tokenizer, model
        The tokenizer and an encoder in eval mode with random weights.

    Raises
    ------
    ValueError
        When the configuration names no model type or asks for remote code.
    """
    from transformers import AutoConfig, AutoModel, AutoTokenizer

    folder = Path(folder)
    prefix = state["prefix"]
    config_dict = json.loads((folder / f"{prefix}_config.json").read_text(encoding="utf-8"))
    if not isinstance(config_dict, dict) or "model_type" not in config_dict:
        raise ValueError(f"{folder}: {prefix}_config.json has no model_type.")
    if config_dict.get("auto_map"):
        raise ValueError(f"{folder}: {prefix}_config.json asks for remote code (auto_map).")
    config_dict = dict(config_dict)
    model_type = config_dict.pop("model_type")
    config = AutoConfig.for_model(model_type, **config_dict)
    model = AutoModel.from_config(config, trust_remote_code=False, **state.get("model_kwargs", {}))
    model.eval()
    tokenizer = AutoTokenizer.from_pretrained(
        str(folder / f"{prefix}_tokenizer"), local_files_only=True, trust_remote_code=False
    )
    return tokenizer, model


def save_encoder_state(model, tokenizer, spec, folder):
    """The persistence state of an estimator's encoder: its files and its preset.

    Every estimator that owns a Hugging Face encoder saves it this way (the
    weights travel in the estimator's own safetensors file).

    Parameters
    ----------
    model : transformers.PreTrainedModel
    tokenizer : transformers tokenizer
    spec : EncoderSpec
        What :func:`~skmedtext.encoders.load_encoder` resolved.
    folder : str or path-like
        An existing folder; files are named ``encoder_config.json`` and
        ``encoder_tokenizer/``.

    Returns
    -------
    state : dict
        ``{"encoder": ..., "encoder_spec": ...}``, JSON-able; the input of
        :func:`load_encoder_state`.
    """
    from dataclasses import asdict

    return {
        "encoder": save_hf_encoder(model, tokenizer, folder, "encoder"),
        "encoder_spec": asdict(spec),
    }


def load_encoder_state(state, folder):
    """``(spec, tokenizer, model)`` from :func:`save_encoder_state`'s state; random weights.

    Parameters
    ----------
    state : dict
        A mapping holding the ``"encoder"`` and ``"encoder_spec"`` entries.
    folder : str or path-like
        The folder the state was saved in.

    Returns
    -------
    spec : EncoderSpec
    tokenizer : transformers tokenizer
    model : transformers.PreTrainedModel
        In eval mode, with random weights until the owner loads its own.
    """
    from skmedtext.encoders._presets import EncoderSpec

    tokenizer, model = build_hf_encoder(state["encoder"], folder)
    return EncoderSpec(**state["encoder_spec"]), tokenizer, model
