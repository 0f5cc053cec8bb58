"""skmedtext.augment."""

__all__ = []
