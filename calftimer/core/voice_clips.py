"""The built-in voice: pre-rendered word clips joined into phrases at run time.

Made by ``resources/make_voice.py``; a folder of ``<key>.wav`` (16-bit mono PCM, each ending in
``TAIL_MS`` of silence) plus ``index.json`` with the sample rate and each clip's spoken length.
``ClipVoice`` checks the folder once, says exactly how long a phrase's clip keys
(``Phrase.words``) will sound when played one after another with a short join (``measure``),
so phrases start early enough to end before the moment they announce, and can join them into
one block of PCM (``assemble``). Qt-free: the GUI plays the clips.
"""

from __future__ import annotations

import sys
import wave
from array import array
from pathlib import Path

from calftimer.core.jsontext import JsonObjectError, read_json_object

JOIN_MS = 70  # silence between two clips: words stay distinct without sounding robotic
START_MS = 80  # from handing the bytes to the sound server to the first sample being heard
# Silence after a phrase: PulseAudio held back the last 15-20 ms of a stream until more came,
# so the end of one phrase was heard at the start of the next. Now what waits is silence.
TAIL_MS = 80
MAX_INDEX_BYTES = 1_000_000


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
            try:
                with wave.open(str(path), "rb") as wav:
                    shape = (wav.getnchannels(), wav.getsampwidth(), wav.getframerate())
                    if shape != (1, 2, rate):
                        raise ClipError(f"{path}: must be 16-bit mono at {rate} Hz")
                    data = wav.readframes(wav.getnframes())
            except (OSError, EOFError, wave.Error) as exc:
                raise ClipError(f"{path}: cannot be read ({exc})") from exc
            tail = 2 * (rate * TAIL_MS // 1000)
            if len(data) > tail and not any(data[-tail:]):
                data = data[:-tail]  # the file's silent tail (see make_voice.py) is not speech
            if sys.byteorder == "big":  # WAV is little-endian; sinks take native samples
                samples = array("h", data)
                samples.byteswap()
                data = samples.tobytes()
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
