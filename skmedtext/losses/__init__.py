"""Imbalance-aware losses (torch modules) and the ``build_criterion`` factory."""

from skmedtext.losses._base import class_weights_from_counts
from skmedtext.losses._cpghm import CPGHMSimilarityLoss, class_similarity_from_embeddings
from skmedtext.losses._cross_entropy import CrossEntropyLoss, WeightedCrossEntropyLoss
from skmedtext.losses._factory import CRITERIA, build_criterion
from skmedtext.losses._focal import FocalLoss
from skmedtext.losses._ghm import GHMCLoss

__all__ = [
    "CRITERIA",
    "CPGHMSimilarityLoss",
    "CrossEntropyLoss",
    "FocalLoss",
    "GHMCLoss",
    "WeightedCrossEntropyLoss",
    "build_criterion",
    "class_similarity_from_embeddings",
    "class_weights_from_counts",
]
