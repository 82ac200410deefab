"""Checking a workspace (``verify WS``): SQLite's integrity, the audit chain, and the decisions.

Decisions are append-only, but a row can still be altered in place by someone who drops the
trigger with the sqlite3 shell. Two records pin them down: each sign-off stores the hash of
the decisions it covered (the export rechecks it), and each review batch's audit entry
stores a digest of the rows it wrote. Verify recomputes both, so an altered decision is
named here, not first discovered when an export is refused.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from app.services.signoff import NAMED_LIMIT, decisions_hash
from app.store import signoff as store
from app.store.audit import iter_entries
from app.store.workspace import Workspace


@dataclass(frozen=True, slots=True)
class WorkspaceVerification:
    path: Path
    entries: int
    chain_ok: bool
    integrity_problems: list[str] = field(default_factory=list)
    first_bad_seq: int | None = None
    first_bad_at: str | None = None
    problem: str | None = None
    # Decisions that no longer match their sign-off or their audit entry.
    decision_problems: list[str] = field(default_factory=list)
    signoffs_checked: int = 0
    batches_checked: int = 0
    # Worth saying but not a failed check: leftovers of exports that were killed.
    warnings: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.chain_ok and not self.integrity_problems and not self.decision_problems

    def lines(self) -> list[str]:
        """A summary with no personal data in it (case numbers at most)."""
        out = [f"Workspace: {self.path.name}", f"Audit entries: {self.entries}"]
        if self.integrity_problems:
            out.append(f"SQLite integrity check: FAILED ({self.integrity_problems[0]})")
        else:
            out.append("SQLite integrity check: ok")
        if self.chain_ok:
            out.append("Audit chain: ok — every entry matches its hash and links to the one before")
        else:
            out.append(
                f"Audit chain: BROKEN at entry {self.first_bad_seq} ({self.first_bad_at}): {self.problem}"
            )
        if self.decision_problems:
            out.append("Decisions: ALTERED IN PLACE")
            out.extend(f"  {p}" for p in self.decision_problems)
        else:
            out.append(
                f"Decisions: ok — {self.signoffs_checked} sign-off(s) and "
                f"{self.batches_checked} review batch(es) match what was recorded"
            )
        out.extend(f"warning: {w}" for w in self.warnings)
        return out

    def to_dict(self) -> dict[str, object]:
        return {
            "workspace": self.path.name,
            "ok": self.ok,
            "entries": self.entries,
            "integrity_ok": not self.integrity_problems,
            "chain_ok": self.chain_ok,
            "first_bad_entry": self.first_bad_seq,
            "first_bad_at": self.first_bad_at,
            "problem": self.problem,
            "decisions_ok": not self.decision_problems,
            "decision_problems": self.decision_problems,
            "signoffs_checked": self.signoffs_checked,
            "batches_checked": self.batches_checked,
            "warnings": self.warnings,
        }


def _named(ws: Workspace, count_ids: list[int], total: int) -> str:
    labels = store.case_labels(ws.conn, count_ids[:NAMED_LIMIT])
    named = ", ".join(labels.get(c, f"count {c}") for c in count_ids[:NAMED_LIMIT])
    more = f" and {total - NAMED_LIMIT:,} more" if total > NAMED_LIMIT else ""
    return named + more


def _signoff_problems(ws: Workspace) -> tuple[list[str], int]:
    """Each sign-off's decisions hash recomputed, as the export does for the newest one."""
    problems: list[str] = []
    records = store.all_signoffs(ws.conn)
    for record in records:
        digest, total = decisions_hash(
            store.current_decisions(ws.conn, up_to=record.last_decision_id)
        )
        if digest != record.decisions_hash or total != record.count_total:
            problems.append(
                f"Sign-off {record.id} by {record.user} at {record.at}: the decisions it covered "
                "were altered in place (their hash no longer matches); it is void and no packet "
                "can be exported from it."
            )
    return problems, len(records)


def _batch_problems(ws: Workspace) -> tuple[list[str], int]:
    """Each review batch's rows against the digest its audit entry recorded."""
    recorded: dict[str, Any] = {}
    for entry in iter_entries(ws.conn):
        details = entry.details
        if isinstance(details, dict) and "batch_id" in details and "rows_sha256" in details:
            recorded[str(details["batch_id"])] = entry
    stored = store.decision_batch_digests(ws.conn)
    problems: list[str] = []
    for batch_id, entry in recorded.items():
        found = stored.get(batch_id)
        what = f"audit entry {entry.seq} ({entry.action} by {entry.user} at {entry.at})"
        if found is None:
            problems.append(f"The {entry.details.get('rows')} decision(s) of {what} are missing.")
            continue
        digest, rows, count_ids = found
        if digest != entry.details["rows_sha256"] or rows != entry.details.get("rows"):
            problems.append(
                f"The decisions of {what} no longer match it: one or more of its {rows:,} "
                f"row(s) were altered in place (cases {_named(ws, count_ids, rows)})."
            )
    for batch_id, (_digest, rows, count_ids) in stored.items():
        if batch_id not in recorded:
            problems.append(
                f"{rows} decision(s) have no audit entry (batch {batch_id}): "
                f"{_named(ws, count_ids, rows)}."
            )
    return problems, len(recorded)


def _leftover_partials(ws: Workspace) -> list[str]:
    """Partial folders of killed exports beside the workspace or its earlier packets."""
    from app.services.packet import stale_partials

    parents = {ws.path.absolute().parent}
    parents.update(Path(e.folder).parent for e in store.all_exports(ws.conn))
    return [
        f"A partial folder of an export that did not finish is in {parent}: {p.name}. It holds "
        "criminal-history data; delete it (the next export into that folder does)."
        for parent in sorted(parents)
        for p in stale_partials(parent)
    ]


def verify_workspace(ws: Workspace, *, user: str | None = None) -> WorkspaceVerification:
    problems = ws.integrity_check()
    chain = ws.verify_audit()  # the hash chain, and its newest recorded entry still there
    signoff_problems, signoffs = _signoff_problems(ws)
    batch_problems, batches = _batch_problems(ws)
    result = WorkspaceVerification(
        ws.path,
        chain.entries,
        chain.ok,
        problems,
        chain.first_bad_seq,
        chain.first_bad_at,
        chain.problem,
        signoff_problems + batch_problems,
        signoffs,
        batches,
        _leftover_partials(ws),
    )
    # Verify runs are audited (RELIABILITY.md 5), after the check so they do not affect it.
    ws.audit(
        user, "verify.workspace", ws.path.name, "ok" if result.ok else "failure", result.to_dict()
    )
    return result
