"""PDF pages are drawn in memory and written with Python file I/O: a failed write raises.

QPdfWriter writing to a file hides I/O errors (on a disk with 40 KB free it returned its page
count and left a truncated 40,960-byte file). These tests make the write fail for real: a
path whose parent is a file, and a file-size limit (RLIMIT_FSIZE) in a child process, which
fails writes exactly as a full disk does.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from app.core.errors import ExportError
from app.exports.pdf import PdfPages, TablePainter, draw_heading, write_table_pages

REPO = Path(__file__).resolve().parents[2]


def _write(path: Path, rows: int) -> int:
    pages = PdfPages(path, title="Test", footer_left="left", footer_right="right")
    try:
        table = TablePainter(pages, ["Case", "Name", "Date"], [2, 5, 2])
        data = [[f"CASE-{i:06d}", f"Person number {i}, Name", "2001-02-03"] for i in range(rows)]
        layout = table.layout(data, 2000, 2200)
        pages.total = len(layout.page_ranges)
        write_table_pages(
            pages,
            table,
            data,
            layout,
            first_heading=lambda top: draw_heading(pages, top, "Cases"),
            next_heading=lambda top: draw_heading(pages, top, "Cases (continued)"),
        )
        return pages.finish()
    except BaseException:
        pages.abort()
        raise


def test_a_pdf_is_written_whole(tmp_path: Path) -> None:
    from pypdf import PdfReader

    path = tmp_path / "cases.pdf"
    pages = _write(path, 300)
    assert pages > 1
    assert path.read_bytes().startswith(b"%PDF-")
    assert len(PdfReader(str(path)).pages) == pages
    assert [p.name for p in tmp_path.iterdir()] == ["cases.pdf"]  # no temp file left


def test_a_failed_write_raises_naming_the_file(tmp_path: Path) -> None:
    (tmp_path / "not-a-folder").write_text("x")
    path = tmp_path / "not-a-folder" / "cases.pdf"
    with pytest.raises(ExportError, match="could not be written") as caught:
        _write(path, 20)
    assert caught.value.file == str(path)


def test_an_existing_file_is_kept_when_the_write_fails(tmp_path: Path) -> None:
    # A folder in the way of the final rename: the write fails at the last step.
    path = tmp_path / "cases.pdf"
    path.mkdir()
    (path / "keep.txt").write_text("mine")
    with pytest.raises(ExportError, match="could not be written"):
        _write(path, 20)
    assert (path / "keep.txt").read_text() == "mine"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cases.pdf"]


_FULL_DISK_CHILD = r"""
import resource, signal, sys
from pathlib import Path
sys.path.insert(0, sys.argv[2])
from tests.exports.test_pdf_write_errors import _write
from app.core.errors import ExportError
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit fails with EFBIG instead
resource.setrlimit(resource.RLIMIT_FSIZE, (40_000, 40_000))
try:
    pages = _write(Path(sys.argv[1]), 1500)
except ExportError as exc:
    print("ERROR", exc.file, exc)
else:
    print("WROTE", pages)
"""


@pytest.mark.skipif(not hasattr(os, "fork"), reason="RLIMIT_FSIZE is POSIX only")
def test_a_full_disk_raises_and_leaves_no_truncated_pdf(tmp_path: Path) -> None:
    path = tmp_path / "cases.pdf"
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    result = subprocess.run(
        [sys.executable, "-c", _FULL_DISK_CHILD, str(path), str(REPO)],
        capture_output=True,
        text=True,
        env=env,
        cwd=REPO,
        timeout=120,
    )
    assert result.stdout.startswith("ERROR"), result.stdout + result.stderr
    assert str(path) in result.stdout and "could not be written" in result.stdout
    assert not path.exists()
    assert list(tmp_path.iterdir()) == []  # nor a truncated temp file


def test_the_same_pdf_is_larger_than_the_limit(tmp_path: Path) -> None:
    # Guards the test above: its PDF really is bigger than the 40,000-byte limit.
    path = tmp_path / "cases.pdf"
    _write(path, 1500)
    assert path.stat().st_size > 80_000
