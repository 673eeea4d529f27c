"""What the history store and the settings file had to do, put into the notice area.

The store collects ``Notice``s as it opens, repairs, merges and refreshes (calftimer.core.store);
reading the settings file may fall back to defaults. Both are told to the user here, each once,
in the one notice area (calftimer.gui.notices).
"""

from __future__ import annotations

from collections.abc import Iterable

from calftimer.core.notices import Notice
from calftimer.core.store import Store
from calftimer.gui.notices import NoticeBoard


class StoreNotices:
    """Posts each of the store's notices once; they stay until dismissed."""

    def __init__(self, board: NoticeBoard) -> None:
        self._board = board
        self._shown = 0

    def post(self, store: Store) -> None:
        if store.read_only:
            self._board.post(
                "history-read-only",
                "error",
                "Your history is read-only: nothing you do now is saved (it was written by a "
                "newer calftimer). Update calftimer to train.",
                summary="Your history is read-only: sessions are not saved.",
                dismissible=False,
            )
        notices = store.notices[self._shown :]
        for number, notice in enumerate(notices, start=self._shown):
            self._board.post(f"history:{number}", _level(notice), f"Your history: {notice.message}")
        self._shown += len(notices)


def post_settings_notices(board: NoticeBoard, notices: Iterable[Notice]) -> None:
    """What reading the settings file had to do (defaults for damaged values, a copy kept):
    shown until the settings are saved again."""
    for number, notice in enumerate(notices):
        board.post(f"settings:{number}", _level(notice), f"Settings: {notice.message}")


def withdraw_settings_notices(board: NoticeBoard) -> None:
    """The settings were saved: the file is good again."""
    board.withdraw_where(lambda key: key.startswith("settings:"))


def _level(notice: Notice) -> str:
    return notice.level if notice.level in ("error", "warning") else "info"
