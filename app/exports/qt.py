"""The Qt set-up PDF writing needs: a QGuiApplication (offscreen when headless) and the bundled fonts.

QPdfWriter and font lookup need a QGuiApplication. The window already has one; the command
line and tests do not, so one is made here, offscreen when there is no display. Fonts come
from ``resources/fonts`` (DejaVu, free licence), never from the system, so a packet looks the
same on every machine and every PDF embeds the same font.
"""

from __future__ import annotations

import os
import sys
import threading

from PySide6.QtCore import QCoreApplication
from PySide6.QtGui import QFont, QFontDatabase, QGuiApplication

from app.core.errors import ExportError
from app.resources import resource_path

FONT_FILES = (
    "DejaVuSans.ttf",
    "DejaVuSans-Bold.ttf",
    "DejaVuSansCondensed.ttf",
    "DejaVuSansCondensed-Bold.ttf",
    "DejaVuSerif.ttf",
    "DejaVuSerif-Bold.ttf",
    "DejaVuSerif-Italic.ttf",
)
SANS = "DejaVu Sans"
SERIF = "DejaVu Serif"

_lock = threading.Lock()
_app: QGuiApplication | None = None
_fonts_loaded = False


def ensure_gui() -> None:
    """Make sure a QGuiApplication exists and the bundled fonts are loaded.

    The window's QApplication serves when there is one. Otherwise (command line, bench) a
    QGuiApplication is made; a process that will show widgets later must create its
    QApplication before exporting (Qt allows one application object per process).
    """
    global _app, _fonts_loaded
    with _lock:
        existing = QCoreApplication.instance()
        if existing is None:
            if not sys.platform.startswith(("win", "darwin")) and not (
                os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")
            ):
                os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
            _app = QGuiApplication(["clearslate-export"])
        elif not isinstance(existing, QGuiApplication):
            raise ExportError(
                "PDF files need a graphical Qt application; this one is console-only."
            )
        if not _fonts_loaded:
            missing = []
            for name in FONT_FILES:
                path = resource_path("fonts", name)
                if not path.is_file() or QFontDatabase.addApplicationFont(str(path)) < 0:
                    missing.append(name)
            if missing:
                raise ExportError(
                    f"The bundled fonts are missing or unreadable: {', '.join(missing)}."
                )
            _fonts_loaded = True


def font(
    family: str = SERIF,
    points: float = 11.0,
    *,
    bold: bool = False,
    italic: bool = False,
    condensed: bool = False,
) -> QFont:
    value = QFont(family)
    value.setPointSizeF(points)
    value.setBold(bold)
    value.setItalic(italic)
    if condensed:
        value.setStretch(QFont.Stretch.Condensed)
    # Font merging stays on: a name in a script DejaVu lacks must still print (via a system font).
    # No ligatures: "ﬀ" and "ﬁ" would make names and words unsearchable when text is copied
    # out of a filing (and break text extraction in tests and at the court).
    for tag in ("liga", "clig", "dlig"):
        value.setFeature(QFont.Tag(tag), 0)
    return value
