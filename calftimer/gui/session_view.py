"""The session view: what a runner reads from two metres away while training, and the summary
after it.

During the session: the exercise and its one-line cue, the phase name in a colour per phase, a
very large remaining time (or count) that fills the space it is given, a bar for the current
phase, rep, set, leg and the load of the set, "Next: ...", and a thick line for the whole
session with the time left. A slot left of the digits (``figure_slot``, empty until
``set_figure``) holds the figure that shows the movement. It only displays a ``Position``; the
driver decides everything.

After it: a table per exercise and leg (planned, done, time under tension, load) with the pain
question and next time's suggestions beside it, sized to fit a 1366 x 768 screen unscrolled.

Type scale: every size derives from one step (``_Scale``) that follows the view's height, so the
proportions hold from a laptop to a TV and at 200 % scaling.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QSize, Qt, QTimer, Signal
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontMetrics,
    QPainter,
    QPaintEvent,
    QPalette,
    QResizeEvent,
)
from PySide6.QtWidgets import (
    QApplication,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSizePolicy,
    QStackedLayout,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from calftimer.core.catalog import exercise
from calftimer.core.exercise import Mode
from calftimer.core.i18n import N_, _, p_
from calftimer.core.programs import Side, program_display_name
from calftimer.core.session import Position, SetRecord, State
from calftimer.core.settings import format_load
from calftimer.core.summary import summary_rows
from calftimer.core.texts import (
    clock_text,
    leg_name,
    next_line,
    phase_name,
    record_text,
    session_summary,
    side_name,
    target_text,
)
from calftimer.core.timeline import SegmentKind, Timeline, WorkSet

# The session view paints its own background so these pairs hold whatever the desktop theme:
# every phase colour keeps a contrast of at least 7:1 (WCAG AAA) against it, tested in
# tests/gui/test_session_view_contrast.py. Colour is never the only signal: the phase is also
# written out.
LIGHT_BACKGROUND, LIGHT_TEXT = "#ffffff", "#1a1a1a"
DARK_BACKGROUND, DARK_TEXT = "#121212", "#f0f0f0"
# Secondary text (program name, "Next:", time left, the table's rules): quieter, still >= 7:1.
LIGHT_QUIET, DARK_QUIET = "#474747", "#c4c4c4"
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
        self._marks: tuple[float, ...] = ()
        self._background = QColor("#ffffff")
        self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent, True)
        self.setMinimumHeight(8)
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
        if QColor(colour) != self._colour:
            self._colour = QColor(colour)
            self.update()

    def set_background(self, colour: str) -> None:
        if QColor(colour) != self._background:
            self._background = QColor(colour)
            self.update()

    def marks(self) -> tuple[float, ...]:
        return self._marks

    def set_marks(self, marks: tuple[float, ...]) -> None:
        """Thin notches where each exercise starts (fractions of the bar)."""
        if marks != self._marks:
            self._marks = marks
            self.update()

    def sizeHint(self) -> QSize:
        return QSize(200, max(self.minimumHeight(), 18))

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.fillRect(self.rect(), self._background)
        painter.setPen(self._colour)
        painter.drawRect(self.rect().adjusted(0, 0, -1, -1))
        filled = self.rect().adjusted(0, 0, 0, 0)
        filled.setWidth(round(self.width() * self._fraction))
        painter.fillRect(filled, self._colour)
        if self._marks:
            # A notch in the background's colour over the filled part, in the bar's colour over
            # the empty part: visible on both, never mistaken for progress.
            height = max(3, self.height() // 3)
            for mark in self._marks:
                x = round(self.width() * mark)
                done = x <= filled.right()
                painter.fillRect(x, 0, 2, height, self._background if done else self._colour)
        painter.end()


class FittedLabel(QLabel):
    """One line at the type scale's size, made smaller when its text would not fit its width
    (a long phase such as "PAUSED · SWITCH TO RIGHT LEG" beside the figure), never clipped.
    It asks for no width of its own: the digits and the figure decide the layout."""

    def __init__(self, text: str = "", parent: QWidget | None = None) -> None:
        super().__init__(text, parent)
        self._px = 14
        self._bold = False
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.setMinimumWidth(1)

    def set_type(self, px: int, *, bold: bool = False) -> None:
        """The size the type scale gives this line."""
        if (px, bold) != (self._px, self._bold):
            self._px, self._bold = px, bold
            self._fit()

    def setText(self, text: str) -> None:
        super().setText(text)
        self._fit()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._fit()

    def _fit(self) -> None:
        font = QFont(self.font())
        font.setBold(self._bold)
        font.setPixelSize(self._px)
        width = QFontMetrics(font).horizontalAdvance(self.text())
        room = self.width() - 2 * self.margin()
        px = self._px
        if width > room > 0:
            px = max(10, int(self._px * room / width))
        font.setPixelSize(px)
        if font != self.font():
            self.setFont(font)


class BigNumber(QLabel):
    """The remaining time or count: its font follows its own size, so the digits fill what the
    layout gives them and are never clipped; it asks for no space, so it never grows the
    window."""

    WIDEST = "00:00"  # the widest text a step shows (a rest, a hold: minutes and seconds)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("0:00", parent)
        self.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Ignored)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        font = QFont(self.font())
        font.setBold(True)
        font.setPixelSize(100)
        metrics = QFontMetrics(font)
        scale = min(
            0.95 * self.width() / metrics.horizontalAdvance(self.WIDEST),
            self.height() / metrics.height(),
        )
        px = max(12, int(100 * scale))
        if px != self.font().pixelSize() or not self.font().bold():
            font.setPixelSize(px)
            self.setFont(font)


class _Scale:
    """The type scale: one step from the view's height, sizes in steps of about 1.33."""

    def __init__(self, height: int) -> None:
        step = min(44, max(13, height // 24))
        self.small = max(13, round(step * 0.6))  # program, "Next:", time left, table
        self.body = max(15, round(step * 0.78))  # the cue, summary totals
        self.title = max(18, step)  # the exercise, rep / set / leg / load
        self.phase = max(24, round(step * 1.6))  # UP, HOLD, REST...
        self.gap = max(4, step // 3)  # spacing between groups
        self.line = max(10, step * 2 // 3)  # the session's progress line


class SessionView(QWidget):
    pause_requested = Signal()
    back_requested = Signal()
    skip_requested = Signal()
    end_set_requested = Signal()
    rest_adjust_requested = Signal(int)
    stop_requested = Signal()
    close_requested = Signal()

    SUMMARY_COLUMNS = (N_("Exercise"), N_("Leg"), N_("Planned"), N_("Done"), N_("TUT"), N_("Load"))

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("sessionView")
        self._timeline: Timeline | None = None
        self._dark = False
        self._colour = ""
        self._flash_overlay: QWidget | None = None
        self._weight_unit = "kg"  # the settings' unit for loads shown here
        # What the slow part of show_position last showed; None: show everything again.
        self._shown: tuple[int, State] | None = None
        self._test_set = False  # a test set's rep count changes within its one segment
        # The last set recorded, shown as "Done: 12 reps." in the pause right after it only.
        self.last_record: SetRecord | None = None
        self._focus_mode = False

        # --- the header: program, exercise, cue (both modes)
        self.program_label = QLabel()
        self.program_label.setObjectName("programLabel")
        self.muted_label = QLabel(_("MUTED"))
        self.muted_label.setObjectName("mutedLabel")
        self.muted_label.setAccessibleName(_("Cues are muted"))
        self.muted_label.hide()
        self.exercise_label = FittedLabel()
        self.exercise_label.setObjectName("exerciseLabel")
        self.cue_label = QLabel()
        self.cue_label.setObjectName("cueLabel")
        self.cue_label.setWordWrap(True)

        # --- the live session
        self.phase_label = FittedLabel()
        self.phase_label.setObjectName("phaseLabel")
        self.phase_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.time_label = BigNumber()
        self.time_label.setObjectName("timeLabel")
        self.phase_bar = PhaseBar()
        self.phase_bar.setObjectName("phaseBar")
        self.phase_bar.setAccessibleName(_("Progress of the current phase"))
        self.figure_slot = QWidget()
        self.figure_slot.setObjectName("figureSlot")
        self.figure_slot.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Ignored)
        QVBoxLayout(self.figure_slot).setContentsMargins(0, 0, 0, 0)
        self.figure_slot.hide()  # until a figure is put in: the digits have the width
        self.rep_label = FittedLabel()
        self.rep_label.setObjectName("repLabel")
        self.set_label = FittedLabel()
        self.set_label.setObjectName("setLabel")
        self.side_label = FittedLabel()
        self.side_label.setObjectName("sideLabel")
        self.load_label = FittedLabel()
        self.load_label.setObjectName("loadLabel")
        self.load_label.setAccessibleName(_("Load of this set"))
        for label in (self.rep_label, self.set_label, self.side_label, self.load_label):
            label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.next_label = QLabel()
        self.next_label.setObjectName("nextLabel")
        self.next_label.setWordWrap(True)
        self.session_bar = PhaseBar()
        self.session_bar.setObjectName("sessionBar")
        self.session_bar.setAccessibleName(_("Progress of the session"))
        self.remaining_label = QLabel()
        self.remaining_label.setObjectName("remainingLabel")

        self.pause_button = self._button(
            _("Pause"), _("Pause or resume the session (Space)"), self.pause_requested
        )
        self.back_button = self._button(
            _("◀ Back"), _("Restart this step, or go back one (Left)"), self.back_requested
        )
        self.skip_button = self._button(
            _("Skip ▶"), _("Skip to the next step (Right)"), self.skip_requested
        )
        self.end_set_button = self._button(
            _("End set"), _("End this set now, e.g. a test (Enter)"), self.end_set_requested
        )
        self.less_rest_button = self._button("−15 s", _("Shorten this rest by 15 s (−)"), None)
        self.less_rest_button.clicked.connect(lambda: self.rest_adjust_requested.emit(-15_000))
        self.more_rest_button = self._button("+15 s", _("Lengthen this rest by 15 s (+)"), None)
        self.more_rest_button.clicked.connect(lambda: self.rest_adjust_requested.emit(15_000))
        self.stop_button = self._button(_("Stop"), _("Stop the session (Esc)"), self.stop_requested)
        self.close_button = self._button(
            _("Back to programs"), _("Leave the finished session"), self.close_requested
        )

        # --- the summary
        self.summary_label = QLabel()
        self.summary_label.setObjectName("summaryLabel")
        self.summary_label.setWordWrap(True)
        self.summary_table = QTableWidget(0, len(self.SUMMARY_COLUMNS))
        self.summary_table.setObjectName("summaryTable")
        self.summary_table.setAccessibleName(_("Sets by exercise and leg: planned and done"))
        self.summary_table.setHorizontalHeaderLabels([_(c) for c in self.SUMMARY_COLUMNS])
        self.summary_table.verticalHeader().hide()
        self.summary_table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.summary_table.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        self.summary_table.setShowGrid(False)
        # Like the buttons: Enter, Space and the arrows stay the window's (Enter leaves).
        self.summary_table.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        # An exercise's name may take two lines (a translation runs ~30 % longer than the
        # English); every other cell stays on one line (ResizeToContents gives it its width).
        self.summary_table.setWordWrap(True)
        self.summary_table.verticalHeader().setSectionResizeMode(
            QHeaderView.ResizeMode.ResizeToContents
        )
        header = self.summary_table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setHighlightSections(False)
        self.summary_table.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Ignored)
        from calftimer.gui.pain import PainRatingBar

        self.pain_bar = PainRatingBar(
            _("Optional: how much did your calves hurt during this session (0-10)?"), columns=6
        )
        self.pain_bar.setObjectName("painBar")
        self.pain_bar.hide()
        self.next_time_box = QFrame()
        self.next_time_box.setObjectName("nextTimeBox")
        self.next_time_box.setFrameShape(QFrame.Shape.StyledPanel)
        self.next_time_box.setAccessibleName(_("Suggestions for next time"))
        self.next_time_label = QLabel()
        self.next_time_label.setWordWrap(True)
        self.apply_next_time_button = QPushButton(_("&Apply to my copy"))
        self.apply_next_time_button.setToolTip(
            _("Change the targets in your own copy of this program (a built-in one is copied)")
        )
        self.undo_next_time_button = QPushButton(_("&Undo"))
        self.undo_next_time_button.hide()
        next_buttons = QHBoxLayout()
        next_buttons.addStretch(1)
        next_buttons.addWidget(self.apply_next_time_button)
        next_buttons.addWidget(self.undo_next_time_button)
        next_layout = QVBoxLayout(self.next_time_box)
        next_layout.addWidget(self.next_time_label)
        next_layout.addLayout(next_buttons)
        self.next_time_box.hide()

        self._build_layout()
        self._apply_fonts()
        self.apply_scheme()

    def _build_layout(self) -> None:
        header = QHBoxLayout()
        header.addWidget(self.program_label, 1)
        header.addWidget(self.muted_label)

        # Live: [figure | phase, digits, phase bar], then the counters, "Next:", the session's
        # line and the buttons.
        digits = QVBoxLayout()
        digits.addWidget(self.phase_label)
        digits.addWidget(self.time_label, 1)
        digits.addWidget(self.phase_bar)
        self._body = QHBoxLayout()
        self._body.addWidget(self.figure_slot, 2)
        self._body.addLayout(digits, 3)
        counters = QHBoxLayout()
        for label in (self.rep_label, self.set_label, self.side_label, self.load_label):
            counters.addWidget(label, 1)
        progress = QHBoxLayout()
        progress.addWidget(self.session_bar, 1)
        progress.addWidget(self.remaining_label)
        self._buttons_row = QWidget()
        buttons = QHBoxLayout(self._buttons_row)
        buttons.setContentsMargins(0, 0, 0, 0)
        for b in self.session_buttons():
            buttons.addWidget(b)
        # Back, Pause, Skip in the order of the arrow keys
        for b in (self.back_button, self.pause_button, self.skip_button):
            buttons.removeWidget(b)
        for i, b in enumerate((self.back_button, self.pause_button, self.skip_button)):
            buttons.insertWidget(i, b)
        self.live_panel = QWidget()
        live = QVBoxLayout(self.live_panel)
        live.setContentsMargins(0, 0, 0, 0)
        live.addLayout(self._body, 1)
        live.addLayout(counters)
        live.addWidget(self.next_label)
        live.addLayout(progress)
        live.addWidget(self._buttons_row)
        self._live_layout = live

        # Summary: the table, and beside it the pain question and next time's suggestions.
        side = QVBoxLayout()
        side.setContentsMargins(0, 0, 0, 0)
        side.addWidget(self.pain_bar)
        side.addWidget(self.next_time_box)
        side.addStretch(1)
        table_row = QHBoxLayout()
        table_row.addWidget(self.summary_table, 5)
        table_row.addLayout(side, 3)
        close_row = QHBoxLayout()
        close_row.addStretch(1)
        close_row.addWidget(self.close_button)
        self.summary_panel = QWidget()
        summary = QVBoxLayout(self.summary_panel)
        summary.setContentsMargins(0, 0, 0, 0)
        summary.addWidget(self.summary_label)
        summary.addLayout(table_row, 1)
        summary.addLayout(close_row)
        self._summary_layout = summary

        self._pages = QStackedLayout()
        self._pages.addWidget(self.live_panel)
        self._pages.addWidget(self.summary_panel)
        self._root = QVBoxLayout(self)
        self._root.addLayout(header)
        self._root.addWidget(self.exercise_label)
        self._root.addWidget(self.cue_label)
        self._root.addLayout(self._pages, 1)

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

    @property
    def weight_unit(self) -> str:
        return self._weight_unit

    @weight_unit.setter
    def weight_unit(self, unit: str) -> None:
        if unit != self._weight_unit:
            self._weight_unit = unit
            self._shown = None  # loads are shown in it

    def set_figure(self, figure: QWidget) -> None:
        """Put the exercise's figure left of the digits (it takes two fifths of the width and
        scales with the window, focus mode included). Replaces a figure put in before."""
        layout = self.figure_slot.layout()
        while layout.count():
            item = layout.takeAt(0)
            if item is not None and item.widget() is not None:
                item.widget().setParent(None)
        layout.addWidget(figure)
        self.figure_slot.show()

    def set_timeline(self, timeline: Timeline) -> None:
        self._timeline = timeline
        self._shown = None
        self.program_label.setText(
            program_display_name(
                {"program_id": timeline.program_id, "program_name": timeline.program_name}
            )
        )
        self.last_record = None
        self.pain_bar.hide()
        self.next_time_box.hide()
        self._pages.setCurrentWidget(self.live_panel)
        self.cue_label.show()
        self.session_bar.set_marks(self._exercise_marks(timeline))

    @property
    def showing_summary(self) -> bool:
        return self._pages.currentWidget() is self.summary_panel

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
        self._shown = None
        background = DARK_BACKGROUND if dark else LIGHT_BACKGROUND
        text = DARK_TEXT if dark else LIGHT_TEXT
        quiet = DARK_QUIET if dark else LIGHT_QUIET
        self.setStyleSheet(
            f"#sessionView {{ background: {background}; }} #sessionView QLabel {{ color: {text}; }}"
            # "#sessionView #id" outranks "#sessionView QLabel" (an id and a type).
            f" #sessionView #programLabel, #sessionView #nextLabel, #sessionView #remainingLabel"
            f" {{ color: {quiet}; }}"
            f" #sessionView #mutedLabel {{ color: {background}; background: {text};"
            f" padding: 0 6px; }}"
            f" #summaryTable {{ background: {background}; color: {text}; border: none;"
            f" selection-background-color: {text}; selection-color: {background}; }}"
            f" #summaryTable QHeaderView::section {{ background: {background}; color: {text};"
            f" border: none; border-bottom: 2px solid {text}; padding: 2px 6px; }}"
            f" #summaryTable::item {{ border-bottom: 1px solid {quiet}; padding: 0 6px; }}"
            f" #painBar, #nextTimeBox {{ border: 1px solid {quiet}; border-radius: 4px; }}"
        )
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        self.session_bar.set_background(background)
        self.phase_bar.set_background(background)
        self.session_bar.set_colour(text)

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
        self._shown = None  # "Done: 12 reps." in the pause that follows

    def _done_text(self, timeline: Timeline, segment_index: int) -> str:
        """ "Done: 12 reps." in a pause, when the set just before it was recorded (a set skipped
        at once records nothing: then nothing is said, rather than an older set's result)."""
        record = self.last_record
        if record is None:
            return ""
        upcoming = timeline.next_work_set(segment_index)
        before = (upcoming.index if upcoming is not None else len(timeline.work_sets)) - 1
        if record.work.index != before or before < 0:
            return ""
        return _("Done: {result}.").format(result=record_text(record))

    def show_position(self, pos: Position, timeline: Timeline) -> None:
        """Show all of where the session is (a wake-up of the session: a cue, a new step, a
        pause). A widget is changed only when what it shows changes, so Qt repaints only
        that."""
        if timeline is not self._timeline:  # a new session, or a rest made longer or shorter
            self.session_bar.set_marks(self._exercise_marks(timeline))
        self._timeline = timeline
        self._shown = (pos.segment.index, pos.state)
        self._show_step(pos, timeline)
        self._show_time(pos, timeline)

    def show_frame(self, pos: Position, timeline: Timeline) -> None:
        """A frame between two wake-ups (up to 25 a second): within one step only the time
        moves, so only what shows it is touched; a frame that finds another step (or a
        pause, a new timeline, a set just recorded) shows all of it, as a wake-up would."""
        if timeline is not self._timeline or self._shown != (pos.segment.index, pos.state):
            self.show_position(pos, timeline)
            return
        self._show_time(pos, timeline)

    def _show_time(self, pos: Position, timeline: Timeline) -> None:
        """What changes within a step: the big number, the phase bar, the session's line and
        the time left (and a test set's count)."""
        seg = pos.segment
        _set_text(self.time_label, self._big_number(pos))
        self.phase_bar.set_fraction(
            0.0 if seg.duration_ms == 0 else pos.segment_elapsed_ms / seg.duration_ms
        )
        total = timeline.duration_ms
        self.session_bar.set_fraction(0.0 if total == 0 else pos.t_ms / total)
        percent = 0 if total == 0 else 100 * pos.t_ms // total
        _set_text(
            self.remaining_label,
            _("{percent} % · {time} left").format(
                percent=percent, time=clock_text(pos.total_remaining_ms)
            ),
        )
        if self._test_set:
            _set_text(self.rep_label, self._rep_text(pos))

    def _show_step(self, pos: Position, timeline: Timeline) -> None:
        """What changes only with the step or the pause state: phase, colours, exercise, cue,
        counters, load, "Next:" and the buttons."""
        seg = pos.segment
        kind = seg.kind
        phase = phase_name(kind)
        if kind is SegmentKind.SWITCH and pos.work_set is not None:
            if pos.work_set.side is Side.LEFT:
                phase = p_("phase", "SWITCH TO LEFT LEG")
            elif pos.work_set.side is Side.RIGHT:
                phase = p_("phase", "SWITCH TO RIGHT LEG")
        if pos.state is State.PAUSED:
            phase = _("PAUSED · {phase}").format(phase=phase)
        _set_text(self.phase_label, phase)
        colour = phase_colour(kind, self._dark)
        if colour != self._colour:
            # Restyling the big digits costs a relayout of the view: only when the colour
            # changes (doing it every frame cost 2-3 % of a core).
            self._colour = colour
            self.phase_label.setStyleSheet(f"color: {colour};")
            self.time_label.setStyleSheet(f"color: {colour};")
            self.phase_bar.set_colour(colour)

        work = pos.work_set
        self._test_set = work is not None and work.mode is Mode.TEST and seg.work_index >= 0
        if work is not None:
            ex = exercise(work.exercise_id)
            _set_text(self.exercise_label, self._exercise_text(timeline, seg.work_index, work))
            _set_text(self.cue_label, ex.local_cue)
            _set_text(
                self.set_label,
                _("Set {number} / {sets}").format(number=work.set_number, sets=work.sets),
            )
            _set_text(self.side_label, side_name(work.side))
            _set_text(self.rep_label, self._rep_text(pos))
            _set_text(self.load_label, self.load_text(work))
        else:
            _set_text(
                self.exercise_label, _("Session complete") if kind is SegmentKind.DONE else ""
            )
            for label in (
                self.cue_label,
                self.set_label,
                self.side_label,
                self.rep_label,
                self.load_label,
            ):
                _set_text(label, "")
        upcoming = next_line(timeline, seg.index, self._weight_unit)
        done = self._done_text(timeline, seg.index) if seg.work_index < 0 else ""
        if done and kind is not SegmentKind.DONE:
            upcoming = _("{done}   {next}").format(done=done, next=upcoming)
        _set_text(self.next_label, upcoming)

        pausing = kind in (SegmentKind.REST, SegmentKind.SWITCH, SegmentKind.PREPARE)
        self.less_rest_button.setEnabled(pausing)
        self.more_rest_button.setEnabled(pausing)
        self.end_set_button.setEnabled(seg.work_index >= 0)
        self.pause_button.setText(_("Resume") if pos.state is State.PAUSED else _("Pause"))

    def load_text(self, work: WorkSet) -> str:
        """The load of a set as shown beside its counters: "20 kg", or "Body weight"."""
        return format_load(work.load_kg, self._weight_unit) if work.load_kg else _("Body weight")

    @staticmethod
    def _exercise_marks(timeline: Timeline) -> tuple[float, ...]:
        """Where each exercise after the first starts, as fractions of the session."""
        total = timeline.duration_ms
        starts = []
        block = timeline.work_sets[0].block_index if timeline.work_sets else -1
        for work in timeline.work_sets:
            if work.block_index != block:
                starts.append(work.start_ms / total)
            block = work.block_index
        return tuple(starts)

    @staticmethod
    def _exercise_text(timeline: Timeline, work_index: int, work: WorkSet) -> str:
        """The exercise being done, or in a pause what comes next: between the legs of one
        exercise that is the other leg, not the same name again."""
        name = exercise(work.exercise_id).local_name
        if work_index >= 0:
            return name
        before = timeline.work_sets[work.index - 1] if work.index > 0 else None
        if (
            before is not None
            and before.block_index == work.block_index
            and before.side is not work.side
            and work.side is not Side.BOTH
        ):
            return _("Up next: {step}").format(step=leg_name(work.side))
        return _("Up next: {step}").format(step=name)

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
            if work.mode is Mode.TEST:
                return _("To failure")
            return _("Target {target}").format(target=target_text(work.mode, work.target))
        if work.mode is Mode.TEST:
            return _("Reps {count}").format(count=pos.rep_done_in_set)
        if work.mode is Mode.REPS:
            return _("Rep {rep} / {reps}").format(rep=seg.rep, reps=work.target)
        return _("Target {target}").format(target=target_text(work.mode, work.target))

    # ------------------------------------------------------------------ the summary

    def show_next_time(self, lines: list[str], *, can_apply: bool) -> None:
        """The progression suggestions after a session ("Next time: 3 x 17")."""
        if not lines:
            self.next_time_box.hide()
            return
        self.next_time_label.setText(_("Next time (a suggestion):") + "\n" + "\n".join(lines))
        self.apply_next_time_button.setVisible(can_apply)
        self.apply_next_time_button.setEnabled(can_apply)
        self.undo_next_time_button.hide()
        self.next_time_box.show()

    def show_summary(self, records: list[SetRecord], state: State) -> None:
        """The end of the session: what was done against the plan, per exercise and leg."""
        heading = _("Session complete") if state is State.FINISHED else _("Session stopped")
        totals = session_summary(records)[0] if records else _("No sets were done.")
        self.summary_label.setText(totals)
        self.phase_label.setText(
            p_("phase", "DONE") if state is State.FINISHED else p_("phase", "STOPPED")
        )
        self.exercise_label.setText(heading)
        self.cue_label.setText("")
        self.cue_label.hide()
        rows = summary_rows(self._timeline, records, self._weight_unit) if self._timeline else []
        table = self.summary_table
        table.setRowCount(len(rows))
        for r, row in enumerate(rows):
            cells = (row.exercise, row.leg, row.planned, row.done, row.tut, row.load)
            for c, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if c >= 2:
                    item.setTextAlignment(
                        Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
                    )
                if c == 3 and row.short:
                    font = item.font()
                    font.setBold(True)
                    item.setFont(font)
                    item.setToolTip(_("Short of the plan"))
                table.setItem(r, c, item)
        table.setVisible(bool(rows))
        self._fit_table()
        self._pages.setCurrentWidget(self.summary_panel)
        if records:
            self.pain_bar.ask()
        self._shown = None
        self._apply_fonts()

    def _fit_table(self) -> None:
        """The table is never narrower than its widest cells ("…" would hide a number); the
        pain question and the suggestions beside it take what is left."""
        table = self.summary_table
        header = table.horizontalHeader()
        widths = [
            max(table.sizeHintForColumn(c), header.sectionSizeHint(c))
            for c in range(table.columnCount())
        ]
        if widths:
            widths[0] = self._name_column_width(widths[0])
        table.setMinimumWidth(sum(widths) + 2 * table.frameWidth())

    def _name_column_width(self, one_line: int) -> int:
        """The exercise column may be half its one-line width: a name wraps onto two lines
        (a translation runs ~30 % longer than English), never within a word, and never
        narrower than its header."""
        table = self.summary_table
        metrics = QFontMetrics(table.font())
        names = [item.text() for r in range(table.rowCount()) if (item := table.item(r, 0))]
        if not names:
            return one_line
        padding = max(0, one_line - max(metrics.horizontalAdvance(n) for n in names))
        longest_word = max(metrics.horizontalAdvance(w) for n in names for w in n.split())
        header = table.horizontalHeader().sectionSizeHint(0)
        return min(one_line, max(header, one_line // 2 + padding, longest_word + padding))

    def summary_cells(self) -> list[tuple[str, ...]]:
        """The summary table as shown, row by row (for reading it back, and for tests)."""
        table = self.summary_table
        return [
            tuple(
                (table.item(r, c).text() if table.item(r, c) is not None else "")
                for c in range(table.columnCount())
            )
            for r in range(table.rowCount())
        ]

    # ------------------------------------------------------------------- layout

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._apply_fonts()

    def _apply_fonts(self) -> None:
        """The type scale from the view's height: readable from across a room on a laptop,
        not shouting on a TV. The big digits size themselves to the space left."""
        scale = _Scale(max(self.height(), 300))
        self.phase_label.set_type(scale.phase, bold=True)
        for label in (self.rep_label, self.set_label, self.side_label, self.load_label):
            label.set_type(scale.title, bold=True)
        self.exercise_label.set_type(scale.title, bold=True)
        self._set_px(self.cue_label, scale.body)
        self._set_px(self.summary_label, scale.body)
        self._set_px(self.muted_label, scale.small, bold=True)
        for label in (self.next_label, self.program_label, self.remaining_label):
            self._set_px(label, scale.small)
        table_font = QFont(self.summary_table.font())
        table_font.setPixelSize(scale.small)
        if table_font != self.summary_table.font():
            self.summary_table.setFont(table_font)
            table_font.setBold(True)
            self.summary_table.horizontalHeader().setFont(table_font)
            self._fit_table()
        self.session_bar.setFixedHeight(scale.line)
        self.phase_bar.setFixedHeight(max(8, scale.line * 3 // 4))
        for layout in (self._root, self._live_layout, self._summary_layout):
            layout.setSpacing(scale.gap)

    @staticmethod
    def _set_px(label: QLabel, px: int, *, bold: bool = False) -> None:
        font = QFont(label.font())
        font.setPixelSize(px)
        font.setBold(bold)
        if font != label.font():
            label.setFont(font)
