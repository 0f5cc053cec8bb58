"""skmedtext.models."""

__all__ = []
