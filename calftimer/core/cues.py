"""What every timeline cue sounds like and says, and playing it once, on time.

This module owns three things, all Qt-free:

- **Sounds**: the sound name of each cue kind (``sound_for``) and, because several cues often fall
  on the same millisecond (a set's start has "go", "up", the rep count and a metronome beat), the
  choice of the one that sounds there (``sounds_for``, by ``SOUND_PRIORITY``).
- **Phrases**: the spoken words for a cue (``phrase_for``, ``phrases_for``): the text for a speech
  engine, the clip keys for the pre-rendered-clips engine (``clip_texts`` lists every key with the
  text to render) and how early speaking must start so that it ends before the moment it
  announces (``lead_ms``, from an estimate of ``WORD_MS`` per word plus ``PHRASE_PAD_MS``).
  ``phrase_plan`` lays a timeline's phrases out so that none talks over another.
- **CuePlayer**: the rules deciding what is heard. It never plays a cue twice (a replay needs
  ``rewound()``), drops a sound that would be late rather than play it late, plays nothing when
  muted, applies the volumes and hands sounds and phrases to the sink ahead of their instants
  (``schedule_sounds``, ``schedule_phrases``). The noise itself is made by an
  injected ``CueSink``; the instant a cue is due comes from an injected ``due_at`` (the GUI passes
  ``lambda cue: session.mono_at(cue.offset_ms)``).
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Protocol

from calftimer.core.catalog import CATALOG, exercise
from calftimer.core.clock import Clock
from calftimer.core.exercise import Mode
from calftimer.core.i18n import N_, SOURCE_LANGUAGE, _, current_language, n_, p_
from calftimer.core.programs import Side
from calftimer.core.session import SetRecord
from calftimer.core.settings import Settings
from calftimer.core.spoken import (
    Spoken,
    number,
    number_clip_texts,
    number_words,
    pieces_of,
    say,
)
from calftimer.core.timeline import Cue, CueKind, Segment, SegmentKind, Timeline, WorkSet

# ------------------------------------------------------------------------------------ sounds

SOUND_NAMES: Mapping[CueKind, str] = MappingProxyType(
    {
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
)
"""Sound of each cue kind. REP, ANNOUNCE and EXERCISE_DONE have none of their own (the voice
says the rep and the announcement; an exercise ends with its last set's "set_done")."""

SOUND_PRIORITY: tuple[CueKind, ...] = (
    CueKind.SESSION_DONE,  # the end of everything beats the last set's end
    CueKind.GO,  # a set's start beats its first "up" and beat, and the end of one just before
    CueKind.SET_DONE,  # a set's end beats the rest that follows it (the voice says "rest")
    CueKind.SWITCH,  # changing legs beats the rest it starts (the heel-rise test's long switch)
    CueKind.REST,
    CueKind.COUNTDOWN,  # the 3-2-1 stays regular even when "ten seconds" falls on its first tick
    CueKind.TEN_SECONDS,
    CueKind.HALFWAY,
    CueKind.UP,  # tempo phases beat a metronome laid over them: their two pitches say more
    CueKind.DOWN,
    CueKind.TOP_HOLD,
    CueKind.BOTTOM_HOLD,
    CueKind.BEAT,
)
"""When several cues fall on the same millisecond only one sounds: the first of them here."""

_RANK: Mapping[CueKind, int] = {kind: rank for rank, kind in enumerate(SOUND_PRIORITY)}


def sound_for(cue: Cue) -> str | None:
    """The sound name of ``cue`` on its own, or None for a cue with no sound."""
    return SOUND_NAMES.get(cue.kind)


def sounds_for(cues: Sequence[Cue]) -> list[tuple[Cue, str]]:
    """One ``(cue, sound)`` per offset that has a sound, in time order, by ``SOUND_PRIORITY``.

    Cues of equal rank at one offset (never produced by the compiler) go to the earliest.
    """
    chosen = []
    for group in _by_offset(cues):
        sounding = [c for c in group if c.kind in SOUND_NAMES]
        if sounding:
            best = min(sounding, key=lambda c: _RANK[c.kind])
            chosen.append((best, SOUND_NAMES[best.kind]))
    return chosen


def _by_offset(cues: Iterable[Cue]) -> list[list[Cue]]:
    groups: dict[int, list[Cue]] = {}
    for cue in sorted(cues, key=lambda c: c.key):
        groups.setdefault(cue.offset_ms, []).append(cue)
    return list(groups.values())


# ----------------------------------------------------------------------------------- phrases

WORD_MS = 330  # estimated speaking time per word (espeak-ng and typical system voices)
PHRASE_PAD_MS = 200  # engine start-up and trailing silence
REP_COUNT_MIN_MS = 1000  # reps shorter than this are not counted aloud (no time to say them)


@dataclass(frozen=True, slots=True)
class Phrase:
    """Something to say.

    ``text`` is for a speech engine; ``words`` are the clip keys the pre-rendered-clips engine
    plays in order (see ``clip_texts``). Speaking starts ``lead_ms`` before ``cue`` is due so it
    ends before the moment it announces (a rep count ends as that rep starts; "Next: ..." ends
    before the set starts); a phrase with ``lead_ms`` 0 starts with its cue. ``slack_ms`` is how
    late after its cue it may still start and end in time (a rest's announcement has most of the
    rest). ``cue`` is the cue it is spoken for (the first of them when several cues at one
    instant share a phrase), None for a phrase built on its own.
    """

    text: str
    words: tuple[str, ...]
    lead_ms: int = 0
    duration_ms: int = 0
    slack_ms: int = 0
    cue: Cue | None = field(default=None, compare=False)


@dataclass(frozen=True, slots=True)
class _Draft:
    text: str
    words: tuple[str, ...]
    moment_ms: int | None  # timeline instant it must end by; None: said after the fact


def estimate_ms(text: str) -> int:
    """Estimated speaking time of ``text``: ``WORD_MS`` per word plus ``PHRASE_PAD_MS``."""
    return PHRASE_PAD_MS + WORD_MS * len(text.split())


Measure = Callable[[str, tuple[str, ...]], int]
"""How long a phrase takes to be heard, in ms, from its text and clip keys: the voice in use
knows best (the built-in clips know their exact lengths; a system voice adds its start-up
delay). The default is ``estimate``."""


def estimate(text: str, words: tuple[str, ...]) -> int:
    """The ``Measure`` used when the voice is unknown: ``estimate_ms(text)``."""
    return estimate_ms(text)


def phrase_for(cue: Cue, timeline: Timeline, measure: Measure = estimate) -> Phrase | None:
    """What the voice says for ``cue`` alone, or None.

    ANNOUNCE and REST at the start of a rest: "Rest, 60 seconds. Next: Seated calf raise. Set 2 of
    3. 15 reps."; ANNOUNCE at the get-ready (or at a set's start when no pause comes before it):
    "Soleus squat. Set 1 of 3. 15 reps."; SWITCH, and ANNOUNCE at a leg switch: "Switch to your
    left leg."; REP: "7" (only in sets slow enough to count aloud: tempo reps and the heel-rise
    test, not pogo jumps); HALFWAY: "Halfway."; TEN_SECONDS: "Ten seconds."; SESSION_DONE:
    "Session complete.". Every other cue says nothing.
    """
    draft = _draft(cue, timeline)
    return None if draft is None else _build([draft], cue, measure)


def phrases_for(
    cues: Sequence[Cue],
    timeline: Timeline,
    *,
    records: Sequence[SetRecord] | None = None,
    duration_ms: int | None = None,
    measure: Measure = estimate,
) -> list[Phrase]:
    """One phrase per offset that has something to say, in time order.

    The phrases of cues at one instant are joined, a leg switch first and without repeating a
    sentence (ANNOUNCE and REST at a rest's start say the same thing):
    "Switch to your right leg. Rest, 2 minutes. Next: ...". With ``records`` the session's end
    adds totals ("Session complete. 207 reps, 18 minutes.", see ``session_summary_phrase``).
    """
    phrases = []
    for group in _by_offset(cues):
        drafts: list[tuple[int, Cue, _Draft]] = []
        for cue in group:
            if cue.kind is CueKind.SESSION_DONE and records is not None:
                draft: _Draft | None = _summary_draft(records, duration_ms)
            else:
                draft = _draft(cue, timeline)
            if draft is not None:
                drafts.append((0 if cue.kind is CueKind.SWITCH else 1, cue, draft))
        if not drafts:
            continue
        if any(cue.kind is not CueKind.REP for _start, cue, _draft in drafts):
            # A set announced at its start needs no "1" after it.
            drafts = [d for d in drafts if d[1].kind is not CueKind.REP]
        unique: list[_Draft] = []
        for _start, _cue, draft in sorted(drafts, key=lambda d: d[0]):
            if all(draft.text != u.text for u in unique):
                unique.append(draft)
        phrases.append(_build(unique, drafts[0][1], measure))
    return phrases


def phrase_plan(timeline: Timeline, measure: Measure = estimate) -> list[tuple[int, Phrase]]:
    """Every phrase ``timeline`` will say, as ``(start_ms, phrase)`` in order of the timeline
    instant where speaking starts (its cue's offset minus its lead).

    Where two phrases would overlap, only the more important is kept (``PHRASE_PRIORITY``; the
    earlier of two equals), so no phrase cuts another off: a set announced ahead of its start
    silences the previous set's last rep counts, not the other way round.
    """
    return _plan(timeline, measure)[0]


PHRASE_PRIORITY: tuple[frozenset[CueKind], ...] = (
    frozenset({CueKind.ANNOUNCE, CueKind.REST, CueKind.SWITCH, CueKind.SESSION_DONE}),
    frozenset({CueKind.TEN_SECONDS, CueKind.HALFWAY}),
    frozenset({CueKind.REP}),
)
"""Which phrase is kept when two would overlap: the one whose cue kind comes first here."""


def _phrase_rank(phrase: Phrase) -> int:
    kind = phrase.cue.kind if phrase.cue is not None else CueKind.SESSION_DONE
    return next((i for i, kinds in enumerate(PHRASE_PRIORITY) if kind in kinds), 0)


def _plan(
    timeline: Timeline, measure: Measure
) -> tuple[list[tuple[int, Phrase]], set[tuple[int, int]]]:
    """The phrases kept (see ``phrase_plan``) and the keys of those left out."""
    candidates = [
        (phrase.cue.offset_ms - phrase.lead_ms, phrase.cue.key, phrase)
        for phrase in phrases_for(timeline.cues, timeline, measure=measure)
        if phrase.cue is not None
    ]
    candidates.sort(key=lambda item: (item[0], item[1]))
    longest = max((p.duration_ms for _start, _kind, p in candidates), default=0)
    kept: list[tuple[int, tuple[int, int], Phrase]] = []
    left_out: set[tuple[int, int]] = set()
    for start, key, phrase in candidates:
        clashes = []  # indices in ``kept`` of phrases still being spoken at ``start``
        for i in range(len(kept) - 1, -1, -1):
            other_start, _other_kind, other = kept[i]
            if other_start + longest <= start:
                break
            if other_start + other.duration_ms > start:
                clashes.append(i)
        rank = _phrase_rank(phrase)
        if all(rank < _phrase_rank(kept[i][2]) for i in clashes):
            for i in clashes:  # descending indices: deleting keeps the others valid
                left_out.add(kept.pop(i)[1])
            kept.append((start, key, phrase))
        else:
            left_out.add(key)
    return [(start, phrase) for start, _kind, phrase in kept], left_out


def session_summary_phrase(
    records: Sequence[SetRecord], duration_ms: int | None, measure: Measure = estimate
) -> Phrase:
    """``"Session complete. 207 reps, 18 minutes."``.

    Reps count tempo and test reps (pogo contacts are not reps, as on the summary screen); a
    session without any says how many sets were done instead. ``duration_ms`` is the session's
    length as the user lived it; when None, the span of the records is used.
    """
    return _build([_summary_draft(records, duration_ms)], None, measure)


def _build(drafts: Sequence[_Draft], cue: Cue | None, measure: Measure) -> Phrase:
    text = " ".join(d.text for d in drafts)
    words = tuple(w for d in drafts for w in d.words)
    duration = measure(text, words)
    moments = [d.moment_ms for d in drafts if d.moment_ms is not None]
    lead = slack = 0
    if moments and cue is not None:
        room = min(moments) - cue.offset_ms
        lead, slack = max(0, duration - room), max(0, room - duration)
    return Phrase(text, words, lead_ms=lead, duration_ms=duration, slack_ms=slack, cue=cue)


def _draft(cue: Cue, timeline: Timeline) -> _Draft | None:
    kind = cue.kind
    if kind in (CueKind.ANNOUNCE, CueKind.REST, CueKind.SWITCH):
        work = _work_of(cue, timeline)
        if work is None:
            return None
        segment = timeline.segments[cue.segment_index]
        if kind is CueKind.SWITCH or segment.kind is SegmentKind.SWITCH:
            switch = _switch_words(cue.side if kind is CueKind.SWITCH else work.side)
            return _drafted(switch, work.start_ms)
        if segment.kind is SegmentKind.REST:
            return _rest_draft(segment, work)
        if kind is CueKind.ANNOUNCE:
            return _drafted(_set_words(work), work.start_ms)
        return None
    if kind is CueKind.REP:
        if cue.work_index < 0 or not _counted_aloud(timeline.work_sets[cue.work_index]):
            return None
        return _Draft(str(cue.value), number_words(cue.value), cue.offset_ms)
    if kind is CueKind.HALFWAY:
        return _drafted(say(_(HALFWAY)), cue.offset_ms)
    if kind is CueKind.TEN_SECONDS:
        return _drafted(say(_(TEN_SECONDS)), cue.offset_ms)
    if kind is CueKind.SESSION_DONE:
        return _drafted(say(_(SESSION_COMPLETE)), None)
    return None


def _drafted(spoken: Spoken, moment_ms: int | None) -> _Draft:
    return _Draft(spoken.text, spoken.words, moment_ms)


def _work_of(cue: Cue, timeline: Timeline) -> WorkSet | None:
    if 0 <= cue.work_index < len(timeline.work_sets):
        return timeline.work_sets[cue.work_index]
    return timeline.next_work_set(cue.segment_index)


def _counted_aloud(work: WorkSet) -> bool:
    if work.mode is Mode.REPS and work.tempo is not None:
        rep_ms = work.tempo.rep_ms()
    elif work.mode is Mode.TEST and work.metronome_bpm:
        rep_ms = 2 * 60_000 // work.metronome_bpm  # one beat up, one beat down
    else:
        return False  # pogo jumps: one contact per beat, far too fast to count aloud
    return rep_ms >= REP_COUNT_MIN_MS


# The spoken templates. Each is translated whole, with named placeholders, so a language says
# it in its own order; the text between two placeholders becomes one clip of the built-in voice
# (see calftimer.core.spoken), so keep these short and free of abbreviations.
# Translators: spoken at the start of a rest; {amount} is e.g. "60 seconds", {step} the next
# set ("Soleus squat. Set 2 of 3. 15 reps."). Spoken aloud by the voice.
REST_NEXT = N_("Rest, {amount}. Next: {step}")
# Translators: spoken before a set, e.g. "Set 2 of 3."
SET_OF = N_("Set {number} of {sets}.")
LEFT_LEG = N_("Left leg.")
RIGHT_LEG = N_("Right leg.")
SWITCH_LEGS = N_("Switch legs.")
SWITCH_TO_LEFT = N_("Switch to your left leg.")
SWITCH_TO_RIGHT = N_("Switch to your right leg.")
TO_FAILURE = N_("to failure")
HALFWAY = N_("Halfway.")
TEN_SECONDS = N_("Ten seconds.")
SESSION_COMPLETE = N_("Session complete.")
_FIXED_TEMPLATES = (
    REST_NEXT,
    SET_OF,
    LEFT_LEG,
    RIGHT_LEG,
    SWITCH_LEGS,
    SWITCH_TO_LEFT,
    SWITCH_TO_RIGHT,
    TO_FAILURE,
    HALFWAY,
    TEN_SECONDS,
    SESSION_COMPLETE,
)


def _two_units() -> str:
    # Translators: a spoken length in two units, said by the voice: {larger} is e.g. "2 minutes"
    # or "1 hour", {smaller} "30 seconds" or "5 minutes". Add the word your language puts
    # between them ("{larger} und {smaller}" if German said one).
    return p_("spoken length", "{larger} {smaller}")


def _rest_draft(segment: Segment, work: WorkSet) -> _Draft:
    amount = _seconds_words(round(segment.duration_ms / 1000))
    step = _set_words(work)
    return _drafted(say(_(REST_NEXT), amount=amount, step=step), work.start_ms)


def _switch_words(side: Side) -> Spoken:
    if side is Side.BOTH:
        return say(_(SWITCH_LEGS))
    return say(_(SWITCH_TO_LEFT) if side is Side.LEFT else _(SWITCH_TO_RIGHT))


def _set_words(work: WorkSet) -> Spoken:
    """``"Soleus squat. Set 2 of 3. Left leg. 15 reps."`` and its clip keys."""
    return set_words(
        work.exercise_id, work.set_number, work.sets, work.side, work.mode, work.target
    )


def set_words(
    exercise_id: str, set_number: int, sets: int, side: Side, mode: Mode, target: int
) -> Spoken:
    """What is said of a set before it starts (the sound check says one too)."""
    parts = [Spoken(f"{spoken_name(exercise_id)}.", (exercise_id,))]
    if sets > 1:
        parts.append(say(_(SET_OF), number=number(set_number), sets=number(sets)))
    if side is not Side.BOTH:
        parts.append(say(_(LEFT_LEG) if side is Side.LEFT else _(RIGHT_LEG)))
    aim = _target_words(mode, target)
    parts.append(Spoken(f"{aim.text[:1].upper()}{aim.text[1:]}.", aim.words))
    return Spoken(" ".join(p.text for p in parts), tuple(w for p in parts for w in p.words))


def _target_words(mode: Mode, target: int) -> Spoken:
    if mode is Mode.REPS:
        return _counted(target, "rep")
    if mode is Mode.TIME:
        return _seconds_words(target)
    if mode is Mode.DISTANCE:
        return _counted(target, "metre")
    return say(_(TO_FAILURE))


def _seconds_words(seconds: int) -> Spoken:
    """``"45 seconds"``, ``"90 seconds"``, ``"2 minutes"``, ``"2 minutes 30 seconds"`` (in
    minutes from two on)."""
    if seconds < 120:
        return _counted(seconds, "second")
    minutes, rest = divmod(seconds, 60)
    if not rest:
        return _counted(minutes, "minute")
    return say(_two_units(), larger=_counted(minutes, "minute"), smaller=_counted(rest, "second"))


def _counted(n: int, unit: str) -> Spoken:
    """``"12 reps"`` in the current language, with the clip keys that say it."""
    return say(_COUNTED_TEXTS[unit](n), n=number(n))


# The spoken counts, one plural pair per unit.
_COUNTED_TEXTS: Mapping[str, Callable[[int], str]] = MappingProxyType(
    {
        "rep": lambda n: n_("{n} rep", "{n} reps", n),
        "set": lambda n: n_("{n} set", "{n} sets", n),
        "metre": lambda n: n_("{n} metre", "{n} metres", n),
        "second": lambda n: n_("{n} second", "{n} seconds", n),
        "minute": lambda n: n_("{n} minute", "{n} minutes", n),
        "hour": lambda n: n_("{n} hour", "{n} hours", n),
    }
)


def _summary_draft(records: Sequence[SetRecord], duration_ms: int | None) -> _Draft:
    reps = sum(
        r.done
        for r in records
        if r.work.mode in (Mode.REPS, Mode.TEST) and r.work.exercise_id != "jumping_calf_raise"
    )
    parts: list[Spoken] = []
    if reps:
        parts.append(_counted(reps, "rep"))
    elif records:
        parts.append(_counted(len(records), "set"))
    if duration_ms is None and records:
        duration_ms = max(r.ended_mono_ms for r in records) - min(
            r.started_mono_ms for r in records
        )
    if duration_ms:
        parts.append(_duration_words(duration_ms))
    done = say(_(SESSION_COMPLETE))
    text, words = done.text, done.words
    if parts:
        text += " " + ", ".join(p.text for p in parts) + "."
        words += tuple(w for p in parts for w in p.words)
    return _Draft(text, words, None)


def _duration_words(ms: int) -> Spoken:
    """``"45 seconds"``, ``"18 minutes"``, ``"1 hour 5 minutes"`` (to the nearest minute)."""
    if ms < 59_500:
        return _counted(max(1, round(ms / 1000)), "second")
    hours, minutes = divmod(round(ms / 60_000), 60)
    if not hours:
        return _counted(minutes, "minute")
    if not minutes:
        return _counted(hours, "hour")
    return say(_two_units(), larger=_counted(hours, "hour"), smaller=_counted(minutes, "minute"))


def spoken_name(exercise_id: str) -> str:
    """An exercise's name as said aloud: without its bracketed aside ("(pogo)")."""
    return re.sub(r"\s*\([^)]*\)", "", exercise(exercise_id).local_name).strip()


# The texts the English clips were rendered from, where a template's piece is written
# otherwise ("to failure" starts a sentence there): kept so the English clips stay the same.
_ENGLISH_CLIP_TEXTS: Mapping[str, str] = MappingProxyType(
    {"rest": "Rest", "next": "Next", "set": "Set", "to_failure": "To failure"}
)


def clip_texts() -> dict[str, str]:
    """Every clip key a phrase can use in the current language, with the text to render for
    it: the pieces of every spoken template (each plural form of the counts), the numbers
    (``spoken.number_clip_texts``), and every exercise of the catalog by its id."""
    templates = [_(t) for t in _FIXED_TEMPLATES]
    templates.append(_two_units())
    for counted in _COUNTED_TEXTS.values():
        # Every plural form the language has: no language needs more than these counts.
        templates.extend({counted(n) for n in range(1_001)})
    clips = pieces_of(templates)
    clips.update(number_clip_texts())
    clips.update((exercise_id, spoken_name(exercise_id)) for exercise_id in CATALOG)
    if current_language().code == SOURCE_LANGUAGE:
        clips.update((k, v) for k, v in _ENGLISH_CLIP_TEXTS.items() if k in clips)
    return clips


# ------------------------------------------------------------------------------------ player

DEFAULT_LATE_MS = 120  # a sound later than this is dropped: a late beep misleads more than none

DueAt = Callable[[Cue], int | None]


class CueSink(Protocol):
    """What makes the noise (the sound engine in the GUI, a recorder in tests)."""

    def play_sound(self, name: str, volume: float) -> None:
        """Play ``name`` now."""

    def play_at(self, name: str, volume: float, due_mono_ms: int) -> None:
        """Play ``name`` when the monotonic clock reads ``due_mono_ms`` (an audio thread keeps
        time, so a busy window never delays it), unless ``cancel_pending`` comes first."""

    def cancel_pending(self) -> None:
        """Forget every ``play_at`` and ``say_at`` not yet begun."""

    def speak(self, phrase: Phrase, volume: float) -> None:
        """Say ``phrase`` now, cutting off whatever was being said."""

    def say_at(self, phrase: Phrase, volume: float, start_mono_ms: int) -> None:
        """Start saying ``phrase`` when the monotonic clock reads ``start_mono_ms``, cutting off
        whatever is being said then, unless ``cancel_pending`` comes first."""

    def stop_all(self) -> None:
        """Silence everything sounding and cancel everything pending."""


class CuePlayer:
    """Decides which cues are heard, and hands them to the sink at once.

    Feed it every cue the session emits (``on_cues``, straight after ``Session.poll()``) and call
    ``on_pause()`` when the session pauses. Rules:

    - a cue is played at most once, keyed by ``Cue.key``; after ``Session.back()`` call
      ``rewound(t)`` with the timeline time landed on, so the replayed part is heard again;
    - one sound per instant (``sounds_for``); a sound arriving more than ``late_ms`` after its due
      instant is dropped and counted in ``dropped``; a phrase likewise (``dropped_phrases``),
      except that a phrase with slack may start that much later;
    - a phrase that ``phrase_plan`` left out (it would talk over a more important one) is not
      said;
    - sounds and phrases may be handed out ahead of time (``schedule_sounds``,
      ``schedule_phrases``): the sink plays each at its instant (a phrase at the instant its
      speaking must start: its cue's instant less its lead), and the cues that reach ``on_cues``
      later are not played or said again. Anything that changes the session's course (pause,
      skip, back, a longer rest, muting, a volume change) must call ``cancel_ahead()``, which
      takes back whatever was not yet due;
    - a cue whose ``due_at`` is None (the session is paused or over: a skip made while paused,
      the cues handed out by ``pause()``) is taken as played without a sound: pausing means
      silence. "Session complete" is the exception and is always heard;
    - muted: nothing is played and nothing is kept for later, so unmuting replays nothing;
    - volumes 0-100 become 0.0-1.0; the voice is off when disabled or the engine is "beeps".
    """

    def __init__(
        self,
        sink: CueSink,
        clock: Clock,
        due_at: DueAt,
        settings: Settings | None = None,
        *,
        late_ms: int = DEFAULT_LATE_MS,
        measure: Measure = estimate,
    ) -> None:
        self._sink = sink
        self._measure = measure
        self._clock = clock
        self._due_at = due_at
        self.late_ms = late_ms
        self.dropped = 0
        self.dropped_phrases = 0
        self._played: set[tuple[int, int]] = set()  # keys of cues handed to on_cues
        self._sounded: set[int] = set()  # offsets at which a sound was chosen
        self._spoken: set[tuple[int, int]] = set()  # keys of the cues phrases were spoken for
        self._ahead: dict[int, int] = {}  # offset -> due instant of sounds handed out ahead
        self._phrases_ahead: dict[tuple[int, int], int] = {}  # cue key -> speaking starts
        self._plan: _PlayerPlan | None = None
        self._settings = settings or Settings()

    # ------------------------------------------------------------------------ settings

    @property
    def settings(self) -> Settings:
        return self._settings

    @property
    def cue_volume(self) -> float:
        return self._settings.cue_volume / 100

    @property
    def voice_volume(self) -> float:
        return self._settings.voice_volume / 100

    @property
    def sound_theme(self) -> str:
        return self._settings.sound_theme

    @property
    def voice_on(self) -> bool:
        """Whether phrases are spoken at all."""
        s = self._settings
        return not s.muted and s.voice_enabled and s.voice_engine != "beeps" and s.voice_volume > 0

    def set_settings(self, settings: Settings) -> None:
        """Apply new settings; muting (or turning the voice off) silences what is sounding.

        Sounds handed out ahead are taken back (they carry the old volume): schedule again."""
        was_muted, voice_was_on = self._settings.muted, self.voice_on
        self.cancel_ahead()
        self._settings = settings
        if (settings.muted and not was_muted) or (voice_was_on and not self.voice_on):
            self._sink.stop_all()

    @property
    def measure(self) -> Measure:
        return self._measure

    def set_measure(self, measure: Measure) -> None:
        """Use another voice's phrase lengths from now on (the voice in use changed)."""
        self._measure = measure
        self._plan = None

    # ------------------------------------------------------------------------ playing

    def on_cues(
        self,
        cues: Sequence[Cue],
        timeline: Timeline,
        *,
        records: Sequence[SetRecord] | None = None,
        duration_ms: int | None = None,
    ) -> None:
        """Play the sounds and speak the phrases of ``cues`` (from ``Session.poll()``).

        ``records`` (and the session's length) make "Session complete" say the totals.
        """
        fresh = [c for c in cues if c.key not in self._played]
        if not fresh:
            return
        self._played.update(c.key for c in fresh)
        if self._settings.muted:
            return
        now = self._clock()
        for cue, name in sounds_for(fresh):
            if cue.offset_ms in self._sounded:
                continue  # something more important already sounded at this instant
            self._sounded.add(cue.offset_ms)
            in_time = self._in_time(cue, now, self.late_ms)
            if in_time is None:
                continue
            if not in_time:
                self.dropped += 1
                continue
            if self.cue_volume > 0:
                self._sink.play_sound(name, self.cue_volume)
        if not self.voice_on:
            return
        left_out = self._plan_of(timeline).left_out
        phrases = phrases_for(
            fresh, timeline, records=records, duration_ms=duration_ms, measure=self._measure
        )
        for phrase in phrases:
            spoken_for = phrase.cue
            if spoken_for is None or spoken_for.key in self._spoken or spoken_for.key in left_out:
                continue  # already spoken ahead of its cue, or would talk over another phrase
            self._spoken.add(spoken_for.key)
            in_time = self._in_time(spoken_for, now, max(self.late_ms, phrase.slack_ms))
            if in_time is None:
                continue
            if not in_time:
                self.dropped_phrases += 1
                continue
            self._sink.speak(phrase, self.voice_volume)

    def schedule_sounds(self, timeline: Timeline, after_ms: int, upto_ms: int) -> int:
        """Hand the sink, ahead of time, the sounds of cues at ``after_ms < offset <= upto_ms``
        (timeline time) with the instants they are due; returns how many. Nothing while muted,
        at volume 0 or when the session is not running. Those cues are then not played again
        when ``on_cues`` sees them."""
        if self._settings.muted or self.cue_volume <= 0:
            return 0
        plan = self._plan_of(timeline)
        now = self._clock()
        self._ahead = {offset: due for offset, due in self._ahead.items() if due > now}
        lo = bisect.bisect_right(plan.sound_offsets, after_ms)
        hi = bisect.bisect_right(plan.sound_offsets, upto_ms)
        handed = 0
        for cue, name in plan.sounds[lo:hi]:
            if cue.offset_ms in self._sounded or cue.key in self._played:
                continue
            due = self._due_at(cue)
            if due is None:
                return handed  # paused or over: nothing is due
            self._sounded.add(cue.offset_ms)
            self._ahead[cue.offset_ms] = due
            self._sink.play_at(name, self.cue_volume, due)
            handed += 1
        return handed

    def cancel_ahead(self) -> None:
        """Take back the sounds and phrases handed out ahead that are not yet due; they may be
        scheduled again (at their new instants) or played by ``on_cues``."""
        if not self._ahead and not self._phrases_ahead:
            return
        self._sink.cancel_pending()
        now = self._clock()
        self._sounded -= {offset for offset, due in self._ahead.items() if due > now}
        self._spoken -= {key for key, start in self._phrases_ahead.items() if start > now}
        self._ahead.clear()
        self._phrases_ahead.clear()

    def schedule_phrases(self, timeline: Timeline, after_ms: int, upto_ms: int) -> int:
        """Hand the sink, ahead of time, the phrases whose speaking starts at
        ``after_ms < start <= upto_ms`` (timeline time), each with the instant it must start
        (so that it ends before the moment it announces); returns how many. Nothing while the
        voice is off or the session is not running. Those phrases are then not said again when
        ``on_cues`` sees their cues. "Session complete" is left to ``on_cues``: its totals are
        known only then."""
        if not self.voice_on:
            return 0
        plan = self._plan_of(timeline)
        now = self._clock()
        self._phrases_ahead = {k: at for k, at in self._phrases_ahead.items() if at > now}
        lo = bisect.bisect_right(plan.phrase_starts, after_ms)
        hi = bisect.bisect_right(plan.phrase_starts, upto_ms)
        handed = 0
        for _start, phrase in plan.phrases[lo:hi]:
            cue = phrase.cue
            if cue is None or cue.key in self._spoken or cue.key in self._played:
                continue
            due = self._due_at(cue)
            if due is None:
                return handed  # paused or over: nothing is due
            start = due - phrase.lead_ms
            if now - start > self.late_ms:
                continue  # too late to end in time: its cue says it, late but heard
            self._spoken.add(cue.key)
            self._phrases_ahead[cue.key] = start
            self._sink.say_at(phrase, self.voice_volume, start)
            handed += 1
        return handed

    def on_pause(self) -> None:
        """Silence everything now. A phrase spoken ahead of a cue not yet reached was cut off,
        so it may be spoken again after the resume; sounds handed out ahead are taken back."""
        self.cancel_ahead()
        self._sink.stop_all()
        self._spoken &= self._played

    def rewound(self, offset_ms: int) -> None:
        """Forget every cue at or after ``offset_ms``: the session went back there (``back()``)
        and will hand those cues out again, to be heard again."""
        self.cancel_ahead()
        self._played = {k for k in self._played if k[0] < offset_ms}
        self._spoken = {k for k in self._spoken if k[0] < offset_ms}
        self._sounded = {t for t in self._sounded if t < offset_ms}
        self._ahead = {t: due for t, due in self._ahead.items() if t < offset_ms}
        self._phrases_ahead = {k: at for k, at in self._phrases_ahead.items() if k[0] < offset_ms}

    def reset(self) -> None:
        """Forget everything played (a new session) and zero the counters."""
        self._played.clear()
        self._spoken.clear()
        self._sounded.clear()
        self._ahead.clear()
        self._phrases_ahead.clear()
        self._plan = None
        self.dropped = self.dropped_phrases = 0

    # ------------------------------------------------------------------------ internals

    def _in_time(self, cue: Cue, now: int, allowed_ms: int) -> bool | None:
        """Whether ``cue`` is at most ``allowed_ms`` late; None when it is not due on the clock
        (the session is paused or over), which silences everything but "session complete"."""
        due = self._due_at(cue)
        if due is None:
            return True if cue.kind is CueKind.SESSION_DONE else None
        return now - due <= allowed_ms

    def _plan_of(self, timeline: Timeline) -> _PlayerPlan:
        # Cached per timeline object: a resized rest makes a new one.
        if self._plan is None or self._plan.timeline is not timeline:
            kept, left_out = _plan(timeline, self._measure)
            ahead = [
                (start, phrase)
                for start, phrase in kept
                if phrase.cue is not None and phrase.cue.kind is not CueKind.SESSION_DONE
            ]
            sounds = sounds_for(timeline.cues)
            self._plan = _PlayerPlan(
                timeline,
                [start for start, _phrase in ahead],
                ahead,
                left_out,
                [cue.offset_ms for cue, _sound in sounds],
                sounds,
            )
        return self._plan


@dataclass(frozen=True, slots=True)
class _PlayerPlan:
    timeline: Timeline
    phrase_starts: list[int]  # of ``phrases``, for bisecting
    phrases: list[tuple[int, Phrase]]  # every phrase said, but the session's end, by start
    left_out: set[tuple[int, int]]  # keys of phrases not said: they would overlap another
    sound_offsets: list[int]  # of ``sounds``, for bisecting
    sounds: list[tuple[Cue, str]]  # the sound of every instant that has one
