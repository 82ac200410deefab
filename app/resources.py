"""Finds the files ClearSlate ships beside its code, from a source checkout and from the bundle.

From source the shipped files sit at the top of the checkout (``resources/``,
``sample_workbooks/``). In the PyInstaller bundle they are unpacked under
``sys._MEIPASS`` (the bundle's ``_internal`` folder) with the same relative layout,
which ``installers/clearslate.spec`` guarantees. Nothing here imports Qt, so every layer
may use it.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

# A test or a county's IT can point ClearSlate at another resources folder (e.g. a
# reviewed copy of the policy packs) without rebuilding; it must be a whole folder.
RESOURCES_ENV = "CLEARSLATE_RESOURCES"


def is_frozen() -> bool:
    """True inside the PyInstaller bundle."""
    return bool(getattr(sys, "frozen", False)) and hasattr(sys, "_MEIPASS")


def bundle_root() -> Path:
    """The folder that holds ``resources/`` and ``sample_workbooks/``."""
    if is_frozen():
        return Path(sys._MEIPASS)  # type: ignore[attr-defined]  # set by PyInstaller's bootloader
    return Path(__file__).resolve().parent.parent


def resources_dir() -> Path:
    override = os.environ.get(RESOURCES_ENV)
    return Path(override) if override else bundle_root() / "resources"


def resource_path(*parts: str) -> Path:
    """``resource_path("policies", "ca-prop64-state.toml")`` → the file, wherever we run from.

    The path is returned whether or not it exists, so callers can list folders or say
    clearly which file is missing.
    """
    return resources_dir().joinpath(*parts)


def samples_dir() -> Path:
    """The synthetic sample workbooks (used by ``demo`` and ``--self-test``)."""
    return bundle_root() / "sample_workbooks"
