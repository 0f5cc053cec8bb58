"""The bf16 resolver and the CPU's bf16 detection."""

import pytest

from skmedtext.utils import cpu_description, cpu_has_bf16, resolve_bf16
from skmedtext.utils import _device


@pytest.fixture
def fake_cpu(monkeypatch, tmp_path):
    """Point the detection at a cpuinfo file with the given flags; clear the cache."""

    def make(flags):
        cpuinfo = tmp_path / "cpuinfo"
        cpuinfo.write_text(f"processor\t: 0\nmodel name\t: Test CPU\nflags\t\t: {flags}\n")
        monkeypatch.setattr(_device, "_CPUINFO", cpuinfo)
        cpu_has_bf16.cache_clear()

    yield make
    cpu_has_bf16.cache_clear()


@pytest.mark.parametrize(
    "flags, expected",
    [("fpu avx512f amx_bf16 amx_tile", True), ("fpu avx512f avx512_bf16", True), ("fpu sse2", False)],
)
def test_auto_follows_the_cpu_flags(fake_cpu, flags, expected):
    fake_cpu(flags)
    assert cpu_has_bf16() is expected
    assert resolve_bf16("auto", "cpu") is expected
    assert cpu_description()[0] == "Test CPU"


def test_without_cpuinfo_torch_answers(monkeypatch, tmp_path):
    monkeypatch.setattr(_device, "_CPUINFO", tmp_path / "absent")
    monkeypatch.setattr(_device, "_torch_reports_bf16", lambda: True)
    cpu_has_bf16.cache_clear()
    try:
        assert cpu_description()[1] is None and cpu_has_bf16() is True
    finally:
        cpu_has_bf16.cache_clear()


def test_the_answer_is_cached(fake_cpu, tmp_path):
    fake_cpu("amx_bf16")
    assert cpu_has_bf16()
    (tmp_path / "cpuinfo").write_text("flags\t\t: sse2\n")
    assert cpu_has_bf16()  # not read again


def test_true_forces_and_false_disables(fake_cpu):
    fake_cpu("sse2")
    assert resolve_bf16(True, "cpu") is True
    assert resolve_bf16(False, "cpu") is False
    assert resolve_bf16("auto", "mps") is False
    with pytest.raises(ValueError, match="amp=True"):
        resolve_bf16(True, "mps")
    with pytest.raises(ValueError, match="bf16"):
        resolve_bf16("yes", "cpu", name="bf16")
