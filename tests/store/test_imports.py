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


# -- person keys of different types (a CII number equal to a county's person id) -----------------

DOJ = ["Case No", "Count", "Name", "DOB", "CII_NUMBER", "Charge", "Disposition"]
COUNTY = ["Case No", "Count", "Name", "DOB", "Person ID", "Charge", "Disposition"]


def _load(ws: Workspace, headers: list[str], rows: list[list[object]], name: str) -> imports.ImportTotals:
    normalizer = RowNormalizer(resolve(guess_mapping(headers), headers), file=name, sheet=None)
    batch = normalizer.normalize_rows(list(enumerate(rows, start=2)))
    assert not batch.errors and len(batch) == len(rows), batch.findings
    info = imports.SourceInfo(name, name.ljust(64, "0"), None, "csv", None, {}, headers, 1, "clerk")
    with ws.transaction():
        writer = imports.ImportWriter(ws, info)
        writer.add_rows(batch)
        return writer.finish(row_count=len(rows), skipped_rows=0)


def _person_of(ws: Workspace, case_number: str) -> tuple[str, str, str]:
    row = ws.conn.execute(
        "SELECT p.person_key, p.key_type, p.full_name FROM cases c JOIN people p ON p.id = c.person_id "
        "WHERE c.case_number = ?",
        (case_number,),
    ).fetchone()
    assert row is not None, case_number
    return tuple(row)  # type: ignore[return-value]


def test_the_same_key_under_another_key_type_is_another_person(ws: Workspace) -> None:
    _load(
        ws,
        DOJ,
        [
            ["D-1", "1", "OKAFOR, INGRID", "1968-04-02", "00007920", "11357 HS", "CONVICTED"],
            ["D-2", "1", "MORALES, ANA", "1975-03-04", "00000042", "11357 HS", "CONVICTED"],
        ],
        "doj.csv",
    )
    totals = _load(
        ws,
        COUNTY,
        [
            # Another person whose county id happens to be the same digits: never merged.
            ["KC-0007920", "1", "PERSON7920, NAME", "1970-01-01", "00007920", "11359 HS", "CONVICTED"],
            # Same digits, same name and date of birth: kept apart, but proposed as a match.
            ["KC-0000042", "1", "MORALES, ANA", "1975-03-04", "00000042", "11360 HS", "CONVICTED"],
        ],
        "county.csv",
    )
    assert totals.people == 2 and totals.key_other_type == 2 and totals.matches_proposed == 1
    assert _person_of(ws, "KC-0007920") == ("00007920", "Person ID", "PERSON7920, NAME")
    assert _person_of(ws, "D-1") == ("00007920", "CII_NUMBER", "OKAFOR, INGRID")
    # Nobody's convictions became another person's: each person has their own counts.
    assert ws.conn.execute(
        "SELECT COUNT(DISTINCT person_id), COUNT(*) FROM counts"
    ).fetchone() == (4, 4)
    [match] = imports.list_matches(ws)
    assert (match.key_a, match.key_b, match.name_a) == ("00000042", "00000042", "MORALES, ANA")
    [finding] = [
        f for f in imports.source_findings(ws, totals.source_id) if f.code == "person.key_other_type"
    ]
    assert finding.column == "Person ID" and finding.severity == "warning"
    assert "CII_NUMBER" in finding.message and "00007920" in finding.message

    # Within one type, a key still joins its person, whatever the file and however the
    # header is spelled ("PERSON_ID" is the same type as "Person ID").
    totals = _load(
        ws,
        ["Case No", "Count", "Name", "DOB", "PERSON_ID", "Charge", "Disposition"],
        [["KC-9", "1", "PERSON7920, NAME", "1970-01-01", "00007920", "11357 HS", "DISMISSED"]],
        "county2.csv",
    )
    assert totals.people == 0 and totals.key_other_type == 0 and totals.matches_proposed == 0
    assert _person_of(ws, "KC-9")[2] == "PERSON7920, NAME"
    totals = _load(
        ws,
        DOJ,
        [["D-3", "1", "OKAFOR, INGRID", "1968-04-02", "00007920", "11357 HS", "DISMISSED"]],
        "doj2.csv",
    )
    assert totals.people == 0 and _person_of(ws, "D-3")[2] == "OKAFOR, INGRID"


def test_keys_of_different_types_never_hide_a_same_name_and_dob_person(ws: Workspace) -> None:
    """The state's extract and the court's export number people differently: the same person
    under two unrelated keys is proposed (confirming it puts the DOJ priors beside the court
    counts); two different keys of one type are two people and are not."""
    _load(
        ws,
        DOJ,
        [
            ["D-1", "1", "MORALES, ANA", "1975-03-04", "00000042", "187 PC", "CONVICTED"],
            ["D-2", "1", "MORALES, ANA", "1975-03-04", "00000043", "11357 HS", "CONVICTED"],
        ],
        "doj.csv",
    )
    assert imports.list_matches(ws) == []  # two CII numbers: two people
    totals = _load(
        ws,
        COUNTY,
        [["KC-7", "1", "MORALES, ANA", "1975-03-04", "P-991", "11359 HS", "CONVICTED"]],
        "county.csv",
    )
    assert totals.people == 1 and totals.matches_proposed == 1
    [match] = imports.list_matches(ws)
    assert (match.key_a, match.key_b) == ("00000042", "P-991")  # the earliest, as a star
    totals = _load(
        ws,
        COUNTY,
        [["KC-8", "1", "MORALES, ANA", "1975-03-04", "P-992", "11359 HS", "CONVICTED"]],
        "county2.csv",
    )
    # Another county id: proposed against the earliest person of another key type only.
    assert totals.matches_proposed == 1
    assert [(m.key_a, m.key_b) for m in imports.list_matches(ws)][-1] == ("00000042", "P-992")


def test_a_confirmed_match_takes_later_rows_of_either_key(ws: Workspace) -> None:
    _load(ws, DOJ, [["D-1", "1", "MORALES, ANA", "1975-03-04", "42", "11357 HS", "CONVICTED"]], "a.csv")
    _load(ws, COUNTY, [["K-1", "1", "MORALES, ANA", "1975-03-04", "42", "11357 HS", "CONVICTED"]], "b.csv")
    [match] = imports.list_matches(ws)
    imports.decide_match(ws, match.id, confirm=True, user="sup")
    totals = _load(
        ws, COUNTY, [["K-2", "1", "MORALES, ANA", "1975-03-04", "42", "11359 HS", "CONVICTED"]], "c.csv"
    )
    assert totals.people == 0 and totals.matches_proposed == 0
    owners = ws.conn.execute("SELECT DISTINCT person_id FROM counts").fetchall()
    assert owners == [(match.person_a,)]


def test_a_record_joined_to_a_person_is_never_proposed_again(ws: Workspace) -> None:
    """CII 1 and a keyless court record were confirmed one person. A later CII 2 of the same
    name and date of birth is another person (two CII numbers); it must not be proposed
    against the joined (now empty) keyless record, which would join it to nobody's history."""
    keyless = ["Case No", "Count", "Name", "DOB", "Charge", "Disposition"]
    _load(ws, DOJ, [["D-1", "1", "MORALES, ANA", "1975-03-04", "1", "187 PC", "CONVICTED"]], "a.csv")
    _load(ws, keyless, [["K-1", "1", "MORALES, ANA", "1975-03-04", "11357 HS", "CONVICTED"]], "b.csv")
    [match] = imports.list_matches(ws)
    imports.decide_match(ws, match.id, confirm=True, user="sup")
    totals = _load(
        ws, DOJ, [["D-2", "1", "MORALES, ANA", "1975-03-04", "2", "11359 HS", "CONVICTED"]], "c.csv"
    )
    assert totals.people == 1 and totals.matches_proposed == 0
    assert imports.list_matches(ws) == []
