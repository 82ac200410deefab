"""The audit chain: appended with each change, verified, and tampering detected."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from app.store.audit import GENESIS, entry_hash, verify_chain
from app.store.workspace import Workspace


def _workspace_with_entries(path: Path, n: int = 5) -> Path:
    with Workspace.create(path) as ws:
        for i in range(n):
            ws.audit("clerk", "import", f"file{i}.xlsx", details={"rows": i, "name": "Núñez"})
    return path


def test_entries_link_and_verify(tmp_path: Path) -> None:
    path = _workspace_with_entries(tmp_path / "w.clearslate")
    with Workspace.open(path) as ws:
        rows = ws.conn.execute("SELECT seq, at, user, action, object, outcome, details, prev_hash, hash FROM audit ORDER BY seq").fetchall()
        assert rows[0][7] == GENESIS
        for before, after in zip(rows, rows[1:]):
            assert after[7] == before[8]
        for seq, at, user, action, obj, outcome, details, prev, digest in rows:
            assert entry_hash(prev, seq, at, user, action, obj, outcome, details) == digest
            # UTC to the hundredth of a second.
            assert at.endswith("Z") and len(at.split(".")[1]) == 3
        report = verify_chain(ws.conn)
        assert report.ok and report.entries == len(rows)


def _tamper(path: Path, sql: str) -> None:
    """What someone with the sqlite3 shell could do: drop the guards, edit, leave."""
    conn = sqlite3.connect(path)
    conn.execute("DROP TRIGGER audit_no_update")
    conn.execute("DROP TRIGGER audit_no_delete")
    conn.execute(sql)
    conn.commit()
    conn.close()


def test_an_edited_row_is_named(tmp_path: Path) -> None:
    path = _workspace_with_entries(tmp_path / "w.clearslate")
    _tamper(path, "UPDATE audit SET user = 'someone-else' WHERE seq = 4")
    with Workspace.open(path) as ws:
        report = verify_chain(ws.conn)
    assert not report.ok
    assert report.first_bad_seq == 4
    assert report.first_bad_at is not None
    assert "does not match its hash" in (report.problem or "")


def test_a_deleted_row_is_named(tmp_path: Path) -> None:
    path = _workspace_with_entries(tmp_path / "w.clearslate")
    _tamper(path, "DELETE FROM audit WHERE seq = 3")
    with Workspace.open(path) as ws:
        report = verify_chain(ws.conn)
    assert not report.ok and report.first_bad_seq == 4
    assert "entry 3 is missing" in (report.problem or "")


def test_a_rehashed_row_breaks_the_next_link(tmp_path: Path) -> None:
    """Even recomputing the edited row's own hash is caught by the next entry's link."""
    path = _workspace_with_entries(tmp_path / "w.clearslate")
    conn = sqlite3.connect(path)
    seq, at, user, action, obj, outcome, details, prev, _ = conn.execute("SELECT * FROM audit WHERE seq = 2").fetchone()
    forged = entry_hash(prev, seq, at, "forger", action, obj, outcome, details)
    conn.close()
    _tamper(path, f"UPDATE audit SET user = 'forger', hash = '{forged}' WHERE seq = 2")
    with Workspace.open(path) as ws:
        report = verify_chain(ws.conn)
    assert not report.ok and report.first_bad_seq == 3
    assert "link" in (report.problem or "")
