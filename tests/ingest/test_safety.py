"""Hostile zip-based workbooks are refused fast, with flat memory, before any parser sees them."""

from __future__ import annotations

import struct
import time
import tracemalloc
import zipfile
from pathlib import Path

import pytest

from app.core.errors import ImportFailed
from app.ingest import safety
from app.ingest.readers import open_table
from tests.ingest.reading_helpers import rewrite_zip, write_xlsx

ROWS = [["Case No", "Name"], ["A-001", "DOE, JOHN"], ["A-002", "ROE, JANE"]]
SHEET = "xl/worksheets/sheet1.xml"


@pytest.fixture
def good(tmp_path: Path) -> Path:
    return write_xlsx(tmp_path / "good.xlsx", {"Data": ROWS})


def _refused(path: Path, *fragments: str, seconds: float = 1.0, peak_mb: float = 32) -> str:
    """Open ``path``, expecting a refusal within ``seconds`` and ``peak_mb`` of Python memory."""
    tracemalloc.start()
    started = time.perf_counter()
    try:
        with pytest.raises(ImportFailed) as info:
            open_table(path)
        elapsed = time.perf_counter() - started
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    message = info.value.message
    for fragment in fragments:
        assert fragment in message
    assert info.value.file == path.name
    assert elapsed < seconds, f"took {elapsed:.2f} s"
    assert peak < peak_mb * 1024 * 1024, f"peak {peak / 1e6:.0f} MB"
    return message


def test_a_normal_workbook_passes(good: Path) -> None:
    safety.check_zip(good)
    with open_table(good) as table:
        assert len(list(table.rows())) == 3


def test_zip_bomb_member_is_refused_from_the_directory(good: Path, tmp_path: Path) -> None:
    bomb = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(good) as zin, zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            if info.filename == SHEET:
                # 200 MB of one repeated byte deflates about 1000 to 1.
                with zout.open(SHEET, "w", force_zip64=True) as fh:
                    block = b" " * (1 << 20)
                    for _ in range(200):
                        fh.write(block)
            else:
                zout.writestr(info, zin.read(info.filename))
    assert bomb.stat().st_size < 1_000_000
    _refused(bomb, "refused", "compressed", "to 1")


def test_member_that_lies_about_its_size_is_refused(good: Path, tmp_path: Path) -> None:
    # A sheet that really unpacks to 50 MB but whose zip headers declare 2 KB: the directory
    # check passes, so the bounded unpacking must catch it.
    big = tmp_path / "big.xlsx"
    filler = b"<row/>" * (50 * 1024 * 1024 // 6)
    rewrite_zip(good, big, {SHEET: lambda b: b.replace(b"<sheetData>", b"<sheetData>" + filler)})
    data = bytearray(big.read_bytes())
    with zipfile.ZipFile(big) as zf:
        info = zf.getinfo(SHEET)
    declared = 2048
    struct.pack_into("<I", data, info.header_offset + 22, declared)
    # Patch the central directory entry of the sheet (found by its name).
    name = SHEET.encode()
    pos = data.find(b"PK\x01\x02")
    while pos >= 0:
        name_len = struct.unpack_from("<H", data, pos + 28)[0]
        if bytes(data[pos + 46 : pos + 46 + name_len]) == name:
            struct.pack_into("<I", data, pos + 24, declared)
            break
        pos = data.find(b"PK\x01\x02", pos + 4)
    assert pos >= 0
    liar = tmp_path / "liar.xlsx"
    liar.write_bytes(bytes(data))
    _refused(liar, "refused", "beyond its declared size")


def test_too_many_members(good: Path, tmp_path: Path) -> None:
    many = tmp_path / "many.xlsx"
    extra = {f"xl/media/pad{i}.txt": b"x" for i in range(safety.MAX_MEMBERS + 1)}
    rewrite_zip(good, many, extra)  # type: ignore[arg-type]
    _refused(many, "refused", "parts inside")


def test_overlapping_members_are_refused(good: Path, tmp_path: Path) -> None:
    # The "overlapping files" bomb: two directory entries pointing at the same data.
    data = bytearray(good.read_bytes())
    with zipfile.ZipFile(good) as zf:
        infos = zf.infolist()
    target = infos[0].header_offset
    pos = data.find(b"PK\x01\x02")
    entries = 0
    while pos >= 0:
        if entries == 1:
            struct.pack_into("<I", data, pos + 42, target)
        entries += 1
        pos = data.find(b"PK\x01\x02", pos + 4)
    overlap = tmp_path / "overlap.xlsx"
    overlap.write_bytes(bytes(data))
    with pytest.raises(ImportFailed):
        safety.check_zip(overlap)


BILLION_LAUGHS = (
    b'<?xml version="1.0"?>\n<!DOCTYPE lolz [\n <!ENTITY lol "lol">\n'
    + b"".join(
        b' <!ENTITY lol%d "' % i + (b"&lol%d;" % (i - 1) if i > 1 else b"&lol;") * 10 + b'">\n'
        for i in range(1, 10)
    )
    + b"]>\n<sst>&lol9;</sst>"
)


@pytest.mark.parametrize(
    "member", ["xl/sharedStrings.xml", SHEET, "xl/workbook.xml", "[Content_Types].xml"]
)
def test_entity_bomb_is_refused(good: Path, tmp_path: Path, member: str) -> None:
    bomb = rewrite_zip(good, tmp_path / "laughs.xlsx", {member: BILLION_LAUGHS})
    _refused(bomb, "refused", "DOCTYPE")


def test_external_entity_after_comments_is_refused(good: Path, tmp_path: Path) -> None:
    xxe = (
        b'<?xml version="1.0" encoding="UTF-8"?>\n<!-- exported -->\n<?mso-application x?>\n'
        b'<!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n<sst>&xxe;</sst>'
    )
    bomb = rewrite_zip(good, tmp_path / "xxe.xlsx", {"xl/sharedStrings.xml": xxe})
    _refused(bomb, "refused")


def test_entity_bomb_in_utf16_xml_is_refused(good: Path, tmp_path: Path) -> None:
    text = BILLION_LAUGHS.decode().replace(
        '<?xml version="1.0"?>', '<?xml version="1.0" encoding="UTF-16"?>'
    )
    bomb = rewrite_zip(
        good,
        tmp_path / "u16.xlsx",
        {"xl/sharedStrings.xml": b"\xff\xfe" + text.encode("utf-16-le")},
    )
    _refused(bomb, "refused")


def test_doctype_text_inside_content_is_not_a_doctype(good: Path, tmp_path: Path) -> None:
    # A cell whose text mentions <!DOCTYPE (escaped, as XML requires) is ordinary data.
    path = write_xlsx(tmp_path / "odd.xlsx", {"Data": [["Note"], ["<!DOCTYPE html> <!ENTITY x>"]]})
    with open_table(path) as table:
        assert list(table.rows())[1] == (2, ["<!DOCTYPE html> <!ENTITY x>"])


def test_dimension_that_lies_is_harmless(good: Path, tmp_path: Path) -> None:
    liar = rewrite_zip(
        good,
        tmp_path / "dimension.xlsx",
        {
            SHEET: lambda b: b.replace(
                b'<dimension ref="A1:B3"/>', b'<dimension ref="A1:XFD1048576"/>'
            )
        },
    )
    with zipfile.ZipFile(liar) as zf:
        assert b"XFD1048576" in zf.read(SHEET)
    tracemalloc.start()
    started = time.perf_counter()
    try:
        with open_table(liar) as table:
            rows = list(table.rows())
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert [cells for _, cells in rows] == ROWS
    assert time.perf_counter() - started < 1.0
    assert peak < 16 * 1024 * 1024


def test_stray_cell_far_away_is_refused_before_allocation(good: Path, tmp_path: Path) -> None:
    # Three real rows and one cell at XFD1048576: calamine would allocate a dense grid of
    # 17 billion cells. The reader refuses it from its own scan instead.
    stray = b'<row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>x</t></is></c></row>'
    path = rewrite_zip(
        good,
        tmp_path / "stray.xlsx",
        {SHEET: lambda b: b.replace(b"</sheetData>", stray + b"</sheetData>")},
    )
    message = _refused(path, "XFD1048576", "stray cells")
    assert "delete" in message


def test_refusal_happens_before_the_central_directory_is_parsed(tmp_path: Path) -> None:
    # An end record that claims a million entries is refused without reading the directory.
    path = tmp_path / "claims.xlsx"
    eocd = b"PK\x05\x06" + struct.pack("<HHHHIIH", 0, 0, 60_000, 60_000, 0, 0, 0)
    path.write_bytes(b"PK\x03\x04" + b"\x00" * 100 + eocd)
    with pytest.raises(ImportFailed, match="parts inside"):
        open_table(path)
