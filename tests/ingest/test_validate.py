"""Row normalization and validation: errors make a row unusable, everything else is a warning."""

from __future__ import annotations

import datetime as dt

from app.ingest.findings import Severity
from app.ingest.mapping import Mapping, guess_mapping, resolve, shipped_profiles
from app.ingest.normalize_rows import RowNormalizer
from app.ingest.validate import validate_rows

TODAY = dt.date(2026, 1, 1)
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


def _normalizer(
    headers: list[str] = HEADERS, mapping: Mapping | None = None, epoch: int = 1900
) -> RowNormalizer:
    resolved = resolve(mapping or guess_mapping(headers), headers)
    return RowNormalizer(resolved, file="f.csv", sheet=None, epoch=epoch, today=TODAY)


ROW = [
    "BA001",
    "1",
    "NÚÑEZ, JOSÉ",
    "01/02/1980",
    "007",
    "11357(B) HS",
    "CONVICTED",
    "03/04/1999",
    "M",
    "LOS ANGELES",
]


def test_a_clean_row() -> None:
    result = _normalizer().normalize(2, list(ROW))
    assert result.findings == []
    record = result.record
    assert record is not None
    assert record.person.key == "007"
    assert record.person.full_name == "NÚÑEZ, JOSÉ"
    assert (record.person.last_name, record.person.first_name) == ("NÚÑEZ", "JOSÉ")
    assert record.person.dob == "1980-01-02"
    assert record.case is not None and record.case.case_number == "BA001"
    count = record.count
    assert count is not None
    assert (count.code_book, count.section, count.subsections) == ("HS", "11357", "(b)")
    assert (count.level, count.disposition, count.disposition_date) == (
        "misdemeanor",
        "convicted",
        "1999-03-04",
    )
    assert count.offense_raw == "11357(B) HS"
    assert record.raw == ROW


def test_no_case_number_is_an_error() -> None:
    row = list(ROW)
    row[0] = " "
    result = _normalizer().normalize(5, row)
    assert result.record is None
    assert result.error is not None and result.error.code == "row.no_case_number"
    assert (result.error.row, result.error.column) == (5, "Case No")


def test_neither_key_nor_name_is_an_error() -> None:
    row = list(ROW)
    row[2] = row[4] = ""
    result = _normalizer().normalize(5, row)
    assert (
        result.record is None and result.error is not None and result.error.code == "row.no_person"
    )


def test_unreadable_values_are_warnings_that_keep_the_raw_value() -> None:
    row = list(ROW)
    row[3], row[7], row[8], row[6], row[5] = "02/30/1990", "3/4/99", "X", "BANANA", "ZZZ 9"
    result = _normalizer().normalize(7, row)
    assert result.record is not None and result.record.count is not None
    codes = {f.code: f for f in result.findings}
    assert set(codes) == {
        "date.impossible",
        "date.two_digit_year",
        "level.unknown",
        "disposition.unknown",
        "offense.unknown",
    }
    assert all(f.severity is Severity.WARNING and f.row == 7 for f in result.findings)
    assert codes["date.impossible"].column == "DOB"
    count = result.record.count
    assert count.disposition_date is None and count.disposition_date_raw == "3/4/99"
    assert count.level is None and count.level_raw == "X"
    assert count.disposition is None and count.disposition_raw == "BANANA"
    assert count.offense_recognized is False and count.offense_raw == "ZZZ 9"
    assert result.record.person.dob is None and result.record.person.dob_raw == "02/30/1990"


def test_future_dob_is_a_finding() -> None:
    row = list(ROW)
    row[3] = "01/01/2030"
    result = _normalizer().normalize(2, row)
    assert [f.code for f in result.findings] == ["date.future"]
    assert result.record is not None and result.record.person.dob is None


def test_invisible_characters_are_stripped_and_reported() -> None:
    row = list(ROW)
    row[2] = "NÚÑEZ,\u00a0JOSÉ\u200b"
    row[0] = "BA001\u200b"
    result = _normalizer().normalize(2, row)
    assert result.record is not None
    assert result.record.person.full_name == "NÚÑEZ, JOSÉ"
    assert result.record.case is not None and result.record.case.case_number == "BA001"
    assert {f.code for f in result.findings} == {"text.invisible_characters"}


def test_excel_cells_dates_and_serials_in_both_epochs() -> None:
    row: list[object] = list(ROW)
    row[3] = dt.datetime(1980, 1, 2)
    row[7] = 36223.0  # 1999-03-04 in the 1900 system
    record = _normalizer().normalize(2, row).record
    assert record is not None and record.count is not None
    assert record.person.dob == "1980-01-02" and record.count.disposition_date == "1999-03-04"
    record = _normalizer(epoch=1904).normalize(2, row).record
    assert record is not None and record.count is not None
    assert record.count.disposition_date == "2003-03-05"


def test_numeric_ids_that_lost_leading_zeros_are_reported_never_padded() -> None:
    normalizer = _normalizer()
    rows = []
    for i, sid in enumerate(["00123", "00456", 789.0, "01011"], start=2):
        row: list[object] = list(ROW)
        row[4] = sid
        row[0] = f"BA00{i}"
        rows.append((i, row))
    report = validate_rows(normalizer, rows)
    lost = [f for f in report.findings if f.code == "id.lost_leading_zero"]
    assert [(f.row, f.value) for f in lost] == [(4, "789")]


def test_scientific_notation_id_is_dropped_not_used_as_a_key() -> None:
    row: list[object] = list(ROW)
    row[4] = "1.23457E+11"
    result = _normalizer().normalize(2, row)
    assert result.record is not None and result.record.person.key is None
    assert [f.code for f in result.findings] == ["id.scientific"]


def test_duplicates_blank_rows_and_counts() -> None:
    other = list(ROW)
    other[5] = "11359 HS"
    rows = [(2, list(ROW)), (3, [None] * 10), (4, list(ROW)), (5, other), (6, ["", " ", None])]
    report = validate_rows(_normalizer(), rows)
    assert report.rows == 3 and report.blank_rows == 2
    assert report.counts == 2 and report.duplicates == 1
    # Every date here (01/02/1980, 03/04/1999) reads either way round: one finding per column.
    assert [(f.code, f.row, f.column) for f in report.findings] == [
        ("row.duplicate", 4, None),
        ("date.order_assumed", 2, "DOB"),
        ("date.order_assumed", 2, "Disp Date"),
    ]
    assert "3 values in this column could be read" in report.findings[2].message


def test_same_count_with_other_details_is_a_warning_duplicate() -> None:
    changed = list(ROW)
    changed[9] = "LA"  # county differs, the count is the same
    report = validate_rows(_normalizer(), [(2, list(ROW)), (3, changed)])
    assert [(f.code, f.severity) for f in report.findings if f.code.startswith("row.")] == [
        ("row.duplicate_differs", Severity.WARNING)
    ]


def test_registration_disposition_becomes_an_event() -> None:
    row = list(ROW)
    row[5], row[6], row[0] = "290 PC", "REGISTRATION", ""
    result = _normalizer().normalize(2, row)
    assert (
        result.record is not None
        and result.record.event is not None
        and result.record.count is None
    )
    assert result.record.event.event_type == "registration"
    assert result.record.event.section == "290"


DOJ = [
    "SUBJECT_ID",
    "CII_NUMBER",
    "PRI_NAME",
    "PRI_DOB",
    "CYC_DATE",
    "STP_EVENT_DATE",
    "STP_TYPE_DESCR",
    "STP_ORI_CNTY_NAME",
    "CNT_ORDER",
    "OFN",
    "OFFENSE_DESCR",
    "OFFENSE_TOC",
    "DISP_DESCR",
    "CONV_STAT_DESCR",
    "COMMENT_TEXT",
]


def _doj() -> RowNormalizer:
    profile = next(p for p in shipped_profiles() if p.name == "ca-doj-research")
    return RowNormalizer(
        resolve(profile.mapping, DOJ), file="doj.csv", sheet=None, layout="doj", today=TODAY
    )


def test_doj_rows_registration_events_and_see_comment() -> None:
    normalizer = _doj()
    court = [
        "S1",
        "A0001234",
        "DOE,JANE",
        "19700101",
        "19950304",
        "19950601",
        "COURT",
        "KERN",
        "001",
        "SEE COMMENT FOR CHARGE",
        "",
        "F",
        "CONVICTED",
        "FELONY",
        "11359 HS-POSSESS FOR SALE",
    ]
    record = normalizer.normalize(2, court).record
    assert record is not None and record.count is not None and record.case is not None
    assert record.case.case_number == "DOJ S1 cycle 19950304"
    assert record.person.key == "A0001234" and record.person.key_type == "CII_NUMBER"
    assert (
        record.count.section == "11359"
        and record.count.offense_comment == "11359 HS-POSSESS FOR SALE"
    )
    assert record.count.offense_raw == "SEE COMMENT FOR CHARGE"
    assert record.count.level == "felony" and record.count.offense_date == "1995-03-04"
    registration = [
        "S1",
        "A0001234",
        "DOE,JANE",
        "19700101",
        "19980101",
        "19980105",
        "REGISTRATION",
        "KERN",
        "",
        "290 PC-REGISTRATION OF SEX OFFENDER",
        "",
        "",
        "",
        "",
        "",
    ]
    event = normalizer.normalize(3, registration).record
    assert event is not None and event.event is not None and event.case is None
    assert (event.event.event_type, event.event.section, event.event.event_date) == (
        "registration",
        "290",
        "1998-01-05",
    )
    fallback = list(court)
    fallback[13] = ""  # no conviction level: the charge type (OFFENSE_TOC) is used
    fallback[11] = "M"
    record = normalizer.normalize(4, fallback).record
    assert record is not None and record.count is not None and record.count.level == "misdemeanor"


def test_the_stored_row_text_is_the_same_from_both_encoders() -> None:
    """normalize_rows encodes rows with the C encoder directly; it must equal raw_json's text."""
    from app.ingest.normalize_rows import _encode_row, _python_encode_row, raw_json

    rows = [
        ["A", None, "Ünïcode ✓", 'quote " and \\ slash', "tab\tnew\nline", ""],
        [None, None],
        [],
        ["\u2028 line separator", "\x00 nul", "😀 emoji"],
    ]
    for row in rows:
        expected = raw_json(row)
        assert "".join(_encode_row(row, 0)) == expected
        assert "".join(_encode_row(tuple(row), 0)) == expected
        assert "".join(_python_encode_row(tuple(row), 0)) == expected
