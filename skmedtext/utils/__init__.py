"""Shared helpers (public so that users' own estimators can reuse them)."""

from skmedtext.utils._checkpoint import (
    atomic_torch_save,
    claim_checkpoint_folder,
    fsync_path,
    params_digest,
)
from skmedtext.utils._device import (
    cpu_description,
    cpu_has_bf16,
    resolve_bf16,
    resolve_device,
)
from skmedtext.utils._discovery import all_estimators
from skmedtext.utils._home import get_skmedtext_home
from skmedtext.utils._multilabel import (
    check_indicator,
    check_multilabel_target,
    draw_seed_rows,
    is_multilabel_target,
    label_imbalance,
    multilabel_sampling_targets,
)
from skmedtext.utils._random import int_seed
from skmedtext.utils._shapes import round_up, sequence_mask
from skmedtext.utils._tags import TextInputMixin
from skmedtext.utils._validation import check_sampler_target, check_text_target, check_texts

__all__ = [
    "TextInputMixin",
    "all_estimators",
    "atomic_torch_save",
    "check_indicator",
    "check_multilabel_target",
    "check_sampler_target",
    "check_text_target",
    "check_texts",
    "claim_checkpoint_folder",
    "cpu_description",
    "cpu_has_bf16",
    "fsync_path",
    "get_skmedtext_home",
    "draw_seed_rows",
    "int_seed",
    "is_multilabel_target",
    "label_imbalance",
    "multilabel_sampling_targets",
    "params_digest",
    "resolve_bf16",
    "resolve_device",
    "round_up",
    "sequence_mask",
]
