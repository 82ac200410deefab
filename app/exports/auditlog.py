"""The workspace's audit log as CSV (for people) and JSON Lines (verbatim, re-checkable)."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from app.exports.text import csv_safe

AUDIT_COLUMNS = ["seq", "at", "user", "action", "object", "outcome", "details", "prev_hash", "hash"]


@dataclass(frozen=True, slots=True)
class AuditRow:
    """One audit entry as stored: ``details`` is the exact JSON text the hash covers."""

    seq: int
    at: str
    user: str | None
    action: str
    object: str | None
    outcome: str
    details: str
    prev_hash: str
    hash: str


def write_audit_jsonl(entries: Iterable[AuditRow], path: Path) -> int:
    """One JSON object per line with the stored fields, so the chain can be recomputed from it."""
    n = 0
    with path.open("w", encoding="utf-8", newline="\n") as fh:
        for e in entries:
            fh.write(
                json.dumps({c: getattr(e, c) for c in AUDIT_COLUMNS}, ensure_ascii=False) + "\n"
            )
            n += 1
    return n


def write_audit_csv(entries: Iterable[AuditRow], path: Path) -> int:
    """UTF-8 with BOM (Excel reads it right); formula-like text neutralized with an apostrophe.

    The JSON Lines file keeps the exact text; this one is for reading in a spreadsheet.
    """
    n = 0
    with path.open("w", encoding="utf-8-sig", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(AUDIT_COLUMNS)
        for e in entries:
            writer.writerow(
                [
                    csv_safe(str(v)) if isinstance(v, str) else v
                    for v in (getattr(e, c) for c in AUDIT_COLUMNS)
                ]
            )
            n += 1
    return n


def write_chain_result(result: dict[str, Any], path: Path) -> None:
    path.write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
