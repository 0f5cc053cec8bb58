"""Shared validation helpers (public so that users' own estimators can reuse them)."""

from skmedtext.utils._validation import (
    check_sampler_target,
    check_text_target,
    check_texts,
    resolve_device,
    sequence_mask,
)

__all__ = [
    "check_sampler_target",
    "check_texts",
    "check_text_target",
    "resolve_device",
    "sequence_mask",
]
