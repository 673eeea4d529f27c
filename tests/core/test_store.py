"""The history store on real files: round trips, compaction, recovery, read-only, migration,
sync merges, two processes, fuzzed files, and the atomic write underneath.

Every test works in its own temporary data folder with real fsyncs. Time comes from an
injected wall clock, so nothing sleeps. Tests named after a past bug keep it fixed.
"""

from __future__ import annotations

import json
import os
import random
import re
import subprocess
import sys
import tempfile
import threading
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, cast

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from calftimer.core import atomic
from calftimer.core.atomic import write_atomic
from calftimer.core.exercise import Mode
from calftimer.core.history import (
    SCHEMA_VERSION,
    SessionDoc,
    set_doc,
    validate_session,
)
from calftimer.core.programs import Side
from calftimer.core.store import (
    BACKUP_GENERATIONS,
    MONTH_KIND,
    SESSION_KIND,
    BackgroundWriter,
    HistoryFileError,
    ReadOnlyStoreError,
    Store,
    conflict_base_name,
    parse_history_bytes,
    salvage_history_bytes,
)
from tests.core.store_worker import imported_session, make_record

REPO = Path(__file__).resolve().parents[2]
WORKER = Path(__file__).with_name("store_worker.py")
FIXTURE_V1 = REPO / "tests" / "fixtures" / "history_v1.json"

OCT = datetime(2026, 10, 5, 7, 0, tzinfo=UTC)  # a training morning in a past month
NOV = datetime(2026, 11, 15, 8, 0, tzinfo=UTC)  # "now" for most tests


class FixedClock:
    """A wall clock that stays where it is put."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


def snapshot(root: Path) -> dict[str, bytes | None]:
    """Every path under ``root`` with its bytes (None for folders)."""
    return {
        str(p.relative_to(root)): None if p.is_dir() else p.read_bytes()
        for p in sorted(root.rglob("*"))
    }


def month_bytes(month: str, sessions: list[Any], version: int = SCHEMA_VERSION) -> bytes:
    doc = {"kind": MONTH_KIND, "schema_version": version, "month": month, "sessions": sessions}
    return json.dumps(doc).encode()


def set_ids(store: Store) -> set[str]:
    return {r["id"] for s in store.sessions() for r in s["sets"]}


def set_ids_in_file(path: Path) -> set[str]:
    sessions = parse_history_bytes(path.read_bytes(), path.name, allow_newer=False)
    return {r["id"] for s in sessions for r in s["sets"]}


def months_dir(root: Path) -> Path:
    return root / "history" / "months"


def sessions_dir(root: Path) -> Path:
    return root / "history" / "sessions"


def record_session(
    store: Store, started: datetime, sets: int = 2, *, status: str | None = "finished"
) -> str:
    """Begin a session, record ``sets`` sets a minute apart, and end it with ``status``."""
    sid = store.begin_session("alfredson", "Alfredson heel drops", started)
    for n in range(1, sets + 1):
        store.add_set(sid, make_record(started + timedelta(minutes=n), set_number=n))
    if status is not None:
        store.end_session(sid, status, started + timedelta(minutes=sets + 1))
    return sid


# ------------------------------------------------------------------------------ round trip


def test_everything_recorded_is_there_after_reopening(tmp_path: Path) -> None:
    store = Store.open(tmp_path, FixedClock(OCT + timedelta(hours=1)))
    sid = store.begin_session("alfredson", "Alfredson heel drops", OCT)
    reps = make_record(OCT + timedelta(minutes=1), side=Side.RIGHT, load_kg=7.5, done=13)
    hold = make_record(
        OCT + timedelta(minutes=3),
        set_number=2,
        exercise_id="isometric_calf_hold",
        mode=Mode.TIME,
        planned=45,
        done=45,
        tempo=None,
        seconds=45,
    )
    reps_doc = store.add_set(sid, reps)
    hold_doc = store.add_set(sid, hold)
    test = store.add_test_result(sid, 24, 19, heel_height_cm=5.5)
    during = store.add_pain(sid, "during", 3)
    morning = store.add_pain(sid, "next_morning", 1)
    store.end_session(sid, "finished", OCT + timedelta(minutes=30))

    assert reps_doc["side"] == "right"
    assert reps_doc["load_kg"] == 7.5
    assert reps_doc["done"] == 13
    assert reps_doc["tempo"] == [2, 1, 2, 0]
    assert reps_doc["tut_s"] == 39.0
    assert hold_doc["mode"] == "time"
    assert hold_doc["tempo"] is None
    assert hold_doc["tut_s"] == 45.0

    again = Store.open(tmp_path, FixedClock(OCT + timedelta(hours=2)))
    assert again.notices == []
    assert again.sessions() == store.sessions()
    saved = again.session(sid)
    assert saved["status"] == "finished"
    assert saved["ended_at"] == "2026-10-05T07:30:00.000+00:00"
    assert saved["sets"] == [reps_doc, hold_doc]
    assert saved["tests"] == [test]
    assert saved["pain"] == [during, morning]
    assert test["left_reps"] == 24
    assert test["heel_height_cm"] == 5.5
    # The session file is plain, human-readable JSON with a schema version.
    doc = json.loads((sessions_dir(tmp_path) / f"{sid}.json").read_text(encoding="utf-8"))
    assert doc["kind"] == SESSION_KIND
    assert doc["schema_version"] == SCHEMA_VERSION
    assert doc["session"] == saved


def test_bad_calls_are_refused_without_writing(tmp_path: Path) -> None:
    store = Store.open(tmp_path, FixedClock(OCT))
    sid = record_session(store, OCT, sets=1, status=None)
    before = snapshot(tmp_path)
    with pytest.raises(ValueError):
        store.add_pain(sid, "during", 11)
    with pytest.raises(ValueError):
        store.add_pain(sid, "yesterday", 2)
    with pytest.raises(ValueError):
        store.end_session(sid, "running", OCT)
    with pytest.raises(KeyError):
        store.add_set("no-such-session", make_record(OCT))
    assert snapshot(tmp_path) == before


# ------------------------------------------------------------------------------ compaction


def test_past_months_are_compacted_and_a_running_session_is_not(tmp_path: Path) -> None:
    october = Store.open(tmp_path, FixedClock(OCT))
    first = record_session(october, OCT, sets=3)
    second = record_session(october, OCT + timedelta(days=2), sets=2, status="abandoned")
    late = datetime(2026, 10, 31, 23, 0, tzinfo=UTC)
    running = record_session(october, late, sets=2, status=None)
    november = record_session(october, datetime(2026, 11, 1, 0, 30, tzinfo=UTC), sets=1)
    assert len(list(sessions_dir(tmp_path).glob("*.json"))) == 4
    before = october.sessions()

    # Two and a half hours after the last set: the running session may still be in progress.
    clock = FixedClock(datetime(2026, 11, 1, 2, 0, tzinfo=UTC))
    store = Store.open(tmp_path, clock)
    assert store.notices == []
    archive = months_dir(tmp_path) / "2026-10.json"
    archived = parse_history_bytes(archive.read_bytes(), archive.name, allow_newer=False)
    assert {s["id"] for s in archived} == {first, second}
    remaining = {p.stem for p in sessions_dir(tmp_path).glob("*.json")}
    assert remaining == {running, november}
    session_backups = tmp_path / "backups" / "history" / "sessions"
    assert {p.name.split(".")[0] for p in session_backups.iterdir()} == {running, november}
    assert store.session(running)["status"] == "running"
    assert store.sessions() == before
    assert store.compact() == 0  # nothing left to move

    again = Store.open(tmp_path, clock)
    assert again.sessions() == before
    assert again.notices == []


def test_compaction_keeps_recording_into_the_archive(tmp_path: Path) -> None:
    """A next-morning pain rating for a compacted session lands in its month archive."""
    sid = record_session(Store.open(tmp_path, FixedClock(OCT)), OCT)
    store = Store.open(tmp_path, FixedClock(NOV))
    assert not (sessions_dir(tmp_path) / f"{sid}.json").exists()
    pain = store.add_pain(sid, "next_morning", 2)
    assert not (sessions_dir(tmp_path) / f"{sid}.json").exists()
    assert Store.open(tmp_path, FixedClock(NOV)).session(sid)["pain"] == [pain]


# --------------------------------------------------------------------- interrupted sessions


@pytest.mark.parametrize(
    ("since_last_set", "abandoned"),
    [
        (timedelta(hours=6, seconds=1), True),
        (timedelta(days=3), True),
        (timedelta(hours=5, minutes=59, seconds=59), False),
        (timedelta(minutes=5), False),
    ],
)
def test_an_interrupted_session_is_abandoned_after_six_hours(
    tmp_path: Path, since_last_set: timedelta, abandoned: bool
) -> None:
    store = Store.open(tmp_path, FixedClock(OCT))
    sid = record_session(store, OCT, sets=3, status=None)
    last_end = store.session(sid)["sets"][-1]["ended_at"]

    clock = FixedClock(datetime.fromisoformat(last_end) + since_last_set)
    again = Store.open(tmp_path, clock)
    session = again.session(sid)
    if abandoned:
        assert session["status"] == "abandoned"
        assert session["ended_at"] == last_end
        assert len(session["sets"]) == 3
        assert len(again.notices) == 1
        assert "interrupted" in again.notices[0].message
        assert "3 sets are kept" in again.notices[0].message
        # ...and that is on disk, not just in memory.
        assert Store.open(tmp_path, clock).session(sid)["status"] == "abandoned"
    else:
        assert session["status"] == "running"
        assert session["ended_at"] is None
        assert again.notices == []


def test_an_interrupted_session_without_sets_counts_from_its_start(tmp_path: Path) -> None:
    sid = record_session(Store.open(tmp_path, FixedClock(OCT)), OCT, sets=0, status=None)
    store = Store.open(tmp_path, FixedClock(OCT + timedelta(hours=7)))
    assert store.session(sid)["status"] == "abandoned"
    assert store.session(sid)["ended_at"] == "2026-10-05T07:00:00.000+00:00"


# -------------------------------------------------------------------------------- recovery


def build_month_with_backups(root: Path, generations: int) -> list[SessionDoc]:
    """October's archive written ``generations`` times, one more session each time."""
    store = Store.open(root, FixedClock(NOV))
    added = []
    for n in range(generations):
        session = imported_session(OCT + timedelta(days=n), sets=2)
        store.merge_sessions([session])
        added.append(session)
    return added


def damaged_files(root: Path) -> list[Path]:
    """The copies in damaged/ (without the notes that say which records were set aside)."""
    folder = root / "damaged"
    return sorted(p for p in folder.iterdir() if p.suffix != ".txt") if folder.is_dir() else []


def damaged_notes(root: Path) -> list[Path]:
    folder = root / "damaged"
    return sorted(folder.glob("*.txt")) if folder.is_dir() else []


@pytest.mark.parametrize("bad_backups", [0, 1])
def test_a_truncated_month_is_moved_aside_and_the_newest_good_backup_restored(
    tmp_path: Path, bad_backups: int
) -> None:
    added = build_month_with_backups(tmp_path, 4)
    archive = months_dir(tmp_path) / "2026-10.json"
    backups = [
        tmp_path / "backups" / "history" / "months" / f"2026-10.json.{g}"
        for g in range(1, BACKUP_GENERATIONS + 1)
    ]
    assert all(b.exists() for b in backups)
    for backup in backups[:bad_backups]:
        backup.write_bytes(b'{"kind": "calftimer.month", "sche')
    good = backups[bad_backups]
    good_bytes = good.read_bytes()
    expected_sets = set_ids_in_file(good)
    # A power cut mid-write on a file system without data journalling: the file is cut short.
    with open(archive, "r+b") as handle:
        handle.truncate(archive.stat().st_size // 2)
    truncated = archive.read_bytes()

    store = Store.open(tmp_path, FixedClock(NOV))

    [moved] = damaged_files(tmp_path)
    assert moved.read_bytes() == truncated
    assert archive.read_bytes() == good_bytes
    assert set_ids(store) == expected_sets
    # Backup 1 of a month is what was last written: with it readable nothing is lost; each
    # damaged generation costs one write's worth of sessions.
    assert len(expected_sets) == 2 * (4 - bad_backups)
    assert (bad_backups == 0) == (expected_sets >= {r["id"] for r in added[-1]["sets"]})
    [notice] = store.notices
    assert notice.level == "warning"
    assert "history/months/2026-10.json" in notice.message
    assert str(moved) in notice.message
    assert "restored" in notice.message
    # The restored file is used from now on, and a second open has nothing to report.
    assert Store.open(tmp_path, FixedClock(NOV)).notices == []


def test_a_session_file_full_of_garbage_is_moved_aside_and_restored(tmp_path: Path) -> None:
    store = Store.open(tmp_path, FixedClock(OCT))
    sid = store.begin_session("alfredson", "Alfredson", OCT)
    first = store.add_set(sid, make_record(OCT + timedelta(minutes=1)))
    store.add_set(sid, make_record(OCT + timedelta(minutes=2), set_number=2))
    path = sessions_dir(tmp_path) / f"{sid}.json"
    garbage = random.Random(3).randbytes(700)
    path.write_bytes(garbage)

    again = Store.open(tmp_path, FixedClock(OCT + timedelta(minutes=5)))

    [moved] = damaged_files(tmp_path)
    assert moved.read_bytes() == garbage
    assert [s["id"] for s in again.session(sid)["sets"]] == [first["id"]]
    assert again.session(sid)["status"] == "running"
    [notice] = again.notices
    assert f"history/sessions/{sid}.json" in notice.message
    assert str(moved) in notice.message
    # Recording continues into the restored file.
    more = again.add_set(sid, make_record(OCT + timedelta(minutes=3), set_number=3))
    assert more["id"] in set_ids(Store.open(tmp_path, FixedClock(OCT + timedelta(minutes=6))))


def test_a_damaged_file_without_backup_is_kept_and_the_rest_still_loads(tmp_path: Path) -> None:
    build_month_with_backups(tmp_path, 1)
    store = Store.open(tmp_path, FixedClock(NOV))
    other = record_session(store, NOV, sets=2)
    archive = months_dir(tmp_path) / "2026-10.json"
    for backup in (tmp_path / "backups" / "history" / "months").glob("2026-10.json.*"):
        backup.unlink()  # the backups were lost too (a user cleaned the folder)
    archive.write_bytes(archive.read_bytes()[:-40])
    truncated = archive.read_bytes()

    again = Store.open(tmp_path, FixedClock(NOV))

    [moved] = damaged_files(tmp_path)
    assert moved.read_bytes() == truncated
    assert not archive.exists()
    assert [s["id"] for s in again.sessions()] == [other]
    assert len(again.session(other)["sets"]) == 2
    [notice] = again.notices
    assert notice.level == "error"
    assert "history/months/2026-10.json" in notice.message
    assert "no readable backup" in notice.message
    assert str(moved) in notice.message


# ------------------------------------------------------------------------------ read-only


def test_a_file_from_a_newer_schema_opens_read_only_and_nothing_changes(tmp_path: Path) -> None:
    store = Store.open(tmp_path, FixedClock(NOV))
    running = record_session(store, NOV, sets=1, status=None)
    future = imported_session(OCT, sets=2)
    cast(dict[str, Any], future["sets"][0])["heart_rate"] = 128  # unknown to this calftimer
    (months_dir(tmp_path) / "2026-10.json").write_bytes(month_bytes("2026-10", [future], 3))
    # Old enough to be closed as interrupted, and in a past month: a writable open would
    # rewrite and compact it.
    old = record_session(store, OCT, sets=1, status=None)
    before = snapshot(tmp_path)
    mtimes = {p: p.stat().st_mtime_ns for p in tmp_path.rglob("*")}

    ro = Store.open(tmp_path, FixedClock(NOV + timedelta(days=1)))

    assert ro.read_only
    assert any(n.level == "warning" and "read-only" in n.message for n in ro.notices)
    assert {s["id"] for s in ro.sessions()} == {running, future["id"], old}
    assert ro.session(old)["status"] == "running"
    record = make_record(NOV)
    writes: list[Callable[[], object]] = [
        lambda: ro.begin_session("p", "P", NOV),
        lambda: ro.add_set(running, record),
        lambda: ro.add_test_result(running, 20, 21),
        lambda: ro.add_pain(running, "during", 2),
        lambda: ro.end_session(running, "finished", NOV),
        lambda: ro.merge_sessions([imported_session(OCT)]),
    ]
    for write in writes:
        with pytest.raises(ReadOnlyStoreError):
            write()
    assert ro.compact() == 0
    assert snapshot(tmp_path) == before
    assert {p: p.stat().st_mtime_ns for p in tmp_path.rglob("*")} == mtimes


# ------------------------------------------------------------------------------ migration


def test_migration_from_a_v1_history(tmp_path: Path) -> None:
    fixture = FIXTURE_V1.read_bytes()
    old = json.loads(fixture)
    (tmp_path / "history.json").write_bytes(fixture)

    store = Store.open(tmp_path, FixedClock(NOV))

    assert not (tmp_path / "history.json").exists()
    [upgrade] = (tmp_path / "backups").glob("upgrade-v1-*/history.json")
    assert upgrade.read_bytes() == fixture
    assert upgrade.parent.name == "upgrade-v1-20261115T080000"
    assert sorted(p.name for p in months_dir(tmp_path).iterdir()) == [
        "2026-09.json",
        "2026-10.json",
    ]
    [notice] = store.notices
    assert notice.level == "info"
    assert "upgraded" in notice.message
    assert str(upgrade.parent) in notice.message

    sessions = {s["id"]: s for s in store.sessions()}
    orphan_session = "3c4d5e6f-7a8b-4c9d-8e0f-2a3b4c5d6e7f"
    assert set(sessions) == {s["id"] for s in old["sessions"]} | {orphan_session}
    for v1 in old["sessions"]:
        new = sessions[v1["id"]]
        assert new["program_id"] == v1["program"]
        assert new["program_name"] == v1["program_name"]
        assert new["started_at"] == v1["started"]
        assert new["ended_at"] == v1["ended"]
        assert new["status"] == ("finished" if v1["completed"] else "abandoned")
    assert sessions[orphan_session]["status"] == "abandoned"
    assert sessions[orphan_session]["started_at"] == "2026-10-04T17:45:00+02:00"

    stored = {r["id"]: (sid, r) for sid, s in sessions.items() for r in s["sets"]}
    assert set(stored) == {s["id"] for s in old["sets"]}
    for v1 in old["sets"]:
        sid, migrated = stored[v1["id"]]
        assert sid == v1["session"]
        assert migrated["exercise"] == v1["exercise"]
        assert migrated["side"] == v1["side"]
        assert migrated["set"] == v1["set"]
        assert migrated["planned"] == v1["target"]
        assert migrated["load_kg"] == v1["weight"]
        assert migrated["tut_s"] == v1["tut"]
        assert migrated["started_at"] == v1["start"]
        assert migrated["ended_at"] == v1["end"]
        assert migrated["tempo"] == v1["tempo"]
        if v1["seconds"]:
            assert (migrated["mode"], migrated["done"]) == ("time", v1["seconds"])
        else:
            assert (migrated["mode"], migrated["done"]) == ("reps", v1["reps"])
        assert not {"target", "reps", "seconds", "weight", "tut", "start", "end"} & set(migrated)
    assert sum(r["mode"] == "time" for _, r in stored.values()) == 1

    # The archives are ordinary month files: the September one holds September only.
    september = months_dir(tmp_path) / "2026-09.json"
    assert set_ids_in_file(september) == {
        s["id"] for s in old["sets"] if s["start"].startswith("2026-09")
    }

    before = snapshot(tmp_path)
    again = Store.open(tmp_path, FixedClock(NOV + timedelta(days=1)))
    assert again.notices == []
    assert snapshot(tmp_path) == before
    assert again.sessions() == store.sessions()


# ---------------------------------------------------------------------------------- sync


def test_sync_conflict_copies_are_merged_once(tmp_path: Path) -> None:
    folder = months_dir(tmp_path)
    folder.mkdir(parents=True)
    shared = imported_session(OCT, sets=2)
    (folder / "2026-10.json").write_bytes(month_bytes("2026-10", [shared]))

    # Laptop 2 (Syncthing) added a set to the shared session and a session of its own.
    theirs_a = json.loads(json.dumps(shared))
    extra_set = set_doc(make_record(OCT + timedelta(minutes=9), set_number=3))
    theirs_a["sets"].append(extra_set)
    laptop_session = imported_session(OCT + timedelta(days=1), sets=3)
    syncthing = folder / "2026-10.sync-conflict-20261101-101010-ABCDEFG.json"
    syncthing.write_bytes(month_bytes("2026-10", [theirs_a, laptop_session]))
    # A phone (Dropbox) added a pain rating to the shared session and one more session.
    theirs_b = json.loads(json.dumps(shared))
    pain = {
        "id": "pain-from-phone",
        "when": "next_morning",
        "rating": 2,
        "recorded_at": "2026-10-06T06:30:00.000+00:00",
    }
    theirs_b["pain"].append(pain)
    phone_session = imported_session(OCT + timedelta(days=2), sets=1)
    dropbox = folder / "2026-10 (Sam's conflicted copy 2026-11-01).json"
    dropbox.write_bytes(month_bytes("2026-10", [theirs_b, phone_session]))
    copies = {syncthing.name: syncthing.read_bytes(), dropbox.name: dropbox.read_bytes()}

    store = Store.open(tmp_path, FixedClock(NOV))

    assert sorted(p.name for p in folder.iterdir()) == ["2026-10.json"]
    merged = tmp_path / "merged"
    assert {p.name: p.read_bytes() for p in merged.iterdir()} == copies
    assert len(store.notices) == 2
    assert all(n.level == "info" and "Merged" in n.message for n in store.notices)
    base = folder / "2026-10.json"
    on_disk = parse_history_bytes(base.read_bytes(), base.name, allow_newer=False)
    assert [s["id"] for s in on_disk] == [shared["id"], laptop_session["id"], phone_session["id"]]
    merged_shared = on_disk[0]
    assert [r["id"] for r in merged_shared["sets"]] == [
        *(r["id"] for r in shared["sets"]),
        extra_set["id"],
    ]
    assert merged_shared["pain"] == [pain]
    assert store.sessions() == on_disk

    before = snapshot(tmp_path)
    again = Store.open(tmp_path, FixedClock(NOV))
    assert again.notices == []
    assert snapshot(tmp_path) == before
    ids = [r["id"] for s in again.sessions() for r in s["sets"]]
    assert len(ids) == len(set(ids)) == 2 + 1 + 3 + 1


def test_a_change_on_disk_since_loading_is_merged_before_writing(tmp_path: Path) -> None:
    sid = record_session(Store.open(tmp_path, FixedClock(OCT)), OCT, sets=2)
    a = Store.open(tmp_path, FixedClock(NOV))  # compacts the session into 2026-10.json
    b = Store.open(tmp_path, FixedClock(NOV))
    from_b = b.add_set(sid, make_record(OCT + timedelta(minutes=5), set_number=3))
    imported = imported_session(OCT + timedelta(days=3), sets=2)

    assert a.merge_sessions([imported]) == (1, 0)

    archive = months_dir(tmp_path) / "2026-10.json"
    in_file = set_ids_in_file(archive)
    assert from_b["id"] in in_file
    assert {r["id"] for r in imported["sets"]} <= in_file
    assert from_b["id"] in set_ids(a)
    assert set_ids(Store.open(tmp_path, FixedClock(NOV))) == in_file
    assert a.merge_sessions([imported]) == (0, 0)  # idempotent


def test_a_set_added_by_another_instance_to_an_archived_session_is_kept(tmp_path: Path) -> None:
    sid = record_session(Store.open(tmp_path, FixedClock(OCT)), OCT, sets=1)
    a = Store.open(tmp_path, FixedClock(NOV))  # compacts the session into 2026-10.json
    b = Store.open(tmp_path, FixedClock(NOV))
    from_a = a.add_set(sid, make_record(OCT + timedelta(minutes=3), set_number=2))
    from_b = b.add_set(sid, make_record(OCT + timedelta(minutes=4), set_number=3))
    kept = set_ids(Store.open(tmp_path, FixedClock(NOV)))
    assert {from_a["id"], from_b["id"]} <= kept


def test_a_write_between_reading_and_stamping_a_file_is_not_lost(tmp_path: Path) -> None:
    clock = FixedClock(NOV)
    Store.open(tmp_path, clock).merge_sessions([imported_session(OCT)])
    other = Store.open(tmp_path, clock)
    theirs = imported_session(OCT + timedelta(days=1))
    fired: list[Path] = []

    class RacingStore(Store):
        def _read_sessions(self, path: Path) -> list[SessionDoc]:
            sessions = super()._read_sessions(path)
            if path.name == "2026-10.json" and not fired:
                fired.append(path)
                other.merge_sessions([theirs])  # another process saves right now
            return sessions

    store = RacingStore.open(tmp_path, clock)
    store.merge_sessions([imported_session(OCT + timedelta(days=2))])
    assert fired
    assert theirs["id"] in {s["id"] for s in Store.open(tmp_path, clock).sessions()}


def test_compaction_does_not_delete_a_save_made_after_loading(tmp_path: Path) -> None:
    writer = Store.open(tmp_path, FixedClock(OCT))
    sid = record_session(writer, OCT, sets=2)
    saved: list[str] = []

    class CompactingStore(Store):
        def _close_interrupted_sessions(self) -> None:
            super()._close_interrupted_sessions()
            # Between this store's load and its compaction, the app still open in October
            # saves the next-morning pain rating.
            saved.append(writer.add_pain(sid, "next_morning", 4)["id"])

    CompactingStore.open(tmp_path, FixedClock(NOV))
    pain = Store.open(tmp_path, FixedClock(NOV)).session(sid)["pain"]
    assert saved == [p["id"] for p in pain]


# ---------------------------------------------------------------------- two processes


def worker_env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH")]))
    return env


@pytest.mark.slow
def test_two_processes_writing_at_once_lose_nothing(tmp_path: Path) -> None:
    n = 40
    # The shared archive exists and is loaded by both before they start writing.
    seed = imported_session(OCT, sets=1)
    Store.open(tmp_path, FixedClock(NOV)).merge_sessions([seed])
    procs = [
        subprocess.Popen(
            [sys.executable, str(WORKER), "writer", str(tmp_path), tag, str(n), "2026-10"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=worker_env(),
        )
        for tag in ("a", "b")
    ]
    try:
        for proc in procs:
            assert proc.stdout is not None
            assert proc.stdout.readline() == "ready\n"
        for proc in procs:  # start both at once
            assert proc.stdin is not None
            proc.stdin.write("go\n")
            proc.stdin.flush()
        outputs = [proc.communicate(timeout=60) for proc in procs]
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
    for proc, (out, err) in zip(procs, outputs, strict=True):
        assert proc.returncode == 0, err
        assert out.endswith("done\n")

    lines = [line.split() for out, _ in outputs for line in out.splitlines()]
    own_sets = {parts[2] for parts in lines if parts[0] == "S"}
    merged = {parts[1]: parts[2] for parts in lines if parts[0] == "M"}
    finished = {parts[1] for parts in lines if parts[0] == "E"}
    assert len(own_sets) == len(merged) == 2 * n
    assert len(finished) == 2

    store = Store.open(tmp_path)
    assert store.notices == []
    assert own_sets | set(merged.values()) | {seed["sets"][0]["id"]} <= set_ids(store)
    for sid in finished:
        assert store.session(sid)["status"] == "finished"
        assert len(store.session(sid)["sets"]) == n
    archive = months_dir(tmp_path) / "2026-10.json"
    in_archive = parse_history_bytes(archive.read_bytes(), archive.name, allow_newer=False)
    assert {s["id"] for s in in_archive} == set(merged) | {seed["id"]}


def start_opener(root: Path, pause: bool) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, str(WORKER), "opener", str(root), "1" if pause else "0"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=worker_env(),
    )


@pytest.mark.slow
def test_two_processes_opening_one_damaged_file_repair_it_once(tmp_path: Path) -> None:
    """The first process stops in the middle of its repair; the second opens the same history
    then. It must wait for the write lock and find the file repaired, not repair it a second
    time from what it read before (a second copy in damaged/ of the repaired file, or worse)."""
    sessions = [imported_session(OCT + timedelta(days=d), sets=2) for d in range(5)]
    sessions[2]["sets"][1]["side"] = "middle"  # one unreadable record
    archive = months_dir(tmp_path) / "2026-10.json"
    archive.parent.mkdir(parents=True)
    damaged_bytes = month_bytes("2026-10", sessions)
    archive.write_bytes(damaged_bytes)
    (tmp_path / "history" / "sessions").mkdir()

    first = start_opener(tmp_path, pause=True)
    second: subprocess.Popen[str] | None = None
    try:
        assert first.stdout is not None and first.stdin is not None
        assert first.stdout.readline() == "recovering\n"
        second = start_opener(tmp_path, pause=False)
        assert second.stdout is not None
        said = second.stdout.readline()  # it either waits for the lock or has run through
        first.stdin.write("go\n")
        first.stdin.flush()
        outputs = [first.communicate(timeout=60), second.communicate(timeout=60)]
        outputs[1] = (said + outputs[1][0], outputs[1][1])
    finally:
        for proc in (first, second):
            if proc is not None and proc.poll() is None:
                proc.kill()
                proc.wait()
    for proc, (out, err) in zip((first, second), outputs, strict=True):
        assert proc.returncode == 0, err
        assert out.splitlines()[-1] == "opened 5 9"  # every readable record, in both
    [copy] = damaged_files(tmp_path)
    assert copy.read_bytes() == damaged_bytes  # one copy, of the damaged file itself
    assert len(damaged_notes(tmp_path)) == 1
    assert len(set_ids_in_file(archive)) == 9
    assert said == "waiting for the lock\n", "the second process did not wait for the repair"


@pytest.mark.slow
def test_a_write_outside_the_lock_is_refused_even_with_asserts_stripped(tmp_path: Path) -> None:
    """The bundle runs with optimisation, which strips ``assert``: the check must be real."""
    code = f"""
import inspect, sys
from datetime import datetime, UTC
from pathlib import Path
from calftimer.core.store import Store
store = Store.open(Path({str(tmp_path)!r}))
sid = store.begin_session("alfredson", "A", datetime(2026, 11, 15, 8, tzinfo=UTC))
path = store.sessions_dir / f"{{sid}}.json"
before = path.read_bytes()
session = dict(store.session(sid), status="finished")
flag = {{"locked": False}} if "locked" in inspect.signature(store._write_file).parameters else {{}}
try:
    store._write_file(path, [session], **flag)  # without taking the write lock
except RuntimeError as exc:
    print("refused:", exc)
print("unchanged" if path.read_bytes() == before else "written")
"""
    done = subprocess.run(
        [sys.executable, "-O", "-c", code],
        capture_output=True,
        text=True,
        timeout=60,
        env=worker_env(),
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "refused:" in done.stdout and "under the write lock" in done.stdout
    assert done.stdout.splitlines()[-1] == "unchanged"


# ---------------------------------------------------------------------------- temp files


def dead_pid() -> int:
    proc = subprocess.Popen(["true"])
    proc.wait()
    return proc.pid


def test_temp_files_left_by_a_crash_are_adopted_or_removed(tmp_path: Path) -> None:
    store = Store.open(tmp_path, FixedClock(OCT))
    sid = record_session(store, OCT, sets=1, status=None)
    path = sessions_dir(tmp_path) / f"{sid}.json"
    pid = dead_pid()
    # The save of set 2 was complete in its temp file when the process died before replacing.
    unsaved = json.loads(path.read_bytes())
    late = set_doc(make_record(OCT + timedelta(minutes=2), set_number=2))
    unsaved["session"]["sets"].append(late)
    complete = sessions_dir(tmp_path) / f".{sid}.json.{pid}.0.tmp"
    complete.write_text(json.dumps(unsaved), encoding="utf-8")
    half = sessions_dir(tmp_path) / f".{sid}.json.{pid}.1.tmp"
    half.write_bytes(json.dumps(unsaved).encode()[:100])
    month_half = months_dir(tmp_path) / f".2026-10.json.{pid}.7.tmp"
    month_half.write_bytes(b"")
    # A temp file whose writer is still alive is left alone.
    alive = subprocess.Popen(["cat"], stdin=subprocess.PIPE)
    try:
        live = sessions_dir(tmp_path) / f".{sid}.json.{alive.pid}.3.tmp"
        live.write_bytes(b"{")
        again = Store.open(tmp_path, FixedClock(OCT + timedelta(minutes=5)))
        assert live.exists()
    finally:
        assert alive.stdin is not None
        alive.stdin.close()
        alive.wait()
    assert again.notices == []
    assert not complete.exists()
    assert not half.exists()
    assert not month_half.exists()
    assert late["id"] in set_ids(again)
    assert late["id"] in set_ids_in_file(path)
    assert damaged_files(tmp_path) == []


# ------------------------------------------------------------------------------ fuzzing

FUZZ_CLOCK = FixedClock(NOV)
FUZZ_MONTH = "history/months/2026-10.json"
BASE_SESSION = imported_session(NOV, sets=2)  # another file, which must always load


def valid_month_doc() -> dict[str, Any]:
    finished = imported_session(OCT, sets=2)
    finished["tests"].append(
        {
            "id": "test-1",
            "left_reps": 22,
            "right_reps": None,
            "heel_height_cm": 4.5,
            "recorded_at": "2026-10-05T07:20:00.000+00:00",
        }
    )
    finished["pain"].append(
        {"id": "pain-1", "when": "during", "rating": 3, "recorded_at": finished["started_at"]}
    )
    running = imported_session(OCT + timedelta(days=1), sets=1)  # closed as interrupted
    running["status"] = "running"
    running["ended_at"] = None
    doc: dict[str, Any] = json.loads(month_bytes("2026-10", [finished, running]))
    return doc


KEYS = st.sampled_from(
    [
        "kind",
        "schema_version",
        "month",
        "sessions",
        "session",
        "id",
        "status",
        "started_at",
        "ended_at",
        "sets",
        "tests",
        "pain",
        "done",
        "updated_at",
    ]
)
SCALARS = (
    st.none()
    | st.booleans()
    | st.integers(-(2**70), 2**70)
    | st.floats()
    | st.text(max_size=30)
    | st.sampled_from(
        [
            MONTH_KIND,
            SESSION_KIND,
            "running",
            "finished",
            "2026-10-05T07:00:00+00:00",
            "2026-10-05T07:00:00",
            "",
        ]
    )
)
JSON_VALUES = st.recursive(
    SCALARS,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(KEYS | st.text(max_size=8), inner, max_size=5)
    ),
    max_leaves=25,
)
VALID_SESSIONS = st.sampled_from(valid_month_doc()["sessions"])
DOCS = JSON_VALUES | st.fixed_dictionaries(
    {
        "kind": st.sampled_from([MONTH_KIND, SESSION_KIND]) | JSON_VALUES,
        "schema_version": st.just(SCHEMA_VERSION) | st.integers(-1, 4) | JSON_VALUES,
        "sessions": st.lists(VALID_SESSIONS | JSON_VALUES, max_size=3),
    },
    optional={"session": VALID_SESSIONS | JSON_VALUES, "month": JSON_VALUES},
)


def paths_in(node: Any, prefix: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    yield prefix
    if isinstance(node, dict):
        for key, value in node.items():
            yield from paths_in(value, (*prefix, key))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from paths_in(value, (*prefix, i))


@st.composite
def mutated_docs(draw: st.DrawFn) -> dict[str, Any]:
    doc = valid_month_doc()
    for _ in range(draw(st.integers(1, 3))):
        path = draw(st.sampled_from(list(paths_in(doc))))
        if not path:
            continue
        parent: Any = doc
        for step in path[:-1]:
            parent = parent[step]
        op = draw(st.sampled_from(["replace", "delete", "duplicate"]))
        if op == "replace":
            parent[path[-1]] = draw(JSON_VALUES)
        elif op == "delete":
            del parent[path[-1]]
        elif isinstance(parent, list):
            parent.append(json.loads(json.dumps(parent[path[-1]])))
        else:
            parent[draw(KEYS)] = json.loads(json.dumps(parent[path[-1]]))
    return doc


@st.composite
def mangled_bytes(draw: st.DrawFn) -> bytes:
    raw = bytearray(month_bytes("2026-10", valid_month_doc()["sessions"]))
    op = draw(st.sampled_from(["truncate", "flip", "insert"]))
    at = draw(st.integers(0, len(raw) - 1))
    if op == "truncate":
        return bytes(raw[:at])
    if op == "flip":
        raw[at] ^= draw(st.integers(1, 255))
        return bytes(raw)
    return bytes(raw[:at]) + draw(st.binary(min_size=1, max_size=8)) + bytes(raw[at:])


def encode(doc: Any) -> bytes:
    return json.dumps(doc, ensure_ascii=False).encode("utf-8", "surrogatepass")


def is_aware_time(value: Any) -> bool:
    try:
        return datetime.fromisoformat(value).tzinfo is not None
    except (TypeError, ValueError):
        return False


def open_fuzzed(raw: bytes) -> None:
    """Write ``raw`` as October's archive beside a valid session file, open, judge."""
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        path = root / FUZZ_MONTH
        path.parent.mkdir(parents=True)
        sessions_dir(root).mkdir()
        base = sessions_dir(root) / f"{BASE_SESSION['id']}.json"
        base.write_bytes(
            json.dumps(
                {"kind": SESSION_KIND, "schema_version": SCHEMA_VERSION, "session": BASE_SESSION}
            ).encode()
        )
        path.write_bytes(raw)

        store = Store.open(root, FUZZ_CLOCK)  # must never raise

        assert BASE_SESSION["id"] in {s["id"] for s in store.sessions()}
        moved = damaged_files(root)
        if store.read_only:  # a newer schema_version was seen: nothing may change
            assert any("read-only" in n.message for n in store.notices)
            assert path.read_bytes() == raw
            assert moved == []
        elif moved and path.exists():  # some records unreadable: the rest kept, copy and note
            assert [m.read_bytes() for m in moved] == [raw]
            salvaged = salvage_history_bytes(raw, path.name)
            assert salvaged is not None and salvaged[0] and salvaged[1]
            kept, aside = salvaged
            assert {s["id"] for s in kept} <= {s["id"] for s in store.sessions()}
            assert set_ids_in_file(path) == {r["id"] for s in kept for r in s["sets"]}
            [note] = damaged_notes(root)
            assert all(a.describe() in note.read_text() for a in aside)
            told = [n.message for n in store.notices if n.level == "warning"]
            assert any(FUZZ_MONTH in m and str(moved[0]) in m and note.name in m for m in told)
        elif moved:  # damaged: quarantined untouched, the user told where
            assert [m.read_bytes() for m in moved] == [raw]
            assert not path.exists()
            told = [n.message for n in store.notices if n.level == "error"]
            assert any(FUZZ_MONTH in m and str(moved[0]) in m for m in told)
            assert {s["id"] for s in store.sessions()} == {BASE_SESSION["id"]}
        else:  # a valid load: everything in the file is in the store
            sessions = parse_history_bytes(raw, path.name, allow_newer=False)
            assert {s["id"] for s in sessions} <= {s["id"] for s in store.sessions()}
            assert path.exists()


FUZZ = settings(max_examples=150, deadline=None)


@FUZZ
@given(st.binary(max_size=300) | mangled_bytes())
def test_fuzz_random_bytes_never_crash_open(raw: bytes) -> None:
    open_fuzzed(raw)


@FUZZ
@given(DOCS)
def test_fuzz_random_json_never_crashes_open(doc: Any) -> None:
    raw = encode(doc)
    open_fuzzed(raw)


@FUZZ
@given(mutated_docs())
def test_fuzz_mutated_month_documents_never_crash_open(doc: dict[str, Any]) -> None:
    raw = encode(doc)
    open_fuzzed(raw)


def test_fuzz_judge_sees_all_three_outcomes() -> None:
    """The judge of the fuzz tests is not vacuous: each outcome happens and is checked."""
    open_fuzzed(encode(valid_month_doc()))
    open_fuzzed(b"\x00garbage")
    open_fuzzed(month_bytes("2026-10", [], version=3))
    with pytest.raises(HistoryFileError):
        parse_history_bytes(b"[]", "x.json", allow_newer=False)


# --------------------------------------------------------------------------- known bugs


@pytest.mark.parametrize("ended_at", ["garbage", "2026-10-05T07:00:30"])
def test_a_running_session_with_a_bad_set_time_does_not_crash_open(
    tmp_path: Path, ended_at: str
) -> None:
    session = imported_session(OCT, sets=1)
    session["status"] = "running"
    session["sets"][0]["ended_at"] = ended_at
    open_fuzzed(month_bytes("2026-10", [session]))


@pytest.mark.parametrize("record", [{"uuid": "x"}, 7])
def test_a_newer_file_of_another_shape_opens_read_only(tmp_path: Path, record: Any) -> None:
    open_fuzzed(month_bytes("2026-10", [record], version=3))


def test_a_duplicated_session_with_a_numeric_updated_at_does_not_crash_open() -> None:
    session = imported_session(OCT, sets=1)
    copy = json.loads(json.dumps(session))
    copy["sets"][0]["updated_at"] = 5
    open_fuzzed(month_bytes("2026-10", [session, copy]))


@pytest.mark.parametrize("count", [0, 2])
def test_a_month_shaped_conflict_copy_among_sessions_is_merged_whole(
    tmp_path: Path, count: int
) -> None:
    folder = sessions_dir(tmp_path)
    folder.mkdir(parents=True)
    sessions = [imported_session(OCT + timedelta(days=n)) for n in range(count)]
    name = f"{sessions[0]['id'] if sessions else 'x'}.sync-conflict-20261101-101010-ABCDEFG.json"
    (folder / name).write_bytes(month_bytes("2026-10", sessions))
    clock = FixedClock(datetime(2026, 10, 20, tzinfo=UTC))  # October: nothing is compacted
    Store.open(tmp_path, clock)
    kept = {s["id"] for s in Store.open(tmp_path, clock).sessions()}
    assert kept == {s["id"] for s in sessions}


def test_a_newer_file_with_a_late_schema_version_opens_read_only(tmp_path: Path) -> None:
    folder = months_dir(tmp_path)
    folder.mkdir(parents=True)
    doc = {
        "kind": MONTH_KIND,
        "month": "2026-10",
        "sessions": [imported_session(OCT, sets=2)],
        "schema_version": 3,
    }
    (folder / "2026-10.json").write_text(json.dumps(doc), encoding="utf-8")
    store = Store.open(tmp_path, FixedClock(NOV))
    assert damaged_files(tmp_path) == []
    assert store.read_only


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("ended_at", "yesterday"),
        ("started_at", "2026-10-05T07:00:00"),
        ("load_kg", -2.5),
        ("block", -1),
        ("tempo", ["a", "b"]),
    ],
)
def test_set_validation_rejects_bad_fields(field: str, value: Any) -> None:
    session = imported_session(OCT, sets=1)
    session["sets"][0][field] = value  # type: ignore[literal-required]
    problems = validate_session(session, "sessions[0]")
    assert any(p.startswith(f"sessions[0].sets[0].{field}:") for p in problems)


# ------------------------------------------------------------------------ small units


@pytest.mark.parametrize(
    ("name", "base"),
    [
        ("2026-10.sync-conflict-20261101-101010-ABCDEFG.json", "2026-10.json"),
        ("2026-10.sync-conflict-20261101-101010.json", "2026-10.json"),
        ("abc-123.sync-conflict-20260101-000000-XYZ1234.json", "abc-123.json"),
        ("notes.sync-conflict-20261101-101010-ABCDEFG", "notes"),
        ("2026-10 (Sam's conflicted copy 2026-11-01).json", "2026-10.json"),
        ("2026-10 (conflicted copy 2026-11-01).json", "2026-10.json"),
        ("2026-10 (1) (Sam's conflicted copy 2026-11-01).json", "2026-10 (1).json"),
        ("2026-10 (SAM'S CONFLICTED COPY).json", "2026-10.json"),
        ("2026-10.json", None),
        ("2026-10 (1).json", None),
        ("2026-10.sync-conflict.json", None),
        ("2026-10.sync-conflict-2026-101010.json", None),
        (".2026-10.json.123.0.tmp", None),
    ],
)
def test_conflict_base_name(name: str, base: str | None) -> None:
    assert conflict_base_name(name) == base


def test_background_writer_runs_jobs_in_order_and_reports_errors() -> None:
    writer = BackgroundWriter()
    try:
        ran: list[int] = []
        results: list[tuple[Any, Exception | None]] = []
        threads: set[str] = set()

        def job(n: int) -> Callable[[], int]:
            def run() -> int:
                threads.add(threading.current_thread().name)
                ran.append(n)
                return n * 10

            return run

        def fail() -> None:
            raise OSError("disk full")

        def done(result: Any, error: Exception | None) -> None:
            results.append((result, error))

        for n in range(5):
            writer.submit(job(n), done)
        writer.submit(fail, done)
        writer.submit(job(5))  # no callback
        writer.submit(job(6), done)  # the writer survives the failure
        assert writer.flush(timeout=10)
        assert ran == [0, 1, 2, 3, 4, 5, 6]
        assert threads == {"calftimer-store"}
        assert [r for r, _ in results] == [0, 10, 20, 30, 40, None, 60]
        errors = [e for _, e in results]
        assert isinstance(errors[5], OSError)
        assert str(errors[5]) == "disk full"
        assert errors[:5] == [None] * 5
        assert errors[6] is None
    finally:
        writer.close()


def test_background_writer_flush_waits_for_running_jobs() -> None:
    writer = BackgroundWriter()
    release = threading.Event()
    finished: list[str] = []

    def slow() -> None:
        release.wait(10)
        finished.append("slow")

    try:
        writer.submit(slow)
        writer.submit(lambda: finished.append("after"))
        assert writer.flush(timeout=0) is False  # the slow job still holds the queue
        assert finished == []
        release.set()
        assert writer.flush(timeout=10) is True
        assert finished == ["slow", "after"]
    finally:
        release.set()
        writer.close()
    assert not writer._thread.is_alive()


# ------------------------------------------------------------------------------- atomic


def test_write_atomic_retries_a_replace_refused_by_another_program(tmp_path: Path) -> None:
    target = tmp_path / "2026-10.json"
    target.write_bytes(b"old")
    calls: list[tuple[Path, Path]] = []
    slept: list[float] = []

    def flaky_replace(src: Path, dst: Path) -> None:
        calls.append((src, dst))
        if len(calls) <= 2:
            raise PermissionError(13, "The process cannot access the file")
        os.replace(src, dst)

    write_atomic(target, b"new", replace=flaky_replace, sleep=slept.append)

    assert target.read_bytes() == b"new"
    assert len(calls) == 3
    assert all(dst == target and src.parent == tmp_path for src, dst in calls)
    assert slept == [atomic.REPLACE_BACKOFF_S, 2 * atomic.REPLACE_BACKOFF_S]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["2026-10.json"]


def test_write_atomic_gives_up_after_bounded_attempts_and_cleans_up(tmp_path: Path) -> None:
    target = tmp_path / "2026-10.json"
    target.write_bytes(b"old")
    calls: list[Path] = []
    slept: list[float] = []

    def locked(src: Path, dst: Path) -> None:
        calls.append(src)
        assert src.read_bytes() == b"new"  # the temp file is complete before any replace
        raise PermissionError(13, "locked by antivirus")

    with pytest.raises(PermissionError):
        write_atomic(target, b"new", replace=locked, sleep=slept.append)

    assert len(calls) == atomic.REPLACE_ATTEMPTS
    assert len(slept) == atomic.REPLACE_ATTEMPTS - 1
    assert target.read_bytes() == b"old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["2026-10.json"]


def test_write_atomic_does_not_retry_other_errors(tmp_path: Path) -> None:
    target = tmp_path / "2026-10.json"
    slept: list[float] = []

    def broken(src: Path, dst: Path) -> None:
        raise OSError(5, "I/O error")

    with pytest.raises(OSError, match="I/O error"):
        write_atomic(target, b"new", replace=broken, sleep=slept.append)
    assert slept == []
    assert list(tmp_path.iterdir()) == []


def test_write_atomic_temp_files_are_recognised_and_unique(tmp_path: Path) -> None:
    target = tmp_path / "abc.json"
    names = {atomic.temp_path_for(target).name for _ in range(5)}
    assert len(names) == 5
    assert all(atomic.is_temp_file(tmp_path / n) for n in names)
    assert all(re.fullmatch(rf"\.abc\.json\.{os.getpid()}\.\d+\.tmp", n) for n in names)
    assert not atomic.is_temp_file(target)


@pytest.mark.slow
def test_a_stale_write_lock_never_blocks(tmp_path: Path) -> None:
    """The lock file left by a killed process is just a file: the lock itself died with it."""
    lock = tmp_path / "history" / ".write-lock"
    code = (
        "import os, sys\n"
        "from pathlib import Path\n"
        "from calftimer.core.atomic import interprocess_lock\n"
        f"with interprocess_lock(Path({str(lock)!r})):\n"
        "    print('locked', flush=True)\n"
        "    os.kill(os.getpid(), 9)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=worker_env(), timeout=60
    )
    assert out.stdout == "locked\n"
    assert lock.exists()
    with atomic.interprocess_lock(lock) as handle:
        assert handle is not None
    store = Store.open(tmp_path, FixedClock(OCT))
    sid = record_session(store, OCT, sets=1)
    assert len(Store.open(tmp_path, FixedClock(OCT)).session(sid)["sets"]) == 1


def test_a_set_redone_after_back_replaces_its_earlier_result(tmp_path: Path) -> None:
    from calftimer.core.clock import ManualClock
    from calftimer.core.programs import BUILTIN_BY_ID
    from calftimer.core.session import Session
    from calftimer.core.timeline import CompileOptions, compile_program

    clock = ManualClock(0)
    session = Session(
        compile_program(BUILTIN_BY_ID["isometric"], CompileOptions(prepare_s=1)), clock
    )
    store = Store.open(tmp_path)
    sid = store.begin_session("isometric", "Isometric calf holds", session.started_at)
    session.start()
    first = session.timeline.work_sets[0]
    clock.set(first.end_ms + 100)
    for record in session.poll().records:
        store.add_set(sid, record)
    session.back()  # into the hold again
    clock.advance(first.duration_ms)
    for record in session.poll().records:
        store.add_set(sid, record)
    sets = Store.open(tmp_path).session(sid)["sets"]
    assert len(sets) == 1 and "updated_at" in sets[0]


def test_old_months_are_read_after_start_up_and_nothing_is_missed(tmp_path: Path) -> None:
    """Start-up reads only the recent months; the rest arrive with ensure_loaded(), and a
    write into a month not read yet keeps what that month already held."""
    first = Store.open(tmp_path, FixedClock(NOV))
    old = [imported_session(datetime(2025, m, 3, 7, tzinfo=UTC), sets=2) for m in (1, 2, 3)]
    recent = imported_session(datetime(2026, 11, 2, 7, tzinfo=UTC), sets=2)
    first.merge_sessions([*old, recent])

    store = Store.open(tmp_path, FixedClock(NOV))
    assert not store.fully_loaded
    with store._mem:
        assert set(store._sessions) == {recent["id"]}
    late = imported_session(datetime(2025, 2, 20, 7, tzinfo=UTC), sets=1)
    store.merge_sessions([late])  # into 2025-02, not read yet
    assert store.ensure_loaded() == 2  # 2025-01 and 2025-03; 2025-02 was read by the write
    assert store.fully_loaded
    ids = {s["id"] for s in store.sessions()}
    assert ids == {s["id"] for s in [*old, recent, late]}
    assert {s["id"] for s in Store.open(tmp_path, FixedClock(NOV)).sessions()} == ids


def test_a_session_in_an_unread_month_can_still_be_changed(tmp_path: Path) -> None:
    first = Store.open(tmp_path, FixedClock(NOV))
    old = imported_session(datetime(2025, 6, 3, 7, tzinfo=UTC), sets=1)
    first.merge_sessions([old])
    store = Store.open(tmp_path, FixedClock(NOV))
    store.add_pain(old["id"], "next_morning", 2)
    (again,) = Store.open(tmp_path, FixedClock(NOV)).sessions()
    assert [p["rating"] for p in again["pain"]] == [2] and len(again["sets"]) == 1


def test_loaded_sessions_never_reads_the_older_months(tmp_path) -> None:
    """The window asks for recent sessions at start-up (the morning pain question): that must
    not read twenty years of history on its thread."""
    from datetime import UTC, datetime

    from tests.core.store_worker import imported_session

    old = imported_session(datetime(2024, 3, 5, 7, tzinfo=UTC), sets=2)
    Store.open(tmp_path).merge_sessions([old])
    store = Store.open(tmp_path)
    assert not store.fully_loaded
    assert old["id"] not in {s["id"] for s in store.loaded_sessions()}
    assert not store.fully_loaded
    assert old["id"] in {s["id"] for s in store.sessions()}  # this one reads everything
