"""An optional 0-10 pain rating, asked inline (never a dialog): on the session summary, and on
the first start of the next morning. One click answers; "Not now" dismisses."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from calftimer.core.i18n import _


class PainRatingBar(QFrame):
    rated = Signal(int)
    dismissed = Signal()

    def __init__(self, question: str, parent: QWidget | None = None, *, columns: int = 11) -> None:
        """``columns``: ratings per row (11: all in one; fewer where the bar is narrow)."""
        super().__init__(parent)
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.question = QLabel(question)
        self.question.setWordWrap(True)
        self.setAccessibleName(_("Pain rating, optional"))
        grid = QGridLayout()
        self.buttons: list[QPushButton] = []
        for n in range(11):
            button = QPushButton(str(n))
            button.setAccessibleName(_("Pain {n} of 10").format(n=n))
            button.setToolTip(
                {0: _("No pain"), 10: _("The worst pain imaginable")}.get(
                    n, _("{n} of 10").format(n=n)
                )
            )
            button.clicked.connect(lambda _checked=False, n=n: self._answer(n))
            button.setAutoDefault(False)
            # As narrow as "10" needs: the row fits beside the session summary's table.
            button.setMinimumWidth(button.fontMetrics().horizontalAdvance("10") + 16)
            self.buttons.append(button)
            grid.addWidget(button, n // columns, n % columns)
        self.not_now = QPushButton(_("Not now"))
        self.not_now.setToolTip(_("Skip the question"))
        self.not_now.clicked.connect(self._dismiss)
        scale = QLabel(
            _("0 = no pain · 3 or less is fine · 5 is the most to train with · 10 = worst")
        )
        scale.setWordWrap(True)
        row = QHBoxLayout()
        row.addLayout(grid, 1)
        row.addSpacing(12)
        row.addWidget(self.not_now, 0, Qt.AlignmentFlag.AlignBottom)
        layout = QVBoxLayout(self)
        layout.addWidget(self.question)
        layout.addLayout(row)
        layout.addWidget(scale)

    def ask(self, question: str | None = None) -> None:
        if question is not None:
            self.question.setText(question)
        self.show()

    def _answer(self, rating: int) -> None:
        self.hide()
        self.rated.emit(rating)

    def _dismiss(self) -> None:
        self.hide()
        self.dismissed.emit()
