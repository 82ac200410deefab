"""Review ▸ Possible same people: the real dialog on a real workspace with an open proposal."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox

from app.services import auth, importing
from app.ui.matches_dialog import MatchesDialog
from tests.conftest import PASSWORD
from tests.services.test_identity_unconfirmed import _csv

ROWS_DOJ = [["D-1", "1", "MORALES, ANA", "1975-03-04", "00000042", "187(A) PC", "F", "CONVICTED",
             "1999-05-01", "1998-12-01", "Kern"]]  # fmt: skip
ROWS_COURT = [["KC-7", "1", "MORALES, ANA", "1975-03-04", "P-991", "11359 HS", "F", "CONVICTED",
               "2010-05-01", "2010-01-01", "Kern"]]  # fmt: skip


@pytest.fixture
def proposal(workspace, tmp_path: Path):  # type: ignore[no-untyped-def]
    for name, key, rows in (("doj", "CII_NUMBER", ROWS_DOJ), ("court", "Person ID", ROWS_COURT)):
        path = _csv(tmp_path / f"{name}.csv", key, rows)
        assert importing.import_file(workspace, path, user="clerk").status == "imported"
    [match] = importing.proposed_matches(workspace)
    return match


def _dialog(qtbot, workspace) -> MatchesDialog:  # type: ignore[no-untyped-def]
    user = auth.login(workspace, "clerk", PASSWORD)
    dialog = MatchesDialog(workspace, user)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    return dialog


def test_a_proposal_is_shown_whole_and_rejected(qtbot, workspace, proposal) -> None:  # type: ignore[no-untyped-def]
    dialog = _dialog(qtbot, workspace)
    table = dialog.table
    assert table.rowCount() == 1
    assert table.item(0, 0).text() == "MORALES, ANA — CII_NUMBER 00000042"
    assert table.item(0, 2).text() == "MORALES, ANA — Person ID P-991"
    assert (table.item(0, 1).text(), table.item(0, 3).text()) == ("D-1", "KC-7")
    assert "1 pair of records waits" in dialog.status.text()
    assert dialog.same.isEnabled() and dialog.different.isEnabled()
    with qtbot.waitSignal(dialog.decided, timeout=2000):
        qtbot.mouseClick(dialog.different, Qt.MouseButton.LeftButton)
    assert table.rowCount() == 0 and not dialog.different.isEnabled()
    assert "No possible same people are waiting" in dialog.status.text()
    assert "Evaluate eligibility again" in dialog.status.text()
    assert importing.proposed_matches(workspace) == []
    entry = workspace.conn.execute(
        "SELECT user, action FROM audit ORDER BY seq DESC LIMIT 1"
    ).fetchone()
    assert tuple(entry) == ("clerk", "person.match.reject")


@pytest.mark.parametrize("answer", [QMessageBox.StandardButton.No, QMessageBox.StandardButton.Yes])
def test_same_person_asks_first(qtbot, workspace, proposal, monkeypatch, answer) -> None:  # type: ignore[no-untyped-def]
    asked: list[str] = []

    def question(parent, title, text, *args):  # type: ignore[no-untyped-def]
        asked.append(text)
        return answer

    monkeypatch.setattr(QMessageBox, "question", question)
    dialog = _dialog(qtbot, workspace)
    qtbot.mouseClick(dialog.same, Qt.MouseButton.LeftButton)
    assert asked and "Join MORALES, ANA and MORALES, ANA (born 1975-03-04)" in asked[0]
    if answer == QMessageBox.StandardButton.No:
        assert dialog.table.rowCount() == 1 and len(importing.proposed_matches(workspace)) == 1
        return
    assert dialog.table.rowCount() == 0
    owners = workspace.conn.execute("SELECT COUNT(DISTINCT person_id) FROM counts").fetchone()[0]
    assert owners == 1  # one person now: the DOJ prior sits in the court count's history


def test_review_menu_opens_it_and_a_decision_refreshes_the_queue(qtbot, workspace_path, tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from app.store.workspace import Workspace
    from app.ui.main_window import MainWindow
    from tests.ui.test_main_window import _answer_logon

    with Workspace.open(workspace_path) as ws:
        for name, key, rows in (("doj", "CII_NUMBER", ROWS_DOJ), ("court", "Person ID", ROWS_COURT)):
            importing.import_file(ws, _csv(tmp_path / f"{name}.csv", key, rows), user="clerk")
    win = MainWindow()
    qtbot.addWidget(win)
    win.show()
    refreshed: list[bool] = []
    monkeypatch.setattr(win, "_workspace_changed", lambda: refreshed.append(True))
    _answer_logon(qtbot, "clerk", PASSWORD)
    assert win.open_workspace(workspace_path)
    assert win.act_matches in win.review_menu.actions() and win.act_matches.isEnabled()
    seen: list[int] = []

    def drive() -> None:
        dialog = QApplication.activeModalWidget()
        if not isinstance(dialog, MatchesDialog):
            QTimer.singleShot(20, drive)
            return
        seen.append(dialog.table.rowCount())
        dialog.different.click()
        seen.append(dialog.table.rowCount())
        dialog.reject()

    QTimer.singleShot(0, drive)
    win.act_matches.trigger()
    assert seen == [1, 0] and refreshed == [True]
    win.close_workspace()
