"""Reading a heel-rise test: symmetry bands, norms by sex and age (2017) and by leg (2025) with
their sources, targets and the noise note."""

from __future__ import annotations

import pytest

from calftimer.core.heel_rise import (
    SOURCE_2017,
    SOURCE_2025,
    limb_symmetry,
    norm_for,
    read_result,
    symmetry_band,
)


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
    assert (
        "Typical for women in their 40s: about 24 per leg (Hébert-Losier et al. 2017); "
        "your average is above that." in reading.lines
    )
    reading = read_result(20, 20, sex="male")
    assert (
        "Typical for men: about 24 per leg (Hébert-Losier et al. 2017); your average is below "
        "that." in reading.lines
    )


@pytest.mark.parametrize(
    ("left", "right", "verdict"),
    [
        (25, 30, "both legs are at or above that"),
        (23, 20, "both legs are below that"),
        (26, 22, "your legs are around that"),  # which leg is dominant is not known
        (24, 24, "your legs are around that"),
    ],
)
def test_without_a_profile_the_2025_medians_are_the_comparison(left, right, verdict) -> None:
    reading = read_result(left, right)
    assert (
        "Typical for healthy adults: about 25 on the dominant leg and 24 on the other "
        f"(Sleeswijk Visser et al. 2025); {verdict}." in reading.lines
    )
    assert reading.norm is None


def test_both_sources_are_listed_with_their_citations_the_compared_one_marked() -> None:
    newer, older = read_result(20, 20).norms
    assert newer.source is SOURCE_2025 and newer.compared and not older.compared
    assert "500 healthy adults" in newer.text and "10° incline" in newer.text
    assert "median 25 raises on the dominant leg and 24 on the other" in newer.text
    assert newer.source.citation == (
        "Sleeswijk Visser, O'Neill, Hébert-Losier et al., Braz J Phys Ther 2025, "
        "doi:10.1016/j.bjpt.2025.101188"
    )
    assert older.source is SOURCE_2017
    assert "median men 24, women 21" in older.text and "40s 28/24" in older.text
    assert older.source.citation == (
        "Hébert-Losier, Wessman, Alricsson, Svantesson, Physiotherapy 2017;103(4):446-452, "
        "doi:10.1016/j.physio.2017.03.002"
    )
    newer, older = read_result(20, 20, sex="female", age_band="60s").norms
    assert older.compared and not newer.compared  # a profile: by sex and age
    assert older.text.endswith("For women in their 60s: about 19.")


def test_one_raise_is_singular() -> None:
    assert read_result(1, 0).lines[0] == "Left leg: 1 raise, is 24 short of the target of 25."


def test_small_changes_are_flagged_as_possible_noise() -> None:
    reading = read_result(28, 20, previous=(25, 27))
    assert "Since the last test, left +3 (under about 6 reps: may be noise)." in reading.lines
    assert "Since the last test, right -7." in reading.lines
    assert reading.lines[-1].startswith("Not medical advice")
