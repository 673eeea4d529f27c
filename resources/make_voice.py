"""Render calftimer's built-in voice: ``python resources/make_voice.py [--out DIR]``.

The "built-in clips" voice engine needs no speech engine on the user's machine: it plays these
pre-rendered words and phrases one after another ("Soleus squat" + "Set" + "2" + "of" + "3" ...).
Every key that a phrase can use comes from ``calftimer.core.cues.clip_texts()``: the fixed
phrases, the numbers 0-60 and 70/80/90, and every catalog exercise by its id. This script renders
each with espeak-ng (``apt install espeak-ng``) and writes ``<key>.wav`` to
``calftimer/resources/voice/en/`` (or ``DIR`` with ``--out``), then ``index.json`` with each
clip's length in milliseconds.

Processing, in this order, standard library only:
    - espeak-ng's own output: 16-bit mono PCM at 22,050 Hz, voice ``en-us``, ``-s`` words per
      minute (brisk, because a coach speaks between reps), kept at that rate: speech has nothing
      above 11 kHz and the sound server resamples;
    - leading and trailing silence trimmed (below -40 dBFS), so clips join without gaps and a
      phrase's length is the sum of its clips plus the joins the player adds;
    - peak normalised to -3 dBFS, like the cue sounds, with 5 ms fades at both ends so joins
      never click;
    - 80 ms of silence appended (``TAIL_MS``): PulseAudio holds back the last 15-20 ms of a
      stream until more comes, so what waits must be silence. ``index.json`` gives the length
      without it.

espeak-ng is deterministic for a given version, so a rerun on the same version rewrites the same
bytes; ``--check`` compares instead of writing (it reports clips that differ or are missing).
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import wave
from array import array
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from calftimer.core.cues import clip_texts  # noqa: E402
from calftimer.core.voice_clips import TAIL_MS  # noqa: E402

VOICE = "en-us"
WORDS_PER_MINUTE = 185
RATE = 22_050
SILENCE = round(32_767 * 10 ** (-40 / 20))  # -40 dBFS
PEAK = round(32_767 * 10 ** (-3 / 20))  # -3 dBFS
FADE_SAMPLES = RATE * 5 // 1000
TAIL_SAMPLES = RATE * TAIL_MS // 1000
DEFAULT_OUT = ROOT / "calftimer" / "resources" / "voice" / "en"


def render(text: str, workdir: Path) -> array[int]:
    """The samples espeak-ng makes for ``text``."""
    target = workdir / "clip.wav"
    command = ["espeak-ng", "-v", VOICE, "-s", str(WORDS_PER_MINUTE), "-w", str(target), text]
    subprocess.run(command, check=True, capture_output=True)
    with wave.open(str(target), "rb") as wav:
        if (wav.getnchannels(), wav.getsampwidth(), wav.getframerate()) != (1, 2, RATE):
            raise SystemExit(f"espeak-ng wrote an unexpected format for {text!r}")
        samples = array("h")
        samples.frombytes(wav.readframes(wav.getnframes()))
    if sys.byteorder == "big":
        samples.byteswap()
    return samples


def trimmed(samples: array[int]) -> array[int]:
    loud = [i for i, s in enumerate(samples) if abs(s) > SILENCE]
    if not loud:
        raise SystemExit("espeak-ng rendered silence")
    return samples[loud[0] : loud[-1] + 1]


def finished(samples: array[int]) -> array[int]:
    """Normalised to ``PEAK`` with short fades at both ends."""
    peak = max(abs(s) for s in samples)
    n = len(samples)
    out = array("h")
    for i, s in enumerate(samples):
        gain = PEAK / peak
        edge = min(i, n - 1 - i)
        if edge < FADE_SAMPLES:
            gain *= edge / FADE_SAMPLES
        out.append(max(-32_768, min(32_767, round(s * gain))))
    return out


def wav_bytes(samples: array[int]) -> bytes:
    data = array("h", samples)
    if sys.byteorder == "big":
        data.byteswap()
    with tempfile.SpooledTemporaryFile() as buffer:
        with wave.open(buffer, "wb") as wav:  # type: ignore[arg-type]
            wav.setnchannels(1)
            wav.setsampwidth(2)
            wav.setframerate(RATE)
            wav.writeframes(data.tobytes())
        buffer.seek(0)
        return buffer.read()


def build() -> tuple[dict[str, bytes], dict[str, int]]:
    """Every clip's WAV bytes and length in ms, by key."""
    files: dict[str, bytes] = {}
    lengths: dict[str, int] = {}
    with tempfile.TemporaryDirectory() as workdir:
        for key, text in sorted(clip_texts().items()):
            samples = finished(trimmed(render(text, Path(workdir))))
            files[f"{key}.wav"] = wav_bytes(samples + array("h", bytes(2 * TAIL_SAMPLES)))
            lengths[key] = round(len(samples) * 1000 / RATE)
    index = {
        "rate": RATE,
        "engine": espeak_version(),
        "voice": f"{VOICE}, {WORDS_PER_MINUTE} words per minute",
        "ms": lengths,
    }
    files["index.json"] = (json.dumps(index, indent=1, sort_keys=True) + "\n").encode()
    return files, lengths


def espeak_version() -> str:
    """``"eSpeak NG 1.51"``: the same version renders the same bytes."""
    words = subprocess.run(
        ["espeak-ng", "--version"], check=True, capture_output=True, text=True
    ).stdout.split()
    number = next((w for w in words if w[:1].isdigit()), "unknown")
    return f"eSpeak NG {number}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="folder to write")
    parser.add_argument("--check", action="store_true", help="compare with --out, write nothing")
    args = parser.parse_args(argv)
    if shutil.which("espeak-ng") is None:
        print("make_voice: espeak-ng is not installed (apt install espeak-ng)", file=sys.stderr)
        return 2
    files, lengths = build()
    if args.check:
        differ = [name for name, data in files.items() if _read(args.out / name) != data]
        for name in differ:
            print(f"make_voice: {args.out / name} differs or is missing", file=sys.stderr)
        return 1 if differ else 0
    args.out.mkdir(parents=True, exist_ok=True)
    for stale in args.out.glob("*.wav"):
        if stale.name not in files:
            stale.unlink()  # a key that no phrase uses any more
    for name, data in files.items():
        (args.out / name).write_bytes(data)
    total = sum(len(d) for d in files.values())
    print(f"make_voice: {len(lengths)} clips, {total / 1e6:.1f} MB in {args.out}")
    return 0


def _read(path: Path) -> bytes | None:
    return path.read_bytes() if path.exists() else None


if __name__ == "__main__":
    sys.exit(main())
