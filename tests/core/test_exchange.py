"""Export and import: CSV columns and escaping, the JSON backup round trip, idempotent merges,
the import preview, program files, every refusal (which must change nothing) and the CLI."""

from __future__ import annotations

import copy
import csv
import io
import json
import subprocess
import sys
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

from calftimer.app import main
from calftimer.core.exchange import (
    CSV_COLUMNS,
    MAX_IMPORT_BYTES,
    ImportRefusedError,
    apply_import,
    csv_bytes,
    csv_rows,
    escape_cell,
    export_csv,
    export_json,
    format_number,
    format_strong_duration,
    preview_import,
)
from calftimer.core.exercise import Tempo
from calftimer.core.history import SessionDoc, SetDoc, iso, new_id
from calftimer.core.library import ProgramLibrary
from calftimer.core.programs import BUILTIN_BY_ID, Program, Side, program_to_dict
from calftimer.core.session import EndedBy, SetRecord
from calftimer.core.settings import display_to_kg
from calftimer.core.store import Store
from tests.set_records import work_set

T0 = datetime(2025, 3, 4, 6, 30, 15, 250_000, tzinfo=UTC)


# ----------------------------------------------------------------------------------- helpers


def a_set(
    exercise: str = "double_leg_calf_raise",
    *,
    at: datetime = T0,
    side: str = "both",
    mode: str = "reps",
    done: int = 15,
    load_kg: float = 0.0,
    tut_s: float = 45.0,
    ended_by: str = "time",
    set_number: int = 1,
) -> SetDoc:
    return SetDoc(
        id=new_id(),
        exercise=exercise,
        side=side,
        block=0,
        set=set_number,
        mode=mode,
        planned=15,
        done=done,
        tempo=[2.0, 1.0, 2.0, 0.0] if mode == "reps" else None,
        load_kg=load_kg,
        tut_s=tut_s,
        started_at=iso(at),
        ended_at=iso(at + timedelta(seconds=50)),
        ended_by=ended_by,
    )


def a_session(
    sets: list[SetDoc],
    *,
    name: str = "Runner's calf foundation",
    start: datetime = T0,
    minutes: float | None = 31,
) -> SessionDoc:
    return SessionDoc(
        id=new_id(),
        program_id="foundation",
        program_name=name,
        started_at=iso(start),
        ended_at=None if minutes is None else iso(start + timedelta(minutes=minutes)),
        status="running" if minutes is None else "finished",
        sets=sets,
        tests=[],
        pain=[],
    )


def history(count: int = 3) -> list[SessionDoc]:
    """``count`` sessions on consecutive days, each with per-side and two-leg sets."""
    sessions = []
    for day in range(count):
        start = T0 + timedelta(days=day)
        sets = [
            a_set(at=start + timedelta(minutes=1), load_kg=2.5),
            a_set("single_leg_calf_raise", at=start + timedelta(minutes=3), side="left"),
            a_set("single_leg_calf_raise", at=start + timedelta(minutes=4), side="right"),
            a_set("isometric_calf_hold", at=start + timedelta(minutes=6), mode="time", done=45),
        ]
        sessions.append(a_session(sets, start=start))
    sessions[-1]["tests"].append(
        {
            "id": new_id(),
            "left_reps": 22,
            "right_reps": 25,
            "heel_height_cm": None,
            "recorded_at": iso(T0),
        }
    )
    sessions[-1]["pain"].append(
        {"id": new_id(), "when": "during", "rating": 2, "recorded_at": iso(T0)}
    )
    return sessions


def store_with(root: Path, sessions: list[SessionDoc]) -> Store:
    store = Store.open(root)
    if sessions:
        store.merge_sessions(copy.deepcopy(sessions))
    return store


def my_program(program_id: str = "my-day", name: str = "My day") -> Program:
    base = BUILTIN_BY_ID["isometric"]
    return Program(program_id, name, base.description, base.blocks)


def snapshot(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def read_csv(path: Path) -> list[list[str]]:
    with open(path, newline="", encoding="utf-8") as handle:
        return list(csv.reader(handle))


def write_json(path: Path, doc: Any) -> Path:
    path.write_text(json.dumps(doc), encoding="utf-8")
    return path


def make_read_only(root: Path) -> None:
    """Put a file written by a (future) schema 3 calftimer into the history."""
    doc = {"kind": "calftimer.session", "schema_version": 3, "session": a_session([a_set()])}
    write_json(root / "history" / "sessions" / "newer.json", doc)


def backup_doc(sessions: list[SessionDoc], programs: tuple[Program, ...] = ()) -> dict[str, Any]:
    return {
        "kind": "calftimer.backup",
        "schema_version": 2,
        "exported_at": iso(T0),
        "app_version": "0.1.0",
        "sessions": sessions,
        "programs": [program_to_dict(p) for p in programs],
    }


# ---------------------------------------------------------------------------------------- CSV

STRONG_HEADER = (
    "Date,Workout Name,Duration,Exercise Name,Set Order,Weight,Reps,Distance,Seconds,Notes,"
    "Workout Notes,RPE"
)


def test_csv_is_strongs_layout_exactly_then_our_columns(tmp_path: Path) -> None:
    store = store_with(tmp_path / "data", history(2))
    summary = export_csv(tmp_path / "out.csv", store, tz=UTC)
    raw = (tmp_path / "out.csv").read_bytes()
    lines = raw.decode("utf-8").split("\n")
    assert lines[0] == STRONG_HEADER + ",Side,Weight Unit,Time under tension"
    assert lines[0].split(",") == list(CSV_COLUMNS)
    # As Strong writes it: \n line ends (no \r at all), no byte-order mark, a final line end.
    assert b"\r" not in raw and raw.endswith(b"\n") and raw.startswith(b"Date,")
    assert len(lines) == 1 + 8 + 1 and lines[-1] == ""
    # Text columns quoted (Strong quotes them even when empty), numbers and the date bare.
    assert lines[1] == (
        '2025-03-04 06:30:15,"Runner\'s calf foundation",31m,"Double-leg calf raise",1,2.5,15,'
        '0,0,"","",,both,kg,45'
    )
    assert (summary.sessions, summary.sets) == (2, 8)
    rows = read_csv(tmp_path / "out.csv")
    hold = rows[4]
    assert hold[3:12] == ["Isometric calf hold", "1", "0", "0", "0", "45", "", "", ""]
    # The pain rating of the second session is its Workout Notes, on each of its rows.
    assert [r[10] for r in rows[1:]] == [""] * 4 + ["Pain during: 2/10"] * 4


def test_csv_writes_0_where_strong_does_and_leaves_only_rpe_empty() -> None:
    sets = [
        a_set(load_kg=0),
        a_set("isometric_calf_hold", mode="time", done=30),
        a_set("heel_toe_walk", mode="distance", done=40, tut_s=0),
        a_set("heel_rise_test", mode="test", side="left", done=23, ended_by="user"),
    ]
    rows = csv_rows([a_session(sets)], UTC)[1:]
    # Weight, Reps, Distance, Seconds, RPE
    assert [[*r[5:9], r[11]] for r in rows] == [
        ["0", "15", "0", "0", ""],
        ["0", "0", "0", "30", ""],
        ["0", "0", "0.04", "50", ""],  # km, and the walk's own 50 s as Strong writes for cardio
        ["0", "23", "0", "0", ""],
    ]


def test_csv_dates_are_strongs_24_hour_local_time_and_numbers_round_trip() -> None:
    plus_two = timezone(timedelta(hours=2))
    start = datetime(2024, 12, 31, 23, 59, 58, 900_000, tzinfo=plus_two)
    sets = [
        a_set(at=start, load_kg=12.345, tut_s=72.125, done=0),
        a_set(at=start, load_kg=100, tut_s=0.001, done=200),
        a_set("heel_toe_walk", at=start, mode="distance", done=1500, tut_s=0.0),
    ]
    session = a_session(sets, start=start, minutes=65.5)
    rows = csv_rows([session], UTC)[1:]
    parsed = list(csv.reader(io.StringIO(csv_bytes([session], UTC).decode(), newline="")))[1:]
    assert parsed == rows
    for row, original in zip(parsed, sets, strict=True):
        assert float(row[5]) == original["load_kg"]
        assert float(row[14]) == original["tut_s"]
        assert "e" not in row[5] + row[14] and not row[14].endswith(".0")
    assert [r[6] for r in parsed] == ["0", "200", "0"]
    assert parsed[2][7] == "1.5"  # 1500 m
    assert parsed[0][2] == "1h 5m"
    when = datetime.strptime(parsed[0][0], "%Y-%m-%d %H:%M:%S").replace(tzinfo=UTC)
    assert when == start.astimezone(UTC).replace(microsecond=0)
    assert parsed[0][0] == "2024-12-31 21:59:58"
    # Default: the computer's local time.
    local = csv_rows([session])[1][0]
    assert local == start.astimezone().strftime("%Y-%m-%d %H:%M:%S")
    assert [format_number(x) for x in (0, 0.0, 2.5, 100.0, 1e-05, 72.125)] == [
        "0",
        "0",
        "2.5",
        "100",
        "0.00001",
        "72.125",
    ]


def test_csv_duration_short_long_and_of_a_session_that_never_ended() -> None:
    assert [format_strong_duration(s) for s in (0, 9, 59.9, 60, 1139, 3600, 3900, -1)] == [
        "0s",
        "9s",
        "59s",
        "1m",
        "18m",
        "1h",
        "1h 5m",
        "0s",
    ]
    # The app was closed mid-session: it never ended, so it lasted until its last set ended
    # (3 min 50 s). An empty Duration stops ryot's and open_fitness_tracker's whole import.
    sets = [a_set(at=T0 + timedelta(minutes=1)), a_set(at=T0 + timedelta(minutes=3))]
    rows = csv_rows([a_session(sets, minutes=None), a_session(sets, minutes=0.15)], UTC)[1:]
    assert [r[2] for r in rows] == ["3m", "3m", "9s", "9s"]


def test_csv_weight_in_the_users_unit_as_strong_writes_it(tmp_path: Path) -> None:
    twenty_lb = display_to_kg(20, "lb")
    sets = [a_set(load_kg=twenty_lb), a_set(load_kg=2.5), a_set(load_kg=0)]
    store = store_with(tmp_path / "data", [a_session(sets)])
    settings = write_json(tmp_path / "settings.json", {"weight_unit": "lb"})
    export_csv(tmp_path / "lb.csv", store, tz=UTC, settings_file=settings)
    rows = read_csv(tmp_path / "lb.csv")[1:]
    assert [(r[5], r[13]) for r in rows] == [("20", "lbs"), ("5.511557", "lbs"), ("0", "lbs")]
    # Without a readable settings file the unit is kg (and says so).
    for unreadable in (None, tmp_path / "missing.json", write_json(tmp_path / "bad.json", [])):
        export_csv(tmp_path / "kg.csv", store, tz=UTC, settings_file=unreadable)
        rows = read_csv(tmp_path / "kg.csv")[1:]
        assert [(r[5], r[13]) for r in rows] == [("9.0718474", "kg"), ("2.5", "kg"), ("0", "kg")]
    with pytest.raises(ValueError, match="weight unit"):
        csv_rows([a_session(sets)], UTC, weight_unit="stone")


def test_csv_unicode_and_quotes_are_written_as_utf8_rfc_4180(tmp_path: Path) -> None:
    name = 'My "walk" day, easy — café ☕'
    store = store_with(tmp_path / "data", [a_session([a_set()], name=name)])
    export_csv(tmp_path / "out.csv", store, tz=UTC)
    raw = (tmp_path / "out.csv").read_bytes()
    line = '2025-03-04 06:30:15,"My ""walk"" day, easy — café ☕",31m,"Double-leg calf raise",'
    assert line.encode("utf-8") in raw
    assert read_csv(tmp_path / "out.csv")[1][1] == name


def test_csv_line_breaks_in_a_name_become_spaces_so_each_set_is_one_line(tmp_path: Path) -> None:
    sets = [a_set(exercise="my\r\nown"), a_set()]
    store = store_with(tmp_path / "data", [a_session(sets, name="Morning\nroutine\u2028two")])
    export_csv(tmp_path / "out.csv", store, tz=UTC)
    lines = (tmp_path / "out.csv").read_text(encoding="utf-8").splitlines()
    assert len(lines) == 3  # line-based readers see one set per line
    rows = read_csv(tmp_path / "out.csv")
    assert [(r[1], r[3]) for r in rows[1:]] == [
        ("Morning routine two", "my own"),
        ("Morning routine two", "Double-leg calf raise"),
    ]


@pytest.mark.parametrize("first", ["=", "+", "-", "@", "\t"])
def test_csv_escapes_each_formula_character_in_text_cells(tmp_path: Path, first: str) -> None:
    name = f"{first}SUM(1)+cmd|' /C calc'!A0"
    sets = [a_set(exercise=f"{first}custom", load_kg=0)]
    store = store_with(tmp_path / "data", [a_session(sets, name=name)])
    export_csv(tmp_path / "out.csv", store, tz=UTC)
    row = read_csv(tmp_path / "out.csv")[1]
    assert row[1] == "'" + name
    assert row[3] == f"'{first}custom"  # unknown exercise: falls back to its id, escaped too
    assert row[5] == "0" and row[14] == "45"  # numbers are never touched


@pytest.mark.parametrize("blank", [" ", "   ", "\t ", "\u00a0", "\u3000", "\n"])
@pytest.mark.parametrize("sign", ["=", "+", "-", "@"])
def test_csv_escapes_a_formula_after_leading_whitespace(blank: str, sign: str) -> None:
    name = f'{blank}{sign}HYPERLINK("http://x")'
    row = csv_rows([a_session([a_set(exercise=name)], name=name)], UTC)[1]
    written = " ".join(name.splitlines())
    assert row[1] == row[3] == "'" + written
    assert escape_cell(f"{blank}{sign}1") == f"'{blank}{sign}1"


def test_csv_leaves_plain_text_alone() -> None:
    assert escape_cell("@SUM(1)") == "'@SUM(1)"
    assert escape_cell("\rX") == "'\rX"  # (in the file a CR has become a space already)
    assert escape_cell("Heel drops - 3x15") == "Heel drops - 3x15"
    assert escape_cell("") == "" and escape_cell("   ") == "   "
    assert escape_cell("  walk = run") == "  walk = run"
    row = csv_rows([a_session([a_set()], name="Morning = good")], UTC)[1]
    assert row[1] == "Morning = good"


def test_csv_set_order_counts_each_side_as_its_own_set() -> None:
    sets = [
        a_set("single_leg_calf_raise", side="left", set_number=1),
        a_set("single_leg_calf_raise", side="right", set_number=1),
        a_set("double_leg_calf_raise", set_number=1),
        a_set("single_leg_calf_raise", side="left", set_number=2),
        a_set("single_leg_calf_raise", side="right", set_number=2),
        a_set("double_leg_calf_raise", set_number=2),
    ]
    rows = csv_rows([a_session(sets), a_session(sets[:2])], UTC)[1:]
    assert [(r[3][:6], r[4], r[12]) for r in rows] == [
        ("Single", "1", "left"),
        ("Single", "2", "right"),
        ("Double", "1", "both"),
        ("Single", "3", "left"),
        ("Single", "4", "right"),
        ("Double", "2", "both"),
        ("Single", "1", "left"),  # a new session starts again at 1
        ("Single", "2", "right"),
    ]


def test_csv_notes_workout_notes_and_mode_columns() -> None:
    sets = [
        a_set("heel_rise_test", mode="test", side="left", done=23, ended_by="user"),
        a_set("heel_rise_test", mode="test", side="right", done=8, ended_by="finish"),
        a_set("isometric_calf_hold", mode="time", done=30, ended_by="skip"),
    ]
    session = a_session(sets, minutes=None)
    for when, rating, minute in (("during", 4, 1), ("next_morning", 2, 9), ("during", 3, 2)):
        at = iso(T0 + timedelta(minutes=minute))
        session["pain"].append({"id": new_id(), "when": when, "rating": rating, "recorded_at": at})
    rows = csv_rows([session], UTC)[1:]
    assert [(r[6], r[8], r[9]) for r in rows] == [
        ("23", "0", "heel-rise test"),
        ("8", "0", "heel-rise test; ended early"),
        ("0", "30", "ended early"),
    ]
    # The last rating given for each moment (the user corrected "during" from 4 to 3).
    assert {r[10] for r in rows} == {"Pain during: 3/10; Pain next morning: 2/10"}


def test_csv_of_sets_recorded_through_the_store(tmp_path: Path) -> None:
    store = Store.open(tmp_path / "data")
    sid = store.begin_session("alfredson", "=cmd", T0)
    for index, (n, side) in enumerate(((1, Side.LEFT), (1, Side.RIGHT), (2, Side.LEFT))):
        at = T0 + timedelta(minutes=n)
        work = work_set(
            index=index,
            exercise_id="ecc_heel_drop_straight",
            set_number=n,
            sets=3,
            side=side,
            target=15,
            load_kg=5.0,
            tempo=Tempo(1, 0, 3, 0),
        )
        record = SetRecord(
            work=work,
            done=15,
            time_under_tension_ms=60_250,
            started_mono_ms=0,
            ended_mono_ms=60_250,
            started_at=at,
            ended_at=at + timedelta(seconds=61),
            ended_by=EndedBy.TIME,
        )
        store.add_set(sid, record)
    store.end_session(sid, "finished", T0 + timedelta(minutes=18, seconds=30))
    rows = csv_rows(store.sessions(), UTC)[1:]
    assert [(r[1], r[2], r[4], r[5], r[6], r[12], r[14]) for r in rows] == [
        ("'=cmd", "18m", "1", "5", "15", "left", "60.25"),
        ("'=cmd", "18m", "2", "5", "15", "right", "60.25"),
        ("'=cmd", "18m", "3", "5", "15", "left", "60.25"),
    ]


# ------------------------------------------------------------------------- JSON backup + import


def test_backup_round_trips_every_session_and_is_idempotent(tmp_path: Path) -> None:
    sessions = history(4)
    source = store_with(tmp_path / "a", sessions)
    summary = export_json(
        tmp_path / "backup.json", source, [my_program(), *BUILTIN_BY_ID.values()], now=T0
    )
    assert (summary.sessions, summary.sets, summary.programs) == (4, 16, 1)  # built-ins left out
    doc = json.loads((tmp_path / "backup.json").read_text(encoding="utf-8"))
    assert (doc["kind"], doc["schema_version"], doc["exported_at"]) == (
        "calftimer.backup",
        2,
        iso(T0),
    )
    assert [s["started_at"] for s in doc["sessions"]] == sorted(s["started_at"] for s in sessions)

    target = Store.open(tmp_path / "b")
    programs_dir = tmp_path / "b" / "programs"
    preview = preview_import(tmp_path / "backup.json", target, ProgramLibrary.load(None).programs)
    assert (preview.new_sessions, preview.sets_in_new_sessions, preview.new_other_records) == (
        4,
        16,
        2,
    )
    result = apply_import(preview, target, programs_dir)
    assert (result.new_sessions, result.new_records) == (4, 0)
    assert result.programs_written == (programs_dir / "my-day.json",)
    assert Store.open(tmp_path / "b").sessions() == source.sessions()
    assert ProgramLibrary.load(programs_dir).get("my-day") == my_program()

    before = snapshot(tmp_path / "b")
    again = Store.open(tmp_path / "b")
    library = ProgramLibrary.load(programs_dir).programs
    second = preview_import(tmp_path / "backup.json", again, library, programs_dir=programs_dir)
    assert second.nothing_to_add and second.sessions_already_here == 4
    assert second.sets_already_here == 16
    assert [p.action for p in second.programs] == ["present"]
    result = apply_import(second, again, programs_dir)
    assert (result.new_sessions, result.new_records, result.programs_written) == (0, 0, ())
    assert snapshot(tmp_path / "b") == before


def test_preview_counts_new_sessions_new_sets_and_what_is_already_here(tmp_path: Path) -> None:
    sessions = history(3)
    export_json(tmp_path / "backup.json", store_with(tmp_path / "a", sessions), [], now=T0)
    partial = copy.deepcopy(sessions[1:])
    del partial[0]["sets"][2:]  # this copy lacks 2 sets of session 1
    partial[1]["tests"].clear()  # and the test result of session 2
    here = store_with(tmp_path / "b", partial)
    preview = preview_import(tmp_path / "backup.json", here, [])
    assert preview.kind == "backup" and preview.app_version == "0.1.0"
    assert (preview.new_sessions, preview.sets_in_new_sessions) == (1, 4)
    assert (preview.known_sessions_gaining, preview.new_sets_in_known_sessions) == (1, 2)
    assert preview.new_other_records == 1
    assert (preview.sessions_already_here, preview.sets_already_here) == (2, 6)
    text = "\n".join(preview.lines())
    assert "Will add: 1 new session (4 sets), 2 new sets in 1 session already here" in text
    assert "Already here: 2 sessions (6 sets)" in text
    assert apply_import(preview, here, tmp_path / "b" / "programs").new_sessions == 1
    assert Store.open(tmp_path / "b").set_count() == 12


def test_a_conflicting_program_is_saved_under_a_new_id_once(tmp_path: Path) -> None:
    programs_dir = tmp_path / "data" / "programs"
    store = Store.open(tmp_path / "data")
    theirs = my_program(name="Their day")
    ours = my_program(name="Our day")
    export_json(tmp_path / "backup.json", store, [theirs, my_program("new-one")], now=T0)
    (programs_dir).mkdir(parents=True)
    (programs_dir / "my-day.json").write_text(json.dumps(program_to_dict(ours)))
    library = ProgramLibrary.load(programs_dir).programs
    preview = preview_import(tmp_path / "backup.json", store, library, programs_dir=programs_dir)
    assert [(p.source_id, p.program.id, p.action) for p in preview.programs] == [
        ("my-day", "my-day-2", "renamed"),
        ("new-one", "new-one", "new"),
    ]
    assert "will be saved as my-day-2" in "\n".join(preview.lines())
    apply_import(preview, store, programs_dir)
    loaded = ProgramLibrary.load(programs_dir)
    assert loaded.get("my-day") == ours  # the user's own program is untouched
    assert loaded.get("my-day-2") == Program("my-day-2", "Their day", ours.description, ours.blocks)
    again = preview_import(tmp_path / "backup.json", store, loaded.programs)
    assert [(p.program.id, p.action) for p in again.programs] == [
        ("my-day-2", "present"),
        ("new-one", "present"),
    ]
    assert again.nothing_to_add


def test_program_file_import_adds_it_and_never_overwrites(tmp_path: Path) -> None:
    programs_dir = tmp_path / "data" / "programs"
    store = Store.open(tmp_path / "data")
    file = write_json(tmp_path / "day.json", program_to_dict(my_program()))
    preview = preview_import(file, store, ProgramLibrary.load(programs_dir).programs)
    assert preview.kind == "program" and preview.sessions == ()
    assert preview.lines()[1] == "Will add: 1 program"
    apply_import(preview, store, programs_dir)
    assert ProgramLibrary.load(programs_dir).get("my-day") == my_program()
    assert preview_import(file, store, ProgramLibrary.load(programs_dir).programs).nothing_to_add

    # The id of a built-in program, with other content: saved beside it, never replacing it.
    clash = dict(program_to_dict(my_program()), id="foundation")
    clash_file = write_json(tmp_path / "clash.json", clash)
    plan = preview_import(clash_file, store, ProgramLibrary.load(programs_dir).programs)
    assert [(p.program.id, p.action) for p in plan.programs] == [("foundation-2", "renamed")]
    # A damaged file holding the id counts as taken: it is never overwritten.
    (programs_dir / "broken.json").write_text("{ not json")
    broken_file = write_json(tmp_path / "b.json", dict(program_to_dict(my_program()), id="broken"))
    library = ProgramLibrary.load(programs_dir).programs
    plan = preview_import(broken_file, store, library, programs_dir=programs_dir)
    assert [(p.program.id, p.action) for p in plan.programs] == [("broken-2", "renamed")]
    apply_import(plan, store, programs_dir)
    assert (programs_dir / "broken.json").read_text() == "{ not json"


def test_apply_refuses_when_the_store_is_read_only(tmp_path: Path) -> None:
    root = tmp_path / "data"
    store_with(root, history(1))
    make_read_only(root)
    store = Store.open(root)
    assert store.read_only
    export_json(tmp_path / "backup.json", store, [], now=T0)  # export still works
    before = snapshot(root)
    preview = preview_import(tmp_path / "backup.json", store_with(tmp_path / "other", []), [])
    with pytest.raises(ImportRefusedError, match="open read-only"):
        apply_import(preview, store, root / "programs")
    assert snapshot(root) == before


# ------------------------------------------------------------------------------ refusals


def _bad_set(doc: dict[str, Any]) -> None:
    doc["sessions"][1]["sets"][2]["done"] = -1


def _bad_program(doc: dict[str, Any]) -> None:
    doc["programs"][0]["blocks"][0]["sets"] = 0


def _newer(doc: dict[str, Any]) -> None:
    doc["schema_version"] = 3


def _kind(doc: dict[str, Any]) -> None:
    doc["kind"] = "calftimer.month"


def _duplicate_program(doc: dict[str, Any]) -> None:
    doc["programs"].append(doc["programs"][0])


REFUSALS = [
    (_bad_set, "backup.json: sessions[1].sets[2].done: must be a whole number from 0 to 200"),
    (_bad_program, "backup.json: programs[0].blocks[0].sets: must be an integer from 1 to 20"),
    (_newer, "schema_version: 3 was written by a newer calftimer; this calftimer reads 2"),
    (_kind, 'backup.json: kind: must be "calftimer.backup"'),
    (_duplicate_program, "backup.json: programs[1].id: 'my-day' is also the id of programs[0]"),
]


@pytest.fixture
def refusal_setup(tmp_path: Path) -> tuple[Path, dict[str, Any]]:
    """A data folder with history and a program, and a valid backup of *other* sessions."""
    root = tmp_path / "data"
    store_with(root, history(2))
    (root / "programs").mkdir()
    (root / "programs" / "mine.json").write_text(json.dumps(program_to_dict(my_program("mine"))))
    Store.open(root)  # settle anything opening does, so later opens are no-ops
    return root, backup_doc(history(3), (my_program(),))


@pytest.mark.parametrize(("change", "message"), REFUSALS)
def test_refused_backups_name_file_record_and_field_and_change_nothing(
    tmp_path: Path, refusal_setup: tuple[Path, dict[str, Any]], change: Any, message: str, capsys
) -> None:
    root, doc = refusal_setup
    change(doc)
    file = write_json(tmp_path / "backup.json", doc)
    before = snapshot(root)
    with pytest.raises(ImportRefusedError) as refused:
        preview_import(file, Store.open(root), [])
    assert any(message in p for p in refused.value.problems), refused.value.problems
    assert main(["--data-dir", str(root), "import", str(file)]) == 2
    err = capsys.readouterr().err
    assert message in err and "nothing was changed" in err
    assert snapshot(root) == before


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b'{"kind": "calftimer.backup", "sessions": [', "not valid JSON: Expecting value"),
        (b"\xff\xfe{}", "not UTF-8 text (byte 0)"),
        (b"[1, 2]", "must hold a JSON object"),
        (b'{"kind": "calftimer.backup", "schema_version": NaN}', "NaN is not allowed"),
        (b'{"kind": "calftimer.backup", "schema_version": 1}', "schema_version: must be 2"),
        (b'{"kind": "calftimer.backup", "schema_version": 2, "sessions": 7}', "sessions: must"),
        (b'{"kind": "calftimer.program", "version": 1}', "x.json: id: must be a non-empty"),
    ],
)
def test_refused_files_of_other_shapes_change_nothing(
    tmp_path: Path, refusal_setup: tuple[Path, dict[str, Any]], content: bytes, message: str
) -> None:
    root, _ = refusal_setup
    (tmp_path / "x.json").write_bytes(content)
    before = snapshot(root)
    with pytest.raises(ImportRefusedError) as refused:
        preview_import(tmp_path / "x.json", Store.open(root), [])
    assert str(refused.value).startswith("x.json: ") and message in str(refused.value)
    assert snapshot(root) == before


def test_files_over_the_limit_are_refused_without_reading_them(
    tmp_path: Path, refusal_setup: tuple[Path, dict[str, Any]], capsys
) -> None:
    root, _ = refusal_setup
    big = tmp_path / "big.json"
    with open(big, "wb") as handle:
        handle.truncate(MAX_IMPORT_BYTES + 1)  # sparse: instant, no disk used
    before = snapshot(root)
    assert main(["--data-dir", str(root), "import", str(big)]) == 2
    assert "big.json: file is 512,000,001 bytes; the limit is 512 MB" in capsys.readouterr().err
    assert snapshot(root) == before


# ------------------------------------------------------------------------------------- CLI


def test_cli_export_json_and_csv_with_default_names(tmp_path: Path, monkeypatch, capsys) -> None:
    root = tmp_path / "data"
    store_with(root, history(2))
    (root / "programs").mkdir()
    (root / "programs" / "my-day.json").write_text(json.dumps(program_to_dict(my_program())))
    monkeypatch.chdir(tmp_path)
    stamp = datetime.now().strftime("%Y%m%d")
    assert main(["--data-dir", str(root), "export", "--format", "json"]) == 0
    out = capsys.readouterr().out
    target = tmp_path / f"calftimer-export-{stamp}.json"
    assert f"Exported 2 sessions, 8 sets, 1 saved program to {target}" in out
    assert len(json.loads(target.read_text())["programs"]) == 1
    assert main(["--data-dir", str(root), "export", "--format", "csv"]) == 0
    assert f"to {tmp_path / f'calftimer-export-{stamp}.csv'}" in capsys.readouterr().out
    assert main(["--data-dir", str(root), "export", "--format", "csv", "-o", "x/out.csv"]) == 1
    assert "cannot write x/out.csv" in capsys.readouterr().err
    assert main(["--data-dir", str(root), "export", "--format", "csv", "-o", "h.csv"]) == 0
    assert len(read_csv(tmp_path / "h.csv")) == 9


def test_cli_import_dry_run_then_import(tmp_path: Path, capsys) -> None:
    export_json(tmp_path / "backup.json", store_with(tmp_path / "a", history(2)), [], now=T0)
    root = tmp_path / "data"
    args = ["--data-dir", str(root), "import", str(tmp_path / "backup.json")]
    assert main([*args, "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert "Will add: 2 new sessions (8 sets), 2 test results or pain ratings" in out
    assert "Dry run: nothing was changed." in out
    assert Store.open(root).sessions() == []
    assert main(args) == 0
    assert "Imported 2 new sessions" in capsys.readouterr().out
    assert Store.open(root).set_count() == 8
    assert main(args) == 0
    assert "Nothing to import" in capsys.readouterr().out


def test_cli_import_refuses_a_read_only_history_and_prints_notices(tmp_path: Path, capsys) -> None:
    root = tmp_path / "data"
    store_with(root, history(1))
    make_read_only(root)
    file = write_json(tmp_path / "day.json", program_to_dict(my_program()))
    before = snapshot(root)
    assert main(["--data-dir", str(root), "import", str(file)]) == 2
    err = capsys.readouterr().err
    assert "written by a newer calftimer. It is open read-only" in err  # the store's notice
    assert "day.json: not imported" in err
    assert snapshot(root) == before
    out = str(tmp_path / "ro.json")
    assert main(["--data-dir", str(root), "export", "--format", "json", "-o", out]) == 0


def test_cli_where_names_the_folder_and_its_source(tmp_path: Path, monkeypatch, capsys) -> None:
    assert main(["--data-dir", str(tmp_path), "--where"]) == 0
    assert capsys.readouterr().out.splitlines() == [str(tmp_path), "(from the --data-dir flag)"]
    monkeypatch.setenv("CALFTIMER_DATA_DIR", str(tmp_path / "env"))
    assert main(["--where"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out == [str(tmp_path / "env"), "(from the CALFTIMER_DATA_DIR environment variable)"]
    assert not (tmp_path / "env").exists()  # --where creates nothing


def test_cli_export_and_import_never_load_qt(tmp_path: Path) -> None:
    """They must work over SSH and on machines without a display."""
    code = (
        "import sys; from calftimer.app import main\n"
        f"d = {str(tmp_path / 'data')!r}; f = {str(tmp_path / 'b.json')!r}\n"
        "codes = [main(['--data-dir', d, 'export', '--format', 'json', '-o', f]),\n"
        "         main(['--data-dir', d, 'import', f]), main(['--data-dir', d, '--where'])]\n"
        "qt = [m for m in sys.modules if m.startswith('PySide6')]\n"
        "print(codes, qt)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True
    )
    assert done.stdout.strip().endswith("[0, 0, 0] []"), done.stdout + done.stderr


def test_a_backup_keeps_the_settings_and_import_still_reads_it(tmp_path: Path) -> None:
    settings = tmp_path / "settings.json"
    settings.write_text(
        json.dumps({"kind": "calftimer.settings", "schema_version": 1, "countdown_s": 5})
    )
    store = Store.open(tmp_path / "data")
    target = tmp_path / "backup.json"
    export_json(target, store, [], settings_file=settings)
    doc = json.loads(target.read_text())
    assert doc["settings"]["countdown_s"] == 5
    preview = preview_import(target, Store.open(tmp_path / "other"), [])
    assert preview.nothing_to_add
