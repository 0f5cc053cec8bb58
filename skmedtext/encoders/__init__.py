"""Encoder presets, offline loading of local Hugging Face encoders, and building them."""

from skmedtext.encoders._e5 import build_encoder
from skmedtext.encoders._frozen_stack import (
    FrozenStack,
    clear_frozen_stack_cache,
    encoder_layers,
    frozen_stack_folder,
    run_encoder_layers,
)
from skmedtext.encoders._hf_io import (
    build_hf_encoder,
    load_encoder_state,
    save_encoder_state,
    save_hf_encoder,
)
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
    "EncoderSpec",
    "FrozenStack",
    "frozen_stack_folder",
    "build_encoder",
    "build_hf_encoder",
    "check_max_length",
    "clear_frozen_stack_cache",
    "encoder_layers",
    "input_embedding_space",
    "load_encoder",
    "load_encoder_state",
    "load_tokenizer",
    "max_input_length",
    "resolve_encoder",
    "run_encoder_layers",
    "save_encoder_state",
    "save_hf_encoder",
]
