"""The end-of-session table: one row per exercise and leg, planned against done.

The plan comes from the timeline (every work set it holds, done or not), what happened from the
set records, so a set skipped or never reached still shows as planned and missing. Kept Qt-free:
the session view lays the rows out, tests check the numbers.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from calftimer.core.catalog import exercise
from calftimer.core.exercise import Mode
from calftimer.core.i18n import N_, _, localized, n_
from calftimer.core.programs import Side
from calftimer.core.session import SetRecord
from calftimer.core.settings import format_load
from calftimer.core.texts import clock_text
from calftimer.core.timeline import Timeline, WorkSet

LEG_NAMES = localized({Side.BOTH: N_("Both"), Side.LEFT: N_("Left"), Side.RIGHT: N_("Right")})
NOT_DONE = "–"  # a planned set that has no record


@dataclass(frozen=True, slots=True)
class SummaryRow:
    """One exercise on one leg (``leg`` "Both" for two-legged work), as the table shows it."""

    exercise: str  # "Single-leg calf raise"
    leg: str  # "Left", "Right" or "Both"
    planned: str  # "2 × 12 reps"
    done: str  # what each set did, "12, 10"; "–" for a set not done
    tut: str  # time under tension, "1:12"; "–" when the exercise has none
    load: str  # "20 kg" or "body weight"
    sets_planned: int
    sets_done: int
    short: bool  # a set fell short of its target or was not done


def _planned(work: WorkSet, sets: int) -> str:
    """``2 × 12 reps``: the sets and the target of each."""
    if work.mode is Mode.TEST:
        return _("{sets} × to failure").format(sets=sets)
    target = work.target
    if work.exercise_id == "jumping_calf_raise":
        text = n_("{sets} × {n} contact", "{sets} × {n} contacts", target)
    elif work.mode is Mode.TIME:
        text = _("{sets} × {n} s")
    elif work.mode is Mode.DISTANCE:
        text = _("{sets} × {n} m")
    else:
        text = n_("{sets} × {n} rep", "{sets} × {n} reps", target)
    return text.format(sets=sets, n=target)


def summary_rows(
    timeline: Timeline, records: Iterable[SetRecord], unit: str = "kg"
) -> list[SummaryRow]:
    """A row per block and leg, in the order they were planned; the latest record of a set
    counts (a set redone after Back is one set)."""
    latest: dict[int, SetRecord] = {r.work.index: r for r in records}
    groups: dict[tuple[int, Side], list[WorkSet]] = {}
    for work in timeline.work_sets:
        groups.setdefault((work.block_index, work.side), []).append(work)
    rows = []
    for sets in groups.values():
        first = sets[0]
        done = [latest.get(w.index) for w in sets]
        values = [str(r.done) if r is not None else NOT_DONE for r in done]
        counts = [r.done for r in done if r is not None]
        shown = ", ".join(values)  # the unit is in the plan beside it
        tut_ms = sum(r.time_under_tension_ms for r in done if r is not None)
        rows.append(
            SummaryRow(
                exercise=exercise(first.exercise_id).local_name,
                leg=LEG_NAMES[first.side],
                planned=_planned(first, len(sets)),
                done=shown,
                tut=clock_text(tut_ms) if tut_ms else NOT_DONE,
                load=format_load(first.load_kg, unit) if first.load_kg else _("body weight"),
                sets_planned=len(sets),
                sets_done=len(counts),
                short=any(
                    r is None or (r.work.mode is not Mode.TEST and r.done < r.work.target)
                    for r in done
                ),
            )
        )
    return rows
