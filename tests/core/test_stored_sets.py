"""What a session writes to history, byte for byte: the same sessions (each built-in program,
with a skip, a longer rest, a set redone with back, a pause, a set ended with Enter and, for
the longest, an early finish) must give the same session files as the files kept in
``tests/fixtures/stored_sessions``. A change in how a completed set becomes a stored record
(``set_doc``, ``docs/data-format.md``) shows here first.

``python -m tests.core.test_stored_sets --write`` rewrites the fixtures: only for a change of
the format that is meant, and documented."""

from __future__ import annotations

import itertools
import sys
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from calftimer.core import history, store
from calftimer.core.clock import ManualClock
from calftimer.core.exercise import Mode, Tempo
from calftimer.core.programs import BUILTIN_PROGRAMS, Program, Sides, default_block
from calftimer.core.session import Session, State
from calftimer.core.store import Store
from calftimer.core.timeline import CompileOptions, SegmentKind, compile_program

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "stored_sessions"
T0 = 7_000_000
STEP_MS = 700
START = datetime(2026, 11, 27, 6, 30, 0, 123_000, tzinfo=UTC)


class Wall:
    """A wall clock that follows the monotonic one, from START."""

    def __init__(self, clock: ManualClock) -> None:
        self._clock = clock

    def __call__(self) -> datetime:
        return START + timedelta(milliseconds=self._clock() - T0)


PAUSES = (SegmentKind.REST, SegmentKind.SWITCH)
# What the built-in programs leave out: added weight, a walk in metres, a slow tempo.
LOADED = Program(
    "loaded",
    "Loaded and walked",
    "",
    (
        default_block("seated_calf_raise", sets=3, load_kg=22.5, rest_s=20, rest_after_s=15),
        default_block(
            "single_leg_calf_raise",
            sets=2,
            target=6,
            tempo=Tempo(1.5, 0.5, 3, 0),
            sides=Sides.RIGHT_LEFT,
            load_kg=7.5,
            rest_s=15,
            rest_after_s=10,
        ),
        default_block("heel_toe_walk", sets=2, mode=Mode.DISTANCE, target=40, rest_s=10),
    ),
)
PROGRAMS = (*BUILTIN_PROGRAMS, LOADED)


def record_session(program: Program, root: Path) -> bytes:
    """Run ``program`` with a fixed script of presses; the bytes of its session file."""
    clock = ManualClock(T0)
    wall = Wall(clock)
    history_store = Store.open(root, wall)
    session = Session(compile_program(program, CompileOptions(prepare_s=5)), clock, wall)
    session_id = history_store.begin_session(program.id, program.name, session.started_at)
    session.start()
    finish_at = session.timeline.duration_ms * 6 // 10 if program.id == "foundation" else None
    recorded: set[int] = set()
    done: set[str] = set()  # each press once

    def once(name: str, wanted: bool) -> bool:
        if wanted and name not in done:
            done.add(name)
            return True
        return False

    paused_at = 0
    for step in itertools.count(1):
        clock.advance(STEP_MS)
        at = session.position()
        work, seg, into = at.work_set, at.segment, at.segment_elapsed_ms
        in_set = seg.work_index >= 0 and seg.kind not in PAUSES and work is not None
        set_into = session.t_ms() - work.start_ms if in_set and work is not None else -1
        if once("skip", in_set and seg.work_index == 1 and set_into >= 9_000):
            session.skip()  # part of a set, ended by skip
        elif once("back", seg.kind in PAUSES and 2 in recorded and into < 1_500):
            session.back()  # set 2 again: its record is replaced, with updated_at
        elif once("longer", seg.kind in PAUSES and 4 in recorded):
            session.adjust_rest(15_000)
        elif once("shorter", seg.kind in PAUSES and 5 in recorded):
            session.adjust_rest(-15_000)
        elif once("pause", in_set and seg.work_index == 3 and set_into >= 2_000):
            session.pause()
            paused_at = step
        elif once("resume", "pause" in done and step >= paused_at + 10):
            session.resume()
        elif in_set and work is not None and seg.open_ended and set_into >= 20_000:
            session.end_set()  # a test to failure, ended with Enter
        elif once("enter", in_set and seg.work_index == 6 and set_into >= 9_000):
            session.end_set()
        if finish_at is not None and session.t_ms() >= finish_at:
            session.finish()
        for record in session.poll().records:
            history_store.add_set(session_id, record)
            recorded.add(record.work.index)
        if session.state is State.FINISHED:
            break
    history_store.end_session(session_id, "finished", session.ended_at or wall())
    return (history_store.sessions_dir / f"{session_id}.json").read_bytes()


@pytest.fixture(autouse=True)
def known_ids(monkeypatch: pytest.MonkeyPatch) -> None:
    numbers = itertools.count(1)

    def next_id() -> str:
        return str(uuid.UUID(int=next(numbers)))

    monkeypatch.setattr(history, "new_id", next_id)
    monkeypatch.setattr(store, "new_id", next_id)


@pytest.mark.parametrize("program", PROGRAMS, ids=lambda p: p.id)
def test_a_session_is_stored_byte_for_byte_as_before(tmp_path: Path, program: Program) -> None:
    stored = record_session(program, tmp_path)
    assert stored == (FIXTURES / f"{program.id}.json").read_bytes()
    assert stored.count(b'"exercise"') >= 2  # a real session, sets and all


def _write_fixtures() -> None:  # pragma: no cover - run by hand, see the module docstring
    import tempfile

    numbers = itertools.count(1)
    history.new_id = store.new_id = lambda: str(uuid.UUID(int=next(numbers)))  # type: ignore[misc]
    FIXTURES.mkdir(parents=True, exist_ok=True)
    for program in PROGRAMS:
        numbers = itertools.count(1)
        with tempfile.TemporaryDirectory() as folder:
            (FIXTURES / f"{program.id}.json").write_bytes(record_session(program, Path(folder)))


if __name__ == "__main__" and sys.argv[1:] == ["--write"]:
    _write_fixtures()
