"""Small real source files for the import wizard's tests and screenshots (all names invented)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

HEADERS = [
    "Case Number",
    "Count",
    "Defendant Name",
    "DOB",
    "Charge",
    "Charge Level",
    "Disposition",
    "Disposition Date",
    "Court Location",
]

ROWS = [
    ["F0012345", 1, "DOE, JOHN", dt.date(1980, 1, 2), "11357(B) HS", "M", "CONVICTED", "03/04/2001", "Bakersfield"],
    ["F0012345", 2, "DOE, JOHN", dt.date(1980, 1, 2), "11360(a) HS", "F", "CONVICTED", "03/04/2001", "Bakersfield"],
    ["M0077001", 1, "NÚÑEZ, ANA", "02/30/1990", "11359 HS", "F", "DISMISSED", "2003-02-02", "Delano"],
    [None, 1, "O'BRIEN, PAT", dt.date(1975, 7, 8), "11357 HS", "M", "CONVICTED", "2004-05-06", "Shafter"],
    ["F0099002", 1, "NGUYỄN, VAN", dt.date(1969, 12, 31), "=HYPERLINK(\"x\")", "M", "CONVICTED", "07/08/1999", "Taft"],
    ["F0099003", 1, "ROE, JANE", "1985-05-06", "11358 HS", "F", "CONVICTED", "12/31/2005", "Bakersfield"],
    # John Doe again in another case: no person key, so only proposed as the same person.
    ["F0055555", 1, "DOE, JOHN", dt.date(1980, 1, 2), "11357(A) HS", "M", "CONVICTED", "2006-06-06", "Taft"],
]


def write_workbook(path: Path) -> Path:
    """A county export: a notes sheet, the data below two title rows, a hidden and a very hidden sheet.

    The data sheet "Cases" has one row without a case number (an error), an impossible date
    (a warning), formula-looking text (stored as text, never evaluated) and one person in two
    cases with no person key (a same-person proposal).
    """
    from openpyxl import Workbook

    book = Workbook()
    notes = book.active
    notes.title = "Read me"
    notes["A1"] = "Exported from the court case-management system"
    cases = book.create_sheet("Cases")
    cases.append(["Kern County Superior Court — cannabis convictions"])
    cases.append(["Run date: 2024-01-15"])
    cases.append(HEADERS)
    for row in ROWS:
        cases.append(row)
        cell = cases.cell(row=cases.max_row, column=5)
        if isinstance(cell.value, str) and cell.value.startswith("="):
            cell.data_type = "s"  # the court system wrote it as text, not as a formula
    archive = book.create_sheet("Archive 2019")
    archive.append(HEADERS)
    archive.append(["A0000001", 1, "SMITH, AL", dt.date(1950, 3, 3), "11357 HS", "M", "CONVICTED", "1990-01-01", "Taft"])
    archive.sheet_state = "hidden"
    config = book.create_sheet("Lookup")
    config.append(["code", "meaning"])
    config.append(["M", "misdemeanor"])
    config.sheet_state = "veryHidden"
    book.save(path)
    return path


def write_csv(path: Path, *, rows: int = 3, encoding: str = "utf-8", bad_row: bool = False) -> Path:
    """A plain court CSV with ``rows`` good rows (and one without a case number when asked)."""
    lines = ["Case Number,Defendant Name,DOB,Charge,Disposition,Disposition Date"]
    for i in range(rows):
        lines.append(f"C{i:07d},\"PÉREZ{i}, ANA\",01/02/1980,11357(B) HS,CONVICTED,03/04/2001")
    if bad_row:
        lines.append(",\"ROE, JANE\",1985-05-06,11360(a) HS,CONVICTED,2002-01-01")
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode(encoding))
    return path
