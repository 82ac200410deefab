"""Dates as US courts write them: "November 22, 2026" in text, "11/22/2026" in case lists.

The workspace stores ISO dates and UTC stamps; a filing shows neither. A stamp is shown in
the computer's local time zone (the county's), so a list signed off at 02:31 UTC on the 22nd
reads as signed on the 21st in California, as the supervisor saw it.
"""

from __future__ import annotations

import datetime as dt

_MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


def _parse(value: str | None) -> dt.date | dt.datetime | None:
    """An ISO date or UTC stamp, or None for anything else (kept as imported by the callers)."""
    text = (value or "").strip()
    if len(text) == 10:
        try:
            return dt.date.fromisoformat(text)
        except ValueError:
            return None
    try:
        stamp = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    if stamp.tzinfo is None:
        stamp = stamp.replace(tzinfo=dt.UTC)
    return stamp.astimezone()  # the local time zone of this computer


def _day(value: dt.date | dt.datetime) -> dt.date:
    return value.date() if isinstance(value, dt.datetime) else value


def long_date(value: str | None) -> str:
    """ "November 22, 2026" (an unreadable value is returned as it is, never guessed)."""
    parsed = _parse(value)
    if parsed is None:
        return value or ""
    day = _day(parsed)
    return f"{_MONTHS[day.month - 1]} {day.day}, {day.year}"


def short_date(value: str | None) -> str:
    """ "11/22/2026" for a case list (an unreadable value is returned as it is)."""
    parsed = _parse(value)
    if parsed is None:
        return value or ""
    day = _day(parsed)
    return f"{day.month:02d}/{day.day:02d}/{day.year}"


def long_stamp(value: str | None) -> str:
    """ "November 21, 2026 at 6:31 PM PST": a stamp in local time, to the minute."""
    parsed = _parse(value)
    if not isinstance(parsed, dt.datetime):
        return long_date(value)
    hour = parsed.hour % 12 or 12
    zone = parsed.tzname() or ""
    return (
        f"{long_date(parsed.date().isoformat())} at {hour}:{parsed.minute:02d} "
        f"{'AM' if parsed.hour < 12 else 'PM'} {zone}"
    ).rstrip()
