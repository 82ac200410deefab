"""The one task runner: database work off the UI thread, results back by queued signal.

Every screen that touches the workspace goes through a :class:`TaskRunner` (STYLE.md,
"Threading"; the Anki pattern):

- ``runner.write(op, on_done)`` runs on ONE writer thread, so writes are serialized in
  the order they were asked for; ``runner.read(op, on_done)`` runs on a small thread pool.
- ``op(ws, progress)`` is a plain function: ``ws`` is a :class:`Workspace` opened for that
  thread alone (each thread keeps its own SQLite connection; a connection or a QObject never
  crosses threads) and ``progress`` a :class:`PolledProgress` the op reports to and checks
  for cancellation (``check_cancelled``). The op never touches a widget.
- ``on_done(result)`` is called on the UI thread (the result travels by queued signal).
  Failures go to ``on_error(exc)`` when given, else to the runner's ONE error handler
  (``runner.failed`` signal; the window shows the message). A ClearSlateError's message is
  shown as is; anything else is logged with its traceback and shown as a short message.
  ``Cancelled`` is quiet: the op's transaction rolled back.
- ``label="Importing…"`` makes a progress dialog appear if the task lasts more than about
  half a second, with Cancel; the dialog polls the PolledProgress (no signal per row).
- ``key="case"``: a newer task with the same key supersedes the older one, whose result is
  dropped (a fast reviewer moving through cases never sees a stale case).

Example::

    runner = TaskRunner(ws_path, parent=window)
    runner.failed.connect(lambda title, text: show_error(window, text))
    runner.write(lambda ws, p: importing.import_file(ws, path, mapping, p),
                 on_done=show_report, label=window.tr("Importing…"))
"""

from __future__ import annotations

import itertools
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from PySide6.QtCore import (
    QCoreApplication,
    QElapsedTimer,
    QObject,
    QRunnable,
    Qt,
    QThreadPool,
    QTimer,
    Signal,
)
from PySide6.QtWidgets import QProgressDialog, QWidget

from app.core.errors import Cancelled, ClearSlateError
from app.core.progress import PolledProgress
from app.store.workspace import Workspace

log = logging.getLogger(__name__)

Op = Callable[[Workspace, PolledProgress], Any]

# How long a task may run before its progress dialog appears (UX.md: about half a second).
PROGRESS_DELAY_MS = 500
READ_THREADS = 3


@dataclass
class Task:
    """One submitted piece of work; ``cancel()`` asks it to stop (it rolls back)."""

    id: int
    kind: str  # "read" or "write"
    label: str
    key: str | None
    progress: PolledProgress = field(default_factory=PolledProgress)
    on_done: Callable[[Any], None] | None = None
    on_error: Callable[[BaseException], None] | None = None
    done: bool = False
    dropped: bool = False  # superseded by a newer task with the same key, or runner closed

    def cancel(self) -> None:
        self.progress.cancel()


class _Relay(QObject):
    """Lives on the UI thread; worker threads emit on it, so delivery is a queued call."""

    finished = Signal(int, object, object)  # task id, result, exception


class _Job(QRunnable):
    def __init__(self, runner: TaskRunner, task: Task, op: Op) -> None:
        super().__init__()
        self.setAutoDelete(True)
        self.runner = runner
        self.task = task
        self.op = op
        self.relay = runner._relay  # noqa: SLF001 - the runner's own helper

    def run(self) -> None:  # runs on a worker thread
        result: Any = None
        error: BaseException | None = None
        try:
            if self.task.dropped:
                raise Cancelled()
            ws = self.runner._thread_workspace()  # noqa: SLF001
            result = self.op(ws, self.task.progress)
        except BaseException as exc:  # noqa: BLE001 - every failure goes back to the UI thread
            error = exc
        self.relay.finished.emit(self.task.id, result, error)


class TaskRunner(QObject):
    """Runs workspace operations off the UI thread for one workspace file."""

    failed = Signal(str, str)  # title, message: connect this to the window's error dialog
    busyChanged = Signal(bool)  # noqa: N815 - Qt signal naming; True while any task runs
    taskFinished = Signal(int)  # noqa: N815 - the id of a task whose callback has run

    def __init__(self, ws_path: str | Path, parent: QObject | None = None, *, dialog_parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ws_path = Path(ws_path)
        self.dialog_parent = dialog_parent
        self._relay = _Relay()
        self._relay.finished.connect(self._on_finished, Qt.ConnectionType.QueuedConnection)
        self._writer = QThreadPool()
        self._writer.setMaxThreadCount(1)  # one writer: writes are serialized in order
        self._writer.setExpiryTimeout(-1)  # keep the thread (and its connection) alive
        self._readers = QThreadPool()
        self._readers.setMaxThreadCount(READ_THREADS)
        self._readers.setExpiryTimeout(-1)
        self._ids = itertools.count(1)
        self._tasks: dict[int, Task] = {}
        self._latest_by_key: dict[str, int] = {}
        # One connection per worker thread, keyed by OS thread id. (Not threading.local: a
        # Qt pool thread may get a fresh Python thread state for each job.)
        self._opened: dict[int, Workspace] = {}
        self._opened_lock = threading.Lock()
        self._closed = False
        self._dialogs: dict[int, tuple[QProgressDialog | None, QTimer, QElapsedTimer]] = {}

    # -- submitting -------------------------------------------------------------------------

    def read(self, op: Op, on_done: Callable[[Any], None] | None = None, *,
             on_error: Callable[[BaseException], None] | None = None, label: str = "",
             key: str | None = None) -> Task:
        """Run a read-only ``op`` on the read pool (several may run at once)."""
        return self._submit("read", op, on_done, on_error, label, key)

    def write(self, op: Op, on_done: Callable[[Any], None] | None = None, *,
              on_error: Callable[[BaseException], None] | None = None, label: str = "",
              key: str | None = None) -> Task:
        """Run ``op`` on the single writer thread (writes never overlap and keep their order)."""
        return self._submit("write", op, on_done, on_error, label, key)

    def _submit(self, kind: str, op: Op, on_done: Callable[[Any], None] | None,
                on_error: Callable[[BaseException], None] | None, label: str, key: str | None) -> Task:
        if self._closed:
            raise RuntimeError("the task runner is shut down")
        task = Task(next(self._ids), kind, label, key, on_done=on_done, on_error=on_error)
        if key is not None:
            older = self._latest_by_key.get(key)
            if older is not None and older in self._tasks:
                stale = self._tasks[older]
                stale.dropped = True
                if kind == "read":
                    stale.cancel()  # a read may stop early; a write is left to finish
            self._latest_by_key[key] = task.id
        was_idle = not self._tasks
        self._tasks[task.id] = task
        if label:
            self._arm_dialog(task)
        pool = self._writer if kind == "write" else self._readers
        pool.start(_Job(self, task, op))
        if was_idle:
            self.busyChanged.emit(True)
        return task

    # -- worker side ---------------------------------------------------------------------------

    def _thread_workspace(self) -> Workspace:
        ident = threading.get_ident()
        with self._opened_lock:
            ws = self._opened.get(ident)
        if ws is None:
            ws = Workspace.attach(self.ws_path)
            with self._opened_lock:
                self._opened[ident] = ws
        return ws

    # -- UI side ---------------------------------------------------------------------------------

    def _on_finished(self, task_id: int, result: Any, error: BaseException | None) -> None:
        task = self._tasks.pop(task_id, None)
        self._close_dialog(task_id)
        if task is None:
            return
        task.done = True
        if task.key is not None and self._latest_by_key.get(task.key) == task_id:
            del self._latest_by_key[task.key]
        try:
            if task.dropped or self._closed:
                if error is not None and not isinstance(error, Cancelled) and task.kind == "write":
                    self._report(task, error)  # a dropped write still must not fail silently
                return
            if error is None:
                if task.on_done is not None:
                    task.on_done(result)
            else:
                self._report(task, error)
        finally:
            self.taskFinished.emit(task_id)
            if not self._tasks:
                self.busyChanged.emit(False)

    def _report(self, task: Task, error: BaseException) -> None:
        if task.on_error is not None:
            task.on_error(error)
            return
        if isinstance(error, Cancelled):
            log.info("task %s cancelled", task.label or task.id)
            return
        if isinstance(error, ClearSlateError):
            self.failed.emit(task.label or self.tr("ClearSlate"), str(error))
            return
        log.error("unexpected error in task %s", task.label or task.id,
                  exc_info=(type(error), error, error.__traceback__))
        self.failed.emit(
            task.label or self.tr("ClearSlate"),
            self.tr("Something went wrong; nothing was changed by the unfinished step. The details are in the log."),
        )

    def _arm_dialog(self, task: Task) -> None:
        timer = QTimer(self)
        timer.setInterval(100)
        clock = QElapsedTimer()
        clock.start()
        self._dialogs[task.id] = (None, timer, clock)
        timer.timeout.connect(lambda tid=task.id: self._poll(tid))
        timer.start()

    def _poll(self, task_id: int) -> None:
        entry = self._dialogs.get(task_id)
        task = self._tasks.get(task_id)
        if entry is None or task is None:
            return
        dialog, timer, clock = entry
        if dialog is None:
            if clock.elapsed() < PROGRESS_DELAY_MS:
                return
            dialog = QProgressDialog(task.label, self.tr("Cancel"), 0, 0, self.dialog_parent)
            dialog.setObjectName("taskProgress")
            dialog.setWindowTitle(task.label)
            dialog.setWindowModality(Qt.WindowModality.WindowModal)
            dialog.setMinimumDuration(0)
            dialog.setAutoClose(False)
            dialog.setAutoReset(False)
            # Cancel is polled below, not connected: a Python connect() made here, while the
            # worker thread holds the GIL inside a Qt call that connects signals itself (a
            # QTextDocument of the export), can deadlock the two threads on Qt's signal lock.
            dialog.show()
            self._dialogs[task_id] = (dialog, timer, clock)
        if dialog.wasCanceled() and not task.progress.cancelled():
            task.cancel()
        done, total, message = task.progress.snapshot()
        if total:
            dialog.setMaximum(max(total, 1))
            dialog.setValue(min(done, total))
        else:
            dialog.setMaximum(0)  # busy indicator when the total is unknown
        if message:
            dialog.setLabelText(message)
        if task.progress.cancelled():
            dialog.setLabelText(self.tr("Cancelling: rolling back…"))

    def _close_dialog(self, task_id: int) -> None:
        entry = self._dialogs.pop(task_id, None)
        if entry is None:
            return
        dialog, timer, _clock = entry
        timer.stop()
        timer.deleteLater()
        if dialog is not None:
            dialog.close()
            dialog.deleteLater()

    # -- state and shutdown ------------------------------------------------------------------------

    @property
    def busy(self) -> bool:
        return bool(self._tasks)

    def pending(self) -> list[Task]:
        return list(self._tasks.values())

    def wait_idle(self, timeout_ms: int = 30000) -> bool:
        """Block until every task has run and its callback was delivered (tests, shutdown)."""
        clock = QElapsedTimer()
        clock.start()
        while self._tasks:
            if clock.elapsed() > timeout_ms:
                return False
            self._writer.waitForDone(10)
            self._readers.waitForDone(10)
            QCoreApplication.processEvents()
        return True

    def shutdown(self, timeout_ms: int = 30000) -> None:
        """Cancel reads, let writes finish, drop pending callbacks, close every connection."""
        if self._closed:
            return
        for task in self._tasks.values():
            if task.kind == "read":
                task.cancel()
        self._closed = True
        self._writer.waitForDone(timeout_ms)
        self._readers.waitForDone(timeout_ms)
        for task_id in list(self._dialogs):
            self._close_dialog(task_id)
        with self._opened_lock:
            for ws in self._opened.values():
                ws.close()
            self._opened.clear()
