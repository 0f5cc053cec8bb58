"""Text cleaning and segmentation (jieba with medical dictionaries, char/word units)."""

from skmedtext.text._clean import TextCleaner, clean_text, strip_controls
from skmedtext.text._dictionary import load_medical_dictionary
from skmedtext.text._jieba import JiebaTokenizer
from skmedtext.text._negation import NEGATIONS, NEGATIONS_EN, NEGATIONS_ZH
from skmedtext.text._segment import contains_cjk, segment
from skmedtext.text._units import PAD_INDEX, UNKNOWN_INDEX, segment_texts, tokens_to_indices

__all__ = [
    "NEGATIONS",
    "NEGATIONS_EN",
    "NEGATIONS_ZH",
    "PAD_INDEX",
    "UNKNOWN_INDEX",
    "JiebaTokenizer",
    "TextCleaner",
    "clean_text",
    "contains_cjk",
    "load_medical_dictionary",
    "segment",
    "segment_texts",
    "strip_controls",
    "tokens_to_indices",
]
