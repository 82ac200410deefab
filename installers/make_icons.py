"""Renders resources/icons/clearslate.svg to the PNG and Windows ICO files the app and installers use.

Run after changing the SVG: ``.venv/bin/python installers/make_icons.py``. The outputs are
committed, so a build never needs this script. The ICO is written by hand (no Pillow):
classic 32-bit DIB entries for 16–64 px, which every Windows shell and NSIS read, and a
PNG-compressed 256 px entry, as Windows Vista and later expect for the large size.
"""

from __future__ import annotations

import os
import struct
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ICONS = ROOT / "resources" / "icons"
SVG = ICONS / "clearslate.svg"
ICO_SIZES = (16, 24, 32, 48, 64, 256)
PNG_SIZES = (16, 32, 48, 64, 128)  # clearslate.png is the 256 px one


def _render(size: int):  # -> QImage
    from PySide6.QtGui import QImage, QPainter
    from PySide6.QtSvg import QSvgRenderer

    renderer = QSvgRenderer(str(SVG))
    if not renderer.isValid():
        raise SystemExit(f"cannot read {SVG}")
    image = QImage(size, size, QImage.Format.Format_ARGB32)
    image.fill(0)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    renderer.render(painter)
    painter.end()
    return image


def png_bytes(image) -> bytes:  # image: QImage
    from PySide6.QtCore import QBuffer, QByteArray, QIODevice

    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    image.save(buffer, "PNG")
    buffer.close()
    return bytes(data.data())


def dib_bytes(image) -> bytes:  # image: QImage in ARGB32
    """A BITMAPINFOHEADER + bottom-up BGRA rows + an all-zero AND mask (alpha does the work)."""
    size = image.width()
    header = struct.pack("<IiiHHIIiiII", 40, size, size * 2, 1, 32, 0, 0, 0, 0, 0, 0)
    rows = []
    for y in range(size - 1, -1, -1):
        # ARGB32 is stored as little-endian 0xAARRGGBB, i.e. bytes B, G, R, A: what a DIB wants.
        rows.append(bytes(image.constScanLine(y))[: size * 4])
    mask_stride = ((size + 31) // 32) * 4
    return header + b"".join(rows) + b"\0" * (mask_stride * size)


def ico_bytes(images: dict[int, object]) -> bytes:
    entries = []
    blobs = []
    offset = 6 + 16 * len(images)
    for size in sorted(images):
        blob = png_bytes(images[size]) if size >= 256 else dib_bytes(images[size])
        dim = 0 if size >= 256 else size  # 0 means 256 in an ICONDIRENTRY
        entries.append(struct.pack("<BBBBHHII", dim, dim, 0, 0, 1, 32, len(blob), offset))
        blobs.append(blob)
        offset += len(blob)
    return struct.pack("<HHH", 0, 1, len(images)) + b"".join(entries) + b"".join(blobs)


def main() -> int:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtGui import QGuiApplication

    _app = QGuiApplication.instance() or QGuiApplication(sys.argv[:1])
    (ICONS / "clearslate.png").write_bytes(png_bytes(_render(256)))
    for size in PNG_SIZES:
        (ICONS / f"clearslate-{size}.png").write_bytes(png_bytes(_render(size)))
    (ICONS / "clearslate.ico").write_bytes(ico_bytes({s: _render(s) for s in ICO_SIZES}))
    print(f"wrote clearslate.png, {len(PNG_SIZES)} sized PNGs and clearslate.ico into {ICONS}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
