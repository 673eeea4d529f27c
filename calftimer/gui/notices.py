"""The notice area: everything the user should know right now, in one place, none lost.

A ``NoticeBoard`` holds the active notices, each under a key that names the condition it reports
(``"sound"``, ``"keep-awake"``, ``"program-file:mine.json"``, ...). Posting under a key replaces
what that key said; withdrawing it removes the notice when its condition stops being true (the
sound came back, the damaged file was fixed). Nothing overwrites anything else.

The ``NoticeArea`` shows the board compactly above the home page and the session: one line, the
most important notice first (errors, then warnings, then information; older before newer), with
how many more there are. "Details" opens a ``NoticeDialog`` with every notice in full, each
dismissible where that makes sense; Ctrl+Shift+N (the window's action) opens it from anywhere,
focus mode included. The area is part of the layout, never an overlay, so it never covers the
session's digits.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QPalette, QResizeEvent, QShowEvent
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QDialogButtonBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from calftimer.core.i18n import N_, _, n_

LEVELS: tuple[str, ...] = ("error", "warning", "info")  # most important first
LEVEL_WORDS = {"error": N_("Problem"), "warning": N_("Warning"), "info": N_("Note")}
LEVEL_SIGNS = {"error": "✖", "warning": "⚠", "info": "ℹ"}

# Text on each tint keeps a contrast of at least 7:1 (tests/gui/test_notices.py checks it), the
# sign too, which is drawn in the border's colour; the level is also written out (sign, word),
# so colour is never the only signal.
_TINTS = {
    False: {  # light
        "error": ("#fde7e9", "#8c1d18", "#1a1a1a"),  # background, border, text
        "warning": ("#fff4ce", "#5a3a00", "#1a1a1a"),
        "info": ("#e8f1fb", "#0b3d91", "#1a1a1a"),
    },
    True: {  # dark
        "error": ("#3b1a1c", "#ffaba3", "#f2f2f2"),
        "warning": ("#352a00", "#ffcf70", "#f2f2f2"),
        "info": ("#15263b", "#9cc7ff", "#f2f2f2"),
    },
}


@dataclass(frozen=True, slots=True)
class ActiveNotice:
    key: str
    level: str  # "error", "warning" or "info"
    text: str  # the whole notice, shown on demand
    summary: str  # one line for the notice area
    dismissible: bool
    order: int  # when it was first posted: older notices of one level come first


class NoticeBoard(QObject):
    """The notices that are true now, by key. ``changed`` follows every change."""

    changed = Signal()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._notices: dict[str, ActiveNotice] = {}
        self._dismissed: dict[str, str] = {}  # key -> the text the user dismissed
        self._order = itertools.count()

    def post(
        self,
        key: str,
        level: str,
        text: str,
        *,
        summary: str = "",
        dismissible: bool = True,
    ) -> None:
        """Say ``text`` under ``key`` until it is withdrawn (or dismissed, if allowed).

        Posting the same text again changes nothing: a dismissed notice stays dismissed until
        it says something new."""
        if level not in LEVELS:
            raise ValueError(f"unknown notice level {level!r}; expected one of {LEVELS}")
        text = text.strip()
        summary = (summary or text).strip().splitlines()[0] if (summary or text) else ""
        old = self._notices.get(key)
        if self._dismissed.get(key) == text:
            return
        self._dismissed.pop(key, None)
        order = old.order if old is not None else next(self._order)
        notice = ActiveNotice(key, level, text, summary, dismissible, order)
        if notice != old:
            self._notices[key] = notice
            self.changed.emit()

    def withdraw(self, key: str) -> None:
        """The condition behind ``key`` is over: its notice goes away."""
        self._dismissed.pop(key, None)
        if self._notices.pop(key, None) is not None:
            self.changed.emit()

    def withdraw_where(self, predicate: Callable[[str], bool]) -> None:
        """Withdraw every notice whose key matches (e.g. every damaged program file)."""
        keys = [k for k in self._notices if predicate(k)]
        for key in [k for k in self._dismissed if predicate(k)]:
            del self._dismissed[key]
        for key in keys:
            del self._notices[key]
        if keys:
            self.changed.emit()

    def dismiss(self, key: str) -> None:
        """The user has read it: hide it until it says something new."""
        notice = self._notices.get(key)
        if notice is None or not notice.dismissible:
            return
        del self._notices[key]
        self._dismissed[key] = notice.text
        self.changed.emit()

    def dismiss_all(self) -> None:
        for notice in self.active():
            if notice.dismissible:
                self.dismiss(notice.key)

    def get(self, key: str) -> ActiveNotice | None:
        return self._notices.get(key)

    def keys(self) -> list[str]:
        return [n.key for n in self.active()]

    def active(self) -> list[ActiveNotice]:
        """Every notice shown, the most important first."""
        return sorted(self._notices.values(), key=lambda n: (LEVELS.index(n.level), n.order))


_PALETTE_EVENTS = (QEvent.Type.ApplicationPaletteChange, QEvent.Type.PaletteChange)


def _dark() -> bool:
    return QApplication.palette().color(QPalette.ColorRole.Window).lightness() < 128


def tint(level: str, dark: bool) -> tuple[str, str, str]:
    """Background, border and text colours of a notice of ``level``."""
    return _TINTS[dark][level]


class _ElidedLabel(QLabel):
    """One line that ends in "…" when it does not fit; the whole text is its tooltip."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._full = ""
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.setMinimumWidth(1)
        self.setTextFormat(Qt.TextFormat.PlainText)

    def full_text(self) -> str:
        return self._full

    def set_full_text(self, text: str) -> None:
        self._full = text
        self.setToolTip(text)
        self.setAccessibleName(text)
        self._elide()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._elide()

    def _elide(self) -> None:
        elided = self.fontMetrics().elidedText(
            self._full, Qt.TextElideMode.ElideRight, max(1, self.width())
        )
        if elided != self.text():
            self.setText(elided)


class NoticeArea(QFrame):
    """One line above the page: the most important notice, how many more, Details, Dismiss."""

    details_requested = Signal()

    def __init__(self, board: NoticeBoard, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("noticeArea")
        self.setAccessibleName(_("Notices"))
        self._board = board
        self._level = ""
        self._dark = False
        self.sign_label = QLabel()
        self.sign_label.setObjectName("noticeSign")
        # Larger than the text: the signs' strokes are thin, and a thin stroke blurred by
        # anti-aliasing would not reach the colour's contrast.
        sign_font = self.sign_label.font()
        sign_font.setPointSizeF(sign_font.pointSizeF() * 1.4)
        self.sign_label.setFont(sign_font)
        self.text_label = _ElidedLabel()
        self.text_label.setObjectName("noticeText")
        self.more_label = QLabel()
        self.more_label.setObjectName("noticeMore")
        self.details_button = QPushButton(_("&Details…"))
        self.details_button.setObjectName("noticeDetails")
        self.details_button.setToolTip(_("Every notice in full (Ctrl+Shift+N)"))
        self.details_button.clicked.connect(self.details_requested.emit)
        self.dismiss_button = QPushButton(_("Dis&miss"))
        self.dismiss_button.setObjectName("noticeDismiss")
        self.dismiss_button.setToolTip(_("Hide this notice (it comes back if something changes)"))
        self.dismiss_button.clicked.connect(self._dismiss_top)
        row = QHBoxLayout(self)
        row.setContentsMargins(8, 3, 4, 3)
        row.addWidget(self.sign_label)
        row.addWidget(self.text_label, 1)
        row.addWidget(self.more_label)
        row.addWidget(self.details_button)
        row.addWidget(self.dismiss_button)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)
        board.changed.connect(self.refresh)
        self.refresh()

    def top(self) -> ActiveNotice | None:
        notices = self._board.active()
        return notices[0] if notices else None

    def summary_text(self) -> str:
        """What the line says, in full (it may be elided on screen)."""
        return self.text_label.full_text()

    def refresh(self) -> None:
        notices = self._board.active()
        if not notices:
            self.text_label.set_full_text("")
            self.hide()
            return
        top = notices[0]
        self.sign_label.setText(LEVEL_SIGNS[top.level])
        self.sign_label.setAccessibleName(_(LEVEL_WORDS[top.level]))
        self.text_label.set_full_text(
            _("{level}: {summary}").format(level=_(LEVEL_WORDS[top.level]), summary=top.summary)
        )
        more = len(notices) - 1
        self.more_label.setText(_("+{more} more").format(more=more) if more else "")
        self.more_label.setVisible(bool(more))
        self.more_label.setAccessibleName(
            n_("{n} more notice", "{n} more notices", more).format(n=more) if more else ""
        )
        self.details_button.setAccessibleName(
            n_("Show all {n} notice", "Show all {n} notices", len(notices)).format(n=len(notices))
            if more
            else _("Show the whole notice")
        )
        self.dismiss_button.setVisible(top.dismissible)
        self.dismiss_button.setAccessibleName(_("Dismiss: {summary}").format(summary=top.summary))
        self.setAccessibleDescription(
            n_(
                "{n} notice; the most important: {summary}",
                "{n} notices; the most important: {summary}",
                len(notices),
            ).format(n=len(notices), summary=top.summary)
        )
        self._paint(top.level)
        self.show()

    def apply_scheme(self) -> None:
        """Follow the light or dark theme. A widget with a style sheet hears of a new palette
        only sometimes (a desktop's dark mode: yes; QApplication.setPalette: no), so the window
        calls this when its theme setting changes."""
        if self._level:
            level, self._level = self._level, ""
            self._paint(level)

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        # The theme changed (settings, or the desktop's dark mode). Only a change between light
        # and dark repaints: our own style sheet change also arrives here.
        if event.type() in _PALETTE_EVENTS and self._level and _dark() != self._dark:
            self.apply_scheme()

    def _paint(self, level: str) -> None:
        dark = _dark()
        if level == self._level and dark == self._dark:
            return
        self._level, self._dark = level, dark
        background, border, text = tint(level, dark)
        self.setStyleSheet(
            f"#noticeArea {{ background: {background}; border-bottom: 2px solid {border}; }}"
            f" #noticeArea QLabel {{ color: {text}; }}"
            f" #noticeArea #noticeSign {{ color: {border}; font-weight: bold; }}"
        )

    def _dismiss_top(self) -> None:
        top = self.top()
        if top is not None:
            self._board.dismiss(top.key)


class NoticeDialog(QDialog):
    """Every active notice in full, the most important first; it follows the board live."""

    def __init__(self, board: NoticeBoard, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(_("Notices"))
        self._board = board
        self._dark = False
        self._list = QWidget()
        self._rows = QVBoxLayout(self._list)
        self._rows.setContentsMargins(0, 0, 0, 0)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(self._list)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        self.empty_label = QLabel(_("Nothing to report: all is well."))
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.dismiss_all_button = buttons.addButton(
            _("Dismiss a&ll"), QDialogButtonBox.ButtonRole.ActionRole
        )
        self.dismiss_all_button.clicked.connect(board.dismiss_all)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.empty_label)
        layout.addWidget(scroll, 1)
        layout.addWidget(buttons)
        chars = self.fontMetrics().averageCharWidth()
        self.setMinimumWidth(chars * 70)
        self.resize(chars * 110, self.fontMetrics().height() * 34)
        board.changed.connect(self._rebuild)
        self._rebuild()

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() in _PALETTE_EVENTS and _dark() != self._dark:
            self._rebuild()  # the tints follow the theme

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if _dark() != self._dark:
            self._rebuild()  # the theme changed while it was closed

    def texts(self) -> list[str]:
        """Each notice as shown here (for reading it back, and for tests)."""
        return [
            _("{level}: {summary}").format(level=_(LEVEL_WORDS[n.level]), summary=n.text)
            for n in self._board.active()
        ]

    def _rebuild(self) -> None:
        while self._rows.count():
            item = self._rows.takeAt(0)
            if item is not None and item.widget() is not None:
                item.widget().deleteLater()
        notices = self._board.active()
        self.empty_label.setVisible(not notices)
        self.dismiss_all_button.setEnabled(any(n.dismissible for n in notices))
        dark = self._dark = _dark()
        for notice in notices:
            background, border, text = tint(notice.level, dark)
            box = QFrame()
            box.setObjectName("noticeBox")
            box.setStyleSheet(
                f"#noticeBox {{ background: {background}; border-left: 4px solid {border}; }}"
                f" #noticeBox QLabel {{ color: {text}; }}"
            )
            row = QHBoxLayout(box)
            label = QLabel(
                "{} {}".format(
                    LEVEL_SIGNS[notice.level],
                    _("{level}: {summary}").format(
                        level=_(LEVEL_WORDS[notice.level]), summary=notice.text
                    ),
                )
            )
            label.setWordWrap(True)
            label.setTextFormat(Qt.TextFormat.PlainText)
            label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            row.addWidget(label, 1)
            if notice.dismissible:
                button = QPushButton(_("Dismiss"))
                button.setAccessibleName(_("Dismiss: {summary}").format(summary=notice.summary))
                button.clicked.connect(lambda _=False, key=notice.key: self._board.dismiss(key))
                row.addWidget(button, 0, Qt.AlignmentFlag.AlignTop)
            self._rows.addWidget(box)
        self._rows.addStretch(1)
