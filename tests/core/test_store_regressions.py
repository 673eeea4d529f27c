"""Ways a record could be lost that a review found, each kept fixed by a test."""

from __future__ import annotations

import copy
import json
import os
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

import calftimer.core.store as store_module
from calftimer.core.history import set_doc
from calftimer.core.recorder import SessionRecorder
from calftimer.core.store import MONTH_KIND, BackgroundWriter, ReadOnlyStoreError, Store
from tests.core.store_worker import imported_session, make_record
from tests.core.test_store import record_session

OCT = datetime(2026, 10, 5, 7, tzinfo=UTC)
NOV = datetime(2026, 11, 15, 8, tzinfo=UTC)


def at(moment: datetime):
    return lambda: moment


def test_a_failed_start_never_sends_sets_into_the_previous_session(tmp_path: Path) -> None:
    store = Store.open(tmp_path)
    writer, errors = BackgroundWriter(), []
    recorder = SessionRecorder(store, writer, errors.append)
    t1 = datetime(2026, 11, 20, 7, tzinfo=UTC)
    recorder.started("alfredson", "Alfredson", t1)
    for n in (1, 2):
        recorder.set_completed(make_record(t1 + timedelta(minutes=n), set_number=n, done=15))
    recorder.ended("finished", t1 + timedelta(minutes=5))
    writer.flush()
    first = recorder.session_id
    real = store.begin_session
    fails = [OSError(28, "No space left on device")]

    def begin_once_failing(*args):
        if fails:
            raise fails.pop()
        return real(*args)

    store.begin_session = begin_once_failing  # type: ignore[method-assign]
    t2 = t1 + timedelta(hours=8)
    recorder.started("isometric", "Isometric", t2)  # the disk is full for a moment
    recorder.set_completed(make_record(t2 + timedelta(minutes=1), set_number=1, done=3))
    recorder.ended("abandoned", t2 + timedelta(minutes=2))
    writer.flush()
    writer.close()
    assert errors and "start the session" in errors[0]
    again = Store.open(tmp_path)
    one = again.session(first)
    assert one["status"] == "finished" and [s["done"] for s in one["sets"]] == [15, 15]
    (two,) = [s for s in again.sessions() if s["id"] != first]
    assert [s["done"] for s in two["sets"]] == [3] and two["status"] == "abandoned"


def test_a_finished_session_is_never_turned_into_abandoned(tmp_path: Path) -> None:
    store = Store.open(tmp_path)
    sid = record_session(store, NOV, sets=1)
    store.end_session(sid, "abandoned", NOV + timedelta(hours=1))
    assert Store.open(tmp_path).session(sid)["status"] == "finished"


def test_sessions_compacted_into_a_month_survive_damage_to_it(tmp_path: Path) -> None:
    store = Store.open(tmp_path, at(OCT))
    store.merge_sessions([imported_session(OCT - timedelta(days=3), sets=2)])
    trained = [record_session(store, OCT + timedelta(days=d), sets=3) for d in range(3)]
    Store.open(tmp_path, at(NOV))  # November: October's session files are compacted
    archive = tmp_path / "history" / "months" / "2026-10.json"
    archive.write_bytes(archive.read_bytes()[:-10])  # a sync tool or power cut cut it short
    again = Store.open(tmp_path, at(NOV))
    ids = {s["id"] for s in again.sessions()}
    assert set(trained) <= ids
    assert "restored" in again.notices[0].message


def test_a_recovery_interrupted_half_way_is_finished_next_time(tmp_path: Path, monkeypatch):
    store = Store.open(tmp_path, at(NOV))
    for d in range(3):
        store.merge_sessions([imported_session(OCT + timedelta(days=d), sets=2)])
    archive = tmp_path / "history" / "months" / "2026-10.json"
    archive.write_bytes(b"\x00" * 10)
    real = store_module.write_atomic
    calls = []

    def fail_on_restore(path, data, **kw):
        calls.append(path)
        if path == archive:
            raise PermissionError(13, "Access is denied")
        return real(path, data, **kw)

    monkeypatch.setattr(store_module, "write_atomic", fail_on_restore)
    first = Store.open(tmp_path, at(NOV))
    assert any("try again next start" in n.message for n in first.notices)
    monkeypatch.setattr(store_module, "write_atomic", real)
    assert archive.exists()  # still the damaged file, not a hole
    again = Store.open(tmp_path, at(NOV))
    assert len(again.sessions()) == 3
    assert any("restored" in n.message for n in again.notices)


def test_a_file_that_cannot_be_read_for_a_moment_is_not_called_damaged(tmp_path, monkeypatch):
    store = Store.open(tmp_path, at(NOV))
    store.merge_sessions([imported_session(OCT, sets=2)])
    archive = tmp_path / "history" / "months" / "2026-10.json"
    before = archive.read_bytes()
    real_open = os.open

    def locked(path: Any, flags: int, *args: Any, **kwargs: Any) -> int:
        if Path(path) == archive:
            raise PermissionError(13, "The process cannot access the file")
        return real_open(path, flags, *args, **kwargs)

    monkeypatch.setattr(os, "open", locked)
    opened = Store.open(tmp_path, at(NOV))
    monkeypatch.setattr(os, "open", real_open)
    assert archive.read_bytes() == before and not (tmp_path / "damaged").exists()
    assert "could not be read just now" in opened.notices[0].message
    assert len(Store.open(tmp_path, at(NOV)).sessions()) == 1


def test_a_newer_file_arriving_while_running_turns_read_only_and_is_not_overwritten(tmp_path):
    old = imported_session(OCT, sets=2)
    Store.open(tmp_path, at(NOV)).merge_sessions([old])
    app = Store.open(tmp_path, at(NOV))
    archive = tmp_path / "history" / "months" / "2026-10.json"
    doc = json.loads(archive.read_text())
    doc["schema_version"] = 3
    newer = imported_session(OCT + timedelta(days=9), sets=3)
    doc["sessions"].append(newer)
    archive.write_text(json.dumps(doc))  # another laptop with a newer calftimer synced it
    written = archive.read_bytes()
    with pytest.raises(ReadOnlyStoreError):
        app.add_pain(old["id"], "next_morning", 2)
    assert archive.read_bytes() == written and app.read_only
    assert any("newer calftimer" in n.message for n in app.notices)


def test_one_session_in_two_archives_keeps_every_record(tmp_path: Path) -> None:
    months = tmp_path / "history" / "months"
    months.mkdir(parents=True)
    x = imported_session(datetime(2025, 2, 10, 7, tzinfo=UTC), sets=2)
    y = imported_session(datetime(2025, 1, 5, 7, tzinfo=UTC), sets=1)
    x2 = copy.deepcopy(x)
    x2["sets"] = [set_doc(make_record(datetime(2025, 2, 10, 7, 9, tzinfo=UTC), set_number=3))]

    def month(name: str, sessions: list) -> None:
        doc = {"kind": MONTH_KIND, "schema_version": 2, "month": name, "sessions": sessions}
        (months / f"{name}.json").write_text(json.dumps(doc))

    month("2025-01", [y, x])  # x mis-filed in January (sets 1 and 2)
    month("2025-02", [x2])  # and in February (set 3)
    app = Store.open(tmp_path, at(NOV))
    app.ensure_loaded()
    app.add_pain(y["id"], "next_morning", 1)  # any write into January
    assert len(Store.open(tmp_path, at(NOV)).session(x["id"])["sets"]) == 3


def test_a_same_size_same_mtime_replacement_is_still_noticed(tmp_path: Path) -> None:
    a = imported_session(datetime(2026, 10, 5, tzinfo=UTC), sets=2)
    a["sets"][0]["updated_at"] = "2026-10-05T08:00:00.000+00:00"
    b = imported_session(datetime(2026, 10, 6, tzinfo=UTC), sets=1)
    Store.open(tmp_path, at(NOV)).merge_sessions([a, b])
    app = Store.open(tmp_path, at(NOV))
    archive = tmp_path / "history" / "months" / "2026-10.json"
    st = archive.stat()
    doc = json.loads(archive.read_text())
    doc["sessions"][0]["sets"][0]["done"] = 16  # another laptop corrected the set, later
    doc["sessions"][0]["sets"][0]["updated_at"] = "2026-10-09T08:00:00.000+00:00"
    tmp = archive.with_name("x.tmp")
    tmp.write_text(json.dumps(doc, ensure_ascii=False, separators=(",", ":")))
    assert tmp.stat().st_size == st.st_size
    os.replace(tmp, archive)
    os.utime(archive, ns=(st.st_atime_ns, st.st_mtime_ns))  # same size, same mtime
    app.add_pain(b["id"], "next_morning", 1)
    stored = json.loads(archive.read_text())
    (edited,) = [s for s in stored["sessions"] if s["id"] == a["id"]]
    assert edited["sets"][0]["done"] == 16


def test_housekeeping_that_fails_never_keeps_the_history_from_opening(tmp_path, monkeypatch):
    months = tmp_path / "history" / "months"
    months.mkdir(parents=True)
    session = imported_session(datetime(2026, 10, 5, tzinfo=UTC))
    doc = json.dumps(
        {"kind": MONTH_KIND, "schema_version": 2, "month": "2026-10", "sessions": [session]}
    )
    (months / "2026-10.json").write_text(doc)
    conflict = months / "2026-10 (Sam's conflicted copy 2026-11-01).json"
    conflict.write_text(doc)
    (tmp_path / "merged").write_text("a file where a folder should be")
    store = Store.open(tmp_path, at(NOV))
    assert [s["id"] for s in store.sessions()] == [session["id"]]
    assert any("try again next start" in n.message for n in store.notices)
    assert conflict.exists()  # left for next time, not lost


def test_a_conflict_copy_held_for_a_moment_is_still_merged(tmp_path, monkeypatch) -> None:
    months = tmp_path / "history" / "months"
    months.mkdir(parents=True)
    mine = imported_session(datetime(2026, 10, 5, tzinfo=UTC))
    theirs = imported_session(datetime(2026, 10, 6, tzinfo=UTC))
    for name, sessions in (
        ("2026-10.json", [mine]),
        ("2026-10 (Sam's conflicted copy 2026-11-01).json", [theirs]),
    ):
        (months / name).write_text(
            json.dumps(
                {"kind": MONTH_KIND, "schema_version": 2, "month": "2026-10", "sessions": sessions}
            )
        )
    real = os.replace
    held = [1, 1]

    def dropbox_holds_it(src, dst):
        if "conflicted copy" in str(src) and held:
            held.pop()
            raise PermissionError(13, "The process cannot access the file")
        return real(src, dst)

    monkeypatch.setattr(os, "replace", dropbox_holds_it)
    monkeypatch.setattr("calftimer.core.atomic.time.sleep", lambda s: None)
    store = Store.open(tmp_path, at(NOV))
    assert {s["id"] for s in store.sessions()} == {mine["id"], theirs["id"]}
    assert list((tmp_path / "merged").iterdir())


def test_a_month_shaped_file_among_session_files_goes_to_its_archive(tmp_path) -> None:
    sessions_dir = tmp_path / "history" / "sessions"
    sessions_dir.mkdir(parents=True)
    a = imported_session(datetime(2026, 9, 5, tzinfo=UTC))
    b = imported_session(datetime(2026, 10, 5, tzinfo=UTC))
    (sessions_dir / "x.json").write_text(
        json.dumps({"kind": MONTH_KIND, "schema_version": 2, "month": "", "sessions": [a, b]})
    )
    store = Store.open(tmp_path, at(NOV))
    store.add_pain(a["id"], "next_morning", 3)
    again = Store.open(tmp_path, at(NOV))
    assert {s["id"] for s in again.sessions()} == {a["id"], b["id"]}
    assert not (sessions_dir / "x.json").exists()
    assert (tmp_path / "history" / "months" / "2026-09.json").exists()


def test_an_import_that_only_ends_or_corrects_a_known_session_is_applied(tmp_path) -> None:
    from calftimer.app import main
    from calftimer.core.exchange import export_json

    s = imported_session(datetime(2026, 10, 5, 7, tzinfo=UTC), sets=2)
    local = copy.deepcopy(s)
    local["status"] = "abandoned"
    Store.open(tmp_path / "data").merge_sessions([local])
    theirs = copy.deepcopy(s)  # the other device: finished, and set 1 corrected later
    theirs["sets"][0]["done"] = 14
    theirs["sets"][0]["updated_at"] = "2026-10-06T07:00:00.000+00:00"
    source = Store.open(tmp_path / "src")
    source.merge_sessions([theirs])
    export_json(tmp_path / "b.json", source, [])
    assert main(["--data-dir", str(tmp_path / "data"), "import", str(tmp_path / "b.json")]) == 0
    after = Store.open(tmp_path / "data").session(s["id"])
    assert after["status"] == "finished" and after["sets"][0]["done"] == 14


def test_a_durable_write_fsyncs_the_file_before_the_rename_and_the_folder_after(
    tmp_path, monkeypatch
) -> None:
    """SIGKILL tests cannot see a missing fsync (the page cache survives); this checks the
    order that makes a write survive a power cut."""
    from calftimer.core import atomic

    events: list[str] = []
    real_fsync, real_replace = os.fsync, os.replace
    target = tmp_path / "x.json"

    def fsync(fd: int) -> None:
        events.append("fsync-dir" if os.path.isdir(f"/proc/self/fd/{fd}") else "fsync-file")
        real_fsync(fd)

    def replace(src, dst) -> None:
        events.append("replace")
        real_replace(src, dst)

    monkeypatch.setattr(os, "fsync", fsync)
    atomic.write_atomic(target, b"{}", replace=replace)
    assert events == ["fsync-file", "replace", "fsync-dir"]
    assert target.read_bytes() == b"{}"
