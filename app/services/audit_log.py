"""Reading the audit log for the window's viewer: a search over the whole log and the chain check."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from app.core.clock import stamp
from app.store.audit import AuditEntry, ChainReport, search
from app.store.workspace import Workspace

SHOWN_AT_MOST = 5000  # rows a table shows at once; the search itself covers the whole log


@dataclass(frozen=True, slots=True)
class AuditPage:
    """The newest matching entries (at most ``limit``) and how many entries match in all."""

    entries: list[AuditEntry]
    total: int
    limit: int

    @property
    def capped(self) -> bool:
        return self.total > len(self.entries)


def entries(
    ws: Workspace,
    *,
    action_prefix: str | None = None,
    user: str | None = None,
    text: str = "",
    since: dt.datetime | None = None,
    before: dt.datetime | None = None,
    limit: int = SHOWN_AT_MOST,
) -> AuditPage:
    """The newest entries first, narrowed by action prefix, user, free text (object or
    details) and time (``since`` included, ``before`` excluded; aware datetimes)."""
    found, total = search(
        ws.conn,
        action_prefix=action_prefix or None,
        user=user or None,
        text=text.strip() or None,
        since=stamp(since) if since else None,
        before=stamp(before) if before else None,
        limit=limit,
    )
    return AuditPage(found, total, limit)


def check_chain(ws: Workspace) -> ChainReport:
    return ws.verify_audit()
