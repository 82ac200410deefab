"""``import`` and ``decisions`` on the command line: exit codes, the --json shape, the CSV."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from app.cli import main

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


def write_csv(path: Path, rows: list[list[object]], headers: list[str] = HEADERS) -> Path:
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(headers)
        writer.writerows(rows)
    return path


@pytest.fixture
def ws_path(tmp_path: Path) -> Path:
    path = tmp_path / "cli.clearslate"
    assert (
        main(
            [
                "init",
                str(path),
                "--policy",
                "ca-prop64-state",
                "--county",
                "Kern",
                "--admin",
                "admin",
            ]
        )
        == 0
    )
    return path


GOOD = [
    "BA001",
    "1",
    "NÚÑEZ, JOSÉ",
    "01/02/1980",
    "007",
    "11357(B) HS",
    "CONVICTED",
    "03/04/1999",
    "M",
    "KERN",
]
BAD_DATE = [
    "BA002",
    "1",
    "O'BRIEN, MARY",
    "02/30/1980",
    "008",
    "11360(a) HS",
    "CONVICTED",
    "03/04/1999",
    "F",
    "KERN",
]
NO_CASE = [
    "",
    "1",
    "SMITH, AL",
    "01/02/1980",
    "009",
    "11360(a) HS",
    "CONVICTED",
    "03/04/1999",
    "F",
    "KERN",
]


def test_import_json_shape_and_exit_codes(
    ws_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write_csv(tmp_path / "a.csv", [GOOD, BAD_DATE, NO_CASE])
    code = main(["import", str(ws_path), str(path), "--user", "admin", "--json"])
    data = json.loads(capsys.readouterr().out)
    assert code == 1
    assert data["imported"] == {"counts": 0, "cases": 0, "people": 0}
    assert set(data) == {"imported", "skipped", "findings"}
    severities = {(f["row"], f["severity"], f["column"]) for f in data["findings"]}
    assert (4, "error", "Case No") in severities and (3, "warning", "DOB") in severities
    assert set(data["findings"][0]) == {"sheet", "row", "column", "severity", "message"}

    code = main(["import", str(ws_path), str(path), "--user", "admin", "--json", "--skip-invalid"])
    data = json.loads(capsys.readouterr().out)
    assert code == 0
    assert data["imported"] == {"counts": 2, "cases": 2, "people": 2}
    assert data["skipped"] == [
        {"row": 4, "reason": "this row has no case number, so its count cannot be placed in a case"}
    ]

    code = main(["import", str(ws_path), str(path), "--user", "admin", "--skip-invalid"])
    assert code == 0
    assert "already imported" in capsys.readouterr().out


def test_import_with_map_and_header_row(
    ws_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "odd.csv"
    path.write_text('County export\n\nDocket,Who,Code\nD-1,"DOE, JO",11357 HS\n', encoding="utf-8")
    code = main(
        [
            "import",
            str(ws_path),
            str(path),
            "--user",
            "admin",
            "--map",
            "full_name=Who",
            "--header-row",
            "3",
        ]
    )
    out = capsys.readouterr().out
    assert code == 0, out
    assert "Imported 1 count in 1 case for 1 person" in out


def test_import_unknown_field_is_a_usage_message(
    ws_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write_csv(tmp_path / "a.csv", [GOOD])
    assert (
        main(["import", str(ws_path), str(path), "--user", "admin", "--map", "nmae=Defendant Name"])
        == 1
    )
    assert "no field 'nmae'" in capsys.readouterr().err


def test_decisions_after_import(
    ws_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write_csv(tmp_path / "a.csv", [GOOD])
    assert main(["import", str(ws_path), str(path), "--user", "admin"]) == 0
    out = tmp_path / "decisions.csv"
    assert main(["decisions", str(ws_path), "--out", str(out), "--user", "admin"]) == 0
    assert "Wrote 1 counts" in capsys.readouterr().out
    with out.open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert (
        rows[0]["name"] == "NÚÑEZ, JOSÉ"
        and rows[0]["person_key"] == "007"
        and rows[0]["offense_code"] == "11357(B) HS"
    )
    for column in (
        "source_file",
        "source_row",
        "case_number",
        "count",
        "section",
        "level",
        "disposition",
        "disposition_date",
        "outcome",
        "reason",
        "review_status",
        "final_outcome",
    ):
        assert column in rows[0]
    assert not list(tmp_path.glob(".*.partial"))


def test_import_lists_the_hidden_sheets(
    ws_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Info findings about the file itself are printed; the user may want a hidden sheet."""
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Cases"
    sheet.append(HEADERS)
    sheet.append(GOOD)
    book.create_sheet("Old cases").sheet_state = "hidden"
    book.create_sheet("Notes").sheet_state = "veryHidden"
    path = tmp_path / "hidden.xlsx"
    book.save(path)
    assert main(["import", str(ws_path), str(path), "--user", "admin"]) == 0
    out = capsys.readouterr().out
    assert "info: hidden.xlsx, sheet 'Cases': the workbook has hidden sheets:" in out
    assert "'Old cases' (hidden)" in out and "'Notes' (very hidden)" in out


INTERRUPT_SCRIPT = """
import sys, time
from app.core import progress

class Announce(progress.SilentProgress):
    def report(self, done, total, message=""):
        print("progress", done, flush=True)
        time.sleep(30)  # the first batch is written; wait inside the transaction for Ctrl-C

progress.SilentProgress = Announce
from app.cli import main
sys.exit(main(sys.argv[1:]))
"""


def test_ctrl_c_during_an_import_is_audited_like_a_cancel(ws_path: Path, tmp_path: Path) -> None:
    import os
    import signal
    import sqlite3
    import subprocess
    import sys

    rows = [[f"BA{i:05d}", *GOOD[1:]] for i in range(12_000)]
    path = write_csv(tmp_path / "big.csv", rows)
    script = tmp_path / "interrupt_me.py"
    script.write_text(INTERRUPT_SCRIPT, encoding="utf-8")
    repo = Path(__file__).resolve().parents[2]
    env = {**os.environ, "PYTHONPATH": str(repo), "CLEARSLATE_WORKERS": "1"}
    proc = subprocess.Popen(
        [sys.executable, str(script), "import", str(ws_path), str(path), "--user", "admin"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
        text=True,
        env=env,
    )
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        assert line.startswith("progress"), line
        os.kill(proc.pid, signal.SIGINT)  # what Ctrl-C sends
        _, err = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 1 and "interrupted; nothing was changed" in err
    assert "Traceback" not in err
    conn = sqlite3.connect(ws_path)
    try:
        assert conn.execute("SELECT COUNT(*) FROM counts").fetchone()[0] == 0
        user, obj, outcome, details = conn.execute(
            "SELECT user, object, outcome, details FROM audit WHERE action = 'import' ORDER BY seq DESC"
        ).fetchone()
    finally:
        conn.close()
    assert (user, obj, outcome) == ("admin", "big.csv", "cancelled")
    assert "Ctrl-C" in json.loads(details)["message"]


def test_a_file_that_nearly_matches_a_profile_is_refused_with_the_fix(
    ws_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    headers = [
        "SUBJECT_ID", "CII_NUMBER", "PRI_NAME", "PRI_DOBB", "CYC_DATE", "STP_EVENT_DATE",
        "STP_TYPE_DESCR", "STP_ORI_CNTY_NAME", "CNT_ORDER", "OFN", "OFFENSE_DESCR",
        "OFFENSE_TOC", "DISP_DESCR", "CONV_STAT_DESCR", "COMMENT_TEXT",
    ]  # fmt: skip
    row = ["900001", "00007920", "OKAFOR,INGRID", "19680402", "19980310", "19980522", "COURT",
           "KERN", "001", "11357(B) HS-POSSESS MARIJUANA", "POSSESS", "M", "CONVICTED",
           "MISDEMEANOR", ""]  # fmt: skip
    path = write_csv(tmp_path / "doj.csv", [row], headers=headers)
    assert main(["import", str(ws_path), str(path), "--user", "admin"]) == 1
    err = capsys.readouterr().err
    assert "doj.csv" in err and "PRI_DOB is missing (nearest: 'PRI_DOBB')" in err
    assert "--map dob=PRI_DOBB" in err and "Traceback" not in err
    code = main(["import", str(ws_path), str(path), "--user", "admin", "--map", "dob=PRI_DOBB"])
    out = capsys.readouterr().out
    assert code == 0, out
    assert "Imported 1 count in 1 case for 1 person" in out


def test_data_only_on_a_hidden_sheet_names_the_sheet_option(
    ws_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The command line says its own option; the window lists the sheets instead."""
    import openpyxl

    book = openpyxl.Workbook()
    book.active.title = "Front"
    data = book.create_sheet("Old cases")
    data.append(HEADERS)
    data.append(GOOD)
    data.sheet_state = "hidden"
    path = tmp_path / "hidden.xlsx"
    book.save(path)
    assert main(["import", str(ws_path), str(path), "--user", "admin"]) == 1
    assert capsys.readouterr().err == (
        "clearslate: hidden.xlsx: the workbook is empty: no visible sheet has any data; hidden "
        "sheets not read: 'Old cases' (hidden) (choose one with --sheet)\n"
    )
    # Chosen by name, the hidden sheet is read, and the output says it was a hidden one.
    code = main(["import", str(ws_path), str(path), "--user", "admin", "--sheet", "Old cases"])
    out = capsys.readouterr().out
    assert code == 0, out
    assert (
        "the sheet 'Old cases' is hidden in the workbook and was read because it was chosen" in out
    )
