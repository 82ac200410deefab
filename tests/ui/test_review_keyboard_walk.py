"""A reviewer goes through every case of every sample workbook with the keyboard alone.

Clear cases: Ctrl+Enter (accept and next). Cases with a needs-review count: Ctrl+Shift+O,
then only keys in the override dialog (Tab to the reason, type it, Tab to OK, Return), then
Alt+Right. At the end every count has a decision by the reviewer, each in the audit log.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from app.resources import resource_path, samples_dir
from app.services.evaluate import evaluate
from app.services.importing import import_file
from tests.cli.test_evaluate_samples import SAMPLES
from tests.conftest import make_workspace
from tests.ui.test_review_window import _wait_idle, open_window

CTRL = Qt.KeyboardModifier.ControlModifier
SHIFT = Qt.KeyboardModifier.ShiftModifier
ALT = Qt.KeyboardModifier.AltModifier


def _override_with_keys(reason: str, done: list[bool]) -> None:
    """Answer the next override dialog with key presses only."""

    def type_keys() -> None:
        dialog = QApplication.activeModalWidget()
        if dialog is None or type(dialog).__name__ != "OverrideDialog":
            QTimer.singleShot(20, type_keys)
            return
        if QApplication.activeWindow() is not dialog:
            # Offscreen, a new dialog is not active at once; a real window manager does this.
            dialog.activateWindow()
            QTimer.singleShot(20, type_keys)
            return
        try:
            assert QApplication.focusWidget() is dialog.outcome  # the dialog opens on the outcome
            QTest.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
            assert QApplication.focusWidget() is dialog.reason
            QTest.keyClicks(QApplication.focusWidget(), reason)
            QTest.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)  # the reason box passes Tab on
            QTest.keyClick(QApplication.focusWidget(), Qt.Key.Key_Return)
        finally:
            done.append(not dialog.isVisible())
            if dialog.isVisible():
                dialog.reject()  # never leave a modal dialog blocking the test

    QTimer.singleShot(0, type_keys)


def _undecided_counts(path: Path) -> list[tuple[str, str]]:
    from app.store.workspace import Workspace

    with Workspace.open(path) as ws:
        return [
            tuple(r)
            for r in ws.conn.execute(
                "SELECT ca.case_number, c.count_number FROM counts c JOIN cases ca ON ca.id = c.case_id "
                "LEFT JOIN (SELECT count_id, max(id) AS id FROM decisions GROUP BY count_id) m ON m.count_id = c.id "
                "LEFT JOIN decisions d ON d.id = m.id WHERE d.status IS NOT 'decided'"
            )
        ]


@pytest.mark.slow
@pytest.mark.parametrize(("sample", "policy", "county", "profile"), SAMPLES, ids=[s[1] for s in SAMPLES])
def test_every_sample_case_reviewed_with_the_keyboard(qtbot, tmp_path: Path, sample: str, policy: str, county: str, profile: str | None) -> None:  # type: ignore[no-untyped-def]
    ws = make_workspace(tmp_path, policy=policy, county=county)
    if profile and not (resource_path("profiles") / f"{profile}.toml").is_file():
        profile = None
    import_file(ws, samples_dir() / sample, user="clerk", profile=profile, skip_invalid=True)
    evaluate(ws, user="clerk")
    path = ws.path
    ws.close()

    win, view = open_window(qtbot, path)
    try:
        total = view.model.rowCount()
        assert total > 0
        for row in range(total):
            qtbot.waitUntil(
                lambda r=row: view.current_row() == r and view.detail is not None and view.detail.case.case_number == view.model.cached_row(r).case_number,
                timeout=10000,
            )
            counts = view.detail.counts
            if any(c.outcome == "needs_review" for c in counts):
                done: list[bool] = []
                _override_with_keys("Checked the court file by hand.", done)
                QTest.keyClick(view.table, Qt.Key.Key_O, CTRL | SHIFT)
                _wait_idle(qtbot, view)
                assert done == [True], f"override dialog did not close on row {row}"
                with qtbot.waitActive(win):  # offscreen, focus does not return by itself
                    win.activateWindow()
                if row < total - 1:
                    QTest.keyClick(view.table, Qt.Key.Key_Right, ALT)
            else:
                QTest.keyClick(view.table, Qt.Key.Key_Return, CTRL)
                _wait_idle(qtbot, view)
        assert _undecided_counts(path) == []
        users = {r[0] for r in win.ws.conn.execute("SELECT DISTINCT user FROM decisions")}
        assert users == {"reviewer"}
        audited = win.ws.conn.execute("SELECT count(*) FROM audit WHERE action LIKE 'review.%'").fetchone()[0]
        assert audited >= total
    finally:
        win.close_workspace()
