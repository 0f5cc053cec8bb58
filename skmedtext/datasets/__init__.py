"""skmedtext.datasets."""

__all__ = []
