"""Reading a heel-rise test: symmetry bands, norms by sex and age, targets and the noise note."""

from __future__ import annotations

import pytest

from calftimer.core.heel_rise import limb_symmetry, norm_for, read_result, symmetry_band


@pytest.mark.parametrize(
    ("left", "right", "lsi", "band"),
    [
        (30, 30, 100.0, "green"),
        (27, 30, 90.0, "green"),
        (30, 26, 86.66666666666667, "amber"),
        (24, 30, 80.0, "amber"),
        (23, 30, 76.66666666666667, "red"),
        (0, 12, 0.0, "red"),
    ],
)
def test_limb_symmetry_index_and_its_band(left: int, right: int, lsi: float, band: str) -> None:
    assert limb_symmetry(left, right) == pytest.approx(lsi)
    assert symmetry_band(limb_symmetry(left, right)) == band  # type: ignore[arg-type]


def test_no_reps_at_all_has_no_symmetry() -> None:
    assert limb_symmetry(0, 0) is None
    assert read_result(0, 0).band is None


@pytest.mark.parametrize(
    ("sex", "age", "norm"),
    [
        ("male", "20s", 37),
        ("male", "70s", 14),
        ("female", "40s", 24),
        ("female", "60s", 19),
        ("female", "", 21),  # no age: the median for the sex
        ("male", "", 24),
        ("", "30s", None),  # no sex: no comparison
    ],
)
def test_norms_by_sex_and_age(sex: str, age: str, norm: int | None) -> None:
    assert norm_for(sex, age) == norm


def test_pass_and_fail_against_the_target() -> None:
    reading = read_result(26, 24, target=25)
    assert reading.passed == {"left": True, "right": False}
    assert reading.lines[0] == "Left leg: 26 raises, reaches the target of 25."
    assert reading.lines[1] == "Right leg: 24 raises, is 1 short of the target of 25."
    assert read_result(26, 29, target=30).passed == {"left": False, "right": False}


def test_the_comparison_with_the_norm_is_worded_for_the_profile() -> None:
    reading = read_result(28, 26, sex="female", age_band="40s")
    assert "Typical for women in their 40s: about 24 per leg; your average is above that." in (
        reading.lines
    )
    reading = read_result(20, 20, sex="male")
    assert "Typical for men: about 24 per leg; your average is below that." in reading.lines
    assert not any("Typical" in line for line in read_result(20, 20).lines)


def test_small_changes_are_flagged_as_possible_noise() -> None:
    reading = read_result(28, 20, previous=(25, 27))
    assert "Since the last test, left +3 (under about 6 reps: may be noise)." in reading.lines
    assert "Since the last test, right -7." in reading.lines
    assert reading.lines[-1].startswith("Not medical advice")
