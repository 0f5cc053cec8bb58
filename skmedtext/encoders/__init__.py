"""Encoder presets, offline loading of local Hugging Face encoders, and building them."""

from skmedtext.encoders._e5 import build_encoder
from skmedtext.encoders._hf_io import build_hf_encoder, save_hf_encoder
from skmedtext.encoders._presets import (
    PRESETS,
    EncoderSpec,
    check_max_length,
    input_embedding_space,
    load_encoder,
    load_tokenizer,
    max_input_length,
    resolve_encoder,
)

__all__ = [
    "PRESETS",
    "build_encoder",
    "build_hf_encoder",
    "check_max_length",
    "EncoderSpec",
    "input_embedding_space",
    "load_encoder",
    "load_tokenizer",
    "max_input_length",
    "resolve_encoder",
    "save_hf_encoder",
]
