"""Reader findings that reach the import report: long cells found while reading, merged cells."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

from app.services import importing
from app.store.imports import source_findings
from app.store.workspace import Workspace
from tests.ingest.reading_helpers import ods_cell, ods_row, write_ods_xml

TODAY = dt.date(2026, 1, 1)
HEADERS = ["Case No", "Defendant Name", "SID", "Charge", "Disposition", "Disp Date", "Comment"]



def _long_cell_csv(path: Path, long_rows: set[int]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(HEADERS)
        for i in range(2, 121):  # CSV lines 2..120; the preview reads only the first 50
            comment = "z" * 33_000 if i in long_rows else "ok"
            writer.writerow(
                [
                    f"C{i:04d}",
                    f"DOE{i}, JO",
                    f"{i:06d}",
                    "11357(B) HS",
                    "CONVICTED",
                    "01/02/1999",
                    comment,
                ]
            )
    return path


def test_long_cells_found_while_reading_are_reported_once(ws: Workspace, tmp_path: Path) -> None:
    # Line 10 is inside the preview (read twice), line 100 only in the full pass.
    path = _long_cell_csv(tmp_path / "long.csv", {10, 100})
    report = importing.import_file(ws, path, user="clerk", today=TODAY)
    assert report.status == "imported", report.message
    long = [(f.row, f.column) for f in report.findings if f.code == "cell.too_long"]
    assert long == [(10, "G"), (100, "G")]
    stored = [
        (f.row, f.column)
        for f in source_findings(ws, report.source_id or 0)
        if f.code == "cell.too_long"
    ]
    assert stored == [(10, "G"), (100, "G")]
    # The cell is kept cut to Excel's limit, as the reader promises.
    assert ws.conn.execute("SELECT max(length(comment)) FROM counts").fetchone()[0] == 32_767


def test_validation_reports_long_cells_beyond_the_preview(tmp_path: Path) -> None:
    path = _long_cell_csv(tmp_path / "long.csv", {10, 100})
    report = importing.validate_file(path, today=TODAY)
    long = [(f.row, f.column) for f in report.findings if f.code == "cell.too_long"]
    assert long == [(10, "G"), (100, "G")]


def test_merged_title_above_the_header_is_not_a_finding(ws: Workspace, tmp_path: Path) -> None:
    import xlsxwriter

    path = tmp_path / "merged.xlsx"
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet("Report")
    sheet.merge_range("A1:F1", "KERN COUNTY - CANNABIS CONVICTIONS")
    sheet.write_row(2, 0, HEADERS[:6])
    sheet.write_row(3, 0, ["A-1", "DOE, JO", "0001", "11357(b) HS", "CONVICTED", "01/02/1999"])
    sheet.write_row(4, 0, ["A-2", "ROE, AL", "0002", "11357(b) HS", "CONVICTED", "01/02/1999"])
    sheet.merge_range("E5:F5", "CONVICTED")  # a merged cell in the data is still reported
    book.close()

    inspection = importing.inspect_file(path)
    assert inspection.header_row == 3
    assert [(f.row, f.column) for f in inspection.findings if f.code == "cell.merged"] == [(5, "E")]
    report = importing.import_file(ws, path, user="clerk", today=TODAY)
    assert report.status == "imported", report.message
    assert [(f.row, f.column) for f in report.findings if f.code == "cell.merged"] == [(5, "E")]


def test_merged_ods_cell_in_the_data_reaches_the_import_report(
    ws: Workspace, tmp_path: Path
) -> None:
    header = ods_row(*(ods_cell(h) for h in ("Case Number", "Defendant Name", "CII", "Charge",
                                       "Disposition", "Disposition Date")))  # fmt: skip
    first = ods_row(*(ods_cell(v) for v in ("A-1", "DOE, JO", "0001", "11357(b) HS", "CONVICTED",
                                      "01/02/1999")))  # fmt: skip
    second = ods_row(
        *(ods_cell(v) for v in ("A-2", "ROE, AL", "0002", "11357(b) HS")),
        ods_cell("CONVICTED", ' table:number-columns-spanned="2"'),
    )
    path = write_ods_xml(
        tmp_path / "county.ods", '<table:table table:name="Report">' + header + first + second
        + "</table:table>"
    )  # fmt: skip
    report = importing.import_file(ws, path, user="clerk", today=TODAY)
    assert report.status == "imported", report.message
    found = [f for f in report.findings if f.code == "cell.merged"]
    assert [(f.file, f.sheet, f.row, f.column) for f in found] == [("county.ods", "Report", 3, "E")]
