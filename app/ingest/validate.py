"""Validation of a whole sheet without writing anything: findings, usable rows, duplicates.

The import wizard shows this report before anything is committed; ``import`` applies the
same rules row by row while it writes (duplicates there are found against the workspace).
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from itertools import islice

from app.core.dates import cell_text
from app.core.rowbatch import RowBatch
from app.ingest.findings import Finding, Severity
from app.ingest.normalize_rows import RowNormalizer


@dataclass(slots=True)
class ValidationReport:
    """What validating a sheet found; ``errors`` rows would be skipped (or block the import)."""

    rows: int = 0  # non-blank data rows
    blank_rows: int = 0
    usable_rows: int = 0
    counts: int = 0
    events: int = 0
    duplicates: int = 0
    error_rows: list[int] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.severity is Severity.ERROR]

    @property
    def warnings(self) -> list[Finding]:
        return [f for f in self.findings if f.severity is Severity.WARNING]

    def by_code(self) -> dict[tuple[str, str], int]:
        """Finding counts grouped by (severity, code), for the grouped report."""
        return dict(Counter((f.severity.value, f.code) for f in self.findings))


class DuplicateTracker:
    """Remembers each dedupe key's first row within one file; later copies become findings."""

    def __init__(self, *, file: str, sheet: str | None) -> None:
        self.file = file
        self.sheet = sheet
        self._seen: dict[str, tuple[int, bytes]] = {}

    def check(self, batch: RowBatch, i: int) -> Finding | None:
        """The finding for the batch's usable row ``i`` if it repeats an earlier row, else None."""
        key = batch.dedupe_keys[i]
        text = hashlib.blake2b(batch.raw_json[i].encode("utf-8"), digest_size=16).digest()
        first = self._seen.get(key)
        if first is None:
            self._seen[key] = (batch.row_numbers[i], text)
            return None
        return duplicate_finding(
            batch.row_numbers[i],
            first[0],
            event=i in batch.events,
            exact=first[1] == text,
            file=self.file,
            sheet=self.sheet,
        )


def duplicate_finding(
    row_number: int,
    first_row: int,
    *,
    event: bool,
    exact: bool,
    file: str,
    sheet: str | None,
    other_file: str | None = None,
) -> Finding:
    """The finding for a row that repeats a count (or event) already seen."""
    what = "history event" if event else "count"
    if other_file:
        message = f"the same {what} is already in the workspace from {other_file} row {first_row}; not imported twice"
        code = "row.overlap"
    elif exact:
        message = f"exact duplicate of row {first_row}; counted once"
        code = "row.duplicate"
    else:
        message = f"the same {what} as row {first_row} (same person, case, count, offense and disposition) with other details differing; counted once, check which row is right"
        code = "row.duplicate_differs"
    return Finding(
        severity=Severity.INFO if exact or other_file else Severity.WARNING,
        code=code,
        message=message,
        file=file,
        sheet=sheet,
        row=row_number,
        column=None,
    )


def batches(
    normalizer: RowNormalizer, rows: Iterable[tuple[int, list[object]]], size: int = 5000
) -> Iterator[RowBatch]:
    """The rows normalized ``size`` at a time (the column-at-a-time fast path)."""
    rows = iter(rows)
    while chunk := list(islice(rows, size)):  # in C: no Python step per row
        yield normalizer.normalize_rows(chunk)


def validate_rows(
    normalizer: RowNormalizer, rows: Iterable[tuple[int, list[object]]]
) -> ValidationReport:
    """Normalize every row and collect the report (nothing is written)."""
    report = ValidationReport()
    tracker = DuplicateTracker(file=normalizer.file, sheet=normalizer.sheet)
    for batch in batches(normalizer, rows):
        report.blank_rows += batch.blank
        report.rows += batch.rows
        report.findings.extend(batch.findings)
        report.error_rows.extend(row for row, _, _ in batch.errors)
        report.usable_rows += len(batch)
        for i in range(len(batch)):
            duplicate = tracker.check(batch, i)
            if duplicate is not None:
                report.duplicates += 1
                report.findings.append(duplicate)
            elif i in batch.events:
                report.events += 1
            else:
                report.counts += 1
    report.findings.extend(normalizer.id_findings())
    return report


__all__ = [
    "ValidationReport",
    "DuplicateTracker",
    "duplicate_finding",
    "batches",
    "validate_rows",
    "cell_text",
]
