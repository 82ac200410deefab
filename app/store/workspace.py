"""A workspace is one SQLite file: opening it safely, migrating it, backing it up.

Every write happens inside :meth:`Workspace.transaction`, and every change is recorded in
the audit chain in that same transaction (see :mod:`app.store.audit`).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import json
import logging
import os
import sqlite3
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from app import WORKSPACE_SUFFIX
from app.core.clock import stamp, utc_now
from app.core.errors import WorkspaceError, WorkspaceLocked
from app.store import audit
from app.store.schema import MIGRATIONS, SCHEMA_VERSION

if TYPE_CHECKING:
    import sqlite_utils

log = logging.getLogger(__name__)

# Folder names that mean a cloud-synced folder, where SQLite's locking is unreliable.
_SYNCED_MARKERS = (
    "onedrive",
    "dropbox",
    "google drive",
    "googledrive",
    "icloud",
    "box sync",
    "nextcloud",
    "owncloud",
)
_NETWORK_FS = {
    "nfs",
    "nfs4",
    "cifs",
    "smbfs",
    "smb3",
    "fuse.sshfs",
    "9p",
    "afs",
    "davfs",
    "fuse.rclone",
}
KEEP_BACKUPS = 10


def storage_warning(path: Path) -> str | None:
    """Why this location is risky for a workspace, or None when it is a local disk."""
    text = str(path.resolve() if path.exists() else path.absolute())
    if text.startswith("\\\\") or text.startswith("//"):
        return (
            f"{path.name} is on a network share. SQLite cannot lock files reliably there, so two "
            "people could overwrite each other's work. Copy it to this computer's disk."
        )
    lowered = text.lower()
    for marker in _SYNCED_MARKERS:
        if marker in lowered:
            return (
                f"{path.name} is in a synced folder ({marker.title()}). Syncing can copy the file "
                "half-written or fork it. Keep workspaces in a local folder that is not synced."
            )
    fs = _filesystem_type(path)
    if fs in _NETWORK_FS:
        return (
            f"{path.name} is on a network file system ({fs}). SQLite cannot lock files reliably "
            "there. Copy it to this computer's disk."
        )
    return None


def _filesystem_type(path: Path) -> str | None:
    if not sys.platform.startswith("linux"):
        return None
    try:
        mounts = Path("/proc/mounts").read_text().splitlines()
    except OSError:
        return None
    target = str(path.absolute().parent)
    best, best_fs = "", None
    for line in mounts:
        parts = line.split()
        if len(parts) >= 3 and target.startswith(parts[1]) and len(parts[1]) > len(best):
            best, best_fs = parts[1], parts[2]
    return best_fs


def _connect(path: Path, *, wal: bool) -> sqlite3.Connection:
    # isolation_level=None: we issue BEGIN/COMMIT ourselves so a whole import, review
    # batch or sign-off is exactly one transaction.
    try:
        conn = sqlite3.connect(
            str(path), isolation_level=None, check_same_thread=False, timeout=5.0
        )
    except sqlite3.Error as exc:
        raise _translate(exc, path) from exc
    # Every pragma can be the first read of the file: a truncated or damaged workspace fails
    # here ("database disk image is malformed"), and must get the restore-a-backup message.
    try:
        conn.execute("PRAGMA foreign_keys = ON")
        conn.execute("PRAGMA synchronous = FULL")
        conn.execute("PRAGMA busy_timeout = 5000")
        conn.execute(f"PRAGMA journal_mode = {'WAL' if wal else 'DELETE'}")
    except sqlite3.Error as exc:
        conn.close()
        raise _translate(exc, path) from exc
    return conn


def restore_advice(path: Path) -> str:
    """"restore the latest backup (…): ClearSlate keeps them in the folder “w.backups” …"."""
    backups = path.with_name(path.stem + ".backups")
    if backups.is_dir():
        where = f"ClearSlate keeps them in the folder “{backups.name}” next to the workspace file."
    else:
        where = (
            f"ClearSlate keeps them in a folder named “{backups.name}” next to the workspace "
            "file; there is none here, so ask your administrator for a copy."
        )
    return f"restore the latest backup (File ▸ Restore backup, or the restore command): {where}"


def damaged_message(path: Path) -> str:
    """What to do about a damaged workspace file, naming where its backups are.

    Every way SQLite reports damage ("file is not a database", "database disk image is
    malformed", quick_check's page errors) ends here: SQLite's own words mean nothing to a
    clerk, so they go to the log file only.
    """
    advice = restore_advice(path)
    return f"The workspace file is damaged. {advice[0].upper()}{advice[1:]}"


def _damaged(path: Path, sqlite_says: str) -> WorkspaceError:
    log.warning("workspace %s is damaged; SQLite says: %s", path, sqlite_says)
    return WorkspaceError(damaged_message(path), file=str(path))


def _translate(exc: sqlite3.Error, path: Path) -> WorkspaceError:
    text = str(exc).lower()
    if "locked" in text or "busy" in text:
        return WorkspaceLocked(
            "The workspace is in use by another copy of ClearSlate or another program. "
            "Close it there and try again.",
            file=str(path),
        )
    if "not a database" in text or "malformed" in text or "corrupt" in text:
        return _damaged(path, str(exc))
    if "disk" in text and "full" in text:
        return WorkspaceError(
            "The disk is full: nothing was changed. Free some space and try again.", file=str(path)
        )
    if "readonly" in text or "read-only" in text or "unable to open" in text:
        return WorkspaceError(
            "The workspace cannot be written here (read-only or missing folder).", file=str(path)
        )
    return WorkspaceError(f"The workspace could not be used: {exc}", file=str(path))


class Workspace:
    """An open workspace file. Use :meth:`create` or :meth:`open`, then :meth:`close`."""

    def __init__(self, path: Path, conn: sqlite3.Connection, warning: str | None) -> None:
        self.path = path
        self.conn = conn
        self.storage_warning = warning
        self._depth = 0
        # The newest audit entry of the open transaction, recorded beside the file on commit.
        self._head: audit.AuditEntry | None = None

    @functools.cached_property
    def db(self) -> sqlite_utils.Database:
        """sqlite-utils over the same connection (imported on first use: it costs ~50 ms)."""
        import sqlite_utils

        return sqlite_utils.Database(self.conn)

    # -- opening -----------------------------------------------------------------------

    @classmethod
    def create(cls, path: str | os.PathLike[str]) -> Workspace:
        path = Path(path)
        if path.suffix != WORKSPACE_SUFFIX:
            path = path.with_name(path.name + WORKSPACE_SUFFIX)
        if path.exists():
            raise WorkspaceError(
                "A file with this name already exists; choose another name.", file=str(path)
            )
        if not path.parent.is_dir():
            raise WorkspaceError("The folder does not exist.", file=str(path))
        warning = storage_warning(path)
        # A head left by a deleted workspace of the same name would not match this new log.
        audit.head_path(path).unlink(missing_ok=True)
        conn = _connect(path, wal=warning is None)
        ws = cls(path, conn, warning)
        try:
            ws._migrate(backup=False)
        except BaseException:
            ws.close()
            with contextlib.suppress(OSError):
                path.unlink()
            raise
        return ws

    @classmethod
    def open(cls, path: str | os.PathLike[str], *, migrate: bool = True, check: bool = True) -> Workspace:
        """Open a workspace: SQLite's quick_check, then any migration (after a backup).

        ``check=False`` leaves the quick_check to the caller (the window runs it while the
        log-on dialog is up, so a large workspace opens without the wait); a workspace that
        needs migrating is always checked first.
        """
        path = Path(path)
        if not path.is_file():
            raise WorkspaceError("No workspace file here.", file=str(path))
        with path.open("rb") as fh:
            if fh.read(16) != b"SQLite format 3\x00":
                log.warning("%s does not start as a SQLite file does", path)
                raise WorkspaceError(
                    "This file is not a ClearSlate workspace, or the workspace file is damaged. "
                    "If it is your workspace, " + restore_advice(path),
                    file=str(path),
                )
        warning = storage_warning(path)
        conn = _connect(path, wal=warning is None)
        ws = cls(path, conn, warning)
        try:
            if check:
                ws.quick_check()
            version = ws.schema_version()
            if version > SCHEMA_VERSION:
                raise WorkspaceError(
                    f"This workspace was made by a newer ClearSlate (schema {version}); "
                    "update ClearSlate to open it.",
                    file=str(path),
                )
            if version == 0 and ws.db.table_names():
                raise WorkspaceError(
                    "This SQLite file is not a ClearSlate workspace.", file=str(path)
                )
            if migrate and version < SCHEMA_VERSION:
                if not check:
                    ws.quick_check()  # never migrate a file nobody has checked
                ws._migrate(backup=True)
        except sqlite3.Error as exc:
            ws.close()
            raise _translate(exc, path) from exc
        except BaseException:
            ws.close()
            raise
        return ws

    @classmethod
    def attach(cls, path: str | os.PathLike[str]) -> Workspace:
        """Another connection to a workspace this process has already opened (and checked).

        For worker threads (each thread needs its own connection): no quick_check and no
        migration, so it costs milliseconds even on a large workspace.
        """
        path = Path(path)
        if not path.is_file():
            raise WorkspaceError("No workspace file here.", file=str(path))
        warning = storage_warning(path)
        return cls(path, _connect(path, wal=warning is None), warning)

    def close(self) -> None:
        with contextlib.suppress(sqlite3.Error):
            self.conn.close()

    def __enter__(self) -> Workspace:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- checks ------------------------------------------------------------------------

    def schema_version(self) -> int:
        return int(self.conn.execute("PRAGMA user_version").fetchone()[0])

    def quick_check(self) -> None:
        try:
            rows = [r[0] for r in self.conn.execute("PRAGMA quick_check").fetchall()]
        except sqlite3.DatabaseError as exc:
            raise _translate(exc, self.path) from exc
        if rows != ["ok"]:
            raise _damaged(self.path, "quick_check: " + "; ".join(rows[:20] or ["no answer"]))

    def verify_audit(self) -> audit.ChainReport:
        """The audit chain recomputed, and its newest recorded entry still there."""
        return audit.check_head(self.conn, self.path, audit.verify_chain(self.conn))

    def integrity_check(self) -> list[str]:
        """Problems found by SQLite's full integrity check (empty when the file is sound)."""
        rows = [r[0] for r in self.conn.execute("PRAGMA integrity_check").fetchall()]
        return [] if rows == ["ok"] else rows

    # -- transactions ------------------------------------------------------------------

    @contextlib.contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """One all-or-nothing write. Nested use joins the outer transaction.

        A SQLite error that escapes the body is rolled back and raised as WorkspaceError.
        """
        if self._depth:
            self._depth += 1
            try:
                yield self.conn
            finally:
                self._depth -= 1
            return
        try:
            self.conn.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as exc:
            raise _translate(exc, self.path) from exc
        self._depth = 1
        try:
            yield self.conn
        except BaseException as exc:
            self._depth = 0
            self._head = None
            with contextlib.suppress(sqlite3.Error):
                self.conn.execute("ROLLBACK")
            if isinstance(exc, sqlite3.Error):
                # A damaged file, a full disk, a lock: the user gets a message, not a trace.
                raise _translate(exc, self.path) from exc
            raise
        self._depth = 0
        head, self._head = self._head, None
        try:
            self.conn.execute("COMMIT")
        except sqlite3.Error as exc:
            with contextlib.suppress(sqlite3.Error):
                self.conn.execute("ROLLBACK")
            raise _translate(exc, self.path) from exc
        if head is not None:
            audit.record_head(self.path, head.seq, head.hash, head.at)

    @property
    def in_transaction(self) -> bool:
        return self._depth > 0

    def audit(
        self,
        user: str | None,
        action: str,
        object: str | None = None,
        outcome: str = "ok",
        details: dict[str, Any] | None = None,
    ) -> audit.AuditEntry:
        """Append an audit entry; joins the current transaction or makes its own.

        No change may land without its entry: if the entry cannot be written, the error
        rolls back the whole transaction it belongs to and says so.
        """
        with self.transaction():
            try:
                self._head = audit.append(
                    self.conn,
                    user=user,
                    action=action,
                    object=object,
                    outcome=outcome,
                    details=details or {},
                )
                return self._head
            except sqlite3.Error as exc:
                translated = _translate(exc, self.path)
                raise WorkspaceError(
                    "The audit log cannot be written, so nothing was changed "
                    f"({translated.message})",
                    file=str(self.path),
                ) from exc

    def audit_after_failure(
        self,
        user: str | None,
        action: str,
        object: str | None = None,
        outcome: str = "failed",
        details: dict[str, Any] | None = None,
    ) -> str | None:
        """Audit a refused, failed or cancelled action after its rollback, in its own transaction.

        The first error is what the user must see: when this entry cannot be written either
        (the disk is still full), the reason is returned, to be added to that message, and
        never raised over it. None when the entry was written.
        """
        try:
            self.audit(user, action, object, outcome, details)
        except Exception as exc:  # noqa: BLE001 - whatever it is, the first error comes first
            log.warning("could not audit %s: %s", action, exc)
            return getattr(exc, "message", None) or str(exc)
        return None

    # -- settings ----------------------------------------------------------------------

    def get_setting(self, key: str, default: str | None = None) -> str | None:
        row = self.conn.execute("SELECT value FROM settings WHERE key = ?", (key,)).fetchone()
        return row[0] if row else default

    def settings(self) -> dict[str, str]:
        return dict(self.conn.execute("SELECT key, value FROM settings").fetchall())

    def set_setting(self, key: str, value: str, *, user: str | None) -> None:
        with self.transaction():
            old = self.get_setting(key)
            self.conn.execute(
                "INSERT INTO settings(key, value) VALUES (?, ?) "
                "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                (key, value),
            )
            if old != value:
                self.audit(user, "settings.change", key, details={"old": old, "new": value})

    # -- migrations and backups -----------------------------------------------------------

    def _migrate(self, *, backup: bool) -> None:
        version = self.schema_version()
        if version >= SCHEMA_VERSION:
            return
        if backup:
            self.backup(f"before-migration-{version}-to-{SCHEMA_VERSION}")
        for number in range(version, SCHEMA_VERSION):
            with self.transaction():
                for statement in MIGRATIONS[number]:
                    self.conn.execute(statement)
                self.conn.execute(f"PRAGMA user_version = {number + 1}")
                self.audit(
                    None,
                    "workspace.migrate",
                    str(self.path.name),
                    details={"to_version": number + 1},
                )

    def backup_dir(self) -> Path:
        return self.path.with_name(self.path.stem + ".backups")

    def backup(self, reason: str) -> Path:
        """Copy the workspace with the SQLite backup API (consistent even mid-use)."""
        folder = self.backup_dir()
        folder.mkdir(exist_ok=True)
        safe_reason = "".join(c if c.isalnum() or c in "-_" else "-" for c in reason)[:60]
        moment = utc_now().strftime("%Y%m%dT%H%M%S%f")
        target = folder / f"{self.path.stem}-{moment}-{safe_reason}{WORKSPACE_SUFFIX}"
        tmp = target.with_suffix(".partial")
        dest = sqlite3.connect(str(tmp))
        try:
            self.conn.backup(dest)
            dest.execute("PRAGMA journal_mode = DELETE")
        finally:
            dest.close()
        os.replace(tmp, target)
        self._prune_backups(folder)
        log.info("backed up workspace to %s", target)
        return target

    def _prune_backups(self, folder: Path) -> None:
        backups = sorted(folder.glob(f"*{WORKSPACE_SUFFIX}"), key=lambda p: p.stat().st_mtime)
        for old in backups[:-KEEP_BACKUPS]:
            with contextlib.suppress(OSError):
                old.unlink()

    def list_backups(self) -> list[Path]:
        folder = self.backup_dir()
        if not folder.is_dir():
            return []
        return sorted(
            folder.glob(f"*{WORKSPACE_SUFFIX}"), key=lambda p: p.stat().st_mtime, reverse=True
        )


def restore_backup(backup: Path, target: Path) -> Path:
    """Copy a backup to a new workspace file (never over an existing one).

    The backup is checked first (a SQLite file that passes quick_check), and the copy is
    written under a temporary name and renamed, so a failed restore leaves nothing behind.
    """
    backup, target = Path(backup), Path(target)
    if target.exists():
        raise WorkspaceError(
            "A file with this name already exists; choose another name.", file=str(target)
        )
    if not backup.is_file():
        raise WorkspaceError("No backup file here.", file=str(backup))
    with backup.open("rb") as fh:
        if fh.read(16) != b"SQLite format 3\x00":
            raise WorkspaceError("This file is not a ClearSlate workspace or backup.", file=str(backup))
    tmp = target.with_name(target.name + ".partial")
    try:
        source = sqlite3.connect(f"file:{backup}?mode=ro", uri=True)
        try:
            rows = source.execute("PRAGMA quick_check").fetchall()
            if [r[0] for r in rows] != ["ok"]:
                raise WorkspaceError("The backup is damaged and cannot be restored.", file=str(backup))
            dest = sqlite3.connect(str(tmp))
            try:
                source.backup(dest)
                dest.execute("PRAGMA journal_mode = DELETE")
            finally:
                dest.close()
        finally:
            source.close()
        os.replace(tmp, target)
        # The restored log is older than any head recorded for this name before.
        restored = sqlite3.connect(f"file:{target}?mode=ro", uri=True)
        try:
            audit.record_newest(restored, target)
        finally:
            restored.close()
    except sqlite3.Error as exc:
        raise _translate(exc, backup) from exc
    finally:
        tmp.unlink(missing_ok=True)
    return target


def json_dumps(value: Any) -> str:
    return json.dumps(
        value, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=_json_default
    )


def _json_default(value: Any) -> Any:
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    if isinstance(value, set | frozenset | tuple):
        return list(value)
    raise TypeError(f"not JSON serializable: {type(value).__name__}")


__all__ = ["Workspace", "damaged_message", "restore_backup", "storage_warning", "json_dumps", "stamp"]
