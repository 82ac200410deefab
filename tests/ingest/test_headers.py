"""The header row is found below title rows, and header names come out clean and unique."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from app.core.errors import ImportFailed
from app.ingest.findings import Finding, Severity
from app.ingest.headers import (
    clean_headers,
    clean_text,
    data_rows_after,
    detect_header_row,
    header_cells,
)
from app.ingest.readers import open_table
from tests.ingest.reading_helpers import write_xlsx

DATA = [
    ["A-1001", "DOE, JOHN", dt.date(1980, 1, 2), "11357(B) HS", "CONVICTED"],
    ["A-1002", "ROE, JANE", dt.date(1975, 3, 4), "11360(A) HS", "DISMISSED"],
    ["A-1003", "POE, EDGAR", dt.date(1969, 5, 6), "11359 HS", "CONVICTED"],
]
HEADER = ["Case No", "Defendant Name", "DOB", "Charge", "Disposition"]


def _numbered(rows: list[list[object]], start: int = 1) -> list[tuple[int, list[object]]]:
    return [(start + i, list(r)) for i, r in enumerate(rows)]


@pytest.mark.parametrize(
    ("rows", "expected"),
    [
        # Header on the first row.
        ([HEADER, *DATA], 1),
        # Title, run date and a blank line above the header (blank rows never reach the detector).
        ([["KERN COUNTY DISTRICT ATTORNEY"], ["Run date:", "2024-05-01"], HEADER, *DATA], 3),
        # A title spread over several cells, then a sub-title.
        (
            [
                ["Cannabis convictions", None, "Report 12"],
                ["Prepared for Prop 64 review"],
                HEADER,
                *DATA,
            ],
            3,
        ),
        # Headers with a numeric-looking column (a year) still read as a header row.
        ([["Case", "Name", "2019 Status", "Count"], ["A-1", "DOE", "OPEN", 1]], 1),
        # All text data (a CSV): the first full-width row is the header.
        ([["id", "name"], ["007", "DOE"], ["008", "ROE"]], 1),
    ],
)
def test_detect_header_row(rows: list[list[object]], expected: int) -> None:
    assert detect_header_row(_numbered(rows)) == expected


def test_detect_uses_real_row_numbers() -> None:
    rows = [(4, ["County of Kern"]), (7, HEADER)] + _numbered(DATA, start=8)
    assert detect_header_row(rows) == 7


def test_detect_falls_back_to_the_first_row() -> None:
    # Nothing looks like a header (all numbers): the first row is offered, the user can change it.
    assert detect_header_row([(2, [1, 2, 3]), (3, [4, 5, 6])]) == 2


def test_detect_with_no_rows() -> None:
    with pytest.raises(ImportFailed):
        detect_header_row([])
    with pytest.raises(ImportFailed):
        detect_header_row([(1, [None, "  "])])


def test_title_rows_and_merged_cells_above_the_header_in_a_real_file(tmp_path: Path) -> None:
    import xlsxwriter

    path = tmp_path / "titled.xlsx"
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("Export")
    ws.merge_range("A1:E1", "SUPERIOR COURT OF CALIFORNIA, COUNTY OF KERN")
    ws.merge_range("A2:E2", "Cannabis convictions 1975-2016")
    ws.write_row(3, 0, HEADER)
    for r, row in enumerate(DATA, start=4):
        for c, value in enumerate(row):
            if isinstance(value, dt.date):
                ws.write_datetime(r, c, dt.datetime.combine(value, dt.time()))
            else:
                ws.write(r, c, value)
    wb.close()
    with open_table(path) as table:
        preview = table.preview()
        header_row = detect_header_row(preview)
        assert header_row == 4
        assert data_rows_after(preview, header_row) == 3
        merged_rows = [f.row for f in table.findings if f.code == "cell.merged"]
        assert merged_rows == [1, 2]  # above the header: the pipeline can ignore them


def test_headers_only_has_no_data_rows(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "h.xlsx", {"Data": [["Report"], HEADER]})
    with open_table(path) as table:
        preview = table.preview()
    header_row = detect_header_row(preview)
    assert header_row == 2
    assert data_rows_after(preview, header_row) == 0


def test_clean_headers_blank_duplicate_and_invisible() -> None:
    findings: list[Finding] = []
    cells = ["Case\u00a0No", None, "Name", "name", " Name ", "D\u200bOB", "  ", 2019, "Column B"]
    headers = clean_headers(cells, findings, file="f.xlsx", sheet="S", row=3)
    assert headers == [
        "Case No",
        "Column B (2)",  # "Column B" is a real header further right
        "Name",
        "name (2)",
        "Name (3)",
        "DOB",
        "Column G",
        "2019",
        "Column B",
    ]
    assert len(headers) == len(set(h.casefold() for h in headers))
    by_code: dict[str, list[str | None]] = {}
    for f in findings:
        by_code.setdefault(f.code, []).append(f.column)
        assert (f.file, f.sheet, f.row) == ("f.xlsx", "S", 3)
    assert by_code == {
        "header.invisible_chars": ["A", "F"],
        "header.blank": ["B", "G"],
        "header.duplicate": ["D", "E"],
    }
    duplicate = next(f for f in findings if f.code == "header.duplicate")
    assert duplicate.severity is Severity.WARNING
    assert "column D is called 'name (2)'" in duplicate.message


def test_clean_headers_without_findings_list() -> None:
    assert clean_headers(["a", "a", None]) == ["a", "a (2)", "Column C"]


def test_clean_headers_of_non_text_cells() -> None:
    assert clean_headers([dt.date(2020, 1, 31), True, 3.0, 2.5]) == [
        "2020-01-31",
        "TRUE",
        "3",
        "2.5",
    ]


def test_clean_text() -> None:
    assert clean_text("Case\nNumber") == ("Case Number", False)
    assert clean_text("\ufeffSID") == ("SID", True)
    assert clean_text("Disp\u00a0\u00a0Date ") == ("Disp Date", True)
    assert clean_text("Nu\u0301n\u0303ez") == ("Núñez", False)  # composed, not a finding


def test_header_cells_reach_the_widest_row_of_the_preview() -> None:
    preview = [
        (1, ["Report"]),
        (3, ["Case No", "Name", "Disp Date"]),
        (4, ["KC-1", "DOE, JO", "1999-01-02", None, "NOTE"]),
        (5, ["KC-2", "ROE, AL"]),
    ]
    cells = header_cells(preview, 3)
    assert cells == ["Case No", "Name", "Disp Date", None, None]
    findings: list[Finding] = []
    assert clean_headers(cells, findings, row=3) == [
        "Case No",
        "Name",
        "Disp Date",
        "Column D",
        "Column E",
    ]
    assert [(f.code, f.column) for f in findings] == [("header.blank", "D"), ("header.blank", "E")]
    assert header_cells(preview, 2) is None
    assert preview[1][1] == ["Case No", "Name", "Disp Date"]  # the preview is not changed
