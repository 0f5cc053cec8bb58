"""Loaders and fetchers for the real medical text corpora, returning scikit-learn Bunches.

``load_*`` read a corpus in place from a folder found by the ``data_home`` argument,
the ``SKMEDTEXT_DATA`` environment variable or ``../shared/data`` next to the checkout
(see :func:`get_data_home`); the two development corpora also ship inside the package
as the last resort. ``fetch_*`` download the full public corpora once into a
checksum-verified cache under ``SKMEDTEXT_HOME`` (see :func:`get_skmedtext_home`).
"""

from skmedtext.datasets._base import get_data_home
from skmedtext.datasets._cblue import (
    fetch_chip_ctc,
    fetch_chip_sts,
    fetch_kuake_qic,
    load_chip_ctc,
    load_chip_sts,
    load_kuake_qic,
)
from skmedtext.datasets._cardiac_shunt import (
    CARDIAC_SHUNT_CLASSES,
    load_cardiac_shunt,
    map_echo_result,
)
from skmedtext.datasets._ccks2017 import CCKS2017_ENTITY_TYPES, load_ccks2017_ner
from skmedtext.datasets._department_triage import (
    fetch_department_triage,
    load_department_triage,
    load_department_triage_corpus,
)
from skmedtext.datasets._fetch import get_skmedtext_home
from skmedtext.datasets._hoc import load_hoc
from skmedtext.datasets._medical_abstracts import fetch_medical_abstracts, load_medical_abstracts
from skmedtext.datasets._ohsumed import (
    OHSUMED23_CATEGORIES,
    drop_medical_abstracts_overlap,
    fetch_ohsumed23,
    load_ohsumed23,
)

__all__ = [
    "CARDIAC_SHUNT_CLASSES",
    "CCKS2017_ENTITY_TYPES",
    "OHSUMED23_CATEGORIES",
    "drop_medical_abstracts_overlap",
    "fetch_chip_ctc",
    "fetch_chip_sts",
    "fetch_department_triage",
    "fetch_kuake_qic",
    "fetch_medical_abstracts",
    "fetch_ohsumed23",
    "get_data_home",
    "get_skmedtext_home",
    "load_cardiac_shunt",
    "load_ccks2017_ner",
    "load_chip_ctc",
    "load_chip_sts",
    "load_department_triage",
    "load_department_triage_corpus",
    "load_hoc",
    "load_kuake_qic",
    "load_medical_abstracts",
    "load_ohsumed23",
    "map_echo_result",
]
