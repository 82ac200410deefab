"""What calamine does not report for OpenDocument (.ods) and binary (.xlsb) workbooks.

calamine reads the values of both, but gives no merged ranges for either, and an .ods formula
cell without a stored result simply reads as empty. The reader names those cells for .xlsx
from the sheet XML it scans anyway; this module finds them in the other two packages:

- :func:`ods_scan` walks the chosen sheet's ``<table:table>`` in ``content.xml`` (only when the
  part holds a spanned or formula cell at all, which one C-speed search per chunk tells);
- :func:`xlsb_merged_ranges` walks a binary sheet's records for ``BrtMergeCell`` (only when
  the part holds that record's header at all).

Positions are 0-based ``(row, column)`` pairs counted as the spreadsheet program shows them
(repeated rows and columns expanded), the convention of calamine's ``merged_cell_ranges``.
Both walks read parts the safety checks have already bounded; nothing here follows a DTD.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from itertools import islice

Position = tuple[int, int]
Range = tuple[Position, Position]

# -- .xlsb -----------------------------------------------------------------------------------

BRT_BUNDLE_SH = 156  # a sheet in workbook.bin: state, tab id, relationship id, name
BRT_WB_PROP = 153  # workbook properties: bit 0 of the first field is the 1904 date system
BRT_MERGE_CELL = 176  # one merged range: first row, last row, first column, last column
# The record's header as it is written: type 176 as two 7-bit groups, then its size (16).
_MERGE_HEADER = b"\xb0\x01\x10"


Stream = Callable[[], Iterable[bytes]]


def holds_any(chunks: Iterable[bytes], needles: tuple[bytes, ...]) -> bool:
    """Whether any of ``needles`` (each under 32 bytes) occurs in the streamed bytes, even
    cut across chunks. Stops reading at the first one found."""
    tail = b""
    for chunk in chunks:
        window = tail + chunk
        if any(needle in window for needle in needles):
            return True
        tail = window[-31:]
    return False


class RecordError(ValueError):
    """A binary part whose records run past its end."""


def iter_records(data: bytes) -> Iterator[tuple[int, int, int]]:
    """``(record type, payload offset, payload size)`` for each record of an MS-XLSB stream.

    A record starts with its type (1-2 bytes) and its size (1-4 bytes), each written 7 bits a
    byte, low group first, the high bit set on every byte but the last (MS-XLSB 2.1.4).
    """
    pos, end = 0, len(data)
    while pos < end:
        values = []
        for max_bytes in (2, 4):
            value = 0
            for shift in range(0, 7 * max_bytes, 7):
                if pos >= end:
                    raise RecordError("a record header runs past the end of the part")
                byte = data[pos]
                pos += 1
                value |= (byte & 0x7F) << shift
                if not byte & 0x80:
                    break
            values.append(value)
        rtype, size = values
        if pos + size > end:
            raise RecordError("a record runs past the end of the part")
        yield rtype, pos, size
        pos += size


def _wide_string(data: bytes, pos: int) -> tuple[str, int]:
    """An XLWideString (a 4-byte count of UTF-16 units, then the units) and the offset after it."""
    count = int.from_bytes(data[pos : pos + 4], "little")
    start = pos + 4
    stop = start + 2 * count
    if count > 32_767 or stop > len(data):
        raise RecordError("a string runs past the end of its record")
    return data[start:stop].decode("utf-16-le", "replace"), stop


def xlsb_date1904(workbook_bin: bytes) -> bool:
    """BrtWbProp's f1904 flag in ``xl/workbook.bin`` (MS-XLSB 2.4.820); False if absent."""
    try:
        for rtype, pos, size in iter_records(workbook_bin):
            if rtype == BRT_WB_PROP:
                return bool(workbook_bin[pos] & 0x01) if size >= 4 else False
    except RecordError:
        return False
    return False


def xlsb_sheet_rels(workbook_bin: bytes) -> dict[str, str]:
    """Each sheet's name and its relationship id, from the BrtBundleSh records of workbook.bin."""
    sheets: dict[str, str] = {}
    try:
        for rtype, pos, size in iter_records(workbook_bin):
            if rtype != BRT_BUNDLE_SH or size < 16:
                continue
            record = workbook_bin[pos : pos + size]
            rel_id, after = _wide_string(record, 8)  # after hsState and iTabID
            name, _ = _wide_string(record, after)
            sheets[name] = rel_id
    except RecordError:
        pass  # calamine's own reading says what is wrong with the workbook
    return sheets


def xlsb_merged_ranges(stream: Stream) -> list[Range]:
    """The merged ranges of one binary sheet part; ``stream()`` gives the part's bytes in chunks.

    The part is walked record by record (a second reading) only when the bytes of a
    BrtMergeCell header occur in it: a sheet without merged cells, the usual case, costs one
    search per chunk and holds no more than a chunk. A part that cannot be walked to its end
    gives no ranges: calamine reports what is wrong with it.
    """
    if not holds_any(stream(), (_MERGE_HEADER,)):
        return []
    data = b"".join(stream())
    ranges: list[Range] = []
    try:
        for rtype, pos, size in iter_records(data):
            if rtype == BRT_MERGE_CELL and size >= 16:
                first_row, last_row, first_col, last_col = (
                    int.from_bytes(data[pos + k : pos + k + 4], "little") for k in (0, 4, 8, 12)
                )
                ranges.append(((first_row, first_col), (last_row, last_col)))
    except RecordError:
        return []
    return ranges


# -- .ods ------------------------------------------------------------------------------------

# Attribute values may hold ">" (a formula such as of:=IF([.A1]>0;1;2)) but never a raw "<"
# (nor may text), so every "<" starts markup, and a tag is "<name", quoted attributes, ">".
_ATTRS = rb"""((?:\s+[\w.:-]+\s*=\s*(?:"[^"]*"|'[^']*'))*)\s*/?>"""
_CELL = re.compile(rb"<table:(table-cell|covered-table-cell)(?=[\s/>])" + _ATTRS)
_TABLE = re.compile(rb"<table:table(?=[\s/>])" + _ATTRS)
_TABLE_END = b"</table:table>"
_ATTR = re.compile(rb"""([\w.:-]+)\s*=\s*(?:"([^"]*)"|'([^']*)')""")
# A row starts with one of these ("<table:table-row" alone would also match
# <table:table-rows> and <table:table-row-group>).
_ROW_STARTS = (
    b"<table:table-row ",
    b"<table:table-row>",
    b"<table:table-row/",
    b"<table:table-row\n",
)
_ROWS_REPEATED = b"table:number-rows-repeated"
_CELL_ROW = re.compile(rb"<table:table-row" + _ATTRS)
_NUMBER = re.compile(rb"""\s*=\s*["']\s*(\d+)""")
# Only a cell with one of these can be merged or hold a formula without a value; a part
# without any is not walked at all.
_ODS_MARKERS = (b"-spanned=", b"table:formula=", b'value-type="error"')
_TEXT_P = re.compile(rb"<text:p\b[^>]*>(.*?)</text:p>", re.S)
_ANY_TAG = re.compile(rb"<[^>]*>")


@dataclass
class OdsScan:
    """What :func:`ods_scan` found in one sheet (0-based positions)."""

    merged: list[Range] = field(default_factory=list)
    missing: list[Position] = field(default_factory=list)  # formula cells without a value
    # Cells holding an error result (#DIV/0!, #N/A, Err:502): calamine reads the number stored
    # beside it (often 0) or nothing, so the reader blanks them and names them.
    errors: list[tuple[Position, str]] = field(default_factory=list)
    errors_beyond: int = 0  # error cells past ``limit``: neither listed nor read as empty


def _attributes(raw: bytes) -> dict[bytes, bytes]:
    return {
        m.group(1): m.group(2) if m.group(2) is not None else m.group(3)
        for m in _ATTR.finditer(raw)
    }


def _count(attrs: dict[bytes, bytes], name: bytes) -> int:
    try:
        return max(1, int(attrs.get(name, b"1")))
    except ValueError:
        return 1


def ods_scan(stream: Stream, sheet: str, *, limit: int = 10_000) -> OdsScan:
    """Merged (spanned) cells and formula cells without a stored value in ``sheet``.

    ``stream()`` gives content.xml in chunks. It is walked (a second reading) only when some
    chunk holds a span or a formula; the walk jumps from one such cell to the next, counting
    the rows between them in C (``bytes.count``), so its cost hardly depends on the size of
    the sheet. At most ``limit`` cells of each kind are kept (the reader names the first few).
    Sub-tables inside cells are not expected in a spreadsheet and are not told apart.
    """
    scan = OdsScan()
    if holds_any(stream(), _ODS_MARKERS):
        _OdsWalk(sheet.encode("utf-8"), scan, limit).run(stream())
    return scan


class _OdsWalk:
    """The walk of :func:`ods_scan`: chunk by chunk, each cut after its last complete row."""

    def __init__(self, sheet: bytes, scan: OdsScan, limit: int) -> None:
        self.sheet = sheet
        self.scan = scan
        self.limit = limit
        self.active = False  # inside the chosen sheet's <table:table>
        self.done = False
        self.row = 0  # rows of the chosen sheet before the current region (repeats counted)

    def run(self, chunks: Iterable[bytes]) -> None:
        carry = b""
        for chunk in chunks:
            data = carry + chunk
            carry = data[self._region(data, final=False) :]
            if self.done:
                return
        if carry:
            self._region(carry, final=True)

    def _region(self, data: bytes, *, final: bool) -> int:
        """Walk ``data`` as far as it holds whole rows; the offset where the next chunk resumes."""
        lo = 0
        if not self.active:
            start = self._find_table(data)
            if start is None:  # not yet: keep the end, which may hold the start of a tag
                cut = data.rfind(b"<")
                return len(data) if final or cut < 0 else cut
            lo = start
        end = data.find(_TABLE_END, lo)
        if end >= 0:
            cut = end
        elif final:
            cut = len(data)
        else:
            cut = _last_row_start(data, lo, len(data))
            if cut <= lo:  # no row started here (or one longer than the chunk): read on
                return lo if lo else 0
        self._cells(data, lo, cut)
        self.row += _rows(data, lo, cut)
        if end >= 0:
            self.active, self.done = False, True
        return cut

    def _find_table(self, data: bytes) -> int | None:
        """The offset just after the chosen sheet's start tag in ``data``, if it is there."""
        for m in _TABLE.finditer(data):
            if m.group(0).endswith(b"/>"):
                continue
            name = _attributes(m.group(1)).get(b"table:name", b"")
            if html.unescape(name.decode("utf-8", "replace")).encode("utf-8") == self.sheet:
                self.active, self.row = True, 0
                return m.end()
        return None

    def _cells(self, data: bytes, lo: int, hi: int) -> None:
        """Record the spanned, error and unvalued formula cells whose tags lie in ``data[lo:hi]``."""
        tags: set[int] = set()
        for marker in _ODS_MARKERS:
            at = data.find(marker, lo, hi)
            while at >= 0:
                # The last "<" before it starts the tag it is in; in text it would be <text:p>.
                tag = data.rfind(b"<", lo, at)
                if tag >= 0 and data.startswith(b"<table:table-cell", tag):
                    tags.add(tag)
                at = data.find(marker, at + 1, hi)
        row_at, rows_before = lo, 0
        for tag in sorted(tags):
            cell = _CELL.match(data, tag)
            row_start = _last_row_start(data, lo, tag)
            if cell is None or cell.group(1) != b"table-cell" or row_start < 0:
                continue
            rows_before += _rows(data, row_at, row_start)
            row_at = row_start
            row = self.row + rows_before
            col = 0
            for other in _CELL.finditer(data, row_start, tag):
                col += _count(_attributes(other.group(2)), b"table:number-columns-repeated")
            attrs = _attributes(cell.group(2))
            rows = _count(attrs, b"table:number-rows-spanned")
            cols = _count(attrs, b"table:number-columns-spanned")
            scan = self.scan
            if (rows > 1 or cols > 1) and len(scan.merged) < self.limit:
                scan.merged.append(((row, col), (row + rows - 1, col + cols - 1)))
            error = b"error" in (attrs.get(b"calcext:value-type"), attrs.get(b"office:value-type"))
            unvalued = b"table:formula" in attrs and b"office:value-type" not in attrs
            if not (error or unvalued):
                continue
            # Every position the cell stands for (a repeated row or cell is written once).
            row_tag = _CELL_ROW.match(data, row_start)
            row_repeat = _count(_attributes(row_tag.group(1)), _ROWS_REPEATED) if row_tag else 1
            repeat = _count(attrs, b"table:number-columns-repeated")
            # A repeated row of repeated cells may stand for millions: only ``limit`` are taken.
            positions = (
                (r, c) for r in range(row, row + row_repeat) for c in range(col, col + repeat)
            )
            if error:
                text = _cell_text(data, cell.end(), cell.group(0).endswith(b"/>"))
                room = max(self.limit - len(scan.errors), 0)
                scan.errors.extend((position, text) for position in islice(positions, room))
                scan.errors_beyond += max(row_repeat * repeat - room, 0)
            else:
                room = max(self.limit - len(scan.missing), 0)
                scan.missing.extend(islice(positions, room))


def _cell_text(data: bytes, end: int, empty: bool) -> str:
    """The shown text of the cell whose start tag ends at ``end`` (its first paragraph)."""
    if empty:
        return ""
    close = data.find(b"</table:table-cell>", end)
    m = _TEXT_P.search(data, end, close if close >= 0 else len(data))
    if m is None:
        return ""
    return html.unescape(_ANY_TAG.sub(b"", m.group(1)).decode("utf-8", "replace")).strip()[:64]


def _last_row_start(data: bytes, lo: int, hi: int) -> int:
    """Where the last row starting in ``data[lo:hi]`` starts; -1 if none does."""
    return max(data.rfind(start, lo, hi) for start in _ROW_STARTS)


def _rows(data: bytes, lo: int, hi: int) -> int:
    """How many sheet rows the rows starting in ``data[lo:hi]`` stand for (repeats counted)."""
    n = sum(data.count(start, lo, hi) for start in _ROW_STARTS)
    at = data.find(_ROWS_REPEATED, lo, hi)
    while at >= 0:
        tag = data.rfind(b"<", lo, at)
        number = _NUMBER.match(data, at + len(_ROWS_REPEATED))
        if tag >= 0 and number and any(data.startswith(s, tag) for s in _ROW_STARTS):
            n += max(int(number.group(1)), 1) - 1
        at = data.find(_ROWS_REPEATED, at + 1, hi)
    return n
