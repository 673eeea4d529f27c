"""A private ``dbus-daemon`` for a test, and a subprocess's output lines with deadlines.

Used by the keep-awake and the media-remote tests; nothing here touches the user's session bus.
"""

from __future__ import annotations

import os
import queue
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Iterator

import pytest

WAIT_S = 5.0

BUS_CONFIG = """<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:dir={dir}</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
"""


class Lines:
    """A subprocess's stdout lines, read on a thread so waits have a deadline."""

    def __init__(self, process: subprocess.Popen[str]) -> None:
        self._queue: queue.Queue[str | None] = queue.Queue()
        self.process = process
        self.seen: list[str] = []
        threading.Thread(target=self._pump, daemon=True).start()

    def _pump(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self._queue.put(line.rstrip("\n"))
        self._queue.put(None)

    def next_line(self, timeout: float = WAIT_S) -> str:
        try:
            line = self._queue.get(timeout=timeout)
        except queue.Empty:
            raise AssertionError(f"no line within {timeout} s") from None
        if line is None:
            raise AssertionError("the process ended without a line")
        self.seen.append(line)
        return line

    def wait_for(self, kind: str, timeout: float = WAIT_S) -> list[str]:
        """The next line whose first field is ``kind`` (others are kept in ``seen``)."""
        deadline = time.monotonic() + timeout
        while True:
            try:
                line = self._queue.get(timeout=max(0.0, deadline - time.monotonic()))
            except queue.Empty:
                raise AssertionError(
                    f"no {kind!r} line within {timeout} s; saw {self.seen}"
                ) from None
            if line is None:
                raise AssertionError(f"process ended before a {kind!r} line; saw {self.seen}")
            self.seen.append(line)
            fields = line.split("\t")
            if fields[0] == kind:
                return fields[1:]


def stop(process: subprocess.Popen[str]) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=2)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=2)


@pytest.fixture
def bus_address(tmp_path) -> Iterator[str]:
    """A private dbus-daemon for this test only."""
    if not sys.platform.startswith("linux"):
        pytest.skip("the D-Bus tests run on Linux only")
    daemon = shutil.which("dbus-daemon")
    if daemon is None:
        message = (
            "dbus-daemon is not installed, so the tests against a real D-Bus cannot run "
            "(Debian/Ubuntu package: dbus-daemon)"
        )
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    config = tmp_path / "bus.conf"
    config.write_text(BUS_CONFIG.format(dir=tmp_path), encoding="utf-8")
    process = subprocess.Popen(
        [daemon, f"--config-file={config}", "--print-address", "--nofork", "--nopidfile"],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        address = Lines(process).next_line()
        assert address.startswith("unix:"), address
        yield address
    finally:
        stop(process)
