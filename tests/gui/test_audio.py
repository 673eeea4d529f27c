"""Cues reach the sound output at their moments; without sound the screen flashes instead."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QWidget

from calftimer.core.clock import ManualClock
from calftimer.core.programs import BUILTIN_BY_ID
from calftimer.gui.audio import SOUND_NAMES, SilentOutput, create_sound_output
from calftimer.gui.driver import FRAME_INTERVAL_MS
from calftimer.resources import sounds_folder
from tests.gui.fakes import T0, RecordingOutput
from tests.gui.helpers import advance_by_deadlines, advance_to, notice_text


def test_every_packaged_sound_exists_for_both_themes() -> None:
    for theme in ("standard", "low"):
        for name in SOUND_NAMES:
            assert (sounds_folder(theme) / f"{name}.wav").is_file(), (theme, name)


def test_cues_play_once_at_their_moments_and_pausing_silences(window, clock) -> None:
    output = RecordingOutput(clock)
    window.attach_audio(output)
    window.session.start(BUILTIN_BY_ID["isometric"])
    first = window.session.timeline.work_sets[0]
    advance_by_deadlines(window.session, clock, T0 + first.start_ms)
    names = [name for _, name in output.sounds]
    assert names[-4:] == ["tick", "tick", "tick", "go"]
    assert output.sounds[-1][0] == first.start_ms  # "go" at the set's first millisecond
    window.session.pause()
    assert output.stops >= 1
    count = len(output.sounds)
    window.session.resume()
    advance_to(window.session, clock, clock() + 100)
    assert len(output.sounds) == count  # nothing replayed on resume


def test_muting_plays_nothing(window, clock) -> None:
    output = RecordingOutput(clock)
    window.attach_audio(output)
    window.toggle_mute()
    window.session.start(BUILTIN_BY_ID["isometric"])
    advance_to(window.session, clock, T0 + 20_000)
    assert output.sounds == []


def test_without_a_sound_backend_the_screen_flashes_and_says_why(qtbot, window, clock) -> None:
    output = SilentOutput("Sound is off: no audio output device was found.")
    window.attach_audio(output)
    window.session.start(BUILTIN_BY_ID["isometric"])
    assert "Sound is off" in notice_text(window)
    assert not window.notice_area.isHidden() and "Sound is off" in window.notice_area.summary_text()
    with qtbot.waitSignal(output.played):
        advance_to(window.session, clock, T0 + 10_000)
    overlay = window.session_view.findChild(QWidget, "flashOverlay")
    assert overlay is not None and not overlay.isHidden()  # shown (the window itself is not)


def test_with_qtmultimedia_missing_the_app_still_runs(monkeypatch, window, clock) -> None:
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
    window.attach_audio(output)
    window.session.start(BUILTIN_BY_ID["isometric"])
    advance_to(window.session, clock, T0 + 30_000)
    assert window.session.state.value == "running"


def test_the_session_done_sound_is_not_cut_off(window, clock) -> None:
    output = RecordingOutput(clock)
    window.attach_audio(output)
    window.session.start(BUILTIN_BY_ID["isometric"])
    advance_by_deadlines(window.session, clock, T0 + 20_000)
    window.session.finish()
    assert output.sounds[-1][1] == "session_done"
    assert output.stops == 0  # finishing does not silence the last sound


def test_with_sound_the_summary_shows_as_the_session_finishes(window, clock) -> None:
    """The last chime was handed to the output ahead of its moment (it is placed in the stream
    by then): the summary needs to wait for nothing, and showing it silences nothing."""
    output = RecordingOutput(clock)
    window.attach_audio(output)
    window.session.start(BUILTIN_BY_ID["isometric"])
    advance_by_deadlines(window.session, clock, T0 + 20_000)
    window.session.finish()
    assert window.session_view.summary_label.text() != ""  # at once: no timer had to fire
    assert output.sounds[-1][1] == "session_done" and output.stops == 0


def test_a_set_reached_by_skip_while_paused_says_go_on_resume(window, clock) -> None:
    output = RecordingOutput(clock)
    window.attach_audio(output)
    window.session.start(BUILTIN_BY_ID["isometric"])
    advance_by_deadlines(window.session, clock, T0 + 3_000)
    window.session.pause()
    window.session.skip()  # lands on the first set's start, still paused
    assert "go" not in [name for _, name in output.sounds]
    advance_by_deadlines(window.session, clock, clock() + 2_000)
    window.session.resume()
    assert output.sounds[-1][1] == "go"


def test_the_deadline_helper_never_looks_like_a_suspend(window, clock) -> None:
    window.attach_audio(RecordingOutput(clock))
    window.session.start(BUILTIN_BY_ID["isometric"])
    advance_by_deadlines(window.session, clock, T0 + 120_000)
    assert window.session.state.value == "running"


# ------------------------------------------------------------------ the voice in the window


def test_a_rep_count_is_spoken_ahead_so_it_ends_as_the_rep_starts(window, timers, clock) -> None:
    from calftimer.core.cues import phrase_plan

    output = RecordingOutput(clock)
    window.attach_audio(output)
    window.session.start(BUILTIN_BY_ID["foundation"])
    first = window.session.timeline.work_sets[0]
    plan = phrase_plan(window.session.timeline, window.conductor.measure)
    counts = [(start, p) for start, p in plan if p.text in ("1", "2", "3")]
    counts = [c for c in counts if first.start_ms <= c[1].cue.offset_ms <= first.end_ms][:3]
    end = T0 + counts[-1][1].cue.offset_ms
    advance_by_deadlines(window.session, clock, end, timers, step_ms=FRAME_INTERVAL_MS)
    spoken = [(t, text) for t, text in output.spoken if text in ("1", "2", "3")]
    assert spoken == [(start, phrase.text) for start, phrase in counts]  # by the phrase timer
    for _start, phrase in counts:
        assert phrase.lead_ms > 0  # started before the rep it counts, to end as it starts
    assert [text for _, text in output.spoken].count("1") == 1  # its cue did not say it again


def test_pausing_takes_back_what_was_handed_out_and_resuming_hands_it_out_again(
    window, timers, clock
) -> None:
    output = RecordingOutput(clock)
    window.attach_audio(output)
    window.session.start(BUILTIN_BY_ID["isometric"])
    advance_by_deadlines(window.session, clock, T0 + 6_500)
    assert output.pending, "the countdown was handed out ahead"
    window.session.pause()
    assert output.pending == [] and timers.next_due() is None  # nothing left to say either
    clock.set(clock() + 3_000)
    window.session.resume()
    advance_by_deadlines(window.session, clock, clock() + 4_000)
    names = [name for _, name in output.sounds]
    assert names == ["tick", "tick", "tick", "go"]  # each once, after the pause
    assert [t for t, _ in output.sounds] == [7_000 + 3_000, 8_000 + 3_000, 9_000 + 3_000, 13_000]


def test_the_cue_player_plans_with_the_voice_that_speaks(window, clock) -> None:
    from calftimer.core.cues import estimate

    output = RecordingOutput(clock)
    window.attach_audio(output)
    assert output.voices == [("system", 0.0, "")]  # the settings' engine, rate and voice
    assert window.conductor.measure is estimate

    def slow(text: str, words: tuple[str, ...]) -> int:
        return 5_000

    output.measure = slow
    output.voice_changed.emit()
    assert window.conductor.measure is slow
    output.notice.emit("The system voice is not available: no speech engine is installed.")
    assert "not available" in notice_text(window)


def test_a_silent_output_flashes_at_the_moment_and_not_after_a_cancel(qtbot) -> None:
    from calftimer.core.clock import monotonic_ms

    output = SilentOutput("Sound is off.")
    flashed: list[int] = []
    output.played.connect(lambda _name: flashed.append(monotonic_ms()))
    due = monotonic_ms() + 30
    output.play_at("go", 1.0, due)
    output.play_at("tick", 1.0, due + 10_000)
    with qtbot.waitSignal(output.played, timeout=2_000):
        pass
    assert flashed[0] >= due
    output.cancel_pending()
    assert not output._timer.isActive() and output._pending == []


# ------------------------------------------------------------------ SoundOutput's voices


@pytest.fixture
def sound_output(qtbot):
    """Real sound engines (without a sound server here their stream cannot open: what is
    tested is the voice), each closed at the end, its threads stopped."""
    from calftimer.gui.sound.engine import SoundEngine

    made = []

    def make(**options):
        output = SoundEngine(sounds_folder("standard"), **options)
        made.append(output)
        return output

    yield make
    for output in made:
        output.close()
        assert not output.sound_thread.isRunning()


def test_the_built_in_voice_loads_off_the_window_thread(qtbot, sound_output) -> None:
    output = sound_output()
    assert output.voice == "none"  # not loaded yet: construction never waits for 3 MB
    qtbot.waitUntil(lambda: output.voice == "clips", timeout=5_000)
    assert output.measure("", ("halfway",)) > 300


def test_the_system_voice_replaces_the_clips_once_it_has_started(qtbot, sound_output) -> None:
    output = sound_output(speech_engine="mock")  # Qt's silent test engine
    qtbot.waitUntil(lambda: output.voice == "clips", timeout=5_000)
    output.set_voice("system", 0.5, "")
    assert output.voice == "clips"  # speaking at once while the system voice starts
    qtbot.waitUntil(lambda: output.voice == "system", timeout=10_000)
    assert output.system_voices, "the engine's voices are listed for the settings"
    # Its phrases are planned at its rate; its start-up time is not in the plan: it is asked
    # that much earlier (speech.SystemVoice measures it as it speaks).
    assert output.measure("One two three.", ()) == round((200 + 3 * 330) / 2**0.5)
    with qtbot.waitSignal(output.voice_changed):
        output.set_voice("beeps", 0.5, "")
    assert output.voice == "none" and output.measure is None


def test_without_a_speech_engine_the_clips_speak_and_the_user_is_told(qtbot, sound_output):
    output = sound_output(speech_engine="no-such-engine")
    qtbot.waitUntil(lambda: output.voice == "clips", timeout=5_000)
    with qtbot.waitSignal(output.notice, timeout=10_000) as notice:
        output.set_voice("system", 0.0, "")
    assert "system voice is not available" in notice.args[0]
    assert "speech-dispatcher" in notice.args[0]  # and how to fix it
    assert output.voice == "clips"


class LoadingOutput(RecordingOutput):
    """An output still loading its sounds, like SoundOutput in its first half second."""

    def __init__(self, clock: ManualClock) -> None:
        super().__init__(clock)
        self.loading = True


def test_a_session_started_while_the_sounds_load_waits_for_them(window, timers, clock) -> None:
    """A --start at launch: the get-ready announcement must not be lost to loading."""
    output = LoadingOutput(clock)
    window.attach_audio(output)
    window.session.start(BUILTIN_BY_ID["isometric"])
    assert (
        window.session.state is None
        and "getting the sounds ready" in window.statusBar().currentMessage()
    )
    output.loading = False
    output.became_ready.emit()
    assert window.session.state is not None and window.session.state.value == "running"
    assert window.session.waiting_program is None and timers.next_due() is None


def test_a_session_does_not_wait_for_sounds_forever(window, timers, clock) -> None:
    window.attach_audio(LoadingOutput(clock))
    window.session.start(BUILTIN_BY_ID["isometric"])
    assert window.session.state is None and timers.next_due() == clock() + 3_000
    clock.set(clock() + 2_999)
    timers.fire_due()
    assert window.session.state is None  # still waiting
    clock.set(clock() + 1)  # three seconds later, still loading
    timers.fire_due()
    assert window.session.state is not None and window.session.state.value == "running"


def test_sounds_that_fail_to_load_fall_back_to_the_flash(qtbot, window, clock) -> None:
    output = LoadingOutput(clock)
    window.attach_audio(output)
    output.failed.emit("Sound is off: no audio output device was found.")
    assert isinstance(window.conductor.output, SilentOutput)
    assert "no audio output device" in notice_text(window)


def test_after_back_the_replayed_rep_counts_are_spoken_ahead_again(window, timers, clock) -> None:
    from calftimer.core.timeline import CueKind

    output = RecordingOutput(clock)
    window.attach_audio(output)
    window.session.start(BUILTIN_BY_ID["foundation"])
    first = window.session.timeline.work_sets[0]
    advance_by_deadlines(window.session, clock, T0 + first.start_ms + 12_000, timers)
    assert [text for _, text in output.spoken].count("2") == 1
    window.session.back()  # to the start of the set
    t = window.session.elapsed_ms
    assert t < first.start_ms + 12_000
    # The phrases of the replayed stretch are offered again, from where the session is now:
    # the count of rep 2 starts before rep 2, as the first time.
    rep_2 = next(
        c
        for c in window.session.timeline.cues
        if c.kind is CueKind.REP and c.value == 2 and c.work_index == first.index
    )
    rep_2_at = window.session.mono_at(rep_2.offset_ms) - T0
    advance_by_deadlines(window.session, clock, T0 + rep_2_at, timers, step_ms=FRAME_INTERVAL_MS)
    again = [time for time, text in output.spoken if text == "2"][1:]
    assert len(again) == 1 and again[0] < rep_2_at


# ------------------------------------------------- a fault of Qt's PulseAudio backend, contained

CROSS_THREAD = "QSocketNotifier: Socket notifiers cannot be enabled or disabled from another thread"
