"""skorch-wrapped neural text classifiers (torch modules live in private modules)."""

from skmedtext.models._cooccurrence import extract_disease_terms
from skmedtext.models._dmt_bert import DMTBertClassifier

__all__ = ["DMTBertClassifier", "extract_disease_terms"]
