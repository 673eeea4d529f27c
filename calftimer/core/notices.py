"""Notice: something the user should be told once (a recovery, a merge, a fallback)."""

from __future__ import annotations

from dataclasses import dataclass

from calftimer.core.i18n import _


@dataclass(frozen=True, slots=True)
class Notice:
    """Something the user should be told once: a recovery, a merge, a read-only store."""

    level: str  # "info", "warning" or "error"
    message: str

    @property
    def level_word(self) -> str:
        """The level as the command line prints it before the message (``warning: ...``), in
        the current language."""
        words = {"info": _("info"), "warning": _("warning"), "error": _("error")}
        return words.get(self.level, self.level)
