"""History records as stored: sessions with their sets, heel-rise test results and pain ratings.

Records are plain dicts (TypedDicts) so loading twenty years of history is one ``json.loads``
per file with no object building. This module owns their shape (``docs/data-format.md``), the
validation that names the exact field of a bad record, and the merge of two copies by UUID.
"""

from __future__ import annotations

import math
import uuid
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any, Literal, NotRequired, TypedDict

from calftimer.core.session import SetRecord

SCHEMA_VERSION = 2
STATUSES = ("running", "finished", "abandoned")
SIDES = ("both", "left", "right")
MODES = ("reps", "time", "distance", "test")
PAIN_WHEN = ("during", "next_morning")


class SetDoc(TypedDict):
    id: str
    exercise: str
    side: str
    block: int
    set: int
    mode: str
    planned: int
    done: int
    tempo: list[float] | None
    load_kg: float
    tut_s: float
    started_at: str
    ended_at: str
    ended_by: str
    updated_at: NotRequired[str]  # set when the user edits a result afterwards


class TestResultDoc(TypedDict):
    id: str
    left_reps: int | None
    right_reps: int | None
    heel_height_cm: float | None
    recorded_at: str


class PainDoc(TypedDict):
    id: str
    when: Literal["during", "next_morning"]
    rating: int
    recorded_at: str


class SessionDoc(TypedDict):
    id: str
    program_id: str
    program_name: str
    started_at: str
    ended_at: str | None
    status: str
    sets: list[SetDoc]
    tests: list[TestResultDoc]
    pain: list[PainDoc]


def new_id() -> str:
    return str(uuid.uuid4())


def iso(moment: datetime) -> str:
    """UTC instant with milliseconds, e.g. ``2026-11-27T07:12:03.123+00:00``."""
    return moment.isoformat(timespec="milliseconds")


def new_session(program_id: str, program_name: str, started_at: datetime) -> SessionDoc:
    return SessionDoc(
        id=new_id(),
        program_id=program_id,
        program_name=program_name,
        started_at=iso(started_at),
        ended_at=None,
        status="running",
        sets=[],
        tests=[],
        pain=[],
    )


def set_doc(record: SetRecord, set_id: str | None = None) -> SetDoc:
    """The stored form of a completed set."""
    tempo = record.tempo
    return SetDoc(
        id=set_id or new_id(),
        exercise=record.exercise_id,
        side=record.side.value,
        block=record.block_index,
        set=record.set_number,
        mode=record.mode.value,
        planned=record.planned,
        done=record.done,
        tempo=None if tempo is None else [tempo.up, tempo.top, tempo.down, tempo.bottom],
        load_kg=record.load_kg,
        tut_s=record.time_under_tension_ms / 1000,
        started_at=iso(record.started_at),
        ended_at=iso(record.ended_at),
        ended_by=record.ended_by.value,
    )


def month_of(session: Mapping[str, Any]) -> str:
    """``YYYY-MM`` of the session's start as stored (calftimer stores UTC), which names the
    archive it is kept in."""
    return str(session["started_at"])[:7]


# ------------------------------------------------------------------------------ validation


def _bad(path: str, message: str, problems: list[str]) -> None:
    problems.append(f"{path}: {message}")


def _is_int(value: Any) -> bool:
    return type(value) is int


def _is_num(value: Any) -> bool:
    kind = type(value)
    return kind is int or (kind is float and math.isfinite(value))


def _looks_like_time(value: Any) -> bool:
    """A cheap shape check for the load path (``2026-11-27T07:12:03.123+00:00``)."""
    return (
        type(value) is str
        and len(value) >= 20
        and value[4] == "-"
        and value[10] == "T"
        and (value[-6] in "+-" or value[-1] == "Z")
    )


def _is_time(value: Any) -> bool:
    if type(value) is not str or len(value) < 19:
        return False
    try:
        return datetime.fromisoformat(value).tzinfo is not None
    except ValueError:
        return False


def _is_id(value: Any) -> bool:
    return type(value) is str and 0 < len(value) <= 64


def validate_session(obj: Any, path: str) -> list[str]:
    """Every problem in one session record, as ``<path>.<field>: <message>``.

    Sets that look right by a fast check are accepted without parsing their timestamps (twenty
    years of sets are checked at every start); anything odd gets the full, exact check.
    """
    problems: list[str] = []
    if type(obj) is not dict:
        return [f"{path}: must be an object"]
    if not _is_id(obj.get("id")):
        _bad(f"{path}.id", "must be a record id (text)", problems)
    for key in ("program_id", "program_name"):
        if type(obj.get(key)) is not str:
            _bad(f"{path}.{key}", "must be a text", problems)
    if not _is_time(obj.get("started_at")):
        _bad(f"{path}.started_at", "must be a date and time with a UTC offset", problems)
    if obj.get("ended_at") is not None and not _is_time(obj.get("ended_at")):
        _bad(f"{path}.ended_at", "must be null or a date and time with a UTC offset", problems)
    if obj.get("status") not in STATUSES:
        _bad(f"{path}.status", f"must be one of {', '.join(STATUSES)}", problems)
    for key, check in (
        ("sets", _validate_set),
        ("tests", _validate_test),
        ("pain", _validate_pain),
    ):
        items = obj.get(key)
        if type(items) is not list:
            _bad(f"{path}.{key}", "must be a list", problems)
            continue
        for i, item in enumerate(items):
            check(item, f"{path}.{key}[{i}]", problems)
    return problems


def _validate_set(s: Any, path: str, problems: list[str]) -> None:
    if type(s) is not dict:
        _bad(path, "must be an object", problems)
        return
    # A fast path for the common, valid record: twenty years of sets are checked at load.
    tempo = s.get("tempo")
    if (
        _is_id(s.get("id"))
        and type(s.get("exercise")) is str
        and s.get("side") in SIDES
        and s.get("mode") in MODES
        and _is_int(s.get("block"))
        and _is_int(s.get("set"))
        and _is_int(s.get("planned"))
        and _is_int(s.get("done"))
        and s["block"] >= 0
        and s["set"] >= 0
        and s["planned"] >= 0
        and s["done"] >= 0
        and _is_num(s.get("load_kg"))
        and _is_num(s.get("tut_s"))
        and s["load_kg"] >= 0
        and s["tut_s"] >= 0
        and _looks_like_time(s.get("started_at"))
        and _looks_like_time(s.get("ended_at"))
        and type(s.get("ended_by")) is str
        and ("updated_at" not in s or _looks_like_time(s["updated_at"]))
        and (
            tempo is None or (type(tempo) is list and len(tempo) == 4 and all(map(_is_num, tempo)))
        )
    ):
        return
    if not _is_id(s.get("id")):
        _bad(f"{path}.id", "must be a record id (text)", problems)
    if type(s.get("exercise")) is not str:
        _bad(f"{path}.exercise", "must be an exercise id", problems)
    if s.get("side") not in SIDES:
        _bad(f"{path}.side", f"must be one of {', '.join(SIDES)}", problems)
    if s.get("mode") not in MODES:
        _bad(f"{path}.mode", f"must be one of {', '.join(MODES)}", problems)
    for key in ("block", "set", "planned", "done"):
        if not _is_int(s.get(key)) or s[key] < 0:
            _bad(f"{path}.{key}", "must be a whole number, 0 or more", problems)
    for key in ("load_kg", "tut_s"):
        if not _is_num(s.get(key)) or s[key] < 0:
            _bad(f"{path}.{key}", "must be a number, 0 or more", problems)
    for key in ("started_at", "ended_at"):
        if not _is_time(s.get(key)):
            _bad(f"{path}.{key}", "must be a date and time with a UTC offset", problems)
    if type(s.get("ended_by")) is not str:
        _bad(f"{path}.ended_by", "must be a text", problems)
    if "updated_at" in s and not _is_time(s["updated_at"]):
        _bad(f"{path}.updated_at", "must be a date and time with a UTC offset", problems)
    tempo = s.get("tempo")
    if tempo is not None and (
        type(tempo) is not list or len(tempo) != 4 or not all(_is_num(x) for x in tempo)
    ):
        _bad(f"{path}.tempo", "must be null or four numbers [up, top, down, bottom]", problems)


def _validate_test(t: Any, path: str, problems: list[str]) -> None:
    if type(t) is not dict:
        _bad(path, "must be an object", problems)
        return
    if not _is_id(t.get("id")):
        _bad(f"{path}.id", "must be a record id (text)", problems)
    for key in ("left_reps", "right_reps"):
        value = t.get(key)
        if value is not None and (not _is_int(value) or value < 0):
            _bad(f"{path}.{key}", "must be null or a whole number, 0 or more", problems)
    height = t.get("heel_height_cm")
    if height is not None and (not _is_num(height) or not 0 <= height <= 30):
        _bad(f"{path}.heel_height_cm", "must be null or a number from 0 to 30", problems)
    if not _is_time(t.get("recorded_at")):
        _bad(f"{path}.recorded_at", "must be a date and time with a UTC offset", problems)


def _validate_pain(p: Any, path: str, problems: list[str]) -> None:
    if type(p) is not dict:
        _bad(path, "must be an object", problems)
        return
    if not _is_id(p.get("id")):
        _bad(f"{path}.id", "must be a record id (text)", problems)
    if p.get("when") not in PAIN_WHEN:
        _bad(f"{path}.when", f"must be one of {', '.join(PAIN_WHEN)}", problems)
    if not _is_int(p.get("rating")) or not 0 <= p["rating"] <= 10:
        _bad(f"{path}.rating", "must be a whole number from 0 to 10", problems)
    if not _is_time(p.get("recorded_at")):
        _bad(f"{path}.recorded_at", "must be a date and time with a UTC offset", problems)


# ---------------------------------------------------------------------------------- merging


def merge_sessions(ours: SessionDoc, theirs: SessionDoc) -> tuple[SessionDoc, int]:
    """The union of two copies of one session by record id; returns it and how many records
    came only from ``theirs``. Nothing present in either copy is dropped."""
    merged: SessionDoc = dict(ours)  # type: ignore[assignment]
    added = 0
    for key in ("sets", "tests", "pain"):
        mine: list[Any] = list(ours[key])
        index = {item["id"]: i for i, item in enumerate(mine)}
        for item in theirs[key]:
            at = index.get(item["id"])
            if at is None:
                index[item["id"]] = len(mine)
                mine.append(item)
                added += 1
            elif str(item.get("updated_at", "")) > str(mine[at].get("updated_at", "")):
                mine[at] = item  # the copy edited later wins
        mine.sort(key=lambda r: r.get("started_at") or r.get("recorded_at") or "")
        merged[key] = mine
    # A session that ended somewhere is ended: finished beats abandoned beats running.
    rank = {"running": 0, "abandoned": 1, "finished": 2}
    if rank.get(theirs["status"], 0) > rank.get(ours["status"], 0):
        merged["status"] = theirs["status"]
        merged["ended_at"] = theirs["ended_at"]
    elif merged["ended_at"] is None:
        merged["ended_at"] = theirs["ended_at"]
    return merged, added


def merge_into(target: dict[str, SessionDoc], incoming: Iterable[SessionDoc]) -> tuple[int, int]:
    """Merge sessions into ``target`` by id; returns (new sessions, new records inside known
    sessions). ``merge_changes`` also tells whether anything else changed."""
    new_sessions, new_records, _ = merge_changes(target, incoming)
    return new_sessions, new_records


def merge_changes(
    target: dict[str, SessionDoc], incoming: Iterable[SessionDoc]
) -> tuple[int, int, int]:
    """Like ``merge_into``, plus the number of known sessions that changed in another way (a
    status that ended, a record edited later): those must be written too."""
    new_sessions = new_records = changed = 0
    for session in incoming:
        known = target.get(session["id"])
        if known is None:
            target[session["id"]] = session
            new_sessions += 1
        else:
            merged, added = merge_sessions(known, session)
            new_records += added
            if added == 0 and merged != known:
                changed += 1
            target[session["id"]] = merged
    return new_sessions, new_records, changed


def count_sets(sessions: Iterable[SessionDoc]) -> int:
    return sum(len(s["sets"]) for s in sessions)
