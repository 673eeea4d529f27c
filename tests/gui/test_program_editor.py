"""The program editor dialog: inline validation, block editing, live duration, read-only
built-ins, keyboard use and accessible names."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractSpinBox,
    QComboBox,
    QDialog,
    QLineEdit,
    QListView,
    QPlainTextEdit,
    QWidget,
)

from calftimer.core.exercise import Mode, Tempo
from calftimer.core.program_files import duplicate_program, validate_program
from calftimer.core.programs import BUILTIN_BY_ID, BUILTIN_PROGRAMS, Program, default_block
from calftimer.core.timeline import estimated_duration_ms, format_duration
from calftimer.gui.program_editor import WARNING_SIGN, BlockListModel, ProgramEditorDialog
from tests.gui.helpers import answer_modal, click_button

BUILTIN_IDS = [p.id for p in BUILTIN_PROGRAMS]
TEMPO_RULE = "one rep must last at least 0.5 seconds"


def foundation_copy() -> Program:
    return duplicate_program(BUILTIN_BY_ID["foundation"], BUILTIN_IDS)


def close_without_asking(dialog: ProgramEditorDialog) -> None:
    """The end of a test: the editor goes as "Discard" would take it, so closing it after the
    test asks nothing (a question box would wait for an answer nobody gives)."""
    dialog.done(QDialog.DialogCode.Rejected)


@pytest.fixture
def editor(qtbot) -> Iterator[ProgramEditorDialog]:
    dialog = ProgramEditorDialog(foundation_copy(), existing_ids=BUILTIN_IDS)
    qtbot.addWidget(dialog, before_close_func=close_without_asking)
    yield dialog


def set_tempo(editor: ProgramEditorDialog, tempo: Tempo) -> None:
    for key, spin in editor.tempo_spins.items():
        spin.setValue(getattr(tempo, key))


def exercise_ids(program: Program) -> list[str]:
    return [b.exercise_id for b in program.blocks]


def test_opens_valid_with_the_programs_values(editor: ProgramEditorDialog) -> None:
    assert editor.problems() == []
    assert editor.ok_button.isEnabled()
    # A copy not saved yet takes its id from its name ("Copy of Runner's calf foundation").
    assert editor.program() == replace(foundation_copy(), id="copy-of-runner-s-calf-foundation")
    assert editor.name_edit.text() == "Copy of Runner's calf foundation"
    assert editor.current_row() == 0
    assert editor.sets_spin.value() == 2
    assert editor.target_label.text().replace("&", "") == "Reps:"
    assert editor.problems_label.isHidden() and editor.problems_icon.isHidden()


def test_a_tempo_the_rules_reject_shows_the_message_and_disables_ok(
    editor: ProgramEditorDialog,
) -> None:
    set_tempo(editor, Tempo(0, 0, 0, 0))
    assert editor.problems() == [f"blocks[0].tempo: {TEMPO_RULE} in total"]
    assert not editor.ok_button.isEnabled()
    # Bottom: red text *and* a warning sign and icon, never colour alone.
    bottom = editor.problems_label.text()
    assert TEMPO_RULE in bottom and WARNING_SIGN in bottom
    assert "Block 1 (Double-leg calf raise)" in bottom
    assert not editor.problems_label.isHidden() and not editor.problems_icon.isHidden()
    assert "color" in editor.problems_label.styleSheet()
    # Next to the block's fields, and on the block's row in the list.
    assert editor.block_problems_label.text() == f"{WARNING_SIGN} Tempo: {TEMPO_RULE} in total"
    assert editor.block_model.index(0).data().startswith(WARNING_SIGN)
    assert "fix the problems" in editor.duration_label.text()

    editor.tempo_spins["down"].setValue(1.5)
    assert editor.problems() == []
    assert editor.ok_button.isEnabled()
    assert editor.problems_label.isHidden() and editor.block_problems_label.isHidden()
    assert not editor.block_model.index(0).data().startswith(WARNING_SIGN)
    assert editor.program().blocks[0].tempo == Tempo(0, 0, 1.5, 0)


def test_messages_match_the_file_loader(editor: ProgramEditorDialog) -> None:
    editor.select_block(5)  # pogo jumps: paced by the metronome only
    editor.metronome_check.setChecked(False)
    assert editor.problems() == validate_program(editor.program())
    assert editor.problems() == [
        "blocks[5].tempo: is required when there is no metronome to pace the reps"
    ]
    editor.tempo_check.setChecked(True)  # a tempo paces the reps instead
    assert editor.problems() == [] and editor.ok_button.isEnabled()


def test_an_empty_name_is_refused(editor: ProgramEditorDialog) -> None:
    editor.name_edit.setText("   ")
    assert editor.problems() == ["name: must be a non-empty text"]
    assert not editor.ok_button.isEnabled()
    editor.name_edit.setText("Tuesday calves")
    assert editor.ok_button.isEnabled()
    assert editor.program().name == "Tuesday calves"


def test_the_duration_label_follows_the_edits(editor: ProgramEditorDialog) -> None:
    before = editor.duration_label.text()
    assert before == f"About {format_duration(estimated_duration_ms(foundation_copy()))}"
    editor.sets_spin.setValue(6)
    after = editor.duration_label.text()
    assert after != before
    assert after == f"About {format_duration(estimated_duration_ms(editor.program()))}"


def test_add_remove_and_reorder_blocks(editor: ProgramEditorDialog) -> None:
    start = exercise_ids(editor.program())
    editor.select_block(1)
    editor.add_combo.setCurrentIndex(editor.add_combo.findData("isometric_calf_hold"))
    editor.add_button.click()
    assert exercise_ids(editor.program()) == [*start[:2], "isometric_calf_hold", *start[2:]]
    assert editor.current_row() == 2
    assert editor.exercise_label.text() == "Isometric calf hold"
    assert editor.target_label.text().replace("&", "") == "Seconds:"

    editor.up_button.click()
    assert exercise_ids(editor.program())[1] == "isometric_calf_hold"
    assert editor.current_row() == 1
    editor.down_button.click()
    editor.down_button.click()
    assert exercise_ids(editor.program())[3] == "isometric_calf_hold"

    editor.remove_button.click()
    assert exercise_ids(editor.program()) == start
    assert editor.problems() == []


def test_ctrl_up_and_down_and_delete_work_on_the_list(qtbot, editor: ProgramEditorDialog) -> None:
    start = exercise_ids(editor.program())
    editor.select_block(0)
    qtbot.keyClick(editor.block_list, Qt.Key.Key_Down, Qt.KeyboardModifier.ControlModifier)
    assert exercise_ids(editor.program()) == [start[1], start[0], *start[2:]]
    assert editor.current_row() == 1
    qtbot.keyClick(editor.block_list, Qt.Key.Key_Up, Qt.KeyboardModifier.ControlModifier)
    assert exercise_ids(editor.program()) == start
    qtbot.keyClick(editor.block_list, Qt.Key.Key_Up, Qt.KeyboardModifier.ControlModifier)
    assert exercise_ids(editor.program()) == start  # already first
    qtbot.keyClick(editor.block_list, Qt.Key.Key_Delete)
    assert exercise_ids(editor.program()) == start[1:]


def test_removing_every_block_is_reported(editor: ProgramEditorDialog) -> None:
    for _ in range(len(editor.program().blocks)):
        editor.remove_button.click()
    assert editor.problems() == ["blocks: must hold 1 to 50 blocks"]
    assert not editor.ok_button.isEnabled()
    assert not editor.block_box.isEnabled()


def test_per_block_fields_follow_the_exercise(editor: ProgramEditorDialog) -> None:
    form = editor.block_form
    editor.select_block(0)  # two-leg raise: reps with a tempo, one mode, optional load
    assert not form.isRowVisible(editor.mode_combo)
    assert form.isRowVisible(editor.tempo_widget)
    assert not editor.sides_combo.isEnabled() and not editor.switch_spin.isEnabled()
    assert editor.load_spin.isEnabled()
    editor.load_spin.setValue(7.5)
    assert editor.program().blocks[0].load_kg == 7.5

    editor.select_block(1)  # single-leg raise: per side
    assert editor.sides_combo.isEnabled() and editor.switch_spin.isEnabled()
    editor.sides_combo.setCurrentIndex(editor.sides_combo.findData("left"))
    assert editor.program().blocks[1].sides.value == "left"
    assert not editor.switch_spin.isEnabled()  # one leg: nothing to switch

    editor.select_block(4)  # heel-toe walk: time or distance, no weight
    assert form.isRowVisible(editor.mode_combo)
    assert not form.isRowVisible(editor.tempo_widget)
    assert not editor.load_spin.isEnabled()
    editor.mode_combo.setCurrentIndex(editor.mode_combo.findData("distance"))
    assert editor.target_label.text().replace("&", "") == "Metres:"
    assert editor.target_spin.suffix() == " m"
    walk = editor.program().blocks[4]
    assert walk.mode is Mode.DISTANCE and walk.target == 8  # 30 s at 15 m/min
    assert editor.problems() == []


def test_metronome_checkbox_and_bpm(editor: ProgramEditorDialog) -> None:
    editor.select_block(0)
    assert not editor.bpm_spin.isEnabled()
    editor.metronome_check.setChecked(True)
    assert editor.bpm_spin.isEnabled()
    editor.bpm_spin.setValue(72)
    assert editor.program().blocks[0].metronome_bpm == 72
    editor.metronome_check.setChecked(False)
    assert editor.program().blocks[0].metronome_bpm is None


def test_a_builtin_opens_read_only_until_duplicated(qtbot) -> None:
    builtin = BUILTIN_BY_ID["foundation"]
    dialog = ProgramEditorDialog(builtin, existing_ids=[*BUILTIN_IDS, "foundation-copy"])
    qtbot.addWidget(dialog)
    assert dialog.read_only
    assert not dialog.read_only_label.isHidden()
    assert dialog.ok_button.isHidden() and not dialog.duplicate_button.isHidden()
    assert dialog.name_edit.isReadOnly() and dialog.sets_spin.isReadOnly()
    assert dialog.add_button.isHidden() and dialog.remove_button.isHidden()
    dialog.sets_spin.setValue(5)  # a program change from code is ignored too
    assert dialog.program() is builtin

    with qtbot.waitSignal(dialog.duplicated) as signal:
        dialog.duplicate_button.click()
    copy = signal.args[0]
    assert (copy.id, copy.builtin) == ("foundation-copy-2", False)
    assert not dialog.read_only
    assert not dialog.ok_button.isHidden() and dialog.ok_button.isEnabled()
    assert dialog.duplicate_button.isHidden()
    assert not dialog.sets_spin.isReadOnly()
    dialog.sets_spin.setValue(3)
    edited = dialog.program()
    assert edited.id == "copy-of-runner-s-calf-foundation" and edited.blocks[0].sets == 3
    assert edited.name == "Copy of Runner's calf foundation"


def test_every_control_is_named_described_and_in_the_tab_chain(
    editor: ProgramEditorDialog,
) -> None:
    editor.show()
    kinds = (QAbstractButton, QAbstractSpinBox, QComboBox, QLineEdit, QListView, QPlainTextEdit)
    controls = [w for w in editor.findChildren(QWidget) if isinstance(w, kinds)]
    controls = [w for w in controls if w.parent() is not None and w.isVisibleTo(editor)]
    # Line edits inside spin boxes and combo boxes belong to them.
    controls = [w for w in controls if not isinstance(w.parent(), QAbstractSpinBox | QComboBox)]
    assert len(controls) > 20
    unnamed = [type(w).__name__ for w in controls if not w.accessibleName()]
    untipped = [w.accessibleName() for w in controls if not w.toolTip()]
    assert unnamed == [] and untipped == []

    chain, widget = [], editor.name_edit
    for _ in range(200):
        chain.append(widget)
        widget = widget.nextInFocusChain()
        if widget is editor.name_edit:
            break
    order = [editor.name_edit, editor.description_edit, editor.block_list, editor.add_combo]
    order += [editor.sets_spin, editor.target_spin, editor.rest_spin, editor.ok_button]
    positions = [chain.index(w) for w in order]
    assert positions == sorted(positions)
    assert all(w in chain for w in controls)


def test_block_model_passes_the_model_tester(qtmodeltester, editor: ProgramEditorDialog) -> None:
    model = BlockListModel()
    model.set_blocks(foundation_copy().blocks)
    qtmodeltester.check(model)
    assert model.move_block(0, 1)
    assert not model.move_block(5, 1)
    model.set_flagged([2])
    assert model.index(2).data().startswith(WARNING_SIGN)
    qtmodeltester.check(editor.block_model)


def test_loads_are_edited_in_pounds_and_stored_in_kilograms(qtbot) -> None:
    from dataclasses import replace as _replace

    from calftimer.core.program_files import duplicate_program
    from calftimer.core.programs import BUILTIN_BY_ID, default_block
    from calftimer.gui.program_editor import ProgramEditorDialog

    base = duplicate_program(BUILTIN_BY_ID["isometric"], set())
    program = _replace(base, blocks=(default_block("seated_calf_raise", load_kg=10.0),))
    dialog = ProgramEditorDialog(program, weight_unit="lb")
    qtbot.addWidget(dialog)
    dialog.select_block(0)
    assert dialog.load_spin.suffix() == " lb"
    assert dialog.load_spin.value() == pytest.approx(22.0)
    assert "22 lb" in dialog.block_model.index(0, 0).data()
    dialog.load_spin.setValue(45.0)
    assert dialog.program().blocks[0].load_kg == pytest.approx(20.412, abs=0.001)


def test_cancel_asks_before_throwing_edits_away(qtbot) -> None:
    from calftimer.core.program_files import duplicate_program
    from calftimer.core.programs import BUILTIN_BY_ID
    from calftimer.gui.program_editor import ProgramEditorDialog

    dialog = shown(qtbot, ProgramEditorDialog(duplicate_program(BUILTIN_BY_ID["isometric"], set())))
    asked = answer_modal(click_button("Cancel"))
    dialog.reject()  # nothing changed: closes without asking
    asked.cancel()
    assert asked == [] and not dialog.isVisible()
    dialog.show()
    dialog.name_edit.setText("Morning holds")
    titles: list[str] = []
    answer_modal(click_button("Cancel"), during=lambda box: titles.append(box.windowTitle()))
    dialog.reject()  # "Cancel" in the question: the editor stays open
    assert titles == ["Discard your changes?"] and dialog.isVisible()
    asked = answer_modal(click_button("Discard"))
    dialog.reject()  # "Discard": the edits go, and the editor with them
    assert len(asked) == 1 and not dialog.isVisible()


# ------------------------------------------------------------------ the id, ranges, messages, size


def shown(qtbot, dialog: ProgramEditorDialog) -> ProgramEditorDialog:
    """The dialog on screen; at the end of the test it goes without asking."""
    qtbot.addWidget(dialog, before_close_func=close_without_asking)
    dialog.show()
    return dialog


def retype(qtbot, widget: QWidget, text: str) -> None:
    """Select what the field holds and type ``text`` over it, as a user does."""
    widget.setFocus()
    qtbot.keyClick(widget, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClicks(widget, text)


def test_the_id_shown_is_the_one_saved_and_follows_a_new_programs_name(
    qtbot, editor: ProgramEditorDialog
) -> None:
    editor.show()
    assert editor.id_label.text() == "copy-of-runner-s-calf-foundation"
    retype(qtbot, editor.name_edit, "My foundation")
    assert editor.id_label.text() == "my-foundation"
    assert editor.program().id == "my-foundation"
    assert "from the name" in editor.id_hint.text()
    retype(qtbot, editor.name_edit, "Foundation")  # the built-in's id is taken
    assert editor.id_label.text() == "foundation-2" == editor.program().id


def test_a_saved_program_keeps_its_id_when_renamed(qtbot) -> None:
    saved = duplicate_program(BUILTIN_BY_ID["foundation"], BUILTIN_IDS)
    dialog = shown(qtbot, ProgramEditorDialog(saved, existing_ids=[*BUILTIN_IDS, saved.id]))
    retype(qtbot, dialog.name_edit, "Tuesday")
    assert dialog.id_label.text() == saved.id == dialog.program().id
    assert "kept" in dialog.id_hint.text()  # --start scripts keep working after a rename


def test_typing_a_number_out_of_range_is_kept_and_explained(
    qtbot, editor: ProgramEditorDialog
) -> None:
    editor.show()
    spin = editor.sets_spin
    retype(qtbot, spin, "25")
    assert spin.cleanText() == "25"  # not silently 2
    assert editor.program().blocks[0].sets == 25
    assert not editor.ok_button.isEnabled()
    assert "Block 1 (Double-leg calf raise) › Sets: must be from 1 to 20" in (
        editor.problems_label.text()
    )
    assert editor.block_problems_label.text() == f"{WARNING_SIGN} Sets: must be from 1 to 20"
    assert spin.accessibleDescription() == "Sets: must be from 1 to 20"
    spin.clearFocus()  # leaving the field keeps what was typed
    assert spin.value() == 25
    qtbot.keyClick(spin, Qt.Key.Key_Down)  # the arrows step back inside the range
    assert spin.value() == 20 and editor.ok_button.isEnabled()
    qtbot.keyClick(spin, Qt.Key.Key_Up)
    assert spin.value() == 20  # and never out of it
    retype(qtbot, spin, "12")
    assert editor.program().blocks[0].sets == 12 and editor.problems() == []
    assert spin.accessibleDescription() == ""


def test_an_out_of_range_load_is_explained_in_the_users_unit(qtbot) -> None:
    base = duplicate_program(BUILTIN_BY_ID["isometric"], set())
    program = replace(base, blocks=(default_block("seated_calf_raise", load_kg=10.0),))
    dialog = shown(qtbot, ProgramEditorDialog(program, weight_unit="lb"))
    retype(qtbot, dialog.load_spin, "2000")
    assert dialog.load_spin.value() == 2000
    assert dialog.block_problems_label.text() == f"{WARNING_SIGN} Load: must be from 0 to 1102.5 lb"
    assert not dialog.ok_button.isEnabled()


def test_messages_name_the_fields_by_their_labels(qtbot, editor: ProgramEditorDialog) -> None:
    editor.show()
    editor.select_block(1)  # single-leg raise
    retype(qtbot, editor.tempo_spins["up"], "45")
    assert editor.problems() == ["blocks[1].tempo.up: must be a number from 0 to 30"]  # core
    bottom = editor.problems_label.text()
    assert "Block 2 (Single-leg calf raise) › Tempo › Up: must be from 0 to 30 s" in bottom
    assert (
        editor.block_problems_label.text() == f"{WARNING_SIGN} Tempo › Up: must be from 0 to 30 s"
    )
    set_tempo(editor, Tempo(0, 0, 0, 0))
    assert "Block 2 (Single-leg calf raise) › Tempo: one rep must last at least 0.5 seconds" in (
        editor.problems_label.text()
    )
    editor.select_block(5)  # pogo jumps without a metronome
    editor.metronome_check.setChecked(False)
    assert (
        "Block 6 (Jumping calf raise (pogo)) › Tempo is required when there is no metronome "
        "to pace the reps"
    ) in editor.problems_label.text()
    editor.name_edit.setText("")
    assert "Name: must be a non-empty text" in editor.problems_label.text()
    texts = editor.problems_label.text() + editor.block_problems_label.text()
    assert "blocks[" not in texts and ".tempo" not in texts


def test_a_saved_copy_is_saved_under_the_id_the_editor_showed(qtbot, window, tmp_path) -> None:
    seen: list[str] = []

    def rename(dialog) -> None:
        retype(qtbot, dialog.name_edit, "My foundation")
        seen.append(dialog.id_label.text())

    row = window.home.program_model.row_of("foundation")
    window.home.program_list.setCurrentIndex(window.home.program_model.index(row, 0))
    answer_modal(click_button("Save"), during=rename)
    window.programs.duplicate_selected()
    assert seen == ["my-foundation"]
    assert (tmp_path / "programs" / "my-foundation.json").exists()


FIT_SCRIPT = r"""
import json, sys
from PySide6.QtWidgets import QApplication, QScrollArea
app = QApplication([])
from calftimer.core.program_files import duplicate_program
from calftimer.core.programs import BUILTIN_PROGRAMS
from calftimer.gui.program_editor import ProgramEditorDialog
out = []
for builtin in BUILTIN_PROGRAMS:
    dialog = ProgramEditorDialog(duplicate_program(builtin, []))
    dialog.show()
    for row in range(len(builtin.blocks)):
        dialog.select_block(row)
        for _ in range(3):
            app.processEvents()
        bar = dialog.findChild(QScrollArea).verticalScrollBar()  # the block's fields
        out.append([builtin.id, row, bar.maximum(), dialog.frameGeometry().height()])
    if builtin.id == "foundation":  # with a mistake explained in the block and below
        dialog.select_block(1)
        dialog.sets_spin.setValue(25)
        dialog.tempo_spins["up"].setValue(45)
        for _ in range(3):
            app.processEvents()
        bar = dialog.findChild(QScrollArea).verticalScrollBar()
        out.append([builtin.id, "mistakes", bar.maximum(), dialog.frameGeometry().height()])
    dialog.done(0)
print(json.dumps(out))
"""


@pytest.mark.slow
def test_one_block_fits_without_scrolling_on_a_1366_by_768_laptop(tmp_path) -> None:
    import json
    import os
    import subprocess
    import sys

    # A 768 px screen less a 32 px panel; the title bar is the dialog's own to leave room for.
    screen = {"screens": [{"name": "laptop", "x": 0, "y": 0, "width": 1366, "height": 736}]}
    (tmp_path / "screen.json").write_text(json.dumps(screen))
    env = dict(os.environ, QT_QPA_PLATFORM=f"offscreen:configfile={tmp_path / 'screen.json'}")
    done = subprocess.run(
        [sys.executable, "-c", FIT_SCRIPT], env=env, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    rows = json.loads(done.stdout.splitlines()[-1])
    assert len(rows) > 10
    scrolled = [(program, row) for program, row, scroll, _h in rows if scroll > 0]
    assert scrolled == []
    assert max(height for *_rest, height in rows) <= 736 - 30  # room for a title bar


def test_every_alt_key_on_screen_is_unique(editor: ProgramEditorDialog) -> None:
    from PySide6.QtWidgets import QLabel

    # "&Sets" and "&Save" shared Alt+S (it moved between them instead of saving), and "S&witch
    # legs" shared Alt+W with "Move do&wn".
    editor.show()
    for row in range(len(editor.program().blocks)):
        editor.select_block(row)
        if row == 4:  # the walk, timed and by distance
            editor.mode_combo.setCurrentIndex(editor.mode_combo.findData("distance"))
        texts = [
            w.text()
            for w in editor.findChildren(QLabel) + editor.findChildren(QAbstractButton)
            if w.isVisibleTo(editor) and (not isinstance(w, QLabel) or w.buddy() is not None)
        ]
        keys = [t[t.index("&") + 1].lower() for t in texts if "&" in t.replace("&&", "")]
        assert len(keys) == len(set(keys)), sorted(keys)
