"""The program editor: a dialog that edits one user program, block by block.

Built-in programs open read-only with a "Duplicate to edit" button that turns the dialog into an
editor of a copy (``core.program_files.duplicate_program``). After every change the program is
validated by the program file loader's own rules (``core.program_files.validate_program``); its
messages name fields by path (``blocks[0].tempo.up``), right for files and the command line, and
are shown here by the labels the user sees ("Block 1 (Single-leg calf raise) › Tempo › Up"),
next to the block's fields and at the bottom, in red *and* with a warning sign; Save stays
disabled while there is any. A number typed out of range stays as typed and is explained (a spin
box would silently drop the keystroke); the arrows keep to the range. The id shown is the one
``program()`` will be saved under, live: a program not saved yet takes its id from its name.
The dialog never writes files: the caller saves ``program()``
(``core.program_files.save_user_program``).
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable
from dataclasses import replace
from typing import Any

from PySide6.QtCore import (
    QAbstractListModel,
    QItemSelectionModel,
    QModelIndex,
    QPersistentModelIndex,
    QSize,
    Qt,
    Signal,
)
from PySide6.QtGui import QColor, QKeyEvent, QPalette
from PySide6.QtWidgets import (
    QAbstractSpinBox,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QFrame,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListView,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QStyle,
    QVBoxLayout,
    QWidget,
)

from calftimer.core.catalog import CATALOG
from calftimer.core.exercise import LoadPolicy, Mode, Tempo
from calftimer.core.i18n import N_, _, format_short, localized
from calftimer.core.program_files import duplicate_program, unique_id, validate_program
from calftimer.core.programs import (
    BLOCKS_RANGE,
    BPM_RANGE,
    BUILTIN_BY_ID,
    DESCRIPTION_MAX,
    LOAD_RANGE,
    NAME_MAX,
    REST_RANGE,
    SETS_RANGE,
    SWITCH_RANGE,
    TARGET_RANGES,
    TEMPO_PHASE_RANGE,
    Block,
    Program,
    Sides,
    allowed_modes,
    default_block,
)
from calftimer.core.settings import display_to_kg, format_load, kg_to_display
from calftimer.core.texts import target_text
from calftimer.core.timeline import CompileOptions, estimated_duration_ms, format_duration
from calftimer.core.validation import is_range_message

BlockRole = Qt.ItemDataRole.UserRole + 10
WARNING_SIGN = "⚠"
PATH_SEPARATOR = " › "
_Index = QModelIndex | QPersistentModelIndex
_BLOCK_PATH = re.compile(r"^blocks\[(\d+)\]")
# "blocks[2].tempo.up: message" -> block 2, fields ("tempo", "up"), message
_PROBLEM = re.compile(r"^(?:blocks\[(\d+)\]\.)?([\w.]+): (.*)$", re.DOTALL)
PROGRAM_FIELD_LABELS = localized(
    {
        "name": N_("Name"),
        "description": N_("Description"),
        "id": N_("Id"),
        "blocks": N_("Blocks"),
    }
)
BLOCK_FIELD_LABELS = localized(
    {
        "exercise": N_("Exercise"),
        "mode": N_("Mode"),
        "sets": N_("Sets"),
        "tempo": N_("Tempo"),
        "sides": N_("Sides"),
        "rest_s": N_("Rest between sets"),
        "switch_s": N_("Switch legs"),
        "rest_after_s": N_("Rest after block"),
        "load_kg": N_("Load"),
        "metronome_bpm": N_("Metronome"),
    }
)

TARGET_LABELS: dict[Mode, tuple[str, str, str]] = localized(
    {
        # label (its Alt key unique in the dialog: "Metres" has no free letter), suffix, tooltip
        Mode.REPS: (N_("Re&ps:"), N_(" reps"), N_("Repetitions in each set")),
        Mode.TIME: (N_("Sec&onds:"), N_(" s"), N_("How long each set lasts, in seconds")),
        Mode.DISTANCE: (N_("Metres:"), N_(" m"), N_("How far to walk in each set, in metres")),
        Mode.TEST: (
            N_("Rep ca&p:"),
            N_(" reps"),
            N_("The set ends here if you have not ended it before"),
        ),
    }
)
MODE_NAMES = localized(
    {
        Mode.REPS: N_("Repetitions"),
        Mode.TIME: N_("Timed"),
        Mode.DISTANCE: N_("Distance"),
        Mode.TEST: N_("To failure"),
    }
)
SIDES_NAMES = localized(
    {
        Sides.BOTH: N_("Both legs together"),
        Sides.LEFT_RIGHT: N_("Left leg, then right"),
        Sides.RIGHT_LEFT: N_("Right leg, then left"),
        Sides.LEFT: N_("Left leg only"),
        Sides.RIGHT: N_("Right leg only"),
    }
)
TEMPO_PHASES = localized(
    (
        ("up", N_("Up"), N_("Seconds to rise")),
        ("top", N_("Top"), N_("Seconds to hold at the top")),
        ("down", N_("Down"), N_("Seconds to lower")),
        ("bottom", N_("Bottom"), N_("Seconds to rest at the bottom")),
    ),
    ids_first=True,
)
FALLBACK_TEMPO = Tempo(1, 0, 1, 0)


def block_summary(block: Block, unit: str = "kg") -> str:
    """``2 × 15 reps per leg, 10 kg`` for the block list."""
    values = {"sets": block.sets, "target": target_text(block.mode, block.target)}
    if not block.sides.per_side:
        text = _("{sets} × {target}").format(**values)
    elif len(block.sides_in_order) == 2:
        text = _("{sets} × {target} per leg").format(**values)
    elif block.sides is Sides.LEFT:
        text = _("{sets} × {target} (left only)").format(**values)
    else:
        text = _("{sets} × {target} (right only)").format(**values)
    if block.load_kg:
        text = _("{text}, {load}").format(text=text, load=format_load(block.load_kg, unit))
    return text


def block_of_problem(problem: str) -> int | None:
    """The block index a loader message is about (``blocks[2].sets: ...`` -> 2)."""
    match = _BLOCK_PATH.match(problem)
    return int(match[1]) if match else None


class BlockListModel(QAbstractListModel):
    """A thin adapter over the edited program's blocks; rows with a problem carry a warning."""

    def __init__(self, parent: Any = None, unit: str = "kg") -> None:
        super().__init__(parent)
        self._unit = unit
        self._blocks: list[Block] = []
        self._flagged: frozenset[int] = frozenset()
        self._warning_icon = None if parent is None else _warning_icon(parent)

    # Qt interface
    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._blocks)

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._blocks):
            return None
        row = index.row()
        block = self._blocks[row]
        flagged = row in self._flagged
        if role == Qt.ItemDataRole.DisplayRole:
            mark = f"{WARNING_SIGN} " if flagged else ""
            return mark + _("{number}. {exercise}: {summary}").format(
                number=row + 1,
                exercise=block.exercise.local_name,
                summary=block_summary(block, self._unit),
            )
        if role == Qt.ItemDataRole.ToolTipRole:
            if flagged:
                return _("{cue} This block has a problem: see the messages.").format(
                    cue=block.exercise.local_cue
                )
            return block.exercise.local_cue
        if role == Qt.ItemDataRole.DecorationRole:
            return self._warning_icon if flagged else None
        if role == BlockRole:
            return block
        return None

    # the editor's operations
    def blocks(self) -> tuple[Block, ...]:
        return tuple(self._blocks)

    def block(self, row: int) -> Block:
        return self._blocks[row]

    def set_blocks(self, blocks: Iterable[Block]) -> None:
        self.beginResetModel()
        self._blocks = list(blocks)
        self._flagged = frozenset()
        self.endResetModel()

    def set_block(self, row: int, block: Block) -> None:
        self._blocks[row] = block
        self.dataChanged.emit(self.index(row), self.index(row))

    def insert_block(self, row: int, block: Block) -> None:
        self.beginInsertRows(QModelIndex(), row, row)
        self._blocks.insert(row, block)
        self.endInsertRows()
        self._renumber()

    def remove_block(self, row: int) -> None:
        self.beginRemoveRows(QModelIndex(), row, row)
        del self._blocks[row]
        self.endRemoveRows()
        self._renumber()

    def move_block(self, row: int, delta: int) -> bool:
        """Move a block one place up (-1) or down (+1); False when it is already at the end."""
        target = row + delta
        if delta not in (-1, 1) or not (0 <= row < len(self._blocks)):
            return False
        if not 0 <= target < len(self._blocks):
            return False
        # Qt's destination is the row *before which* the item lands, in pre-move numbering.
        if not self.beginMoveRows(
            QModelIndex(), row, row, QModelIndex(), target + 1 if delta > 0 else target
        ):
            return False
        self._blocks[row], self._blocks[target] = self._blocks[target], self._blocks[row]
        self.endMoveRows()
        self._renumber()
        return True

    def set_flagged(self, rows: Iterable[int]) -> None:
        flagged = frozenset(rows)
        if flagged != self._flagged:
            self._flagged = flagged
            self._renumber()

    def _renumber(self) -> None:
        # Every row shows its number, so an insert, removal or move changes the rows below it.
        if self._blocks:
            self.dataChanged.emit(self.index(0), self.index(len(self._blocks) - 1))


class BlockListView(QListView):
    """The block list; Ctrl+Up / Ctrl+Down move the current block and Delete removes it."""

    move_requested = Signal(int)  # -1 up, +1 down
    remove_requested = Signal()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        ctrl = event.modifiers() & Qt.KeyboardModifier.ControlModifier
        if ctrl and event.key() in (Qt.Key.Key_Up, Qt.Key.Key_Down):
            self.move_requested.emit(-1 if event.key() == Qt.Key.Key_Up else 1)
            event.accept()
            return
        if event.key() == Qt.Key.Key_Delete and not event.modifiers():
            self.remove_requested.emit()
            event.accept()
            return
        super().keyPressEvent(event)


def _warning_icon(widget: QWidget) -> Any:
    return widget.style().standardIcon(QStyle.StandardPixmap.SP_MessageBoxWarning)


def _describe(widget: QWidget, name: str, tip: str) -> None:
    widget.setAccessibleName(name)
    widget.setToolTip(tip)


def _typing_limit(high: float) -> int:
    """The largest number a field takes while typing: a digit more than its valid maximum."""
    return int(10 ** (len(str(int(high))) + 1) - 1)


def _step_within(spin: Any, steps: int, valid: tuple[float, float]) -> None:
    low, high = valid
    spin.setValue(min(high, max(low, spin.value() + steps * spin.singleStep())))
    spin.selectAll()


def _steps_enabled(spin: Any, valid: tuple[float, float]) -> Any:
    flags = QAbstractSpinBox.StepEnabledFlag.StepNone
    if not spin.isReadOnly():
        if spin.value() > valid[0]:
            flags |= QAbstractSpinBox.StepEnabledFlag.StepDownEnabled
        if spin.value() < valid[1]:
            flags |= QAbstractSpinBox.StepEnabledFlag.StepUpEnabled
    return flags


class _ValidRange:
    """The range checks shared by ``RangeSpinBox`` and ``RangeDoubleSpinBox`` (mixed in before
    the Qt class): the field takes any number typed, up to a digit more than its valid range
    allows, so the editor can say what is wrong; the arrows, Page keys and the wheel stay inside
    the valid range (and bring a wrong value back in)."""

    _valid: tuple[float, float] = (0, 0)

    def set_valid_range(self, low: float, high: float) -> None:
        self._valid = (low, high)
        self.setRange(min(low, 0), _typing_limit(high))  # type: ignore[attr-defined]

    def valid_range(self) -> tuple[float, float]:
        return self._valid

    def stepBy(self, steps: int) -> None:
        _step_within(self, steps, self._valid)  # type: ignore[arg-type]

    def stepEnabled(self) -> Any:
        return _steps_enabled(self, self._valid)  # type: ignore[arg-type]


class RangeSpinBox(_ValidRange, QSpinBox):
    """A whole-number field that keeps any number typed: a plain QSpinBox drops the keystroke
    that leaves its range, and 25 typed where 20 is the most silently became 2."""


class RangeDoubleSpinBox(_ValidRange, QDoubleSpinBox):
    """``RangeSpinBox`` for seconds of tempo and loads."""


class BlockFormScroll(QScrollArea):
    """Scrolls the block's fields only when the screen is too small for them (200 % scale on
    a small laptop). Its size hint is the whole form's, so the dialog opens big enough to show
    a block without scrolling where the screen allows; QScrollArea's own hint is capped at
    24 lines, which made one block scroll even on a 1366 x 768 screen."""

    full_size = QSize()

    def sizeHint(self) -> QSize:
        if self.full_size.isEmpty():
            return super().sizeHint()
        bar = self.style().pixelMetric(QStyle.PixelMetric.PM_ScrollBarExtent)
        return self.full_size + QSize(bar, 0)


def _buddy(text: str, widget: QWidget) -> QLabel:
    label = QLabel(text)
    label.setBuddy(widget)
    return label


def _is_dark(widget: QWidget) -> bool:
    return widget.palette().color(QPalette.ColorRole.Window).lightness() < 128


def _error_tint(widget: QWidget) -> str:
    # A field's background with a problem; its text keeps above 7:1 on it.
    return "#5c1f24" if _is_dark(widget) else "#fde3e4"


def _error_colour(widget: QWidget) -> str:
    # A dark red on light backgrounds, a light red on dark ones: both above 4.5:1 contrast.
    return "#ff8a80" if _is_dark(widget) else "#b00020"


class ProgramEditorDialog(QDialog):
    """Edits one program; ``program()`` is the result. Built-ins open read-only."""

    program_edited = Signal()  # after every change, once the messages are up to date
    duplicated = Signal(object)  # the editable copy made by "Duplicate to edit"

    def __init__(
        self,
        program: Program,
        parent: QWidget | None = None,
        *,
        existing_ids: Iterable[str] = (),
        options: CompileOptions | None = None,
        weight_unit: str = "kg",
    ) -> None:
        super().__init__(parent)
        self._unit = weight_unit  # loads are shown in the user's unit and stored in kg
        self._program = program
        self._existing_ids = set(existing_ids)
        self._options = options or CompileOptions()
        self._loading = False
        self._problems: list[str] = []
        self._read_only = program.builtin
        # A program not saved yet takes its id (for --start and its file name) from its name;
        # a saved one keeps its id when renamed, so scripts that start it keep working.
        self._id_follows_name = not program.builtin and program.id not in self._existing_ids
        self._marked_fields: list[QWidget] = []
        self.setObjectName("programEditor")
        self.setAccessibleName(_("Program editor"))
        self.setModal(True)
        self.setSizeGripEnabled(True)
        self._build()
        self._load_program(program)
        self._apply_read_only()
        self._revalidate()
        self._fit_to_screen()

    # ------------------------------------------------------------------ public

    def program(self) -> Program:
        """The program as edited (the original if it is shown read-only)."""
        if self._read_only:
            return self._program
        return replace(
            self._program,
            id=self.saved_id(),
            name=self.name_edit.text().strip(),
            description=self.description_edit.toPlainText().strip(),
            blocks=self.block_model.blocks(),
            builtin=False,
        )

    def saved_id(self) -> str:
        """The id the program will be saved under: from the name until it is first saved."""
        if self._read_only or not self._id_follows_name:
            return self._program.id
        taken = (self._existing_ids | set(BUILTIN_BY_ID)) - {self._program.id}
        return unique_id(self.name_edit.text().strip() or self._program.id, taken)

    def has_changes(self) -> bool:
        if self._read_only:
            return False
        edited = replace(self.program(), id=self._program.id)  # the id follows the name
        return edited != replace(self._program, builtin=False)

    def reject(self) -> None:
        """Cancel or Esc: never throw edits away without asking."""
        if self.has_changes() and not self.confirm_discard():
            return
        super().reject()

    def confirm_discard(self) -> bool:
        """Ask before discarding edits: True to throw them away."""
        answer = QMessageBox.question(
            self,
            _("Discard your changes?"),
            _("This program has changes that are not saved. Discard them?"),
            QMessageBox.StandardButton.Discard | QMessageBox.StandardButton.Cancel,
            QMessageBox.StandardButton.Cancel,
        )
        return answer == QMessageBox.StandardButton.Discard

    def problems(self) -> list[str]:
        """The loader's messages for the program as edited (``[]`` when it is valid)."""
        return list(self._problems)

    @property
    def read_only(self) -> bool:
        return self._read_only

    def duplicate_to_edit(self) -> Program:
        """Turn the read-only view of a built-in program into an editor of a copy of it."""
        copy = duplicate_program(self._program, self._existing_ids)
        self._program = copy
        self._read_only = False
        self._id_follows_name = True
        self._load_program(copy)
        self._apply_read_only()
        self._revalidate()
        self.name_edit.setFocus()
        self.name_edit.selectAll()
        self.duplicated.emit(copy)
        return copy

    def current_row(self) -> int:
        index = self.block_list.currentIndex()
        return index.row() if index.isValid() else -1

    def select_block(self, row: int) -> None:
        self.block_list.selectionModel().setCurrentIndex(
            self.block_model.index(row),
            QItemSelectionModel.SelectionFlag.ClearAndSelect,
        )

    # ------------------------------------------------------------------ building

    # Room left for the window's title bar: the frame is not known before the first show.
    TITLE_BAR_ALLOWANCE = 32

    def _fit_to_screen(self) -> None:
        """Open big enough for the largest block's fields (a rep block with a tempo), within
        the screen's free area less a title bar. Qt would open a dialog at most two thirds of
        the screen tall: 512 px on a 768 px screen, too short for one block."""
        form = self.block_form
        form.setRowVisible(self.mode_combo, True)
        form.setRowVisible(self.tempo_widget, True)
        self.block_scroll.full_size = self.block_box.sizeHint()
        self._update_field_states()  # back to the rows of the block shown
        self.layout().activate()
        # And room for a few lines of messages, so a mistake does not push fields out of view.
        wanted = self.sizeHint() + QSize(0, 6 * self.fontMetrics().lineSpacing())
        screen = self.screen()
        if screen is not None:
            area = screen.availableGeometry()
            wanted = wanted.boundedTo(QSize(area.width(), area.height() - self.TITLE_BAR_ALLOWANCE))
        self.resize(wanted)

    def _build(self) -> None:
        self.read_only_label = QLabel(
            _(
                "ℹ Built-in programs are read-only. Press “Duplicate to edit” to change your own "
                "copy."
            )
        )
        self.read_only_label.setWordWrap(True)
        self.read_only_label.setAccessibleName(_("Read-only program"))

        self.name_edit = QLineEdit()
        self.name_edit.setMaxLength(NAME_MAX)
        _describe(self.name_edit, _("Program name"), _("The name shown in the program list"))
        self.name_edit.textChanged.connect(self._on_program_field_edited)
        self.description_edit = QPlainTextEdit()
        self.description_edit.setTabChangesFocus(True)
        self.description_edit.setLineWrapMode(QPlainTextEdit.LineWrapMode.WidgetWidth)
        self.description_edit.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.description_edit.setMaximumHeight(self.fontMetrics().lineSpacing() * 5)
        _describe(
            self.description_edit,
            _("Program description"),
            _(
                "What the program is for and how to use it (up to {DESCRIPTION_MAX} characters)"
            ).format(DESCRIPTION_MAX=DESCRIPTION_MAX),
        )
        self.description_edit.textChanged.connect(self._on_program_field_edited)
        self.id_label = QLabel()
        self.id_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.id_label.setAccessibleName(_("Program id"))
        self.id_label.setToolTip(_("The program's id, used by --start and as its file name"))
        self.id_hint = QLabel()
        self.id_hint.setEnabled(False)  # the palette's dimmer text: a note, not a value
        id_row = QHBoxLayout()
        id_row.setContentsMargins(0, 0, 0, 0)
        id_row.addWidget(self.id_label)
        id_row.addWidget(self.id_hint, 1)
        top = QFormLayout()
        top.addRow(_buddy(_("&Name:"), self.name_edit), self.name_edit)
        top.addRow(_buddy(_("&Description:"), self.description_edit), self.description_edit)
        top.addRow(_("Id:"), id_row)

        left = self._build_block_list()
        right = self._build_block_form()
        middle = QHBoxLayout()
        middle.addLayout(left, 2)
        # The block's fields scroll rather than push the dialog past a small screen.
        self.block_scroll = BlockFormScroll()
        self.block_scroll.setWidgetResizable(True)
        self.block_scroll.setFrameShape(QFrame.Shape.NoFrame)
        self.block_scroll.setWidget(right)
        middle.addWidget(self.block_scroll, 3)

        self.duration_label = QLabel()
        self.duration_label.setObjectName("durationLabel")
        self.duration_label.setAccessibleName(_("Estimated duration"))
        self.duration_label.setToolTip(_("How long the program takes when nothing is skipped"))

        self.problems_icon = QLabel()
        size = self.style().pixelMetric(QStyle.PixelMetric.PM_SmallIconSize)
        self.problems_icon.setPixmap(_warning_icon(self).pixmap(size, size))
        self.problems_icon.setAccessibleName(_("Warning"))
        self.problems_label = QLabel()
        self.problems_label.setObjectName("problemsLabel")
        self.problems_label.setWordWrap(True)
        self.problems_label.setTextFormat(Qt.TextFormat.PlainText)
        self.problems_label.setAccessibleName(_("Problems to fix before saving"))
        self.problems_label.setStyleSheet(f"color: {_error_colour(self)};")
        problems_row = QHBoxLayout()
        problems_row.addWidget(self.problems_icon, 0, Qt.AlignmentFlag.AlignTop)
        problems_row.addWidget(self.problems_label, 1)

        self.button_box = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.ok_button = self.button_box.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setText(_("&Save"))
        _describe(
            self.ok_button, _("Save"), _("Keep the changes (disabled while there are problems)")
        )
        self.cancel_button = self.button_box.button(QDialogButtonBox.StandardButton.Cancel)
        _describe(self.cancel_button, _("Cancel"), _("Close without keeping the changes"))
        self.close_button = self.button_box.addButton(QDialogButtonBox.StandardButton.Close)
        _describe(self.close_button, _("Close"), _("Close the program"))
        self.duplicate_button = QPushButton(_("D&uplicate to edit"))
        _describe(
            self.duplicate_button,
            _("Duplicate to edit"),
            _("Make your own copy of this built-in program and edit the copy"),
        )
        self.button_box.addButton(self.duplicate_button, QDialogButtonBox.ButtonRole.ActionRole)
        self.duplicate_button.clicked.connect(self.duplicate_to_edit)
        self.button_box.accepted.connect(self.accept)
        self.button_box.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(self.read_only_label)
        layout.addLayout(top)
        layout.addLayout(middle, 1)
        layout.addWidget(self.duration_label)
        layout.addLayout(problems_row)
        layout.addWidget(self.button_box)
        self._set_tab_order()

    def _build_block_list(self) -> QVBoxLayout:
        self.block_model = BlockListModel(self, self._unit)
        self.block_list = BlockListView()
        self.block_list.setObjectName("blockList")
        self.block_list.setModel(self.block_model)
        self.block_list.setWordWrap(True)
        self.block_list.setMinimumWidth(self.fontMetrics().horizontalAdvance("M") * 18)
        _describe(
            self.block_list,
            _("Blocks"),
            _(
                "The program's exercises in order. Ctrl+Up / Ctrl+Down move a block, Delete "
                "removes it"
            ),
        )
        self.block_list.selectionModel().currentChanged.connect(self._on_block_current_changed)
        self.block_list.move_requested.connect(self._move_current)
        self.block_list.remove_requested.connect(self._remove_current)

        self.add_combo = QComboBox()
        for ex in CATALOG.values():
            self.add_combo.addItem(ex.local_name, ex.id)
        _describe(
            self.add_combo, _("Exercise to add"), _("The catalog exercise the Add button adds")
        )
        self.add_button = QPushButton(_("&Add"))
        _describe(
            self.add_button, _("Add block"), _("Add the chosen exercise after the selected block")
        )
        self.add_button.clicked.connect(self._add_block)
        self.remove_button = QPushButton(_("&Remove"))
        _describe(self.remove_button, _("Remove block"), _("Remove the selected block (Delete)"))
        self.remove_button.clicked.connect(self._remove_current)
        self.up_button = QPushButton(_("Move &up"))
        _describe(self.up_button, _("Move block up"), _("Move the selected block up (Ctrl+Up)"))
        self.up_button.clicked.connect(lambda: self._move_current(-1))
        self.down_button = QPushButton(_("Move do&wn"))
        _describe(
            self.down_button, _("Move block down"), _("Move the selected block down (Ctrl+Down)")
        )
        self.down_button.clicked.connect(lambda: self._move_current(1))

        self.block_edit_widgets: list[QWidget] = [
            self.add_combo,
            self.add_button,
            self.remove_button,
            self.up_button,
            self.down_button,
        ]
        add_row = QHBoxLayout()
        add_row.addWidget(self.add_combo, 1)
        add_row.addWidget(self.add_button)
        order_row = QHBoxLayout()
        order_row.addWidget(self.remove_button)
        order_row.addWidget(self.up_button)
        order_row.addWidget(self.down_button)
        left = QVBoxLayout()
        left.addWidget(_buddy(_("&Blocks:"), self.block_list))
        left.addWidget(self.block_list, 1)
        left.addLayout(add_row)
        left.addLayout(order_row)
        return left

    def _build_block_form(self) -> QGroupBox:
        box = QGroupBox(_("Selected block"))
        self.block_box = box
        form = QFormLayout(box)
        self.block_form = form

        self.exercise_label = QLabel()
        self.exercise_label.setWordWrap(True)
        self.exercise_label.setAccessibleName(_("Exercise"))
        self.exercise_label.setToolTip(_("The block's exercise; add another block to change it"))
        form.addRow(_("Exercise:"), self.exercise_label)

        self.mode_combo = QComboBox()
        _describe(self.mode_combo, _("Mode"), _("Whether a set is timed or measured in metres"))
        self.mode_combo.currentIndexChanged.connect(self._on_mode_changed)
        form.addRow(_buddy(_("&Mode:"), self.mode_combo), self.mode_combo)

        self.sets_spin = self._spin(SETS_RANGE, _("Sets"), _("How many sets of this exercise"))
        form.addRow(_buddy(_("S&ets:"), self.sets_spin), self.sets_spin)

        self.target_spin = self._spin(
            TARGET_RANGES[Mode.REPS], _("Reps"), _("Repetitions in each set")
        )
        self.target_label = _buddy(TARGET_LABELS[Mode.REPS][0], self.target_spin)
        form.addRow(self.target_label, self.target_spin)

        self.tempo_check = QCheckBox(_("Pace by tempo"))
        _describe(
            self.tempo_check,
            _("Pace by tempo"),
            _("Pace each rep by the seconds below; without it the metronome paces the reps"),
        )
        self.tempo_check.toggled.connect(self._on_block_edited)
        self.tempo_spins: dict[str, RangeDoubleSpinBox] = {}
        # Two rows of two phases: the dialog must fit a small laptop screen at 200 % scale.
        tempo_row = QGridLayout()
        tempo_row.addWidget(self.tempo_check, 0, 0, 1, 4)
        for n, (key, label, tip) in enumerate(TEMPO_PHASES):
            spin = RangeDoubleSpinBox()
            spin.set_valid_range(*TEMPO_PHASE_RANGE)
            spin.setDecimals(2)  # a file may say 1.25; the arrows step by half seconds
            spin.setSingleStep(0.5)
            spin.setSuffix(" s")
            _describe(
                spin,
                _("Tempo {phase} seconds").format(phase=label.lower()),
                _("{tip} (0.5 s steps)").format(tip=tip),
            )
            spin.valueChanged.connect(self._on_block_edited)
            self.tempo_spins[key] = spin
            row, column = 1 + n // 2, (n % 2) * 2
            tempo_row.addWidget(_buddy(_("{label}:").format(label=label), spin), row, column)
            tempo_row.addWidget(spin, row, column + 1)
        self.tempo_widget = QWidget()
        self.tempo_widget.setLayout(tempo_row)
        tempo_row.setContentsMargins(0, 0, 0, 0)
        form.addRow(_("Tempo:"), self.tempo_widget)

        self.sides_combo = QComboBox()
        _describe(self.sides_combo, _("Sides"), _("Which legs each set trains, and in what order"))
        self.sides_combo.currentIndexChanged.connect(self._on_block_edited)
        form.addRow(_buddy(_("S&ides:"), self.sides_combo), self.sides_combo)

        self.rest_spin = self._spin(
            REST_RANGE, _("Rest between sets"), _("Seconds of rest between two sets"), suffix=" s"
        )
        form.addRow(_buddy(_("Rest be&tween sets:"), self.rest_spin), self.rest_spin)
        self.switch_spin = self._spin(
            SWITCH_RANGE,
            _("Switch time"),
            _("Seconds to change legs between the left and the right side of a set"),
            suffix=" s",
        )
        form.addRow(_buddy(_("Switc&h legs:"), self.switch_spin), self.switch_spin)
        self.rest_after_spin = self._spin(
            REST_RANGE,
            _("Rest after the block"),
            _("Seconds of rest before the next block (none after the last block)"),
            suffix=" s",
        )
        form.addRow(_buddy(_("Rest a&fter block:"), self.rest_after_spin), self.rest_after_spin)

        self.load_spin = RangeDoubleSpinBox()
        self.load_spin.set_valid_range(
            kg_to_display(LOAD_RANGE[0], self._unit), kg_to_display(LOAD_RANGE[1], self._unit)
        )
        self.load_spin.setDecimals(2)
        self.load_spin.setSingleStep(0.5)
        self.load_spin.setSuffix(_(" {unit}").format(unit=self._unit))
        self.load_spin.setSpecialValueText(_("no added weight"))
        unit_name = "pounds" if self._unit == "lb" else "kilograms"
        _describe(
            self.load_spin,
            _("Added weight"),
            _("Added weight in {unit_name} (0: none)").format(unit_name=unit_name),
        )
        self.load_spin.valueChanged.connect(self._on_block_edited)
        form.addRow(_buddy(_("&Load:"), self.load_spin), self.load_spin)

        self.metronome_check = QCheckBox(_("Metronome"))
        _describe(self.metronome_check, _("Metronome"), _("Play a beat during the sets"))
        self.metronome_check.toggled.connect(self._on_block_edited)
        self.bpm_spin = self._spin(
            BPM_RANGE, _("Metronome beats per minute"), _("Beats per minute")
        )
        self.bpm_spin.setSuffix(_(" bpm"))
        metronome_row = QHBoxLayout()
        metronome_row.setContentsMargins(0, 0, 0, 0)
        metronome_row.addWidget(self.metronome_check)
        metronome_row.addWidget(self.bpm_spin, 1)
        metronome_widget = QWidget()
        metronome_widget.setLayout(metronome_row)
        form.addRow(_("Beat:"), metronome_widget)

        self.block_problems_label = QLabel()
        self.block_problems_label.setObjectName("blockProblemsLabel")
        self.block_problems_label.setWordWrap(True)
        self.block_problems_label.setTextFormat(Qt.TextFormat.PlainText)
        self.block_problems_label.setAccessibleName(_("Problems in this block"))
        self.block_problems_label.setStyleSheet(f"color: {_error_colour(self)};")
        form.addRow(self.block_problems_label)

        self.field_widgets: list[QWidget] = [
            self.mode_combo,
            self.sets_spin,
            self.target_spin,
            self.tempo_check,
            *self.tempo_spins.values(),
            self.sides_combo,
            self.rest_spin,
            self.switch_spin,
            self.rest_after_spin,
            self.load_spin,
            self.metronome_check,
            self.bpm_spin,
        ]
        return box

    def _spin(
        self, bounds: tuple[int, int], name: str, tip: str, *, suffix: str = ""
    ) -> RangeSpinBox:
        spin = RangeSpinBox()
        spin.set_valid_range(*bounds)
        spin.setSuffix(suffix)
        spin.setAccelerated(True)
        _describe(
            spin,
            name,
            _("{tip} ({bounds} to {bounds2})").format(tip=tip, bounds=bounds[0], bounds2=bounds[1]),
        )
        spin.valueChanged.connect(self._on_block_edited)
        return spin

    def _set_tab_order(self) -> None:
        chain: list[QWidget] = [
            self.name_edit,
            self.description_edit,
            self.block_list,
            self.add_combo,
            self.add_button,
            self.remove_button,
            self.up_button,
            self.down_button,
            *self.field_widgets,
            *self.button_box.buttons(),
        ]
        for first, second in itertools.pairwise(chain):
            QWidget.setTabOrder(first, second)

    # ------------------------------------------------------------------ loading

    def _load_program(self, program: Program) -> None:
        self._loading = True
        try:
            self.setWindowTitle(
                _("{name} (built in, read-only)").format(name=program.local_name)
                if program.builtin
                else _("Edit program")
            )
            self.name_edit.setText(program.local_name)
            self.description_edit.setPlainText(program.local_description)
        finally:
            self._loading = False
        self.block_model.set_blocks(program.blocks)
        if program.blocks:
            self.select_block(0)
        else:
            self._load_block(None)

    def _apply_read_only(self) -> None:
        ro = self._read_only
        self.read_only_label.setVisible(ro)
        self.name_edit.setReadOnly(ro)
        self.description_edit.setReadOnly(ro)
        for widget in self.block_edit_widgets:
            widget.setVisible(not ro)
        for widget in self.field_widgets:
            if isinstance(widget, QAbstractSpinBox):
                # Read-only spin boxes stay focusable, so the values can still be read aloud.
                widget.setReadOnly(ro)
                widget.setButtonSymbols(
                    QAbstractSpinBox.ButtonSymbols.NoButtons
                    if ro
                    else QAbstractSpinBox.ButtonSymbols.UpDownArrows
                )
        self._update_field_states()
        self.ok_button.setVisible(not ro)
        self.cancel_button.setVisible(not ro)
        self.close_button.setVisible(ro)
        self.duplicate_button.setVisible(ro)
        self.ok_button.setDefault(not ro)
        self.duplicate_button.setDefault(ro)

    def _load_block(self, row: int | None) -> None:
        block = None if row is None or row < 0 else self.block_model.block(row)
        self.block_box.setEnabled(block is not None)
        if block is None:
            self.exercise_label.setText(_("(no block selected)"))
            self._show_block_problems()
            return
        ex = block.exercise
        self._loading = True
        try:
            self.exercise_label.setText(ex.local_name)
            self.mode_combo.clear()
            for mode in allowed_modes(ex):
                self.mode_combo.addItem(MODE_NAMES[mode], mode.value)
            self.mode_combo.setCurrentIndex(max(0, self.mode_combo.findData(block.mode.value)))
            self.sets_spin.setValue(block.sets)
            self._set_target_mode(block.mode)
            self.target_spin.setValue(block.target)
            tempo = block.tempo or ex.tempo or FALLBACK_TEMPO
            self.tempo_check.setChecked(block.tempo is not None)
            for key, spin in self.tempo_spins.items():
                spin.setValue(getattr(tempo, key))
            self.sides_combo.clear()
            choices = (
                [Sides.LEFT_RIGHT, Sides.RIGHT_LEFT, Sides.LEFT, Sides.RIGHT]
                if ex.per_side
                else [Sides.BOTH]
            )
            for sides in choices:
                self.sides_combo.addItem(SIDES_NAMES[sides], sides.value)
            self.sides_combo.setCurrentIndex(max(0, self.sides_combo.findData(block.sides.value)))
            self.rest_spin.setValue(block.rest_s)
            self.switch_spin.setValue(block.switch_s)
            self.rest_after_spin.setValue(block.rest_after_s)
            self.load_spin.setValue(kg_to_display(block.load_kg, self._unit))
            self.metronome_check.setChecked(block.metronome_bpm is not None)
            self.bpm_spin.setValue(block.metronome_bpm or ex.metronome_bpm or 60)
        finally:
            self._loading = False
        self._update_field_states()
        self._show_block_problems()

    def _set_target_mode(self, mode: Mode) -> None:
        label, suffix, tip = TARGET_LABELS[mode]
        lo, hi = TARGET_RANGES[mode]
        self.target_label.setText(label)
        self.target_spin.set_valid_range(lo, hi)
        self.target_spin.setSuffix(suffix)
        _describe(
            self.target_spin,
            label.replace("&", "").rstrip(":"),
            _("{tip} ({lo} to {hi})").format(tip=tip, lo=lo, hi=hi),
        )

    def _update_field_states(self) -> None:
        """Show and enable only the fields that mean something for the selected block."""
        row = self.current_row()
        if row < 0:
            return
        block = self.block_model.block(row)
        ex = block.exercise
        form = self.block_form
        form.setRowVisible(self.mode_combo, len(allowed_modes(ex)) > 1)
        form.setRowVisible(self.tempo_widget, block.mode is Mode.REPS)
        for spin in self.tempo_spins.values():
            spin.setEnabled(self.tempo_check.isChecked())
        self.switch_spin.setEnabled(len(block.sides_in_order) == 2)
        no_load = ex.load is LoadPolicy.NONE
        self.load_spin.setEnabled(not no_load or block.load_kg > 0)
        self.load_spin.setToolTip(
            _("{name} is done without added weight").format(name=ex.local_name)
            if no_load
            else _("Added weight in kilograms (0: none)")
        )
        self.bpm_spin.setEnabled(self.metronome_check.isChecked())
        # Read-only: spin boxes stay readable; choices cannot be made at all.
        self.sides_combo.setEnabled(not self._read_only and self.sides_combo.count() > 1)
        for widget in (self.mode_combo, self.tempo_check, self.metronome_check):
            widget.setEnabled(not self._read_only)

    # ------------------------------------------------------------------ editing

    def _block_from_fields(self, block: Block) -> Block:
        mode = Mode(self.mode_combo.currentData() or block.mode)
        tempo = None
        if mode is Mode.REPS and self.tempo_check.isChecked():
            s = self.tempo_spins
            tempo = Tempo(s["up"].value(), s["top"].value(), s["down"].value(), s["bottom"].value())
        return replace(
            block,
            mode=mode,
            sets=self.sets_spin.value(),
            target=self.target_spin.value(),
            tempo=tempo,
            sides=Sides(self.sides_combo.currentData() or block.sides),
            rest_s=self.rest_spin.value(),
            switch_s=self.switch_spin.value(),
            rest_after_s=self.rest_after_spin.value(),
            load_kg=round(display_to_kg(self.load_spin.value(), self._unit), 3),
            metronome_bpm=self.bpm_spin.value() if self.metronome_check.isChecked() else None,
        )

    def _on_block_edited(self, *_args: object) -> None:
        row = self.current_row()
        if self._loading or self._read_only or row < 0:
            return
        self.block_model.set_block(row, self._block_from_fields(self.block_model.block(row)))
        self._update_field_states()
        self._revalidate()

    def _on_mode_changed(self, *_args: object) -> None:
        row = self.current_row()
        if self._loading or self._read_only or row < 0:
            return
        block = self.block_model.block(row)
        if self.mode_combo.currentData() is None:
            return
        mode = Mode(self.mode_combo.currentData())
        if mode is block.mode:
            return
        target = _convert_target(block, mode)
        self._loading = True
        try:
            self._set_target_mode(mode)
            self.target_spin.setValue(target)
        finally:
            self._loading = False
        self._on_block_edited()

    def _on_program_field_edited(self, *_args: object) -> None:
        if not self._loading and not self._read_only:
            self._revalidate()

    def _on_block_current_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        self._load_block(current.row() if current.isValid() else None)
        self._update_buttons()

    def _add_block(self) -> None:
        exercise_id = self.add_combo.currentData()
        if self._read_only or exercise_id is None:
            return
        row = self.current_row() + 1 if self.current_row() >= 0 else self.block_model.rowCount()
        self.block_model.insert_block(row, default_block(exercise_id))
        self.select_block(row)
        self._revalidate()

    def _remove_current(self) -> None:
        row = self.current_row()
        if self._read_only or row < 0:
            return
        self.block_model.remove_block(row)
        remaining = self.block_model.rowCount()
        if remaining:
            self.select_block(min(row, remaining - 1))
        else:
            self._load_block(None)
        self._revalidate()

    def _move_current(self, delta: int) -> None:
        row = self.current_row()
        if self._read_only or not self.block_model.move_block(row, delta):
            return
        self.select_block(row + delta)
        self._revalidate()

    def _update_buttons(self) -> None:
        row, count = self.current_row(), self.block_model.rowCount()
        self.remove_button.setEnabled(row >= 0)
        self.up_button.setEnabled(row > 0)
        self.down_button.setEnabled(0 <= row < count - 1)
        self.add_button.setEnabled(count < BLOCKS_RANGE[1])

    # ------------------------------------------------------------------ validation

    def _show_id(self) -> None:
        self.id_label.setText(self.saved_id())
        if self._read_only:
            hint = ""
        elif self._id_follows_name:
            hint = _("(from the name when first saved; used by --start and as the file name)")
        else:
            hint = _("(kept when renamed, so --start keeps working)")
        self.id_hint.setText(hint)
        self.id_label.setAccessibleDescription(hint)

    def _revalidate(self) -> None:
        program = self.program()
        self._show_id()
        self._problems = [] if self._read_only else validate_program(program)
        flagged = {i for p in self._problems if (i := block_of_problem(p)) is not None}
        self.block_model.set_flagged(flagged)
        self._show_problems()
        self._show_block_problems()
        self._show_duration(program)
        self._update_buttons()
        self.ok_button.setEnabled(not self._problems and not self._read_only)
        self.program_edited.emit()

    def _show_problems(self) -> None:
        lines = [f"{WARNING_SIGN} {self.readable(p)}" for p in self._problems]
        if lines:
            lines.insert(0, _("Fix these to save the program:"))
        text = "\n".join(lines)
        self.problems_label.setText(text)
        self.problems_label.setAccessibleDescription(text)
        self.problems_label.setVisible(bool(lines))
        self.problems_icon.setVisible(bool(lines))

    def _show_block_problems(self) -> None:
        row = self.current_row()
        mine = [p for p in self._problems if row >= 0 and block_of_problem(p) == row]
        readable = [self.readable(p, with_block=False) for p in mine]
        text = "\n".join(f"{WARNING_SIGN} {line}" for line in readable)
        self.block_problems_label.setText(text)
        self.block_problems_label.setAccessibleDescription(text)
        self.block_problems_label.setVisible(bool(mine))
        self._mark_fields({self._field(p)[1]: line for p, line in zip(mine, readable, strict=True)})

    def _mark_fields(self, messages: dict[QWidget | None, str]) -> None:
        """Tint each field with a problem (a palette change: a style sheet would redraw the
        spin box's arrows); its message is read out with it."""
        for widget in self._marked_fields:
            if widget not in messages:
                widget.setPalette(QPalette())
                widget.setAccessibleDescription("")
        self._marked_fields = [w for w in messages if w is not None]
        for widget in self._marked_fields:
            palette = QPalette(self.palette())
            palette.setColor(QPalette.ColorRole.Base, QColor(_error_tint(self)))
            widget.setPalette(palette)
            widget.setAccessibleDescription(messages[widget])

    def _field(self, problem: str) -> tuple[str, QWidget | None]:
        """The label path (``Tempo › Up``) and the field of a loader message's path."""
        match = _PROBLEM.match(problem)
        if match is None:
            return "", None
        fields = match[2].split(".")
        if match[1] is None:
            widgets = {"name": self.name_edit, "description": self.description_edit}
            return PROGRAM_FIELD_LABELS.get(fields[0], fields[0]), widgets.get(fields[0])
        first = fields[0]
        row = int(match[1])
        if first == "target" and row < self.block_model.rowCount():
            label = TARGET_LABELS[self.block_model.block(row).mode][0].replace("&", "")
            label = label.rstrip(":")
            return label, self.target_spin
        if first == "tempo" and len(fields) > 1 and fields[1] in self.tempo_spins:
            phase = next(name for key, name, _tip in TEMPO_PHASES if key == fields[1])
            return f"Tempo{PATH_SEPARATOR}{phase}", self.tempo_spins[fields[1]]
        widgets: dict[str, QWidget] = {
            "sets": self.sets_spin,
            "rest_s": self.rest_spin,
            "switch_s": self.switch_spin,
            "rest_after_s": self.rest_after_spin,
            "load_kg": self.load_spin,
            "metronome_bpm": self.bpm_spin,
            "mode": self.mode_combo,
            "sides": self.sides_combo,
        }
        return BLOCK_FIELD_LABELS.get(first, first), widgets.get(first)

    def readable(self, problem: str, *, with_block: bool = True) -> str:
        """A loader message in the words of this dialog: ``Block 2 (Single-leg calf raise) ›
        Tempo › Up: must be from 0 to 30 s`` for ``blocks[1].tempo.up: must be a number from
        0 to 30``. A range is the field's own, in its unit (pounds for a load in lb)."""
        match = _PROBLEM.match(problem)
        row = int(match[1]) if match is not None and match[1] is not None else None
        if match is None or (row is not None and row >= self.block_model.rowCount()):
            return problem
        label, widget = self._field(problem)
        message = match[3]
        if isinstance(widget, RangeSpinBox | RangeDoubleSpinBox) and is_range_message(message):
            low, high = widget.valid_range()
            message = _("must be from {low} to {high}{unit}").format(
                low=format_short(low),
                high=format_short(high),
                unit=widget.suffix(),
            )
        text = f"{label} {message}" if message.startswith("is ") else f"{label}: {message}"
        if row is not None and with_block:
            name = self.block_model.block(row).exercise.local_name
            where = _("Block {number} ({exercise})").format(number=row + 1, exercise=name)
            text = f"{where}{PATH_SEPARATOR}{text}"
        return text

    def _show_duration(self, program: Program) -> None:
        if self._problems:
            text = _("About — (fix the problems below to see how long it takes)")
        else:
            try:
                text = _("About {duration}").format(
                    duration=format_duration(estimated_duration_ms(program, self._options))
                )
            except ValueError:  # the timeline's own checks; the loader's rules caught them all
                text = "About —"
        self.duration_label.setText(text)
        self.duration_label.setAccessibleDescription(text)


def _convert_target(block: Block, mode: Mode) -> int:
    """Keep a walk about as long when it switches between seconds and metres."""
    pace = block.exercise.pace_m_per_min
    lo, hi = TARGET_RANGES[mode]
    if pace and block.mode is Mode.TIME and mode is Mode.DISTANCE:
        value = round(block.target * pace / 60)
    elif pace and block.mode is Mode.DISTANCE and mode is Mode.TIME:
        value = round(block.target * 60 / pace)
    else:
        value = block.target
    return min(hi, max(lo, value))
