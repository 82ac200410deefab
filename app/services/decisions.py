"""The ``decisions`` CSV: one row per count with its source, facts, recommendation and review state.

Works right after an import (outcome columns empty until an evaluation, review columns empty
until a review). Written atomically (temp file, flush, fsync, ``os.replace``); text that a
spreadsheet would read as a formula is neutralized.
"""

from __future__ import annotations

import csv
import os
from dataclasses import dataclass
from pathlib import Path

from app.core.errors import ExportError
from app.core.progress import Progress, check_cancelled
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


def write_decisions(
    ws: Workspace, out: str | os.PathLike[str], *, progress: Progress | None = None
) -> DecisionsExport:
    """Write the CSV to ``out`` atomically; a failure leaves no half file under that name."""
    out = Path(out)
    if out.is_dir():
        raise ExportError("The output is a folder; name a .csv file.", file=str(out))
    if not out.parent.is_dir():
        raise ExportError("The folder for the output does not exist.", file=str(out))
    tmp = out.with_name(f".{out.name}.partial")
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
        os.replace(tmp, out)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise ExportError(
            f"The file could not be written: {exc.strerror or exc}", file=str(out)
        ) from exc
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return DecisionsExport(out, rows)
