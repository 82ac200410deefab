"""The import wizard's words and layout: no command-line speak, nothing cut, plurals, Tab order
and mnemonics, driven on the real wizard with real files (pytest-qt)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QAbstractButton, QApplication, QLabel, QWidget, QWizard

from app.core.errors import ImportFailed, Remedy
from app.ingest.mapping import FIELDS_BY_NAME, Mapping, resolve
from app.ui.import_pages import backend
from app.ui.import_wizard import PAGE_FILE, PAGE_IMPORT, PAGE_MAPPING, PAGE_VALIDATE, ImportWizard
from tests.ui.import_files import write_csv, write_workbook

WAIT_MS = 20_000
SAMPLES = Path(__file__).resolve().parents[2] / "sample_workbooks"
# What the command line says and the window must not: an option, or a field's internal id.
CLI_SPEAK = re.compile(r"--[a-z]|\b(?:" + "|".join(n for n in FIELDS_BY_NAME if "_" in n) + r")\b")


@pytest.fixture
def wizard(qtbot, workspace, login):  # type: ignore[no-untyped-def]
    wiz = ImportWizard(workspace, login("clerk"))
    qtbot.addWidget(wiz)
    wiz.resize(1024, 640)
    wiz.show()
    yield wiz
    if wiz.import_page.is_running():
        wiz.import_page.task.wait()
    wiz.validate_page.stop()
    wiz.runner.shutdown()


def _load(qtbot, wiz: ImportWizard, path: Path, **kwargs: object) -> bool:  # type: ignore[no-untyped-def]
    with qtbot.waitSignal(wiz.file_page.loaded, timeout=WAIT_MS) as blocker:
        wiz.file_page.load(path, **kwargs)
    return bool(blocker.args[0])


def _validated(qtbot, wiz: ImportWizard) -> None:  # type: ignore[no-untyped-def]
    qtbot.waitUntil(
        lambda: wiz.state.validation is not None and not wiz.validate_page.is_running(),
        timeout=WAIT_MS,
    )


def _to_validation(qtbot, wiz: ImportWizard, path: Path, **kwargs: object) -> None:  # type: ignore[no-untyped-def]
    assert _load(qtbot, wiz, path, **kwargs)
    wiz.next()
    if wiz.currentId() == PAGE_MAPPING:
        wiz.next()
    assert wiz.currentId() == PAGE_VALIDATE
    _validated(qtbot, wiz)


# -- 1. the window's words, not the command line's -------------------------------------------------


def test_a_missing_required_field_is_named_as_the_mapping_page_shows_it(
    qtbot, wizard, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    assert _load(qtbot, wizard, write_workbook(tmp_path / "kern.xlsx"), sheet="Cases")
    wizard.next()
    page = wizard.mapping_page
    page.reset_button.click()
    status = page.status.text()
    assert "(the field “Case number *”)" in status and "Likely columns: “Case Number”" in status, status
    assert not CLI_SPEAK.search(status), status

    page.set_field("case_number", "Case Number")
    status = page.status.text()
    # Each field in the words of its line on the page, "Person key (state ID, …) *" whole.
    shown = {page.table.item(r, 0).text() for r in range(page.table.rowCount())}
    named = re.findall(r"“([^”]+)”", status.split("Likely columns")[0])
    assert named == ["Person key (state ID, CII, subject ID) *", "Full name *", "Last name *"]
    assert set(named) <= shown, (named, shown)
    assert not CLI_SPEAK.search(status), status
    assert not page.isComplete()


def test_a_sheet_that_nearly_fits_a_profile_is_named_by_its_title_only(
    qtbot, wizard, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "doj.csv"
    path.write_text(
        "SUBJECT_ID,CII_NUMBER,PRI_NAME,PRI_DOBB,CYC_DATE,STP_TYPE_DESCR,OFN,DISP_DESCR\n"
        '1,00001234,"DOE,JOHN",19700101,20100201,COURT,11357(B) HS,CONVICTED\n',
        encoding="utf-8",
    )
    assert _load(qtbot, wizard, path)
    wizard.next()
    status = wizard.mapping_page.status.text()
    assert "looks like the California DOJ research file" in status
    assert "ca-doj-research" not in status  # the profile's file name is not the user's word
    assert not CLI_SPEAK.search(status), status


def test_a_text_file_in_an_unknown_encoding_is_refused_without_command_line_options(
    qtbot, wizard, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "odd.csv"
    path.write_bytes(b"Case Number,Name\r\nC1,\x81\x8d\x8f\x90\x9d\x81\x8d\r\n" * 4)
    assert not _load(qtbot, wizard, path)
    error = wizard.file_page.error.text()
    assert error.startswith("odd.csv: ") and "CSV UTF-8" in error, error
    assert "--" not in error, error


def test_a_windows_1252_file_declined_says_how_to_read_it_in_the_window(
    qtbot, wizard, tmp_path: Path, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(wizard, "confirm_cp1252", lambda path: False)
    assert not _load(qtbot, wizard, write_csv(tmp_path / "old.csv", rows=2, encoding="cp1252"))
    error = wizard.file_page.error.text()
    assert "answer Yes" in error and "Windows-1252" in error, error
    assert "--" not in error and "import window" not in error, error


def _late_bad_byte_csv(path: Path) -> Path:
    """UTF-8 for its first 64 KB (what the sniffer looks at), then a Windows-1252 “ñ” in a
    row the preview still reads."""
    rows = [f"C{i},{'x' * 4000}" for i in range(30)]
    path.write_bytes(
        ("Case Number,Note\n" + "\n".join(rows) + "\n").encode() + "C99,Mu\xf1oz\n".encode("cp1252")
    )
    return path


def test_a_bad_byte_past_the_start_of_a_text_file_offers_windows_1252_too(
    qtbot, wizard, tmp_path: Path, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    # The reader's own refusal (not the sniffer's) carries the same remedy: the same question.
    asked: list[Path] = []
    monkeypatch.setattr(wizard, "confirm_cp1252", lambda path: asked.append(path) or True)
    path = _late_bad_byte_csv(tmp_path / "late.csv")
    assert _load(qtbot, wizard, path)
    assert asked == [path]
    assert wizard.state.inspection.encoding == "cp1252"


def test_a_bad_byte_past_the_start_declined_says_what_to_do_in_the_window(
    qtbot, wizard, tmp_path: Path, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(wizard, "confirm_cp1252", lambda path: False)
    assert not _load(qtbot, wizard, _late_bad_byte_csv(tmp_path / "late.csv"))
    error = wizard.file_page.error.text()
    assert error.startswith("late.csv, row ") and "not valid utf-8" in error, error
    assert "answer Yes" in error and "CSV UTF-8" in error, error
    assert not CLI_SPEAK.search(error), error


def test_the_window_says_a_remedy_from_its_data_not_from_the_command_line_words() -> None:
    # However the command line words its advice, the window says the problem and then the
    # remedy its own way: a reworded option can never leak into the window.
    reworded = ImportFailed(
        "the text is odd; rerun with --charset=cp1252 please",
        file="a.csv",
        remedy=Remedy.confirm_encoding("cp1252"),
        problem="the text is odd",
    )
    assert backend.window_message(reworded) == (
        "a.csv: the text is odd; if it came from an older Windows program, save it from Excel "
        "as “CSV UTF-8” and import that file"
    )
    assert backend.offers_encoding(reworded) == "cp1252"
    assert backend.offers_encoding(ImportFailed("the text is odd")) is None
    # An error without a remedy is said as it is.
    assert backend.window_message(ImportFailed("no rows", file="a.csv")) == "a.csv: no rows"


def test_a_missing_required_column_is_said_with_the_columns_page() -> None:
    with pytest.raises(ImportFailed) as info:
        resolve(Mapping({"case_number": "Case"}), ["Case", "Charge"], file="a.csv")
    assert "--map person_key=HEADER or --map full_name=HEADER" in info.value.message
    said = backend.window_text(info.value)
    assert said == (
        "Required column missing: a person key or a name. Choose its column for “Person key "
        "(state ID, CII, subject ID)” or “Full name” on the Columns page."
    ), said
    assert not CLI_SPEAK.search(said), said


def test_a_profile_that_combines_columns_shows_their_names_and_the_values_it_builds(
    qtbot, wizard
) -> None:  # type: ignore[no-untyped-def]
    assert _load(qtbot, wizard, SAMPLES / "ca_doj_extract.xlsx")
    wizard.force_mapping = True
    wizard.next()
    assert wizard.currentId() == PAGE_MAPPING
    page = wizard.mapping_page
    combo = page.combos["case_number"]
    assert combo.currentText() == "combined: SUBJECT_ID + CYC_DATE"
    row = list(page.combos).index("case_number")
    samples = page.table.item(row, 2).text()
    assert re.match(r"DOJ \d+ cycle \d{8} · ", samples), samples  # built, not the template
    assert "{" not in samples
    # The box is wide enough for the combined text (it was cut after "cy").
    needed = combo.fontMetrics().horizontalAdvance(combo.currentText())
    assert page.table.columnWidth(1) >= needed + 20


# -- 2. findings are readable whole ------------------------------------------------------------------


def test_findings_are_never_cut_without_a_way_to_read_them_whole(qtbot, wizard) -> None:  # type: ignore[no-untyped-def]
    _to_validation(qtbot, wizard, SAMPLES / "messy_county_export.xlsx")
    page = wizard.validate_page
    tree = page.tree
    header = tree.header()
    viewport = tree.viewport().width()
    # Row, column and value sit inside the view, each as wide as what it holds.
    assert header.sectionPosition(3) + header.sectionSize(3) <= viewport
    metrics = tree.fontMetrics()
    for i in range(tree.topLevelItemCount()):
        group = tree.topLevelItem(i)
        assert group.isFirstColumnSpanned()  # "Warning: Dates that read either way round in a …"
        assert metrics.horizontalAdvance(group.text(0)) < viewport, group.text(0)
        for j in range(group.childCount()):
            child = group.child(j)
            assert metrics.horizontalAdvance(child.text(1)) <= header.sectionSize(1)
            assert metrics.horizontalAdvance(child.text(2)) <= header.sectionSize(2)
            assert child.toolTip(0) == child.text(0)

    finding = page.select_finding("date.ambiguous_order")
    assert finding is not None
    item = tree.currentItem()
    shown = tree.visualItemRect(item).width()
    assert metrics.horizontalAdvance(item.text(0)) > header.sectionSize(0) or shown  # long, cut
    assert page.detail.isVisible()
    detail = page.detail.text()
    assert finding.message in detail
    assert detail.startswith(
        "Warning: Dates that read either way round in a day-first column (row "
    )
    assert page.detail.wordWrap()
    # The detail area wraps inside the page instead of widening it.
    assert page.detail.width() <= page.width()


# -- 3. drop-downs -------------------------------------------------------------------------------------


def test_drop_downs_open_wide_enough_for_their_longest_choice(
    qtbot, wizard, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    long_header = "Defendant full legal name as recorded at arraignment"
    path = tmp_path / "long.csv"
    path.write_text(f'Case Number,{long_header},DOB\nC1,"DOE, JOHN",1980-01-02\n', encoding="utf-8")
    assert _load(qtbot, wizard, path)
    wizard.next()
    page = wizard.mapping_page
    page.set_field("full_name", long_header)
    combo = page.combos["full_name"]
    metrics = combo.fontMetrics()
    assert combo.view().minimumWidth() >= metrics.horizontalAdvance(long_header)
    assert combo.toolTip() == long_header  # the box may cut it; the tooltip has it whole
    # The column stays within reason so the samples keep their room on a small screen.
    assert page.table.columnWidth(1) < page.table.viewport().width() // 2
    profile = page.profile_combo
    longest = max(profile.itemText(i) for i in range(profile.count()))
    assert profile.view().minimumWidth() >= profile.fontMetrics().horizontalAdvance(longest)
    # A long profile title does not push the buttons out of the page.
    assert page.reset_button.geometry().right() <= page.width()


# -- 4. plurals -------------------------------------------------------------------------------------------


def test_counts_of_one_are_not_written_as_plurals(qtbot, wizard, workspace, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    _to_validation(qtbot, wizard, write_workbook(tmp_path / "kern.xlsx"), sheet="Cases")
    wizard.validate_page.skip_box.setChecked(True)
    with qtbot.waitSignal(wizard.importFinished, timeout=WAIT_MS):
        wizard.next()
    page = wizard.import_page
    qtbot.waitUntil(lambda: page.done)
    texts = [page.skipped_label.text(), page.matches.status.text(), page.result.text()]
    assert texts[0].startswith("1 row skipped"), texts[0]
    assert texts[1].startswith("1 pair of records waits for a decision"), texts[1]
    assert "Review ▸ Possible same people" in page.matches.intro.text()  # where to decide later
    for text in texts:
        assert not re.search(r"\b1 (rows|findings|fields|pairs|matches)\b|\(s\)", text), text


def test_a_refused_import_says_what_to_tick_in_the_window(
    qtbot, wizard, workspace, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    source = write_csv(tmp_path / "court.csv", rows=2, bad_row=True)
    _to_validation(qtbot, wizard, source)
    # Validation found the row; the import service refuses it on its own too (the file could
    # have changed after validation): the page says so in its words.
    request = backend.ImportRequest(source, None, None, 1, wizard.state.mapping, None, False)
    report = backend.run_import(workspace, request, user="clerk")
    assert report.status == "refused"
    wizard.import_page._imported(report)
    result = wizard.import_page.result.text()
    assert "1 row has errors" in result and "tick “Import the valid rows" in result, result
    assert "--" not in result


# -- 5. keyboard: Tab order and mnemonics ---------------------------------------------------------------


def _mnemonics(wiz: ImportWizard) -> list[str]:
    """The Alt+letter of every visible control on the current page and the wizard's buttons."""
    keys = []
    widgets = [w for w in wiz.currentPage().findChildren(QWidget) if w.isVisibleTo(wiz)]
    widgets += [wiz.button(b) for b in QWizard.WizardButton if b != QWizard.WizardButton.NoButton]
    for widget in widgets:
        if isinstance(widget, QAbstractButton | QLabel) and widget.isVisibleTo(wiz):
            if isinstance(widget, QLabel) and widget.buddy() is None:
                continue
            match = re.search(r"&([^&\s])", widget.text())
            if match:
                keys.append(match.group(1).lower())
    return keys


def test_every_page_has_unique_mnemonics(qtbot, wizard, workbook_path: Path) -> None:  # type: ignore[no-untyped-def]
    assert _load(qtbot, wizard, workbook_path, sheet="Cases")
    seen = {}
    seen[PAGE_FILE] = _mnemonics(wizard)
    wizard.next()
    seen[PAGE_MAPPING] = _mnemonics(wizard)
    wizard.next()
    _validated(qtbot, wizard)
    seen[PAGE_VALIDATE] = _mnemonics(wizard)
    wizard.validate_page.skip_box.setChecked(True)
    with qtbot.waitSignal(wizard.importFinished, timeout=WAIT_MS):
        wizard.next()
    qtbot.waitUntil(lambda: wizard.import_page.done)
    seen[PAGE_IMPORT] = _mnemonics(wizard)
    assert {"s", "d"} <= set(seen[PAGE_IMPORT])  # Same person, Different people
    for page, keys in seen.items():
        assert len(keys) == len(set(keys)), (page, sorted(keys))
        assert len(keys) >= 3, (page, keys)


@pytest.fixture
def workbook_path(tmp_path: Path) -> Path:
    return write_workbook(tmp_path / "kern-court-export.xlsx")


def _tab_walk(qtbot, wiz: ImportWizard, start: QWidget, steps: int) -> list[str]:  # type: ignore[no-untyped-def]
    start.setFocus(Qt.FocusReason.TabFocusReason)
    qtbot.waitUntil(lambda: QApplication.focusWidget() is start)
    names = [start.objectName()]
    for _ in range(steps):
        QTest.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
        names.append(QApplication.focusWidget().objectName())
    return names


def test_tab_goes_down_each_page_in_reading_order(qtbot, wizard, workbook_path: Path) -> None:  # type: ignore[no-untyped-def]
    # Each page was built apart from the wizard: Tab used to run from the sheet list's cells
    # off the page, and from the profile box straight to Next.
    wizard.activateWindow()
    qtbot.waitUntil(wizard.isActiveWindow)
    assert _load(qtbot, wizard, workbook_path, sheet="Cases")
    walk = _tab_walk(qtbot, wizard, wizard.file_page.path_edit, 6)
    assert walk == [
        "importPath",
        "importBrowse",
        "importSheets",
        "importHeaderRow",
        "importUseSelectedRow",
        "importPreview",
        "__qt__passive_wizardbutton1",  # Next
    ]

    wizard.next()
    page = wizard.mapping_page
    walk = _tab_walk(qtbot, wizard, page.profile_combo, 6)
    assert walk == [
        "importProfile",
        "importSaveProfile",
        "importGuessMapping",
        "importResetMapping",
        "importMappingTable",
        "map_person_key",
        "map_full_name",
    ]
    # Every field's drop-down follows in turn, and the one reached is scrolled into view.
    last = list(page.combos.values())[-1]
    _tab_walk(qtbot, wizard, list(page.combos.values())[-2], 1)
    assert QApplication.focusWidget() is last
    viewport = page.table.viewport()
    top_left = last.mapTo(viewport, last.rect().topLeft())
    assert top_left.y() >= 0 and top_left.y() + last.height() <= viewport.height()

    wizard.next()
    _validated(qtbot, wizard)
    walk = _tab_walk(qtbot, wizard, wizard.validate_page.edit_mapping, 4)
    assert walk == [
        "importEditMapping",
        "importFindings",
        "importRowView",
        "importSkipInvalid",
        "importExportFindings",
    ]
