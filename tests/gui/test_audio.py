"""Cues reach the sound output at their moments; without sound the screen flashes instead."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QObject, Signal

from calftimer.core.clock import ManualClock
from calftimer.core.library import ProgramLibrary
from calftimer.core.programs import BUILTIN_BY_ID
from calftimer.gui.audio import SOUND_NAMES, SilentOutput, create_sound_output, sounds_folder
from calftimer.gui.main_window import MainWindow
from calftimer.paths import AppPaths
from tests.gui.helpers import advance_by_deadlines, advance_to

T0 = 4_000_000


class RecordingOutput(QObject):
    """A sound output that records what it was asked to play, and when.

    Like the audio thread, it plays a sound handed out ahead (``play_at``) when the clock
    reaches its instant, unless it is cancelled first."""

    played = Signal(str)

    def __init__(self, clock: ManualClock) -> None:
        super().__init__()
        self.clock = clock
        self.problem = None
        self._played: list[tuple[int, str]] = []
        self._pending: list[tuple[int, str]] = []
        self.stops = 0
        self.spoken: list[tuple[int, str]] = []

    @property
    def sounds(self) -> list[tuple[int, str]]:
        now = self.clock()
        due = [(t - T0, name) for t, name in self._pending if t <= now]
        return sorted(self._played + due)

    def play_sound(self, name: str, volume: float) -> None:
        self._played.append((self.clock() - T0, name))

    def play_at(self, name: str, volume: float, due_mono_ms: int) -> None:
        self._pending.append((due_mono_ms, name))

    def cancel_pending(self) -> None:
        now = self.clock()
        self._played += [(t - T0, name) for t, name in self._pending if t <= now]
        self._pending = []

    def speak(self, phrase, volume: float) -> None:
        self.spoken.append((self.clock() - T0, phrase.text))

    def stop_all(self) -> None:
        self.cancel_pending()
        self.stops += 1


@pytest.fixture
def window(qtbot, tmp_path: Path):
    clock = ManualClock(T0)
    w = MainWindow(ProgramLibrary.load(None), clock, AppPaths(tmp_path, "test"))
    qtbot.addWidget(w)
    return w, clock


def test_every_packaged_sound_exists_for_both_themes() -> None:
    for theme in ("standard", "low"):
        for name in SOUND_NAMES:
            assert (sounds_folder(theme) / f"{name}.wav").is_file(), (theme, name)


def test_cues_play_once_at_their_moments_and_pausing_silences(window) -> None:
    w, clock = window
    output = RecordingOutput(clock)
    w.attach_audio(output)
    w.start_program(BUILTIN_BY_ID["isometric"])
    first = w.driver.session.timeline.work_sets[0]
    advance_by_deadlines(w.driver, clock, T0 + first.start_ms)
    names = [name for _, name in output.sounds]
    assert names[-4:] == ["tick", "tick", "tick", "go"]
    assert output.sounds[-1][0] == first.start_ms  # "go" at the set's first millisecond
    w.driver.apply("pause")
    assert output.stops >= 1
    count = len(output.sounds)
    w.driver.apply("resume")
    advance_to(w.driver, clock, clock() + 100)
    assert len(output.sounds) == count  # nothing replayed on resume


def test_muting_plays_nothing(window) -> None:
    w, clock = window
    output = RecordingOutput(clock)
    w.attach_audio(output)
    w.toggle_mute()
    w.start_program(BUILTIN_BY_ID["isometric"])
    advance_to(w.driver, clock, T0 + 20_000)
    assert output.sounds == []


def test_without_a_sound_backend_the_screen_flashes_and_says_why(qtbot, window) -> None:
    w, clock = window
    output = SilentOutput("Sound is off: no audio output device was found.")
    w.attach_audio(output)
    w.start_program(BUILTIN_BY_ID["isometric"])
    assert "Sound is off" in w.session_view.info_label.text()
    with qtbot.waitSignal(output.played):
        advance_to(w.driver, clock, T0 + 10_000)
    assert w.session_view._flash_overlay is not None


def test_with_qtmultimedia_missing_the_app_still_runs(monkeypatch, window) -> None:
    import builtins

    real_import = builtins.__import__

    def no_multimedia(name, *args, **kwargs):
        if name.startswith("PySide6.QtMultimedia"):
            raise ImportError("libpulse.so.0: cannot open shared object file")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_multimedia)
    output = create_sound_output("standard")
    assert isinstance(output, SilentOutput)
    assert "libpulse0" in output.problem
    w, clock = window
    w.attach_audio(output)
    w.start_program(BUILTIN_BY_ID["isometric"])
    advance_to(w.driver, clock, T0 + 30_000)
    assert w.driver.session.state.value == "running"


def test_the_session_done_sound_is_not_cut_off(window) -> None:
    w, clock = window
    output = RecordingOutput(clock)
    w.attach_audio(output)
    w.start_program(BUILTIN_BY_ID["isometric"])
    advance_by_deadlines(w.driver, clock, T0 + 20_000)
    w.driver.apply("finish")
    assert output.sounds[-1][1] == "session_done"
    assert output.stops == 0  # finishing does not silence the last sound


def test_a_set_reached_by_skip_while_paused_says_go_on_resume(window) -> None:
    w, clock = window
    output = RecordingOutput(clock)
    w.attach_audio(output)
    w.start_program(BUILTIN_BY_ID["isometric"])
    advance_by_deadlines(w.driver, clock, T0 + 3_000)
    w.driver.apply("pause")
    w.driver.apply("skip")  # lands on the first set's start, still paused
    assert "go" not in [name for _, name in output.sounds]
    advance_by_deadlines(w.driver, clock, clock() + 2_000)
    w.driver.apply("resume")
    assert output.sounds[-1][1] == "go"


def test_the_deadline_helper_never_looks_like_a_suspend(window) -> None:
    w, clock = window
    w.attach_audio(RecordingOutput(clock))
    w.start_program(BUILTIN_BY_ID["isometric"])
    advance_by_deadlines(w.driver, clock, T0 + 120_000)
    assert w.driver.session.state.value == "running"
