"""Reading the audit log for the window's viewer: filtered entries and the chain check."""

from __future__ import annotations

from app.store.audit import AuditEntry, ChainReport, recent
from app.store.workspace import Workspace


def entries(
    ws: Workspace,
    *,
    action_prefix: str | None = None,
    user: str | None = None,
    text: str = "",
    limit: int = 5000,
) -> list[AuditEntry]:
    """The newest entries first, narrowed by action prefix, user and free text (object or details)."""
    found = recent(ws.conn, limit, action_prefix=action_prefix or None, user=user or None)
    needle = text.strip().lower()
    if needle:
        found = [
            e
            for e in found
            if needle in (e.object or "").lower() or needle in str(e.details).lower()
        ]
    return found


def check_chain(ws: Workspace) -> ChainReport:
    return ws.verify_audit()
