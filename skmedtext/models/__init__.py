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
from skmedtext.models._tagging import (
    BertTagger,
    BiLSTMCRFTagger,
    DMTBertTagger,
    StaResGRUCNNCRFTagger,
)

__all__ = [
    "BertTagger",
    "BiGRUClassifier",
    "BiLSTMCRFTagger",
    "BiLSTMClassifier",
    "CNNGRUClassifier",
    "CNNLSTMClassifier",
    "DMTBertClassifier",
    "DMTBertTagger",
    "DPCNNClassifier",
    "StaResGRUCNNCRFTagger",
    "StaResGRUCNNClassifier",
    "TextCNNBiGRUClassifier",
    "TextCNNClassifier",
    "extract_disease_terms",
]

# paper 002's hybrid and paper 003's average-and-max pooled baselines
from skmedtext.models._hybrid_bert import HybridBertClassifier  # noqa: E402
from skmedtext.models._sequence import (  # noqa: E402
    AVCNNClassifier,
    AVRNNClassifier,
    DropoutAVRNNClassifier,
    DropoutBiGRUClassifier,
)

__all__ += [
    "AVCNNClassifier",
    "AVRNNClassifier",
    "DropoutAVRNNClassifier",
    "DropoutBiGRUClassifier",
    "HybridBertClassifier",
]
