"""Builders for the real (and deliberately broken) files the reading tests feed to the readers."""

from __future__ import annotations

import struct
import zipfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape


def write_xlsx(path: Path, sheets: dict[str, Sequence[Sequence[Any]]], **options: Any) -> Path:
    """A real workbook written by xlsxwriter, one sheet per entry (rows start at A1)."""
    import datetime as dt

    import xlsxwriter

    wb = xlsxwriter.Workbook(str(path), options)
    date_fmt = wb.add_format({"num_format": "yyyy-mm-dd"})
    for name, rows in sheets.items():
        ws = wb.add_worksheet(name)
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                if isinstance(value, (dt.date, dt.datetime)):
                    ws.write_datetime(r, c, value, date_fmt)
                elif value is not None:
                    ws.write(r, c, value)
    wb.close()
    return path


def rewrite_zip(
    src: Path, dst: Path, changes: dict[str, bytes | Callable[[bytes], bytes] | None]
) -> Path:
    """Copy a zip, replacing (bytes), transforming (callable), adding or dropping (None) members."""
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        done = set()
        for info in zin.infolist():
            data = zin.read(info.filename)
            if info.filename in changes:
                change = changes[info.filename]
                done.add(info.filename)
                if change is None:
                    continue
                data = change(data) if callable(change) else change
            zout.writestr(info.filename, data)
        for name, change in changes.items():
            if name not in done and isinstance(change, bytes):
                zout.writestr(name, change)
    return dst


def write_ods(path: Path, sheets: dict[str, Sequence[Sequence[Any]]]) -> Path:
    """A minimal but valid OpenDocument spreadsheet, written by hand (no ODS writer is installed)."""
    import datetime as dt

    tables = []
    for name, rows in sheets.items():
        xml_rows = []
        for row in rows:
            cells = []
            for value in row:
                if value is None:
                    cells.append("<table:table-cell/>")
                elif isinstance(value, bool):
                    cells.append(
                        f'<table:table-cell office:value-type="boolean" '
                        f'office:boolean-value="{str(value).lower()}"/>'
                    )
                elif isinstance(value, (int, float)):
                    cells.append(
                        f'<table:table-cell office:value-type="float" office:value="{value}">'
                        f"<text:p>{value}</text:p></table:table-cell>"
                    )
                elif isinstance(value, dt.date):
                    cells.append(
                        f'<table:table-cell office:value-type="date" '
                        f'office:date-value="{value.isoformat()}"><text:p>{value}</text:p>'
                        "</table:table-cell>"
                    )
                else:
                    cells.append(
                        f'<table:table-cell office:value-type="string"><text:p>{escape(str(value))}'
                        "</text:p></table:table-cell>"
                    )
            xml_rows.append("<table:table-row>" + "".join(cells) + "</table:table-row>")
        tables.append(
            f'<table:table table:name="{escape(name)}">' + "".join(xml_rows) + "</table:table>"
        )
    return write_ods_xml(path, "".join(tables))


def ods_cell(value: str, extra: str = "") -> str:
    """A text cell of ``content.xml``; ``extra`` adds attributes (spans, repeats)."""
    return (
        f'<table:table-cell office:value-type="string"{extra}><text:p>{escape(value)}</text:p>'
        "</table:table-cell>"
    )


def ods_row(*cells: str, extra: str = "") -> str:
    return f"<table:table-row{extra}>" + "".join(cells) + "</table:table-row>"


def write_ods_xml(path: Path, tables_xml: str) -> Path:
    """An OpenDocument spreadsheet whose ``<office:spreadsheet>`` holds ``tables_xml`` as given."""
    content = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
        'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
        'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
        'xmlns:calcext="urn:org:documentfoundation:names:experimental:calc:xmlns:calcext:1.0" '
        'office:version="1.2">'
        "<office:body><office:spreadsheet>" + tables_xml + "</office:spreadsheet></office:body>"
        "</office:document-content>"
    )
    manifest = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" '
        'manifest:version="1.2">'
        '<manifest:file-entry manifest:full-path="/" '
        'manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
        '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
        "</manifest:manifest>"
    )
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr(
            "mimetype", "application/vnd.oasis.opendocument.spreadsheet", zipfile.ZIP_STORED
        )
        zf.writestr("content.xml", content, zipfile.ZIP_DEFLATED)
        zf.writestr("META-INF/manifest.xml", manifest, zipfile.ZIP_DEFLATED)
    return path


def write_xls(
    path: Path, sheets: dict[str, Sequence[Sequence[Any]]], hidden: Sequence[str] = ()
) -> Path:
    """A real legacy BIFF8 .xls written by xlwt."""
    import datetime as dt

    import xlwt

    wb = xlwt.Workbook()
    date_style = xlwt.easyxf(num_format_str="YYYY-MM-DD")
    for name, rows in sheets.items():
        ws = wb.add_sheet(name)
        if name in hidden:
            ws.visibility = 1
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                if isinstance(value, dt.date):
                    ws.write(r, c, value, date_style)
                elif value is not None:
                    ws.write(r, c, value)
    wb.save(str(path))
    return path


def write_cfb(path: Path, streams: Sequence[str] | dict[str, bytes]) -> Path:
    """A minimal OLE compound file (MS-CFB v3) with the given streams (each under 4 KB, so
    they live in the mini stream, as small streams do in real files)."""
    free, end, fat_sect, nostream = 0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFFFD, 0xFFFFFFFF
    contents = dict.fromkeys(streams, b"") if not isinstance(streams, dict) else dict(streams)
    if len(contents) > 3 or any(len(v) >= 4096 for v in contents.values()):
        raise ValueError("this builder writes one directory sector and small streams only")
    # Mini stream: each stream padded to 64-byte mini sectors, laid end to end.
    mini = bytearray()
    minifat: list[int] = []
    placed: dict[str, int] = {}
    for name, data in contents.items():
        if not data:
            continue
        first = len(mini) // 64
        count = (len(data) + 63) // 64
        placed[name] = first
        mini += data + b"\x00" * (count * 64 - len(data))
        minifat += [first + i + 1 for i in range(count - 1)] + [end]
    mini_sectors = (len(mini) + 511) // 512
    mini += b"\x00" * (mini_sectors * 512 - len(mini))
    # Sectors: 0 FAT, 1 directory, 2.. mini stream, then one mini FAT sector (if needed).
    fat = [fat_sect, end]
    fat += [2 + i + 1 for i in range(mini_sectors - 1)] + ([end] if mini_sectors else [])
    minifat_sector = 2 + mini_sectors if minifat else None
    if minifat_sector is not None:
        fat.append(end)
    fat += [free] * (128 - len(fat))
    header = bytearray(512)
    header[0:8] = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
    struct.pack_into("<HHHHH", header, 24, 0x3E, 3, 0xFFFE, 9, 6)
    struct.pack_into("<I", header, 44, 1)  # one FAT sector
    struct.pack_into("<I", header, 48, 1)  # directory starts at sector 1
    struct.pack_into("<I", header, 56, 4096)
    first_minifat = minifat_sector if minifat_sector is not None else end
    struct.pack_into("<IIII", header, 60, first_minifat, 1 if minifat else 0, end, 0)
    struct.pack_into("<109I", header, 76, *([0] + [free] * 108))
    entries = [("Root Entry", 5, 2 if mini_sectors else end, len(mini))]
    entries += [(n, 2, placed.get(n, end), len(d)) for n, d in contents.items()]
    directory = bytearray()
    for i, (name, kind, start, size) in enumerate(entries):
        entry = bytearray(128)
        raw = name.encode("utf-16-le") + b"\x00\x00"
        entry[0 : len(raw)] = raw
        struct.pack_into("<HBB", entry, 64, len(raw), kind, 1)
        child = 1 if i == 0 and len(entries) > 1 else nostream
        right = i + 1 if 0 < i < len(entries) - 1 else nostream
        struct.pack_into("<III", entry, 68, nostream, right, child)
        struct.pack_into("<IQ", entry, 116, start, size)
        directory += entry
    directory += b"\x00" * (512 - len(directory))
    body = bytes(header) + struct.pack("<128I", *fat) + bytes(directory) + bytes(mini)
    if minifat:
        body += struct.pack(f"<{len(minifat)}I", *minifat) + b"\xff" * (512 - 4 * len(minifat))
    path.write_bytes(body)
    return path


def _varint(n: int) -> bytes:
    out = bytearray()
    while True:
        low = n & 0x7F
        n >>= 7
        out.append(low | (0x80 if n else 0))
        if not n:
            return bytes(out)


def _record(rtype: int, data: bytes = b"") -> bytes:
    return _varint(rtype) + _varint(len(data)) + data


def _wide(text: str) -> bytes:
    return struct.pack("<I", len(text)) + text.encode("utf-16-le")


def write_xlsb(
    path: Path,
    sheets: dict[str, Sequence[Sequence[Any]]],
    *,
    date1904: bool = False,
    hidden: Sequence[str] = (),
    merged: dict[str, Sequence[tuple[tuple[int, int], tuple[int, int]]]] | None = None,
) -> Path:
    """A minimal binary workbook (MS-XLSB records, written by hand: no xlsb writer exists for
    Python). Cells are text, numbers and booleans; no styles part, so no date formats.
    ``merged`` gives a sheet's merged ranges as 0-based ((first row, first col), (last row,
    last col)), written as BrtMergeCell records after the sheet data."""
    rel_type = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    book = _record(131) + _record(153, struct.pack("<II", int(date1904), 0) + _wide(""))
    book += _record(143)
    rels = []
    types = [
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>',
        '<Override PartName="/xl/workbook.bin" '
        'ContentType="application/vnd.ms-excel.sheet.binary.macroEnabled.main"/>',
    ]
    parts: dict[str, bytes] = {}
    for i, (name, rows) in enumerate(sheets.items(), start=1):
        book += _record(
            156, struct.pack("<II", 1 if name in hidden else 0, i) + _wide(f"rId{i}") + _wide(name)
        )
        width = max((len(r) for r in rows), default=1)
        data = _record(129) + _record(
            148, struct.pack("<IIII", 0, max(len(rows) - 1, 0), 0, width - 1)
        )
        data += _record(145)
        for r, row in enumerate(rows):
            data += _record(0, struct.pack("<IIHHB", r, 0, 300, 0, 0) + b"\x00" * 4)
            for c, value in enumerate(row):
                head = struct.pack("<II", c, 0)
                if value is None:
                    continue
                if isinstance(value, bool):
                    data += _record(4, head + bytes([value]))
                elif isinstance(value, (int, float)):
                    data += _record(5, head + struct.pack("<d", float(value)))
                else:
                    data += _record(6, head + _wide(str(value)))
        data += _record(146)
        ranges = (merged or {}).get(name, ())
        if ranges:
            data += _record(177, struct.pack("<I", len(ranges)))
            for (r0, c0), (r1, c1) in ranges:
                data += _record(176, struct.pack("<IIII", r0, r1, c0, c1))
            data += _record(178)
        data += _record(130)
        parts[f"xl/worksheets/sheet{i}.bin"] = data
        rels.append(
            f'<Relationship Id="rId{i}" Type="{rel_type}/worksheet" Target="worksheets/sheet{i}.bin"/>'
        )
        types.append(
            f'<Override PartName="/xl/worksheets/sheet{i}.bin" ContentType="application/vnd.ms-excel.worksheet"/>'
        )
    book += _record(144) + _record(132)
    pkg = "http://schemas.openxmlformats.org/package/2006"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(
            "[Content_Types].xml",
            f'<Types xmlns="{pkg}/content-types">' + "".join(types) + "</Types>",
        )
        zf.writestr(
            "_rels/.rels",
            f'<Relationships xmlns="{pkg}/relationships"><Relationship Id="rId1" '
            f'Type="{rel_type}/officeDocument" Target="xl/workbook.bin"/></Relationships>',
        )
        zf.writestr(
            "xl/_rels/workbook.bin.rels",
            f'<Relationships xmlns="{pkg}/relationships">' + "".join(rels) + "</Relationships>",
        )
        zf.writestr("xl/workbook.bin", book)
        for name, data in parts.items():
            zf.writestr(name, data)
    return path
