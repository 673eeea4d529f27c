"""History records as stored: sessions with their sets, heel-rise test results and pain ratings.

Records are plain dicts (TypedDicts) so loading twenty years of history is one ``json.loads``
per file with no object building. This module owns their shape (``docs/data-format.md``), the
validation that names the exact field of a bad record, and the merge of two copies by UUID.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal, NotRequired, TypedDict

from calftimer.core.exercise import Mode
from calftimer.core.i18n import _
from calftimer.core.jsontext import LONE_SURROGATE_MESSAGE, unusable_values
from calftimer.core.programs import (
    BLOCKS_RANGE,
    LOAD_RANGE,
    SETS_RANGE,
    TARGET_RANGES,
    TEMPO_PHASE_RANGE,
)
from calftimer.core.session import SetRecord
from calftimer.core.validation import (
    Problems,
    choice_text,
    int_in,
    int_text,
    is_text,
    is_time,
    number_in,
    number_text,
    text_problem,
    time_text,
)

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
    work, tempo = record.work, record.work.tempo
    return SetDoc(
        id=set_id or new_id(),
        exercise=work.exercise_id,
        side=work.side.value,
        block=work.block_index,
        set=work.set_number,
        mode=work.mode.value,
        planned=work.target,
        done=record.done,
        tempo=None if tempo is None else [tempo.up, tempo.top, tempo.down, tempo.bottom],
        load_kg=work.load_kg,
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
ID_MAX = 64
_NUMBERS = (int, float)


def _tempo_ok(tempo: Any) -> bool:
    return (
        type(tempo) is list
        and len(tempo) == 4
        and all(type(x) in _NUMBERS and 0 <= x <= TEMPO_PHASE_MAX_S for x in tempo)
    )


def _is_id(value: Any) -> bool:
    return is_text(value) and 0 < len(value) <= ID_MAX


def _id_problem(value: Any) -> str:
    """Why ``value`` is not a record id (``_is_id`` said it is not)."""
    if type(value) is str and 0 < len(value) <= ID_MAX:
        return _(LONE_SURROGATE_MESSAGE)
    return _("must be a record id (text of 1 to {n} characters)").format(n=ID_MAX)


def _tempo_problem() -> str:
    # Translators: [up, top, down, bottom] are the four tempo phases, in the file's order.
    return _("must be null or four numbers from 0 to {high} [up, top, down, bottom]").format(
        high=f"{TEMPO_PHASE_MAX_S:g}"
    )


def _text_problem(value: Any, expected: str | None = None) -> str:
    """Why ``value`` is not a text (``is_text`` said it is not)."""
    expected = _("must be a text") if expected is None else expected
    return text_problem(value, expected) or expected


def validate_session(obj: Any, path: str) -> list[str]:
    """Every problem in one session record, as ``<path>.<field>: <message>``.

    Sets that pass a fast check are accepted without the per-field messages (twenty years of
    sets are checked at every start); anything odd gets the full, exact check.
    """
    problems = _validate_session_fields(obj, path)
    if type(obj) is not dict:
        return problems.items
    for key, check in _RECORD_CHECKS:
        items = obj.get(key)
        if type(items) is not list:
            continue  # reported by _validate_session_fields
        for i, item in enumerate(items):
            check(item, f"{path}.{key}[{i}]", problems)
    return problems.items


def _validate_session_fields(obj: Any, path: str) -> Problems:
    """The problems of the session itself, leaving its sets, tests and pain ratings out."""
    problems = Problems()
    if type(obj) is not dict:
        problems.add(path, _("must be an object"))
        return problems
    # A path is only built for a field found bad: this runs for every session at every start.
    get: Callable[[str], Any] = obj.get
    if not _is_id(get("id")):
        problems.add(f"{path}.id", _id_problem(get("id")))
    for key in ("program_id", "program_name"):
        if not is_text(get(key)):
            problems.add(f"{path}.{key}", _text_problem(get(key)))
    if not is_time(get("started_at")):
        problems.add(f"{path}.started_at", time_text())
    if "ended_at" not in obj or (obj["ended_at"] is not None and not is_time(obj["ended_at"])):
        problems.add(f"{path}.ended_at", time_text(null=True))
    if get("status") not in STATUSES:
        problems.add(f"{path}.status", choice_text(STATUSES))
    for key, _check in _RECORD_CHECKS:
        if type(get(key)) is not list:
            problems.add(f"{path}.{key}", _("must be a list"))
    return problems


def _validate_set(s: Any, path: str, problems: Problems) -> None:
    if type(s) is not dict:
        problems.add(path, _("must be an object"))
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
        and 0 < len(sid) <= ID_MAX
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
        and is_time(get("started_at"))
        and is_time(get("ended_at"))
        and ("updated_at" not in s or is_time(s["updated_at"]))
    ):
        return
    if not _is_id(get("id")):
        problems.add(f"{path}.id", _id_problem(get("id")))
    if not is_text(get("exercise")):
        problems.add(
            f"{path}.exercise", _text_problem(get("exercise"), _("must be an exercise id"))
        )
    if get("side") not in SIDES:
        problems.add(f"{path}.side", choice_text(SIDES))
    amount_max = AMOUNT_MAX.get(mode) if type(mode) is str else None
    if amount_max is None:
        problems.add(f"{path}.mode", choice_text(MODES))
        amount_max = max(AMOUNT_MAX.values())
    for key, high in (
        ("block", BLOCK_MAX),
        ("set", SET_MAX),
        ("planned", amount_max),
        ("done", amount_max),
    ):
        if not int_in(get(key), 0, high):
            problems.add(f"{path}.{key}", int_text(0, high))
    for key, limit in (("load_kg", LOAD_MAX_KG), ("tut_s", TUT_MAX_S)):
        if not number_in(get(key), 0, limit):
            problems.add(f"{path}.{key}", number_text(0, limit))
    for key in ("started_at", "ended_at"):
        if not is_time(get(key)):
            problems.add(f"{path}.{key}", time_text())
    if not is_text(get("ended_by")):
        problems.add(f"{path}.ended_by", _text_problem(get("ended_by")))
    if "updated_at" in s and not is_time(s["updated_at"]):
        problems.add(f"{path}.updated_at", time_text())
    tempo = get("tempo")
    if tempo is not None and not _tempo_ok(tempo):
        problems.add(f"{path}.tempo", _tempo_problem())


def _validate_test(t: Any, path: str, problems: Problems) -> None:
    if type(t) is not dict:
        problems.add(path, _("must be an object"))
        return
    if not _is_id(t.get("id")):
        problems.add(f"{path}.id", _id_problem(t.get("id")))
    for key in ("left_reps", "right_reps"):
        value = t.get(key)
        if value is not None and not int_in(value, 0, REPS_MAX):
            problems.add(f"{path}.{key}", int_text(0, REPS_MAX, null=True))
    height = t.get("heel_height_cm")
    if height is not None and not number_in(height, 0, HEEL_HEIGHT_MAX_CM):
        problems.add(f"{path}.heel_height_cm", number_text(0, HEEL_HEIGHT_MAX_CM, null=True))
    if not is_time(t.get("recorded_at")):
        problems.add(f"{path}.recorded_at", time_text())


def _validate_pain(p: Any, path: str, problems: Problems) -> None:
    if type(p) is not dict:
        problems.add(path, _("must be an object"))
        return
    if not _is_id(p.get("id")):
        problems.add(f"{path}.id", _id_problem(p.get("id")))
    if p.get("when") not in PAIN_WHEN:
        problems.add(f"{path}.when", choice_text(PAIN_WHEN))
    if not int_in(p.get("rating"), 0, 10):
        problems.add(f"{path}.rating", int_text(0, 10))
    if not is_time(p.get("recorded_at")):
        problems.add(f"{path}.recorded_at", time_text())


_RECORD_CHECKS: tuple[tuple[str, Callable[[Any, str, Problems], None]], ...] = (
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

    own = _validate_session_fields(obj, path).items
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
            found = Problems()
            check(item, where, found)
            problems = found.items + unusable_values(item, where)
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
