"""The session view: what a runner reads from two metres away while training.

Phase name in a colour per phase, a very large remaining time that scales with the widget, rep,
set and side, a bar for the current rep phase, the exercise and its one-line cue, "Next: ...",
and the session's progress. It only displays a ``Position``; the driver decides everything.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QFont, QPainter, QPaintEvent, QPalette, QResizeEvent
from PySide6.QtWidgets import (
    QApplication,
    QFrame,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from calftimer.core.catalog import exercise
from calftimer.core.exercise import Mode
from calftimer.core.programs import Side
from calftimer.core.session import Position, SetRecord, State
from calftimer.core.texts import (
    PHASE_NAMES,
    SIDE_NAMES,
    clock_text,
    next_line,
    record_text,
    session_summary,
    target_text,
)
from calftimer.core.timeline import SegmentKind, Timeline, WorkSet

# The session view paints its own background so these pairs hold whatever the desktop theme:
# every phase colour keeps a contrast of at least 7:1 (WCAG AAA) against it, tested in
# tests/gui/test_session_view_contrast.py. Colour is never the only signal: the phase is also
# written out.
LIGHT_BACKGROUND, LIGHT_TEXT = "#ffffff", "#1a1a1a"
DARK_BACKGROUND, DARK_TEXT = "#121212", "#f0f0f0"
_LIGHT = {
    "ready": "#7a4100",
    "up": "#00591f",
    "hold": "#5b2a86",
    "down": "#0b3d91",
    "switch": "#005a5a",
    "done": "#333333",
}
_DARK = {
    "ready": "#ffcf70",
    "up": "#7ddc8c",
    "hold": "#d7b6ff",
    "down": "#9cc7ff",
    "switch": "#6fe0e0",
    "done": "#e0e0e0",
}
_ROLE = {
    SegmentKind.PREPARE: "ready",
    SegmentKind.UP: "up",
    SegmentKind.TOP_HOLD: "hold",
    SegmentKind.DOWN: "down",
    SegmentKind.BOTTOM_HOLD: "hold",
    SegmentKind.JUMP: "up",
    SegmentKind.HOLD: "hold",
    SegmentKind.WALK: "up",
    SegmentKind.SWITCH: "switch",
    SegmentKind.REST: "down",
    SegmentKind.DONE: "done",
}


def phase_colour(kind: SegmentKind, dark: bool) -> str:
    return (_DARK if dark else _LIGHT)[_ROLE[kind]]


FLASH_MS = 150  # long enough to see from across a room, short enough not to hide the digits


def _set_text(label: QLabel, text: str) -> None:
    if label.text() != text:
        label.setText(text)


class PhaseBar(QWidget):
    """How far the current rep phase, hold or rest has gone: a flat bar in the phase colour.

    A QProgressBar repaints itself synchronously on every change, 25 times a second here; this
    only asks for an update, and only when a pixel would change. It paints its own background
    (opaque), so an update does not make the session view paint its style-sheet background
    under it first.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._fraction = 0.0
        self._colour = QColor("#0b3d91")
        self._background = QColor("#ffffff")
        self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent, True)
        self.setMinimumHeight(18)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)

    def fraction(self) -> float:
        return self._fraction

    def set_fraction(self, fraction: float) -> None:
        fraction = min(1.0, max(0.0, fraction))
        if round(fraction * self.width()) != round(self._fraction * self.width()):
            self._fraction = fraction
            self.update()
        else:
            self._fraction = fraction

    def set_colour(self, colour: str) -> None:
        self._colour = QColor(colour)
        self.update()

    def set_background(self, colour: str) -> None:
        self._background = QColor(colour)
        self.update()

    def sizeHint(self) -> QSize:
        return QSize(200, max(18, self.fontMetrics().height()))

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.fillRect(self.rect(), self._background)
        painter.setPen(self._colour)
        painter.drawRect(self.rect().adjusted(0, 0, -1, -1))
        filled = self.rect().adjusted(0, 0, 0, 0)
        filled.setWidth(round(self.width() * self._fraction))
        painter.fillRect(filled, self._colour)
        painter.end()


class SessionView(QWidget):
    pause_requested = Signal()
    back_requested = Signal()
    skip_requested = Signal()
    end_set_requested = Signal()
    rest_adjust_requested = Signal(int)
    stop_requested = Signal()
    close_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("sessionView")
        self._timeline: Timeline | None = None
        # What the last full update showed (segment, state, timeline): a frame of the same
        # only moves the time.
        self._frame_key: tuple[int, State, Timeline] | None = None
        self._dark = False
        self._colour = ""
        self._flash_overlay: QWidget | None = None
        self.weight_unit = "kg"  # the settings' unit for loads shown here

        self.program_label = QLabel()
        self.program_label.setObjectName("programLabel")
        self.exercise_label = QLabel()
        self.exercise_label.setObjectName("exerciseLabel")
        self.cue_label = QLabel()
        self.cue_label.setObjectName("cueLabel")
        self.cue_label.setWordWrap(True)
        self.phase_label = QLabel()
        self.phase_label.setObjectName("phaseLabel")
        self.phase_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.time_label = QLabel("0:00")
        self.time_label.setObjectName("timeLabel")
        self.time_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        # Ignored: the digits scale with the view, so they must never push the window bigger.
        self.time_label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Ignored)
        self.phase_bar = PhaseBar()
        self.phase_bar.setObjectName("phaseBar")
        self.phase_bar.setAccessibleName("Progress of the current phase")
        self.rep_label = QLabel()
        self.rep_label.setObjectName("repLabel")
        self.set_label = QLabel()
        self.set_label.setObjectName("setLabel")
        self.side_label = QLabel()
        self.side_label.setObjectName("sideLabel")
        self.next_label = QLabel()
        self.next_label.setObjectName("nextLabel")
        self.next_label.setWordWrap(True)
        self.session_bar = QProgressBar()
        self.session_bar.setObjectName("sessionBar")
        self.session_bar.setRange(0, 1000)
        self.session_bar.setFormat("")
        self.session_bar.setAccessibleName("Progress of the session")
        self.remaining_label = QLabel()
        self.remaining_label.setObjectName("remainingLabel")
        self.summary_label = QLabel()
        self.summary_label.setObjectName("summaryLabel")
        self.summary_label.setWordWrap(True)
        self.summary_label.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.summary_area = QScrollArea()
        self.summary_area.setWidgetResizable(True)
        self.summary_area.setWidget(self.summary_label)
        self.summary_area.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Ignored)
        self.summary_area.hide()
        # The last set recorded, shown as "Done: 12 reps." in the pause right after it only.
        self.last_record: SetRecord | None = None

        for label in (self.rep_label, self.set_label, self.side_label):
            label.setAlignment(Qt.AlignmentFlag.AlignCenter)

        self.pause_button = self._button(
            "Pause", "Pause or resume the session (Space)", self.pause_requested
        )
        self.back_button = self._button(
            "◀ Back", "Restart this step, or go back one (Left)", self.back_requested
        )
        self.skip_button = self._button(
            "Skip ▶", "Skip to the next step (Right)", self.skip_requested
        )
        self.end_set_button = self._button(
            "End set", "End this set now, e.g. a test (Enter)", self.end_set_requested
        )
        self.less_rest_button = self._button("−15 s", "Shorten this rest by 15 s (−)", None)
        self.less_rest_button.clicked.connect(lambda: self.rest_adjust_requested.emit(-15_000))
        self.more_rest_button = self._button("+15 s", "Lengthen this rest by 15 s (+)", None)
        self.more_rest_button.clicked.connect(lambda: self.rest_adjust_requested.emit(15_000))
        self.stop_button = self._button("Stop", "Stop the session (Esc)", self.stop_requested)
        self.close_button = self._button(
            "Back to programs", "Leave the finished session", self.close_requested
        )
        self.close_button.hide()

        counters = QHBoxLayout()
        counters.addWidget(self.rep_label, 1)
        counters.addWidget(self.set_label, 1)
        counters.addWidget(self.side_label, 1)
        self.muted_label = QLabel("MUTED")
        self.muted_label.setObjectName("mutedLabel")
        self.muted_label.setAccessibleName("Cues are muted")
        self.muted_label.hide()
        self._focus_mode = False
        self._buttons_row = QWidget()
        buttons = QHBoxLayout(self._buttons_row)
        buttons.setContentsMargins(0, 0, 0, 0)
        for b in (
            self.back_button,
            self.pause_button,
            self.skip_button,
            self.end_set_button,
            self.less_rest_button,
            self.more_rest_button,
            self.stop_button,
            self.close_button,
        ):
            buttons.addWidget(b)
        progress = QHBoxLayout()
        progress.addWidget(self.session_bar, 1)
        progress.addWidget(self.remaining_label)
        progress.addWidget(self.muted_label)

        layout = QVBoxLayout(self)
        layout.addWidget(self.program_label)
        layout.addWidget(self.exercise_label)
        layout.addWidget(self.cue_label)
        layout.addWidget(self.phase_label)
        layout.addWidget(self.time_label, 1)
        layout.addWidget(self.phase_bar)
        layout.addLayout(counters)
        layout.addWidget(self.next_label)
        layout.addWidget(self.summary_area, 1)
        from calftimer.gui.pain import PainRatingBar

        self.pain_bar = PainRatingBar(
            "Optional: how much did your calves hurt during this session (0-10)?"
        )
        self.pain_bar.hide()
        layout.addWidget(self.pain_bar)
        self.next_time_box = QFrame()
        self.next_time_box.setFrameShape(QFrame.Shape.StyledPanel)
        self.next_time_box.setAccessibleName("Suggestions for next time")
        self.next_time_label = QLabel()
        self.next_time_label.setWordWrap(True)
        self.apply_next_time_button = QPushButton("&Apply to my copy")
        self.apply_next_time_button.setToolTip(
            "Change the targets in your own copy of this program (a built-in one is copied)"
        )
        self.undo_next_time_button = QPushButton("&Undo")
        self.undo_next_time_button.hide()
        next_row = QHBoxLayout()
        next_row.addWidget(self.next_time_label, 1)
        next_row.addWidget(self.apply_next_time_button)
        next_row.addWidget(self.undo_next_time_button)
        QVBoxLayout(self.next_time_box).addLayout(next_row)
        self.next_time_box.hide()
        layout.addWidget(self.next_time_box)
        layout.addLayout(progress)
        layout.addWidget(self._buttons_row)
        self._apply_fonts()
        self.apply_scheme()

    def _button(self, text: str, tip: str, signal: Signal | None) -> QPushButton:
        button = QPushButton(text)
        button.setToolTip(tip)
        button.setAccessibleName(tip.split(" (")[0])
        button.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # keys go to the window's shortcuts
        if signal is not None:
            button.clicked.connect(signal.emit)
        return button

    # ------------------------------------------------------------------ display

    def session_buttons(self) -> tuple[QPushButton, ...]:
        return (
            self.pause_button,
            self.back_button,
            self.skip_button,
            self.end_set_button,
            self.less_rest_button,
            self.more_rest_button,
            self.stop_button,
        )

    def set_timeline(self, timeline: Timeline) -> None:
        self._timeline = timeline
        self._frame_key = None
        self.program_label.setText(timeline.program_name)
        self.last_record = None
        self.summary_area.hide()
        self.pain_bar.hide()
        self.next_time_box.hide()
        self.close_button.hide()
        self.time_label.show()
        self.phase_bar.show()
        for b in self.session_buttons():
            b.show()

    @property
    def dark(self) -> bool:
        return self._dark

    def apply_scheme(self, dark: bool | None = None) -> None:
        """Light or dark session colours; by default follow the application's palette."""
        if dark is None:
            # The application's palette, not ours: our own style sheet paints our background.
            palette = QApplication.palette()
            dark = palette.color(QPalette.ColorRole.Window).lightness() < 128
        if dark == self._dark and self.styleSheet():
            return
        self._dark = dark
        self._colour = ""  # the phase colours change with the scheme
        self._frame_key = None  # the next frame repaints everything in them
        background = DARK_BACKGROUND if dark else LIGHT_BACKGROUND
        text = DARK_TEXT if dark else LIGHT_TEXT
        self.setStyleSheet(
            f"#sessionView {{ background: {background}; }} #sessionView QLabel {{ color: {text}; }}"
            # The session bar's empty part must show against either background.
            f" #sessionBar {{ border: 1px solid {text}; background: {background}; height: 14px; }}"
            f" #sessionBar::chunk {{ background: {text}; }}"
        )
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        self.phase_bar.set_background(background)

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.ApplicationPaletteChange:
            self.apply_scheme()  # the theme changed (settings, or the desktop's dark mode)

    def flash(self, colour: str | None = None) -> None:
        """A short flash over the whole view: the cue, seen instead of heard (no sound)."""
        if self._flash_overlay is None:
            self._flash_overlay = QWidget(self)
            self._flash_overlay.setObjectName("flashOverlay")
            self._flash_overlay.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
            self._flash_overlay.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        overlay = self._flash_overlay
        shade = QColor(colour or self._colour or "#ffffff")
        rgba = f"rgba({shade.red()}, {shade.green()}, {shade.blue()}, 110)"
        overlay.setStyleSheet(f"#flashOverlay {{ background: {rgba}; }}")
        overlay.setGeometry(self.rect())
        overlay.raise_()
        overlay.show()
        QTimer.singleShot(FLASH_MS, overlay.hide)

    def set_focus_mode(self, on: bool) -> None:
        """Focus mode drops the buttons: the runner is two metres away, keys and clickers
        still work."""
        self._focus_mode = on
        self._buttons_row.setVisible(not on)

    def set_muted(self, muted: bool) -> None:
        self.muted_label.setVisible(muted)

    def note_set_done(self, record: SetRecord) -> None:
        self.last_record = record

    def _done_text(self, timeline: Timeline, segment_index: int) -> str:
        """ "Done: 12 reps." in a pause, when the set just before it was recorded (a set skipped
        at once records nothing: then nothing is said, rather than an older set's result)."""
        record = self.last_record
        if record is None:
            return ""
        upcoming = timeline.next_work_set(segment_index)
        before = (upcoming.index if upcoming is not None else len(timeline.work_sets)) - 1
        return f"Done: {record_text(record)}." if record.work.index == before >= 0 else ""

    def show_frame(self, pos: Position, timeline: Timeline) -> None:
        """A frame between two wake-ups of the session: within one segment only the time
        moves, so only what shows the time is touched (the frame runs 20 times a second; the
        full update cost about as much as the rest of the session together)."""
        if (pos.segment.index, pos.state, timeline) != self._frame_key:
            self.show_position(pos, timeline)
            return
        self._show_time(pos, timeline)

    def _show_time(self, pos: Position, timeline: Timeline) -> None:
        seg = pos.segment
        _set_text(self.time_label, self._big_number(pos))
        self.phase_bar.set_fraction(
            0.0 if seg.duration_ms == 0 else pos.segment_elapsed_ms / seg.duration_ms
        )
        if pos.work_set is not None:
            _set_text(self.rep_label, self._rep_text(pos))
        total = timeline.duration_ms
        self.session_bar.setValue(0 if total == 0 else 1000 * pos.t_ms // total)
        _set_text(self.remaining_label, f"{clock_text(pos.total_remaining_ms)} left")

    def show_position(self, pos: Position, timeline: Timeline) -> None:
        self._timeline = timeline
        self._frame_key = (pos.segment.index, pos.state, timeline)
        seg = pos.segment
        kind = seg.kind
        phase = PHASE_NAMES[kind]
        if kind is SegmentKind.SWITCH and pos.work_set is not None:
            phase = f"SWITCH TO {pos.work_set.side.value.upper()} LEG"
        if pos.state is State.PAUSED:
            phase = f"PAUSED · {phase}"
        # This runs for every frame: change a widget only when what it shows changes, so Qt
        # repaints only that (restyling the big digits every frame cost 2-3 % of a core).
        _set_text(self.phase_label, phase)
        colour = phase_colour(kind, self._dark)
        if colour != self._colour:
            self._colour = colour
            self.phase_label.setStyleSheet(f"color: {colour};")
            self.time_label.setStyleSheet(f"color: {colour};")
            self.phase_bar.set_colour(colour)
        work = pos.work_set
        if work is not None:
            ex = exercise(work.exercise_id)
            _set_text(self.exercise_label, self._exercise_text(timeline, seg.work_index, work))
            _set_text(self.cue_label, ex.cue)
            _set_text(self.set_label, f"Set {work.set_number} / {work.sets}")
            _set_text(self.side_label, SIDE_NAMES[work.side])
        else:
            _set_text(self.exercise_label, "Session complete" if kind is SegmentKind.DONE else "")
            for label in (self.cue_label, self.set_label, self.side_label, self.rep_label):
                _set_text(label, "")
        upcoming = next_line(timeline, seg.index, self.weight_unit)
        done = self._done_text(timeline, seg.index) if seg.work_index < 0 else ""
        if done and kind is not SegmentKind.DONE:
            upcoming = f"{done}   {upcoming}"
        _set_text(self.next_label, upcoming)
        self._show_time(pos, timeline)

        pausing = kind in (SegmentKind.REST, SegmentKind.SWITCH, SegmentKind.PREPARE)
        self.less_rest_button.setEnabled(pausing)
        self.more_rest_button.setEnabled(pausing)
        self.end_set_button.setEnabled(seg.work_index >= 0)
        self.pause_button.setText("Resume" if pos.state is State.PAUSED else "Pause")

    @staticmethod
    def _exercise_text(timeline: Timeline, work_index: int, work: WorkSet) -> str:
        """The exercise being done, or in a pause what comes next: between the legs of one
        exercise that is the other leg, not the same name again."""
        name = exercise(work.exercise_id).name
        if work_index >= 0:
            return name
        before = timeline.work_sets[work.index - 1] if work.index > 0 else None
        if (
            before is not None
            and before.block_index == work.block_index
            and before.side is not work.side
            and work.side is not Side.BOTH
        ):
            return f"Up next: {work.side.value} leg"
        return f"Up next: {name}"

    def _big_number(self, pos: Position) -> str:
        seg = pos.segment
        if seg.kind is SegmentKind.DONE:
            return "✓"
        work = pos.work_set
        if seg.work_index >= 0 and work is not None and work.mode is Mode.TEST:
            return str(pos.rep_done_in_set)  # a test counts up: there is no time limit to show
        if seg.work_index >= 0 and work is not None and work.mode is Mode.REPS:
            if seg.kind is SegmentKind.JUMP:
                return str(seg.rep)  # half-second contacts: count them
            # Pace the phase: "DOWN 3, 2, 1". The rep number is on the counter below.
            return str(-(-pos.segment_remaining_ms // 1000))
        return clock_text(pos.segment_remaining_ms)

    def _rep_text(self, pos: Position) -> str:
        seg, work = pos.segment, pos.work_set
        if work is None:
            raise RuntimeError("internal error: a rep count outside a work set")
        if seg.work_index < 0:
            return (
                "To failure"
                if work.mode is Mode.TEST
                else f"Target {target_text(work.mode, work.target)}"
            )
        if work.mode is Mode.TEST:
            return f"Reps {pos.rep_done_in_set}"
        if work.mode is Mode.REPS:
            return f"Rep {seg.rep} / {work.target}"
        return f"Target {target_text(work.mode, work.target)}"

    def show_next_time(self, lines: list[str], *, can_apply: bool) -> None:
        """The progression suggestions after a session ("Next time: 3 x 17")."""
        if not lines:
            self.next_time_box.hide()
            return
        self.next_time_label.setText("Next time (a suggestion):\n" + "\n".join(lines))
        self.apply_next_time_button.setVisible(can_apply)
        self.apply_next_time_button.setEnabled(can_apply)
        self.undo_next_time_button.hide()
        self.next_time_box.show()

    def show_summary(self, records: list[SetRecord], state: State) -> None:
        heading = "Session complete." if state is State.FINISHED else "Session stopped."
        lines = [heading, *session_summary(records)]
        if not records:
            lines.append("No sets were done.")
        self.summary_label.setText("\n".join(lines))
        # Nothing of the live session stays on screen: it is over.
        self.phase_label.setText("DONE" if state is State.FINISHED else "STOPPED")
        self.exercise_label.setText(heading.rstrip("."))
        for label in (
            self.cue_label,
            self.rep_label,
            self.set_label,
            self.side_label,
            self.next_label,
            self.remaining_label,
        ):
            label.setText("")
        self.summary_area.show()
        if records:
            self.pain_bar.ask()
        self.time_label.hide()
        self.phase_bar.hide()
        for b in self.session_buttons():
            b.hide()
        self.close_button.show()

    # ------------------------------------------------------------------- layout

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._apply_fonts()

    def _apply_fonts(self) -> None:
        """Scale the digits with the window so they stay readable from across a room."""
        h = max(self.height(), 300)
        w = max(self.width(), 300)
        big = max(48, min(int(h * 0.30), int(w * 0.22)))
        self._set_px(self.time_label, big, bold=True)
        self._set_px(self.phase_label, max(24, big // 3), bold=True)
        for label in (self.rep_label, self.set_label, self.side_label):
            self._set_px(label, max(18, big // 5), bold=True)
        self._set_px(self.exercise_label, max(18, big // 6), bold=True)
        for label in (
            self.cue_label,
            self.next_label,
            self.program_label,
            self.summary_label,
            self.remaining_label,
            self.muted_label,
        ):
            self._set_px(label, max(14, big // 9))

    @staticmethod
    def _set_px(label: QLabel, px: int, *, bold: bool = False) -> None:
        font = QFont(label.font())
        font.setPixelSize(px)
        font.setBold(bold)
        label.setFont(font)
