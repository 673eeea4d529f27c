"""Which session the next-morning pain prompt asks about, and that it never nags twice a day."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from calftimer.core.pain import latest_ratings, next_morning_candidate, should_ask
from tests.core.test_volume import a_session, a_set

BERLIN = ZoneInfo("Europe/Berlin")
NOW = datetime(2026, 11, 27, 7, 30, tzinfo=UTC)  # Friday morning


def test_yesterdays_session_is_asked_about() -> None:
    yesterday = a_session("2026-11-26T17:00:00+00:00", a_set())
    older = a_session("2026-11-20T17:00:00+00:00", a_set())
    assert next_morning_candidate([older, yesterday], NOW, UTC) is yesterday


def test_not_about_today_an_empty_session_or_long_ago() -> None:
    today = a_session("2026-11-27T06:00:00+00:00", a_set())
    empty = a_session("2026-11-26T17:00:00+00:00")
    long_ago = a_session("2026-11-23T17:00:00+00:00", a_set())
    assert next_morning_candidate([today, empty, long_ago], NOW, UTC) is None


def test_a_rated_session_is_not_asked_again() -> None:
    yesterday = a_session("2026-11-26T17:00:00+00:00", a_set())
    yesterday["pain"] = [
        {"id": "p", "when": "next_morning", "rating": 2, "recorded_at": "2026-11-27T07:00:00+00:00"}
    ]
    assert next_morning_candidate([yesterday], NOW, UTC) is None


def test_the_day_is_the_local_one() -> None:
    # 23:30 UTC on Thursday is already Friday in Berlin: "today" there, not asked about.
    late = a_session("2026-11-26T23:30:00+00:00", a_set())
    assert next_morning_candidate([late], NOW, UTC) is late
    assert next_morning_candidate([late], NOW, BERLIN) is None


def test_never_twice_a_day() -> None:
    assert should_ask(None, date(2026, 11, 27))
    assert should_ask(date(2026, 11, 26), date(2026, 11, 27))
    assert not should_ask(date(2026, 11, 27), date(2026, 11, 27))


def test_the_last_rating_of_each_kind_counts() -> None:
    session = a_session("2026-11-26T17:00:00+00:00", a_set())
    session["pain"] = [
        {"id": "a", "when": "during", "rating": 4, "recorded_at": "2026-11-26T18:00:00+00:00"},
        {"id": "b", "when": "during", "rating": 2, "recorded_at": "2026-11-26T18:05:00+00:00"},
        {
            "id": "c",
            "when": "next_morning",
            "rating": 3,
            "recorded_at": "2026-11-27T07:00:00+00:00",
        },
    ]
    assert latest_ratings(session) == {"during": 2, "next_morning": 3}
