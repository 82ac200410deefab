"""The task runner: work off the UI thread, ordered writes, errors to one handler, cancel."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest

from app.core.errors import ClearSlateError
from app.core.progress import check_cancelled
from app.ui.tasks import TaskRunner
from tests.conftest import make_workspace
from tests.review_seed import known_policy  # noqa: F401 - fixture


@pytest.fixture
def ws_path(tmp_path: Path, known_policy: None) -> Path:  # noqa: F811 - the fixture
    ws = make_workspace(tmp_path, users=False)
    path = ws.path
    ws.close()
    return path


@pytest.fixture
def runner(qtbot, ws_path: Path):  # type: ignore[no-untyped-def]
    r = TaskRunner(ws_path)
    yield r
    r.shutdown()


def test_read_runs_off_the_ui_thread_with_its_own_connection(runner: TaskRunner, qtbot) -> None:  # type: ignore[no-untyped-def]
    main = threading.get_ident()
    seen: list[tuple[int, int]] = []
    got: list[object] = []

    def op(ws, progress):  # type: ignore[no-untyped-def]
        seen.append((threading.get_ident(), id(ws.conn)))
        return ws.conn.execute("SELECT count(*) FROM users").fetchone()[0]

    runner.read(op, got.append)
    assert runner.wait_idle()
    assert got == [1]
    assert seen[0][0] != main


def test_writes_are_serialized_in_order(runner: TaskRunner) -> None:
    order: list[int] = []
    threads: set[int] = set()

    def make(i: int):  # type: ignore[no-untyped-def]
        def op(ws, progress):  # type: ignore[no-untyped-def]
            threads.add(threading.get_ident())
            time.sleep(0.01)
            with ws.transaction():
                ws.audit("test", "test.write", str(i))
            return i

        return op

    for i in range(6):
        runner.write(make(i), order.append)
    assert runner.wait_idle()
    assert order == list(range(6))
    assert len(threads) == 1  # one writer thread


def test_errors_go_to_the_one_handler_and_unexpected_ones_are_not_tracebacks(runner: TaskRunner) -> None:
    messages: list[tuple[str, str]] = []
    runner.failed.connect(lambda title, text: messages.append((title, text)))

    def user_error(ws, progress):  # type: ignore[no-untyped-def]
        raise ClearSlateError("An override needs a reason.")

    def bug(ws, progress):  # type: ignore[no-untyped-def]
        raise ZeroDivisionError("boom")

    runner.read(user_error, label="Deciding")
    runner.read(bug)
    assert runner.wait_idle()
    assert ("Deciding", "An override needs a reason.") in messages
    assert any("went wrong" in text and "boom" not in text for _, text in messages)


def test_on_error_overrides_the_handler(runner: TaskRunner) -> None:
    handled: list[BaseException] = []
    messages: list[str] = []
    runner.failed.connect(lambda _t, text: messages.append(text))

    def op(ws, progress):  # type: ignore[no-untyped-def]
        raise ClearSlateError("nope")

    runner.read(op, on_error=handled.append)
    assert runner.wait_idle()
    assert len(handled) == 1 and not messages


def test_a_newer_task_with_the_same_key_drops_the_older_result(runner: TaskRunner) -> None:
    got: list[int] = []
    gate = threading.Event()

    def slow(ws, progress):  # type: ignore[no-untyped-def]
        gate.wait(2)
        return 1

    def fast(ws, progress):  # type: ignore[no-untyped-def]
        return 2

    runner.read(slow, got.append, key="case")
    runner.read(fast, got.append, key="case")
    gate.set()
    assert runner.wait_idle()
    assert got == [2]


def test_progress_dialog_appears_after_half_a_second_and_cancel_rolls_back(runner: TaskRunner, qtbot, ws_path: Path) -> None:  # type: ignore[no-untyped-def]
    from PySide6.QtWidgets import QApplication, QProgressDialog

    def long_write(ws, progress):  # type: ignore[no-untyped-def]
        with ws.transaction():
            ws.audit("test", "test.long", None)
            for i in range(300):
                progress.report(i, 300, "Working…")
                check_cancelled(progress)
                time.sleep(0.01)
        return "finished"

    results: list[object] = []
    task = runner.write(long_write, results.append, label="Long work")

    def dialog() -> QProgressDialog | None:
        for w in QApplication.topLevelWidgets():
            if isinstance(w, QProgressDialog) and w.objectName() == "taskProgress" and w.isVisible():
                return w
        return None

    qtbot.waitUntil(lambda: dialog() is not None, timeout=3000)
    assert dialog().labelText() == "Working…"
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QPushButton

    button = dialog().findChild(QPushButton)
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    assert runner.wait_idle()
    assert results == [] and task.done
    from app.store.workspace import Workspace

    with Workspace.open(ws_path) as ws:
        assert ws.conn.execute("SELECT count(*) FROM audit WHERE action = 'test.long'").fetchone()[0] == 0


def test_short_tasks_show_no_dialog(runner: TaskRunner, qtbot) -> None:  # type: ignore[no-untyped-def]
    from PySide6.QtWidgets import QApplication, QProgressDialog

    runner.write(lambda ws, p: 1, label="Quick")
    assert runner.wait_idle()
    assert not [w for w in QApplication.topLevelWidgets() if isinstance(w, QProgressDialog) and w.isVisible()]
