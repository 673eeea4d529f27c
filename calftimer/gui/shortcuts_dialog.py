"""The keyboard shortcuts, grouped as the menus are, in columns that fit a small laptop screen.

A single list (the first build's message box) was 766 px tall on a 768 px screen. Here the
groups flow into two columns; the dialog asks for no more than 85 % of the screen's free area
and scrolls inside that on a smaller screen, so its buttons stay reachable.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from html import escape

from PySide6.QtCore import QRect, QSize, Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from calftimer.core.i18n import _

SCREEN_SHARE = 0.85  # of the free area, at most
KEYS_CHARS, WHAT_CHARS = 18, 40  # column widths, in average characters; longer text wraps
Group = tuple[str, Sequence[tuple[str, str]]]  # a heading, then (keys, what they do) rows


def short_description(tip: str, menu_text: str) -> str:
    """What an action does in one line: its tooltip without the keys it lists at its end (they
    have their own column), or its menu text when the tooltip would not fit on one line."""
    text = re.sub(r"\s*\([^()]*\)\s*$", "", tip).strip()
    if text and len(text) <= WHAT_CHARS:
        return text
    return menu_text.replace("&", "").rstrip("…").strip() or text


def keyed_groups(
    menu_entries: Sequence[QAction], window_actions: Sequence[QAction]
) -> list[tuple[str, list[tuple[str, str]]]]:
    """The actions that have keys, grouped by the menu they are in (``menu_entries``: the menu
    bar's entries), the session's first; keyed ``window_actions`` in no menu join that group."""

    def keys(act: QAction) -> str:
        texts = [k.toString(QKeySequence.SequenceFormat.NativeText) for k in act.shortcuts()]
        return ", ".join(k for k in texts if k)

    groups: list[tuple[str, list[tuple[str, str]]]] = []
    listed: set[QAction] = set()
    for entry in menu_entries:
        menu = entry.menu()
        rows = []
        for act in menu.actions() if menu is not None else []:
            if keys(act) and act not in listed:
                listed.add(act)
                rows.append((keys(act), short_description(act.toolTip(), act.text())))
        if rows:
            groups.append((entry.text().replace("&", ""), rows))
    groups.sort(key=lambda group: group[0] != "Session")
    others = [
        (keys(act), short_description(act.toolTip(), act.text()))
        for act in window_actions
        if keys(act) and act not in listed
    ]
    if others and groups:
        groups[0][1].extend(others)
    elif others:
        groups.append(("Other", others))
    return groups


class ShortcutsDialog(QDialog):
    def __init__(self, groups: Sequence[Group], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(_("Keyboard shortcuts"))
        self.setObjectName("shortcutsDialog")
        self._groups = list(groups)
        columns = _split_in_two(self._groups)
        self.content = QWidget()
        row = QHBoxLayout(self.content)
        row.setSpacing(self.fontMetrics().averageCharWidth() * 4)
        for column in columns:
            row.addLayout(self._column(column), 1)
        self.scroll = QScrollArea()
        self.scroll.setWidget(self.content)
        self.scroll.setWidgetResizable(True)
        self.scroll.setFrameShape(QFrame.Shape.NoFrame)
        self.scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.scroll, 1)
        layout.addWidget(buttons)
        self._buttons = buttons

    def rows(self) -> list[tuple[str, str]]:
        return [r for _title, rows in self._groups for r in rows]

    def natural_size(self) -> QSize:
        """What the dialog needs to show everything without scrolling."""
        margins = self.layout().contentsMargins()
        content = self.content.sizeHint()
        buttons = self._buttons.sizeHint()
        width = max(content.width(), buttons.width()) + margins.left() + margins.right()
        height = (
            content.height()
            + self.layout().spacing()
            + buttons.height()
            + margins.top()
            + margins.bottom()
        )
        return QSize(width, height)

    def size_for(self, available: QRect) -> QSize:
        """The natural size, but never more than ``SCREEN_SHARE`` of ``available``."""
        natural = self.natural_size()
        return QSize(
            min(natural.width(), int(available.width() * SCREEN_SHARE)),
            min(natural.height(), int(available.height() * SCREEN_SHARE)),
        )

    def sizeHint(self) -> QSize:
        screen = self.screen()
        if screen is None:
            return self.natural_size()
        return self.size_for(screen.availableGeometry())

    def _wrapped(self, text: str, chars: int, *, bold: bool = False) -> QLabel:
        """A label ``chars`` average characters wide that wraps, tall enough for its lines (so
        the dialog's size is known before it is shown)."""
        label = QLabel(text)
        label.setTextFormat(Qt.TextFormat.PlainText)
        label.setWordWrap(True)
        if bold:
            font = label.font()
            font.setBold(True)
            label.setFont(font)
        metrics = label.fontMetrics()
        # Never narrower than its longest word: a key sequence does not wrap, and Qt writes
        # some long in other languages ("Control+Mayúsculas+E" for Ctrl+Shift+E in Spanish).
        longest = max((metrics.horizontalAdvance(word) for word in text.split()), default=0)
        width = max(metrics.averageCharWidth() * chars, longest)
        label.setFixedWidth(width)
        label.setMinimumHeight(label.heightForWidth(width))
        label.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        return label

    def _column(self, groups: Sequence[Group]) -> QVBoxLayout:
        column = QVBoxLayout()
        for title, rows in groups:
            heading = QLabel(_("<b>{escape}</b>").format(escape=escape(title)))
            heading.setTextFormat(Qt.TextFormat.RichText)
            column.addWidget(heading)
            grid = QGridLayout()
            grid.setHorizontalSpacing(self.fontMetrics().averageCharWidth() * 2)
            grid.setVerticalSpacing(2)
            for i, (keys, what) in enumerate(rows):
                grid.addWidget(self._wrapped(keys, KEYS_CHARS, bold=True), i, 0)
                grid.addWidget(self._wrapped(what, WHAT_CHARS), i, 1)
            grid.setColumnStretch(1, 1)
            column.addLayout(grid)
            column.addSpacing(self.fontMetrics().height() // 2)
        column.addStretch(1)
        return column


def _split_in_two(groups: Sequence[Group]) -> list[list[Group]]:
    """Two columns of whole groups, as even in rows as the order allows."""
    weights = [len(rows) + 2 for _title, rows in groups]  # a heading and a gap count too
    total, best, split = sum(weights), None, len(groups)
    running = 0
    for i, weight in enumerate(weights):
        running += weight
        difference = abs(total - 2 * running)
        if best is None or difference < best:
            best, split = difference, i + 1
    return [list(groups[:split]), list(groups[split:])]
