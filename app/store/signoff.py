"""SQL for sign-offs, export records, and the rows an export packet is built from.

Sign-offs and exports are append-only records; the current decision of a count is its
newest ``decisions`` row (highest id), as the review store defines it.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

# One definition of "the newest decision of each count", shared with review.
from app.store.decisions import CurrentDecision, current_decisions  # noqa: F401 - re-exported for sign-off


@dataclass(frozen=True, slots=True)
class SignoffRecord:
    id: int
    user: str
    at: str
    run_id: int | None
    decisions_hash: str
    last_decision_id: int | None
    count_total: int
    summary: dict[str, Any]


@dataclass(frozen=True, slots=True)
class RunRecord:
    id: int
    policy_id: str
    pack_version: str | None
    pack_sha256: str
    as_of: str
    engine_version: str
    finished_at: str | None


@dataclass(frozen=True, slots=True)
class ExportRecord:
    id: int
    signoff_id: int | None
    folder: str
    manifest_sha256: str
    at: str
    user: str


@dataclass(frozen=True, slots=True)
class SourceInfo:
    id: int
    file_name: str
    sheet: str | None
    headers: list[str]


# -- decisions -----------------------------------------------------------------------------


def count_total(conn: sqlite3.Connection) -> int:
    """Every count in the workspace, decided or not."""
    return int(conn.execute("SELECT count(*) FROM counts").fetchone()[0])


def max_decision_id(conn: sqlite3.Connection) -> int | None:
    return conn.execute("SELECT MAX(id) FROM decisions").fetchone()[0]


def stale_decisions(conn: sqlite3.Connection, run_id: int, *, up_to: int) -> int:
    """Decided counts whose decision was made on another recommendation than ``run_id``'s."""
    row = conn.execute(
        """SELECT COUNT(*) FROM decisions d
           JOIN (SELECT count_id, MAX(id) AS id FROM decisions WHERE id <= ? GROUP BY count_id) newest
             ON newest.id = d.id
           JOIN recommendations r ON r.run_id = ? AND r.count_id = d.count_id
           WHERE d.status = 'decided' AND d.recommended IS NOT r.outcome""",
        (up_to, run_id),
    ).fetchone()
    return int(row[0])


def counts_decided_after(conn: sqlite3.Connection, decision_id: int | None) -> list[int]:
    """Counts with any decisions row newer than ``decision_id`` (all decided counts if None)."""
    cursor = conn.execute(
        "SELECT DISTINCT count_id FROM decisions WHERE id > ? ORDER BY count_id",
        (decision_id or 0,),
    )
    return [row[0] for row in cursor]


def case_labels(conn: sqlite3.Connection, count_ids: list[int]) -> dict[int, str]:
    """``count id → "case number, count N"`` for messages that name changed counts."""
    out: dict[int, str] = {}
    for start in range(0, len(count_ids), 500):
        chunk = count_ids[start : start + 500]
        marks = ",".join("?" * len(chunk))
        cursor = conn.execute(
            f"""SELECT c.id, k.case_number, c.count_number FROM counts c
                JOIN cases k ON k.id = c.case_id WHERE c.id IN ({marks})""",
            chunk,
        )
        for count_id, case_number, count_number in cursor:
            label = case_number if not count_number else f"{case_number} count {count_number}"
            out[count_id] = label
    return out


# -- evaluation runs -----------------------------------------------------------------------

_RUN_COLUMNS = "id, policy_id, pack_version, pack_sha256, as_of, engine_version, finished_at"


def latest_run(conn: sqlite3.Connection) -> RunRecord | None:
    row = conn.execute(
        f"SELECT {_RUN_COLUMNS} FROM evaluation_runs ORDER BY id DESC LIMIT 1"
    ).fetchone()
    return RunRecord(*row) if row else None


def get_run(conn: sqlite3.Connection, run_id: int) -> RunRecord | None:
    row = conn.execute(
        f"SELECT {_RUN_COLUMNS} FROM evaluation_runs WHERE id = ?", (run_id,)
    ).fetchone()
    return RunRecord(*row) if row else None


# -- sign-offs -------------------------------------------------------------------------------

_SIGNOFF_COLUMNS = "id, user, at, run_id, decisions_hash, last_decision_id, count_total, summary"


def _signoff(row: tuple[Any, ...]) -> SignoffRecord:
    return SignoffRecord(*row[:7], summary=json.loads(row[7]))


def insert_signoff(
    conn: sqlite3.Connection,
    *,
    user: str,
    at: str,
    run_id: int | None,
    decisions_hash: str,
    last_decision_id: int | None,
    count_total: int,
    summary_json: str,
) -> int:
    cursor = conn.execute(
        "INSERT INTO signoffs(user, at, run_id, decisions_hash, last_decision_id, count_total, summary) "
        "VALUES (?, ?, ?, ?, ?, ?, ?)",
        (user, at, run_id, decisions_hash, last_decision_id, count_total, summary_json),
    )
    return int(cursor.lastrowid or 0)


def latest_signoff(conn: sqlite3.Connection) -> SignoffRecord | None:
    row = conn.execute(
        f"SELECT {_SIGNOFF_COLUMNS} FROM signoffs ORDER BY id DESC LIMIT 1"
    ).fetchone()
    return _signoff(row) if row else None


def all_signoffs(conn: sqlite3.Connection) -> list[SignoffRecord]:
    return [
        _signoff(r) for r in conn.execute(f"SELECT {_SIGNOFF_COLUMNS} FROM signoffs ORDER BY id")
    ]


# -- exports ---------------------------------------------------------------------------------


def insert_export(
    conn: sqlite3.Connection,
    *,
    signoff_id: int,
    folder: str,
    manifest_sha256: str,
    at: str,
    user: str,
) -> int:
    cursor = conn.execute(
        "INSERT INTO exports(signoff_id, folder, manifest_sha256, at, user) VALUES (?, ?, ?, ?, ?)",
        (signoff_id, folder, manifest_sha256, at, user),
    )
    return int(cursor.lastrowid or 0)


def all_exports(conn: sqlite3.Connection) -> list[ExportRecord]:
    cursor = conn.execute(
        "SELECT id, signoff_id, folder, manifest_sha256, at, user FROM exports ORDER BY id"
    )
    return [ExportRecord(*row) for row in cursor]


def decision_batch_digests(conn: sqlite3.Connection) -> dict[str, tuple[str, int, list[int]]]:
    """``batch id → (digest, rows, count ids)`` recomputed from the decisions as stored.

    The digest is the one :func:`app.store.decisions.append` puts in each batch's audit
    entry (count, outcome, status per row, in row order), so a row altered in place behind
    the append-only trigger no longer matches its entry. One pass in id order.
    """
    import hashlib

    digests: dict[str, Any] = {}
    rows: dict[str, int] = {}
    counts: dict[str, list[int]] = {}
    cursor = conn.execute(
        "SELECT batch_id, count_id, final_outcome, status FROM decisions "
        "WHERE batch_id IS NOT NULL ORDER BY id"
    )
    for batch_id, count_id, final_outcome, status in cursor:
        digest = digests.get(batch_id)
        if digest is None:
            digest = digests[batch_id] = hashlib.sha256()
            rows[batch_id] = 0
            counts[batch_id] = []
        digest.update(f"{count_id}\t{final_outcome or ''}\t{status}\n".encode())
        rows[batch_id] += 1
        if len(counts[batch_id]) < 20:  # enough to name the counts in a message
            counts[batch_id].append(count_id)
    return {b: (d.hexdigest(), rows[b], counts[b]) for b, d in digests.items()}


# -- the rows of a packet ----------------------------------------------------------------------


def sources(conn: sqlite3.Connection) -> dict[int, SourceInfo]:
    out = {}
    for source_id, file_name, sheet, headers in conn.execute(
        "SELECT id, file_name, sheet, headers FROM sources ORDER BY id"
    ):
        try:
            parsed = json.loads(headers or "[]")
        except ValueError:
            parsed = []
        out[source_id] = SourceInfo(source_id, file_name, sheet, [str(h) for h in parsed])
    return out


_EXPORT_SQL = """
SELECT c.id AS count_id, c.person_id, c.case_id,
       k.case_number, c.count_number, k.court, k.county, k.status AS case_status,
       k.filing_date,
       p.person_key, p.full_name, p.last_name, p.first_name, p.middle_name, p.dob, p.sex, p.race,
       c.offense_raw, c.code_book, c.section, c.subsections, c.attempt, c.conspiracy,
       c.description, c.level, c.disposition, c.disposition_date, c.offense_date,
       c.sentence, c.sentence_completed,
       sr.source_id, sr.row_number AS source_row_number, sr.data AS source_data,
       r.outcome AS recommendation, r.reasons AS recommendation_reasons,
       d.final_outcome, d.status AS decision_status, d.action AS decision_action,
       d.reason AS decision_reason, d.user AS decided_by, d.at AS decided_at, d.id AS decision_id
FROM decisions d
JOIN (SELECT count_id, MAX(id) AS id FROM decisions WHERE id <= ? GROUP BY count_id) newest
  ON newest.id = d.id
JOIN counts c ON c.id = d.count_id
JOIN cases k ON k.id = c.case_id
JOIN people p ON p.id = c.person_id
LEFT JOIN source_rows sr ON sr.id = c.source_row_id
LEFT JOIN recommendations r ON r.run_id = ? AND r.count_id = c.id
WHERE d.status = 'decided'
ORDER BY k.case_number, c.count_number, c.id
"""


def export_rows(
    conn: sqlite3.Connection, *, last_decision_id: int, run_id: int | None
) -> Iterator[dict[str, Any]]:
    """Every decided count as of ``last_decision_id`` with its person, case, source row,
    the recommendation of ``run_id`` and the final decision, ordered by case number.

    Plain dicts (JSON columns decoded) so the export layer never sees SQL.
    """
    cursor = conn.execute(_EXPORT_SQL, (last_decision_id, run_id if run_id is not None else -1))
    names = [d[0] for d in cursor.description]
    for row in cursor:
        item = dict(zip(names, row))
        item["source_data"] = _json_list(item["source_data"])
        item["recommendation_reasons"] = _json_list(item["recommendation_reasons"])
        subs = item["subsections"]
        item["subsections"] = (
            tuple(_json_list(subs))
            if subs and subs.startswith("[")
            else tuple(
                s
                for s in (subs or "").replace("(", " ").replace(")", " ").replace(",", " ").split()
                if s
            )
        )
        yield item


def person_convictions(
    conn: sqlite3.Connection,
) -> Iterator[tuple[int, int, str | None, str | None]]:
    """(person id, count id, level, disposition) of every count in the workspace.

    The summary uses it to tell who is left with no felony, or no conviction, after relief.
    """
    yield from conn.execute(
        "SELECT person_id, id, level, disposition FROM counts ORDER BY person_id"
    )


def _json_list(text: str | None) -> list[Any]:
    if not text:
        return []
    try:
        value = json.loads(text)
    except ValueError:
        return [text]
    return value if isinstance(value, list) else [value]


def audit_rows(conn: sqlite3.Connection) -> Iterator[tuple[Any, ...]]:
    """Every audit entry exactly as stored (details as its JSON text, which the hash covers)."""
    yield from conn.execute(
        "SELECT seq, at, user, action, object, outcome, details, prev_hash, hash FROM audit ORDER BY seq"
    )
