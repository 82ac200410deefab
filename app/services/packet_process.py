"""The window's export: :func:`export_packet` in a process of its own.

Laying out the filings' PDFs creates Qt objects that connect signals (``QTextDocument``), and
PySide makes those calls holding the GIL. On a thread beside the window's UI thread that can
deadlock: the UI thread, inside a PySide ``connect``/``disconnect`` that released the GIL,
holds one of Qt's pooled signal locks and waits for the GIL, while the export's thread holds
the GIL and waits for that lock (seen in a test run). A spawned process has no UI thread, so
the export runs there exactly as the command line runs it; this thread only relays progress
and Cancel. The child writes through its own connection; the export's one-folder rename and
its audit entries are the same as in-process.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import queue
from typing import Any

from app.core.errors import Cancelled, ClearSlateError, ExportError
from app.core.progress import Progress
from app.services import auth
from app.services.packet import PacketReport, export_packet
from app.services.spawn import can_spawn, put_to_parent
from app.store.workspace import Workspace

_POLL = 0.1  # seconds between looks at Cancel and at the child's health
_QUEUE_DEPTH = 64


class _ChildProgress:
    """Progress in the child: reports go to the parent (dropped when it is behind), Cancel
    comes from the parent's event."""

    def __init__(self, out: Any, cancel: Any) -> None:
        self._out, self._cancel = out, cancel

    def report(self, done: int, total: int | None, message: str = "") -> None:
        with contextlib.suppress(queue.Full):
            self._out.put_nowait(("progress", done, total, message))

    def cancelled(self) -> bool:
        return bool(self._cancel.is_set())


def _child(ws_path: str, user: auth.User, out_dir: str, out: Any, cancel: Any) -> None:
    try:
        ws = Workspace.attach(ws_path)
        try:
            report = export_packet(ws, user, out_dir, _ChildProgress(out, cancel))
        finally:
            ws.close()
        put_to_parent(out, ("done", report))
    except ClearSlateError as exc:  # Cancelled included
        put_to_parent(out, ("error", exc))
    except BaseException as exc:  # noqa: BLE001 - reported to the window, which shows it
        put_to_parent(
            out,
            ("error", ExportError(f"The export failed ({exc!r}); nothing was exported.")),
        )


def export_packet_in_process(
    ws: Workspace,
    user: auth.User,
    out_dir: str | os.PathLike[str],
    progress: Progress | None = None,
) -> PacketReport:
    """:func:`export_packet` in a spawned process, for a caller beside a UI thread.

    Progress and Cancel cross over; a refusal or failure is raised here as the export raised
    it there. Where no process can be spawned (code fed on standard input), it runs here.
    """
    if not can_spawn():
        return export_packet(ws, user, out_dir, progress)
    context = multiprocessing.get_context("spawn")
    out: Any = context.Queue(_QUEUE_DEPTH)
    cancel = context.Event()
    child = context.Process(
        target=_child,
        args=(str(ws.path), user, os.fspath(out_dir), out, cancel),
        name="clearslate-export",
        daemon=True,
    )
    child.start()
    try:
        while True:
            if progress is not None and progress.cancelled():
                cancel.set()  # the child stops at its next check and cleans up
            try:
                message = out.get(timeout=_POLL)
            except queue.Empty:
                if not child.is_alive():
                    with contextlib.suppress(queue.Empty):
                        message = out.get(timeout=_POLL)  # its last word, just before ending
                        if message[0] != "progress":
                            return _result(message)
                        continue
                    raise ExportError(
                        "The export stopped before it finished (its process ended with code "
                        f"{child.exitcode}). Export again; an unfinished folder is removed "
                        "then."
                    ) from None
                continue
            if message[0] == "progress":
                if progress is not None:
                    progress.report(message[1], message[2], message[3])
                continue
            return _result(message)
    finally:
        if child.is_alive():
            cancel.set()
            child.join(10)
        if child.is_alive():  # pragma: no cover - it stops at its next Cancel check
            child.terminate()
            child.join(5)
        out.close()
        out.cancel_join_thread()


def _result(message: tuple[Any, ...]) -> PacketReport:
    if message[0] == "done":
        report: PacketReport = message[1]
        return report
    error = message[1]
    if isinstance(error, Cancelled):
        raise Cancelled()
    raise error
