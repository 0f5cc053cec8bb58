"""Over-samplers for imbalanced (medical) text data, compatible with imbalanced-learn."""

from skmedtext.sampling._saan import SAANDivergenceError, SAANSampler

__all__ = ["SAANSampler", "SAANDivergenceError"]
