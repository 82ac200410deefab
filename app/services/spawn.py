"""Whether this process can start spawned workers (the import's reader, the evaluation's workers)."""

from __future__ import annotations

import os
import sys


def can_spawn() -> bool:
    """Spawned workers re-import the main script by its path (or the frozen executable).
    Code fed on standard input or typed at a prompt has none, so such a caller stays serial
    instead of failing with a worker that cannot start."""
    if getattr(sys, "frozen", False):
        return True
    path = getattr(sys.modules.get("__main__"), "__file__", None)
    return path is not None and os.path.isfile(path)
