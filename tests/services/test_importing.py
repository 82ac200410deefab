"""The import service end to end on real files and real workspace files: all or nothing."""

from __future__ import annotations

import csv
import datetime as dt
import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from app.core.errors import Cancelled, ImportFailed
from app.services import importing
from app.services.decisions import write_decisions
from app.store.audit import verify_chain
from app.store.imports import workspace_totals
from app.store.workspace import Workspace

HEADERS = [
    "Case No",
    "Count",
    "Defendant Name",
    "DOB",
    "SID",
    "Charge",
    "Disposition",
    "Disp Date",
    "Level",
    "County",
]
TODAY = dt.date(2026, 1, 1)



def write_csv(
    path: Path, rows: list[list[object]], headers: list[str] = HEADERS, encoding: str = "utf-8"
) -> Path:
    with path.open("w", newline="", encoding=encoding) as fh:
        writer = csv.writer(fh)
        writer.writerow(headers)
        writer.writerows(rows)
    return path


def row(
    case: str = "BA001",
    count: int = 1,
    name: str = "NÚÑEZ, JOSÉ",
    dob: str = "01/02/1980",
    sid: str = "007",
    charge: str = "11357(B) HS",
    disp: str = "CONVICTED",
    disp_date: str = "03/04/1999",
    level: str = "M",
) -> list[object]:
    return [case, count, name, dob, sid, charge, disp, disp_date, level, "LOS ANGELES"]


def many_rows(n: int) -> list[list[object]]:
    return [row(case=f"C{i:06d}", sid=f"{i:07d}", name=f"PERSON{i}, TEST") for i in range(n)]


def snapshot(ws: Workspace) -> dict[str, object]:
    tables = (
        "sources",
        "source_rows",
        "import_findings",
        "people",
        "cases",
        "counts",
        "events",
        "person_matches",
    )
    return {t: ws.conn.execute(f"SELECT * FROM {t} ORDER BY 1").fetchall() for t in tables}


def audit_rows(ws: Workspace) -> list[tuple[str, str, str]]:
    return ws.conn.execute(
        "SELECT action, object, outcome FROM audit WHERE action = 'import' ORDER BY seq"
    ).fetchall()


def test_csv_import_counts_cases_people(ws: Workspace, tmp_path: Path) -> None:
    path = write_csv(
        tmp_path / "a.csv",
        [
            row(),
            row(count=2, charge="11359 HS", level="F"),
            row(case="BA002", sid="008", name="O'BRIEN, MARY"),
        ],
    )
    report = importing.import_file(ws, path, user="clerk", today=TODAY)
    assert report.status == "imported", report.message
    assert (report.counts, report.cases, report.people) == (3, 2, 2)
    assert workspace_totals(ws)["counts"] == 3
    assert report.backup is not None and report.backup.exists()
    assert audit_rows(ws) == [("import", "a.csv", "ok")]
    assert verify_chain(ws.conn).ok
    # Indexes dropped for the first load are back.
    names = {r[0] for r in ws.conn.execute("SELECT name FROM sqlite_master WHERE type = 'index'")}
    assert {"people_key", "counts_case", "cases_person", "source_rows_source"} <= names


def test_an_unreadable_offense_finding_says_why(ws: Workspace, tmp_path: Path) -> None:
    # The parser's note reaches the person reading the report, not only "cannot read".
    path = write_csv(
        tmp_path / "a.csv",
        [row(), row(case="BA002", charge="11357 OR 11360")],
    )
    report = importing.import_file(ws, path, user="clerk", today=TODAY)
    (finding,) = [f for f in report.findings if f.code == "offense.unknown"]
    assert finding.row == 3 and "'11357 OR 11360' is not one ClearSlate can read (" in finding.message
    assert finding.message.endswith("; kept as is, the count will need review")


def test_same_file_twice_changes_nothing_and_says_so(ws: Workspace, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "a.csv", [row(), row(count=2)])
    importing.import_file(ws, path, user="clerk", today=TODAY)
    before = snapshot(ws)
    backups = len(ws.list_backups())
    again = importing.import_file(ws, path, user="clerk", today=TODAY)
    assert again.status == "unchanged"
    assert "already imported" in again.message and "nothing changed" in again.message
    assert snapshot(ws) == before
    assert len(ws.list_backups()) == backups
    assert audit_rows(ws)[-1] == ("import", "a.csv", "unchanged")


def test_overlapping_rows_from_another_source_are_the_same_count(
    ws: Workspace, tmp_path: Path
) -> None:
    first = write_csv(tmp_path / "jan.csv", [row(), row(count=2, charge="11359 HS")])
    second = write_csv(
        tmp_path / "feb.csv", [row(count=2, charge="11359 HS"), row(case="BA777", count=1)]
    )
    importing.import_file(ws, first, user="clerk", today=TODAY)
    report = importing.import_file(ws, second, user="clerk", today=TODAY)
    assert report.status == "imported"
    assert report.counts == 1 and report.overlapping == 1
    assert report.people == 0  # the person key links the new case to the same person
    overlap = [f for f in report.findings if f.code == "row.overlap"]
    assert len(overlap) == 1 and overlap[0].row == 2 and "jan.csv row 3" in overlap[0].message
    assert workspace_totals(ws)["counts"] == 3
    assert ws.conn.execute("SELECT COUNT(DISTINCT person_id) FROM counts").fetchone()[0] == 1


def test_exact_duplicates_within_a_file_count_once(ws: Workspace, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "a.csv", [row(), row(), row(count=2)])
    report = importing.import_file(ws, path, user="clerk", today=TODAY)
    assert report.counts == 2 and report.duplicates == 1
    # The sheet has no offense-date column: a warning on the header row (audit item 7); its
    # dates (01/02/1980, 03/04/1999) read either way round: one finding per column (item 10).
    assert [(f.code, f.row) for f in report.findings] == [
        ("mapping.field_unmapped", 1),
        ("row.duplicate", 3),
        ("date.order_assumed", 2),
        ("date.order_assumed", 2),
    ]
    assert workspace_totals(ws)["source_rows"] == 3  # every original row is kept verbatim


def test_rows_with_errors_block_the_import_unless_skip_invalid(
    ws: Workspace, tmp_path: Path
) -> None:
    path = write_csv(
        tmp_path / "a.csv", [row(), row(case=""), [], row(case="BA3", name="", sid="")]
    )
    report = importing.import_file(ws, path, user="clerk", today=TODAY)
    assert report.status == "refused" and not report.ok
    assert [(f.code, f.row) for f in report.errors] == [
        ("row.no_case_number", 3),
        ("row.no_person", 5),
    ]
    assert workspace_totals(ws)["counts"] == 0 and workspace_totals(ws)["sources"] == 0
    assert audit_rows(ws) == [("import", "a.csv", "refused")]

    report = importing.import_file(ws, path, user="clerk", skip_invalid=True, today=TODAY)
    assert report.status == "imported" and report.counts == 1
    assert [(s.row, s.reason[:20]) for s in report.skipped] == [
        (3, "this row has no case"),
        (5, "this row has neither"),
    ]
    data = report.to_json()
    assert data["imported"] == {"counts": 1, "cases": 1, "people": 1}
    assert data["skipped"][0]["row"] == 3
    assert {(f["severity"], f["row"]) for f in data["findings"]} == {
        ("error", 3),
        ("error", 5),
        ("warning", 1),  # no offense-date column
        ("warning", 2),  # dates that read either way round (one per column)
    }
    kept = ws.conn.execute(
        "SELECT row_number FROM import_findings WHERE skipped = 1 ORDER BY row_number"
    ).fetchall()
    assert kept == [(3,), (5,)]
    # The skipped rows' original text is kept too.
    assert ws.conn.execute("SELECT COUNT(*) FROM source_rows").fetchone()[0] == 3


def test_leading_zeros_and_accents_survive_import_and_export(ws: Workspace, tmp_path: Path) -> None:
    names = [
        "NÚÑEZ, JOSÉ",
        "O'BRIEN, MARY",
        "NGUYỄN, VĂN AN",
        "Nu\u0301n\u0303ez, Jose\u0301",
    ]  # last one decomposed
    rows = [row(case=f"00{i}42", sid=f"000{i}", name=name) for i, name in enumerate(names)]
    path = write_csv(tmp_path / "a.csv", rows)
    importing.import_file(ws, path, user="clerk", today=TODAY)
    out = write_decisions(ws, tmp_path / "decisions.csv")
    assert out.rows == 4
    with (tmp_path / "decisions.csv").open(encoding="utf-8-sig", newline="") as fh:
        exported = list(csv.DictReader(fh))
    assert [r["name"] for r in exported] == names  # byte for byte, decomposed accents too
    assert [r["person_key"] for r in exported] == ["0000", "0001", "0002", "0003"]
    assert [r["case_number"] for r in exported] == ["00042", "00142", "00242", "00342"]
    assert exported[0]["source_file"] == "a.csv" and exported[0]["source_row"] == "2"
    assert exported[0]["section"] == "11357(b) HS" and exported[0]["offense_code"] == "11357(B) HS"
    assert exported[0]["disposition_date"] == "1999-03-04" and exported[0]["dob"] == "01/02/1980"
    assert exported[0]["outcome"] == "" and exported[0]["review_status"] == ""


def test_decisions_csv_neutralizes_formulas(ws: Workspace, tmp_path: Path) -> None:
    path = write_csv(
        tmp_path / "a.csv", [row(name='=HYPERLINK("http://x"), BOB', charge="+11357 HS")]
    )
    importing.import_file(ws, path, user="clerk", today=TODAY)
    write_decisions(ws, tmp_path / "d.csv")
    text = (tmp_path / "d.csv").read_text(encoding="utf-8-sig")
    assert "'=HYPERLINK" in text and "'+11357 HS" in text
    assert (
        ws.conn.execute("SELECT full_name FROM people").fetchone()[0].startswith("=HYPERLINK")
    )  # stored as text


def test_xlsx_with_title_rows_dates_and_numeric_ids(ws: Workspace, tmp_path: Path) -> None:
    import xlsxwriter

    path = tmp_path / "court.xlsx"
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet("Export")
    date_format = book.add_format({"num_format": "mm/dd/yyyy"})
    sheet.write(0, 0, "Superior Court of California, County of Los Angeles")
    sheet.write(1, 0, "Run 2024-05-01")
    sheet.write_row(3, 0, HEADERS)
    sheet.write_row(4, 0, ["BA001", 1, "NÚÑEZ, JOSÉ"])
    sheet.write_datetime(4, 3, dt.datetime(1980, 1, 2), date_format)
    sheet.write_number(4, 4, 1234)  # an ID that was a number: shorter than the column's usual 5
    sheet.write_row(4, 5, ["11357(B) HS", "CONVICTED"])
    sheet.write_number(4, 7, 36223)  # a serial in a column not formatted as a date
    sheet.write_row(4, 8, ["M", "LOS ANGELES"])
    sheet.write_row(
        5,
        0,
        [
            "BA002",
            1,
            "SMITH, ANN",
            "1975-05-06",
            "01235",
            "11360(A) HS",
            "CONVICTED",
            "1998-01-01",
            "F",
            "LA",
        ],
    )
    sheet.write_row(
        6,
        0,
        [
            "BA003",
            1,
            "LEE, AL",
            "1975-05-06",
            "01236",
            "11360(A) HS",
            "CONVICTED",
            "1998-01-01",
            "F",
            "LA",
        ],
    )
    book.close()
    inspection = importing.inspect_file(path)
    assert inspection.header_row == 4 and inspection.sheet == "Export"
    assert inspection.mapping.columns["case_number"] == "Case No"
    assert inspection.samples["case_number"] == ["BA001", "BA002", "BA003"]
    report = importing.import_file(ws, path, user="clerk", today=TODAY)
    assert report.status == "imported" and report.counts == 3
    lost = [f for f in report.findings if f.code == "id.lost_leading_zero"]
    assert [(f.row, f.value) for f in lost] == [(5, "1234")]
    dob, disp = ws.conn.execute(
        "SELECT p.dob, c.disposition_date FROM counts c JOIN people p ON p.id = c.person_id WHERE c.id = 1"
    ).fetchone()
    assert (dob, disp) == ("1980-01-02", "1999-03-04")


def test_mapping_override_and_missing_column(ws: Workspace, tmp_path: Path) -> None:
    headers = ["Docket", "Who", "Charge"]
    path = write_csv(tmp_path / "a.csv", [["D1", "DOE, JO", "11357 HS"]], headers=headers)
    with pytest.raises(ImportFailed, match="person key or a name"):
        importing.import_file(ws, path, user="clerk", today=TODAY)
    assert audit_rows(ws) == [("import", "a.csv", "failed")]
    report = importing.import_file(ws, path, user="clerk", overrides=["full_name=Who"], today=TODAY)
    assert report.counts == 1
    source = ws.conn.execute("SELECT mapping FROM sources").fetchone()[0]
    assert json.loads(source)["columns"]["full_name"] == "Who"


def test_saved_profile_applies_by_name_and_by_headers(ws: Workspace, tmp_path: Path) -> None:
    headers = ["Docket", "Who", "Charge"]
    path = write_csv(tmp_path / "a.csv", [["D1", "DOE, JO", "11357 HS"]], headers=headers)
    mapping = importing.Mapping(
        columns={"case_number": "Docket", "full_name": "Who", "offense_code": "Charge"}
    )
    importing.save_profile(ws, "county-export", mapping, user="admin", headers=headers)
    assert (
        ws.conn.execute("SELECT COUNT(*) FROM audit WHERE action = 'settings.change'").fetchone()[0]
        == 1
    )
    assert importing.inspect_file(path, ws=ws).profile == "county-export"
    report = importing.import_file(ws, path, user="clerk", today=TODAY)
    assert report.counts == 1 and report.profile == "county-export"
    with pytest.raises(ImportFailed, match="no mapping profile 'nope'"):
        importing.import_file(ws, path, user="clerk", profile="nope")


def test_keyless_people_get_name_dob_proposals_never_merges(ws: Workspace, tmp_path: Path) -> None:
    rows = [
        row(case="A1", sid="", name="DOE, JOHN", dob="01/02/1980"),
        row(case="A2", sid="", name="Doe, John", dob="01/02/1980"),
        row(
            case="A3", sid="", name="DOE, JOHN", dob=""
        ),  # no DOB: never proposed on the name alone
        row(case="A4", sid="K1", name="DOE, JOHN", dob="01/02/1980"),
        row(
            case="A5", sid="K2", name="DOE, JOHN", dob="01/02/1980"
        ),  # a different key: a different person
    ]
    path = write_csv(tmp_path / "a.csv", rows)
    report = importing.import_file(ws, path, user="clerk", today=TODAY)
    assert report.people == 5
    matches = importing.proposed_matches(ws)
    pairs = {(m.cases_a[0], m.cases_b[0]) for m in matches}
    assert pairs == {("A1", "A2"), ("A1", "A4"), ("A1", "A5")}
    assert report.matches_proposed == 3
    a2 = next(m for m in matches if m.cases_b == ["A2"])
    confirmed = importing.confirm_match(ws, a2.id, user="reviewer")
    assert confirmed.status == "confirmed"
    assert (
        ws.conn.execute(
            "SELECT COUNT(*) FROM cases WHERE person_id = ?", (a2.person_a,)
        ).fetchone()[0]
        == 2
    )
    a4 = next(m for m in importing.proposed_matches(ws) if m.cases_b == ["A4"])
    assert importing.reject_match(ws, a4.id, user="reviewer").status == "rejected"
    with pytest.raises(ImportFailed, match="already rejected"):
        importing.reject_match(ws, a4.id, user="reviewer")
    assert {r[0] for r in ws.conn.execute("SELECT action FROM audit")} >= {
        "person.match.confirm",
        "person.match.reject",
    }


def test_cancel_leaves_the_workspace_as_it_was(
    ws: Workspace, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(importing, "BATCH", 10)
    importing.import_file(ws, write_csv(tmp_path / "first.csv", [row()]), user="clerk", today=TODAY)
    before = snapshot(ws)

    class CancelAfterFirstBatch:
        def __init__(self) -> None:
            self.reports = 0

        def report(self, done: int, total: int | None, message: str = "") -> None:
            self.reports += 1

        def cancelled(self) -> bool:
            return self.reports > 0

    progress = CancelAfterFirstBatch()
    with pytest.raises(Cancelled):
        importing.import_file(
            ws,
            write_csv(tmp_path / "big.csv", many_rows(50)),
            user="clerk",
            progress=progress,
            today=TODAY,
        )
    assert progress.reports >= 1  # rows had been written before the cancel
    assert snapshot(ws) == before
    assert audit_rows(ws)[-1] == ("import", "big.csv", "cancelled")


def test_disk_full_imports_nothing(ws: Workspace, tmp_path: Path) -> None:
    importing.import_file(ws, write_csv(tmp_path / "first.csv", [row()]), user="clerk", today=TODAY)
    before = snapshot(ws)
    pages = ws.conn.execute("PRAGMA page_count").fetchone()[0]
    ws.conn.execute(f"PRAGMA max_page_count = {pages + 3}")
    with pytest.raises(ImportFailed, match="disk is full"):
        importing.import_file(
            ws, write_csv(tmp_path / "big.csv", many_rows(3000)), user="clerk", today=TODAY
        )
    ws.conn.execute("PRAGMA max_page_count = 1073741823")
    assert snapshot(ws) == before
    assert ws.integrity_check() == []
    report = importing.import_file(
        ws, tmp_path / "big.csv", user="clerk", today=TODAY
    )  # and it works once there is room
    assert report.counts == 3000


def test_source_file_changing_during_import_is_refused(
    ws: Workspace, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(importing, "BATCH", 10)
    path = write_csv(tmp_path / "live.csv", many_rows(40))

    class Writer:
        def report(self, done: int, total: int | None, message: str = "") -> None:
            with path.open("a", encoding="utf-8") as fh:
                fh.write('ZZ9,1,"LATE, ROW",01/01/1970,9,11357 HS,CONVICTED,01/01/1990,M,LA\n')

        def cancelled(self) -> bool:
            return False

    with pytest.raises(ImportFailed, match="changed while it was being imported"):
        importing.import_file(ws, path, user="clerk", progress=Writer(), today=TODAY)
    assert workspace_totals(ws)["counts"] == 0
    assert audit_rows(ws) == [("import", "live.csv", "failed")]


KILL_SCRIPT = textwrap.dedent(
    """
    import sys
    from app.services import importing
    from app.store.workspace import Workspace

    class Announce:
        def report(self, done, total, message=""):
            print("progress", done, flush=True)
            import time
            time.sleep(30)  # hold the transaction open until the parent kills us

        def cancelled(self):
            return False

    ws = Workspace.open(sys.argv[1])
    importing.import_file(ws, sys.argv[2], user="clerk", progress=Announce())
    print("finished", flush=True)
    """
)


@pytest.mark.slow
def test_killed_mid_import_leaves_the_workspace_unchanged(ws: Workspace, tmp_path: Path) -> None:
    importing.import_file(ws, write_csv(tmp_path / "first.csv", [row()]), user="clerk", today=TODAY)
    before = snapshot(ws)
    ws.close()
    big = write_csv(tmp_path / "big.csv", many_rows(12_000))
    script = tmp_path / "kill_me.py"
    script.write_text(KILL_SCRIPT, encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])}
    proc = subprocess.Popen(
        [sys.executable, str(script), str(tmp_path / "w.clearslate"), str(big)],
        stdout=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        assert line.startswith("progress"), line
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == -signal.SIGKILL
    time.sleep(0.1)
    reopened = Workspace.open(tmp_path / "w.clearslate")
    try:
        assert snapshot(reopened) == before
        assert reopened.integrity_check() == []
        assert verify_chain(reopened.conn).ok
        report = importing.import_file(reopened, big, user="clerk")
        assert report.counts == 12_000
    finally:
        reopened.close()


def test_utf16_and_cp1252_csv(ws: Workspace, tmp_path: Path) -> None:
    utf16 = write_csv(tmp_path / "u16.csv", [row(name="NGUYỄN, AN")], encoding="utf-16")
    importing.import_file(ws, utf16, user="clerk", today=TODAY)
    cp = write_csv(
        tmp_path / "cp.csv", [row(case="CP1", sid="008", name="NÚÑEZ, JOSÉ")], encoding="cp1252"
    )
    with pytest.raises(ImportFailed, match="cp1252"):
        importing.import_file(ws, cp, user="clerk", today=TODAY)
    importing.import_file(ws, cp, user="clerk", encoding="cp1252", today=TODAY)
    names = [r[0] for r in ws.conn.execute("SELECT full_name FROM people ORDER BY id")]
    assert names == ["NGUYỄN, AN", "NÚÑEZ, JOSÉ"]


def test_headers_only_and_empty_files_are_refused(ws: Workspace, tmp_path: Path) -> None:
    with pytest.raises(ImportFailed):
        importing.import_file(ws, write_csv(tmp_path / "h.csv", []), user="clerk")
    (tmp_path / "e.csv").write_bytes(b"")
    with pytest.raises(ImportFailed):
        importing.import_file(ws, tmp_path / "e.csv", user="clerk")
    with pytest.raises(ImportFailed, match="no such file"):
        importing.import_file(ws, tmp_path / "missing.csv", user="clerk")
    assert workspace_totals(ws)["sources"] == 0
    assert [r[2] for r in audit_rows(ws)] == ["failed", "failed", "failed"]


def test_validate_file_writes_nothing(ws: Workspace, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "a.csv", [row(), row(), row(case="")])
    report = importing.validate_file(path, today=TODAY)
    assert (report.rows, report.counts, report.duplicates, report.error_rows) == (3, 1, 1, [4])
    assert report.by_code() == {
        ("info", "row.duplicate"): 1,
        ("error", "row.no_case_number"): 1,
        ("warning", "mapping.field_unmapped"): 1,
        ("warning", "date.order_assumed"): 2,
    }
    assert workspace_totals(ws)["sources"] == 0


def test_backup_that_cannot_be_written_stops_the_import(ws: Workspace, tmp_path: Path) -> None:
    ws.backup_dir().write_text("not a folder", encoding="utf-8")  # the backup folder's name is taken by a file
    with pytest.raises(ImportFailed, match="backup"):
        importing.import_file(ws, write_csv(tmp_path / "a.csv", [row()]), user="clerk", today=TODAY)
    assert workspace_totals(ws)["counts"] == 0
    assert audit_rows(ws) == [("import", "a.csv", "failed")]


# -- columns with data but no header (audit item 6) ---------------------------------------------


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_trailing_column_without_header_is_named_not_dropped(
    ws: Workspace, tmp_path: Path, kind: str
) -> None:
    headers = ["Case No", "Defendant Name", "DOB", "Charge", "Disposition", "Disp Date", ""]
    rows = [
        ["KC-1", "DOE, JANE", "1970-01-01", "11357(B) HS", "CONVICTED", "1999-01-02", "IMPORTANT"],
        ["KC-2", "ROE, RICK", "1971-01-01", "11357(B) HS", "CONVICTED", "1999-01-03", "MORE"],
    ]
    if kind == "csv":
        path = write_csv(tmp_path / "trailing.csv", rows, headers=headers)
    else:
        import xlsxwriter

        path = tmp_path / "trailing.xlsx"
        book = xlsxwriter.Workbook(str(path))
        sheet = book.add_worksheet("Cases")
        sheet.write_row(0, 0, headers[:-1])  # the seventh header cell is not written at all
        for r, values in enumerate(rows, 1):
            sheet.write_row(r, 0, values)
        book.close()
    inspection = importing.inspect_file(path)
    assert inspection.headers[-1] == "Column G"
    assert "Column G" in inspection.unmapped_headers
    report = importing.import_file(ws, path, user="clerk", today=TODAY)
    assert report.status == "imported" and report.counts == 2
    blank = [f for f in report.findings if f.code == "header.blank"]
    assert [(f.row, f.column) for f in blank] == [(1, "G")]
    assert "it is called 'Column G'" in blank[0].message
    stored = ws.conn.execute("SELECT headers FROM sources").fetchone()[0]
    assert json.loads(stored)[-1] == "Column G"
    cells = ws.conn.execute("SELECT data FROM source_rows ORDER BY row_number").fetchall()
    assert [json.loads(c[0])[6] for c in cells] == ["IMPORTANT", "MORE"]
    # Nothing beyond the (extended) header row: no "beyond the last header" finding.
    assert not [f for f in report.findings if f.code == "cell.beyond_last_header"]


@pytest.mark.parametrize("fast", [True, False])
def test_values_beyond_the_last_header_further_down_are_reported(
    ws: Workspace, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fast: bool
) -> None:
    from app.ingest.normalize_rows import RowNormalizer

    if not fast:
        monkeypatch.setattr(RowNormalizer, "normalize_rows", RowNormalizer.rows_one_by_one)
    rows = many_rows(80)
    rows[69] = [*rows[69], "", "LATE NOTE"]  # row 71: column L, past the preview's 50 rows
    rows[74] = [*rows[74], " ", "SECOND"]  # row 76
    rows[77] = [*rows[77], "\u200b"]  # row 79: an invisible character only, nothing to report
    path = write_csv(tmp_path / "wide.csv", rows)
    report = importing.import_file(ws, path, user="clerk", today=TODAY)
    assert report.status == "imported" and report.counts == 80
    beyond = [f for f in report.findings if f.code == "cell.beyond_last_header"]
    assert [(f.row, f.column, f.value, f.severity.value) for f in beyond] == [
        (71, "L", "LATE NOTE", "warning")
    ]
    assert "1 more row" in beyond[0].message and "column J" in beyond[0].message
    stored = ws.conn.execute("SELECT data FROM source_rows WHERE row_number = 71").fetchone()[0]
    assert json.loads(stored)[-1] == "LATE NOTE"  # kept with the row's original cells
    # The finding is stored with the import.
    assert ws.conn.execute(
        "SELECT count(*) FROM import_findings WHERE code = 'cell.beyond_last_header'"
    ).fetchone() == (1,)


# -- a file that nearly matches a profile (audit item 7) ----------------------------------------

DOJ_HEADERS = [
    "SUBJECT_ID", "CII_NUMBER", "PRI_NAME", "PRI_DOBB", "CYC_DATE", "STP_EVENT_DATE",
    "STP_TYPE_DESCR", "STP_ORI_CNTY_NAME", "CNT_ORDER", "OFN", "OFFENSE_DESCR", "OFFENSE_TOC",
    "DISP_DESCR", "CONV_STAT_DESCR", "COMMENT_TEXT",
]  # fmt: skip
DOJ_ROWS = [
    ["900001", "00007920", "OKAFOR,INGRID", "19680402", "19980310", "19980522", "COURT", "KERN",
     "001", "11357(B) HS-POSSESS MARIJUANA", "POSSESS MARIJUANA", "M", "CONVICTED", "MISDEMEANOR", ""],
    ["900002", "00015840", "NGUYEN,LUCA", "19720915", "20050114", "20050601", "COURT", "KERN",
     "001", "11359 HS-POSSESS MARIJUANA FOR SALE", "POSS FOR SALE", "F", "CONVICTED", "FELONY", ""],
]  # fmt: skip


def test_a_misspelt_doj_header_is_refused_not_guessed(ws: Workspace, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "doj.csv", DOJ_ROWS, headers=DOJ_HEADERS)
    before = snapshot(ws)
    with pytest.raises(ImportFailed) as info:
        importing.import_file(ws, path, user="clerk", today=TODAY)
    message = str(info.value)
    assert "looks like the California DOJ research file" in message
    assert "PRI_DOB is missing (nearest: 'PRI_DOBB')" in message
    assert "--map dob=PRI_DOBB" in message and "doj.csv" in message
    assert snapshot(ws) == before
    assert audit_rows(ws) == [("import", "doj.csv", "failed")]
    with pytest.raises(ImportFailed, match="PRI_DOB is missing"):
        importing.validate_file(path, today=TODAY)
    # Inspecting still shows the sheet, with the near miss as a warning.
    inspection = importing.inspect_file(path)
    assert inspection.profile is None
    assert [f.code for f in inspection.findings if f.severity.value == "warning"] == [
        "mapping.near_profile",
        "mapping.field_unmapped",  # the guess has no date of birth
    ]
    # The --map the message suggests: the DOJ profile, with the date of birth read.
    report = importing.import_file(ws, path, user="clerk", overrides=["dob=PRI_DOBB"], today=TODAY)
    assert report.status == "imported" and report.profile == "ca-doj-research"
    rows = ws.conn.execute("SELECT case_number FROM cases ORDER BY id").fetchall()
    assert rows == [("DOJ 900001 cycle 19980310",), ("DOJ 900002 cycle 20050114",)]
    dobs = ws.conn.execute("SELECT dob FROM people ORDER BY id").fetchall()
    assert dobs == [("1968-04-02",), ("1972-09-15",)]
    assert not [f for f in report.findings if f.code.startswith("mapping.")]


def test_a_profile_sheet_without_a_column_the_evaluation_needs_warns(
    ws: Workspace, tmp_path: Path
) -> None:
    headers = [h if h != "PRI_DOBB" else "PRI_DOB" for h in DOJ_HEADERS]
    rows = [[c for h, c in zip(headers, r, strict=True) if h != "CYC_DATE"] for r in DOJ_ROWS]
    headers.remove("CYC_DATE")  # the case-number template needs it: a near miss, refused
    path = write_csv(tmp_path / "doj.csv", rows, headers=headers)
    with pytest.raises(ImportFailed, match="CYC_DATE is missing"):
        importing.import_file(ws, path, user="clerk", today=TODAY)
    report = importing.import_file(
        ws,
        path,
        user="clerk",
        profile="ca-doj-research",
        overrides=["case_number=OFN"],
        today=TODAY,
    )
    absent = [f for f in report.findings if f.code == "mapping.column_absent"]
    assert [(f.severity.value, f.column) for f in absent] == [("warning", "CYC_DATE")]
    assert "the evaluation uses it" in absent[0].message
