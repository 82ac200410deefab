"""The import wizard's plain-Python side: reading a preview, mapping, validating and importing.

Nothing here touches a widget (only QtCore's translation lookup), so every function can run
on a worker thread and be tested without a window. Validation, profiles and the import go through the import service
(``app.services.importing``), so the wizard and the ``import`` command apply the same rules;
the preview and the samples read the file through the ingest layer.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import os
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from PySide6.QtCore import QCoreApplication

from app.core.dates import cell_text, parse_date
from app.core.errors import ClearSlateError, ImportFailed, RemedyKind
from app.core.progress import Progress, check_cancelled
from app.ingest.findings import Finding, Severity
from app.ingest.findings import title as finding_title
from app.ingest.headers import clean_headers, detect_header_row
from app.ingest.mapping import (
    FIELDS_BY_NAME,
    Mapping,
    Profile,
    fill_template,
    guess_mapping,
    near_miss_profile,
    nearest_headers,
    norm_header,
    resolve,
    template_headers,
    unmapped_evaluation_fields,
)
from app.ingest.readers import Cell, Row, SheetInfo, open_table

log = logging.getLogger(__name__)

PREVIEW_ROWS = 50
SAMPLES_PER_FIELD = 4
# Cells of this many rows are kept from validation so a click on a finding shows its row at
# once; rows beyond it are read again from the file on demand.
ROW_CACHE_LIMIT = 20_000
# Characters that make a spreadsheet read a text cell as a formula (RELIABILITY.md, promise 8).
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\0")
# Marked with * on the Columns page: a case number, and a person key or a name.
REQUIRED_FIELDS = ("case_number", "person_key", "full_name", "last_name")


# -- step 1: the file, its sheets and the header row ---------------------------------------------


@dataclass
class Inspection:
    """What the first page shows: the sheets, ~50 raw rows and where the header seems to be."""

    path: Path
    file_kind: str
    sheets: list[SheetInfo]
    sheet: str | None
    encoding: str | None
    epoch: int
    preview: list[Row]
    detected_header_row: int
    findings: list[Finding] = field(default_factory=list)

    @property
    def width(self) -> int:
        return max((len(cells) for _, cells in self.preview), default=0)

    def row_cells(self, row_number: int) -> list[Cell] | None:
        for number, cells in self.preview:
            if number == row_number:
                return cells
        return None

    def row_numbers(self) -> list[int]:
        return [number for number, _ in self.preview]


def offers_encoding(error: ClearSlateError | None) -> str | None:
    """The encoding the person may confirm for a text file the reader refused (the sniffer saw
    Windows-1252, or a byte past the start is not UTF-8), else None."""
    remedy = error.remedy if error is not None else None
    if remedy is not None and remedy.kind is RemedyKind.CONFIRM_ENCODING:
        return remedy.encoding
    return None


def hidden_sheet_choice(error: ClearSlateError | None) -> list[SheetInfo]:
    """Every sheet with its state when a workbook's data can only be on a sheet that was not
    read (no visible sheet has any): the person chooses one. Empty otherwise."""
    remedy = error.remedy if error is not None else None
    if remedy is None or remedy.kind is not RemedyKind.CHOOSE_SHEET:
        return []
    return [SheetInfo(name, state) for name, state in remedy.sheets]


def inspect_source(
    path: Path | str, *, sheet: str | None = None, encoding: str | None = None
) -> Inspection:
    """Open ``path`` (any format the readers know), read the preview and guess the header row.

    Raises :class:`ImportFailed` naming the file when it cannot be read.
    """
    path = Path(path)
    with open_table(path, sheet=sheet, encoding=encoding) as table:
        preview = table.preview(PREVIEW_ROWS)
        if not preview:
            raise ImportFailed("the sheet has no rows with data", file=path.name, sheet=table.sheet)
        header_row = detect_header_row(preview)
        return Inspection(
            path=path,
            file_kind=table.file_kind,
            sheets=list(table.sheets),
            sheet=table.sheet,
            encoding=table.encoding,
            epoch=table.epoch,
            preview=preview,
            detected_header_row=header_row,
            findings=list(table.findings),
        )


def headers_at(inspection: Inspection, header_row: int) -> list[str]:
    """The cleaned, unique column names of ``header_row`` (as wide as the widest preview row)."""
    cells = list(inspection.row_cells(header_row) or [])
    width = inspection.width
    cells.extend([None] * (width - len(cells)))
    return clean_headers(cells)


def column_samples(
    inspection: Inspection, header_row: int, headers: Sequence[str], n: int = SAMPLES_PER_FIELD
) -> dict[str, list[Cell]]:
    """Up to ``n`` distinct non-empty values below the header per column, for the mapping page."""
    samples: dict[str, list[Cell]] = {h: [] for h in headers}
    for number, cells in inspection.preview:
        if number <= header_row:
            continue
        for i, header in enumerate(headers):
            found = samples[header]
            if (
                i < len(cells)
                and not _is_empty(cells[i])
                and len(found) < n
                and cells[i] not in found
            ):
                found.append(cells[i])
    return samples


def template_samples(
    inspection: Inspection,
    header_row: int,
    headers: Sequence[str],
    template: str,
    n: int = SAMPLES_PER_FIELD,
) -> list[str]:
    """Up to ``n`` values a template builds from the first rows (what the import will store)."""
    index = {norm_header(h): i for i, h in enumerate(headers)}
    parts = [(h, index.get(norm_header(h))) for h in template_headers(template)]
    out: list[str] = []
    for number, cells in inspection.preview:
        if number <= header_row or len(out) >= n:
            continue
        texts = {
            h: cell_text(cells[i]) if i is not None and i < len(cells) else None for h, i in parts
        }
        value = (fill_template(template, texts) or "").strip()
        if value and value not in out:
            out.append(value)
    return out


def describe_value(field_name: str, value: Cell, epoch: int = 1900) -> str:
    """A sample as the wizard shows it: dates as "raw → parsed", anything else as its raw text.

    Showing how each date was read is what lets a clerk catch a day/month mix-up or a wrong
    date system before anything is imported.
    """
    raw = cell_text(value) or ""
    target = FIELDS_BY_NAME.get(field_name)
    if target is None or target.kind != "date" or _is_empty(value):
        return raw
    result = parse_date(value, epoch=epoch, allow_future=field_name != "dob")
    if result.value is not None and isinstance(value, dt.date):
        return _tr("%s (date cell)") % result.value.isoformat()
    if result.value is not None:
        return f"{raw} → {result.value.isoformat()}"
    return f"{raw} → ⚠ {result.message or _tr('not read')}"


# -- step 2: mapping and profiles ------------------------------------------------------------------


def field_label(name: str) -> str:
    """A field as the Columns page lists it: its label, with " *" when it is required."""
    label = _tr(FIELDS_BY_NAME[name].label)
    return label + " *" if name in REQUIRED_FIELDS else label


def guess(headers: Sequence[str]) -> Mapping:
    return guess_mapping(list(headers))


def mapping_problem(
    mapping: Mapping, headers: Sequence[str], *, file: str | None = None, sheet: str | None = None
) -> str | None:
    """Why this mapping cannot be imported (a required field or a column missing), or None.

    The required fields are named the way the mapping page shows them (the import's own
    message names the command line's ``--map`` option, which the window does not have).
    """
    mapped = set(mapping.columns) | set(mapping.templates)
    if "case_number" not in mapped:
        return _tr("Choose the column that holds the case number (the field %s).") % (
            f"“{field_label('case_number')}”"
        ) + _likely_columns("case number", headers)
    if not mapped & {"person_key", "full_name", "last_name"}:
        return _tr(
            "Choose the column that holds a person key or a name (the fields %s, %s or %s)."
        ) % tuple(
            f"“{field_label(name)}”" for name in ("person_key", "full_name", "last_name")
        ) + _likely_columns("name", headers)
    try:
        resolve(mapping, headers, file=file, sheet=sheet)
    except ImportFailed as exc:
        return window_text(exc)
    return None


def _likely_columns(wanted: str, headers: Sequence[str]) -> str:
    near = nearest_headers(wanted, headers, cutoff=0.3)
    if not near:
        return ""
    return " " + _tr("Likely columns: %s.") % ", ".join(f"“{h}”" for h in near)


def window_message(error: ClearSlateError, *, reading: bool = False) -> str:
    """``error`` as the window says it: where it is, then :func:`window_text`."""
    where = error.where()
    text = window_text(error, reading=reading)
    return f"{where}: {text}" if where else text


def window_text(error: ClearSlateError, *, reading: bool = False) -> str:
    """The error's problem, then its remedy said with the window's lists, boxes and fields.

    The message itself names the command line's options; the window never reads it when
    there is a remedy. ``reading``: the error came from reading the file on the first page
    (where ClearSlate offers to read a Windows-1252 file as such), not from a later step.
    """
    remedy = error.remedy
    if remedy is None:
        return error.message
    problem = error.problem
    if remedy.kind is RemedyKind.CONFIRM_ENCODING and reading:
        return problem + _tr(
            ": choose the file again and answer Yes when ClearSlate offers to read it as "
            "Windows-1252, or save it from Excel as “CSV UTF-8”"
        )
    if remedy.kind is RemedyKind.CONFIRM_ENCODING:
        # Past the first page the file was read as UTF-8 already: only saving it again helps.
        return problem + _tr(
            "; if it came from an older Windows program, save it from Excel as “CSV UTF-8” "
            "and import that file"
        )
    if remedy.kind is RemedyKind.CHOOSE_SHEET:
        return problem + " " + _tr("(choose one in the Sheet list on the first page)")
    if remedy.kind is RemedyKind.MAP_FIELD:
        labels = _tr(" or ").join(f"“{_tr(FIELDS_BY_NAME[name].label)}”" for name in remedy.fields)
        return problem + " " + _tr("Choose its column for %s on the Columns page.") % labels
    # NAME_ENCODING: the window has no encoding box; the problem already says to save the
    # file as “CSV UTF-8”.
    return problem


def mapping_advice(
    mapping: Mapping,
    headers: Sequence[str],
    *,
    profile: Profile | None,
    profiles: Sequence[Profile],
) -> list[str]:
    """Warnings for a mapping that can be imported but may read the sheet wrongly: a sheet that
    nearly matches a profile (a header misspelt) while the guess is used, and fields the
    evaluation needs that nothing is mapped to (the command line's import says the same)."""
    advice = []
    if profile is None:
        near = near_miss_profile(headers, profiles)
        if near is not None:
            # Said from the parts, not near.describe(): that names the profile's file id.
            missing = _tr(" and ").join(
                (_tr("%s is missing (nearest: '%s')") % (header, nearest))
                if nearest
                else (_tr("%s is missing") % header)
                for header, nearest in near.missing
            )
            advice.append(
                _tr(
                    "This sheet looks like the %s layout, but %s. Choose that profile and map "
                    "the missing column by hand, or check every field below: the guess may read "
                    "it wrongly."
                )
                % (near.profile.title, missing)
            )
    for name, nearest in unmapped_evaluation_fields(mapping, headers):
        label = FIELDS_BY_NAME[name].label
        label = label[0].lower() + label[1:]
        hint = (" " + _tr("(maybe %s)") % ", ".join(repr(h) for h in nearest)) if nearest else ""
        advice.append(
            _tr(
                "Nothing is mapped to %s%s: counts will need review where the decision depends on it."
            )
            % (label, hint)
        )
    return advice


def headers_match_exactly(profile: Profile, headers: Sequence[str]) -> bool:
    """A profile fits a sheet exactly when it names the same set of headers, no more, no less."""
    if not profile.match:
        return False
    wanted = {norm_header(h) for h in profile.match}
    have = {norm_header(h) for h in headers if h}
    return wanted == have


def best_profile(profiles: Sequence[Profile], headers: Sequence[str]) -> Profile | None:
    """The profile to preselect: an exact fit first, else the most specific one that fits."""
    exact = [p for p in profiles if headers_match_exactly(p, headers)]
    if exact:
        return max(exact, key=lambda p: (p.origin == "workspace", len(p.match)))
    fitting = [p for p in profiles if p.matches(headers)]
    return max(fitting, key=lambda p: len(p.match)) if fitting else None


def list_profiles(ws: Any | None = None) -> list[Profile]:
    """Shipped profiles, then the ones saved in the workspace."""
    from app.services import importing

    return importing.list_profiles(ws)


def present_only(mapping: Mapping, headers: Sequence[str]) -> Mapping:
    """A profile's mapping without the optional columns this sheet lacks (as the import does)."""
    have = {norm_header(h) for h in headers}
    return Mapping(
        {k: v for k, v in mapping.columns.items() if norm_header(v) in have},
        dict(mapping.templates),
        {k: v for k, v in mapping.fallbacks.items() if norm_header(v) in have},
        mapping.profile,
    )


def save_profile(
    ws: Any,
    *,
    user: str,
    name: str,
    mapping: Mapping,
    headers: Sequence[str],
    header_row: int,
    layout: str = "rows",
) -> Profile:
    """Save ``mapping`` as a named profile in the workspace (audited as a settings change).

    The sheet's headers go with it, so a sheet with exactly these headers skips the mapping
    step next time.
    """
    from app.services import importing

    return importing.save_profile(
        ws,
        name,
        mapping,
        user=user,
        headers=[h for h in headers if h],
        layout=layout,
        header_row=header_row,
    )


# -- step 3: validation ----------------------------------------------------------------------------


@dataclass
class Validation:
    """The validation report plus the raw cells of rows with findings (for click-through)."""

    report: Any  # app.ingest.validate.ValidationReport
    headers: list[str]
    rows: dict[int, list[Cell]]
    epoch: int

    @property
    def findings(self) -> list[Finding]:
        return list(self.report.findings)

    def groups(self) -> list[tuple[Severity, str, list[Finding]]]:
        """Findings grouped by severity and kind: errors first, then the biggest groups."""
        grouped: dict[tuple[Severity, str], list[Finding]] = {}
        for finding in self.report.findings:
            grouped.setdefault((finding.severity, finding.code), []).append(finding)
        order = {Severity.ERROR: 0, Severity.WARNING: 1, Severity.INFO: 2}
        items = sorted(grouped.items(), key=lambda kv: (order[kv[0][0]], -len(kv[1]), kv[0][1]))
        return [(sev, code, found) for (sev, code), found in items]


def validate_source(
    ws: Any,
    inspection: Inspection,
    *,
    header_row: int,
    mapping: Mapping,
    profile: str | None = None,
    progress: Progress | None = None,
    today: dt.date | None = None,
) -> Validation:
    """Validate every row under ``mapping`` without writing anything (the import's own rules).

    Runs on a worker thread with that thread's ``ws`` (for profiles saved in the workspace).
    Afterwards the cells of rows with findings are read once more, so that a click on a
    finding shows its row at once.
    """
    from app.services import importing

    report = importing.validate_file(
        inspection.path,
        sheet=inspection.sheet,
        header_row=header_row,
        mapping=mapping,
        profile=profile,
        encoding=inspection.encoding,
        ws=ws,
        today=today,
        progress=progress,
    )
    check_cancelled(progress)
    wanted = sorted({f.row for f in report.findings if f.row is not None and f.row > header_row})
    rows = _rows_with_findings(inspection, set(wanted[:ROW_CACHE_LIMIT]), progress)
    if progress is not None:
        progress.report(report.rows, report.rows, "Checked every row")
    headers = headers_at(inspection, header_row)
    return Validation(report=report, headers=headers, rows=rows, epoch=inspection.epoch)


def _rows_with_findings(
    inspection: Inspection, wanted: set[int], progress: Progress | None
) -> dict[int, list[Cell]]:
    rows: dict[int, list[Cell]] = {}
    if not wanted:
        return rows
    last = max(wanted)
    with open_table(inspection.path, sheet=inspection.sheet, encoding=inspection.encoding) as table:
        for n, (number, cells) in enumerate(table.rows(), 1):
            if number in wanted:
                rows[number] = cells
            if number >= last:
                break
            if n % 5000 == 0:
                check_cancelled(progress)
    return rows


def read_row(inspection: Inspection, row_number: int) -> list[Cell] | None:
    """One row's cells, read again from the file (for rows beyond the validation cache)."""
    with open_table(inspection.path, sheet=inspection.sheet, encoding=inspection.encoding) as table:
        for number, cells in table.rows():
            if number == row_number:
                return cells
            if number > row_number:
                return None
    return None


def export_findings(findings: Sequence[Finding], target: Path | str) -> Path:
    """Write the findings to an .xlsx a clerk can sort and filter, atomically.

    Errors come first, then warnings, then notes, each in row order: the rows that block the
    import are what a clerk fixes first.

    Every value is written as a text cell, and text that a spreadsheet would read as a
    formula is marked quote-prefixed so Excel keeps it as text even when the cell is edited.
    """
    import xlsxwriter

    target = Path(target)
    if target.suffix.lower() != ".xlsx":
        target = target.with_name(target.name + ".xlsx")
    fd, tmp_name = tempfile.mkstemp(prefix=".findings-", suffix=".xlsx", dir=target.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        book = xlsxwriter.Workbook(
            str(tmp), {"strings_to_formulas": False, "strings_to_urls": False}
        )
        sheet = book.add_worksheet(_tr("Findings")[:31])
        bold = book.add_format({"bold": True})
        quoted = book.add_format({"quote_prefix": True})
        columns = tuple(
            _tr(title)
            for title in (
                "Severity", "Kind", "File", "Sheet", "Row", "Column", "Value", "Message", "Code",
            )
        )  # fmt: skip
        widths = (10, 34, 24, 16, 8, 20, 24, 80, 24)
        for col, (title, width) in enumerate(zip(columns, widths)):
            sheet.write_string(0, col, title, bold)
            sheet.set_column(col, col, width)
        rank = {Severity.ERROR: 0, Severity.WARNING: 1, Severity.INFO: 2}
        ordered = sorted(findings, key=lambda f: (rank[f.severity], f.row is not None, f.row or 0))
        for r, finding in enumerate(ordered, start=1):
            values = (
                finding.severity.value,
                finding_title(finding.code),
                finding.file,
                finding.sheet,
                finding.row,
                finding.column,
                finding.value,
                finding.message,
                finding.code,  # stable, for anyone who filters or reports on them
            )
            for col, value in enumerate(values):
                if value is None:
                    continue
                if isinstance(value, int):
                    sheet.write_number(r, col, value)
                    continue
                text = str(value)[:32_767]  # Excel's cell limit
                fmt = quoted if text.startswith(FORMULA_TRIGGERS) else None
                sheet.write_string(r, col, text, fmt)
        sheet.freeze_panes(1, 0)
        sheet.autofilter(0, 0, max(1, len(findings)), len(columns) - 1)
        book.close()
        with tmp.open("rb+") as fh:
            os.fsync(fh.fileno())
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise
    return target


# -- step 4: the import ----------------------------------------------------------------------------


@dataclass
class ImportRequest:
    """Everything the import needs, as plain values (handed to the worker thread)."""

    path: Path
    sheet: str | None
    encoding: str | None
    header_row: int
    mapping: Mapping
    profile: str | None
    skip_invalid: bool


def run_import(
    ws: Any, request: ImportRequest, *, user: str, progress: Progress | None = None
) -> Any:
    """Import with the calling thread's own ``ws``; returns the service's ImportReport.

    One transaction: cancel (Progress.cancelled) or any failure leaves the workspace as it was.
    """
    from app.services import importing

    return importing.import_file(
        ws,
        request.path,
        user=user,
        sheet=request.sheet,
        header_row=request.header_row,
        mapping=request.mapping,
        profile=request.profile,
        encoding=request.encoding,
        skip_invalid=request.skip_invalid,
        progress=progress,
    )


@dataclass
class ImportSummary:
    """What the result page shows."""

    status: str  # "imported" | "unchanged" | "refused"
    message: str
    counts: int = 0
    cases: int = 0
    people: int = 0
    events: int = 0
    skipped: list[tuple[int, str]] = field(default_factory=list)
    matches_proposed: int = 0


def summarize(report: Any) -> ImportSummary:
    return ImportSummary(
        status=report.status,
        message=report.message,
        counts=report.counts,
        cases=report.cases,
        people=report.people,
        events=report.events,
        skipped=[(s.row, s.reason) for s in report.skipped],
        matches_proposed=report.matches_proposed,
    )


def _tr(text: str) -> str:
    """User-facing words go through Qt's translation like the pages' own ``self.tr()``."""
    return QCoreApplication.translate("ImportWizard", text)


def _is_empty(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


__all__ = [
    "ImportRequest",
    "ImportSummary",
    "Inspection",
    "Validation",
    "best_profile",
    "column_samples",
    "describe_value",
    "export_findings",
    "field_label",
    "guess",
    "headers_at",
    "headers_match_exactly",
    "inspect_source",
    "list_profiles",
    "mapping_advice",
    "hidden_sheet_choice",
    "mapping_problem",
    "offers_encoding",
    "present_only",
    "read_row",
    "run_import",
    "save_profile",
    "summarize",
    "template_headers",
    "template_samples",
    "validate_source",
    "window_message",
    "window_text",
]
