"""Text cleaning and segmentation (jieba with medical dictionaries, char/word units)."""

from skmedtext.text._segment import contains_cjk, segment

__all__ = ["contains_cjk", "segment"]
