"""Importing a county spreadsheet: inspect it, validate it, then import it all or nothing.

The window's import wizard and the ``import`` command both call these three functions:

- :func:`inspect_file` — sheets with their state, a raw preview, the detected header row,
  file findings, the guessed (or profile) mapping and sample values per field;
- :func:`validate_file` — every row normalized and checked, nothing written;
- :func:`import_file` — a backup, then ONE transaction: the source, its rows verbatim, people,
  cases, counts, events, findings and the audit entry. Cancel, a crash, a kill or a full disk
  leave the workspace as it was; importing the same file again changes nothing.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import gc
import json
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from itertools import dropwhile
from pathlib import Path
from typing import Any

from app.core.errors import Cancelled, ClearSlateError, ImportFailed
from app.core.progress import Progress, check_cancelled
from app.core.rowbatch import RowBatch
from app.ingest.findings import Finding, Severity
from app.ingest.headers import clean_headers, detect_header_row
from app.ingest.headers import header_cells as header_row_cells
from app.ingest.mapping import (
    EVALUATION_FIELDS,
    FIELDS,
    Mapping,
    Profile,
    ResolvedMapping,
    apply_near_miss,
    apply_overrides,
    guess_mapping,
    match_profile,
    norm_header,
    parse_overrides,
    profile_from_dict,
    profile_to_dict,
    resolve,
    shipped_profiles,
    unmapped_findings,
)
from app.ingest.normalize_rows import RowNormalizer
from app.ingest.readers import SheetInfo, Table, file_sha256, open_table
from app.ingest.sniff import TEXT_KINDS
from app.ingest.validate import ValidationReport, batches, duplicate_finding, validate_rows
from app.services.import_rows import WorkerBatches, parallel_wanted, worker_job
from app.store import imports as store
from app.store.workspace import Workspace

BATCH = 5000
PROFILE_SETTING_PREFIX = "import.profile."
Row = tuple[int, list[Any]]


# -- profiles ---------------------------------------------------------------------------------


def list_profiles(ws: Workspace | None = None) -> list[Profile]:
    """Shipped profiles (resources/profiles) and, with a workspace, the ones saved in it."""
    profiles = shipped_profiles()
    if ws is not None:
        for key, value in sorted(ws.settings().items()):
            if key.startswith(PROFILE_SETTING_PREFIX):
                name = key.removeprefix(PROFILE_SETTING_PREFIX)
                profiles.append(profile_from_dict(json.loads(value), name=name, origin="workspace"))
    return profiles


def get_profile(name: str, ws: Workspace | None = None) -> Profile:
    profiles = list_profiles(ws)
    # A profile saved in the workspace wins over a shipped one of the same name.
    for profile in reversed(profiles):
        if profile.name == name:
            return profile
    names = ", ".join(sorted({p.name for p in profiles})) or "none"
    raise ImportFailed(f"There is no mapping profile {name!r}. Profiles: {names}.")


def save_profile(
    ws: Workspace,
    name: str,
    mapping: Mapping,
    *,
    user: str,
    title: str | None = None,
    headers: Sequence[str] = (),
    layout: str = "rows",
    header_row: int | None = None,
) -> Profile:
    """Save a mapping as a named profile in the workspace settings (audited as a settings change).

    ``headers`` (the sheet's headers) make the profile apply itself to a sheet with the same
    headers next time.
    """
    name = name.strip()
    if not name or any(c in name for c in "\n\r\t"):
        raise ImportFailed("A profile needs a one-line name.")
    profile = Profile(
        name=name,
        title=title or name,
        mapping=Mapping(mapping.columns, mapping.templates, mapping.fallbacks, name),
        match=tuple(headers),
        layout=layout,
        header_row=header_row,
        origin="workspace",
    )
    ws.set_setting(
        PROFILE_SETTING_PREFIX + name,
        json.dumps(profile_to_dict(profile), ensure_ascii=False),
        user=user,
    )
    return profile


# -- inspecting ---------------------------------------------------------------------------------


@dataclass(slots=True)
class Inspection:
    """What the wizard's first two steps show."""

    file: str
    file_kind: str
    sheets: list[SheetInfo]
    sheet: str | None
    encoding: str | None
    epoch: int
    preview: list[Row]
    header_row: int
    headers: list[str]
    findings: list[Finding]
    mapping: Mapping
    profile: str | None
    layout: str
    samples: dict[str, list[str]] = field(default_factory=dict)  # field -> a few sample values

    @property
    def unmapped_headers(self) -> list[str]:
        used = self.mapping.headers_used()
        return [h for h in self.headers if h not in used]


@dataclass(slots=True)
class _Prepared:
    table: Table
    header_row: int
    headers: list[str]
    findings: list[Finding]
    mapping: Mapping
    profile: Profile | None
    layout: str
    preview: list[Row]


def _as_mapping(mapping: Mapping | dict[str, str] | None) -> Mapping | None:
    if mapping is None or isinstance(mapping, Mapping):
        return mapping
    return Mapping(columns={k: v for k, v in mapping.items() if v})


def _prepare(
    path: Path,
    *,
    sheet: str | None,
    encoding: str | None,
    header_row: int | None,
    mapping: Mapping | dict[str, str] | None,
    profile: str | None,
    overrides: dict[str, str | None] | None,
    ws: Workspace | None,
    refuse_near_miss: bool = True,
) -> _Prepared:
    table = open_table(path, sheet=sheet, encoding=encoding)
    try:
        preview = table.preview(50)
        if not preview:
            raise ImportFailed(
                "The sheet is empty: there is nothing to import.", file=path.name, sheet=table.sheet
            )
        chosen: Profile | None = get_profile(profile, ws) if profile else None
        if header_row is None and chosen is not None and chosen.header_row:
            header_row = chosen.header_row
        if header_row is None:
            header_row = detect_header_row(preview)
        header_cells = header_row_cells(preview, header_row)
        if header_cells is None:
            raise ImportFailed(
                f"Row {header_row} is empty or beyond the data; choose another header row.",
                file=path.name,
                sheet=table.sheet,
            )
        # Merged title cells above the header are harmless (a banner over the table): only
        # merged cells in the header and the data are findings.
        findings = [
            f
            for f in table.findings
            if not (f.code == "cell.merged" and f.row is not None and f.row < header_row)
        ]
        headers = clean_headers(
            header_cells, findings, file=path.name, sheet=table.sheet, row=header_row
        )
        if not any(number > header_row for number, _ in preview):
            raise ImportFailed(
                f"The sheet has headers (row {header_row}) but no data rows below them.",
                file=path.name,
                sheet=table.sheet,
            )
        guessed = chosen is None and mapping is None
        if guessed:
            profiles = list_profiles(ws)
            chosen = match_profile(headers, profiles) or apply_near_miss(
                headers,
                profiles,
                overrides,
                findings,
                refuse=refuse_near_miss,
                file=path.name,
                sheet=table.sheet,
                row=header_row,
            )
        if mapping is not None:
            base = _as_mapping(mapping)
            assert base is not None
        elif chosen is not None:
            base = _present_only(
                chosen.mapping, headers, findings, file=path.name, sheet=table.sheet, row=header_row
            )
        else:
            base = guess_mapping(headers)
        if overrides:
            base = apply_overrides(base, overrides)
        if guessed and chosen is None:
            findings.extend(
                unmapped_findings(
                    base, headers, overrides, file=path.name, sheet=table.sheet, row=header_row
                )
            )
        return _Prepared(
            table,
            header_row,
            headers,
            findings,
            base,
            chosen,
            chosen.layout if chosen else "rows",
            preview,
        )
    except BaseException:
        table.close()
        raise


def _present_only(
    mapping: Mapping,
    headers: Sequence[str],
    findings: list[Finding],
    *,
    file: str,
    sheet: str | None,
    row: int,
) -> Mapping:
    """A profile's mapping without the optional columns this sheet does not have (each noted)."""
    have = {norm_header(h) for h in headers}
    columns = {}
    for name, header in mapping.columns.items():
        if norm_header(header) in have:
            columns[name] = header
        else:
            # A field the evaluation reads is a warning: its counts can only need review.
            needed = name in EVALUATION_FIELDS
            findings.append(
                Finding(
                    Severity.WARNING if needed else Severity.INFO,
                    "mapping.column_absent",
                    f"the profile reads {name.replace('_', ' ')} from {header!r}, which this sheet does not have; left empty"
                    + ("; the evaluation uses it, so counts that depend on it will need review" if needed else ""),
                    file=file,
                    sheet=sheet,
                    row=row,
                    column=header,
                )
            )
    fallbacks = {k: v for k, v in mapping.fallbacks.items() if norm_header(v) in have}
    return Mapping(columns, dict(mapping.templates), fallbacks, mapping.profile)


def inspect_file(
    path: str | Path,
    *,
    sheet: str | None = None,
    encoding: str | None = None,
    header_row: int | None = None,
    profile: str | None = None,
    ws: Workspace | None = None,
) -> Inspection:
    """Read the start of a file: sheets, preview, header row, guessed mapping, sample values."""
    path = Path(path)
    prepared = _prepare(
        path,
        sheet=sheet,
        encoding=encoding,
        header_row=header_row,
        mapping=None,
        profile=profile,
        overrides=None,
        ws=ws,
        refuse_near_miss=False,  # the wizard shows the sheet; the near miss is a finding
    )
    table = prepared.table
    try:
        samples: dict[str, list[str]] = {}
        index = {h: i for i, h in enumerate(prepared.headers)}
        data = [cells for number, cells in prepared.preview if number > prepared.header_row]
        for target in FIELDS:
            header = prepared.mapping.columns.get(target.name)
            if header is None or header not in index:
                continue
            i = index[header]
            values = [
                str(c) for cells in data if i < len(cells) and (c := cells[i]) not in (None, "")
            ]
            samples[target.name] = values[:5]
        return Inspection(
            file=path.name,
            file_kind=table.file_kind,
            sheets=list(table.sheets),
            sheet=table.sheet,
            encoding=table.encoding,
            epoch=table.epoch,
            preview=prepared.preview,
            header_row=prepared.header_row,
            headers=prepared.headers,
            findings=prepared.findings,
            mapping=prepared.mapping,
            profile=prepared.profile.name if prepared.profile else None,
            layout=prepared.layout,
            samples=samples,
        )
    finally:
        table.close()


def _data_rows(table: Table, header_row: int) -> Iterator[Row]:
    """The rows below the header row (row numbers only grow, so the test stops at the first)."""
    return dropwhile(lambda row: row[0] <= header_row, table.rows())


def _duplicate_findings(
    hits: list[store.DuplicateHit], file: str, sheet: str | None
) -> list[Finding]:
    return [
        duplicate_finding(
            hit.row_number,
            hit.first_row or 0,
            event=hit.event,
            exact=hit.exact,
            file=file,
            sheet=sheet,
            other_file=None if hit.same_source else (hit.first_file or "an earlier import"),
        )
        for hit in hits
    ]


@contextlib.contextmanager
def _no_cyclic_gc() -> Iterator[None]:
    """Pause the cyclic garbage collector for the load.

    An import allocates millions of small, acyclic objects (cells, records, tuples) while the
    person and case maps grow, so the collector's full passes rescan an ever larger heap:
    measured, they cost about half of the normalization time. Reference counting still frees
    everything; the collector is restored (if it was on) when the import ends.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _reading_findings(prepared: _Prepared, seen_before: int) -> list[Finding]:
    """Cell findings the reader added while the rows were read (cells over Excel's limit).

    The reader appends them to ``table.findings`` as it reaches the cells; the preview already
    read the first rows, so the ones it reported (and copied) are not repeated.
    """
    known = set(prepared.findings)
    return [f for f in prepared.table.findings[seen_before:] if f not in known]


def _normalizer(
    prepared: _Prepared,
    path: Path,
    resolved: ResolvedMapping,
    today: dt.date | None,
    day_first_proofs: dict[str, tuple[int, str | None]] | None = None,
) -> RowNormalizer:
    return RowNormalizer(
        resolved,
        file=path.name,
        sheet=prepared.table.sheet,
        epoch=prepared.table.epoch,
        layout=prepared.layout,
        today=today,
        text_cells=prepared.table.file_kind in TEXT_KINDS,
        day_first_proofs=day_first_proofs,
    )


# -- validating ---------------------------------------------------------------------------------


def validate_file(
    path: str | Path,
    *,
    sheet: str | None = None,
    header_row: int | None = None,
    mapping: Mapping | dict[str, str] | None = None,
    profile: str | None = None,
    overrides: dict[str, str | None] | None = None,
    encoding: str | None = None,
    ws: Workspace | None = None,
    today: dt.date | None = None,
    progress: Progress | None = None,
) -> ValidationReport:
    """Normalize and check every row without writing: the wizard's validation report."""
    path = Path(path)
    prepared = _prepare(
        path,
        sheet=sheet,
        encoding=encoding,
        header_row=header_row,
        mapping=mapping,
        profile=profile,
        overrides=overrides,
        ws=ws,
    )
    try:
        resolved = resolve(
            prepared.mapping, prepared.headers, file=path.name, sheet=prepared.table.sheet
        )

        def rows() -> Iterator[Row]:
            for n, item in enumerate(_data_rows(prepared.table, prepared.header_row), 1):
                if n % BATCH == 0:
                    check_cancelled(progress)
                    if progress is not None:
                        progress.report(n, None, f"Checked {n:,} rows")
                yield item

        proofs: dict[str, tuple[int, str | None]] = {}
        while True:
            normalizer = _normalizer(prepared, path, resolved, today, proofs)
            seen_before = len(prepared.table.findings)
            report = validate_rows(normalizer, rows())
            late = normalizer.late_day_first_proofs()
            if not late.keys() - proofs.keys():
                break
            # As the import does (see _ReadAgain): check again knowing the columns' order.
            proofs = {**proofs, **late}
        report.findings[:0] = prepared.findings
        report.findings.extend(_reading_findings(prepared, seen_before))
        return report
    finally:
        prepared.table.close()


# -- importing ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SkippedRow:
    row: int
    reason: str


@dataclass(slots=True)
class ImportReport:
    """The outcome of :func:`import_file`.

    ``status``: "imported"; "unchanged" (this exact file was imported before: nothing done);
    or "refused" (rows with errors and no ``skip_invalid``: nothing imported).
    """

    status: str
    file: str
    sheet: str | None
    sha256: str
    message: str
    source_id: int | None = None
    rows: int = 0
    people: int = 0
    cases: int = 0
    counts: int = 0
    events: int = 0
    duplicates: int = 0
    overlapping: int = 0
    matches_proposed: int = 0
    skipped: list[SkippedRow] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    backup: Path | None = None
    seconds: float = 0.0
    profile: str | None = None

    @property
    def ok(self) -> bool:
        return self.status != "refused"

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.severity is Severity.ERROR]

    def to_json(self) -> dict[str, Any]:
        """The shape ``import --json`` prints (issue 3)."""
        return {
            "imported": {"counts": self.counts, "cases": self.cases, "people": self.people},
            "skipped": [{"row": s.row, "reason": s.reason} for s in self.skipped],
            "findings": [
                {
                    "sheet": f.sheet,
                    "row": f.row,
                    "column": f.column,
                    "severity": f.severity.value,
                    "message": f.message,
                }
                for f in self.findings
                if f.severity is not Severity.INFO
            ],
        }


_INTERRUPTED = "interrupted (Ctrl-C); nothing was imported"


class _Refused(Exception):
    """Internal: rows had errors and skip_invalid was not given; rolls the transaction back."""


class _ReadAgain(Exception):
    """Internal: a date column proved day-first only after ambiguous values had been read
    month-first; rolls the transaction back so the file is read again with the proofs known
    from the first row (each such value is then flagged and left empty, never guessed)."""

    def __init__(self, proofs: dict[str, tuple[int, str | None]]) -> None:
        super().__init__(proofs)
        self.proofs = proofs


def import_file(
    ws: Workspace,
    path: str | Path,
    *,
    user: str,
    sheet: str | None = None,
    header_row: int | None = None,
    mapping: Mapping | dict[str, str] | None = None,
    profile: str | None = None,
    overrides: dict[str, str | None] | Sequence[str] | None = None,
    encoding: str | None = None,
    skip_invalid: bool = False,
    today: dt.date | None = None,
    progress: Progress | None = None,
) -> ImportReport:
    """Import one sheet of one file into the workspace, all or nothing.

    ``mapping`` (field → header, or a :class:`Mapping`) replaces the guess; ``profile`` names
    a saved or shipped profile; ``overrides`` (field → header, or ``["FIELD=HEADER", ...]``)
    adjust either. Raises :class:`ImportFailed` for a file that cannot be read or a mapping
    that does not fit, :class:`Cancelled` when ``progress`` asks to stop; in every case the
    workspace is unchanged and the attempt is audited.
    """
    started = time.perf_counter()
    path = Path(path)
    if overrides is not None and not isinstance(overrides, dict):
        overrides = parse_overrides(overrides)
    try:
        if not path.is_file():
            raise ImportFailed("There is no such file.", file=str(path))
        sha_before = file_sha256(path)
        prepared = _prepare(
            path,
            sheet=sheet,
            encoding=encoding,
            header_row=header_row,
            mapping=mapping,
            profile=profile,
            overrides=overrides,
            ws=ws,
        )
    except ClearSlateError as exc:
        _audit_failure(ws, user, path, "failed", str(exc))
        raise
    except KeyboardInterrupt:
        _audit_failure(ws, user, path, "cancelled", _INTERRUPTED)
        raise
    table = prepared.table
    try:
        existing = store.find_source(ws, sha_before, table.sheet)
        if existing is not None:
            message = (
                f"{path.name} was already imported on {existing.imported_at[:10]} by {existing.imported_by or 'unknown'} "
                f"({existing.imported_rows} rows): nothing changed."
            )
            ws.audit(
                user,
                "import",
                path.name,
                "unchanged",
                {"sha256": sha_before, "sheet": table.sheet, "source_id": existing.id},
            )
            return ImportReport(
                "unchanged",
                path.name,
                table.sheet,
                sha_before,
                message,
                source_id=existing.id,
                seconds=time.perf_counter() - started,
            )
        resolved = resolve(prepared.mapping, prepared.headers, file=path.name, sheet=table.sheet)
        try:
            with store.translating():
                backup = ws.backup("before-import")
        except OSError as exc:
            raise ImportFailed(
                f"The automatic backup before the import could not be written ({exc.strerror or exc}): nothing was imported."
            ) from exc
        proofs: dict[str, tuple[int, str | None]] = {}
        try:
            while True:
                report = ImportReport(
                    "imported", path.name, table.sheet, sha_before, "", backup=backup
                )
                report.profile = prepared.profile.name if prepared.profile else None
                try:
                    _run_import(
                        ws,
                        path,
                        prepared,
                        resolved,
                        report,
                        user=user,
                        skip_invalid=skip_invalid,
                        today=today,
                        progress=progress,
                        day_first_proofs=proofs,
                    )
                except _ReadAgain as again:
                    # Rolled back; read the file once more knowing the columns' order.
                    proofs = {**proofs, **again.proofs}
                    continue
                break
        except _Refused:
            errors = report.errors
            rows = sorted({f.row for f in errors if f.row is not None})
            report.status = "refused"
            report.message = (
                f"{_n(len(rows), 'row')} {'has' if len(rows) == 1 else 'have'} errors, so nothing was imported. "
                "Fix the source, or import the rest with "
                "--skip-invalid (the rows with errors are then recorded as skipped)."
            )
            report.people = report.cases = report.counts = report.events = 0
            report.skipped = []
            _audit_failure(
                ws,
                user,
                path,
                "refused",
                report.message,
                {"error_rows": rows[:200], "sha256": sha_before},
            )
        report.seconds = time.perf_counter() - started
        return report
    except Cancelled:
        _audit_failure(ws, user, path, "cancelled", "cancelled by the user; nothing was imported")
        raise
    except KeyboardInterrupt:
        # Ctrl-C at the command line: the transaction has rolled back; audited like a cancel.
        _audit_failure(ws, user, path, "cancelled", _INTERRUPTED)
        raise
    except ClearSlateError as exc:
        _audit_failure(ws, user, path, "failed", str(exc))
        raise
    finally:
        table.close()


def _n(count: int, one: str, many: str | None = None) -> str:
    """``1 count``, ``2 counts``, ``1,000 people``: a number with its noun."""
    return f"{count:,} {one if count == 1 else (many or one + 's')}"


def _audit_failure(
    ws: Workspace,
    user: str,
    path: Path,
    outcome: str,
    message: str,
    details: dict[str, Any] | None = None,
) -> None:
    ws.audit_after_failure(
        user, "import", path.name, outcome, {"message": message, **(details or {})}
    )


def _stored(finding: Finding, skipped: bool = False) -> store.StoredFinding:
    return store.StoredFinding(
        finding.sheet,
        finding.row,
        finding.column,
        finding.severity.value,
        finding.code,
        finding.message,
        skipped,
    )


def _run_import(
    ws: Workspace,
    path: Path,
    prepared: _Prepared,
    resolved: ResolvedMapping,
    report: ImportReport,
    *,
    user: str,
    skip_invalid: bool,
    today: dt.date | None,
    progress: Progress | None,
    day_first_proofs: dict[str, tuple[int, str | None]],
) -> None:
    table = prepared.table
    normalizer = _normalizer(prepared, path, resolved, today, day_first_proofs)
    source = store.SourceInfo(
        file_name=path.name,
        file_sha256=report.sha256,
        sheet=table.sheet,
        file_kind=table.file_kind,
        profile=prepared.profile.name if prepared.profile else None,
        mapping=prepared.mapping.to_dict(),
        headers=prepared.headers,
        header_row=prepared.header_row,
        imported_by=user,
    )
    findings = report.findings
    findings.extend(prepared.findings)
    seen_before = len(table.findings)
    with _no_cyclic_gc(), ws.transaction(), contextlib.ExitStack() as stack:
        # A big text file is read and normalized by a worker process while this one writes
        # (the worker ends with this block, whatever happens); anything else right here.
        # With a worker, this process waits for rows part of the time: it keeps the indexes
        # up to date as rows go in instead of building them all at the end.
        parallel = parallel_wanted(table)
        writer = store.ImportWriter(
            ws, source, status_given="case_status" in resolved.index, keep_indexes=parallel
        )
        error_rows = 0
        rows = 0
        worker: WorkerBatches | None = None
        source_batches: Iterator[RowBatch]
        if parallel:
            job = worker_job(path, table, prepared.header_row, resolved, normalizer, BATCH)
            worker = stack.enter_context(WorkerBatches(job, progress))
            source_batches = iter(worker)
        else:
            source_batches = batches(normalizer, _data_rows(table, prepared.header_row), BATCH)
        for batch in source_batches:
            rows += batch.rows
            findings.extend(batch.findings)
            error_rows += len(batch.errors)
            if skip_invalid:
                report.skipped.extend(SkippedRow(row, message) for row, _, message in batch.errors)
            hits = writer.add_rows(batch, keep_skipped=skip_invalid)
            if hits:
                findings.extend(_duplicate_findings(hits, path.name, table.sheet))
            check_cancelled(progress)
            if progress is not None:
                progress.report(rows, None, f"Imported {rows:,} rows")
        if worker is not None:
            late = worker.late_day_first_proofs
            findings.extend(worker.id_findings)
            known = set(prepared.findings)
            findings.extend(f for f in worker.reading_findings if f not in known)
        else:
            late = normalizer.late_day_first_proofs()
            findings.extend(normalizer.id_findings())
            findings.extend(_reading_findings(prepared, seen_before))
        if late.keys() - day_first_proofs.keys():
            raise _ReadAgain(late)
        report.rows = rows
        if error_rows and not skip_invalid:
            raise _Refused()
        check_cancelled(progress)
        # The file must be the one we hashed: a file rewritten while we read it is refused.
        sha_after = file_sha256(path)
        if sha_after != report.sha256:
            raise ImportFailed(
                "The file changed while it was being imported (its SHA-256 differs before and after): nothing was "
                "imported. Close the program that is writing it and import again.",
                file=path.name,
            )
        skipped_rows = {s.row for s in report.skipped}
        writer.add_findings(
            _stored(f, f.row in skipped_rows and f.severity is Severity.ERROR) for f in findings
        )
        totals = writer.finish(row_count=rows, skipped_rows=len(skipped_rows))
        report.source_id = totals.source_id
        report.people, report.cases, report.counts, report.events = (
            totals.people,
            totals.cases,
            totals.counts,
            totals.events,
        )
        report.duplicates, report.overlapping, report.matches_proposed = (
            totals.duplicates,
            totals.overlapping,
            totals.matches_proposed,
        )
        parts = [
            f"Imported {_n(report.counts, 'count')} in {_n(report.cases, 'case')} for "
            f"{_n(report.people, 'person', 'people')}"
        ]
        if report.events:
            parts.append(_n(report.events, "history event"))
        if report.duplicates:
            parts.append(f"{_n(report.duplicates, 'duplicate row')} counted once")
        if report.overlapping:
            parts.append(
                f"{_n(report.overlapping, 'row')} already in the workspace from another source"
            )
        if report.skipped:
            parts.append(f"{_n(len(report.skipped), 'row')} with errors skipped")
        if report.matches_proposed:
            parts.append(
                f"{_n(report.matches_proposed, 'possible same-person match', 'possible same-person matches')} to confirm"
            )
        report.message = "; ".join(parts) + "."
        ws.audit(
            user,
            "import",
            path.name,
            "ok",
            {
                "sha256": report.sha256,
                "sheet": table.sheet,
                "source_id": totals.source_id,
                "profile": source.profile,
                "rows": rows,
                "counts": report.counts,
                "cases": report.cases,
                "people": report.people,
                "events": report.events,
                "duplicates": report.duplicates,
                "overlapping": report.overlapping,
                "skipped_rows": sorted(skipped_rows)[:500],
                "backup": report.backup.name if report.backup else None,
            },
        )
    if progress is not None:
        progress.report(rows, rows, "Import finished")


# -- person matches ---------------------------------------------------------------------------


def proposed_matches(ws: Workspace) -> list[store.PersonMatch]:
    """People without a key whose name and date of birth match someone else: for a person to confirm."""
    return store.list_matches(ws, "proposed")


def confirm_match(ws: Workspace, match_id: int, *, user: str) -> store.PersonMatch:
    return store.decide_match(ws, match_id, confirm=True, user=user)


def reject_match(ws: Workspace, match_id: int, *, user: str) -> store.PersonMatch:
    return store.decide_match(ws, match_id, confirm=False, user=user)


def decide_matches(
    ws: Workspace, match_ids: Sequence[int], *, same: bool, user: str
) -> list[store.MatchDecision]:
    """Decide several proposals at once, all or none: ``same`` confirms them (each pair's
    records become one person), else rejects them (two people). Refuses, naming the pair and
    deciding nothing, when a number is unknown or already decided, or when confirming would
    join records an earlier decision ruled two people. One audit entry per pair."""
    return store.decide_matches(ws, match_ids, confirm=same, user=user)


def match_record(ws: Workspace, person_id: int) -> list[store.RecordCase]:
    """One side of a proposal: the person's cases (court, county, offenses) to compare."""
    return store.person_record(ws, person_id)


__all__ = [
    "Inspection",
    "ImportReport",
    "SkippedRow",
    "ValidationReport",
    "inspect_file",
    "validate_file",
    "import_file",
    "list_profiles",
    "get_profile",
    "save_profile",
    "proposed_matches",
    "confirm_match",
    "reject_match",
    "decide_matches",
    "match_record",
]
