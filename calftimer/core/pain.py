"""Pain ratings: which session still needs a next-morning rating, and when to ask.

The pain-monitoring model the progression rule uses (``../shared/domain.md``) needs two
numbers per session: pain during it (0-10, asked on the summary) and the next morning (asked on
the first start of a later day). The prompt is dismissable and never shown twice in one day.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, datetime, timedelta, tzinfo
from typing import Any

from calftimer.core.volume import parse_instant

ASK_WITHIN_DAYS = 2  # a session older than the day before yesterday is not asked about


def next_morning_candidate(
    sessions: Iterable[Mapping[str, Any]], now: datetime, tz: tzinfo | None = None
) -> Mapping[str, Any] | None:
    """The latest session with sets, started on an earlier local day (at most
    ``ASK_WITHIN_DAYS`` ago), that has no next-morning rating yet; else None. A later session
    on the same earlier day replaces an earlier one: the morning after counts the whole day."""
    today = now.astimezone(tz).date()
    latest: tuple[datetime, Mapping[str, Any]] | None = None
    for session in sessions:
        if not session["sets"]:
            continue
        start = parse_instant(session["started_at"])
        day = start.astimezone(tz).date()
        if not today - timedelta(days=ASK_WITHIN_DAYS) <= day < today:
            continue
        if latest is None or start > latest[0]:
            latest = (start, session)
    if latest is None:
        return None
    session = latest[1]
    if any(p["when"] == "next_morning" for p in session["pain"]):
        return None
    return session


def should_ask(last_asked: date | None, today: date) -> bool:
    """Never more than once a day, whatever the answer was."""
    return last_asked is None or last_asked < today


def latest_ratings(session: Mapping[str, Any]) -> dict[str, int]:
    """The last rating of each kind ("during", "next_morning") a session has."""
    ratings: dict[str, int] = {}
    for pain in sorted(session["pain"], key=lambda p: p["recorded_at"]):
        ratings[pain["when"]] = pain["rating"]
    return ratings
