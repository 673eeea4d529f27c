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
    - Each file is normalised to one loudness (``LOUDNESS_LUFS``, below), its peak at most
      ``PEAK_CEILING_DBFS``, and ends with 80 ms of silence (``TAIL_S``).
    - Pitches are named notes on equal temperament; the sounds form one family of related notes
      (all from the C major scale) so they are pleasant together.

Loudness
    Every cue is set to -12 LUFS (the metronome ``beat`` to -15), measured the way ITU-R BS.1770
    measures loudness (the K-weighting filter, the mean square in LUFS) over the sound's loudest
    100 ms window, at full volume. Why these figures:

    - 100 ms, not BS.1770's 400 ms "momentary" window: the ear sums a short sound's energy over
      roughly 100-200 ms, and most cues are shorter than 400 ms (a longer window would rate a
      short tick as quiet as its silence around it). So every cue has at least ~120 ms of sound,
      and its loudness is what the ear takes from it.
    - -12 LUFS: 3 LU above the built-in voice (its clips measure -15 LUFS on the same scale,
      median, -18 to -12.5), so at equal cue and voice volumes a tick cuts through music about as
      well as the words do, a little better; and as loud as typical streamed music (-14 to
      -9 LUFS), which is what it must be heard over. Before this, a tick was a 65 ms blip at
      -15.4 LUFS (low theme -17.9) and the cues spread over 16 LU (go -6, beat -22).
    - ``beat``, the metronome, sounds every second or two through a whole set and is a click by
      design (at most 40 ms): 3 LU below the other cues, so it keeps time without tiring.
    - Peak at most -3 dBFS: the engine's mixer adds the sounds and the voice into one stream and
      clips at full scale. Words are placed to end before the cue they announce, so a cue and a
      word seldom overlap; at the default volumes (80 %) two such peaks meeting reach about
      +1 dBFS only if exactly in phase, and a cue alone keeps 3 dB of room.

    The script refuses to write a sound it cannot bring to its loudness within the peak ceiling
    (its envelope is then too spiky: give it a longer decay). ``tests/core/test_sounds.py``
    measures the shipped files the same way.

Themes
    ``standard``: soft, bright tones (fundamental, a little 2nd and 3rd harmonic) in the
    660 Hz-1.6 kHz range, clearly audible and not harsh.

    ``low``: the same patterns two octaves lower (fundamentals about 165-390 Hz), with a rich series
    of six harmonics. The low fundamentals sit below most vocals and leads in music, and the
    harmonics (up to ~2.3 kHz) let small laptop speakers, which barely reproduce anything under
    200-300 Hz, still render the pitch (the ear fills in the missing fundamental).

Sounds (standard pitches; ``low`` is two octaves below)
    tick          countdown tick: one clear percussive note, A5, 130 ms (a 70 ms blip before:
                  too short to hear over music).
    go            start now: a bright sustained E6, the highest long tone, 300 ms.
    up            tempo "up" phase: short percussive C6, 140 ms (a fifth above ``down``).
    down          tempo "down" phase: the same shape on F5, 140 ms, so up/down are a pitch pair.
    hold          top/bottom hold: a steady G5 with a gentle 7 Hz tremolo, 400 ms ("stay there").
    beat          metronome click: G6, 36 ms, fast decay (woodblock-like), sharpest attack.
    rest          rest start: a soft falling pair A5 -> E5 with long decays, 460 ms ("relax").
    switch        switch legs: two-tone alternation A5 D6 A5 D6, 4 x 80 ms.
    set_done      set finished: rising chime G5 -> C6 with bell-like decays, 460 ms.
    session_done  session finished: arpeggio F5 A5 C6 F6, notes 120 ms apart, last one ringing,
                  850 ms.
    halfway       halfway: two equal chimes on D6, 160 ms apart, 300 ms.
    ten_seconds   ten seconds left: three quick blips on B5, 110 ms apart, 310 ms.

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
PEAK_CEILING_DBFS = -3.0
LOUDNESS_LUFS = -12.0  # every cue's loudness over its loudest LOUDNESS_WINDOW_S (see above)
QUIET_LOUDNESS_LUFS = -15.0  # the metronome beat's
QUIET_SOUNDS = frozenset({"beat"})
LOUDNESS_WINDOW_S = 0.100
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
    partials: tuple[tuple[int, float, float], ...]  # (harmonic, relative amplitude, phase)


THEMES = (
    Theme("standard", 1.0, ((1, 1.0, 0.0), (2, 0.25, 0.0), (3, 0.06, 0.0))),
    # The low theme's harmonics start at phases that keep the wave's peak low (found by a
    # search: 2.4 dB above its RMS instead of 6.2 dB with every phase 0; the ear hears no
    # difference), so it reaches the loudness under the peak ceiling.
    Theme(
        "low",
        0.25,
        (
            (1, 1.0, 0.0),
            (2, 0.7, 4.12),
            (3, 0.5, 5.38),
            (4, 0.3, 4.93),
            (5, 0.2, 0.89),
            (6, 0.1, 3.3),
        ),
    ),
)

SOUNDS: dict[str, tuple[Note, ...]] = {
    "tick": (Note(0.0, 0.130, A5, decay=0.1),),
    "go": (Note(0.0, 0.300, E6, decay=0.6),),
    "up": (Note(0.0, 0.140, C6, decay=0.09),),
    "down": (Note(0.0, 0.140, F5, decay=0.09),),
    "hold": (Note(0.0, 0.400, G5, tremolo=7.0),),
    "beat": (Note(0.0, 0.036, G6, decay=0.025),),
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
    "ten_seconds": tuple(Note(i * 0.110, 0.090, B5, decay=0.08) for i in range(3)),
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
    partials = [p for p in theme.partials if p[0] * note.freq * theme.transpose < 18_000]

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
        out.append(env * sum(a * math.sin(k * phase + offset) for k, a, offset in partials))
    return out


# ITU-R BS.1770's K-weighting at 48 kHz: a high shelf (+4 dB above ~1.5 kHz, the head's effect)
# then a high-pass (the ear's falling sensitivity below ~100 Hz), as (b0, b1, b2), (a1, a2).
K_SHELF = (
    (1.53512485958697, -2.69169618940638, 1.19839281085285),
    (-1.69065929318241, 0.73248077421585),
)
K_HIGH_PASS = ((1.0, -2.0, 1.0), (-1.99004745483398, 0.99007225036621))


def biquad(x: list[float], b: tuple[float, float, float], a: tuple[float, float]) -> list[float]:
    out = []
    x1 = x2 = y1 = y2 = 0.0
    for v in x:
        y = b[0] * v + b[1] * x1 + b[2] * x2 - a[0] * y1 - a[1] * y2
        x2, x1, y2, y1 = x1, v, y1, y
        out.append(y)
    return out


def loudness(samples: list[float], window_s: float = LOUDNESS_WINDOW_S) -> float:
    """Loudness in LUFS (full scale 1.0) of the loudest ``window_s`` of ``samples``: the
    K-weighted mean square, as BS.1770 defines it for one channel, over that window."""
    weighted = biquad(biquad(samples, *K_SHELF), *K_HIGH_PASS)
    n = seconds_to_frames(window_s)
    squares = [v * v for v in weighted] + [0.0] * max(0, n - len(weighted))
    running = [0.0]
    for v in squares:
        running.append(running[-1] + v)
    loudest = max(running[i + n] - running[i] for i in range(len(squares) - n + 1))
    return -0.691 + 10 * math.log10(loudest / n)


def render(notes: tuple[Note, ...], theme: Theme, target_lufs: float = LOUDNESS_LUFS) -> array:
    """Mix the notes and bring them to ``target_lufs``: 16-bit samples. Raises ValueError when
    the peak would then exceed ``PEAK_CEILING_DBFS``."""
    total = max(seconds_to_frames(n.start) + seconds_to_frames(n.length) for n in notes)
    mix = [0.0] * total
    for note in notes:
        offset = seconds_to_frames(note.start)
        for i, value in enumerate(render_note(note, theme)):
            mix[offset + i] += value
    peak = max(abs(v) for v in mix)
    unit = [v / peak for v in mix]  # peak 1.0: loudness then says how far to scale
    gain_db = target_lufs - loudness(unit)
    peak_dbfs = gain_db
    if peak_dbfs > PEAK_CEILING_DBFS:
        raise ValueError(
            f"{target_lufs} LUFS needs a peak of {peak_dbfs:+.1f} dBFS (ceiling "
            f"{PEAK_CEILING_DBFS} dBFS): give the notes longer decays"
        )
    scale = FULL_SCALE * 10 ** (gain_db / 20)
    unit += [0.0] * seconds_to_frames(TAIL_S)
    return array("h", (round(v * scale) for v in unit))


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
    rendered: dict[Path, array] = {}
    problems = []
    for theme in THEMES:
        for name, notes in SOUNDS.items():
            target = QUIET_LOUDNESS_LUFS if name in QUIET_SOUNDS else LOUDNESS_LUFS
            try:
                rendered[args.out / theme.name / f"{name}.wav"] = render(notes, theme, target)
            except ValueError as exc:
                problems.append(f"{theme.name}/{name}: {exc}")
    if problems:  # nothing is written: the set stays whole
        print("\n".join(problems), file=sys.stderr)
        return 1
    total = 0
    for path, samples in rendered.items():
        write_wav(path, samples)
        size = path.stat().st_size
        total += size
        if not args.quiet:
            print(f"{path}  {size / 1024:.1f} KiB")
    if not args.quiet:
        print(f"total {total / 1024:.1f} KiB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
