"""The import wizard driven for real with pytest-qt: real files, a real workspace, real threads."""

from __future__ import annotations

import io
import multiprocessing
import zipfile
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHeaderView,
    QLineEdit,
    QProgressBar,
    QSpinBox,
    QWidget,
    QWizard,
)

from app.ingest.findings import Finding, Severity
from app.ui.import_pages import backend
from app.ui.import_wizard import PAGE_FILE, PAGE_IMPORT, PAGE_MAPPING, PAGE_VALIDATE, ImportWizard
from tests.ui.import_files import write_csv, write_workbook

WAIT_MS = 20_000


@pytest.fixture
def clerk(login):  # type: ignore[no-untyped-def]
    return login("clerk")


@pytest.fixture
def wizard(qtbot, workspace, clerk):  # type: ignore[no-untyped-def]
    wiz = ImportWizard(workspace, clerk)
    qtbot.addWidget(wiz)
    wiz.show()
    yield wiz
    if wiz.import_page.is_running():
        wiz.import_page.task.wait()
    wiz.validate_page.stop()
    wiz.runner.shutdown()


@pytest.fixture
def workbook(tmp_path: Path) -> Path:
    return write_workbook(tmp_path / "kern-court-export.xlsx")


def _counts(ws) -> int:  # type: ignore[no-untyped-def]
    return ws.conn.execute("SELECT count(*) FROM counts").fetchone()[0]


def _validated(qtbot, wiz: ImportWizard) -> backend.Validation:  # type: ignore[no-untyped-def]
    qtbot.waitUntil(lambda: wiz.state.validation is not None and not wiz.validate_page.is_running(), timeout=WAIT_MS)
    assert wiz.state.validation is not None
    return wiz.state.validation


def _load(qtbot, wiz: ImportWizard, path: Path, **kwargs: object) -> bool:  # type: ignore[no-untyped-def]
    """Load a file in the first page (read on a worker thread) and wait until it is shown."""
    with qtbot.waitSignal(wiz.file_page.loaded, timeout=WAIT_MS) as blocker:
        wiz.file_page.load(path, **kwargs)
    return bool(blocker.args[0])


def _select(qtbot, wiz: ImportWizard, sheet: str) -> bool:  # type: ignore[no-untyped-def]
    with qtbot.waitSignal(wiz.file_page.loaded, timeout=WAIT_MS) as blocker:
        wiz.file_page.select_sheet(sheet)
    return bool(blocker.args[0])


def _to_cases_mapping(qtbot, wiz: ImportWizard, workbook: Path) -> None:  # type: ignore[no-untyped-def]
    assert _load(qtbot, wiz, workbook)
    assert _select(qtbot, wiz, "Cases")
    wiz.next()
    assert wiz.currentId() == PAGE_MAPPING


# -- page 1: file, sheets, header row --------------------------------------------------------------


def test_every_sheet_is_listed_with_its_state_and_a_hidden_one_can_be_read(qtbot, wizard, workbook: Path) -> None:  # type: ignore[no-untyped-def]
    page = wizard.file_page
    assert _load(qtbot, wizard, workbook)
    listed = [(page.sheets.item(r, 0).text(), page.sheets.item(r, 1).text()) for r in range(page.sheets.rowCount())]
    assert listed == [
        ("Read me", "visible"),
        ("Cases", "visible"),
        ("Archive 2019", "hidden"),
        ("Lookup", "very hidden"),
    ]
    assert wizard.state.inspection.sheet == "Read me"  # the first visible sheet with data
    assert "hidden sheets" in page.notes.text()

    # Choosing the hidden sheet in the list reads it.
    with qtbot.waitSignal(page.loaded, timeout=WAIT_MS):
        page.sheets.selectRow(2)
    assert wizard.state.inspection.sheet == "Archive 2019"
    # The note names only the hidden sheets not read; the one read is warned about instead.
    assert "“Archive 2019” is hidden in Excel" in page.warning.text()
    assert "other hidden sheets: 'Lookup' (very hidden)" in page.notes.text(), page.notes.text()
    assert "Archive" not in page.notes.text()
    texts = [page.model.index(r, 2).data() for r in range(page.model.rowCount())]
    assert "SMITH, AL" in texts
    assert page.sheets.selectionModel().selectedRows()[0].row() == 2


def _hidden_data_book(path: Path, *, visible_data: bool) -> Path:
    """A workbook with a visible sheet (empty unless ``visible_data``) and a hidden one with rows."""
    import xlsxwriter

    book = xlsxwriter.Workbook(str(path))
    front = book.add_worksheet("Front")
    if visible_data:
        front.write_row(0, 0, ["Case Number", "Defendant Name", "Charge"])
        front.write_row(1, 0, ["V1", "DOE, JOHN", "11357 HS"])
    notes = book.add_worksheet("Notes")
    notes.write_row(0, 0, ["Case Number", "Defendant Name", "DOB", "Charge"])
    for i in range(3):
        notes.write_row(i + 1, 0, [f"F00{i}", "ROE, JANE", "1980-01-02", "11357 HS"])
    notes.hide()
    book.close()
    return path


def _listed(page) -> list[tuple[str, str]]:  # type: ignore[no-untyped-def]
    return [(page.sheets.item(r, 0).text(), page.sheets.item(r, 1).text()) for r in range(page.sheets.rowCount())]


def test_a_workbook_with_data_only_on_a_hidden_sheet_lists_its_sheets_to_choose_from(qtbot, wizard, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    page = wizard.file_page
    path = _hidden_data_book(tmp_path / "only_hidden.xlsx", visible_data=False)
    assert not _load(qtbot, wizard, path)
    # Not a dead end: every sheet with its state, to choose from, and what to do in words.
    assert not page.error.isVisibleTo(wizard)
    assert _listed(page) == [("Front", "visible"), ("Notes", "hidden")]
    assert page.sheets.isEnabled() and page.sheets.hasFocus()
    assert page.warning.isVisibleTo(wizard)
    said = page.warning.text()
    assert "No visible sheet in only_hidden.xlsx has any data" in said and "hidden" in said, said
    assert "--" not in said
    assert not wizard.button(QWizard.WizardButton.NextButton).isEnabled()

    # The empty visible sheet says so and keeps the list; the hidden one is read.
    with qtbot.waitSignal(page.loaded, timeout=WAIT_MS) as blocker:
        page.sheets.selectRow(0)
    assert blocker.args == [False]
    assert "the sheet is empty" in page.error.text()
    assert _listed(page) == [("Front", "visible"), ("Notes", "hidden")]
    with qtbot.waitSignal(page.loaded, timeout=WAIT_MS) as blocker:
        page.sheets.selectRow(1)
    assert blocker.args == [True]
    assert wizard.state.inspection.sheet == "Notes"
    assert not page.error.isVisibleTo(wizard)
    warning = page.warning.text()
    assert "“Notes” is hidden in Excel" in warning and "Make sure it holds the data" in warning, warning
    assert "hidden sheets" not in page.notes.text(), page.notes.text()  # no other is hidden
    assert page.model.index(1, 0).data() == "F000"
    wizard.next()
    assert wizard.currentId() == PAGE_MAPPING


def test_choosing_a_hidden_sheet_beside_visible_data_warns_that_it_is_hidden(qtbot, wizard, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    page = wizard.file_page
    assert _load(qtbot, wizard, _hidden_data_book(tmp_path / "both.xlsx", visible_data=True))
    assert wizard.state.inspection.sheet == "Front"
    assert not page.warning.isVisibleTo(wizard)
    with qtbot.waitSignal(page.loaded, timeout=WAIT_MS):
        page.sheets.selectRow(1)
    assert wizard.state.inspection.sheet == "Notes"
    assert "“Notes” is hidden in Excel" in page.warning.text()
    with qtbot.waitSignal(page.loaded, timeout=WAIT_MS):
        page.sheets.selectRow(0)
    assert wizard.state.inspection.sheet == "Front"
    assert not page.warning.isVisibleTo(wizard)


def test_files_are_read_off_the_ui_thread_and_only_the_newest_choice_counts(qtbot, wizard, workbook: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    page = wizard.file_page
    results: list[bool] = []
    page.loaded.connect(results.append)
    page.load(workbook)
    assert page.reading and page.reading_bar.isVisibleTo(wizard)
    assert not wizard.button(QWizard.WizardButton.NextButton).isEnabled()
    csv = write_csv(tmp_path / "court.csv", rows=2)
    page.load(csv)  # changed their mind before the workbook was read
    qtbot.waitUntil(lambda: not page.reading and wizard.state.inspection is not None, timeout=WAIT_MS)
    wizard.runner.wait_idle()
    assert results == [True]
    assert wizard.state.inspection.path == csv
    assert wizard.button(QWizard.WizardButton.NextButton).isEnabled()
    assert not page.reading_bar.isVisibleTo(wizard)


def test_browse_and_typing_a_path_both_read_the_file(qtbot, wizard, tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    csv = write_csv(tmp_path / "court.csv", rows=2)
    asked: list[str] = []

    def choose(parent, title, start, filters):  # type: ignore[no-untyped-def]
        asked.append(filters)
        return str(csv), filters

    monkeypatch.setattr("app.ui.import_wizard.QFileDialog.getOpenFileName", choose)
    page = wizard.file_page
    with qtbot.waitSignal(page.loaded, timeout=WAIT_MS):
        qtbot.mouseClick(page.browse, Qt.MouseButton.LeftButton)
    assert "*.xlsx" in asked[0] and "*.csv" in asked[0]
    assert wizard.state.inspection.path == csv

    other = write_csv(tmp_path / "other.csv", rows=3)
    page.path_edit.setFocus()
    page.path_edit.setText(str(other))
    with qtbot.waitSignal(page.loaded, timeout=WAIT_MS):
        qtbot.keyClick(page.path_edit, Qt.Key.Key_Return)
    assert wizard.state.inspection.path == other


def test_a_one_cell_sheet_is_not_accepted_as_a_header(qtbot, wizard, workbook: Path) -> None:  # type: ignore[no-untyped-def]
    assert _load(qtbot, wizard, workbook)  # "Read me": one note in A1
    wizard.next()
    assert wizard.currentId() == PAGE_FILE
    assert "fewer than two headers" in wizard.file_page.error.text()


def test_header_row_is_found_below_title_rows_and_can_be_changed(qtbot, qtmodeltester, wizard, workbook: Path) -> None:  # type: ignore[no-untyped-def]
    page = wizard.file_page
    assert _load(qtbot, wizard, workbook, sheet="Cases")
    assert wizard.state.header_row == 3
    model = page.model
    qtmodeltester.check(model)  # Qt's own model checks over the real preview
    assert model.headerData(2, Qt.Orientation.Vertical) == "3 ▶ header"
    assert model.headerData(0, Qt.Orientation.Vertical) == "1 (skipped)"
    assert model.index(2, 0).data(Qt.ItemDataRole.FontRole).bold()
    assert page.header_spin.value() == 3
    assert "found automatically" in page.header_note.text()

    page.header_spin.setValue(4)  # the user says the header is row 4
    assert wizard.state.header_row == 4
    assert model.headerData(3, Qt.Orientation.Vertical) == "4 ▶ header"
    qtmodeltester.check(model)
    assert "ClearSlate found row 3" in page.header_note.text()

    # Selecting a row and using it as the header works too.
    page.preview.selectRow(2)
    page.use_selected.click()
    assert wizard.state.header_row == 3
    wizard.next()
    assert wizard.state.headers[:3] == ["Case Number", "Count", "Defendant Name"]


def test_changing_the_header_row_changes_the_columns_to_map(qtbot, wizard, workbook: Path) -> None:  # type: ignore[no-untyped-def]
    page = wizard.file_page
    assert _load(qtbot, wizard, workbook, sheet="Cases")
    page.set_header_row(4)
    wizard.next()
    assert wizard.currentId() == PAGE_MAPPING
    assert wizard.state.headers[0] == "F0012345"
    assert not wizard.mapping_page.isComplete()  # nothing maps to a data row used as headers
    wizard.back()
    page.set_header_row(3)
    wizard.next()
    assert wizard.state.headers[0] == "Case Number"
    assert wizard.mapping_page.isComplete()


# -- page 2: mapping ---------------------------------------------------------------------------------


def test_mapping_is_guessed_shows_samples_and_dates_as_read(qtbot, wizard, workbook: Path) -> None:  # type: ignore[no-untyped-def]
    _to_cases_mapping(qtbot, wizard, workbook)
    page = wizard.mapping_page
    assert page.combos["case_number"].currentData() == "Case Number"
    assert page.combos["full_name"].currentData() == "Defendant Name"
    assert page.combos["disposition_date"].currentData() == "Disposition Date"
    rows = [page.table.item(r, 0).text() for r in range(page.table.rowCount())]
    samples = {rows[r]: page.table.item(r, 2).text() for r in range(page.table.rowCount())}
    assert "03/04/2001 → 2001-03-04" in samples["Disposition date"]
    assert "1980-01-02 (date cell)" in samples["Date of birth"]
    assert "02/30/1990 → ⚠" in samples["Date of birth"]  # an impossible date is shown, not guessed
    assert "NÚÑEZ, ANA" in samples["Full name *"]
    assert page.isComplete()


def test_a_sheet_that_nearly_fits_a_profile_is_called_out_on_the_mapping_page(qtbot, wizard, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    # The DOJ layout with one header misspelt: the guess reads OFN as the case number and
    # leaves the birth date out. The command line refuses it; the wizard says so in words.
    import csv

    headers = ["SUBJECT_ID", "CII_NUMBER", "PRI_NAME", "PRI_DOBB", "CYC_DATE", "STP_TYPE_DESCR",
               "OFN", "DISP_DESCR"]  # fmt: skip
    path = tmp_path / "doj.csv"
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(headers)
        writer.writerow(["1", "00001234", "DOE,JOHN", "19700101", "20100201", "COURT",
                         "11357(B) HS-POSSESS MARIJUANA", "CONVICTED"])  # fmt: skip
    assert _load(qtbot, wizard, path)
    wizard.next()
    assert wizard.currentId() == PAGE_MAPPING
    status = wizard.mapping_page.status.text()
    assert "looks like the California DOJ research file" in status
    assert "PRI_DOB is missing (nearest: 'PRI_DOBB')" in status
    assert "Nothing is mapped to date of birth" in status
    assert wizard.mapping_page.isComplete()  # a warning, not a block: the user decides
    # Choosing the profile and mapping the birth date by hand leaves no warning about either.
    page = wizard.mapping_page
    page.choose_profile("ca-doj-research")
    dob = page.combos["dob"]
    dob.setCurrentIndex(dob.findData("PRI_DOBB"))
    status = page.status.text()
    assert "looks like" not in status and "date of birth" not in status, status


def test_changing_a_mapping_moves_the_column_and_reset_clears_every_guess(qtbot, wizard, workbook: Path) -> None:  # type: ignore[no-untyped-def]
    _to_cases_mapping(qtbot, wizard, workbook)
    page = wizard.mapping_page
    page.set_field("level", "Charge Level")
    assert wizard.state.mapping.columns["level"] == "Charge Level"
    # One column feeds one field: giving "Court Location" to county takes it from court.
    assert wizard.state.mapping.columns["court"] == "Court Location"
    combo = page.combos["county"]
    combo.setCurrentIndex(combo.findData("Court Location"))
    assert wizard.state.mapping.columns["county"] == "Court Location"
    assert "court" not in wizard.state.mapping.columns
    assert page.combos["court"].currentIndex() == 0  # "don't import"

    page.reset_button.click()
    assert wizard.state.mapping.columns == {}
    assert all(c.currentIndex() == 0 for c in page.combos.values())
    assert not page.isComplete()
    assert "case number" in page.status.text().lower()
    assert not wizard.button(QWizard.WizardButton.NextButton).isEnabled()

    page.guess_button.click()
    assert wizard.state.mapping.columns["case_number"] == "Case Number"
    assert page.isComplete()


def test_saved_profile_is_listed_audited_and_skips_the_mapping_page_next_time(qtbot, wizard, workspace, clerk, workbook: Path) -> None:  # type: ignore[no-untyped-def]
    _to_cases_mapping(qtbot, wizard, workbook)
    page = wizard.mapping_page
    page.set_field("level", "Charge Level")
    assert page.save_profile("Kern court export")
    assert "Saved" in page.status.text()
    assert page.profile_combo.currentData() == "Kern court export"
    audit = workspace.conn.execute("SELECT user, action, object FROM audit ORDER BY seq DESC LIMIT 1").fetchone()
    assert tuple(audit) == ("clerk", "settings.change", "import.profile.Kern court export")

    again = ImportWizard(workspace, clerk)
    qtbot.addWidget(again)
    again.show()
    try:
        assert _load(qtbot, again, workbook, sheet="Cases")
        again.next()
        assert again.currentId() == PAGE_VALIDATE  # the mapping page is skipped
        assert again.state.mapping.columns["level"] == "Charge Level"
        assert "Kern court export" in again.validate_page.mapping_note.text()
        _validated(qtbot, again)
        # The user may still open the mapping page.
        again.validate_page.edit_mapping.click()
        assert again.currentId() == PAGE_MAPPING
        assert again.mapping_page.combos["level"].currentData() == "Charge Level"
    finally:
        again.validate_page.stop()
        again.runner.shutdown()


def test_a_profile_can_be_chosen_from_the_list(qtbot, wizard, workbook: Path) -> None:  # type: ignore[no-untyped-def]
    _to_cases_mapping(qtbot, wizard, workbook)
    page = wizard.mapping_page
    names = [page.profile_combo.itemData(i) for i in range(page.profile_combo.count())]
    assert "court-cms" in names and "ca-doj-research" in names  # the shipped profiles
    page.choose_profile("court-cms")
    assert wizard.state.profile is not None and wizard.state.profile.name == "court-cms"
    # Only the profile's columns this sheet has are mapped (the import does the same).
    assert wizard.state.mapping.columns["case_number"] == "Case Number"
    assert "last_name" not in wizard.state.mapping.columns
    page.profile_combo.setCurrentIndex(0)
    page._profile_chosen(0)
    assert wizard.state.profile is None


# -- page 3: validation ----------------------------------------------------------------------------


def test_findings_are_grouped_click_through_to_the_row_and_export_to_xlsx(qtbot, wizard, workbook: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    _to_cases_mapping(qtbot, wizard, workbook)
    wizard.next()
    assert wizard.currentId() == PAGE_VALIDATE
    validation = _validated(qtbot, wizard)
    page = wizard.validate_page
    groups = [page.tree.topLevelItem(i).text(0) for i in range(page.tree.topLevelItemCount())]
    assert groups[0] == "Error: Rows without a case number — 1"
    assert any(g.startswith("Warning: Impossible dates — 1") for g in groups)
    assert "with errors: 1" in page.summary.text()

    # Rows with errors block the import until the user chooses to skip them.
    assert not page.isComplete()
    assert page.skip_box.isEnabled()
    assert "record the rows with errors (1) as" in page.skip_box.text()

    finding = page.select_finding("date.impossible")
    assert finding is not None and finding.row == 6
    assert page.row_title.text().startswith("Row 6 of kern-court-export.xlsx")
    cells = {page.row_view.item(r, 0).text(): page.row_view.item(r, 3).text() for r in range(page.row_view.rowCount())}
    assert cells["DOB"].startswith("02/30/1990 → ⚠")
    assert cells["Disposition Date"] == "2003-02-02 → 2003-02-02"
    selected = page.row_view.selectionModel().selectedRows()
    assert page.row_view.item(selected[0].row(), 0).text() == "DOB"

    error = page.select_finding("row.no_case_number")
    assert error is not None and error.row == 7
    assert "Row 7" in page.row_title.text()

    written = page.export(str(tmp_path / "findings.xlsx"))
    assert written == tmp_path / "findings.xlsx"
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".findings-")] == []  # no temp left
    from openpyxl import load_workbook

    sheet = load_workbook(written).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == ("Severity", "Kind", "File", "Sheet", "Row", "Column", "Value", "Message", "Code")
    assert len(rows) == len(validation.findings) + 1
    assert rows[1][:2] == ("error", "Rows without a case number") and rows[1][4] == 7
    assert rows[1][8] == "row.no_case_number"
    formula_like = [r for r in sheet.iter_rows(min_row=2) if isinstance(r[6].value, str) and r[6].value.startswith("=")]
    assert formula_like, "the formula-looking charge is listed"
    for row in formula_like:
        assert row[6].data_type == "s" and row[6].quotePrefix  # text, and stays text when edited

    page.skip_box.setChecked(True)
    assert page.isComplete()


def test_rows_beyond_the_cache_are_read_again_from_the_file(qtbot, wizard, workbook: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(backend, "ROW_CACHE_LIMIT", 0)
    _to_cases_mapping(qtbot, wizard, workbook)
    wizard.next()
    validation = _validated(qtbot, wizard)
    assert validation.rows == {}
    wizard.validate_page.select_finding("row.no_case_number")
    names = [wizard.validate_page.row_view.item(r, 1).text() for r in range(wizard.validate_page.row_view.rowCount())]
    assert "O'BRIEN, PAT" in names


# -- page 4: the import ------------------------------------------------------------------------------


def test_import_runs_off_the_ui_thread_and_reports_what_it_did(qtbot, wizard, workspace, workbook: Path) -> None:  # type: ignore[no-untyped-def]
    _to_cases_mapping(qtbot, wizard, workbook)
    wizard.next()
    _validated(qtbot, wizard)
    wizard.validate_page.skip_box.setChecked(True)
    with qtbot.waitSignal(wizard.importFinished, timeout=WAIT_MS) as blocker:
        wizard.next()
        assert wizard.currentId() == PAGE_IMPORT
        assert wizard.import_page.is_running() or wizard.import_page.done
    report = blocker.args[0]
    assert report.status == "imported" and report.counts == 6
    page = wizard.import_page
    qtbot.waitUntil(lambda: page.done)
    assert "Imported 6 counts in 5 cases for 5 people" in page.result.text()
    assert page.skipped.count() == 1 and page.skipped.item(0).text().startswith("Row 7:")
    assert not page.cancel_button.isVisible()
    assert wizard.button(QWizard.WizardButton.FinishButton).isEnabled()
    assert _counts(workspace) == 6
    raw = workspace.conn.execute("SELECT count(*) FROM counts WHERE offense_raw = ?", ('=HYPERLINK("x")',)).fetchone()[0]
    assert raw == 1  # formula-looking text is stored as text
    action = workspace.conn.execute("SELECT action, outcome FROM audit WHERE action = 'import'").fetchall()
    assert [tuple(a) for a in action] == [("import", "ok")]


def test_the_progress_bar_counts_against_the_rows_validation_found(qtbot, wizard, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    assert _load(qtbot, wizard, write_csv(tmp_path / "court.csv", rows=40))
    wizard.next()
    wizard.next()
    _validated(qtbot, wizard)
    page = wizard.import_page
    # The import service reports rows done without a total; validation knows the total.
    page._progressed(10, None, "Imported 10 rows")
    assert (page.progress.maximum(), page.progress.value()) == (40, 10)
    assert page.status.text() == "Imported 10 rows"
    page._progressed(30, 60, "")
    assert (page.progress.maximum(), page.progress.value()) == (60, 30)


def test_same_person_proposals_are_shown_and_confirmed_or_rejected(qtbot, wizard, workspace, workbook: Path) -> None:  # type: ignore[no-untyped-def]
    _to_cases_mapping(qtbot, wizard, workbook)
    wizard.next()
    _validated(qtbot, wizard)
    wizard.validate_page.skip_box.setChecked(True)
    with qtbot.waitSignal(wizard.importFinished, timeout=WAIT_MS):
        wizard.next()
    page = wizard.import_page
    qtbot.waitUntil(lambda: page.done)
    panel = page.matches
    assert panel.isVisible() and panel.table.rowCount() == 1
    cells = [panel.table.item(0, c).text() for c in range(panel.table.columnCount())]
    assert cells == ["DOE, JOHN — no person key", "F0012345", "DOE, JOHN — no person key",
                     "F0055555", "1980-01-02"]  # fmt: skip
    assert "F0012345" in panel.record_a.toPlainText() and "11357(A) HS" in panel.record_b.toPlainText()
    assert "never on the name alone" in panel.intro.text()
    assert "later (Review ▸ Possible same people…)" in panel.intro.text()
    assert panel.same.isVisible() and panel.different.isVisible()

    with qtbot.waitSignal(wizard.importFinished, timeout=WAIT_MS):
        panel.different.click()  # the review screen refreshes after a decision too
    qtbot.waitUntil(lambda: panel.table.rowCount() == 0)
    assert not panel.different.isEnabled()
    assert "Evaluate eligibility again" in panel.status.text()
    status, decided_by = workspace.conn.execute("SELECT status, decided_by FROM person_matches").fetchone()
    assert (status, decided_by) == ("rejected", "clerk")


def _two_pairs_csv(path: Path) -> Path:
    """A keyless court file: two people, each in two cases, so two same-person proposals."""
    lines = ["Case Number,Defendant Name,DOB,Charge,Disposition,Disposition Date"]
    for case, name, dob in (
        ("C0000001", "DOE, JOHN", "01/02/1980"),
        ("C0000002", "DOE, JOHN", "01/02/1980"),
        ("C0000003", "ROE, JANE", "05/06/1985"),
        ("C0000004", "ROE, JANE", "05/06/1985"),
    ):
        lines.append(f'{case},"{name}",{dob},11357(B) HS,CONVICTED,03/04/2001')
    path.write_text("\r\n".join(lines) + "\r\n", encoding="utf-8")
    return path


def test_several_pairs_are_decided_together_on_the_last_page(
    qtbot, wizard, workspace, tmp_path: Path, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    from PySide6.QtCore import QThread
    from PySide6.QtWidgets import QApplication, QMessageBox

    from app.services import importing

    asked: list[str] = []

    def question(parent, title, text, *args):  # type: ignore[no-untyped-def]
        asked.append(text)
        return QMessageBox.StandardButton.Yes

    monkeypatch.setattr(QMessageBox, "question", question)
    # The decision is written on the wizard's runner, never with the window's connection.
    threads: list[QThread] = []
    real = importing.decide_matches

    def decide_matches(ws, ids, **kwargs):  # type: ignore[no-untyped-def]
        threads.append(QThread.currentThread())
        assert ws is not workspace
        return real(ws, ids, **kwargs)

    monkeypatch.setattr(importing, "decide_matches", decide_matches)
    assert _load(qtbot, wizard, _two_pairs_csv(tmp_path / "keyless.csv"))
    wizard.next()
    if wizard.currentId() == PAGE_MAPPING:
        wizard.next()
    _validated(qtbot, wizard)
    with qtbot.waitSignal(wizard.importFinished, timeout=WAIT_MS):
        wizard.next()
    page = wizard.import_page
    qtbot.waitUntil(lambda: page.done)
    panel = page.matches
    open_pairs = importing.proposed_matches(workspace)
    assert panel.table.rowCount() == len(open_pairs) == 2
    assert "2 pairs of records wait for a decision" in panel.status.text()
    assert QApplication.focusWidget() is panel.table  # the next thing to do
    # Tab in reading order: the list, both records, the two buttons, then Finish.
    walk = []
    for _ in range(5):
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
        walk.append(QApplication.focusWidget())
    finish = wizard.button(QWizard.WizardButton.FinishButton)
    assert walk == [panel.record_a, panel.record_b, panel.same, panel.different, finish]

    panel.table.setFocus()
    qtbot.keyClick(panel.table, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    assert panel.selected() == [m.id for m in open_pairs]
    assert panel.same.text() == "&Same person (2)…"
    with qtbot.waitSignal(wizard.importFinished, timeout=WAIT_MS):
        qtbot.mouseClick(panel.same, Qt.MouseButton.LeftButton)
        assert not wizard.button(QWizard.WizardButton.FinishButton).isEnabled()  # writing
    assert len(asked) == 1 and "each of the 2 selected pairs into one person" in asked[0]
    assert threads and threads[0] is not QApplication.instance().thread()
    assert panel.table.rowCount() == 0 and importing.proposed_matches(workspace) == []
    said = panel.status.text()
    assert "You decided 2 pairs here." in said and "Evaluate eligibility again" in said, said
    assert panel.isVisible()  # the advice stays in sight
    assert wizard.button(QWizard.WizardButton.FinishButton).isEnabled()
    entries = workspace.conn.execute(
        "SELECT user, action, json_extract(details, '$.match_id') FROM audit "
        "WHERE action LIKE 'person.match.%' ORDER BY seq"
    ).fetchall()
    assert [tuple(e) for e in entries] == [("clerk", "person.match.confirm", m.id) for m in open_pairs]
    owners = workspace.conn.execute("SELECT COUNT(DISTINCT person_id) FROM counts").fetchone()[0]
    assert owners == 2


def test_a_batch_refused_on_the_last_page_decides_none_and_shows_what_is_open(
    qtbot, wizard, workspace, tmp_path: Path, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    from PySide6.QtWidgets import QMessageBox

    from app.services import importing

    errors: list[str] = []
    monkeypatch.setattr("app.ui.matches_dialog.show_error", lambda _p, text: errors.append(text))
    monkeypatch.setattr(QMessageBox, "question", lambda *a: QMessageBox.StandardButton.Yes)
    assert _load(qtbot, wizard, _two_pairs_csv(tmp_path / "keyless.csv"))
    wizard.next()
    if wizard.currentId() == PAGE_MAPPING:
        wizard.next()
    _validated(qtbot, wizard)
    with qtbot.waitSignal(wizard.importFinished, timeout=WAIT_MS):
        wizard.next()
    page = wizard.import_page
    qtbot.waitUntil(lambda: page.done)
    panel = page.matches
    first, second = importing.proposed_matches(workspace)
    panel.table.selectAll()
    importing.reject_match(workspace, second.id, user="supervisor")  # another window meanwhile
    panel.same.click()
    qtbot.waitUntil(lambda: not panel.deciding, timeout=WAIT_MS)
    assert errors and "nothing was decided" in errors[0], errors
    assert [m.id for m in importing.proposed_matches(workspace)] == [first.id]
    assert panel.table.rowCount() == 1 and panel.decisions == 0  # reloaded: the one still open
    assert panel.same.isEnabled() and wizard.button(QWizard.WizardButton.FinishButton).isEnabled()


def test_importing_the_same_file_again_changes_nothing_and_says_so(qtbot, wizard, workspace, clerk, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    source = write_csv(tmp_path / "court.csv", rows=3)
    for attempt in range(2):
        wiz = wizard if attempt == 0 else ImportWizard(workspace, clerk)
        qtbot.addWidget(wiz)
        wiz.show()
        assert _load(qtbot, wiz, source)
        wiz.next()
        wiz.next()
        _validated(qtbot, wiz)
        with qtbot.waitSignal(wiz.importFinished, timeout=WAIT_MS):
            wiz.next()
        qtbot.waitUntil(lambda w=wiz: w.import_page.done)
    assert "already imported" in wiz.import_page.result.text()
    assert _counts(workspace) == 3
    wiz.runner.shutdown()


def test_cancel_rolls_the_whole_import_back(qtbot, wizard, workspace, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    # More rows than one write batch, so the import checks for Cancel with rows already written.
    source = write_csv(tmp_path / "big.csv", rows=12_000)
    assert _load(qtbot, wizard, source)
    wizard.next()
    wizard.next()
    _validated(qtbot, wizard)
    page = wizard.import_page
    finished: list[object] = []
    wizard.importFinished.connect(finished.append)
    wizard.next()
    assert page.is_running()
    page.cancel_button.click()
    qtbot.waitUntil(lambda: page.done, timeout=WAIT_MS)
    assert page.outcome == "cancelled"
    assert "nothing was changed" in page.result.text()
    assert finished == []
    assert _counts(workspace) == 0
    assert workspace.conn.execute("SELECT count(*) FROM sources").fetchone()[0] == 0
    outcome = workspace.conn.execute("SELECT outcome FROM audit WHERE action = 'import'").fetchone()[0]
    assert outcome == "cancelled"


def test_closing_the_wizard_during_the_import_cancels_it_first(qtbot, wizard, workspace, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    source = write_csv(tmp_path / "big.csv", rows=12_000)
    assert _load(qtbot, wizard, source)
    wizard.next()
    wizard.next()
    _validated(qtbot, wizard)
    wizard.next()
    assert wizard.import_page.is_running()
    wizard.reject()  # Escape or the window's close box
    assert wizard.isVisible()  # stays open until the rollback is done
    qtbot.waitUntil(lambda: not wizard.isVisible(), timeout=WAIT_MS)
    assert wizard.import_page.outcome == "cancelled"
    assert _counts(workspace) == 0


# -- files that cannot be read ---------------------------------------------------------------------


def test_a_password_protected_workbook_shows_a_message_naming_the_file(qtbot, wizard, workbook: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from msoffcrypto.format.ooxml import OOXMLFile

    out = io.BytesIO()
    with workbook.open("rb") as fh:
        OOXMLFile(fh).encrypt("secret", out)
    locked = tmp_path / "locked.xlsx"
    locked.write_bytes(out.getvalue())
    page = wizard.file_page
    assert not _load(qtbot, wizard, locked)
    assert page.error.text() == "locked.xlsx: password-protected: remove the password and save again"
    assert page.error.isVisibleTo(wizard)
    assert "Traceback" not in page.error.text()
    assert not page.isComplete()
    assert page.model.rowCount() == 0


def test_the_header_row_can_be_chosen_only_once_a_sheet_is_read(
    qtbot, wizard, workbook: Path, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    page = wizard.file_page
    controls = (page.header_spin, page.use_selected)
    assert [c.isEnabled() for c in controls] == [False, False]  # nothing read yet
    damaged = tmp_path / "cut-off.xlsx"
    damaged.write_bytes(workbook.read_bytes()[:1500])
    assert not _load(qtbot, wizard, damaged)
    assert [c.isEnabled() for c in controls] == [False, False]
    assert page.header_note.text() == ""
    assert _load(qtbot, wizard, workbook, sheet="Cases")
    assert [c.isEnabled() for c in controls] == [True, True]
    assert page.header_note.text() == "(found automatically)"
    # A file that cannot be read after a good one: its header row is gone with its rows.
    assert not _load(qtbot, wizard, damaged)
    assert [c.isEnabled() for c in controls] == [False, False]
    assert page.header_note.text() == ""


def test_a_damaged_workbook_shows_a_message_naming_the_file(qtbot, wizard, workbook: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    damaged = tmp_path / "cut-off.xlsx"
    damaged.write_bytes(workbook.read_bytes()[:1500])  # a download that stopped half way
    page = wizard.file_page
    assert not _load(qtbot, wizard, damaged)
    assert page.error.text().startswith("cut-off.xlsx: ")
    assert "damaged or incomplete" in page.error.text()
    assert not page.isComplete()
    # The wizard keeps working: a good file after a bad one loads.
    assert _load(qtbot, wizard, workbook, sheet="Cases")
    assert not page.error.isVisibleTo(wizard)


def test_a_cp1252_csv_asks_before_it_is_read_that_way(qtbot, wizard, tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    source = write_csv(tmp_path / "old-excel.csv", rows=2, encoding="cp1252")
    asked: list[str] = []
    monkeypatch.setattr(wizard, "confirm_cp1252", lambda path: asked.append(path.name) or False)
    page = wizard.file_page
    assert not _load(qtbot, wizard, source)
    assert asked == ["old-excel.csv"]
    assert "cp1252" in page.error.text() and page.error.text().startswith("old-excel.csv")

    monkeypatch.setattr(wizard, "confirm_cp1252", lambda path: True)
    assert _load(qtbot, wizard, source)
    assert wizard.state.inspection.encoding == "cp1252"
    assert page.model.index(1, 1).data() == "PÉREZ0, ANA"
    assert "cp1252" in page.notes.text()


def test_every_control_is_named_for_screen_readers_and_reachable_by_keyboard(qtbot, wizard, workbook: Path) -> None:  # type: ignore[no-untyped-def]
    _to_cases_mapping(qtbot, wizard, workbook)
    kinds = (QLineEdit, QComboBox, QSpinBox, QAbstractItemView, QProgressBar)
    for page_id in (PAGE_FILE, PAGE_MAPPING, PAGE_VALIDATE, PAGE_IMPORT):
        for widget in wizard.page(page_id).findChildren(QWidget):
            if not isinstance(widget, kinds):
                continue
            if isinstance(widget, QHeaderView) or _inside(widget, (QComboBox, QSpinBox)):
                continue  # a view's own headers; the parts of a combo box or spin box
            assert widget.accessibleName(), f"{widget.metaObject().className()} {widget.objectName()}"
            if not isinstance(widget, QProgressBar):
                assert widget.focusPolicy() != Qt.FocusPolicy.NoFocus, widget.objectName()


def _inside(widget: QWidget, kinds: tuple[type, ...]) -> bool:
    parent = widget.parent()
    while parent is not None:
        if isinstance(parent, kinds):
            return True
        parent = parent.parent()
    return False


# -- the plain-Python side ---------------------------------------------------------------------------


def test_findings_export_neutralizes_formula_text_and_replaces_atomically(tmp_path: Path) -> None:
    target = tmp_path / "out.xlsx"
    target.write_bytes(b"old")
    findings = [
        Finding(Severity.WARNING, "offense.unknown", "unknown code", "a.csv", None, 3, "Charge", "=1+1"),
        Finding(Severity.ERROR, "row.no_case_number", "no case", "a.csv", None, 4, "Case", "@SUM(A1)"),
        Finding(Severity.INFO, "file.note", "-minus first", "a.csv"),
    ]
    assert backend.export_findings(findings, target) == target
    from openpyxl import load_workbook

    sheet = load_workbook(target).active
    # Errors first: the row without a case number, then the warning, then the note.
    values = [(c.value, c.data_type, bool(c.quotePrefix)) for c in (sheet["G2"], sheet["G3"], sheet["H4"])]
    assert values == [("@SUM(A1)", "s", True), ("=1+1", "s", True), ("-minus first", "s", True)]
    assert sheet["C2"].value == "a.csv" and not sheet["C2"].quotePrefix
    assert zipfile.is_zipfile(target)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.xlsx"]


def test_a_failed_export_leaves_the_old_file_and_no_temp_file(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    target = tmp_path / "out.xlsx"
    target.write_bytes(b"old")

    def broken(*args: object, **kwargs: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("os.replace", broken)
    with pytest.raises(OSError):
        backend.export_findings([Finding(Severity.INFO, "x", "y")], target)
    assert target.read_bytes() == b"old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.xlsx"]


@pytest.mark.parametrize(
    ("field", "value", "epoch", "shown"),
    [
        ("dob", "03/04/1990", 1900, "03/04/1990 → 1990-03-04"),
        ("disposition_date", 36526, 1900, "36526 → 2000-01-01"),
        ("disposition_date", 36526, 1904, "36526 → 2004-01-02"),
        ("dob", "02/30/1990", 1900, "02/30/1990 → ⚠ '02/30/1990' is not a real date"),
        ("dob", "3/4/90", 1900, "3/4/90 → ⚠"),
        ("case_number", "00123", 1900, "00123"),
    ],
)
def test_dates_are_shown_as_read(field: str, value: object, epoch: int, shown: str) -> None:
    assert backend.describe_value(field, value, epoch).startswith(shown)


# -- the main window's hook ----------------------------------------------------------------------


@pytest.mark.parametrize("role", ["clerk", "reviewer"])
def test_file_import_opens_the_wizard_for_every_role_and_refreshes_the_work_area(qtbot, workspace_path: Path, tmp_path: Path, role: str) -> None:  # type: ignore[no-untyped-def]
    from app.ui.main_window import MainWindow
    from tests.ui.test_main_window import _answer_logon

    window = MainWindow()
    qtbot.addWidget(window)
    window.show()
    try:
        assert not window.act_import.isEnabled()  # no workspace yet
        _answer_logon(qtbot, role, "correct-horse-42")
        assert window.open_workspace(workspace_path)
        assert window.act_import.isEnabled()
        assert window.act_import.shortcut().toString() == "Ctrl+I"
        assert window.act_import in window.file_menu.actions()
        refreshed: list[bool] = []
        window.work_area.refresh = lambda: refreshed.append(True)  # type: ignore[union-attr]
        window.act_import.trigger()
        wizard = window.import_wizard
        qtbot.waitUntil(wizard.isVisible)
        assert wizard.isModal()
        assert _load(qtbot, wizard, write_csv(tmp_path / "court.csv", rows=2))
        wizard.next()
        wizard.next()
        _validated(qtbot, wizard)
        with qtbot.waitSignal(wizard.importFinished, timeout=WAIT_MS):
            wizard.next()
        qtbot.waitUntil(lambda: refreshed == [True])  # the review queue reloads after an import
        qtbot.waitUntil(lambda: wizard.import_page.done)
        wizard.button(QWizard.WizardButton.FinishButton).click()
        qtbot.waitUntil(lambda: not wizard.isVisible())
        assert window.ws.conn.execute("SELECT count(*) FROM counts").fetchone()[0] == 2
    finally:
        window.close_workspace()


# -- every sample workbook through the window ----------------------------------------------------

SAMPLES = sorted((Path(__file__).resolve().parents[2] / "sample_workbooks").glob("*.xlsx"))


@pytest.mark.parametrize("sample", SAMPLES, ids=[p.stem for p in SAMPLES])
def test_each_sample_workbook_imports_through_the_wizard(qtbot, wizard, workspace, sample: Path) -> None:  # type: ignore[no-untyped-def]
    assert _load(qtbot, wizard, sample)
    wizard.next()
    if wizard.currentId() == PAGE_MAPPING:
        assert wizard.mapping_page.isComplete(), wizard.mapping_page.status.text()
        wizard.next()
    assert wizard.currentId() == PAGE_VALIDATE
    validation = _validated(qtbot, wizard)
    assert validation.report.usable_rows > 0
    assert SAMPLES, "the sample workbooks are missing"
    if validation.report.error_rows:
        wizard.validate_page.skip_box.setChecked(True)
    with qtbot.waitSignal(wizard.importFinished, timeout=WAIT_MS) as blocker:
        wizard.next()
    report = blocker.args[0]
    assert report.status == "imported", report.message
    assert report.counts > 0 and _counts(workspace) == report.counts
    assert len(report.skipped) == len(validation.report.error_rows)


def test_a_big_text_file_is_read_by_a_worker_process_and_cancel_still_rolls_back(qtbot, wizard, workspace, clerk, tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from app.services import import_rows

    monkeypatch.setattr(import_rows, "PARALLEL_MIN_BYTES", 1)  # this small file counts as big
    monkeypatch.setattr(import_rows.os, "cpu_count", lambda: 2)
    monkeypatch.delenv(import_rows.WORKERS_ENV, raising=False)
    source = write_csv(tmp_path / "big.csv", rows=12_000)
    # First a cancel: the worker is stopped and nothing is written.
    started = import_rows.started
    assert _load(qtbot, wizard, source)
    wizard.next()
    wizard.next()
    _validated(qtbot, wizard)
    wizard.next()
    page = wizard.import_page
    page.cancel_button.click()
    qtbot.waitUntil(lambda: page.done, timeout=WAIT_MS)
    assert page.outcome == "cancelled" and _counts(workspace) == 0
    # Then the whole import, through the worker, from the wizard's own thread.
    wiz = ImportWizard(workspace, clerk)
    qtbot.addWidget(wiz)
    wiz.show()
    assert _load(qtbot, wiz, source)
    wiz.next()
    wiz.next()
    _validated(qtbot, wiz)
    with qtbot.waitSignal(wiz.importFinished, timeout=WAIT_MS) as blocker:
        wiz.next()
    assert blocker.args[0].status == "imported"
    assert _counts(workspace) == blocker.args[0].counts > 10_000
    assert import_rows.started >= started + 1
    assert not multiprocessing.active_children()
    wiz.runner.shutdown()
