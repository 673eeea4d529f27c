"""The user's settings: what they are, their allowed values, and the file they live in.

``settings.json`` is a small, hand-editable JSON object::

    {"kind": "calftimer.settings", "schema_version": 1, "countdown_s": 3, ...}

Reading never fails and never loses what the user wrote:

- a missing file gives the defaults, silently;
- a file that cannot be used at all (not JSON, not an object, another kind of file) is moved
  aside to ``settings.json.damaged-<YYYYMMDDTHHMMSS>`` in the same folder and every setting
  falls back to its default;
- a file with some bad values keeps the good ones; each bad field is named in a notice and
  gets its default, a byte-identical copy of the file is kept beside it as above, and the
  file is rewritten with the repaired values so the notice is shown once, not every start;
- fields this version does not know are kept and written back on save (a newer calftimer's
  settings survive a round trip through an older one), except a value JSON cannot write back
  (a number too large such as ``1e999``, a text with a lone surrogate), which is named and
  dropped like a bad value;
- only a regular file is read (a pipe or a device in its place is left alone, never waited on);
- what is written is first read back with this module's own reader.
- a file from a newer schema is read for what is understood and never overwritten.

Loads are always stored in kilograms; the weight unit only changes how they are shown and
entered (``kg_to_display``, ``display_to_kg``, ``format_load``).
"""

from __future__ import annotations

import json
import math
import os
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, field, fields
from functools import partial
from pathlib import Path
from typing import Any

from calftimer.core.atomic import fsync_dir, write_atomic
from calftimer.core.clock import WallClock, utc_now
from calftimer.core.heel_rise import AGE_BANDS, SEXES, TARGETS
from calftimer.core.i18n import _, format_number
from calftimer.core.jsontext import (
    JsonObjectError,
    UnwritableValueError,
    decode_json_object,
    encode_json,
    read_json_object,
    unusable_values,
)
from calftimer.core.notices import Notice
from calftimer.core.theme_setting import (
    MAX_SETTINGS_BYTES,
    SETTINGS_KIND,
    THEMES,
    language_problem,
)
from calftimer.core.timeline import CompileOptions
from calftimer.core.validation import (
    WHOLE_SECONDS,
    bool_problem,
    choice_problem,
    int_problem,
    number_problem,
)

SETTINGS_SCHEMA_VERSION = 1
DAMAGED_INFIX = ".damaged-"

COUNTDOWN_CHOICES: tuple[int, ...] = (3, 5, 10)
PREPARE_MIN_S, PREPARE_MAX_S = 5, 60
VOLUME_MIN, VOLUME_MAX = 0, 100
VOICE_RATE_MIN, VOICE_RATE_MAX = -1.0, 1.0
VOICE_NAME_MAX = 100
SOUND_THEMES: tuple[str, ...] = ("standard", "low")  # "low": pitched under music
WEIGHT_UNITS: tuple[str, ...] = ("kg", "lb")
VOICE_ENGINES: tuple[str, ...] = ("system", "clips", "beeps")

KG_PER_LB = 0.45359237  # exact, by definition
DISPLAY_STEP = 0.5  # loads are shown to the nearest half kilogram or half pound


class SettingsReadOnlyError(RuntimeError):
    """The settings file was written by a newer calftimer; it is not overwritten."""


# ----------------------------------------------------------------------------- validation


def _voice_name(value: Any) -> str | None:
    if type(value) is str and len(value) <= VOICE_NAME_MAX and value.isprintable():
        return None
    return _('must be a voice name of at most {n} characters ("" for the default)').format(
        n=VOICE_NAME_MAX
    )


def _optional_choice(value: Any, options: tuple[str, ...]) -> str | None:
    """One of ``options`` or ``""``, for a profile field the user may leave out."""
    if value == "" or value in options:
        return None
    return _('must be {choices} or "" (not given)').format(
        choices=", ".join(json.dumps(o) for o in options)
    )


_CHECKS: dict[str, Callable[[Any], str | None]] = {
    "countdown_s": partial(choice_problem, options=COUNTDOWN_CHOICES),
    "prepare_s": partial(int_problem, low=PREPARE_MIN_S, high=PREPARE_MAX_S, what=WHOLE_SECONDS),
    "voice_enabled": bool_problem,
    "cue_volume": partial(int_problem, low=VOLUME_MIN, high=VOLUME_MAX),
    "voice_volume": partial(int_problem, low=VOLUME_MIN, high=VOLUME_MAX),
    "sound_theme": partial(choice_problem, options=SOUND_THEMES),
    "weight_unit": partial(choice_problem, options=WEIGHT_UNITS),
    "keep_awake": bool_problem,
    "theme": partial(choice_problem, options=THEMES),
    "muted": bool_problem,
    "voice_engine": partial(choice_problem, options=VOICE_ENGINES),
    "voice_rate": partial(number_problem, low=VOICE_RATE_MIN, high=VOICE_RATE_MAX),
    "voice_name": _voice_name,
    "sex": partial(_optional_choice, options=SEXES),
    "age_band": partial(_optional_choice, options=AGE_BANDS),
    "test_target": partial(choice_problem, options=TARGETS),
    "animate_figure": bool_problem,
    "language": language_problem,
    "remote_start": bool_problem,
}


def field_problem(name: str, value: Any) -> str | None:
    """Why ``value`` cannot be the setting ``name`` (e.g. "must be 3, 5 or 10"), or None."""
    return _CHECKS[name](value)


@dataclass(frozen=True, slots=True)
class Settings:
    """Everything the user can set. Construction checks every value (ValueError if bad)."""

    countdown_s: int = 3  # the "3, 2, 1" before work starts
    prepare_s: int = 10  # the get-ready time before the first set
    voice_enabled: bool = True
    cue_volume: int = 80
    voice_volume: int = 80
    sound_theme: str = "standard"
    weight_unit: str = "kg"
    keep_awake: bool = True
    theme: str = "system"
    muted: bool = False
    voice_engine: str = "system"
    voice_rate: float = 0.0
    voice_name: str = ""  # a system voice by name; "" is the engine's default
    # An optional profile, only for comparing heel-rise tests with norms.
    sex: str = ""
    age_band: str = ""
    test_target: int = 25  # heel-rise raises per leg that count as a pass (25 or 30)
    # The exercise figure moves with the reps; off, it shows a still pose (as it does when the
    # desktop asks for reduced motion, where Qt tells).
    animate_figure: bool = True
    # The language of the window, the voice's texts and the CLI: "" follows the system. Read
    # at start (a change applies after a restart: the dialog says so).
    language: str = ""
    # A headset's play button starts the selected program from the home page (and, after a
    # second press, from a summary): hands-free from the first set.
    remote_start: bool = True

    def __post_init__(self) -> None:
        problems = [
            f"{f.name}: {problem}"
            for f in fields(self)
            if (problem := field_problem(f.name, getattr(self, f.name))) is not None
        ]
        if problems:
            raise ValueError("; ".join(problems))
        # A whole number is a fine rate; keep the type honest for equality and JSON.
        object.__setattr__(self, "voice_rate", float(self.voice_rate))

    def compile_options(self) -> CompileOptions:
        return CompileOptions(countdown_s=self.countdown_s, prepare_s=self.prepare_s)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


FIELD_NAMES: tuple[str, ...] = tuple(f.name for f in fields(Settings))
_RESERVED = frozenset({"kind", "schema_version", *FIELD_NAMES})


# ------------------------------------------------------------------------------ weights


def _check_unit(unit: str) -> None:
    if unit not in WEIGHT_UNITS:
        raise ValueError(f"unknown weight unit {unit!r}; expected 'kg' or 'lb'")


def _round_to_step(value: float) -> float:
    """To the nearest half, ties away from zero (``round`` would send 2.25 to 2.0)."""
    steps = math.floor(abs(value) / DISPLAY_STEP + 0.5)
    return math.copysign(steps * DISPLAY_STEP, value) + 0.0  # + 0.0: no "-0.0"


def kg_to_display(kg: float, unit: str) -> float:
    """A stored load in the user's unit, rounded to the nearest 0.5 of that unit."""
    _check_unit(unit)
    return _round_to_step(kg if unit == "kg" else kg / KG_PER_LB)


def display_to_kg(value: float, unit: str) -> float:
    """A load the user entered in their unit, in kilograms for storage (not rounded to a
    step, so 20 lb stays 20 lb when shown again)."""
    _check_unit(unit)
    return float(value) if unit == "kg" else round(value * KG_PER_LB, 9)  # no float noise


def format_load(kg: float, unit: str) -> str:
    """``22.5 kg`` or ``45 lb``: the display value with its unit, without a needless ".0"."""
    shown = kg_to_display(kg, unit)
    number = format_number(shown, 0 if shown.is_integer() else 1, grouping=False)
    return f"{number} {unit}"


# -------------------------------------------------------------------------------- files


@dataclass(frozen=True, slots=True)
class SettingsFile:
    """What reading the settings file found."""

    settings: Settings
    notices: tuple[Notice, ...] = ()
    # Fields this version does not know: pass them to save_settings to keep them.
    extra: Mapping[str, Any] = field(default_factory=dict)
    read_only: bool = False  # written by a newer calftimer: saving raises SettingsReadOnlyError


def load_settings(path: Path, wall_clock: WallClock = utc_now) -> tuple[Settings, list[Notice]]:
    """The settings in ``path`` and what the user should be told about them."""
    found = read_settings(path, wall_clock)
    return found.settings, list(found.notices)


def read_settings(path: Path, wall_clock: WallClock = utc_now) -> SettingsFile:
    """Read ``path``; see the module docstring for what happens to a damaged file."""
    name = path.name
    try:
        doc, raw = _read(path)
    except JsonObjectError as exc:
        if exc.missing:
            return SettingsFile(Settings())
        if exc.why not in _READ_FAILURES:
            return _recover_unreadable(path, _unusable(exc), wall_clock)
        # Unreadable for now (permissions, a folder or a pipe in its place): leave it alone.
        return SettingsFile(
            Settings(),
            (
                Notice(
                    "error",
                    _(
                        "{path} could not be opened ({problem}); using the default settings. "
                        "The file was left as it is."
                    ).format(path=path, problem=exc.problem),
                ),
            ),
        )

    problem = _kind_problem(doc)
    if problem:
        return _recover_unreadable(path, problem, wall_clock)

    version = doc.get("schema_version")
    newer = type(version) is int and version > SETTINGS_SCHEMA_VERSION
    values: dict[str, Any] = {}
    bad: dict[str, str] = {}  # field -> the notice naming it
    if not newer and not (type(version) is int and version >= 1):
        bad["schema_version"] = _(
            "{name}: schema_version: must be a whole number, 1 or more; using {version}"
        ).format(name=name, version=SETTINGS_SCHEMA_VERSION)
    defaults = Settings()
    for field_name in FIELD_NAMES:
        if field_name not in doc:
            continue  # a field added after the file was written: its default, silently
        value = doc[field_name]
        why = field_problem(field_name, value)
        if why is None:
            values[field_name] = value
        else:
            default = json.dumps(getattr(defaults, field_name))
            bad[field_name] = f"{name}: {field_name}: {why}; using {default}"
    settings = Settings(**values)
    extra, unusable = _keepable_extra(doc)
    for key, why in unusable.items():
        bad[key] = f"{name}: {why}; dropped"

    if newer:
        message = _(
            "{path} was written by a newer calftimer (settings schema {version}). It is used "
            "as far as this version understands it and will not be changed: settings you "
            "change now are not saved. Update calftimer to save them."
        ).format(path=path, version=version)
        if bad:
            message += _(" Not understood, so left at their defaults: {fields}.").format(
                fields=", ".join(bad)
            )
        return SettingsFile(settings, (Notice("warning", message),), extra, read_only=True)

    if not bad:
        return SettingsFile(settings, (), extra)

    notices = [Notice("warning", b) for b in bad.values()]
    try:
        copy = _free_damaged_name(path, wall_clock)
        write_atomic(copy, raw)
    except OSError as exc:
        notices.append(
            Notice(
                "error",
                _(
                    "A copy of {path} could not be kept ({reason}), so the file was left as it is; "
                    "the defaults above are used until settings are saved."
                ).format(path=path, reason=exc.strerror or exc),
            )
        )
        return SettingsFile(settings, tuple(notices), extra)
    try:
        _write(path, settings, extra)
        repaired = _(" and the file now holds the values in use")
    except OSError:
        repaired = ""
    notices.append(
        Notice(
            "info",
            _("{path} as it was, bad values included, is kept at {copy}{repaired}.").format(
                path=path, copy=copy, repaired=repaired
            ),
        )
    )
    return SettingsFile(settings, tuple(notices), extra)


def save_settings(
    path: Path,
    settings: Settings,
    extra: Mapping[str, Any] | None = None,
    *,
    wall_clock: WallClock = utc_now,
) -> list[Notice]:
    """Write ``settings`` to ``path`` atomically, creating its folder.

    ``extra`` holds fields this version does not know (``SettingsFile.extra``); when None,
    those of the file on disk now are kept. Raises SettingsReadOnlyError, writing nothing, if
    the file on disk is from a newer calftimer. If that file has become unreadable since it was
    loaded, it is moved aside first (never overwritten) and the returned notice says where.
    """
    notices: list[Notice] = []
    on_disk: dict[str, Any] | None = None
    problem = ""
    try:
        on_disk = _read(path)[0]
        problem = _kind_problem(on_disk)
    except JsonObjectError as exc:
        if exc.why not in _READ_FAILURES:
            problem = _unusable(exc)
        elif not exc.missing:
            raise OSError(f"{path}: {exc.problem}") from exc
    if problem:
        moved = _move_aside(path, wall_clock)
        notices.append(
            Notice(
                "warning",
                _(
                    "{path} had become unreadable ({problem}); it was moved to {moved} before "
                    "saving."
                ).format(path=path, problem=problem, moved=moved),
            )
        )
    elif on_disk is not None:
        version = on_disk.get("schema_version")
        if type(version) is int and version > SETTINGS_SCHEMA_VERSION:
            raise SettingsReadOnlyError(
                _(
                    "Settings were not saved: {path} was written by a newer calftimer (settings "
                    "schema {version}) and is left as it is."
                ).format(path=path, version=version)
            )
    if extra is None:
        extra = _keepable_extra(on_disk or {})[0]
    path.parent.mkdir(parents=True, exist_ok=True)
    _write(path, settings, extra)
    return notices


def _keepable_extra(doc: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, str]]:
    """The fields this version does not know, without those JSON cannot write back (which
    are returned apart, each with why)."""
    keep: dict[str, Any] = {}
    unusable: dict[str, str] = {}
    for key, value in doc.items():
        if key in _RESERVED:
            continue
        problems = unusable_values({key: value})
        if problems:
            unusable[key] = problems[0]
        else:
            keep[key] = value
    return keep, unusable


def _write(path: Path, settings: Settings, extra: Mapping[str, Any]) -> None:
    """Write the file, after reading the new bytes back as ``read_settings`` would: a value
    it would refuse raises UnwritableValueError (a ValueError) and nothing is written."""
    payload: dict[str, Any] = {"kind": SETTINGS_KIND, "schema_version": SETTINGS_SCHEMA_VERSION}
    payload.update(settings.to_dict())
    payload.update((k, v) for k, v in extra.items() if k not in _RESERVED)
    data = encode_json(payload, indent=2) + b"\n"
    try:
        doc = decode_json_object(data, limit=MAX_SETTINGS_BYTES, lenient=True, allow_constants=True)
    except JsonObjectError as exc:
        raise UnwritableValueError([_unusable(exc)]) from exc
    problems = [problem] if (problem := _kind_problem(doc)) else []
    problems += [
        f"{f}: {why}" for f in FIELD_NAMES if (why := field_problem(f, doc.get(f))) is not None
    ]
    problems += list(_keepable_extra(doc)[1].values())
    if problems:
        raise UnwritableValueError(problems)
    write_atomic(path, data)


_READ_FAILURES = ("os", "type", "format")  # could not be read now: left alone, never moved


def _read(path: Path) -> tuple[dict[str, Any], bytes]:
    """The object in the settings file and its bytes; JsonObjectError if there is none.
    Values JSON cannot write back are let through, to be named and refused field by field."""
    return read_json_object(path, MAX_SETTINGS_BYTES, lenient=True, allow_constants=True)


def _unusable(exc: JsonObjectError) -> str:
    """Why a file that was read holds no settings, in the words of the notices."""
    if exc.why == "size":
        return _("larger than {size} kB").format(size=MAX_SETTINGS_BYTES // 1000)
    return _("not a JSON object") if exc.why == "object" else exc.problem


def _kind_problem(doc: Mapping[str, Any]) -> str:
    """Why an object is not a settings file ("" when it is one)."""
    if doc.get("kind") == SETTINGS_KIND:
        return ""
    return "kind: " + _("must be {choices}").format(choices=f'"{SETTINGS_KIND}"')


def _recover_unreadable(path: Path, problem: str, wall_clock: WallClock) -> SettingsFile:
    try:
        moved = _move_aside(path, wall_clock)
    except OSError as exc:
        message = _(
            "{path} could not be read ({problem}); using the default settings. It could not "
            "be moved aside ({reason}) and was left as it is."
        ).format(path=path, problem=problem, reason=exc.strerror or exc)
        return SettingsFile(Settings(), (Notice("error", message),))
    message = _(
        "{path} could not be read ({problem}); all settings are back to their defaults. "
        "The file was moved to {moved}, untouched, so nothing in it is lost."
    ).format(path=path, problem=problem, moved=moved)
    return SettingsFile(Settings(), (Notice("warning", message),))


def _move_aside(path: Path, wall_clock: WallClock) -> Path:
    target = _free_damaged_name(path, wall_clock)
    os.replace(path, target)
    fsync_dir(path.parent)
    return target


def _free_damaged_name(path: Path, wall_clock: WallClock) -> Path:
    """``settings.json.damaged-<stamp>`` beside ``path``; ``-2``, ``-3``... if taken."""
    stamp = wall_clock().strftime("%Y%m%dT%H%M%S")
    target = path.with_name(f"{path.name}{DAMAGED_INFIX}{stamp}")
    n = 1
    while target.exists():
        n += 1
        target = path.with_name(f"{path.name}{DAMAGED_INFIX}{stamp}-{n}")
    return target
