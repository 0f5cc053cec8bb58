"""Find every public estimator of skmedtext, after scikit-learn's ``all_estimators``."""

import inspect
import pkgutil
from importlib import import_module
from operator import itemgetter

__all__ = ["all_estimators"]

_TYPE_FILTERS = ("classifier", "transformer", "sampler")


def _public_modules(package):
    """``package`` and, recursively, every sub-module whose name has no leading ``_``."""
    yield package
    for info in pkgutil.iter_modules(getattr(package, "__path__", [])):
        # private modules hold the definitions; the public modules re-export them,
        # so skipping the private ones loses nothing and imports less
        if info.name.startswith("_") or info.name == "tests":
            continue
        module = import_module(f"{package.__name__}.{info.name}")
        yield from _public_modules(module)


def _is_type(cls, kind):
    from sklearn.base import ClassifierMixin, TransformerMixin

    if kind == "classifier":
        return issubclass(cls, ClassifierMixin)
    if kind == "transformer":
        return issubclass(cls, TransformerMixin)
    return callable(getattr(cls, "fit_resample", None))


def all_estimators(type_filter=None):
    """Return the public estimators of skmedtext as ``(name, class)`` pairs.

    Walks the public modules of the package (names without a leading
    underscore) and collects the scikit-learn estimators defined in skmedtext
    that they export, so a new estimator joins as soon as its subpackage
    exports it. Left out: private names, abstract bases (``inspect.isabstract``
    or named ``Base...``, scikit-learn's naming for them) and the skorch nets of
    the training engine, which the estimators build and run and which take a
    torch module rather than defaults.

    Parameters
    ----------
    type_filter : {"classifier", "transformer", "sampler"} or list of those, default=None
        Keep only classifiers (``ClassifierMixin``), transformers
        (``TransformerMixin``) or samplers (a ``fit_resample`` method); a list
        keeps the union. ``None`` keeps every estimator.

    Returns
    -------
    estimators : list of (str, type)
        Class name and class, sorted by name.

    Examples
    --------
    >>> from skmedtext.utils import all_estimators
    >>> dict(all_estimators(type_filter="sampler"))["VocabularyAugmenter"].__name__
    'VocabularyAugmenter'
    """
    from sklearn.base import BaseEstimator

    import skmedtext

    kinds = [type_filter] if isinstance(type_filter, str) else type_filter
    if kinds is not None:
        unknown = [k for k in kinds if k not in _TYPE_FILTERS]
        if unknown or not kinds:
            raise ValueError(
                f"type_filter must be None or one or more of {list(_TYPE_FILTERS)}; "
                f"got {type_filter!r}."
            )
    try:
        from skorch import NeuralNet
    except ImportError:  # pragma: no cover - skorch is a dependency
        NeuralNet = ()

    found = {}
    for module in _public_modules(skmedtext):
        for name, cls in inspect.getmembers(module, inspect.isclass):
            if (
                issubclass(cls, BaseEstimator)
                and cls.__module__.startswith("skmedtext.")
                and not name.startswith(("_", "Base"))
                and not inspect.isabstract(cls)
                and not (NeuralNet and issubclass(cls, NeuralNet))
            ):
                found[name] = cls
    if kinds is not None:
        found = {n: c for n, c in found.items() if any(_is_type(c, k) for k in kinds)}
    return sorted(found.items(), key=itemgetter(0))
