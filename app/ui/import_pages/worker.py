"""One long step of the import wizard (validation, the import) run through the task runner.

The step runs on the runner's worker thread with a connection of its own; the page polls
the task's progress with a timer (STYLE.md: the UI polls, the work never touches a widget)
and gets exactly one outcome back on the UI thread through this object's signals.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QCoreApplication, QElapsedTimer, QObject, QTimer, Signal

from app.core.errors import Cancelled, ClearSlateError
from app.core.progress import PolledProgress
from app.ui.import_pages.backend import window_message
from app.ui.tasks import Task, TaskRunner

log = logging.getLogger(__name__)

POLL_MS = 100
Op = Callable[[Any, PolledProgress], Any]


class BackgroundTask(QObject):
    """``op(ws, progress)`` on the runner: ``kind`` "read" (pool) or "write" (the one writer).

    Signals, on the UI thread: ``progressed(done, total, message)`` while it runs, then exactly
    one of ``succeeded(result)``, ``cancelled(message)`` or ``failed(message)`` (the error
    itself in :attr:`error`), then ``finished()``. No progress dialog of the runner's own: the page shows the progress.
    """

    progressed = Signal(int, object, str)
    succeeded = Signal(object)
    cancelled = Signal(str)
    failed = Signal(str)
    finished = Signal()

    def __init__(
        self, runner: TaskRunner, op: Op, *, kind: str = "read", parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self._runner = runner
        self._op = op
        self._kind = kind
        self.task: Task | None = None
        self._timer = QTimer(self)
        self._timer.setInterval(POLL_MS)
        self._timer.timeout.connect(self._poll)
        self._last: tuple[int, int | None, str] | None = None
        self._running = False
        # The error behind ``failed``, for a page that acts on its remedy (None when the step
        # failed unexpectedly).
        self.error: ClearSlateError | None = None

    def start(self) -> None:
        submit = self._runner.write if self._kind == "write" else self._runner.read
        self._running = True
        self.task = submit(self._op, self._succeeded, on_error=self._errored)
        self._timer.start()

    def cancel(self) -> None:
        """Ask the step to stop; its transaction rolls back and ``cancelled`` follows."""
        if self.task is not None:
            self.task.cancel()

    @property
    def progress(self) -> PolledProgress | None:
        return self.task.progress if self.task is not None else None

    def is_running(self) -> bool:
        return self._running

    def wait(self, timeout_ms: int = 30_000) -> bool:
        """Block (processing events) until the outcome has been delivered."""
        clock = QElapsedTimer()
        clock.start()
        while self._running:
            if clock.elapsed() > timeout_ms:
                return False
            QCoreApplication.processEvents()
        return True

    def _poll(self) -> None:
        if self.task is None:
            return
        snapshot = self.task.progress.snapshot()
        if snapshot != self._last:
            self._last = snapshot
            self.progressed.emit(*snapshot)

    def _succeeded(self, result: Any) -> None:
        self._end()
        self.succeeded.emit(result)
        self.finished.emit()

    def _errored(self, error: BaseException) -> None:
        self._end()
        if isinstance(error, Cancelled):
            self.cancelled.emit(error.message)
        elif isinstance(error, ClearSlateError):
            # Said with the window's boxes and fields; a page may also act on its remedy.
            self.error = error
            self.failed.emit(window_message(error))
        else:
            log.error("import step failed", exc_info=(type(error), error, error.__traceback__))
            self.failed.emit(
                self.tr(
                    "An unexpected problem stopped this step; nothing was changed. The details "
                    "are in the log file."
                )
            )
        self.finished.emit()

    def _end(self) -> None:
        self._timer.stop()
        self._poll()
        self._running = False
