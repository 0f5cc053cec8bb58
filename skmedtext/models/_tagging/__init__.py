"""Sequence taggers for clinical named-entity recognition (papers 000 and 003).

``_base`` holds what every tagger adds to the training core (span targets, BIO
tags as classes, window merging, span predictions); ``_encoding`` the mapping
between characters, tokens and windows; ``_modules`` the torch encoders and the
CRF head; ``_rnn`` the BiLSTM-CRF and StaResGRU-CNN-CRF taggers; ``_bert`` the transformer
taggers (BERT/e5 + CRF or softmax, DMT-BERT's co-occurrence task).
"""

from skmedtext.models._tagging._bert import BertTagger, DMTBertTagger
from skmedtext.models._tagging._rnn import BiLSTMCRFTagger, StaResGRUCNNCRFTagger

__all__ = ["BertTagger", "BiLSTMCRFTagger", "DMTBertTagger", "StaResGRUCNNCRFTagger"]
