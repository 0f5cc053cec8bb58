"""skmedtext.losses."""

__all__ = []
