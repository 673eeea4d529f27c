"""The home page: the exercise library with its how-to, and the program picker with Start.

The how-to pane opens with the exercise figure looping at the exercise's own tempo (its timer
runs only while the page shows; a still pose when the animation is off).

It only shows and forwards: its buttons and list ask for things through signals (start, new,
duplicate, edit, delete, history); the window connects them to the parts that do them. The list
models are thin adapters over core lists (calftimer.gui.models).
"""

from __future__ import annotations

import itertools
from html import escape

from PySide6.QtCore import QModelIndex, Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QListView,
    QPushButton,
    QSplitter,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from calftimer.core.catalog import CATALOG
from calftimer.core.exercise import Exercise, Muscle
from calftimer.core.i18n import _
from calftimer.core.programs import Program
from calftimer.core.texts import target_text
from calftimer.core.timeline import CompileOptions, estimated_duration_ms, format_duration
from calftimer.gui.figure_widget import FigureLoop, FigureWidget
from calftimer.gui.models import (
    ExerciseFilterModel,
    ExerciseListModel,
    ExerciseRole,
    ProgramListModel,
    ProgramRole,
)
from calftimer.gui.pain import PainRatingBar


class HomePage(QWidget):
    start_requested = Signal()  # Start, Enter or a double click on a program
    new_requested = Signal()
    duplicate_requested = Signal()
    edit_requested = Signal()
    delete_requested = Signal()
    history_requested = Signal()
    program_selected = Signal(object)  # Program | None

    def __init__(
        self, programs: list[Program], options: CompileOptions, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self._options = options
        self.exercise_model = ExerciseListModel(list(CATALOG.values()), self)
        self.exercise_filter = ExerciseFilterModel(self)
        self.exercise_filter.setSourceModel(self.exercise_model)
        self.exercise_list = QListView()
        self.exercise_list.setObjectName("exerciseList")
        self.exercise_list.setAccessibleName(_("Exercises"))
        self.exercise_list.setModel(self.exercise_filter)
        self.exercise_list.selectionModel().currentChanged.connect(
            self._on_exercise_current_changed
        )

        self.muscle_filter = QComboBox()
        self.muscle_filter.setAccessibleName(_("Filter by muscle"))
        self.muscle_filter.addItem(_("All muscles"), None)
        for muscle in Muscle:
            name = muscle.local_name
            self.muscle_filter.addItem(name[:1].upper() + name[1:], muscle)
        self.equipment_free_box = QCheckBox(_("No equipment"))
        self.per_side_box = QCheckBox(_("One leg at a time"))
        self.muscle_filter.currentIndexChanged.connect(self._on_filters_changed)
        self.equipment_free_box.toggled.connect(self._on_filters_changed)
        self.per_side_box.toggled.connect(self._on_filters_changed)

        self.exercise_details = QTextBrowser()
        self.exercise_details.setObjectName("exerciseDetails")
        self.exercise_details.setAccessibleName(_("How to do the exercise"))
        self.exercise_figure = FigureWidget()
        self.figure_loop = FigureLoop(self.exercise_figure)
        self.exercise_figure.setToolTip(_("Click to play the movement again"))
        how_to = QWidget()
        how_to_layout = QVBoxLayout(how_to)
        how_to_layout.setContentsMargins(0, 0, 0, 0)
        how_to_layout.addWidget(self.exercise_figure, 2)
        how_to_layout.addWidget(self.exercise_details, 3)

        # Two rows: the panes must stay narrow enough for a small laptop at 200 % scale.
        filters = QVBoxLayout()
        filters.addWidget(self.muscle_filter)
        checks = QHBoxLayout()
        checks.addWidget(self.equipment_free_box)
        checks.addWidget(self.per_side_box)
        filters.addLayout(checks)
        exercises_box = QGroupBox(_("Exercises"))
        ex_layout = QVBoxLayout(exercises_box)
        ex_layout.addLayout(filters)
        ex_layout.addWidget(self.exercise_list)

        self.program_model = ProgramListModel(programs, self, options)
        self.program_list = QListView()
        self.program_list.setObjectName("programList")
        self.program_list.setAccessibleName(_("Programs"))
        self.program_list.setModel(self.program_model)
        self.program_list.setWordWrap(True)  # long names wrap instead of hiding the duration
        self.program_list.selectionModel().currentChanged.connect(self._on_program_current_changed)
        self.program_list.activated.connect(lambda _i: self.start_requested.emit())
        self.program_details = QLabel()
        self.program_details.setWordWrap(True)
        self.program_details.setAlignment(Qt.AlignmentFlag.AlignTop)
        self.start_button = QPushButton(_("Start"))
        self.start_button.setObjectName("startButton")
        self.start_button.setToolTip(_("Start the selected program (Enter on the list)"))
        self.start_button.setDefault(True)
        self.start_button.clicked.connect(self.start_requested)
        programs_box = QGroupBox(_("Programs"))
        pr_layout = QVBoxLayout(programs_box)
        pr_layout.addWidget(self.program_list, 1)
        program_buttons = QGridLayout()
        self.new_program_button = QPushButton(_("&New"))
        self.duplicate_button = QPushButton(_("D&uplicate"))
        self.edit_button = QPushButton(_("&Edit…"))
        self.delete_button = QPushButton(_("De&lete"))
        for button, tip, signal in (
            (self.new_program_button, _("Make a new program of your own"), self.new_requested),
            (
                self.duplicate_button,
                _("Copy the selected program to change it"),
                self.duplicate_requested,
            ),
            (
                self.edit_button,
                _("Edit the selected program (built-in ones open read-only)"),
                self.edit_requested,
            ),
            (
                self.delete_button,
                _("Delete the selected program of yours (Ctrl+Z undoes)"),
                self.delete_requested,
            ),
        ):
            button.setToolTip(tip)
            button.setAccessibleName(tip)
            button.clicked.connect(signal)
            index = program_buttons.count()
            program_buttons.addWidget(button, index // 2, index % 2)
        pr_layout.addLayout(program_buttons)
        pr_layout.addWidget(self.program_details, 1)
        pr_layout.addWidget(self.start_button)
        self.history_button = QPushButton(_("Histor&y"))
        self.history_button.setToolTip(_("Weekly volume, left and right, and trends (Ctrl+H)"))
        self.history_button.setAccessibleName(_("Show the training history"))
        self.history_button.clicked.connect(self.history_requested)
        pr_layout.addWidget(self.history_button)

        splitter = QSplitter()
        splitter.setChildrenCollapsible(False)  # a pane dragged to nothing could not come back
        splitter.addWidget(exercises_box)
        splitter.addWidget(how_to)
        splitter.addWidget(programs_box)
        splitter.setSizes([260, 440, 400])
        self.morning_pain_bar = PainRatingBar("")
        self.morning_pain_bar.hide()
        self.exercise_list.setCurrentIndex(self.exercise_filter.index(0, 0))
        self.program_list.setCurrentIndex(self.program_model.index(0, 0))
        self.equipment_free_box.setAccessibleName(_("Show only exercises without equipment"))
        self.per_side_box.setAccessibleName(_("Show only one-leg exercises"))
        self.start_button.setAccessibleName(_("Start the selected program"))
        self.program_details.setAccessibleName(_("About the selected program"))
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
        self.splitter = splitter
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.morning_pain_bar)
        layout.addWidget(splitter, 1)

    # ------------------------------------------------------------------ programs

    def selected_program(self) -> Program | None:
        index = self.program_list.currentIndex()
        return index.data(ProgramRole) if index.isValid() else None

    def set_programs(self, programs: list[Program], select: str | None = None) -> None:
        """Show ``programs``, keeping the selection (or selecting ``select``; else the first)."""
        selected = self.selected_program()
        self.program_model.set_programs(programs)
        wanted = select or (selected.id if selected else None)
        row = self.program_model.row_of(wanted) if wanted else 0
        self.program_list.setCurrentIndex(self.program_model.index(max(row, 0), 0))

    def set_options(self, options: CompileOptions) -> None:
        """Durations follow the countdown and get-ready settings; the selection stays."""
        self._options = options
        self.program_model.set_options(options)
        self._on_program_current_changed(self.program_list.currentIndex(), QModelIndex())

    def set_figure_animation(self, animate: bool) -> None:
        """The "Animate the exercise figure" setting: off, the figure holds a still pose."""
        self.figure_loop.set_animate(animate)

    def focus_programs(self) -> None:
        self.program_list.setFocus(Qt.FocusReason.OtherFocusReason)

    def stop_listening(self) -> None:
        """The window is closing: tearing down the views makes their selection models report a
        change, and a Python slot must not run on a half-destroyed page."""
        for view in (self.exercise_list, self.program_list):
            view.selectionModel().blockSignals(True)

    # ------------------------------------------------------------------ internals

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
        self.exercise_details.setHtml(exercise_html(ex) if ex else _("<p>No exercise matches.</p>"))
        self.figure_loop.set_exercise(ex.id if ex else None)

    def _on_program_current_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        program: Program | None = current.data(ProgramRole) if current.isValid() else None
        self.delete_button.setEnabled(program is not None and not program.builtin)
        self.program_selected.emit(program)
        if program is None:
            self.program_details.setText("")
            return
        items = "".join(
            "<li>{}</li>".format(
                escape(
                    (
                        _("{name}: {sets} × {target} per leg")
                        if b.sides.per_side
                        else _("{name}: {sets} × {target}")
                    ).format(
                        name=b.exercise.local_name,
                        sets=b.sets,
                        target=target_text(b.mode, b.target),
                    )
                )
            )
            for b in program.blocks
        )
        duration = format_duration(estimated_duration_ms(program, self._options))
        self.program_details.setText(
            _("<b>{name}</b> · about {duration}<br>{description}<ul>{items}</ul>").format(
                name=escape(program.local_name),
                duration=duration,
                description=escape(program.local_description),
                items=items,
            )
        )


def exercise_html(ex: Exercise) -> str:
    """The details pane: how to do it, what it works and its suggested dose."""
    muscles = ", ".join(m.local_name for m in ex.muscles)
    dose = (_("{sets} × {target} per leg") if ex.per_side else _("{sets} × {target}")).format(
        sets=ex.default_sets, target=target_text(ex.mode, ex.default_target)
    )
    knees = {"straight": _("straight"), "bent": _("bent"), "varies": _("varies")}
    loads = {"none": _("none"), "optional": _("optional"), "expected": _("expected")}
    equipment = {
        "step": _("step"),
        "wall": _("wall"),
        "chair": _("chair"),
        "block or step": _("block or step"),
        "weight": _("weight"),
    }
    facts = [
        (_("Works"), muscles),
        (_("Knee"), knees.get(ex.knee.value, ex.knee.value)),
        (_("Suggested"), dose),
    ]
    if ex.tempo is not None:
        facts.append((_("Tempo (up/hold/down/hold, s)"), ex.tempo.label()))
    if ex.metronome_bpm is not None:
        facts.append((_("Metronome"), _("{bpm} beats per minute").format(bpm=ex.metronome_bpm)))
    facts.append((_("Rest between sets"), _("{seconds} s").format(seconds=ex.rest_s)))
    facts.append((_("Added weight"), loads[ex.load.value]))
    facts.append(
        (
            _("Equipment"),
            ", ".join(equipment.get(e, e) for e in ex.equipment) if ex.equipment else _("none"),
        )
    )
    rows = "".join(
        f"<tr><td><b>{escape(k)}</b>&nbsp;&nbsp;</td><td>{escape(v)}</td></tr>" for k, v in facts
    )
    steps = "".join(f"<li>{escape(s)}</li>" for s in ex.local_steps)
    tips = "".join(f"<li>{escape(s)}</li>" for s in ex.local_tips)
    safety = (
        "<p><b>{}</b> {}</p>".format(escape(_("Safety:")), escape(ex.local_safety or ""))
        if ex.safety
        else ""
    )
    return (
        f"<h2>{escape(ex.local_name)}</h2><p><i>{escape(ex.local_cue)}</i></p><table>{rows}</table>"
        + "<h3>{}</h3><ol>{}</ol>".format(escape(_("How to")), steps)
        + "<h3>{}</h3><ul>{}</ul>{}".format(escape(_("Tips")), tips, safety)
        + "<p><small>{}</small></p>".format(
            escape(_("Suggestions, not medical advice. See a clinician for persistent pain."))
        )
    )
