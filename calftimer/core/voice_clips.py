"""The built-in voice: pre-rendered word clips joined into phrases at run time.

Made by ``resources/make_voice.py``, one folder per language (``voice/<lang>``): ``<key>.wav``
files, each ending in ``TAIL_MS`` of silence, plus ``index.json`` with the sample rate and each
clip's spoken length. English is 16-bit mono PCM at 22,050 Hz; the other languages are 8-bit
G.711 mu-law at 11,025 Hz (a standard WAV format, a quarter of the bytes: six languages fit in
the bundle's size limit), decoded here to 16-bit PCM when the folder is read.
``ClipVoice`` checks the folder once, says exactly how long a phrase's clip keys
(``Phrase.words``) will sound when played one after another with a short join (``measure``),
so phrases start early enough to end before the moment they announce, and can join them into
one block of PCM (``assemble``). Qt-free: the GUI plays the clips.
"""

from __future__ import annotations

import struct
import sys
from array import array
from pathlib import Path

from calftimer.core.jsontext import JsonObjectError, read_json_object

JOIN_MS = 70  # silence between two clips: words stay distinct without sounding robotic
START_MS = 80  # from handing the bytes to the sound server to the first sample being heard
# Silence after a phrase: PulseAudio held back the last 15-20 ms of a stream until more came,
# so the end of one phrase was heard at the start of the next. Now what waits is silence.
TAIL_MS = 80
MAX_INDEX_BYTES = 1_000_000
MAX_CLIP_BYTES = 10_000_000
WAVE_FORMAT_MULAW = 7


def _mulaw_table() -> tuple[int, ...]:
    """The 16-bit sample of each G.711 mu-law byte."""
    table = []
    for byte in range(256):
        code = ~byte & 0xFF
        magnitude = (((code & 0x0F) << 3) + 0x84) << ((code & 0x70) >> 4)
        table.append(0x84 - magnitude if code & 0x80 else magnitude - 0x84)
    return tuple(table)


MULAW_TO_PCM = _mulaw_table()


class ClipError(Exception):
    """The clip folder is damaged: the message names the file and what is wrong."""


class ClipVoice:
    """Every clip of one folder, loaded into memory (about 3 MB)."""

    def __init__(self, rate: int, clips: dict[str, bytes]) -> None:
        self.rate = rate
        self._clips = clips
        self._join = bytes(2 * (rate * JOIN_MS // 1000))
        self._tail = bytes(2 * (rate * TAIL_MS // 1000))

    @classmethod
    def load(cls, folder: Path) -> ClipVoice:
        """Read ``folder``; raises ``ClipError`` naming the file and field at fault."""
        index_path = folder / "index.json"
        try:
            index = read_json_object(index_path, MAX_INDEX_BYTES)[0]
        except JsonObjectError as exc:
            raise ClipError(f"{index_path}: cannot be read ({exc.problem})") from exc
        rate, lengths = index.get("rate"), index.get("ms")
        if type(rate) is not int or not 8_000 <= rate <= 96_000:
            raise ClipError(f"{index_path}: rate: must be a sample rate in Hz")
        if not isinstance(lengths, dict) or not lengths:
            raise ClipError(f"{index_path}: ms: must map every clip to its length")
        clips: dict[str, bytes] = {}
        for key in lengths:
            path = folder / f"{key}.wav"
            data = _read_clip(path, rate)
            tail = 2 * (rate * TAIL_MS // 1000)
            if len(data) > tail and not any(data[-tail:]):
                data = data[:-tail]  # the file's silent tail (see make_voice.py) is not speech
            clips[key] = data
        return cls(rate, clips)

    def words(self) -> list[str]:
        """Every clip key, in the index's order."""
        return list(self._clips)

    def has(self, key: str) -> bool:
        return key in self._clips

    def clip_ms(self, key: str) -> int:
        return len(self._clips[key]) * 1000 // (2 * self.rate)

    def clip_bytes(self, key: str) -> bytes:
        """The clip's native-endian 16-bit mono PCM at ``rate`` (its silent tail removed)."""
        return self._clips[key]

    def assemble(self, words: tuple[str, ...]) -> bytes:
        """The phrase as native-endian 16-bit mono PCM at ``rate``, then ``TAIL_MS`` of silence;
        unknown keys are left out (a word missing from the voice is better skipped than spelled
        out). Nothing known: no bytes."""
        known = [self._clips[w] for w in words if w in self._clips]
        return self._join.join(known) + self._tail if known else b""

    def measure(self, text: str, words: tuple[str, ...], start_ms: int = START_MS) -> int:
        """How long ``words`` take to be heard, ``start_ms`` of start-up included: a
        ``cues.Measure`` (an engine that places them by the sample has no start-up)."""
        known = [w for w in words if w in self._clips]
        if not known:
            return 0
        # Summed in samples and rounded up once: each clip's length floored to whole
        # milliseconds made a ten-word phrase a few milliseconds longer than planned.
        samples = sum(len(self._clips[w]) // 2 for w in known) + len(self._join) // 2 * (
            len(known) - 1
        )
        return start_ms + -(-samples * 1000 // self.rate)


def _read_clip(path: Path, rate: int) -> bytes:
    """The clip's samples as native-endian 16-bit PCM: from a 16-bit PCM or a mu-law WAV."""
    try:
        with path.open("rb") as file:
            riff = file.read(MAX_CLIP_BYTES + 1)
    except OSError as exc:
        raise ClipError(f"{path}: cannot be read ({exc})") from exc
    if len(riff) > MAX_CLIP_BYTES:
        raise ClipError(f"{path}: cannot be read (larger than {MAX_CLIP_BYTES} bytes)")
    chunks = _chunks(riff)
    fmt, data = chunks.get(b"fmt "), chunks.get(b"data")
    if chunks.get(b"WAVE") is None or fmt is None or len(fmt) < 16 or data is None:
        raise ClipError(f"{path}: cannot be read (not a WAV file)")
    tag, channels, file_rate, _byte_rate, _align, bits = struct.unpack("<HHIIHH", fmt[:16])
    if (tag, channels, file_rate, bits) == (WAVE_FORMAT_MULAW, 1, rate, 8):
        return array("h", map(MULAW_TO_PCM.__getitem__, data)).tobytes()
    if (tag, channels, file_rate, bits) != (1, 1, rate, 16):
        raise ClipError(f"{path}: must be 16-bit or mu-law mono at {rate} Hz")
    data = data[: len(data) // 2 * 2]
    if sys.byteorder == "big":  # WAV is little-endian; sinks take native samples
        samples = array("h", data)
        samples.byteswap()
        return samples.tobytes()
    return data


def _chunks(riff: bytes) -> dict[bytes, bytes]:
    """The chunks of a RIFF/WAVE file by id (``b"WAVE"`` marks the form); {} if it is none."""
    if len(riff) < 12 or riff[:4] != b"RIFF" or riff[8:12] != b"WAVE":
        return {}
    chunks = {b"WAVE": b""}
    at = 12
    while at + 8 <= len(riff):
        ident, size = riff[at : at + 4], struct.unpack("<I", riff[at + 4 : at + 8])[0]
        chunks.setdefault(ident, riff[at + 8 : at + 8 + size])
        at += 8 + size + (size & 1)
    return chunks
