"""Training volume from the history: weekly totals per exercise and leg, trends and spikes.

The history view charts what this module computes; it owns the counting rules
(``../shared/domain.md``, "Volume metrics"):

- **reps**: reps done in rep sets and the heel-rise test; pogo jumps are not reps but
  **contacts** (ground contacts), their own metric;
- **tut** (time under tension, in seconds): what each set recorded (reps x tempo, or seconds
  held);
- **load** (kg x reps): only sets with added load (shown in the user's unit:
  ``display_amount``);
- **sets**: sets done.
- **Per leg**: a set on one leg counts for that leg; a two-leg set counts for both.
- **Weeks** are ISO weeks (Monday to Sunday) in the user's time zone, by the local date a
  session started (a session that runs past midnight on Sunday stays in its week).

``VolumeTable.build`` reads every set once and keeps all five metrics per week, exercise and
side, so switching metric, range or the per-leg view only reads the table (the 100 ms target
for a switch on twenty years of history). ``spikes`` flags sessions above 110 % of the largest
session of the previous 30 days: information, never an injury warning.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta, tzinfo
from typing import Any

from calftimer.core.catalog import CATALOG
from calftimer.core.i18n import N_, _
from calftimer.core.settings import KG_PER_LB

METRICS: tuple[str, ...] = ("reps", "tut", "load", "sets", "contacts")
METRIC_NAMES: Mapping[str, str] = {
    "reps": N_("Reps"),
    "tut": N_("Time under tension (min)"),
    "load": N_("Load volume (kg × reps)"),
    "sets": N_("Sets"),
    "contacts": N_("Jump ground contacts"),
}
METRIC_UNITS: Mapping[str, str] = {
    "reps": N_("reps"),
    "tut": N_("min"),
    "load": N_("kg × reps"),
    "sets": N_("sets"),
    "contacts": N_("contacts"),
}
CONTACT_EXERCISES = frozenset({"jumping_calf_raise"})
LEGS: tuple[str, ...] = ("left", "right")
ROLLING_WEEKS = 4
SPIKE_WINDOW = timedelta(days=30)
SPIKE_AMBER, SPIKE_RED = 1.10, 1.30  # above 110 %: amber; above 130 %: red

_REPS, _TUT, _LOAD, _SETS, _CONTACTS = range(5)
_EXERCISE_ORDER = {exercise_id: rank for rank, exercise_id in enumerate(CATALOG)}


def metric_name(metric: str, weight_unit: str = "kg") -> str:
    """The metric's axis title in the user's weight unit (``Load volume (lb × reps)``)."""
    if metric == "load":
        return _("Load volume ({unit} × reps)").format(unit=weight_unit)
    return _(METRIC_NAMES[metric])


def metric_unit(metric: str, weight_unit: str = "kg", *, english: bool = False) -> str:
    """The unit of the metric's amounts as shown: ``min`` for tut, ``lb × reps`` in pounds
    (``english``: as a file for other programs writes it, whatever the language)."""
    if metric == "load":
        return f"{weight_unit} × reps" if english else _("{unit} × reps").format(unit=weight_unit)
    return METRIC_UNITS[metric] if english else _(METRIC_UNITS[metric])


def display_amount(value: float, metric: str, weight_unit: str = "kg") -> float:
    """A stored amount in the unit it is shown in: tut in minutes (stored in seconds), load
    volume in the user's weight unit (stored in kg × reps; not rounded, it is a sum)."""
    if metric == "tut":
        return value / 60
    if metric == "load" and weight_unit == "lb":
        return value / KG_PER_LB
    return value


def set_amounts(s: Mapping[str, Any]) -> tuple[float, float, float, float, float]:
    """The five metrics of one stored set, in ``METRICS`` order (tut in seconds)."""
    done = float(s["done"])
    contacts = s["exercise"] in CONTACT_EXERCISES
    reps = done if s["mode"] in ("reps", "test") and not contacts else 0.0
    load = reps * s["load_kg"] if s["load_kg"] > 0 else 0.0
    return (reps, float(s["tut_s"]), load, 1.0, done if contacts else 0.0)


def monday_of(moment: datetime, tz: tzinfo | None) -> date:
    """The Monday starting the ISO week of ``moment`` in ``tz`` (None: the machine's zone)."""
    local = moment.astimezone(tz).date()
    return local - timedelta(days=local.weekday())


def parse_instant(text: str) -> datetime:
    """A stored instant (ISO 8601 with an offset); a naive one is taken as UTC."""
    moment = datetime.fromisoformat(text)
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


@dataclass
class WeekSeries:
    """What the chart draws for one metric, range and leg view.

    ``weeks`` are consecutive Mondays, empty weeks included. ``stacks`` maps each series (an
    exercise id, or ``(exercise id, leg)`` in the per-leg view) to one value per week.
    ``totals`` per week (per leg: both legs added), ``rolling`` the average of the last
    ``ROLLING_WEEKS`` weeks' totals (fewer at the start of the range's data), ``change`` the
    change from the week before as a fraction (None after an empty week).
    """

    metric: str
    per_leg: bool
    weeks: list[date]
    stacks: dict[Any, list[float]]
    totals: list[float]
    rolling: list[float]
    change: list[float | None]
    leg_totals: dict[str, list[float]] = field(default_factory=dict)

    @property
    def empty(self) -> bool:
        return not any(self.totals)


class VolumeTable:
    """Every metric per ISO week, exercise and side, built in one pass over the history."""

    def __init__(self, tz: tzinfo | None = None) -> None:
        self.tz = tz
        # week -> (exercise, side) -> five amounts
        self._weeks: dict[date, dict[tuple[str, str], list[float]]] = {}
        self._sessions_by_week: dict[date, list[str]] = {}
        self.exercises: list[str] = []

    @classmethod
    def build(cls, sessions: Iterable[Mapping[str, Any]], tz: tzinfo | None = None) -> VolumeTable:
        table = cls(tz)
        for session in sessions:
            table.add_session(session)
        return table

    def add_session(self, session: Mapping[str, Any]) -> None:
        sets = session["sets"]
        if not sets:
            return
        week = monday_of(parse_instant(session["started_at"]), self.tz)
        cells = self._weeks.setdefault(week, {})
        self._sessions_by_week.setdefault(week, []).append(session["id"])
        seen = set(self.exercises)
        for s in sets:
            key = (s["exercise"], s["side"])
            amounts = set_amounts(s)
            cell = cells.get(key)
            if cell is None:
                cells[key] = list(amounts)
            else:
                for i in range(5):
                    cell[i] += amounts[i]
            if s["exercise"] not in seen:
                seen.add(s["exercise"])
                self.exercises.append(s["exercise"])
        self.exercises.sort(key=lambda e: (_EXERCISE_ORDER.get(e, len(_EXERCISE_ORDER)), e))

    @property
    def first_week(self) -> date | None:
        return min(self._weeks, default=None)

    @property
    def last_week(self) -> date | None:
        return max(self._weeks, default=None)

    def session_ids(self, week: date) -> list[str]:
        return list(self._sessions_by_week.get(week, []))

    def series(
        self,
        metric: str,
        *,
        per_leg: bool = False,
        first: date | None = None,
        last: date | None = None,
    ) -> WeekSeries:
        """The chart's data for ``metric`` from the Monday ``first`` to ``last`` (default: the
        whole history)."""
        index = METRICS.index(metric)
        first = first or self.first_week
        last = last or self.last_week
        if first is None or last is None or last < first:
            return WeekSeries(metric, per_leg, [], {}, [], [], [])
        # Start the rolling average with the weeks before the range, so it does not restart.
        start = self.first_week
        if start is None:  # not reached: first is None then too
            raise RuntimeError("internal error: weeks without a first week")
        lead = [first - timedelta(weeks=k) for k in range(ROLLING_WEEKS - 1, 0, -1)]
        lead = [week for week in lead if week >= start]  # not the empty weeks before any data
        count = (last - first).days // 7 + 1
        weeks = [first + timedelta(weeks=k) for k in range(count)]
        stacks: dict[Any, list[float]] = {}
        leg_totals = {leg: [0.0] * count for leg in LEGS}
        totals = [0.0] * count
        for i, week in enumerate(weeks):
            for (exercise, side), cell in self._weeks.get(week, {}).items():
                value = cell[index]
                if not value:
                    continue
                totals[i] += value
                if per_leg:
                    for leg in LEGS if side == "both" else (side,):
                        stacks.setdefault((exercise, leg), [0.0] * count)[i] += value
                        leg_totals[leg][i] += value
                else:
                    stacks.setdefault(exercise, [0.0] * count)[i] += value
        if per_leg:
            totals = [leg_totals["left"][i] + leg_totals["right"][i] for i in range(count)]
        before = [self._total(week, index, per_leg) for week in lead]
        rolling = rolling_average(before + totals, ROLLING_WEEKS)[len(before) :]
        ordered = dict(sorted(stacks.items(), key=lambda item: self._series_order(item[0])))
        return WeekSeries(
            metric,
            per_leg,
            weeks,
            ordered,
            totals,
            rolling,
            week_change(totals),
            leg_totals if per_leg else {},
        )

    def _total(self, week: date, index: int, per_leg: bool) -> float:
        total = 0.0
        for (_exercise, side), cell in self._weeks.get(week, {}).items():
            total += cell[index] * (2 if per_leg and side == "both" else 1)
        return total

    def _series_order(self, key: Any) -> tuple[int, int]:
        exercise, leg = key if isinstance(key, tuple) else (key, "")
        rank = self.exercises.index(exercise) if exercise in self.exercises else len(self.exercises)
        return rank, (LEGS.index(leg) if leg in LEGS else -1)


def rolling_average(values: Sequence[float], window: int) -> list[float]:
    """Trailing mean over up to ``window`` values (fewer at the start)."""
    out = []
    running = 0.0
    for i, value in enumerate(values):
        running += value
        if i >= window:
            running -= values[i - window]
        out.append(running / min(i + 1, window))
    return out


def week_change(totals: Sequence[float]) -> list[float | None]:
    """Change from the week before as a fraction (0.25 = +25 %); None for the first week and
    after a week with nothing."""
    return [None] + [
        (totals[i] - totals[i - 1]) / totals[i - 1] if totals[i - 1] else None
        for i in range(1, len(totals))
    ]


@dataclass(frozen=True, slots=True)
class Spike:
    """A session well above the largest of the previous 30 days (for information)."""

    session_id: str
    started_at: datetime
    value: float
    reference: float  # the largest session of the 30 days before it
    level: str  # "amber" (over 110 %, up to 130 %) or "red" (over 130 %)

    @property
    def ratio(self) -> float:
        return self.value / self.reference


def session_totals(
    sessions: Iterable[Mapping[str, Any]], metric: str
) -> list[tuple[datetime, str, float]]:
    """``(start, session id, total of metric)`` for every session with sets, in time order."""
    index = METRICS.index(metric)
    out = [
        (parse_instant(s["started_at"]), s["id"], sum(set_amounts(x)[index] for x in s["sets"]))
        for s in sessions
        if s["sets"]
    ]
    out.sort(key=lambda item: item[0])
    return out


def spikes(sessions: Iterable[Mapping[str, Any]], metric: str) -> list[Spike]:
    """Sessions above ``SPIKE_AMBER`` x the largest session of the 30 days before them.

    A session with nothing in the 30 days before it has no reference and is never flagged (a
    return after a break is not a spike by this rule; the weekly change shows it)."""
    totals = session_totals(sessions, metric)
    starts = [start for start, _session, _value in totals]
    found = []
    for i, (start, session_id, value) in enumerate(totals):
        lo = bisect.bisect_left(starts, start - SPIKE_WINDOW)
        reference = max((v for _start, _session, v in totals[lo:i]), default=0.0)
        if reference <= 0 or value <= SPIKE_AMBER * reference:
            continue
        level = "red" if value > SPIKE_RED * reference else "amber"
        found.append(Spike(session_id, start, value, reference, level))
    return found
