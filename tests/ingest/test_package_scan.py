"""Merged cells and unvalued formulas in .ods and .xlsb workbooks, which calamine does not report."""

from __future__ import annotations

import re
import struct
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.ingest.package_scan import (
    RecordError,
    iter_records,
    ods_scan,
    xlsb_merged_ranges,
    xlsb_sheet_rels,
)
from app.ingest.readers import open_table
from tests.ingest.reading_helpers import ods_cell, ods_row, write_ods_xml, write_xlsb


def _stream(chunks: list[bytes]) -> Callable[[], Iterator[bytes]]:
    """A part that can be read again and again, in the given chunks."""
    return lambda: iter(chunks)


# Two empty rows (one element standing for both), a title spanning four columns, the header in
# a header-rows group, then data: a case number spanning two rows (its second row holds a
# covered cell), a formula with ">" in it and a stored value, a formula without one after
# three repeated empty cells, and an empty row with no cells.
REPORT = (
    '<table:table table:name="Cases &amp; Fines">'
    + ods_row("<table:table-cell/>", extra=' table:number-rows-repeated="2"')
    + ods_row(
        ods_cell("KERN COUNTY", ' table:number-columns-spanned="4" table:number-rows-spanned="1"')
    )
    + "<table:table-header-rows>"
    + ods_row(ods_cell("Case No"), ods_cell("Name"), ods_cell("Charge"), ods_cell("Total"))
    + "</table:table-header-rows>"
    + ods_row(
        ods_cell("A-1", ' table:number-rows-spanned="2"'),
        ods_cell("DOE"),
        ods_cell("11357(b) HS"),
        '<table:table-cell table:formula="of:=IF([.B4]&gt;0;1;2)" office:value-type="float" '
        'office:value="2"><text:p>2</text:p></table:table-cell>',
    )
    + ods_row("<table:covered-table-cell/>", ods_cell("ROE"), ods_cell("11360 HS"))
    + ods_row(
        ods_cell("A-2"),
        '<table:table-cell table:number-columns-repeated="2"/>',
        '<table:table-cell table:formula="of:=[.A1]>0"/>',
    )
    + '<table:table-row table:number-rows-repeated="3"/>'
    + ods_row(ods_cell("A-3"), ods_cell("POE", ' table:number-columns-spanned="2"'))
    + "</table:table>"
    + '<table:table table:name="Other">'
    + ods_row(ods_cell("X", ' table:number-rows-spanned="3"'))
    + "</table:table>"
)


def test_ods_merged_and_unvalued_formula_cells_are_named(tmp_path: Path) -> None:
    path = write_ods_xml(tmp_path / "county.ods", REPORT)
    with open_table(path) as table:
        assert table.sheet == "Cases & Fines"
        rows = dict(table.rows())
        merged = [(f.row, f.column) for f in table.findings if f.code == "cell.merged"]
        formulas = [f for f in table.findings if f.code == "cell.formula_no_value"]
    # Row numbers are the ones the table gives its rows (repeated rows expanded).
    assert rows[3] == ["KERN COUNTY"]
    assert rows[5][:2] == ["A-1", "DOE"]
    assert rows[7] == ["A-2"]  # the formula without a value reads as empty
    assert rows[11] == ["A-3", "POE"]
    assert merged == [(3, "A"), (5, "A"), (11, "B")]
    assert [(f.row, f.column) for f in formulas] == [(7, "D")]
    assert "cell D7 holds a formula but no stored value" in formulas[0].message
    assert "LibreOffice Calc" in formulas[0].message
    ranges = [f.message for f in table.findings if f.code == "cell.merged"]
    assert "cells A3:D3 are merged" in ranges[0] and "cells A5:A6 are merged" in ranges[1]


def test_ods_error_results_are_named_and_read_as_empty(tmp_path: Path) -> None:
    # LibreOffice marks an error result with calcext:value-type="error" beside an ordinary value
    # type: an empty string (calamine then reads nothing) or, from other writers, a number such
    # as 0, which calamine returns as if it were the value.
    div0 = (
        '<table:table-cell table:formula="of:=1/0" office:value-type="float" office:value="0" '
        'calcext:value-type="error"><text:p>#DIV/0!</text:p></table:table-cell>'
    )
    na = (
        '<table:table-cell table:formula="of:=NA()" calcext:value-type="error">'
        "<text:p>#N/A</text:p></table:table-cell>"
    )
    path = write_ods_xml(
        tmp_path / "errors.ods",
        '<table:table table:name="S">'
        + ods_row(ods_cell("Case No"), ods_cell("Count"), ods_cell("DOB"))
        + ods_row(ods_cell("A-1"), div0, ods_cell("x"))
        + ods_row(ods_cell("A-2"), ods_cell("1"), na)
        + ods_row(div0, extra=' table:number-rows-repeated="2"')  # rows of errors only
        + ods_row(ods_cell("A-3"))
        + "</table:table>",
    )
    with open_table(path) as table:
        rows = list(table.rows())
        errors = [f for f in table.findings if f.code == "cell.error_value"]
    assert rows == [
        (1, ["Case No", "Count", "DOB"]),
        (2, ["A-1", None, "x"]),
        (3, ["A-2", "1"]),
        (6, ["A-3"]),  # rows 4 and 5 held nothing but errors
    ]
    assert [(f.row, f.column, f.value) for f in errors] == [
        (2, "B", "#DIV/0!"),
        (3, "C", "#N/A"),
        (4, "A", "#DIV/0!"),
        (5, "A", "#DIV/0!"),
    ]
    assert "cell B2 holds the error #DIV/0!; it reads as empty" in errors[0].message
    assert "cell.formula_no_value" not in [f.code for f in table.findings]


def test_ods_scan_reads_the_chosen_sheet_whatever_the_chunking() -> None:
    content = ("<office:spreadsheet>" + REPORT + "</office:spreadsheet>").encode()
    whole = ods_scan(_stream([content]), "Cases & Fines")
    assert whole.merged == [((2, 0), (2, 3)), ((4, 0), (5, 0)), ((10, 1), (10, 2))]
    assert whole.missing == [(6, 3)]
    for size in (5, 13, 64, 1000):
        chunks = [content[i : i + size] for i in range(0, len(content), size)]
        assert ods_scan(_stream(chunks), "Cases & Fines") == whole, size
    other = ods_scan(_stream([content]), "Other")
    assert (other.merged, other.missing) == ([((0, 0), (2, 0))], [])
    assert ods_scan(_stream([content]), "Missing").merged == []


def test_ods_without_spans_or_formulas_is_not_walked(monkeypatch: pytest.MonkeyPatch) -> None:
    from app.ingest import package_scan

    def walk(*args: object) -> None:
        raise AssertionError("walked")

    monkeypatch.setattr(package_scan._OdsWalk, "run", walk)
    plain = b'<table:table table:name="S">' + ods_row(ods_cell("A-1")).encode() + b"</table:table>"
    scan = ods_scan(_stream([plain[:20], plain[20:]]), "S")
    assert (scan.merged, scan.missing) == ([], [])
    spanned = plain.replace(
        b"<table:table-cell ", b'<table:table-cell table:number-rows-spanned="2" '
    )
    for cut in (10, len(spanned) // 2, len(spanned) - 5):  # the marker found across chunks too
        with pytest.raises(AssertionError, match="walked"):
            ods_scan(_stream([spanned[:cut], spanned[cut:]]), "S")


def test_ods_repeated_error_cells_are_kept_to_the_limit() -> None:
    # A row standing for a million rows of a thousand error cells names at most ``limit``.
    error = (
        '<table:table-cell table:number-columns-repeated="1000" calcext:value-type="error">'
        "<text:p>#N/A</text:p></table:table-cell>"
    )
    content = (
        '<table:table table:name="S">'
        + ods_row(error, extra=' table:number-rows-repeated="1000000"')
        + "</table:table>"
    ).encode()
    scan = ods_scan(_stream([content]), "S", limit=50)
    assert len(scan.errors) == 50
    assert scan.errors[0] == ((0, 0), "#N/A") and scan.errors[-1] == ((0, 49), "#N/A")
    assert scan.errors_beyond == 1_000_000 * 1000 - 50


def test_ods_errors_past_the_limit_are_said_not_checked(tmp_path: Path) -> None:
    error = (
        '<table:table-cell table:number-columns-repeated="101" calcext:value-type="error">'
        "<text:p>#N/A</text:p></table:table-cell>"
    )
    path = write_ods_xml(
        tmp_path / "many.ods",
        '<table:table table:name="S">'
        + ods_row(ods_cell("Case No"))
        + ods_row(error, extra=' table:number-rows-repeated="100"')  # 10,100 error cells
        + ods_row(ods_cell("A-1"))
        + "</table:table>",
    )
    with open_table(path) as table:
        messages = [f.message for f in table.findings if f.code == "cell.error_value"]
    assert "100 more cells holding errors were not checked one by one" in messages[0]
    assert messages[-1] == "9,950 more cells holding errors are not listed"  # of the 10,000


def test_xlsb_merged_cells_are_named(tmp_path: Path) -> None:
    path = write_xlsb(
        tmp_path / "binary.xlsb",
        {
            "Notes": [["x"]],
            "Cases": [["KERN COUNTY"], ["Case No", "Name"], ["A-1", "DOE"], [None, "ROE"]],
        },
        merged={"Notes": [((0, 0), (0, 3))], "Cases": [((0, 0), (0, 1)), ((2, 0), (3, 0))]},
    )
    with open_table(path, sheet="Cases") as table:
        merged = [f for f in table.findings if f.code == "cell.merged"]
    assert [(f.row, f.column) for f in merged] == [(1, "A"), (3, "A")]
    assert "cells A3:A4 are merged" in merged[1].message
    with open_table(path, sheet="Notes") as table:
        assert [(f.row, f.column) for f in table.findings if f.code == "cell.merged"] == [(1, "A")]


def test_xlsb_without_merged_cells_has_no_finding(tmp_path: Path) -> None:
    path = write_xlsb(tmp_path / "plain.xlsb", {"Cases": [["Case No"], ["A-1"]]})
    with open_table(path) as table:
        assert "cell.merged" not in [f.code for f in table.findings]


def test_xlsb_records_that_run_past_the_end_give_no_ranges() -> None:
    merge = b"\xb0\x01\x10" + struct.pack("<IIII", 0, 1, 0, 0)
    assert xlsb_merged_ranges(_stream([merge])) == [((0, 0), (1, 0))]
    for size in (1, 2, 3, 5):  # the header found across chunks of any size
        chunks = [merge[i : i + size] for i in range(0, len(merge), size)]
        assert xlsb_merged_ranges(_stream(chunks)) == [((0, 0), (1, 0))], size
    with pytest.raises(RecordError):
        list(iter_records(merge[:-1]))
    assert xlsb_merged_ranges(_stream([merge[:-1]])) == []
    assert xlsb_sheet_rels(b"\x9c\x01\x40" + b"\x00" * 8) == {}


# -- the jumping walk against a plain one, tag by tag -------------------------------------------

_TAG_ORACLE = re.compile(
    rb"<(/?)table:(table|table-row|table-cell|covered-table-cell)(?=[\s/>])"
    rb"""((?:\s+[\w.:-]+\s*=\s*(?:"[^"]*"|'[^']*'))*)\s*(/?)>"""
)
_ATTR_ORACLE = re.compile(rb"""([\w.:-]+)\s*=\s*"([^"]*)\"""")


def _oracle(content: bytes, sheet: str) -> tuple[list[Any], list[Any], list[Any]]:
    """Every tag of the chosen sheet in order: the obvious walk ``ods_scan`` must agree with."""
    merged: list[Any] = []
    missing: list[Any] = []
    errors: list[Any] = []
    active = False
    row = repeat = col = 0
    for m in _TAG_ORACLE.finditer(content):
        closing, name, raw, empty = m.groups()
        attrs = dict(_ATTR_ORACLE.findall(raw))
        if name == b"table":
            if closing and active:
                break
            if not closing and attrs.get(b"table:name") == sheet.encode():
                active, row = True, 0
            continue
        if not active:
            continue
        if name == b"table-row":
            if closing:
                row += repeat
            else:
                repeat, col = int(attrs.get(b"table:number-rows-repeated", b"1")), 0
                if empty:
                    row += repeat
            continue
        if closing:
            continue
        cols_repeated = int(attrs.get(b"table:number-columns-repeated", b"1"))
        if name == b"table-cell":
            rows = int(attrs.get(b"table:number-rows-spanned", b"1"))
            cols = int(attrs.get(b"table:number-columns-spanned", b"1"))
            if rows > 1 or cols > 1:
                merged.append(((row, col), (row + rows - 1, col + cols - 1)))
            every = [
                (r, c) for r in range(row, row + repeat) for c in range(col, col + cols_repeated)
            ]
            if attrs.get(b"calcext:value-type") == b"error":
                text = re.search(rb"<text:p>([^<]*)</text:p>", content[m.end() :])
                shown = text.group(1).decode() if text and not empty else ""
                errors.extend((p, shown) for p in every)
            elif b"table:formula" in attrs and b"office:value-type" not in attrs:
                missing.extend(every)
        col += cols_repeated
    return merged, missing, errors


_CELLS = st.sampled_from(
    [
        ods_cell("x"),
        ods_cell('number-rows-repeated="9" table:formula= -spanned= (text)'),
        "<table:table-cell/>",
        '<table:table-cell table:number-columns-repeated="3"/>',
        "<table:covered-table-cell/>",
        ods_cell("m", ' table:number-columns-spanned="2" table:number-rows-spanned="3"'),
        ods_cell("r", ' table:number-rows-spanned="2"'),
        '<table:table-cell table:formula="of:=[.A1]&gt;0" office:value-type="float" '
        'office:value="1"><text:p>1</text:p></table:table-cell>',
        '<table:table-cell table:formula="of:=1>0"/>',
        '<table:table-cell table:style-name="ce1" table:formula="of:=NOW()"></table:table-cell>',
        '<table:table-cell table:formula="of:=1/0" office:value-type="float" office:value="0" '
        'calcext:value-type="error"><text:p>#DIV/0!</text:p></table:table-cell>',
        '<table:table-cell table:number-columns-repeated="2" table:formula="of:=NA()" '
        'calcext:value-type="error"><text:p>#N/A</text:p></table:table-cell>',
        ods_cell('calcext:value-type="error" (text)'),
    ]
)
_ROWS = st.lists(
    st.tuples(st.lists(_CELLS, max_size=6), st.sampled_from(["", ' table:number-rows-repeated="4"']),
              st.booleans()),
    max_size=12,
)  # fmt: skip


def _table(name: str, rows: list[tuple[list[str], str, bool]]) -> str:
    out = []
    for cells, extra, empty in rows:
        out.append(
            f"<table:table-row{extra}/>" if empty and not cells else ods_row(*cells, extra=extra)
        )
    body = "".join(out)
    if len(out) > 2:  # some rows in a header-rows group, as Calc writes a repeated header
        body = (
            "<table:table-header-rows>" + out[0] + "</table:table-header-rows>" + "".join(out[1:])
        )
    return f'<table:table table:name="{name}">{body}</table:table>'


@settings(max_examples=200, deadline=None)
@given(first=_ROWS, second=_ROWS, size=st.integers(min_value=1, max_value=400))
def test_ods_scan_agrees_with_a_tag_by_tag_walk(
    first: list[tuple[list[str], str, bool]], second: list[tuple[list[str], str, bool]], size: int
) -> None:
    content = (_table("One", first) + _table("Two", second)).encode()
    chunks = [content[i : i + size] for i in range(0, len(content), size)]
    for sheet in ("One", "Two"):
        scan = ods_scan(_stream(chunks), sheet)
        assert (scan.merged, scan.missing, scan.errors) == _oracle(content, sheet)
