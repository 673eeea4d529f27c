"""The heel-rise test's results: counts per leg (editable), symmetry, norms, target, changes.

Shown when a session with heel-rise test sets ends. The counts start at what the metronome
counted; the user corrects them (a missed or extra beat) before saving. The reading is
``calftimer.core.heel_rise.read_result``; the band is in words as well as colour. Typical
results from both published sources are listed with their citations, the one the result is
compared with first marked.
"""

from __future__ import annotations

from html import escape

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from calftimer.core.heel_rise import BAND_NAMES, read_result
from calftimer.core.i18n import _
from calftimer.core.programs import Side
from calftimer.core.settings import Settings
from calftimer.core.texts import leg_name

BAND_COLOURS = {"green": "#1b7f3b", "amber": "#8a5a00", "red": "#b3261e"}  # 4.5:1 on white
MAX_REPS = 200


class HeelRiseResultsDialog(QDialog):
    def __init__(
        self,
        left: int,
        right: int,
        settings: Settings,
        previous: tuple[int, int] | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(_("Heel-rise test results"))
        self._settings = settings
        self._previous = previous
        self.left_spin = QSpinBox()
        self.right_spin = QSpinBox()
        for spin, side, value in (
            (self.left_spin, Side.LEFT, left),
            (self.right_spin, Side.RIGHT, right),
        ):
            spin.setRange(0, MAX_REPS)
            spin.setValue(max(0, min(MAX_REPS, value)))
            spin.setAccessibleName(_("Raises, {leg}").format(leg=leg_name(side)))
            spin.setToolTip(_("As counted with the metronome; correct it if a beat was missed"))
            spin.valueChanged.connect(self._update)
        self.band_label = QLabel()
        self.band_label.setAccessibleName(_("Symmetry"))
        self.reading_label = QLabel()
        self.reading_label.setWordWrap(True)
        self.reading_label.setAccessibleName(_("What the result means"))
        self.norms_label = QLabel()
        self.norms_label.setObjectName("normsLabel")
        self.norms_label.setWordWrap(True)
        self.norms_label.setTextFormat(Qt.TextFormat.RichText)
        self.norms_label.setOpenExternalLinks(True)  # the DOIs open in the browser
        self.norms_label.setAccessibleName(_("Typical results, with their sources"))
        self.buttons = QDialogButtonBox()
        self.save_button = self.buttons.addButton(
            _("&Save result"), QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.buttons.addButton(_("&Don't save"), QDialogButtonBox.ButtonRole.RejectRole)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)

        form = QFormLayout()
        form.addRow(_("&Left leg:"), self.left_spin)
        form.addRow(_("&Right leg:"), self.right_spin)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(_("Raises per leg (correct them if the count was off):")))
        layout.addLayout(form)
        layout.addWidget(self.band_label)
        layout.addWidget(self.reading_label)
        layout.addWidget(self.norms_label)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(self.fontMetrics().averageCharWidth() * 60)
        self._update()

    def counts(self) -> tuple[int, int]:
        return self.left_spin.value(), self.right_spin.value()

    def _update(self) -> None:
        left, right = self.counts()
        reading = read_result(
            left,
            right,
            target=self._settings.test_target,
            sex=self._settings.sex,
            age_band=self._settings.age_band,
            previous=self._previous,
        )
        if reading.band is None or reading.lsi is None:
            self.band_label.setText(_("Symmetry: no raises counted yet."))
        else:
            colour = BAND_COLOURS[reading.band]
            self.band_label.setText(
                _(
                    '<span style="color:{colour}; font-weight:bold">■ Symmetry {lsi:.0f} % '
                    "({band})</span>"
                ).format(colour=colour, lsi=reading.lsi, band=_(BAND_NAMES[reading.band]))
            )
        self.reading_label.setText("\n".join(reading.lines))
        items = "".join(
            "<li>{}{}".format(
                "<b>{}</b> ".format(escape(_("Compared above:"))) if norm.compared else "",
                escape(norm.text),
            )
            + f"<br><small>{escape(norm.source.reference)}, "
            f'<a href="https://doi.org/{escape(norm.source.doi)}">doi:{escape(norm.source.doi)}'
            "</a></small></li>"
            for norm in reading.norms
        )
        self.norms_label.setText(_("<b>Typical results</b><ul>{items}</ul>").format(items=items))
