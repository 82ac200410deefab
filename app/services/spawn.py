"""Whether this process can start spawned workers (the import's reader, the evaluation's workers)."""

from __future__ import annotations

import multiprocessing
import os
import queue
import sys
from typing import Any


def can_spawn() -> bool:
    """Spawned workers re-import the main script by its path (or the frozen executable).
    Code fed on standard input or typed at a prompt has none, so such a caller stays serial
    instead of failing with a worker that cannot start."""
    if getattr(sys, "frozen", False):
        return True
    path = getattr(sys.modules.get("__main__"), "__file__", None)
    return path is not None and os.path.isfile(path)


def put_to_parent(out: Any, message: tuple[Any, ...]) -> None:
    """In a spawned worker: put ``message`` on the queue to its parent, waiting for room, or
    leave at once if the parent has gone (killed: nobody will read it, do not linger)."""
    parent = multiprocessing.parent_process()
    while True:
        try:
            out.put(message, timeout=1.0)
            return
        except queue.Full:
            if parent is not None and not parent.is_alive():
                os._exit(1)
