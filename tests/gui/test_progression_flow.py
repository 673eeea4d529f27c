"""After a session: next time's targets by the progression rule, changed by the pain given,
applied to the user's own copy with one click, and undone."""

from __future__ import annotations

import pytest

from calftimer.core.exercise import Tempo
from calftimer.core.program_files import folder_ids
from calftimer.core.programs import Program, default_block, load_program_file
from calftimer.gui.main_window import MainWindow
from tests.gui.fakes import T0
from tests.gui.helpers import advance_by_deadlines

QUICK = Program(
    "quick",
    "Quick raises",
    "",
    (default_block("double_leg_calf_raise", sets=2, target=3, tempo=Tempo(1, 0, 1, 0), rest_s=5),),
    builtin=True,
)


@pytest.fixture
def finished(window, clock) -> MainWindow:
    window.session.start(QUICK)
    advance_by_deadlines(window.session, clock, T0 + window.session.timeline.duration_ms)
    assert window.session.state.value == "finished"
    return window


def test_the_summary_suggests_next_time_and_pain_changes_it(finished: MainWindow) -> None:
    view = finished.session_view
    assert not view.next_time_box.isHidden()
    assert "Double-leg calf raise: next time 2 × 5." in view.next_time_label.text()
    view.pain_bar.buttons[4].click()  # pain 4: one rep at a time
    assert "Double-leg calf raise: next time 2 × 4." in view.next_time_label.text()
    view.pain_bar.ask()
    view.pain_bar.buttons[7].click()  # above 5/10: hold
    assert "repeat 2 × 3; pain 7/10" in view.next_time_label.text()
    assert view.apply_next_time_button.isHidden()  # nothing to apply


def test_apply_writes_the_users_copy_and_undo_removes_it(finished: MainWindow) -> None:
    folder = finished.shell.paths.programs_dir
    finished.session_view.apply_next_time_button.click()
    (copy_id,) = folder_ids(folder)
    copy = load_program_file(folder / f"{copy_id}.json")
    assert copy.name == "Copy of Quick raises" and copy.blocks[0].target == 5
    assert not finished.session_view.undo_next_time_button.isHidden()
    finished.session_view.undo_next_time_button.click()
    assert folder_ids(folder) == set()


def test_a_new_session_forgets_the_last_ones_apply(finished: MainWindow) -> None:
    finished.session_view.apply_next_time_button.click()
    assert finished.coach.can_undo_progression
    finished.show_home()
    finished.session.start(QUICK)
    assert not finished.coach.can_undo_progression and finished.coach.suggestions == []
