"""Big .xlsx sheets read in row chunks give exactly the rows and findings of a whole-sheet read."""

from __future__ import annotations

import datetime as dt
import re
import shutil
import threading
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.core.errors import ImportFailed
from app.ingest import readers
from app.ingest import xlsx_chunks as xc
from app.ingest.safety import DAMAGED_MESSAGE
from app.tools.make_samples import write_bench_xlsx
from tests.ingest.reading_helpers import rewrite_zip, write_xlsx

SAMPLES = Path(__file__).resolve().parents[2] / "sample_workbooks"
SHEET = "xl/worksheets/sheet1.xml"


@pytest.fixture
def tiny_chunks(monkeypatch: pytest.MonkeyPatch) -> None:
    """Chunk every sheet, in pieces of a few rows, whatever the shared strings' size."""
    monkeypatch.setattr(xc, "CHUNK_THRESHOLD", 0)
    monkeypatch.setattr(xc, "CHUNK_BYTES", 700)
    monkeypatch.setattr(xc, "SHARED_STRINGS_FACTOR", 0)


def _loader_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name.startswith("clearslate-xlsx-chunk")]


def _read(path: Path, sheet: str | None = None) -> dict[str, Any]:
    with readers.open_table(path, sheet=sheet) as table:
        preview = table.preview(50)
        rows = list(table.rows())
        again = list(table.rows())  # a second pass (the import after the preview) streams again
        return {
            "reader": type(table._reader).__name__,
            "sheet": table.sheet,
            "epoch": table.epoch,
            "preview": preview,
            "rows": rows,
            "again": again,
            "findings": list(table.findings),
        }


def _both(monkeypatch: pytest.MonkeyPatch, path: Path, sheet: str | None = None) -> tuple[Any, Any]:
    """Read ``path`` chunked (tiny chunks, as set by the fixture) and then whole."""
    chunked = _read(path, sheet)
    with monkeypatch.context() as m:
        m.setattr(xc, "CHUNK_THRESHOLD", 1 << 40)
        whole = _read(path, sheet)
    assert whole["reader"] == "_CalamineReader"
    return chunked, whole


def _assert_same(chunked: dict[str, Any], whole: dict[str, Any]) -> None:
    assert chunked["sheet"] == whole["sheet"]
    assert chunked["epoch"] == whole["epoch"]
    assert chunked["preview"] == whole["preview"]
    assert chunked["rows"] == whole["rows"]
    assert chunked["again"] == whole["rows"]
    assert chunked["findings"] == whole["findings"]
    assert not _loader_threads()


def _chunk_count(path: Path, sheet_part: str = SHEET) -> int:
    """How many chunks the reader cuts the sheet into (at the current settings)."""
    from app.ingest.safety import stream_member

    info = zipfile.ZipFile(path).getinfo(sheet_part)
    inspector = xc.SheetInspector(xc.CHUNK_BYTES)
    for _ in inspector.watch(stream_member(path, info, file=path.name)):
        pass
    assert inspector.reason is None, inspector.reason
    plan = xc.SheetPlan(
        part=sheet_part,
        sheet="",
        parts={},
        head=inspector.head,
        close=inspector.close,
        row_tag=inspector.row_tag,
        data_start=inspector.data_start,
        data_end=inspector.data_end,
        chunk_bytes=xc.CHUNK_BYTES,
        tail=b"",
    )
    return sum(1 for _ in xc.iter_chunks(stream_member(path, info, file=path.name), plan))


# --- equivalence -----------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(p.name for p in SAMPLES.glob("*.xlsx")))
def test_every_sample_reads_the_same_in_chunks(
    tiny_chunks: None, monkeypatch: pytest.MonkeyPatch, name: str
) -> None:
    chunked, whole = _both(monkeypatch, SAMPLES / name)
    assert chunked["reader"] == "_ChunkedReader"
    _assert_same(chunked, whole)


def test_every_sheet_of_the_messy_sample_reads_the_same(
    tiny_chunks: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = SAMPLES / "messy_county_export.xlsx"
    for info in readers.list_sheets(path):
        chunked, whole = _both(monkeypatch, path, sheet=info.name)
        _assert_same(chunked, whole)


def _messy(path: Path, *, date1904: bool = False) -> Path:
    """Title rows above the header, leading empty columns, merged cells, blank rows, dates,
    a formula without a stored value; openpyxl writes it (inline strings in this version)."""
    import openpyxl

    wb = openpyxl.Workbook()
    if date1904:
        from openpyxl.utils.datetime import CALENDAR_MAC_1904

        wb.epoch = CALENDAR_MAC_1904
    ws = wb.active
    ws.title = "Export"
    ws["C1"] = "COUNTY OF KERN - CONVICTIONS"
    ws.merge_cells("C1:H1")
    ws["C2"] = "run 2024-03-01"
    ws.append([])
    ws.append([None, None, "Case", "Name", "DOB", "Filed", "Charge", "Amount"])
    for i in range(1, 301):
        if i % 37 == 0:
            ws.append([])  # blank rows inside the data
            continue
        ws.append(
            [
                None,
                None,
                f"BA{i:06d}",
                f"PERSON {i}, ANA" if i % 5 else "NÚÑEZ, JOSÉ",
                dt.datetime(1960, 1, 1) + dt.timedelta(days=i * 17),
                dt.date(2001, 5, 1) + dt.timedelta(days=i),
                "HS 11357(B)" if i % 3 else "HS 11359",
                i * 1.25 if i % 2 else i,
            ]
        )
    ws.merge_cells("C150:D150")
    ws["J200"] = "=SUM(H5:H9)"  # openpyxl stores no value for a formula
    ws.cell(row=260, column=9, value=dt.time(13, 45))
    wb.save(path)
    return path


@pytest.mark.parametrize("date1904", [False, True])
def test_messy_sheet_reads_the_same(
    tiny_chunks: None, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, date1904: bool
) -> None:
    path = _messy(tmp_path / "messy.xlsx", date1904=date1904)
    assert _chunk_count(path) > 20
    chunked, whole = _both(monkeypatch, path)
    assert chunked["reader"] == "_ChunkedReader"
    _assert_same(chunked, whole)
    codes = {f.code for f in chunked["findings"]}
    assert {"cell.merged", "cell.formula_no_value"} <= codes
    assert chunked["rows"][0] == (1, [None, None, "COUNTY OF KERN - CONVICTIONS"])
    assert chunked["epoch"] == (1904 if date1904 else 1900)


def test_shared_strings_and_types_read_the_same(
    tiny_chunks: None, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    # xlsxwriter writes a sharedStrings part (every chunk's workbook carries it).
    rows: list[list[Any]] = [["ID", "Name", "When", "Flag", "Fine"]]
    for i in range(400):
        rows.append(
            [f"{i:05d}", f"NAME {i % 23}", dt.date(1990, 1, 1) + dt.timedelta(days=i), i % 2 == 0]
            + ([float(i) / 3] if i % 4 else [])
        )
    path = write_xlsx(tmp_path / "sst.xlsx", {"Data": rows})
    assert "xl/sharedStrings.xml" in zipfile.ZipFile(path).namelist()
    chunked, whole = _both(monkeypatch, path)
    assert chunked["reader"] == "_ChunkedReader"
    _assert_same(chunked, whole)
    assert chunked["rows"][1] == (2, ["00000", "NAME 0", dt.date(1990, 1, 1), True])


def test_long_cells_and_error_cells_read_the_same(
    tiny_chunks: None, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    rows: list[list[Any]] = [["ID", "Comment"]] + [[i, f"c{i}"] for i in range(1, 120)]
    src = write_xlsx(tmp_path / "src.xlsx", {"Data": rows})
    long_text = "x" * 40_000

    def inject(xml: bytes) -> bytes:
        # Long inline strings in many rows (more than the 50 findings listed), and an error cell.
        for r in range(2, 120, 2):
            xml = re.sub(
                rb'<c r="B%d"[^>]*>.*?</c>' % r,
                b'<c r="B%d" t="inlineStr"><is><t>%s</t></is></c>' % (r, long_text.encode()),
                xml,
            )
        return xml.replace(b'<c r="A77"><v>76</v></c>', b'<c r="A77" t="e"><v>#DIV/0!</v></c>')

    path = rewrite_zip(src, tmp_path / "long.xlsx", {SHEET: inject})
    monkeypatch.setattr(xc, "CHUNK_BYTES", 100_000)
    assert _chunk_count(path) > 10
    chunked, whole = _both(monkeypatch, path)
    assert chunked["reader"] == "_ChunkedReader"
    _assert_same(chunked, whole)
    codes = [f.code for f in chunked["findings"]]
    # The preview's 50 rows hold 25 long cells; each full pass lists 50 and then sums up.
    assert codes.count("cell.too_long") == 25 + 51 + 51
    assert "cell.error_value" in codes
    assert all(
        len(c) <= readers.EXCEL_CELL_LIMIT
        for _, cells in chunked["rows"]
        for c in cells
        if isinstance(c, str)
    )


def test_namespace_prefixed_sheet_reads_the_same(
    tiny_chunks: None, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    rows: list[list[Any]] = [["ID", "Name"]] + [[i, f"name {i}"] for i in range(1, 200)]
    src = write_xlsx(tmp_path / "src.xlsx", {"Data": rows})

    def prefix(xml: bytes) -> bytes:
        xml = re.sub(rb"<(/?)(?!\?)([A-Za-z]\w*)([\s>/])", rb"<\1x:\2\3", xml)
        return xml.replace(b'xmlns="', b'xmlns:x="', 1)

    path = rewrite_zip(src, tmp_path / "prefixed.xlsx", {SHEET: prefix})
    assert b"<x:sheetData>" in zipfile.ZipFile(path).read(SHEET)
    assert _chunk_count(path) > 5
    chunked, whole = _both(monkeypatch, path)
    assert chunked["reader"] == "_ChunkedReader"
    _assert_same(chunked, whole)
    assert len(chunked["rows"]) == 200


@pytest.mark.parametrize(("shared_strings", "chunks"), [(False, 10), (True, 5)])
def test_bench_sheet_reads_the_same(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, shared_strings: bool, chunks: int
) -> None:
    # Both ways the benchmark writes its workbook: inline texts, and Excel's shared strings
    # (every chunk's workbook carries the strings table, so its chunks are larger).
    path = write_bench_xlsx(tmp_path / "bench.xlsx", 3000, shared_strings=shared_strings)
    assert ("xl/sharedStrings.xml" in zipfile.ZipFile(path).namelist()) is shared_strings
    monkeypatch.setattr(xc, "CHUNK_THRESHOLD", 0)
    monkeypatch.setattr(xc, "CHUNK_BYTES", 200_000)
    assert _chunk_count(path) >= chunks
    chunked, whole = _both(monkeypatch, path)
    assert chunked["reader"] == "_ChunkedReader"
    _assert_same(chunked, whole)
    assert len(chunked["rows"]) == 3001


def test_sheet_choice_skips_empty_and_hidden_sheets(
    tiny_chunks: None, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    import openpyxl

    wb = openpyxl.Workbook()
    blank = wb.active
    blank.title = "Blank"
    for r in range(1, 200):
        blank.cell(row=r, column=1, value="")  # cells that hold only empty strings
    hidden = wb.create_sheet("Old")
    hidden["A1"] = "stale"
    hidden.sheet_state = "hidden"
    data = wb.create_sheet("Data")
    for r in range(1, 150):
        data.append([r, f"row {r}"])
    path = tmp_path / "choice.xlsx"
    wb.save(path)
    chunked, whole = _both(monkeypatch, path)
    assert chunked["sheet"] == "Data"
    _assert_same(chunked, whole)


# --- when the chunked path steps aside -------------------------------------------------------


def test_rows_without_r_fall_back_to_the_whole_sheet(
    tiny_chunks: None, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    src = _messy(tmp_path / "src.xlsx")
    path = rewrite_zip(
        src, tmp_path / "no_r.xlsx", {SHEET: lambda x: re.sub(rb'<row r="\d+"', b"<row", x)}
    )
    chunked, whole = _both(monkeypatch, path)
    assert chunked["reader"] == "_CalamineReader"
    _assert_same(chunked, whole)
    assert chunked["rows"][0][0] == 1


def test_rows_out_of_order_fall_back(
    tiny_chunks: None, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    src = _messy(tmp_path / "src.xlsx")

    def swap(xml: bytes) -> bytes:
        first = re.search(rb'<row r="10".*?</row>', xml)
        last = re.search(rb'<row r="290".*?</row>', xml)
        assert first and last
        a, b = first.group(0), last.group(0)
        return xml.replace(a, b"\x00").replace(b, a).replace(b"\x00", b)

    path = rewrite_zip(src, tmp_path / "swapped.xlsx", {SHEET: swap})
    chunked, whole = _both(monkeypatch, path)
    assert chunked["reader"] == "_CalamineReader"
    _assert_same(chunked, whole)


def test_comments_in_the_rows_fall_back(
    tiny_chunks: None, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    src = _messy(tmp_path / "src.xlsx")
    path = rewrite_zip(
        src,
        tmp_path / "comment.xlsx",
        {SHEET: lambda x: x.replace(b'<row r="40"', b'<!-- <row r="4"> --><row r="40"', 1)},
    )
    chunked, whole = _both(monkeypatch, path)
    assert chunked["reader"] == "_CalamineReader"
    _assert_same(chunked, whole)


def test_small_sheets_are_read_whole(tmp_path: Path) -> None:
    path = _messy(tmp_path / "small.xlsx")
    with readers.open_table(path) as table:
        assert type(table._reader).__name__ == "_CalamineReader"


def test_stray_far_cell_is_refused_as_before(
    tiny_chunks: None, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    src = _messy(tmp_path / "src.xlsx")
    stray = b'<row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>x</t></is></c></row>'
    path = rewrite_zip(
        src,
        tmp_path / "stray.xlsx",
        {SHEET: lambda x: x.replace(b"</sheetData>", stray + b"</sheetData>")},
    )
    with pytest.raises(ImportFailed) as chunked:
        readers.open_table(path)
    monkeypatch.setattr(xc, "CHUNK_THRESHOLD", 1 << 40)
    with pytest.raises(ImportFailed) as whole:
        readers.open_table(path)
    assert chunked.value.message == whole.value.message
    assert "refused" in chunked.value.message
    assert not _loader_threads()


# --- threads: early stop, close, errors ------------------------------------------------------


def test_early_stop_ends_the_loader_thread(
    tiny_chunks: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(readers, "PREFETCH_AFTER_ROWS", 0)  # start the loader at once
    path = _messy(tmp_path / "messy.xlsx")
    with readers.open_table(path) as table:
        rows = table.rows()
        taken = [next(rows) for _ in range(3)]
        assert [n for n, _ in taken] == [1, 2, 4]
        assert _loader_threads()  # loading ahead while the consumer works
        rows.close()
        assert not _loader_threads()
        # The table reads again after an early stop, from the start.
        assert [n for n, _ in table.preview(3)] == [1, 2, 4]
    assert not _loader_threads()


def test_table_close_stops_a_suspended_reading(
    tiny_chunks: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(readers, "PREFETCH_AFTER_ROWS", 0)
    path = _messy(tmp_path / "messy.xlsx")
    table = readers.open_table(path)
    rows = table.rows()
    for _ in range(40):
        next(rows)
    table.close()
    assert not _loader_threads()
    # The consumer that resumes is told the table is closed, never a silent end of the rows.
    with pytest.raises(ImportFailed, match="closed"):
        list(rows)


def test_preview_starts_no_thread(
    tiny_chunks: None, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(xc, "CHUNK_BYTES", 20_000)  # chunk 0 holds the preview's rows
    path = _messy(tmp_path / "messy.xlsx")
    assert _chunk_count(path) > 2
    seen: list[str] = []
    original = xc.Prefetcher.__init__

    def spy(self: xc.Prefetcher, *args: Any, **kwargs: Any) -> None:
        seen.append("started")
        original(self, *args, **kwargs)

    monkeypatch.setattr(xc.Prefetcher, "__init__", spy)
    with readers.open_table(path) as table:
        assert type(table._reader).__name__ == "_ChunkedReader"
        assert len(table.preview(50)) == 50
        assert seen == []
        assert len(list(table.rows())) > 250
        assert seen == ["started"]


def _with_bad_crc(src: Path, dst: Path, member: str) -> Path:
    """A copy whose central directory records a wrong CRC for ``member`` (a damaged copy)."""
    raw = bytearray(src.read_bytes())
    name = member.encode()
    at = raw.find(b"PK\x01\x02")
    while at >= 0:
        name_len = int.from_bytes(raw[at + 28 : at + 30], "little")
        if raw[at + 46 : at + 46 + name_len] == name:
            raw[at + 16 : at + 20] = (
                int.from_bytes(raw[at + 16 : at + 20], "little") ^ 1
            ).to_bytes(4, "little")
            dst.write_bytes(bytes(raw))
            return dst
        at = raw.find(b"PK\x01\x02", at + 4)
    raise AssertionError(f"{member} not in the central directory")


def test_damaged_sheet_part_gives_the_usual_message(
    tiny_chunks: None, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    path = _with_bad_crc(_messy(tmp_path / "src.xlsx"), tmp_path / "damaged.xlsx", SHEET)
    with pytest.raises(ImportFailed) as chunked:
        readers.open_table(path)
    monkeypatch.setattr(xc, "CHUNK_THRESHOLD", 1 << 40)
    with pytest.raises(ImportFailed) as whole:
        readers.open_table(path)
    assert chunked.value.message == whole.value.message
    assert chunked.value.message.startswith(DAMAGED_MESSAGE)
    assert not _loader_threads()


def test_bad_xml_in_a_later_chunk_reaches_the_consumer(
    tiny_chunks: None, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    src = _messy(tmp_path / "src.xlsx")
    path = rewrite_zip(
        src,
        tmp_path / "bad_number.xlsx",
        {SHEET: lambda x: re.sub(rb'(<c r="H250"[^>]*><v>)[^<]*', rb"\1abc", x, count=1)},
    )
    with readers.open_table(path) as table:
        assert type(table._reader).__name__ == "_ChunkedReader"
        rows: list[int] = []
        with pytest.raises(ImportFailed) as failed:
            for number, _ in table.rows():
                rows.append(number)
    assert failed.value.message.startswith(DAMAGED_MESSAGE)
    assert failed.value.sheet == "Export"
    assert 100 < rows[-1] < 250  # the rows before the damage came through, in order
    assert not _loader_threads()
    # The whole-sheet path refuses the same file with the same words, at open.
    monkeypatch.setattr(xc, "CHUNK_THRESHOLD", 1 << 40)
    with pytest.raises(ImportFailed) as whole:
        readers.open_table(path)
    assert whole.value.message == failed.value.message


def test_file_cut_short_after_open_reaches_the_consumer(tiny_chunks: None, tmp_path: Path) -> None:
    path = _messy(tmp_path / "messy.xlsx")
    good = path.read_bytes()
    with readers.open_table(path) as table:
        assert len(table.preview(5)) == 5
        path.write_bytes(good[: len(good) // 2])  # the copy was cut short under our feet
        with pytest.raises(ImportFailed) as failed:
            list(table.rows())
    assert failed.value.message.startswith(DAMAGED_MESSAGE)
    assert not _loader_threads()


def test_cells_outside_their_rows_are_never_yielded_wrong(
    tiny_chunks: None, tmp_path: Path
) -> None:
    # A cell whose reference names a row of an earlier chunk: whole-sheet calamine would merge
    # it into that row; chunks cannot, so the reading stops with a message (never wrong rows).
    src = _messy(tmp_path / "src.xlsx")
    path = rewrite_zip(
        src,
        tmp_path / "misplaced.xlsx",
        {SHEET: lambda x: x.replace(b'<c r="C280"', b'<c r="C6"', 1)},
    )
    with readers.open_table(path) as table, pytest.raises(ImportFailed, match="do not match"):
        list(table.rows())
    assert not _loader_threads()


# --- the cutter ------------------------------------------------------------------------------


@settings(max_examples=60, deadline=None)
@given(
    sizes=st.lists(st.integers(min_value=1, max_value=400), min_size=1, max_size=40),
    chunk=st.integers(min_value=1, max_value=300),
)
def test_cuts_do_not_depend_on_how_the_bytes_arrive(sizes: list[int], chunk: int) -> None:
    data = b"".join(
        b'<row r="%d"><c r="A%d"><v>%d</v></c></row>' % (i, i, i * 7) for i in range(1, 60)
    )

    def pieces() -> Iterator[bytes]:
        at, n = 0, 0
        while at < len(data):
            size = sizes[n % len(sizes)]
            yield data[at : at + size]
            at, n = at + size, n + 1

    def cut(parts: Iterator[bytes]) -> list[bytes]:
        cutter = xc.Cutter(b"<row", chunk)
        out = [c for p in parts for c in cutter.feed(p)]
        last = cutter.finish()
        return out + ([last] if last is not None else [])

    expected = cut(iter([data]))
    got = cut(pieces())
    assert got == expected
    assert b"".join(got) == data
    assert all(c.startswith(b"<row") for c in got)
    assert all(len(c) >= chunk for c in got[:-1])


def test_a_sample_copy_is_cut_into_many_chunks(tiny_chunks: None, tmp_path: Path) -> None:
    path = shutil.copy(SAMPLES / "ca_doj_extract.xlsx", tmp_path / "copy.xlsx")
    assert _chunk_count(Path(path)) > 10
