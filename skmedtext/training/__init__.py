"""skmedtext.training."""

__all__ = []
