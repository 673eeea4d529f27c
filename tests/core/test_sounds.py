"""The shipped cue sounds: format, loudness, sharp onsets, two distinct themes, reproducible.

Standard library only (``wave``), no Qt: the files are checked as data, the way QSoundEffect and the
onset-timing tests rely on them.
"""

from __future__ import annotations

import fnmatch
import importlib.resources
import math
import operator
import subprocess
import sys
import tomllib
import wave
from array import array
from functools import cache
from pathlib import Path
from typing import NamedTuple

import pytest

import calftimer

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "resources" / "make_sounds.py"
PACKAGE = Path(calftimer.__file__).parent
SOUNDS = PACKAGE / "resources" / "sounds"

RATE = 48_000
THEMES = ("standard", "low")
NAMES = (
    "tick",
    "go",
    "up",
    "down",
    "hold",
    "beat",
    "rest",
    "switch",
    "set_done",
    "session_done",
    "halfway",
    "ten_seconds",
)
ALL = [(theme, name) for theme in THEMES for name in NAMES]
IDS = [f"{theme}/{name}" for theme, name in ALL]


class Params(NamedTuple):
    nchannels: int
    sampwidth: int
    framerate: int
    nframes: int
    comptype: str


@cache
def read(theme: str, name: str) -> tuple[Params, array[int]]:
    with wave.open(str(SOUNDS / theme / f"{name}.wav"), "rb") as wav:
        p = wav.getparams()
        params = Params(p.nchannels, p.sampwidth, p.framerate, p.nframes, p.comptype)
        frames = wav.readframes(p.nframes)
    samples = array("h")
    samples.frombytes(frames)
    if sys.byteorder == "big":
        samples.byteswap()
    return params, samples


def peak(samples: array[int]) -> int:
    return max(abs(s) for s in samples)


# Log-spaced analysis grid: equal-tempered semitones from E2 (82 Hz) to ~5 kHz.
GRID = [440.0 * 2 ** (k / 12) for k in range(-29, 43)]
WINDOW = RATE // 20  # the first 50 ms: the sound's first note


@cache
def basis(n: int) -> list[tuple[list[float], list[float]]]:
    hann = [0.5 - 0.5 * math.cos(2 * math.pi * i / n) for i in range(n)]
    return [
        (
            [h * math.cos(2 * math.pi * f * i / RATE) for i, h in enumerate(hann)],
            [h * math.sin(2 * math.pi * f * i / RATE) for i, h in enumerate(hann)],
        )
        for f in GRID
    ]


def dominant_frequency(samples: array[int]) -> float:
    """Frequency on GRID with the most energy in a Hann-windowed DFT of the first 50 ms."""
    x = samples[:WINDOW]
    power = [
        abs(complex(sum(map(operator.mul, x, c)), sum(map(operator.mul, x, s))))
        for c, s in basis(len(x))
    ]
    return GRID[power.index(max(power))]


def test_every_theme_has_every_sound_and_nothing_else() -> None:
    found = sorted(p.relative_to(SOUNDS).as_posix() for p in SOUNDS.rglob("*") if p.is_file())
    assert found == sorted(f"{theme}/{name}.wav" for theme, name in ALL)


@pytest.mark.parametrize(("theme", "name"), ALL, ids=IDS)
def test_format_is_mono_16_bit_48_khz_pcm(theme: str, name: str) -> None:
    params, samples = read(theme, name)
    assert (params.nchannels, params.sampwidth, params.framerate) == (1, 2, RATE)
    assert params.comptype == "NONE"
    assert len(samples) == params.nframes > 0


TAIL = RATE * 80 // 1000  # samples of silence that end every sound (see make_sounds.TAIL_S)


def audible(samples: array[int]) -> array[int]:
    return samples[:-TAIL]


@pytest.mark.parametrize(("theme", "name"), ALL, ids=IDS)
def test_duration_is_within_bounds(theme: str, name: str) -> None:
    _, samples = read(theme, name)
    longest = 0.900 if name == "session_done" else 0.600
    assert 0.030 <= len(audible(samples)) / RATE <= longest


@pytest.mark.parametrize(("theme", "name"), ALL, ids=IDS)
def test_every_sound_ends_in_silence_that_the_sound_server_may_hold_back(
    theme: str, name: str
) -> None:
    _, samples = read(theme, name)
    assert set(samples[-TAIL:]) == {0}
    assert peak(samples[-TAIL - RATE // 20 : -TAIL]) > 0  # the sound runs up to the tail


def test_the_metronome_beat_is_a_short_click() -> None:
    for theme in THEMES:
        _, samples = read(theme, "beat")
        assert len(audible(samples)) / RATE <= 0.040


@pytest.mark.parametrize(("theme", "name"), ALL, ids=IDS)
def test_peak_is_about_minus_3_dbfs(theme: str, name: str) -> None:
    _, samples = read(theme, name)
    dbfs = 20 * math.log10(peak(samples) / 32768)
    assert -6.0 <= dbfs <= -1.0


@pytest.mark.parametrize(("theme", "name"), ALL, ids=IDS)
def test_attack_is_sharp_and_the_end_fades_out(theme: str, name: str) -> None:
    _, samples = read(theme, name)
    loud = 0.05 * peak(samples)
    first = next(i for i, s in enumerate(samples) if abs(s) > loud)
    assert first <= RATE * 0.002, f"onset at {first / RATE * 1000:.2f} ms"
    # No click at the end: the last millisecond is already near silence.
    assert max(abs(s) for s in audible(samples)[-RATE // 1000 :]) <= loud


def test_the_low_theme_is_lower_for_every_sound() -> None:
    for name in NAMES:
        standard = dominant_frequency(read("standard", name)[1])
        low = dominant_frequency(read("low", name)[1])
        assert low < standard, name
        # Fundamentals low enough to cut through music, high enough for small speakers.
        assert 140 <= low <= 420, (name, low)


@pytest.mark.parametrize("theme", THEMES)
def test_sounds_in_a_theme_are_distinct(theme: str) -> None:
    """No two cues share both length (to 10 ms) and dominant pitch (to a semitone)."""
    signatures = {}
    for name in NAMES:
        params, samples = read(theme, name)
        signatures[name] = (round(params.nframes / RATE, 2), dominant_frequency(samples))
    assert len(set(signatures.values())) == len(NAMES), signatures
    _, up = read(theme, "up")
    _, down = read(theme, "down")
    assert dominant_frequency(up) > dominant_frequency(down)


def test_rerunning_the_script_reproduces_the_files_byte_for_byte(tmp_path: Path) -> None:
    """Deterministic, and the shipped files are what the script makes today (not stale)."""
    subprocess.run(
        [sys.executable, str(SCRIPT), "--out", str(tmp_path), "--quiet"],
        check=True,
        timeout=60,
    )
    for theme, name in ALL:
        fresh = (tmp_path / theme / f"{name}.wav").read_bytes()
        shipped = (SOUNDS / theme / f"{name}.wav").read_bytes()
        assert fresh == shipped, f"{theme}/{name}.wav differs: rerun resources/make_sounds.py"


def test_the_sounds_are_package_data() -> None:
    assert (importlib.resources.files("calftimer") / "resources/sounds/standard/go.wav").is_file()
    assert (importlib.resources.files("calftimer.resources") / "sounds/low/beat.wav").is_file()
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    patterns = config["tool"]["setuptools"]["package-data"]["calftimer"]
    for theme, name in ALL:
        relative = f"resources/sounds/{theme}/{name}.wav"
        assert any(fnmatch.fnmatch(relative, p) for p in patterns), relative


def test_the_sounds_are_small() -> None:
    total = sum(p.stat().st_size for p in SOUNDS.rglob("*.wav"))
    assert total < 1.5 * 1024 * 1024


def test_the_dominant_frequency_estimate_works() -> None:
    """Guards the helper above: a pure 440 Hz tone is found at 440 Hz."""
    tone = array("h", (round(10_000 * math.sin(2 * math.pi * 440 * i / RATE)) for i in range(4800)))
    assert dominant_frequency(tone) == pytest.approx(440, rel=0.03)
