"""A date column that proves day-first only far down the file: no earlier value stays a guess.

Ambiguous dates (03/04/1999) read before the proof (25/12/2000) would otherwise be stored
month-first — a guess the engine would take as fact (an offense date on the wrong side of a
cut-off can make a count look eligible). The import reads the file again knowing the order,
so every ambiguous value of the column is flagged and left empty, wherever the proof is.
"""

from __future__ import annotations

import csv
import datetime as dt
import multiprocessing
from pathlib import Path

import pytest

from app.services import import_rows, importing
from app.store.workspace import Workspace

TODAY = dt.date(2026, 1, 1)
HEADERS = ["Case No", "Defendant Name", "DOB", "CII", "Charge", "Disposition", "Disp Date"]
PROOF_ROW = 1702  # the file's row (header is row 1) holding the only day-first date


def _write(path: Path) -> Path:
    rows = []
    for n in range(2, 2400):
        month, day = n % 12 + 1, n // 12 % 12 + 1
        disp = f"{month:02d}/{day:02d}/2001" if n != PROOF_ROW else "13/02/2001"
        rows.append([f"KC-{n}", f"DOE{n}, JANE", "1970-01-02", f"{n:08d}", "11357(B) HS",
                     "CONVICTED", disp])  # fmt: skip
    with path.open("w", newline="", encoding="utf-8") as fh:
        csv.writer(fh).writerows([HEADERS, *rows])
    return path


def _ambiguous(raw: str) -> bool:
    month, day = raw[:2], raw[3:5]
    return month != day and int(month) <= 12 and int(day) <= 12


@pytest.mark.parametrize("parallel", [False, True], ids=["serial", "worker"])
def test_a_late_day_first_proof_leaves_every_ambiguous_date_empty(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, parallel: bool
) -> None:
    monkeypatch.setattr(importing, "BATCH", 700)  # the proof is in the third batch
    if parallel:
        monkeypatch.setattr(import_rows, "PARALLEL_MIN_BYTES", 1)
        monkeypatch.delenv(import_rows.WORKERS_ENV, raising=False)
    else:
        monkeypatch.setenv(import_rows.WORKERS_ENV, "1")
    path = _write(tmp_path / "day-first-late.csv")
    ws = Workspace.create(tmp_path / "ws.clearslate")
    try:
        report = importing.import_file(ws, path, user="clerk", today=TODAY)
        assert report.status == "imported" and report.counts == 2398
        stored = ws.conn.execute(
            "SELECT sr.row_number, c.disposition_date_raw, c.disposition_date FROM counts c "
            "JOIN source_rows sr ON sr.id = c.source_row_id ORDER BY sr.row_number"
        ).fetchall()
        assert len(stored) == 2398
        guessed = [(row, raw, iso) for row, raw, iso in stored if _ambiguous(raw) and iso]
        assert guessed == [], f"ambiguous dates stored as a guess: {guessed[:3]}"
        # Row 2 (03/01/2001) was read long before the proof: it is empty too, and says why.
        assert stored[0] == (2, "03/01/2001", None)
        # A same day-and-month date reads either way alike: kept. (The proof itself, 13/02,
        # is not a month/day date, so it is a finding of its own and left empty, as ever.)
        assert (13, "02/02/2001", "2001-02-02") in stored
        flagged = {f.row: f.message for f in report.findings if f.code == "date.ambiguous_order"}
        assert "left empty" in flagged[2] and f"(row {PROOF_ROW}: '13/02/2001')" in flagged[2]
        assert len(flagged) == sum(1 for _, raw, _ in stored if _ambiguous(raw))
        # The validation report the wizard shows says the same as the import.
        checked = importing.validate_file(path, today=TODAY)
        assert {
            f.row: f.message for f in checked.findings if f.code == "date.ambiguous_order"
        } == flagged
        # One import, one backup, one audit entry: the second reading is not a second import.
        assert ws.conn.execute("SELECT COUNT(*) FROM sources").fetchone()[0] == 1
        imports = ws.conn.execute("SELECT outcome FROM audit WHERE action = 'import'").fetchall()
        assert imports == [("ok",)]
    finally:
        ws.close()
    assert not multiprocessing.active_children()
