"""Time stamps the audit log and decisions use: UTC, to the hundredth of a second."""

from __future__ import annotations

import datetime as dt


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def stamp(moment: dt.datetime | None = None) -> str:
    """ISO 8601 UTC with hundredths: ``2026-11-21T19:53:12.34Z``."""
    moment = (moment or utc_now()).astimezone(dt.UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 10000:02d}Z"


def parse_stamp(text: str) -> dt.datetime:
    return dt.datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=dt.UTC)
