"""Error cells and uncalculated formulas of one sheet of a legacy .xls (BIFF8), found by walking
its records: calamine reads both as empty without saying so."""

from __future__ import annotations

import re
import struct
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from app.ingest.sniff import _Cfb

# BIFF record types read here (MS-XLS 2.3).
_BOF, _EOF, _FILEPASS, _BOUNDSHEET, _RECALCID = 0x0809, 0x000A, 0x002F, 0x0085, 0x01C1
_FORMULA, _BOOLERR = 0x0006, 0x0205
_BIFF8 = 0x0600
_GLOBALS, _WORKSHEET = 0x0005, 0x0010
# The error codes a BOOLERR or a formula result may hold, and the text Excel shows.
ERROR_TEXT = {
    0x00: "#NULL!",
    0x07: "#DIV/0!",
    0x0F: "#VALUE!",
    0x17: "#REF!",
    0x1D: "#NAME?",
    0x24: "#NUM!",
    0x2A: "#N/A",
    0x2B: "#GETTING_DATA",
}
_MAX_COLUMNS = 256  # BIFF8: columns A..IV
_MAX_DEPTH = 8  # a worksheet nests embedded charts' substreams (BOF..EOF) one level deep
_HEADER = struct.Struct("<HH")
_CELL = struct.Struct("<HH")
_BOF_HEAD = struct.Struct("<HH")  # BIFF version, substream kind
_SHEET = (_BIFF8, _WORKSHEET)


class _Inconsistent(Exception):
    """The records do not add up: the walk gives no facts rather than wrong ones."""


@dataclass
class XlsCells:
    """What the walk found in one sheet (0-based row and column positions)."""

    errors: list[tuple[int, int, str]] = field(default_factory=list)  # (row, col, "#N/A")
    missing: list[tuple[int, int]] = field(default_factory=list)  # formulas never calculated
    errors_total: int = 0  # errors found, kept or not (at most ``limit`` are kept)
    missing_total: int = 0


def scan_sheet(path: Path, sheet: str, *, limit: int = 10_000) -> XlsCells | None:
    """The error cells and the never-calculated formula cells of ``sheet``, or None when the file
    cannot be walked with confidence (not BIFF8, damaged, inconsistent: no facts, never wrong ones).

    A formula's stored result is always 8 bytes in BIFF8; an empty-text result is a real stored
    value (a formula giving "") in a workbook calculated by Excel or LibreOffice, which record the
    calculation engine (RECALCID). Programs that write formulas without calculating them (xlwt,
    for one) store an empty-text result and no engine: those cells are named as formulas without
    a stored value, as in .xlsx. At most ``limit`` cells of each kind are kept; memory stays at
    about one 1 MB block and time grows with the file's size only.
    """
    try:
        with path.open("rb") as fh:
            cfb = _Cfb(fh)
            names = {n.lower() for n in cfb.names()}
            stream = "Workbook" if "workbook" in names else "Book"
            offsets, calculated = _walk_globals(_records(cfb.iter_stream(stream)))
            start = offsets.get(sheet)
            if start is None:
                return None
            # The sheet's records end where the next sheet's begin (or at the stream's end).
            end = min((o for o in offsets.values() if o > start), default=None)
            span = None if end is None else end - start
            if not _may_hold_cells(cfb.iter_stream(stream, start), span, calculated):
                return XlsCells()
            return _walk_sheet(cfb.iter_stream(stream, start), calculated, limit)
    except (OSError, ValueError, struct.error, _Inconsistent, UnicodeDecodeError):
        return None


def _records(blocks: Iterator[bytes]) -> Iterator[tuple[int, bytes]]:
    """(type, data) of each record in ``blocks`` (a record may span blocks)."""
    buf = b""
    pos = 0
    for block in blocks:
        buf = buf[pos:] + block if pos < len(buf) else block
        pos = 0
        size = len(buf)
        while pos + 4 <= size:
            rtype, length = _HEADER.unpack_from(buf, pos)
            end = pos + 4 + length
            if end > size:
                break
            yield rtype, buf[pos + 4 : end]
            pos = end
    # The stream ended: a record cut short (or none at all) is for the caller to judge.


def _walk_globals(records: Iterator[tuple[int, bytes]]) -> tuple[dict[str, int], bool]:
    """Each sheet's name and the stream offset of its BOF record, and whether a calculation
    engine recorded itself (RECALCID with a non-zero engine id)."""
    first = next(records, None)
    if first is None or first[0] != _BOF or len(first[1]) < 4:
        raise _Inconsistent("no BOF")
    version, kind = struct.unpack_from("<HH", first[1])
    if version != _BIFF8 or kind != _GLOBALS:
        raise _Inconsistent("not BIFF8 globals")
    offsets: dict[str, int] = {}
    calculated = False
    for rtype, data in records:
        if rtype == _EOF:
            return offsets, calculated
        if rtype == _FILEPASS:
            raise _Inconsistent("encrypted")
        if rtype == _RECALCID and len(data) >= 8:
            calculated = struct.unpack_from("<I", data, 4)[0] != 0
        elif rtype == _BOUNDSHEET:
            if len(data) < 8:
                raise _Inconsistent("short BOUNDSHEET")
            offset, count, flags = struct.unpack_from("<I2xBB", data)
            wide = flags & 1
            raw = data[8 : 8 + count * (2 if wide else 1)]
            if len(raw) != count * (2 if wide else 1):
                raise _Inconsistent("BOUNDSHEET name cut short")
            # A "compressed" BIFF8 string holds the low bytes of UTF-16: Latin-1.
            offsets[raw.decode("utf-16-le" if wide else "latin-1")] = offset
    raise _Inconsistent("globals without EOF")


# Byte patterns every record the walk would name must contain (type, then the bytes it is named
# by): a sheet without any is done in one C-speed search per block, with no record walk.
_ERROR_BOOLERR = re.compile(rb"\x05\x02\x08\x00.{7}\x01", re.DOTALL)  # BOOLERR, fError set
_ERROR_FORMULA = re.compile(rb"\x06\x00.{8}\x02.{5}\xff\xff", re.DOTALL)  # error result
_EMPTY_FORMULA = re.compile(rb"\x06\x00.{8}\x03.{5}\xff\xff", re.DOTALL)  # empty text
_PATTERN_SPAN = 18


def _may_hold_cells(blocks: Iterator[bytes], span: int | None, calculated: bool) -> bool:
    """False when no record the walk would name can be in the sheet's first ``span`` bytes.

    Records lie whole and in order in the stream, so a record that is there shows its pattern;
    a chance match elsewhere (inside a number or a text) only costs the full walk."""
    patterns = [_ERROR_BOOLERR, _ERROR_FORMULA] + ([] if calculated else [_EMPTY_FORMULA])
    seen = 0
    tail = b""
    checked = False
    for block in blocks:
        if span is not None and seen + len(block) > span:
            block = block[: max(span - seen, 0)]
        seen += len(block)
        window = tail + block
        if not checked and len(window) >= 8:  # the window still starts at the sheet's BOF
            if _HEADER.unpack_from(window)[0] != _BOF or _BOF_HEAD.unpack_from(window, 4) != _SHEET:
                raise _Inconsistent("the sheet offset does not point at a BIFF8 worksheet's BOF")
            checked = True
        if any(p.search(window) for p in patterns):
            return True
        tail = window[-(_PATTERN_SPAN - 1) :]
        if span is not None and seen >= span:
            break
    if not checked:
        raise _Inconsistent("the sheet's records are missing or cut short")
    return False


def _walk_sheet(blocks: Iterator[bytes], calculated: bool, limit: int) -> XlsCells:
    """Walk the sheet's records from its BOF to its EOF (embedded charts' substreams skipped).

    The loop looks at each record's 4-byte header only, in place: cells are read from the few
    FORMULA and BOOLERR records."""
    found = XlsCells()
    unpack = _HEADER.unpack_from
    watched = frozenset((_BOF, _EOF, _FORMULA, _BOOLERR))
    depth = 0
    buf = b""
    pos = 0
    for block in blocks:
        buf = buf[pos:] + block if pos < len(buf) else block
        pos = 0
        size = len(buf)
        while pos + 4 <= size:
            rtype, length = unpack(buf, pos)
            end = pos + 4 + length
            if end > size:
                break
            if rtype in watched:
                if depth == 0 and rtype != _BOF:
                    raise _Inconsistent("the sheet offset does not point at a BOF")
                if rtype == _BOF:
                    if depth == 0 and (length < 4 or _BOF_HEAD.unpack_from(buf, pos + 4) != _SHEET):
                        raise _Inconsistent("not a BIFF8 worksheet")
                    depth += 1
                    if depth > _MAX_DEPTH:
                        raise _Inconsistent("substreams nested too deep")
                elif rtype == _EOF:
                    depth -= 1
                    if depth == 0:
                        return found
                elif depth == 1:
                    _cell(found, rtype, buf[pos + 4 : end], calculated, limit)
            elif depth == 0:
                raise _Inconsistent("the sheet offset does not point at a BOF")
            pos = end
    raise _Inconsistent("sheet without EOF")


def _cell(found: XlsCells, rtype: int, data: bytes, calculated: bool, limit: int) -> None:
    """Note one FORMULA or BOOLERR record's cell if it holds an error or a never-calculated
    formula."""
    if (len(data) < 20) if rtype == _FORMULA else (len(data) != 8 or data[7] > 1):
        raise _Inconsistent("cell record of the wrong size or kind")
    row, col = _CELL.unpack_from(data)
    if col >= _MAX_COLUMNS:
        raise _Inconsistent("column beyond IV")
    if rtype == _BOOLERR:
        if data[7] == 0:  # a TRUE/FALSE cell, which calamine reads
            return
        code = data[6]
    elif data[12:14] != b"\xff\xff":  # a number result
        return
    elif data[6] == 2:
        code = data[8]
    elif data[6] == 3 and not calculated:
        found.missing_total += 1
        if len(found.missing) < limit:
            found.missing.append((row, col))
        return
    else:  # text (in the STRING record after it), TRUE/FALSE, or a calculated empty text
        return
    text = ERROR_TEXT.get(code)
    if text is None:
        raise _Inconsistent("unknown error code")
    found.errors_total += 1
    if len(found.errors) < limit:
        found.errors.append((row, col, text))
