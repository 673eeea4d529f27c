"""Notice: something the user should be told once (a recovery, a merge, a fallback)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Notice:
    """Something the user should be told once: a recovery, a merge, a read-only store."""

    level: str  # "info", "warning" or "error"
    message: str
