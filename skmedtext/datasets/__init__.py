"""Loaders and fetchers for the real medical text corpora, returning scikit-learn Bunches.

``load_*`` read a corpus in place from a folder found by the ``data_home`` argument,
the ``SKMEDTEXT_DATA`` environment variable or ``../shared/data`` next to the checkout
(see :func:`get_data_home`); the two development corpora also ship inside the package
as the last resort. ``fetch_*`` download the full public corpora once into a
checksum-verified cache under ``SKMEDTEXT_HOME`` (see :func:`get_skmedtext_home`).
"""

from skmedtext.datasets._base import get_data_home
from skmedtext.datasets._cardiac_shunt import (
    CARDIAC_SHUNT_CLASSES,
    load_cardiac_shunt,
    map_echo_result,
)
from skmedtext.datasets._department_triage import (
    fetch_department_triage,
    load_department_triage,
    load_department_triage_corpus,
)
from skmedtext.datasets._fetch import get_skmedtext_home
from skmedtext.datasets._medical_abstracts import fetch_medical_abstracts, load_medical_abstracts

__all__ = [
    "CARDIAC_SHUNT_CLASSES",
    "fetch_department_triage",
    "fetch_medical_abstracts",
    "get_data_home",
    "get_skmedtext_home",
    "load_cardiac_shunt",
    "load_department_triage",
    "load_department_triage_corpus",
    "load_medical_abstracts",
    "map_echo_result",
]
