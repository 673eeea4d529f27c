"""The voice in each language: phrases follow the translated templates' own word order, every
phrase the cue planner can make for the built-in programs has its clips in each language, and
the plan is timed by those clips' lengths. English is unchanged.

The six languages are tried with scratch catalogs of the spoken texts (``voice_catalogs``), and
with the pseudo-locale; a language whose real catalog and clips ship is checked with them.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from contextlib import nullcontext
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest

from calftimer.core import i18n
from calftimer.core.cues import (
    clip_texts,
    phrase_plan,
    phrases_for,
    session_summary_phrase,
)
from calftimer.core.exercise import Mode
from calftimer.core.programs import BUILTIN_PROGRAMS, REST_RANGE, Side
from calftimer.core.spoken import number_words, piece_key, say
from calftimer.core.timeline import CueKind, SegmentKind, compile_program
from calftimer.core.voice_clips import JOIN_MS, ClipVoice
from calftimer.resources import voice_folder
from tests.core.voice_catalogs import LANGUAGES, using, write_catalog
from tests.set_records import set_record

LANGUAGE_CODES = tuple(LANGUAGES)
WALL0 = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
VOICE_ROOT = voice_folder().parent


@pytest.fixture
def scratch(tmp_path: Path) -> Path:
    for code in LANGUAGES:
        write_catalog(tmp_path, code)
    return tmp_path


@pytest.fixture
def pseudo(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv(i18n.PSEUDO_ENV, "1")
    assert i18n.set_language(i18n.PSEUDO_LANGUAGE).code == i18n.PSEUDO_LANGUAGE
    try:
        yield
    finally:
        i18n.set_language(i18n.SOURCE_LANGUAGE)


record = set_record


def every_phrase() -> Iterator[tuple[str, tuple[str, ...]]]:
    """Every phrase the planner makes for the built-in programs, and spoken summaries of
    every size a session can have."""
    for program in BUILTIN_PROGRAMS:
        timeline = compile_program(program)
        for phrase in phrases_for(timeline.cues, timeline):
            yield phrase.text, phrase.words
    for reps in (*range(0, 1_001, 7), 100, 101, 107, 115, 200, 207, 1_000, 1_207, 2_340):
        records = [record("soleus_squat", Mode.REPS, reps, ended_mono=60_000)] if reps else []
        for minutes in (0, 1, 18, 60, 61, 75, 120, 185):
            phrase = session_summary_phrase(records, minutes * 60_000 + 1_000)
            yield phrase.text, phrase.words


def rest_phrase(seconds: int) -> tuple[str, tuple[str, ...]]:
    """What is said as a rest of ``seconds`` starts (a program of two sets of soleus squats)."""
    program = next(p for p in BUILTIN_PROGRAMS if p.id == "foundation")
    first = program.blocks[2]  # soleus squat, both legs
    one = replace(program, blocks=(replace(first, rest_s=seconds, sets=2),))
    timeline = compile_program(one)
    said = [
        p
        for p in phrases_for(timeline.cues, timeline)
        if p.cue is not None and timeline.segments[p.cue.segment_index].kind is SegmentKind.REST
    ]
    return said[0].text, said[0].words


# ------------------------------------------------------------------ English, unchanged


def test_english_phrases_and_keys_are_what_they_always_were() -> None:
    text, words = rest_phrase(75)
    assert text == "Rest, 75 seconds. Next: Soleus squat. Set 2 of 2. 15 reps."
    assert words == (
        *("rest", "70", "5", "seconds", "next", "soleus_squat"),
        *("set", "2", "of", "2", "15", "reps"),
    )
    shipped = json.loads((VOICE_ROOT / "en" / "index.json").read_text())["ms"]
    assert clip_texts().keys() == shipped.keys()
    assert clip_texts()["to_failure"] == "To failure"  # the text its clip was made from
    assert number_words(207) == ("2", "hundred", "7")


def test_a_rest_over_two_minutes_is_said_in_minutes_and_seconds() -> None:
    assert rest_phrase(150)[0].startswith("Rest, 2 minutes 30 seconds. Next:")  # was 150 seconds
    assert rest_phrase(150)[1][:6] == ("rest", "2", "minutes", "30", "seconds", "next")
    assert rest_phrase(120)[0].startswith("Rest, 2 minutes. Next:")
    assert rest_phrase(90)[0].startswith("Rest, 90 seconds. Next:")


# ------------------------------------------------------------------ each language's grammar


def test_each_language_says_the_rest_in_its_own_words(scratch: Path) -> None:
    expected = {
        "de": "Pause, 2 Minuten 30 Sekunden. Als Nächstes: Soleus-Kniebeuge. Satz 2 von 2. "
        "15 Wiederholungen.",
        "fr": "Repos, 2 minutes 30 secondes. Ensuite : Squat soléaire. Série 2 sur 2. "
        "15 répétitions.",
        "es": "Descanso, 2 minutos y 30 segundos. Siguiente: Soleus squat. Serie 2 de 2. "
        "15 repeticiones.",
        "pt_BR": "Descanso, 2 minutos e 30 segundos. Próximo: Soleus squat. Série 2 de 2. "
        "15 repetições.",
    }
    for code, text in expected.items():
        with using(scratch, code):
            said, words = rest_phrase(150)
            assert said == text
            vocabulary = clip_texts()
            assert set(words) <= vocabulary.keys()
            # The clips say the words of the text, in its order (numbers as their digits).
            spoken = " ".join(vocabulary[w] for w in words)
            assert spoken == " ".join(re.findall(r"[\w'-]+", said)), code


def test_a_translation_that_reorders_a_template_reorders_the_clips(tmp_path: Path) -> None:
    texts = dict(LANGUAGES["de"][1])
    texts["Set {number} of {sets}."] = "Von {sets} Sätzen der {number}."
    texts[("{n} rep", "{n} reps")] = ("eine Wiederholung", "{n} Wiederholungen")
    write_catalog(tmp_path, "de", texts)
    with using(tmp_path, "de"):
        spoken = say(i18n._("Set {number} of {sets}."), number=_n(2), sets=_n(3))
        assert spoken.text == "Von 3 Sätzen der 2."
        assert spoken.words == (piece_key("Von"), "3", piece_key("Sätzen der"), "2")
        text, words = rest_phrase(60)
        assert "Von 2 Sätzen der 2. 15 Wiederholungen." in text
        assert set(words) <= clip_texts().keys()
        one = session_summary_phrase([record("soleus_squat", Mode.REPS, 1)], None)
        assert "eine Wiederholung" in one.text
        assert piece_key("eine Wiederholung") in one.words  # the form without {n}: one clip
        assert set(one.words) <= clip_texts().keys()


def _n(value: int):  # type: ignore[no-untyped-def]
    from calftimer.core.spoken import number

    return number(value)


@pytest.mark.parametrize("code", LANGUAGE_CODES)
def test_every_phrase_maps_to_clips_in_each_language(scratch: Path, code: str) -> None:
    with using(scratch, code):
        vocabulary = clip_texts()
        english_only = {"of", "rest", "next", "reps", "hundred", "switch_legs"}
        assert not english_only & vocabulary.keys(), "English clips in another language"
        count = 0
        for text, words in every_phrase():
            missing = set(words) - vocabulary.keys()
            assert not missing, (text, missing)
            count += 1
        assert count > 1_000


def test_every_phrase_maps_to_clips_in_the_pseudo_locale(pseudo: None) -> None:
    vocabulary = clip_texts()
    for text, words in every_phrase():
        assert set(words) <= vocabulary.keys(), text


def test_every_rest_a_program_may_have_maps_to_clips(scratch: Path) -> None:
    for code in ("en", *LANGUAGE_CODES):
        with using(scratch, code) if code != "en" else nullcontext():
            vocabulary = clip_texts()
            for seconds in range(1, REST_RANGE[1] + 1, 7):
                text, words = rest_phrase(seconds)
                assert set(words) <= vocabulary.keys(), (code, text)


def test_numbers_follow_each_language() -> None:
    assert number_words(97, "fr") == ("97",)  # quatre-vingt-dix-sept: its own clip
    assert number_words(21, "de") == ("21",)  # einundzwanzig
    assert number_words(100, "es") == ("100",)  # cien
    assert number_words(107, "es") == ("ciento", "7")  # not "cien siete"
    assert number_words(207, "es") == ("200", "7")
    assert number_words(107, "pt_BR") == ("cento", "e", "7")
    assert number_words(250, "pt_BR") == ("200", "e", "50")
    assert number_words(300, "pt_BR") == ("300",)
    assert number_words(250, "de") == ("200", "50")
    assert number_words(1_207, "it") == ("1000", "200", "7")
    assert number_words(2_000, "nl") == ("2", "1000")


def test_clip_keys_are_file_names_and_keep_distinct_words_apart() -> None:
    assert piece_key("Left leg") == "left_leg"
    assert piece_key("é") != piece_key("e")  # Portuguese "is" and "and"
    for text in ("Als Nächstes", "Passez à la jambe gauche", "jusqu'à l'échec", "À mi-parcours"):
        key = piece_key(text)
        assert key.isascii() and all(c.isalnum() or c == "_" for c in key), key


# ------------------------------------------------------------------ timing by the clips


def synthetic_voice() -> ClipVoice:
    """A voice with every clip of the language in use, each a different length."""
    rate = 11_025
    clips = {
        key: bytes(2 * rate * (200 + 13 * i) // 1000) for i, key in enumerate(sorted(clip_texts()))
    }
    return ClipVoice(rate, clips)


@pytest.mark.parametrize("code", ("de", "fr", "pt_BR"))
def test_the_plan_is_timed_by_the_languages_clips(scratch: Path, code: str) -> None:
    with using(scratch, code):
        voice = synthetic_voice()
        for program in BUILTIN_PROGRAMS:
            timeline = compile_program(program)
            for start, phrase in phrase_plan(timeline, voice.measure):
                heard = sum(voice.clip_ms(w) for w in phrase.words)
                joins = JOIN_MS * (len(phrase.words) - 1)
                assert abs(phrase.duration_ms - (80 + heard + joins)) <= len(phrase.words)
                assert phrase.cue is not None
                assert start == phrase.cue.offset_ms - phrase.lead_ms


@pytest.mark.slow
def test_clips_rendered_for_a_language_say_every_phrase_and_time_it(scratch: Path) -> None:
    """make_voice.py renders German from its catalog; the clips load, cover every phrase, and
    a rep count starts as early as its German clip is long."""
    import subprocess
    import sys

    root = Path(__file__).resolve().parents[2]
    out = scratch / "voice-de"
    result = subprocess.run(
        [
            sys.executable,
            str(root / "resources" / "make_voice.py"),
            "--locale-dir",
            str(scratch),
            "--out",
            str(out),
            "de",
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    assert (out / "21.wav").read_bytes()[20:22] == b"\x07\x00"  # mu-law
    voice = ClipVoice.load(out)
    assert voice.rate == 11_025
    with using(scratch, "de"):
        assert set(voice.words()) == clip_texts().keys()
        for _text, words in every_phrase():
            assert all(voice.has(w) for w in words)
        timeline = compile_program(next(p for p in BUILTIN_PROGRAMS if p.id == "heel-rise-test"))
        reps = {
            p.text: p
            for _start, p in phrase_plan(timeline, voice.measure)
            if p.cue is not None and p.cue.kind is CueKind.REP
        }
    # "siebenundzwanzig" is longer than "zwei": it starts earlier, each ending on its rep.
    assert reps["27"].duration_ms == voice.measure("27", ("27",))
    assert voice.clip_ms("27") > voice.clip_ms("2") + 300
    assert reps["27"].lead_ms > reps["2"].lead_ms


# ------------------------------------------------------------------ the shipped languages


@pytest.mark.parametrize(
    "folder",
    sorted(p for p in VOICE_ROOT.iterdir() if p.is_dir() and p.name != "en"),
    ids=lambda p: p.name,
)
def test_a_shipped_voice_has_exactly_the_clips_of_its_catalog(folder: Path) -> None:
    code = folder.name
    assert i18n.catalog_path(code).is_file(), f"{code}: clips without a catalog"
    with using(i18n.LOCALE_DIR, code):
        assert {p.stem for p in folder.glob("*.wav")} == clip_texts().keys(), (
            f"rerun: python resources/make_voice.py {code}"
        )
        voice = ClipVoice.load(folder)
        for text, words in every_phrase():
            assert all(voice.has(w) for w in words), text


def test_every_offered_language_has_its_built_in_voice() -> None:
    for language in i18n.SHIPPED:
        assert (voice_folder(language.code) / "index.json").is_file(), (
            f"{language.code}: python resources/make_voice.py {language.code}"
        )


def test_both_sides_and_switches_have_clips_in_each_language(scratch: Path) -> None:
    from calftimer.core.cues import set_words

    for code in LANGUAGE_CODES:
        with using(scratch, code):
            vocabulary = clip_texts()
            for side in Side:
                for mode in Mode:
                    spoken = set_words("heel_rise_test", 3, 5, side, mode, 45)
                    assert set(spoken.words) <= vocabulary.keys(), (code, spoken.text)
