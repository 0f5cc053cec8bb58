"""Loader for the Chinese cardiology admission records (right-heart contrast echo).

The label is derived from the free-text echo report by :func:`map_echo_result`.
"""

import re
import unicodedata
from functools import partial

import numpy as np
import pandas as pd

from skmedtext.datasets._base import (
    _fill_doc,
    _join_text_columns,
    _load_frame,
    _locate,
    _make_bunch,
)

__all__ = ["CARDIAC_SHUNT_CLASSES", "load_cardiac_shunt", "map_echo_result"]

_DATA_FILE = "cardiac_shunt_zh/clinical_datasets-1.xls"
_SHEET = "SQL Results"
_ECHO_COLUMN = "右心造影结果"
FEATURE_COLUMNS = ("主诉", "现病史", "既往史")

CARDIAC_SHUNT_CLASSES = (
    "no obvious right-to-left shunt (未见明显右向左分流)",
    "right-to-left shunt grade I (右向左分流Ⅰ级)",
    "right-to-left shunt grade II (右向左分流Ⅱ级)",
    "right-to-left shunt grade III (右向左分流Ⅲ级)",
    "others, no contrast grading (其他)",
)

# After NFKC, Ⅰ Ⅱ Ⅲ become I II III and full-width brackets, dashes and colons become
# ASCII, so one pattern covers both numeral alphabets. The look-arounds keep "IV" or
# Latin words from matching as a grade; Arabic 1-3 are accepted as well.
_GRADE = r"(?<![A-Z0-9])(III|II|I|[123])(?![A-Z0-9])"
_GRADE_RE = re.compile(_GRADE + r"(?:[-~–—至到/]" + _GRADE + r")?级")
_GRADE_VALUE = {"I": 1, "II": 2, "III": 3, "1": 1, "2": 2, "3": 3}
# "No shunt" statements: 未见(明显)右向左分流, 未见卵圆孔未闭征象; 未必 is a typo for
# 未闭 that occurs in the real reports. The negation must be in the same clause.
_NO_SHUNT_RE = re.compile(r"未见[^,;。]*?(右向左分流|卵圆孔未[闭必])")


def _normalise(text):
    text = unicodedata.normalize("NFKC", text)
    return re.sub(r"\s+", "", text).upper()


def map_echo_result(text):
    """Map a free-text right-heart contrast echo report to one of 5 classes.

    Classes (``CARDIAC_SHUNT_CLASSES``; the task of papers/000 and of the data
    README):

    - 0: no obvious right-to-left shunt at the atrial septum
      (房间隔平面未见明显右向左分流, 未见卵圆孔未闭征象 and variants);
    - 1, 2, 3: right-to-left shunt grade I, II, III;
    - 4: others, i.e. reports with neither a grade nor a "no shunt" statement:
      plain echo reports that only recommend a contrast study, or a contrast study
      that describes something else (e.g. late microbubbles from a pulmonary
      arteriovenous fistula) without grading an atrial-level shunt.

    Rules, applied in this order after Unicode NFKC normalisation (full-width
    characters and the Roman numerals Ⅰ Ⅱ Ⅲ become ASCII I II III), removal of all
    whitespace and upper-casing:

    1. A grade written as a Roman numeral I/II/III (either alphabet, any case) or an
       Arabic 1/2/3 directly followed by 级, in a report that mentions 右向左分流,
       gives that grade. A range such as Ⅱ-Ⅲ级 gives the **higher** grade (3):
       shunt grading counts the maximal number of microbubbles reaching the left
       heart, so a report that hesitates between two grades has reached the upper
       one's border in some cycles, and the higher grade is the clinically
       conservative reading (it is the one that triggers a PFO work-up).
    2. Otherwise, a negated shunt statement in one clause (未见 ... 右向左分流 or
       未见 ... 卵圆孔未闭/未必, 未必 being a typo in the source) gives 0.
    3. Otherwise 4. A grade outside I-III (e.g. Ⅳ级) is not on this scale and also
       gives 4.

    Parameters
    ----------
    text : str
        One echo report (the ``右心造影结果`` column).

    Returns
    -------
    label : int
        0, 1, 2, 3 or 4.

    Raises
    ------
    TypeError
        If ``text`` is not a string (e.g. None or NaN for a missing report).

    Examples
    --------
    >>> from skmedtext.datasets import map_echo_result
    >>> map_echo_result("右心声学造影：  房间隔平面未见明显右向左分流。")
    0
    >>> map_echo_result("房间隔平面右向左分流（Ⅱ级），考虑卵圆孔未闭可能")
    2
    >>> map_echo_result("房间隔平面右向左分流（II-III级）")
    3
    >>> map_echo_result("房间隔中部回声薄弱，建议右心声学造影检查")
    4
    """
    if not isinstance(text, str):
        raise TypeError(
            f"map_echo_result expects the echo report as a str; got {type(text).__name__} "
            f"({text!r}). Fill or drop missing reports first."
        )
    norm = _normalise(text)
    if "右向左分流" in norm:
        grades = [
            max(_GRADE_VALUE[g] for g in match.groups() if g)
            for match in _GRADE_RE.finditer(norm)
        ]
        if grades:
            return max(grades)
    if _NO_SHUNT_RE.search(norm):
        return 0
    return 4


def _read_xls(path):
    # xlrd directly: pandas' xlrd engine is deprecated, and every cell of this
    # sheet, ids and ages included, is stored as text.
    import xlrd

    sheet = xlrd.open_workbook(str(path)).sheet_by_name(_SHEET)
    header = [str(name).strip() or "id" for name in sheet.row_values(0)]
    rows = [sheet.row_values(i) for i in range(1, sheet.nrows)]
    frame = pd.DataFrame(rows, columns=header, dtype=object)
    frame = frame.replace("", np.nan).astype(object)
    for column in ("id", "年龄"):
        if column in frame:
            frame[column] = pd.to_numeric(frame[column], errors="coerce").astype("Int64")
    return frame


@_fill_doc
def load_cardiac_shunt(*, data_home=None, as_frame=False, return_X_y=False):
    """Load the Chinese cardiology admission records with contrast echo classes.

    371 admission records from the public release that accompanies paper 000
    (XS-RUL/clinical-datasets, sheet "SQL Results"; the paper says 317). The text
    is the chief complaint, present illness history and past medical history
    (``主诉 + "\\n" + 现病史 + "\\n" + 既往史``; a missing field is left out); the target
    is the right-heart contrast echo result mapped to 5 classes by
    :func:`map_echo_result`. With this release and mapping the class counts are
    0: 275, 1: 23, 2: 16, 3: 45, 4: 12.

    Parameters
    ----------
    data_home : str or path-like, default=None
        Folder holding ``cardiac_shunt_zh/``. See :func:`get_data_home`. This
        corpus has no packaged copy.
    {frame_params}

    Returns
    -------
    bunch : sklearn.utils.Bunch
        ``data`` (371,) object array of record texts (Series if ``as_frame``);
        ``target`` (371,) int array in 0..4; ``target_names`` the class names in
        English and Chinese (``CARDIAC_SHUNT_CLASSES``); ``frame`` DataFrame with
        every column of the sheet (``id``, 性别, 年龄, 右心造影结果, 主诉, 现病史,
        既往史, 个人史) plus ``text`` and ``target``; ``DESCR``; ``filename``;
        ``data_source``.
    (data, target) : tuple if ``return_X_y`` is True.

    Raises
    ------
    FileNotFoundError
        If the .xls file is not found; the message lists every place searched.

    Examples
    --------
    >>> from skmedtext.datasets import load_cardiac_shunt
    >>> X, y = load_cardiac_shunt(return_X_y=True)  # doctest: +SKIP
    >>> X.shape  # doctest: +SKIP
    (371,)
    """
    frame, located = _load_frame(_DATA_FILE, _read_xls, partial(_locate, data_home=data_home))
    frame["text"] = _join_text_columns(frame, FEATURE_COLUMNS)
    frame["target"] = np.array([map_echo_result(r) for r in frame[_ECHO_COLUMN]], dtype=np.int64)
    return _make_bunch(
        frame,
        located,
        _NOTES,
        target_names=CARDIAC_SHUNT_CLASSES,
        as_frame=as_frame,
        return_X_y=return_X_y,
    )


_NOTES = """
- `data`: 主诉 (chief complaint) + "\\n" + 现病史 (present illness) + "\\n" + 既往史
  (past history); a missing field is left out. 个人史, age and sex are not in `data`
  (the paper uses the three history columns) but stay in `frame`.
- `target`: `map_echo_result(右心造影结果)`, see its docstring for the rules:
  0 no obvious shunt, 1/2/3 grade I/II/III (a Ⅱ-Ⅲ级 range counts as grade III),
  4 others (no contrast grading). `target_names` gives English and Chinese names.
- `frame`: every column of the sheet (the unnamed first column renamed `id`) plus
  `text` and `target`.
"""
