"""Review decisions: the append-only history of every count, undo/redo by batch, current state.

The current state of a count is its NEWEST decisions row (highest id). Nothing is ever
updated or deleted: an undo appends rows that restore the state before the undone batch,
and a redo appends rows that repeat it. Every batch is written together with its audit
entry in one transaction, and the review queue's per-case summary is brought up to date in
that same transaction.
"""

from __future__ import annotations

import hashlib
import sqlite3
import uuid
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

from app.core.clock import stamp
from app.core.errors import ReviewError
from app.store import review as review_store
from app.store.workspace import Workspace

# Rows go into SQLite in chunks so that a bulk accept of 500,000 counts stays flat in memory.
_CHUNK = 5000


class CurrentDecision(NamedTuple):
    """The newest decision of one count (the tuple the export and sign-off read)."""

    count_id: int
    final_outcome: str | None
    status: str
    action: str
    reason: str | None
    user: str
    at: str
    decision_id: int
    recommended: str | None


@dataclass(frozen=True, slots=True)
class DecisionRow:
    id: int
    count_id: int
    run_id: int | None
    recommended: str | None
    action: str
    final_outcome: str | None
    status: str
    reason: str | None
    user: str
    at: str
    batch_id: str | None
    supersedes: int | None


@dataclass(frozen=True, slots=True)
class NewDecision:
    """One row to append; ``status`` is the count's review state after it."""

    count_id: int
    run_id: int | None
    recommended: str | None
    action: str
    final_outcome: str | None
    status: str
    reason: str | None = None
    supersedes: int | None = None


@dataclass(frozen=True, slots=True)
class Batch:
    """What one append wrote: its id (one undo step), how many rows, their first and last id."""

    batch_id: str
    rows: int
    first_id: int | None
    last_id: int | None
    at: str
    audit_seq: int


_ROW_COLUMNS = "id, count_id, run_id, recommended, action, final_outcome, status, reason, user, at, batch_id, supersedes"


def new_batch_id() -> str:
    return uuid.uuid4().hex


def _row(values: Sequence[Any]) -> DecisionRow:
    return DecisionRow(*values)


def batch_digest(rows: Iterable[tuple[int, str | None, str]]) -> str:
    """SHA-256 of (count_id, final_outcome, status) lines: ties a bulk audit entry to its rows."""
    digest = hashlib.sha256()
    for count_id, final_outcome, status in rows:
        digest.update(f"{count_id}\t{final_outcome or ''}\t{status}\n".encode())
    return digest.hexdigest()


def append(
    ws: Workspace,
    rows: Iterable[NewDecision],
    *,
    user: str,
    audit_action: str,
    audit_object: str | None,
    audit_details: dict[str, Any] | None = None,
    batch_id: str | None = None,
) -> Batch:
    """Append ``rows`` as one batch with one audit entry, all in one transaction.

    The audit entry's details get the batch id, the number of rows and a digest of what
    was decided, so a bulk action is one entry that still pins down every row it wrote.
    """
    batch_id = batch_id or new_batch_id()
    at = stamp()
    digest = hashlib.sha256()
    count = 0
    first_id: int | None = None
    last_id: int | None = None
    with ws.transaction() as conn:
        buffer: list[tuple[Any, ...]] = []

        def flush() -> None:
            nonlocal first_id, last_id
            if not buffer:
                return
            conn.executemany(
                "INSERT INTO decisions(count_id, run_id, recommended, action, final_outcome, status, "
                "reason, user, at, batch_id, supersedes) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
                buffer,
            )
            last_id = int(conn.execute("SELECT last_insert_rowid()").fetchone()[0])
            if first_id is None:
                first_id = last_id - len(buffer) + 1
            buffer.clear()

        for row in rows:
            if row.status not in ("decided", "flagged", "skipped", "undecided"):
                raise ReviewError(f"Unknown review status {row.status!r}.")
            buffer.append(
                (
                    row.count_id,
                    row.run_id,
                    row.recommended,
                    row.action,
                    row.final_outcome,
                    row.status,
                    row.reason,
                    user,
                    at,
                    batch_id,
                    row.supersedes,
                )
            )
            digest.update(f"{row.count_id}\t{row.final_outcome or ''}\t{row.status}\n".encode())
            count += 1
            if len(buffer) >= _CHUNK:
                flush()
        flush()
        if count == 0:
            raise ReviewError("There is nothing to decide here.")
        details = dict(audit_details or {})
        details.update({"batch_id": batch_id, "rows": count, "rows_sha256": digest.hexdigest()})
        entry = ws.audit(user, audit_action, audit_object, "ok", details)
        review_store.catch_up(conn)
    return Batch(batch_id, count, first_id, last_id, at, entry.seq)


# -- reading ---------------------------------------------------------------------------------


def current_decisions(
    conn: sqlite3.Connection, *, up_to: int | None = None
) -> Iterator[CurrentDecision]:
    """The newest decision of every count that has one, in count order.

    With ``up_to`` the state as it was when decision ``up_to`` was the newest row (a
    sign-off recomputes its hash this way to prove its rows were not altered in place).
    """
    cursor = conn.execute(
        "SELECT d.count_id, d.final_outcome, d.status, d.action, d.reason, d.user, d.at, d.id, d.recommended "
        "FROM (SELECT max(id) AS id FROM decisions WHERE id <= ? GROUP BY count_id) m "
        "JOIN decisions d ON d.id = m.id ORDER BY d.count_id",
        (up_to if up_to is not None else 2**62,),
    )
    for values in cursor:
        yield CurrentDecision(*values)


def current_for_counts(
    conn: sqlite3.Connection, count_ids: Sequence[int]
) -> dict[int, CurrentDecision]:
    """The newest decision of each of ``count_ids`` that has one."""
    out: dict[int, CurrentDecision] = {}
    for start in range(0, len(count_ids), 500):
        chunk = list(count_ids[start : start + 500])
        marks = ",".join("?" * len(chunk))
        for values in conn.execute(
            "SELECT d.count_id, d.final_outcome, d.status, d.action, d.reason, d.user, d.at, d.id, "
            "d.recommended FROM decisions d WHERE d.id IN "
            f"(SELECT max(id) FROM decisions WHERE count_id IN ({marks}) GROUP BY count_id)",
            chunk,
        ):
            out[values[0]] = CurrentDecision(*values)
    return out


def history(conn: sqlite3.Connection, count_ids: Sequence[int]) -> list[DecisionRow]:
    """Every decision row of these counts, oldest first."""
    out: list[DecisionRow] = []
    for start in range(0, len(count_ids), 500):
        chunk = list(count_ids[start : start + 500])
        marks = ",".join("?" * len(chunk))
        out.extend(
            _row(v)
            for v in conn.execute(
                f"SELECT {_ROW_COLUMNS} FROM decisions WHERE count_id IN ({marks}) ORDER BY id",
                chunk,
            )
        )
    out.sort(key=lambda r: r.id)
    return out


def batch_rows(conn: sqlite3.Connection, batch_id: str) -> list[DecisionRow]:
    return [
        _row(v)
        for v in conn.execute(
            f"SELECT {_ROW_COLUMNS} FROM decisions WHERE batch_id = ? ORDER BY id", (batch_id,)
        )
    ]


def latest_decision_id(conn: sqlite3.Connection) -> int:
    return int(conn.execute("SELECT coalesce(max(id), 0) FROM decisions").fetchone()[0])


# -- undo and redo -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class UndoState:
    """The top of one user's undo and redo stacks (batch ids), or None when empty."""

    undo_batch: str | None
    redo_batch: str | None
    undo_action: str | None = None  # the action of the batch an undo would revert
    redo_action: str | None = None


def undo_state(conn: sqlite3.Connection, user: str) -> UndoState:
    """Replay this user's batches to find what Undo and Redo would do.

    A plain batch pushes onto the undo stack (and clears the redo stack); an undo batch
    (its rows supersede the rows of batch B) moves B to the redo stack; a redo batch (its
    rows supersede an undo batch's rows) moves the redone batch back to the undo stack.
    """
    batches = conn.execute(
        "SELECT batch_id, min(id), max(action = 'undo'), min(supersedes), min(action) "
        "FROM decisions WHERE user = ? AND batch_id IS NOT NULL GROUP BY batch_id ORDER BY min(id)",
        (user,),
    ).fetchall()
    if not batches:
        return UndoState(None, None)
    # batch of each superseded row, in one query (only the rows the replay needs).
    targets = [b[3] for b in batches if b[3] is not None]
    target_batch: dict[int, str] = {}
    for start in range(0, len(targets), 500):
        chunk = targets[start : start + 500]
        marks = ",".join("?" * len(chunk))
        target_batch.update(
            conn.execute(
                f"SELECT id, batch_id FROM decisions WHERE id IN ({marks})", chunk
            ).fetchall()
        )
    actions = {b[0]: b[4] for b in batches}
    done: list[str] = []
    undone: list[tuple[str, str]] = []  # (original batch, the undo batch that reverted it)
    for batch_id, _first, is_undo, supersedes, _action in batches:
        if is_undo:
            target = target_batch.get(supersedes) if supersedes is not None else None
            if target in done:
                done.remove(target)
                undone.append((target, batch_id))
        elif supersedes is not None and target_batch.get(supersedes) in {u for _, u in undone}:
            undo_batch = target_batch[supersedes]
            undone = [pair for pair in undone if pair[1] != undo_batch]
            done.append(batch_id)
        else:
            done.append(batch_id)
            undone.clear()
    undo_top = done[-1] if done else None
    redo_top = undone[-1][1] if undone else None
    redo_action = None
    if undone:
        redo_action = actions.get(undone[-1][0])
    return UndoState(undo_top, redo_top, actions.get(undo_top) if undo_top else None, redo_action)


def _previous_rows(
    conn: sqlite3.Connection, rows: Sequence[DecisionRow]
) -> dict[int, DecisionRow | None]:
    """For each row, the same count's decision just before it (None if it was the first)."""
    out: dict[int, DecisionRow | None] = {}
    for row in rows:
        values = conn.execute(
            f"SELECT {_ROW_COLUMNS} FROM decisions WHERE count_id = ? AND id < ? ORDER BY id DESC LIMIT 1",
            (row.count_id, row.id),
        ).fetchone()
        out[row.id] = _row(values) if values else None
    return out


def _check_current(conn: sqlite3.Connection, rows: Sequence[DecisionRow], verb: str) -> None:
    """Refuse when someone else decided a count after ``rows``, or its state moved on.

    Later rows by the same user (their own undo and redo of later steps) are fine as long as
    the count is back in the state that row left it in.
    """
    current = current_for_counts(conn, [r.count_id for r in rows])
    for row in rows:
        now = current.get(row.count_id)
        others = conn.execute(
            "SELECT user FROM decisions WHERE count_id = ? AND id > ? AND user != ? ORDER BY id DESC LIMIT 1",
            (row.count_id, row.id, row.user),
        ).fetchone()
        same_state = now is not None and (now.status, now.final_outcome) == (
            row.status,
            row.final_outcome,
        )
        if others is not None or not same_state:
            who = f" by {others[0]}" if others else (f" by {now.user}" if now else "")
            raise ReviewError(
                f"Cannot {verb}: count {row.count_id} was decided again{who} after that step. "
                "Undo or change that later decision instead."
            )


def undo_rows(conn: sqlite3.Connection, batch_id: str) -> list[NewDecision]:
    """Rows that put every count of ``batch_id`` back to its state before the batch."""
    rows = batch_rows(conn, batch_id)
    if not rows:
        raise ReviewError("There is nothing to undo.")
    _check_current(conn, rows, "undo")
    before = _previous_rows(conn, rows)
    out = []
    for row in rows:
        prev = before[row.id]
        out.append(
            NewDecision(
                count_id=row.count_id,
                run_id=prev.run_id if prev else None,
                recommended=prev.recommended if prev else None,
                action="undo",
                final_outcome=prev.final_outcome if prev else None,
                status=prev.status if prev else "undecided",
                reason=None,
                supersedes=row.id,
            )
        )
    return out


def redo_rows(conn: sqlite3.Connection, undo_batch_id: str) -> list[NewDecision]:
    """Rows that repeat what the undo batch ``undo_batch_id`` reverted."""
    undo = batch_rows(conn, undo_batch_id)
    if not undo:
        raise ReviewError("There is nothing to redo.")
    _check_current(conn, undo, "redo")
    originals = {
        r.id: r
        for r in (
            _row(v)
            for start in range(0, len(undo), 500)
            for v in conn.execute(
                f"SELECT {_ROW_COLUMNS} FROM decisions WHERE id IN ({','.join('?' * len(undo[start : start + 500]))})",
                [u.supersedes for u in undo[start : start + 500]],
            )
        )
    }
    out = []
    for row in undo:
        original = originals[row.supersedes]  # type: ignore[index]
        out.append(
            NewDecision(
                count_id=original.count_id,
                run_id=original.run_id,
                recommended=original.recommended,
                action=original.action,
                final_outcome=original.final_outcome,
                status=original.status,
                reason=original.reason,
                supersedes=row.id,
            )
        )
    return out
