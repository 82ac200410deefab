"""A finding: one problem in a source file, located by file, sheet, row and column."""

from __future__ import annotations

import enum
from dataclasses import dataclass


class Severity(enum.StrEnum):
    ERROR = "error"  # the row cannot be used (or, with no row, the file cannot be imported)
    WARNING = "warning"  # the raw value is kept, the normalized field left empty
    INFO = "info"  # worth knowing (hidden sheets, macros ignored, invisible characters stripped)


@dataclass(frozen=True, slots=True)
class Finding:
    severity: Severity
    code: str  # stable, e.g. "date.two_digit_year", "row.no_case_number", "file.macros_ignored"
    message: str
    file: str | None = None
    sheet: str | None = None
    row: int | None = None  # the row number a person sees in Excel, or the CSV line number
    column: str | None = None  # the header text (or the column letter when there is no header)
    value: str | None = None  # the raw value, when showing it helps

    def where(self) -> str:
        parts = [p for p in (self.file, f"sheet {self.sheet!r}" if self.sheet else None) if p]
        if self.row is not None:
            parts.append(f"row {self.row}")
        if self.column:
            parts.append(f"column {self.column!r}")
        return ", ".join(parts)

    def to_dict(self) -> dict[str, object]:
        return {
            "severity": self.severity.value,
            "code": self.code,
            "message": self.message,
            "file": self.file,
            "sheet": self.sheet,
            "row": self.row,
            "column": self.column,
            "value": self.value,
        }
