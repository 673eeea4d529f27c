"""What the history store and the settings file had to do, put into the notice area.

The store collects ``Notice``s as it opens, repairs, merges and refreshes (calftimer.core.store);
a save can fail; reading the settings file may fall back to defaults. All are told to the user
here, each once, in the one notice area (calftimer.gui.notices).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from calftimer.core.i18n import _, n_
from calftimer.core.notices import Notice
from calftimer.core.store import Store
from calftimer.gui.notices import NoticeBoard


class StoreNotices:
    """Posts each of the store's notices once (they stay until dismissed), and whether saving
    works: a failed save is said at once and stays until a later save works."""

    def __init__(
        self,
        board: NoticeBoard,
        say: Callable[[str], None],
        warn: Callable[[str, str], None],
    ) -> None:
        self._board = board
        self._say = say
        self._warn = warn
        self._shown = 0
        self.store: Store | None = None

    def save_failed(self, message: str) -> None:
        self._board.post(
            "not-saved",
            "error",
            _("Your history was not saved: {message}").format(message=message),
            dismissible=False,  # until a later save works: the user must not miss it
        )
        self.post()
        self._warn(_("Your history was not saved"), message)

    def sets_saved(self, count: int, session_active: bool) -> None:
        self._board.withdraw("not-saved")  # saving works again
        self.post()
        if session_active:
            self._say(n_("Saved {n} set.", "Saved {n} sets.", count).format(n=count))

    def post(self) -> None:
        store = self.store
        if store is None:
            return
        if store.read_only:
            self._board.post(
                "history-read-only",
                "error",
                _(
                    "Your history is read-only: nothing you do now is saved (it was written by a "
                    "newer calftimer). Update calftimer to train."
                ),
                summary=_("Your history is read-only: sessions are not saved."),
                dismissible=False,
            )
        notices = store.notices[self._shown :]
        for number, notice in enumerate(notices, start=self._shown):
            self._board.post(
                f"history:{number}",  # a key, never shown
                _level(notice),
                _("Your history: {message}").format(message=notice.message),
            )
        self._shown += len(notices)


def post_settings_notices(board: NoticeBoard, notices: Iterable[Notice]) -> None:
    """What reading the settings file had to do (defaults for damaged values, a copy kept):
    shown until the settings are saved again."""
    for number, notice in enumerate(notices):
        board.post(
            f"settings:{number}",  # a key, never shown
            _level(notice),
            _("Settings: {message}").format(message=notice.message),
        )


def withdraw_settings_notices(board: NoticeBoard) -> None:
    """The settings were saved: the file is good again."""
    board.withdraw_where(lambda key: key.startswith("settings:"))


def _level(notice: Notice) -> str:
    return notice.level if notice.level in ("error", "warning") else "info"
