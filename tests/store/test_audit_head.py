"""The audit log's newest entry, recorded beside the workspace, finds entries lost or deleted.

A hash chain cut short is still a valid chain; these are the faults RELIABILITY.md names
that only the recorded head can show: a ``-wal`` file lost after a crash, and the tail of
the log deleted with the sqlite3 shell.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

from app.store import audit
from app.store.workspace import Workspace, restore_backup

ROOT = Path(__file__).resolve().parents[2]


def _workspace(tmp_path: Path, entries: int = 3) -> Path:
    with Workspace.create(tmp_path / "w") as ws:
        for n in range(entries):
            ws.audit("clerk", "note", f"entry {n}")
        return ws.path


def _cut_tail(path: Path, keep: int) -> None:
    """What someone with the sqlite3 shell can do: lift the trigger, cut the log, put it back."""
    conn = sqlite3.connect(path)
    trigger = conn.execute(
        "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'audit' "
        "AND sql LIKE '%DELETE%'"
    ).fetchone()
    conn.execute(f"DROP TRIGGER {trigger[0]}")
    conn.execute("DELETE FROM audit WHERE seq > ?", (keep,))
    conn.execute(trigger[1])
    conn.commit()
    conn.close()


def _head(path: Path) -> dict[str, object]:
    return json.loads(audit.head_path(path).read_text(encoding="utf-8"))


def test_each_commit_records_its_newest_entry(tmp_path: Path) -> None:
    path = _workspace(tmp_path)
    with Workspace.open(path) as ws:
        last = ws.conn.execute(
            "SELECT seq, hash, at FROM audit ORDER BY seq DESC LIMIT 1"
        ).fetchone()
        assert (_head(path)["seq"], _head(path)["hash"], _head(path)["at"]) == last
        with ws.transaction():
            ws.audit("clerk", "note", "one")
            ws.audit("clerk", "note", "two")
        assert _head(path)["seq"] == last[0] + 2
        assert ws.verify_audit().ok
    assert not list(tmp_path.glob("*.tmp"))


def test_a_rolled_back_entry_is_not_recorded(tmp_path: Path) -> None:
    path = _workspace(tmp_path)
    before = _head(path)
    with Workspace.open(path) as ws:
        try:
            with ws.transaction():
                ws.audit("clerk", "note", "undone")
                raise RuntimeError("the change failed")
        except RuntimeError:
            pass
        assert _head(path) == before
        assert ws.verify_audit().ok


def test_a_deleted_tail_is_found(tmp_path: Path) -> None:
    path = _workspace(tmp_path, entries=5)
    _cut_tail(path, keep=3)
    with Workspace.open(path) as ws:
        assert audit.verify_chain(ws.conn).ok  # the chain alone cannot tell
        report = ws.verify_audit()
    assert not report.ok
    assert report.first_bad_seq == 4
    assert "the log ends at entry 3, but entry 6" in (report.problem or "")
    assert "missing" in (report.problem or "")
    # Later work in the window does not wash it out: the record only moves forward.
    with Workspace.open(path) as ws:
        for n in range(3):
            ws.audit("clerk", "note", f"after the cut {n}")
        report = ws.verify_audit()
    assert _head(path)["seq"] == 6
    assert not report.ok and "entry 6 is not the entry written at" in (report.problem or "")


def test_a_lost_wal_after_a_crash_is_found(tmp_path: Path) -> None:
    path = _workspace(tmp_path)
    # A process writes two entries and dies without closing: they are only in the -wal file.
    script = (
        "import os, sys\n"
        f"sys.path.insert(0, {str(ROOT)!r})\n"
        "from app.store.workspace import Workspace\n"
        f"ws = Workspace.open({str(path)!r})\n"
        "ws.audit('reviewer', 'decision', 'case 1')\n"
        "ws.audit('reviewer', 'decision', 'case 2')\n"
        "os._exit(0)\n"
    )
    subprocess.run([sys.executable, "-c", script], check=True)
    wal = path.with_name(path.name + "-wal")
    assert wal.stat().st_size > 0
    for suffix in ("-wal", "-shm"):
        path.with_name(path.name + suffix).unlink()
    with Workspace.open(path) as ws:
        report = ws.verify_audit()
    assert not report.ok
    assert "entry 6" in (report.problem or "") and "-wal" in (report.problem or "")


def test_a_log_rewritten_from_an_entry_on_is_found(tmp_path: Path) -> None:
    path = _workspace(tmp_path, entries=5)
    recorded = _head(path)
    _cut_tail(path, keep=3)
    # New, valid entries take the deleted numbers: the chain is whole again, but entry 6
    # is not the one recorded.
    with Workspace.open(path) as ws:
        conn2 = sqlite3.connect(path)
        for n in range(3):
            with conn2:
                audit.append(
                    conn2, user="x", action="note", object=str(n), outcome="ok", details={}
                )
        conn2.close()
        report = ws.verify_audit()
    assert audit.verify_chain(sqlite3.connect(path)).ok
    assert not report.ok and report.first_bad_seq == recorded["seq"]
    assert "not the entry written at" in (report.problem or "")


def test_a_copy_without_the_record_checks_the_chain_only(tmp_path: Path) -> None:
    path = _workspace(tmp_path)
    copy = tmp_path / "copied.clearslate"
    shutil.copyfile(path, copy)
    with Workspace.open(copy) as ws:
        assert ws.verify_audit().ok


def test_an_unreadable_record_checks_nothing_and_is_rewritten(tmp_path: Path) -> None:
    path = _workspace(tmp_path)
    audit.head_path(path).write_text("{not json", encoding="utf-8")
    with Workspace.open(path) as ws:
        assert ws.verify_audit().ok
        ws.audit("clerk", "note", "after")
    assert _head(path)["seq"] == 5


def test_a_restore_and_a_new_workspace_replace_an_old_record(tmp_path: Path) -> None:
    path = _workspace(tmp_path)
    with Workspace.open(path) as ws:
        backup = ws.backup("test")
        for n in range(3):
            ws.audit("clerk", "note", f"later {n}")
    # The workspace is lost; its backup is restored under the same name. The backup is older
    # than the recorded head, and that is what the user chose.
    path.unlink()
    for suffix in ("-wal", "-shm"):
        path.with_name(path.name + suffix).unlink(missing_ok=True)
    restore_backup(backup, path)
    with Workspace.open(path) as ws:
        assert ws.verify_audit().ok
    # A new workspace made under the name of a deleted one starts its own record.
    other = tmp_path / "other.clearslate"
    shutil.copyfile(audit.head_path(path), audit.head_path(other))
    with Workspace.create(other) as ws:
        assert ws.verify_audit().ok
    assert _head(other)["seq"] == 1
