"""Checking a workspace's audit chain and file integrity (``verify WS``)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from app.store.audit import verify_chain
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

    @property
    def ok(self) -> bool:
        return self.chain_ok and not self.integrity_problems

    def lines(self) -> list[str]:
        """A summary with no personal data in it."""
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
        }


def verify_workspace(ws: Workspace, *, user: str | None = None) -> WorkspaceVerification:
    problems = ws.integrity_check()
    chain = verify_chain(ws.conn)
    result = WorkspaceVerification(
        ws.path,
        chain.entries,
        chain.ok,
        problems,
        chain.first_bad_seq,
        chain.first_bad_at,
        chain.problem,
    )
    # Verify runs are audited (RELIABILITY.md 5), after the check so they do not affect it.
    ws.audit(
        user, "verify.workspace", ws.path.name, "ok" if result.ok else "failure", result.to_dict()
    )
    return result
