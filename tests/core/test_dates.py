"""Date reading: every accepted form, and every defect as a finding with no value."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.core.dates import cell_text, excel_serial_to_date, parse_date, swap_day_month

TODAY = dt.date(2026, 1, 15)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (dt.date(1990, 3, 4), dt.date(1990, 3, 4)),
        (dt.datetime(1990, 3, 4, 13, 5), dt.date(1990, 3, 4)),
        ("1990-03-04", dt.date(1990, 3, 4)),
        ("1990-03-04T13:05:00", dt.date(1990, 3, 4)),
        ("1990-03-04 13:05:00.000", dt.date(1990, 3, 4)),
        ("19900304", dt.date(1990, 3, 4)),
        ("03/04/1990", dt.date(1990, 3, 4)),
        ("3/4/1990", dt.date(1990, 3, 4)),
        ("3/4/1990 1:05 PM", dt.date(1990, 3, 4)),
        ("03-04-1990", dt.date(1990, 3, 4)),
        ("1990/03/04", dt.date(1990, 3, 4)),
        ("04-MAR-1990", dt.date(1990, 3, 4)),
        ("Mar 4, 1990", dt.date(1990, 3, 4)),
        ("  3/4/1990\u00a0", dt.date(1990, 3, 4)),
        (32936, dt.date(1990, 3, 4)),  # Excel 1900 serial
        (32936.75, dt.date(1990, 3, 4)),  # serial with a time of day
    ],
)
def test_accepted_forms(raw: object, expected: dt.date) -> None:
    result = parse_date(raw, today=TODAY)
    assert result.ok, result.message
    assert result.value == expected


def test_serials_use_the_workbook_epoch() -> None:
    # The same day is 1462 less in the 1904 system.
    assert parse_date(32936 - 1462, epoch=1904, today=TODAY).value == dt.date(1990, 3, 4)
    assert parse_date(32936, epoch=1904, today=TODAY).value == dt.date(1994, 3, 5)


def test_excel_1900_leap_year_bug() -> None:
    assert excel_serial_to_date(59).value == dt.date(1900, 2, 28)
    assert excel_serial_to_date(61).value == dt.date(1900, 3, 1)
    assert excel_serial_to_date(60).code == "date.impossible"


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("02/30/1990", "date.impossible"),
        ("00/00/0000", "date.impossible"),
        ("00000000", "date.impossible"),
        ("1990-13-01", "date.impossible"),
        ("25/12/1990", "date.impossible"),  # day/month order: never swapped silently
        ("3/4/90", "date.two_digit_year"),
        ("04-MAR-90", "date.two_digit_year"),
        ("last Tuesday", "date.unreadable"),
        ("32936", "date.number_as_text"),
        ("2030-01-01", "date.future"),
        ("1850-01-01", "date.implausible"),
        (0, "date.serial_out_of_range"),
        (-5, "date.serial_out_of_range"),
        (True, "date.unreadable"),
        (dt.time(10, 15), "date.unreadable"),
    ],
)
def test_defects_are_findings_without_a_value(raw: object, code: str) -> None:
    result = parse_date(raw, today=TODAY)
    assert result.value is None
    assert result.code == code
    assert result.message


def test_day_month_hint_names_the_problem() -> None:
    assert "day/month" in (parse_date("25/12/1990", today=TODAY).message or "")


def test_future_allowed_when_asked() -> None:
    assert parse_date("2030-01-01", today=TODAY, allow_future=True).value == dt.date(2030, 1, 1)


@pytest.mark.parametrize("raw", [None, "", "   ", "\u00a0"])
def test_empty_is_no_finding(raw: object) -> None:
    result = parse_date(raw, today=TODAY)
    assert result.value is None and result.ok


@given(st.dates(min_value=dt.date(1900, 3, 1), max_value=TODAY))
def test_every_real_date_round_trips_through_every_text_form(day: dt.date) -> None:
    forms = [
        day.isoformat(),
        day.strftime("%Y%m%d"),
        f"{day.month:02d}/{day.day:02d}/{day.year}",
        f"{day.month}/{day.day}/{day.year}",
        day.strftime("%d-%b-%Y").upper(),
        f"{day.isoformat()} 23:59:59",
    ]
    for text in forms:
        assert parse_date(text, today=TODAY).value == day, text


@given(st.dates(min_value=dt.date(1900, 3, 1), max_value=TODAY))
def test_serials_round_trip_in_both_systems(day: dt.date) -> None:
    serial_1900 = (day - dt.date(1899, 12, 30)).days
    assert parse_date(serial_1900, epoch=1900, today=TODAY).value == day
    if day >= dt.date(1904, 1, 2):
        serial_1904 = (day - dt.date(1904, 1, 1)).days
        assert parse_date(float(serial_1904), epoch=1904, today=TODAY).value == day


@given(st.integers(1, 12), st.integers(1, 31), st.integers(0, 99))
def test_two_digit_years_are_never_guessed(month: int, day: int, year: int) -> None:
    result = parse_date(f"{month}/{day}/{year:02d}", today=TODAY)
    assert result.value is None
    assert result.code == "date.two_digit_year"


def test_cell_text_keeps_raw_values_readable() -> None:
    assert cell_text(None) is None
    assert cell_text("007") == "007"
    assert cell_text(1234.0) == "1234"
    assert cell_text(12.5) == "12.5"
    assert cell_text(dt.datetime(1990, 3, 4)) == "1990-03-04"
    assert cell_text(dt.datetime(1990, 3, 4, 10, 5)) == "1990-03-04 10:05:00"
    assert cell_text(True) == "TRUE"


@pytest.mark.parametrize(
    ("raw", "order", "value"),
    [
        ("03/04/1999", "ambiguous", dt.date(1999, 3, 4)),  # March 4 or 3 April
        ("3-4-1999 10:15", "ambiguous", dt.date(1999, 3, 4)),
        ("05/05/2001", None, dt.date(2001, 5, 5)),  # the same either way round
        ("12/25/1999", "mdy", dt.date(1999, 12, 25)),  # only month-first
        ("25/12/1999", "dmy", None),  # only day-first: refused, but proof of the order
        ("31/02/1999", None, None),  # no date either way round
        ("1999-03-04", None, dt.date(1999, 3, 4)),  # ISO says which is which
        ("4 Mar 1999", None, dt.date(1999, 3, 4)),
        (dt.date(1999, 3, 4), None, dt.date(1999, 3, 4)),
    ],
)
def test_day_month_order_of_a_value(raw: object, order: str | None, value: dt.date | None) -> None:
    result = parse_date(raw, today=dt.date(2026, 1, 1))
    assert (result.order, result.value) == (order, value)


def test_swap_day_month() -> None:
    assert swap_day_month(dt.date(1999, 3, 4)) == dt.date(1999, 4, 3)
    assert swap_day_month(dt.date(1999, 2, 13)) is None  # no month 13
