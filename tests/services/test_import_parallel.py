"""The worker-process import path stores exactly what the serial path stores, and always cleans up.

The size threshold is lowered so small files take the parallel path (a real spawned worker
reading the real file); each file is imported once that way and once with
``CLEARSLATE_WORKERS=1`` (serial), and every table and the report must match row for row.
"""

from __future__ import annotations

import datetime as dt
import multiprocessing
from pathlib import Path
from typing import Any

import pytest

from app.core.errors import Cancelled, ImportFailed
from app.ingest.readers import open_table
from app.services import import_rows, importing
from app.store.workspace import Workspace
from tests.services.test_import_fast_path import ROOT, TABLES, _messy_rows, _write_csv

TODAY = dt.date(2026, 1, 1)


class _Spy:
    """Counts the worker processes started (to prove which path a run took)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.started = 0
        real = import_rows.WorkerBatches.__enter__

        def enter(rows: import_rows.WorkerBatches) -> import_rows.WorkerBatches:
            self.started += 1
            return real(rows)

        monkeypatch.setattr(import_rows.WorkerBatches, "__enter__", enter)


def _run(
    tmp_path: Path,
    name: str,
    paths: list[Path],
    *,
    parallel: bool,
    skip_invalid: bool,
    monkeypatch: pytest.MonkeyPatch,
) -> tuple[dict[str, list[tuple[Any, ...]]], list[list[Any]], int]:
    with monkeypatch.context() as patch:
        patch.setattr(importing, "BATCH", 700)  # duplicates span the batches
        patch.setattr(import_rows, "PARALLEL_MIN_BYTES", 1)
        if parallel:
            patch.delenv(import_rows.WORKERS_ENV, raising=False)
        else:
            patch.setenv(import_rows.WORKERS_ENV, "1")
        spy = _Spy(patch)
        ws = Workspace.create(tmp_path / f"{name}-{'par' if parallel else 'ser'}.clearslate")
        try:
            reports = []
            for path in paths:
                r = importing.import_file(
                    ws, path, user="clerk", skip_invalid=skip_invalid, today=TODAY
                )
                reports.append(
                    [
                        r.status, r.message, r.rows, r.people, r.cases, r.counts, r.events,
                        r.duplicates, r.overlapping, r.matches_proposed, r.skipped, r.findings,
                    ]
                )  # fmt: skip
            tables = {t: ws.conn.execute(sql).fetchall() for t, sql in TABLES.items()}
        finally:
            ws.close()
    return tables, reports, spy.started


@pytest.mark.parametrize("skip_invalid", [True, False])
def test_parallel_path_stores_what_the_serial_path_stores(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, skip_invalid: bool
) -> None:
    first = _write_csv(tmp_path / "messy.csv", _messy_rows(2500, seed=21))
    # The second file overlaps the first: duplicates found against stored rows too.
    second = _write_csv(
        tmp_path / "more.csv", _messy_rows(1200, seed=21)[600:] + _messy_rows(400, seed=5)
    )
    paths = [first, second]
    par_tables, par_reports, started = _run(
        tmp_path, "m", paths, parallel=True, skip_invalid=skip_invalid, monkeypatch=monkeypatch
    )
    ser_tables, ser_reports, serial_started = _run(
        tmp_path, "m", paths, parallel=False, skip_invalid=skip_invalid, monkeypatch=monkeypatch
    )
    assert started == 2 and serial_started == 0
    if skip_invalid:
        assert par_tables["counts"], "nothing was imported: the test proves nothing"
        assert par_reports[0][-2], "no skipped rows: the error path is not exercised"
        assert any(f.code == "row.duplicate" for f in par_reports[0][-1])
    else:
        assert par_reports[0][0] == "refused"
    for table in TABLES:
        assert par_tables[table] == ser_tables[table], table
    assert par_reports == ser_reports
    assert not multiprocessing.active_children()


def test_cancel_stops_the_worker_and_changes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(import_rows, "PARALLEL_MIN_BYTES", 1)
    monkeypatch.delenv(import_rows.WORKERS_ENV, raising=False)
    monkeypatch.setattr(importing, "BATCH", 500)
    path = _write_csv(tmp_path / "big.csv", _messy_rows(4000, seed=3))
    ws = Workspace.create(tmp_path / "cancel.clearslate")
    spy = _Spy(monkeypatch)

    class CancelAfterFirstBatch:
        reports = 0

        def report(self, done: int, total: int | None, message: str = "") -> None:
            self.reports += 1

        def cancelled(self) -> bool:
            return self.reports >= 1

    progress = CancelAfterFirstBatch()
    with pytest.raises(Cancelled):
        importing.import_file(ws, path, user="clerk", skip_invalid=True, progress=progress)
    assert spy.started == 1 and progress.reports >= 1
    assert ws.conn.execute("SELECT COUNT(*) FROM counts").fetchone()[0] == 0
    assert ws.conn.execute("SELECT COUNT(*) FROM sources").fetchone()[0] == 0
    assert not multiprocessing.active_children()
    ws.close()


def test_a_reading_error_in_the_worker_is_the_serial_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = _write_csv(tmp_path / "bad.csv", _messy_rows(3000, seed=4))
    # A byte that is not UTF-8 far into the file: the worker meets it, not the preview.
    data = path.read_bytes()
    cut = data.rindex(b"\n", 0, len(data) - 200) + 1
    path.write_bytes(data[:cut] + b"BA\xff\xfe" + data[cut:])
    errors = {}
    for mode in ("par", "ser"):
        with monkeypatch.context() as patch:
            patch.setattr(import_rows, "PARALLEL_MIN_BYTES", 1)
            if mode == "ser":
                patch.setenv(import_rows.WORKERS_ENV, "1")
            else:
                patch.delenv(import_rows.WORKERS_ENV, raising=False)
            ws = Workspace.create(tmp_path / f"bad-{mode}.clearslate")
            with pytest.raises(ImportFailed) as caught:
                importing.import_file(ws, path, user="clerk", encoding="utf-8", skip_invalid=True)
            assert ws.conn.execute("SELECT COUNT(*) FROM source_rows").fetchone()[0] == 0
            ws.close()
        errors[mode] = (str(caught.value), caught.value.row)
    assert errors["par"] == errors["ser"]
    assert errors["par"][1] is not None and errors["par"][1] > 2000
    assert not multiprocessing.active_children()


def test_only_big_text_files_go_parallel(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(import_rows.WORKERS_ENV, raising=False)
    path = _write_csv(tmp_path / "rows.csv", _messy_rows(3000, seed=9))
    size = path.stat().st_size
    with open_table(path) as table:
        assert not import_rows.parallel_wanted(table)  # below the default threshold
        monkeypatch.setattr(import_rows, "PARALLEL_MIN_BYTES", size)
        assert import_rows.parallel_wanted(table)
        monkeypatch.setenv(import_rows.WORKERS_ENV, "1")
        assert not import_rows.parallel_wanted(table)
    monkeypatch.delenv(import_rows.WORKERS_ENV)
    workbook = ROOT / "sample_workbooks" / "la_court_export.xlsx"
    with open_table(workbook) as table:
        monkeypatch.setattr(import_rows, "PARALLEL_MIN_BYTES", 1)
        assert not import_rows.parallel_wanted(table)  # workbooks are read on a thread instead
