"""Over-samplers for imbalanced (medical) text data, compatible with imbalanced-learn."""

from skmedtext.sampling._saan import SAANSampler

__all__ = ["SAANSampler", "SAANDivergenceError"]


def __getattr__(name):
    # SAANDivergenceError lives beside the torch training loop that raises it;
    # resolving it on first use keeps ``import skmedtext.sampling`` free of torch.
    if name == "SAANDivergenceError":
        from skmedtext.sampling._saan._train import SAANDivergenceError

        return SAANDivergenceError
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__():
    return sorted([*globals(), "SAANDivergenceError"])
