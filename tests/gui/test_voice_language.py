"""Which voice speaks a language: the built-in clips of that language, the system voice in that
language, or, without either, the system voice's default or sounds only; each told once.

The sound engines are real (without a sound server their stream cannot open: what is tested is
the choice of voice); Qt's "mock" speech engine has English, Norwegian and Finnish locales and no
German, like a speech-dispatcher with only some voices installed.
"""

from __future__ import annotations

import json
import sys
from array import array
from pathlib import Path
from types import SimpleNamespace

import pytest
from PySide6.QtCore import QObject, Signal

from calftimer.gui.sound.speech import _SpeechWorker, matching_locale
from calftimer.resources import sounds_folder
from tests.core.voice_catalogs import using, write_catalog

ROOT = Path(__file__).resolve().parents[2]


def make_voice_module():  # type: ignore[no-untyped-def]
    sys.path.insert(0, str(ROOT / "resources"))
    try:
        import make_voice

        return make_voice
    finally:
        sys.path.remove(str(ROOT / "resources"))


@pytest.fixture
def engines(qtbot, monkeypatch, tmp_path):
    """Makes sound engines in the scratch German catalog, with clips found in
    ``tmp_path/voice/<lang>`` (none unless a test writes them); closes them at the end."""
    from calftimer import resources
    from calftimer.gui.sound.engine import SoundEngine

    write_catalog(tmp_path, "de")
    monkeypatch.setattr(resources, "voice_folder", lambda code="en": tmp_path / "voice" / code)
    made = []

    def make(**options):
        output = SoundEngine(sounds_folder("standard"), **options)
        made.append(output)
        return output

    with using(tmp_path, "de"):
        yield SimpleNamespace(make=make, root=tmp_path)
    for output in made:
        output.close()
        assert not output.sound_thread.isRunning()


def language_name() -> str:
    """The language's name as the notes say it ("Deutsch" once German ships, else its code)."""
    from calftimer.core import i18n

    return i18n.current_language().native_name


def notices_of(output) -> list[str]:  # type: ignore[no-untyped-def]
    said: list[str] = []
    output.notice.connect(said.append)
    return said


def write_clips(folder: Path, lengths_ms: dict[str, int], rate: int = 11_025) -> None:
    """A voice folder as make_voice.py writes one (mu-law), each clip a tone of its length."""
    mv = make_voice_module()
    folder.mkdir(parents=True)
    for key, ms in lengths_ms.items():
        samples = array("h", ((i % 50) * 400 - 10_000 for i in range(rate * ms // 1000)))
        tail = array("h", bytes(2 * (rate * 80 // 1000)))
        (folder / f"{key}.wav").write_bytes(mv.wav_bytes(samples + tail, rate, law=True))
    index = {"rate": rate, "engine": "test", "voice": "test", "ms": lengths_ms}
    (folder / "index.json").write_text(json.dumps(index))


def test_a_language_without_clips_is_spoken_by_the_system_voice_not_english_clips(
    qtbot, engines
) -> None:
    output = engines.make(speech_engine="mock")
    said = notices_of(output)
    output.set_voice("clips", 0.0, "")
    qtbot.waitUntil(lambda: output.voice == "system", timeout=10_000)
    assert output._clips is None, "the English clips were not loaded for German"
    qtbot.waitUntil(lambda: len(said) == 2, timeout=5_000)
    german = language_name()
    assert f"has no {german} voice" in said[0]  # the mock engine has no German either
    assert f"does not speak {german} yet: the system voice speaks instead" in said[1]


def test_without_clips_or_system_voice_the_cues_are_sounds_only_and_told_so(qtbot, engines) -> None:
    output = engines.make(speech_engine="no-such-engine")
    said = notices_of(output)
    output.set_voice("clips", 0.0, "")
    qtbot.waitUntil(lambda: bool(said), timeout=10_000)
    assert said == [
        f"The built-in voice does not speak {language_name()} yet, and there is no system "
        "voice: the cues "
        "are sounds only (the screen shows every step)."
    ]
    assert output.voice == "none" and output.measure is None


def test_the_built_in_voice_speaks_the_languages_clips_and_times_by_them(qtbot, engines) -> None:
    write_clips(engines.root / "voice" / "de", {"halfway": 640, "satz": 300})
    output = engines.make()
    qtbot.waitUntil(lambda: output.voice == "clips", timeout=5_000)
    # Placed by the sample: the phrase lasts its clips and the join between them.
    assert output.measure("", ("halfway",)) == 640
    assert output.measure("", ("satz", "halfway")) == 300 + 70 + 640


def test_a_system_voice_without_the_language_gives_way_to_its_built_in_clips(
    qtbot, engines
) -> None:
    write_clips(engines.root / "voice" / "de", {"halfway": 640})
    output = engines.make(speech_engine="mock")
    said = notices_of(output)
    qtbot.waitUntil(lambda: output.voice == "clips", timeout=5_000)
    output.set_voice("system", 0.0, "")
    qtbot.waitUntil(lambda: bool(said), timeout=10_000)
    assert said == [
        f"The system voice has no {language_name()} voice: the built-in voice speaks instead."
    ]
    qtbot.waitUntil(lambda: bool(output.system_voices), timeout=10_000)  # the engine is ready
    assert output.voice == "clips", "a German phrase read by an English voice"


# ------------------------------------------------------------------ the system voice's locale


def test_the_closest_locale_is_chosen() -> None:
    names = ["en_GB", "en_US", "de_AT", "de_DE", "pt_PT", "pt_BR", "fr_CA", "nl_BE"]
    assert matching_locale("de", names) == "de_DE"
    assert matching_locale("pt_BR", names) == "pt_BR"
    assert matching_locale("pt_BR", ["pt_PT"]) == "pt_PT"  # Portuguese rather than none
    assert matching_locale("fr", names) == "fr_CA"
    assert matching_locale("nl", names) == "nl_BE"
    assert matching_locale("en", names, current="en_GB") == "en_GB"  # the user's English stays
    assert matching_locale("it", names) is None


class LocaleSpeech(QObject):
    """What the worker uses of QTextToSpeech, with locales."""

    stateChanged = Signal(object)  # noqa: N815 (Qt's name)

    def __init__(self, names: list[str]) -> None:
        super().__init__()
        self.locales = [SimpleNamespace(name=lambda n=n: n) for n in names]
        self.current = self.locales[0]
        self.said: list[str] = []

    def availableLocales(self) -> list[object]:
        return self.locales

    def locale(self) -> object:
        return self.current

    def setLocale(self, locale: object) -> None:
        self.current = locale

    def say(self, text: str) -> None:
        self.said.append(text)

    def stop(self) -> None:
        pass

    def setVolume(self, volume: float) -> None:
        pass

    def setRate(self, rate: float) -> None:
        pass

    def availableVoices(self) -> list[object]:
        return []

    def voice(self) -> object:
        return None


@pytest.mark.parametrize(
    ("language", "names", "spoken", "told"),
    [
        ("de", ["en_US", "de_DE", "fr_FR"], "de_DE", False),
        ("pt_BR", ["en_US", "pt_PT", "pt_BR"], "pt_BR", False),
        ("it", ["en_US", "fr_FR"], "en_US", True),
        ("en", ["en_GB", "en_US"], "en_GB", False),
    ],
)
def test_the_system_voice_speaks_the_language_or_says_it_cannot(
    qtbot, language: str, names: list[str], spoken: str, told: bool
) -> None:
    made: list[LocaleSpeech] = []

    def factory(_engine: str, parent: QObject) -> LocaleSpeech:
        made.append(LocaleSpeech(names))
        return made[0]

    worker = _SpeechWorker(lambda: 0, factory, language)
    missing: list[bool] = []
    worker.no_language.connect(lambda: missing.append(True))
    worker.start_engine("fake")
    assert made[0].current.name() == spoken
    assert missing == ([True] if told else [])
    assert made[0].said == ["..."], "the warm-up starts after the locale is set"


def test_a_failed_system_voice_does_not_promise_clips_the_language_lacks(qtbot, engines) -> None:
    output = engines.make(speech_engine="no-such-engine")
    said = notices_of(output)
    output.set_voice("system", 0.0, "")  # the default choice
    qtbot.waitUntil(lambda: bool(said), timeout=10_000)
    assert said == [
        f"The built-in voice does not speak {language_name()} yet, and there is no system "
        "voice: the cues "
        "are sounds only (the screen shows every step)."
    ]
    assert output.voice == "none"
