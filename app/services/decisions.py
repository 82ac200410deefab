"""The ``decisions`` CSV: one row per count with its source, facts, recommendation and review state.

Works right after an import (outcome columns empty until an evaluation, review columns empty
until a review). Written atomically (temp file, flush, fsync, ``os.replace``); text that a
spreadsheet would read as a formula is neutralized.

The file holds every person's name, date of birth and key: it is a personal-data export, so
each one is audited with the file name, the row count and the file's SHA-256, and a refused
or failed one is audited too (CJIS 5.4).
"""

from __future__ import annotations

import contextlib
import csv
import os
import uuid
from dataclasses import dataclass
from pathlib import Path

from app.core.errors import Cancelled, ClearSlateError, ExportError
from app.core.progress import Progress, check_cancelled
from app.exports.files import sha256_file
from app.store.count_rows import count_rows
from app.store.workspace import Workspace

COLUMNS = (
    "source_file",
    "source_row",
    "person_key",
    "name",
    "dob",
    "case_number",
    "count",
    "offense_code",
    "section",
    "level",
    "disposition",
    "disposition_date",
    "outcome",
    "reason",
    "rule_ids",
    "review_status",
    "final_outcome",
)

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\x00")


def neutralize(value: object) -> str:
    """A cell as text that no spreadsheet will run: formula-looking text gets a leading quote."""
    if value is None:
        return ""
    text = str(value)
    if text.startswith(_FORMULA_START):
        return "'" + text
    return text


@dataclass(frozen=True, slots=True)
class DecisionsExport:
    path: Path
    rows: int
    sha256: str = ""


def _audit_problem(
    ws: Workspace, user: str | None, outcome: str, out: Path, error: ClearSlateError
) -> None:
    """Audit a refused or failed export in its own transaction; never hide the first error."""
    details = {"file": str(out), "error": error.message}
    problem = ws.audit_after_failure(user, "decisions.export", out.name, outcome, details)
    if problem:
        error.message += f" (This could not be recorded in the audit log: {problem})"


def write_decisions(
    ws: Workspace,
    out: str | os.PathLike[str],
    *,
    user: str | None = None,
    progress: Progress | None = None,
) -> DecisionsExport:
    """Write the CSV to ``out`` atomically, audited as ``user``; a failure leaves no half
    file under that name and is audited too."""
    out = Path(out)
    refusal: ExportError | None = None
    if out.is_dir():
        refusal = ExportError("The output is a folder; name a .csv file.", file=str(out))
    elif not out.parent.is_dir():
        refusal = ExportError("The folder for the output does not exist.", file=str(out))
    if refusal is not None:
        _audit_problem(ws, user, "refused", out, refusal)
        raise refusal
    try:
        result = _write(ws, out, progress)
    except Cancelled as exc:
        _audit_problem(ws, user, "cancelled", out, exc)
        raise
    except ExportError as exc:
        _audit_problem(ws, user, "failed", out, exc)
        raise
    try:
        ws.audit(
            user,
            "decisions.export",
            out.name,
            "ok",
            {"file": str(out), "rows": result.rows, "sha256": result.sha256},
        )
    except BaseException:
        # A personal-data file nobody can account for is not left behind.
        out.unlink(missing_ok=True)
        raise
    return result


def _write(ws: Workspace, out: Path, progress: Progress | None) -> DecisionsExport:
    # A name of its own: two writes to one file never share a temp file.
    tmp = out.with_name(f".{out.name}.partial-{uuid.uuid4().hex[:8]}")
    rows = 0
    try:
        # UTF-8 with BOM so Excel shows accented names (Núñez, Nguyễn) correctly.
        with tmp.open("w", encoding="utf-8-sig", newline="") as fh:
            writer = csv.writer(fh)
            writer.writerow(COLUMNS)
            for row in count_rows(ws):
                writer.writerow([neutralize(getattr(row, name)) for name in COLUMNS])
                rows += 1
                if rows % 5000 == 0:
                    check_cancelled(progress)
                    if progress is not None:
                        progress.report(rows, None, f"Wrote {rows:,} counts")
            fh.flush()
            os.fsync(fh.fileno())
        digest = sha256_file(tmp)  # the bytes just flushed are the bytes renamed
        os.replace(tmp, out)
    except OSError as exc:
        with contextlib.suppress(OSError):
            tmp.unlink(missing_ok=True)
        raise ExportError(
            f"The file could not be written: {exc.strerror or exc}. Nothing was written; free "
            "some disk space or choose another folder.",
            file=str(out),
        ) from exc
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink(missing_ok=True)
        raise
    return DecisionsExport(out, rows, digest)
