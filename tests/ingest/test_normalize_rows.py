"""Row normalization checks over whole columns: IDs that lost leading zeros or became scientific
notation (also in case-number templates), and day/month order. Each is checked on both paths:
the batch fast path (``normalize_rows``) and the reference (``rows_one_by_one``)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

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
