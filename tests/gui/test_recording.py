"""A session run in the window lands in the history on disk, set by set, off the UI thread."""

from __future__ import annotations

import json

import pytest

from calftimer.core.programs import BUILTIN_BY_ID
from calftimer.core.store import Store
from calftimer.core.timeline import CompileOptions
from calftimer.gui.main_window import MainWindow
from tests.gui.fakes import T0
from tests.gui.helpers import advance_to, answer_modal, click_button, notice_text

OPTIONS = CompileOptions(prepare_s=5)


@pytest.fixture
def window(make_window) -> MainWindow:
    return make_window(options=OPTIONS, history=True)


def read_warning() -> list[str]:
    """The text of the next warning box, once it is up; the user reads it and clicks OK."""
    shown: list[str] = []
    answer_modal(click_button("OK"), during=lambda box: shown.append(box.text()), tries=1_000)
    return shown


def test_every_set_is_on_disk_before_the_next_one_starts(qtbot, window, clock, tmp_path, writer):
    window.session.start(BUILTIN_BY_ID["isometric"])
    tl = window.session.timeline
    for work in tl.work_sets:
        advance_to(
            window.session, clock, T0 + work.end_ms
        )  # the set has just ended; the next has not started
        assert writer.flush(timeout=10)
        on_disk = Store.open(tmp_path)
        assert on_disk.set_count() == work.index + 1
    advance_to(window.session, clock, T0 + tl.duration_ms)
    assert writer.flush(timeout=10)
    (session,) = Store.open(tmp_path).sessions()
    assert session["status"] == "finished" and session["program_id"] == "isometric"
    assert [s["done"] for s in session["sets"]] == [45] * 10
    assert {s["side"] for s in session["sets"]} == {"left", "right"}
    qtbot.waitUntil(
        lambda: (
            "Saved 10 sets" in window.statusBar().currentMessage()
            or "complete" in window.statusBar().currentMessage()
        )
    )


def test_an_abandoned_session_keeps_its_sets(window, clock, tmp_path, writer) -> None:
    window.session.start(BUILTIN_BY_ID["isometric"])
    first = window.session.timeline.work_sets[0]
    advance_to(window.session, clock, T0 + first.end_ms + 1000)
    window.session.abandon()
    assert writer.flush(timeout=10)
    (session,) = Store.open(tmp_path).sessions()
    assert session["status"] == "abandoned" and len(session["sets"]) == 1


def test_a_read_only_history_is_said_and_nothing_is_written(
    make_window, clock, tmp_path, writer
) -> None:
    months = tmp_path / "history" / "months"
    months.mkdir(parents=True)
    newer = {"kind": "calftimer.month", "schema_version": 99, "month": "2030-01", "sessions": []}
    (months / "2030-01.json").write_text(json.dumps(newer))
    window = make_window(options=OPTIONS, history=True)
    assert "read-only" in notice_text(window)
    window.session.start(BUILTIN_BY_ID["isometric"])
    advance_to(window.session, clock, T0 + window.session.timeline.work_sets[0].end_ms)
    assert writer.flush(timeout=10)
    assert sorted(p.name for p in (tmp_path / "history").rglob("*.json")) == ["2030-01.json"]


def test_file_menu_export_and_import_round_trip(qtbot, make_window, clock, tmp_path) -> None:
    source = make_window(tmp_path / "a", options=OPTIONS, history=True)
    source.session.start(BUILTIN_BY_ID["isometric"])
    advance_to(source.session, clock, T0 + source.session.timeline.duration_ms)
    backup = tmp_path / "backup.json"
    source.backup.export_history("json", backup)
    qtbot.waitUntil(
        lambda: "Exported 1 session and 10 sets" in source.statusBar().currentMessage(),
        timeout=10_000,
    )
    source.backup.export_history("csv", tmp_path / "sets.csv")
    qtbot.waitUntil(lambda: (tmp_path / "sets.csv").exists(), timeout=10_000)
    assert len((tmp_path / "sets.csv").read_text().splitlines()) == 11

    target = make_window(tmp_path / "b", options=OPTIONS, history=True)
    questions: list[str] = []
    asked = answer_modal(click_button("Yes"), during=lambda box: questions.append(box.text()))
    target.backup.import_file(backup)
    qtbot.waitUntil(
        lambda: "Imported 1 new session," in target.statusBar().currentMessage(), timeout=10_000
    )
    assert asked
    assert "Will add: 1 new session (10 sets)" in questions[0]
    assert Store.open(tmp_path / "b").set_count() == 10
    target.backup.import_file(backup)  # again: nothing new, nothing asked
    qtbot.waitUntil(
        lambda: "Nothing to import" in target.statusBar().currentMessage(), timeout=10_000
    )
    assert len(questions) == 1  # the CLI says the same: core.exchange.ImportResult.describe


def test_a_refused_import_says_why_and_changes_nothing(qtbot, make_window, tmp_path) -> None:
    window = make_window(tmp_path / "data", options=OPTIONS, history=True)
    bad = tmp_path / "bad.json"
    bad.write_text('{"kind": "calftimer.backup", "schema_version": 2, "sessions": [{"id": 5}]}')
    before = sorted(p.name for p in (tmp_path / "data").rglob("*"))
    shown = read_warning()
    window.backup.import_file(bad)
    qtbot.waitUntil(lambda: bool(shown), timeout=10_000)
    assert "bad.json" in shown[0] and "Nothing was changed" in shown[0]
    assert sorted(p.name for p in (tmp_path / "data").rglob("*")) == before


def test_the_window_exports_through_a_link_and_names_a_csv_given_to_import(
    qtbot, make_window, clock, tmp_path
) -> None:
    """The window calls the same core functions as the command line: a link stays a link
    (its target gets the backup, gzip-compressed by its .gz name) and a CSV is named as such."""
    import gzip

    window = make_window(tmp_path / "data", options=OPTIONS, history=True)
    window.session.start(BUILTIN_BY_ID["isometric"])
    advance_to(window.session, clock, T0 + window.session.timeline.duration_ms)
    real = tmp_path / "real.json.gz"
    link = tmp_path / "backup.json.gz"
    link.symlink_to(real)
    window.backup.export_history("json", link)
    qtbot.waitUntil(
        lambda: "Exported 1 session and" in window.statusBar().currentMessage(), timeout=10_000
    )
    assert link.is_symlink() and gzip.decompress(real.read_bytes()).startswith(b'{\n "kind"')

    window.backup.export_history("csv", tmp_path / "sets.csv")
    qtbot.waitUntil(lambda: (tmp_path / "sets.csv").exists(), timeout=10_000)
    shown = read_warning()
    window.backup.import_file(tmp_path / "sets.csv")
    qtbot.waitUntil(lambda: bool(shown), timeout=10_000)
    assert shown[0].startswith("sets.csv: this is a CSV file")
    assert "calftimer export --format json" in shown[0] and "Nothing was changed" in shown[0]


def test_damage_found_in_an_old_month_after_start_up_is_shown(qtbot, make_window, tmp_path):
    import json as _json
    from datetime import UTC, datetime

    from tests.core.store_worker import imported_session

    old = imported_session(datetime(2024, 3, 5, 7, tzinfo=UTC), sets=2)
    Store.open(tmp_path).merge_sessions([old])
    archive = tmp_path / "history" / "months" / "2024-03.json"
    archive.write_bytes(archive.read_bytes()[:-12])  # damaged; its backup is intact
    window = make_window(options=OPTIONS, history=True)
    assert not window.store.fully_loaded  # 2024 is not read at start-up
    window.history.load_in_background()
    qtbot.waitUntil(lambda: "2024-03.json" in notice_text(window), timeout=10_000)
    text = notice_text(window)
    assert "2024-03.json was damaged" in text and "restored" in text
    assert _json.loads(archive.read_text())["sessions"][0]["id"] == old["id"]
