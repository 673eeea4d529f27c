"""Generate calftimer's cue sounds: ``python resources/make_sounds.py [--out DIR]``.

Writes 16-bit PCM, 48 kHz, mono WAV files (what ``QSoundEffect`` plays without resampling
surprises) to ``calftimer/resources/sounds/<theme>/<name>.wav``, or to ``DIR/<theme>/<name>.wav``
with ``--out``. Standard library only and deterministic: no randomness, no timestamps, a fixed
order of floating-point operations, so every run writes byte-identical files (the tests regenerate
them and compare).

Shared by every sound
    - Sharp onset: the first note starts at sample 0 and reaches full level after a 0.5 ms linear
      ramp (enough to avoid a hard step, fast enough for onset detection and tight timing).
    - Every note ends with a raised-cosine fade (15 ms, shorter for very short notes), so nothing
      clicks at the end.
    - Each file is normalised so its peak is -3 dBFS, and ends with 80 ms of silence (``TAIL_S``).
    - Pitches are named notes on equal temperament; the sounds form one family of related notes
      (all from the C major scale) so they are pleasant together.

Themes
    ``standard``: soft, bright tones (fundamental, a little 2nd and 3rd harmonic) in the
    660 Hz-1.6 kHz range, clearly audible and not harsh.

    ``low``: the same patterns two octaves lower (fundamentals about 165-390 Hz), with a rich series
    of six harmonics. The low fundamentals sit below most vocals and leads in music, and the
    harmonics (up to ~2.3 kHz) let small laptop speakers, which barely reproduce anything under
    200-300 Hz, still render the pitch (the ear fills in the missing fundamental).

Sounds (standard pitches; ``low`` is two octaves below)
    tick          countdown tick: one short percussive blip, A5, 70 ms.
    go            start now: a bright sustained E6, the highest long tone, 300 ms.
    up            tempo "up" phase: short percussive C6, 140 ms (a fifth above ``down``).
    down          tempo "down" phase: the same shape on F5, 140 ms, so up/down are a pitch pair.
    hold          top/bottom hold: a steady G5 with a gentle 7 Hz tremolo, 400 ms ("stay there").
    beat          metronome click: G6, 30 ms, very fast decay (woodblock-like), sharpest attack.
    rest          rest start: a soft falling pair A5 -> E5 with long decays, 460 ms ("relax").
    switch        switch legs: two-tone alternation A5 D6 A5 D6, 4 x 80 ms.
    set_done      set finished: rising chime G5 -> C6 with bell-like decays, 460 ms.
    session_done  session finished: arpeggio F5 A5 C6 F6, notes 120 ms apart, last one ringing,
                  850 ms.
    halfway       halfway: two equal chimes on D6, 160 ms apart, 300 ms.
    ten_seconds   ten seconds left: three quick blips on B5, 100 ms apart, 260 ms.

Each sound differs from every other by pitch, rhythm (number and spacing of notes) or envelope
(percussive decay, sustained, tremolo).
"""

from __future__ import annotations

import argparse
import math
import sys
import wave
from array import array
from dataclasses import dataclass
from pathlib import Path

RATE = 48_000
FULL_SCALE = 32_767
PEAK_DBFS = -3.0
ATTACK_S = 0.0005
FADE_S = 0.015
# Silence after every sound. PulseAudio kept the last 15-20 ms of each sound in the stream's
# buffer until the next sound pushed it out: the end of a beat was heard at the start of the
# next one, 20 ms early. With this tail what waits in the buffer is silence.
TAIL_S = 0.080
DEFAULT_OUT = Path(__file__).resolve().parents[1] / "calftimer" / "resources" / "sounds"

# Equal-tempered pitches (A4 = 440 Hz) used by the standard theme.
E5, F5, G5, A5, B5 = 659.255, 698.456, 783.991, 880.000, 987.767
C6, D6, E6, F6, G6 = 1046.502, 1174.659, 1318.510, 1396.913, 1567.982


@dataclass(frozen=True)
class Note:
    """One tone: start and length in seconds, pitch in the standard theme."""

    start: float
    length: float
    freq: float
    level: float = 1.0
    decay: float | None = None  # exponential time constant in s; None: sustained
    tremolo: float = 0.0  # tremolo rate in Hz (depth fixed), 0: none


@dataclass(frozen=True)
class Theme:
    name: str
    transpose: float  # pitch factor applied to every note
    partials: tuple[tuple[int, float], ...]  # (harmonic number, relative amplitude)


THEMES = (
    Theme("standard", 1.0, ((1, 1.0), (2, 0.25), (3, 0.06))),
    Theme("low", 0.25, ((1, 1.0), (2, 0.7), (3, 0.5), (4, 0.3), (5, 0.2), (6, 0.1))),
)

SOUNDS: dict[str, tuple[Note, ...]] = {
    "tick": (Note(0.0, 0.070, A5, decay=0.025),),
    "go": (Note(0.0, 0.300, E6, decay=0.6),),
    "up": (Note(0.0, 0.140, C6, decay=0.06),),
    "down": (Note(0.0, 0.140, F5, decay=0.06),),
    "hold": (Note(0.0, 0.400, G5, tremolo=7.0),),
    "beat": (Note(0.0, 0.030, G6, decay=0.006),),
    "rest": (
        Note(0.0, 0.220, A5, decay=0.12),
        Note(0.200, 0.260, E5, level=0.9, decay=0.15),
    ),
    "switch": tuple(Note(i * 0.080, 0.080, (A5, D6)[i % 2], decay=0.08) for i in range(4)),
    "set_done": (
        Note(0.0, 0.200, G5, decay=0.1),
        Note(0.160, 0.300, C6, decay=0.15),
    ),
    "session_done": (
        Note(0.0, 0.250, F5, decay=0.15),
        Note(0.120, 0.250, A5, decay=0.15),
        Note(0.240, 0.250, C6, decay=0.15),
        Note(0.360, 0.490, F6, level=1.1, decay=0.22),
    ),
    "halfway": (
        Note(0.0, 0.140, D6, decay=0.07),
        Note(0.160, 0.140, D6, decay=0.07),
    ),
    "ten_seconds": tuple(Note(i * 0.100, 0.060, B5, decay=0.025) for i in range(3)),
}


def seconds_to_frames(seconds: float) -> int:
    return round(seconds * RATE)


def render_note(note: Note, theme: Theme) -> list[float]:
    """The note's samples (unnormalised floats), starting at its onset."""
    n = seconds_to_frames(note.length)
    attack = max(1, seconds_to_frames(ATTACK_S))
    fade = min(seconds_to_frames(FADE_S), n // 3)
    w = 2.0 * math.pi * note.freq * theme.transpose / RATE
    # Harmonics above ~18 kHz would only alias; none of the themes gets close, but stay safe.
    partials = [(k, a) for k, a in theme.partials if k * note.freq * theme.transpose < 18_000]
    out = []
    for i in range(n):
        env = note.level
        if i < attack:
            env *= i / attack
        if note.decay is not None:
            env *= math.exp(-i / (note.decay * RATE))
        if note.tremolo:
            env *= 1.0 - 0.25 * (1.0 - math.cos(2.0 * math.pi * note.tremolo * i / RATE))
        if i >= n - fade:
            env *= 0.5 * (1.0 + math.cos(math.pi * (i - (n - fade) + 1) / fade))
        phase = w * i
        out.append(env * sum(a * math.sin(k * phase) for k, a in partials))
    return out


def render(notes: tuple[Note, ...], theme: Theme) -> array:
    """Mix the notes and normalise to the target peak: 16-bit samples."""
    total = max(seconds_to_frames(n.start) + seconds_to_frames(n.length) for n in notes)
    mix = [0.0] * total
    for note in notes:
        offset = seconds_to_frames(note.start)
        for i, value in enumerate(render_note(note, theme)):
            mix[offset + i] += value
    peak = max(abs(v) for v in mix)
    scale = FULL_SCALE * 10 ** (PEAK_DBFS / 20) / peak
    mix += [0.0] * seconds_to_frames(TAIL_S)
    return array("h", (round(v * scale) for v in mix))


def write_wav(path: Path, samples: array) -> None:
    if sys.byteorder == "big":  # WAV is little-endian
        samples = array("h", samples)
        samples.byteswap()
    path.parent.mkdir(parents=True, exist_ok=True)
    with wave.open(str(path), "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(RATE)
        wav.writeframes(samples.tobytes())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--out",
        type=Path,
        default=DEFAULT_OUT,
        help=f"folder to write <theme>/<name>.wav into (default: {DEFAULT_OUT})",
    )
    parser.add_argument("-q", "--quiet", action="store_true", help="print nothing")
    args = parser.parse_args(argv)
    total = 0
    for theme in THEMES:
        for name, notes in SOUNDS.items():
            path = args.out / theme.name / f"{name}.wav"
            write_wav(path, render(notes, theme))
            size = path.stat().st_size
            total += size
            if not args.quiet:
                print(f"{path}  {size / 1024:.1f} KiB")
    if not args.quiet:
        print(f"total {total / 1024:.1f} KiB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
