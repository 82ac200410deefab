"""The window under the packs other than California's: a workspace per pack with its own sample
workbook, read the way a clerk, reviewer or supervisor of that county reads it."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QLabel

from app.resources import samples_dir
from app.services.evaluate import evaluate
from app.services.importing import import_file
from tests.conftest import make_workspace
from tests.ui.test_review_window import _wait_idle, open_window


def _pack_workspace(tmp_path: Path, sample: str, policy: str, county: str, profile: str, *, evaluated: bool = True) -> Path:
    ws = make_workspace(tmp_path, policy=policy, county=county)
    import_file(ws, samples_dir() / sample, user="clerk", profile=profile, skip_invalid=True)
    if evaluated:
        evaluate(ws, user="clerk")
    path = ws.path
    ws.close()
    return path


def _seattle(tmp_path: Path, *, evaluated: bool = True) -> Path:
    return _pack_workspace(
        tmp_path, "seattle_municipal.xlsx", "wa-seattle-2018", "King", "sample-seattle-municipal", evaluated=evaluated
    )


def test_the_case_shown_is_reloaded_after_an_evaluation(qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    # The queue reloaded after Evaluate, but the case on screen kept its old text: "Not
    # evaluated yet" beside a queue row saying "1 vacate", until the reviewer moved away and back.
    win, view = open_window(qtbot, _seattle(tmp_path, evaluated=False))
    try:
        assert "Not evaluated yet" in view.case_view.text.toPlainText()
        evaluate(win.ws, user="reviewer")
        win._workspace_changed()  # what the Evaluate dialog's signal calls
        qtbot.waitUntil(lambda: "Recommendation: Eligible: vacate" in view.case_view.text.toPlainText(), timeout=10000)
        assert "Not evaluated yet" not in view.case_view.text.toPlainText()
        assert view.detail is not None and view.detail.counts[0].outcome == "eligible_vacate"
        _wait_idle(qtbot, view)
    finally:
        win.close_workspace()


def _outcome_choices(view) -> list[str]:  # type: ignore[no-untyped-def]
    combo = view.filter_bar.outcome
    return [combo.itemText(i) for i in range(combo.count())]


def test_the_recommendation_filter_offers_only_what_the_policy_can_recommend(qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    # Seattle's order vacates: the filter offered "Eligible: dismiss" and "Eligible: reduce" too,
    # each an empty queue that no Seattle case can ever fill.
    win, view = open_window(qtbot, _seattle(tmp_path))
    try:
        qtbot.waitUntil(lambda: len(_outcome_choices(view)) < 7, timeout=10000)
        assert _outcome_choices(view) == [
            "Any outcome", "Eligible: vacate", "Not eligible", "Needs review", "Not evaluated",
        ]
        view.filter_bar.outcome.setCurrentIndex(1)
        qtbot.waitUntil(lambda: view.count_label.text().startswith("27 cases"), timeout=10000)
        # A reload keeps the chosen recommendation.
        view.refresh()
        _wait_idle(qtbot, view)
        assert view.filter_bar.outcome.currentData() == "eligible_vacate"
    finally:
        win.close_workspace()


def test_filter_choices_follow_the_policy_and_what_the_run_gave(tmp_path: Path) -> None:
    from app.services.review import filter_choices
    from app.store.workspace import Workspace

    for folder, policy, county, expected in (
        ("md", "md-2022-auto-expunge", "Montgomery", ["eligible_dismiss", "not_eligible", "needs_review", "none"]),
        ("ca", "ca-prop64-state", "Kern", ["eligible_dismiss", "eligible_reduce", "not_eligible", "needs_review", "none"]),
    ):
        (tmp_path / folder).mkdir()
        ws = make_workspace(tmp_path / folder, policy=policy, county=county)
        try:
            assert filter_choices(ws)["outcomes"] == expected
        finally:
            ws.close()
    # An outcome the current run gave is offered even if the policy gives it no more (a run
    # under an earlier version of the pack): the reviewer must still be able to find those cases.
    with Workspace.open(_seattle(tmp_path)) as ws:
        ws.conn.execute("UPDATE recommendations SET outcome = 'eligible_reduce' WHERE count_id = 1")
        assert filter_choices(ws)["outcomes"] == ["eligible_reduce", "eligible_vacate", "not_eligible", "needs_review", "none"]


def test_a_count_without_a_number_in_the_data_is_named_by_its_place_in_the_case(qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    # The Seattle export has no count column: the window said "Count 3" of case 100002 (one
    # count) and "count 34 of case 100033" — the workspace's record number, which no court file has.
    from app.ui.review.dialogs import OverrideDialog

    win, view = open_window(qtbot, _seattle(tmp_path))
    try:
        row = next(r for r in range(view.model.rowCount()) if view.model.cached_row(r).case_number == "100033")
        view.select_row(row)
        qtbot.waitUntil(lambda: view.detail is not None and view.detail.case.case_number == "100033", timeout=10000)
        assert view.detail.counts[0].count_id != 1 and view.detail.counts[0].count_number is None
        text = view.case_view.text.toPlainText()
        assert "Count 1: 69.50" in text and f"Count {view.detail.counts[0].count_id}:" not in text
        assert view.case_view.scope.itemText(1).startswith("Count 1: ")
        seen: list[str] = []

        def read_and_cancel() -> None:
            from PySide6.QtWidgets import QApplication

            dialog = QApplication.activeModalWidget()
            if not isinstance(dialog, OverrideDialog):
                QTimer.singleShot(20, read_and_cancel)
                return
            seen.append(" ".join(label.text() for label in dialog.findChildren(QLabel)))
            dialog.reject()

        QTimer.singleShot(0, read_and_cancel)
        view.case_view.scope.setCurrentIndex(1)
        view.override()
        assert "count 1 of case 100033" in seen[0]
    finally:
        win.close_workspace()


def test_possible_same_people_in_baltimore_city_do_not_read_city_county(qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    # Baltimore City is not a county: the pair read "BALTIMORE CITY DISTRICT COURT, BALTIMORE
    # CITY County" (and a Baltimore County case would read "BALTIMORE COUNTY County").
    from app.services import auth
    from app.store.workspace import Workspace
    from app.ui.matches_dialog import MatchesDialog
    from tests.conftest import PASSWORD

    path = _pack_workspace(
        tmp_path, "baltimore_city.xlsx", "md-baltimore-2019", "Baltimore City", "sample-baltimore-city", evaluated=False
    )
    with Workspace.open(path) as ws:
        dialog = MatchesDialog(ws, auth.login(ws, "reviewer", PASSWORD))
        qtbot.addWidget(dialog)
        assert dialog.matches, "the Baltimore sample has a possible same person"
        left = dialog.record_a.toPlainText()
        assert "BALTIMORE CITY DISTRICT COURT, BALTIMORE CITY" in left
        assert "CITY County" not in left + dialog.record_b.toPlainText()


def test_seattle_export_says_the_letters_need_addresses_and_the_preview_counts_them(qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    # The Seattle packet gained a notice to each person; the export said only "12 files", and
    # nothing told the supervisor the letters go out without addresses.
    from PySide6.QtPrintSupport import QPrintPreviewDialog
    from PySide6.QtWidgets import QApplication, QComboBox

    from app.services import auth, review
    from app.services.signoff import signoff
    from app.store.workspace import Workspace
    from app.ui.signoff_dialogs import ExportDialog
    from tests.conftest import PASSWORD

    path = _seattle(tmp_path)
    with Workspace.open(path) as ws:
        reviewer = auth.login(ws, "reviewer", PASSWORD)
        review.refresh(ws)  # the queue summary the bulk accept reads (the window does this on open)
        preview = review.bulk_preview(ws, reviewer)
        review.bulk_accept(ws, reviewer, None, "Checked against the court index.", expected_counts=preview.counts)
        supervisor = auth.login(ws, "supervisor", PASSWORD)
        signoff(ws, supervisor, PASSWORD)
        dialog = ExportDialog(ws, path, supervisor, None, start_dir=tmp_path)
        qtbot.addWidget(dialog)
        dialog.folder.setText(str(tmp_path / "packet"))
        dialog.export()
        assert dialog.runner.wait_idle(60000)  # not waitUntil: see test_signoff_dialogs
        assert dialog.report is not None
        result = dialog.result.text()
        assert "letter to each person (notices-vacate.docx, notices-vacate.pdf)" in result
        assert "mailing address" in result
        # Every line of the result shows: the dialog grows to the wrapped notes, cutting none.
        dialog.show()
        qtbot.waitExposed(dialog)
        assert dialog.result.height() >= dialog.result.heightForWidth(dialog.result.width())
        assert dialog.result.geometry().bottom() < dialog.export_button.geometry().top() + dialog.export_button.parentWidget().y()
        assert [p.name for p in (tmp_path / "packet").glob("notices-*.pdf")] == ["notices-vacate.pdf"]

        choices: list[str] = []

        def read_and_close() -> None:
            shown = QApplication.activeModalWidget()
            if not isinstance(shown, QPrintPreviewDialog):
                QTimer.singleShot(20, read_and_close)
                return
            chooser = shown.findChild(QComboBox, "filingChooser")
            choices.extend(chooser.itemText(i) for i in range(chooser.count()))
            shown.reject()

        QTimer.singleShot(0, read_and_close)
        dialog.print_preview()
        eligible = sum(1 for r in ws.conn.execute("SELECT 1 FROM recommendations WHERE outcome = 'eligible_vacate'"))
        assert choices[-1] == f"Notice to each person ({eligible} letters)"
        assert "Motion to vacate and dismiss" in choices[0]
        dialog.done(0)
