"""skmedtext.plotting."""

__all__ = []
