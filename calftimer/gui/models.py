"""Qt item models: thin adapters over the core's exercise catalog and program list."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import (
    QAbstractListModel,
    QModelIndex,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
)

from calftimer.core.exercise import Exercise, Muscle
from calftimer.core.i18n import _
from calftimer.core.programs import Program
from calftimer.core.timeline import CompileOptions, estimated_duration_ms, format_duration

ExerciseRole = Qt.ItemDataRole.UserRole + 1
ProgramRole = Qt.ItemDataRole.UserRole + 2

_Index = QModelIndex | QPersistentModelIndex


class ExerciseListModel(QAbstractListModel):
    def __init__(self, exercises: Sequence[Exercise], parent: Any = None) -> None:
        super().__init__(parent)
        self._exercises = list(exercises)

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._exercises)

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._exercises):
            return None
        ex = self._exercises[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return ex.local_name
        if role == Qt.ItemDataRole.ToolTipRole:
            return ex.local_cue
        if role == ExerciseRole:
            return ex
        return None


class ExerciseFilterModel(QSortFilterProxyModel):
    """Filters the exercise list by muscle, by needing no equipment and by being per-side."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._muscle: Muscle | None = None
        self._equipment_free = False
        self._per_side_only = False

    def set_filters(self, muscle: Muscle | None, equipment_free: bool, per_side_only: bool) -> None:
        # Qt 6.10 replaced invalidateFilter() with a begin/end pair; support both.
        modern = hasattr(self, "beginFilterChange")
        if modern:
            self.beginFilterChange()
        self._muscle, self._equipment_free = muscle, equipment_free
        self._per_side_only = per_side_only
        if modern:
            self.endFilterChange()
        else:
            self.invalidateFilter()

    def filterAcceptsRow(self, source_row: int, source_parent: _Index) -> bool:
        model = self.sourceModel()
        ex: Exercise = model.data(model.index(source_row, 0, source_parent), ExerciseRole)
        if self._muscle is not None and self._muscle not in ex.muscles:
            return False
        if self._equipment_free and not ex.equipment_free:
            return False
        return not (self._per_side_only and not ex.per_side)


class ProgramListModel(QAbstractListModel):
    def __init__(
        self,
        programs: Sequence[Program],
        parent: Any = None,
        options: CompileOptions | None = None,
    ) -> None:
        super().__init__(parent)
        self._options = options  # the user's countdown and get-ready time count too
        self._programs = list(programs)
        self._durations = [self._duration(p) for p in self._programs]

    def _duration(self, program: Program) -> str:
        return format_duration(estimated_duration_ms(program, self._options))

    def set_options(self, options: CompileOptions | None) -> None:
        """New countdown or get-ready times change the durations shown, nothing else: the rows
        stay (a reset would drop the list's selection, and Start would have nothing to start)."""
        self._options = options
        self._durations = [self._duration(p) for p in self._programs]
        if self._programs:
            self.dataChanged.emit(
                self.index(0, 0),
                self.index(len(self._programs) - 1, 0),
                [Qt.ItemDataRole.DisplayRole],
            )

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._programs)

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._programs):
            return None
        program = self._programs[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            text = (
                _("{name}  ·  about {duration}")
                if program.builtin
                else _("{name}  ·  about {duration}  (yours)")
            )
            return text.format(name=program.local_name, duration=self._durations[index.row()])
        if role == Qt.ItemDataRole.ToolTipRole:
            return program.local_description
        if role == ProgramRole:
            return program
        return None

    def set_programs(self, programs: Sequence[Program]) -> None:
        self.beginResetModel()
        self._programs = list(programs)
        self._durations = [self._duration(p) for p in self._programs]
        self.endResetModel()

    def row_of(self, program_id: str) -> int:
        return next((i for i, p in enumerate(self._programs) if p.id == program_id), -1)
