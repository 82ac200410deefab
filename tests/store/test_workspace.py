"""The workspace file: creation, migrations, pragmas, checks, backups, locations."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from app.core.errors import WorkspaceError
from app.store.schema import APPEND_ONLY_TABLES, SCHEMA_VERSION
from app.store.workspace import Workspace, restore_backup, storage_warning


def test_create_migrates_an_empty_file_to_the_current_schema(tmp_path: Path) -> None:
    ws = Workspace.create(tmp_path / "new")
    try:
        assert ws.path.name == "new.clearslate"
        assert ws.schema_version() == SCHEMA_VERSION
        expected = {
            "settings", "users", "login_attempts", "sources", "source_rows", "import_findings", "people",
            "cases", "counts", "events", "person_matches", "policy_overrides", "evaluation_runs",
            "recommendations", "decisions", "signoffs", "exports", "audit",
        }
        assert expected <= set(ws.db.table_names())
        # The migration itself is the first audit entry.
        assert ws.conn.execute("SELECT action FROM audit WHERE seq = 1").fetchone()[0] == "workspace.migrate"
    finally:
        ws.close()


def test_pragmas_are_safe(tmp_path: Path) -> None:
    with Workspace.create(tmp_path / "w") as ws:
        assert ws.conn.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL
        assert ws.conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
        assert ws.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_creating_over_an_existing_file_is_refused(tmp_path: Path) -> None:
    Workspace.create(tmp_path / "w").close()
    with pytest.raises(WorkspaceError, match="already exists"):
        Workspace.create(tmp_path / "w.clearslate")


@pytest.mark.parametrize("table", APPEND_ONLY_TABLES)
def test_append_only_tables_refuse_update_and_delete(tmp_path: Path, table: str) -> None:
    with Workspace.create(tmp_path / "w") as ws:
        if table == "audit":
            row = "seq = 1"
            column = "outcome"
        else:
            ws.conn.execute("INSERT INTO people(id, full_name) VALUES (1, 'A')")
            ws.conn.execute("INSERT INTO cases(id, person_id, case_number) VALUES (1, 1, 'C1')")
            ws.conn.execute("INSERT INTO counts(id, case_id, person_id, dedupe_key) VALUES (1, 1, 1, 'k')")
            if table == "decisions":
                ws.conn.execute(
                    "INSERT INTO decisions(count_id, action, status, user, at) VALUES (1, 'accept', 'decided', 'u', 't')"
                )
                column = "reason"
            else:
                ws.conn.execute(
                    "INSERT INTO signoffs(user, at, decisions_hash, count_total, summary) VALUES ('u', 't', 'h', 0, '{}')"
                )
                column = "user"
            row = "id = 1"
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            ws.conn.execute(f"UPDATE {table} SET {column} = 'x' WHERE {row}")
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            ws.conn.execute(f"DELETE FROM {table} WHERE {row}")


def test_transaction_rolls_back_everything_on_error(tmp_path: Path) -> None:
    with Workspace.create(tmp_path / "w") as ws:
        before = ws.conn.execute("SELECT count(*) FROM audit").fetchone()[0]
        with pytest.raises(RuntimeError), ws.transaction():
            ws.conn.execute("INSERT INTO settings(key, value) VALUES ('a', 'b')")
            ws.audit("u", "test", None)
            raise RuntimeError("boom")
        assert ws.get_setting("a") is None
        assert ws.conn.execute("SELECT count(*) FROM audit").fetchone()[0] == before


def test_open_refuses_a_file_that_is_not_a_workspace(tmp_path: Path) -> None:
    bogus = tmp_path / "cases.clearslate"
    bogus.write_text("SUBJECT_ID,NAME\n1,A\n")
    with pytest.raises(WorkspaceError, match="not a ClearSlate workspace"):
        Workspace.open(bogus)
    other = tmp_path / "other.clearslate"
    conn = sqlite3.connect(other)
    conn.execute("CREATE TABLE t(x)")
    conn.commit()
    conn.close()
    with pytest.raises(WorkspaceError, match="not a ClearSlate workspace"):
        Workspace.open(other)


def test_open_runs_quick_check_and_names_a_damaged_file(tmp_path: Path) -> None:
    path = tmp_path / "w.clearslate"
    with Workspace.create(path) as ws:
        ws.conn.execute("PRAGMA journal_mode = DELETE")
        for i in range(2000):
            ws.conn.execute("INSERT INTO settings(key, value) VALUES (?, ?)", (f"k{i}", "v" * 100))
    data = bytearray(path.read_bytes())
    # Scribble over the middle of the file (not the header) to damage b-tree pages.
    for offset in range(len(data) // 2, len(data) // 2 + 8192):
        data[offset] = 0xFF
    path.write_bytes(bytes(data))
    with pytest.raises(WorkspaceError, match="damaged|quick check"):
        Workspace.open(path)


def test_newer_schema_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "w.clearslate"
    with Workspace.create(path) as ws:
        ws.conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    with pytest.raises(WorkspaceError, match="newer ClearSlate"):
        Workspace.open(path)


def test_migration_of_an_older_workspace_is_backed_up_first(tmp_path: Path) -> None:
    path = tmp_path / "w.clearslate"
    with Workspace.create(path) as ws:
        ws.conn.execute("PRAGMA user_version = 0")
        for table in ws.db.table_names():
            ws.conn.execute(f"DROP TABLE {table}")
    # An empty file at version 0 opens as a brand-new workspace, backed up before migrating.
    with Workspace.open(path) as ws:
        assert ws.schema_version() == SCHEMA_VERSION
        backups = ws.list_backups()
        assert backups and "before-migration" in backups[0].name


def test_backup_and_restore_round_trip(tmp_path: Path) -> None:
    path = tmp_path / "w.clearslate"
    with Workspace.create(path) as ws:
        ws.set_setting("county", "Kern", user="admin")
        backup = ws.backup("before-import")
        ws.set_setting("county", "Changed", user="admin")
    restored = restore_backup(backup, tmp_path / "restored.clearslate")
    with Workspace.open(restored) as ws:
        assert ws.get_setting("county") == "Kern"


def test_backups_are_pruned(tmp_path: Path) -> None:
    with Workspace.create(tmp_path / "w") as ws:
        for i in range(13):
            ws.backup(f"b{i}")
        assert len(ws.list_backups()) == 10


@pytest.mark.parametrize(
    "folder, expected",
    [
        ("C:/Users/ana/OneDrive - Kern County/cases", "synced folder"),
        ("/home/ana/Dropbox/work", "synced folder"),
        ("//fileserver/share/cases", "network share"),
    ],
)
def test_risky_locations_are_named(folder: str, expected: str) -> None:
    warning = storage_warning(Path(folder) / "kern.clearslate")
    assert warning is not None and expected in warning


def test_local_disk_has_no_warning(tmp_path: Path) -> None:
    assert storage_warning(tmp_path / "kern.clearslate") is None


def test_restore_refuses_what_is_not_a_backup(tmp_path: Path) -> None:
    text = tmp_path / "notes.clearslate"
    text.write_text("not a database")
    with pytest.raises(WorkspaceError, match="not a ClearSlate workspace or backup"):
        restore_backup(text, tmp_path / "restored.clearslate")
    assert not (tmp_path / "restored.clearslate").exists()
    assert not list(tmp_path.glob("*.partial"))
    with pytest.raises(WorkspaceError, match="No backup file"):
        restore_backup(tmp_path / "missing.clearslate", tmp_path / "restored.clearslate")


def test_a_deleted_wal_after_a_clean_close_loses_nothing(tmp_path: Path) -> None:
    """RELIABILITY.md: a missing -wal file. Closing checkpoints, so the file alone is whole."""
    path = tmp_path / "w.clearslate"
    with Workspace.create(path) as ws:
        ws.set_setting("county", "Kern", user="admin")
    for suffix in ("-wal", "-shm"):
        Path(str(path) + suffix).unlink(missing_ok=True)
    with Workspace.open(path) as ws:
        assert ws.get_setting("county") == "Kern"


@pytest.mark.parametrize("keep", [0.5, 0.25])
def test_a_truncated_workspace_is_named_damaged_not_an_unexpected_error(
    tmp_path: Path, keep: float
) -> None:
    # A real workspace with users and audit entries, cut short the way a failed copy leaves it
    # (header intact, later pages gone): the first PRAGMA in _connect already fails.
    from tests.conftest import make_workspace

    ws = make_workspace(tmp_path)
    path = ws.path
    ws.close()
    data = path.read_bytes()
    assert len(data) > 100_000
    truncated = tmp_path / "t.clearslate"
    truncated.write_bytes(data[: int(len(data) * keep)])
    with pytest.raises(WorkspaceError, match="damaged. Restore the latest backup") as caught:
        Workspace.open(truncated)
    assert caught.value.file == str(truncated)
    assert truncated.read_bytes() == data[: int(len(data) * keep)]  # left as it was
