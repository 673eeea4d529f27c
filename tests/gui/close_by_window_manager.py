"""Run by tests/gui/test_close_by_window_manager.py on a real X server (Xvfb, Qt's xcb platform).

Opens the real window on a manual clock, runs into the first set, then closes the window the
way a window manager's close button does: a WM_DELETE_WINDOW message sent through the X server
(so Qt sees a spontaneous close). The first time the question is answered "Go on", the second
time "Stop". Prints what it saw as one JSON line. Usage: close_by_window_manager.py DATA_DIR
"""

from __future__ import annotations

import ctypes
import json
import sys
from pathlib import Path

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QAbstractButton, QApplication

from calftimer.core.clock import ManualClock
from calftimer.core.library import ProgramLibrary
from calftimer.core.programs import BUILTIN_BY_ID
from calftimer.core.store import BackgroundWriter, Store
from calftimer.gui.main_window import MainWindow
from calftimer.paths import AppPaths

T0 = 1_000_000


class _ClientMessage(ctypes.Structure):
    _fields_ = [
        ("type", ctypes.c_int),
        ("serial", ctypes.c_ulong),
        ("send_event", ctypes.c_int),
        ("display", ctypes.c_void_p),
        ("window", ctypes.c_ulong),
        ("message_type", ctypes.c_ulong),
        ("format", ctypes.c_int),
        ("data", ctypes.c_long * 5),
    ]


class _Event(ctypes.Union):
    _fields_ = [("xclient", _ClientMessage), ("pad", ctypes.c_long * 24)]


def send_wm_delete(window_id: int) -> None:
    """What a window manager sends when its close button is clicked."""
    x11 = ctypes.cdll.LoadLibrary("libX11.so.6")
    x11.XOpenDisplay.restype = ctypes.c_void_p
    x11.XOpenDisplay.argtypes = [ctypes.c_char_p]
    x11.XInternAtom.restype = ctypes.c_ulong
    x11.XInternAtom.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_int]
    x11.XSendEvent.argtypes = [
        ctypes.c_void_p,
        ctypes.c_ulong,
        ctypes.c_int,
        ctypes.c_long,
        ctypes.POINTER(_Event),
    ]
    x11.XCloseDisplay.argtypes = [ctypes.c_void_p]
    display = x11.XOpenDisplay(None)
    event = _Event()
    event.xclient.type = 33  # ClientMessage
    event.xclient.window = window_id
    event.xclient.message_type = x11.XInternAtom(display, b"WM_PROTOCOLS", 0)
    event.xclient.format = 32
    event.xclient.data[0] = x11.XInternAtom(display, b"WM_DELETE_WINDOW", 0)
    x11.XSendEvent(display, window_id, 0, 0, ctypes.byref(event))
    x11.XCloseDisplay(display)  # flushes


def main(data_dir: Path) -> int:
    app = QApplication([sys.argv[0]])
    clock = ManualClock(T0)
    writer = BackgroundWriter()
    window = MainWindow(
        ProgramLibrary.load(None),
        clock,
        AppPaths(data_dir, "test"),
        store=Store.open(data_dir),
        writer=writer,
    )
    seen: dict[str, object] = {"questions": []}
    answers = ["Go on", "Stop"]

    def session_state() -> str:
        return "none" if window.session.state is None else str(window.session.state)

    def answer_question(tries: int = 500) -> None:
        box = QApplication.activeModalWidget()
        if box is None:
            if tries:
                QTimer.singleShot(10, lambda: answer_question(tries - 1))
            return
        clock.set(clock() + 60_000)  # a minute with the question open
        window.session.poll_now()
        seen["questions"].append(  # type: ignore[union-attr]
            {"title": box.windowTitle(), "text": box.text(), "state": session_state()}
        )
        wanted = answers.pop(0)
        for button in box.findChildren(QAbstractButton):
            if button.text().replace("&", "") == wanted:
                button.click()
                break
        else:
            box.close()
        if wanted == "Go on":
            QTimer.singleShot(0, after_go_on)

    def after_go_on(tries: int = 500) -> None:
        if QApplication.activeModalWidget() is not None and tries:
            QTimer.singleShot(10, lambda: after_go_on(tries - 1))  # the question still closing
            return
        seen["after_go_on"] = {"visible": window.isVisible(), "state": session_state()}
        close_by_window_manager()

    def close_by_window_manager() -> None:
        QTimer.singleShot(0, answer_question)
        send_wm_delete(int(window.winId()))

    def start() -> None:
        window.session.start(BUILTIN_BY_ID["isometric"])
        first = window.session.timeline.work_sets[0]
        clock.set(T0 + first.start_ms + 5_000)
        window.session.poll_now()
        seen["before"] = session_state()
        close_by_window_manager()

    window.show()
    QTimer.singleShot(300, start)
    QTimer.singleShot(20_000, app.quit)  # never hang, whatever happens
    app.exec()
    seen["after_stop"] = {"visible": window.isVisible(), "state": session_state()}
    writer.close()
    sessions = Store.open(data_dir).sessions()
    seen["saved"] = [(s["status"], len(s["sets"])) for s in sessions]
    print(json.dumps(seen), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1])))
