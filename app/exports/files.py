"""Safe file names and durable writes for export packets."""

from __future__ import annotations

import hashlib
import os
import re
import unicodedata
import uuid
from pathlib import Path

# Names Windows reserves for devices, with or without an extension (CON.txt is CON too).
_RESERVED = {
    "CON",
    "PRN",
    "AUX",
    "NUL",
    *(f"COM{i}" for i in range(1, 10)),
    *(f"LPT{i}" for i in range(1, 10)),
}
_UNSAFE = re.compile(r'[\x00-\x1f\x7f<>:"/\\|?*]')
MAX_NAME = 120


def safe_filename(name: str, *, fallback: str = "file") -> str:
    """A file name that is the same harmless name on Windows, macOS and Linux.

    No path separators or ``..`` (so it cannot climb out of the packet), no control
    characters, no reserved device names (``CON``, ``NUL``, ``COM1``…), no trailing dots
    or spaces (Windows drops them), at most 120 characters with the extension kept.
    """
    text = unicodedata.normalize("NFC", name)
    text = _UNSAFE.sub("_", text)
    text = text.replace("..", "_")
    text = text.strip().strip(".").strip()
    if not text:
        text = fallback
    stem, dot, ext = text.rpartition(".")
    if not dot:
        stem, ext = text, ""
    if (
        stem.split(".")[0].strip().upper() in _RESERVED
        or text.split(".")[0].strip().upper() in _RESERVED
    ):
        text = "_" + text
        stem = "_" + stem
    if len(text) > MAX_NAME:
        keep = MAX_NAME - (len(ext) + 1 if ext else 0)
        text = stem[:keep].rstrip(". ") + (f".{ext}" if ext else "")
    return text


def sha256_file(path: Path, *, chunk: int = 1 << 20) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while block := fh.read(chunk):
            digest.update(block)
    return digest.hexdigest()


def fsync_file(path: Path) -> None:
    """Flush a finished file to disk (promise 3: written, flushed, then hashed)."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def fsync_dir(path: Path) -> None:
    """Flush a folder's entries (a rename is durable only once its folder is synced)."""
    if os.name == "nt":  # Windows cannot open a folder for fsync; NTFS journals renames
        return
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` all or nothing: a temp file beside it, flushed, then renamed.

    Any failure (disk full, no permission, the folder gone) raises the OSError after the temp
    file is removed, so nothing is ever left half written under ``path``.
    """
    tmp = path.with_name(f".{path.name}.tmp-{uuid.uuid4().hex[:8]}")
    try:
        with tmp.open("wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
