"""A private Xvfb screen for the benchmarks that need a real X server (start-up, first map,
the soak): started on a free display number it picks itself (``-displayfd``), ended with the
context, whatever happens inside it."""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
from collections.abc import Iterator


class XvfbError(RuntimeError):
    """Xvfb is not installed, or did not start."""


@contextlib.contextmanager
def private_xvfb(size: str = "1366x768x24") -> Iterator[str]:
    """A private Xvfb screen of ``size`` for as long as the context lasts; yields its DISPLAY."""
    binary = shutil.which("Xvfb")
    if binary is None:
        raise XvfbError("Xvfb is not installed (python3 bootstrap.py --test installs it)")
    read_fd, write_fd = os.pipe()
    # -noreset: by default an X server resets itself whenever its last client disconnects, and
    # a client that connects during that reset is dropped ("could not connect to display"; the
    # soak lost 1 launch in 100 to it, between one launch's exit and the next one's connect).
    server = subprocess.Popen(
        [
            binary,
            "-displayfd",
            str(write_fd),
            "-screen",
            "0",
            size,
            "-nolisten",
            "tcp",
            "-noreset",
        ],
        pass_fds=(write_fd,),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    os.close(write_fd)
    try:
        with os.fdopen(read_fd) as pipe:
            number = pipe.readline().strip()
        if not number:
            raise XvfbError("Xvfb did not start")
        yield f":{number}"
    finally:
        server.terminate()
        try:
            server.wait(10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
