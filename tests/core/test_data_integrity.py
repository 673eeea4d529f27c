"""Values that parse as JSON but cannot be kept, and values no training can produce.

A number like ``1e999`` parses to infinity, which JSON can only write back as ``Infinity``;
a lone surrogate (``"\\ud800"``) parses but cannot be encoded as UTF-8. Both must be refused
when read (naming the field), never written, and a history file holding one bad record keeps
every other record. Values out of the ranges a program allows (``load_kg: 1e308``, ``done:
10**18``, ``2026-99-99T99:99:99``) are refused like any other bad field.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from calftimer.app import main
from calftimer.core.exchange import ImportRefusedError, preview_import
from calftimer.core.history import iso, new_id
from calftimer.core.library import ProgramLibrary
from calftimer.core.programs import BUILTIN_BY_ID, ProgramFileError, program_to_dict
from calftimer.core.settings import Settings, read_settings, save_settings
from calftimer.core.store import MONTH_KIND, SCHEMA_VERSION, Store
from tests.core.test_exchange import a_session, a_set, backup_doc, history, snapshot, store_with

NOW = datetime(2026, 11, 15, 8, 0, tzinfo=UTC)
MARCH = datetime(2026, 3, 1, 7, 0, tzinfo=UTC)


def clock() -> datetime:
    return NOW


def with_literal(doc: Any, placeholder: str, literal: str) -> str:
    """JSON text of ``doc`` with the string ``"<placeholder>"`` replaced by raw ``literal``
    (json.dumps cannot write 1e999 or a lone-surrogate escape itself)."""
    text = json.dumps(doc)
    assert f'"{placeholder}"' in text
    return text.replace(f'"{placeholder}"', literal)


def march_sessions(count: int = 18) -> list[dict[str, Any]]:
    return [
        a_session([a_set(at=MARCH + timedelta(days=d, minutes=1))], start=MARCH + timedelta(days=d))
        for d in range(count)
    ]


def month_file(root: Path, month: str, text: str) -> Path:
    path = root / "history" / "months" / f"{month}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def damaged(root: Path) -> list[Path]:
    folder = root / "damaged"
    return sorted(folder.iterdir()) if folder.is_dir() else []


# --------------------------------------------------------------- item 1: non-finite numbers


def test_a_backup_with_1e999_in_an_unknown_field_is_refused_naming_it(tmp_path: Path) -> None:
    """The issue's case: accepted, written back as Infinity, and the month then lost."""
    root = tmp_path / "data"
    store_with(root, history(2))
    sessions = march_sessions(1)
    sessions[0]["sets"][0]["future_field"] = "HUGE"
    file = tmp_path / "backup.json"
    file.write_text(with_literal(backup_doc(sessions), "HUGE", "1e999"), encoding="utf-8")
    before = snapshot(root)

    with pytest.raises(ImportRefusedError) as refused:
        preview_import(file, Store.open(root), [])

    [problem] = refused.value.problems
    assert problem.startswith("backup.json: sessions[0].sets[0].future_field: must be a finite")
    assert main(["--data-dir", str(root), "import", str(file)]) == 2
    assert snapshot(root) == before


def test_the_store_never_writes_bytes_its_reader_refuses(tmp_path: Path) -> None:
    """A record holding infinity (here put in memory directly) is not saved, not half-saved."""
    store = store_with(tmp_path, march_sessions(3))
    archive = tmp_path / "history" / "months" / "2026-03.json"
    before = archive.read_bytes()
    bad = march_sessions(1)[0]
    bad["sets"][0]["note"] = float("inf")

    with pytest.raises(ValueError, match=r"sets\[0\]\.note: must be a finite number"):
        store.merge_sessions([bad])

    assert archive.read_bytes() == before
    again = Store.open(tmp_path, clock)
    assert len(again.sessions()) == 3 and again.notices == []


def test_a_month_with_one_bad_record_keeps_every_readable_one(tmp_path: Path) -> None:
    """What an older calftimer left behind: 18 sessions, one set holding Infinity."""
    sessions = march_sessions(18)
    sessions[7]["sets"].append(a_set(at=MARCH + timedelta(days=7, minutes=3)))
    bad_set = sessions[7]["sets"][1]
    bad_set["extra"] = "INF"
    doc = {"kind": MONTH_KIND, "schema_version": SCHEMA_VERSION, "sessions": sessions}
    raw = with_literal(doc, "INF", "Infinity")
    path = month_file(tmp_path, "2026-03", raw)

    store = Store.open(tmp_path, clock)

    assert len(store.sessions()) == 18  # none of the month vanished
    kept_sets = {s["id"] for session in store.sessions() for s in session["sets"]}
    assert kept_sets == {s["id"] for session in sessions for s in session["sets"]} - {bad_set["id"]}
    copy, note = damaged(tmp_path)
    assert copy.read_text(encoding="utf-8") == raw  # nothing is lost: the record is there
    assert note.name == copy.name + ".txt"
    text = note.read_text(encoding="utf-8")
    assert "sessions[7].sets[1]" in text and bad_set["id"] in text and "finite number" in text
    [notice] = store.notices
    assert "history/months/2026-03.json" in notice.message and note.name in notice.message
    assert "1 record" in notice.message and "18 sessions" in notice.message
    # The file now holds what was kept, and the next start is quiet.
    assert "Infinity" not in path.read_text(encoding="utf-8")
    again = Store.open(tmp_path, clock)
    assert len(again.sessions()) == 18 and again.notices == []


def test_a_bad_session_is_set_aside_whole_and_its_month_kept(tmp_path: Path) -> None:
    sessions = march_sessions(5)
    sessions[2]["started_at"] = "2026-99-99T99:99:99+00:00"
    month_file(
        tmp_path,
        "2026-03",
        json.dumps({"kind": MONTH_KIND, "schema_version": 2, "sessions": sessions}),
    )

    store = Store.open(tmp_path, clock)

    assert {s["id"] for s in store.sessions()} == {s["id"] for s in sessions} - {sessions[2]["id"]}
    assert "sessions[2].started_at" in damaged(tmp_path)[1].read_text(encoding="utf-8")


def test_the_backup_restores_a_record_the_damage_took(tmp_path: Path) -> None:
    """A bit flip in one set: the month's backup holds the same set intact, so it comes back."""
    store = store_with(tmp_path, march_sessions(4))
    path = tmp_path / "history" / "months" / "2026-03.json"
    target = store.sessions()[1]["sets"][0]
    text = path.read_text(encoding="utf-8")
    damaged_text = text.replace(
        f'"{target["id"]}","exercise"', f'"{target["id"]}","exercise":7,"x"'
    )
    assert damaged_text != text
    path.write_text(damaged_text, encoding="utf-8")

    again = Store.open(tmp_path, clock)

    assert target["id"] in {s["id"] for session in again.sessions() for s in session["sets"]}
    assert "readable copy of 1 of them" in again.notices[0].message


def test_a_program_file_with_a_huge_number_in_a_comment_is_refused(tmp_path: Path) -> None:
    doc = program_to_dict(BUILTIN_BY_ID["isometric"]) | {"id": "mine", "$comment": "HUGE"}
    path = tmp_path / "mine.json"
    path.write_text(with_literal(doc, "HUGE", "1e999"), encoding="utf-8")
    with pytest.raises(ProgramFileError, match=r"mine.json: \$comment: must be a finite number"):
        ProgramLibrary.load(None).resolve(str(path))


def test_settings_drop_an_unknown_field_holding_1e999_and_keep_the_rest(tmp_path: Path) -> None:
    path = tmp_path / "settings.json"
    doc = {"kind": "calftimer.settings", "schema_version": 1, "countdown_s": 5, "future": "X"}
    path.write_text(with_literal(doc, "X", "1e999"), encoding="utf-8")

    found = read_settings(path, clock)

    assert found.settings.countdown_s == 5
    assert any("future: must be a finite number" in n.message for n in found.notices)
    save_settings(path, found.settings, found.extra)
    assert "Infinity" not in path.read_text(encoding="utf-8")
    assert read_settings(path, clock).settings.countdown_s == 5  # not reset to defaults


# --------------------------------------------------------------- item 2: lone surrogates


def test_a_backup_with_a_lone_surrogate_is_refused_naming_the_field(tmp_path: Path) -> None:
    root = tmp_path / "data"
    store_with(root, history(1))
    sessions = march_sessions(2)
    sessions[1]["program_name"] = "LONE"
    file = tmp_path / "backup.json"
    file.write_text(with_literal(backup_doc(sessions), "LONE", '"\\ud800"'), encoding="utf-8")
    before = snapshot(root)

    with pytest.raises(ImportRefusedError) as refused:
        preview_import(file, Store.open(root), [])

    assert refused.value.problems == [
        "backup.json: sessions[1].program_name: the text holds a lone surrogate (an escape like "
        "\\ud800 without its pair), which is not a character"
    ]
    assert main(["--data-dir", str(root), "import", str(file)]) == 2
    assert snapshot(root) == before


def test_a_program_named_with_a_lone_surrogate_is_refused_at_every_door(
    tmp_path: Path, capsys
) -> None:
    doc = program_to_dict(BUILTIN_BY_ID["isometric"]) | {"id": "mine", "name": "LONE"}
    path = tmp_path / "mine.json"
    path.write_text(with_literal(doc, "LONE", '"My \\udc80 day"'), encoding="utf-8")
    data = tmp_path / "data"

    with pytest.raises(ProgramFileError, match=r"mine.json: name: the text holds a lone surr"):
        ProgramLibrary.load(None).resolve(str(path))  # what --start runs
    assert main(["--data-dir", str(data), "import", str(path), "--dry-run"]) == 2
    err = capsys.readouterr().err
    assert "mine.json: name: the text holds a lone surrogate" in err
    assert "Traceback" not in err


def test_a_session_named_with_a_lone_surrogate_is_not_saved_and_says_which_field(
    tmp_path: Path,
) -> None:
    store = Store.open(tmp_path, clock)
    with pytest.raises(ValueError, match=r"session\.program_name: the text holds a lone"):
        store.begin_session("mine", "My \ud800 day", NOW)
    assert list((tmp_path / "history" / "sessions").iterdir()) == []


def test_a_month_with_a_surrogate_in_one_set_keeps_the_others(tmp_path: Path) -> None:
    sessions = march_sessions(3)
    sessions[0]["sets"][0]["exercise"] = "LONE"
    doc = {"kind": MONTH_KIND, "schema_version": SCHEMA_VERSION, "sessions": sessions}
    month_file(tmp_path, "2026-03", with_literal(doc, "LONE", '"\\ud83d"'))

    store = Store.open(tmp_path, clock)

    assert len(store.sessions()) == 3
    assert sum(len(s["sets"]) for s in store.sessions()) == 2
    assert "sessions[0].sets[0].exercise" in damaged(tmp_path)[1].read_text(encoding="utf-8")


def test_settings_drop_an_unknown_field_with_a_surrogate_and_can_still_save(
    tmp_path: Path,
) -> None:
    path = tmp_path / "settings.json"
    doc = {"kind": "calftimer.settings", "schema_version": 1, "theme": "dark", "future": "X"}
    path.write_text(with_literal(doc, "X", '"\\udfff"'), encoding="utf-8")
    found = read_settings(path, clock)
    assert found.settings.theme == "dark" and "future" not in found.extra
    save_settings(path, Settings(theme="light"), found.extra)  # no UnicodeEncodeError
    assert read_settings(path, clock).settings.theme == "light"


# --------------------------------------------------------- item 4: impossible values


def _set_field(path: list[Any], value: Any) -> Any:
    def change(doc: dict[str, Any]) -> None:
        target: Any = doc
        for step in path[:-1]:
            target = target[step]
        target[path[-1]] = value

    return change


IMPOSSIBLE = [
    (["sessions", 0, "sets", 0, "started_at"], "2026-99-99T99:99:99.000+00:00", "started_at"),
    (["sessions", 0, "sets", 0, "ended_at"], "2026-02-30T07:00:00+00:00", "sets[0].ended_at"),
    (["sessions", 0, "sets", 0, "started_at"], "0001-01-01T00:00:00+00:00", "sets[0].started_at"),
    (
        ["sessions", 0, "sets", 0, "load_kg"],
        1e308,
        "sets[0].load_kg: must be a number from 0 to 500",
    ),
    (
        ["sessions", 0, "sets", 0, "done"],
        10**18,
        "sets[0].done: must be a whole number from 0 to 200",
    ),
    (
        ["sessions", 0, "sets", 0, "planned"],
        201,
        "sets[0].planned: must be a whole number from 0 to",
    ),
    (["sessions", 0, "sets", 0, "set"], 10**6, "sets[0].set: must be a whole number from 0 to 20"),
    (["sessions", 0, "sets", 0, "block"], 50, "sets[0].block: must be a whole number from 0 to 49"),
    (["sessions", 0, "sets", 0, "tut_s"], 1e12, "sets[0].tut_s: must be a number from 0 to 86400"),
    (["sessions", 0, "sets", 0, "tempo"], [2, 1, 1e9, 0], "sets[0].tempo: must be null or four"),
    # A choice is named the way program and settings files name one: the values as in JSON.
    (
        ["sessions", 0, "sets", 0, "side"],
        "middle",
        'sets[0].side: must be "both", "left" or "right"',
    ),
    (
        ["sessions", 0, "status"],
        "paused",
        'sessions[0].status: must be "running", "finished" or "abandoned"',
    ),
    (
        ["sessions", 0, "tests"],
        [
            {
                "id": "t",
                "left_reps": 10**9,
                "right_reps": 3,
                "heel_height_cm": None,
                "recorded_at": "2026-03-01T07:00:00Z",
            }
        ],
        "tests[0].left_reps: must be null or a whole number from 0 to 200",
    ),
]


@pytest.mark.parametrize(("where", "value", "message"), IMPOSSIBLE)
def test_impossible_values_in_a_backup_are_refused_naming_the_field(
    tmp_path: Path, where: list[Any], value: Any, message: str
) -> None:
    root = tmp_path / "data"
    store_with(root, history(1))
    doc = backup_doc(march_sessions(1))
    _set_field(where, value)(doc)
    file = tmp_path / "backup.json"
    file.write_text(json.dumps(doc), encoding="utf-8")
    before = snapshot(root)
    with pytest.raises(ImportRefusedError) as refused:
        preview_import(file, Store.open(root), [])
    assert any(message in p for p in refused.value.problems), refused.value.problems
    assert snapshot(root) == before


def test_the_extremes_a_program_allows_are_accepted(tmp_path: Path) -> None:
    session = march_sessions(1)[0]
    session["sets"][0].update(
        load_kg=500,
        done=200,
        planned=200,
        set=20,
        block=49,
        tut_s=86_400.0,
        tempo=[30, 30, 30, 30],
        started_at="1970-01-01T00:00:00+00:00",
        ended_at="2999-12-31T23:59:59.999-12:00",
    )
    session["sets"].append(a_set(mode="time", at=MARCH) | {"done": 3600, "planned": 3600})
    session["tests"].append(
        {
            "id": new_id(),
            "left_reps": 200,
            "right_reps": 0,
            "heel_height_cm": 30,
            "recorded_at": iso(MARCH),
        }
    )
    file = tmp_path / "backup.json"
    file.write_text(json.dumps(backup_doc([session])), encoding="utf-8")
    preview = preview_import(file, Store.open(tmp_path / "data"), [])
    assert preview.new_sessions == 1 and preview.sets_in_new_sessions == 2
