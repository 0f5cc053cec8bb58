"""Imbalance-aware losses (torch modules), single- and multi-label, and the ``build_criterion`` factory."""

from skmedtext.losses._base import class_weights_from_counts
from skmedtext.losses._cpghm import (
    CPGHMSimilarityLoss,
    class_similarity_from_embeddings,
)
from skmedtext.losses._cross_entropy import CrossEntropyLoss, WeightedCrossEntropyLoss
from skmedtext.losses._factory import CRITERIA, MULTILABEL_CRITERIA, build_criterion
from skmedtext.losses._focal import FocalLoss
from skmedtext.losses._ghm import GHMCLoss
from skmedtext.losses._multilabel import (
    AsymmetricLoss,
    BCEWithLogitsLoss,
    BinaryFocalLoss,
    WeightedBCEWithLogitsLoss,
    pos_weights_from_counts,
)

__all__ = [
    "CRITERIA",
    "MULTILABEL_CRITERIA",
    "AsymmetricLoss",
    "BCEWithLogitsLoss",
    "BinaryFocalLoss",
    "CPGHMSimilarityLoss",
    "CrossEntropyLoss",
    "FocalLoss",
    "GHMCLoss",
    "WeightedBCEWithLogitsLoss",
    "WeightedCrossEntropyLoss",
    "build_criterion",
    "class_similarity_from_embeddings",
    "class_weights_from_counts",
    "pos_weights_from_counts",
]
