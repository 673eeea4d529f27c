"""Settings on real files: round trip, damaged files kept, unknown fields kept, newer schemas
left alone, and the kg/lb helpers. The wall clock is injected, so damaged names are known."""

from __future__ import annotations

import dataclasses
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from calftimer.core.settings import (
    FIELD_NAMES,
    KG_PER_LB,
    SETTINGS_KIND,
    SETTINGS_SCHEMA_VERSION,
    Settings,
    SettingsReadOnlyError,
    display_to_kg,
    format_load,
    kg_to_display,
    load_settings,
    read_settings,
    save_settings,
)
from calftimer.core.timeline import CompileOptions

NOW = datetime(2026, 3, 14, 9, 26, 53, tzinfo=UTC)
STAMP = "20260314T092653"


def clock() -> datetime:
    return NOW


@pytest.fixture
def path(tmp_path: Path) -> Path:
    return tmp_path / "config" / "settings.json"


def write_doc(path: Path, **fields: Any) -> bytes:
    doc = {"kind": SETTINGS_KIND, "schema_version": SETTINGS_SCHEMA_VERSION, **fields}
    raw = json.dumps(doc, indent=2).encode()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(raw)
    return raw


def damaged_copies(path: Path) -> list[Path]:
    return sorted(path.parent.glob(f"{path.name}.damaged-*"))


CUSTOM = Settings(
    countdown_s=5,
    prepare_s=30,
    voice_enabled=False,
    cue_volume=40,
    voice_volume=0,
    sound_theme="low",
    weight_unit="lb",
    keep_awake=False,
    theme="dark",
    muted=True,
    voice_engine="clips",
    voice_rate=-0.35,
    voice_name="English (Great Britain)",
    sex="female",
    age_band="40s",
    test_target=30,
    animate_figure=False,
)


def test_defaults_are_as_documented() -> None:
    s = Settings()
    assert (s.countdown_s, s.prepare_s, s.cue_volume, s.voice_volume) == (3, 10, 80, 80)
    assert (s.voice_enabled, s.keep_awake, s.muted) == (True, True, False)
    assert s.animate_figure  # the figure moves unless the user turns it off
    assert (s.sound_theme, s.weight_unit, s.theme, s.voice_engine) == (
        "standard",
        "kg",
        "system",
        "system",
    )
    assert s.voice_rate == 0.0


def test_compile_options_carry_countdown_and_get_ready_time() -> None:
    options = CUSTOM.compile_options()
    assert isinstance(options, CompileOptions)
    assert (options.countdown_s, options.prepare_s) == (5, 30)
    assert options.halfway_min_s == CompileOptions().halfway_min_s


def test_settings_refuse_invalid_values() -> None:
    with pytest.raises(ValueError, match="countdown_s: must be 3, 5 or 10"):
        Settings(countdown_s=4)
    with pytest.raises(ValueError, match="muted: must be true or false"):
        Settings(muted=1)  # type: ignore[arg-type]
    assert Settings(voice_rate=1).voice_rate == 1.0  # a whole number is a fine rate


def test_missing_file_gives_defaults_and_no_notice(path: Path) -> None:
    assert load_settings(path, clock) == (Settings(), [])
    assert not path.parent.exists()  # reading creates nothing


def test_round_trip(path: Path) -> None:
    assert save_settings(path, CUSTOM) == []  # creates the folder
    assert load_settings(path, clock) == (CUSTOM, [])
    doc = json.loads(path.read_text(encoding="utf-8"))
    assert doc["kind"] == SETTINGS_KIND
    assert doc["schema_version"] == SETTINGS_SCHEMA_VERSION
    assert set(FIELD_NAMES) <= doc.keys()
    assert not [p for p in path.parent.iterdir() if p != path]  # no temp file left


def test_fields_missing_from_the_file_take_their_defaults_silently(path: Path) -> None:
    write_doc(path, countdown_s=10)
    assert load_settings(path, clock) == (Settings(countdown_s=10), [])
    assert damaged_copies(path) == []


BAD_VALUES: list[Any] = [
    ("countdown_s", 4, "must be 3, 5 or 10; using 3"),
    ("countdown_s", "3", "must be 3, 5 or 10; using 3"),
    ("countdown_s", 3.0, "must be 3, 5 or 10; using 3"),
    ("prepare_s", 61, "must be a whole number of seconds from 5 to 60; using 10"),
    ("prepare_s", 4, "must be a whole number of seconds from 5 to 60; using 10"),
    ("voice_enabled", "yes", "must be true or false; using true"),
    ("cue_volume", 101, "must be a whole number from 0 to 100; using 80"),
    ("voice_volume", -1, "must be a whole number from 0 to 100; using 80"),
    ("voice_volume", True, "must be a whole number from 0 to 100; using 80"),
    ("sound_theme", "loud", 'must be "standard" or "low"; using "standard"'),
    ("weight_unit", "stone", 'must be "kg" or "lb"; using "kg"'),
    ("keep_awake", None, "must be true or false; using true"),
    ("animate_figure", "no", "must be true or false; using true"),
    ("theme", "Dark", 'must be "system", "light" or "dark"; using "system"'),
    ("muted", 0, "must be true or false; using false"),
    ("voice_engine", "espeak", 'must be "system", "clips" or "beeps"; using "system"'),
    ("voice_rate", 1.5, "must be a number from -1 to 1; using 0.0"),
    ("voice_rate", "fast", "must be a number from -1 to 1; using 0.0"),
    # A whole number too large for a float is refused, not converted (it used to crash).
    pytest.param(
        "voice_rate", 10**400, "must be a number from -1 to 1; using 0.0", id="voice_rate-10**400"
    ),
    (
        "voice_name",
        7,
        'must be a voice name of at most 100 characters ("" for the default); using ""',
    ),
    (
        "voice_name",
        "x" * 101,
        'must be a voice name of at most 100 characters ("" for the default); using ""',
    ),
    (
        "voice_name",
        "bell\x07",
        'must be a voice name of at most 100 characters ("" for the default); using ""',
    ),
]


@pytest.mark.parametrize(("field", "value", "why"), BAD_VALUES)
def test_a_bad_field_is_named_defaulted_and_the_rest_kept(
    path: Path, field: str, value: Any, why: str
) -> None:
    good = CUSTOM.to_dict()
    raw = write_doc(path, **{**good, field: value, "future_option": [1, 2]})

    settings, notices = load_settings(path, clock)

    expected = dataclasses.replace(CUSTOM, **{field: getattr(Settings(), field)})
    assert settings == expected
    assert notices[0].message == f"settings.json: {field}: {why}"
    assert notices[0].level == "warning"
    # A byte-identical copy is kept beside the file, and the notices say where.
    copy = path.with_name(f"settings.json.damaged-{STAMP}")
    assert damaged_copies(path) == [copy]
    assert copy.read_bytes() == raw
    assert str(copy) in notices[-1].message
    # The file was repaired (unknown fields kept), so the next start is quiet.
    assert load_settings(path, clock) == (expected, [])
    assert json.loads(path.read_text(encoding="utf-8"))["future_option"] == [1, 2]


def test_every_bad_field_gets_its_own_notice(path: Path) -> None:
    write_doc(path, countdown_s=7, theme="purple", prepare_s=30)
    settings, notices = load_settings(path, clock)
    assert settings == Settings(prepare_s=30)
    messages = [n.message for n in notices]
    assert "settings.json: countdown_s: must be 3, 5 or 10; using 3" in messages
    assert 'settings.json: theme: must be "system", "light" or "dark"; using "system"' in messages
    assert len(damaged_copies(path)) == 1


def test_a_bad_schema_version_is_a_field_problem(path: Path) -> None:
    raw = json.dumps({"kind": SETTINGS_KIND, "schema_version": "one", "muted": True}).encode()
    path.parent.mkdir(parents=True)
    path.write_bytes(raw)
    settings, notices = load_settings(path, clock)
    assert settings == Settings(muted=True)
    assert notices[0].message.startswith("settings.json: schema_version: must be a whole number")
    assert damaged_copies(path)[0].read_bytes() == raw


@pytest.mark.parametrize(
    "raw",
    [
        b'{"kind": "calftimer.settings", "countdown_s": 5',  # cut short
        b"\xff\xfe not text",
        b"[1, 2, 3]",
        b'"calftimer.settings"',
        b'{"kind": "calftimer.program", "countdown_s": 5}',
        b'{"countdown_s": 5}',
        b"",
    ],
    ids=["truncated", "binary", "list", "string", "other-kind", "no-kind", "empty"],
)
def test_an_unreadable_file_is_moved_aside_untouched_and_defaults_used(
    path: Path, raw: bytes
) -> None:
    path.parent.mkdir(parents=True)
    path.write_bytes(raw)

    settings, notices = load_settings(path, clock)

    assert settings == Settings()
    moved = path.with_name(f"settings.json.damaged-{STAMP}")
    assert not path.exists()
    assert moved.read_bytes() == raw
    assert len(notices) == 1
    assert notices[0].level == "warning"
    assert str(path) in notices[0].message
    assert str(moved) in notices[0].message
    # Nothing damaged remains where settings are read, so the next start is quiet.
    assert load_settings(path, clock) == (Settings(), [])


def test_damaged_copies_are_never_overwritten(path: Path) -> None:
    for n in range(3):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"broken %d" % n)
        load_settings(path, clock)  # same second each time
    names = sorted(p.name for p in damaged_copies(path))
    assert names == [
        f"settings.json.damaged-{STAMP}",
        f"settings.json.damaged-{STAMP}-2",
        f"settings.json.damaged-{STAMP}-3",
    ]
    contents = {p.read_bytes() for p in damaged_copies(path)}
    assert contents == {b"broken 0", b"broken 1", b"broken 2"}


def test_unknown_fields_survive_a_save(path: Path) -> None:
    write_doc(path, countdown_s=5, coach_language="de", metronome={"accent": 1})
    found = read_settings(path, clock)
    assert found.extra == {"coach_language": "de", "metronome": {"accent": 1}}

    changed = dataclasses.replace(found.settings, theme="light")
    save_settings(path, changed, found.extra)
    doc = json.loads(path.read_text(encoding="utf-8"))
    assert doc["coach_language"] == "de"
    assert doc["metronome"] == {"accent": 1}
    assert load_settings(path, clock) == (changed, [])

    # Without ``extra``, those on disk are kept as well.
    save_settings(path, Settings())
    assert json.loads(path.read_text(encoding="utf-8"))["coach_language"] == "de"


def test_extra_cannot_override_known_fields(path: Path) -> None:
    save_settings(path, CUSTOM, {"countdown_s": 3, "kind": "x", "schema_version": 9, "new": 1})
    doc = json.loads(path.read_text(encoding="utf-8"))
    assert (doc["countdown_s"], doc["kind"], doc["schema_version"], doc["new"]) == (
        5,
        SETTINGS_KIND,
        SETTINGS_SCHEMA_VERSION,
        1,
    )


def test_a_newer_schema_is_read_but_never_overwritten(path: Path) -> None:
    raw = json.dumps(
        {
            "kind": SETTINGS_KIND,
            "schema_version": SETTINGS_SCHEMA_VERSION + 1,
            "countdown_s": 5,
            "prepare_s": 90,  # perhaps allowed by then
            "coach_language": "fr",
        }
    ).encode()
    path.parent.mkdir(parents=True)
    path.write_bytes(raw)

    found = read_settings(path, clock)

    assert found.read_only
    assert found.settings == Settings(countdown_s=5)
    assert found.extra == {"coach_language": "fr"}
    assert len(found.notices) == 1
    assert "newer calftimer" in found.notices[0].message
    assert "prepare_s" in found.notices[0].message
    with pytest.raises(SettingsReadOnlyError, match="newer calftimer"):
        save_settings(path, Settings(theme="dark"), found.extra)
    assert path.read_bytes() == raw
    assert damaged_copies(path) == []


def test_save_moves_aside_a_file_that_became_unreadable(path: Path) -> None:
    save_settings(path, CUSTOM)
    path.write_bytes(b"{ edited by hand and broken")
    notices = save_settings(path, Settings(), wall_clock=clock)
    moved = path.with_name(f"settings.json.damaged-{STAMP}")
    assert moved.read_bytes() == b"{ edited by hand and broken"
    assert str(moved) in notices[0].message
    assert load_settings(path, clock) == (Settings(), [])


def test_an_unopenable_file_is_left_alone(path: Path) -> None:
    path.mkdir(parents=True)  # a folder where the file should be
    settings, notices = load_settings(path, clock)
    assert settings == Settings()
    assert notices[0].level == "error"
    assert path.is_dir()


# -------------------------------------------------------------------------------- weights


def test_kg_is_shown_as_is_to_the_nearest_half() -> None:
    assert kg_to_display(20, "kg") == 20.0
    assert kg_to_display(22.4, "kg") == 22.5
    assert kg_to_display(22.2, "kg") == 22.0
    assert kg_to_display(2.25, "kg") == 2.5  # ties go up, not to even
    assert kg_to_display(0, "kg") == 0.0


def test_lb_conversion_uses_the_exact_factor_and_rounds_to_half_pounds() -> None:
    assert KG_PER_LB == 0.45359237
    assert kg_to_display(10, "lb") == 22.0  # 22.046 lb
    assert kg_to_display(20, "lb") == 44.0  # 44.092 lb
    assert kg_to_display(1, "lb") == 2.0  # 2.2046 lb
    assert kg_to_display(1.2, "lb") == 2.5  # 2.6455 lb
    assert display_to_kg(1, "lb") == KG_PER_LB
    assert display_to_kg(22.5, "kg") == 22.5


def test_a_load_entered_in_lb_or_kg_shows_the_same_number_again() -> None:
    for halves in range(0, 1001):
        value = halves / 2
        for unit in ("kg", "lb"):
            assert kg_to_display(display_to_kg(value, unit), unit) == value, (value, unit)


def test_format_load() -> None:
    assert format_load(20, "kg") == "20 kg"
    assert format_load(22.5, "kg") == "22.5 kg"
    assert format_load(display_to_kg(45, "lb"), "lb") == "45 lb"
    assert format_load(display_to_kg(45.5, "lb"), "lb") == "45.5 lb"


def test_unknown_unit_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown weight unit"):
        kg_to_display(1, "st")
    with pytest.raises(ValueError, match="unknown weight unit"):
        display_to_kg(1, "st")
