"""Regenerate python3-deps.json, the Flatpak module that installs calftimer's Python dependencies.

PySide6 comes from the io.qt.PySide.BaseApp; everything else the app imports is pinned in PINS
below. Flathub builds without network access, so each dependency is a wheel downloaded by
flatpak-builder from files.pythonhosted.org and checked against the sha256 that PyPI publishes.

To bump a dependency: change its version in PINS, run

    python3 packaging/flatpak/update_python_deps.py

and commit the rewritten python3-deps.json with it. ``--check`` only reports whether the committed
file is current. After changing the manifest's runtime-version, set PYTHON_TAG to the CPython of
that runtime (numpy's wheels are built for one CPython version).

Standard library only; needs to reach pypi.org.
"""

from __future__ import annotations

import argparse
import json
import sys
import urllib.request
from dataclasses import dataclass
from pathlib import Path

OUTPUT = Path(__file__).with_name("python3-deps.json")
PYTHON_TAG = "cp313"  # org.kde.Platform 6.10 and 6.11 (freedesktop 25.08) ship CPython 3.13
ARCHES = ("x86_64", "aarch64")  # what Flathub builds


@dataclass(frozen=True)
class Pin:
    name: str
    version: str
    per_arch: bool = False  # compiled: one manylinux wheel for each of ARCHES
    build_only: bool = False  # needed to build calftimer, removed from the finished app
    # The BaseApp already installs its own copy in /app: let pip replace it there. Every other
    # package is installed with --ignore-installed, so a copy in the SDK's /usr (which the
    # runtime may lack) can neither satisfy it nor make pip try to remove it from read-only /usr.
    replaces_base: bool = False


PINS = (
    Pin("setuptools", "84.2.1", build_only=True),  # pyproject's build backend (>=69)
    Pin("numpy", "2.4.6", per_arch=True, replaces_base=True),  # pyqtgraph needs it
    Pin("colorama", "0.4.6"),  # `import pyqtgraph` imports it (pyqtgraph/util/cprint.py)
    Pin("platformdirs", "4.14.8"),
    Pin("pyqtgraph", "0.14.0"),
    Pin("jeepney", "0.9.0"),  # MPRIS: headset buttons and the desktop's media widget
)


@dataclass(frozen=True)
class Wheel:
    filename: str
    url: str
    sha256: str
    arch: str | None  # None: one wheel for every architecture


def wheel_fits(pin: Pin, filename: str, arch: str | None) -> bool:
    if not filename.startswith(f"{pin.name}-{pin.version}-") or not filename.endswith(".whl"):
        return False
    if arch is None:
        return filename.endswith("-none-any.whl")
    tag = f"-{PYTHON_TAG}-{PYTHON_TAG}-"
    return tag in filename and "manylinux" in filename and filename.endswith(f"_{arch}.whl")


def fetch_wheels(pin: Pin) -> list[Wheel]:
    """The wheels of one pinned release, from PyPI's JSON API."""
    with urllib.request.urlopen(f"https://pypi.org/pypi/{pin.name}/json", timeout=120) as reply:
        files = json.load(reply)["releases"][pin.version]
    wheels = []
    for arch in ARCHES if pin.per_arch else (None,):
        fitting = [f for f in files if wheel_fits(pin, f["filename"], arch)]
        if not fitting:
            raise SystemExit(f"{pin.name} {pin.version} has no wheel for {PYTHON_TAG} {arch}")
        chosen = fitting[0]
        # The canonical address of a PyPI file is derived from its BLAKE2b-256 digest.
        blake = chosen["digests"]["blake2b_256"]
        path = f"{blake[:2]}/{blake[2:4]}/{blake[4:]}/{chosen['filename']}"
        url = f"https://files.pythonhosted.org/packages/{path}"
        wheels.append(Wheel(chosen["filename"], url, chosen["digests"]["sha256"], arch))
    return wheels


def module(pin: Pin, wheels: list[Wheel]) -> dict[str, object]:
    options = "--verbose --no-index --no-deps --no-build-isolation"
    if not pin.replaces_base:
        options += " --ignore-installed"
    command = (
        f'pip3 install {options} --find-links="file://${{PWD}}" --prefix=/app '
        f'"{pin.name}=={pin.version}"'
    )
    sources: list[dict[str, object]] = []
    for wheel in wheels:
        source: dict[str, object] = {"type": "file", "url": wheel.url, "sha256": wheel.sha256}
        if wheel.arch is not None:
            source["only-arches"] = [wheel.arch]
        sources.append(source)
    result: dict[str, object] = {
        "name": f"python3-{pin.name}",
        "buildsystem": "simple",
        "build-commands": [command],
        "sources": sources,
    }
    if pin.build_only:
        result["cleanup"] = ["*"]
    return result


def render(wheels: dict[str, list[Wheel]]) -> str:
    """The text of python3-deps.json for these wheels (keyed by package name)."""
    modules = [module(pin, wheels[pin.name]) for pin in PINS]
    deps = {
        "name": "python3-deps",
        "buildsystem": "simple",
        "build-commands": [],
        "modules": modules,
    }
    return json.dumps(deps, indent=4) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Regenerate python3-deps.json from PINS.")
    parser.add_argument("--check", action="store_true", help="only report whether it is current")
    args = parser.parse_args(argv)
    text = render({pin.name: fetch_wheels(pin) for pin in PINS})
    if args.check:
        current = OUTPUT.exists() and OUTPUT.read_text(encoding="utf-8") == text
        print(f"{OUTPUT.name} is {'current' if current else 'out of date'}")
        return 0 if current else 1
    OUTPUT.write_text(text, encoding="utf-8")
    print(f"wrote {OUTPUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
