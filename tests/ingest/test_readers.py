"""Every supported format reads into the same streamed rows, with file-level findings."""

from __future__ import annotations

import datetime as dt
import hashlib
import tracemalloc
from pathlib import Path

import pytest

from app.core.errors import ImportFailed
from app.ingest.findings import Severity
from app.ingest.readers import (
    SheetInfo,
    _scan_sheet_xml,
    cell_name,
    column_letter,
    file_sha256,
    list_sheets,
    open_table,
)
from tests.ingest.reading_helpers import (
    rewrite_zip,
    write_ods,
    write_xls,
    write_xlsb,
    write_xlsx,
)

SHEET = "xl/worksheets/sheet1.xml"


def _codes(table) -> list[str]:  # type: ignore[no-untyped-def]
    return [f.code for f in table.findings]


# --- cell values and row numbers -------------------------------------------------------------


def test_xlsx_cells_and_row_numbers(tmp_path: Path) -> None:
    import xlsxwriter

    path = tmp_path / "cells.xlsx"
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("Cases")
    date_fmt = wb.add_format({"num_format": "mm/dd/yyyy"})
    time_fmt = wb.add_format({"num_format": "yyyy-mm-dd hh:mm"})
    # Data starts at B3: two empty rows above and column A empty.
    ws.write_row(2, 1, ["SID", "Name", "Count", "Fine", "DOB", "Arrested", "Sealed"])
    ws.write_string(3, 1, "00012")  # an ID stored as text keeps its zeros
    ws.write_string(3, 2, "Núñez, José")
    ws.write_number(3, 3, 2)
    ws.write_number(3, 4, 250.75)
    ws.write_datetime(3, 5, dt.datetime(1980, 2, 29), date_fmt)
    ws.write_datetime(3, 6, dt.datetime(2019, 7, 1, 13, 45), time_fmt)
    ws.write_boolean(3, 7, False)
    # Row 5 is blank; row 6 has a value only in its last column.
    ws.write_string(5, 7, "yes")
    wb.close()

    with open_table(path) as table:
        assert (table.file_kind, table.sheet, table.epoch, table.encoding) == (
            "xlsx",
            "Cases",
            1900,
            None,
        )
        rows = list(table.rows())
    assert [n for n, _ in rows] == [3, 4, 6]
    assert rows[0][1] == [None, "SID", "Name", "Count", "Fine", "DOB", "Arrested", "Sealed"]
    assert rows[1][1] == [
        None,
        "00012",
        "Núñez, José",
        2,
        250.75,
        dt.date(1980, 2, 29),
        dt.datetime(2019, 7, 1, 13, 45),
        False,
    ]
    assert isinstance(rows[1][1][3], int)
    assert rows[2][1] == [None] * 7 + ["yes"]


def test_1904_date_system(tmp_path: Path) -> None:
    path = write_xlsx(
        tmp_path / "mac.xlsx",
        {"Data": [["DOB", "Serial"], [dt.date(1975, 5, 6), 27882]]},
        date_1904=True,
    )
    with open_table(path) as table:
        assert table.epoch == 1904
        # The date-formatted cell is converted by the reader; the bare number is left to the
        # pipeline, which converts it with the epoch.
        assert list(table.rows())[1][1] == [dt.date(1975, 5, 6), 27882]


def test_preview_stops_early(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "p.xlsx", {"Data": [["n"]] + [[i] for i in range(200)]})
    with open_table(path) as table:
        preview = table.preview(5)
        assert [n for n, _ in preview] == [1, 2, 3, 4, 5]
        assert table.preview(0) == []
        assert len(list(table.rows())) == 201  # rows() starts again from the top


def test_closed_table_cannot_be_read(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "c.xlsx", {"Data": [["a"]]})
    table = open_table(path)
    table.close()
    with pytest.raises(ImportFailed, match="closed"):
        list(table.rows())


# --- sheets ----------------------------------------------------------------------------------


def _hidden_book(tmp_path: Path) -> Path:
    import xlsxwriter

    path = tmp_path / "hidden.xlsx"
    wb = xlsxwriter.Workbook(str(path))
    secret = wb.add_worksheet("Lookup")
    secret.write(0, 0, "code")
    secret.hide()
    deep = wb.add_worksheet("Internal")
    deep.write(0, 0, "x")
    deep.very_hidden()
    blank = wb.add_worksheet("Notes")  # visible but empty
    data = wb.add_worksheet("Cases")
    data.write_row(0, 0, ["Case No", "Name"])
    data.write_row(1, 0, ["A-1", "DOE"])
    data.activate()
    del blank
    wb.close()
    return path


def test_sheet_states_and_default_sheet(tmp_path: Path) -> None:
    path = _hidden_book(tmp_path)
    expected = [
        SheetInfo("Lookup", "hidden"),
        SheetInfo("Internal", "very hidden"),
        SheetInfo("Notes", "visible"),
        SheetInfo("Cases", "visible"),
    ]
    assert list_sheets(path) == expected
    with open_table(path) as table:
        # The first visible sheet with data, skipping hidden and empty ones.
        assert table.sheet == "Cases"
        assert table.sheets == expected
        hidden = [f for f in table.findings if f.code == "file.hidden_sheets"]
        assert len(hidden) == 1
        assert "'Lookup' (hidden)" in hidden[0].message
        assert "'Internal' (very hidden)" in hidden[0].message
    with open_table(path, sheet="Internal") as table:
        assert table.sheet == "Internal"
        assert list(table.rows()) == [(1, ["x"])]
        # The sheet being read is not listed as one "not read unless chosen".
        [note] = [f.message for f in table.findings if f.code == "file.hidden_sheets"]
        assert note.startswith("the workbook has other hidden sheets: 'Lookup' (hidden);"), note
        assert "Internal" not in note


def test_unknown_sheet_lists_the_sheets(tmp_path: Path) -> None:
    path = _hidden_book(tmp_path)
    with pytest.raises(ImportFailed) as info:
        open_table(path, sheet="Data")
    assert "no sheet named 'Data'" in info.value.message
    assert "'Lookup' (hidden)" in info.value.message and "'Cases' (visible)" in info.value.message


def test_chosen_empty_sheet(tmp_path: Path) -> None:
    path = _hidden_book(tmp_path)
    with pytest.raises(ImportFailed) as info:
        open_table(path, sheet="Notes")
    assert (info.value.sheet, info.value.message) == ("Notes", "the sheet is empty")


def test_empty_workbook(tmp_path: Path) -> None:
    import xlsxwriter

    path = tmp_path / "empty.xlsx"
    wb = xlsxwriter.Workbook(str(path))
    wb.add_worksheet("Sheet1")
    wb.add_worksheet("Sheet2")
    wb.close()
    with pytest.raises(ImportFailed) as info:
        open_table(path)
    assert info.value.file == "empty.xlsx"
    assert "the workbook is empty" in info.value.message


def test_data_only_on_a_hidden_sheet_says_so(tmp_path: Path) -> None:
    import xlsxwriter

    path = tmp_path / "h.xlsx"
    wb = xlsxwriter.Workbook(str(path))
    wb.add_worksheet("Front")
    back = wb.add_worksheet("Data")
    back.write(0, 0, "Case No")
    back.hide()
    wb.close()
    with pytest.raises(ImportFailed, match=r"hidden sheets not read: 'Data' \(hidden\)"):
        open_table(path)


def test_headers_only_sheet_reads_one_row(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "h.xlsx", {"Data": [["Case No", "Name", "DOB"]]})
    with open_table(path) as table:
        assert list(table.rows()) == [(1, ["Case No", "Name", "DOB"])]


# --- other formats ---------------------------------------------------------------------------


def test_xls_values_dates_and_hidden_sheets(tmp_path: Path) -> None:
    path = write_xls(
        tmp_path / "legacy.xls",
        {
            "Cases": [["SID", "DOB", "Count"], ["0042", dt.date(1961, 12, 31), 3]],
            "Codes": [["x"]],
        },
        hidden=["Codes"],
    )
    assert list_sheets(path) == [SheetInfo("Cases", "visible"), SheetInfo("Codes", "hidden")]
    with open_table(path) as table:
        assert table.file_kind == "xls"
        assert list(table.rows()) == [
            (1, ["SID", "DOB", "Count"]),
            (2, ["0042", dt.date(1961, 12, 31), 3]),
        ]
        assert "file.hidden_sheets" in _codes(table)


def test_ods_values(tmp_path: Path) -> None:
    path = write_ods(
        tmp_path / "county.ods",
        {
            "Empty": [],
            "Cases": [["Case No", "DOB", "Count", "Closed"], ["B-7", dt.date(1990, 1, 2), 2, True]],
        },
    )
    assert [s.name for s in list_sheets(path)] == ["Empty", "Cases"]
    with open_table(path) as table:
        assert (table.file_kind, table.sheet) == ("ods", "Cases")
        assert list(table.rows())[1] == (2, ["B-7", dt.date(1990, 1, 2), 2, True])


@pytest.mark.parametrize("date1904", [False, True])
def test_xlsb_values_sheets_and_date_system(tmp_path: Path, date1904: bool) -> None:
    path = write_xlsb(
        tmp_path / "binary.xlsb",
        {
            "Codes": [["x"]],
            "Cases": [["Case No", "Count", "Open"], ["A-1", 2, True], ["A-2", 2.5, False]],
        },
        date1904=date1904,
        hidden=["Codes"],
    )
    assert list_sheets(path) == [SheetInfo("Codes", "hidden"), SheetInfo("Cases", "visible")]
    with open_table(path) as table:
        assert (table.file_kind, table.sheet) == ("xlsb", "Cases")
        assert table.epoch == (1904 if date1904 else 1900)
        assert list(table.rows()) == [
            (1, ["Case No", "Count", "Open"]),
            (2, ["A-1", 2, True]),
            (3, ["A-2", 2.5, False]),
        ]
        # The binary content type always says "macroEnabled"; without a VBA part it is no finding.
        assert _codes(table) == ["file.hidden_sheets"]


def test_macro_enabled_workbook_reads_values_only(tmp_path: Path) -> None:
    import xlsxwriter

    vba = tmp_path / "vbaProject.bin"
    vba.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 1024)
    path = tmp_path / "macros.xlsm"
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("Data")
    ws.write_row(0, 0, ["Case No", "Note"])
    ws.write_row(1, 0, ["A-1", "=cmd|' /C calc'!A0"])
    wb.add_vba_project(str(vba))
    wb.close()
    with open_table(path) as table:
        assert table.file_kind == "xlsm"
        assert "file.macros_ignored" in _codes(table)
        finding = next(f for f in table.findings if f.code == "file.macros_ignored")
        assert finding.severity is Severity.INFO and "no macro was run" in finding.message
        rows = list(table.rows())
    assert rows[0] == (1, ["Case No", "Note"])
    assert rows[1][0] == 2 and rows[1][1][0] == "A-1"


# --- file-level findings ---------------------------------------------------------------------


def test_formulas_without_cached_values_are_named(tmp_path: Path) -> None:
    import openpyxl

    book = openpyxl.Workbook()
    ws = book.active
    ws.title = "Data"
    ws.append(["Case No", "Count", "Total"])
    ws.append(["A-1", 1, "=B2*2"])
    ws.append(["A-2", 2, "=B3*2"])
    path = tmp_path / "formulas.xlsx"
    book.save(path)
    with open_table(path) as table:
        found = [f for f in table.findings if f.code == "cell.formula_no_value"]
        assert [(f.row, f.column) for f in found] == [(2, "C"), (3, "C")]
        assert "cell C2 holds a formula but no stored value" in found[0].message
        assert list(table.rows())[1] == (2, ["A-1", 1])


def test_formulas_with_cached_values_are_not_findings(tmp_path: Path) -> None:
    import xlsxwriter

    path = tmp_path / "cached.xlsx"
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("Data")
    ws.write_row(0, 0, ["a", "b"])
    ws.write_formula(1, 0, "=1+1", None, 2)
    wb.close()
    with open_table(path) as table:
        assert "cell.formula_no_value" not in _codes(table)
        assert list(table.rows())[1] == (2, [2])
    # (A stored empty text result, t="str" with an empty <v>, is covered by the scan test.)


def test_sheet_scan_handles_prefixes_and_chunk_boundaries() -> None:
    xml = (
        b'<?xml version="1.0"?><x:worksheet xmlns:x="urn:x"><x:sheetData>'
        b'<x:row r="1"><x:c r="A1"><x:f>1+1</x:f><x:v>2</x:v></x:c>'
        b'<x:c r="B1"><x:f>A1*2</x:f></x:c><x:c r="C1" t="str"><x:f>""</x:f><x:v></x:v></x:c>'
        b'<x:c r="AB1"><x:f t="shared" si="0"/><x:v/></x:c></x:row>'
        b'<x:row r="9"><x:c r="D9" s="1"><x:f>NOW()</x:f><x:v>  </x:v></x:c></x:row>'
        b"</x:sheetData></x:worksheet>"
    )
    for size in (len(xml), 97, 13, 5):
        scan = _scan_sheet_xml(iter([xml[i : i + size] for i in range(0, len(xml), size)]))
        assert scan.missing == ["B1", "AB1", "D9"], size
    whole = _scan_sheet_xml(iter([xml]))
    assert (whole.max_row, whole.max_col) == (9, 28)


def test_error_cells_are_named(tmp_path: Path) -> None:
    src = write_xlsx(tmp_path / "src.xlsx", {"Data": [["Case No", "DOB"], ["A-1", 7], ["A-2", 8]]})
    path = rewrite_zip(
        src,
        tmp_path / "errors.xlsx",
        {
            SHEET: lambda b: b.replace(
                b'<c r="B2"><v>7</v>', b'<c r="B2" t="e"><v>#N/A</v>'
            ).replace(b'<c r="B3"><v>8</v>', b'<c r="B3" s="0" t="e"><v>#VALUE!</v>')
        },
    )
    with open_table(path) as table:
        found = [f for f in table.findings if f.code == "cell.error_value"]
        assert [(f.row, f.column, f.value) for f in found] == [
            (2, "B", "#N/A"),
            (3, "B", "#VALUE!"),
        ]
        assert "cell B2 holds the Excel error #N/A; it reads as empty" in found[0].message
        assert list(table.rows())[1:] == [(2, ["A-1"]), (3, ["A-2"])]


def test_error_cells_across_chunk_boundaries() -> None:
    xml = (
        b'<worksheet><sheetData><row r="1"><c r="A1" t="e"><v>#REF!</v></c>'
        b'<c r="B1"><v>1</v></c><c r="C1" t="e"><v>#DIV/0!</v></c></row></sheetData></worksheet>'
    )
    for size in (len(xml), 50, 17, 7):
        scan = _scan_sheet_xml(iter([xml[i : i + size] for i in range(0, len(xml), size)]))
        assert scan.errors == [("A1", "#REF!"), ("C1", "#DIV/0!")], size


def test_merged_cells_are_reported(tmp_path: Path) -> None:
    import xlsxwriter

    path = tmp_path / "merged.xlsx"
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("Report")
    ws.merge_range("A1:D1", "KERN COUNTY - CANNABIS CONVICTIONS")
    ws.write_row(2, 0, ["Case No", "Name", "Charge", "Disposition"])
    ws.write_row(3, 0, ["A-1", "DOE", "11357(b) HS", "CONVICTED"])
    ws.merge_range("B5:C5", "ROE")
    wb.close()
    with open_table(path) as table:
        merged = [f for f in table.findings if f.code == "cell.merged"]
        assert [(f.row, f.column) for f in merged] == [(1, "A"), (5, "B")]
        assert "cells A1:D1 are merged" in merged[0].message
        assert all(f.file == "merged.xlsx" and f.sheet == "Report" for f in merged)
        rows = dict(table.rows())
    assert rows[1] == ["KERN COUNTY - CANNABIS CONVICTIONS"]
    assert rows[5] == [None, "ROE"]


def test_cells_over_excel_limit(tmp_path: Path) -> None:
    src = write_xlsx(tmp_path / "src.xlsx", {"Data": [["Comment"], ["PLACEHOLDER"]]})
    huge = "x" * 40_000
    path = rewrite_zip(
        src,
        tmp_path / "long.xlsx",
        {"xl/sharedStrings.xml": lambda b: b.replace(b"PLACEHOLDER", huge.encode())},
    )
    with open_table(path) as table:
        rows = list(table.rows())
        found = [f for f in table.findings if f.code == "cell.too_long"]
    assert len(rows[1][1][0]) == 32_767
    assert [(f.row, f.column) for f in found] == [(2, "A")]
    assert "40,000 characters" in found[0].message


def test_csv_cells_over_excel_limit(tmp_path: Path) -> None:
    path = tmp_path / "long.csv"
    path.write_text("id,comment\n1," + "y" * 33_000 + "\n", encoding="utf-8")
    with open_table(path) as table:
        rows = list(table.rows())
        assert [(f.row, f.column) for f in table.findings] == [(2, "B")]
    assert len(rows[1][1][1]) == 32_767


# --- CSV and TSV -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "delimiter", "kind"),
    [
        ("a,b,c\n1,2,3\n", ",", "csv"),
        ("a;b;c\n1;2,5;3\n", ";", "csv"),
        ("a\tb\tc\n1\t2, 3\t3\n", "\t", "tsv"),
        ("a|b|c\n1|2|3\n", "|", "csv"),
    ],
)
def test_csv_delimiters(tmp_path: Path, text: str, delimiter: str, kind: str) -> None:
    path = tmp_path / "d.csv"
    path.write_text(text, encoding="utf-8")
    with open_table(path) as table:
        assert (table.delimiter, table.file_kind, table.sheet, table.epoch) == (
            delimiter,
            kind,
            None,
            1900,
        )
        assert [len(c) for _, c in table.rows()] == [3, 3]


def test_tsv_extension_prefers_tab_for_a_single_column(tmp_path: Path) -> None:
    path = tmp_path / "one.tsv"
    path.write_text("Name\nDOE, JOHN\n", encoding="utf-8")
    with open_table(path) as table:
        assert table.file_kind == "tsv"
        assert list(table.rows()) == [(1, ["Name"]), (2, ["DOE, JOHN"])]


def test_csv_line_numbers_blank_lines_and_quoted_newlines(tmp_path: Path) -> None:
    path = tmp_path / "lines.csv"
    path.write_bytes(b'Case,Comment\r\nA-1,"two\r\nlines"\r\n\r\n,\r\nA-2,"say ""hi"""\r\nA-3,\r\n')
    with open_table(path) as table:
        assert list(table.rows()) == [
            (1, ["Case", "Comment"]),
            (2, ["A-1", "two\r\nlines"]),
            (6, ["A-2", 'say "hi"']),
            (7, ["A-3"]),
        ]


def test_csv_invalid_utf8_deep_in_the_file_names_the_line(tmp_path: Path) -> None:
    lines = ["id,name"] + [f"{i},name{i}" for i in range(1, 20_000)]
    data = ("\n".join(lines) + "\n").encode() + "99999,Mu\xf1oz\n".encode("cp1252")
    path = tmp_path / "late.csv"
    path.write_bytes(data)
    with open_table(path) as table, pytest.raises(ImportFailed) as info:
        list(table.rows())
    assert info.value.row == 20_001
    assert "--encoding cp1252" in info.value.message


def test_csv_only_blank_lines(tmp_path: Path) -> None:
    path = tmp_path / "blank.csv"
    path.write_text("\n\n  \n", encoding="utf-8")
    with pytest.raises(ImportFailed, match="no data"):
        open_table(path)


def test_list_sheets_of_csv(tmp_path: Path) -> None:
    path = tmp_path / "a.csv"
    path.write_text("a,b\n")
    assert list_sheets(path) == [SheetInfo("", "visible")]


def test_csv_rows_stream_with_flat_memory(tmp_path: Path) -> None:
    path = tmp_path / "many.csv"
    with path.open("w", encoding="utf-8") as fh:
        fh.write("id,name,dob,charge\n")
        for i in range(40_000):
            fh.write(f"{i:08d},PERSON {i},01/02/1980,11357(b) HS\n")
    with open_table(path) as table:
        tracemalloc.start()
        try:
            count = sum(1 for _ in table.rows())
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
    assert count == 40_001  # held as a list these rows would take ~17 MB
    assert peak < 2 * 1024 * 1024, f"peak {peak / 1e6:.1f} MB"


def test_xlsx_rows_do_not_accumulate_python_objects(tmp_path: Path) -> None:
    path = write_xlsx(
        tmp_path / "big.xlsx", {"Data": [["id", "name"]] + [[i, f"P{i}"] for i in range(12_000)]}
    )
    with open_table(path) as table:
        tracemalloc.start()
        try:
            count = sum(1 for _ in table.rows())
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
    assert count == 12_001
    assert peak < 512 * 1024, f"peak {peak / 1e6:.1f} MB"  # the rows as a list: ~3 MB


# --- helpers ---------------------------------------------------------------------------------


def test_file_sha256(tmp_path: Path) -> None:
    path = tmp_path / "x.bin"
    data = bytes(range(256)) * 10_000
    path.write_bytes(data)
    assert file_sha256(path) == hashlib.sha256(data).hexdigest()


@pytest.mark.parametrize(
    ("index", "letters"),
    [(0, "A"), (25, "Z"), (26, "AA"), (701, "ZZ"), (702, "AAA"), (16383, "XFD")],
)
def test_column_letters(index: int, letters: str) -> None:
    assert column_letter(index) == letters
    assert cell_name(7, index) == f"{letters}7"


@pytest.mark.parametrize("name", ["export.csv", "export.xlsm", "export.dat", "export"])
def test_xlsx_under_any_name(tmp_path: Path, name: str) -> None:
    src = write_xlsx(tmp_path / "src.xlsx", {"Data": [["Case No"], ["A-1"]]})
    path = tmp_path / name
    path.write_bytes(src.read_bytes())
    with open_table(path) as table:
        assert table.file_kind == "xlsx"
        assert list(table.rows()) == [(1, ["Case No"]), (2, ["A-1"])]
    assert list_sheets(path) == [SheetInfo("Data", "visible")]


def test_data_only_on_a_hidden_sheet_carries_the_sheets_to_choose_from(tmp_path: Path) -> None:
    import xlsxwriter

    from app.core.errors import Remedy

    path = tmp_path / "h.xlsx"
    wb = xlsxwriter.Workbook(str(path))
    wb.add_worksheet("Front")
    back = wb.add_worksheet("Data")
    back.write(0, 0, "Case No")
    back.hide()
    wb.close()
    with pytest.raises(ImportFailed) as info:
        open_table(path)
    # The command line's words, unchanged; the remedy as data for the window.
    assert str(info.value) == (
        "h.xlsx: the workbook is empty: no visible sheet has any data; hidden sheets not read: "
        "'Data' (hidden) (choose one with --sheet)"
    )
    assert info.value.remedy == Remedy.choose_sheet([("Front", "visible"), ("Data", "hidden")])
    assert info.value.problem == (
        "the workbook is empty: no visible sheet has any data; hidden sheets not read: 'Data' (hidden)"
    )


def test_an_empty_workbook_without_hidden_sheets_has_no_remedy(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "e.xlsx", {"Front": []})
    with pytest.raises(ImportFailed) as info:
        open_table(path)
    assert info.value.message == "the workbook is empty: no visible sheet has any data"
    assert info.value.remedy is None


def test_invalid_utf8_past_the_start_offers_windows_1252(tmp_path: Path) -> None:
    from app.core.errors import RemedyKind

    lines = ["id,name"] + [f"{i},name{i}" for i in range(1, 20_000)]
    path = tmp_path / "late.csv"
    path.write_bytes(("\n".join(lines) + "\n").encode() + "99999,Mu\xf1oz\n".encode("cp1252"))
    with open_table(path) as table, pytest.raises(ImportFailed) as info:
        list(table.rows())
    assert info.value.message == (
        "the text is not valid utf-8 (invalid continuation byte); if it came from an older "
        "Windows program, confirm with --encoding cp1252"
    )
    assert info.value.remedy is not None and info.value.remedy.kind is RemedyKind.CONFIRM_ENCODING
    assert info.value.remedy.encoding == "cp1252"
    assert info.value.problem == "the text is not valid utf-8 (invalid continuation byte)"
