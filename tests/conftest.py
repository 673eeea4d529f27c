"""Shared test setup: Qt runs offscreen, and nothing touches the user's real data folder.

``sound_server``: each private sound server in turn (tests/realaudio.py), for the real-audio tests
to run every scenario on both Linux sound servers. A test that does not ask for it runs as before:
nothing here changes which Qt audio backend the rest of the suite gets.
"""

import gc
import os
from collections.abc import Iterator

# Set before any test module imports Qt: no display is needed, and none is used if present.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.pop("CALFTIMER_DATA_DIR", None)

import pytest
from hypothesis import settings

from tests.realaudio import SERVERS, SoundServer, SoundServerError, open_server

# Deterministic by default so CI never flakes on a newly found example; set
# CALFTIMER_HYPOTHESIS=explore locally to search with fresh random seeds.
settings.register_profile("deterministic", derandomize=True, database=None, deadline=None)
settings.register_profile("explore", deadline=None, max_examples=1000)
settings.load_profile(os.environ.get("CALFTIMER_HYPOTHESIS", "deterministic"))


# Cyclic garbage is collected on the main thread only, between tests. Python's automatic
# collector runs on whichever thread crosses its allocation threshold, here often a worker (the
# history writer, the chart import). When that pass finalizes a PySide6 wrapper left in a
# reference cycle by an earlier test (a widget, a dialog, a pyqtgraph item), shiboken hands the
# C++ deletion to the main thread through Py_AddPendingCall, and the main thread ran it at its
# next bytecode boundary against an object that was no longer what the entry described: the
# full suite died with SIGSEGV in BindingManager::runDeletionInMainThread, at a thread start in
# tests/gui/test_start_and_stop.py (core dump, 2026-12-06). pyqtgraph's GarbageCollector does
# the same for its users: collect only in the GUI thread.
_FULL_COLLECTION_EVERY = 25  # tests: a full pass costs tens of ms with Qt and numpy loaded
_tests_run = 0


def pytest_configure(config: pytest.Config) -> None:
    gc.disable()


def pytest_unconfigure(config: pytest.Config) -> None:
    gc.collect()
    gc.enable()


@pytest.fixture(autouse=True)
def _garbage_collected_on_the_main_thread() -> Iterator[None]:
    global _tests_run
    yield
    _tests_run += 1
    if _tests_run % _FULL_COLLECTION_EVERY == 0:
        gc.collect()
    else:
        gc.collect(1)  # the young generations: cheap, and most garbage goes there


@pytest.fixture(scope="module", params=SERVERS)
def sound_server(request: pytest.FixtureRequest) -> Iterator[SoundServer]:
    """A running private sound server: PulseAudio, then PipeWire (with WirePlumber), so every
    test that takes it runs on both (its id says which: ``[pulseaudio]``, ``[pipewire]``).

    Its null sinks are named by the module's ``pytestmark = pytest.mark.sound_sinks("a", ...)``
    (one sink "out" without it). ``sound_server.env`` makes a subprocess play to it with Qt's
    backend for that server (``QT_AUDIO_BACKEND``); ``sound_server.kind`` names it. A server
    that cannot start fails the test with the reason: it never skips."""
    marker = request.node.get_closest_marker("sound_sinks")
    sinks = list(marker.args) if marker else ["out"]
    server = open_server(request.param, sinks)
    try:
        server.__enter__()
    except SoundServerError as exc:
        pytest.fail(f"the real-audio tests need a {request.param} server: {exc}")
    try:
        yield server
    finally:
        server.__exit__(None, None, None)


@pytest.fixture(autouse=True)
def _english_after_each_test() -> Iterator[None]:
    """A test that chose another language (the pseudo-locale, a CLI run with a language
    setting) leaves the next one in English, the language every other test asserts."""
    yield
    from calftimer.core import i18n

    i18n.set_language(i18n.SOURCE_LANGUAGE)
