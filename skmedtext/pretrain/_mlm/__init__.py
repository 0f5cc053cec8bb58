"""Masked-language-model pretraining: set-up (``_pretrain``), data (``_data``), loop (``_loop``)."""

from skmedtext.pretrain._mlm._pretrain import MLM_SIZES, pretrain_mlm

__all__ = ["MLM_SIZES", "pretrain_mlm"]
