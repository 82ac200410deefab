"""Cut a big worksheet's XML into row chunks that calamine loads on a background thread.

python-calamine loads a sheet in Rust with the GIL released, so one core can parse chunk k+1
while the importer's Python work runs on chunk k. Each chunk becomes a small in-memory
workbook: the package's small parts as they are, and a sheet part made of the original XML's
head (up to ``<sheetData>``, without ``<dimension>``), the chunk's ``<row>`` elements and the
closing tags. Whether a sheet can be cut safely is decided by :class:`SheetInspector` during
the one streaming pass the reader already makes over the sheet (the formula and extent scan);
anything it cannot vouch for sends the reader back to loading the whole sheet.

This module knows bytes, zip parts and threads; the reader (``readers.py``) owns the cells.
"""

from __future__ import annotations

import contextlib
import io
import os
import queue
import re
import threading
import zipfile
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

# Sheets whose XML part unpacks to more than this are read in chunks (the bench sheet of
# 100,000 rows x 16 columns is 81 MB). Tests lower both figures to force many chunks;
# CLEARSLATE_XLSX_CHUNKS=0 in the environment reads every sheet whole (to compare, or as a
# way out should a file ever read differently).
CHUNK_THRESHOLD = 1 << 62 if os.environ.get("CLEARSLATE_XLSX_CHUNKS") == "0" else 16 * 1024 * 1024
# About 10,000 rows of a 16-column sheet: calamine loads one in ~0.1 s.
CHUNK_BYTES = 8 * 1024 * 1024
# Every chunk's workbook carries the shared strings, which calamine parses again for each
# one: chunks are made at least this many times the shared strings' size, so the repeated
# parsing stays a small share of the work.
SHARED_STRINGS_FACTOR = 4
# The XML before <sheetData> (sheet views, column widths) and after </sheetData> (merged
# ranges, page setup) is held whole; beyond these sizes the sheet is read the old way.
HEAD_LIMIT = 4 * 1024 * 1024
TAIL_LIMIT = 16 * 1024 * 1024

_SHEET_DATA = re.compile(rb"<((?:[\w.-]+:)?)sheetData\b[^>]*?(/?)>")
_ROOT = re.compile(rb"<((?:[\w.-]+:)?)worksheet\b")
_DIMENSION = re.compile(rb"<(?:[\w.-]+:)?dimension\b[^>]*?/>")
_RELATIONSHIP = re.compile(rb"<(?:[\w.-]+:)?Relationship\b[^>]*>")
_ATTR = re.compile(rb'([\w:]+)\s*=\s*"([^"]*)"')


class ChunkLoadError(Exception):
    """A chunk's cells did not land within the chunk's own rows: the sheet cannot be cut."""


@dataclass
class LoadedChunk:
    """One chunk as calamine read it: ``rows[i]`` is sheet row ``first_row + i`` (1-based),
    ``rows[i][j]`` is column ``first_col + j`` (0-based, A = 0)."""

    first_row: int
    first_col: int
    rows: list[list[Any]]


@dataclass
class SheetPlan:
    """What the reader needs to cut one sheet again and again: found by one inspection pass."""

    part: str  # the sheet's member name, e.g. "xl/worksheets/sheet1.xml"
    sheet: str  # the sheet's name, as calamine lists it
    parts: dict[str, bytes]  # the small package parts every chunk's workbook carries
    head: bytes  # the sheet XML up to and including <sheetData ...>, without <dimension>
    close: bytes  # "</sheetData></worksheet>" with the file's namespace prefix
    row_tag: bytes  # b"<row" or b"<x:row": where chunks may be cut
    data_start: int  # offset of the first byte after <sheetData ...> in the unpacked part
    data_end: int  # offset of </sheetData>
    chunk_bytes: int
    tail: bytes  # from </sheetData> to the end: merged ranges live here
    # Chunk 0 while the open is under way: a Background loading it, or its bytes when it is too
    # wide to load before the extent check has passed.
    pending: Any = field(default=None, repr=False)
    # Chunk 0 is loaded at open (preview, "has the sheet values?") and kept for the reading
    # passes; its CRC and length tell a later pass that it cut the same bytes.
    first: LoadedChunk | None = field(default=None, repr=False)
    first_crc: int = 0
    first_len: int = -1
    merged_cell_ranges: list[tuple[tuple[int, int], tuple[int, int]]] = field(default_factory=list)

    def workbook_bytes(self, sheet_xml: bytes) -> io.BytesIO:
        """A stored (uncompressed) zip: the small parts plus ``sheet_xml`` as the sheet part."""
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as zf:
            for name, data in self.parts.items():
                zf.writestr(name, data)
            zf.writestr(self.part, sheet_xml)
        out.seek(0)
        return out

    def load(self, rows_xml: bytes) -> LoadedChunk | None:
        """Load one chunk's rows with calamine; None when the chunk holds no cell at all.

        Raises :class:`ChunkLoadError` when calamine places a cell outside the chunk's first
        and last ``<row r=...>`` (a cell whose own reference names another row): rows would
        otherwise come out incomplete or twice. Calamine's own errors propagate as they are.
        """
        import python_calamine as pc

        first_r, last_r = row_span(rows_xml, self.row_tag)
        book = pc.CalamineWorkbook.from_filelike(
            self.workbook_bytes(self.head + rows_xml + self.close)
        )
        try:
            sheet = book.get_sheet_by_name(self.sheet)
            start, end = sheet.start, sheet.end
            if start is None or end is None or sheet.height == 0:
                return None
            if first_r is None or last_r is None or start[0] + 1 < first_r or end[0] + 1 > last_r:
                raise ChunkLoadError(
                    f"cells of rows {start[0] + 1}-{end[0] + 1} came from <row> elements "
                    f"{first_r}-{last_r}"
                )
            # skip_empty_area: the list starts at the chunk's first cell (iter_rows would
            # yield every empty row above it).
            rows = sheet.to_python(skip_empty_area=True)
            return LoadedChunk(start[0] + 1, start[1], rows)
        finally:
            book.close()

    def merged_from_tail(self) -> None:
        """Read the merged ranges with calamine from a workbook holding only the head and tail."""
        if b"mergeCell" not in self.tail and b"mergeCell" not in self.head:
            return
        import python_calamine as pc

        book = pc.CalamineWorkbook.from_filelike(self.workbook_bytes(self.head + self.tail))
        try:
            self.merged_cell_ranges = list(
                book.get_sheet_by_name(self.sheet).merged_cell_ranges or []
            )
        finally:
            book.close()


def _row_number(data: bytes | bytearray, at: int, row_tag: bytes) -> int | None:
    head = row_tag + b' r="'
    if data[at : at + len(head)] != head:
        return None
    end = data.find(b'"', at + len(head), at + len(head) + 12)
    digits = data[at + len(head) : end] if end > 0 else b""
    return int(digits) if digits.isdigit() else None


def row_span(rows_xml: bytes, row_tag: bytes) -> tuple[int | None, int | None]:
    """The ``r`` of the first and of the last ``<row>`` in a chunk."""
    first_at = rows_xml.find(row_tag)
    last_at = rows_xml.rfind(row_tag)
    if first_at < 0:
        return None, None
    return _row_number(rows_xml, first_at, row_tag), _row_number(rows_xml, last_at, row_tag)


class Cutter:
    """Cut the bytes between <sheetData> and </sheetData> at <row> tags into chunks.

    A chunk ends just before the first row tag that starts ``size`` or more bytes into it, so
    the cuts depend only on the bytes, never on how they were handed in: the inspection pass
    and every later reading pass cut the same chunk 0.
    """

    def __init__(self, row_tag: bytes, size: int) -> None:
        self._tag = row_tag
        self._size = max(1, size)
        self._buf = bytearray()
        self._searched = self._size

    def feed(self, data: bytes | memoryview) -> list[bytes]:
        self._buf += data
        out: list[bytes] = []
        buf, tag, size = self._buf, self._tag, self._size
        while len(buf) > size:
            at = buf.find(tag, max(size, self._searched))
            if at < 0:
                self._searched = max(size, len(buf) - len(tag) + 1)
                break
            with memoryview(buf) as view:  # one copy (bytes(buf[:at]) would make two)
                out.append(view[:at].tobytes())
            del buf[:at]
            self._searched = size
        return out

    def finish(self) -> bytes | None:
        rest = bytes(self._buf)
        self._buf.clear()
        return rest if rest.strip() else None


class SheetInspector:
    """Watch a sheet's XML stream once and decide whether it can be read in chunks.

    Wrap the stream with :meth:`watch`; afterwards ``reason`` is None when the sheet can be cut
    (every ``<row>`` inside ``<sheetData>`` starts with an ``r`` attribute, the numbers rise
    strictly, no comment, CDATA or processing instruction hides markup, head and tail are of
    bounded size), else it says why not. Chunk 0 is handed to ``on_first`` as soon as it is
    complete, so it can be loaded while the pass goes on.
    """

    def __init__(self, chunk_bytes: int, on_first: Callable[[bytes], None] | None = None) -> None:
        self.reason: str | None = None
        self.chunk_bytes = chunk_bytes
        self.head = b""
        self.prefix = b""
        self.close = b""  # "</sheetData></worksheet>", prefixes as the file writes them
        self.row_tag = b"<row"
        self.tail = bytearray()
        self.data_start = -1
        self.data_end = -1
        self.first_chunk: bytes | None = None
        self.rows = 0
        self._on_first = on_first
        self._state = "head"  # head -> data -> tail, or "off" once a reason is known
        self._pending = bytearray()  # head bytes until <sheetData> is found
        self._carry = b""
        self._offset = 0  # stream offset of the first byte of _carry + the next block
        self._last_row = 0
        self._cutter: Cutter | None = None
        self._row_re: re.Pattern[bytes] | None = None
        self._close = b""

    def watch(self, blocks: Iterator[bytes]) -> Iterator[bytes]:
        for block in blocks:
            if self._state != "off":
                self._feed(block)
            yield block
        if self._state != "off":
            self._finish()

    def _stop(self, reason: str) -> None:
        self.reason = reason
        self._state = "off"
        self._pending = bytearray()
        self.tail = bytearray()
        self._carry = b""
        self._cutter = None

    def _feed(self, block: bytes) -> None:
        window = self._carry + block if self._carry else block
        base = self._offset
        # Only complete tags are examined: a tag begun before the last "<" also ends before it.
        last = window.rfind(b"<")
        end = last if last >= 0 else len(window)
        self._carry = window[end:]
        self._offset = base + end
        self._segment(window, 0, end, base)

    def _finish(self) -> None:
        carry, self._carry = self._carry, b""
        self._segment(carry, 0, len(carry), self._offset)
        if self._state == "off":
            return
        if self._state != "tail":
            self._stop("the sheet's XML has no complete <sheetData>")
            return
        if self.first_chunk is None and self._cutter is not None:
            first = self._cutter.finish()
            self._cutter = None
            if first is not None:
                self._first(first)

    def _segment(self, window: bytes, lo: int, hi: int, base: int) -> None:
        if lo >= hi:
            return
        if self._state == "head":
            self._pending += window[lo:hi]
            found = _SHEET_DATA.search(self._pending)
            if found is None:
                if len(self._pending) > HEAD_LIMIT:
                    self._stop("the sheet's XML before <sheetData> is too long")
                return
            if found.group(2):  # <sheetData/>: nothing to cut
                self._stop("the sheet has no rows")
                return
            # _pending holds the stream from its first byte on.
            prefix = found.group(1)
            self.prefix = prefix
            self.head = _DIMENSION.sub(b"", bytes(self._pending[: found.end()]))
            self.data_start = found.end()
            root = _ROOT.search(self.head)
            if root is None:
                self._stop("the sheet's XML has no <worksheet> root")
                return
            self._close = b"</" + prefix + b"sheetData>"
            self.close = self._close + b"</" + root.group(1) + b"worksheet>"
            self.row_tag = b"<" + prefix + b"row"
            self._row_re = re.compile(re.escape(b"<" + prefix + b"row") + rb'(?: r="(\d+)")?')
            self._cutter = Cutter(self.row_tag, self.chunk_bytes)
            rest = bytes(self._pending[found.end() :])
            self._pending = bytearray()
            self._state = "data"
            self._segment(rest, 0, len(rest), self.data_start)
            return
        if self._state == "data":
            close_at = window.find(self._close, lo, hi)
            data_hi = close_at if close_at >= 0 else hi
            self._data(window, lo, data_hi)
            if self._state == "off" or close_at < 0:
                return
            self.data_end = base + close_at
            self._state = "tail"
            lo = close_at
        if self._state == "tail":
            self.tail += window[lo:hi]
            if len(self.tail) > TAIL_LIMIT:
                self._stop("the sheet's XML after </sheetData> is too long")

    def _data(self, window: bytes, lo: int, hi: int) -> None:
        assert self._row_re is not None
        # Comments, CDATA and processing instructions could hide or fake a <row> tag; Excel
        # writes none inside sheetData. The one-byte search (memchr) keeps the common case cheap.
        for mark in (b"!", b"?"):
            if window.find(mark, lo, hi) >= 0 and window.find(b"<" + mark, lo, hi) >= 0:
                self._stop("the sheet's rows hold XML comments, CDATA or instructions")
                return
        if window.find(b"<" + self.prefix + b"sheetData", lo, hi) >= 0:
            self._stop("the sheet's XML has a second <sheetData>")
            return
        found = self._row_re.findall(window, lo, hi)
        if found:
            if b"" in found:
                self._stop("a <row> has no r attribute first")
                return
            numbers = list(map(int, found))
            if numbers[0] <= self._last_row or any(
                b <= a for a, b in zip(numbers, numbers[1:], strict=False)
            ):
                self._stop("the sheet's rows are not in ascending order")
                return
            self._last_row = numbers[-1]
            self.rows += len(numbers)
        if self._cutter is not None and hi > lo:
            chunks = self._cutter.feed(memoryview(window)[lo:hi])
            if chunks:
                self._cutter = None  # chunk 0 is all this pass keeps
                self._first(chunks[0])

    def _first(self, chunk: bytes) -> None:
        self.first_chunk = chunk
        if self._on_first is not None:
            self._on_first(chunk)


def iter_chunks(blocks: Iterator[bytes], plan: SheetPlan) -> Iterator[bytes]:
    """The chunks of one reading pass over the sheet's unpacked XML (``blocks``)."""
    cutter = Cutter(plan.row_tag, plan.chunk_bytes)
    offset = 0
    for block in blocks:
        lo = max(0, plan.data_start - offset)
        hi = min(len(block), plan.data_end - offset)
        offset += len(block)
        if lo < hi:
            yield from cutter.feed(memoryview(block)[lo:hi])
    last = cutter.finish()
    if last is not None:
        yield last


def small_parts(
    read: Callable[[str], bytes], names: set[str], workbook_part: str
) -> tuple[dict[str, bytes], int]:
    """The parts calamine reads when it opens a workbook: content types, relationships, the
    workbook, its styles and shared strings (never another sheet, a picture or the macros).
    Also returns the shared strings' size (each chunk's workbook makes calamine parse them)."""
    folder, _, base = workbook_part.rpartition("/")
    rels_name = f"{folder}/_rels/{base}.rels" if folder else f"_rels/{base}.rels"
    wanted = ["[Content_Types].xml", "_rels/.rels", workbook_part, rels_name]
    rels = read(rels_name) if rels_name in names else b""
    strings: list[str] = []
    for tag in _RELATIONSHIP.findall(rels):
        attrs = dict(_ATTR.findall(tag))
        kind = attrs.get(b"Type", b"").rsplit(b"/", 1)[-1]
        target = attrs.get(b"Target", b"").decode("utf-8", "replace")
        if kind in (b"styles", b"sharedStrings") and target:
            wanted.append(resolve_part(folder, target))
            if kind == b"sharedStrings":
                strings.append(wanted[-1])
    parts = {name: read(name) for name in dict.fromkeys(wanted) if name in names}
    return parts, sum(len(parts.get(name, b"")) for name in strings)


def resolve_part(folder: str, target: str) -> str:
    """A relationship's target as a part name in the zip, relative to ``folder`` ("xl")."""
    if target.startswith("/"):
        return target.lstrip("/")
    parts = folder.split("/") if folder else []
    for piece in target.split("/"):
        if piece == "..":
            if parts:
                parts.pop()
        elif piece and piece != ".":
            parts.append(piece)
    return "/".join(parts)


def same_chunk(plan: SheetPlan, rows_xml: bytes) -> bool:
    """True when a reading pass cut the same chunk 0 as the inspection pass."""
    return len(rows_xml) == plan.first_len and zlib.crc32(rows_xml) == plan.first_crc


class PrefetchClosed(Exception):
    """The prefetcher was closed (e.g. by ``Table.close()``) while its consumer waited."""


class Prefetcher:
    """Run ``produce`` on a background thread, at most one item ahead of the consumer.

    ``produce(stop)`` yields items (e.g. loaded chunks) and should return soon once ``stop``
    is set. Iterating gives the items in order; an exception raised by ``produce`` (even a
    BaseException, as a calamine panic is) is raised again in the consumer. :meth:`close`
    stops and joins the thread; it is safe to call twice and from another thread (a consumer
    still waiting then gets :class:`PrefetchClosed`, never a silent end of the rows).
    """

    def __init__(self, produce: Callable[[threading.Event], Iterator[Any]], name: str) -> None:
        self._produce = produce
        self._stop = threading.Event()
        # One item may be loaded ahead while the consumer works on the previous one: together
        # at most two chunks are held.
        self._slot = threading.Semaphore(1)
        self._queue: queue.SimpleQueue[tuple[str, Any]] = queue.SimpleQueue()
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        items = self._produce(self._stop)
        try:
            while True:
                self._slot.acquire()
                if self._stop.is_set():
                    return
                try:
                    item = next(items)
                except StopIteration:
                    self._queue.put(("end", None))
                    return
                self._queue.put(("item", item))
        except BaseException as exc:  # noqa: BLE001 - handed to the consumer, who raises it
            self._queue.put(("error", exc))
        finally:
            close = getattr(items, "close", None)
            if close is not None:
                with contextlib.suppress(BaseException):  # the thread is ending anyway
                    close()

    def __iter__(self) -> Iterator[Any]:
        while True:
            kind, value = self._queue.get()
            if kind == "end":
                return
            if kind == "error":
                raise value
            if kind == "closed":
                raise PrefetchClosed()
            # The consumer has let go of the previous item: the next one may be loaded.
            self._slot.release()
            yield value

    def close(self) -> None:
        if self._stop.is_set():
            return
        self._stop.set()
        self._slot.release()  # wake a loader waiting for its slot
        if self._thread is not threading.current_thread():
            self._thread.join()
        self._queue.put(("closed", None))

    @property
    def alive(self) -> bool:
        return self._thread.is_alive()


class Background:
    """One call run on a background thread; :meth:`result` joins it and returns or raises."""

    def __init__(self, call: Callable[[], Any], name: str) -> None:
        self._call = call
        self._value: Any = None
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        try:
            self._value = self._call()
        except BaseException as exc:  # noqa: BLE001 - raised again by result()
            self._error = exc

    def result(self) -> Any:
        self._thread.join()
        if self._error is not None:
            error, self._error = self._error, None
            raise error
        return self._value

    def join(self) -> None:
        """Wait for the call and forget its outcome (the caller no longer needs it)."""
        self._thread.join()
        self._error = None
        self._value = None
