"""Row normalization checks over whole columns: IDs that lost leading zeros or became scientific
notation (also in case-number templates), and day/month order. Each is checked on both paths:
the batch fast path (``normalize_rows``) and the reference (``rows_one_by_one``)."""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Callable
from pathlib import Path

import pytest

from app.core.rowbatch import RowBatch
from app.ingest.findings import Finding, Severity
from app.ingest.mapping import guess_mapping, resolve, shipped_profiles
from app.ingest.normalize_rows import RowNormalizer

TODAY = dt.date(2026, 1, 1)
HEADERS = ["Case No", "Defendant Name", "DOB", "CII", "Charge", "Disposition", "Disp Date"]
DOJ = [
    "SUBJECT_ID", "CII_NUMBER", "PRI_NAME", "PRI_DOB", "CYC_DATE", "STP_EVENT_DATE",
    "STP_TYPE_DESCR", "STP_ORI_CNTY_NAME", "CNT_ORDER", "OFN", "OFFENSE_DESCR", "OFFENSE_TOC",
    "DISP_DESCR", "CONV_STAT_DESCR", "COMMENT_TEXT",
]  # fmt: skip
Rows = list[tuple[int, list[object]]]
PATHS = ["fast", "plain"]


def _normalizer(headers: list[str] = HEADERS) -> RowNormalizer:
    return RowNormalizer(
        resolve(guess_mapping(headers), headers), file="f.csv", sheet=None, today=TODAY
    )


def _run(
    path: str, rows: Rows, normalizer: RowNormalizer | None = None, size: int = 7
) -> tuple[RowBatch, list[Finding]]:
    """Normalize ``rows`` in batches of ``size`` on one path; the merged batch and every finding
    (the rows' own, then the end-of-sheet ones)."""
    normalizer = normalizer or _normalizer()
    run: Callable[[Rows], RowBatch] = (
        normalizer.normalize_rows if path == "fast" else normalizer.rows_one_by_one
    )
    findings: list[Finding] = []
    dates: list[object] = []
    for start in range(0, len(rows), size):
        batch = run(rows[start : start + size])
        findings.extend(batch.findings)
        dates.extend(zip(batch.row_numbers, batch.disposition_date, batch.dob, strict=True))
    merged = RowBatch()
    merged.row_numbers = [d[0] for d in dates]  # type: ignore[index]
    merged.disposition_date = [d[1] for d in dates]  # type: ignore[index]
    merged.dob = [d[2] for d in dates]  # type: ignore[index]
    return merged, findings + normalizer.id_findings()


def _row(
    case: str, cii: str, *, disp_date: str = "2001-05-06", dob: str = "1970-01-02"
) -> list[object]:
    return [case, "DOE, JANE", dob, cii, "11357(B) HS", "CONVICTED", disp_date]


def _codes(findings: list[Finding], code: str) -> list[tuple[int | None, str | None]]:
    return [(f.row, f.value) for f in findings if f.code == code]


# -- IDs ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("path", PATHS)
def test_a_short_text_id_in_a_zero_padded_column_may_have_lost_zeros(path: str) -> None:
    ciis = ["00007920", "00015840", "15840", "00023760", "0031680", "00039600", "00047520"]
    rows: Rows = [(n, _row(f"KC-{n}", cii)) for n, cii in enumerate(ciis * 3, start=2)]
    _, findings = _run(path, rows)
    lost = _codes(findings, "id.lost_leading_zero")
    assert lost == [(4, "15840"), (6, "0031680"), (11, "15840"), (13, "0031680"), (18, "15840"),
                    (20, "0031680")]  # fmt: skip
    message = next(f.message for f in findings if f.code == "id.lost_leading_zero")
    assert "has 5 digits while this column's IDs usually have 8" in message
    assert all(f.severity is Severity.WARNING and f.column == "CII" for f in findings if f.row)


@pytest.mark.parametrize("path", PATHS)
def test_short_ids_in_a_column_that_is_not_zero_padded_are_not_flagged(path: str) -> None:
    # Plain serial numbers (no leading zeros anywhere) and case numbers of varied lengths.
    ciis = ["7", "42", "1234", "98765", "12345", "23456", "34567", "45678"]
    cases = ["CR-1", "CR-22", "CR-333", "CR-4444", "1", "22", "333", "4444"]
    rows: Rows = [(n, _row(case, cii)) for n, (case, cii) in enumerate(zip(cases, ciis), start=2)]
    _, findings = _run(path, rows)
    assert _codes(findings, "id.lost_leading_zero") == []
    # Zero-padded values that are not the column's usual width are no proof either.
    mixed = ["0001", "12345", "23456", "34567", "45678", "56789", "999"]
    rows = [(n, _row(f"C{n}", cii)) for n, cii in enumerate(mixed, start=2)]
    assert _codes(_run(path, rows)[1], "id.lost_leading_zero") == []


@pytest.mark.parametrize("path", PATHS)
def test_a_short_case_number_of_digits_is_flagged_too(path: str) -> None:
    cases = ["000101", "000102", "101", "000104", "000105"]
    rows: Rows = [(n, _row(case, f"A{n}")) for n, case in enumerate(cases, start=2)]
    _, findings = _run(path, rows)
    lost = [(f.row, f.value, f.column) for f in findings if f.code == "id.lost_leading_zero"]
    assert lost == [(4, "101", "Case No")]


def test_the_listed_short_ids_do_not_depend_on_the_path_or_the_batch_size() -> None:
    ciis = ["00000001" if n % 5 else str(n) for n in range(2, 6002)]
    rows: Rows = [(n, _row(f"KC{n}", cii)) for n, cii in zip(range(2, 6002), ciis, strict=True)]
    results = [
        _codes(_run(path, rows, size=size)[1], "id.lost_leading_zero")
        for path in PATHS
        for size in (7, 500)
    ]
    assert all(r == results[0] for r in results)
    listed = [r for r in results[0] if r[0] is not None]
    assert len(listed) == 1000 and listed[0] == (5, "5")  # the first 1,000 by row
    summary = [r for r in results[0] if r[0] is None]
    assert len(summary) == 1
    normalizer = _normalizer()
    _run("fast", rows, normalizer, size=500)
    assert normalizer.id_findings()[-1].message.startswith("200 more IDs in this column")


def _doj() -> RowNormalizer:
    profile = next(p for p in shipped_profiles() if p.name == "ca-doj-research")
    return RowNormalizer(
        resolve(profile.mapping, DOJ), file="doj.csv", sheet=None, layout="doj", today=TODAY
    )


def _doj_row(subject: object, cii: str = "00007920", cycle: object = "19980310") -> list[object]:
    return [subject, cii, "OKAFOR,INGRID", "19680402", cycle, "19980522", "COURT", "KERN", "001",
            "11357(B) HS-POSSESS MARIJUANA", "POSSESS", "M", "CONVICTED", "MISDEMEANOR", ""]  # fmt: skip


@pytest.mark.parametrize("path", PATHS)
def test_a_case_number_template_part_in_scientific_notation_is_not_used(path: str) -> None:
    rows: Rows = [
        (2, _doj_row("900001")),
        (3, _doj_row("9.00003E+05")),
        (4, _doj_row(9.00003e5 + 0.5)),  # a number that is no whole ID
        (5, _doj_row(900004.0, cycle=dt.datetime(2005, 1, 14))),  # a number, a date: fine
    ]
    normalizer = _doj()
    batch = (normalizer.normalize_rows if path == "fast" else normalizer.rows_one_by_one)(rows)
    assert batch.case_number == ["DOJ 900001 cycle 19980310", "DOJ 900004 cycle 2005-01-14"]
    assert [row for row, _, _ in batch.errors] == [3, 4]
    assert "case number cannot be used (see the warning" in batch.errors[0][2]
    scientific = [(f.row, f.column, f.value) for f in batch.findings if f.code == "id.scientific"]
    assert scientific == [(3, "SUBJECT_ID", "9.00003E+05"), (4, "SUBJECT_ID", "900003.5")]
    assert "the case number is built from it" in batch.findings[0].message


@pytest.mark.parametrize("path", PATHS)
def test_template_parts_are_checked_for_lost_leading_zeros(path: str) -> None:
    subjects = ["00900001", "00900002", "900003", "00900004", "00900005"]
    rows: Rows = [(n, _doj_row(s)) for n, s in enumerate(subjects, start=2)]
    normalizer = _doj()
    _, findings = _run(path, rows, normalizer)
    assert [(f.row, f.column, f.value) for f in findings if f.code == "id.lost_leading_zero"] == [
        (4, "SUBJECT_ID", "900003")
    ]


# -- day/month order ----------------------------------------------------------------------------


def _dated(disp_dates: list[str], start: int = 2) -> Rows:
    return [(n, _row(f"KC-{n}", f"A{n}", disp_date=d)) for n, d in enumerate(disp_dates, start)]


@pytest.mark.parametrize("path", PATHS)
def test_a_column_of_ambiguous_dates_says_the_order_it_assumed(path: str) -> None:
    batch, findings = _run(path, _dated(["03/04/1999", "05/06/2001", "05/05/2001", "2001-07-08"]))
    assert batch.disposition_date == ["1999-03-04", "2001-05-06", "2001-05-05", "2001-07-08"]
    assumed = [f for f in findings if f.code == "date.order_assumed"]
    assert [(f.severity, f.row, f.column, f.value) for f in assumed] == [
        (Severity.WARNING, 2, "Disp Date", "03/04/1999")
    ]
    message = assumed[0].message
    assert "2 values in this column could be read as month/day/year or as day/month/year" in message
    assert "read as month/day/year (row 2: 1999-03-04)" in message
    assert "no date in the column shows its order" in message


@pytest.mark.parametrize("path", PATHS)
def test_a_month_first_date_settles_the_order(path: str) -> None:
    batch, findings = _run(path, _dated(["03/04/1999", "12/25/1999", "05/06/2001"]))
    assert batch.disposition_date == ["1999-03-04", "1999-12-25", "2001-05-06"]
    assumed = [f for f in findings if f.code == "date.order_assumed"]
    assert [(f.severity, f.row) for f in assumed] == [(Severity.INFO, 2)]
    assert "the order the column's other dates show (row 3: '12/25/1999')" in assumed[0].message
    assert not [f for f in findings if f.code == "date.ambiguous_order"]


@pytest.mark.parametrize("path", PATHS)
def test_a_day_first_column_flags_its_ambiguous_dates_never_month_first(path: str) -> None:
    # The audit's case: 13/01/2000 on row 7 proves the column day-first; 03/04/1999 (row 3) and
    # 05/06/2001 (row 4) are in the same batch, before it.
    dates = ["2000-02-02", "03/04/1999", "05/06/2001", "2001-01-01", "05/05/2001", "13/01/2000",
             "07/08/2002"]  # fmt: skip
    batch, findings = _run(path, _dated(dates), size=50)
    assert batch.disposition_date == [
        "2000-02-02", None, None, "2001-01-01", "2001-05-05", None, None
    ]  # fmt: skip
    flagged = [(f.row, f.value, f.severity) for f in findings if f.code == "date.ambiguous_order"]
    assert flagged == [
        (3, "03/04/1999", Severity.WARNING),
        (4, "05/06/2001", Severity.WARNING),
        (8, "07/08/2002", Severity.WARNING),
    ]
    message = next(f.message for f in findings if f.code == "date.ambiguous_order")
    assert "'03/04/1999' could be 1999-03-04 (month/day) or 1999-04-03 (day/month)" in message
    assert "(row 7: '13/01/2000')" in message and "left empty" in message
    assert _codes(findings, "date.impossible") == [(7, "13/01/2000")]  # as before
    assumed = [f for f in findings if f.code == "date.order_assumed"]
    assert [(f.severity, f.row) for f in assumed] == [(Severity.WARNING, 3)]
    assert "3 values in this column" in assumed[0].message
    assert "only read as day/month/year (row 7: '13/01/2000')" in assumed[0].message


@pytest.mark.parametrize("path", PATHS)
def test_day_first_proof_in_a_later_batch_lists_the_earlier_values(path: str) -> None:
    dates = ["03/04/1999", "2000-01-01", "05/06/2001", "2000-01-02", "25/12/2000", "07/08/2002"]
    batch, findings = _run(path, _dated(dates), size=4)  # rows 2-5, then 6-7
    # The first batch was read before the proof: month-first, each listed at the end.
    assert batch.disposition_date == ["1999-03-04", "2000-01-01", "2001-05-06", "2000-01-02",
                                      None, None]  # fmt: skip
    flagged = [(f.row, f.value) for f in findings if f.code == "date.ambiguous_order"]
    assert flagged == [(7, "07/08/2002"), (2, "03/04/1999"), (4, "05/06/2001")]
    late = [f.message for f in findings if f.code == "date.ambiguous_order" and f.row == 2][0]
    assert "'03/04/1999' was read as month/day/year (1999-03-04)" in late
    assert "(row 6: '25/12/2000')" in late


def test_both_paths_store_the_same_dates_in_a_big_mixed_column() -> None:
    days = [
        f"{m:02d}/{d:02d}/{y}"
        for y in range(1985, 2000)
        for m in range(1, 13)
        for d in range(1, 13)
    ]
    dates = days[:1800]
    dates[1500] = "31/01/2001"  # day-first proof deep in the file
    rows = _dated(dates)
    for size in (700, 64):  # the batch holding the proof flags all of its own values
        (fast, findings), (plain, plain_findings) = (_run(p, rows, size=size) for p in PATHS)
        assert plain.disposition_date == fast.disposition_date
        assert sorted(map(repr, plain_findings)) == sorted(map(repr, findings))
        first = (1500 // size) * size  # the first row of the proof's batch (0-based)
        month, day, year = dates[first - 1].split("/")
        assert fast.disposition_date[first - 1] == f"{year}-{month}-{day}"  # read before
        assert fast.disposition_date[first + 1] is None
        listed = [f.row for f in findings if f.code == "date.ambiguous_order"]
        after = sum(1 for d in dates[first:] if d[:2] != d[3:5] and d[:2] <= "12")
        assert len(listed) == after + 1000 and len(set(listed)) == len(listed)
        assert 3 in listed and first + 3 in listed  # row 3 read before the proof, first + 3 after
        summary = next(f.message for f in findings if f.code == "date.order_assumed")
        before = sum(1 for d in dates[:first] if d[:2] != d[3:5])  # read month/day, either way
        assert f"{before - 1000:,} more read as month/day/year before row 1502" in summary


def test_a_whole_import_stores_the_same_on_both_paths(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Through the import service (batches of 700): day-first proof deep in a column, zero-padded
    IDs with short ones, a value past the last header; every stored table the same."""
    from tests.services.test_import_fast_path import _assert_same, _import

    rows = []
    for n in range(2, 2400):
        month, day = n % 12 + 1, n // 12 % 12 + 1
        cii = f"{n:08d}" if n % 97 else str(n)
        row = _row(
            f"KC-{n}", cii, disp_date=f"{month:02d}/{day:02d}/2001", dob=f"{day}/{month}/1970"
        )
        rows.append(row + (["LATE"] if n == 2200 else []))
    rows[1700][6] = "13/02/2001"  # row 1702: day-first proof for Disp Date
    path = tmp_path / "mixed.csv"
    with path.open("w", newline="", encoding="utf-8") as fh:
        csv.writer(fh).writerows([HEADERS, *rows])
    _assert_same(tmp_path, "mixed", [path], monkeypatch)
    tables, reports = _import(tmp_path, "check", [path], fast=True, monkeypatch=monkeypatch)
    codes = {f.code for f in reports[0][-1]}
    assert {"date.ambiguous_order", "date.order_assumed", "id.lost_leading_zero",
            "cell.beyond_last_header"} <= codes  # fmt: skip
