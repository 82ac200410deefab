"""Read any county spreadsheet (xlsx, xlsm, xls, xlsb, ods, csv, tsv) as streamed rows of plain cells."""

from __future__ import annotations

import abc
import contextlib
import csv
import datetime as dt
import hashlib
import io
import itertools
import re
import threading
import zipfile
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from app.core.errors import ImportFailed, Remedy
from app.ingest import package_scan, xls_cells
from app.ingest.findings import Finding, Severity
from app.ingest.safety import DAMAGED_MESSAGE, stream_member
from app.ingest.sniff import PASSWORD_MESSAGE, Sniffed, sniff, xls_date1904
from app.ingest.xlsx_chunks import (
    Background,
    ChunkLoadError,
    LoadedChunk,
    PrefetchClosed,
    Prefetcher,
    SheetInspector,
    SheetPlan,
    iter_chunks,
    resolve_part,
    row_span,
    same_chunk,
    small_parts,
)

Cell = str | int | float | bool | dt.date | dt.datetime | dt.time | None
Row = tuple[int, list[Cell]]

_EXACT = float(2**53)  # floats beyond this are not exact integers
EXCEL_CELL_LIMIT = 32_767  # Excel's own limit on the characters in one cell
MAX_CELL_FINDINGS = 50  # name this many cells per kind of problem, then summarize
# calamine picks its reader from a path's extension; these extensions share one reader.
_READER_BY_EXTENSION = {
    "xlsx": "ooxml",
    "xlsm": "ooxml",
    "xlsb": "xlsb",
    "xls": "xls",
    "ods": "ods",
}
_STATE = {"Visible": "visible", "Hidden": "hidden", "VeryHidden": "very hidden"}

# A CSV field may legitimately be long (comments); the csv module's default cap is 128 KB.
csv.field_size_limit(max(csv.field_size_limit(), 64 * 1024 * 1024))


@dataclass(frozen=True)
class SheetInfo:
    name: str
    state: str  # "visible" | "hidden" | "very hidden"


def file_sha256(path: Path | str) -> str:
    """SHA-256 of a file's bytes, read in blocks (memory does not grow with the file)."""
    digest = hashlib.sha256()
    with Path(path).open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def column_letter(index: int) -> str:
    """0 -> "A", 25 -> "Z", 26 -> "AA" (Excel's column names)."""
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def cell_name(row: int, col_index: int) -> str:
    """The Excel name of a cell from its 1-based row and 0-based column, e.g. (7, 2) -> "C7"."""
    return f"{column_letter(col_index)}{row}"


@dataclass
class Table:
    """One sheet (or one CSV file) ready to be read row by row.

    ``findings`` holds file-level findings at once (macros ignored, hidden sheets, formula cells
    without a value, merged cells) and gains cell-level ones (cells over 32,767 characters) as
    :meth:`rows` reaches them. Use as a context manager, or call :meth:`close`, to free the sheet.
    """

    path: Path
    file_kind: str  # "xlsx", "xlsm", "xls", "xlsb", "ods", "csv", "tsv"
    sheet: str | None
    sheets: list[SheetInfo]
    encoding: str | None
    epoch: (
        int  # 1900 or 1904: the workbook's date system, for serial numbers not formatted as dates
    )
    findings: list[Finding] = field(default_factory=list)
    delimiter: str | None = None  # CSV/TSV only
    _reader: _SheetReader | None = field(default=None, repr=False)

    def rows(self) -> Iterator[Row]:
        """Yield ``(row_number, cells)`` for every row with at least one value.

        The row number is the one a person sees: the Excel row (1-based) or the CSV line where
        the record starts. Cells are str, int, float, bool, date, datetime, time or None (empty);
        ``cells[i]`` is column ``i`` (A = 0), so leading empty columns are kept as None. Entirely
        empty rows are skipped (their numbers are simply absent). Memory stays flat for CSV and for
        big .xlsx/.xlsm sheets (read in row chunks, about two held at a time); other workbooks'
        cells are held once by the calamine reader, never as Python rows.
        """
        if self._reader is None:
            raise ImportFailed("the table is closed", file=self.path.name, sheet=self.sheet)
        yield from self._reader.rows(self)

    def preview(self, n: int = 50) -> list[Row]:
        """The first ``n`` non-empty rows (for header detection and the wizard's raw view)."""
        out: list[Row] = []
        if n <= 0:
            return out
        for item in self.rows():
            out.append(item)
            if len(out) >= n:
                break
        return out

    def close(self) -> None:
        if self._reader is not None:
            self._reader.close()
            self._reader = None

    def __enter__(self) -> Table:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _finding(
        self,
        severity: Severity,
        code: str,
        message: str,
        *,
        row: int | None = None,
        column: str | None = None,
        value: str | None = None,
    ) -> None:
        self.findings.append(
            Finding(
                severity=severity,
                code=code,
                message=message,
                file=self.path.name,
                sheet=self.sheet,
                row=row,
                column=column,
                value=value,
            )
        )


class _SheetReader(abc.ABC):
    """What each format's reader provides to :class:`Table`."""

    @abc.abstractmethod
    def rows(self, table: Table) -> Iterator[Row]:
        """The sheet's non-empty rows with the row numbers a person sees."""

    def close(self) -> None:  # noqa: B027 - most readers hold nothing to release
        """Release the file; readers that hold nothing open keep this default."""


# ---------------------------------------------------------------------------------------------
# Public entry points


def open_table(path: Path | str, *, sheet: str | None = None, encoding: str | None = None) -> Table:
    """Open ``path`` for reading, whatever its extension claims.

    ``sheet`` picks a sheet by name (hidden ones too); by default the first visible worksheet
    with data. ``encoding`` confirms a CSV's text encoding (e.g. "cp1252"). Raises
    :class:`ImportFailed` with a message a clerk can act on.
    """
    path = Path(path)
    sniffed = sniff(path, encoding=encoding)
    if sniffed.kind == "text":
        return _open_text(path, sniffed)
    return _open_workbook(path, sniffed, sheet)


def list_sheets(path: Path | str) -> list[SheetInfo]:
    """Every sheet with its state; a CSV file is one unnamed sheet ("" visible)."""
    path = Path(path)
    sniffed = sniff(path, encoding="utf-8")
    if sniffed.kind == "text":
        return [SheetInfo(name="", state="visible")]
    workbook = _load_workbook(path, sniffed)
    try:
        return _sheet_infos(workbook)
    finally:
        workbook.close()


# ---------------------------------------------------------------------------------------------
# Workbooks through python-calamine


def _load_workbook(path: Path, sniffed: Sniffed) -> Any:
    import python_calamine as pc

    try:
        reader = _READER_BY_EXTENSION.get(path.suffix.lower().lstrip("."))
        if reader is not None and reader == _READER_BY_EXTENSION.get(sniffed.kind):
            return pc.CalamineWorkbook.from_path(str(path))
        # The extension lies (e.g. an .xls saved as .xlsx): calamine picks the reader from the
        # extension for paths, so hand it the bytes and let it detect the format.
        with path.open("rb") as fh:
            return pc.CalamineWorkbook.from_filelike(io.BytesIO(fh.read()))
    except BaseException as exc:  # calamine may raise a Rust panic, which is a BaseException
        raise _calamine_error(exc, path) from None


def _calamine_error(exc: BaseException, path: Path, sheet: str | None = None) -> BaseException:
    if isinstance(exc, (KeyboardInterrupt, SystemExit, GeneratorExit, ImportFailed)):
        return exc
    import python_calamine as pc

    if isinstance(exc, pc.PasswordError):
        return ImportFailed(PASSWORD_MESSAGE, file=path.name)
    if isinstance(exc, MemoryError):
        return ImportFailed(
            "too large to read on this computer: split the sheet or export it as .csv",
            file=path.name,
            sheet=sheet,
        )
    detail = str(exc).strip().splitlines()[0][:200] if str(exc).strip() else type(exc).__name__
    return ImportFailed(f"{DAMAGED_MESSAGE} ({detail})", file=path.name, sheet=sheet)


def _sheet_infos(workbook: Any) -> list[SheetInfo]:
    return [
        SheetInfo(name=m.name, state=_STATE.get(str(m.visible).rsplit(".", 1)[-1], "visible"))
        for m in workbook.sheets_metadata
    ]


def _open_workbook(path: Path, sniffed: Sniffed, sheet: str | None) -> Table:
    # Every part is unpacked and checked once before calamine sees the file.
    facts = _ZipFacts.verify(path, sniffed.kind) if sniffed.kind != "xls" else None
    workbook = _load_workbook(path, sniffed)
    try:
        infos = _sheet_infos(workbook)
        types = {m.name: str(m.typ).rsplit(".", 1)[-1] for m in workbook.sheets_metadata}
        epoch = _workbook_epoch(path, sniffed, facts)
        chosen: str | None = None
        loaded: Any = None
        if sheet is not None:
            if sheet not in {i.name for i in infos}:
                listing = ", ".join(f"{i.name!r} ({i.state})" for i in infos) or "none"
                raise ImportFailed(
                    f"there is no sheet named {sheet!r}; the sheets are: {listing}", file=path.name
                )
            chosen = sheet
            loaded = _load_sheet(workbook, path, sheet, facts)
            if not _has_values(loaded):
                raise ImportFailed("the sheet is empty", file=path.name, sheet=sheet)
        else:
            for info in infos:
                if info.state != "visible" or types.get(info.name) not in (None, "WorkSheet"):
                    continue
                candidate = _load_sheet(workbook, path, info.name, facts)
                if _has_values(candidate):
                    chosen, loaded = info.name, candidate
                    break
            if chosen is None:
                problem = "the workbook is empty: no visible sheet has any data"
                hidden = [i for i in infos if i.state != "visible"]
                if not hidden:
                    raise ImportFailed(problem, file=path.name)
                # The data may well be on a hidden sheet: say which, and let the person choose
                # one (the window lists every sheet with its state).
                names = ", ".join(f"{i.name!r} ({i.state})" for i in hidden)
                problem += f"; hidden sheets not read: {names}"
                remedy = Remedy.choose_sheet((i.name, i.state) for i in infos)
                raise ImportFailed(
                    f"{problem} (choose one with {remedy.command_line()})",
                    file=path.name,
                    remedy=remedy,
                    problem=problem,
                )
        table = Table(
            path=path,
            file_kind=sniffed.kind,
            sheet=chosen,
            sheets=infos,
            encoding=None,
            epoch=epoch,
        )
        _workbook_findings(table, sniffed, infos, types)
        merged: list[package_scan.Range] | None = None
        xls_blank: dict[int, list[int]] = {}
        if facts is not None and chosen is not None:
            facts.formula_findings(table, chosen)
            merged = facts.merged_ranges(chosen)
        elif sniffed.kind == "xls" and chosen is not None:
            xls_blank = _xls_cell_findings(table, path, chosen)
        # calamine reports merged ranges for .xlsx/.xlsm and .xls; the package is read for the rest.
        _merged_findings(table, merged if merged is not None else _calamine_merged(loaded))
        if isinstance(loaded, SheetPlan):
            assert facts is not None
            table._reader = _ChunkedReader(workbook, loaded, facts.info_of(loaded.part))
        else:
            blank = (
                facts.error_cells(chosen) if facts is not None and chosen is not None else xls_blank
            )
            table._reader = _CalamineReader(workbook, loaded, blank)
        return table
    except BaseException:
        workbook.close()
        raise


def _xls_cell_findings(table: Table, path: Path, sheet: str) -> dict[int, list[int]]:
    """Name a legacy .xls sheet's error cells and never-calculated formulas, which calamine reads
    as empty without a word, as the .xlsx path does; return those cells by row number so the
    reader empties them whatever calamine makes of them. A file the record walk cannot follow
    gives no findings (calamine's own reading decides, as before)."""
    found = xls_cells.scan_sheet(path, sheet)
    if found is None:
        return {}
    _cell_findings(
        table,
        [(cell_name(r + 1, c), text) for r, c, text in found.errors],
        [cell_name(r + 1, c) for r, c in found.missing],
        program="Excel",
        error_kind="Excel error",
        errors_total=found.errors_total,
        missing_total=found.missing_total,
    )
    blank: dict[int, list[int]] = {}
    for r, c, _ in found.errors:
        blank.setdefault(r + 1, []).append(c)
    for r, c in found.missing:
        blank.setdefault(r + 1, []).append(c)
    return blank


def _load_sheet(workbook: Any, path: Path, name: str, facts: _ZipFacts | None) -> Any:
    """The calamine sheet, or for a big .xlsx/.xlsm sheet a :class:`SheetPlan` to read it in
    chunks (whose chunk 0 has values: a sheet without any is loaded whole, as always)."""
    if facts is not None:
        plan = facts.chunk_plan(name, path)
        try:
            facts.check_extent(name, path)
            if plan is not None and facts.finish_plan(plan, path):
                return plan
        except BaseException:
            if plan is not None:
                facts.drop_plan(plan)
            raise
        if plan is not None:
            facts.drop_plan(plan)
    try:
        return workbook.get_sheet_by_name(name)
    except BaseException as exc:
        raise _calamine_error(exc, path, name) from None


def _has_values(sheet: Any) -> bool:
    if isinstance(sheet, SheetPlan):
        return sheet.first is not None and _rows_have_values(sheet.first.rows)
    if sheet.start is None or sheet.height == 0:
        return False
    # calamine reports a range for sheets whose cells are all empty strings; look for a value.
    return _rows_have_values(sheet.iter_rows())


def _rows_have_values(rows: Iterable[list[Any]]) -> bool:
    return any(any(v != "" and v is not None for v in row) for row in rows)


def _workbook_findings(
    table: Table, sniffed: Sniffed, infos: list[SheetInfo], types: dict[str, str]
) -> None:
    macro_sheets = [n for n, t in types.items() if t in ("MacroSheet", "DialogSheet", "Vba")]
    if sniffed.has_macros or macro_sheets or sniffed.kind == "xlsm":
        table._finding(
            Severity.INFO,
            "file.macros_ignored",
            "the workbook is macro-enabled; only cell values were read and no macro was run",
        )
    # The sheet being read is not among those "not read"; a hidden one chosen (``--sheet``, or
    # picked in the window, which warns about it in its own words) gets a note of its own.
    chosen = next((i for i in infos if i.name == table.sheet and i.state != "visible"), None)
    if chosen is not None:
        table._finding(
            Severity.INFO,
            "file.hidden_sheet_chosen",
            f"the sheet {chosen.name!r} is {chosen.state} in the workbook and was read because it "
            "was chosen: make sure it holds the data you mean to import (a hidden sheet is often "
            "an old copy, a list of codes or working notes)",
        )
    hidden = [i for i in infos if i.state != "visible" and i.name != table.sheet]
    if hidden:
        names = ", ".join(f"{i.name!r} ({i.state})" for i in hidden)
        table._finding(
            Severity.INFO,
            "file.hidden_sheets",
            f"the workbook has {'other ' if chosen else ''}hidden sheets: {names}; "
            "they are not read unless chosen",
        )


def _calamine_merged(sheet: Any) -> list[package_scan.Range]:
    try:
        return list(sheet.merged_cell_ranges or [])
    except BaseException:  # not supported for this format
        return []


def _merged_findings(table: Table, ranges: list[package_scan.Range]) -> None:
    for n, ((r0, c0), (r1, c1)) in enumerate(sorted(ranges)):
        if n >= MAX_CELL_FINDINGS:
            table._finding(
                Severity.WARNING,
                "cell.merged",
                f"{len(ranges) - n:,} more merged ranges are not listed",
            )
            break
        first = cell_name(r0 + 1, c0)
        ref = f"{first}:{cell_name(r1 + 1, c1)}"
        table._finding(
            Severity.WARNING,
            "cell.merged",
            f"cells {ref} are merged: only {first} holds the value and the other cells read as "
            "empty (harmless above the header row)",
            row=r0 + 1,
            column=column_letter(c0),
        )


class _CalamineReader(_SheetReader):
    def __init__(
        self, workbook: Any, sheet: Any, blank: dict[int, list[int]] | None = None
    ) -> None:
        """``blank``: cells to read as empty, by row number (e.g. an .ods error cell, which
        calamine reads as whatever value the writer stored beside the error, such as 0)."""
        self._workbook = workbook
        self._sheet = sheet
        self._blank = blank or {}

    def rows(self, table: Table) -> Iterator[Row]:
        sheet = self._sheet
        if sheet is None or sheet.start is None:
            return
        first_row, first_col = sheet.start
        end_col = sheet.end[1] if sheet.end is not None else first_col
        try:
            iterator = sheet.iter_rows()
            first = next(iterator, None)
            if first is None:
                return
            # python-calamine's iter_rows starts at row 0 (the empty rows above the data come
            # first) but at the data's first column; older versions started at the data's
            # first row. Tell which from the data itself: rows above the first data row are
            # empty.
            col_base = 0 if len(first) == end_col + 1 != end_col - first_col + 1 else first_col
            has_value = any(v != "" and v is not None for v in first)
            row_base = first_row if first_row > 0 and has_value else 0
            rows = itertools.chain((first,), iterator)
            emitted = _emit_rows(table, rows, row_base + 1, col_base, [0])
            yield from _blanked(emitted, self._blank) if self._blank else emitted
        except ImportFailed:
            raise
        except BaseException as exc:
            raise _calamine_error(exc, table.path, table.sheet) from None

    def close(self) -> None:
        self._sheet = None
        with contextlib.suppress(BaseException):  # already closed
            self._workbook.close()


def _blanked(rows: Iterator[Row], blank: dict[int, list[int]]) -> Iterator[Row]:
    """``rows`` with the given cells emptied (a row left with no value is passed over)."""
    for number, cells in rows:
        columns = blank.get(number)
        if columns:
            for col in columns:
                if col < len(cells):
                    cells[col] = None
            _trim(cells)
            if all(value is None for value in cells):
                continue
        yield number, cells


def _emit_rows(
    table: Table, raws: Iterable[list[Any]], first_number: int, pad: int, long_count: list[int]
) -> Iterator[Row]:
    """Turn calamine's rows into ``(row number, cells)``: ``raws[i]`` is row ``first_number + i``
    and starts at column ``pad`` (0-based). ``long_count[0]`` counts the cells over Excel's limit
    so far (it spans the chunks of one reading pass)."""
    long_seen: list[str] = []

    def flag(value: str) -> str:
        long_seen.append(value)
        return value

    for offset, raw in enumerate(raws):
        # One comprehension per row (no call per cell): "" is empty, whole floats are ints,
        # durations become times; anything unusual goes through _convert.
        cells: list[Cell] = [
            None
            if v == ""
            else (
                (int(v) if v.is_integer() and -_EXACT < v < _EXACT else v)
                if type(v) is float
                else (v if len(v) <= EXCEL_CELL_LIMIT else flag(v))
                if type(v) is str
                else (v if type(v) is not dt.timedelta else _convert(v))
            )
            for v in raw
        ]
        if cells.count(None) == len(cells):
            long_seen.clear()
            continue
        if pad:
            cells[:0] = [None] * pad
        row_number = first_number + offset
        if long_seen:
            long_seen.clear()
            for col, value in enumerate(cells):
                if type(value) is str and len(value) > EXCEL_CELL_LIMIT:
                    long_count[0] += 1
                    cells[col] = _long_cell(table, value, row_number, col, long_count[0])
        _trim(cells)
        yield row_number, cells


# The preview reads 50 rows from chunk 0, kept since the table was opened: the loader thread
# starts only once a pass reads on beyond this many rows (an import, a search for a row).
PREFETCH_AFTER_ROWS = 200
# Measured on the bench sheet: 1 MB blocks 3.70 s, 4 MB 2.86 s (peak 135 MB), 8 MB 2.90 s (164 MB).
LOADER_BLOCK_BYTES = 4 * 1024 * 1024


class _ChunkedReader(_SheetReader):
    """A big .xlsx/.xlsm sheet read in row chunks that a background thread loads ahead.

    Each call of :meth:`rows` streams the sheet's XML again (memory stays at about two chunks);
    chunk 0 comes from the open. Rows are exactly those the whole-sheet reader yields.
    """

    def __init__(self, workbook: Any, plan: SheetPlan, info: zipfile.ZipInfo) -> None:
        self._workbook = workbook
        self._plan: SheetPlan | None = plan
        self._info = info
        self._running: set[Prefetcher] = set()
        self._lock = threading.Lock()

    def rows(self, table: Table) -> Iterator[Row]:
        plan = self._plan
        if plan is None:
            return
        long_count = [0]
        fetcher: Prefetcher | None = None
        try:
            first = plan.first
            if first is not None:
                rows = _emit_rows(table, first.rows, first.first_row, first.first_col, long_count)
                for n, item in enumerate(rows):
                    if n == PREFETCH_AFTER_ROWS:
                        fetcher = self._start(table, plan, skip_first=True)
                    yield item
            if fetcher is None:
                fetcher = self._start(table, plan, skip_first=first is not None)
            for chunk in fetcher:
                yield from _emit_rows(
                    table, chunk.rows, chunk.first_row, chunk.first_col, long_count
                )
        except ImportFailed:
            raise
        except ChunkLoadError:
            raise ImportFailed(
                f"{DAMAGED_MESSAGE} (the sheet's cells do not match its rows)",
                file=table.path.name,
                sheet=table.sheet,
            ) from None
        except PrefetchClosed:
            raise ImportFailed(
                "the table was closed while it was being read",
                file=table.path.name,
                sheet=table.sheet,
            ) from None
        except BaseException as exc:
            raise _calamine_error(exc, table.path, table.sheet) from None
        finally:
            if fetcher is not None:
                fetcher.close()
                with self._lock:
                    self._running.discard(fetcher)

    def _start(self, table: Table, plan: SheetPlan, *, skip_first: bool) -> Prefetcher:
        path, info = table.path, self._info

        def produce(stop: threading.Event) -> Iterator[LoadedChunk]:
            # Big blocks: each zlib or crc32 call lets go of the GIL and must win it back from
            # the consumer (up to the 5 ms switch interval), so fewer calls mean less waiting.
            blocks = stream_member(path, info, file=path.name, chunk=LOADER_BLOCK_BYTES)
            try:
                for index, rows_xml in enumerate(iter_chunks(blocks, plan)):
                    if stop.is_set():
                        return
                    if index == 0 and skip_first:
                        if not same_chunk(plan, rows_xml):
                            raise ImportFailed(
                                "the file changed while it was being read; import it again",
                                file=path.name,
                                sheet=table.sheet,
                            )
                        continue
                    loaded = plan.load(rows_xml)
                    if loaded is not None:
                        yield loaded
            finally:
                blocks.close()

        fetcher = Prefetcher(produce, name=f"clearslate-xlsx-chunks-{table.sheet}")
        with self._lock:
            self._running.add(fetcher)
        return fetcher

    def close(self) -> None:
        with self._lock:
            running = list(self._running)
            self._running.clear()
        for fetcher in running:
            fetcher.close()
        self._plan = None
        with contextlib.suppress(BaseException):  # already closed
            self._workbook.close()


def _convert(value: Any) -> Cell:
    if isinstance(value, float):
        # calamine gives every number as a float; whole numbers become int so that IDs and
        # counts read as 12, not 12.0 (floats beyond 2**53 are not exact integers: keep them).
        if value.is_integer() and -_EXACT < value < _EXACT:
            return int(value)
        return value
    if isinstance(value, dt.timedelta):
        # A duration-formatted cell: within a day it is a time of day, else keep the days.
        seconds = value.total_seconds()
        if 0 <= seconds < 86_400:
            whole = int(seconds)
            micro = round((seconds - whole) * 1_000_000)
            return dt.time(whole // 3600, whole // 60 % 60, whole % 60, min(micro, 999_999))
        return seconds / 86_400
    return value


def _long_cell(table: Table, value: str, row: int, col: int, nth: int) -> str:
    if nth <= MAX_CELL_FINDINGS:
        table._finding(
            Severity.WARNING,
            "cell.too_long",
            f"cell {cell_name(row, col)} holds {len(value):,} characters, more than Excel's "
            f"limit of {EXCEL_CELL_LIMIT:,}; only the first {EXCEL_CELL_LIMIT:,} were kept",
            row=row,
            column=column_letter(col),
        )
    elif nth == MAX_CELL_FINDINGS + 1:
        table._finding(
            Severity.WARNING,
            "cell.too_long",
            "more cells over 32,767 characters were cut and are not listed",
        )
    return value[:EXCEL_CELL_LIMIT]


def _trim(cells: list[Cell]) -> None:
    while cells and cells[-1] is None:
        cells.pop()


# ---------------------------------------------------------------------------------------------
# OOXML parts calamine does not report: the date system, formulas without a cached value


_SHEET_TAG = re.compile(rb"<(?:\w+:)?sheet\b[^>]*>")
_ATTR = re.compile(rb'([\w:]+)\s*=\s*"([^"]*)"')
_REL_TAG = re.compile(rb"<(?:\w+:)?Relationship\b[^>]*>")


@dataclass
class _SheetScan:
    """What one pass over a worksheet's XML found: formula cells without a value, the extent."""

    missing: list[str] = field(default_factory=list)
    errors: list[tuple[str, str]] = field(default_factory=list)  # (cell, error text) e.g. #N/A
    max_row: int = 0
    max_col: int = 0  # 1-based; at least 26 (one-letter columns are not tracked)


# calamine holds a sheet as a dense grid of (rows x columns) cells of about 32 bytes each. A
# few stray cells far from the data (e.g. one at XFD1048576) would ask for many gigabytes.
MAX_DENSE_CELLS = 60_000_000


class _ZipFacts:
    """The few facts of a zip-based workbook that calamine does not report, read from the zip.

    Each part read here is unpacked under ``safety.stream_member``'s size limit and CRC check.
    A worksheet's XML is scanned (once, lazily, just before calamine loads that sheet) for
    formula cells without a stored value and for the extent calamine would allocate. Parts
    that are not read here are still bounded: ``safety.check_zip`` has checked their declared
    sizes and ratios, and calamine's zip reader stops at a part's declared size.
    """

    def __init__(self, path: Path, kind: str) -> None:
        self.path = path
        self.kind = kind
        self.date1904 = False
        self.sheet_parts: dict[str, str] = {}
        self.scans: dict[str, _SheetScan] = {}
        self.ods_scans: dict[str, package_scan.OdsScan] = {}
        self.workbook_part = "xl/workbook.xml"
        self._infos: dict[str, zipfile.ZipInfo] = {}

    @classmethod
    def verify(cls, path: Path, kind: str) -> _ZipFacts:
        facts = cls(path, kind)
        try:
            with zipfile.ZipFile(path) as zf:
                facts._infos = {i.filename: i for i in zf.infolist()}
        except (zipfile.BadZipFile, OSError, ValueError):
            raise ImportFailed(DAMAGED_MESSAGE, file=path.name) from None
        if kind == "xlsb":
            workbook = facts._read("xl/workbook.bin")
            facts.date1904 = package_scan.xlsb_date1904(workbook)
            facts._read_xlsb_sheets(workbook, facts._read("xl/_rels/workbook.bin.rels"))
        elif kind in ("xlsx", "xlsm"):
            wb_name = "xl/workbook.xml" if "xl/workbook.xml" in facts._infos else "xl/workbook2.xml"
            rels_name = "xl/_rels/" + wb_name.rsplit("/", 1)[1] + ".rels"
            facts.workbook_part = wb_name
            facts._read_workbook_xml(facts._read(wb_name), facts._read(rels_name))
        return facts

    def _read(self, name: str) -> bytes:
        info = self._infos.get(name)
        if info is None:
            return b""
        return b"".join(stream_member(self.path, info, file=self.path.name))

    def scan_for(self, sheet: str) -> _SheetScan | None:
        part = self.sheet_parts.get(sheet)
        if part is None or part not in self._infos:
            return None
        if part not in self.scans:
            chunks = stream_member(self.path, self._infos[part], file=self.path.name)
            self.scans[part] = _scan_sheet_xml(chunks)
        return self.scans[part]

    def info_of(self, part: str) -> zipfile.ZipInfo:
        return self._infos[part]

    def _streamer(self, info: zipfile.ZipInfo) -> package_scan.Stream:
        """A part read afresh (size limit and CRC checked) each time it is called."""
        return lambda: stream_member(self.path, info, file=self.path.name)

    def _ods_scan(self, sheet: str) -> package_scan.OdsScan:
        if sheet not in self.ods_scans:
            info = self._infos.get("content.xml")
            self.ods_scans[sheet] = (
                package_scan.ods_scan(self._streamer(info), sheet)
                if info is not None
                else package_scan.OdsScan()
            )
        return self.ods_scans[sheet]

    def error_cells(self, sheet: str) -> dict[int, list[int]]:
        """Cells the reader must read as empty, by row number: .ods error results."""
        blank: dict[int, list[int]] = {}
        if self.kind == "ods":
            for (row, col), _ in self._ods_scan(sheet).errors:
                blank.setdefault(row + 1, []).append(col)
        return blank

    def merged_ranges(self, sheet: str) -> list[package_scan.Range] | None:
        """Merged ranges calamine does not report (.ods, .xlsb); None where calamine does."""
        if self.kind == "ods":
            return self._ods_scan(sheet).merged
        if self.kind == "xlsb":
            part = self.sheet_parts.get(sheet)
            info = self._infos.get(part) if part is not None else None
            if info is None:
                return []
            return package_scan.xlsb_merged_ranges(self._streamer(info))
        return None

    def _read_xlsb_sheets(self, workbook: bytes, rels: bytes) -> None:
        targets = _relationship_targets(rels)
        for name, rid in package_scan.xlsb_sheet_rels(workbook).items():
            if rid in targets:
                self.sheet_parts[name] = targets[rid]

    def chunk_plan(self, sheet: str, path: Path) -> SheetPlan | None:
        """For a big .xlsx/.xlsm sheet, scan it (formulas, extent: the pass ``scan_for`` makes)
        and in the same pass decide whether it can be read in chunks; None keeps the old way.

        Chunk 0 starts loading on a background thread as soon as the pass has cut it.
        """
        from app.ingest import xlsx_chunks as xc

        part = self.sheet_parts.get(sheet)
        info = self._infos.get(part) if part is not None else None
        if self.kind not in ("xlsx", "xlsm") or info is None or part is None or part in self.scans:
            return None
        if info.file_size <= xc.CHUNK_THRESHOLD:
            return None
        parts, strings = small_parts(self._read, set(self._infos), self.workbook_part)
        size = max(xc.CHUNK_BYTES, xc.SHARED_STRINGS_FACTOR * strings)
        if info.file_size < 2 * size:
            return None
        found: list[SheetPlan] = []

        def on_first(chunk: bytes) -> None:
            plan = SheetPlan(
                part=part,
                sheet=sheet,
                parts=parts,
                head=inspector.head,
                close=inspector.close,
                row_tag=inspector.row_tag,
                data_start=inspector.data_start,
                data_end=-1,
                chunk_bytes=size,
                tail=b"",
                first_crc=zlib.crc32(chunk),
                first_len=len(chunk),
            )
            # Load chunk 0 while the scan goes on, unless its grid could be huge: then it waits
            # for the extent check (stray far-off cells), as a whole sheet does.
            first_r, last_r = row_span(chunk, plan.row_tag)
            wide = [_column_number(m.group(1)) for m in _WIDE_REF.finditer(chunk)]
            cols = max([26, *wide])
            if first_r is not None and last_r is not None:
                if (last_r - first_r + 1) * cols <= MAX_DENSE_CELLS:
                    plan.pending = Background(lambda: plan.load(chunk), "clearslate-xlsx-chunk-0")
                else:
                    plan.pending = chunk
            else:
                plan.pending = chunk
            found.append(plan)

        inspector = SheetInspector(size, on_first=on_first)
        try:
            chunks = stream_member(path, info, file=path.name)
            self.scans[part] = _scan_sheet_xml(inspector.watch(chunks))
        except BaseException:
            for plan in found:
                self.drop_plan(plan)
            raise
        if not found:
            return None
        plan = found[0]
        if inspector.reason is not None:
            self.drop_plan(plan)
            return None
        plan.data_end = inspector.data_end
        plan.tail = bytes(inspector.tail)
        try:
            plan.merged_from_tail()
        except BaseException as exc:
            self.drop_plan(plan)
            if isinstance(exc, (KeyboardInterrupt, SystemExit)):
                raise
            return None  # the whole-sheet load says what is wrong, as it always has
        return plan

    def finish_plan(self, plan: SheetPlan, path: Path) -> bool:
        """Take chunk 0 (loaded in the background, or now); True when it has values."""
        pending, plan.pending = plan.pending, None
        try:
            first = pending.result() if isinstance(pending, Background) else plan.load(pending)
        except (KeyboardInterrupt, SystemExit):
            raise
        except BaseException:
            # Whatever calamine made of chunk 0, the whole-sheet load decides as it always has
            # (same messages, same findings).
            return False
        plan.first = first
        return _has_values(plan)

    def drop_plan(self, plan: SheetPlan) -> None:
        pending, plan.pending = plan.pending, None
        if isinstance(pending, Background):
            pending.join()
        plan.first = None

    def _read_workbook_xml(self, workbook: bytes, rels: bytes) -> None:
        pr = re.search(rb"<(?:\w+:)?workbookPr\b[^>]*>", workbook)
        if pr:
            attrs = dict(_ATTR.findall(pr.group(0)))
            self.date1904 = attrs.get(b"date1904", b"").lower() in (b"1", b"true")
        targets = _relationship_targets(rels)
        for tag in _SHEET_TAG.findall(workbook):
            attrs = dict(_ATTR.findall(tag))
            name = attrs.get(b"name")
            rid = next((v for k, v in attrs.items() if k.endswith(b":id")), None)
            if name is not None and rid is not None and rid.decode() in targets:
                self.sheet_parts[_unescape(name.decode("utf-8", "replace"))] = targets[rid.decode()]

    def check_extent(self, sheet: str, path: Path) -> None:
        """Refuse a sheet whose stray far-off cells would make calamine allocate gigabytes."""
        scan = self.scan_for(sheet)
        part = self.sheet_parts.get(sheet)
        if scan is None or part is None:
            return
        dense = scan.max_row * scan.max_col
        if dense <= MAX_DENSE_CELLS:
            return
        # Rare: count the cells really there (a second pass) to tell a huge sheet from a sparse one.
        cells = sum(
            c.count(b"<c ") + c.count(b":c ")
            for c in stream_member(path, self._infos[part], file=path.name)
        )
        if cells * 4 < dense:
            corner = cell_name(scan.max_row, scan.max_col - 1)
            raise ImportFailed(
                f"refused: the sheet reaches cell {corner} ({dense:,} cells) but holds only "
                f"about {cells:,}; delete the stray cells far below or to the right of the "
                "data in Excel (select the empty rows and columns, Delete) and save again",
                file=path.name,
                sheet=sheet,
            )

    def formula_findings(self, table: Table, sheet: str) -> None:
        """Name the formula cells of ``sheet`` without a stored value, and the error cells."""
        if self.kind == "ods":
            ods = self._ods_scan(sheet)
            missing = [cell_name(r + 1, c) for r, c in ods.missing]
            errors = [(cell_name(r + 1, c), text or "error") for (r, c), text in ods.errors]
            program, error_kind = "LibreOffice Calc or Excel", "error"
            if ods.errors_beyond:
                table._finding(
                    Severity.WARNING,
                    "cell.error_value",
                    f"{ods.errors_beyond:,} more cells holding errors were not checked one by one: "
                    "they may read as the number stored with the error. Replace the errors in "
                    "the sheet (for example with empty cells) and save it again",
                )
        else:
            scan = self.scan_for(sheet)
            missing = scan.missing if scan is not None else []
            errors = scan.errors if scan is not None else []
            program, error_kind = "Excel", "Excel error"
        _cell_findings(table, errors, missing, program=program, error_kind=error_kind)


def _cell_findings(
    table: Table,
    errors: list[tuple[str, str]],
    missing: list[str],
    *,
    program: str,
    error_kind: str,
    errors_total: int | None = None,
    missing_total: int | None = None,
) -> None:
    """Name the error cells (``(cell, error text)``) and the formula cells without a stored value,
    the first few of each one by one; the totals count those found beyond the lists."""
    for n, (ref, text) in enumerate(errors):
        if n >= MAX_CELL_FINDINGS:
            table._finding(
                Severity.WARNING,
                "cell.error_value",
                f"{(errors_total or len(errors)) - n:,} more cells holding errors are not listed",
            )
            break
        m = re.match(r"([A-Z]+)(\d+)", ref)
        table._finding(
            Severity.WARNING,
            "cell.error_value",
            f"cell {ref} holds the {error_kind} {text}; it reads as empty",
            row=int(m.group(2)) if m else None,
            column=m.group(1) if m else None,
            value=text,
        )
    for n, ref in enumerate(missing):
        if n >= MAX_CELL_FINDINGS:
            table._finding(
                Severity.WARNING,
                "cell.formula_no_value",
                f"{(missing_total or len(missing)) - n:,} more formula cells without a stored value are not listed",
            )
            break
        m = re.match(r"([A-Z]+)(\d+)", ref)
        table._finding(
            Severity.WARNING,
            "cell.formula_no_value",
            f"cell {ref} holds a formula but no stored value (the file was not saved by "
            f"{program} after calculating); it reads as empty. Open the file in {program}, "
            "let it calculate, and save it again",
            row=int(m.group(2)) if m else None,
            column=m.group(1) if m else None,
        )


def _relationship_targets(rels: bytes) -> dict[str, str]:
    """A workbook's relationships file: each relationship id and the part it names."""
    targets: dict[str, str] = {}
    for tag in _REL_TAG.findall(rels):
        attrs = dict(_ATTR.findall(tag))
        rid, target = attrs.get(b"Id"), attrs.get(b"Target")
        if rid and target:
            targets[rid.decode()] = resolve_part("xl", target.decode())
    return targets


def _unescape(text: str) -> str:
    import html

    return html.unescape(text)


_ROOT = re.compile(rb"<(?:(\w+):)?worksheet\b")
_REF_ATTR = re.compile(rb'\sr="([A-Z]{1,3})([0-9]{1,7})"')
_TYPE_ATTR = re.compile(rb'\st="([a-zA-Z]+)"')
# An error cell: a typed-in error, or (far more often) a formula's error result, whose <f> comes
# before the <v> (formula text holds no "<": XML escapes it).
_ERROR_CELL = re.compile(
    rb'<(?:\w+:)?c\s[^>]*?\bt="e"[^>]*>\s*'
    rb"(?:<(?:\w+:)?f\b[^>]*?(?:/>|>[^<]{0,65536}</(?:\w+:)?f>)\s*)?"
    rb"<(?:\w+:)?v>([^<]{0,64})<"
)
_ERROR_TAIL = 80 * 1024  # longer than any error cell with its formula: one cut in two is found
_WIDE_REF = re.compile(rb'r="([A-Z]{2,3})[0-9]')
_ROW_REF = re.compile(rb'row [^>]*?\br="([0-9]+)"')


def _scan_sheet_xml(chunks: Iterator[bytes]) -> _SheetScan:
    """Formula cells without a stored value, and the sheet's extent, found without parsing XML.

    Formula cells are rare in county exports, so most chunks cost one C-speed ``find``. A cell
    with a formula counts as missing when it has no ``<v>`` or an empty one, except a text
    result (``t="str"``), where an empty ``<v></v>`` is Excel's stored empty string.
    """
    scan = _SheetScan()
    missing = scan.missing
    carry = b""
    prefix: bytes | None = None
    formula: re.Pattern[bytes] | None = None
    tail = b""
    for chunk in chunks:
        # Error cells (t="e", e.g. #N/A) read as empty in calamine: name them. The previous
        # chunk's tail is searched again for a tag cut in two; a match wholly inside it was
        # already counted.
        window = tail + chunk
        if b't="e"' in window:
            for m in _ERROR_CELL.finditer(window):
                if m.end() > len(tail):
                    ref = _REF_ATTR.search(m.group(0))
                    if ref is not None:
                        cell, text = ref.group(1) + ref.group(2), m.group(1)
                        scan.errors.append((cell.decode(), text.decode("utf-8", "replace")))
        tail = window[-_ERROR_TAIL:]
        # Extent: any cell reference with a two- or three-letter column, and the last row of
        # the chunk (rows are written in order). A one-letter sheet costs one regex search.
        if _WIDE_REF.search(chunk):
            for m in _WIDE_REF.finditer(chunk):
                scan.max_col = max(scan.max_col, _column_number(m.group(1)))
        at = chunk.rfind(b"row ")
        last_row = _ROW_REF.match(chunk, at) if at >= 0 else None
        if last_row:
            scan.max_row = max(scan.max_row, int(last_row.group(1)))
        data = carry + chunk if carry else chunk
        carry = b""
        if formula is None or prefix is None:
            root = _ROOT.search(data)
            if root is None:
                carry = data[-4096:]
                continue
            prefix = (root.group(1) + b":") if root.group(1) else b""
            formula = re.compile(re.escape(b"<" + prefix + b"f") + rb"[\s>/]")
        c_open, c_close = b"<" + prefix + b"c ", b"</" + prefix + b"c>"
        v_tag, v_close = b"<" + prefix + b"v", b"</" + prefix + b"v>"
        pos = 0
        while True:
            m = formula.search(data, pos)
            if m is None:
                carry = data[max(pos, len(data) - 512) :]
                break
            at = m.start()
            start = data.rfind(c_open, max(0, at - 4096), at)
            end = data.find(c_close, at)
            if end < 0:
                carry = data[start if start >= 0 else at :]
                break
            if start >= 0:
                cell = data[start : end + len(c_close)]
                head = cell[: cell.find(b">") + 1]
                ref = _REF_ATTR.search(head)
                kind = _TYPE_ATTR.search(head)
                v_at = cell.find(v_tag)
                has_value = False
                if v_at >= 0:
                    v_end = cell.find(b">", v_at)
                    closing = cell.find(v_close, v_at)
                    self_closed = cell[v_end - 1 : v_end] == b"/"
                    text = b"" if self_closed or closing < 0 else cell[v_end + 1 : closing].strip()
                    has_value = bool(text) or (kind is not None and kind.group(1) == b"str")
                if not has_value and ref is not None:
                    missing.append((ref.group(1) + ref.group(2)).decode())
            pos = end + len(c_close)
    scan.max_col = max(scan.max_col, 26)  # one-letter columns are not tracked: at most Z
    return scan


def _column_number(letters: bytes) -> int:
    number = 0
    for ch in letters:
        number = number * 26 + ch - 64
    return number


def _workbook_epoch(path: Path, sniffed: Sniffed, facts: _ZipFacts | None) -> int:
    if facts is not None and facts.date1904:
        return 1904
    if sniffed.kind == "xls" and xls_date1904(path):
        return 1904
    # .ods stores dates as ISO text; its serial numbers follow the 1900 system.
    return 1900


# ---------------------------------------------------------------------------------------------
# CSV / TSV


_DELIMITERS = (",", "\t", ";", "|")


def _open_text(path: Path, sniffed: Sniffed) -> Table:
    encoding = sniffed.encoding or "utf-8"
    sample = _read_sample(path, encoding)
    if not sample.strip():
        raise ImportFailed("the file has no data (only blank lines)", file=path.name)
    delimiter = _pick_delimiter(sample, prefer_tab=path.suffix.lower() in (".tsv", ".tab"))
    kind = "tsv" if delimiter == "\t" else "csv"
    table = Table(
        path=path,
        file_kind=kind,
        sheet=None,
        sheets=[SheetInfo(name="", state="visible")],
        encoding=encoding,
        epoch=1900,
        delimiter=delimiter,
    )
    if path.suffix.lower() in (".xlsx", ".xlsm", ".xls", ".xlsb", ".ods"):
        table._finding(
            Severity.INFO,
            "file.text_named_as_workbook",
            f"the file is named {path.suffix} but is a text ({kind.upper()}) file; it was read as text",
        )
    table._reader = _CsvReader(path, encoding, delimiter)
    return table


def _read_sample(path: Path, encoding: str, size: int = 64 * 1024) -> str:
    try:
        with path.open("r", encoding=encoding, errors="strict", newline="") as fh:
            return fh.read(size)
    except UnicodeDecodeError as exc:
        raise _decode_error(path, encoding, exc, None) from None


def _decode_error(
    path: Path, encoding: str, exc: UnicodeDecodeError, line: int | None
) -> ImportFailed:
    problem = f"the text is not valid {encoding} ({exc.reason})"
    if not encoding.startswith("utf"):
        return ImportFailed(problem, file=path.name, row=line)
    remedy = Remedy.confirm_encoding("cp1252")
    return ImportFailed(
        f"{problem}; if it came from an older Windows program, confirm with "
        f"{remedy.command_line()}",
        file=path.name,
        row=line,
        remedy=remedy,
        problem=problem,
    )


def _line_of_decode_error(path: Path, encoding: str) -> int | None:
    """The 1-based line holding the first byte sequence ``encoding`` cannot decode."""
    import codecs

    decoder = codecs.getincrementaldecoder(encoding)(errors="strict")
    line = 1
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 16), b""):
            try:
                text = decoder.decode(block)
            except UnicodeDecodeError as exc:
                good = decoder.decode(block[: exc.start]) if exc.start else ""
                return line + good.count("\n")
            line += text.count("\n")
    return None


def _pick_delimiter(sample: str, *, prefer_tab: bool) -> str:
    """The delimiter that splits the first lines into the same number of columns (more than one).

    A file named .tsv is tab-separated unless another delimiter fits clearly better; otherwise a
    comma is the default (a one-column CSV has no delimiter at all).
    """
    lines = [ln for ln in sample.splitlines()[:50] if ln.strip()]
    if len(lines) > 1 and not sample.endswith(("\n", "\r")):
        lines = lines[:-1]  # the sample may cut the last line short
    default = "\t" if prefer_tab else ","
    best, best_score = default, -1.0
    for delim in _DELIMITERS:
        try:
            rows = list(csv.reader(lines, delimiter=delim))
        except csv.Error:
            continue
        widths = [len(r) for r in rows if r]
        if not widths or max(widths) < 2:
            continue
        common = max(set(widths), key=widths.count)
        consistency = widths.count(common) / len(widths)
        if common < 2 or consistency < 0.8:
            continue
        score = consistency * 10 + min(common, 50) / 50
        if delim == default:
            score += 0.5
        if score > best_score:
            best, best_score = delim, score
    return best


class _CsvReader(_SheetReader):
    def __init__(self, path: Path, encoding: str, delimiter: str) -> None:
        self._path = path
        self._encoding = encoding
        self._delimiter = delimiter

    def rows(self, table: Table) -> Iterator[Row]:
        path = self._path
        long_cells = 0
        line = 0
        try:
            with path.open("r", encoding=self._encoding, errors="strict", newline="") as fh:
                reader = csv.reader(fh, delimiter=self._delimiter)
                for record in reader:
                    start = line + 1
                    line = reader.line_num
                    # any() and max(map(len)) run in C: the common row costs no Python loop
                    # beyond the one comprehension.
                    if not any(record):
                        continue
                    cells: list[Cell] = [v or None for v in record]
                    if max(map(len, record)) > EXCEL_CELL_LIMIT:
                        for i, value in enumerate(cells):
                            if isinstance(value, str) and len(value) > EXCEL_CELL_LIMIT:
                                long_cells += 1
                                cells[i] = _long_cell(table, value, start, i, long_cells)
                    _trim(cells)
                    yield start, cells
        except UnicodeDecodeError as exc:
            # The text layer decodes ahead of the csv parser; find the real line from the bytes.
            bad_line = _line_of_decode_error(path, self._encoding) or line + 1
            raise _decode_error(path, self._encoding, exc, bad_line) from None
        except csv.Error as exc:
            raise ImportFailed(
                f"the text cannot be read as {table.file_kind.upper()}: {exc}",
                file=path.name,
                row=line + 1,
            ) from None
        except OSError as exc:
            raise ImportFailed(f"cannot be read: {exc.strerror or exc}", file=path.name) from None
