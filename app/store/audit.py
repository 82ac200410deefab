"""The tamper-evident audit chain: each entry stores SHA-256(previous hash + its content).

Entries are appended in the same transaction as the change they record; triggers make
the table append-only, and :func:`verify_chain` names the first entry that does not match
(for example after someone edited a row with the sqlite3 shell).
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from app.core.clock import stamp

GENESIS = "0" * 64


@dataclass(frozen=True, slots=True)
class AuditEntry:
    seq: int
    at: str
    user: str | None
    action: str
    object: str | None
    outcome: str
    details: dict[str, Any]
    prev_hash: str
    hash: str


@dataclass(frozen=True, slots=True)
class ChainReport:
    entries: int
    ok: bool
    first_bad_seq: int | None = None
    first_bad_at: str | None = None
    problem: str | None = None
    last_hash: str = GENESIS


def canonical_details(details: dict[str, Any]) -> str:
    return json.dumps(
        details, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str
    )


def entry_hash(
    prev_hash: str,
    seq: int,
    at: str,
    user: str | None,
    action: str,
    object: str | None,
    outcome: str,
    details_json: str,
) -> str:
    content = json.dumps(
        [seq, at, user, action, object, outcome, details_json],
        ensure_ascii=False,
        separators=(",", ":"),
    )
    return hashlib.sha256((prev_hash + content).encode("utf-8")).hexdigest()


def append(
    conn: sqlite3.Connection,
    *,
    user: str | None,
    action: str,
    object: str | None,
    outcome: str,
    details: dict[str, Any],
) -> AuditEntry:
    """Append one entry. The caller holds the write transaction."""
    last = conn.execute("SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1").fetchone()
    seq, prev = (last[0] + 1, last[1]) if last else (1, GENESIS)
    at = stamp()
    details_json = canonical_details(details)
    digest = entry_hash(prev, seq, at, user, action, object, outcome, details_json)
    conn.execute(
        "INSERT INTO audit(seq, at, user, action, object, outcome, details, prev_hash, hash) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (seq, at, user, action, object, outcome, details_json, prev, digest),
    )
    return AuditEntry(seq, at, user, action, object, outcome, details, prev, digest)


def iter_entries(conn: sqlite3.Connection, *, since_seq: int = 0) -> Iterator[AuditEntry]:
    cursor = conn.execute(
        "SELECT seq, at, user, action, object, outcome, details, prev_hash, hash FROM audit "
        "WHERE seq > ? ORDER BY seq",
        (since_seq,),
    )
    for seq, at, user, action, obj, outcome, details, prev, digest in cursor:
        try:
            parsed = json.loads(details)
        except ValueError:
            parsed = {"unreadable": details}
        yield AuditEntry(seq, at, user, action, obj, outcome, parsed, prev, digest)


def verify_chain(conn: sqlite3.Connection) -> ChainReport:
    """Recompute every hash in order; report the first entry that does not match."""
    expected_prev = GENESIS
    expected_seq = 1
    count = 0
    cursor = conn.execute(
        "SELECT seq, at, user, action, object, outcome, details, prev_hash, hash FROM audit ORDER BY seq"
    )
    for seq, at, user, action, obj, outcome, details, prev, digest in cursor:
        count += 1
        if seq != expected_seq:
            return ChainReport(
                count, False, seq, at, f"entry {expected_seq} is missing (next found is {seq})"
            )
        if prev != expected_prev:
            return ChainReport(
                count, False, seq, at, "its link to the previous entry does not match"
            )
        if entry_hash(prev, seq, at, user, action, obj, outcome, details) != digest:
            return ChainReport(
                count,
                False,
                seq,
                at,
                "its content does not match its hash (edited after it was written)",
            )
        expected_prev = digest
        expected_seq += 1
    return ChainReport(count, True, last_hash=expected_prev)


def recent(
    conn: sqlite3.Connection,
    limit: int = 200,
    *,
    action_prefix: str | None = None,
    user: str | None = None,
) -> list[AuditEntry]:
    sql = "SELECT seq, at, user, action, object, outcome, details, prev_hash, hash FROM audit"
    where, params = [], []
    if action_prefix:
        where.append("action LIKE ?")
        params.append(action_prefix + "%")
    if user:
        where.append("user = ?")
        params.append(user)
    if where:
        sql += " WHERE " + " AND ".join(where)
    sql += " ORDER BY seq DESC LIMIT ?"
    params.append(limit)
    out = []
    for seq, at, u, action, obj, outcome, details, prev, digest in conn.execute(sql, params):
        out.append(AuditEntry(seq, at, u, action, obj, outcome, json.loads(details), prev, digest))
    return out
