"""Loaders for the real medical text corpora, returning scikit-learn Bunches.

The data are read in place from a folder found by the ``data_home`` argument, the
``SKMEDTEXT_DATA`` environment variable, or ``../shared/data`` next to the checkout
(see :func:`get_data_home`).
"""

from skmedtext.datasets._base import get_data_home
from skmedtext.datasets._cardiac_shunt import (
    CARDIAC_SHUNT_CLASSES,
    load_cardiac_shunt,
    map_echo_result,
)
from skmedtext.datasets._department_triage import (
    load_department_triage,
    load_department_triage_corpus,
)
from skmedtext.datasets._medical_abstracts import load_medical_abstracts

__all__ = [
    "CARDIAC_SHUNT_CLASSES",
    "get_data_home",
    "load_cardiac_shunt",
    "load_department_triage",
    "load_department_triage_corpus",
    "load_medical_abstracts",
    "map_echo_result",
]
