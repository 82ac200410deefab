"""Reading dates from spreadsheet cells without ever guessing: a date, or a finding saying why not.

Accepted: real date/datetime cells; Excel serial numbers in the workbook's 1900 or 1904 date
system; ISO ``YYYY-MM-DD``; ``YYYYMMDD`` (California DOJ); US ``MM/DD/YYYY`` and ``M/D/YYYY``
(also with ``-`` or ``.``); ``YYYY/MM/DD``; ``05-JAN-1990`` and ``Jan 5, 1990``; any of these
followed by a time. Two-digit years, impossible dates (``02/30/1990``, ``00/00/0000``), a day
or month order that only makes sense the other way round, and future dates are findings with
no value: the engine then answers ``needs_review`` where it needs the date.

A numeric date like ``03/04/1999`` is read as month/day/year, but it could be 3 April as well
as March 4: :attr:`DateResult.order` says so (``"ambiguous"``), and says when a value proves
the order of its column (``"mdy"``: ``12/25/1999``; ``"dmy"``: ``25/12/1999``, which is then
refused), so the caller can report the order it assumed once per column and flag the
ambiguous values of a column that turns out to be day-first.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

# Excel's 1900 system counts from 1899-12-31 but pretends 1900 was a leap year (serial 60 is
# the non-existent 1900-02-29), so from serial 61 on the offset is from 1899-12-30.
_EXCEL_1900_BASE = dt.date(1899, 12, 30)
_EXCEL_1904_BASE = dt.date(1904, 1, 1)
# Serials outside this window are not plausible record dates (1900-01-01 .. 2199-12-31).
_MAX_SERIAL = 109_572

EARLIEST_PLAUSIBLE = dt.date(1880, 1, 1)

_MONTHS = {
    name: number
    for number, names in enumerate(
        (
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ),
        start=1,
    )
    for name in names
}

# A trailing time ("10:15", "10:15:00", "10:15:00.000", "10:15 AM", "T10:15:00Z") is dropped.
_TIME = r"(?:[T ]+\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?\s*(?:[AaPp]\.?[Mm]\.?)?\s*(?:Z|[+-]\d{2}:?\d{2})?)?"
_ISO = re.compile(rf"^(\d{{4}})[-/.](\d{{1,2}})[-/.](\d{{1,2}}){_TIME}$")
_COMPACT = re.compile(rf"^(\d{{4}})(\d{{2}})(\d{{2}}){_TIME}$")
_US = re.compile(rf"^(\d{{1,2}})[-/.](\d{{1,2}})[-/.](\d{{4}}){_TIME}$")
_US_SHORT_YEAR = re.compile(rf"^(\d{{1,2}})[-/.](\d{{1,2}})[-/.](\d{{2}}){_TIME}$")
_DMY_NAMED = re.compile(rf"^(\d{{1,2}})[-/ ]([A-Za-z]{{3,9}})\.?[-/ ](\d{{2}}|\d{{4}}){_TIME}$")
_MDY_NAMED = re.compile(rf"^([A-Za-z]{{3,9}})\.? (\d{{1,2}}),? (\d{{2}}|\d{{4}}){_TIME}$")
_NUMBER = re.compile(r"^\d+(?:\.\d+)?$")


@dataclass(frozen=True, slots=True)
class DateResult:
    """A parsed date, or None with the finding code and message that say why."""

    value: dt.date | None
    code: str | None = None
    message: str | None = None
    # For NN/NN/YYYY text only: "ambiguous" (both parts 12 or less and different: read as
    # month/day), "mdy" (the day is over 12: month-first for sure), "dmy" (the first part is
    # over 12 and the text is a real date read day-first: refused as month/day, proof that the
    # column is day-first). None for every other form.
    order: str | None = None

    @property
    def ok(self) -> bool:
        return self.code is None


_EMPTY = DateResult(None)


def excel_serial_to_date(serial: float, epoch: int = 1900) -> DateResult:
    """An Excel serial day number in the workbook's date system, as a date (time dropped)."""
    days = int(serial)
    if days < 1 or days > _MAX_SERIAL:
        return DateResult(
            None,
            "date.serial_out_of_range",
            f"the number {serial:g} is not a plausible Excel date; enter the date as a date",
        )
    if epoch == 1904:
        return DateResult(_EXCEL_1904_BASE + dt.timedelta(days=days))
    if days == 60:
        return DateResult(
            None,
            "date.impossible",
            "Excel serial 60 is 29 February 1900, a day that never existed",
        )
    if days < 60:
        return DateResult(dt.date(1899, 12, 31) + dt.timedelta(days=days))
    return DateResult(_EXCEL_1900_BASE + dt.timedelta(days=days))


def _build(year: int, month: int, day: int, text: str) -> DateResult:
    if year == 0 and month == 0 and day == 0:
        return DateResult(None, "date.impossible", f"{text!r} is a placeholder, not a date")
    if not 1 <= month <= 12:
        hint = ""
        if 1 <= day <= 12 and 1 <= month <= 31:
            hint = " (it would be a date read as day/month/year; this column is read as month/day/year, so fix the source or check the column)"
        return DateResult(None, "date.impossible", f"{text!r} has no month {month}{hint}")
    try:
        return DateResult(dt.date(year, month, day))
    except ValueError:
        return DateResult(None, "date.impossible", f"{text!r} is not a real date")


def _order(first: int, second: int, year: int) -> str | None:
    """What NN/NN/YYYY says about day/month order (see :attr:`DateResult.order`)."""
    if 1 <= first <= 12 and 1 <= second <= 12:
        return "ambiguous" if first != second else None
    if 1 <= first <= 12 and 12 < second <= 31:
        return "mdy"
    if 12 < first <= 31 and 1 <= second <= 12:
        try:
            dt.date(year, second, first)
        except ValueError:
            return None  # 31/02/1999 is no date either way round
        return "dmy"
    return None


def swap_day_month(value: dt.date) -> dt.date | None:
    """The other reading of an ambiguous date (1999-03-04 → 1999-04-03)."""
    try:
        return value.replace(month=value.day, day=value.month)
    except ValueError:
        return None


def _parse_text(text: str, epoch: int) -> DateResult:
    match = _ISO.match(text)
    if match:
        year, month, day = (int(g) for g in match.groups())
        return _build(year, month, day, text)
    match = _COMPACT.match(text)
    if match:
        year, month, day = (int(g) for g in match.groups())
        if year == 0 and month == 0 and day == 0:
            return _build(0, 0, 0, text)
        return _build(year, month, day, text)
    match = _US.match(text)
    if match:
        month, day, year = (int(g) for g in match.groups())
        result = _build(year, month, day, text)
        order = _order(month, day, year)
        return DateResult(result.value, result.code, result.message, order) if order else result
    match = _US_SHORT_YEAR.match(text)
    if match:
        return DateResult(
            None,
            "date.two_digit_year",
            f"{text!r} has a two-digit year, so the century is unknown; write the year in full",
        )
    for pattern, order in ((_DMY_NAMED, "dmy"), (_MDY_NAMED, "mdy")):
        match = pattern.match(text)
        if match:
            if order == "dmy":
                day_s, month_s, year_s = match.groups()
            else:
                month_s, day_s, year_s = match.groups()
            month = _MONTHS.get(month_s.lower())
            if month is None:
                break
            if len(year_s) == 2:
                return DateResult(
                    None,
                    "date.two_digit_year",
                    f"{text!r} has a two-digit year, so the century is unknown; write the year in full",
                )
            return _build(int(year_s), month, int(day_s), text)
    if _NUMBER.match(text):
        return DateResult(
            None,
            "date.number_as_text",
            f"{text!r} is a number stored as text, not a date; if it is an Excel serial, format the column as a date",
        )
    return DateResult(None, "date.unreadable", f"{text!r} is not a date format ClearSlate reads")


def parse_date(
    raw: object,
    *,
    epoch: int = 1900,
    today: dt.date | None = None,
    allow_future: bool = False,
) -> DateResult:
    """Read one cell as a date.

    ``epoch`` is the workbook's date system (1900 or 1904) for plain numbers; ``today`` is the
    reference for "future" (defaults to the real date). Empty cells give ``DateResult(None)``
    with no finding.
    """
    if raw is None:
        return _EMPTY
    if isinstance(raw, bool):
        return DateResult(None, "date.unreadable", f"{raw!r} is not a date")
    if isinstance(raw, dt.datetime):
        result = DateResult(raw.date())
    elif isinstance(raw, dt.date):
        result = DateResult(raw)
    elif isinstance(raw, dt.time):
        return DateResult(
            None, "date.unreadable", f"{raw.isoformat()} is a time of day, not a date"
        )
    elif isinstance(raw, int | float):
        result = excel_serial_to_date(raw, epoch)
    else:
        text = str(raw).strip()
        if not text:
            return _EMPTY
        result = _parse_text(text, epoch)
    if result.value is None:
        return result
    if result.value < EARLIEST_PLAUSIBLE:
        return DateResult(
            None,
            "date.implausible",
            f"{result.value.isoformat()} is before {EARLIEST_PLAUSIBLE.year}; check the source",
        )
    if not allow_future and result.value > (today or dt.date.today()):
        return DateResult(None, "date.future", f"{result.value.isoformat()} is in the future")
    return result


def cell_text(raw: object) -> str | None:
    """How a cell's value is kept as raw text (dates as ISO, whole floats without ``.0``)."""
    if raw is None:
        return None
    if isinstance(raw, str):
        return raw
    if isinstance(raw, bool):
        return "TRUE" if raw else "FALSE"
    if isinstance(raw, dt.datetime):
        if raw.time() == dt.time():
            return raw.date().isoformat()
        return raw.isoformat(sep=" ")
    if isinstance(raw, dt.date | dt.time):
        return raw.isoformat()
    if isinstance(raw, float):
        if raw.is_integer() and abs(raw) < 1e15:
            return str(int(raw))
        return repr(raw)
    return str(raw)
