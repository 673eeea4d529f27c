"""Sound output: preloaded QSoundEffects for the cue sounds, or a silent stand-in with a reason.

``create_sound_output`` never raises: without QtMultimedia (no libpulse), without an audio
device, or with a sound file that will not load, it returns a ``SilentOutput`` whose ``problem``
says what is missing and how to fix it, and the window shows the cues as a screen flash instead.
Every effect is created and loaded once, after the window's first paint, so a cue never waits
for a file.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, QUrl, Signal

from calftimer.core.cues import SOUND_NAMES as CUE_SOUNDS

# The files to load are the sounds the cue player uses (calftimer.core.cues), each once.
SOUND_NAMES = tuple(dict.fromkeys(CUE_SOUNDS.values()))


def sounds_folder(theme: str) -> Path:
    """The packaged WAV files of a sound theme ("standard" or "low")."""
    return Path(str(resources.files("calftimer") / "resources" / "sounds" / theme))


class SilentOutput(QObject):
    """Plays nothing; says why. The window flashes instead of beeping."""

    played = Signal(str)  # the sound that would have played (the screen flash listens)

    def __init__(self, problem: str, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.problem = problem

    @property
    def ready(self) -> bool:
        return False

    def play_sound(self, name: str, volume: float) -> None:
        self.played.emit(name)

    def speak(self, phrase: Any, volume: float) -> None:
        """No voice without sound."""

    def stop_all(self) -> None:
        """Nothing is sounding."""


class SoundOutput(QObject):
    """One QSoundEffect per cue sound, loaded up front; ``ready`` once all of them are."""

    played = Signal(str)
    became_ready = Signal()
    failed = Signal(str)  # a sound file that would not load, with the reason

    def __init__(self, folder: Path, parent: QObject | None = None) -> None:
        super().__init__(parent)
        from PySide6.QtMultimedia import QSoundEffect

        self.problem: str | None = None
        self._effects: dict[str, Any] = {}
        self._status = QSoundEffect.Status
        for name in SOUND_NAMES:
            effect = QSoundEffect(self)
            effect.statusChanged.connect(self._on_effect_status_changed)
            effect.setSource(QUrl.fromLocalFile(str(folder / f"{name}.wav")))
            self._effects[name] = effect

    @property
    def ready(self) -> bool:
        return all(e.status() == self._status.Ready for e in self._effects.values())

    def play_sound(self, name: str, volume: float) -> None:
        effect = self._effects.get(name)
        if effect is None or effect.status() != self._status.Ready:
            return
        effect.setVolume(max(0.0, min(1.0, volume)))
        effect.play()
        self.played.emit(name)

    def speak(self, phrase: Any, volume: float) -> None:
        """The spoken coach is not built yet (issue 5): phrases are not heard."""

    def stop_all(self) -> None:
        """Pausing silences whatever is sounding."""
        for effect in self._effects.values():
            if effect.isPlaying():
                effect.stop()

    def _on_effect_status_changed(self) -> None:
        for name, effect in self._effects.items():
            if effect.status() == self._status.Error and self.problem is None:
                self.problem = f"The sound {name!r} could not be loaded; cues will be silent."
                self.failed.emit(self.problem)
                return
        if self.ready:
            self.became_ready.emit()


def create_sound_output(theme: str, parent: QObject | None = None) -> SoundOutput | SilentOutput:
    """The sound output for ``theme``, or a silent one saying what is missing and how to fix it."""
    try:
        from PySide6.QtMultimedia import QMediaDevices
    except ImportError as exc:
        missing = str(exc)
        hint = " Install libpulse0 (Debian/Ubuntu) and restart." if "libpulse" in missing else ""
        return SilentOutput(
            f"Sound is off: Qt's sound module could not load ({missing}).{hint} "
            "Cues are shown as a flash of the screen.",
            parent,
        )
    if QMediaDevices.defaultAudioOutput().isNull():
        return SilentOutput(
            "Sound is off: no audio output device was found. Connect speakers or headphones and "
            "restart. Cues are shown as a flash of the screen.",
            parent,
        )
    folder = sounds_folder(theme if theme in ("standard", "low") else "standard")
    if not (folder / "go.wav").exists():
        return SilentOutput(f"Sound is off: the sound files are missing from {folder}.", parent)
    return SoundOutput(folder, parent)
