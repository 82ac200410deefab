"""Supervisor sign-off of the current final decisions, and whether a sign-off still holds.

A sign-off covers every count whose current decision is ``decided``. It stores the SHA-256
of those decisions (count, decision row, outcome, decider, action, reason), the newest
decision id at that moment, the counts by outcome and by decider. Any decisions row
written after it voids it for export; recomputing the hash also catches rows altered in
place behind the append-only triggers.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from app.core.clock import stamp
from app.core.errors import AuthError, ExportError, PermissionDenied, WorkspaceError
from app.core.model import Outcome
from app.services import auth
from app.services.workspaces import setting
from app.store import signoff as store
from app.store.workspace import Workspace, damaged_message, json_dumps

# How many changed counts a refusal names before it says "and N more".
NAMED_LIMIT = 20


@dataclass(frozen=True, slots=True)
class SignoffReport:
    signoff_id: int
    user: str
    at: str
    decisions_hash: str
    count_total: int
    by_outcome: dict[str, int]
    by_decider: dict[str, int]
    run_id: int | None
    policy_id: str | None
    not_covered: dict[str, int] = field(default_factory=dict)
    stale: int = 0

    def lines(self) -> list[str]:
        out = [
            f"Signed off {self.count_total:,} decided counts as {self.user} at {self.at} (sign-off {self.signoff_id}).",
            f"Decisions hash: {self.decisions_hash}",
        ]
        for outcome, n in self.by_outcome.items():
            out.append(f"  {_label(outcome)}: {n:,}")
        out.append("Decided by: " + ", ".join(f"{u} ({n:,})" for u, n in self.by_decider.items()))
        if self.not_covered:
            left = ", ".join(f"{n:,} {state}" for state, n in self.not_covered.items())
            out.append(f"Not covered (no final decision yet): {left}.")
        if self.stale:
            out.append(
                f"Note: {self.stale:,} decisions were made on an earlier recommendation than the latest evaluation."
            )
        return out

    def to_dict(self) -> dict[str, Any]:
        return {
            "signoff_id": self.signoff_id,
            "user": self.user,
            "at": self.at,
            "decisions_hash": self.decisions_hash,
            "count_total": self.count_total,
            "by_outcome": self.by_outcome,
            "by_decider": self.by_decider,
            "run_id": self.run_id,
            "policy_id": self.policy_id,
            "not_covered": self.not_covered,
            "stale": self.stale,
        }


@dataclass(frozen=True, slots=True)
class SignoffStatus:
    """The newest sign-off and whether an export may still use it."""

    signoff: store.SignoffRecord | None
    valid: bool
    changed_count_ids: list[int] = field(default_factory=list)
    changed_labels: list[str] = field(default_factory=list)
    problem: str | None = None

    def message(self) -> str:
        if self.valid:
            assert self.signoff is not None
            return (
                f"Signed off by {self.signoff.user} at {self.signoff.at}: "
                f"{self.signoff.count_total:,} counts, hash {self.signoff.decisions_hash[:16]}…"
            )
        return self.problem or "There is no sign-off."

    def lines(self) -> list[str]:
        return [self.message()]

    def to_dict(self) -> dict[str, Any]:
        return {
            "valid": self.valid,
            "signoff_id": self.signoff.id if self.signoff else None,
            "user": self.signoff.user if self.signoff else None,
            "at": self.signoff.at if self.signoff else None,
            "decisions_hash": self.signoff.decisions_hash if self.signoff else None,
            "changed_count_ids": self.changed_count_ids,
            "changed": self.changed_labels,
            "problem": self.problem,
        }

    def require_valid(self) -> store.SignoffRecord:
        """The sign-off an export may use, or ExportError saying why not."""
        if not self.valid or self.signoff is None:
            raise ExportError(self.message())
        return self.signoff


def _label(outcome: str) -> str:
    try:
        return Outcome(outcome).label
    except ValueError:
        return outcome


def decisions_hash(decisions: Iterable[store.CurrentDecision]) -> tuple[str, int]:
    """SHA-256 of the decided counts in count order, and how many there are.

    Each line is the JSON of (count, decision row, outcome, decider, action, reason): a
    change to any of them, or a count coming in or out, changes the hash.
    """
    digest = hashlib.sha256()
    n = 0
    for d in decisions:
        if d.status != "decided":
            continue
        line = json.dumps(
            [d.count_id, d.decision_id, d.final_outcome, d.user, d.action, d.reason or ""],
            ensure_ascii=False,
            separators=(",", ":"),
        )
        digest.update(line.encode("utf-8") + b"\n")
        n += 1
    return digest.hexdigest(), n


def _four_eyes(ws: Workspace) -> bool:
    return setting(ws, "four_eyes").strip().lower() in ("1", "true", "yes", "on")


log = logging.getLogger(__name__)

SIGNOFF_PASSWORD_REFUSED = (
    "Nothing was signed: the password is not right, or the account is locked or disabled. "
    f"After {auth.MAX_FAILURES} failed tries within {auth.FAILURE_WINDOW_MINUTES} minutes an "
    "account is locked until an administrator unlocks it."
)


def _refuse(ws: Workspace, user: auth.User, why: str, error: Exception) -> None:
    ws.audit(user.username, "signoff.refused", None, "failure", {"why": why})
    raise error


def signoff(ws: Workspace, user: auth.User, password: str) -> SignoffReport:
    """Sign off the current final decisions as ``user`` (supervisor or admin), who gives
    their password again. Checks the file and the audit chain first; with "four eyes" on,
    refuses a signer who decided any covered count. Audited, including refusals."""
    if not user.can("signoff"):
        _refuse(
            ws,
            user,
            "role",
            PermissionDenied(
                f"Only a supervisor or an administrator may sign off; {user.username} is a {user.role.value}."
            ),
        )
    try:
        signer = auth.reauthenticate(ws, user, password, purpose="signoff")
    except PermissionDenied:
        raise
    except AuthError:
        # The signer is logged on and their name is fixed: the log-on message ("the user
        # name or password") would send them looking at a name they never typed. Still one
        # message for a wrong password and a locked or disabled account (audited apart).
        raise AuthError(SIGNOFF_PASSWORD_REFUSED) from None

    problems = ws.integrity_check()
    if problems:
        damaged = damaged_message(ws.path)
        log.warning("sign-off refused: SQLite's integrity check says %s", "; ".join(problems[:20]))
        _refuse(
            ws,
            signer,
            "integrity",
            WorkspaceError(
                f"Nothing was signed: {damaged[0].lower()}{damaged[1:]}",
                file=ws.path.name,
            ),
        )
    chain = ws.verify_audit()
    if not chain.ok:
        _refuse(
            ws,
            signer,
            "audit chain",
            WorkspaceError(
                f"The audit log is broken at entry {chain.first_bad_seq} ({chain.problem}); nothing can be "
                "signed off until an administrator investigates.",
                file=ws.path.name,
            ),
        )

    refusal: tuple[str, Exception] | None = None
    with ws.transaction():
        # Everything below reads and writes in one IMMEDIATE transaction, so no decision
        # can slip in between the snapshot and the sign-off row.
        last_id = store.max_decision_id(ws.conn)
        current = list(store.current_decisions(ws.conn, up_to=last_id))
        decided = [d for d in current if d.status == "decided"]
        run = store.latest_run(ws.conn)
        own = [d for d in decided if d.user.lower() == signer.username.lower()]
        if not decided:
            refusal = (
                "nothing decided",
                ExportError("There is nothing to sign off: no count has a final decision yet."),
            )
        elif run is None:
            refusal = (
                "no evaluation",
                ExportError("There is no evaluation run: evaluate before signing off."),
            )
        elif own and _four_eyes(ws):
            labels = store.case_labels(ws.conn, [d.count_id for d in own[:NAMED_LIMIT]])
            named = ", ".join(labels.get(d.count_id, str(d.count_id)) for d in own[:NAMED_LIMIT])
            more = f" and {len(own) - NAMED_LIMIT:,} more" if len(own) > NAMED_LIMIT else ""
            refusal = (
                "four eyes",
                PermissionDenied(
                    f"Four eyes: {signer.username} decided {len(own):,} of the counts this sign-off covers "
                    f"({named}{more}). Another supervisor must sign off."
                ),
            )
        else:
            assert run is not None
            digest, total = decisions_hash(decided)
            by_outcome = dict(
                sorted(
                    Counter(d.final_outcome or "" for d in decided).items(),
                    key=lambda kv: _order(kv[0]),
                )
            )
            by_decider = dict(sorted(Counter(d.user for d in decided).items()))
            not_covered = dict(
                sorted(Counter(d.status for d in current if d.status != "decided").items())
            )
            stale = store.stale_decisions(ws.conn, run.id, up_to=last_id or 0)
            at = stamp()
            summary = {
                "by_outcome": by_outcome,
                "by_decider": by_decider,
                "not_covered": not_covered,
                "stale": stale,
                "policy_id": run.policy_id,
                "pack_sha256": run.pack_sha256,
                "pack_version": run.pack_version,
                "as_of": run.as_of,
            }
            signoff_id = store.insert_signoff(
                ws.conn,
                user=signer.username,
                at=at,
                run_id=run.id,
                decisions_hash=digest,
                last_decision_id=last_id,
                count_total=total,
                summary_json=json_dumps(summary),
            )
            ws.audit(
                signer.username,
                "signoff",
                f"signoff:{signoff_id}",
                details={
                    "decisions_hash": digest,
                    "count_total": total,
                    "last_decision_id": last_id,
                    "run_id": run.id,
                    **summary,
                },
            )
    if refusal is not None:
        _refuse(ws, signer, *refusal)
    return SignoffReport(
        signoff_id=signoff_id,
        user=signer.username,
        at=at,
        decisions_hash=digest,
        count_total=total,
        by_outcome=by_outcome,
        by_decider=by_decider,
        run_id=run.id if run else None,
        policy_id=run.policy_id if run else None,
        not_covered=not_covered,
        stale=stale,
    )


def _order(outcome: str) -> int:
    values = [o.value for o in Outcome]
    return values.index(outcome) if outcome in values else len(values)


def preview(ws: Workspace) -> dict[str, Any]:
    """What a sign-off now would cover (for the sign-off dialog): counts by outcome and decider."""
    current = list(store.current_decisions(ws.conn))
    decided = [d for d in current if d.status == "decided"]
    not_covered = Counter(d.status for d in current if d.status != "decided")
    # Counts nobody has decided have no decisions row at all; they are the ones most easily
    # forgotten (every needs-review count starts there), so they are named first.
    undecided = store.count_total(ws.conn) - len(current)
    return {
        "count_total": len(decided),
        "by_outcome": dict(
            sorted(
                Counter(d.final_outcome or "" for d in decided).items(),
                key=lambda kv: _order(kv[0]),
            )
        ),
        "by_decider": dict(sorted(Counter(d.user for d in decided).items())),
        "not_covered": {
            **({"never decided": undecided} if undecided else {}),
            **dict(sorted(not_covered.items())),
        },
    }


def signoff_status(ws: Workspace) -> SignoffStatus:
    """Whether the newest sign-off still covers the current decisions.

    Void when any decisions row was written after it (naming those counts), or when the
    decisions it covered no longer hash to what it stored (rows altered in place).
    """
    record = store.latest_signoff(ws.conn)
    if record is None:
        return SignoffStatus(
            None,
            False,
            problem="There is no sign-off: a supervisor must sign off the decisions first.",
        )
    changed = store.counts_decided_after(ws.conn, record.last_decision_id)
    if changed:
        labels_by_id = store.case_labels(ws.conn, changed[:NAMED_LIMIT])
        labels = [labels_by_id.get(c, f"count {c}") for c in changed]
        named = ", ".join(labels[:NAMED_LIMIT])
        more = f" and {len(changed) - NAMED_LIMIT:,} more" if len(changed) > NAMED_LIMIT else ""
        problem = (
            f"The sign-off of {record.at} by {record.user} is void: {len(changed):,} "
            f"{'count was' if len(changed) == 1 else 'counts were'} decided again since "
            f"({named}{more}). A supervisor must sign off again before exporting."
        )
        return SignoffStatus(record, False, changed, labels[:NAMED_LIMIT], problem)
    digest, total = decisions_hash(store.current_decisions(ws.conn, up_to=record.last_decision_id))
    if digest != record.decisions_hash or total != record.count_total:
        return SignoffStatus(
            record,
            False,
            problem=(
                f"The sign-off of {record.at} by {record.user} is void: the decisions it covered were "
                "altered in place (their hash no longer matches). Run Tools ▸ Verify and ask an administrator."
            ),
        )
    return SignoffStatus(record, True)
