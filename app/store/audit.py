"""The tamper-evident audit chain: each entry stores SHA-256(previous hash + its content).

Entries are appended in the same transaction as the change they record; triggers make
the table append-only, and :func:`verify_chain` names the first entry that does not match
(for example after someone edited a row with the sqlite3 shell).

A chain alone cannot show that its newest entries are gone: a log cut short after entry N
is a valid chain of N entries. So after each commit the newest entry's number and hash are
also written beside the workspace (``NAME.clearslate.audit-head``), and :func:`check_head`
finds that entry again — it is missing when a crash's ``-wal`` file was lost or the tail
was deleted with the sqlite3 shell.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from app.core.clock import stamp

GENESIS = "0" * 64
HEAD_SUFFIX = ".audit-head"

log = logging.getLogger(__name__)


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


def head_path(workspace: Path) -> Path:
    """Where the newest entry of ``workspace``'s log is recorded."""
    return workspace.with_name(workspace.name + HEAD_SUFFIX)


def _recorded(workspace: Path) -> tuple[int, str, str] | None:
    try:
        head = json.loads(head_path(workspace).read_text(encoding="utf-8"))
        return int(head["seq"]), str(head["hash"]), str(head["at"])
    except (OSError, ValueError, KeyError, TypeError):
        return None


def record_head(workspace: Path, seq: int, digest: str, at: str, *, force: bool = False) -> None:
    """Record the newest committed entry beside the workspace (after its commit).

    The record only moves forward: an entry numbered at or below the recorded one is either
    a slower connection's older commit or a log that was cut short and written again, and
    then the record is the evidence and stays (``force`` replaces it: a restore, a new
    workspace). Best effort: the database stays the record; a head that could not be
    written is only an older head, which :func:`check_head` accepts (it checks that the
    recorded entry is still there, never that it is the last).
    """
    if not force:
        recorded = _recorded(workspace)
        if recorded is not None and recorded[0] >= seq:
            return
    path = head_path(workspace)
    tmp = path.with_name(path.name + ".tmp")
    text = json.dumps(
        {
            "seq": seq,
            "hash": digest,
            "at": at,
            "about": "The newest audit entry of the ClearSlate workspace beside this file. "
            "Keep it with the workspace: `verify` uses it to find entries lost or deleted.",
        },
        indent=1,
    )
    try:
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, path)
    except OSError as exc:
        log.warning("could not record the audit head beside %s: %s", workspace.name, exc)
        tmp.unlink(missing_ok=True)


def record_newest(conn: sqlite3.Connection, workspace: Path) -> None:
    """Record the newest entry in ``conn`` as the head (a new or restored workspace)."""
    row = conn.execute("SELECT seq, hash, at FROM audit ORDER BY seq DESC LIMIT 1").fetchone()
    if row is None:
        head_path(workspace).unlink(missing_ok=True)
    else:
        record_head(workspace, row[0], row[1], row[2], force=True)


def check_head(conn: sqlite3.Connection, workspace: Path, report: ChainReport) -> ChainReport:
    """``report`` (from :func:`verify_chain`), failed if the recorded newest entry is gone.

    No record (a workspace copied without it) or an unreadable one checks nothing.
    """
    recorded = _recorded(workspace) if report.ok else None
    if recorded is None:
        return report
    seq, digest, at = recorded
    row = conn.execute("SELECT hash FROM audit WHERE seq = ?", (seq,)).fetchone()
    if row is None:
        return replace(
            report,
            ok=False,
            first_bad_seq=report.entries + 1,
            first_bad_at=at,
            problem=(
                f"the log ends at entry {report.entries}, but entry {seq} ({at}) was written "
                "before: the entries after the last one are missing (a -wal file lost after a "
                "crash, or entries deleted). Restore the latest backup and compare."
            ),
        )
    if row[0] != digest:
        return replace(
            report,
            ok=False,
            first_bad_seq=seq,
            first_bad_at=at,
            problem=(
                f"entry {seq} is not the entry written at {at}: the log was replaced from "
                "there on. Restore the latest backup and compare."
            ),
        )
    return report


def recent(
    conn: sqlite3.Connection,
    limit: int = 200,
    *,
    action_prefix: str | None = None,
    user: str | None = None,
) -> list[AuditEntry]:
    """The newest ``limit`` entries, narrowed by action prefix and user (see :func:`search`)."""
    clause, params = _where(action_prefix=action_prefix, user=user)
    return _newest(conn, clause, params, limit)


def _like_pattern(text: str) -> str:
    """``text`` anywhere, with LIKE's own wildcards taken literally (escape character \\)."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _where(
    *,
    action_prefix: str | None = None,
    user: str | None = None,
    text: str | None = None,
    since: str | None = None,
    before: str | None = None,
) -> tuple[str, list[Any]]:
    """The WHERE clause (with its leading space, or empty) and parameters for the filters."""
    where: list[str] = []
    params: list[Any] = []
    if action_prefix:
        where.append("action LIKE ? ESCAPE '\\'")
        params.append(_like_pattern(action_prefix)[1:])  # a prefix: no leading wildcard
    if user:
        where.append("user = ? COLLATE NOCASE")
        params.append(user)
    if text:
        where.append("(object LIKE ? ESCAPE '\\' OR details LIKE ? ESCAPE '\\')")
        params += [_like_pattern(text)] * 2
    if since:
        where.append("at >= ?")
        params.append(since)
    if before:
        where.append("at < ?")
        params.append(before)
    return (" WHERE " + " AND ".join(where)) if where else "", params


def _newest(
    conn: sqlite3.Connection, clause: str, params: list[Any], limit: int
) -> list[AuditEntry]:
    sql = (
        "SELECT seq, at, user, action, object, outcome, details, prev_hash, hash FROM audit"
        + clause
        + " ORDER BY seq DESC LIMIT ?"
    )
    found = []
    for seq, at, u, action, obj, outcome, details, prev, digest in conn.execute(
        sql, [*params, limit]
    ):
        try:
            parsed = json.loads(details)
        except ValueError:
            parsed = {"unreadable": details}
        found.append(AuditEntry(seq, at, u, action, obj, outcome, parsed, prev, digest))
    return found


def search(
    conn: sqlite3.Connection,
    *,
    action_prefix: str | None = None,
    user: str | None = None,
    text: str | None = None,
    since: str | None = None,
    before: str | None = None,
    limit: int = 5000,
) -> tuple[list[AuditEntry], int]:
    """The newest ``limit`` entries matching every filter given, and how many match in all.

    The filters run in SQL over the whole log, so an entry from years ago is found however
    many came after it; only the result is capped. ``text`` is looked for, ignoring case,
    in the object and the details; ``since``/``before`` are UTC stamps (``before``
    excluded). ``user`` ignores case.
    """
    clause, params = _where(
        action_prefix=action_prefix, user=user, text=text, since=since, before=before
    )
    total = int(conn.execute("SELECT count(*) FROM audit" + clause, params).fetchone()[0])
    return _newest(conn, clause, params, limit), total
