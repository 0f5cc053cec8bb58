"""skmedtext: scikit-learn compatible toolkit for imbalanced medical text classification.

Subpackages are imported lazily so that ``import skmedtext`` stays fast; torch and
transformers are only loaded when an estimator that needs them is used.
"""

import importlib

__version__ = "0.1.0"

_SUBPACKAGES = (
    "augment",
    "datasets",
    "embeddings",
    "encoders",
    "evaluate",
    "losses",
    "metrics",
    "models",
    "plotting",
    "pretrain",
    "sampling",
    "text",
    "training",
)

__all__ = list(_SUBPACKAGES) + ["SyntheticSequence", "__version__"]


def __getattr__(name):
    if name in _SUBPACKAGES:
        return importlib.import_module(f"skmedtext.{name}")
    if name == "SyntheticSequence":
        from skmedtext._synthetic import SyntheticSequence

        return SyntheticSequence
    raise AttributeError(f"module 'skmedtext' has no attribute {name!r}")
