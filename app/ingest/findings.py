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


# What a person reads as the title of a group of findings (the import wizard's report). Every
# code the importer writes has one (a test reads the source for them); an unknown code still
# gets a readable title from its own words.
TITLES: dict[str, str] = {
    "case.status_unknown": "Case status not recognized",
    "cell.beyond_last_header": "Values in columns beyond the last header",
    "cell.error_value": "Cells holding an error (#N/A, #DIV/0! …)",
    "cell.formula_no_value": "Formulas without a stored value",
    "cell.merged": "Merged cells",
    "cell.too_long": "Cells longer than Excel allows",
    "date.ambiguous_order": "Dates that read either way round in a day-first column",
    "date.future": "Dates in the future",
    "date.implausible": "Implausible dates",
    "date.impossible": "Impossible dates",
    "date.number_as_text": "Numbers where a date belongs",
    "date.order_assumed": "Dates read as month/day/year that could be day/month",
    "date.serial_out_of_range": "Excel date numbers out of range",
    "date.two_digit_year": "Two-digit years",
    "date.unreadable": "Unreadable dates",
    "disposition.ambiguous": "Ambiguous dispositions",
    "disposition.unknown": "Dispositions not recognized",
    "file.hidden_sheets": "Hidden sheets",
    "file.hidden_sheet_chosen": "A hidden sheet read",
    "file.macros_ignored": "Macros ignored",
    "file.text_named_as_workbook": "Text file named as a workbook",
    "header.blank": "Blank headers",
    "header.duplicate": "Repeated headers",
    "header.invisible_chars": "Invisible characters in headers",
    "id.lost_leading_zero": "IDs that may have lost leading zeros",
    "id.numeric_not_checked": "Numeric IDs not checked one by one",
    "id.scientific": "IDs in scientific notation",
    "id.unreadable": "Unreadable IDs",
    "level.unknown": "Offense levels not recognized",
    "mapping.column_absent": "Mapped columns missing from the sheet",
    "mapping.field_unmapped": "Fields the evaluation uses left unmapped",
    "mapping.near_profile": "Sheets that nearly match a saved layout",
    "offense.unknown": "Offense codes not recognized",
    "person.key_other_type": "Person keys also used under another key type",
    "row.duplicate": "Exact duplicate rows (counted once)",
    "row.duplicate_differs": "The same count twice with other details differing",
    "row.no_case_number": "Rows without a case number",
    "row.no_person": "Rows without a person key or name",
    "row.overlap": "Already in the workspace from another file",
    "text.invisible_characters": "Invisible characters removed",
}


def title(code: str) -> str:
    """The title of a group of findings: ``cell.merged`` → "Merged cells"."""
    known = TITLES.get(code)
    if known is not None:
        return known
    kind, _, detail = code.partition(".")
    text = f"{kind}: {detail}" if detail else kind
    return (text[:1].upper() + text[1:]).replace("_", " ")
