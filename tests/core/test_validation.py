"""The validation shared by program files, history records and settings: one wording, exact
types, ranges that refuse NaN and huge numbers without converting them, real dates."""

from __future__ import annotations

import math
from typing import Any

import pytest

from calftimer.core.jsontext import LONE_SURROGATE_MESSAGE, NON_FINITE_TEXT, unusable_values
from calftimer.core.validation import (
    Problems,
    choice_problem,
    choices_text,
    int_in,
    int_problem,
    is_one_of,
    is_text,
    is_time,
    number_in,
    number_problem,
    text_problem,
    time_text,
)


@pytest.mark.parametrize("value", [True, 3.0, "3", None, 10**400, -1, 21])
def test_a_whole_number_is_an_int_in_range_and_nothing_else(value: Any) -> None:
    assert not int_in(value, 0, 20)
    assert int_problem(value, 0, 20) == "must be a whole number from 0 to 20"
    assert int_problem(value, 1, 20, "an integer") == "must be an integer from 1 to 20"


@pytest.mark.parametrize("value", [math.nan, math.inf, -math.inf, 10**400, True, "1", 1.5])
def test_a_number_in_range_refuses_nan_infinity_and_huge_integers(value: Any) -> None:
    assert not number_in(value, -1, 1)
    assert number_problem(value, -1, 1) == "must be a number from -1 to 1"


def test_numbers_in_range_are_accepted_whole_or_not() -> None:
    assert number_in(0, 0, 500) and number_in(500.0, 0, 500) and number_in(2.5, 0, 500)
    assert int_in(0, 0, 20) and int_in(20, 0, 20)


def test_a_choice_keeps_its_type_and_names_the_values_as_json() -> None:
    assert is_one_of(3, (3, 5, 10)) and not is_one_of(3.0, (3, 5, 10))
    assert not is_one_of(True, (1, 2))
    assert choice_problem(4, (3, 5, 10)) == "must be 3, 5 or 10"
    assert choice_problem("Dark", ("light", "dark")) == 'must be "light" or "dark"'
    assert choices_text(("only",)) == '"only"'


def test_a_text_must_be_writable_as_utf8() -> None:
    assert is_text("Wadenheben") and not is_text("half \ud800 pair") and not is_text(7)
    assert text_problem("half \ud800 pair") == LONE_SURROGATE_MESSAGE
    assert text_problem(7) == "must be a text"
    assert text_problem(None, "must be an exercise id") == "must be an exercise id"
    assert text_problem("fine") is None


@pytest.mark.parametrize(
    "value",
    [
        "2026-02-30T07:00:00+00:00",  # no such day
        "2026-03-01T07:00:00",  # no offset
        "3000-01-01T00:00:00+00:00",  # out of range
        "26-03-01T07:00:00+00:00",  # not the stored shape
        "2026-03-01",
        20260301,
    ],
)
def test_a_time_is_a_real_date_with_an_offset(value: Any) -> None:
    assert not is_time(value)


def test_stored_times_are_accepted() -> None:
    assert is_time("2026-11-27T07:12:03.123+00:00")
    assert is_time("1970-01-01T00:00:00Z")
    assert time_text(null=True).startswith("must be null or a real date and time from 1900")


def test_problems_name_the_path_and_field_and_keep_going() -> None:
    problems = Problems()
    obj = {"sets": 0, "load_kg": math.inf, "name": " ", "größe": 1, "bad key\n": 2}
    assert problems.int_field(obj, "sets", "blocks[2].sets", (1, 20), 3, what="an integer") == 3
    assert problems.int_field(obj, "absent", "blocks[2].absent", (1, 20), 7) == 7
    assert problems.number_field(obj, "load_kg", "blocks[2].load_kg", (0, 500), 0.0) == 0.0
    assert problems.number_field(obj, "up", "tempo.up", (0, 30), None, required=True) is None
    assert problems.text_field(obj, "name", "name", max_len=80) is None
    assert problems.text_field(obj, "description", "description", max_len=9, optional=True) is None
    problems.unknown_keys(obj, "blocks[2]", {"sets", "load_kg", "name"})
    problems.add("", "the file must hold a JSON object with a program")
    assert problems.items == [
        "blocks[2].sets: must be an integer from 1 to 20",
        "blocks[2].load_kg: must be a number from 0 to 500",
        "tempo.up: is missing",
        "name: must be a non-empty text",
        "blocks[2].größe: is not a known field (check the spelling)",  # a word in any script
        'blocks[2]."bad key\\n": is not a known field (check the spelling)',  # quoted
        "the file must hold a JSON object with a program",
    ]
    assert len(problems) == 7


def test_a_text_field_checks_surrogates_before_its_length() -> None:
    problems = Problems()
    assert problems.text_field({"n": "x" * 81}, "n", "name", max_len=80) is None
    assert problems.text_field({"n": "\udc00"}, "n", "id", max_len=40) is None
    assert problems.text_field({"n": "Calves"}, "n", "name", max_len=80) == "Calves"
    assert problems.items == [
        "name: must be at most 80 characters",
        f"id: {LONE_SURROGATE_MESSAGE}",
    ]


def test_every_file_names_a_field_the_same_way() -> None:
    """A word in any script is shown as written (it was escaped to ``"gr\\u00f6\\u00dfe"`` in
    history and backup messages); anything that could garble a message is quoted."""
    doc = {"größe": math.inf, "two words": [math.inf]}
    assert unusable_values(doc) == [
        f"größe: {NON_FINITE_TEXT}",
        f'"two words"[0]: {NON_FINITE_TEXT}',
    ]
