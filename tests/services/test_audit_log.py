"""The audit-log search: filters run over the whole log in SQL; only the result is capped."""

from __future__ import annotations

import datetime as dt

from app.core.clock import parse_stamp
from app.services.audit_log import entries


def _fill(ws, n: int) -> None:  # type: ignore[no-untyped-def]
    """``n`` routine entries after whatever the workspace already holds (one transaction)."""
    with ws.transaction():
        for i in range(n):
            ws.audit("reviewer", "review.accept", f"case C{i:06d}", details={"rows": 1})


def test_an_old_entry_is_found_behind_more_than_the_cap(workspace) -> None:
    with workspace.transaction():
        workspace.audit("admin", "note", "old-object", details={"reason": "Needle 50% of_it"})
    _fill(workspace, 5_050)

    everything = entries(workspace)
    assert everything.capped and len(everything.entries) == 5_000
    assert everything.total > 5_050

    for text in ("needle", "NEEDLE 50%", "of_it", "old-obj"):
        page = entries(workspace, text=text)
        assert [e.object for e in page.entries] == ["old-object"], text
        assert page.total == 1 and not page.capped
    # LIKE's wildcards are taken literally: "%" or "_" alone do not match everything.
    assert entries(workspace, text="5_%").total == 0

    by_user = entries(workspace, user="ADMIN", action_prefix="note")
    assert [e.action for e in by_user.entries] == ["note"]


def test_dates_bound_the_search(workspace) -> None:
    _fill(workspace, 3)
    newest = entries(workspace).entries[0]
    at = parse_stamp(newest.at)
    assert entries(workspace, since=at).total >= 1
    assert entries(workspace, since=at + dt.timedelta(seconds=1)).total == 0
    assert entries(workspace, before=at).entries[0].seq < newest.seq
    assert entries(workspace, before=at - dt.timedelta(days=1)).total == 0
