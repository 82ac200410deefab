"""Error cells and never-calculated formulas in legacy .xls workbooks (BIFF8), written by xlwt."""

from __future__ import annotations

import random
import struct
from pathlib import Path
from typing import Any

import pytest

from app.core.errors import ImportFailed
from app.ingest import xls_cells
from app.ingest.findings import Finding, Severity
from app.ingest.readers import _scan_sheet_xml, open_table
from app.ingest.sniff import _Cfb
from app.services import importing
from app.store.workspace import Workspace

CELL_CODES = ("cell.error_value", "cell.formula_no_value")
# What xlwt stores as every formula's result: "empty text" (it never calculates).
XLWT_RESULT = b"\x03\x00\x00\x00\x00\x00\xff\xff"


def _error_result(code: int) -> bytes:
    return bytes([2, 0, code, 0, 0, 0, 0xFF, 0xFF])


def _xls(path: Path, sheets: dict[str, dict[tuple[int, int], Any]]) -> Path:
    """A real .xls: each sheet's cells by (row, col), 0-based. ``("error", code)`` is an error
    constant (a BOOLERR record), ``("formula", text)`` a formula, anything else a plain value."""
    import xlwt

    book = xlwt.Workbook()
    for name, cells in sheets.items():
        sheet = book.add_sheet(name)
        for (r, c), value in sorted(cells.items()):
            if isinstance(value, tuple) and value[0] == "error":
                sheet.row(r).set_cell_error(c, value[1])
            elif isinstance(value, tuple) and value[0] == "formula":
                sheet.write(r, c, xlwt.Formula(value[1]))
            elif isinstance(value, bool):
                sheet.row(r).set_cell_boolean(c, value)
            else:
                sheet.write(r, c, value)
    book.save(str(path))
    return path


def _set_result(path: Path, row: int, col: int, result: bytes) -> None:
    """Give the formula at (row, col) another stored result, as a calculating program would."""
    data = bytearray(path.read_bytes())
    # FORMULA record: type 0x0006, length, row, column, format, then the 8-byte result.
    needle = struct.pack("<HH", row, col)
    at = 0
    while True:
        at = data.find(XLWT_RESULT, at + 1)
        assert at > 0, "formula not found"
        if data[at - 10 : at - 8] == b"\x06\x00" and data[at - 6 : at - 2] == needle:
            data[at : at + 8] = result
            path.write_bytes(bytes(data))
            return


def _mark_calculated(path: Path, engine: int) -> None:
    """Turn xlwt's WRITEACCESS record into a RECALCID naming a calculation engine (what Excel
    and LibreOffice write when they save); 0 means "recalculate on opening"."""
    data = bytearray(path.read_bytes())
    at = data.find(b"\x5c\x00\x70\x00")
    assert at > 0
    data[at : at + 4] = b"\xc1\x01\x70\x00"
    data[at + 4 : at + 12] = b"\xc1\x01\x00\x00" + struct.pack("<I", engine)
    path.write_bytes(bytes(data))


def _cell_findings(findings: list[Finding]) -> list[tuple[str, int | None, str | None, Any]]:
    return [(f.code, f.row, f.column, f.value) for f in findings if f.code in CELL_CODES]


CASES = {
    (0, 0): "Case No",
    (0, 1): "DOB",
    (0, 2): "Disposition",
    (1, 0): "A-1",
    (1, 1): ("error", 0x2A),  # #N/A typed in, or pasted as a value
    (1, 2): "CONVICTED",
    (2, 0): "A-2",
    (2, 1): "1980-01-02",
    (2, 2): ("formula", "1/0"),  # given an error result below
    (3, 0): "A-3",
    (3, 1): "1981-02-03",
    (3, 2): "DISMISSED",
}


def test_error_cells_are_named_and_read_as_empty(tmp_path: Path) -> None:
    path = _xls(tmp_path / "errors.xls", {"Cases": CASES})
    _set_result(path, 2, 2, _error_result(0x07))  # #DIV/0!
    _mark_calculated(path, 0x13880)
    with open_table(path) as table:
        rows = list(table.rows())
        found = [f for f in table.findings if f.code in CELL_CODES]
    assert rows == [
        (1, ["Case No", "DOB", "Disposition"]),
        (2, ["A-1", None, "CONVICTED"]),
        (3, ["A-2", "1980-01-02"]),
        (4, ["A-3", "1981-02-03", "DISMISSED"]),
    ]
    assert _cell_findings(found) == [
        ("cell.error_value", 2, "B", "#N/A"),
        ("cell.error_value", 3, "C", "#DIV/0!"),
    ]
    assert found[0].message == "cell B2 holds the Excel error #N/A; it reads as empty"
    assert all(f.severity is Severity.WARNING for f in found)
    assert all(f.file == "errors.xls" and f.sheet == "Cases" for f in found)


def test_the_same_errors_read_the_same_from_xls_and_xlsx(tmp_path: Path) -> None:
    import xlsxwriter

    xls = _xls(tmp_path / "book.xls", {"Cases": CASES})
    _set_result(xls, 2, 2, _error_result(0x07))
    _mark_calculated(xls, 0x13880)
    xlsx = tmp_path / "book.xlsx"
    book = xlsxwriter.Workbook(str(xlsx))
    sheet = book.add_worksheet("Cases")
    for (r, c), value in sorted(CASES.items()):
        if isinstance(value, str):
            sheet.write_string(r, c, value)
    sheet.write_formula(1, 1, "=NA()", None, "#N/A")
    sheet.write_formula(2, 2, "=1/0", None, "#DIV/0!")
    book.close()

    def seen(path: Path) -> tuple[list[tuple[Any, ...]], list[Any]]:
        with open_table(path) as table:
            rows = list(table.rows())
            return [
                (f.severity, f.code, f.message, f.sheet, f.row, f.column, f.value)
                for f in table.findings
                if f.code in CELL_CODES
            ], rows

    assert seen(xls) == seen(xlsx)


def test_xlsx_error_results_of_formulas_are_found_across_chunks() -> None:
    # Excel writes a formula's error result after the formula: <c t="e"><f>..</f><v>#N/A</v>.
    formula = b"VLOOKUP(A2,Sheet2!A:B,2,FALSE)&" * 400  # a long formula, cut by any chunking
    xml = (
        b'<worksheet><sheetData><row r="2"><c r="A2"><v>1</v></c><c r="B2" t="e"><f>'
        + formula
        + b'</f><v>#N/A</v></c><c r="C2" t="e"><f t="shared" si="0"/><v>#REF!</v></c>'
        b"</row></sheetData></worksheet>"
    )
    for size in (len(xml), 4096, 97, 13):
        scan = _scan_sheet_xml(iter([xml[i : i + size] for i in range(0, len(xml), size)]))
        assert scan.errors == [("B2", "#N/A"), ("C2", "#REF!")], size


def test_formulas_never_calculated_are_named(tmp_path: Path) -> None:
    # xlwt stores "empty text" as every formula's result and records no calculation engine: the
    # date of birth below was never worked out, like an .xlsx formula without a <v>.
    cells = {(0, 0): "Case No", (0, 1): "DOB", (1, 0): "A-1", (1, 1): ("formula", "DATE(1980,1,2)")}
    path = _xls(tmp_path / "generated.xls", {"Cases": cells})
    with open_table(path) as table:
        rows = list(table.rows())
        found = [f for f in table.findings if f.code in CELL_CODES]
    assert rows == [(1, ["Case No", "DOB"]), (2, ["A-1"])]
    assert _cell_findings(found) == [("cell.formula_no_value", 2, "B", None)]
    assert found[0].message == (
        "cell B2 holds a formula but no stored value (the file was not saved by Excel after "
        "calculating); it reads as empty. Open the file in Excel, let it calculate, and save it "
        "again"
    )
    # Asked to recalculate on opening (engine 0): the results were not worked out either.
    _mark_calculated(path, 0)
    with open_table(path) as table:
        assert _cell_findings(table.findings) == [("cell.formula_no_value", 2, "B", None)]


def test_an_empty_text_result_of_a_calculated_workbook_is_a_stored_value(tmp_path: Path) -> None:
    # A formula such as =IF(A2="","",A2) stores empty text once Excel has calculated it: that
    # is the cell's value, as an .xlsx t="str" cell with an empty <v> is.
    cells = {(0, 0): "Case No", (0, 1): "Note", (1, 0): "A-1", (1, 1): ("formula", '""&""')}
    path = _xls(tmp_path / "calculated.xls", {"Cases": cells})
    _mark_calculated(path, 0x13880)
    with open_table(path) as table:
        assert list(table.rows()) == [(1, ["Case No", "Note"]), (2, ["A-1"])]
        assert _cell_findings(table.findings) == []


def test_the_chosen_sheet_is_walked_not_the_first(tmp_path: Path) -> None:
    summary = {(0, 0): "Total", (1, 0): ("error", 0x17), (2, 0): ("formula", "1+1")}
    cases = {
        (0, 0): "Case No",
        (0, 1): "DOB",
        (0, 2): "Disposition",
        (1, 0): "A-1",
        (1, 1): "1980-01-02",
        (2, 0): "A-2",
        (2, 1): ("error", 0x0F),
        (4, 0): "A-4",
        (4, 2): ("error", 0x24),
    }
    path = _xls(tmp_path / "two.xls", {"Summary": summary, "Cases": cases})
    with open_table(path, sheet="Cases") as table:
        assert _cell_findings(table.findings) == [
            ("cell.error_value", 3, "B", "#VALUE!"),
            ("cell.error_value", 5, "C", "#NUM!"),
        ]
        assert list(table.rows())[1:] == [(2, ["A-1", "1980-01-02"]), (3, ["A-2"]), (5, ["A-4"])]
    with open_table(path) as table:  # the first sheet with data
        assert table.sheet == "Summary"
        assert _cell_findings(table.findings) == [
            ("cell.error_value", 2, "A", "#REF!"),
            ("cell.formula_no_value", 3, "A", None),
        ]


def test_many_error_cells_are_summarized(tmp_path: Path) -> None:
    cells: dict[tuple[int, int], Any] = {(0, 0): "Case No", (0, 1): "DOB"}
    for r in range(1, 61):
        cells[(r, 0)] = f"A-{r}"
        cells[(r, 1)] = ("error", 0x2A)
    path = _xls(tmp_path / "lookup.xls", {"Cases": cells})
    with open_table(path) as table:
        found = [f for f in table.findings if f.code == "cell.error_value"]
        rows = list(table.rows())
    assert len(found) == 51
    assert found[-1].message == "10 more cells holding errors are not listed"
    assert all(cells == [f"A-{n - 1}"] for n, cells in rows[1:])
    kept = xls_cells.scan_sheet(path, "Cases", limit=5)
    assert kept is not None and (len(kept.errors), kept.errors_total) == (5, 60)


def _outcome(path: Path, sheet: str | None = None) -> tuple[str, object]:
    try:
        with open_table(path, sheet=sheet) as table:
            return "read", list(table.rows())
    except ImportFailed as exc:
        return "failed", str(exc)


def _damaged(good: bytes, seed: int) -> bytes:
    rng = random.Random(seed)
    data = bytearray(good)
    kind = seed % 3
    if kind == 0:  # cut short
        return bytes(data[: rng.randrange(512, len(data))])
    if kind == 1:  # a few bytes overwritten anywhere past the header
        for _ in range(rng.randrange(1, 6)):
            data[rng.randrange(512, len(data))] = rng.randrange(256)
        return bytes(data)
    # A record length or a sheet's offset changed: the walk loses its footing.
    at = rng.randrange(512, len(data) - 2)
    data[at : at + 2] = struct.pack("<H", rng.choice((0, 1, 3, 0xFFFF, rng.randrange(65536))))
    return bytes(data)


def test_damaged_files_read_or_fail_as_they_did_without_the_walk(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    good = _xls(tmp_path / "good.xls", {"Cases": CASES}).read_bytes()
    path = tmp_path / "damaged.xls"
    walked: list[object] = []
    for seed in range(60):
        path.write_bytes(_damaged(good, seed))
        # The walk itself never raises, whatever the bytes: facts or None.
        found = xls_cells.scan_sheet(path, "Cases")
        assert found is None or isinstance(found, xls_cells.XlsCells)
        walked.append(found)
        now = _outcome(path)
        with monkeypatch.context() as m:
            m.setattr(xls_cells, "scan_sheet", lambda *_a, **_k: None)
            before = _outcome(path)
        assert now == before, seed
    assert None in walked  # some damage was caught by the walk, not merely survived


def test_a_sheet_offset_past_the_stream_gives_no_facts(tmp_path: Path) -> None:
    path = _xls(tmp_path / "offset.xls", {"Cases": CASES})
    data = bytearray(path.read_bytes())
    at = data.find(b"\x85\x00\x0d\x00")  # BOUNDSHEET of "Cases" (8 + 5 bytes)
    assert at > 0
    data[at + 4 : at + 8] = struct.pack("<I", 0x7FFFFFFF)
    path.write_bytes(bytes(data))
    assert xls_cells.scan_sheet(path, "Cases") is None


def test_a_large_clean_sheet_has_no_findings(tmp_path: Path) -> None:
    import xlwt

    path = tmp_path / "clean.xls"
    book = xlwt.Workbook()
    sheet = book.add_sheet("Cases")
    # Past row 517 (0x0205, BOOLERR's own type bytes in a row number) and with TRUE/FALSE cells.
    for r in range(1200):
        sheet.write(r, 0, f"A-{r}")
        sheet.write(r, 1, r * 1.5)
        sheet.write(r, 2, "CONVICTED")
        sheet.row(r).set_cell_boolean(3, r % 2 == 0)
        sheet.write(r, 8, r)
    book.save(str(path))
    with open_table(path) as table:
        assert sum(1 for _ in table.rows()) == 1200
        assert _cell_findings(table.findings) == []
    assert xls_cells.scan_sheet(path, "Cases") == xls_cells.XlsCells()
    # The full record walk (what runs when the byte check sees a candidate) agrees.
    with path.open("rb") as fh:
        cfb = _Cfb(fh)
        offsets, calculated = xls_cells._walk_globals(
            xls_cells._records(cfb.iter_stream("Workbook"))
        )
        walked = xls_cells._walk_sheet(cfb.iter_stream("Workbook", offsets["Cases"]), calculated, 9)
    assert walked == xls_cells.XlsCells()


def test_stream_blocks_join_to_the_whole_stream(tmp_path: Path) -> None:
    path = tmp_path / "blocks.xls"
    _xls(path, {"Cases": {(r, c): f"v{r}.{c}" for r in range(300) for c in range(6)}})
    with path.open("rb") as fh:
        cfb = _Cfb(fh)
        whole = b"".join(cfb.iter_stream("Workbook"))
        assert len(whole) > 8 * 4096
        for start, block in ((0, 512), (700, 1024), (4097, 4096), (len(whole) - 3, 512)):
            assert b"".join(cfb.iter_stream("Workbook", start, block)) == whole[start:]
        assert b"".join(cfb.iter_stream("Workbook", len(whole))) == b""


def test_import_report_names_xls_error_cells(ws: Workspace, tmp_path: Path) -> None:
    import datetime as dt

    headers = ["Case No", "Defendant Name", "DOB", "Charge", "Disposition", "Disp Date"]
    row2 = ["BA001", "DOE, JO", "01/02/1980", "11357(B) HS", "CONVICTED", "03/04/1999"]
    row3 = ["BA002", "ROE, AL", None, "11357(B) HS", "CONVICTED", "03/04/1999"]
    cells: dict[tuple[int, int], Any] = {}
    for r, row in enumerate([headers, row2, row3]):
        cells.update({(r, c): v for c, v in enumerate(row) if v is not None})
    cells[(2, 2)] = ("error", 0x2A)
    path = _xls(tmp_path / "county.xls", {"Cases": cells})
    today = dt.date(2026, 1, 1)

    checked = importing.validate_file(path, today=today)
    assert ("cell.error_value", 3, "C", "#N/A") in _cell_findings(checked.findings)
    report = importing.import_file(ws, path, user="clerk", today=today)
    assert report.status == "imported", report.message
    assert ("cell.error_value", 3, "C", "#N/A") in _cell_findings(report.findings)
    assert ws.conn.execute("SELECT count(*) FROM people WHERE dob IS NULL").fetchone()[0] == 1
