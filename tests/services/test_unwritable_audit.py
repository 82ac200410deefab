"""RELIABILITY.md, access: an unwritable audit log. No change lands without its entry."""

from __future__ import annotations

import pytest

from app.core.errors import WorkspaceError
from app.services import auth, workspaces
from tests.conftest import PASSWORD


def _break_the_audit_log(ws) -> None:  # type: ignore[no-untyped-def]
    # Fault injection: every audit insert fails as a full or failing disk would make it.
    ws.conn.execute(
        "CREATE TRIGGER audit_broken BEFORE INSERT ON audit "
        "BEGIN SELECT RAISE(ABORT, 'disk I/O error'); END"
    )


def test_no_logon_without_its_audit_entry(workspace) -> None:  # type: ignore[no-untyped-def]
    attempts = workspace.conn.execute("SELECT count(*) FROM login_attempts").fetchone()[0]
    _break_the_audit_log(workspace)
    with pytest.raises(WorkspaceError, match="audit log cannot be written, so nothing was changed"):
        auth.login(workspace, "reviewer", PASSWORD)
    assert workspace.conn.execute("SELECT count(*) FROM login_attempts").fetchone()[0] == attempts


def test_no_setting_change_without_its_audit_entry(workspace) -> None:  # type: ignore[no-untyped-def]
    admin = auth.login(workspace, "admin", PASSWORD)
    _break_the_audit_log(workspace)
    with pytest.raises(WorkspaceError, match="audit log cannot be written"):
        workspaces.change_setting(workspace, "court_name", "Somewhere", by=admin)
    assert workspaces.setting(workspace, "court_name") == ""
