"""``Store.refresh_from_disk``: the open history picks up what another process changed.

Another process is real where it matters (``python -m calftimer import`` in a subprocess); a
second ``Store`` on the same folder stands in for a sync service or another device elsewhere.
Nothing sleeps: each test changes files, then refreshes and looks.
"""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from calftimer.core.exchange import backup_bytes
from calftimer.core.store import Store, parse_history_bytes
from tests.core.store_worker import imported_session, make_record
from tests.core.test_store import (
    NOV,
    OCT,
    FixedClock,
    month_bytes,
    months_dir,
    sessions_dir,
    worker_env,
)


def ids(store: Store) -> set[str]:
    return {s["id"] for s in store.loaded_sessions()}


def on_disk(path: Path) -> list[dict]:
    return parse_history_bytes(path.read_bytes(), path.name, allow_newer=False)  # type: ignore[return-value]


@pytest.mark.slow
def test_a_command_line_import_shows_in_the_open_store_and_nothing_is_lost(tmp_path) -> None:
    now = datetime.now(UTC)
    open_store = Store.open(tmp_path)  # the window's store, on the real clock like the CLI's
    old = imported_session(datetime(2024, 3, 9, 7, 0, tzinfo=UTC), sets=1)
    open_store.merge_sessions([old])
    running = open_store.begin_session("foundation", "Foundation", now - timedelta(minutes=5))
    open_store.add_set(running, make_record(now - timedelta(minutes=4), set_number=1))

    # A backup from elsewhere: an older month, this month, and a set more in a known session.
    older = imported_session(datetime(2019, 3, 2, 6, 0, tzinfo=UTC), sets=2)
    recent = imported_session(now - timedelta(hours=1), sets=1)
    old_there = json.loads(json.dumps(old))
    extra = make_record(datetime(2024, 3, 9, 7, 30, tzinfo=UTC), set_number=2)
    from calftimer.core.history import set_doc

    old_there["sets"].append(set_doc(extra))
    backup = tmp_path / "backup.json"
    backup.write_bytes(backup_bytes([older, recent, old_there], [], exported_at=now))
    done = subprocess.run(
        [sys.executable, "-m", "calftimer", "import", str(backup), "--data-dir", str(tmp_path)],
        capture_output=True,
        text=True,
        env=worker_env(),
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert older["id"] not in ids(open_store)  # not yet: nothing told the store

    assert open_store.refresh_from_disk() is True

    assert {older["id"], recent["id"], old["id"], running} <= ids(open_store)
    assert len(open_store.session(old["id"])["sets"]) == 2
    # The running session is untouched and keeps recording into its own file.
    mine = open_store.session(running)
    assert mine["status"] == "running" and len(mine["sets"]) == 1
    open_store.add_set(running, make_record(now - timedelta(minutes=2), set_number=2))
    assert open_store.refresh_from_disk() is False  # our own write is never read back
    again = Store.open(tmp_path)
    assert {s["id"]: len(s["sets"]) for s in again.sessions()} == {
        older["id"]: 2,
        old["id"]: 2,
        recent["id"]: 1,
        running: 2,
    }


def test_a_conflict_copy_arriving_while_open_is_merged_and_moved_aside(tmp_path) -> None:
    shared = imported_session(OCT, sets=2)
    months_dir(tmp_path).mkdir(parents=True)
    base = months_dir(tmp_path) / "2026-10.json"
    base.write_bytes(month_bytes("2026-10", [shared]))
    store = Store.open(tmp_path, FixedClock(NOV))
    assert store.refresh_from_disk() is False

    theirs = json.loads(json.dumps(shared))
    from calftimer.core.history import set_doc

    theirs["sets"].append(set_doc(make_record(OCT + timedelta(minutes=9), set_number=3)))
    laptop = imported_session(OCT + timedelta(days=1), sets=3)
    copy = months_dir(tmp_path) / "2026-10.sync-conflict-20261101-101010-ABCDEFG.json"
    copy.write_bytes(month_bytes("2026-10", [theirs, laptop]))
    notices = len(store.notices)

    assert store.refresh_from_disk() is True

    assert not copy.exists()
    assert (tmp_path / "merged" / copy.name).exists()
    assert len(store.session(shared["id"])["sets"]) == 3
    assert laptop["id"] in ids(store)
    assert {s["id"]: len(s["sets"]) for s in on_disk(base)} == {shared["id"]: 3, laptop["id"]: 3}
    assert [n.level for n in store.notices[notices:]] == ["info"]
    assert "2026-10.sync-conflict" in store.notices[-1].message
    assert store.refresh_from_disk() is False


def test_a_conflict_copy_of_a_session_file_never_seen_gets_that_file(tmp_path) -> None:
    store = Store.open(tmp_path, FixedClock(NOV))
    other_device = imported_session(NOV - timedelta(days=1), sets=2)
    copy = sessions_dir(tmp_path) / f"{other_device['id']}.sync-conflict-20261115-080000.json"
    copy.write_bytes(
        json.dumps(
            {"kind": "calftimer.session", "schema_version": 2, "session": other_device}
        ).encode()
    )
    assert store.refresh_from_disk() is True
    own_file = sessions_dir(tmp_path) / f"{other_device['id']}.json"
    assert [s["id"] for s in on_disk(own_file)] == [other_device["id"]]
    assert not list(months_dir(tmp_path).glob("*.json"))  # not put into a month archive


def test_months_not_read_yet_are_left_to_the_background_read(tmp_path) -> None:
    months_dir(tmp_path).mkdir(parents=True)
    august = months_dir(tmp_path) / "2026-08.json"
    first = imported_session(datetime(2026, 8, 3, 7, 0, tzinfo=UTC))
    august.write_bytes(month_bytes("2026-08", [first]))
    store = Store.open(tmp_path, FixedClock(NOV))  # reads October and November only
    assert not store.fully_loaded

    elsewhere = Store.open(tmp_path, FixedClock(NOV))
    second = imported_session(datetime(2026, 8, 4, 7, 0, tzinfo=UTC))
    elsewhere.merge_sessions([second])

    assert store.refresh_from_disk() is False  # August is not shown yet: nothing to redo
    assert not store.fully_loaded
    store.ensure_loaded()
    assert {first["id"], second["id"]} <= ids(store)


def test_sessions_another_process_compacted_stay_and_are_written_to_their_month(
    tmp_path,
) -> None:
    # Opened in October: an October session lives in its own session file.
    store = Store.open(tmp_path, FixedClock(OCT + timedelta(days=3)))
    sid = store.begin_session("alfredson", "Alfredson", OCT)
    store.add_set(sid, make_record(OCT + timedelta(minutes=1)))
    store.end_session(sid, "finished", OCT + timedelta(minutes=20))
    session_file = sessions_dir(tmp_path) / f"{sid}.json"
    assert session_file.exists()

    # In November another process opens the history: it moves the session to 2026-10.json.
    Store.open(tmp_path, FixedClock(NOV))
    assert not session_file.exists()

    store.refresh_from_disk()
    assert len(store.session(sid)["sets"]) == 1
    store.add_pain(sid, "next_morning", 2)  # written where the session lives now
    assert not session_file.exists()
    [archived] = on_disk(months_dir(tmp_path) / "2026-10.json")
    assert len(archived["sets"]) == 1 and len(archived["pain"]) == 1


def test_a_damaged_file_arriving_is_reported_once(tmp_path) -> None:
    store = Store.open(tmp_path, FixedClock(NOV))
    (months_dir(tmp_path) / "2026-09.json").write_bytes(b'{"kind": "calftimer.month", "sch')
    notices = len(store.notices)
    store.refresh_from_disk()
    reported = store.notices[notices:]
    assert len(reported) == 1 and "2026-09.json" in reported[0].message
    store.refresh_from_disk()
    store.refresh_from_disk()
    assert len(store.notices) == notices + 1


def test_a_conflict_copy_with_a_bad_record_arriving_keeps_its_readable_records(tmp_path) -> None:
    months_dir(tmp_path).mkdir(parents=True)
    shared = imported_session(OCT, sets=1)
    base = months_dir(tmp_path) / "2026-10.json"
    base.write_bytes(month_bytes("2026-10", [shared]))
    store = Store.open(tmp_path, FixedClock(NOV))
    good = imported_session(OCT + timedelta(days=2), sets=2)
    bad = imported_session(OCT + timedelta(days=3), sets=2)
    bad["sets"][1]["done"] = -5  # one impossible record
    copy = months_dir(tmp_path) / "2026-10.sync-conflict-20261101-101010-ABCDEFG.json"
    copy.write_bytes(month_bytes("2026-10", [shared, good, bad]))

    assert store.refresh_from_disk() is True

    assert not copy.exists()
    assert [p for p in (tmp_path / "damaged").iterdir() if p.name.startswith(copy.name)]
    kept = {s["id"]: len(s["sets"]) for s in on_disk(base)}
    assert kept[good["id"]] == 2 and kept[bad["id"]] == 1  # only the bad set is set aside
    assert store.notices[-1].level == "warning" and "could not be read" in store.notices[-1].message
