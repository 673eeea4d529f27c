"""The cue player on a manual clock and a fake sink: sounds, phrases, mute, volume, never twice,
never late, replay after back, and phrases that end before the moment they announce."""

from __future__ import annotations

from datetime import UTC, datetime
from itertools import pairwise

from hypothesis import given, settings
from hypothesis import strategies as st

from calftimer.core.clock import ManualClock
from calftimer.core.cues import (
    SOUND_NAMES,
    CuePlayer,
    Phrase,
    clip_texts,
    number_words,
    phrase_for,
    phrase_plan,
    phrases_for,
    session_summary_phrase,
    sound_for,
    sounds_for,
)
from calftimer.core.exercise import Mode, Tempo
from calftimer.core.programs import BUILTIN_BY_ID, Program, Sides, default_block
from calftimer.core.session import Session, State
from calftimer.core.settings import Settings
from calftimer.core.timeline import Cue, CueKind, Timeline, compile_program
from tests.core.strategies import programs
from tests.set_records import set_record

T0 = 5_000_000
WALL0 = datetime(2026, 11, 27, 7, 0, tzinfo=UTC)

# Two sets with no rest between them (the second is announced ahead of its start), a per-side
# set with no pause between legs, a hold with "halfway" and "ten seconds", and pogo jumps.
SHORT = Program(
    "short",
    "Short",
    "",
    (
        default_block(
            "soleus_squat", sets=2, target=3, tempo=Tempo(1, 0, 1, 0), rest_s=0, rest_after_s=30
        ),
        default_block(
            "single_leg_calf_raise",
            sets=1,
            target=2,
            tempo=Tempo(1, 0, 1, 0),
            switch_s=0,
            rest_after_s=20,
        ),
        default_block("isometric_calf_hold", sets=1, target=30, sides=Sides.LEFT, rest_after_s=10),
        default_block("jumping_calf_raise", sets=1, target=8),
    ),
)


class FakeSink:
    """Records every call with the clock reading at the time."""

    def __init__(self, clock: ManualClock) -> None:
        self.clock = clock
        self.events: list[tuple[str, str | Phrase | None, float, int]] = []
        self.pending: list[tuple[int, str, float]] = []  # play_at calls not yet due
        self.phrases: list[tuple[int, Phrase, float]] = []  # say_at calls not yet begun
        self.handed_ahead = 0
        self.said_ahead: list[tuple[int, Phrase]] = []  # every say_at, in order

    def play_sound(self, name: str, volume: float) -> None:
        self.events.append(("sound", name, volume, self.clock()))

    def speak(self, phrase: Phrase, volume: float) -> None:
        self.events.append(("speak", phrase, volume, self.clock()))

    def stop_all(self) -> None:
        self.events.append(("stop", None, 0.0, self.clock()))
        self.pending.clear()
        self.phrases.clear()

    def play_at(self, name: str, volume: float, due_mono_ms: int) -> None:
        assert due_mono_ms >= self.clock(), "handed out after its instant"
        self.pending.append((due_mono_ms, name, volume))
        self.handed_ahead += 1

    def say_at(self, phrase: Phrase, volume: float, start_mono_ms: int) -> None:
        assert start_mono_ms >= self.clock() - 120, "handed out after it could start in time"
        self.phrases.append((start_mono_ms, phrase, volume))
        self.said_ahead.append((start_mono_ms, phrase))

    def cancel_pending(self) -> None:
        self.events.append(("cancel", None, 0.0, self.clock()))
        self.pending.clear()
        self.phrases.clear()

    def play_due(self) -> None:
        """What the sound engine does: play each pending sound, and begin each pending phrase,
        when the clock reaches it."""
        now = self.clock()
        for item in sorted(p for p in self.pending if p[0] <= now):
            self.events.append(("sound", item[1], item[2], item[0]))
            self.pending.remove(item)
        for start, phrase, volume in sorted(
            (p for p in self.phrases if p[0] <= now), key=lambda p: p[0]
        ):
            self.events.append(("speak", phrase, volume, start))
            self.phrases.remove((start, phrase, volume))

    def next_due(self) -> int | None:
        return min([p[0] for p in self.pending] + [p[0] for p in self.phrases], default=None)

    @property
    def sounds(self) -> list[str]:
        return [str(e[1]) for e in self.events if e[0] == "sound"]

    @property
    def spoken(self) -> list[tuple[Phrase, int]]:
        return [(e[1], e[3]) for e in self.events if e[0] == "speak" and isinstance(e[1], Phrase)]


PHRASES_AHEAD_MS = 1_000  # phrases are handed out this far ahead, as the conductor does


class Rig:
    """A session, a player and what the GUI does: wake at the next deadline (a cue, a segment
    end, or something handed out ahead), hand phrases out ahead, poll, play."""

    def __init__(
        self,
        program: Program,
        player_settings: Settings | None = None,
        *,
        ahead_ms: int | None = None,
    ) -> None:
        self.ahead_ms = ahead_ms  # hand sounds out this far ahead, as the window does
        self.scheduled_until = -1
        self.clock = ManualClock(T0)
        self.session = Session(compile_program(program), self.clock, lambda: WALL0)
        self.sink = FakeSink(self.clock)
        self.player = CuePlayer(self.sink, self.clock, self.due_at, player_settings)
        self.offered_until = -1  # timeline time up to which phrases were handed out
        self.history: list[Cue] = []

    def due_at(self, cue: Cue) -> int | None:
        return self.session.mono_at(cue.offset_ms)

    @property
    def timeline(self) -> Timeline:
        return self.session.timeline

    def start(self) -> None:
        self.session.start()
        self.step()

    def step(self, *, refeed: bool = False) -> None:
        s = self.session
        self.sink.play_due()
        if s.state is State.RUNNING:
            upto = s.t_ms() + PHRASES_AHEAD_MS
            self.player.schedule_phrases(s.timeline, self.offered_until, upto)
            self.offered_until = upto
        cues = s.poll().cues
        self.history += cues
        for _ in range(2 if refeed else 1):
            self.player.on_cues(cues, s.timeline, records=s.records, duration_ms=self.clock() - T0)
        if self.ahead_ms is not None and s.state is State.RUNNING:
            t = s.t_ms()
            self.player.schedule_sounds(s.timeline, max(t, self.scheduled_until), t + self.ahead_ms)
            self.scheduled_until = t + self.ahead_ms

    def changed_course(self) -> None:
        """What the conductor does after any operation: take back what was handed out ahead."""
        self.player.cancel_ahead()
        self.scheduled_until = -1
        self.offered_until = self.session.t_ms() - 120

    def next_instant(self) -> int | None:
        s = self.session
        deadline = s.next_deadline_ms()
        instants = [deadline] if deadline is not None else []
        due = self.sink.next_due()
        if due is not None:
            instants.append(due)
        if s.state is State.RUNNING:
            # The conductor tops its look-ahead up as the session moves: wake when the next
            # phrase would enter it.
            plan = [start for start, _ in phrase_plan(s.timeline, self.player.measure)]
            later = [start for start in plan if start > self.offered_until - PHRASES_AHEAD_MS]
            if later:
                at = s.mono_at(later[0] - PHRASES_AHEAD_MS)
                if at is not None and at > self.clock():
                    instants.append(at)
        return min(instants, default=None)

    def advance(self, *, refeed: bool = False) -> bool:
        instant = self.next_instant()
        if instant is None:
            return False
        self.clock.set(instant)
        self.step(refeed=refeed)
        return True

    def run_until(self, t_ms: int) -> None:
        """Everything due up to timeline time ``t_ms``, and nothing after it."""
        while (instant := self.next_instant()) is not None:
            limit = self.session.mono_at(t_ms)
            if limit is None or instant > limit:
                break
            self.advance()

    def pause_for(self, ms: int) -> None:
        self.session.pause()
        self.step()
        self.player.on_pause()
        self.scheduled_until = -1
        self.clock.advance(ms)
        self.session.resume()

    def back(self, *, rewind: bool) -> None:
        self.session.back()
        target = self.session.t_ms()
        if rewind:
            self.player.rewound(target)
        self.offered_until = target - 1
        self.scheduled_until = -1
        self.step()


def expected_sounds(timeline: Timeline) -> list[str]:
    return [name for _, name in sounds_for(timeline.cues)]


def first(timeline: Timeline, kind: CueKind, *, after: int = -1) -> Cue:
    return next(c for c in timeline.cues if c.kind is kind and c.offset_ms > after)


def said(cue: Cue, timeline: Timeline) -> str | None:
    phrase = phrase_for(cue, timeline)
    return None if phrase is None else phrase.text


record = set_record


# ------------------------------------------------------------------------------------ sounds


def test_every_cue_kind_has_its_sound_or_none() -> None:
    expected = {
        CueKind.COUNTDOWN: "tick",
        CueKind.GO: "go",
        CueKind.UP: "up",
        CueKind.DOWN: "down",
        CueKind.TOP_HOLD: "hold",
        CueKind.BOTTOM_HOLD: "hold",
        CueKind.BEAT: "beat",
        CueKind.REST: "rest",
        CueKind.SWITCH: "switch",
        CueKind.SET_DONE: "set_done",
        CueKind.SESSION_DONE: "session_done",
        CueKind.HALFWAY: "halfway",
        CueKind.TEN_SECONDS: "ten_seconds",
    }
    for kind in CueKind:
        assert sound_for(Cue(0, kind, 0)) == expected.get(kind)
    assert dict(SOUND_NAMES) == expected


def test_only_the_most_important_cue_of_an_instant_sounds() -> None:
    start = [Cue(0, k, 0, order=i) for i, k in enumerate((CueKind.GO, CueKind.UP, CueKind.BEAT))]
    assert sounds_for([*reversed(start), Cue(0, CueKind.REP, 0, order=9)]) == [(start[0], "go")]
    end = [Cue(5, CueKind.DOWN, 0, order=1), Cue(5, CueKind.SET_DONE, 0, order=2)]
    assert sounds_for(end) == [(end[1], "set_done")]
    assert sounds_for([Cue(5, CueKind.ANNOUNCE, 0), Cue(5, CueKind.REP, 0)]) == []

    tl = compile_program(BUILTIN_BY_ID["foundation"])
    chosen = dict((c.offset_ms, name) for c, name in sounds_for(tl.cues))
    assert len(chosen) == len(sounds_for(tl.cues))  # one per instant
    assert chosen[tl.work_sets[0].start_ms] == "go"
    assert chosen[tl.work_sets[0].end_ms] == "set_done"  # not the rest that starts there
    assert chosen[tl.duration_ms] == "session_done"
    pogo = tl.work_sets[-1]
    beats = [(c.offset_ms, n) for c, n in sounds_for(tl.cues) if c.offset_ms >= pogo.start_ms]
    assert beats[0] == (pogo.start_ms, "go")
    assert {n for _, n in beats[1:-1]} == {"beat"}
    assert {b[0] - a[0] for a, b in pairwise(beats[:-1])} == {500}

    test = compile_program(BUILTIN_BY_ID["heel-rise-test"])
    switch = first(test, CueKind.SWITCH)  # a two-minute rest that changes legs
    assert dict((c.offset_ms, n) for c, n in sounds_for(test.cues))[switch.offset_ms] == "switch"


# ----------------------------------------------------------------------------------- phrases


def test_phrases_for_each_kind_in_our_own_words() -> None:
    tl = compile_program(BUILTIN_BY_ID["foundation"])
    announce = first(tl, CueKind.ANNOUNCE)
    phrase = phrase_for(announce, tl)
    assert phrase is not None
    assert phrase.text == "Double-leg calf raise. Set 1 of 2. 15 reps."
    assert phrase.words == ("double_leg_calf_raise", "set", "1", "of", "2", "15", "reps")
    rest = first(tl, CueKind.REST)
    rest_text = "Rest, 60 seconds. Next: Double-leg calf raise. Set 2 of 2. 15 reps."
    assert said(rest, tl) == rest_text
    at_rest = [c for c in tl.cues if c.offset_ms == rest.offset_ms]
    assert said(next(c for c in at_rest if c.kind is CueKind.ANNOUNCE), tl) == rest_text
    assert [p.text for p in phrases_for(at_rest, tl)] == [rest_text]  # said once
    assert said(first(tl, CueKind.REST, after=rest.offset_ms + 100_000), tl) == (
        "Rest, 60 seconds. Next: Single-leg calf raise. Set 1 of 2. Left leg. 12 reps."
    )
    rep7 = next(c for c in tl.cues if c.kind is CueKind.REP and c.value == 7)
    phrase = phrase_for(rep7, tl)
    assert phrase is not None and (phrase.text, phrase.words) == ("7", ("7",))
    assert phrase.lead_ms == phrase.duration_ms == 530  # ends as rep 7 starts
    pogo = tl.work_sets[-1]
    assert all(
        phrase_for(c, tl) is None
        for c in tl.cues
        if c.work_index == pogo.index and c.kind is CueKind.REP  # not every jump
    )
    assert said(first(tl, CueKind.HALFWAY), tl) == "Halfway."
    ten = phrase_for(first(tl, CueKind.TEN_SECONDS), tl)
    assert ten is not None and ten.text == "Ten seconds." and ten.lead_ms == 860
    assert said(first(tl, CueKind.SESSION_DONE), tl) == "Session complete."
    for kind in (CueKind.GO, CueKind.COUNTDOWN, CueKind.UP, CueKind.DOWN, CueKind.SET_DONE):
        assert said(first(tl, kind), tl) is None

    alfredson = compile_program(BUILTIN_BY_ID["alfredson"])
    switch = first(alfredson, CueKind.SWITCH)
    phrase = phrase_for(switch, alfredson)
    assert phrase is not None
    assert (phrase.text, phrase.words) == (
        "Switch to your right leg.",
        ("switch_to_your_right_leg",),
    )

    test = compile_program(BUILTIN_BY_ID["heel-rise-test"])
    long_switch = first(test, CueKind.SWITCH)
    group = [c for c in test.cues if c.offset_ms == long_switch.offset_ms]
    assert [p.text for p in phrases_for(group, test)] == [
        "Switch to your right leg. Rest, 2 minutes. Next: Heel-rise endurance test. Right leg. "
        "To failure."
    ]
    assert said(first(test, CueKind.ANNOUNCE), test) == "Double-leg calf raise. 10 reps."
    test_set = test.work_sets[1]
    test_rep = next(c for c in test.cues if c.kind is CueKind.REP and c.work_index == 1)
    assert test_set.mode is Mode.TEST and said(test_rep, test) == "1"  # the test is counted


def test_a_set_with_no_pause_before_it_is_announced_so_it_ends_as_the_set_starts() -> None:
    tl = compile_program(SHORT)
    second = tl.work_sets[1]
    group = [c for c in tl.cues if c.offset_ms == second.start_ms]
    [phrase] = phrases_for(group, tl)
    assert phrase.text == "Soleus squat. Set 2 of 2. 3 reps."  # no "1" tacked on
    assert phrase.lead_ms == phrase.duration_ms
    right = tl.work_sets[3]
    [phrase] = phrases_for([c for c in tl.cues if c.offset_ms == right.start_ms], tl)
    assert phrase.text == "Switch to your right leg. Single-leg calf raise. Right leg. 2 reps."


def test_the_session_summary_says_reps_and_minutes() -> None:
    records = [record("soleus_squat", Mode.REPS, 100), record("heel_rise_test", Mode.TEST, 107)]
    records.append(record("jumping_calf_raise", Mode.REPS, 30))  # contacts, not reps
    phrase = session_summary_phrase(records, 18 * 60_000 + 10_000)
    assert phrase.text == "Session complete. 207 reps, 18 minutes."
    assert phrase.words == ("session_complete", "2", "hundred", "7", "reps", "18", "minutes")
    holds = [record("isometric_calf_hold", Mode.TIME, 45, ended_mono=540_000)] * 10
    assert session_summary_phrase(holds, None).text == "Session complete. 10 sets, 9 minutes."
    assert session_summary_phrase([], 45_000).text == "Session complete. 45 seconds."


def test_numbers_are_said_with_the_clips_there_are() -> None:
    assert number_words(12) == ("12",)
    assert number_words(60) == ("60",)
    assert number_words(75) == ("70", "5")
    assert number_words(90) == ("90",)
    assert number_words(207) == ("2", "hundred", "7")
    assert number_words(1200) == ("1", "thousand", "2", "hundred")
    vocabulary = clip_texts()
    assert vocabulary["soleus_squat"] == "Soleus squat"
    assert vocabulary["jumping_calf_raise"] == "Jumping calf raise"
    for program in BUILTIN_BY_ID.values():
        tl = compile_program(program)
        for phrase in phrases_for(tl.cues, tl):
            assert set(phrase.words) <= vocabulary.keys(), phrase.text


@settings(max_examples=40)
@given(programs)
def test_planned_phrases_never_overlap_and_use_known_clips(program: Program) -> None:
    tl = compile_program(program)
    plan = phrase_plan(tl)
    vocabulary = clip_texts()
    for (start, phrase), (next_start, _) in pairwise(plan):
        assert start + phrase.duration_ms <= next_start
    for start, phrase in plan:
        assert phrase.cue is not None and start == phrase.cue.offset_ms - phrase.lead_ms
        assert set(phrase.words) <= vocabulary.keys()


# ------------------------------------------------------------------------------ mute, volume


def test_muted_plays_nothing_and_keeps_nothing_for_later() -> None:
    rig = Rig(SHORT, Settings(muted=True))
    rig.start()
    rig.run_until(22_000)
    assert rig.sink.events == []
    rig.player.set_settings(Settings())
    rig.player.on_cues(rig.history, rig.timeline)  # the GUI re-sending: still nothing
    assert rig.sink.events == []
    rig.run_until(38_000)
    assert rig.sink.sounds == ["halfway"]
    assert [p.text for p, _ in rig.sink.spoken] == ["Halfway."]
    rig.player.set_settings(Settings(muted=True))
    assert rig.sink.events[-1][0] == "stop"  # muting silences what is sounding


def test_volumes_are_applied_and_the_voice_can_be_turned_off() -> None:
    rig = Rig(SHORT, Settings(cue_volume=40, voice_volume=25))
    rig.start()
    rig.run_until(20_000)
    assert {e[2] for e in rig.sink.events if e[0] == "sound"} == {0.4}
    assert {e[2] for e in rig.sink.events if e[0] == "speak"} == {0.25}

    for quiet in (Settings(voice_engine="beeps"), Settings(voice_enabled=False)):
        rig = Rig(SHORT, quiet)
        rig.start()
        rig.run_until(20_000)
        assert rig.sink.spoken == [] and rig.sink.sounds
        assert rig.player.schedule_phrases(rig.timeline, -1, rig.timeline.duration_ms) == 0

    rig = Rig(SHORT, Settings(cue_volume=0))
    rig.start()
    rig.run_until(20_000)
    assert rig.sink.sounds == [] and rig.sink.spoken


# ------------------------------------------------------------------ never twice, never late


def test_a_whole_session_is_heard_exactly_once_with_phrases_ending_before_their_moment() -> None:
    rig = Rig(SHORT)
    rig.start()
    while rig.advance():
        pass
    tl = rig.timeline
    assert rig.sink.sounds == expected_sounds(tl)
    assert rig.player.dropped == rig.player.dropped_phrases == 0
    spoken = rig.sink.spoken
    assert [p.cue.key for p, _ in spoken if p.cue] == [
        p.cue.key for _, p in phrase_plan(tl) if p.cue
    ]
    assert spoken[-1][0].text == "Session complete. 10 reps, 2 minutes."
    early = 0
    for phrase, at in spoken:
        cue = phrase.cue
        assert cue is not None
        if cue.kind is CueKind.SESSION_DONE:
            continue
        if cue.kind in (CueKind.ANNOUNCE, CueKind.REST, CueKind.SWITCH):
            moment = tl.work_sets[cue.work_index].start_ms  # announcements: the set's start
        else:
            moment = cue.offset_ms
        assert at + phrase.duration_ms <= T0 + moment, phrase.text
        early += at < T0 + cue.offset_ms
    assert early >= 8  # rep counts, "halfway", "ten seconds", the sets with no pause before


def test_no_cue_is_heard_twice_across_pauses_and_resumes() -> None:
    rig = Rig(SHORT)
    rig.start()
    steps = 0
    while rig.advance(refeed=True):
        steps += 1
        if steps % 3 == 0 and rig.session.state is State.RUNNING:
            rig.pause_for(1_000 + 37 * steps)
            rig.player.on_cues(rig.history, rig.timeline)  # a careless GUI re-sending all
    assert rig.session.state is State.FINISHED
    assert rig.sink.sounds == expected_sounds(rig.timeline)  # each once, none lost
    assert rig.player.dropped == 0
    # A phrase is spoken again only when a pause cut it off before its cue was reached.
    starts: dict[tuple[int, int], list[int]] = {}
    for phrase, at in rig.sink.spoken:
        assert phrase.cue is not None
        starts.setdefault(phrase.cue.key, []).append(at)
    stops = [e[3] for e in rig.sink.events if e[0] == "stop"]
    for times in starts.values():
        for a, b in pairwise(times):
            assert any(a <= s < b for s in stops)
    assert set(starts) == {p.cue.key for _, p in phrase_plan(rig.timeline) if p.cue}
    assert any(len(t) > 1 for t in starts.values())  # the rig did cut a phrase


def test_pausing_silences_and_cues_handed_out_while_paused_stay_silent() -> None:
    rig = Rig(SHORT)
    rig.start()
    rig.run_until(12_500)
    rig.session.pause()
    rig.player.on_pause()
    assert rig.sink.events[-1][0] == "stop"
    before = len(rig.sink.events)
    rig.session.skip()  # to the end of the set: its cues come out while paused
    rig.step()
    assert len(rig.sink.events) == before
    rig.session.finish()  # "session complete" is always heard
    rig.step()
    assert rig.sink.sounds[-1] == "session_done"
    assert rig.sink.spoken[-1][0].text == "Session complete. 1 rep, 12 seconds."


def test_late_sounds_are_dropped_and_counted() -> None:
    rig = Rig(SHORT)
    rig.start()
    rig.clock.set(T0 + 10_000 + 121)  # a stall: the 3-2-1 and "go" are all late
    rig.step()
    assert rig.sink.sounds == []
    assert rig.player.dropped == 4
    assert rig.player.dropped_phrases == 1  # the "1" (not spoken ahead, as the GUI stalled)
    rig.clock.set(T0 + 11_000 + 120)  # exactly the tolerance: still heard
    rig.step()
    assert rig.sink.sounds == ["down"]
    rig.player.on_cues(rig.history, rig.timeline)
    assert rig.player.dropped == 4  # a dropped cue is not retried either


def test_a_rest_announcement_may_start_late_within_its_slack() -> None:
    rig = Rig(SHORT)
    rig.start()
    rig.run_until(21_900)
    rig.clock.set(T0 + 22_000 + 1_500)
    rig.step()
    assert rig.sink.sounds[-1] != "set_done"  # the sound is too late
    assert rig.sink.spoken[-1][0].text.startswith("Rest, 30 seconds.")  # the words are not


def test_back_replays_only_after_rewound() -> None:
    for rewind in (False, True):
        rig = Rig(SHORT)
        rig.start()
        rig.run_until(19_000)  # three seconds into the second set
        heard = len(rig.sink.sounds)
        rig.back(rewind=rewind)
        assert rig.session.t_ms() == 16_000
        rig.run_until(19_000)
        replayed = rig.sink.sounds[heard:]
        if rewind:
            assert replayed == ["go", "down", "up", "down"]
            # The set's announcement was spoken ahead of it; back to its start, it is said there.
            assert [p.text for p, _ in rig.sink.spoken[-2:]] == [
                "Soleus squat. Set 2 of 2. 3 reps.",
                "2",
            ]
        else:
            assert replayed == []
        while rig.advance():
            pass
        assert rig.session.state is State.FINISHED


def test_a_lengthened_rest_counts_down_again_once() -> None:
    rig = Rig(SHORT)
    rig.start()
    rig.run_until(30_000)  # in the 30-second rest before the single-leg raises
    heard = len(rig.sink.events)
    assert rig.session.adjust_rest(15_000) == 15_000
    rig.run_until(67_000)  # to the end of the longer rest
    tail = rig.sink.events[heard:]
    assert [e[1] for e in tail if e[0] == "sound"] == [
        "halfway",
        "ten_seconds",
        "tick",
        "tick",
        "tick",
        "go",
    ]
    assert [e[3] - T0 for e in tail if e[0] == "sound"][:2] == [44_500, 57_000]
    texts = [e[1].text for e in tail if e[0] == "speak" and isinstance(e[1], Phrase)]
    assert texts[:2] == ["Halfway.", "Ten seconds."]


def test_phrases_are_handed_out_with_the_instant_they_must_start() -> None:
    rig = Rig(SHORT)
    rig.session.start()
    tl = rig.timeline
    assert rig.player.schedule_phrases(tl, 9_000, 9_470) == 1  # after, up to: inclusive
    [(start, phrase)] = rig.sink.said_ahead
    assert (start - T0, phrase.text) == (9_470, "1")  # the rep count, ahead of its rep
    assert phrase.cue is not None and start == T0 + phrase.cue.offset_ms - phrase.lead_ms
    assert rig.player.schedule_phrases(tl, 9_470, 11_000) == 0  # after: exclusive
    assert rig.player.schedule_phrases(tl, 9_000, 9_470) == 0  # handed once
    rig.player.cancel_ahead()  # the course changed before it began: it is offered again
    assert rig.player.schedule_phrases(tl, 9_000, 9_470) == 1
    not_running = Rig(SHORT)
    assert not_running.player.schedule_phrases(tl, -1, tl.duration_ms) == 0  # nothing is due


def test_a_phrase_too_late_to_end_in_time_is_left_to_its_cue() -> None:
    rig = Rig(SHORT)
    rig.session.start()
    rig.clock.set(T0 + 9_470 + 121)
    assert rig.player.schedule_phrases(rig.timeline, 9_000, 9_470) == 0
    rig.clock.set(T0 + 10_000)
    rig.step()
    assert [p.text for p, _ in rig.sink.spoken][-1] == "1"  # its cue says it instead


@given(st.integers(0, 2_000))
@settings(max_examples=20)
def test_phrases_handed_out_in_parts_are_those_handed_out_at_once(split: int) -> None:
    whole, parts = Rig(SHORT), Rig(SHORT)
    for rig in (whole, parts):
        rig.session.start()
    tl = whole.timeline
    whole.player.schedule_phrases(tl, -1, tl.duration_ms)
    cut = 9_000 + split
    parts.player.schedule_phrases(tl, -1, cut)
    parts.player.schedule_phrases(tl, cut, tl.duration_ms)
    assert parts.sink.said_ahead == whole.sink.said_ahead
    said = [p.cue.kind for _, p in whole.sink.said_ahead if p.cue is not None]
    assert CueKind.SESSION_DONE not in said  # its totals are known only at the end


# ------------------------------------------------------------------ sounds handed out ahead


def heard(rig: Rig) -> list[tuple[str, int]]:
    return [(str(e[1]), e[3]) for e in rig.sink.events if e[0] == "sound"]


def test_sounds_handed_out_ahead_are_heard_at_the_same_instants_as_played_live() -> None:
    live, ahead = Rig(SHORT), Rig(SHORT, ahead_ms=1_000)
    for rig in (live, ahead):
        rig.start()
        rig.run_until(12_000)
        rig.pause_for(4_321)  # the pause takes back what was handed out
        rig.run_until(30_000)
        assert rig.session.adjust_rest(15_000) == 15_000
        rig.changed_course()
        rig.run_until(rig.timeline.duration_ms)
    assert heard(ahead) == heard(live)
    assert len(heard(live)) > 40
    # Ahead means ahead: nearly every sound was handed to the sink before its instant.
    assert ahead.sink.handed_ahead >= 0.8 * len(heard(ahead))
    assert live.sink.handed_ahead == 0 and ahead.sink.pending == []


def test_sounds_handed_out_ahead_survive_back_and_are_heard_again() -> None:
    live, ahead = Rig(SHORT), Rig(SHORT, ahead_ms=2_000)
    for rig in (live, ahead):
        rig.start()
        rig.run_until(11_500)
        rig.back(rewind=True)
        rig.run_until(16_000)
    assert heard(ahead) == heard(live)
    assert [name for name, _ in heard(ahead)].count("go") >= 2  # the set's start, again


def test_nothing_is_handed_out_ahead_when_muted_silent_or_not_running() -> None:
    rig = Rig(SHORT, Settings(muted=True), ahead_ms=1_000)
    rig.start()
    assert rig.player.schedule_sounds(rig.timeline, -1, 60_000) == 0
    rig = Rig(SHORT, Settings(cue_volume=0), ahead_ms=1_000)
    rig.start()
    assert rig.player.schedule_sounds(rig.timeline, -1, 60_000) == 0
    rig = Rig(SHORT)  # not started: no instant is due
    assert rig.player.schedule_sounds(rig.timeline, -1, 60_000) == 0
    assert rig.sink.pending == []


def test_taking_back_keeps_what_already_sounded_and_frees_the_rest() -> None:
    rig = Rig(SHORT)
    rig.start()
    handed = rig.player.schedule_sounds(rig.timeline, -1, 10_000)
    assert handed == 4  # the 3-2-1 and the "go" at 10 s
    rig.clock.set(T0 + 8_000)  # the ticks at 7, 8 s have sounded; 9 s and "go" have not
    rig.step()
    rig.player.cancel_ahead()
    assert rig.sink.pending == [] and rig.sink.events[-1][0] == "cancel"
    rig.run_until(10_000)
    assert [name for name, _ in heard(rig)] == ["tick", "tick", "tick", "go"]
    assert [t - T0 for _, t in heard(rig)] == [7_000, 8_000, 9_000, 10_000]


def test_a_volume_change_takes_back_sounds_handed_out_at_the_old_volume() -> None:
    rig = Rig(SHORT, Settings(cue_volume=50), ahead_ms=10_000)
    rig.start()
    assert {v for _, _, v in rig.sink.pending} == {0.5}
    rig.player.set_settings(Settings(cue_volume=90))
    assert rig.sink.pending == []
    rig.scheduled_until = -1
    rig.run_until(10_000)
    assert {e[2] for e in rig.sink.events if e[0] == "sound"} == {0.9}
