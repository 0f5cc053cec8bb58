"""map_echo_result on tricky report strings (spaces, both numeral alphabets, ranges)."""

import math

import pytest

from skmedtext.datasets import map_echo_result

CASES = [
    # class 0: negated shunt statements
    ("右心声学造影：     房间隔平面未见明显右向左分流，必要时进一步食道超声检查。", 0),
    ("右心声学造影：\u3000\u3000房间隔平面未见明显右向左分流", 0),  # ideographic spaces
    ("右心声学造影提示：未见卵圆孔未闭征象。", 0),
    ("右心声学造影提示：未见卵圆孔未必征象。", 0),  # typo in the source data
    ("房间隔平面未见明显右向左分流，必要时进一步食道超声检查除外卵圆孔未闭。", 0),
    ("右心声学造影：患者配合欠佳，房间隔平面未见 明显 右向左分流", 0),
    # classes 1-3: graded shunts, both alphabets, any spacing or case
    ("房间隔平面右向左分流（Ⅰ级），考虑卵圆孔未闭可能", 1),
    ("（右心声学造影：   房间隔平面右向左分流（I级），考虑卵圆孔未闭可能", 1),
    ("右心声学造影提示，右向左分流I级，卵圆孔未必征象，建议行食道超声。", 1),
    ("房间隔平面微量右向左分流 ( i 级 )", 1),
    ("房间隔平面右向左分流（Ⅱ级）", 2),
    ("房间隔平面右向左分流（II级），建议随诊。", 2),
    ("房间隔平面右向左分流（ＩＩ级）", 2),  # full-width Latin letters
    ("房间隔平面右向左分流（2级）", 2),
    ("房间隔平面右向左分流（Ⅲ级），考虑卵圆孔未闭征象", 3),
    ("房间隔平面右向左分流（III级）", 3),
    ("房间隔平面右向左分流（Ⅲ 级）", 3),
    # a range counts as the higher grade
    ("右心声学造影：       房间隔平面右向左分流（Ⅱ-Ⅲ级），建议进一步食道超声检查。", 3),
    ("房间隔平面右向左分流（II－III级）", 3),
    ("房间隔平面右向左分流（Ⅰ~Ⅱ级）", 2),
    ("房间隔平面右向左分流（Ⅰ至Ⅱ级）", 2),
    # class 4: no contrast grading
    ("1、房间隔中部回声薄弱，该处异常分离，考虑卵圆孔未闭，建议右心声学造影或食道超声检查；2、肺动脉瓣局反。", 4),
    ("剑下两腔心切面见左向右过隔血流，不除外卵圆孔未闭，建议行右心声学造影。", 4),
    ("右心声学造影：约7-8个心动周期后，左房左室可见少许微气泡影，考虑动静脉瘘，请结合临床。", 4),
    ("1、主动脉瓣、二、三尖瓣轻度反流；2、房间隔瘤形成，建议进一步右心声学造影检查除外房间隔缺损", 4),
    ("1级高血压，建议右心声学造影", 4),  # a grade of something else
    ("房间隔平面右向左分流（Ⅳ级）", 4),  # not on the I-III scale
    ("房间隔平面右向左分流，考虑卵圆孔未闭", 4),  # shunt without a grade
    ("", 4),
]


@pytest.mark.parametrize("text, expected", CASES)
def test_map_echo_result(text, expected):
    assert map_echo_result(text) == expected


def test_negation_must_be_in_the_same_clause():
    # "未见" in one clause does not negate the shunt reported in the next one.
    assert map_echo_result("未见心包积液；房间隔平面右向左分流") == 4
    assert map_echo_result("未见心包积液；房间隔平面右向左分流（Ⅰ级）") == 1


@pytest.mark.parametrize("bad", [None, math.nan, 3, b"\xe6\x9c\xaa"])
def test_non_text_raises(bad):
    with pytest.raises(TypeError, match="expects the echo report as a str"):
        map_echo_result(bad)
