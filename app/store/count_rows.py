"""One row per count for the ``decisions`` CSV: source, person, case, offense, latest recommendation, review."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass

from app.store.workspace import Workspace

_SQL = """
SELECT s.file_name, sr.row_number, p.person_key, p.full_name, p.dob_raw, p.dob,
       k.case_number, c.count_number, c.offense_raw,
       c.code_book, c.section, c.subsections, c.attempt, c.conspiracy, c.offense_recognized,
       c.level, c.disposition, c.disposition_date,
       r.outcome, r.reasons, r.rule_ids,
       d.status, d.final_outcome, c.id
FROM counts c
JOIN cases k ON k.id = c.case_id
JOIN people p ON p.id = c.person_id
LEFT JOIN source_rows sr ON sr.id = c.source_row_id
LEFT JOIN sources s ON s.id = sr.source_id
LEFT JOIN recommendations r ON r.run_id = ? AND r.count_id = c.id
LEFT JOIN decisions d ON d.id = (SELECT max(x.id) FROM decisions x WHERE x.count_id = c.id)
ORDER BY c.id
"""


@dataclass(frozen=True, slots=True)
class CountRow:
    count_id: int
    source_file: str | None
    source_row: int | None
    person_key: str | None
    name: str | None
    dob: str | None  # as imported
    case_number: str
    count: str | None
    offense_code: str | None  # raw, exactly as imported
    section: str | None  # normalized: "664/11357(b) HS"
    level: str | None
    disposition: str | None
    disposition_date: str | None  # ISO
    outcome: str | None
    reason: str | None  # the reasons' texts joined with "; "
    rule_ids: str | None
    review_status: str | None
    final_outcome: str | None


def _section(
    book: str | None,
    section: str | None,
    subs: str | None,
    attempt: int,
    conspiracy: int,
    recognized: int,
) -> str | None:
    if not recognized or not section:
        return None
    prefix = "664/" if attempt else ("182/" if conspiracy else "")
    return f"{prefix}{section}{subs or ''}{' ' + book if book else ''}"


def _reason_text(reasons: str | None) -> str | None:
    if not reasons:
        return None
    try:
        items = json.loads(reasons)
    except ValueError:
        return reasons
    return "; ".join(str(item.get("text", "")) for item in items if isinstance(item, dict)) or None


def _rule_ids(rule_ids: str | None) -> str | None:
    if not rule_ids:
        return None
    try:
        items = json.loads(rule_ids)
    except ValueError:
        return rule_ids
    return ";".join(str(i) for i in items) if isinstance(items, list) else str(items)


def count_rows(ws: Workspace) -> Iterator[CountRow]:
    """Every count in id order, with the latest run's recommendation and the newest decision."""
    run = ws.conn.execute("SELECT max(id) FROM evaluation_runs").fetchone()[0]
    cursor = ws.conn.execute(_SQL, (run,))
    while True:
        chunk = cursor.fetchmany(2000)
        if not chunk:
            return
        for v in chunk:
            yield CountRow(
                count_id=v[23],
                source_file=v[0],
                source_row=v[1],
                person_key=v[2],
                name=v[3],
                dob=v[4] if v[4] is not None else v[5],
                case_number=v[6],
                count=v[7],
                offense_code=v[8],
                section=_section(v[9], v[10], v[11], v[12], v[13], v[14]),
                level=v[15],
                disposition=v[16],
                disposition_date=v[17],
                outcome=v[18],
                reason=_reason_text(v[19]),
                rule_ids=_rule_ids(v[20]),
                review_status=v[21],
                final_outcome=v[22],
            )
