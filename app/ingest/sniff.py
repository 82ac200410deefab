"""Tell what a file really is from its first bytes, whatever its name says."""

from __future__ import annotations

import codecs
import struct
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from app.core.errors import ImportFailed, Remedy
from app.ingest.safety import DAMAGED_MESSAGE, check_zip

# What a user should do about a workbook Excel has locked with a password.
PASSWORD_MESSAGE = "password-protected: remove the password and save again"  # noqa: S105
CONVERT_HINT = "export the data from that program as .xlsx or .csv"

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGICS = (b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08")
ODS_MIME = b"application/vnd.oasis.opendocument.spreadsheet"

# Other well-known formats people pick by mistake, named so the message helps.
_OTHER_MAGICS: tuple[tuple[bytes, str], ...] = (
    (b"%PDF", "a PDF document"),
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
    (b"SQLite format 3\x00", "a SQLite database (perhaps a ClearSlate workspace)"),
    (b"Rar!", "a RAR archive"),
    (b"7z\xbc\xaf\x27\x1c", "a 7-Zip archive"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"{\\rtf", "a Rich Text document"),
    (b"MZ", "a Windows program"),
)

_TEXT_PROBE = 64 * 1024

# The kinds read as delimited text: every cell they give is a str or empty (None).
TEXT_KINDS = frozenset({"csv", "tsv"})


@dataclass(frozen=True)
class Sniffed:
    """What a file is: its kind and, for text, the encoding and whether a user must confirm it."""

    kind: str  # "xlsx", "xlsm", "xlsb", "ods", "xls", "csv", "tsv" ("text" before the delimiter is known)
    encoding: str | None = None  # text only: a Python codec name
    has_bom: bool = False
    has_macros: bool = False
    notes: tuple[str, ...] = field(default_factory=tuple)


def sniff(path: Path, *, encoding: str | None = None) -> Sniffed:
    """Return what ``path`` really is, or raise :class:`ImportFailed` saying why it cannot be read.

    ``encoding`` is the user's confirmed text encoding; it is used for text files only.
    """
    name = path.name
    try:
        size = path.stat().st_size
        with path.open("rb") as fh:
            head = fh.read(_TEXT_PROBE)
    except FileNotFoundError:
        raise ImportFailed("file not found", file=name) from None
    except IsADirectoryError:
        raise ImportFailed("this is a folder, not a file", file=name) from None
    except OSError as exc:
        raise ImportFailed(f"cannot be read: {exc.strerror or exc}", file=name) from None
    if size == 0:
        raise ImportFailed("the file is empty (0 bytes)", file=name)
    if head.startswith(ZIP_MAGICS):
        return _sniff_zip(path)
    if head.startswith(OLE_MAGIC):
        return _sniff_ole(path)
    for magic, what in _OTHER_MAGICS:
        if head.startswith(magic):
            raise ImportFailed(f"this is {what}, not a spreadsheet; {CONVERT_HINT}", file=name)
    if head.lstrip(b"\xef\xbb\xbf \t\r\n")[:5].lower() in (b"<html", b"<!doc", b"<?xml"):
        # Some court systems export "Excel" files that are really HTML or SpreadsheetML 2003.
        raise ImportFailed(
            "this is an HTML or XML file named like a spreadsheet; open it in Excel and "
            "save it as .xlsx (Excel Workbook) or .csv",
            file=name,
        )
    return _sniff_text(path, head, size, encoding)


def _sniff_text(path: Path, head: bytes, size: int, encoding: str | None) -> Sniffed:
    name = path.name
    if encoding:
        try:
            codec = codecs.lookup(encoding).name
        except LookupError:
            raise ImportFailed(f"unknown text encoding {encoding!r}", file=name) from None
        has_bom = head.startswith((codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE))
        if codec == "utf-8" and head.startswith(codecs.BOM_UTF8):
            codec = "utf-8-sig"
        return Sniffed(kind="text", encoding=codec, has_bom=has_bom)
    if head.startswith(codecs.BOM_UTF8):
        return Sniffed(kind="text", encoding="utf-8-sig", has_bom=True)
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        # The "utf-16" codec reads the BOM and picks the byte order itself.
        return Sniffed(kind="text", encoding="utf-16", has_bom=True)
    if b"\x00" in head:
        # UTF-16 without a BOM puts a NUL beside every ASCII character; anything else with
        # NULs is binary.
        even_nuls = head[0::2].count(0)
        odd_nuls = head[1::2].count(0)
        half = len(head) // 2
        if half and odd_nuls > 0.4 * half and even_nuls < 0.05 * half:
            return Sniffed(kind="text", encoding="utf-16-le")
        if half and even_nuls > 0.4 * half and odd_nuls < 0.05 * half:
            return Sniffed(kind="text", encoding="utf-16-be")
        raise ImportFailed(
            f"this is not a spreadsheet or a text (CSV) file ClearSlate can read; {CONVERT_HINT}",
            file=name,
        )
    probe = head
    if size > len(head):
        # The probe may end inside a multi-byte character: drop an incomplete tail.
        probe = head[: len(head) - 3] if len(head) > 3 else head
    try:
        probe.decode("utf-8")
    except UnicodeDecodeError:
        pass
    else:
        return Sniffed(kind="text", encoding="utf-8")
    try:
        text = head.decode("cp1252")
    except UnicodeDecodeError:
        text = None
    if text is not None and _mostly_printable(text):
        problem = (
            "the text is not UTF-8; it looks like Windows-1252 (cp1252). Check that accented "
            "names read correctly"
        )
        remedy = Remedy.confirm_encoding("cp1252")
        raise ImportFailed(
            f"{problem} and confirm with {remedy.command_line()} (or choose the encoding in "
            "the import window)",
            file=name,
            remedy=remedy,
            problem=problem,
        )
    problem = (
        "the text encoding is not recognized (not UTF-8, UTF-16 or Windows-1252); save the "
        "file from Excel as 'CSV UTF-8'"
    )
    remedy = Remedy.name_encoding()
    raise ImportFailed(
        f"{problem} or name the encoding with {remedy.command_line()}",
        file=name,
        remedy=remedy,
        problem=problem,
    )


def _mostly_printable(text: str) -> bool:
    if not text:
        return False
    bad = sum(1 for ch in text if ord(ch) < 32 and ch not in "\t\r\n\f")
    return bad <= len(text) // 100


def _sniff_zip(path: Path) -> Sniffed:
    name = path.name
    # Bombs are refused from the zip directory alone, before any member is unpacked.
    check_zip(path)
    try:
        with zipfile.ZipFile(path) as zf:
            names = set(zf.namelist())
            mimetype = zf.read("mimetype")[:200] if "mimetype" in names else b""
            # An encrypted OpenDocument file says so in its manifest (the parts are unreadable).
            manifest = (
                zf.read("META-INF/manifest.xml")[:1_000_000]
                if "META-INF/manifest.xml" in names
                else b""
            )
            content_types = (
                zf.read("[Content_Types].xml")[:200_000] if "[Content_Types].xml" in names else b""
            )
    except (zipfile.BadZipFile, EOFError, zipfile.LargeZipFile, ValueError, KeyError, OSError):
        raise ImportFailed(DAMAGED_MESSAGE, file=name) from None
    if mimetype.strip().startswith(ODS_MIME):
        if b"encryption-data" in manifest:
            raise ImportFailed(PASSWORD_MESSAGE, file=name)
        return Sniffed(kind="ods")
    if mimetype.startswith(b"application/vnd.oasis.opendocument"):
        raise ImportFailed(
            f"this is an OpenDocument file that is not a spreadsheet; {CONVERT_HINT}", file=name
        )
    if "xl/workbook.bin" in names:
        return Sniffed(kind="xlsb", has_macros=_has_macros(names))
    if "xl/workbook.xml" in names or "xl/workbook2.xml" in names:
        macro_enabled = b"macroEnabled" in content_types
        has_macros = _has_macros(names)
        return Sniffed(
            kind="xlsm" if macro_enabled or has_macros else "xlsx", has_macros=has_macros
        )
    if "word/document.xml" in names:
        raise ImportFailed(f"this is a Word document, not a spreadsheet; {CONVERT_HINT}", file=name)
    if "ppt/presentation.xml" in names:
        raise ImportFailed(
            f"this is a PowerPoint presentation, not a spreadsheet; {CONVERT_HINT}", file=name
        )
    if "[Content_Types].xml" in names:
        raise ImportFailed(DAMAGED_MESSAGE + " (the workbook part is missing)", file=name)
    raise ImportFailed(
        "this is a zip archive, not a spreadsheet; unzip it and import the workbook inside",
        file=name,
    )


def _has_macros(names: set[str]) -> bool:
    return any(
        n.startswith(("xl/macrosheets/", "xl/dialogsheets/")) or n.endswith("vbaProject.bin")
        for n in names
    )


def _sniff_ole(path: Path) -> Sniffed:
    name = path.name
    try:
        entries = ole_stream_names(path)
    except ValueError:
        raise ImportFailed(DAMAGED_MESSAGE, file=name) from None
    lowered = {e.lower() for e in entries}
    if "encryptioninfo" in lowered or "encryptedpackage" in lowered:
        raise ImportFailed(PASSWORD_MESSAGE, file=name)
    if "workbook" in lowered or "book" in lowered:
        if _xls_globals(path)[1]:
            raise ImportFailed(PASSWORD_MESSAGE, file=name)
        has_macros = any(e.startswith(("_VBA_PROJECT", "VBA")) for e in entries)
        return Sniffed(kind="xls", has_macros=has_macros)
    if "worddocument" in lowered:
        raise ImportFailed(f"this is a Word document, not a spreadsheet; {CONVERT_HINT}", file=name)
    if "powerpoint document" in lowered:
        raise ImportFailed(
            f"this is a PowerPoint presentation, not a spreadsheet; {CONVERT_HINT}", file=name
        )
    raise ImportFailed(
        f"this is an Office file ClearSlate cannot read (not an Excel workbook); {CONVERT_HINT}",
        file=name,
    )


_FREE_LIMIT = 0xFFFFFFFA  # sector numbers at or above this are markers (end of chain, free...)


class _Cfb:
    """A minimal read-only view of an OLE compound file (MS-CFB): its directory and small streams.

    Every sector number is checked against the file's size and every chain against loops, so
    a truncated or hostile container raises ValueError instead of reading garbage.
    """

    def __init__(self, fh: BinaryIO, max_entries: int = 100_000) -> None:
        self.fh = fh
        fh.seek(0, 2)
        file_size = fh.tell()
        fh.seek(0)
        header = fh.read(512)
        if len(header) < 512 or not header.startswith(OLE_MAGIC):
            raise ValueError("short header")
        sector_shift = struct.unpack_from("<H", header, 30)[0]
        if sector_shift not in (9, 12):
            raise ValueError("bad sector size")
        self.sector_size = 1 << sector_shift
        self.mini_size = 1 << struct.unpack_from("<H", header, 32)[0]
        n_fat = struct.unpack_from("<I", header, 44)[0]
        first_dir = struct.unpack_from("<I", header, 48)[0]
        self.mini_cutoff = struct.unpack_from("<I", header, 56)[0]
        first_minifat = struct.unpack_from("<I", header, 60)[0]
        first_difat = struct.unpack_from("<I", header, 68)[0]
        n_difat = struct.unpack_from("<I", header, 72)[0]
        self.max_sectors = max(0, (file_size - self.sector_size) // self.sector_size + 1)
        if n_fat > self.max_sectors:
            raise ValueError("FAT larger than the file")
        fat_sectors = [v for v in struct.unpack_from("<109I", header, 76) if v < _FREE_LIMIT]
        next_difat = first_difat
        per_difat = self.sector_size // 4 - 1
        for _ in range(min(n_difat, self.max_sectors)):
            if next_difat >= _FREE_LIMIT:
                break
            values = struct.unpack(f"<{per_difat + 1}I", self._sector(next_difat))
            fat_sectors.extend(v for v in values[:per_difat] if v < _FREE_LIMIT)
            next_difat = values[per_difat]
        self.fat: list[int] = []
        for sector in fat_sectors[:n_fat]:
            self.fat.extend(struct.unpack(f"<{self.sector_size // 4}I", self._sector(sector)))
        # Directory entries: name, type, start sector, size.
        self.entries: list[tuple[str, int, int, int]] = []
        directory = self._chain_bytes(first_dir, limit=max_entries * 128)
        for off in range(0, len(directory) - 127, 128):
            entry = directory[off : off + 128]
            name_len = struct.unpack_from("<H", entry, 64)[0]
            kind = entry[66]
            if kind == 0 or not 2 <= name_len <= 64:
                continue
            name = entry[: name_len - 2].decode("utf-16-le", "replace")
            start, size = struct.unpack_from("<IQ", entry, 116)
            self.entries.append((name, kind, start, size))
        if not self.entries:
            raise ValueError("empty directory")
        self.first_minifat = first_minifat

    def _sector(self, index: int) -> bytes:
        if index >= self.max_sectors:
            raise ValueError("sector beyond end of file")
        self.fh.seek((index + 1) * self.sector_size)
        data = self.fh.read(self.sector_size)
        if len(data) < self.sector_size:
            raise ValueError("truncated sector")
        return data

    def _chain(self, start: int) -> Iterator[int]:
        seen: set[int] = set()
        sector = start
        while sector < _FREE_LIMIT:
            if sector in seen or sector >= len(self.fat):
                raise ValueError("broken sector chain")
            seen.add(sector)
            yield sector
            sector = self.fat[sector]

    def _chain_bytes(self, start: int, *, limit: int) -> bytes:
        out = bytearray()
        for sector in self._chain(start):
            out += self._sector(sector)
            if len(out) >= limit:
                break
        return bytes(out[:limit])

    def names(self) -> list[str]:
        return [name for name, _, _, _ in self.entries]

    def read_stream(self, wanted: str, limit: int) -> bytes:
        """The first ``limit`` bytes of the stream named ``wanted`` (case-insensitive)."""
        match = next(
            (e for e in self.entries if e[0].lower() == wanted.lower() and e[1] == 2), None
        )
        if match is None:
            raise ValueError(f"no stream {wanted}")
        _, _, start, size = match
        want = min(size, limit)
        if size >= self.mini_cutoff:
            return self._chain_bytes(start, limit=want)
        # A small stream lives in the mini stream (stored in the root entry's chain).
        root_start, root_size = self.entries[0][2], self.entries[0][3]
        mini_stream = self._chain_bytes(root_start, limit=min(root_size, 64 * 1024 * 1024))
        minifat_raw = self._chain_bytes(self.first_minifat, limit=4 * 1024 * 1024)
        minifat = struct.unpack(f"<{len(minifat_raw) // 4}I", minifat_raw)
        out = bytearray()
        seen: set[int] = set()
        sector = start
        while sector < _FREE_LIMIT and len(out) < want:
            if sector in seen or sector >= len(minifat):
                raise ValueError("broken mini chain")
            seen.add(sector)
            out += mini_stream[sector * self.mini_size : (sector + 1) * self.mini_size]
            sector = minifat[sector]
        return bytes(out[:want])

    def iter_stream(self, wanted: str, start: int = 0, block: int = 1 << 20) -> Iterator[bytes]:
        """The stream named ``wanted`` from byte ``start`` on, in blocks of about ``block`` bytes.

        Memory stays at one block however big the stream: runs of consecutive sectors are read
        at once. Raises ValueError (possibly partway) when the stream or its chain is broken.
        """
        match = next(
            (e for e in self.entries if e[0].lower() == wanted.lower() and e[1] == 2), None
        )
        if match is None:
            raise ValueError(f"no stream {wanted}")
        _, _, first, size = match
        # A version-3 file may carry garbage in the size's high half; no stream outgrows the file.
        size = min(size, self.max_sectors * self.sector_size)
        if start >= size:
            return
        if size < self.mini_cutoff:
            yield self.read_stream(wanted, size)[start:]
            return
        step = self.sector_size
        skip, offset = divmod(start, step)
        left = size - skip * step
        run: list[int] = []
        for n, sector in enumerate(self._chain(first)):
            if n < skip:
                continue
            if run and (sector != run[-1] + 1 or len(run) * step >= block):
                data = self._run(run)
                yield data[offset : min(len(data), left)]
                left -= len(data)
                offset = 0
                run = []
                if left <= 0:
                    return
            run.append(sector)
        if run:
            data = self._run(run)
            yield data[offset : min(len(data), left)]
            left -= len(data)
        if left > 0:
            raise ValueError("stream shorter than its size")

    def _run(self, sectors: list[int]) -> bytes:
        """Consecutive sectors read in one go."""
        if sectors[-1] >= self.max_sectors:
            raise ValueError("sector beyond end of file")
        self.fh.seek((sectors[0] + 1) * self.sector_size)
        want = len(sectors) * self.sector_size
        data = self.fh.read(want)
        if len(data) < want:
            raise ValueError("truncated sector")
        return data


def ole_stream_names(path: Path, *, max_entries: int = 100_000) -> list[str]:
    """List the stream and storage names in an OLE compound file, reading only its directory.

    Raises ValueError when the container is truncated or inconsistent.
    """
    with path.open("rb") as fh:
        return _Cfb(fh, max_entries).names()


def _xls_globals(path: Path) -> tuple[bool, bool]:
    """(1904 date system, encrypted) from a BIFF8 workbook's globals; (False, False) if unsure."""
    try:
        with path.open("rb") as fh:
            cfb = _Cfb(fh)
            try:
                data = cfb.read_stream("Workbook", 256 * 1024)
            except ValueError:
                data = cfb.read_stream("Book", 256 * 1024)
    except (OSError, ValueError, struct.error):
        return False, False
    pos = 0
    date1904 = False
    while pos + 4 <= len(data):
        rtype, length = struct.unpack_from("<HH", data, pos)
        if rtype == 0x002F:  # FILEPASS: the rest of the stream is encrypted
            return date1904, True
        if rtype == 0x0022 and length >= 2:  # DATEMODE
            date1904 = struct.unpack_from("<H", data, pos + 4)[0] == 1
        if rtype == 0x000A and pos > 0:  # EOF of the workbook globals
            break
        pos += 4 + length
    return date1904, False


def xls_date1904(path: Path) -> bool:
    """Whether a BIFF8 .xls uses the 1904 date system (its DATEMODE record; False if unsure)."""
    return _xls_globals(path)[0]
