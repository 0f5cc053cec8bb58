"""skmedtext.pretrain."""

__all__ = []
