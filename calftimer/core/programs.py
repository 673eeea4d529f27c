"""Programs: ordered blocks of exercises, the built-in programs, and the program file format.

A program file is versioned JSON (``docs/programs.md``). ``load_program_file`` validates the whole
file and reports every problem as ``<file>: <field path>: <message>``; it returns a program only
when there is no problem at all, so a bad file never half-loads.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from enum import StrEnum
from pathlib import Path
from typing import Any

from calftimer.core.catalog import CATALOG, exercise
from calftimer.core.exercise import Exercise, Mode, Tempo
from calftimer.core.i18n import N_, _
from calftimer.core.jsontext import (
    JsonObjectError,
    decode_json_object,
    read_json_object,
    unusable_values,
)
from calftimer.core.userfile import display_name
from calftimer.core.validation import INTEGER, Problems, choice_text, choices_text, is_int

FILE_KIND = "calftimer.program"
FILE_VERSION = 1
MAX_FILE_BYTES = 1_000_000

SETS_RANGE = (1, 20)
TARGET_RANGES: Mapping[Mode, tuple[int, int]] = {
    Mode.REPS: (1, 200),
    Mode.TIME: (1, 3600),
    Mode.DISTANCE: (1, 2000),
    Mode.TEST: (1, 200),
}
REST_RANGE = (0, 900)
SWITCH_RANGE = (0, 600)
LOAD_RANGE = (0.0, 500.0)
BPM_RANGE = (30, 240)
TEMPO_PHASE_RANGE = (0.0, 30.0)
ID_PATTERN = re.compile(r"[a-z0-9][a-z0-9-]{0,39}")  # used with fullmatch
NAME_MAX = 80
DESCRIPTION_MAX = 2000
BLOCKS_RANGE = (1, 50)


class Sides(StrEnum):
    """Which legs a block trains and in what order."""

    BOTH = "both"  # two-leg exercise: one set works both legs
    LEFT_RIGHT = "left-right"
    RIGHT_LEFT = "right-left"
    LEFT = "left"
    RIGHT = "right"

    @property
    def per_side(self) -> bool:
        return self is not Sides.BOTH


class Side(StrEnum):
    """The leg a work set is done on."""

    BOTH = "both"
    LEFT = "left"
    RIGHT = "right"


SIDE_ORDER: Mapping[Sides, tuple[Side, ...]] = {
    Sides.BOTH: (Side.BOTH,),
    Sides.LEFT_RIGHT: (Side.LEFT, Side.RIGHT),
    Sides.RIGHT_LEFT: (Side.RIGHT, Side.LEFT),
    Sides.LEFT: (Side.LEFT,),
    Sides.RIGHT: (Side.RIGHT,),
}


@dataclass(frozen=True, slots=True)
class Block:
    """One exercise in a program: sets x target with its tempo, sides, rests and load.

    ``target`` is reps (REPS, and the cap for TEST), seconds (TIME) or metres (DISTANCE).
    ``rest_s`` separates sets, ``switch_s`` separates the two legs of a per-side set and
    ``rest_after_s`` follows the block's last set (ignored after the program's last block).
    """

    exercise_id: str
    sets: int
    target: int
    mode: Mode
    tempo: Tempo | None
    sides: Sides
    rest_s: int
    rest_after_s: int
    switch_s: int = 5
    load_kg: float = 0.0
    metronome_bpm: int | None = None

    @property
    def exercise(self) -> Exercise:
        return exercise(self.exercise_id)

    @property
    def sides_in_order(self) -> tuple[Side, ...]:
        return SIDE_ORDER[self.sides]


def default_block(exercise_id: str, **overrides: Any) -> Block:
    """A block with the catalog's suggested defaults for ``exercise_id``."""
    ex = exercise(exercise_id)
    block = Block(
        exercise_id=ex.id,
        sets=ex.default_sets,
        target=ex.default_target,
        mode=ex.mode,
        tempo=ex.tempo,
        sides=Sides.LEFT_RIGHT if ex.per_side else Sides.BOTH,
        rest_s=ex.rest_s,
        rest_after_s=90,
        switch_s=120 if ex.mode is Mode.TEST else 5,
        metronome_bpm=ex.metronome_bpm,
    )
    return replace(block, **overrides)


@dataclass(frozen=True, slots=True)
class Program:
    id: str
    name: str
    description: str
    blocks: tuple[Block, ...]
    builtin: bool = field(default=False, compare=False)

    # A built-in program's name and description are ours, marked for translation; a user's
    # program is shown as the user wrote it. The fields keep the English (program files).
    @property
    def local_name(self) -> str:
        return _(self.name) if self.builtin else self.name

    @property
    def local_description(self) -> str:
        return _(self.description) if self.builtin and self.description else self.description


def program_display_name(session: Mapping[str, Any]) -> str:
    """The program name of a stored session as shown: a built-in's in the current language (the
    history keeps the English it was saved with), a user's as the user wrote it."""
    name = str(session.get("program_name", ""))
    builtin = BUILTIN_BY_ID.get(str(session.get("program_id", "")))
    return _(name) if builtin is not None and builtin.name == name else name


def allowed_modes(ex: Exercise) -> tuple[Mode, ...]:
    """A walk can be timed or measured in metres; every other exercise keeps its own mode."""
    if ex.mode in (Mode.TIME, Mode.DISTANCE) and ex.pace_m_per_min:
        return (Mode.TIME, Mode.DISTANCE)
    return (ex.mode,)


# --------------------------------------------------------------------------- built-in programs

_FOUNDATION_DESCRIPTION = N_(
    "The six calf exercises for runners in one session of about 25 minutes: two-leg and "
    "single-leg raises for the gastrocnemius, the soleus squat and seated raise for the soleus, "
    "the heel-toe walk for balance and the shin, and pogo jumps for springiness. Two sets of "
    "each keep it near 20-25 minutes; add a third set as it gets easy. Suggested 2-3 times a "
    "week with at least 48 hours between sessions, for 8-12 weeks. In the first two weeks, skip "
    "the jumping raise (press Right when it comes up). A suggestion, not medical advice."
)
_ALFREDSON_DESCRIPTION = N_(
    "Eccentric heel drops after Alfredson: 3 x 15 with a straight knee and 3 x 15 with a bent "
    "knee on each leg. Rise on both feet, lower over about three seconds on the working leg. The "
    "protocol is done twice a day, every day, for 12 weeks; add load in a backpack once it is "
    "pain-free. Mild discomfort is accepted; stop if pain becomes disabling. Not medical advice: "
    "see a clinician for persistent pain."
)
_ISOMETRIC_DESCRIPTION = N_(
    "Five 45-second holds per leg on the ball of the foot with the heel lifted, two minutes of "
    "rest between rounds. Load it so the last seconds feel like 7-8 out of 10 effort. "
    "Not medical advice: see a clinician for persistent pain."
)
_TEST_DESCRIPTION = N_(
    "The single-leg heel-rise endurance test: a 10-rep two-leg warm-up, then one leg at a time "
    "rising and lowering with a 60 bpm beat (one beat up, one beat down) until you can no longer "
    "rise fully, lose the beat or need more than fingertip support. Press Enter (or your clicker) "
    "to end each leg. Two minutes of rest between legs. Repeat every four weeks or so."
)

BUILTIN_PROGRAMS: tuple[Program, ...] = (
    Program(
        id="foundation",
        name=N_("Runner's calf foundation"),
        description=_FOUNDATION_DESCRIPTION,
        blocks=(
            # The catalog's rests (60-75 s), two sets each: about 25 minutes in all.
            default_block("double_leg_calf_raise", sets=2, rest_after_s=60),
            default_block("single_leg_calf_raise", sets=2, rest_after_s=60),
            default_block("soleus_squat", sets=2, rest_after_s=60),
            default_block("seated_calf_raise", sets=2, rest_after_s=60),
            default_block("heel_toe_walk", sets=2, rest_after_s=60),
            default_block("jumping_calf_raise", sets=2, rest_after_s=0),
        ),
        builtin=True,
    ),
    Program(
        id="alfredson",
        name=N_("Eccentric heel drops (Alfredson)"),
        description=_ALFREDSON_DESCRIPTION,
        blocks=(
            default_block("ecc_heel_drop_straight", rest_after_s=90),
            default_block("ecc_heel_drop_bent", rest_after_s=0),
        ),
        builtin=True,
    ),
    Program(
        id="isometric",
        name=N_("Isometric calf holds"),
        description=_ISOMETRIC_DESCRIPTION,
        blocks=(default_block("isometric_calf_hold", switch_s=15, rest_after_s=0),),
        builtin=True,
    ),
    Program(
        id="heel-rise-test",
        name=N_("Heel-rise endurance test"),
        description=_TEST_DESCRIPTION,
        blocks=(
            default_block(
                "double_leg_calf_raise",
                sets=1,
                target=10,
                tempo=Tempo(1, 0, 1, 0),
                rest_after_s=60,
            ),
            default_block("heel_rise_test", switch_s=120, rest_after_s=0),
        ),
        builtin=True,
    ),
)

BUILTIN_BY_ID: Mapping[str, Program] = {p.id: p for p in BUILTIN_PROGRAMS}


# ------------------------------------------------------------------------------ file format


NOT_AN_OBJECT = N_("the file must hold a JSON object with a program")


class ProgramFileError(ValueError):
    """A program file that cannot be loaded; ``problems`` lists every problem found."""

    def __init__(self, source: str, problems: Sequence[str]) -> None:
        self.source = source
        self.problems = tuple(problems)
        super().__init__("\n".join(f"{source}: {p}" for p in self.problems))


def program_to_dict(program: Program) -> dict[str, Any]:
    """The program as the JSON object written to a program file (every field explicit)."""
    return {
        "kind": FILE_KIND,
        "version": FILE_VERSION,
        "id": program.id,
        "name": program.name,
        "description": program.description,
        "blocks": [_block_to_dict(b) for b in program.blocks],
    }


def _block_to_dict(block: Block) -> dict[str, Any]:
    tempo = block.tempo
    return {
        "exercise": block.exercise_id,
        "mode": block.mode.value,
        "sets": block.sets,
        "target": block.target,
        "tempo": None
        if tempo is None
        else {"up": tempo.up, "top": tempo.top, "down": tempo.down, "bottom": tempo.bottom},
        "sides": block.sides.value,
        "rest_s": block.rest_s,
        "switch_s": block.switch_s,
        "rest_after_s": block.rest_after_s,
        "load_kg": block.load_kg,
        "metronome_bpm": block.metronome_bpm,
    }


def program_to_json(program: Program) -> str:
    return json.dumps(program_to_dict(program), indent=2, ensure_ascii=False) + "\n"


def program_json_bytes(program: Program) -> bytes:
    """The program file's bytes, read back with the loader first: a program that would not
    load again (a text with a lone surrogate, a value out of range) raises ProgramFileError
    naming the field, and nothing is made."""
    text = program_to_json(program)
    parse_program_json(text, f"{program.id}.json")
    return text.encode("utf-8")  # the loader refused every text UTF-8 cannot hold


def save_program_file(program: Program, path: Path) -> None:
    """Write ``program`` to ``path`` (the user picked the path; the store owns durable saves)."""
    path.write_bytes(program_json_bytes(program))


def load_program_file(path: Path) -> Program:
    """Read and validate a program file; raises ProgramFileError naming every problem. Only
    a regular file of at most 1 MB is read (never a pipe or a device: see ``userfile``)."""
    source = display_name(path)
    try:  # decoded as parse_program_json does
        data = read_json_object(
            path, MAX_FILE_BYTES, lenient=True, object_pairs_hook=_reject_duplicate_keys
        )[0]
    except JsonObjectError as exc:
        raise _refused(exc, source) from exc
    return _checked_program(data, source)


def parse_program_json(raw: bytes | str, source: str) -> Program:
    """The program in a program file's text; raises ProgramFileError naming every problem."""
    try:
        # Lenient: a number too large (1e400) or a lone surrogate reaches the validator, which
        # refuses it with the field's own rule ("must be a number from 0 to 500"); nothing
        # the validator lets through can hold one.
        doc = decode_json_object(raw, lenient=True, object_pairs_hook=_reject_duplicate_keys)
    except JsonObjectError as exc:
        raise _refused(exc, source) from exc
    return _checked_program(doc, source)


def _refused(exc: JsonObjectError, source: str) -> ProgramFileError:
    if exc.why == "object":
        return ProgramFileError(source, [_(NOT_AN_OBJECT)])
    message = exc.problem
    if exc.why == "json" and message == _("not valid JSON: nested too deeply"):
        message = _("not a program: the JSON is nested too deeply")
    return ProgramFileError(source, [message])


def _checked_program(data: dict[str, Any], source: str) -> Program:
    program = program_from_dict(data, source)
    unusable = unusable_values(data)  # in a field the program does not keep ("$comment")
    if unusable:
        raise ProgramFileError(source, unusable)
    return program


def _reject_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    obj: dict[str, Any] = {}
    for key, value in pairs:
        if key in obj:
            # Silently keeping the last value would hide a mistake in a hand-written file.
            raise ValueError(
                _("the field {name} appears twice in one object").format(name=json.dumps(key))
            )
        obj[key] = value
    return obj


def program_from_dict(data: Any, source: str) -> Program:
    """Validate a decoded program object; raises ProgramFileError listing every problem."""
    v = Problems()
    if not isinstance(data, dict):
        raise ProgramFileError(source, [_(NOT_AN_OBJECT)])
    if data.get("kind") == "calftimer.backup":  # every field would be wrong: say the one thing
        raise ProgramFileError(
            source,
            ["kind: " + _('this is a calftimer backup, not a program: use "calftimer import"')],
        )
    if data.get("kind") != FILE_KIND:
        v.add("kind", choice_text([FILE_KIND]))
    version: Any = data.get("version")
    if not is_int(version):
        v.add("version", _("must be an integer"))
    elif version > FILE_VERSION:
        v.add(
            "version",
            _(
                "is {version}, written by a newer calftimer; this version reads up to {supported}"
            ).format(version=version, supported=FILE_VERSION),
        )
    elif version < 1:
        v.add("version", _("must be 1 or more"))
    v.unknown_keys(data, "", {"kind", "version", "id", "name", "description", "blocks", "$comment"})
    program_id = v.text_field(data, "id", "id", max_len=40)
    if program_id is not None and not ID_PATTERN.fullmatch(program_id):
        v.add(
            "id",
            _("must be 1-40 lower-case letters, digits or '-', starting with a letter/digit"),
        )
        program_id = None
    name = v.text_field(data, "name", "name", max_len=NAME_MAX)
    description = v.text_field(
        data, "description", "description", max_len=DESCRIPTION_MAX, optional=True
    )
    blocks: list[Block] = []
    raw_blocks = data.get("blocks")
    if not isinstance(raw_blocks, list):
        v.add("blocks", _("must be a list of blocks"))
    elif not BLOCKS_RANGE[0] <= len(raw_blocks) <= BLOCKS_RANGE[1]:
        v.add(
            "blocks",
            _("must hold {low} to {high} blocks").format(low=BLOCKS_RANGE[0], high=BLOCKS_RANGE[1]),
        )
    else:
        for i, raw in enumerate(raw_blocks):
            block = _block_from_dict(raw, f"blocks[{i}]", v)
            if block is not None:
                blocks.append(block)
    if v.items:
        raise ProgramFileError(source, v.items)
    if program_id is None or name is None:  # not reached: each was a problem above
        raise ProgramFileError(source, ["internal error: a program without an id or a name"])
    return Program(program_id, name, description or "", tuple(blocks))


def _block_from_dict(raw: Any, path: str, v: Problems) -> Block | None:
    if not isinstance(raw, dict):
        v.add(path, _("must be an object"))
        return None
    start = len(v)
    v.unknown_keys(
        raw,
        path,
        {
            "exercise",
            "mode",
            "sets",
            "target",
            "tempo",
            "sides",
            "rest_s",
            "switch_s",
            "rest_after_s",
            "load_kg",
            "metronome_bpm",
        },
    )
    ex_id = raw.get("exercise")
    if not isinstance(ex_id, str) or ex_id not in CATALOG:
        known = ", ".join(CATALOG)
        v.add(
            f"{path}.exercise",
            _("must be one of the catalog's exercise ids ({ids})").format(ids=known),
        )
        return None
    ex = CATALOG[ex_id]
    base = default_block(ex_id)

    mode = base.mode
    if "mode" in raw:
        choices = allowed_modes(ex)
        if raw["mode"] not in [m.value for m in choices]:
            v.add(f"{path}.mode", _choices_for([m.value for m in choices], ex_id))
        else:
            mode = Mode(raw["mode"])
    sets = v.int_field(raw, "sets", f"{path}.sets", SETS_RANGE, base.sets, what=INTEGER)
    target_default = base.target if mode is base.mode else 20
    target = v.int_field(
        raw, "target", f"{path}.target", TARGET_RANGES[mode], target_default, what=INTEGER
    )
    tempo = _tempo(raw, f"{path}.tempo", base.tempo, mode, v)

    sides = base.sides
    if "sides" in raw:
        choices_s = [Sides.LEFT_RIGHT, Sides.RIGHT_LEFT, Sides.LEFT, Sides.RIGHT]
        if not ex.per_side:
            choices_s = [Sides.BOTH]
        if raw["sides"] not in [s.value for s in choices_s]:
            v.add(f"{path}.sides", _choices_for([s.value for s in choices_s], ex_id))
        else:
            sides = Sides(raw["sides"])
    rest_s = v.int_field(raw, "rest_s", f"{path}.rest_s", REST_RANGE, base.rest_s, what=INTEGER)
    switch_s = v.int_field(
        raw, "switch_s", f"{path}.switch_s", SWITCH_RANGE, base.switch_s, what=INTEGER
    )
    rest_after_s = v.int_field(
        raw, "rest_after_s", f"{path}.rest_after_s", REST_RANGE, base.rest_after_s, what=INTEGER
    )
    load_kg = v.number_field(raw, "load_kg", f"{path}.load_kg", LOAD_RANGE, 0.0) or 0.0
    if load_kg and ex.load.value == "none":
        v.add(
            f"{path}.load_kg",
            _("must be 0: {exercise} is done without added weight").format(exercise=ex.local_name),
        )
    bpm = base.metronome_bpm
    if "metronome_bpm" in raw:
        if raw["metronome_bpm"] is None:
            bpm = None
        else:
            bpm = v.int_field(
                raw, "metronome_bpm", f"{path}.metronome_bpm", BPM_RANGE, None, what=INTEGER
            )
    # Only say "required" when the field was left out, not when its value was already refused.
    bpm_refused = "metronome_bpm" in raw and raw["metronome_bpm"] is not None and bpm is None
    tempo_refused = raw.get("tempo") is not None and tempo is None
    if mode is Mode.TEST and bpm is None and not bpm_refused:
        v.add(f"{path}.metronome_bpm", _("is required: a test set is paced by the metronome"))
    if mode is Mode.REPS and tempo is None and bpm is None and not (bpm_refused or tempo_refused):
        v.add(f"{path}.tempo", _("is required when there is no metronome to pace the reps"))
    if len(v) > start:
        return None
    if sets is None or target is None:  # not reached: each was a problem above
        raise ValueError(f"internal error: {path} has no sets or target")
    return Block(
        exercise_id=ex_id,
        sets=sets,
        target=target,
        mode=mode,
        tempo=tempo if mode is Mode.REPS else None,
        sides=sides,
        rest_s=rest_s if rest_s is not None else base.rest_s,
        rest_after_s=rest_after_s if rest_after_s is not None else base.rest_after_s,
        switch_s=switch_s if switch_s is not None else base.switch_s,
        load_kg=load_kg,
        metronome_bpm=bpm,
    )


def _choices_for(options: Sequence[Any], exercise_id: str) -> str:
    return _("must be {choices} for {exercise}").format(
        choices=choices_text(options), exercise=exercise_id
    )


def _tempo(
    raw: Mapping[str, Any], path: str, default: Tempo | None, mode: Mode, v: Problems
) -> Tempo | None:
    if "tempo" not in raw:
        return default
    value = raw["tempo"]
    if value is None:
        return None
    if mode is not Mode.REPS:
        v.add(
            path,
            _("must be null: only reps are paced by a tempo, this block is {mode}").format(
                mode=mode.value
            ),
        )
        return None
    if not isinstance(value, dict):
        # Translators: keep the JSON example as it is (its keys are the file's field names).
        v.add(
            path,
            _("must be an object like {example}").format(
                example='{"up": 2, "top": 1, "down": 2, "bottom": 0}'
            ),
        )
        return None
    v.unknown_keys(value, path, {"up", "top", "down", "bottom"})
    phases = {}
    for key in ("up", "top", "down", "bottom"):
        phases[key] = v.number_field(
            value, key, f"{path}.{key}", TEMPO_PHASE_RANGE, None, required=True
        )
    if any(p is None for p in phases.values()):
        return None
    tempo = Tempo(
        phases["up"] or 0.0, phases["top"] or 0.0, phases["down"] or 0.0, phases["bottom"] or 0.0
    )
    if tempo.rep_ms() < 500:
        v.add(path, _("one rep must last at least 0.5 seconds in total"))
        return None
    return tempo
