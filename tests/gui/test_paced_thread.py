"""PacedThread, the sound thread: it steps at the pace its step asks for, and a command sent
to an object living on it is delivered at once (not at the next step), since it wakes the
thread; finishing ends it."""

from __future__ import annotations

import threading

from PySide6.QtCore import QObject, Signal, Slot

from calftimer.gui.sound.engine import PacedThread

LONG_STEP_MS = 60_000  # no step would come again within the test


class Receiver(QObject):
    told = Signal(str)

    def __init__(self) -> None:
        super().__init__()
        self.heard: list[tuple[str, int]] = []
        self.finish = lambda: None

    @Slot(str)
    def hear(self, what: str) -> None:
        self.heard.append((what, threading.get_native_id()))
        if what == "finish":
            self.finish()


class Sender(QObject):
    say = Signal(str)


def paced(qtbot, step) -> tuple[PacedThread, Receiver, Sender]:
    thread = PacedThread()
    thread.step = step
    receiver = Receiver()
    receiver.moveToThread(thread)
    receiver.finish = thread.finish
    sender = Sender()
    sender.say.connect(receiver.hear)
    sender.say.connect(thread.wake)  # after the receiver's: the step that delivers comes now
    thread.start()
    qtbot.waitUntil(lambda: thread.native_id != 0, timeout=5_000)
    return thread, receiver, sender


def test_a_command_is_delivered_at_once_on_the_thread_and_finish_ends_it(qtbot) -> None:
    steps: list[int] = []

    def step() -> int:
        steps.append(1)
        return LONG_STEP_MS

    thread, receiver, sender = paced(qtbot, step)
    qtbot.waitUntil(lambda: len(steps) == 1, timeout=5_000)
    sender.say.emit("load")
    qtbot.waitUntil(lambda: len(receiver.heard) == 1, timeout=5_000)  # not after 60 s
    assert receiver.heard == [("load", thread.native_id)]
    assert threading.get_native_id() != thread.native_id
    sender.say.emit("finish")
    assert thread.wait(5_000), "the thread did not end"
    assert [what for what, _ in receiver.heard] == ["load", "finish"]


def test_it_steps_again_after_the_interval_its_step_returns(qtbot) -> None:
    steps: list[int] = []

    def step() -> int:
        steps.append(1)
        return 1 if len(steps) < 5 else LONG_STEP_MS

    thread, _receiver, sender = paced(qtbot, step)
    qtbot.waitUntil(lambda: len(steps) == 5, timeout=5_000)  # four short intervals
    sender.say.emit("finish")
    assert thread.wait(5_000)
    assert len(steps) in (5, 6)  # the finishing command may come with one more step


def test_a_failing_step_is_reported_and_the_steps_go_on(qtbot, monkeypatch) -> None:
    reported: list[type[BaseException]] = []
    monkeypatch.setattr("sys.excepthook", lambda kind, value, tb: reported.append(kind))
    steps: list[int] = []

    def step() -> int:
        steps.append(1)
        if len(steps) == 2:
            raise ValueError("a fault in one step")
        return 1 if len(steps) < 4 else LONG_STEP_MS

    thread, _receiver, sender = paced(qtbot, step)
    qtbot.waitUntil(lambda: len(steps) == 4, timeout=5_000)  # on after the fault
    assert reported == [ValueError]
    sender.say.emit("finish")
    assert thread.wait(5_000)
