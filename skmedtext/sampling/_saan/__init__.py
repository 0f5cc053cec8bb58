"""SAAN, the self-attentive adversarial augmentation network, as one family package.

- ``_sampler``: :class:`SAANSampler`, the imbalanced-learn estimator;
- ``_inputs``: the input kinds (2-D vectors, 3-D sequences, raw texts) behind one
  interface;
- ``_bank``: the real sequences of every class and their per-class scaling;
- ``_train``: the batched training loop, generation, checkpoints and
  :class:`SAANDivergenceError`;
- ``_modules``: the torch modules (sparse self-attention generator and discriminator).
"""

from skmedtext.sampling._saan._sampler import SAANSampler

__all__ = ["SAANSampler"]
