"""Render calftimer's built-in voice, per language: ``python resources/make_voice.py [LANG ...]``.

The "built-in clips" voice engine needs no speech engine on the user's machine: it plays these
pre-rendered words and phrases one after another ("Soleus squat" + "Set" + "2" + "of" + "3" ...).
Every key that a phrase can use comes from ``calftimer.core.cues.clip_texts()`` in the language
being rendered: the pieces of every spoken template as that language's catalog translates them
(so the system voice, which reads the same translated text, and the clips say the same words),
its numbers, and every catalog exercise by its id. This script renders each with the language's
espeak-ng voice (``apt install espeak-ng``; ``VOICES``) and writes ``<key>.wav`` to
``calftimer/resources/voice/<lang>/`` (or ``DIR`` with ``--out``, one language only), then
``index.json`` with each clip's length in milliseconds.

    python resources/make_voice.py                  English (as always)
    python resources/make_voice.py --all            English and every language of VOICES
    python resources/make_voice.py de fr            those languages, from calftimer/locale
    python resources/make_voice.py --locale-dir D de   from D/de/LC_MESSAGES/calftimer.mo (or .po)
    python resources/make_voice.py --check --all    compare with what is there, write nothing

A language other than English is rendered from its compiled catalog (``.mo``; a ``.po`` alone
is compiled on the fly with Babel), complete or not: an untranslated text would be spoken in
English by a German voice, so render the clips that ship from complete catalogs (the catalog
tests say which are); ``--locale-dir`` renders trials from catalogs elsewhere.

Processing, in this order, standard library only:
    - espeak-ng's own output: 16-bit mono PCM at 22,050 Hz, the language's voice, ``-s`` words
      per minute (brisk, because a coach speaks between reps);
    - leading and trailing silence trimmed (below -40 dBFS), so clips join without gaps and a
      phrase's length is the sum of its clips plus the joins the player adds;
    - peak normalised to -3 dBFS, like the cue sounds, with 5 ms fades at both ends so joins
      never click;
    - English is kept as it always was, 16-bit PCM at 22,050 Hz (its clips stay the same bytes);
      every other language is taken to 11,025 Hz (``RATES``) through a windowed-sinc low-pass
      below 5 kHz (the band that carries speech) and stored as G.711 mu-law, a standard 8-bit
      WAV format ``voice_clips`` decodes: a quarter of the bytes, 1.1-1.4 MB a language, so the
      six fit under the bundle's size limit; the sound engine resamples to the stream's rate;
    - 80 ms of silence appended (``TAIL_MS``): PulseAudio holds back the last 15-20 ms of a
      stream until more comes, so what waits must be silence. ``index.json`` gives the length
      without it.

espeak-ng is deterministic for a given version, so a rerun on the same version rewrites the same
bytes; ``--check`` compares instead of writing (it reports clips that differ or are missing).
"""

from __future__ import annotations

import argparse
import json
import math
import operator
import shutil
import struct
import subprocess
import sys
import tempfile
import wave
from array import array
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

# Its neighbour in resources/ (this script's folder, first on the path): the same reading and
# compiling of a catalog.
import make_catalogs  # noqa: E402

from calftimer.core import i18n  # noqa: E402
from calftimer.core.cues import clip_texts  # noqa: E402
from calftimer.core.voice_clips import TAIL_MS, WAVE_FORMAT_MULAW  # noqa: E402

# The espeak-ng voice of each language (``espeak-ng --voices``), by catalog code.
VOICES = {
    "en": "en-us",
    "de": "de",
    "fr": "fr-fr",
    "es": "es",
    "it": "it",
    "nl": "nl",
    "pt_BR": "pt-br",
}
WORDS_PER_MINUTE = 185
ESPEAK_RATE = 22_050
# English stays 16-bit at espeak-ng's rate (its clips are the bytes they always were); the other
# languages are mu-law at half that rate, a quarter of the bytes (see the module's docstring).
RATES = {"en": ESPEAK_RATE}
DEFAULT_RATE = ESPEAK_RATE // 2
MULAW_LANGUAGES_EXCEPT = frozenset({"en"})
MULAW_BIAS = 0x84
MULAW_CLIP = 32_635
SILENCE = round(32_767 * 10 ** (-40 / 20))  # -40 dBFS
PEAK = round(32_767 * 10 ** (-3 / 20))  # -3 dBFS
VOICE_ROOT = ROOT / "calftimer" / "resources" / "voice"
FILTER_HALF_WIDTH = 16  # taps on each side of the resampling filter


def rate_of(language: str) -> int:
    return RATES.get(language, DEFAULT_RATE)


def render(text: str, workdir: Path, voice: str = VOICES["en"]) -> array[int]:
    """The samples espeak-ng makes for ``text`` with ``voice``."""
    target = workdir / "clip.wav"
    command = ["espeak-ng", "-v", voice, "-s", str(WORDS_PER_MINUTE), "-w", str(target), text]
    subprocess.run(command, check=True, capture_output=True)
    with wave.open(str(target), "rb") as wav:
        if (wav.getnchannels(), wav.getsampwidth(), wav.getframerate()) != (1, 2, ESPEAK_RATE):
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


def resampled(samples: array[int], rate: int) -> array[int]:
    """``samples`` (at espeak-ng's rate) at ``rate``, a whole fraction of it: every n-th sample
    of the signal low-passed by a Hann-windowed sinc below 90 % of the new Nyquist frequency,
    so nothing above it folds back as hiss. Plain floats: the same bytes on every run."""
    factor, remainder = divmod(ESPEAK_RATE, rate)
    if remainder:
        raise SystemExit(f"make_voice: {rate} Hz is not a whole fraction of {ESPEAK_RATE} Hz")
    if factor == 1:
        return samples
    half = FILTER_HALF_WIDTH * factor
    cutoff = 0.9 / factor  # of the source's Nyquist frequency
    taps = []
    for k in range(-half, half + 1):
        window = 0.5 + 0.5 * math.cos(math.pi * k / (half + 1))
        taps.append(window * (cutoff if k == 0 else math.sin(math.pi * cutoff * k) / (math.pi * k)))
    gain = sum(taps)
    taps = [t / gain for t in taps]
    padded = [0] * half + list(samples) + [0] * half
    return array(
        "h",
        (
            max(
                -32_768,
                min(32_767, round(sum(map(operator.mul, taps, padded[j : j + 2 * half + 1])))),
            )
            for j in range(0, len(samples), factor)
        ),
    )


def mulaw(samples: array[int]) -> bytes:
    """G.711 mu-law bytes of 16-bit ``samples`` (what ``voice_clips.MULAW_TO_PCM`` decodes)."""
    out = bytearray()
    for sample in samples:
        sign = 0x80 if sample < 0 else 0
        magnitude = min(abs(sample), MULAW_CLIP) + MULAW_BIAS
        exponent = max(0, magnitude.bit_length() - 8)
        mantissa = (magnitude >> (exponent + 3)) & 0x0F
        out.append(~(sign | exponent << 4 | mantissa) & 0xFF)
    return bytes(out)


def finished(samples: array[int], rate: int = ESPEAK_RATE) -> array[int]:
    """Normalised to ``PEAK`` with short fades at both ends."""
    peak = max(abs(s) for s in samples)
    n = len(samples)
    fade = rate * 5 // 1000
    out = array("h")
    for i, s in enumerate(samples):
        gain = PEAK / peak
        edge = min(i, n - 1 - i)
        if edge < fade:
            gain *= edge / fade
        out.append(max(-32_768, min(32_767, round(s * gain))))
    return out


def wav_bytes(samples: array[int], rate: int = ESPEAK_RATE, *, law: bool = False) -> bytes:
    """A mono WAV file: 16-bit PCM, or G.711 mu-law (format 7, with its ``fact`` chunk)."""
    if law:
        data = mulaw(samples)
        fmt = struct.pack("<HHIIHHH", WAVE_FORMAT_MULAW, 1, rate, rate, 1, 8, 0)
        body = (
            b"WAVE"
            + b"fmt "
            + struct.pack("<I", len(fmt))
            + fmt
            + b"fact"
            + struct.pack("<II", 4, len(data))
            + b"data"
            + struct.pack("<I", len(data))
            + data
            + b"\0" * (len(data) & 1)
        )
        return b"RIFF" + struct.pack("<I", len(body)) + body
    pcm = array("h", samples)
    if sys.byteorder == "big":
        pcm.byteswap()
    with tempfile.SpooledTemporaryFile() as buffer:
        with wave.open(buffer, "wb") as wav:  # type: ignore[arg-type]
            wav.setnchannels(1)
            wav.setsampwidth(2)
            wav.setframerate(rate)
            wav.writeframes(pcm.tobytes())
        buffer.seek(0)
        return buffer.read()


def build(language: str = "en") -> tuple[dict[str, bytes], dict[str, int]]:
    """Every clip's WAV bytes and length in ms, by key, in ``language`` (whose catalog must be
    in use: ``use_language``)."""
    voice, rate = VOICES[language], rate_of(language)
    tail = array("h", bytes(2 * (rate * TAIL_MS // 1000)))
    files: dict[str, bytes] = {}
    lengths: dict[str, int] = {}
    with tempfile.TemporaryDirectory() as workdir:
        for key, text in sorted(clip_texts().items()):
            samples = finished(resampled(trimmed(render(text, Path(workdir), voice)), rate), rate)
            law = language not in MULAW_LANGUAGES_EXCEPT
            files[f"{key}.wav"] = wav_bytes(samples + tail, rate, law=law)
            lengths[key] = round(len(samples) * 1000 / rate)
    index = {
        "rate": rate,
        "engine": espeak_version(),
        "voice": f"{voice}, {WORDS_PER_MINUTE} words per minute",
        "ms": lengths,
    }
    files["index.json"] = (json.dumps(index, indent=1, sort_keys=True) + "\n").encode()
    return files, lengths


def use_language(language: str, locale_dir: Path) -> None:
    """Make ``language``'s catalog (in ``locale_dir``) the one ``clip_texts`` translates with."""
    if language == i18n.SOURCE_LANGUAGE:
        i18n.set_language(language)
        return
    mo = i18n.catalog_path(language, locale_dir)
    po = mo.with_suffix(".po")
    if not mo.is_file() and not po.is_file():
        raise SystemExit(f"make_voice: {mo} is missing (compile the catalogs first)")
    # A language is rendered before Settings offers it (SHIPPED lists complete ones only).
    if all(lang.code != language for lang in i18n.SHIPPED):
        i18n.SHIPPED = (*i18n.SHIPPED, i18n.Language(language, language))
    with tempfile.TemporaryDirectory() as scratch:
        if not mo.is_file():
            mo = i18n.catalog_path(language, Path(scratch))
            mo.parent.mkdir(parents=True)
            mo.write_bytes(make_catalogs.mo_bytes(make_catalogs.read_po(po)))
        if i18n.set_language(language, mo.parents[2]).code != language:
            raise SystemExit(f"make_voice: {mo} cannot be read")


def espeak_version() -> str:
    """``"eSpeak NG 1.51"``: the same version renders the same bytes."""
    words = subprocess.run(
        ["espeak-ng", "--version"], check=True, capture_output=True, text=True
    ).stdout.split()
    number = next((w for w in words if w[:1].isdigit()), "unknown")
    return f"eSpeak NG {number}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "languages", nargs="*", metavar="LANG", help=f"catalog codes: {', '.join(VOICES)}"
    )
    parser.add_argument("--all", action="store_true", help="every language of VOICES")
    parser.add_argument("--out", type=Path, help="folder to write (one language only)")
    parser.add_argument(
        "--locale-dir", type=Path, default=i18n.LOCALE_DIR, help="where the catalogs are"
    )
    parser.add_argument("--check", action="store_true", help="compare with --out, write nothing")
    args = parser.parse_args(argv)
    languages = list(VOICES) if args.all else (args.languages or ["en"])
    unknown = [code for code in languages if code not in VOICES]
    if unknown:
        parser.error(f"no espeak-ng voice is set for {', '.join(unknown)} (see VOICES)")
    if args.out is not None and len(languages) != 1:
        parser.error("--out takes one language")
    if shutil.which("espeak-ng") is None:
        print("make_voice: espeak-ng is not installed (apt install espeak-ng)", file=sys.stderr)
        return 2
    status = 0
    for language in languages:
        out = args.out or VOICE_ROOT / language
        use_language(language, args.locale_dir)
        files, lengths = build(language)
        if args.check:
            differ = [name for name, data in files.items() if _read(out / name) != data]
            stale = sorted(p.name for p in out.glob("*.wav") if p.name not in files)
            for name in (*differ, *stale):
                print(f"make_voice: {out / name} differs, is missing or unused", file=sys.stderr)
            status = status or (1 if differ or stale else 0)
            continue
        out.mkdir(parents=True, exist_ok=True)
        for stale_path in out.glob("*.wav"):
            if stale_path.name not in files:
                stale_path.unlink()  # a key that no phrase uses any more
        for name, data in files.items():
            (out / name).write_bytes(data)
        total = sum(len(d) for d in files.values())
        print(f"make_voice: {language}: {len(lengths)} clips, {total / 1e6:.1f} MB in {out}")
    i18n.set_language(i18n.SOURCE_LANGUAGE)
    return status


def _read(path: Path) -> bytes | None:
    return path.read_bytes() if path.exists() else None


if __name__ == "__main__":
    sys.exit(main())
