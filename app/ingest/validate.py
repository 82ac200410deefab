"""Validation of a whole sheet without writing anything: findings, usable rows, duplicates.

The import wizard shows this report before anything is committed; ``import`` applies the
same rules row by row while it writes (duplicates there are found against the workspace).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from app.core.dates import cell_text
from app.ingest.findings import Finding, Severity
from app.ingest.normalize_rows import RowNormalizer, RowRecord, RowResult


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
        self._seen: dict[str, tuple[int, str]] = {}

    def check(self, record: RowRecord) -> Finding | None:
        first = self._seen.get(record.dedupe_key)
        if first is None:
            self._seen[record.dedupe_key] = (record.row_number, record.content_hash)
            return None
        return duplicate_finding(
            record,
            first[0],
            exact=first[1] == record.content_hash,
            file=self.file,
            sheet=self.sheet,
        )


def duplicate_finding(
    record: RowRecord,
    first_row: int,
    *,
    exact: bool,
    file: str,
    sheet: str | None,
    other_file: str | None = None,
) -> Finding:
    """The finding for a row that repeats a count (or event) already seen."""
    what = "count" if record.count is not None else "history event"
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
        row=record.row_number,
        column=None,
    )


def validate_rows(
    normalizer: RowNormalizer, rows: Iterable[tuple[int, list[object]]]
) -> ValidationReport:
    """Normalize every row and collect the report (nothing is written)."""
    report = ValidationReport()
    tracker = DuplicateTracker(file=normalizer.file, sheet=normalizer.sheet)
    for row_number, result in _normalized(normalizer, rows):
        if result.blank:
            report.blank_rows += 1
            continue
        report.rows += 1
        report.findings.extend(result.findings)
        if result.record is None:
            report.error_rows.append(row_number)
            continue
        report.usable_rows += 1
        duplicate = tracker.check(result.record)
        if duplicate is not None:
            report.duplicates += 1
            report.findings.append(duplicate)
        elif result.record.count is not None:
            report.counts += 1
        else:
            report.events += 1
    report.findings.extend(normalizer.id_findings())
    return report


def _normalized(
    normalizer: RowNormalizer, rows: Iterable[tuple[int, list[object]]], size: int = 1000
) -> Iterator[tuple[int, RowResult]]:
    """Row numbers with their results, normalized a chunk at a time (the batch fast path)."""
    chunk: list[tuple[int, list[object]]] = []
    for item in rows:
        chunk.append(item)
        if len(chunk) >= size:
            yield from zip((n for n, _ in chunk), normalizer.normalize_batch(chunk), strict=True)
            chunk = []
    if chunk:
        yield from zip((n for n, _ in chunk), normalizer.normalize_batch(chunk), strict=True)


__all__ = [
    "ValidationReport",
    "DuplicateTracker",
    "duplicate_finding",
    "validate_rows",
    "cell_text",
]
