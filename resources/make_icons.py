"""Render calftimer's app icon from its master: ``python resources/make_icons.py [--out DIR]``.

The master is ``resources/icons/calftimer.svg``. This writes, under ``calftimer/resources/icons``
(or ``DIR``):

- ``<APP_ID>.svg``, the master as is (the scalable icon of the desktop's icon theme);
- ``hicolor/<N>x<N>/apps/<APP_ID>.png`` for N in 16, 24, 32, 48, 64, 128, 256 and 512, which is
  what launchers, task bars and AppStream want, and what the window icon is built from;

and, for the installers of the other systems (``packaging/``, or ``DIR`` with ``--out``):

- ``windows/calftimer.ico``: 16-256 px, each image stored as PNG (Windows Vista and later);
- ``macos/calftimer.icns``: 16-1024 px as PNG entries (the ``ic..`` types macOS 10.7+ reads).

Qt's SVG renderer draws the PNGs, so the script needs PySide6 and runs offscreen. Each size is
drawn from the vector master, not scaled from a bigger bitmap, so small sizes stay sharp.
"""

from __future__ import annotations

import argparse
import io
import os
import shutil
import struct
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from calftimer import APP_ID  # noqa: E402  (after the path set-up above)
from calftimer.resources import ICON_SIZES as PNG_SIZES  # noqa: E402

MASTER = ROOT / "resources" / "icons" / "calftimer.svg"
ICO_SIZES = (16, 24, 32, 48, 64, 128, 256)
# icns entry type for each pixel size, PNG payloads. 16 px has no PNG type of its own: "icp4"
# is read as PNG by every macOS that reads the others.
ICNS_TYPES = (
    (b"icp4", 16),
    (b"icp5", 32),
    (b"ic11", 32),  # 16 pt @2x
    (b"icp6", 64),
    (b"ic12", 64),  # 32 pt @2x
    (b"ic07", 128),
    (b"ic08", 256),
    (b"ic13", 256),  # 128 pt @2x
    (b"ic09", 512),
    (b"ic14", 512),  # 256 pt @2x
    (b"ic10", 1024),  # 512 pt @2x
)


def render_png(size: int) -> bytes:
    """The master drawn at ``size`` x ``size`` pixels, as PNG bytes."""
    from PySide6.QtCore import QBuffer, QIODevice, Qt
    from PySide6.QtGui import QImage, QPainter
    from PySide6.QtSvg import QSvgRenderer

    renderer = QSvgRenderer(str(MASTER))
    if not renderer.isValid():
        raise SystemExit(f"{MASTER}: not a valid SVG")
    image = QImage(size, size, QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    renderer.render(painter)
    painter.end()
    buffer = QBuffer()
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    image.convertToFormat(QImage.Format.Format_ARGB32).save(buffer, "PNG")
    return bytes(buffer.data().data())


def ico_bytes(pngs: dict[int, bytes]) -> bytes:
    """A Windows .ico holding each size as a PNG image."""
    header = struct.pack("<HHH", 0, 1, len(ICO_SIZES))
    directory = io.BytesIO()
    offset = 6 + 16 * len(ICO_SIZES)
    for size in ICO_SIZES:
        data = pngs[size]
        side = size % 256  # 0 means 256 in an icon directory entry
        directory.write(struct.pack("<BBBBHHII", side, side, 0, 0, 1, 32, len(data), offset))
        offset += len(data)
    return header + directory.getvalue() + b"".join(pngs[size] for size in ICO_SIZES)


def icns_bytes(pngs: dict[int, bytes]) -> bytes:
    """A macOS .icns holding PNG entries."""
    entries = b"".join(
        kind + struct.pack(">I", 8 + len(pngs[size])) + pngs[size] for kind, size in ICNS_TYPES
    )
    return b"icns" + struct.pack(">I", 8 + len(entries)) + entries


def write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, help="write everything under this folder instead")
    args = parser.parse_args(argv)
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtGui import QGuiApplication

    _app = QGuiApplication.instance() or QGuiApplication([])
    icons = args.out or ROOT / "calftimer" / "resources" / "icons"
    installers = args.out or ROOT / "packaging"
    sizes = sorted({*PNG_SIZES, *ICO_SIZES, *(size for _, size in ICNS_TYPES)})
    pngs = {size: render_png(size) for size in sizes}
    icons.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(MASTER, icons / f"{APP_ID}.svg")
    for size in PNG_SIZES:
        write(icons / "hicolor" / f"{size}x{size}" / "apps" / f"{APP_ID}.png", pngs[size])
    write(installers / "windows" / "calftimer.ico", ico_bytes(pngs))
    write(installers / "macos" / "calftimer.icns", icns_bytes(pngs))
    print(f"wrote {len(PNG_SIZES)} PNG sizes, the SVG, an .ico and an .icns")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
