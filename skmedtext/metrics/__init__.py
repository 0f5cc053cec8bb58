"""skmedtext.metrics."""

__all__ = []
