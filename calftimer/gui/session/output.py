"""The seam between deciding what is heard and making the sound: ``AudioOutput``.

The cue conductor (``conductor.py``) hands an output everything it plays: sounds now or at an
instant of the monotonic clock, phrases to say, "take back what was handed out ahead", "stop
everything". The window and the Settings dialog ask it only for its state (loading, the problem
that keeps it silent, the system voices it found). Every output implements all of this, the
silent one included, so no caller probes an output with ``hasattr``.

Implementations: ``calftimer.gui.sound.engine.SoundEngine`` (the speakers: one stream, every
sound and word placed by the sample) and ``calftimer.gui.audio.SilentOutput`` (no sound here:
it says why and asks for a flash of the screen at each cue's moment).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

from PySide6.QtCore import SignalInstance

from calftimer.core.cues import Measure, Phrase

if TYPE_CHECKING:
    from calftimer.gui.audio import SilentOutput
    from calftimer.gui.sound.engine import SoundEngine


class AudioOutput(Protocol):
    # Signals, emitted on the window's thread.
    became_ready: SignalInstance  # everything loaded: sounds handed over now play on time
    failed: SignalInstance  # (str) it cannot play any more, and why: replace it
    notice: SignalInstance  # (str) something the user should know, once (a voice is missing)
    voice_changed: SignalInstance  # ``measure`` changed: phrases must be planned again
    played: SignalInstance  # (str) a sound started (a silent output: would have started)

    @property
    def audible(self) -> bool:
        """False for an output that plays nothing (the screen flashes instead)."""

    @property
    def problem(self) -> str:
        """Why it plays nothing, for the user; "" while it works."""

    @property
    def loading(self) -> bool:
        """Still loading its sounds or voice: a session that starts now may wait for it."""

    @property
    def measure(self) -> Measure | None:
        """How long the voice speaking now takes to say a phrase; None: no voice."""

    @property
    def system_voices(self) -> list[str] | None:
        """The system voices it found (for Settings); None: none looked for."""

    def play_sound(self, name: str, volume: float) -> None:
        """Play ``name`` now."""

    def play_at(self, name: str, volume: float, due_mono_ms: int) -> None:
        """Play ``name`` when the monotonic clock reads ``due_mono_ms``, unless taken back."""

    def cancel_pending(self) -> None:
        """Take back every ``play_at`` not yet played."""

    def speak(self, phrase: Phrase, volume: float) -> None:
        """Say ``phrase`` now, cutting off what was being said."""

    def say_at(self, phrase: Phrase, volume: float, start_mono_ms: int) -> None:
        """Start saying ``phrase`` when the monotonic clock reads ``start_mono_ms``, cutting off
        what is being said then, unless taken back."""

    def stop_all(self) -> None:
        """Silence everything sounding and take back everything pending."""

    def set_theme(self, theme: str) -> None:
        """Use the sounds of ``theme`` ("standard" or "low") from now on."""

    def set_voice(self, engine: str, rate: float, voice_name: str) -> None:
        """Speak with ``engine`` ("system", "clips" or "beeps") at ``rate`` in ``voice_name``."""

    def close(self) -> None:
        """Stop for good (the app quits)."""


if TYPE_CHECKING:
    # mypy checks here that both outputs really are AudioOutputs.
    _speakers: type[AudioOutput] = SoundEngine
    _silence: type[AudioOutput] = SilentOutput
