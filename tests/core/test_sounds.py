"""The shipped cue sounds: format, loudness (a stated target), sharp onsets, two distinct
themes, reproducible.

Standard library only (``wave``), no Qt: the files are checked as data, the way QSoundEffect and the
onset-timing tests rely on them.
"""

from __future__ import annotations

import fnmatch
import importlib.resources
import itertools
import math
import operator
import statistics
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


# The loudness target (resources/make_sounds.py says why): every cue at -12 LUFS over its loudest
# 100 ms, the metronome beat at -15, each within 1 LU; no peak above -3 dBFS, so the mixer that
# adds a cue and a word keeps room.
CUE_LUFS = -12.0
BEAT_LUFS = -15.0
LOUDNESS_TOLERANCE_LU = 1.0
PEAK_CEILING_DBFS = -3.0
LOUDNESS_WINDOW_S = 0.100


def biquad_coefficients(
    kind: str, rate: int, f0: float, q: float, gain_db: float = 0.0
) -> tuple[tuple[float, float, float], tuple[float, float]]:
    """A high shelf or high pass (the RBJ cookbook's), normalised: (b0, b1, b2), (a1, a2)."""
    w0 = 2 * math.pi * f0 / rate
    cos, alpha = math.cos(w0), math.sin(w0) / (2 * q)
    if kind == "shelf":
        a = 10 ** (gain_db / 40)
        root = 2 * math.sqrt(a) * alpha
        b = (
            a * ((a + 1) + (a - 1) * cos + root),
            -2 * a * ((a - 1) + (a + 1) * cos),
            a * ((a + 1) + (a - 1) * cos - root),
        )
        den = ((a + 1) - (a - 1) * cos + root, 2 * ((a - 1) - (a + 1) * cos))
        den2 = (a + 1) - (a - 1) * cos - root
    else:
        b = ((1 + cos) / 2, -(1 + cos), (1 + cos) / 2)
        den, den2 = (1 + alpha, -2 * cos), 1 - alpha
    a0 = den[0]
    return (b[0] / a0, b[1] / a0, b[2] / a0), (den[1] / a0, den2 / a0)


def k_weighted(samples: list[float], rate: int) -> list[float]:
    """BS.1770's K-weighting at any rate: a +4 dB shelf above ~1.5 kHz, a high pass at 38 Hz."""
    for b, a in (
        biquad_coefficients("shelf", rate, 1500.0, 1 / math.sqrt(2), 4.0),
        biquad_coefficients("pass", rate, 38.0, 0.5),
    ):
        out, x1, x2, y1, y2 = [], 0.0, 0.0, 0.0, 0.0
        for x in samples:
            y = b[0] * x + b[1] * x1 + b[2] * x2 - a[0] * y1 - a[1] * y2
            x2, x1, y2, y1 = x1, x, y1, y
            out.append(y)
        samples = out
    return samples


def loudness_lufs(samples: array[int] | list[float], rate: int = RATE) -> float:
    """Loudness (LUFS) of the loudest ``LOUDNESS_WINDOW_S`` of 16-bit ``samples``."""
    weighted = k_weighted([s / 32768 for s in samples], rate)
    n = round(LOUDNESS_WINDOW_S * rate)
    weighted += [0.0] * max(0, n - len(weighted))
    running = [0.0, *itertools.accumulate(v * v for v in weighted)]
    loudest = max(running[i + n] - running[i] for i in range(0, len(weighted) - n + 1, 16))
    return -0.691 + 10 * math.log10(loudest / n)


def test_the_loudness_measure_reads_a_full_scale_1_khz_tone_as_minus_3_lufs() -> None:
    """BS.1770's own check: a 0 dBFS 997 Hz sine in one channel reads -3.01 LUFS."""
    for rate in (RATE, 22_050):
        tone = [32767 * math.sin(2 * math.pi * 997 * i / rate) for i in range(rate // 2)]
        assert loudness_lufs(tone, rate) == pytest.approx(-3.01, abs=0.1)


@pytest.mark.parametrize(("theme", "name"), ALL, ids=IDS)
def test_every_cue_is_at_the_loudness_target_with_room_below_full_scale(
    theme: str, name: str
) -> None:
    _, samples = read(theme, name)
    target = BEAT_LUFS if name == "beat" else CUE_LUFS
    lufs = loudness_lufs(samples)
    assert abs(lufs - target) <= LOUDNESS_TOLERANCE_LU, f"{lufs:.1f} LUFS, target {target}"
    dbfs = 20 * math.log10(peak(samples) / 32768)
    assert dbfs <= PEAK_CEILING_DBFS, f"peak {dbfs:.1f} dBFS"


@pytest.mark.parametrize("theme", THEMES)
def test_the_countdown_tick_is_long_enough_to_hear_over_music(theme: str) -> None:
    """A tick of 120-150 ms: the ear takes about 100 ms to hear a sound at its full loudness."""
    _, samples = read(theme, "tick")
    loud = 0.01 * peak(samples)  # -40 dB
    sounding = [i for i, s in enumerate(samples) if abs(s) > loud]
    assert 0.120 <= (sounding[-1] - sounding[0]) / RATE <= 0.150


VOICE = PACKAGE / "resources" / "voice" / "en"


def test_the_cues_stand_a_little_above_the_built_in_voice() -> None:
    """At equal volumes a cue is 1-5 LU louder than a typical word (it is short and must cut
    through music; the voice is heard for longer): the two stay balanced."""
    levels = []
    for path in sorted(VOICE.glob("*.wav")):
        with wave.open(str(path), "rb") as wav:
            rate = wav.getframerate()
            samples = array("h", wav.readframes(wav.getnframes()))
        levels.append(loudness_lufs(samples, rate))
    assert len(levels) > 50
    typical = statistics.median(levels)
    assert 1.0 <= CUE_LUFS - typical <= 5.0, f"voice {typical:.1f} LUFS"


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
