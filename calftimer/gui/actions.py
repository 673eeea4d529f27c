"""Every command of the window, declared once: its text, keys, tip and menu.

``ACTIONS`` is the one table; ``WindowActions`` makes a ``QAction`` of each entry on the window
(so its keys work wherever the focus is), puts it in its menu in the table's order, and connects
it to the handler the window passes under the same name. The shortcuts dialog and the README's
table are read off these actions, so no key is listed anywhere else.

Presenter clickers send Page Up/Down, B or "." (blank screen) and F5 (start); media keys come
from headsets and keyboards.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import NamedTuple

from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMainWindow, QMenu

from calftimer.core.i18n import N_, _

# Keys are QKeySequence's portable names ("Ctrl+E", "Media Play"), not Qt.Key values: reading
# this table touches no Qt enum, so the window's first frame can show the menus before the
# rest is built (PySide6 makes the Qt namespace's enums, ~15 ms, the first time one is used).
Key = str


# A NamedTuple, not a dataclass: nothing else before the first frame needs ``dataclasses``.
class ActionSpec(NamedTuple):
    name: str  # the handler's name, and how the window finds the action
    text: str
    keys: tuple[Key, ...]
    tip: str
    menu: str | None  # None: a key only (Esc)
    checkable: bool = False  # the menu shows its state (mute, focus mode)
    separated: bool = False  # a separator comes before it in its menu


MENUS: tuple[tuple[str, str], ...] = (
    ("File", N_("&File")),
    ("Session", N_("&Session")),
    ("Programs", N_("&Programs")),
    ("View", N_("&View")),
    ("Help", N_("&Help")),
)

ACTIONS: tuple[ActionSpec, ...] = (
    # File
    ActionSpec(
        "import_file",
        N_("&Import backup or program…"),
        ("Ctrl+I",),
        N_("Merge a calftimer backup or add a program file; shows what it adds first"),
        "File",
    ),
    ActionSpec(
        "export_json",
        N_("Export &backup (JSON)…"),
        ("Ctrl+E",),
        N_("Save your whole history and programs as one JSON file"),
        "File",
    ),
    ActionSpec(
        "export_csv",
        N_("Export for sp&readsheets (CSV)…"),
        (),
        N_("One row per set, in the columns other training apps read"),
        "File",
    ),
    ActionSpec(
        "open_settings",
        N_("&Settings…"),
        ("Ctrl+,",),
        N_("Countdown, get-ready time, voice, volumes, sounds, units, screen, theme"),
        "File",
        separated=True,
    ),
    ActionSpec(
        "quit",
        N_("&Quit"),
        ("Ctrl+Q",),
        N_("Quit calftimer (mid-session: asks first)"),
        "File",
    ),
    # Session
    ActionSpec(
        "start_or_resume",
        N_("Sta&rt or resume"),
        ("F5", "Media Play"),
        N_("Start the selected program, or resume a paused session (F5, media play)"),
        "Session",
    ),
    ActionSpec(
        "toggle_pause",
        N_("&Pause / resume"),
        ("Space", "B", ".", "Toggle Media Play/Pause"),
        N_("Pause or resume the session (Space; clicker B or .; media play/pause)"),
        "Session",
    ),
    ActionSpec(
        "pause_only",
        N_("Pa&use"),
        ("Media Pause",),
        N_("Pause the session, never resume it (media pause)"),
        "Session",
    ),
    ActionSpec(
        "back",
        N_("&Back"),
        ("Left", "PgUp", "Media Previous"),
        N_("Restart this step, or go back one (Left, Page Up, media previous)"),
        "Session",
    ),
    ActionSpec(
        "skip",
        N_("&Skip"),
        ("Right", "PgDown", "Media Next"),
        N_("Skip to the next step (Right, Page Down, media next)"),
        "Session",
    ),
    ActionSpec(
        "end_set",
        N_("&End set"),
        ("Return", "Enter"),
        N_("End the current set"),
        "Session",
    ),
    ActionSpec(
        "more_rest",
        N_("&More rest (+15 s)"),
        ("+", "="),
        N_("Add 15 s to the current rest"),
        "Session",
    ),
    ActionSpec(
        "less_rest",
        N_("&Less rest (−15 s)"),
        ("-",),
        N_("Remove 15 s from the current rest"),
        "Session",
    ),
    ActionSpec(
        "stop",
        N_("S&top session…"),
        ("Ctrl+W",),
        N_("Stop the session (asks first; Esc)"),
        "Session",
    ),
    ActionSpec(
        "show_home",
        N_("Back to pro&grams"),
        ("Ctrl+Home",),
        N_("Leave a finished session for the program list (also Esc or Enter there)"),
        "Session",
    ),
    ActionSpec(
        "toggle_mute",
        N_("Mute &cues"),
        ("M",),
        N_("Silence the cues and voice (M)"),
        "Session",
        checkable=True,
        separated=True,
    ),
    # Programs
    ActionSpec(
        "new_program",
        N_("&New program"),
        ("Ctrl+N",),
        N_("Make a new program of your own"),
        "Programs",
    ),
    ActionSpec(
        "duplicate_program",
        N_("&Duplicate program"),
        ("Ctrl+D",),
        N_("Copy the selected program to change it"),
        "Programs",
    ),
    ActionSpec(
        "edit_program",
        N_("&Edit program…"),
        ("Ctrl+Shift+E",),
        N_("Edit the selected program"),
        "Programs",
    ),
    ActionSpec(
        "delete_program",
        N_("De&lete program"),
        ("Del",),
        N_("Delete the selected program of yours (undo: Ctrl+Z)"),
        "Programs",
    ),
    ActionSpec(
        "undo_delete",
        N_("&Undo delete"),
        ("Ctrl+Z",),
        N_("Bring back the program deleted last"),
        "Programs",
    ),
    ActionSpec(
        "import_program",
        N_("&Import program file…"),
        (),
        N_("Add a program from a calftimer program file"),
        "Programs",
        separated=True,
    ),
    ActionSpec(
        "export_program",
        N_("E&xport program file…"),
        (),
        N_("Save the selected program as a file to share"),
        "Programs",
    ),
    # View
    ActionSpec(
        "show_history",
        N_("&History"),
        ("Ctrl+H",),
        N_("Weekly volume, left and right, and trends (Ctrl+H)"),
        "View",
    ),
    ActionSpec(
        "toggle_focus_mode",
        N_("&Focus mode"),
        ("F11",),
        N_("Full screen, session view only (F11; Esc leaves)"),
        "View",
        checkable=True,
    ),
    # Help
    ActionSpec(
        "show_shortcuts",
        N_("&Keyboard shortcuts"),
        ("?",),
        N_("Show every keyboard shortcut"),
        "Help",
    ),
    ActionSpec(
        "show_notices",
        N_("&Notices…"),
        ("Ctrl+Shift+N",),
        N_("Every notice in full: sound, screen, damaged files, recoveries (Ctrl+Shift+N)"),
        "Help",
    ),
    ActionSpec(
        "show_about",
        N_("&About calftimer"),
        (),
        N_("Version and data folder"),
        "Help",
    ),
    # Keys only
    ActionSpec(
        "escape",
        N_("Leave focus mode or stop"),
        ("Esc",),
        N_("Leave focus mode, or stop the session (asks first)"),
        None,
    ),
)

SESSION_ACTIONS = ("toggle_pause", "skip", "back", "more_rest", "less_rest", "end_set", "stop")
"""Enabled only while a session runs on screen (End set also leaves a summary)."""
PROGRAM_ACTIONS = ("new_program", "duplicate_program", "edit_program", "delete_program")
"""Enabled only on the program list, where the program they act on is seen."""
HISTORY_ACTIONS = ("export_json", "export_csv", "import_file")
"""Enabled once the history is open (import: unless it is read-only)."""


def add_menus(window: QMainWindow) -> dict[str, QMenu]:
    """The window's menus, still empty, by key: the first frame shows them (WindowActions
    fills them once the window is built)."""
    return {key: window.menuBar().addMenu(_(title)) for key, title in MENUS}


class WindowActions:
    """The window's ``QAction``s, by the names of ``ACTIONS``."""

    def __init__(
        self,
        window: QMainWindow,
        handlers: Mapping[str, Callable[[], object]],
        menus: Mapping[str, QMenu] | None = None,
    ) -> None:
        """``menus``: the window's menus by key, if ``add_menus`` made them already."""
        from PySide6.QtCore import Qt

        missing = [spec.name for spec in ACTIONS if spec.name not in handlers]
        if missing:
            raise ValueError(f"no handler for the actions {', '.join(missing)}")
        self._actions: dict[str, QAction] = {}
        menus = menus or add_menus(window)
        for spec in ACTIONS:
            act = QAction(_(spec.text), window)
            act.setObjectName(f"{spec.name}Action")
            act.setShortcuts([QKeySequence(k) for k in spec.keys])
            act.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
            act.setToolTip(_(spec.tip))
            act.setStatusTip(_(spec.tip))
            # A checkable action flips its check before it triggers: the handlers read the
            # state from the parts, and the window sets the check from it.
            act.setCheckable(spec.checkable)
            handler = handlers[spec.name]
            act.triggered.connect(lambda _checked=False, handler=handler: handler())
            window.addAction(act)
            if spec.menu is not None:
                menu = menus[spec.menu]
                if spec.separated:
                    menu.addSeparator()
                menu.addAction(act)
            self._actions[spec.name] = act

    def __getitem__(self, name: str) -> QAction:
        return self._actions[name]

    def enable(self, names: tuple[str, ...], enabled: bool) -> None:
        for name in names:
            self._actions[name].setEnabled(enabled)
