"""The real file type comes from the first bytes, and every unreadable file gets a clear message."""

from __future__ import annotations

import io
import shutil
import struct
import zipfile
from pathlib import Path

import pytest

from app.core.errors import ImportFailed
from app.ingest.readers import open_table
from app.ingest.sniff import ole_stream_names, sniff, xls_date1904
from tests.ingest.reading_helpers import rewrite_zip, write_cfb, write_ods, write_xls, write_xlsx

ROWS = [["Case No", "Name"], ["A-001", "DOE, JOHN"]]


def _fails(path: Path, *fragments: str) -> ImportFailed:
    with pytest.raises(ImportFailed) as info:
        open_table(path)
    err = info.value
    assert err.file == path.name
    for fragment in fragments:
        assert fragment in err.message
    return err


def test_xlsx_is_recognized_whatever_its_name(tmp_path: Path) -> None:
    src = write_xlsx(tmp_path / "book.xlsx", {"Data": ROWS})
    renamed = tmp_path / "export.csv"
    shutil.copy(src, renamed)
    assert sniff(renamed).kind == "xlsx"
    with open_table(renamed) as table:
        assert table.file_kind == "xlsx"
        assert [cells for _, cells in table.rows()] == ROWS


def test_csv_renamed_xlsx_is_read_as_csv(tmp_path: Path) -> None:
    path = tmp_path / "cases.xlsx"
    path.write_text('Case No,Name\nA-001,"DOE, JOHN"\n', encoding="utf-8")
    with open_table(path) as table:
        assert table.file_kind == "csv"
        assert list(table.rows()) == [(1, ["Case No", "Name"]), (2, ["A-001", "DOE, JOHN"])]
        assert [f.code for f in table.findings] == ["file.text_named_as_workbook"]


def test_truncated_xlsx_is_damaged_or_incomplete(tmp_path: Path) -> None:
    src = write_xlsx(tmp_path / "full.xlsx", {"Data": ROWS * 200})
    data = src.read_bytes()
    cut = tmp_path / "cut.xlsx"
    cut.write_bytes(data[: len(data) // 2])
    _fails(cut, "damaged or incomplete")


def test_corrupt_member_is_damaged(tmp_path: Path) -> None:
    src = write_xlsx(tmp_path / "full.xlsx", {"Data": ROWS * 500})
    data = bytearray(src.read_bytes())
    # Flip bytes inside the compressed sheet data (the central directory stays intact).
    with zipfile.ZipFile(src) as zf:
        info = zf.getinfo("xl/worksheets/sheet1.xml")
    start = info.header_offset + 30 + len(info.filename) + 10
    for i in range(start, start + 40):
        data[i] ^= 0xA5
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(bytes(data))
    _fails(bad, "damaged or incomplete")


def test_password_protected_workbook(tmp_path: Path) -> None:
    from msoffcrypto.format.ooxml import OOXMLFile

    src = write_xlsx(tmp_path / "plain.xlsx", {"Data": ROWS})
    out = io.BytesIO()
    with src.open("rb") as fh:
        OOXMLFile(fh).encrypt("secret", out)
    locked = tmp_path / "locked.xlsx"
    locked.write_bytes(out.getvalue())
    assert "EncryptionInfo" in ole_stream_names(locked)
    err = _fails(locked, "password-protected: remove the password and save again")
    assert str(err).startswith("locked.xlsx: ")


def test_hand_built_encrypted_container(tmp_path: Path) -> None:
    path = write_cfb(tmp_path / "enc.xlsx", ["EncryptionInfo", "EncryptedPackage"])
    _fails(path, "password-protected")


def test_legacy_xls_is_read(tmp_path: Path) -> None:
    path = write_xls(tmp_path / "old.xls", {"Cases": ROWS})
    assert sniff(path).kind == "xls"
    with open_table(path) as table:
        assert table.file_kind == "xls"
        assert [cells for _, cells in table.rows()] == ROWS


def test_xls_named_xlsx_is_read_as_xls(tmp_path: Path) -> None:
    src = write_xls(tmp_path / "old.xls", {"Cases": ROWS})
    renamed = tmp_path / "old.xlsx"
    shutil.copy(src, renamed)
    with open_table(renamed) as table:
        assert table.file_kind == "xls"
        assert [cells for _, cells in table.rows()] == ROWS


def test_ods_is_read(tmp_path: Path) -> None:
    path = write_ods(tmp_path / "book.ods", {"Cases": ROWS})
    assert sniff(path).kind == "ods"
    with open_table(path) as table:
        assert table.file_kind == "ods"
        assert [cells for _, cells in table.rows()] == ROWS


def test_truncated_ole_is_damaged(tmp_path: Path) -> None:
    src = write_xls(tmp_path / "old.xls", {"Cases": ROWS * 100})
    cut = tmp_path / "cut.xls"
    cut.write_bytes(src.read_bytes()[:700])
    _fails(cut, "damaged or incomplete")


def test_word_document_in_ole_is_named(tmp_path: Path) -> None:
    path = write_cfb(tmp_path / "letter.xls", ["WordDocument"])
    _fails(path, "Word document")


def test_empty_file(tmp_path: Path) -> None:
    path = tmp_path / "empty.xlsx"
    path.write_bytes(b"")
    _fails(path, "empty")


def test_missing_file(tmp_path: Path) -> None:
    _fails(tmp_path / "nowhere.xlsx", "not found")


@pytest.mark.parametrize(
    ("head", "what"),
    [
        (b"%PDF-1.7\n" + b"x" * 100, "PDF"),
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * 100, "PNG image"),
        (b"SQLite format 3\x00" + b"\x00" * 100, "SQLite"),
        (bytes(range(256)) * 4, "not a spreadsheet"),
        (b"<html><body><table><tr><td>1</td></tr></table></body></html>", "HTML"),
    ],
)
def test_other_formats_get_a_clear_message(tmp_path: Path, head: bytes, what: str) -> None:
    path = tmp_path / "data.xlsx"
    path.write_bytes(head)
    _fails(path, what)


def test_word_docx_and_plain_zip(tmp_path: Path) -> None:
    docx = tmp_path / "memo.xlsx"
    with zipfile.ZipFile(docx, "w") as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("word/document.xml", "<document/>")
    _fails(docx, "Word document")
    plain = tmp_path / "bundle.xlsx"
    with zipfile.ZipFile(plain, "w") as zf:
        zf.writestr("cases.csv", "a,b\n1,2\n")
    _fails(plain, "zip archive")


def test_xlsx_without_workbook_part_is_damaged(tmp_path: Path) -> None:
    src = write_xlsx(tmp_path / "ok.xlsx", {"Data": ROWS})
    broken = rewrite_zip(src, tmp_path / "broken.xlsx", {"xl/workbook.xml": None})
    _fails(broken, "damaged or incomplete")


def test_macro_enabled_is_detected_by_content(tmp_path: Path) -> None:
    src = write_xlsx(tmp_path / "ok.xlsx", {"Data": ROWS})
    xlsm = rewrite_zip(
        src,
        tmp_path / "macros.xlsx",
        {
            "[Content_Types].xml": lambda b: b.replace(
                b"spreadsheetml.sheet.main+xml", b"ms-excel.sheet.macroEnabled.main+xml"
            ),
            "xl/vbaProject.bin": b"\xd0\xcf\x11\xe0not really vba",
        },
    )
    found = sniff(xlsm)
    assert (found.kind, found.has_macros) == ("xlsm", True)


@pytest.mark.parametrize(
    ("encoding", "expected"),
    [
        ("utf-8", "utf-8"),
        ("utf-8-sig", "utf-8-sig"),
        ("utf-16", "utf-16"),  # Python writes a BOM
        ("utf-16-le", "utf-16-le"),  # no BOM: recognized by the NUL pattern
        ("utf-16-be", "utf-16-be"),
    ],
)
def test_text_encodings(tmp_path: Path, encoding: str, expected: str) -> None:
    path = tmp_path / "people.csv"
    path.write_text("Name,City\nNúñez,Nguyễn\nO'Brien,Zoë\n", encoding=encoding)
    found = sniff(path)
    assert (found.kind, found.encoding) == ("text", expected)
    with open_table(path) as table:
        assert [c for _, c in table.rows()] == [
            ["Name", "City"],
            ["Núñez", "Nguyễn"],
            ["O'Brien", "Zoë"],
        ]


def test_cp1252_needs_confirmation(tmp_path: Path) -> None:
    path = tmp_path / "old.csv"
    path.write_bytes("Name,Note\nNúñez,café – “quoted”\n".encode("cp1252"))
    err = _fails(path, "Windows-1252 (cp1252)", "--encoding cp1252")
    assert "people" not in err.message
    with open_table(path, encoding="cp1252") as table:
        assert table.encoding == "cp1252"
        assert list(table.rows())[1] == (2, ["Núñez", "café – “quoted”"])


def test_unknown_encoding_name(tmp_path: Path) -> None:
    path = tmp_path / "a.csv"
    path.write_text("a,b\n1,2\n")
    with pytest.raises(ImportFailed, match="unknown text encoding"):
        open_table(path, encoding="klingon-8")


def _biff(records: list[tuple[int, bytes]]) -> bytes:
    return b"".join(struct.pack("<HH", t, len(d)) + d for t, d in records)


@pytest.mark.parametrize("flag", [0, 1])
def test_xls_date_system_from_a_small_stream(tmp_path: Path, flag: int) -> None:
    # A Workbook stream under 4 KB lives in the mini stream; DATEMODE (0x22) follows BOF.
    stream = _biff([(0x0809, b"\x00\x06\x05\x00" + b"\x00" * 12), (0x0042, b"\xb0\x04"),
                    (0x0022, struct.pack("<H", flag)), (0x000A, b"")])  # fmt: skip
    path = write_cfb(tmp_path / "dates.xls", {"Workbook": stream, "Other": b"z" * 300})
    assert ole_stream_names(path) == ["Root Entry", "Workbook", "Other"]
    assert xls_date1904(path) is bool(flag)


@pytest.mark.parametrize("flag", [False, True])
def test_xls_date_system_from_a_real_file(tmp_path: Path, flag: bool) -> None:
    import datetime as dt

    import xlwt

    book = xlwt.Workbook()
    book.dates_1904 = flag
    sheet = book.add_sheet("Cases")
    sheet.write(0, 0, "DOB")
    sheet.write(1, 0, dt.date(1970, 6, 1), xlwt.easyxf(num_format_str="YYYY-MM-DD"))
    path = tmp_path / "mac.xls"
    book.save(str(path))
    assert xls_date1904(path) is flag
    with open_table(path) as table:
        assert table.epoch == (1904 if flag else 1900)
        assert list(table.rows())[1] == (2, [dt.date(1970, 6, 1)])


def test_xls_date_system_of_a_broken_container_is_1900(tmp_path: Path) -> None:
    path = tmp_path / "junk.xls"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100)
    assert xls_date1904(path) is False


def test_password_protected_ods(tmp_path: Path) -> None:
    src = write_ods(tmp_path / "plain.ods", {"Cases": ROWS})
    locked = rewrite_zip(
        src,
        tmp_path / "locked.ods",
        {
            "META-INF/manifest.xml": lambda b: b.replace(
                b'manifest:media-type="text/xml"/>',
                b'manifest:media-type="text/xml"><manifest:encryption-data '
                b'manifest:checksum-type="SHA1/1K" manifest:checksum="x"/></manifest:file-entry>',
            )
        },
    )
    _fails(locked, "password-protected")


def test_password_protected_xls(tmp_path: Path) -> None:
    # A legacy workbook "encrypted with password" has a FILEPASS record right after BOF.
    stream = _biff([(0x0809, b"\x00\x06\x05\x00" + b"\x00" * 12),
                    (0x002F, b"\x01\x00" + b"\x00" * 52), (0x000A, b"")])  # fmt: skip
    path = write_cfb(tmp_path / "locked.xls", {"Workbook": stream})
    _fails(path, "password-protected")


def test_encoding_refusals_keep_their_words_and_carry_their_remedy(tmp_path: Path) -> None:
    from app.core.errors import Remedy

    old = tmp_path / "old.csv"
    old.write_bytes("Name,Note\nNúñez,café\n".encode("cp1252"))
    err = _fails(old)
    assert err.message == (
        "the text is not UTF-8; it looks like Windows-1252 (cp1252). Check that accented names "
        "read correctly and confirm with --encoding cp1252 (or choose the encoding in the import "
        "window)"
    )
    assert err.remedy == Remedy.confirm_encoding("cp1252")
    assert err.problem == (
        "the text is not UTF-8; it looks like Windows-1252 (cp1252). Check that accented names "
        "read correctly"
    )
    odd = tmp_path / "odd.csv"
    odd.write_bytes(b"Case Number,Name\r\nC1,\x81\x8d\x8f\x90\x9d\x81\x8d\r\n" * 4)
    err = _fails(odd)
    assert err.message == (
        "the text encoding is not recognized (not UTF-8, UTF-16 or Windows-1252); save the file "
        "from Excel as 'CSV UTF-8' or name the encoding with --encoding"
    )
    assert err.remedy == Remedy.name_encoding()
