"""History records as stored: sessions with their sets, heel-rise test results and pain ratings.

Records are plain dicts (TypedDicts) so loading twenty years of history is one ``json.loads``
per file with no object building. This module owns their shape (``docs/data-format.md``), the
validation that names the exact field of a bad record, and the merge of two copies by UUID.
"""

from __future__ import annotations

import math
import uuid
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal, NotRequired, TypedDict

from calftimer.core.exercise import Mode
from calftimer.core.jsontext import LONE_SURROGATE_MESSAGE, has_lone_surrogate, unusable_values
from calftimer.core.programs import (
    BLOCKS_RANGE,
    LOAD_RANGE,
    SETS_RANGE,
    TARGET_RANGES,
    TEMPO_PHASE_RANGE,
)
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

# The ranges of program files (``calftimer.core.programs``), so no record holds a value no
# program could have produced: a set of 10**18 reps or 1e308 kg is damage, not training.
BLOCK_MAX = BLOCKS_RANGE[1] - 1  # "block" counts from 0
SET_MAX = SETS_RANGE[1]
AMOUNT_MAX: dict[str, int] = {mode.value: high for mode, (_, high) in TARGET_RANGES.items()}
REPS_MAX = TARGET_RANGES[Mode.TEST][1]
LOAD_MAX_KG = LOAD_RANGE[1]
TEMPO_PHASE_MAX_S = TEMPO_PHASE_RANGE[1]
TUT_MAX_S = 86_400  # a day: far above the longest set a program can hold (200 reps x 120 s)
HEEL_HEIGHT_MAX_CM = 30
# Real dates only. The lower bound keeps a device whose clock was reset (1970) readable; the
# upper one keeps every stored time convertible to any local time zone.
YEAR_RANGE = (1900, 2999)
_TIME_TEXT = (
    f"must be a real date and time from {YEAR_RANGE[0]} to {YEAR_RANGE[1]} with a UTC offset"
)


def _bad(path: str, message: str, problems: list[str]) -> None:
    problems.append(f"{path}: {message}")


def _is_int(value: Any) -> bool:
    return type(value) is int


def _is_num(value: Any) -> bool:
    kind = type(value)
    return kind is int or (kind is float and math.isfinite(value))


def _in(value: Any, high: float) -> bool:
    """A whole number from 0 to ``high``."""
    return type(value) is int and 0 <= value <= high


def _num_in(value: Any, high: float) -> bool:
    """A finite number from 0 to ``high`` (compared before any conversion: 10**400 is fine)."""
    return _is_num(value) and 0 <= value <= high


_NUMBERS = (int, float)
_YEARS = (f"{YEAR_RANGE[0]:04d}", f"{YEAR_RANGE[1]:04d}")


def _is_time(value: Any) -> bool:
    """An extended ISO 8601 date and time (``2026-11-27T07:12:03.123+00:00``) that exists,
    with a UTC offset. The shape matters: the month file of a session is the text's first 7
    characters. (``fromisoformat`` is C code: this is as fast as a shape check in Python.)"""
    try:
        return (
            type(value) is str
            and _YEARS[0] <= value[:4] <= _YEARS[1]
            and value[4] == "-"
            and value[10] == "T"
            and datetime.fromisoformat(value).tzinfo is not None
        )
    except (ValueError, IndexError):  # not a date that exists; too short
        return False


def _tempo_ok(tempo: Any) -> bool:
    return (
        type(tempo) is list
        and len(tempo) == 4
        and all(type(x) in _NUMBERS and 0 <= x <= TEMPO_PHASE_MAX_S for x in tempo)
    )


def _is_text(value: Any) -> bool:
    """A text that can be written as UTF-8 (no lone surrogate such as ``\\ud800``)."""
    return type(value) is str and not has_lone_surrogate(value)


def _fast_text(value: Any) -> bool:
    # isascii() reads a flag CPython keeps on every string: an ASCII text is certainly
    # writable, anything else gets the full check.
    return type(value) is str and value.isascii()


def _is_id(value: Any) -> bool:
    return _is_text(value) and 0 < len(value) <= 64


def validate_session(obj: Any, path: str) -> list[str]:
    """Every problem in one session record, as ``<path>.<field>: <message>``.

    Sets that pass a fast check are accepted without the per-field messages (twenty years of
    sets are checked at every start); anything odd gets the full, exact check.
    """
    problems = _validate_session_fields(obj, path)
    if type(obj) is not dict:
        return problems
    for key, check in _RECORD_CHECKS:
        items = obj.get(key)
        if type(items) is not list:
            continue  # reported by _validate_session_fields
        for i, item in enumerate(items):
            check(item, f"{path}.{key}[{i}]", problems)
    return problems


def _validate_session_fields(obj: Any, path: str) -> list[str]:
    """The problems of the session itself, leaving its sets, tests and pain ratings out."""
    problems: list[str] = []
    if type(obj) is not dict:
        return [f"{path}: must be an object"]
    if not _is_id(obj.get("id")):
        _bad(f"{path}.id", _id_problem(obj.get("id")), problems)
    for key in ("program_id", "program_name"):
        if not _is_text(obj.get(key)):
            _bad(f"{path}.{key}", _text_problem(obj.get(key)), problems)
    if not _is_time(obj.get("started_at")):
        _bad(f"{path}.started_at", _TIME_TEXT, problems)
    if "ended_at" not in obj or (obj["ended_at"] is not None and not _is_time(obj["ended_at"])):
        _bad(f"{path}.ended_at", f"must be null or {_TIME_TEXT.removeprefix('must be ')}", problems)
    if obj.get("status") not in STATUSES:
        _bad(f"{path}.status", f"must be one of {', '.join(STATUSES)}", problems)
    for key, _ in _RECORD_CHECKS:
        if type(obj.get(key)) is not list:
            _bad(f"{path}.{key}", "must be a list", problems)
    return problems


def _id_problem(value: Any) -> str:
    if type(value) is str and 0 < len(value) <= 64:
        return LONE_SURROGATE_MESSAGE
    return "must be a record id (text of 1 to 64 characters)"


def _text_problem(value: Any, expected: str = "must be a text") -> str:
    return LONE_SURROGATE_MESSAGE if type(value) is str else expected


def _validate_set(s: Any, path: str, problems: list[str]) -> None:
    if type(s) is not dict:
        _bad(path, "must be an object", problems)
        return
    # A fast path for the common, valid record: twenty years of sets are checked at load, so
    # it is written out in full, without helper calls. A range check also refuses NaN and
    # infinity (every comparison with NaN is false).
    get: Callable[[str], Any] = s.get
    mode = get("mode")
    top = AMOUNT_MAX.get(mode, -1) if type(mode) is str else -1
    if (
        top >= 0
        and get("side") in SIDES
        and type(sid := get("id")) is str
        and 0 < len(sid) <= 64
        and sid.isascii()  # an ASCII text is certainly writable; others get the full check
        and type(ex := get("exercise")) is str
        and ex.isascii()
        and type(by := get("ended_by")) is str
        and by.isascii()
        and type(n := get("block")) is int
        and 0 <= n <= BLOCK_MAX
        and type(n := get("set")) is int
        and 0 <= n <= SET_MAX
        and type(n := get("planned")) is int
        and 0 <= n <= top
        and type(n := get("done")) is int
        and 0 <= n <= top
        and type(x := get("load_kg")) in _NUMBERS
        and 0 <= x <= LOAD_MAX_KG
        and type(x := get("tut_s")) in _NUMBERS
        and 0 <= x <= TUT_MAX_S
        and ((tempo := get("tempo")) is None or _tempo_ok(tempo))
        and _is_time(get("started_at"))
        and _is_time(get("ended_at"))
        and ("updated_at" not in s or _is_time(s["updated_at"]))
    ):
        return
    tempo = get("tempo")
    if not _is_id(s.get("id")):
        _bad(f"{path}.id", _id_problem(s.get("id")), problems)
    if not _is_text(s.get("exercise")):
        _bad(
            f"{path}.exercise", _text_problem(s.get("exercise"), "must be an exercise id"), problems
        )
    if s.get("side") not in SIDES:
        _bad(f"{path}.side", f"must be one of {', '.join(SIDES)}", problems)
    amount_max = AMOUNT_MAX.get(mode) if type(mode) is str else None
    if amount_max is None:
        _bad(f"{path}.mode", f"must be one of {', '.join(MODES)}", problems)
        amount_max = max(AMOUNT_MAX.values())
    for key, high in (
        ("block", BLOCK_MAX),
        ("set", SET_MAX),
        ("planned", amount_max),
        ("done", amount_max),
    ):
        if not _in(s.get(key), high):
            _bad(f"{path}.{key}", f"must be a whole number from 0 to {high}", problems)
    for key, limit in (("load_kg", LOAD_MAX_KG), ("tut_s", TUT_MAX_S)):
        if not _num_in(s.get(key), limit):
            _bad(f"{path}.{key}", f"must be a number from 0 to {limit:g}", problems)
    for key in ("started_at", "ended_at"):
        if not _is_time(s.get(key)):
            _bad(f"{path}.{key}", _TIME_TEXT, problems)
    if not _is_text(s.get("ended_by")):
        _bad(f"{path}.ended_by", _text_problem(s.get("ended_by")), problems)
    if "updated_at" in s and not _is_time(s["updated_at"]):
        _bad(f"{path}.updated_at", _TIME_TEXT, problems)
    if tempo is not None and not _tempo_ok(tempo):
        _bad(
            f"{path}.tempo",
            f"must be null or four numbers from 0 to {TEMPO_PHASE_MAX_S:g} [up, top, down, bottom]",
            problems,
        )


def _validate_test(t: Any, path: str, problems: list[str]) -> None:
    if type(t) is not dict:
        _bad(path, "must be an object", problems)
        return
    if not _is_id(t.get("id")):
        _bad(f"{path}.id", _id_problem(t.get("id")), problems)
    for key in ("left_reps", "right_reps"):
        value = t.get(key)
        if value is not None and not _in(value, REPS_MAX):
            _bad(f"{path}.{key}", f"must be null or a whole number from 0 to {REPS_MAX}", problems)
    height = t.get("heel_height_cm")
    if height is not None and not _num_in(height, HEEL_HEIGHT_MAX_CM):
        _bad(
            f"{path}.heel_height_cm",
            f"must be null or a number from 0 to {HEEL_HEIGHT_MAX_CM}",
            problems,
        )
    if not _is_time(t.get("recorded_at")):
        _bad(f"{path}.recorded_at", _TIME_TEXT, problems)


def _validate_pain(p: Any, path: str, problems: list[str]) -> None:
    if type(p) is not dict:
        _bad(path, "must be an object", problems)
        return
    if not _is_id(p.get("id")):
        _bad(f"{path}.id", _id_problem(p.get("id")), problems)
    if p.get("when") not in PAIN_WHEN:
        _bad(f"{path}.when", f"must be one of {', '.join(PAIN_WHEN)}", problems)
    if not _in(p.get("rating"), 10):
        _bad(f"{path}.rating", "must be a whole number from 0 to 10", problems)
    if not _is_time(p.get("recorded_at")):
        _bad(f"{path}.recorded_at", _TIME_TEXT, problems)


_RECORD_CHECKS: tuple[tuple[str, Callable[[Any, str, list[str]], None]], ...] = (
    ("sets", _validate_set),
    ("tests", _validate_test),
    ("pain", _validate_pain),
)


# -------------------------------------------------------------------------------- salvage


@dataclass(frozen=True, slots=True)
class SetAside:
    """A record that could not be kept: where it was in its file, its id if it had a readable
    one, and every problem found in it."""

    where: str
    record_id: str | None
    problems: tuple[str, ...]

    def describe(self) -> str:
        named = f" (id {self.record_id})" if self.record_id else ""
        return f"{self.where}{named}: {'; '.join(self.problems)}"


def salvage_session(obj: Any, path: str) -> tuple[SessionDoc | None, list[SetAside]]:
    """What can be kept of one session record read leniently (``decode_json(lenient=True)``):
    the session without its unreadable sets, test results and pain ratings, or None when the
    session's own fields are unreadable; and each record set aside, with why.

    A record holding a value JSON cannot write back (an infinite number, a lone surrogate),
    even in a field calftimer does not know, is set aside too: keeping it would make the file
    unwritable."""

    def record_id(item: Any) -> str | None:
        rid = item.get("id") if type(item) is dict else None
        return rid if _is_id(rid) else None

    own = _validate_session_fields(obj, path)
    if type(obj) is dict:
        head = {k: v for k, v in obj.items() if k not in ("sets", "tests", "pain")}
        own += unusable_values(head, path)
    if own:
        return None, [SetAside(path, record_id(obj), tuple(own))]
    kept: dict[str, Any] = dict(obj)
    aside: list[SetAside] = []
    for key, check in _RECORD_CHECKS:
        good = []
        for i, item in enumerate(obj[key]):
            where = f"{path}.{key}[{i}]"
            problems: list[str] = []
            check(item, where, problems)
            problems += unusable_values(item, where)
            if problems:
                aside.append(SetAside(where, record_id(item), tuple(problems)))
            else:
                good.append(item)
        kept[key] = good
    return kept, aside  # type: ignore[return-value]  # validated above


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
