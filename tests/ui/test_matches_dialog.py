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


ROWS_DOJ_RAUL = [["D-2", "1", "ORTIZ, RAUL", "1981-07-09", "00000077", "187(A) PC", "F",
                  "CONVICTED", "2001-05-01", "2001-01-01", "Fresno"]]  # fmt: skip
ROWS_COURT_RAUL = [["KC-8", "1", "ORTIZ, RAUL", "1981-07-09", "P-992", "11359 HS", "F",
                    "CONVICTED", "2010-05-01", "2010-01-01", "Kern"]]  # fmt: skip


@pytest.fixture
def two_proposals(workspace, tmp_path: Path):  # type: ignore[no-untyped-def]
    for name, key, rows in (
        ("doj", "CII_NUMBER", ROWS_DOJ + ROWS_DOJ_RAUL),
        ("court", "Person ID", ROWS_COURT + ROWS_COURT_RAUL),
    ):
        path = _csv(tmp_path / f"{name}.csv", key, rows)
        assert importing.import_file(workspace, path, user="clerk").status == "imported"
    matches = importing.proposed_matches(workspace)
    assert len(matches) == 2
    return matches


def _select_all(qtbot, dialog: MatchesDialog) -> None:  # type: ignore[no-untyped-def]
    dialog.table.setFocus()
    qtbot.keyClick(dialog.table, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)


@pytest.mark.parametrize("same", [True, False])
def test_several_selected_pairs_are_decided_together_after_one_question(
    qtbot, workspace, two_proposals, monkeypatch, same: bool
) -> None:  # type: ignore[no-untyped-def]
    asked: list[str] = []

    def question(parent, title, text, *args):  # type: ignore[no-untyped-def]
        asked.append(text)
        return QMessageBox.StandardButton.Yes

    monkeypatch.setattr(QMessageBox, "question", question)
    dialog = _dialog(qtbot, workspace)
    assert dialog.same.text() == "&Same person…"  # one line selected at first
    _select_all(qtbot, dialog)
    assert dialog.selected() == [m.id for m in two_proposals]
    assert (dialog.same.text(), dialog.different.text()) == (
        "&Same person (2)…",
        "&Different people (2)…",
    )
    with qtbot.waitSignal(dialog.decided, timeout=2000):
        qtbot.mouseClick(dialog.same if same else dialog.different, Qt.MouseButton.LeftButton)
    assert len(asked) == 1  # one question for the lot
    if same:
        assert "each of the 2 selected pairs into one person" in asked[0]
        assert "for good" in asked[0]
    else:
        assert "Record the 2 selected pairs as different people?" in asked[0]
    assert dialog.table.rowCount() == 0 and importing.proposed_matches(workspace) == []
    assert "You decided 2 pairs here." in dialog.status.text()
    assert "Evaluate eligibility again" in dialog.status.text()
    action = "person.match.confirm" if same else "person.match.reject"
    entries = workspace.conn.execute(
        "SELECT user, action, json_extract(details, '$.match_id') FROM audit "
        "WHERE action LIKE 'person.match.%' ORDER BY seq"
    ).fetchall()
    assert [tuple(e) for e in entries] == [("clerk", action, m.id) for m in two_proposals]
    owners = workspace.conn.execute("SELECT COUNT(DISTINCT person_id) FROM counts").fetchone()[0]
    assert owners == (2 if same else 4)


def test_no_to_the_question_decides_none(qtbot, workspace, two_proposals, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(QMessageBox, "question", lambda *a: QMessageBox.StandardButton.No)
    dialog = _dialog(qtbot, workspace)
    _select_all(qtbot, dialog)
    qtbot.mouseClick(dialog.different, Qt.MouseButton.LeftButton)
    assert dialog.table.rowCount() == 2 and len(importing.proposed_matches(workspace)) == 2


def test_the_current_pair_shows_both_records_cases_side_by_side(
    qtbot, workspace, two_proposals
) -> None:  # type: ignore[no-untyped-def]
    dialog = _dialog(qtbot, workspace)
    left, right = dialog.record_a.toPlainText(), dialog.record_b.toPlainText()
    assert "MORALES, ANA — CII_NUMBER 00000042" in left and "D-1 — Kern County" in left
    assert "187(A) PC · F · CONVICTED 1999-05-01" in left
    assert "KC-7 — Kern County" in right and "11359 HS · F · CONVICTED 2010-05-01" in right
    assert "Line 1 of 2" in dialog.details_title.text()
    qtbot.keyClick(dialog.table, Qt.Key.Key_Down)  # the keyboard moves the current line
    assert "ORTIZ, RAUL — CII_NUMBER 00000077" in dialog.record_a.toPlainText()
    assert "D-2 — Fresno County" in dialog.record_a.toPlainText()
    assert "Line 2 of 2" in dialog.details_title.text()
    assert dialog.selected() == [two_proposals[1].id]


def test_a_pair_decided_elsewhere_meanwhile_refuses_the_batch_and_shows_what_is_open(
    qtbot, workspace, two_proposals, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    errors: list[str] = []
    monkeypatch.setattr("app.ui.matches_dialog.show_error", lambda _p, text: errors.append(text))
    monkeypatch.setattr(QMessageBox, "question", lambda *a: QMessageBox.StandardButton.Yes)
    dialog = _dialog(qtbot, workspace)
    _select_all(qtbot, dialog)
    importing.reject_match(workspace, two_proposals[1].id, user="supervisor")  # another window
    qtbot.mouseClick(dialog.same, Qt.MouseButton.LeftButton)
    assert errors and "already rejected by supervisor; nothing was decided" in errors[0]
    assert [m.id for m in importing.proposed_matches(workspace)] == [two_proposals[0].id]
    assert dialog.table.rowCount() == 1  # reloaded: the one still open


def test_the_keyboard_alone_selects_and_decides(qtbot, workspace, two_proposals, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from PySide6.QtGui import QKeySequence

    monkeypatch.setattr(QMessageBox, "question", lambda *a: QMessageBox.StandardButton.Yes)
    dialog = _dialog(qtbot, workspace)
    keys = [QKeySequence.mnemonic(b.text()).toString() for b in (dialog.same, dialog.different)]
    assert keys == ["Alt+S", "Alt+D"]
    assert dialog.focusWidget() is dialog.table  # the list has the focus when it opens
    qtbot.keyClick(dialog.table, Qt.Key.Key_Down, Qt.KeyboardModifier.ShiftModifier)
    assert dialog.different.text() == "&Different people (2)…"
    # Tab goes from the list through both records to the buttons; Space presses one.
    order = []
    for _ in range(4):
        qtbot.keyClick(dialog.focusWidget(), Qt.Key.Key_Tab)
        order.append(dialog.focusWidget())
    assert order == [dialog.record_a, dialog.record_b, dialog.same, dialog.different]
    with qtbot.waitSignal(dialog.decided, timeout=2000):
        qtbot.keyClick(dialog.different, Qt.Key.Key_Space)
    assert importing.proposed_matches(workspace) == []
