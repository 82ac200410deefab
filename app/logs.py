"""Where ClearSlate keeps its own files (logs, diagnostics), and logging set-up without Qt.

Data lives under the local (never roaming or synced) application-data folder, or beside
the executable in portable mode (a ``portable.txt`` next to it). ``CLEARSLATE_HOME``
overrides both, for tests and scripted installs.
"""

from __future__ import annotations

import faulthandler
import logging
import logging.handlers
import os
import sys
from pathlib import Path

from app import APP_NAME, ORG_NAME

_fault_file = None


def install_dir() -> Path:
    if getattr(sys, "frozen", False):
        return Path(sys.executable).resolve().parent
    return Path(__file__).resolve().parent.parent


def is_portable() -> bool:
    return (install_dir() / "portable.txt").is_file()


def data_dir() -> Path:
    """The folder for logs, diagnostics and window state; created on first use."""
    override = os.environ.get("CLEARSLATE_HOME")
    if override:
        folder = Path(override)
    elif is_portable():
        folder = install_dir() / "data"
    elif sys.platform == "win32":
        base = Path(os.environ.get("LOCALAPPDATA") or Path.home() / "AppData" / "Local")
        folder = base / ORG_NAME / APP_NAME
    elif sys.platform == "darwin":
        folder = Path.home() / "Library" / "Application Support" / ORG_NAME / APP_NAME
    else:
        base = Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share")
        folder = base / ORG_NAME / APP_NAME
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def log_file() -> Path:
    return data_dir() / "logs" / "clearslate.log"


def setup_logging(*, verbose: bool = False) -> Path:
    """A rotating file log (5 × 2 MB) and faulthandler into the same folder.

    A windowed PyInstaller build has no stderr, so crashes must land in a file.
    """
    global _fault_file
    path = log_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    root = logging.getLogger()
    if not any(getattr(h, "_clearslate", False) for h in root.handlers):
        handler = logging.handlers.RotatingFileHandler(
            path, maxBytes=2_000_000, backupCount=5, encoding="utf-8"
        )
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        handler._clearslate = True  # type: ignore[attr-defined]
        root.addHandler(handler)
        root.setLevel(logging.DEBUG if verbose else logging.INFO)
    if _fault_file is None:
        _fault_file = open(path.parent / "faults.log", "a", encoding="utf-8")  # noqa: SIM115 - lives as long as the process
        faulthandler.enable(file=_fault_file)
    return path
