"""The main window: exercise library and program picker, and the running session.

Everything a session needs (clock, compile options, library) is injected by the composition root,
so tests drive the same window on a manual clock.
"""

from __future__ import annotations

import contextlib
import itertools
from collections.abc import Callable
from dataclasses import replace
from datetime import date, datetime
from html import escape
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from calftimer.core.cues import CuePlayer
    from calftimer.core.recorder import SessionRecorder
    from calftimer.core.store import BackgroundWriter, Store
    from calftimer.gui.keep_awake import KeepAwake, KeepAwakeController

# Dialogs, export/import and the keep-awake layer are imported where first used: the window
# must paint fast, and most starts never open them.

from PySide6.QtCore import QByteArray, QModelIndex, QObject, QSettings, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QApplication,
    QCheckBox,
    QComboBox,
    QFileDialog,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QListView,
    QMainWindow,
    QMessageBox,
    QPushButton,
    QSplitter,
    QStackedWidget,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from calftimer import __version__
from calftimer.core.catalog import CATALOG
from calftimer.core.clock import Clock
from calftimer.core.cues import DEFAULT_LATE_MS
from calftimer.core.exercise import Exercise, Muscle
from calftimer.core.library import ProgramLibrary
from calftimer.core.program_files import (
    delete_user_program,
    duplicate_program,
    export_program_file,
    folder_ids,
    import_program_file,
    new_program,
    restore_user_program,
    save_user_program,
    unique_id,
)
from calftimer.core.programs import Program, ProgramFileError
from calftimer.core.session import Session, SetRecord, State
from calftimer.core.settings import Settings, SettingsReadOnlyError, save_settings
from calftimer.core.texts import plural, target_text
from calftimer.core.timeline import (
    CompileOptions,
    compile_program,
    estimated_duration_ms,
    format_duration,
)
from calftimer.gui.driver import SessionDriver
from calftimer.gui.models import (
    ExerciseFilterModel,
    ExerciseListModel,
    ExerciseRole,
    ProgramListModel,
    ProgramRole,
)
from calftimer.gui.notices import NoticeArea, NoticeBoard
from calftimer.gui.session_view import SessionView
from calftimer.gui.theme import apply_theme
from calftimer.paths import AppPaths


class _ThreadBridge(QObject):
    """Carries messages from the store's writer thread to the UI thread (queued signals)."""

    error_raised = Signal(str)
    sets_saved = Signal(int)
    job_failed = Signal(str, str)  # title, message
    job_done = Signal(str)  # a one-line result for the status bar
    import_previewed = Signal(object)  # ImportPreview
    programs_changed = Signal()
    history_loaded = Signal()
    history_refreshed = Signal(bool)  # True: another process changed the history
    chart_imported = Signal(str)  # "" or why the chart library could not be imported
    history_prepared = Signal(object)  # (generation, PreparedHistory | None, error | None)
    spikes_found = Signal(object)  # (view, sessions, {metric: spikes} | None, error | None)


# Sounds are handed to the audio thread this far ahead of their moments: a window kept busy for
# up to this long (a chart redraw, a slow paint) still sounds every cue on time.
SOUND_LOOKAHEAD_MS = 1_000
# A session started while the sounds and the voice are still loading (a --start at launch, a
# quick click) waits for them this long at most, so its first words are not lost.
AUDIO_READY_WAIT_MS = 3_000
AUDIO_RESTARTS_MAX = 5  # faults of Qt's sound backend one session recovers from, at most
SESSION_END_SETTLE_MS = 150  # with real sound, the summary waits this long (see _show_session_end)
# A history this long is shown by the window's thread at once; a longer one is prepared on a
# worker thread (twenty years took 0.3-0.8 s), showing its recent weeks meanwhile.
HISTORY_SHOWN_AT_ONCE = 500  # sessions
HISTORY_RECENT_WEEKS = 27  # what is shown at once of a longer history: the 6-month range and more
SPIKES_SEARCH_DELAY_MS = 250  # after a long history is swapped in (see _on_history_prepared)


class MainWindow(QMainWindow):
    settings_changed = Signal(object)  # Settings: the audio and keep-awake layers follow it
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
    ) -> None:
        super().__init__()
        self.setWindowTitle("calftimer")
        self.resize(1100, 720)
        self._library = library
        self._clock = clock
        self._paths = paths
        self.settings = settings or Settings()
        # app.py applies a non-system theme before the window exists.
        self._applied_theme = self.settings.theme
        # Explicit options (tests) win; otherwise the settings decide countdown and get-ready.
        self._explicit_options = options
        self._options = options or self.settings.compile_options()
        self._deleted: list[Path] = []  # trash files, newest last: Ctrl+Z brings each back
        # The screen stays on while a session runs (not while paused or idle).
        # A factory is called when the first session starts (D-Bus is not touched at start-up).
        self.keep_awake: KeepAwakeController | None = None
        self._keep_awake_source = keep_awake
        self._sleep_clock = sleep_clock  # counts through suspend (Linux), for the driver
        self.driver: SessionDriver | None = None
        self.completed_sets: list[SetRecord] = []
        # No parent: the writer thread may still report after the window is gone, and a
        # signal on a deleted QObject would crash; unparented, it lives as long as we refer to it.
        self._bridge = _ThreadBridge()
        self._bridge.error_raised.connect(self._on_store_error_raised)
        self._bridge.sets_saved.connect(self._on_store_sets_saved)
        self._bridge.job_failed.connect(self._on_job_failed)
        self._bridge.job_done.connect(self.statusBar().showMessage)
        # Anything the store noticed later (a damaged old month found while exporting, a file
        # from a newer calftimer arriving by sync) is shown as soon as a job reports back.
        self._bridge.job_done.connect(lambda _text: self.show_store_notices())
        self._bridge.job_failed.connect(lambda _t, _m: self.show_store_notices())
        self._bridge.sets_saved.connect(lambda _n: self.show_store_notices())
        self._bridge.error_raised.connect(lambda _m: self.show_store_notices())
        self._bridge.import_previewed.connect(self._on_import_previewed)
        self._bridge.programs_changed.connect(self.reload_programs)
        self._bridge.history_loaded.connect(self.show_store_notices)
        self._bridge.history_loaded.connect(self._on_history_loaded)
        self._bridge.history_refreshed.connect(self._on_history_refreshed)
        self.history_watch: Any = None  # calftimer.gui.history_watch.HistoryWatch, with a store
        self._disk_refresh = "idle"  # or "running", "again" (asked while running), "after session"
        self._bridge.chart_imported.connect(self._on_chart_imported)
        self._bridge.history_prepared.connect(self._on_history_prepared)
        self._bridge.spikes_found.connect(self._on_spikes_found)
        self._chart_importing = False
        self._chart_waiters: list[Callable[[], None]] = []
        self._history_placeholder: QWidget | None = None
        self._history_generation = 0  # a prepared history older than this is dropped
        self._history_view_filled = False
        self._history_partly_shown = False  # said "older history fills in shortly"
        self.history_view: Any = None  # made on first use: pyqtgraph stays off the start-up path
        self.test_results_dialog: Any = None
        self.notice_dialog: Any = None
        self.shortcuts_dialog: Any = None
        self._morning_session_id: str | None = None
        self.last_pain: dict[str, int] = {}  # ratings given for the session just ended
        self.current_program: Program | None = None
        self.suggestions: list[Any] = []
        self._progression_undo: tuple[str, Program | None] | None = None
        self.wall_clock: Callable[[], datetime] = lambda: datetime.now().astimezone()
        self._notices_shown = 0
        self.store: Store | None = None
        self.recorder: SessionRecorder | None = None
        self._writer: BackgroundWriter | None = None
        self._long_jobs: BackgroundWriter | None = None
        self.focus_on_start = False  # --fullscreen: every session opens in focus mode
        self.cue_player: CuePlayer | None = None
        self.audio: Any = None  # calftimer.gui.audio output, attached after the first paint
        self._audio_problem = ""
        self._held_cues: list[Any] = []
        # Sounds are handed to the audio thread ahead of their moments; phrases that must start
        # before their cue get a precise timer of their own (see _schedule_ahead).
        self._sounds_scheduled_until = -1
        self._phrases_offered_until = -1
        self._next_phrase: Any = None
        self._phrase_timer = QTimer(self)
        self._phrase_timer.setSingleShot(True)
        self._phrase_timer.setTimerType(Qt.TimerType.PreciseTimer)
        self._phrase_timer.timeout.connect(self._on_phrase_timer_timeout)
        self._program_waiting: Program | None = None
        self._audio_restart_pending = False
        self.audio_restarts = 0
        self._audio_wait_timer = QTimer(self)
        self._audio_wait_timer.setSingleShot(True)
        self._audio_wait_timer.timeout.connect(self._start_waiting_program)

        self.stack = QStackedWidget()
        self.home = self._build_home()
        self.session_view = SessionView()
        self.stack.addWidget(self.home)
        self.stack.addWidget(self.session_view)
        # Every notice (sound off, screen may sleep, damaged files, recoveries...) in one line
        # above whatever page shows: in the layout, so it never covers the session's digits.
        self.notices = NoticeBoard(self)
        self.notice_area = NoticeArea(self.notices)
        self.notice_area.details_requested.connect(self.show_notices)
        central = QWidget()
        page = QVBoxLayout(central)
        page.setContentsMargins(0, 0, 0, 0)
        page.setSpacing(0)
        page.addWidget(self.notice_area)
        page.addWidget(self.stack, 1)
        self.setCentralWidget(central)
        self._connect_session_view()
        self.session_view.pain_bar.rated.connect(lambda n: self._save_pain("during", n))
        self.session_view.apply_next_time_button.clicked.connect(self.apply_progression)
        self.session_view.undo_next_time_button.clicked.connect(self.undo_progression)
        self._build_actions()
        self._update_action_state()
        self.session_view.weight_unit = self.settings.weight_unit
        if self.settings.muted:
            self.muted = True
        self._show_program_problems()
        self.statusBar().showMessage("Pick a program and press Start. Press ? for shortcuts.")
        if store is not None and writer is not None:
            self.attach_store(store, writer)

    def attach_store(self, store: Store, writer: BackgroundWriter) -> None:
        """Start recording into ``store``. The app calls this right after the first paint, so
        opening the history never delays the window."""
        from calftimer.core.recorder import SessionRecorder
        from calftimer.core.store import BackgroundWriter

        self.store = store
        self._writer = writer
        # Long jobs (reading old months, export, import) get their own thread, so a set's
        # save never waits behind them: each set is on disk before the next one starts.
        self._long_jobs = BackgroundWriter()
        self.recorder = SessionRecorder(
            store, writer, self._bridge.error_raised.emit, self._bridge.sets_saved.emit
        )
        for act in (self.export_json_action, self.export_csv_action):
            act.setEnabled(True)
        self.import_action.setEnabled(not store.read_only)
        self._show_read_only()
        if not store.read_only:
            self.offer_morning_rating()
        self._watch_history_folders()

    def attach_audio(self, output: Any) -> None:
        """Play cues through ``output`` (a SoundOutput, or a SilentOutput that says why not)."""
        from calftimer.core.cues import CuePlayer

        if self.audio is not None and self.audio is not output:
            self.audio.stop_all()
            if hasattr(self.audio, "close"):
                self.audio.close()
            self.audio.deleteLater()
        self.audio = output
        self.cue_player = CuePlayer(output, self._clock, self._cue_due_at, self.settings)
        self._audio_problem = getattr(output, "problem", None) or ""
        from calftimer.gui.audio import SilentOutput

        if isinstance(output, SilentOutput):
            output.played.connect(lambda _name: self.session_view.flash())
        for signal in ("became_ready", "failed", "voice_changed"):
            if hasattr(output, signal):
                getattr(output, signal).connect(self._start_waiting_program_if_ready)
        if hasattr(output, "failed") and not isinstance(output, SilentOutput):
            output.failed.connect(self._on_audio_failed)
        if hasattr(output, "voice_changed"):
            output.voice_changed.connect(self._on_voice_changed)
            output.notice.connect(self._on_audio_notice)
            output.set_voice(
                self.settings.voice_engine, self.settings.voice_rate, self.settings.voice_name
            )
            self._on_voice_changed()
        if self._audio_problem:
            self.notices.post("sound", "warning", self._audio_problem)
        else:
            self.notices.withdraw("sound")  # a working output again (a restart, a new device)

    def restart_audio(self) -> None:
        """Qt's sound backend faulted (``QtAudioGlitchWatch``): go on with a fresh output.

        One fault comes as a few messages in a row, all queued before the restart runs: one
        restart covers them. A fault of the fresh output is a new one."""
        if self._audio_restart_pending or not hasattr(self.audio, "fresh_copy"):
            return
        if self.audio_restarts >= AUDIO_RESTARTS_MAX:
            self.notices.post(
                "sound-failing",  # for the rest of this run: no more restarts are tried
                "warning",
                "The sound system keeps failing; restart calftimer if cues stop.",
            )
            return
        self._audio_restart_pending = True
        QTimer.singleShot(0, self._restart_audio_now)

    def _restart_audio_now(self) -> None:
        self._audio_restart_pending = False
        self.audio_restarts += 1
        self.attach_audio(self.audio.fresh_copy())
        self._course_changed()  # what was handed to the old output goes to the new one
        # The new output loads for about a second: cues due before it is ready are missed.
        # True for this session: the next one withdraws it.
        self.notices.post(
            "sound-restarts",
            "info",
            "The sound system stumbled, so calftimer restarted its sound; a second of cues "
            "may have been missed.",
        )

    def _on_audio_failed(self, problem: str) -> None:
        """The sounds could not load (the device went away): flash the screen instead."""
        from calftimer.gui.audio import SilentOutput

        self.attach_audio(SilentOutput(problem, self))  # which posts the problem

    def _on_voice_changed(self) -> None:
        """The voice speaking now changed (the system voice became ready, say): phrases are
        planned with its lengths from now on."""
        from calftimer.core.cues import estimate

        if self.cue_player is None or self.audio is None:
            return
        self.cue_player.set_measure(getattr(self.audio, "measure", None) or estimate)
        self._course_changed()

    def _on_audio_notice(self, text: str) -> None:
        """The system voice or the built-in voice could not start: another voice speaks."""
        self.notices.post("voice", "warning", text)

    def _audio_loading(self) -> bool:
        return self.audio is not None and bool(getattr(self.audio, "loading", False))

    def _start_waiting_program_if_ready(self, *_args: object) -> None:
        if self._program_waiting is not None and not self._audio_loading():
            self._start_waiting_program()

    def _start_waiting_program(self) -> None:
        program, self._program_waiting = self._program_waiting, None
        self._audio_wait_timer.stop()
        if program is not None:
            self.start_program(program, wait_for_audio=False)

    def _course_changed(self) -> None:
        """Take back what was handed out ahead: the session's course may have changed (an
        operation, a pause, a new voice); it is handed out again from the new position."""
        self._phrase_timer.stop()
        self._next_phrase = None
        if self.cue_player is not None:
            self.cue_player.cancel_ahead()
        t = self.driver.session.t_ms() if self.driver is not None else 0
        self._sounds_scheduled_until = -1
        self._phrases_offered_until = t - DEFAULT_LATE_MS

    def _schedule_ahead(self) -> None:
        """Hand the audio thread the sounds of the next ``SOUND_LOOKAHEAD_MS`` and arm the
        timer for the next phrase that starts before its cue."""
        if self.cue_player is None or self.driver is None:
            return
        session = self.driver.session
        if session.state is not State.RUNNING:
            return
        t = session.t_ms()
        if t + SOUND_LOOKAHEAD_MS // 2 < self._sounds_scheduled_until and (
            self._phrase_timer.isActive()
            or t + SOUND_LOOKAHEAD_MS // 2 < self._phrases_offered_until
        ):
            return  # at least half a second is handed out still: refill in batches
        upto = t + SOUND_LOOKAHEAD_MS
        self.cue_player.schedule_sounds(
            session.timeline, max(t, self._sounds_scheduled_until), upto
        )
        self._sounds_scheduled_until = upto
        if self._phrase_timer.isActive():
            return
        upcoming = self.cue_player.scheduled_phrases(
            session.timeline, self._phrases_offered_until, upto
        )
        if not upcoming:
            self._phrases_offered_until = max(self._phrases_offered_until, upto)
            return
        start, phrase = upcoming[0]
        at = session.mono_at(start)
        if at is None:
            return
        self._next_phrase = (start, phrase)
        self._phrase_timer.start(max(0, at - self._clock()))

    def _on_phrase_timer_timeout(self) -> None:
        if self._next_phrase is None or self.cue_player is None:
            return
        start, phrase = self._next_phrase
        self._next_phrase = None
        self.cue_player.speak_scheduled(phrase)
        self._phrases_offered_until = start
        self._schedule_ahead()

    def _cue_due_at(self, cue: Any) -> int | None:
        if self.driver is None:
            return None
        return self.driver.session.mono_at(cue.offset_ms)

    def _on_driver_cues_due(self, cues: list[Any]) -> None:
        if self.cue_player is None or self.driver is None:
            return
        if self.driver.session.state is State.PAUSED:
            self._held_cues.extend(cues)  # e.g. the "go" of a set reached by skip while paused
            return
        self.cue_player.on_cues(
            cues,
            self.driver.session.timeline,
            records=self.driver.session.records,
            duration_ms=self.driver.session.t_ms(),
        )

    def load_history_in_background(self) -> None:
        """Read the older months of history on the writer thread, after the window is up."""
        if self.store is None or self._writer is None or self.store.fully_loaded:
            return
        if self._long_jobs is None:
            raise RuntimeError("internal error: no background jobs before the store")
        self._long_jobs.submit(
            self.store.ensure_loaded, lambda _r, _e: self._bridge.history_loaded.emit()
        )

    def _watch_history_folders(self) -> None:
        """Notice what other processes write to the history (an import from a terminal, a sync
        service) and show it without a restart."""
        from calftimer.gui.history_watch import HistoryWatch

        if self.store is None:
            return  # nothing to watch until the history is open
        if self.history_watch is not None:
            self.history_watch.stop()
            self.history_watch.deleteLater()
        self.history_watch = HistoryWatch([self.store.sessions_dir, self.store.months_dir], self)
        self.history_watch.changed.connect(self.refresh_history_from_disk)

    def _session_active(self) -> bool:
        return self.driver is not None and self.driver.session.state in (
            State.RUNNING,
            State.PAUSED,
        )

    def refresh_history_from_disk(self) -> None:
        """Read what another process changed in the history, on the writer thread (between
        saves, never beside one). Not while a session runs: nothing may disturb it, and
        nothing it shows needs the rest of the history; it is done when the session ends."""
        if self.store is None or self._writer is None:
            return
        if self._disk_refresh in ("running", "again"):
            self._disk_refresh = "again"  # one more look when this one is done
            return
        if self._session_active():
            if self._disk_refresh != "after session":
                self._disk_refresh = "after session"
                if self.driver is not None:
                    self.driver.state_changed.connect(self._on_session_state_for_refresh)
            return
        self._disk_refresh = "running"
        store = self.store
        self._writer.submit(
            store.refresh_from_disk,
            lambda changed, error: self._bridge.history_refreshed.emit(
                error is None and bool(changed)
            ),
        )

    def _on_session_state_for_refresh(self, state: object) -> None:
        if self._disk_refresh == "after session" and isinstance(state, State) and state.is_over:
            self._disk_refresh = "idle"
            self.refresh_history_from_disk()

    def _on_history_refreshed(self, changed: bool) -> None:
        again = self._disk_refresh == "again"
        self._disk_refresh = "idle"
        # Now, not at some later save (which may be mid-session): a conflict copy merged, a
        # damaged file set aside.
        self.show_store_notices()
        if changed:
            if self.history_view is not None and self.stack.currentWidget() is self.history_view:
                self._refresh_history()
            self.history_changed.emit()
        if again:
            self.refresh_history_from_disk()

    def show_store_notices(self) -> None:
        """Put what the store had to do (a recovery, a merge, a file it left alone) in the
        notice area, each once; they stay until dismissed."""
        if self.store is None:
            return
        self._show_read_only()
        notices = self.store.notices[self._notices_shown :]
        for number, notice in enumerate(notices, start=self._notices_shown):
            level = notice.level if notice.level in ("error", "warning") else "info"
            self.notices.post(f"history:{number}", level, f"Your history: {notice.message}")
        self._notices_shown += len(notices)

    def _show_read_only(self) -> None:
        if self.store is not None and self.store.read_only:
            self.notices.post(
                "history-read-only",
                "error",
                "Your history is read-only: nothing you do now is saved (it was written by a "
                "newer calftimer). Update calftimer to train.",
                summary="Your history is read-only: sessions are not saved.",
                dismissible=False,
            )

    def _show_program_problems(self) -> None:
        """One notice per program file that could not be read, with its path and why; a file
        fixed (or removed) since takes its notice with it."""
        wanted = {}
        for problem in self._library.problems:
            path = self._paths.programs_dir / problem.source
            reasons = "\n".join(f"• {p}" for p in problem.problems) or "• unreadable"
            wanted[f"program-file:{problem.source}"] = (
                f"The program file {path} could not be read and was left alone:\n{reasons}",
                f"Program file {problem.source} could not be read: {problem.problems[0]}"
                if problem.problems
                else f"Program file {problem.source} could not be read.",
            )
        self.notices.withdraw_where(
            lambda key: key.startswith("program-file:") and key not in wanted
        )
        for key, (text, summary) in wanted.items():
            self.notices.post(key, "warning", text, summary=summary)

    def post_settings_notices(self, notices: list[Any]) -> None:
        """What reading the settings file had to do (defaults for damaged values, a copy
        kept): shown until the settings are saved again."""
        for number, notice in enumerate(notices):
            level = notice.level if notice.level in ("error", "warning") else "info"
            self.notices.post(f"settings:{number}", level, f"Settings: {notice.message}")

    def show_notices(self) -> None:
        """Every notice in full (Details, or Ctrl+Shift+N from anywhere)."""
        from calftimer.gui.notices import NoticeDialog

        if self.notice_dialog is None:
            self.notice_dialog = NoticeDialog(self.notices, self)
        self.notice_dialog.show()
        self.notice_dialog.raise_()
        self.notice_dialog.activateWindow()

    # ------------------------------------------------------------------ home page

    def _build_home(self) -> QWidget:
        self.exercise_model = ExerciseListModel(list(CATALOG.values()), self)
        self.exercise_filter = ExerciseFilterModel(self)
        self.exercise_filter.setSourceModel(self.exercise_model)
        self.exercise_list = QListView()
        self.exercise_list.setObjectName("exerciseList")
        self.exercise_list.setAccessibleName("Exercises")
        self.exercise_list.setModel(self.exercise_filter)
        self.exercise_list.selectionModel().currentChanged.connect(
            self._on_exercise_current_changed
        )

        self.muscle_filter = QComboBox()
        self.muscle_filter.setAccessibleName("Filter by muscle")
        self.muscle_filter.addItem("All muscles", None)
        for muscle in Muscle:
            self.muscle_filter.addItem(muscle.value.capitalize(), muscle)
        self.equipment_free_box = QCheckBox("No equipment")
        self.per_side_box = QCheckBox("One leg at a time")
        self.muscle_filter.currentIndexChanged.connect(self._on_filters_changed)
        self.equipment_free_box.toggled.connect(self._on_filters_changed)
        self.per_side_box.toggled.connect(self._on_filters_changed)

        self.exercise_details = QTextBrowser()
        self.exercise_details.setObjectName("exerciseDetails")
        self.exercise_details.setAccessibleName("How to do the exercise")

        # Two rows: the panes must stay narrow enough for a small laptop at 200 % scale.
        filters = QVBoxLayout()
        filters.addWidget(self.muscle_filter)
        checks = QHBoxLayout()
        checks.addWidget(self.equipment_free_box)
        checks.addWidget(self.per_side_box)
        filters.addLayout(checks)
        exercises_box = QGroupBox("Exercises")
        ex_layout = QVBoxLayout(exercises_box)
        ex_layout.addLayout(filters)
        ex_layout.addWidget(self.exercise_list)

        self.program_model = ProgramListModel(self._library.programs, self, self._options)
        self.program_list = QListView()
        self.program_list.setObjectName("programList")
        self.program_list.setAccessibleName("Programs")
        self.program_list.setModel(self.program_model)
        self.program_list.setWordWrap(True)  # long names wrap instead of hiding the duration
        self.program_list.selectionModel().currentChanged.connect(self._on_program_current_changed)
        self.program_list.activated.connect(lambda _i: self.start_selected_program())
        self.program_details = QLabel()
        self.program_details.setWordWrap(True)
        self.program_details.setAlignment(Qt.AlignmentFlag.AlignTop)
        self.start_button = QPushButton("Start")
        self.start_button.setObjectName("startButton")
        self.start_button.setToolTip("Start the selected program (Enter on the list)")
        self.start_button.setDefault(True)
        self.start_button.clicked.connect(self.start_selected_program)
        programs_box = QGroupBox("Programs")
        pr_layout = QVBoxLayout(programs_box)
        pr_layout.addWidget(self.program_list, 1)
        program_buttons = QGridLayout()
        self.new_program_button = QPushButton("&New")
        self.duplicate_button = QPushButton("D&uplicate")
        self.edit_button = QPushButton("&Edit…")
        self.delete_button = QPushButton("De&lete")
        for button, tip, slot in (
            (self.new_program_button, "Make a new program of your own", self.new_program),
            (
                self.duplicate_button,
                "Copy the selected program to change it",
                self.duplicate_selected_program,
            ),
            (
                self.edit_button,
                "Edit the selected program (built-in ones open read-only)",
                self.edit_selected_program,
            ),
            (
                self.delete_button,
                "Delete the selected program of yours (Ctrl+Z undoes)",
                self.delete_selected_program,
            ),
        ):
            button.setToolTip(tip)
            button.setAccessibleName(tip)
            button.clicked.connect(slot)
            index = program_buttons.count()
            program_buttons.addWidget(button, index // 2, index % 2)
        pr_layout.addLayout(program_buttons)
        pr_layout.addWidget(self.program_details, 1)
        pr_layout.addWidget(self.start_button)
        self.history_button = QPushButton("&History")
        self.history_button.setToolTip("Weekly volume, left and right, and trends (Ctrl+H)")
        self.history_button.setAccessibleName("Show the training history")
        self.history_button.clicked.connect(self.show_history)
        pr_layout.addWidget(self.history_button)

        splitter = QSplitter()
        splitter.setChildrenCollapsible(False)  # a pane dragged to nothing could not come back
        splitter.addWidget(exercises_box)
        splitter.addWidget(self.exercise_details)
        splitter.addWidget(programs_box)
        splitter.setSizes([260, 440, 400])
        from calftimer.gui.pain import PainRatingBar

        self.morning_pain_bar = PainRatingBar("")
        self.morning_pain_bar.hide()
        self.morning_pain_bar.rated.connect(lambda n: self._save_pain("next_morning", n))
        self.exercise_list.setCurrentIndex(self.exercise_filter.index(0, 0))
        self.program_list.setCurrentIndex(self.program_model.index(0, 0))
        self.equipment_free_box.setAccessibleName("Show only exercises without equipment")
        self.per_side_box.setAccessibleName("Show only one-leg exercises")
        self.start_button.setAccessibleName("Start the selected program")
        self.program_details.setAccessibleName("About the selected program")
        # Left to right, as the panes read: filters, exercises, how-to, programs, Start.
        order = [
            self.muscle_filter,
            self.equipment_free_box,
            self.per_side_box,
            self.exercise_list,
            self.exercise_details,
            self.program_list,
            self.new_program_button,
            self.duplicate_button,
            self.edit_button,
            self.delete_button,
            self.start_button,
            self.history_button,
        ]
        for first, second in itertools.pairwise(order):
            QWidget.setTabOrder(first, second)
        self.home_splitter = splitter
        home = QWidget()
        home_layout = QVBoxLayout(home)
        home_layout.setContentsMargins(0, 0, 0, 0)
        home_layout.addWidget(self.morning_pain_bar)
        home_layout.addWidget(splitter, 1)
        return home

    def _on_filters_changed(self, *_args: object) -> None:
        self.exercise_filter.set_filters(
            self.muscle_filter.currentData(),
            self.equipment_free_box.isChecked(),
            self.per_side_box.isChecked(),
        )
        if self.exercise_filter.rowCount() and not self.exercise_list.currentIndex().isValid():
            self.exercise_list.setCurrentIndex(self.exercise_filter.index(0, 0))

    def _on_exercise_current_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        ex = current.data(ExerciseRole) if current.isValid() else None
        self.exercise_details.setHtml(exercise_html(ex) if ex else "<p>No exercise matches.</p>")

    def _on_program_current_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        program: Program | None = current.data(ProgramRole) if current.isValid() else None
        if program is not None and hasattr(self, "notices"):
            self.notices.withdraw("start")  # "select a program first" is done
        if hasattr(self, "delete_button"):
            self.delete_button.setEnabled(program is not None and not program.builtin)
        if program is None:
            self.program_details.setText("")
            return
        items = "".join(
            f"<li>{escape(b.exercise.name)}: {b.sets} × {escape(target_text(b.mode, b.target))}"
            f"{' per leg' if b.sides.per_side else ''}</li>"
            for b in program.blocks
        )
        duration = format_duration(estimated_duration_ms(program, self._options))
        self.program_details.setText(
            f"<b>{escape(program.name)}</b> · about {duration}<br>{escape(program.description)}"
            f"<ul>{items}</ul>"
        )

    def selected_program(self) -> Program | None:
        index = self.program_list.currentIndex()
        return index.data(ProgramRole) if index.isValid() else None

    def start_selected_program(self) -> None:
        program = self.selected_program()
        if program is not None:
            self.start_program(program)
            return
        # Never silent: say why, and put the focus where the choice is made. Said again at
        # every press, even if dismissed before.
        self.notices.withdraw("start")
        self.notices.post(
            "start",
            "info",
            "Nothing to start: select a program in the Programs list first, then press Start "
            "(or F5).",
            summary="Select a program first (in the Programs list), then press Start.",
        )
        self.program_list.setFocus(Qt.FocusReason.OtherFocusReason)

    # --------------------------------------------------------------- the session

    def start_program(self, program: Program, *, wait_for_audio: bool = True) -> None:
        """Compile and start ``program``: from here on it runs without any input. While the
        sounds are still loading it starts as soon as they are ready (3 s at most)."""
        if wait_for_audio and self._audio_loading():
            self._program_waiting = program
            self._audio_wait_timer.start(AUDIO_READY_WAIT_MS)
            self.statusBar().showMessage(f"{program.name}: getting the sounds ready…")
            return
        self._program_waiting = None
        if self.driver is not None and not self.driver.session.state.is_over:
            self.driver.apply("abandon")
        if self.driver is not None:
            self.driver.stop_timers()
            self.driver.deleteLater()
        timeline = compile_program(program, self._options)
        self.completed_sets = []
        self.last_pain = {}
        self.current_program = program
        self.suggestions = []
        self._progression_undo = None
        self.driver = SessionDriver(Session(timeline, self._clock), self, self._sleep_clock)
        self.driver.position_changed.connect(self._on_driver_position_changed)
        self.driver.set_completed.connect(self._on_driver_set_completed)
        self.driver.state_changed.connect(self._on_driver_state_changed)
        self.driver.suspended.connect(self._on_driver_suspended)
        self.driver.cues_due.connect(self._on_driver_cues_due)
        self._held_cues = []
        if self.cue_player is not None:
            self.cue_player.reset()
        self._course_changed()
        controller = self._keep_awake_controller()
        if controller is not None:
            self.driver.state_changed.connect(controller.session_state_changed)
        self.session_view.set_timeline(timeline)
        # What was true of the last session only goes; what is true of the app (sound off,
        # read-only history) stays in the notice area, above this session too.
        for key in ("suspend", "sound-restarts", "start"):
            self.notices.withdraw(key)
        self.stack.setCurrentWidget(self.session_view)
        self.statusBar().showMessage(f"{program.name}: started. Space pauses.")
        self.driver.start()
        if self.focus_on_start and not self.in_focus_mode:
            self.toggle_focus_mode()
        if self.recorder is not None:
            self.recorder.started(program.id, program.name, self.driver.session.started_at)
        self._update_action_state()

    def _connect_session_view(self) -> None:
        v = self.session_view
        v.pause_requested.connect(self.toggle_pause)
        v.back_requested.connect(lambda: self._apply("back"))
        v.skip_requested.connect(lambda: self._apply("skip"))
        v.end_set_requested.connect(lambda: self._apply("end_set"))
        v.rest_adjust_requested.connect(lambda ms: self._apply("adjust_rest", ms))
        v.stop_requested.connect(self.confirm_stop)
        v.close_requested.connect(self.show_home)

    def _apply(self, operation: str, *args: object) -> object:
        if self.driver is None or self.stack.currentWidget() is not self.session_view:
            return None
        if operation == "back" and self.cue_player is not None:
            # Back replays a stretch: its cues may sound again (the player otherwise never
            # repeats one). Everything from the start of the timeline is allowed once more; only
            # what the session re-emits will actually play.
            self.cue_player.rewound(0)
        self._course_changed()  # take back what was handed out for the old course
        value = self.driver.apply(operation, *args)
        # ... and hand out again from where the session is now (Back moved it earlier: the
        # phrases of the replayed stretch must be offered again, ahead of their cues).
        self._course_changed()
        self._schedule_ahead()
        return value

    def pause_only(self) -> None:
        if self.driver is not None and self.driver.session.state is State.RUNNING:
            self.toggle_pause()

    def end_set_or_leave(self) -> None:
        if self._on_summary():
            self.show_home()
        else:
            self._apply("end_set")

    def toggle_pause(self) -> None:
        if self._apply("toggle_pause"):
            self.statusBar().showMessage("Paused. Press Space to resume.")
        elif self.driver is not None and self.driver.session.state is State.RUNNING:
            self.statusBar().showMessage("Running.")

    def confirm_stop(self) -> None:
        if self.driver is None or self.driver.session.state.is_over:
            self.show_home()
            return
        self.ask_to_stop()

    def ask_to_stop(self) -> bool:
        """ "Stop the session?" with the session paused while asked (Esc, Stop, Ctrl+W, Ctrl+Q,
        closing the window); True when no session is left running."""
        from calftimer.gui.stop_question import ask_to_stop

        if self.driver is None or self.driver.session.state.is_over:
            return True
        if self.stack.currentWidget() is not self.session_view:
            self.leave_focus_mode()
            self.stack.setCurrentWidget(self.session_view)  # show what would be stopped
            self._update_action_state()
        return ask_to_stop(
            self,
            lambda: None if self.driver is None else self.driver.session.state,
            lambda: self._apply("toggle_pause"),
            lambda: self._apply("abandon"),
        )

    def offer_morning_rating(self) -> None:
        """The first start of a day after training asks how the calves feel (once a day)."""
        from calftimer.core.pain import next_morning_candidate, should_ask

        if self.store is None:
            return
        now = self.wall_clock()
        state = self._window_state_file()
        last = str(state.value("pain/last_asked", "") or "")
        today = now.astimezone().date()
        try:
            last_day = date.fromisoformat(last) if last else None
        except ValueError:
            last_day = None  # a damaged entry: ask, and write a good one
        if not should_ask(last_day, today):
            return
        session = next_morning_candidate(self.store.loaded_sessions(), now)
        if session is None:
            return
        state.setValue("pain/last_asked", today.isoformat())
        self._morning_session_id = session["id"]
        started = datetime.fromisoformat(session["started_at"]).astimezone()
        when = "yesterday's" if (today - started.date()).days == 1 else f"{started:%A}'s"
        self.morning_pain_bar.ask(
            f"Good morning. Optional: how do your calves feel after {when} session "
            f"({session['program_name']}), 0-10?"
        )

    def _show_progression(self) -> None:
        """Next time's targets by the double-progression rule, with the pain given so far."""
        from calftimer.core.pain import latest_ratings
        from calftimer.core.progression import suggest

        program = self.current_program
        if program is None:
            return
        mornings = []
        if self.store is not None:
            for session in self.store.loaded_sessions():
                rating = latest_ratings(session).get("next_morning")
                if session["program_id"] == program.id and rating is not None:
                    mornings.append(rating)
        self.suggestions = suggest(
            program,
            self.completed_sets,
            pain_during=self.last_pain.get("during"),
            morning_pain=mornings,
            weight_unit=self.settings.weight_unit,
        )
        changes = any(s.block is not None for s in self.suggestions)
        self.session_view.show_next_time([s.text for s in self.suggestions], can_apply=changes)

    def apply_progression(self) -> None:
        """Put the suggested targets into the user's own copy of the program (one click)."""
        from calftimer.core.progression import apply

        program = self.current_program
        if program is None or not any(s.block is not None for s in self.suggestions):
            return
        folder = self._paths.programs_dir
        own = not program.builtin and program.id in folder_ids(folder)
        changed = apply(program, self.suggestions)
        if not own:
            changed = duplicate_program(changed, self._program_ids())
        try:
            save_user_program(folder, changed)
        except (OSError, ValueError, ProgramFileError) as exc:
            QMessageBox.warning(self, "The program was not changed", str(exc))
            return
        self._progression_undo = (changed.id, program if own else None)
        self.reload_programs(select=changed.id)
        view = self.session_view
        view.apply_next_time_button.setEnabled(False)
        view.undo_next_time_button.show()
        self.statusBar().showMessage(f"“{changed.name}” has next time's targets.")

    def undo_progression(self) -> None:
        if self._progression_undo is None:
            return
        program_id, previous = self._progression_undo
        self._progression_undo = None
        try:
            if previous is None:
                delete_user_program(self._paths.programs_dir, program_id)  # the copy it made
            else:
                save_user_program(self._paths.programs_dir, previous)
        except (OSError, ValueError, ProgramFileError) as exc:
            QMessageBox.warning(self, "The change was not undone", str(exc))
            return
        self.reload_programs()
        self.session_view.undo_next_time_button.hide()
        self.session_view.apply_next_time_button.setEnabled(True)
        self.statusBar().showMessage("Undone: the program is as it was.")

    def _save_pain(self, when: str, rating: int) -> None:
        self.last_pain = {**self.last_pain, when: rating}
        if self.recorder is None or not self.recorder.enabled:
            self.statusBar().showMessage("The rating was not saved: the history is read-only.")
        else:
            session_id = self._morning_session_id if when == "next_morning" else None
            self.recorder.pain(when, rating, session_id)
            self.statusBar().showMessage(f"Pain {rating}/10 saved. Thank you.")
        if when == "during" and self.suggestions and self._progression_undo is None:
            self._show_progression()  # the pain gate may change the advice

    def _offer_test_results(self) -> None:
        """After a heel-rise test: the counts to check and save, and what they mean."""
        from calftimer.core.exercise import Mode
        from calftimer.gui.test_results import HeelRiseResultsDialog

        tests = [r for r in self.completed_sets if r.work.mode is Mode.TEST]
        if not tests:
            return
        counts = {"left": 0, "right": 0}
        for record in tests:
            if record.work.side.value in counts:
                counts[record.work.side.value] = record.done
        dialog = HeelRiseResultsDialog(
            counts["left"], counts["right"], self.settings, self._previous_test(), self
        )
        # The session is captured now: the result belongs to it even if another one has
        # started by the time the user saves.
        session = self.recorder.current() if self.recorder is not None else None
        driver = self.driver
        dialog.accepted.connect(
            lambda: self._save_test_result(*dialog.counts(), session=session, driver=driver)
        )
        self.test_results_dialog = dialog
        dialog.open()

    def _previous_test(self) -> tuple[int, int] | None:
        """The last heel-rise result with both legs, for "since the last test"."""
        if self.store is None:
            return None
        latest: Any = None
        for session in self.store.loaded_sessions():
            for test in session["tests"]:
                both = test["left_reps"] is not None and test["right_reps"] is not None
                if both and (latest is None or test["recorded_at"] > latest["recorded_at"]):
                    latest = test
        return None if latest is None else (latest["left_reps"], latest["right_reps"])

    def _save_test_result(
        self, left: int, right: int, *, session: int | None = None, driver: Any = None
    ) -> None:
        if driver is not None and driver is self.driver:
            self._correct_test_counts(left, right)  # the summary shows what is saved
        if self.recorder is None or not self.recorder.enabled:
            self.statusBar().showMessage("The test result was not saved: the history is read-only.")
            return
        self.recorder.test_result(left, right, session)
        self.statusBar().showMessage(f"Heel-rise test saved: left {left}, right {right}.")

    def _correct_test_counts(self, left: int, right: int) -> None:
        """The counts as the user corrected them replace the metronome's in the summary (the
        sets keep what the metronome counted; the saved result holds the corrected ones)."""
        from calftimer.core.exercise import Mode

        corrected = {"left": left, "right": right}
        # The last test set of each leg is the one the dialog showed (_offer_test_results).
        last = {
            r.work.side.value: r.work.index for r in self.completed_sets if r.work.mode is Mode.TEST
        }
        self.completed_sets = [
            replace(r, done=corrected[r.work.side.value])
            if r.work.side.value in corrected and last.get(r.work.side.value) == r.work.index
            else r
            for r in self.completed_sets
        ]
        if self.driver is not None and self.driver.session.state.is_over:
            self.session_view.show_summary(list(self.completed_sets), self.driver.session.state)

    def show_history(self) -> None:
        """The weekly volume chart. Not while a session runs: training comes first."""
        if self.driver is not None and self.driver.session.state in (State.RUNNING, State.PAUSED):
            self.statusBar().showMessage("Finish or stop the session to see your history.")
            return
        if self.history_view is None and not self._chart_module_ready():
            self._show_history_placeholder()  # the chart library loads on a thread first
            return
        if self.history_view is None:
            self._make_history_view()
        self.leave_focus_mode()
        self.stack.setCurrentWidget(self.history_view)
        self.history_view.metric_combo.setFocus()
        self._refresh_history()
        self._update_action_state()

    def _make_history_view(self) -> None:
        from calftimer.gui.history_view import HistoryView

        self.history_view = HistoryView()
        self.history_view.close_requested.connect(self.show_home)
        self.history_view.png_button.clicked.connect(self._export_chart_png)
        self.history_view.csv_button.clicked.connect(self._export_chart_csv)
        self.history_view.weight_unit = self.settings.weight_unit
        self.history_view.restore_layout(self._window_state_file().value("history/splitter"))
        self.stack.addWidget(self.history_view)

    def _refresh_history(self) -> None:
        if self.history_view is None:
            return
        if self.store is None:
            self.history_view.set_history([])
            return
        self._show_loaded_history()
        if not self.store.fully_loaded:
            self.statusBar().showMessage("Reading your older history… the chart fills in shortly.")
            self._history_partly_shown = True
            self.load_history_in_background()

    def _on_history_loaded(self) -> None:
        if self.history_view is not None and self.stack.currentWidget() is self.history_view:
            self._refresh_history()  # says "All of your history is shown." once it is

    # ------------------------------------------------- history without blocking the window

    def preload_history_view(self) -> None:
        """Make the History ready while nothing else happens, so Ctrl+H opens it at once: the
        chart library is imported on a thread (0.7 s here), then the view is made. Skipped
        while a session runs or waits to start: an import holds Python's lock in long steps,
        and a cue must never wait for it (Ctrl+H then imports it the same way, on demand)."""
        QTimer.singleShot(0, self._preload_history_view_if_idle)

    def _preload_history_view_if_idle(self) -> None:
        if self._session_active() or self._program_waiting is not None:
            return
        self._import_chart_then(self._make_history_view_if_idle)

    def _make_history_view_if_idle(self) -> None:
        if self.history_view is None and not self._session_active():
            self._make_history_view_in_steps()

    def _make_history_view_in_steps(self, then: Callable[[], None] | None = None) -> None:
        """Make the view, fill it with what is read and lay it out and draw it once, off
        screen, then call ``then``: short steps in turns of the event loop, never one long
        pause of the window, and showing it afterwards is only a switch."""
        self._make_history_view()

        def fill() -> None:
            if self.store is not None and self.history_view is not None:
                if not self._history_view_filled:
                    self._show_loaded_history()
                QTimer.singleShot(0, draw)

        def draw() -> None:
            view = self.history_view
            if view is not None and self.stack.currentWidget() is not view:
                view.resize(self.stack.size())
                view.grab()  # polish, layout, fonts and chart caches: not at Ctrl+H
            if then is not None:
                QTimer.singleShot(0, then)

        QTimer.singleShot(0, fill)

    def _chart_module_ready(self) -> bool:
        import sys

        # During the import the module is in sys.modules already, half made: not ready.
        return not self._chart_importing and "calftimer.gui.history_view" in sys.modules

    def _import_chart_then(self, then: Callable[[], None]) -> None:
        """Run ``then`` in this thread once the chart module is imported, importing it on a
        worker thread if needed (pyqtgraph and numpy: 0.7 s that would freeze the window)."""
        if self._chart_module_ready():
            then()
            return
        self._chart_waiters.append(then)
        if self._chart_importing:
            return
        self._chart_importing = True
        import threading

        threading.Thread(
            target=self._import_chart_module, name="calftimer-chart-import", daemon=True
        ).start()

    def _import_chart_module(self) -> None:
        """On the import thread: the bridge carries the outcome back (queued)."""
        import importlib

        try:
            importlib.import_module("calftimer.gui.history_view")
        except Exception as exc:  # reported in the window, never lost on a thread
            self._bridge.chart_imported.emit(f"{type(exc).__name__}: {exc}")
            return
        self._bridge.chart_imported.emit("")

    def _on_chart_imported(self, error: str) -> None:
        self._chart_importing = False
        waiters, self._chart_waiters = self._chart_waiters, []
        if error:
            if self._history_placeholder is not None and (
                self.stack.currentWidget() is self._history_placeholder
            ):
                self.show_home()
            self.statusBar().showMessage(f"The history chart cannot be shown: {error}")
            return
        for then in waiters:
            then()

    def _show_history_placeholder(self) -> None:
        """Shown for the moment the chart library takes to load; Esc goes back."""
        if self._history_placeholder is None:
            placeholder = QLabel("Opening your history…")
            placeholder.setAlignment(Qt.AlignmentFlag.AlignCenter)
            placeholder.setAccessibleName("Opening your history")
            self.stack.addWidget(placeholder)
            self._history_placeholder = placeholder
        self.leave_focus_mode()
        self.stack.setCurrentWidget(self._history_placeholder)
        self._update_action_state()
        self._import_chart_then(self._on_chart_ready_for_history)

    def _on_chart_ready_for_history(self) -> None:
        if self.stack.currentWidget() is not self._history_placeholder:
            return  # the user went elsewhere meanwhile
        if self.history_view is None:
            self._make_history_view_in_steps(then=self._on_chart_ready_for_history)
            return
        self.show_history()

    def _show_loaded_history(self) -> None:
        """Put what is loaded into the History without stalling the window: a short history at
        once; a long one is prepared on a worker thread while the view shows what it had (or,
        the first time, the recent weeks), then swapped in one cheap step."""
        if self.store is None or self.history_view is None:
            return
        sessions = self.store.loaded_sessions()
        self._history_generation += 1
        target = self.settings.test_target
        if len(sessions) <= HISTORY_SHOWN_AT_ONCE:
            self.history_view.set_history(sessions, test_target=target)
            self._history_view_filled = True
            self._say_if_history_complete()
            return
        if not self._history_view_filled:
            self.history_view.set_history(recent_sessions(sessions), test_target=target)
            self._history_view_filled = True
        if not self.store.fully_loaded:
            return  # prepared once the older months are in (history_loaded)
        from calftimer.gui.history_view import prepare_history

        generation = self._history_generation
        shown = [self.history_view.metric]  # the other metrics' spikes come after: sooner shown
        if self._long_jobs is None:
            return  # made with the store: never None here
        self._long_jobs.submit(
            lambda: prepare_history(sessions, metrics=shown),
            lambda prepared, error: self._bridge.history_prepared.emit(
                (generation, prepared, error)
            ),
        )

    def _on_history_prepared(self, outcome: object) -> None:
        generation, prepared, error = outcome  # type: ignore[misc]
        if generation != self._history_generation or self.history_view is None:
            return  # a newer refresh is on its way
        if error is not None:
            self.statusBar().showMessage(f"The history could not be drawn: {error}")
            return
        self.history_view.show_prepared(prepared, test_target=self.settings.test_target)
        self._say_if_history_complete()
        # The other metrics' spikes are searched once the new chart has been painted: a worker
        # busy meanwhile would take turns with that paint and make it twice as long.
        QTimer.singleShot(SPIKES_SEARCH_DELAY_MS, lambda: self._find_other_spikes(prepared))

    def _find_other_spikes(self, prepared: Any) -> None:
        from calftimer.core.volume import METRICS
        from calftimer.gui.history_view import find_spikes

        view, sessions = self.history_view, prepared.sessions
        others = [m for m in METRICS if m not in prepared.spikes]
        if view is None or self._long_jobs is None or not others:
            return
        self._long_jobs.submit(
            lambda: find_spikes(sessions, others),
            lambda found, error: self._bridge.spikes_found.emit((view, sessions, found, error)),
        )

    def _on_spikes_found(self, outcome: object) -> None:
        view, sessions, found, error = outcome  # type: ignore[misc]
        if error is None and view is self.history_view:
            view.add_spikes(sessions, found)  # otherwise found on demand, as before

    def _say_if_history_complete(self) -> None:
        if (
            self._history_partly_shown
            and self.store is not None
            and self.store.fully_loaded
            and self.stack.currentWidget() is self.history_view
        ):
            self._history_partly_shown = False
            self.statusBar().showMessage("All of your history is shown.")

    def _export_chart_png(self) -> None:
        self._export_chart("png", "PNG image (*.png)", self.history_view.export_png)

    def _export_chart_csv(self) -> None:
        self._export_chart("csv", "CSV file (*.csv)", self.history_view.export_csv)

    def _export_chart(self, suffix: str, file_filter: str, write: Callable[[Path], None]) -> None:
        from PySide6.QtWidgets import QFileDialog

        metric = self.history_view.metric
        default = str(Path.home() / f"calftimer-{metric}-by-week.{suffix}")
        name, _ = QFileDialog.getSaveFileName(self, "Export the chart", default, file_filter)
        if not name:
            return
        target = Path(name)
        try:
            write(target)
        except OSError as exc:
            QMessageBox.warning(self, "The chart was not exported", f"{target}: {exc}")
            return
        self.statusBar().showMessage(f"Exported to {target}.")

    def show_home(self) -> None:
        self.notices.withdraw("start-where")  # at the program list now
        self.leave_focus_mode()
        self.stack.setCurrentWidget(self.home)
        self._update_action_state()

    def _on_driver_position_changed(self, position: object) -> None:
        if self.driver is None:
            raise RuntimeError("internal error: a position without a session")
        self.session_view.show_position(position, self.driver.session.timeline)  # type: ignore[arg-type]
        self._schedule_ahead()

    def _keep_awake_controller(self) -> KeepAwakeController | None:
        if self.keep_awake is None and self._keep_awake_source is not None:
            from calftimer.gui.keep_awake import KeepAwake, KeepAwakeController

            source = self._keep_awake_source
            backend = source if isinstance(source, KeepAwake) else source()
            self.keep_awake = KeepAwakeController(backend, enabled=self.settings.keep_awake)
            self.keep_awake.keep_awake_failed.connect(
                lambda text: self.notices.post("keep-awake", "warning", text)
            )
            self.keep_awake.keep_awake_restored.connect(lambda: self.notices.withdraw("keep-awake"))
        return self.keep_awake

    def _on_driver_suspended(self, asleep_ms: int) -> None:
        minutes = max(1, round(asleep_ms / 60_000))
        self.notices.post(
            "suspend",
            "info",
            f"The computer was asleep for about {minutes} min, so the session is paused; that "
            "time does not count. Press Space to continue.",
            summary="Paused while the computer slept. Space continues.",
        )

    def _on_driver_set_completed(self, record: object) -> None:
        if not isinstance(record, SetRecord):
            raise TypeError(f"internal error: a set record expected, not {record!r}")
        # A set redone after "back" replaces its earlier record rather than adding to it.
        self.completed_sets = [r for r in self.completed_sets if r.work.index != record.work.index]
        self.completed_sets.append(record)
        self.completed_sets.sort(key=lambda r: r.work.index)
        self.session_view.note_set_done(record)
        if self.recorder is not None:
            self.recorder.set_completed(record)

    def _on_store_error_raised(self, message: str) -> None:
        self.notices.post(
            "not-saved",
            "error",
            f"Your history was not saved: {message}",
            dismissible=False,  # until a later save works: the user must not miss it
        )
        QMessageBox.warning(self, "Your history was not saved", message)

    def _on_store_sets_saved(self, count: int) -> None:
        self.notices.withdraw("not-saved")  # saving works again
        if self.driver is not None and not self.driver.session.state.is_over:
            self.statusBar().showMessage(f"Saved {plural(count, 'set')}.")

    def _on_driver_state_changed(self, state: object) -> None:
        if state is not State.PAUSED:
            self.notices.withdraw("suspend")  # running again, or over: no longer paused
        if state in (State.PAUSED, State.ABANDONED) and self.cue_player is not None:
            self.cue_player.on_pause()  # pausing or stopping silences what is sounding
        if state is State.FINISHED:
            # Nothing comes after; what was handed out (the last "session done") must sound.
            self._phrase_timer.stop()
        elif state is not State.RUNNING:
            self._course_changed()
        else:
            self._schedule_ahead()
        if state is State.RUNNING and self._held_cues:
            # Cues handed out by a skip or back while paused sound when the session resumes.
            held, self._held_cues = self._held_cues, []
            self._on_driver_cues_due(held)
        if state in (State.FINISHED, State.ABANDONED) and self.recorder is not None:
            if self.driver is None:
                raise RuntimeError("internal error: a session ended without a driver")
            ended = self.driver.session.ended_at or self.driver.session.started_at
            self.recorder.ended("finished" if state is State.FINISHED else "abandoned", ended)
        if state in (State.FINISHED, State.ABANDONED):
            from calftimer.gui.audio import SoundOutput

            if state is State.FINISHED and isinstance(self.audio, SoundOutput):
                # Building the summary keeps Python busy for tens of ms, and the audio thread
                # needs Python to start the last chime, due this very moment: let it go first.
                driver = self.driver
                QTimer.singleShot(
                    SESSION_END_SETTLE_MS, lambda: self._show_session_end(state, driver)
                )
            else:
                self._show_session_end(state, self.driver)
        self._update_action_state()

    def _show_session_end(self, state: State, driver: Any) -> None:
        if driver is not self.driver:
            return  # a new session started meanwhile
        self.session_view.show_summary(list(self.completed_sets), state)
        if state is State.FINISHED:
            self._show_progression()
        self._offer_test_results()
        word = "complete" if state is State.FINISHED else "stopped"
        self.statusBar().showMessage(f"Session {word}.")
        self._update_action_state()

    # ---------------------------------------------------------------- actions

    def _build_actions(self) -> None:
        def action(text: str, keys: list[str | Qt.Key], slot: object, tip: str) -> QAction:
            act = QAction(text, self)
            act.setShortcuts([QKeySequence(k) for k in keys])
            act.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
            act.setToolTip(tip)
            act.setStatusTip(tip)
            act.triggered.connect(slot)
            self.addAction(act)
            return act

        # Presenter clickers send PgUp/PgDown, B or "." (blank screen) and F5 (start); media
        # keys come from headsets and keyboards.
        media_toggle = [Qt.Key.Key_MediaTogglePlayPause]
        self.pause_action = action(
            "&Pause / resume",
            ["Space", "B", ".", *media_toggle],
            self.toggle_pause,
            "Pause or resume the session (Space; clicker B or .; media play/pause)",
        )
        self.skip_action = action(
            "&Skip",
            ["Right", "PgDown", Qt.Key.Key_MediaNext],
            lambda: self._apply("skip"),
            "Skip to the next step (Right, Page Down, media next)",
        )
        self.back_action = action(
            "&Back",
            ["Left", "PgUp", Qt.Key.Key_MediaPrevious],
            lambda: self._apply("back"),
            "Restart this step, or go back one (Left, Page Up, media previous)",
        )
        self.start_action = action(
            "Sta&rt or resume",
            ["F5", Qt.Key.Key_MediaPlay],
            self.start_or_resume,
            "Start the selected program, or resume a paused session (F5, media play)",
        )
        self.pause_only_action = action(
            "Pa&use",
            [Qt.Key.Key_MediaPause],
            self.pause_only,
            "Pause the session, never resume it (media pause)",
        )
        # Checkable, so the menus show the state; a checkable action flips its check before
        # it triggers, so the handlers read the state from our own attributes instead.
        self._muted = False
        self._focus = False
        self.mute_action = action(
            "&Mute cues", ["M"], self.toggle_mute, "Silence the cues and voice (M)"
        )
        self.mute_action.setCheckable(True)
        self.focus_action = action(
            "&Focus mode",
            ["F11"],
            self.toggle_focus_mode,
            "Full screen, session view only (F11; Esc leaves)",
        )
        self.focus_action.setCheckable(True)
        self.history_action = action(
            "&History",
            ["Ctrl+H"],
            self.show_history,
            "Weekly volume, left and right, and trends (Ctrl+H)",
        )
        self.escape_action = action(
            "Leave focus mode or stop",
            ["Esc"],
            self.on_escape,
            "Leave focus mode, or stop the session (asks first)",
        )
        self.more_rest_action = action(
            "&More rest (+15 s)",
            ["+", "="],
            lambda: self._apply("adjust_rest", 15_000),
            "Add 15 s to the current rest",
        )
        self.less_rest_action = action(
            "&Less rest (−15 s)",
            ["-"],
            lambda: self._apply("adjust_rest", -15_000),
            "Remove 15 s from the current rest",
        )
        self.end_set_action = action(
            "&End set", ["Return", "Enter"], self.end_set_or_leave, "End the current set"
        )
        self.home_action = action(
            "Back to &programs",
            ["Ctrl+Home"],
            self.show_home,
            "Leave a finished session for the program list (also Esc or Enter there)",
        )
        self.stop_action = action(
            "S&top session…", ["Ctrl+W"], self.confirm_stop, "Stop the session (asks first; Esc)"
        )
        self.shortcuts_action = action(
            "&Keyboard shortcuts", ["?"], self.show_shortcuts, "Show every keyboard shortcut"
        )
        self.notices_action = action(
            "&Notices…",
            ["Ctrl+Shift+N"],
            self.show_notices,
            "Every notice in full: sound, screen, damaged files, recoveries (Ctrl+Shift+N)",
        )
        quit_action = action(
            "&Quit", ["Ctrl+Q"], self.request_quit, "Quit calftimer (mid-session: asks first)"
        )
        self.export_json_action = action(
            "Export &backup (JSON)…",
            ["Ctrl+E"],
            lambda: self.export_history("json"),
            "Save your whole history and programs as one JSON file",
        )
        self.export_csv_action = action(
            "Export for &spreadsheets (CSV)…",
            [],
            lambda: self.export_history("csv"),
            "One row per set, in the columns other training apps read",
        )
        self.import_action = action(
            "&Import backup or program…",
            ["Ctrl+I"],
            self.import_file,
            "Merge a calftimer backup or add a program file; shows what it adds first",
        )
        for act in (self.export_json_action, self.export_csv_action, self.import_action):
            act.setEnabled(False)  # until the history is attached
        about_action = action("&About calftimer", [], self.show_about, "Version and data folder")
        self.settings_action = action(
            "&Settings…",
            ["Ctrl+,"],
            self.open_settings,
            "Countdown, get-ready time, voice, volumes, sounds, units, screen, theme",
        )
        self.new_program_action = action(
            "&New program", ["Ctrl+N"], self.new_program, "Make a new program of your own"
        )
        self.duplicate_action = action(
            "&Duplicate program",
            ["Ctrl+D"],
            self.duplicate_selected_program,
            "Copy the selected program to change it",
        )
        self.edit_program_action = action(
            "&Edit program…",
            ["Ctrl+Shift+E"],
            self.edit_selected_program,
            "Edit the selected program",
        )
        self.delete_program_action = action(
            "De&lete program",
            ["Del"],
            self.delete_selected_program,
            "Delete the selected program of yours (undo: Ctrl+Z)",
        )
        self.undo_delete_action = action(
            "&Undo delete", ["Ctrl+Z"], self.undo_delete, "Bring back the program deleted last"
        )
        self.import_program_action = action(
            "&Import program file…",
            [],
            self.import_program,
            "Add a program from a calftimer program file",
        )
        self.export_program_action = action(
            "E&xport program file…",
            [],
            self.export_selected_program,
            "Save the selected program as a file to share",
        )

        file_menu = self.menuBar().addMenu("&File")
        file_menu.addAction(self.import_action)
        file_menu.addAction(self.export_json_action)
        file_menu.addAction(self.export_csv_action)
        file_menu.addSeparator()
        file_menu.addAction(quit_action)
        session_menu = self.menuBar().addMenu("&Session")
        for act in (
            self.start_action,
            self.pause_action,
            self.pause_only_action,
            self.back_action,
            self.skip_action,
            self.end_set_action,
            self.more_rest_action,
            self.less_rest_action,
            self.stop_action,
            self.home_action,
        ):
            session_menu.addAction(act)
        session_menu.addSeparator()
        session_menu.addAction(self.mute_action)
        programs_menu = self.menuBar().addMenu("&Programs")
        for act in (
            self.new_program_action,
            self.duplicate_action,
            self.edit_program_action,
            self.delete_program_action,
            self.undo_delete_action,
        ):
            programs_menu.addAction(act)
        programs_menu.addSeparator()
        programs_menu.addAction(self.import_program_action)
        programs_menu.addAction(self.export_program_action)
        file_menu.insertAction(quit_action, self.settings_action)
        view_menu = self.menuBar().addMenu("&View")
        view_menu.addAction(self.history_action)
        view_menu.addAction(self.focus_action)
        help_menu = self.menuBar().addMenu("&Help")
        help_menu.addAction(self.shortcuts_action)
        help_menu.addAction(self.notices_action)
        help_menu.addAction(about_action)

    def _update_action_state(self) -> None:
        summary = self._on_summary()
        self.home_action.setEnabled(self.stack.currentWidget() is not self.home)
        active = (
            self.driver is not None
            and self.stack.currentWidget() is self.session_view
            and not self.driver.session.state.is_over
        )
        for act in (
            self.pause_action,
            self.skip_action,
            self.back_action,
            self.more_rest_action,
            self.less_rest_action,
            self.end_set_action,
            self.stop_action,
        ):
            act.setEnabled(active)
        self.end_set_action.setEnabled(active or summary)  # Enter leaves the summary

    # ------------------------------------------------------------- export / import

    def export_history(self, fmt: str, target: Path | None = None) -> None:
        """Write a backup (json) or spreadsheet file (csv) on the writer thread."""
        if self.store is None or self._writer is None:
            return
        if target is None:
            default = Path.home() / f"calftimer-export-{datetime.now():%Y%m%d}.{fmt}"
            kind = (
                "JSON backup (*.json);;Compressed JSON backup (*.json.gz)"
                if fmt == "json"
                else "CSV spreadsheet (*.csv)"
            )
            chosen, _ = QFileDialog.getSaveFileName(self, "Export history", str(default), kind)
            if not chosen:
                return
            target = Path(chosen)
        store, programs = self.store, self._library.programs

        writer = self._writer
        from calftimer.core.exchange import export_csv, export_json

        def job() -> Any:
            writer.flush()  # include every set saved so far (waits here, not in the window)
            if fmt == "json":
                return export_json(target, store, programs, settings_file=self._paths.settings_file)
            return export_csv(target, store, settings_file=self._paths.settings_file)

        def done(summary: Any, error: Exception | None) -> None:
            if error is not None:
                self._bridge.job_failed.emit("Export failed", f"{target}: {error}")
            else:
                self._bridge.job_done.emit(
                    f"Exported {plural(summary.sessions, 'session')} and "
                    f"{plural(summary.sets, 'set')} to {summary.path}."
                )

        self.statusBar().showMessage("Exporting…")
        if self._long_jobs is None:
            raise RuntimeError("internal error: no background jobs before the store")
        self._long_jobs.submit(job, done)

    def import_file(self, source: Path | None = None) -> None:
        """Check the file on the writer thread, show what it adds, apply only if confirmed."""
        if self.store is None or self._writer is None or self.store.read_only:
            return
        if source is None:
            chosen, _ = QFileDialog.getOpenFileName(
                self,
                "Import a backup or program",
                str(Path.home()),
                "calftimer files (*.json *.json.gz);;All files (*)",
            )
            if not chosen:
                return
            source = Path(chosen)
        store, programs, folder = self.store, self._library.programs, self._paths.programs_dir
        from calftimer.core.exchange import ImportRefusedError, preview_import

        def done(preview: Any, error: Exception | None) -> None:
            if isinstance(error, ImportRefusedError):
                self._bridge.job_failed.emit(
                    "Nothing was imported", f"{error}\n\nNothing was changed."
                )
            elif error is not None:
                self._bridge.job_failed.emit("Import failed", f"{source}: {error}")
            else:
                self._bridge.import_previewed.emit(preview)

        self.statusBar().showMessage(f"Checking {source.name}…")
        if self._long_jobs is None:
            raise RuntimeError("internal error: no background jobs before the store")
        self._long_jobs.submit(
            lambda: preview_import(source, store, programs, programs_dir=folder), done
        )

    def _on_import_previewed(self, preview: object) -> None:
        from calftimer.core.exchange import ImportPreview, apply_import

        if not isinstance(preview, ImportPreview):
            raise TypeError(f"internal error: an import preview expected, not {preview!r}")
        text = "\n".join(preview.lines())
        if preview.nothing_to_add:
            self.statusBar().showMessage(
                f"Nothing to import: everything in {preview.source.name} is already here."
            )
            return
        answer = self.confirm("Import?", f"{text}\n\nImport it now?")
        if not answer:
            self.statusBar().showMessage("Import cancelled; nothing was changed.")
            return
        store, folder = self.store, self._paths.programs_dir
        if store is None or self._writer is None:
            raise RuntimeError("internal error: an import without a store")

        def done(result: Any, error: Exception | None) -> None:
            if error is not None:
                self._bridge.job_failed.emit("Import failed", str(error))
            else:
                self._bridge.job_done.emit(
                    f"Imported {plural(result.new_sessions, 'session')}, "
                    f"{plural(result.new_records, 'record')} and "
                    f"{plural(len(result.programs_written), 'program')}."
                )
                if result.programs_written:
                    self._bridge.programs_changed.emit()

        if self._long_jobs is None:
            raise RuntimeError("internal error: no background jobs before the store")
        self._long_jobs.submit(lambda: apply_import(preview, store, folder), done)

    # ------------------------------------------------------------------- programs

    def _program_ids(self) -> set[str]:
        return {p.id for p in self._library.programs} | folder_ids(self._paths.programs_dir)

    def _on_home(self) -> bool:
        return self.stack.currentWidget() is self.home

    def new_program(self) -> None:
        if self._on_home():
            self._edit_and_save(new_program(self._program_ids()))

    def duplicate_selected_program(self) -> None:
        program = self.selected_program()
        if program is not None and self._on_home():
            self._edit_and_save(duplicate_program(program, self._program_ids()))

    def edit_selected_program(self) -> None:
        program = self.selected_program()
        if program is not None and self._on_home():
            self._edit_and_save(program)

    def _edit_and_save(self, program: Program) -> None:
        from calftimer.gui.program_editor import ProgramEditorDialog

        dialog = ProgramEditorDialog(
            program,
            self,
            existing_ids=self._program_ids(),
            options=self._options,
            weight_unit=self.settings.weight_unit,
        )

        if not self.run_dialog(dialog):
            return
        edited = dialog.program()
        if edited.builtin:
            return
        if edited.id not in folder_ids(self._paths.programs_dir):
            # A new program (or copy) is named by the user in the editor: its id, used by
            # --start and as its file name, follows that name ("Morning holds" -> morning-holds).
            others = self._program_ids() - {edited.id}
            edited = replace(edited, id=unique_id(edited.name, others))
        try:
            save_user_program(self._paths.programs_dir, edited)
        except (OSError, ValueError, ProgramFileError) as exc:
            QMessageBox.warning(self, "The program was not saved", str(exc))
            return
        self.reload_programs(select=edited.id)
        self.statusBar().showMessage(f"Saved “{edited.name}” (start it with --start {edited.id}).")

    def run_dialog(self, dialog: Any) -> bool:
        """Run a modal dialog (tests replace this to answer it)."""
        return bool(dialog.exec())

    def delete_selected_program(self) -> None:
        program = self.selected_program()
        if program is None or program.builtin or not self._on_home():
            if program is not None and program.builtin:
                self.statusBar().showMessage("Built-in programs cannot be deleted.")
            return
        try:
            self._deleted.append(delete_user_program(self._paths.programs_dir, program.id))
        except OSError as exc:
            QMessageBox.warning(self, "The program was not deleted", str(exc))
            return
        self.reload_programs()
        self.statusBar().showMessage(f"Deleted “{program.name}”. Ctrl+Z brings it back.")

    def undo_delete(self) -> None:
        if not self._deleted:
            self.statusBar().showMessage("Nothing to undo.")
            return
        try:
            program = restore_user_program(self._deleted[-1], self._paths.programs_dir)
        except (OSError, ProgramFileError) as exc:
            QMessageBox.warning(self, "The program could not be restored", str(exc))
            return
        self._deleted.pop()
        self.reload_programs(select=program.id)
        self.statusBar().showMessage(f"Restored “{program.name}”.")

    def import_program(self, source: Path | None = None) -> None:
        if source is None:
            chosen, _ = QFileDialog.getOpenFileName(
                self,
                "Import a program file",
                str(Path.home()),
                "calftimer programs (*.json);;All files (*)",
            )
            if not chosen:
                return
            source = Path(chosen)
        try:
            program = import_program_file(source, self._paths.programs_dir, self._program_ids())
        except ProgramFileError as exc:
            QMessageBox.warning(
                self, "The program was not imported", f"{exc}\n\nNothing was changed."
            )
            return
        except OSError as exc:
            QMessageBox.warning(self, "The program was not imported", str(exc))
            return
        self.reload_programs(select=program.id)
        self.statusBar().showMessage(f"Imported “{program.name}” as {program.id}.")

    def export_selected_program(self, target: Path | None = None) -> None:
        program = self.selected_program()
        if program is None:
            return
        if target is None:
            chosen, _ = QFileDialog.getSaveFileName(
                self,
                "Export the program",
                str(Path.home() / f"{program.id}.json"),
                "calftimer programs (*.json)",
            )
            if not chosen:
                return
            target = Path(chosen)
        try:
            export_program_file(program, target)
        except (OSError, ValueError) as exc:
            QMessageBox.warning(self, "The program was not exported", str(exc))
            return
        self.statusBar().showMessage(f"Saved “{program.name}” to {target}.")

    # ------------------------------------------------------------------- settings

    def open_settings(self) -> None:
        from calftimer.gui.settings_dialog import SettingsDialog

        dialog = SettingsDialog(
            self.settings, self, system_voices=getattr(self.audio, "system_voices", None)
        )
        if self.run_dialog(dialog):
            self.apply_settings(dialog.settings(), save=True)

    def apply_settings(self, settings: Settings, *, save: bool = False) -> None:
        """Use new settings from now on (the running session keeps its timeline)."""
        self.settings = settings
        if self._explicit_options is None:
            self._options = settings.compile_options()
            self.program_model.set_options(self._options)
        self.session_view.weight_unit = settings.weight_unit
        if self.history_view is not None:
            self.history_view.weight_unit = settings.weight_unit
        app = QApplication.instance()
        if isinstance(app, QApplication) and settings.theme != self._applied_theme:
            apply_theme(app, settings.theme)
            self._applied_theme = settings.theme
            self.session_view.apply_scheme()  # the session paints its own background
            self.notice_area.apply_scheme()  # and the notice line its tint
            if self.driver is not None:
                self.driver.poll_now()  # redraw the phase colours in the new scheme
        if settings.muted != self.muted:
            self.muted = settings.muted
        if self.keep_awake is not None:
            self.keep_awake.set_enabled(settings.keep_awake)
        if not settings.keep_awake:
            self.notices.withdraw("keep-awake")  # the user lets the screen sleep: moot
        if self.cue_player is not None:
            theme_changed = settings.sound_theme != self.cue_player.settings.sound_theme
            self.cue_player.set_settings(settings)  # takes back sounds at the old volume
            self._course_changed()
            if theme_changed and hasattr(self.audio, "set_theme"):
                self.audio.set_theme(settings.sound_theme)
            if hasattr(self.audio, "set_voice"):
                self.audio.set_voice(
                    settings.voice_engine, settings.voice_rate, settings.voice_name
                )
        if save:
            try:
                save_settings(self._paths.settings_file, settings)
            except (OSError, SettingsReadOnlyError) as exc:
                QMessageBox.warning(self, "Settings not saved", f"{exc}")
                return
            self.notices.withdraw_where(lambda key: key.startswith("settings:"))  # good again
            self.statusBar().showMessage("Settings saved.")
        self.settings_changed.emit(settings)

    def reload_programs(self, select: str | None = None) -> None:
        """Read the programs folder again (after an edit or import) and refresh the picker."""
        selected = self.selected_program()
        self._library = ProgramLibrary.load(self._paths.programs_dir)
        self._show_program_problems()
        self.program_model.set_programs(self._library.programs)
        wanted = select or (selected.id if selected else None)
        row = self.program_model.row_of(wanted) if wanted else 0
        self.program_list.setCurrentIndex(self.program_model.index(max(row, 0), 0))

    def confirm(self, title: str, text: str) -> bool:
        """Ask a yes/no question (tests replace this)."""
        answer = QMessageBox.question(
            self,
            title,
            text,
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            QMessageBox.StandardButton.No,
        )
        return answer == QMessageBox.StandardButton.Yes

    def _on_job_failed(self, title: str, message: str) -> None:
        self.statusBar().showMessage(title)
        QMessageBox.warning(self, title, message)

    # ------------------------------------------------------------ focus and mute

    @property
    def in_focus_mode(self) -> bool:
        return self._focus

    def toggle_focus_mode(self) -> None:
        """Full screen with only the session view: the view for training from the floor."""
        if self.in_focus_mode or self.stack.currentWidget() is not self.session_view:
            self.leave_focus_mode()
            if self.isFullScreen():
                self.showNormal()  # --fullscreen opened the program list full screen
            elif self.stack.currentWidget() is not self.session_view:
                self.statusBar().showMessage("Focus mode shows a running session: start one.")
            return
        self._focus = True
        self.focus_action.setChecked(True)
        self.menuBar().hide()
        self.statusBar().hide()
        self.session_view.set_focus_mode(True)
        self.showFullScreen()

    def leave_focus_mode(self) -> None:
        was = self.in_focus_mode
        self._focus = False
        self.focus_action.setChecked(False)
        self.menuBar().show()
        self.statusBar().show()
        self.session_view.set_focus_mode(False)
        if was:
            self.showNormal()

    def _on_summary(self) -> bool:
        return (
            self.driver is not None
            and self.stack.currentWidget() is self.session_view
            and self.driver.session.state.is_over
        )

    def on_escape(self) -> None:
        if self.isFullScreen() and not self.in_focus_mode and self._on_home():
            self.showNormal()
        elif self.in_focus_mode and not self._on_summary():
            self.leave_focus_mode()
        elif self._on_summary() or self.stack.currentWidget() in (
            self.history_view,
            self._history_placeholder,
        ):
            self.show_home()  # a finished session or the history: Esc goes back
        elif (
            self.driver is not None
            and self.stack.currentWidget() is self.session_view
            and not self.driver.session.state.is_over
        ):
            self.confirm_stop()

    def toggle_mute(self) -> None:
        self.muted = not self.muted
        if self.settings.muted != self.muted:
            self.settings = replace(self.settings, muted=self.muted)
            with contextlib.suppress(OSError, SettingsReadOnlyError):
                save_settings(self._paths.settings_file, self.settings)
            if self.cue_player is not None:
                self.cue_player.set_settings(self.settings)
                self._course_changed()
                self._schedule_ahead()
            self.settings_changed.emit(self.settings)

    @property
    def muted(self) -> bool:
        return self._muted

    @muted.setter
    def muted(self, value: bool) -> None:
        self._muted = value
        self.mute_action.setChecked(value)
        self.session_view.set_muted(value)
        self.statusBar().showMessage("Cues muted (M to unmute)." if value else "Cues on.")

    def start_or_resume(self) -> None:
        if self.driver is not None and self.driver.session.state is State.PAUSED:
            self.toggle_pause()
        elif self.stack.currentWidget() is self.home or self._on_summary():
            self.start_selected_program()  # after a session: F5 starts the next one
        elif self.driver is not None and self.driver.session.state is State.RUNNING:
            self.statusBar().showMessage("The session is running: Space pauses, Esc stops.")
        else:
            self.notices.withdraw("start-where")  # said at every press
            self.notices.post(
                "start-where",
                "info",
                "Sessions start from the program list: press Esc (or Back to programs) to go "
                "there, select a program and press Start.",
                summary="To start a session, go back to the program list (Esc).",
            )

    def shortcut_rows(self) -> list[tuple[str, str]]:
        """Every action with its keys, from the actions themselves, so the list is complete."""
        return [row for _title, rows in self.shortcut_groups() for row in rows]

    def shortcut_groups(self) -> list[tuple[str, list[tuple[str, str]]]]:
        """The keyed actions by menu, the session's first (keys without a menu join it)."""
        from calftimer.gui.shortcuts_dialog import short_description

        def keys(act: QAction) -> str:
            texts = [k.toString(QKeySequence.SequenceFormat.NativeText) for k in act.shortcuts()]
            return ", ".join(k for k in texts if k)

        groups: list[tuple[str, list[tuple[str, str]]]] = []
        listed: set[QAction] = set()
        for entry in self.menuBar().actions():
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
            for act in self.actions()
            if keys(act) and act not in listed
        ]
        if others and groups:
            groups[0][1].extend(others)
        elif others:
            groups.append(("Other", others))
        return groups

    def show_shortcuts(self) -> None:
        from calftimer.gui.shortcuts_dialog import ShortcutsDialog

        if self.shortcuts_dialog is None:
            self.shortcuts_dialog = ShortcutsDialog(self.shortcut_groups(), self)
        self.shortcuts_dialog.resize(self.shortcuts_dialog.sizeHint())
        self.shortcuts_dialog.show()
        self.shortcuts_dialog.raise_()
        self.shortcuts_dialog.activateWindow()

    def show_about(self) -> None:
        QMessageBox.about(
            self,
            "About calftimer",
            f"<b>calftimer {escape(__version__)}</b><br>A hands-free coach for runners' calf "
            f"training.<br><br>Data folder: {escape(str(self._paths.data_dir))} "
            f"(from {escape(self._paths.source)})<br><br>Not medical advice. See a clinician for "
            "persistent pain.",
        )

    def request_quit(self) -> None:
        """Ctrl+Q: mid-session, ask as Esc does first ("Go on" keeps the window open)."""
        if self.ask_to_stop():
            self.close()

    def closeEvent(self, event: QCloseEvent) -> None:
        # The user closing the window (its close button: a spontaneous event from the window
        # system) is asked as Esc is. A close from code (Ctrl+Q after asking, the app or the
        # desktop shutting down) stops at once; what was done is kept either way.
        if event.spontaneous() and not self.ask_to_stop():
            event.ignore()
            return
        if self.driver is not None and self.driver.session.state in (State.RUNNING, State.PAUSED):
            self.driver.apply("abandon")
        if self.driver is not None:
            self.driver.stop_timers()
        if self.keep_awake is not None:
            self.keep_awake.shutdown()
        if self.history_watch is not None:
            self.history_watch.stop()  # nothing more to read for a closing window
        if self.audio is not None and hasattr(self.audio, "close"):
            self.audio.close()
        if self._writer is not None and not self._writer.flush(timeout=10):
            self.statusBar().showMessage("Still saving your history…")
        if self._long_jobs is not None:
            self._long_jobs.close(timeout=30)
        self._save_window_state()
        # Tearing down the views makes their selection models report a change; a Python slot
        # on a half-destroyed window must not run then.
        for view in (self.exercise_list, self.program_list):
            view.selectionModel().blockSignals(True)
        super().closeEvent(event)

    def _window_state_file(self) -> QSettings:
        folder = self._paths.config_dir or self._paths.data_dir
        return QSettings(str(folder / "window.ini"), QSettings.Format.IniFormat)

    def restore_window_state(self) -> None:
        """Size, position and pane widths as the user left them (a file beside the settings)."""
        state = self._window_state_file()
        geometry = state.value("geometry")
        # A hand-edited or damaged window.ini is ignored: it must never stop calftimer starting.
        if isinstance(geometry, QByteArray | bytes):
            self.restoreGeometry(geometry)  # returns False for bytes it cannot use: then ignored
        self._fit_on_screen()
        splitter = state.value("splitter")
        if isinstance(splitter, QByteArray | bytes):
            # After the restored geometry has been applied, or the panes would be laid out
            # for the old width.
            QTimer.singleShot(0, lambda: self.home_splitter.restoreState(splitter))

    def _fit_on_screen(self) -> None:
        """Never larger than the screen's free area (a small laptop at 200 % scale)."""
        screen = self.screen()
        if screen is None:
            return
        area = screen.availableGeometry()
        width, height = min(self.width(), area.width()), min(self.height(), area.height())
        if (width, height) != (self.width(), self.height()):
            self.resize(width, height)

    def _save_window_state(self) -> None:
        if self.in_focus_mode:
            self.leave_focus_mode()
        if self.isFullScreen():
            self.showNormal()  # full screen is for one session, not for the next start
        state = self._window_state_file()
        state.setValue("geometry", self.saveGeometry())
        state.setValue("splitter", self.home_splitter.saveState())
        if self.history_view is not None:
            state.setValue("history/splitter", self.history_view.layout_state())
        state.sync()

    def on_second_launch(self, argv: list[str]) -> None:
        """Another ``calftimer`` was started: come to the front and honour its ``--start``."""
        self.setWindowState(self.windowState() & ~Qt.WindowState.WindowMinimized)
        self.show()
        self.raise_()
        self.activateWindow()
        spec = _start_argument(argv)
        if spec is not None:
            from calftimer.core.library import UnknownProgramError

            try:
                program = self._library.resolve(spec)
            except (UnknownProgramError, ProgramFileError) as exc:
                self.notices.post("start", "error", f"Not started: {exc}")
                return
            if self.driver is None or self.driver.session.state.is_over:
                self.focus_on_start = self.focus_on_start or "--fullscreen" in argv
                self.start_program(program)
            else:
                self.notices.post(
                    "start",
                    "info",
                    f"Not started: a session is running; finish or stop it before starting "
                    f"{program.name}.",
                )


def recent_sessions(sessions: list[Any]) -> list[Any]:
    """The tail of ``sessions`` (oldest first) from ``HISTORY_RECENT_WEEKS`` before the last."""
    from datetime import timedelta

    if not sessions:
        return []
    newest = datetime.fromisoformat(sessions[-1]["started_at"])
    cutoff = (newest - timedelta(weeks=HISTORY_RECENT_WEEKS)).date().isoformat()
    start = len(sessions)
    while start > 0 and sessions[start - 1]["started_at"][:10] >= cutoff:
        start -= 1
    return sessions[start:]


def _start_argument(argv: list[str]) -> str | None:
    """The value of ``--start ID|FILE`` or ``--start=ID|FILE`` in a second launch's arguments."""
    for i, arg in enumerate(argv):
        if arg == "--start" and i + 1 < len(argv):
            return argv[i + 1]
        if arg.startswith("--start="):
            return arg.split("=", 1)[1]
    return None


def exercise_html(ex: Exercise) -> str:
    """The details pane: how to do it, what it works and its suggested dose."""
    muscles = ", ".join(m.value for m in ex.muscles)
    dose = f"{ex.default_sets} × {target_text(ex.mode, ex.default_target)}"
    if ex.per_side:
        dose += " per leg"
    facts = [
        ("Works", muscles),
        ("Knee", ex.knee.value),
        ("Suggested", dose),
    ]
    if ex.tempo is not None:
        facts.append(("Tempo (up/hold/down/hold, s)", ex.tempo.label()))
    if ex.metronome_bpm is not None:
        facts.append(("Metronome", f"{ex.metronome_bpm} beats per minute"))
    facts.append(("Rest between sets", f"{ex.rest_s} s"))
    facts.append(
        (
            "Added weight",
            {"none": "none", "optional": "optional", "expected": "expected"}[ex.load.value],
        )
    )
    facts.append(("Equipment", ", ".join(ex.equipment) if ex.equipment else "none"))
    rows = "".join(
        f"<tr><td><b>{escape(k)}</b>&nbsp;&nbsp;</td><td>{escape(v)}</td></tr>" for k, v in facts
    )
    steps = "".join(f"<li>{escape(s)}</li>" for s in ex.steps)
    tips = "".join(f"<li>{escape(s)}</li>" for s in ex.tips)
    safety = f"<p><b>Safety:</b> {escape(ex.safety)}</p>" if ex.safety else ""
    return (
        f"<h2>{escape(ex.name)}</h2><p><i>{escape(ex.cue)}</i></p><table>{rows}</table>"
        f"<h3>How to</h3><ol>{steps}</ol><h3>Tips</h3><ul>{tips}</ul>{safety}"
        "<p><small>Suggestions, not medical advice. See a clinician for persistent pain."
        "</small></p>"
    )
