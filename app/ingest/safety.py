"""Refuse hostile zip-based workbooks (zip bombs, XML entity bombs) before any parser sees them."""

from __future__ import annotations

import re
import struct
import zipfile
import zlib
from collections.abc import Iterable, Iterator
from pathlib import Path

from app.core.errors import ImportFailed

# Limits. A real 1,048,576-row x 16-column sheet is about 1 GB of XML, so a single member may be
# that large; a workbook with more than a few thousand parts is not a county extract.
MAX_MEMBERS = 5_000
MAX_MEMBER_BYTES = 2 * 1024**3
MAX_TOTAL_BYTES = 4 * 1024**3
# Real sheet XML compresses 5-60x; deflate cannot exceed ~1032x. Above this ratio a member is
# refused once it is large enough to hurt.
MAX_RATIO = 200
RATIO_FLOOR_BYTES = 8 * 1024**2
# The XML prolog (declaration, comments, DOCTYPE) must end within this many bytes.
PROLOG_LIMIT = 64 * 1024

DAMAGED_MESSAGE = (
    "damaged or incomplete: the file is not a complete workbook "
    "(was the copy or download cut short?); open it in Excel and save it again"
)
REFUSED = "refused: the file looks built to exhaust memory ({why}); it was not opened"

_EOCD_SIG = b"PK\x05\x06"
_ZIP64_LOCATOR_SIG = b"PK\x06\x07"


def zip_entry_count(path: Path) -> int:
    """Read the entry count from the end-of-central-directory record without parsing the directory.

    Raises ImportFailed (damaged) when there is no such record: the zip is truncated.
    """
    with path.open("rb") as fh:
        fh.seek(0, 2)
        size = fh.tell()
        tail_len = min(size, 22 + 65_535)
        fh.seek(size - tail_len)
        tail = fh.read(tail_len)
        pos = tail.rfind(_EOCD_SIG)
        if pos < 0 or pos + 22 > len(tail):
            raise ImportFailed(DAMAGED_MESSAGE, file=path.name)
        total = struct.unpack_from("<H", tail, pos + 10)[0]
        loc = pos - 20
        if total == 0xFFFF and loc >= 0 and tail[loc : loc + 4] == _ZIP64_LOCATOR_SIG:
            # Zip64: the real count lives in the zip64 end record.
            eocd64_off = struct.unpack_from("<Q", tail, loc + 8)[0]
            if eocd64_off + 56 > size:
                raise ImportFailed(DAMAGED_MESSAGE, file=path.name)
            fh.seek(eocd64_off)
            rec = fh.read(56)
            if not rec.startswith(b"PK\x06\x06"):
                raise ImportFailed(DAMAGED_MESSAGE, file=path.name)
            total = struct.unpack_from("<Q", rec, 32)[0]
        return total


def check_zip(path: Path) -> None:
    """Refuse a zip whose directory promises too much, before anything decompresses it.

    Checks the member count (from the end record, before the directory is read), each member's
    declared size and compression ratio, the total, and members that overlap one another (the
    "overlapping files" bomb). Then checks the prolog of every XML member for DOCTYPE/ENTITY.
    """
    name = path.name
    count = zip_entry_count(path)
    if count > MAX_MEMBERS:
        raise ImportFailed(REFUSED.format(why=f"{count:,} parts inside"), file=name)
    try:
        zf = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, ValueError, OSError):
        raise ImportFailed(DAMAGED_MESSAGE, file=name) from None
    with zf:
        infos = zf.infolist()
        if len(infos) > MAX_MEMBERS:
            raise ImportFailed(REFUSED.format(why=f"{len(infos):,} parts inside"), file=name)
        file_size = path.stat().st_size
        total = 0
        for info in infos:
            if info.file_size > MAX_MEMBER_BYTES:
                raise ImportFailed(
                    REFUSED.format(why=f"{info.filename} unpacks to {info.file_size:,} bytes"),
                    file=name,
                )
            total += info.file_size
            if info.compress_size > file_size:
                raise ImportFailed(DAMAGED_MESSAGE, file=name)
            ratio = info.file_size / max(info.compress_size, 1)
            if info.file_size > RATIO_FLOOR_BYTES and ratio > MAX_RATIO:
                raise ImportFailed(
                    REFUSED.format(why=f"{info.filename} is compressed {ratio:,.0f} to 1"),
                    file=name,
                )
        if total > MAX_TOTAL_BYTES:
            raise ImportFailed(REFUSED.format(why=f"unpacks to {total:,} bytes"), file=name)
        _check_overlaps(infos, name)
        for info in infos:
            if _is_xml(info.filename):
                check_xml_prolog(path, info, file=name)


def _is_xml(member: str) -> bool:
    return member.lower().endswith((".xml", ".rels", ".vml"))


def _check_overlaps(infos: list[zipfile.ZipInfo], file: str) -> None:
    ordered = sorted(infos, key=lambda i: i.header_offset)
    for prev, cur in zip(ordered, ordered[1:]):
        # A local header is at least 30 bytes plus the name; data follows it.
        if cur.header_offset < prev.header_offset + 30 + prev.compress_size:
            raise ImportFailed(REFUSED.format(why="parts that overlap one another"), file=file)


_DOCTYPE = re.compile(rb"<!\s*(DOCTYPE|ENTITY)", re.IGNORECASE)


def check_xml_prolog(path: Path, info: zipfile.ZipInfo, *, file: str) -> None:
    """Refuse an XML member that declares a DOCTYPE or entities (billion laughs, external entities).

    A DOCTYPE may only appear before the root element, so only the prolog is read: the cost does
    not depend on the member's size.
    """
    chunks = stream_member(path, info, file=file, chunk=PROLOG_LIMIT)
    try:
        head = next(chunks, b"")
    finally:
        chunks.close()
    text = _ascii_view(head)
    end = _prolog_end(text)
    prolog = text if end is None or end < 0 else text[:end]
    if end == -1 or _DOCTYPE.search(prolog):
        raise ImportFailed(
            REFUSED.format(why=f"{info.filename} declares XML entities or a DOCTYPE"), file=file
        )
    if end is None and len(head) >= PROLOG_LIMIT:
        raise ImportFailed(
            REFUSED.format(why=f"{info.filename} has no XML content in its first 64 KB"), file=file
        )


def _ascii_view(head: bytes) -> bytes:
    """Bytes in which markup characters are single bytes, whatever the XML's encoding."""
    if head.startswith((b"\xff\xfe", b"\xfe\xff")) or head[:2] in (b"<\x00", b"\x00<"):
        encoding = "utf-16-be" if head[:2] in (b"\xfe\xff", b"\x00<") else "utf-16-le"
        return head[: len(head) // 2 * 2].decode(encoding, "replace").encode("utf-8", "replace")
    return head


def _prolog_end(text: bytes) -> int | None:
    """Index where the root element starts, -1 at a DOCTYPE, or None if neither is in ``text``."""
    i = 0
    n = len(text)
    while i < n:
        j = text.find(b"<", i)
        if j < 0 or j + 1 >= n:
            return None
        nxt = text[j + 1 : j + 2]
        if nxt == b"?":  # declaration or processing instruction
            k = text.find(b"?>", j + 2)
            if k < 0:
                return None
            i = k + 2
        elif text.startswith(b"<!--", j):
            k = text.find(b"-->", j + 4)
            if k < 0:
                return None
            i = k + 3
        elif nxt == b"!":  # only a DOCTYPE can start with "<!" here: report where it is
            return -1
        else:
            return j
    return None


def stream_member(
    path: Path, info: zipfile.ZipInfo, *, file: str, chunk: int = 1 << 20
) -> Iterator[bytes]:
    """Yield a member's bytes in chunks, unpacking it here under a hard size limit.

    The raw deflate stream is inflated with zlib in bounded steps, so a member that unpacks
    beyond the size the zip directory declared is refused the moment it passes that size
    (Python's zipfile would quietly cut it short; other readers might not). The CRC is checked
    at the end, so a damaged member is reported as such.
    """
    if info.flag_bits & 0x1:
        raise ImportFailed("password-protected: remove the password and save again", file=file)
    if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
        raise ImportFailed(
            f"{DAMAGED_MESSAGE} ({info.filename} uses a compression Excel does not write)",
            file=file,
        )
    limit = info.file_size
    damaged = ImportFailed(DAMAGED_MESSAGE + f" ({info.filename} cannot be unpacked)", file=file)
    try:
        fh = path.open("rb")
    except OSError as exc:
        raise ImportFailed(f"cannot be read: {exc.strerror or exc}", file=file) from None
    with fh:
        fh.seek(info.header_offset)
        local = fh.read(30)
        if len(local) < 30 or not local.startswith(b"PK\x03\x04"):
            raise damaged
        name_len, extra_len = struct.unpack_from("<HH", local, 26)
        fh.seek(info.header_offset + 30 + name_len + extra_len)
        remaining = info.compress_size
        inflater = zlib.decompressobj(-15) if info.compress_type == zipfile.ZIP_DEFLATED else None
        crc = 0
        seen = 0

        def emit(data: bytes) -> bytes:
            nonlocal crc, seen
            seen += len(data)
            if seen > limit:
                raise ImportFailed(
                    REFUSED.format(why=f"{info.filename} unpacks beyond its declared size"),
                    file=file,
                )
            crc = zlib.crc32(data, crc)
            return data

        try:
            while remaining > 0:
                raw = fh.read(min(chunk, remaining))
                if not raw:
                    raise damaged
                remaining -= len(raw)
                if inflater is None:
                    yield emit(raw)
                    continue
                # Bounded steps: one compressed chunk may inflate a thousandfold.
                data = inflater.decompress(raw, chunk)
                while True:
                    if data:
                        yield emit(data)
                    if not inflater.unconsumed_tail:
                        break
                    data = inflater.decompress(inflater.unconsumed_tail, chunk)
            if inflater is not None:
                tail = inflater.flush()
                if tail:
                    yield emit(tail)
                if not inflater.eof:
                    raise damaged
        except zlib.error:
            raise damaged from None
        if seen != limit or crc != info.CRC:
            raise damaged


def drain(chunks: Iterable[bytes]) -> int:
    """Consume a chunk stream (verifying it) and return its length."""
    return sum(len(c) for c in chunks)
