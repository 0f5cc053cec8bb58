"""Encoder presets and offline loading of local Hugging Face encoders."""

from skmedtext.encoders._presets import (
    PRESETS,
    EncoderSpec,
    input_embedding_space,
    load_encoder,
    load_tokenizer,
    resolve_encoder,
)

__all__ = [
    "PRESETS",
    "EncoderSpec",
    "input_embedding_space",
    "load_encoder",
    "load_tokenizer",
    "resolve_encoder",
]
