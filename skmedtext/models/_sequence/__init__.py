"""StaResGRU-CNN (paper 003) and the neural baselines: one family on one base.

``_base`` holds the family base (input vectors, synthetic rows, persistence) and
the shared docstring parts; ``_cnn``, ``_rnn`` and ``_hybrid`` the members by
architecture, ``_pooled`` paper 003's average-and-max pooled baselines.
"""

from skmedtext.models._sequence._cnn import DPCNNClassifier, TextCNNClassifier
from skmedtext.models._sequence._hybrid import (
    CNNGRUClassifier,
    CNNLSTMClassifier,
    StaResGRUCNNClassifier,
    TextCNNBiGRUClassifier,
)
from skmedtext.models._sequence._pooled import (
    AVCNNClassifier,
    AVRNNClassifier,
    DropoutAVRNNClassifier,
    DropoutBiGRUClassifier,
)
from skmedtext.models._sequence._rnn import BiGRUClassifier, BiLSTMClassifier

__all__ = [
    "AVCNNClassifier",
    "AVRNNClassifier",
    "BiGRUClassifier",
    "BiLSTMClassifier",
    "CNNGRUClassifier",
    "CNNLSTMClassifier",
    "DPCNNClassifier",
    "DropoutAVRNNClassifier",
    "DropoutBiGRUClassifier",
    "StaResGRUCNNClassifier",
    "TextCNNBiGRUClassifier",
    "TextCNNClassifier",
]
