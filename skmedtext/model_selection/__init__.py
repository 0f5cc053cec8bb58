"""Cross-validation splitters that scikit-learn lacks.

:class:`MultilabelStratifiedKFold` is the iterative stratification of Sechidis,
Tsoumakas and Vlahavas (2011) for multi-label targets: scikit-learn's
``StratifiedKFold`` takes one label per row, and the maintained implementations
(scikit-multilearn, iterative-stratification) are outside skmedtext's dependencies.
"""

from skmedtext.model_selection._iterative import MultilabelStratifiedKFold

__all__ = ["MultilabelStratifiedKFold"]
