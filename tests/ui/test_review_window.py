"""The review screen in the real main window on a seeded workspace, driven with qtbot."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QCoreApplication, Qt, QTimer, QTranslator
from PySide6.QtWidgets import QApplication

from app.ui.dialogs import LogonDialog
from app.ui.main_window import MainWindow
from tests.conftest import PASSWORD, make_workspace
from tests.review_seed import known_policy, seed_small  # noqa: F401 - fixture


def _logon(username: str) -> None:
    def fill() -> None:
        dialog = QApplication.activeModalWidget()
        if not isinstance(dialog, LogonDialog):
            QTimer.singleShot(20, fill)
            return
        dialog.username.setText(username)
        dialog.password.setText(PASSWORD)
        dialog.try_logon()

    QTimer.singleShot(0, fill)


@pytest.fixture
def seeded_path(tmp_path: Path, known_policy: None) -> tuple[Path, object]:  # noqa: F811 - the fixture
    ws = make_workspace(tmp_path)
    seed = seed_small(ws)
    path = ws.path
    ws.close()
    return path, seed


def open_window(qtbot, path: Path, username: str = "reviewer"):  # type: ignore[no-untyped-def]
    win = MainWindow()
    qtbot.addWidget(win)
    win.show()
    _logon(username)
    assert win.open_workspace(path)
    view = win.work_area
    qtbot.waitUntil(lambda: view.ready and view.detail is not None, timeout=10000)
    with qtbot.waitActive(win):
        win.activateWindow()
    return win, view


def decisions(path: Path) -> list[tuple]:  # type: ignore[type-arg]
    from app.store.workspace import Workspace

    with Workspace.open(path) as ws:
        return [tuple(r) for r in ws.conn.execute(
            "SELECT ca.case_number, c.count_number, d.action, d.status, d.final_outcome, d.reason, d.user "
            "FROM decisions d JOIN counts c ON c.id = d.count_id JOIN cases ca ON ca.id = c.case_id ORDER BY d.id")]


def test_open_shows_the_queue_and_the_first_case(qtbot, seeded_path) -> None:  # type: ignore[no-untyped-def]
    path, _ = seeded_path
    win, view = open_window(qtbot, path)
    try:
        assert view.model.rowCount() == 6
        assert "6 cases" in view.count_label.text()
        assert view.detail.case.case_number == "BA100001"
        html = view.case_view.text.toPlainText()
        assert "Núñez, María" in html and "HS 11361.8(f)" in html and "kern-doj.xlsx" in html
        assert "History across every source" in html
    finally:
        win.close_workspace()


def _wait_idle(qtbot, view) -> None:  # type: ignore[no-untyped-def]
    assert view.runner.wait_idle(10000)
    qtbot.wait(10)
    assert view.runner.wait_idle(10000)


def _answer_dialog(cls_name: str, *, outcome: str | None = None, reason: str = "", press_ok: bool = True,
                   seen: list | None = None) -> None:  # type: ignore[type-arg]
    """Fill in the next modal review dialog: choose an outcome, type a reason, press OK."""

    def fill() -> None:
        dialog = QApplication.activeModalWidget()
        if dialog is None or type(dialog).__name__ != cls_name:
            QTimer.singleShot(20, fill)
            return
        if seen is not None:
            seen.append(dialog)
        if outcome is not None:
            dialog.outcome.setCurrentIndex(dialog.outcome.findData(outcome))
        dialog.reason.setPlainText(reason)
        ok = dialog.buttons.button(dialog.buttons.StandardButton.Ok)
        if seen is not None:
            seen.append(ok.isEnabled())
        if press_ok and ok.isEnabled():
            ok.click()
        else:
            dialog.accept()  # refused without a reason: stays open
            if dialog.isVisible():
                dialog.reject()

    QTimer.singleShot(0, fill)


def test_keyboard_accept_and_next_then_undo_and_redo(qtbot, seeded_path) -> None:  # type: ignore[no-untyped-def]
    path, _ = seeded_path
    win, view = open_window(qtbot, path)
    try:
        qtbot.keyClick(view.table, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
        _wait_idle(qtbot, view)
        assert [d[:5] for d in decisions(path)] == [
            ("BA100001", "1", "accept", "decided", "eligible_dismiss"),
            ("BA100001", "2", "accept", "decided", "eligible_reduce"),
        ]
        qtbot.waitUntil(lambda: view.detail is not None and view.detail.case.case_number == "BA100002")
        assert view.model.cached_row(0).status == "done"
        # A needs-review case: Ctrl+Enter does not accept it and does not move on.
        qtbot.keyClick(view.table, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
        _wait_idle(qtbot, view)
        assert len(decisions(path)) == 2 and view.current_row() == 1
        assert "need review" in view.case_view.message.text()
        # Undo (the standard key) appends compensating rows and goes back to that case.
        qtbot.keyClick(view.table, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
        _wait_idle(qtbot, view)
        rows = decisions(path)
        assert [r[2:4] for r in rows[2:]] == [("undo", "undecided"), ("undo", "undecided")]
        qtbot.waitUntil(lambda: view.detail is not None and view.detail.case.case_number == "BA100001")
        view.act_redo.trigger()
        _wait_idle(qtbot, view)
        assert [r[2] for r in decisions(path)[4:]] == ["accept", "accept"]
        # Alt+Right / Alt+Left move through the queue.
        qtbot.keyClick(view.table, Qt.Key.Key_Right, Qt.KeyboardModifier.AltModifier)
        assert view.current_row() == 1
        qtbot.keyClick(view.table, Qt.Key.Key_Left, Qt.KeyboardModifier.AltModifier)
        assert view.current_row() == 0
    finally:
        win.close_workspace()


def test_override_refuses_without_a_reason_and_records_one(qtbot, seeded_path) -> None:  # type: ignore[no-untyped-def]
    path, _ = seeded_path
    win, view = open_window(qtbot, path)
    try:
        view.select_row(1)
        qtbot.waitUntil(lambda: view.detail.case.case_number == "BA100002")
        assert "Question for you" in view.case_view.text.toPlainText()
        seen: list = []
        _answer_dialog("OverrideDialog", outcome="eligible_dismiss", reason="  ", press_ok=False, seen=seen)
        qtbot.keyClick(view.table, Qt.Key.Key_O, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
        _wait_idle(qtbot, view)
        assert seen and seen[1] is False  # OK disabled without a reason
        # Only what the policy's filings can ask for: Prop 64 gives no "vacate".
        choices = [seen[0].outcome.itemData(i) for i in range(seen[0].outcome.count())]
        assert choices == ["eligible_dismiss", "eligible_reduce", "not_eligible"]
        assert decisions(path) == []
        _answer_dialog("OverrideDialog", outcome="eligible_dismiss", reason="Lab report: 2 g of concentrate.")
        view.act_override.trigger()  # the same action the shortcut fired above
        _wait_idle(qtbot, view)
        assert decisions(path) == [("BA100002", "1", "override", "decided", "eligible_dismiss", "Lab report: 2 g of concentrate.", "reviewer")]
        qtbot.waitUntil(lambda: "Lab report" in view.case_view.text.toPlainText())
    finally:
        win.close_workspace()


def test_flag_with_a_note_and_skip(qtbot, seeded_path) -> None:  # type: ignore[no-untyped-def]
    path, _ = seeded_path
    win, view = open_window(qtbot, path)
    try:
        _answer_dialog("FlagDialog", reason="Ask the supervisor about the priors")
        view.act_flag.trigger()
        _wait_idle(qtbot, view)
        view.act_skip.trigger()  # now on the second case
        _wait_idle(qtbot, view)
        assert [d[2:4] for d in decisions(path)] == [("flag", "flagged"), ("flag", "flagged"), ("skip", "skipped")]
    finally:
        win.close_workspace()


def test_filter_and_search_narrow_the_queue(qtbot, seeded_path) -> None:  # type: ignore[no-untyped-def]
    path, _ = seeded_path
    win, view = open_window(qtbot, path)
    try:
        bar = view.filter_bar
        bar.outcome.setCurrentIndex(bar.outcome.findData("needs_review"))
        qtbot.waitUntil(lambda: view.model.rowCount() == 1)
        _wait_idle(qtbot, view)
        assert "needs review" in view.count_label.text().lower() or "Needs review" in view.count_label.text()
        bar.outcome.setCurrentIndex(0)
        qtbot.waitUntil(lambda: view.model.rowCount() == 6)
        qtbot.keyClick(view.table, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
        assert bar.search.hasFocus()
        qtbot.keyClicks(bar.search, "smith")
        qtbot.waitUntil(lambda: view.model.rowCount() == 3, timeout=3000)
        bar.search.clear()
        qtbot.keyClicks(bar.search, "BA4")
        qtbot.waitUntil(lambda: view.model.rowCount() == 1, timeout=3000)
        _wait_idle(qtbot, view)
        qtbot.waitUntil(lambda: view.detail is not None and view.detail.case.case_number == "BA400001")
        bar.search.clear()
        qtbot.waitUntil(lambda: view.model.rowCount() == 6, timeout=3000)
        _wait_idle(qtbot, view)
        bar.place.setCurrentIndex(bar.place.findData("Fresno"))
        qtbot.waitUntil(lambda: view.model.rowCount() == 1)
    finally:
        win.close_workspace()


def test_bulk_accept_states_count_and_filter_and_is_one_undo_step(qtbot, seeded_path) -> None:  # type: ignore[no-untyped-def]
    path, _ = seeded_path
    win, view = open_window(qtbot, path)
    try:
        bar = view.filter_bar
        bar.place.setCurrentIndex(bar.place.findData("Kern"))
        qtbot.waitUntil(lambda: view.model.rowCount() == 5)
        _wait_idle(qtbot, view)
        seen: list = []
        _answer_dialog("BulkAcceptDialog", reason="Clear Kern cases per the office policy", seen=seen)
        qtbot.keyClick(view.table, Qt.Key.Key_B, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
        qtbot.waitUntil(lambda: len(decisions(path)) == 5, timeout=5000)
        _wait_idle(qtbot, view)
        assert "Accept the recommendation of 5 counts in 4 cases where the county or court is Kern" in seen[0].intro.text()
        assert all(d[2] == "accept" and d[5] == "Clear Kern cases per the office policy" for d in decisions(path))
        from app.store.workspace import Workspace

        with Workspace.open(path) as ws:
            assert ws.conn.execute("SELECT count(*) FROM audit WHERE action = 'review.bulk_accept'").fetchone()[0] == 1
        view.act_undo.trigger()
        _wait_idle(qtbot, view)
        assert [d[3] for d in decisions(path)[5:]] == ["undecided"] * 5
    finally:
        win.close_workspace()


def test_progress_view_and_shortcut_legend(qtbot, seeded_path) -> None:  # type: ignore[no-untyped-def]
    path, _ = seeded_path
    win, view = open_window(qtbot, path)
    try:
        view.act_accept.trigger()
        _wait_idle(qtbot, view)
        qtbot.keyClick(view.table, Qt.Key.Key_P, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
        qtbot.waitUntil(lambda: view.progress_view.figures is not None)
        text = view.progress_view.summary_text()
        assert "0 of 6 cases done" not in text and "1 of 6 cases done" in text
        assert "reviewer: 2 decided" in text
        image = view.progress_view.grab()
        assert not image.isNull() and image.width() > 300
        view.tabs.setCurrentIndex(0)
        qtbot.keyClick(view.table, Qt.Key.Key_F1)
        qtbot.waitUntil(lambda: getattr(view, "legend", None) is not None and view.legend.isVisible())
        legend = view.legend.text.toPlainText()
        for words in ("Accept and next", "Override", "Previous case", "Zoom in", "Undo decision"):
            assert words in legend
        view.legend.close()
        # No two actions of the window share a shortcut (an ambiguous one fires neither).
        keys = [k.toString() for a in win.actions() for k in a.shortcuts() if not k.isEmpty()]
        assert len(keys) == len(set(keys)), sorted(k for k in keys if keys.count(k) > 1)
    finally:
        win.close_workspace()


def test_zoom_persists(qtbot, seeded_path) -> None:  # type: ignore[no-untyped-def]
    path, _ = seeded_path
    win, view = open_window(qtbot, path)
    try:
        size = view.table.font().pointSizeF()
        qtbot.keyClick(view.table, Qt.Key.Key_Equal, Qt.KeyboardModifier.ControlModifier)
        assert view.table.font().pointSizeF() == size + 1
    finally:
        win.close_workspace()
    win2, view2 = open_window(qtbot, path)
    try:
        assert view2.zoom_level == view.zoom_level
        view2._apply_zoom(0, save=True)
    finally:
        win2.close_workspace()


def test_dragged_column_widths_persist_follow_the_zoom_and_reset(qtbot, seeded_path) -> None:  # type: ignore[no-untyped-def]
    from app.ui.application import settings
    from app.ui.review.queue_model import COL_CASE, COL_KEY
    from app.ui.review.workspace_view import COLUMN_WIDTHS_KEY

    path, _ = seeded_path
    win, view = open_window(qtbot, path)
    try:
        header = view.table.horizontalHeader()
        default = header.sectionSize(COL_CASE)
        header.resizeSection(COL_CASE, default + 90)  # what dragging the header's edge does
    finally:
        win.close_workspace()
    win, view = open_window(qtbot, path)
    try:
        header = view.table.horizontalHeader()
        assert abs(header.sectionSize(COL_CASE) - (default + 90)) <= 2
        # Kept in characters, so a zoom widens the dragged column like the others.
        before = header.sectionSize(COL_CASE)
        view.zoom(+2)
        assert header.sectionSize(COL_CASE) > before + 10
        view._apply_zoom(0, save=True)
        # The last column stretches with the window: its width is never remembered.
        header.resizeSection(COL_KEY, 400)
        assert "person_key" not in view.column_widths
        menu_texts = [a.text() for a in win.view_menu.actions()]
        assert "Reset &column widths" in menu_texts
        view.act_reset_columns.trigger()
        assert header.sectionSize(COL_CASE) == default
        assert settings().value(COLUMN_WIDTHS_KEY) is None
    finally:
        win.close_workspace()
    win, view = open_window(qtbot, path)
    try:
        assert view.table.horizontalHeader().sectionSize(COL_CASE) == default
    finally:
        win.close_workspace()


@pytest.mark.parametrize("saved", ["not json", "[1, 2]", '{"case_number": -5, "bogus": 30, "name": "wide"}'])
def test_a_damaged_saved_width_is_ignored(qtbot, seeded_path, saved) -> None:  # type: ignore[no-untyped-def]
    from app.ui.application import settings
    from app.ui.review.queue_model import COL_CASE, COL_NAME
    from app.ui.review.workspace_view import COLUMN_WIDTHS_KEY

    path, _ = seeded_path
    win, view = open_window(qtbot, path)
    try:
        header = view.table.horizontalHeader()
        defaults = header.sectionSize(COL_NAME), header.sectionSize(COL_CASE)
    finally:
        win.close_workspace()
    settings().setValue(COLUMN_WIDTHS_KEY, saved)
    win, view = open_window(qtbot, path)
    try:
        header = view.table.horizontalHeader()
        assert (header.sectionSize(COL_NAME), header.sectionSize(COL_CASE)) == defaults
    finally:
        view.reset_column_widths()
        win.close_workspace()


def test_clerk_reads_but_cannot_decide(qtbot, seeded_path) -> None:  # type: ignore[no-untyped-def]
    path, _ = seeded_path
    win, view = open_window(qtbot, path, "clerk")
    try:
        assert not view.act_accept.isEnabled() and not view.act_bulk.isEnabled()
        # The decision bar too (it stayed enabled and did nothing when clicked).
        qtbot.waitUntil(lambda: view.case_view.detail is not None, timeout=5000)
        bar = view.case_view
        assert not any(
            b.isEnabled()
            for b in (bar.accept_button, bar.override_button, bar.flag_button, bar.skip_button)
        )
        view.accept_and_next()
        _wait_idle(qtbot, view)
        assert decisions(path) == []
    finally:
        win.close_workspace()


def test_queue_model_passes_qtmodeltester(qtmodeltester, qtbot) -> None:  # type: ignore[no-untyped-def]
    from array import array

    from app.store.review import QueueRow
    from app.ui.review.queue_model import COL_CASE, QueueModel

    def row(i: int) -> QueueRow:
        return QueueRow(i, i, f"Person {i}", f"K{i}", f"C{i}", "Court", "County", "2000-01-01", 2,
                        {"eligible_dismiss": 1, "needs_review": 1}, 0, 0, 0, 0, "new", None)

    def loader(ids, done):  # type: ignore[no-untyped-def]
        QTimer.singleShot(0, lambda: done([row(i) for i in ids]))

    model = QueueModel(loader)
    model.set_ids(array("q", range(1, 351)))
    qtmodeltester.check(model)
    qtbot.waitUntil(lambda: model.cached_row(0) is not None)
    qtmodeltester.check(model)
    assert model.data(model.index(349, COL_CASE)) in ("…", "C350")


class _MarkingTranslator(QTranslator):
    """Marks every case-view text it is asked for, so a test sees which texts go through tr()."""

    def translate(self, context: str, source: str, disambiguation: str | None = None, n: int = -1) -> str:  # type: ignore[override]
        # The outcome words are shared by every window (dialogs.outcome_label, context "Outcome").
        return f"«{source}»" if context in ("CaseView", "Outcome") else ""

    def isEmpty(self) -> bool:  # noqa: N802 - Qt API
        return False


def test_case_view_speaks_plainly_and_through_tr(qtbot, seeded_path) -> None:  # type: ignore[no-untyped-def]
    import re

    from app.ui.dialogs import local_datetime as local_time

    path, _ = seeded_path
    win, view = open_window(qtbot, path)
    try:
        view.act_accept.trigger()
        _wait_idle(qtbot, view)
        view.select_row(0)
        qtbot.waitUntil(lambda: view.detail is not None and view.detail.case.case_number == "BA100001")
        qtbot.waitUntil(lambda: "Decision: Eligible: dismiss by reviewer" in view.case_view.text.toPlainText())
        text = view.case_view.text.toPlainText()
        # The policy by its name, not its id; the id is only small print after it.
        assert "Evaluated under California Prop 64 — statewide" in text
        assert "under ca-prop64-state" not in text
        # A reason reads as words with its citation; the rule's code comes after, as small print.
        reason = "Possession of 28.5 g or less by an adult is lawful under HS 11362.1; dismiss and seal (HS 11361.8(f)). [HS 11361.8(f)]"
        assert reason in text and text.index(reason) < text.index("CA-11357B-DISMISS")
        # Decision times are local and readable, never the stored UTC stamp.
        assert not re.search(r"\d{4}-\d\d-\d\dT\d\d:\d\d", text), text
        stamp = decisions_at(path)[0]
        assert f"by reviewer on {local_time(stamp)}" in text
        assert "Decided: Eligible" not in text  # the outcome says it was decided
        # Every sentence of the case text goes through tr() (a Spanish translation can follow).
        translator = _MarkingTranslator()
        QCoreApplication.installTranslator(translator)
        try:
            view.case_view.show_detail(view.detail)
            marked = view.case_view.text.toPlainText()
        finally:
            QCoreApplication.removeTranslator(translator)
        for words in ("«History across every source»", "«Recommendation:»", "«Decision:»", "«Date»",
                      "«Evaluated under ", "«Person key: ", "«Eligible: dismiss»"):
            assert words in marked, words
    finally:
        win.close_workspace()


def decisions_at(path: Path) -> list[str]:
    from app.store.workspace import Workspace

    with Workspace.open(path) as ws:
        return [r[0] for r in ws.conn.execute("SELECT at FROM decisions ORDER BY id")]


def test_an_empty_workspace_points_to_the_import(qtbot, tmp_path: Path, known_policy: None) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    ws = make_workspace(tmp_path)
    path = ws.path
    ws.close()
    win = MainWindow()
    qtbot.addWidget(win)
    win.show()
    _logon("reviewer")
    assert win.open_workspace(path)
    view = win.work_area
    try:
        qtbot.waitUntil(lambda: view.ready, timeout=10000)
        assert view.count_label.text() == "0 cases"
        shown = view.case_view.text.toPlainText()
        assert "no cases in this workspace yet" in shown and "File ▸ Import spreadsheet" in shown
        assert "filter" not in shown
        # With a filter set, the same empty queue is the filter's doing.
        view.filter_bar.rereview.setChecked(True)
        qtbot.waitUntil(lambda: "Change the filter" in view.case_view.text.toPlainText(), timeout=5000)
    finally:
        win.close_workspace()


def test_counts_are_worded_for_one_and_many(qtbot, seeded_path) -> None:  # type: ignore[no-untyped-def]
    path, _ = seeded_path
    win, view = open_window(qtbot, path)
    try:
        assert view.count_label.text() == "6 cases"
        view.filter_bar.place.setCurrentIndex(view.filter_bar.place.findData("Fresno"))
        qtbot.waitUntil(lambda: view.model.rowCount() == 1)
        _wait_idle(qtbot, view)
        assert view.count_label.text().startswith("1 case where")
    finally:
        win.close_workspace()
