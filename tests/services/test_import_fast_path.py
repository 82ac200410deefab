"""The fast import path (batch normalization, first-load writer) stores exactly what the plain path stores.

Each file is imported twice into fresh workspaces: once as shipped, once with the
straightforward path forced (``RowNormalizer.normalize`` row by row, and the writer keeping
every index and looking duplicates up in SQLite). Every table must match row for row, and the
report's findings must be the same list.
"""

from __future__ import annotations

import csv
import datetime as dt
import random
from pathlib import Path
from typing import Any

import pytest

from app.ingest.normalize_rows import RowNormalizer
from app.services import importing
from app.store import imports as store_imports
from app.store.workspace import Workspace
from app.tools.make_samples import BENCH_HEADERS

ROOT = Path(__file__).resolve().parents[2]
TODAY = dt.date(2026, 1, 1)
TABLES = {
    # sources: everything but the time stamp of the import
    "sources": "SELECT id, file_name, file_sha256, sheet, file_kind, profile, mapping, headers, header_row, "
    "row_count, imported_rows, skipped_rows, imported_by FROM sources ORDER BY id",
    "source_rows": "SELECT * FROM source_rows ORDER BY id",
    "import_findings": "SELECT * FROM import_findings ORDER BY id",
    "people": "SELECT * FROM people ORDER BY id",
    "cases": "SELECT * FROM cases ORDER BY id",
    "counts": "SELECT * FROM counts ORDER BY id",
    "events": "SELECT * FROM events ORDER BY id",
    "person_matches": "SELECT * FROM person_matches ORDER BY id",
}


def _import(
    tmp_path: Path, name: str, paths: list[Path], *, fast: bool, monkeypatch: pytest.MonkeyPatch
) -> tuple[dict[str, list[tuple[Any, ...]]], list[list[Any]]]:
    with monkeypatch.context() as patch:
        # Small batches so duplicates span batches (the writer's cross-batch lookups).
        patch.setattr(importing, "BATCH", 700)
        if not fast:
            patch.setattr(RowNormalizer, "normalize_rows", RowNormalizer.rows_one_by_one)
            patch.setattr(store_imports.ImportWriter, "first_load_fast", False)
        ws = Workspace.create(tmp_path / f"{name}-{'fast' if fast else 'plain'}.clearslate")
        try:
            reports = []
            for path in paths:
                report = importing.import_file(
                    ws, path, user="clerk", skip_invalid=True, today=TODAY
                )
                reports.append(
                    [
                        report.status,
                        report.rows,
                        report.people,
                        report.cases,
                        report.counts,
                        report.events,
                        report.duplicates,
                        report.overlapping,
                        report.matches_proposed,
                        report.skipped,
                        report.findings,
                    ]
                )
            tables = {t: ws.conn.execute(sql).fetchall() for t, sql in TABLES.items()}
        finally:
            ws.close()
    return tables, reports


def _assert_same(
    tmp_path: Path, name: str, paths: list[Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    fast_tables, fast_reports = _import(tmp_path, name, paths, fast=True, monkeypatch=monkeypatch)
    plain_tables, plain_reports = _import(
        tmp_path, name, paths, fast=False, monkeypatch=monkeypatch
    )
    assert fast_tables["counts"] or fast_tables["events"], (
        "nothing was imported: the test proves nothing"
    )
    for table in TABLES:
        assert len(fast_tables[table]) == len(plain_tables[table]), table
        for fast_row, plain_row in zip(fast_tables[table], plain_tables[table], strict=True):
            assert fast_row == plain_row, table
    assert fast_reports == plain_reports


# -- a synthetic file with messy values ------------------------------------------------------------

# The court-export layout of the benchmark and make_samples (16 columns).
HEADERS = BENCH_HEADERS
MESSY: dict[str, list[Any]] = {
    "case": [
        "BA0001",
        "ba-0001",
        " BA 0002 ",
        "",
        None,
        "BA0003",
        "1.2E+05",
        "BA\u00a00004",
        "CR-77",
    ],
    "count": [1, 2, "1", " 3 ", None, "", "COUNT 1", 2.0],
    "last": ["NÚÑEZ", "DOE", "doe", "O'BRIEN", "", None, "SMITH\u200b", "  LEE  ", "DE LA CRUZ"],
    "first": ["JOSÉ", "JANE", "jane", "", None, "MARY ANN", "AL\u00a0"],
    "dob": [
        "01/02/1980",
        "1980-01-02",
        "02/30/1990",
        "00/00/0000",
        "01/02/80",
        "2030-01-01",
        "",
        "19800102",
        dt.date(1975, 5, 6),
        dt.datetime(1981, 7, 8),
        29221,
        "sometime",
    ],
    "cii": ["00012345", "12345", 12345, "A123", "", None, "1.23457E+11", " 0007 ", "ＩＤ９"],
    "sex": ["M", "F", "male", "X", "", None, "f "],
    "race": ["W", "B", "H", "", None, "Hispanic\u200b"],
    "court": ["Central", "central ", "", None, "Van Nuys"],
    "county": ["LOS ANGELES", "Los Angeles", "", None],
    "filed": ["03/04/1999", "1999-03-04", "13/45/1999", "", None, dt.date(1999, 3, 4), "3/4/99"],
    "charge": [
        "HS 11357(B)",
        "11357(b) HS",
        "HS 11359",
        "PC 459",
        "VC 23152(A)",
        "",
        None,
        "XYZ 1",
        "664/11357(c) HS",
        "SEE COMMENT FOR CHARGE",
        "11357.5 HS",
        "H&S 11360(a)(1)",
    ],
    "desc": [
        "POSSESS 28.5 GRAMS OR LESS",
        "",
        None,
        "BURGLARY",
        "POSS\u00a0MARIJ",
        "UNKNOWN THING",
    ],
    "level": ["M", "F", "MISD", "FELONY", "", None, "I", "Q", "felony "],
    "disp": [
        "CONVICTED",
        "DISMISSED",
        "ACQUITTED",
        "",
        None,
        "WARRANT",
        "OPEN",
        "REGISTRATION",
        "SOMETHING ELSE",
        "convicted ",
    ],
    "disp_date": [
        "05/06/2000",
        "2000-05-06",
        "",
        None,
        "99/99/2000",
        dt.date(2000, 5, 6),
        "5/6/00",
    ],
}


def _clean_row(rng: random.Random) -> list[Any]:
    return [
        f"BA{rng.randint(1, 300):05d}", rng.randint(1, 3), rng.choice(["DOE", "ROE", "LEE"]),
        rng.choice(["JANE", "JOHN"]), "01/02/1980", f"{rng.randint(1, 200):08d}", "M", "W", "Central",
        "LOS ANGELES", "03/04/1999", rng.choice(["HS 11357(B)", "PC 459"]), "POSSESS", "M",
        "CONVICTED", "05/06/2000",
    ]  # fmt: skip


def _messy_rows(n: int, seed: int) -> list[list[Any]]:
    rng = random.Random(seed)
    rows: list[list[Any]] = []
    keys = list(MESSY)
    while len(rows) < n:
        roll = rng.random()
        if roll < 0.03 and rows:
            rows.append(list(rng.choice(rows)))  # an exact duplicate of an earlier row
            continue
        if roll < 0.05 and rows:
            copy = list(rng.choice(rows))  # the same count with another detail changed
            copy[7] = rng.choice(MESSY["race"])
            rows.append(copy)
            continue
        if roll < 0.07:
            rows.append([None] * len(HEADERS))  # a blank row
            continue
        if roll < 0.5:
            rows.append(_clean_row(rng))  # mostly clean rows (the common case the fast path is for)
            continue
        row = [rng.choice(MESSY[k]) for k in keys]  # ... and messy ones
        if rng.random() < 0.05:
            row.append("an extra cell beyond the headers")
        rows.append(row)
    return rows


def _write_csv(path: Path, rows: list[list[Any]], headers: list[str] = HEADERS) -> Path:
    def text(v: Any) -> str:
        if v is None:
            return ""
        if isinstance(v, dt.date):
            return v.strftime("%m/%d/%Y")
        return str(v)

    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(headers)
        writer.writerows([[text(v) for v in row] for row in rows])
    return path


def _write_xlsx(path: Path, rows: list[list[Any]]) -> Path:
    import xlsxwriter

    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet("Export")
    date_format = book.add_format({"num_format": "mm/dd/yyyy"})
    sheet.write_row(0, 0, ["MESSY COUNTY EXPORT"])  # a title row above the header
    sheet.write_row(2, 0, HEADERS)
    for r, row in enumerate(rows, start=3):
        for c, value in enumerate(row):
            if value is None:
                continue
            if isinstance(value, dt.date):
                when = (
                    value
                    if isinstance(value, dt.datetime)
                    else dt.datetime.combine(value, dt.time())
                )
                sheet.write_datetime(r, c, when, date_format)
            elif isinstance(value, int | float):
                sheet.write_number(r, c, value)
            else:
                sheet.write_string(r, c, value)
    book.close()
    return path


def test_messy_csv_and_xlsx_import_identically(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    csv_path = _write_csv(tmp_path / "messy.csv", _messy_rows(2500, seed=11))
    xlsx_path = _write_xlsx(tmp_path / "messy.xlsx", _messy_rows(2500, seed=12))
    # The second file overlaps the first (same keys): the writer's lookups against stored rows.
    _assert_same(tmp_path, "messy", [csv_path, xlsx_path], monkeypatch)


def test_clean_rows_take_the_fast_path(tmp_path: Path) -> None:
    """Guard the test above: on clean rows the batch path must not fall back to normalize()."""
    path = _write_csv(
        tmp_path / "clean.csv",
        [_clean_row(random.Random(i)) for i in range(400)],
    )
    prepared = importing._prepare(
        path,
        sheet=None,
        encoding=None,
        header_row=None,
        mapping=None,
        profile=None,
        overrides=None,
        ws=None,
    )
    try:
        from app.ingest.mapping import resolve

        resolved = resolve(prepared.mapping, prepared.headers, file=path.name, sheet=None)
        normalizer = importing._normalizer(prepared, path, resolved, TODAY)
        assert normalizer._fast_ok
        rows = list(importing._data_rows(prepared.table, prepared.header_row))
        calls = 0
        reference = normalizer.normalize

        def counting(*args: Any) -> Any:
            nonlocal calls
            calls += 1
            return reference(*args)

        normalizer.normalize = counting  # type: ignore[method-assign]
        batch = normalizer.normalize_rows(rows)
    finally:
        prepared.table.close()
    assert len(batch) == len(rows) > 100
    assert calls == 0


@pytest.mark.parametrize(
    "sample", ["la_court_export.xlsx", "messy_county_export.xlsx", "ca_doj_extract.xlsx"]
)
def test_sample_workbooks_import_identically(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, sample: str
) -> None:
    path = ROOT / "sample_workbooks" / sample
    if not path.exists():
        pytest.skip("sample_workbooks/ is not built")
    _assert_same(tmp_path, sample, [path], monkeypatch)


def test_case_status_over_all_counts(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    base = _clean_row(random.Random(1))
    rows = []
    for case, dispositions in {
        "BA1": ["CONVICTED", "WARRANT", "DISMISSED"],
        "BA2": ["CONVICTED", "OPEN"],
        "BA3": ["WARRANT"],
        "BA4": ["DISMISSED", "CONVICTED"],
    }.items():
        for n, disposition in enumerate(dispositions, 1):
            row = list(base)
            row[0], row[1], row[14] = case, n, disposition
            rows.append(row)
    path = _write_csv(tmp_path / "status.csv", rows)
    _assert_same(tmp_path, "status", [path], monkeypatch)
    tables, _ = _import(tmp_path, "status-check", [path], fast=True, monkeypatch=monkeypatch)
    assert [(c[2], c[8]) for c in tables["cases"]] == [
        ("BA1", "warrant"),
        ("BA2", "open"),
        ("BA3", "warrant"),
        ("BA4", "closed"),
    ]


def test_keys_of_another_type_import_identically(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two sources whose person keys collide under different key types (a DOJ file's
    CII_NUMBER, a county file's Person ID): new people and proposed matches on both paths."""
    rng = random.Random(7)
    doj = [_clean_row(rng) for _ in range(1500)]
    for i, row in enumerate(doj):
        row[5] = f"{i % 200 + 1:08d}"  # every key 1..200 is a DOJ person's
    county = []
    for row in (_clean_row(rng) for _ in range(1500)):
        row[0] = "KC" + row[0]  # the county's own case numbers
        if rng.random() < 0.5:
            row[4] = "03/04/1970"  # another person: only the key's digits agree
        county.append(row)

    def headers(key: str) -> list[str]:
        # Headers of no shipped profile (the court profile would read its own 'CII' column).
        return [
            "Case No", "Count No", "Last Name", "First Name", "DOB", key, "Sex", "Race", "Court",
            "County", "Filed", "Charge", "Charge Desc", "Level", "Disposition", "Disp Date",
        ]  # fmt: skip

    doj_path = _write_csv(tmp_path / "doj.csv", doj, headers("CII_NUMBER"))
    county_path = _write_csv(tmp_path / "county.csv", county, headers("Person ID"))
    _assert_same(tmp_path, "kinds", [doj_path, county_path], monkeypatch)
    tables, reports = _import(
        tmp_path, "kinds-check", [doj_path, county_path], fast=True, monkeypatch=monkeypatch
    )
    doj_people = {p[1] for p in tables["people"] if p[2] == "CII_NUMBER"}
    county_people = {p[1] for p in tables["people"] if p[2] == "Person ID"}
    # Every county key is also a DOJ key (1..200), yet each is a person of its own ...
    assert county_people and county_people <= doj_people
    assert reports[1][2] == len(county_people)  # the second import added them all
    # ... and the ones with the same name and date of birth are proposed, not merged.
    assert tables["person_matches"] and reports[1][8] == len(tables["person_matches"])
    people = {p[0]: p for p in tables["people"]}
    for match in tables["person_matches"]:
        a, b = people[match[1]], people[match[2]]
        # Keys of two types say nothing about each other: the same name and date of birth
        # makes a proposal whether or not the digits agree (people: 2 key type, 7 dob, 12 name).
        assert (a[2], b[2], a[7], a[12]) == ("CII_NUMBER", "Person ID", b[7], b[12])
        assert match[4] == "proposed"
    assert any(people[m[1]][1] == people[m[2]][1] for m in tables["person_matches"])
    assert any(f[6] == "person.key_other_type" for f in tables["import_findings"])


def test_validation_report_is_the_same_on_both_paths(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = _write_xlsx(tmp_path / "messy.xlsx", _messy_rows(2500, seed=21))
    fast = importing.validate_file(path, today=TODAY)
    with monkeypatch.context() as patch:
        patch.setattr(RowNormalizer, "normalize_rows", RowNormalizer.rows_one_by_one)
        plain = importing.validate_file(path, today=TODAY)
    assert fast.findings and fast.error_rows and fast.duplicates
    assert fast == plain
