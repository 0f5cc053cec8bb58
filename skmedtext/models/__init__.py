"""skorch-wrapped neural text classifiers (torch modules live in private modules)."""

from skmedtext.models._cooccurrence import extract_disease_terms
from skmedtext.models._dmt_bert import DMTBertClassifier
from skmedtext.models._sequence import (
    BiGRUClassifier,
    BiLSTMClassifier,
    CNNGRUClassifier,
    CNNLSTMClassifier,
    DPCNNClassifier,
    StaResGRUCNNClassifier,
    TextCNNBiGRUClassifier,
    TextCNNClassifier,
)

__all__ = [
    "BiGRUClassifier",
    "BiLSTMClassifier",
    "CNNGRUClassifier",
    "CNNLSTMClassifier",
    "DMTBertClassifier",
    "DPCNNClassifier",
    "StaResGRUCNNClassifier",
    "TextCNNBiGRUClassifier",
    "TextCNNClassifier",
    "extract_disease_terms",
]
