"""Vocabulary augmentation of raw texts (paper 000, "Data enhancement")."""

from skmedtext.augment._lexicon import load_synonym_dictionary
from skmedtext.augment._vocabulary import VocabularyAugmenter

__all__ = ["VocabularyAugmenter", "load_synonym_dictionary"]
