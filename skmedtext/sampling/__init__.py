"""skmedtext.sampling."""

__all__ = []
