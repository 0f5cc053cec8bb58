"""skmedtext.embeddings."""

__all__ = []
