"""The import writer's SQL: explicit ids, dedupe against the workspace, index rebuild, matches."""

from __future__ import annotations

import pytest

from app.core.errors import ImportFailed
from app.core.rowbatch import RowBatch
from app.ingest.mapping import guess_mapping, resolve
from app.ingest.normalize_rows import RowNormalizer
from app.store import imports
from app.store.workspace import Workspace

HEADERS = ["Case No", "Count", "Name", "DOB", "SID", "Charge", "Disposition"]



def records(rows: list[list[object]]) -> RowBatch:
    normalizer = RowNormalizer(resolve(guess_mapping(HEADERS), HEADERS), file="f.csv", sheet=None)
    batch = normalizer.normalize_rows(list(enumerate(rows, start=2)))
    assert not batch.errors and len(batch) == len(rows), batch.findings
    return batch


def source(name: str = "f.csv", sha: str = "a" * 64) -> imports.SourceInfo:
    return imports.SourceInfo(name, sha, None, "csv", None, {}, HEADERS, 1, "clerk")


def test_writer_needs_a_transaction(ws: Workspace) -> None:
    with pytest.raises(RuntimeError):
        imports.ImportWriter(ws, source())


def test_rows_people_cases_and_dedupe_within_and_across_sources(ws: Workspace) -> None:
    rows = [
        ["C1", "1", "DOE, JO", "1980-01-02", "K1", "11357 HS", "CONVICTED"],
        ["C1", "2", "DOE, JO", "1980-01-02", "K1", "11359 HS", "CONVICTED"],
    ]
    with ws.transaction():
        writer = imports.ImportWriter(ws, source())
        hits = writer.add_rows(records(rows + [rows[0]]))
        totals = writer.finish(row_count=3, skipped_rows=0)
    assert [(h.row_number, h.first_row, h.same_source) for h in hits] == [(4, 2, True)]
    assert (totals.counts, totals.cases, totals.people, totals.duplicates, totals.source_rows) == (
        2,
        1,
        1,
        1,
        3,
    )
    assert ws.conn.execute("SELECT status FROM cases").fetchone()[0] == "closed"
    assert ws.conn.execute("SELECT row_count, imported_rows FROM sources").fetchone() == (3, 2)
    assert imports.find_source(ws, "a" * 64, None) is not None
    assert imports.find_source(ws, "a" * 64, "Sheet1") is None

    with ws.transaction():
        writer = imports.ImportWriter(ws, source("g.csv", "b" * 64))
        hits = writer.add_rows(
            records([rows[1], ["C2", "1", "DOE, JO", "1980-01-02", "K1", "11360 HS", "WARRANT"]])
        )
        totals = writer.finish(row_count=2, skipped_rows=0)
    assert [(h.first_file, h.first_row, h.same_source) for h in hits] == [("f.csv", 3, False)]
    assert (totals.counts, totals.people, totals.overlapping) == (1, 0, 1)
    assert (
        ws.conn.execute("SELECT status FROM cases WHERE case_number = 'C2'").fetchone()[0]
        == "warrant"
    )


def test_sqlite_errors_become_import_failed_and_roll_back(ws: Workspace) -> None:
    ws.conn.execute(
        "CREATE TRIGGER boom BEFORE INSERT ON counts BEGIN SELECT RAISE(ABORT, 'disk I/O error'); END"
    )
    with pytest.raises(ImportFailed, match="nothing was imported"), ws.transaction():
        writer = imports.ImportWriter(ws, source())
        writer.add_rows(
            records([["C1", "1", "DOE, JO", "1980-01-02", "K1", "11357 HS", "CONVICTED"]])
        )
    assert imports.workspace_totals(ws) == {
        "people": 0,
        "cases": 0,
        "counts": 0,
        "events": 0,
        "sources": 0,
        "source_rows": 0,
    }


def test_indexes_are_kept_when_the_workspace_already_has_counts(ws: Workspace) -> None:
    with ws.transaction():
        writer = imports.ImportWriter(ws, source())
        assert writer._dropped
        writer.add_rows(
            records([["C1", "1", "DOE, JO", "1980-01-02", "K1", "11357 HS", "CONVICTED"]])
        )
        writer.finish(row_count=1, skipped_rows=0)
    with ws.transaction():
        writer = imports.ImportWriter(ws, source("g.csv", "b" * 64))
        assert not writer._dropped
        writer.finish(row_count=0, skipped_rows=0)


@pytest.mark.parametrize("keep_indexes", [False, True])
def test_a_first_load_ends_with_every_bulk_index(ws: Workspace, keep_indexes: bool) -> None:
    from app.store.schema import BULK_INDEXES

    wanted = {imports._index_name(statement) for statement in BULK_INDEXES}
    with ws.transaction():
        writer = imports.ImportWriter(ws, source(), keep_indexes=keep_indexes)
        present = {
            r[0] for r in ws.conn.execute("SELECT name FROM sqlite_master WHERE type = 'index'")
        }
        # Kept while rows go in: only the ones with (nearly) increasing keys, and only if asked.
        kept = wanted & present
        assert kept == (imports._KEPT_WHILE_WAITING if keep_indexes else set())
        writer.add_rows(
            records([["C1", "1", "DOE, JO", "1980-01-02", "K1", "11357 HS", "CONVICTED"]])
        )
        writer.finish(row_count=1, skipped_rows=0)
    present = {r[0] for r in ws.conn.execute("SELECT name FROM sqlite_master WHERE type = 'index'")}
    assert wanted <= present
