"""Over-samplers for imbalanced (medical) text data, compatible with imbalanced-learn."""

from skmedtext.sampling._saan import SAANSampler
from skmedtext.sampling._saan_train import SAANDivergenceError

__all__ = ["SAANSampler", "SAANDivergenceError"]
