"""The built-in voice: the shipped clips cover every phrase, join into one block of PCM whose
length ``measure`` predicts, and a damaged clip folder is reported by file and field."""

from __future__ import annotations

import fnmatch
import json
import shutil
import subprocess
import sys
import tomllib
import wave
from pathlib import Path

import pytest

from calftimer.core.cues import clip_texts, phrase_plan, phrases_for
from calftimer.core.programs import BUILTIN_PROGRAMS
from calftimer.core.timeline import CueKind, compile_program
from calftimer.core.voice_clips import JOIN_MS, START_MS, TAIL_MS, ClipError, ClipVoice

ROOT = Path(__file__).resolve().parents[2]
VOICE = ROOT / "calftimer" / "resources" / "voice" / "en"
SCRIPT = ROOT / "resources" / "make_voice.py"


@pytest.fixture(scope="module")
def voice() -> ClipVoice:
    return ClipVoice.load(VOICE)


def test_the_shipped_clips_are_exactly_the_keys_phrases_use(voice: ClipVoice) -> None:
    keys = set(clip_texts())
    assert {p.stem for p in VOICE.glob("*.wav")} == keys
    assert all(voice.has(k) for k in keys)


def test_every_phrase_of_every_builtin_program_can_be_said_in_full(voice: ClipVoice) -> None:
    said = 0
    for program in BUILTIN_PROGRAMS:
        timeline = compile_program(program)
        for phrase in phrases_for(timeline.cues, timeline, measure=voice.measure):
            assert all(voice.has(w) for w in phrase.words), phrase.text
            said += 1
    assert said > 100


def test_measure_is_the_length_of_the_assembled_phrase(voice: ClipVoice) -> None:
    words = ("soleus_squat", "set", "2", "of", "3", "15", "reps")
    pcm = voice.assemble(words)
    tail = 2 * (voice.rate * TAIL_MS // 1000)
    assert pcm[-tail:] == bytes(tail)  # ends in silence the sound server may hold back
    heard_ms = (len(pcm) - tail) * 1000 / (2 * voice.rate)
    # Never shorter than what is heard (a phrase placed to end at its moment must not run
    # past it), and at most the one millisecond of rounding up longer.
    assert 0 <= voice.measure("", words) - (START_MS + heard_ms) < 1
    gap = 2 * (voice.rate * JOIN_MS // 1000)
    first = voice.assemble(("soleus_squat",))[:-tail]
    assert pcm[: len(first)] == first
    assert pcm[len(first) : len(first) + gap] == bytes(gap)  # the joins are silence
    assert len(pcm) == sum(len(voice.assemble((w,))) - tail for w in words) + 6 * gap + tail


def test_unknown_words_are_left_out_not_spelled(voice: ClipVoice) -> None:
    assert voice.assemble(("halfway", "no_such_clip")) == voice.assemble(("halfway",))
    assert voice.measure("", ("no_such_clip",)) == 0
    assert voice.assemble(("no_such_clip",)) == b""


def test_clip_lengths_set_how_early_a_rep_count_starts(voice: ClipVoice) -> None:
    """A long number ("27") starts earlier than a short one ("2"), each ending on its rep."""
    timeline = compile_program(next(p for p in BUILTIN_PROGRAMS if p.id == "heel-rise-test"))
    reps = {
        p.text: (start, p)
        for start, p in phrase_plan(timeline, voice.measure)
        if p.cue is not None and p.cue.kind is CueKind.REP
    }
    for number in ("2", "27"):
        start, phrase = reps[number]
        assert phrase.duration_ms == voice.measure(number, (number,))
        assert start + phrase.duration_ms == phrase.cue.offset_ms  # type: ignore[union-attr]
    assert reps["27"][1].lead_ms > reps["2"][1].lead_ms


def test_the_voice_is_package_data() -> None:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    patterns = config["tool"]["setuptools"]["package-data"]["calftimer"]
    for path in VOICE.iterdir():
        relative = path.relative_to(ROOT / "calftimer").as_posix()
        assert any(fnmatch.fnmatch(relative, p) for p in patterns), relative


# ------------------------------------------------------------------ damaged folders


def copy_of_voice(tmp_path: Path) -> Path:
    folder = tmp_path / "en"
    shutil.copytree(VOICE, folder)
    return folder


def test_a_missing_index_names_the_file(tmp_path: Path) -> None:
    folder = copy_of_voice(tmp_path)
    (folder / "index.json").unlink()
    with pytest.raises(ClipError, match=r"index\.json: cannot be read"):
        ClipVoice.load(folder)


@pytest.mark.parametrize(
    ("content", "why"),
    [
        ("[22050]", "must hold a JSON object"),  # was an AttributeError from index.get
        ('{"rate": 22050,', "not valid JSON"),
    ],
)
def test_an_index_that_is_no_json_object_names_the_file(
    tmp_path: Path, content: str, why: str
) -> None:
    folder = copy_of_voice(tmp_path)
    (folder / "index.json").write_text(content)
    with pytest.raises(ClipError, match=rf"index\.json: cannot be read \({why}"):
        ClipVoice.load(folder)


def test_a_bad_rate_names_the_field(tmp_path: Path) -> None:
    folder = copy_of_voice(tmp_path)
    index = json.loads((folder / "index.json").read_text())
    index["rate"] = "fast"
    (folder / "index.json").write_text(json.dumps(index))
    with pytest.raises(ClipError, match=r"index\.json: rate: must be a sample rate"):
        ClipVoice.load(folder)


def test_a_missing_or_mismatched_clip_names_the_file(tmp_path: Path) -> None:
    folder = copy_of_voice(tmp_path)
    (folder / "halfway.wav").unlink()
    with pytest.raises(ClipError, match=r"halfway\.wav: cannot be read"):
        ClipVoice.load(folder)
    folder = copy_of_voice(tmp_path / "again")
    with wave.open(str(folder / "rest.wav"), "wb") as wav:
        wav.setnchannels(2)
        wav.setsampwidth(2)
        wav.setframerate(48_000)
        wav.writeframes(bytes(400))
    with pytest.raises(ClipError, match=r"rest\.wav: must be 16-bit or mu-law mono at 22050 Hz"):
        ClipVoice.load(folder)


# ------------------------------------------------------------------ the script


def installed_espeak() -> str | None:
    if shutil.which("espeak-ng") is None:
        return None
    out = subprocess.run(["espeak-ng", "--version"], capture_output=True, text=True).stdout
    return next((f"eSpeak NG {w}" for w in out.split() if w[:1].isdigit()), None)


def test_the_script_reproduces_the_shipped_voice(tmp_path: Path) -> None:
    """Rerunning ``resources/make_voice.py`` gives the shipped clips: byte for byte with the
    espeak-ng version that made them (CI installs it), by key with any other."""
    shipped = json.loads((VOICE / "index.json").read_text())
    version = installed_espeak()
    assert version is not None, "espeak-ng is needed to check the voice script (apt install)"
    result = subprocess.run(
        [sys.executable, str(SCRIPT), "--out", str(tmp_path)], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    fresh = json.loads((tmp_path / "index.json").read_text())
    assert fresh["ms"].keys() == shipped["ms"].keys()
    if version == shipped["engine"]:
        differ = [
            p.name for p in VOICE.iterdir() if (tmp_path / p.name).read_bytes() != p.read_bytes()
        ]
        assert differ == [], "rerun resources/make_voice.py"
