"""The main window: it shows pages and forwards what the user asks for to the parts that do it.

It keeps the home page, the switching between pages (programs, the running session, the
History), focus mode, the window's size and panes between runs, and the hand-over from a second
launch. Everything else is a named part it hosts and wires:

- ``session.SessionController`` runs the session; ``session.CueConductor`` decides what is
  heard when and plays it through an ``AudioOutput`` (calftimer.gui.session);
- ``ProgramCommands`` (the program library), ``Coach`` (summary, pain, next time, heel-rise
  results), ``BackupCommands`` (export and import), ``HistoryPage`` (the chart);
- ``WindowActions`` (every command, its keys and menu, declared in calftimer.gui.actions);
- ``SettingsHub`` spreads a change of the settings to every part that follows them.

The clock, the timers, the keep-awake backend and the data paths are injected, so tests drive
this same window on a manual clock.

It is a ``WindowFrame`` (calftimer.gui.window_frame): the app shows that first frame at once and
calls ``build`` for the rest after the first paint (a close before that just closes), so this
module imports the parts inside ``build``, not at its top.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QApplication, QMessageBox, QStackedWidget, QWidget

from calftimer.core.i18n import _
from calftimer.gui.actions import HISTORY_ACTIONS, PROGRAM_ACTIONS, SESSION_ACTIONS, WindowActions
from calftimer.gui.single_instance import start_argument
from calftimer.gui.window_frame import WindowFrame

if TYPE_CHECKING:
    from datetime import datetime

    from PySide6.QtGui import QCloseEvent

    from calftimer.core.clock import Clock
    from calftimer.core.library import ProgramLibrary
    from calftimer.core.programs import Program
    from calftimer.core.session import State
    from calftimer.core.settings import Settings
    from calftimer.core.store import BackgroundWriter, Store
    from calftimer.core.timeline import CompileOptions, Timeline
    from calftimer.gui.jobs import Jobs
    from calftimer.gui.keep_awake import KeepAwake
    from calftimer.gui.remote import MediaRemotePort
    from calftimer.gui.remote.control import RemoteControl
    from calftimer.gui.session.output import AudioOutput
    from calftimer.gui.session.timers import TimerFactory
    from calftimer.paths import AppPaths

REST_STEP_MS = 15_000  # + and - change the current rest by this much

# Makes the media remote's port, given how to read the session's position.
MediaRemoteSource = Callable[[Callable[[], int]], "MediaRemotePort"]


class MainWindow(WindowFrame):
    # The history in memory changed under us (another process wrote it): views of it redraw.
    history_changed = Signal()

    def __init__(
        self,
        library: ProgramLibrary,
        clock: Clock,
        paths: AppPaths,
        options: CompileOptions | None = None,
        store: Store | None = None,
        writer: BackgroundWriter | None = None,
        settings: Settings | None = None,
        keep_awake: KeepAwake | Callable[[], KeepAwake] | None = None,
        sleep_clock: Clock | None = None,
        timers: TimerFactory | None = None,
        wall_clock: Callable[[], datetime] | None = None,
        media_remote: MediaRemoteSource | None = None,
    ) -> None:
        super().__init__(paths)
        self.build(
            library,
            clock,
            options,
            settings,
            keep_awake,
            sleep_clock,
            timers,
            wall_clock,
            media_remote,
        )
        if store is not None and writer is not None:
            self.attach_store(store, writer)

    def build(
        self,
        library: ProgramLibrary,
        clock: Clock,
        options: CompileOptions | None = None,
        settings: Settings | None = None,
        keep_awake: KeepAwake | Callable[[], KeepAwake] | None = None,
        sleep_clock: Clock | None = None,
        timers: TimerFactory | None = None,
        wall_clock: Callable[[], datetime] | None = None,
        media_remote: MediaRemoteSource | None = None,
    ) -> None:
        """Everything the first frame does not have: the pages, the parts and the actions.

        ``media_remote`` makes the headset/media-key remote (``create_media_remote``); the
        window starts it once built."""
        from calftimer.core.settings import Settings
        from calftimer.gui.backup_commands import BackupCommands
        from calftimer.gui.coaching import Coach
        from calftimer.gui.figure_widget import SessionFigure
        from calftimer.gui.help_commands import HelpCommands
        from calftimer.gui.history_page import HistoryPage
        from calftimer.gui.home_page import HomePage
        from calftimer.gui.notice_feeds import StoreNotices
        from calftimer.gui.notices import NoticeArea, NoticeBoard
        from calftimer.gui.program_commands import ProgramCommands
        from calftimer.gui.session.conductor import CueConductor
        from calftimer.gui.session.controller import SessionController
        from calftimer.gui.session.timers import QtTimers
        from calftimer.gui.session_view import SessionView
        from calftimer.gui.settings_hub import SettingsHub
        from calftimer.gui.shell import Shell

        if self.built:
            raise RuntimeError("internal error: the window is built already")
        paths = self.paths
        self.focus_on_start = False  # --fullscreen: every session opens in focus mode
        self._focus = False
        self.settings_hub = SettingsHub(settings or Settings(), paths.settings_file, self)
        self._applied_theme = self.settings_hub.current.theme  # app.py applied it already
        self.store: Store | None = None
        self._saves: Jobs | None = None  # the writer of each set, as it ends
        self._long_jobs: Jobs | None = None  # reading old months, export, import
        self._shown_muted = False
        self.remote: RemoteControl | None = None  # headset buttons, media keys (made below)

        # Every notice (sound off, screen may sleep, damaged files, recoveries...) in one line
        # above whatever page shows: in the layout, so it never covers the session's digits.
        self.notices = NoticeBoard(self)
        self.notice_area = NoticeArea(self.notices)

        timers = timers or QtTimers(self)
        hub = self.settings_hub
        self.conductor = CueConductor(clock, hub, self.notices, timers, self)
        self.session = SessionController(
            clock,
            self.conductor,
            hub,
            self.notices,
            timers,
            options=options,
            sleep_clock=sleep_clock,
            keep_awake=keep_awake,
            parent=self,
        )

        self.home = HomePage(library.programs, self.session.options)
        self.home.set_figure_animation(hub.current.animate_figure)
        self.session_view = SessionView()
        # The figure beside the digits, posed from the same positions as everything else.
        self.session_figure = SessionFigure(self)
        self.session_figure.set_animate(hub.current.animate_figure)
        self.session_view.set_figure(self.session_figure.widget)
        self.stack = QStackedWidget()
        self.stack.addWidget(self.home)
        self.stack.addWidget(self.session_view)
        self.page.addWidget(self.notice_area)
        self.page.addWidget(self.stack, 1)

        shell = Shell(self, self.notices, self.say, paths, hub)
        self.shell = shell
        self.store_notices = StoreNotices(self.notices, self.say, shell.warn)
        self.programs = ProgramCommands(
            library, self.home, shell, lambda: self.session.options, self
        )
        self.coach = Coach(
            self.session,
            self.session_view,
            self.home,
            self.programs,
            shell,
            lambda: self.store,
            wall_clock or _local_now,
            parent=self,
        )
        self.backup = BackupCommands(shell, lambda: self.programs.library.programs, self)
        self.history = HistoryPage(self.stack, self._show_page, shell, self.session, self)
        self.help = HelpCommands(self, self.notices, paths, self)
        self.notice_area.details_requested.connect(self.help.show_notices)
        self.window_actions = WindowActions(self, self._action_handlers(), self.menus)
        if media_remote is not None:
            self.remote = self._make_remote(media_remote, clock)
        self._connect_parts()
        self.session_view.weight_unit = hub.current.weight_unit
        self._show_mute(hub.current.muted, say=False)
        self._update_action_state()
        self.built = True

    # ------------------------------------------------------------------ wiring

    def _action_handlers(self) -> dict[str, Callable[[], object]]:
        session = self.session
        return {
            "import_file": self.backup.import_file,
            "export_json": lambda: self.backup.export_history("json"),
            "export_csv": lambda: self.backup.export_history("csv"),
            "open_settings": self.open_settings,
            "quit": self.request_quit,
            "start_or_resume": self.start_or_resume,
            "toggle_pause": self.toggle_pause,
            "pause_only": self.pause_only,
            "back": lambda: self._on_session_page() and session.back(),
            "skip": lambda: self._on_session_page() and session.skip(),
            "end_set": self.end_set_or_leave,
            "more_rest": lambda: self._on_session_page() and session.adjust_rest(REST_STEP_MS),
            "less_rest": lambda: self._on_session_page() and session.adjust_rest(-REST_STEP_MS),
            "stop": self.confirm_stop,
            "show_home": self.show_home,
            "toggle_mute": self.toggle_mute,
            "new_program": self.programs.new,
            "duplicate_program": self.programs.duplicate_selected,
            "edit_program": self.programs.edit_selected,
            "delete_program": self.programs.delete_selected,
            "undo_delete": self.programs.undo_delete,
            "import_program": self.programs.import_file,
            "export_program": self.programs.export_selected,
            "show_history": self.history.show,
            "toggle_focus_mode": self.toggle_focus_mode,
            "show_shortcuts": self.help.show_shortcuts,
            "show_notices": self.help.show_notices,
            "show_about": self.help.show_about,
            "escape": self.on_escape,
        }

    def _connect_parts(self) -> None:
        view, session = self.session_view, self.session
        view.pause_requested.connect(self.toggle_pause)
        view.back_requested.connect(session.back)
        view.skip_requested.connect(session.skip)
        view.end_set_requested.connect(session.end_set)
        view.rest_adjust_requested.connect(session.adjust_rest)
        view.stop_requested.connect(self.confirm_stop)
        view.close_requested.connect(self.show_home)
        self.conductor.flash_requested.connect(view.flash)
        session.started.connect(self._on_session_started)
        session.position_changed.connect(view.show_position)
        session.frame.connect(view.show_frame)
        session.position_changed.connect(self.session_figure.show_position)
        session.frame.connect(self.session_figure.show_position)
        session.set_done.connect(view.note_set_done)
        session.state_changed.connect(lambda _state: self._update_action_state())
        session.ended.connect(self._on_session_ended)
        session.waiting.connect(
            lambda program: self.say(
                _("{name}: getting the sounds ready…").format(name=program.local_name)
            )
        )
        session.save_failed.connect(self.store_notices.save_failed)
        session.sets_saved.connect(lambda n: self.store_notices.sets_saved(n, session.active))
        home = self.home
        home.start_requested.connect(self.start_selected_program)
        home.new_requested.connect(self.programs.new)
        home.duplicate_requested.connect(self.programs.duplicate_selected)
        home.edit_requested.connect(self.programs.edit_selected)
        home.delete_requested.connect(self.programs.delete_selected)
        home.history_requested.connect(self.history.show)
        home.program_selected.connect(
            lambda program: program is not None and self.notices.withdraw("start")
        )
        self.backup.programs_imported.connect(self.programs.reload)
        self.backup.finished.connect(self.store_notices.post)
        self.history.close_requested.connect(self.show_home)
        self.history.store_reported.connect(self.store_notices.post)
        self.history.changed.connect(self.history_changed)
        self.settings_hub.changed.connect(self._on_settings_changed)

    def _make_remote(self, source: MediaRemoteSource, clock: Clock) -> RemoteControl:
        from calftimer.core.remote import Screen
        from calftimer.gui.remote.control import RemoteControl

        def screen() -> Screen:
            if self._on_summary():
                return Screen.SUMMARY
            if self._on_home():
                return Screen.HOME
            return Screen.SESSION if self._on_session_page() else Screen.OTHER

        def program_name() -> str:
            program = self.session.program if self.session.active else None
            program = program or self.home.selected_program()
            return program.local_name if program is not None else ""

        handlers: dict[str, Callable[[], object]] = {
            "start": self.start_selected_program,
            "show_session": lambda: self._on_session_page() or self._show_page(self.session_view),
            "stopped": lambda: self.say(
                _("Session stopped from the headset; what you did is kept.")
            ),
            "raise": self.bring_to_front,
            "quit": self.request_quit,
        }
        return RemoteControl(
            source,
            self.session,
            self.settings_hub,
            self.notices,
            clock,
            screen,
            program_name,
            handlers,
            say=self.say,
            parent=self,
        )

    def bring_to_front(self) -> None:
        """Come to the front (the desktop's media widget's Raise, a second launch), un-minimised
        but still maximised or full screen if it was."""
        from PySide6.QtCore import Qt

        self.setWindowState(self.windowState() & ~Qt.WindowState.WindowMinimized)
        self.show()
        self.raise_()
        self.activateWindow()

    def attach_store(self, store: Store, writer: BackgroundWriter) -> None:
        """Record into and show ``store`` from now on. The app calls this right after the first
        paint, so opening the history never delays the window."""
        from calftimer.core.store import BackgroundWriter
        from calftimer.gui.jobs import Jobs

        self.store = store
        self.store_notices.store = store
        saves = Jobs(writer)
        # Long jobs (reading old months, export, import) get their own thread, so a set's
        # save never waits behind them: each set is on disk before the next one starts.
        self._long_jobs = Jobs(BackgroundWriter())
        self._saves = saves
        self.session.attach_history(store, saves)
        self.backup.attach_history(store, saves, self._long_jobs)
        self.history.attach_history(store, saves, self._long_jobs)
        self._update_action_state()
        self.store_notices.post()
        self.coach.offer_morning_rating()

    def attach_audio(self, output: AudioOutput) -> None:
        """Play cues through ``output`` (a SoundOutput, or a SilentOutput that says why not)."""
        self.conductor.attach_output(output)

    # ------------------------------------------------------------------ pages

    def _show_page(self, page: QWidget) -> None:
        self.leave_focus_mode()
        self.stack.setCurrentWidget(page)
        self._update_action_state()
        if self.remote is not None:
            self.remote.refresh()  # whether Play would start a program depends on the page

    def show_home(self) -> None:
        self.notices.withdraw("start-where")  # at the program list now
        self._show_page(self.home)

    def _on_home(self) -> bool:
        return self.stack.currentWidget() is self.home

    def _on_session_page(self) -> bool:
        return self.stack.currentWidget() is self.session_view

    def _on_summary(self) -> bool:
        return self._on_session_page() and self.session.over

    def _update_action_state(self) -> None:
        actions = self.window_actions
        actions["show_home"].setEnabled(not self._on_home())
        actions.enable(SESSION_ACTIONS, self._on_session_page() and self.session.active)
        # Enter ends a set, and leaves a summary.
        actions["end_set"].setEnabled(self._on_session_page() and self.session.state is not None)
        actions.enable(PROGRAM_ACTIONS, self._on_home())
        actions.enable(HISTORY_ACTIONS[:2], self.backup.can_export)
        actions["import_file"].setEnabled(self.backup.can_import)

    # ------------------------------------------------------------------ the session

    def start_selected_program(self) -> None:
        program = self.home.selected_program()
        if program is not None:
            self.session.start(program)
            return
        # Never silent: say why, and put the focus where the choice is made. Said again at
        # every press, even if dismissed before.
        self.notices.withdraw("start")
        self.notices.post(
            "start",
            "info",
            _(
                "Nothing to start: select a program in the Programs list first, then press Start "
                "(or F5)."
            ),
            summary=_("Select a program first (in the Programs list), then press Start."),
        )
        self.home.focus_programs()

    def _on_session_started(self, timeline: Timeline) -> None:
        self.session_view.set_timeline(timeline)
        self.notices.withdraw("start")
        self._show_page(self.session_view)
        program = self.session.program
        if program is not None:
            self.say(_("{name}: started. Space pauses.").format(name=program.local_name))
        if self.focus_on_start and not self.in_focus_mode:
            self.toggle_focus_mode()

    def _on_session_ended(self, state: State) -> None:
        from calftimer.core.session import State

        self.say(_("Session complete.") if state is State.FINISHED else _("Session stopped."))
        self._update_action_state()

    def toggle_pause(self) -> None:
        if not self._on_session_page():
            return
        paused = self.session.toggle_pause()
        if paused:
            self.say(_("Paused. Press Space to resume."))
        elif paused is False:
            self.say(_("Running."))

    def pause_only(self) -> None:
        if self._on_session_page() and self.session.pause():
            self.say(_("Paused. Press Space to resume."))

    def end_set_or_leave(self) -> None:
        if self._on_summary():
            self.show_home()
        elif self._on_session_page():
            self.session.end_set()

    def start_or_resume(self) -> None:
        from calftimer.core.session import State

        if self.session.state is State.PAUSED:
            self._show_page(self.session_view)
            self.toggle_pause()
        elif self._on_home() or self._on_summary():
            self.start_selected_program()  # after a session: F5 starts the next one
        elif self.session.state is State.RUNNING:
            self.say(_("The session is running: Space pauses, Esc stops."))
        else:
            self.notices.withdraw("start-where")  # said at every press
            self.notices.post(
                "start-where",
                "info",
                _(
                    "Sessions start from the program list: press Esc (or Back to programs) to go "
                    "there, select a program and press Start."
                ),
                summary=_("To start a session, go back to the program list (Esc)."),
            )

    def confirm_stop(self) -> None:
        if not self.session.active:
            self.show_home()
            return
        self.ask_to_stop()

    def ask_to_stop(self) -> bool:
        """ "Stop the session?" with the session paused while asked (Esc, Stop, Ctrl+W, Ctrl+Q,
        closing the window); True when no session is left running."""
        from calftimer.gui.stop_question import ask_to_stop

        if not self.session.active:
            return True
        if not self._on_session_page():
            self._show_page(self.session_view)  # show what would be stopped
        return ask_to_stop(
            self,
            lambda: self.session.state,
            self.session.toggle_pause,
            self.session.abandon,
        )

    def on_escape(self) -> None:
        if self.isFullScreen() and not self.in_focus_mode and self._on_home():
            self.showNormal()
        elif self.in_focus_mode and not self._on_summary():
            self.leave_focus_mode()
        elif self._on_summary() or self.history.is_current():
            self.show_home()  # a finished session or the history: Esc goes back
        elif self._on_session_page() and self.session.active:
            self.confirm_stop()

    # ------------------------------------------------------------------ settings and mute

    def open_settings(self) -> None:
        from calftimer.gui.settings_dialog import SettingsDialog

        output = self.conductor.output
        dialog = SettingsDialog(
            self.settings_hub.current,
            self,
            system_voices=output.system_voices if output is not None else None,
            sound_check=self.conductor.sound_check,
        )
        if dialog.exec():
            self.apply_settings(dialog.settings(), save=True)

    def apply_settings(self, settings: Settings, *, save: bool = False) -> None:
        """Use new settings from now on (the running session keeps its timeline); every part
        that follows a setting hears it from the hub."""
        from calftimer.core.settings import SettingsReadOnlyError
        from calftimer.gui.notice_feeds import withdraw_settings_notices

        self.settings_hub.update(settings)
        if not save:
            return
        try:
            self.settings_hub.save()
        except (OSError, SettingsReadOnlyError) as exc:
            QMessageBox.warning(self, _("Settings not saved"), _("{exc}").format(exc=exc))
            return
        withdraw_settings_notices(self.notices)  # the file is good again
        self.say(_("Settings saved."))

    def toggle_mute(self) -> None:
        from dataclasses import replace

        from calftimer.core.settings import SettingsReadOnlyError

        hub = self.settings_hub
        hub.update(replace(hub.current, muted=not hub.current.muted))
        with contextlib.suppress(OSError, SettingsReadOnlyError):
            hub.save()  # the mute key's choice is kept for next time, quietly

    @property
    def muted(self) -> bool:
        return self.settings_hub.current.muted

    def _on_settings_changed(self, settings: Settings) -> None:
        self.home.set_options(self.session.options)
        self.home.set_figure_animation(settings.animate_figure)
        self.session_figure.set_animate(settings.animate_figure)
        self.session_view.weight_unit = settings.weight_unit
        app = QApplication.instance()
        if isinstance(app, QApplication) and settings.theme != self._applied_theme:
            from calftimer.gui.theme import apply_theme

            apply_theme(app, settings.theme)
            self._applied_theme = settings.theme
            self.session_view.apply_scheme()  # the session paints its own background
            self.notice_area.apply_scheme()  # and the notice line its tint
            self.session.poll_now()  # redraw the phase colours in the new scheme
        if settings.muted != self._shown_muted:
            self._show_mute(settings.muted, say=True)

    def _show_mute(self, muted: bool, *, say: bool) -> None:
        # The menu's check flips before the action triggers: the state shown is kept here.
        self._shown_muted = muted
        self.window_actions["toggle_mute"].setChecked(muted)
        self.session_view.set_muted(muted)
        if say:
            self.say(_("Cues muted (M to unmute).") if muted else _("Cues on."))

    # ------------------------------------------------------------------ focus mode

    @property
    def in_focus_mode(self) -> bool:
        return self._focus

    def toggle_focus_mode(self) -> None:
        """Full screen with only the session view: the view for training from the floor."""
        if self.in_focus_mode or not self._on_session_page():
            self.leave_focus_mode()
            if self.isFullScreen():
                self.showNormal()  # --fullscreen opened the program list full screen
            elif not self._on_session_page():
                self.say(_("Focus mode shows a running session: start one."))
            return
        self._focus = True
        self.window_actions["toggle_focus_mode"].setChecked(True)
        self.menuBar().hide()
        self.statusBar().hide()
        self.session_view.set_focus_mode(True)
        self.showFullScreen()

    def leave_focus_mode(self) -> None:
        was = self.in_focus_mode
        self._focus = False
        self.window_actions["toggle_focus_mode"].setChecked(False)
        self.menuBar().show()
        self.statusBar().show()
        self.session_view.set_focus_mode(False)
        if was:
            self.showNormal()

    # ------------------------------------------------------------------ the window

    def request_quit(self) -> None:
        """Ctrl+Q: mid-session, ask as Esc does first ("Go on" keeps the window open)."""
        if self.ask_to_stop():
            self.close()

    def closeEvent(self, event: QCloseEvent) -> None:
        # The user closing the window (its close button: a spontaneous event from the window
        # system) is asked as Esc is. A close from code (Ctrl+Q after asking, the app or the
        # desktop shutting down) stops at once; what was done is kept either way.
        if not self.built:  # closed before the rest was built: nothing has run, nothing to keep
            super().closeEvent(event)
            return
        if event.spontaneous() and not self.ask_to_stop():
            event.ignore()
            return
        self.session.close()
        if self.remote is not None:
            self.remote.close()
        self.conductor.close()
        self.history.close()
        if self._saves is not None and not self._saves.flush(timeout=10):
            self.say(_("Still saving your history…"))
        if self._long_jobs is not None:
            self._long_jobs.close(timeout=30)
        self._save_window_state()
        self.home.stop_listening()
        super().closeEvent(event)

    def restore_window_state(self) -> None:
        """Size, position and pane widths as the user left them (a file beside the settings)."""
        self.restore_geometry()
        self.restore_splitter(self.home.splitter)

    def _save_window_state(self) -> None:
        if self.in_focus_mode:
            self.leave_focus_mode()
        if self.isFullScreen():
            self.showNormal()  # full screen is for one session, not for the next start
        self.save_state(self.home.splitter)

    def on_second_launch(self, argv: list[str]) -> None:
        """Another ``calftimer`` was started: come to the front and honour its ``--start``."""
        self.bring_to_front()
        spec = start_argument(argv)
        if spec is None:
            return
        from calftimer.core.library import UnknownProgramError
        from calftimer.core.programs import ProgramFileError

        program: Program
        try:
            program = self.programs.library.resolve(spec)
        except (UnknownProgramError, ProgramFileError) as exc:
            self.notices.post("start", "error", _("Not started: {exc}").format(exc=exc))
            return
        if self.session.active:
            self.notices.post(
                "start",
                "info",
                _(
                    "Not started: a session is running; finish or stop it before starting {name}."
                ).format(name=program.local_name),
            )
            return
        self.focus_on_start = self.focus_on_start or "--fullscreen" in argv
        self.session.start(program)


def _local_now() -> datetime:
    """The wall clock the coach dates its questions by, in the local time zone."""
    from datetime import datetime

    return datetime.now().astimezone()
