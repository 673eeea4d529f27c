"""A fake org.freedesktop.ScreenSaver (or XDG Inhibit portal) for the keep-awake tests.

Run as ``python fake_screensaver.py BUS_ADDRESS [--path PATH] [--portal]`` against a private
dbus-daemon. It exports its slots with QtDBus, so the D-Bus signatures are the real ones
(``Inhibit(ss) -> u``, ``UnInhibit(u)``; the portal's ``Inhibit(sua{sv}) -> o`` and
``Request.Close()``) and a call with the wrong argument types is refused, as real services do.

It writes one tab-separated line per event on stdout, which the test reads:
``ready``, ``inhibit APP REASON COOKIE``, ``uninhibit COOKIE``, ``portal-inhibit WINDOW FLAGS
REASON HANDLE``, ``close HANDLE``, and ``vanished NAME`` when a client's connection closes (the
event real services use to drop a crashed client's inhibitions).
"""

from __future__ import annotations

import argparse
import sys

from PySide6.QtCore import SLOT, ClassInfo, QCoreApplication, QObject, Slot
from PySide6.QtDBus import QDBusConnection, QDBusObjectPath

EXPORT = QDBusConnection.RegisterOption.ExportAllSlots


def emit(*fields: object) -> None:
    print("\t".join(str(f) for f in fields), flush=True)


@ClassInfo({"D-Bus Interface": "org.freedesktop.ScreenSaver"})
class ScreenSaver(QObject):
    def __init__(self) -> None:
        super().__init__()
        self._next_cookie = 1000
        self.cookies: set[int] = set()

    @Slot(str, str, result="uint")
    def Inhibit(self, app_name: str, reason: str) -> int:
        self._next_cookie += 1
        self.cookies.add(self._next_cookie)
        emit("inhibit", app_name, reason, self._next_cookie)
        return self._next_cookie

    @Slot("uint")
    def UnInhibit(self, cookie: int) -> None:
        known = cookie in self.cookies
        self.cookies.discard(cookie)
        emit("uninhibit", cookie, "known" if known else "unknown")


@ClassInfo({"D-Bus Interface": "org.freedesktop.portal.Request"})
class Request(QObject):
    def __init__(self, bus: QDBusConnection, path: str) -> None:
        super().__init__()
        self._bus = bus
        self.path = path

    @Slot()
    def Close(self) -> None:
        emit("close", self.path)
        self._bus.unregisterObject(self.path)


@ClassInfo({"D-Bus Interface": "org.freedesktop.portal.Inhibit"})
class Portal(QObject):
    def __init__(self, bus: QDBusConnection) -> None:
        super().__init__()
        self._bus = bus
        self._requests: list[Request] = []

    @Slot(str, "uint", "QVariantMap", result=QDBusObjectPath)
    def Inhibit(self, window: str, flags: int, options: dict[str, object]) -> QDBusObjectPath:
        token = str(options.get("handle_token", f"t{len(self._requests)}"))
        path = f"/org/freedesktop/portal/desktop/request/fake/{token}"
        request = Request(self._bus, path)
        self._requests.append(request)
        self._bus.registerObject(path, request, EXPORT)
        emit("portal-inhibit", window, flags, options.get("reason", ""), path)
        return QDBusObjectPath(path)


class Watcher(QObject):
    @Slot(str, str, str)
    def on_name_owner_changed(self, name: str, old_owner: str, new_owner: str) -> None:
        if name.startswith(":") and old_owner and not new_owner:
            emit("vanished", name)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("address")
    parser.add_argument("--path", default="/org/freedesktop/ScreenSaver")
    parser.add_argument("--portal", action="store_true")
    args = parser.parse_args(argv)

    app = QCoreApplication([])
    bus = QDBusConnection.connectToBus(args.address, "fake-service")
    if not bus.isConnected():
        emit("error", bus.lastError().message())
        return 1
    if args.portal:
        service, exported = "org.freedesktop.portal.Desktop", Portal(bus)
        path = "/org/freedesktop/portal/desktop"
    else:
        service, exported, path = "org.freedesktop.ScreenSaver", ScreenSaver(), args.path
    watcher = Watcher()
    ok = (
        bus.registerObject(path, exported, EXPORT)
        and bus.registerService(service)
        and bus.connect(
            "org.freedesktop.DBus",
            "/org/freedesktop/DBus",
            "org.freedesktop.DBus",
            "NameOwnerChanged",
            watcher,
            SLOT("on_name_owner_changed(QString,QString,QString)"),
        )
    )
    if not ok:
        emit("error", bus.lastError().message())
        return 1
    emit("ready", bus.baseService())
    return app.exec()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
