"""How long work reports progress and learns it was cancelled, without knowing who listens."""

from __future__ import annotations

import threading
from typing import Protocol

from app.core.errors import Cancelled


class Progress(Protocol):
    def report(self, done: int, total: int | None, message: str = "") -> None: ...

    def cancelled(self) -> bool: ...


class SilentProgress:
    """Progress for tests and batch work: remembers the last report, never cancels."""

    def __init__(self) -> None:
        self.done = 0
        self.total: int | None = None
        self.message = ""

    def report(self, done: int, total: int | None, message: str = "") -> None:
        self.done, self.total, self.message = done, total, message

    def cancelled(self) -> bool:
        return False


class PolledProgress:
    """Thread-safe progress that a window polls; ``cancel()`` asks the work to stop."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._cancel = threading.Event()
        self.done = 0
        self.total: int | None = None
        self.message = ""

    def report(self, done: int, total: int | None, message: str = "") -> None:
        with self._lock:
            self.done, self.total, self.message = done, total, message

    def snapshot(self) -> tuple[int, int | None, str]:
        with self._lock:
            return self.done, self.total, self.message

    def cancel(self) -> None:
        self._cancel.set()

    def cancelled(self) -> bool:
        return self._cancel.is_set()


def check_cancelled(progress: Progress | None) -> None:
    """Raise :class:`Cancelled` if the user asked to stop; services call this between chunks."""
    if progress is not None and progress.cancelled():
        raise Cancelled()
