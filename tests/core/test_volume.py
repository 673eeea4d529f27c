"""Weekly volume: ISO weeks in local time (year ends, DST, zones), empty weeks, each metric,
per-leg counting, the rolling average, week-over-week change and spike flags."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from calftimer.core.volume import (
    METRICS,
    VolumeTable,
    monday_of,
    rolling_average,
    set_amounts,
    spikes,
    week_change,
)

BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")
UTC = ZoneInfo("UTC")
_ids = iter(range(10**9))


def a_set(exercise: str = "double_leg_calf_raise", done: int = 10, **fields: Any) -> dict:
    s = {
        "id": f"set-{next(_ids)}",
        "exercise": exercise,
        "side": "both",
        "block": 0,
        "set": 1,
        "mode": "reps",
        "planned": done,
        "done": done,
        "tempo": [2, 1, 2, 0],
        "load_kg": 0.0,
        "tut_s": done * 5.0,
        "started_at": "2026-01-01T00:00:00.000+00:00",
        "ended_at": "2026-01-01T00:01:00.000+00:00",
        "ended_by": "target",
    }
    s.update(fields)
    return s


def a_session(started_at: str, *sets: dict) -> dict:
    return {
        "id": f"session-{next(_ids)}",
        "program_id": "p",
        "program_name": "P",
        "started_at": started_at,
        "ended_at": None,
        "status": "finished",
        "sets": list(sets),
        "tests": [],
        "pain": [],
    }


# ------------------------------------------------------------------ weeks


def test_iso_weeks_cross_the_year_end_on_mondays() -> None:
    # Thursday 31 Dec 2026 is in ISO week 2026-W53, which began Monday 28 Dec.
    assert monday_of(datetime(2026, 12, 31, 12, tzinfo=UTC), UTC) == date(2026, 12, 28)
    # Sunday 3 Jan 2027 is still in that week; Monday 4 Jan starts 2027-W01.
    assert monday_of(datetime(2027, 1, 3, 12, tzinfo=UTC), UTC) == date(2026, 12, 28)
    assert monday_of(datetime(2027, 1, 4, 0, 30, tzinfo=UTC), UTC) == date(2027, 1, 4)


def test_the_week_is_the_local_one() -> None:
    # 23:30 UTC on Sunday is already Monday in Berlin, still Sunday in New York.
    sunday_night = datetime(2026, 11, 29, 23, 30, tzinfo=UTC)
    assert monday_of(sunday_night, BERLIN) == date(2026, 11, 30)
    assert monday_of(sunday_night, NEW_YORK) == date(2026, 11, 23)
    assert monday_of(sunday_night, UTC) == date(2026, 11, 23)


def test_dst_changes_do_not_move_sessions_between_weeks() -> None:
    # Berlin leaves summer time on Sunday 25 Oct 2026 at 03:00 (UTC+2 -> UTC+1): a session at
    # 23:30 local that Sunday is 22:30 UTC, and stays in the week of Monday 19 Oct.
    late_sunday = datetime(2026, 10, 25, 22, 30, tzinfo=UTC)
    assert monday_of(late_sunday, BERLIN) == date(2026, 10, 19)
    # 00:15 local on Monday 26 Oct is 23:15 UTC on Sunday: the next week, in Berlin.
    monday_morning = datetime(2026, 10, 25, 23, 15, tzinfo=UTC)
    assert monday_of(monday_morning, BERLIN) == date(2026, 10, 26)
    # Spring forward: Sunday 29 Mar 2026 02:00 -> 03:00. 00:30 local Monday 30 Mar = 22:30 UTC.
    assert monday_of(datetime(2026, 3, 29, 22, 30, tzinfo=UTC), BERLIN) == date(2026, 3, 30)


def test_empty_weeks_are_kept_as_zero_weeks() -> None:
    table = VolumeTable.build(
        [
            a_session("2026-11-02T08:00:00+00:00", a_set(done=10)),
            a_session("2026-11-23T08:00:00+00:00", a_set(done=20)),
        ],
        UTC,
    )
    series = table.series("reps")
    assert series.weeks == [date(2026, 11, 2) + timedelta(weeks=k) for k in range(4)]
    assert series.totals == [10, 0, 0, 20]
    assert series.stacks == {"double_leg_calf_raise": [10, 0, 0, 20]}


def test_a_range_reads_only_its_weeks_and_an_empty_history_is_empty() -> None:
    table = VolumeTable.build(
        [a_session(f"2026-{m:02d}-05T08:00:00+00:00", a_set(done=m)) for m in range(1, 13)], UTC
    )
    series = table.series("reps", first=date(2026, 11, 2), last=date(2026, 12, 28))
    assert series.weeks[0] == date(2026, 11, 2) and series.weeks[-1] == date(2026, 12, 28)
    assert sum(series.totals) == 11 + 12
    empty = VolumeTable.build([], UTC).series("reps")
    assert empty.weeks == [] and empty.empty


# ------------------------------------------------------------------ metrics


def test_each_metric_counts_what_the_domain_says() -> None:
    raise_set = a_set("seated_calf_raise", done=12, load_kg=20.0, tut_s=60.0)
    hold = a_set("isometric_calf_hold", mode="time", done=45, planned=45, tut_s=45.0, side="left")
    pogo = a_set("jumping_calf_raise", done=30, tempo=None, tut_s=0.0)
    test = a_set("heel_rise_test", mode="test", done=27, side="right", tut_s=54.0)
    assert set_amounts(raise_set) == (12, 60, 240, 1, 0)
    assert set_amounts(hold) == (0, 45, 0, 1, 0)  # a hold has time, not reps
    assert set_amounts(pogo) == (0, 0, 0, 1, 30)  # jumps are contacts, not reps
    assert set_amounts(test) == (27, 54, 0, 1, 0)
    table = VolumeTable.build(
        [a_session("2026-11-25T08:00:00+00:00", raise_set, hold, pogo, test)], UTC
    )
    expected = {"reps": 39, "tut": 159, "load": 240, "sets": 4, "contacts": 30}
    for metric in METRICS:
        assert table.series(metric).totals == [expected[metric]], metric


def test_load_counts_only_loaded_sets() -> None:
    table = VolumeTable.build(
        [
            a_session(
                "2026-11-25T08:00:00+00:00",
                a_set(done=10, load_kg=0.0),
                a_set(done=10, load_kg=12.5),
            )
        ],
        UTC,
    )
    assert table.series("load").totals == [125]


def test_per_leg_a_two_leg_rep_counts_for_both_legs() -> None:
    table = VolumeTable.build(
        [
            a_session(
                "2026-11-25T08:00:00+00:00",
                a_set("double_leg_calf_raise", done=15),
                a_set("single_leg_calf_raise", done=12, side="left"),
                a_set("single_leg_calf_raise", done=10, side="right"),
            )
        ],
        UTC,
    )
    legs = table.series("reps", per_leg=True)
    assert legs.leg_totals == {"left": [27], "right": [25]}
    assert legs.totals == [52]
    assert legs.stacks == {
        ("double_leg_calf_raise", "left"): [15],
        ("double_leg_calf_raise", "right"): [15],
        ("single_leg_calf_raise", "left"): [12],
        ("single_leg_calf_raise", "right"): [10],
    }
    assert table.series("reps").totals == [37]  # not per leg: each rep once


def test_exercises_stack_in_catalog_order() -> None:
    table = VolumeTable.build(
        [
            a_session(
                "2026-11-25T08:00:00+00:00",
                a_set("jumping_calf_raise", done=20),
                a_set("soleus_squat", done=15),
                a_set("double_leg_calf_raise", done=15),
            )
        ],
        UTC,
    )
    assert list(table.series("sets").stacks) == [
        "double_leg_calf_raise",
        "soleus_squat",
        "jumping_calf_raise",
    ]


def test_sessions_are_listed_by_week() -> None:
    first = a_session("2026-11-24T08:00:00+00:00", a_set())
    second = a_session("2026-11-26T08:00:00+00:00", a_set())
    empty = a_session("2026-11-27T08:00:00+00:00")
    table = VolumeTable.build([first, second, empty], UTC)
    assert table.session_ids(date(2026, 11, 23)) == [first["id"], second["id"]]
    assert table.session_ids(date(2026, 11, 30)) == []


# ------------------------------------------------------------------ trends


def test_rolling_average_is_trailing_over_four_weeks() -> None:
    assert rolling_average([4, 8, 0, 4, 8, 12], 4) == [4, 6, 4, 4, 5, 6]


def test_the_rolling_average_of_a_range_counts_the_weeks_before_it() -> None:
    sessions = [a_session(f"2026-11-{d:02d}T08:00:00+00:00", a_set(done=8)) for d in (2, 9, 16)]
    table = VolumeTable.build(sessions, UTC)
    later = table.series("reps", first=date(2026, 11, 16))
    assert later.totals == [8]
    assert later.rolling == [8]  # (8 + 8 + 8) / 3 weeks of data, not 8 / 1 restarted
    assert table.series("reps", first=date(2026, 11, 23), last=date(2026, 11, 23)).rolling == [6]


def test_week_over_week_change() -> None:
    assert week_change([10, 15, 0, 5, 5]) == [None, 0.5, -1.0, None, 0.0]


# ------------------------------------------------------------------ spikes


def session_on(day: int, reps: int) -> dict:
    return a_session(f"2026-11-{day:02d}T08:00:00+00:00", a_set(done=reps))


def test_a_session_above_110_percent_of_the_last_30_days_is_flagged() -> None:
    sessions = [session_on(d, reps) for d, reps in ((1, 100), (10, 80), (20, 110), (25, 121))]
    sessions.append(session_on(28, 134))
    flagged = spikes(sessions, "reps")
    # 110 is exactly 110 % of 100 and 121 exactly 110 % of 110: not above. 134 is above 121.
    assert [(s.value, s.reference, s.level) for s in flagged] == [(134, 121, "amber")]


def test_more_than_30_percent_over_is_red_and_exactly_30_is_amber() -> None:
    flagged = spikes([session_on(1, 100), session_on(2, 130), session_on(3, 170)], "reps")
    assert [(s.value, s.level) for s in flagged] == [(130, "amber"), (170, "red")]
    assert flagged[1].reference == 130 and flagged[1].ratio == pytest.approx(170 / 130)


def test_only_the_previous_30_days_count_and_a_first_session_is_never_a_spike() -> None:
    sessions = [
        a_session("2026-10-01T08:00:00+00:00", a_set(done=100)),
        a_session("2026-11-05T08:00:00+00:00", a_set(done=50)),  # 35 days later: no reference
        a_session("2026-11-06T08:00:00+00:00", a_set(done=60)),  # 120 % of 50
    ]
    assert [(s.value, s.level) for s in spikes(sessions, "reps")] == [(60, "amber")]


def test_spikes_follow_the_metric() -> None:
    sessions = [
        a_session("2026-11-01T08:00:00+00:00", a_set(done=10, load_kg=10.0)),
        a_session("2026-11-02T08:00:00+00:00", a_set(done=10, load_kg=20.0)),
    ]
    assert spikes(sessions, "reps") == []
    assert [s.level for s in spikes(sessions, "load")] == ["red"]
