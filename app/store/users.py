"""Users, their roles and log-on attempts (the SQL half of access control)."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

from app.core.clock import stamp
from app.core.model import Role


@dataclass(frozen=True, slots=True)
class UserRecord:
    id: int
    username: str
    full_name: str | None
    role: Role
    password_hash: str
    created_at: str
    disabled: bool
    locked_at: str | None

    @property
    def locked(self) -> bool:
        return self.locked_at is not None


_COLUMNS = "id, username, full_name, role, password_hash, created_at, disabled, locked_at"


def _record(row: tuple) -> UserRecord:
    return UserRecord(row[0], row[1], row[2], Role(row[3]), row[4], row[5], bool(row[6]), row[7])


def get(conn: sqlite3.Connection, username: str) -> UserRecord | None:
    row = conn.execute(f"SELECT {_COLUMNS} FROM users WHERE username = ?", (username,)).fetchone()
    return _record(row) if row else None


def all_users(conn: sqlite3.Connection) -> list[UserRecord]:
    return [
        _record(r)
        for r in conn.execute(f"SELECT {_COLUMNS} FROM users ORDER BY username COLLATE NOCASE")
    ]


def count(conn: sqlite3.Connection) -> int:
    return int(conn.execute("SELECT count(*) FROM users").fetchone()[0])


def insert(
    conn: sqlite3.Connection, username: str, role: Role, password_hash: str, full_name: str | None
) -> int:
    cur = conn.execute(
        "INSERT INTO users(username, full_name, role, password_hash, created_at) VALUES (?, ?, ?, ?, ?)",
        (username, full_name, role.value, password_hash, stamp()),
    )
    return int(cur.lastrowid or 0)


def set_role(conn: sqlite3.Connection, user_id: int, role: Role) -> None:
    conn.execute("UPDATE users SET role = ? WHERE id = ?", (role.value, user_id))


def set_full_name(conn: sqlite3.Connection, user_id: int, full_name: str | None) -> None:
    conn.execute("UPDATE users SET full_name = ? WHERE id = ?", (full_name, user_id))


def set_password(conn: sqlite3.Connection, user_id: int, password_hash: str) -> None:
    conn.execute("UPDATE users SET password_hash = ? WHERE id = ?", (password_hash, user_id))


def set_disabled(conn: sqlite3.Connection, user_id: int, disabled: bool) -> None:
    conn.execute("UPDATE users SET disabled = ? WHERE id = ?", (int(disabled), user_id))


def lock(conn: sqlite3.Connection, user_id: int) -> None:
    conn.execute(
        "UPDATE users SET locked_at = ? WHERE id = ? AND locked_at IS NULL", (stamp(), user_id)
    )


def unlock(conn: sqlite3.Connection, user_id: int) -> None:
    conn.execute("UPDATE users SET locked_at = NULL WHERE id = ?", (user_id,))


def record_attempt(
    conn: sqlite3.Connection, username: str, user_id: int | None, ok: bool, at: str
) -> None:
    conn.execute(
        "INSERT INTO login_attempts(user_id, username, at, ok) VALUES (?, ?, ?, ?)",
        (user_id, username, at, int(ok)),
    )


def failures_since(conn: sqlite3.Connection, username: str, since: str) -> int:
    """Failed attempts after ``since`` and after the last success or unlock."""
    row = conn.execute(
        "SELECT max(at) FROM login_attempts WHERE username = ? COLLATE NOCASE AND ok = 1",
        (username,),
    ).fetchone()
    floor = max(since, row[0] or "")
    return int(
        conn.execute(
            "SELECT count(*) FROM login_attempts WHERE username = ? COLLATE NOCASE AND ok = 0 AND at > ?",
            (username, floor),
        ).fetchone()[0]
    )
