"""The system voice's timing (speech.SpeechTiming, speech._SpeechWorker) and its advice.

A fake speech engine stands in for QTextToSpeech and a manual clock for time: each test says
when the engine reports Speaking and Ready, and checks when the next phrase is asked for. The
worker lives on the test's thread here (the app moves it to a thread of its own); its timer is
never waited for: the test moves the clock and calls ``say_due`` as the timer would.
"""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from PySide6.QtCore import QObject, Signal

from calftimer.gui.sound.speech import (
    MAX_LATENCY_MS,
    SpeechSystem,
    SpeechTiming,
    _SpeechWorker,
    speech_advice,
)

PAUSE_MS = 320  # espeak-ng's trailing pause through speech-dispatcher, as measured here


class FakeSpeech(QObject):
    """What the worker uses of QTextToSpeech; remembers what it was asked, and when."""

    stateChanged = Signal(object)  # noqa: N815 (Qt's name)

    def __init__(self, clock: list[int]) -> None:
        super().__init__()
        self._clock = clock
        self.said: list[tuple[str, float, int]] = []  # text, volume, instant
        self.stops = 0

    def say(self, text: str) -> None:
        self.said.append((text, self._volume, self._clock[0]))

    def stop(self) -> None:
        self.stops += 1

    def setVolume(self, volume: float) -> None:
        self._volume = volume

    def setRate(self, rate: float) -> None:
        pass

    def availableVoices(self) -> list[object]:
        return [SimpleNamespace(name=lambda: "Alice")]

    def voice(self) -> object:
        return None

    def report(self, state: str, after_ms: int) -> None:
        self._clock[0] += after_ms
        self.stateChanged.emit(SimpleNamespace(name=state))


@pytest.fixture
def voice(qtbot):
    """A started worker on a manual clock, its silent warm-up answered like espeak-ng does
    (start-up 4 ms; "one" heard for 315 ms)."""
    clock = [100_000]
    made: list[FakeSpeech] = []

    def factory(_engine: str, parent: QObject) -> FakeSpeech:
        made.append(FakeSpeech(clock))
        return made[0]

    worker = _SpeechWorker(lambda: clock[0], factory)
    ready: list[list[str]] = []
    worker.ready.connect(lambda _engine, voices: ready.append(voices))
    worker.start_engine("fake")
    speech = made[0]
    assert [(t, v) for t, v, _ in speech.said] == [("...", 0.0)], "the pause, silently"
    speech.report("Speaking", 4)
    speech.report("Ready", PAUSE_MS)
    assert [t for t, _, _ in speech.said] == ["...", "one"] and speech.said[1][1] == 0.0
    speech.report("Speaking", 4)
    assert not ready, "not ready until the word is measured"
    speech.report("Ready", 315 + PAUSE_MS)
    assert ready == [["Alice"]]
    return SimpleNamespace(worker=worker, speech=speech, clock=clock)


def said_at(v: SimpleNamespace, text: str) -> list[int]:
    return [at for t, _, at in v.speech.said if t == text]


def run_until(v: SimpleNamespace, instant: int) -> None:
    """Move the clock to ``instant``, calling ``say_due`` as the timer would on the way."""
    timer = v.worker._timer
    while timer.isActive() and v.clock[0] + timer.remainingTime() <= instant:
        v.clock[0] += max(0, timer.remainingTime())
        timer.stop()
        v.worker.say_due()
    v.clock[0] = instant


def test_a_count_is_asked_for_so_that_it_ends_as_its_rep_starts(voice) -> None:
    v = voice
    rep_starts = v.clock[0] + 5_000
    # Planned like the plan does: 530 ms for one word, starting 530 ms before the rep.
    v.worker.say_at("2", 0.8, 0.0, "", rep_starts - 530, 530, 530)
    assert said_at(v, "2") == []  # not yet: the timer waits for its turn
    run_until(v, rep_starts)
    # Heard for 315 ms (as "one" was, against its plan of 530) after a 4 ms start-up: asked
    # 319 ms before the rep, not 530 ms before it (ending 211 ms early), nor 1 s before.
    assert said_at(v, "2") == [rep_starts - 315 - 4]


def test_a_texts_own_length_is_learnt_as_it_is_said(voice) -> None:
    v = voice
    first = v.clock[0] + 2_000
    v.worker.say_at("7", 0.8, 0.0, "", first - 530, 530, 530)
    run_until(v, first - 319)
    v.speech.report("Speaking", 4)
    v.speech.report("Ready", 430 + PAUSE_MS)  # "seven" is longer than "one"
    second = first + 2_000
    v.worker.say_at("7", 0.8, 0.0, "", second - 530, 530, 530)
    run_until(v, second)
    assert said_at(v, "7")[1] == second - 430 - 4


def test_one_slow_start_does_not_move_the_lead_and_a_hiccup_is_ignored() -> None:
    timing = SpeechTiming()
    assert timing.lead_ms == 0  # unmeasured: asked at its instant, late rather than early
    for latency in (4, 5, 900, 4, MAX_LATENCY_MS + 1, 6):
        timing.started(latency)
    assert timing.lead_ms == 5  # median of 4, 5, 900, 4, 6
    timing.started(-3)  # a clock that went backwards measures nothing
    assert timing.lead_ms == 5


def test_before_anything_is_measured_a_phrase_keeps_its_planned_start() -> None:
    timing = SpeechTiming()
    assert timing.ask_at("3", 10_000, 530) == 10_000
    assert timing.ask_at("Halfway.", 10_000, 0) == 10_000  # no moment: at its instant


def test_a_newer_phrase_cuts_the_one_still_speaking_and_its_length_is_not_learnt(voice) -> None:
    v = voice
    start = v.clock[0] + 1_000
    # A slow voice: "Rest, sixty seconds." still speaking when the count's turn comes.
    v.worker.say_at("Rest, sixty seconds.", 0.8, 0.0, "", start, 1_190, 1_190)
    run_until(v, start + 100)
    v.speech.report("Speaking", 4)
    stops = v.speech.stops
    v.worker.say_at("1", 0.8, 0.0, "", start + 700, 530, 530)
    run_until(v, start + 1_300)
    assert said_at(v, "1"), "the count is said"
    assert v.speech.stops == stops + 1, "what was still speaking was stopped first"
    v.speech.report("Ready", 0)  # the cut phrase's Ready: it measures nothing
    assert "Rest, sixty seconds." not in v.worker.timing._lengths


def test_a_phrase_whose_room_has_passed_is_skipped_not_said_late(voice, qtbot) -> None:
    v = voice
    with qtbot.waitSignal(v.worker.skipped) as skipped:
        # Handed over after its rep had begun (the thread was held up): said now, it would
        # count a rep that is already under way.
        v.worker.say_at("4", 0.8, 0.0, "", v.clock[0] - 900, 530, 530)
    assert skipped.args == ["4"] and said_at(v, "4") == []
    # One that may still start (a rest's announcement with slack) is said at once.
    v.worker.say_at("Next: soleus squat.", 0.8, 0.0, "", v.clock[0] - 900, 860, 5_000)
    assert said_at(v, "Next: soleus squat.") == [v.clock[0]]


# ------------------------------------------------------------------------------ advice

EVERYTHING = SpeechSystem(
    linux=True,
    engines=("speechd", "mock"),
    libspeechd=True,
    dispatcher=True,
    modules=("sd_espeak-ng",),
)


@pytest.mark.parametrize(
    ("system", "names", "never"),
    [
        # PySide6-Essentials alone: Qt has no speech plugin at all.
        (SpeechSystem(True, ("mock",), False, False, ()), ["PySide6-Addons"], ["apt"]),
        # Qt's plugin, but no speech-dispatcher (this machine before bootstrap --test).
        (
            SpeechSystem(True, ("speechd", "mock"), False, False, ()),
            ["speech-dispatcher", "speech-dispatcher-espeak-ng"],
            ["spd-say"],
        ),
        # The service without the client library Qt's plugin loads.
        (
            SpeechSystem(True, ("speechd", "mock"), False, True, ("sd_espeak-ng",)),
            ["libspeechd2"],
            ["install speech-dispatcher "],
        ),
        # The service with no voice (only its dummy module: Qt says "Found no modules").
        (
            SpeechSystem(True, ("speechd", "mock"), True, True, ()),
            ["speech-dispatcher-espeak-ng", "no voice"],
            ["spd-say"],
        ),
        # Everything installed: the service itself did not answer (no sound server, ...).
        (EVERYTHING, ["did not answer", "spd-say hello", "espeak-ng"], ["Install"]),
    ],
)
def test_the_advice_names_what_is_really_missing(system, names, never) -> None:
    advice = speech_advice("it failed", system)
    for name in names:
        assert name in advice
    for word in never:
        assert word not in advice
    assert "built-in voice speaks" in advice  # and what happens meanwhile


def test_this_machines_speech_stack_is_found() -> None:
    """The probe reads the real machine: Qt's plugins from the installed PySide6, and
    speech-dispatcher's modules from its folder (bootstrap --test installs them)."""
    system = SpeechSystem.probe()
    assert "speechd" in system.engines
    assert system.dispatcher and system.libspeechd
    assert "sd_espeak-ng" in system.modules and "sd_dummy" not in system.modules


def test_a_new_rate_is_measured_silently_before_it_speaks(voice) -> None:
    v = voice
    rates: list[float] = []
    v.speech.setRate = rates.append
    ready: list[object] = []
    v.worker.ready.connect(ready.append)
    v.worker.configure(0.5, "")  # the user chose a faster voice in the settings
    assert v.speech.said[-1][:2] == ("...", 0.0) and rates[-1] == 0.5
    v.speech.report("Speaking", 4)
    v.speech.report("Ready", 230)  # a faster voice pauses less
    assert v.speech.said[-1][:2] == ("one", 0.0)
    v.speech.report("Speaking", 4)
    v.speech.report("Ready", 220 + 230)
    assert v.worker.timing.pause_ms == 230
    assert ready == [], "the voice was ready already: nothing to announce"
    rep_starts = v.clock[0] + 3_000
    v.worker.say_at("2", 0.8, 0.5, "", rep_starts - 375, 375, 375)  # 530 / 2**0.5
    run_until(v, rep_starts)
    assert said_at(v, "2") == [rep_starts - 220 - 4]


def test_a_phrase_said_at_once_is_said_however_late_it_arrives(voice) -> None:
    v = voice
    # speak(): no moment to end at, handed over 50 ms ago (the thread was busy).
    v.worker.say_at("Session complete.", 0.8, 0.0, "", v.clock[0] - 50, 0, 0)
    assert said_at(v, "Session complete.") == [v.clock[0]]
