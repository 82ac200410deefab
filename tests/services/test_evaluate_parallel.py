"""Evaluation in worker processes gives exactly the serial path's rows, reports and safety.

The parallel path is forced on a small randomized workspace (threshold 0, a few dozen
people per task so several tasks go to each of two real spawned workers) and compared
row for row with the serial path (``CLEARSLATE_WORKERS=1``) on an identical copy.
"""

from __future__ import annotations

import datetime as dt
import multiprocessing
import shutil
from pathlib import Path
from typing import Any

import pytest

from app.core.errors import Cancelled, ClearSlateError
from app.core.model import Outcome, Reason
from app.core.progress import PolledProgress
from app.services import evaluate_parallel as parallel
from app.services.evaluate import evaluate
from app.store import evaluation as store
from app.store.workspace import Workspace
from tests.conftest import make_workspace
from tests.evaluation_seed import blank_run
from tests.services.test_evaluate_equivalence import _fill


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = Path(tmp_path_factory.mktemp("par"))
    ws = make_workspace(folder, users=False)
    _fill(ws, people=400, seed=5)
    path = ws.path
    ws.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    ws.close()
    return path


def _copy(base: Path, folder: Path, name: str) -> Workspace:
    target = folder / f"{name}.clearslate"
    shutil.copy(base, target)
    return Workspace.open(target)


@pytest.fixture
def forced(monkeypatch: pytest.MonkeyPatch) -> None:
    """Parallel from the first count, in tasks small enough that each worker gets several."""
    monkeypatch.setattr(parallel, "MIN_COUNTS", 0)
    monkeypatch.setattr(parallel, "PEOPLE_PER_TASK", 37)
    monkeypatch.setenv(parallel.WORKERS_ENV, "2")


def _rows(ws: Workspace, run_id: int | None) -> list[tuple[Any, ...]]:
    return [
        tuple(r)
        for r in ws.conn.execute(
            "SELECT run_id, count_id, outcome, rule_ids, reasons FROM recommendations "
            "WHERE run_id = ? ORDER BY count_id",
            (run_id,),
        )
    ]


def _same_report(a: Any, b: Any) -> None:
    assert (a.run_id, a.count_total, a.people_total, a.outcomes) == (
        b.run_id,
        b.count_total,
        b.people_total,
        b.outcomes,
    )
    assert (a.previous_run_id, a.changed_total, a.changed, a.rereview_total) == (
        b.previous_run_id,
        b.changed_total,
        b.changed,
        b.rereview_total,
    )


@pytest.mark.parametrize("policy", ["ca-prop64-la-2020", "ny-mrta-2021"])
def test_parallel_runs_equal_serial_runs_row_for_row(
    base: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, forced: None, policy: str
) -> None:
    serial_ws, parallel_ws = _copy(base, tmp_path, "serial"), _copy(base, tmp_path, "parallel")
    try:
        reports: dict[str, list[Any]] = {}
        for name, ws, workers in (("serial", serial_ws, "1"), ("parallel", parallel_ws, "2")):
            monkeypatch.setenv(parallel.WORKERS_ENV, workers)
            ws.set_setting("policy_id", policy, user="admin")
            first = evaluate(ws, user="admin", as_of=dt.date(2024, 1, 1))
            # A second run against the first: the changed list comes from the workers'
            # ranges of the previous run and must match the serial comparison in order.
            # (The LA order's reference date is fixed, so options move its answers instead.)
            moved = (
                {"older_age": 100, "young_age": 18, "years_without_conviction": 50}
                if policy == "ca-prop64-la-2020"
                else None
            )
            second = evaluate(ws, user="admin", as_of=dt.date(1990, 1, 1), options=moved)
            dry = evaluate(ws, user="admin", as_of=dt.date(2024, 1, 1), dry_run=True)
            reports[name] = [first, second, dry]
        for a, b in zip(reports["serial"], reports["parallel"], strict=True):
            _same_report(a, b)
        first, second, dry = reports["parallel"]
        if policy == "ca-prop64-la-2020":  # its dismissal criteria move with the options
            assert second.changed_total > 0 and second.changed  # so the comparison proves something
            assert dry.changed_total > 0 and dry.run_id is None
        for report in (first, second):
            stored = _rows(parallel_ws, report.run_id)
            assert stored == _rows(serial_ws, report.run_id)
            assert len(stored) == report.count_total > 0
        assert parallel_ws.conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert multiprocessing.active_children() == []
    finally:
        serial_ws.close()
        parallel_ws.close()


def test_cancel_in_the_parallel_path_rolls_back_and_stops_the_workers(
    base: Path, tmp_path: Path, forced: None
) -> None:
    ws = _copy(base, tmp_path, "cancel")
    seen: list[int] = []

    class CancelAfterFirstTask(PolledProgress):
        def report(self, done: int, total: int, message: str = "") -> None:
            seen.append(len(multiprocessing.active_children()))
            self.cancel()

    try:
        with pytest.raises(Cancelled):
            evaluate(ws, user="admin", progress=CancelAfterFirstTask())
        assert seen == [2]  # it ran in two workers, and was cancelled after one task
        assert store.list_runs(ws) == []
        assert ws.conn.execute("SELECT count(*) FROM recommendations").fetchone()[0] == 0
        assert multiprocessing.active_children() == []
    finally:
        ws.close()


def test_a_killed_worker_fails_the_run_cleanly(base: Path, tmp_path: Path, forced: None) -> None:
    ws = _copy(base, tmp_path, "killed")

    class KillAWorker(PolledProgress):
        def report(self, done: int, total: int, message: str = "") -> None:
            for child in multiprocessing.active_children():
                child.kill()

    try:
        with pytest.raises(ClearSlateError, match="stopped unexpectedly"):
            evaluate(ws, user="admin", progress=KillAWorker())
        assert store.list_runs(ws) == []
        assert multiprocessing.active_children() == []
        # The workspace is intact and the serial path still works on it.
        assert ws.conn.execute("PRAGMA quick_check").fetchone()[0] == "ok"
    finally:
        ws.close()


def test_small_runs_stay_in_one_process(base: Path, tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.delenv(parallel.WORKERS_ENV, raising=False)
    ws = _copy(base, tmp_path, "small")
    children: list[int] = []

    class Watch(PolledProgress):
        def report(self, done: int, total: int, message: str = "") -> None:
            children.append(len(multiprocessing.active_children()))

    try:
        report = evaluate(ws, user="admin", progress=Watch())
        assert report.count_total < parallel.MIN_COUNTS
        assert children and set(children) == {0}
    finally:
        ws.close()


def test_worker_count(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(parallel.WORKERS_ENV, raising=False)
    assert parallel.worker_count(parallel.MIN_COUNTS - 1) == 1
    monkeypatch.setattr(parallel.os, "cpu_count", lambda: 2)
    assert parallel.worker_count(parallel.MIN_COUNTS) == 2
    monkeypatch.setattr(parallel.os, "cpu_count", lambda: 1)
    assert parallel.worker_count(10**6) == 1
    monkeypatch.setattr(parallel.os, "cpu_count", lambda: 64)
    assert parallel.worker_count(10**6) == parallel.MAX_WORKERS
    monkeypatch.setenv(parallel.WORKERS_ENV, "1")
    assert parallel.worker_count(10**6) == 1
    monkeypatch.setenv(parallel.WORKERS_ENV, "3")
    assert parallel.worker_count(10) == 3
    monkeypatch.setenv(parallel.WORKERS_ENV, "many")
    assert parallel.worker_count(10**6) == 1


def test_person_id_ranges_cover_everyone_once(base: Path) -> None:
    ws = Workspace.open(base)
    try:
        ranges = store.person_id_ranges(ws, 37)
        ids = [r[0] for r in ws.conn.execute("SELECT id FROM people ORDER BY id")]
        covered = [i for first, last in ranges for i in ids if first <= i <= last]
        assert covered == ids and len(ranges) == -(-len(ids) // 37)
        people = [
            p.person_id for lo, hi in ranges for b in store.iter_people_range(ws, lo, hi) for p in b
        ]
        assert people == ids
    finally:
        ws.close()


def test_encoders_with_offsets_and_start_overs_write_the_plain_rows(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two encoders (as two workers) interleaved, each starting its sets over: the rows are
    what one plain encoder writes."""
    monkeypatch.setattr(store, "_SETS_LIMIT", 3)
    ws = make_workspace(tmp_path, users=False)
    try:
        _fill(ws, people=30)
        count_ids = [r[0] for r in ws.conn.execute("SELECT id FROM counts ORDER BY id")]
        reasons = [(Reason(f"r.{i}", f"Reason {i} (HS 1).", "HS 1", {"n": i}),) for i in range(7)]
        outcomes = list(Outcome)
        results = [
            (cid, outcomes[i % len(outcomes)], reasons[(i * 5) % 7])
            for i, cid in enumerate(count_ids)
        ]
        half = len(results) // 2
        with ws.transaction():
            runs = [
                blank_run(ws)
                for _ in range(2)
            ]
            with store.ResultWriter(ws, runs[0], store.ReasonCache()) as writer:
                for i in range(0, len(results), 4):
                    writer.write(results[i : i + 4])
            a, b = store.ResultEncoder(), store.ResultEncoder()
            with store.ResultWriter(ws, runs[1], store.ReasonCache()) as writer:
                # The two "workers" alternate, each in its own order; b has the longer half.
                a_parts = [results[i : min(i + 4, half)] for i in range(0, half, 4)]
                b_parts = [results[j : j + 4] for j in range(half, len(results), 4)]
                assert len(b_parts) >= len(a_parts)
                for k, b_part in enumerate(b_parts):
                    if k < len(a_parts):
                        writer.write_encoded(a.encode(a_parts[k]), store.SET_ID_SPAN)
                    writer.write_encoded(b.encode(b_part), 2 * store.SET_ID_SPAN)
                with pytest.raises(ValueError):
                    writer.write_encoded(a.encode([]), 5)
        plain = [r[1:] for r in _rows(ws, runs[0])]
        assert len(plain) == len(results)
        assert [r[1:] for r in _rows(ws, runs[1])] == plain
    finally:
        ws.close()


def test_count_ids_outside_the_codes_range_are_written_as_pairs(tmp_path: Path) -> None:
    """The encoder packs (count id, set id) into one integer; a batch holding a count id the
    packing cannot carry (2**39 and up, or negative) is sent as pairs: rows stay the plain
    executemany path's."""
    ws = make_workspace(tmp_path, users=False)
    try:
        _fill(ws, people=12)
        ids = [r[0] for r in ws.conn.execute("SELECT id FROM counts ORDER BY id")]
        with ws.transaction():  # no recommendation refers to a count yet: ids can move
            ws.conn.execute("UPDATE counts SET id = ? WHERE id = ?", (2**40 + 7, ids[0]))
            ws.conn.execute("UPDATE counts SET id = ? WHERE id = ?", (-3, ids[1]))
        count_ids = [r[0] for r in ws.conn.execute("SELECT id FROM counts ORDER BY id")]
        assert 2**40 + 7 in count_ids and -3 in count_ids
        reasons = [(Reason(f"r.{i}", f"Reason {i}.", "HS 1", {"n": i}),) for i in range(3)]
        results = [(cid, Outcome.NEEDS_REVIEW, reasons[i % 3]) for i, cid in enumerate(count_ids)]
        small = [r for r in results if 0 <= r[0] < 2**39]
        big = [r for r in results if r[0] >= 2**39]
        negative = [r for r in results if r[0] < 0]
        encoder = store.ResultEncoder()
        assert not encoder.encode(small[:3])[2].startswith("[[")  # codes
        assert encoder.encode(big + small[:1])[2].startswith("[[")  # pairs
        assert encoder.encode(small[:1] + negative)[2].startswith("[[")
        with ws.transaction():
            runs = [
                blank_run(ws)
                for _ in range(2)
            ]
            store.save_results(ws, runs[0], results, store.ReasonCache())
            with store.ResultWriter(ws, runs[1], store.ReasonCache()) as writer:
                writer.write(small[:5])
                writer.write(big + small[5:8])
                writer.write(small[8:10] + negative)
                writer.write(small[10:])
        plain = [r[1:] for r in _rows(ws, runs[0])]
        assert len(plain) == len(results)
        assert [r[1:] for r in _rows(ws, runs[1])] == plain
    finally:
        ws.close()


def test_code_fed_on_standard_input_stays_serial(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """A spawned worker cannot re-import a main script that has no file; stay serial instead."""
    import subprocess
    import sys

    code = (
        "import os; os.environ.pop('CLEARSLATE_WORKERS', None)\n"
        "from app.services.evaluate_parallel import worker_count, MIN_COUNTS\n"
        "print(worker_count(MIN_COUNTS * 10))\n"
    )
    result = subprocess.run([sys.executable, "-"], input=code, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "1"
