"""Walking a window in the pseudo-locale: every text a user sees or hears from a screen reader,
whether it went through the catalog, and whether it fits its box.

The pseudo-locale (``qps``, made by ``resources/make_catalogs.py``) writes every catalog text as
``[Àççéñţéð ţéẋţ ·~·]``: bracketed, accented, ~40 % longer. A text that still has a plain English
word outside the brackets never went through ``_()``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QAbstractSpinBox,
    QComboBox,
    QGroupBox,
    QLabel,
    QLineEdit,
    QMenu,
    QPlainTextEdit,
    QStatusBar,
    QTabBar,
    QTextEdit,
    QWidget,
)

from calftimer.core import i18n
from calftimer.core.programs import BUILTIN_BY_ID

# Words that stay as they are in every language: the app's name, units and the names of keys
# (Qt writes shortcuts itself: its own catalog translates the few that have words).
KEPT = {
    "calftimer",
    "kg",
    "lb",
    "Ctrl",
    "Shift",
    "Alt",
    "Meta",
    "Esc",
    "PgUp",
    "PgDown",
    "Space",
    "Del",
    "Home",
    "End",
    "Left",
    "Right",
    "Up",
    "Down",
    "Return",
    "Enter",
    "Tab",
    "Media",
    "Play",
    "Pause",
    "Stop",
    "Next",
    "Previous",
    "Toggle",
    "Page",
    "Backspace",
    "Ins",
    "bpm",
    # Qt's own standard buttons: its qtbase catalog translates them, not ours.
    "OK",
    "Cancel",
    "Close",
    "Apply",
    "Reset",
    "Restore",
    "Defaults",
    "Yes",
    "No",
    "Save",
    "Discard",
    "Help",
    "Open",
}
# Ids are data, not words: the editor shows a program's id as it is (``--start foundation``).
KEPT |= set(BUILTIN_BY_ID)
_BRACKETED = re.compile(r"\[[^\[\]]*\]")
_WORD = re.compile(r"[A-Za-z]{2,}")
# Each language is listed by its own name, in every language (cut as the walk cuts words:
# "Español" is "Espa" and "ol" to it).
KEPT |= {
    word
    for language in (*i18n.SHIPPED, *i18n.TRANSLATIONS)
    for word in _WORD.findall(language.native_name)
}
_TAG = re.compile(r"<[^<>]+>|&\w+;")


def english_words(text: str) -> list[str]:
    """The plain English words left in ``text`` once every pseudo-translated part is removed."""
    text = _TAG.sub(" ", text).replace("&", "")
    while True:
        shorter = _BRACKETED.sub(" ", text)
        if shorter == text:
            break
        text = shorter
    return [w for w in _WORD.findall(text) if w not in KEPT]


def _model_texts(view: QAbstractItemView) -> Iterator[str]:
    model = view.model()
    if model is None:
        return

    def walk(parent: QModelIndex, depth: int = 0) -> Iterator[str]:
        if depth > 3:
            return
        for row in range(min(model.rowCount(parent), 200)):
            for column in range(columns if not parent.isValid() else 1):
                index = model.index(row, column, parent)
                for role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
                    value = index.data(role)
                    if isinstance(value, str):
                        yield value
                yield from walk(index, depth + 1)

    try:
        columns = model.columnCount(QModelIndex())
    except TypeError:  # a list model keeps columnCount private
        columns = 1
    for column in range(columns):
        header = model.headerData(column, Qt.Orientation.Horizontal)
        if isinstance(header, str):
            yield header
    yield from walk(QModelIndex())


def widget_texts(widget: QWidget) -> Iterator[tuple[str, str]]:
    """(where, text) for the texts ``widget`` itself shows or tells a screen reader."""
    name = widget.objectName() or type(widget).__name__
    if widget.isWindow():
        yield f"{name} title", widget.windowTitle()
    yield f"{name} tooltip", widget.toolTip()
    yield f"{name} accessible name", widget.accessibleName()
    yield f"{name} accessible description", widget.accessibleDescription()
    if isinstance(widget, QLabel):
        yield f"{name} label", widget.text()
    elif isinstance(widget, QAbstractButton):
        yield f"{name} button", widget.text()
    elif isinstance(widget, QGroupBox):
        yield f"{name} group", widget.title()
    elif isinstance(widget, QComboBox):
        for i in range(widget.count()):
            yield f"{name} item {i}", widget.itemText(i)
            yield (
                f"{name} item {i} tooltip",
                str(widget.itemData(i, Qt.ItemDataRole.ToolTipRole) or ""),
            )
    elif isinstance(widget, QTabBar):
        for i in range(widget.count()):
            yield f"{name} tab {i}", widget.tabText(i)
            yield f"{name} tab {i} tooltip", widget.tabToolTip(i)
    elif isinstance(widget, QLineEdit):
        yield f"{name} placeholder", widget.placeholderText()
    elif isinstance(widget, QAbstractSpinBox):
        yield f"{name} special", widget.specialValueText()
        yield f"{name} suffix", getattr(widget, "suffix", lambda: "")()
        yield f"{name} prefix", getattr(widget, "prefix", lambda: "")()
    elif isinstance(widget, QTextEdit | QPlainTextEdit):
        yield f"{name} text", widget.toPlainText()
        yield f"{name} placeholder", widget.placeholderText()
    elif isinstance(widget, QAbstractItemView):
        for text in _model_texts(widget):
            yield f"{name} item", text
    if isinstance(widget, QMenu):
        yield f"{name} menu", widget.title()
    if isinstance(widget, QStatusBar):
        yield f"{name} status", widget.currentMessage()
    for action in widget.actions():
        yield f"{name} action", action.text()
        yield (
            f"{name} action tooltip",
            action.toolTip() if action.toolTip() != action.text().replace("&", "") else "",
        )
        menu = action.menu()
        if isinstance(menu, QMenu):
            yield from widget_texts(menu)


def untranslated(root: QWidget, *, visible_only: bool = True) -> list[str]:
    """Every text in ``root``'s tree (only what is shown, by default) with English left in it."""
    problems = []
    for widget in [root, *root.findChildren(QWidget)]:
        if visible_only and widget is not root and not widget.isVisibleTo(root):
            continue
        for where, text in widget_texts(widget):
            words = english_words(text)
            if words:
                problems.append(f"{where}: {text!r} ({' '.join(words[:4])})")
    return sorted(set(problems))


def clipped_labels(root: QWidget) -> list[str]:
    """Every visible label and button of ``root`` whose text is wider or taller than its box."""
    problems = []
    for label in root.findChildren(QLabel):
        if not label.isVisibleTo(root) or not label.text().strip():
            continue
        if label.textFormat() == Qt.TextFormat.RichText or "<" in label.text():
            # Rich text wraps or not as its label says; unwrapped, its size hint is its width.
            needed = label.sizeHint()
            if not label.wordWrap() and needed.width() > label.width() + 1:
                problems.append(
                    f"{label.text()[:40]!r}: needs {needed.width()}, has {label.width()}"
                )
            continue
        box = label.contentsRect()
        metrics = label.fontMetrics()
        if label.wordWrap():
            width_needed = max(metrics.horizontalAdvance(w) for w in label.text().split())
            height_needed = label.heightForWidth(label.width())
        else:
            lines = label.text().replace("&", "").splitlines() or [""]
            width_needed = max(metrics.horizontalAdvance(line) for line in lines)
            height_needed = metrics.height() * len(lines)
        if width_needed > box.width() or height_needed > box.height():
            problems.append(
                f"{label.objectName() or label.text()[:40]!r}: needs {width_needed}x"
                f"{height_needed}, has {box.width()}x{box.height()}"
            )
    for button in root.findChildren(QAbstractButton):
        if not button.isVisibleTo(root) or not button.text():
            continue
        text = button.text().replace("&", "")
        needed = button.fontMetrics().horizontalAdvance(text)
        if not button.icon().isNull():
            needed += button.iconSize().width()
        if needed > button.width():
            problems.append(f"button {text[:40]!r}: needs {needed}, has {button.width()}")
    return problems
