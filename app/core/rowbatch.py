"""One batch of normalized source rows, column by column: what the import hands the workspace writer.

An import reads rows in batches of a few thousand. Each usable row becomes one position ``i``
of every column below, in source order: a count (its case and count columns filled) or a
history event (``events[i]`` holds the event's values; its case and count columns hold None).
Keeping the batch as columns lets both sides work a column at a time in C (``map`` over a
cache of distinct values, ``zip`` into the insert tuples) instead of building four objects
per row and taking them apart again, which was most of an import's Python time.

The writer relies on the column names and orders here; ``PERSON``, ``CASE`` and ``COUNT`` name
the columns that go, in that order, into the ``people``, ``cases`` and ``counts`` tables.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

# The columns stored for a new person, a new case and a count, in the writer's insert order.
PERSON = (
    "person_key",
    "key_type",
    "full_name",
    "last_name",
    "first_name",
    "middle_name",
    "dob",
    "dob_raw",
    "sex",
    "race",
    "name_key",
)
CASE = ("case_number", "case_key", "court", "county", "filing_date", "filing_date_raw", "status")
COUNT = (
    "count_number",
    "offense_raw",
    "offense_comment",
    "code_book",
    "section",
    "subsections",
    "attempt",
    "conspiracy",
    "offense_recognized",
    "description",
    "level",
    "level_raw",
    "disposition",
    "disposition_raw",
    "disposition_date",
    "disposition_date_raw",
    "offense_date",
    "offense_date_raw",
    "sentence",
    "comment",
)
# An event's stored values, in the writer's insert order (after its person).
EVENT = (
    "event_type",
    "event_date",
    "event_date_raw",
    "offense_raw",
    "code_book",
    "section",
    "subsections",
    "description",
)


@dataclass(slots=True)
class RowBatch:
    """The rows of one batch: bookkeeping for the import, and its usable rows as columns."""

    rows: int = 0  # non-blank rows read (usable or not)
    blank: int = 0  # blank rows passed over
    findings: list[Any] = field(default_factory=list)  # every finding of these rows, row order
    # Unusable rows: (row number, the row's texts, the error's message).
    errors: list[tuple[int, list[str | None], str]] = field(default_factory=list)

    # -- usable rows, one position each ------------------------------------------------------
    row_numbers: list[int] = field(default_factory=list)
    raw_json: list[str] = field(default_factory=list)  # the verbatim row as stored (JSON list)
    dedupe_keys: list[str] = field(default_factory=list)
    events: dict[int, tuple[Any, ...]] = field(default_factory=dict)  # position -> EVENT values
    # person
    person_key: list[str | None] = field(default_factory=list)
    key_type: list[str | None] = field(default_factory=list)
    full_name: list[str | None] = field(default_factory=list)
    last_name: list[str | None] = field(default_factory=list)
    first_name: list[str | None] = field(default_factory=list)
    middle_name: list[str | None] = field(default_factory=list)
    dob: list[str | None] = field(default_factory=list)
    dob_raw: list[str | None] = field(default_factory=list)
    sex: list[str | None] = field(default_factory=list)
    race: list[str | None] = field(default_factory=list)
    name_key: list[str] = field(default_factory=list)
    # case (None for an event row)
    case_number: list[str | None] = field(default_factory=list)
    case_key: list[str | None] = field(default_factory=list)
    court: list[str | None] = field(default_factory=list)
    county: list[str | None] = field(default_factory=list)
    filing_date: list[str | None] = field(default_factory=list)
    filing_date_raw: list[str | None] = field(default_factory=list)
    status: list[str | None] = field(default_factory=list)
    status_given: list[bool] = field(default_factory=list)  # a status column said it
    # count (None for an event row); attempt, conspiracy, offense_recognized are 0/1
    count_number: list[str | None] = field(default_factory=list)
    offense_raw: list[str | None] = field(default_factory=list)
    offense_comment: list[str | None] = field(default_factory=list)
    code_book: list[str | None] = field(default_factory=list)
    section: list[str | None] = field(default_factory=list)
    subsections: list[str | None] = field(default_factory=list)
    attempt: list[int | None] = field(default_factory=list)
    conspiracy: list[int | None] = field(default_factory=list)
    offense_recognized: list[int | None] = field(default_factory=list)
    description: list[str | None] = field(default_factory=list)
    level: list[str | None] = field(default_factory=list)
    level_raw: list[str | None] = field(default_factory=list)
    disposition: list[str | None] = field(default_factory=list)
    disposition_raw: list[str | None] = field(default_factory=list)
    disposition_date: list[str | None] = field(default_factory=list)
    disposition_date_raw: list[str | None] = field(default_factory=list)
    offense_date: list[str | None] = field(default_factory=list)
    offense_date_raw: list[str | None] = field(default_factory=list)
    sentence: list[str | None] = field(default_factory=list)
    comment: list[str | None] = field(default_factory=list)

    def __len__(self) -> int:
        """The number of usable rows."""
        return len(self.row_numbers)

    def columns(self, names: tuple[str, ...]) -> list[list[Any]]:
        return [getattr(self, name) for name in names]


# Every per-row column, in one place (the normalizer fills them all, position by position).
ROW_COLUMNS = ("row_numbers", "raw_json", "dedupe_keys", *PERSON, *CASE, "status_given", *COUNT)
