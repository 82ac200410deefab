"""Review use cases: the queue, the case view, and every decision (accept, override, flag,
skip, undo, redo, bulk accept), for the window and the CLI alike.

Rules kept here so both front ends obey them: a reviewer role or higher decides; an
override needs a written reason and a flag a note; ``needs_review`` is never accepted (a
person must decide it with an override); a bulk accept states its count and filter, needs a
reason, is one audit entry and one undo step. Every write returns a small "what changed"
value so each view decides whether to refresh.
"""

from __future__ import annotations

from array import array
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

from app.core.errors import ClearSlateError, ReviewError
from app.core.model import OUTCOME_LABELS, Outcome
from app.core.progress import Progress, check_cancelled
from app.services.auth import User
from app.store import decisions as decision_store
from app.store import review as review_store
from app.store.review import CaseDetail, CountRecord, ProgressFigures, QueueFilter, QueueRow
from app.store.workspace import Workspace

# A reviewer may decide any outcome but "needs review" (that is what flag is for).
DECIDABLE_OUTCOMES = (
    Outcome.ELIGIBLE_DISMISS.value,
    Outcome.ELIGIBLE_REDUCE.value,
    Outcome.ELIGIBLE_VACATE.value,
    Outcome.NOT_ELIGIBLE.value,
)
MIN_REASON_CHARS = 3


def decidable_outcomes(policy_id: str) -> tuple[str, ...]:
    """The outcomes a reviewer may decide under a policy: the reliefs its filings can ask a
    court for (Prop 64 gives no "vacate"; the New York packs no "reduce") and not eligible."""
    from app.exports.templates import load_templates

    try:
        reliefs = load_templates(policy_id).reliefs
    except ClearSlateError:  # no filings for this policy here: the export will say so
        return DECIDABLE_OUTCOMES
    return tuple(
        o for o in DECIDABLE_OUTCOMES if not o.startswith("eligible_") or o.removeprefix("eligible_") in reliefs
    )

__all__ = [
    "BulkPreview",
    "CaseDetail",
    "CountRecord",
    "DecisionResult",
    "ProgressFigures",
    "QueueFilter",
    "QueueRow",
    "accept",
    "bulk_accept",
    "bulk_preview",
    "case_detail",
    "find_cases",
    "flag",
    "override",
    "progress",
    "queue",
    "redo",
    "refresh",
    "rows",
    "skip",
    "undo",
    "undo_state",
]


@dataclass(frozen=True, slots=True)
class DecisionResult:
    """What a decision changed: the batch (one undo step), the cases and counts touched."""

    batch_id: str
    action: str
    counts: int
    case_ids: tuple[int, ...]
    count_ids: tuple[int, ...]
    message: str
    audit_seq: int
    left_needs_review: tuple[int, ...] = ()  # counts of these cases still waiting for a person

    def to_dict(self) -> dict[str, object]:
        return {
            "batch_id": self.batch_id,
            "action": self.action,
            "counts": self.counts,
            "case_ids": list(self.case_ids),
            "count_ids": list(self.count_ids),
            "message": self.message,
            "left_needs_review": list(self.left_needs_review),
        }


@dataclass(frozen=True, slots=True)
class BulkPreview:
    """What a bulk accept of a filter would do, for the confirmation."""

    filter: QueueFilter
    counts: int
    cases: int
    by_outcome: dict[str, int]
    needs_review_left: int  # counts in these cases that a person must decide
    description: str = ""
    count_ids: tuple[int, ...] = field(default=(), repr=False)

    @property
    def confirmation(self) -> str:
        return self.description


def _plural(n: int, word: str) -> str:
    return f"{n:,} {word}{'' if n == 1 else 's'}"


# -- reads ---------------------------------------------------------------------------------------


def refresh(ws: Workspace, progress: Progress | None = None) -> bool:
    """Bring the queue summary up to date (after an import or evaluation: seconds on 1M counts).

    A write: run it on the write worker. Returns True when something changed.
    """
    if review_store.is_fresh(ws.conn):
        return False
    with ws.transaction() as conn:
        return review_store.refresh(conn, progress)


def is_fresh(ws: Workspace) -> bool:
    return review_store.is_fresh(ws.conn)


def queue(ws: Workspace, user: User, filt: QueueFilter | None = None, sort: str = "case",
          descending: bool = False) -> array:
    """The ordered case ids for a filter and sort (call :func:`refresh` first after changes)."""
    user.require("read")
    try:
        return review_store.queue_ids(ws.conn, filt, sort, descending)
    except ValueError as exc:
        raise ReviewError(str(exc)) from exc


def rows(ws: Workspace, case_ids: Sequence[int]) -> list[QueueRow]:
    """A page of queue rows, in the order given."""
    return review_store.fetch_rows(ws.conn, case_ids)


def filter_choices(ws: Workspace) -> dict[str, list[str]]:
    """What the filter bar offers. ``outcomes`` lists the recommendations this workspace's policy
    can give (Seattle: vacate, not eligible, needs review; never "reduce"), any other the
    current run gave, and "none" (not evaluated yet)."""
    choices = review_store.filter_choices(ws.conn)
    occurred = set(choices["outcomes"])
    possible = recommendation_outcomes(ws)
    choices["outcomes"] = [code for code in review_store.OUTCOME_COLUMNS if code in possible or code in occurred or code == "none"]
    return choices


def recommendation_outcomes(ws: Workspace) -> tuple[str, ...]:
    """The recommendations the workspace's policy (with its options) can give; every outcome
    when the policy cannot be loaded here."""
    from app.services.evaluate import possible_outcomes, workspace_pack

    try:
        return possible_outcomes(workspace_pack(ws))
    except ClearSlateError:
        return tuple(o.value for o in Outcome)


def case_detail(ws: Workspace, user: User, case_id: int) -> CaseDetail:
    user.require("read")
    detail = review_store.case_detail(ws.conn, case_id)
    if detail is None:
        raise ReviewError(f"There is no case with id {case_id} in this workspace.")
    return detail


def progress(ws: Workspace, user: User) -> ProgressFigures:
    user.require("read")
    return review_store.progress_figures(ws.conn)


def find_cases(ws: Workspace, case_number: str) -> list[int]:
    return review_store.case_ids_by_number(ws.conn, case_number.strip())


def undo_state(ws: Workspace, user: User) -> decision_store.UndoState:
    return decision_store.undo_state(ws.conn, user.username)


# -- single decisions ------------------------------------------------------------------------------


def _counts(ws: Workspace, case_id: int, count_ids: Sequence[int] | None) -> list[CountRecord]:
    counts = review_store.case_counts(ws.conn, case_id)
    if not counts:
        raise ReviewError(f"Case {case_id} has no counts to decide.")
    if count_ids is None:
        return counts
    wanted = set(count_ids)
    chosen = [c for c in counts if c.count_id in wanted]
    missing = wanted - {c.count_id for c in chosen}
    if missing:
        raise ReviewError(f"Count {sorted(missing)[0]} is not a count of case {counts[0].case_number}.")
    return chosen


def _label(outcome: str | None) -> str:
    if outcome is None:
        return "not evaluated"
    try:
        return OUTCOME_LABELS[Outcome(outcome)]
    except ValueError:
        return outcome


def _reason(text: str | None, what: str) -> str:
    text = (text or "").strip()
    if len(text) < MIN_REASON_CHARS:
        raise ReviewError(f"{what} needs a written reason (at least {MIN_REASON_CHARS} characters).")
    return text


def _write(ws: Workspace, user: User, action: str, rows_: list[decision_store.NewDecision],
           counts: Sequence[CountRecord], message: str, details: dict[str, object]) -> DecisionResult:
    case_ids = tuple(sorted({c.case_id for c in counts}))
    numbers = sorted({c.case_number for c in counts})
    obj = f"case {numbers[0]}" if len(numbers) == 1 else f"{len(numbers)} cases"
    details = {**details, "counts": [r.count_id for r in rows_][:50], "case_ids": list(case_ids)[:50]}
    batch = decision_store.append(ws, rows_, user=user.username, audit_action=f"review.{action}",
                                  audit_object=obj, audit_details=details)
    left = tuple(
        c.count_id for c in counts if c.outcome == Outcome.NEEDS_REVIEW.value and c.status == "undecided"
        and c.count_id not in {r.count_id for r in rows_}
    )
    return DecisionResult(batch.batch_id, action, batch.rows, case_ids, tuple(r.count_id for r in rows_),
                          message, batch.audit_seq, left)


def accept(ws: Workspace, user: User, case_id: int, count_ids: Sequence[int] | None = None) -> DecisionResult:
    """Accept the recommendation of these counts (default: every count still to be decided).

    Without ``count_ids``: the undecided and skipped counts, and decided counts whose
    recommendation changed since (re-review). ``needs_review`` counts are never accepted:
    they are reported in ``left_needs_review`` (and refused when named explicitly).
    """
    user.require("review")
    counts = _counts(ws, case_id, count_ids)
    if count_ids is not None:
        for c in counts:
            if c.outcome is None:
                raise ReviewError(f"Count {c.count_number or c.count_id} has no recommendation yet: evaluate first.")
            if c.outcome == Outcome.NEEDS_REVIEW.value:
                raise ReviewError(
                    f"Count {c.count_number or c.count_id} needs review: there is no recommendation to accept. "
                    "Decide it with Override (an outcome and a reason) or flag it."
                )
        chosen = counts
    else:
        chosen = [
            c for c in counts
            if c.outcome not in (None, Outcome.NEEDS_REVIEW.value)
            and (c.status in ("undecided", "skipped") or (c.status == "decided" and c.needs_rereview))
        ]
    if not chosen:
        waiting = [c for c in counts if c.outcome == Outcome.NEEDS_REVIEW.value and c.status != "decided"]
        if waiting:
            raise ReviewError(
                f"Nothing to accept: {_plural(len(waiting), 'count')} of this case need review. "
                "Decide them with Override (an outcome and a reason) or flag them."
            )
        raise ReviewError("Nothing to accept: every count of this case is decided already.")
    new = [
        decision_store.NewDecision(c.count_id, c.run_id, c.outcome, "accept", c.outcome, "decided")
        for c in chosen
    ]
    message = f"Accepted {_plural(len(new), 'count')} of case {chosen[0].case_number}."
    return _write(ws, user, "accept", new, counts, message,
                  {"outcomes": sorted({c.outcome for c in chosen if c.outcome})})


def override(ws: Workspace, user: User, case_id: int, count_ids: Sequence[int] | None, outcome: str,
             reason: str) -> DecisionResult:
    """Decide another outcome than recommended; a written reason is required."""
    user.require("review")
    policy_id = ws.get_setting("policy_id") or ""
    allowed = decidable_outcomes(policy_id)
    if outcome not in allowed:
        choices = ", ".join(allowed)
        why = (
            f"policy {policy_id} gives no such relief: "
            if outcome in DECIDABLE_OUTCOMES
            else "to ask a supervisor, flag the count instead; "
        )
        raise ReviewError(f"Cannot override to {outcome} ({why}override to one of: {choices}).")
    reason = _reason(reason, "An override")
    counts = _counts(ws, case_id, count_ids)
    new = [
        decision_store.NewDecision(c.count_id, c.run_id, c.outcome, "override", outcome, "decided", reason)
        for c in counts
    ]
    message = f"Overrode {_plural(len(new), 'count')} of case {counts[0].case_number} to {_label(outcome)}."
    details = {"outcome": outcome, "reason": reason, "recommended": sorted({c.outcome or "none" for c in counts})}
    return _write(ws, user, "override", new, counts, message, details)


def flag(ws: Workspace, user: User, case_id: int, count_ids: Sequence[int] | None, note: str) -> DecisionResult:
    """Flag counts for a supervisor with a note (they stay undecided until someone decides)."""
    user.require("review")
    note = _reason(note, "A flag")
    counts = _counts(ws, case_id, count_ids)
    new = [decision_store.NewDecision(c.count_id, c.run_id, c.outcome, "flag", None, "flagged", note) for c in counts]
    message = f"Flagged {_plural(len(new), 'count')} of case {counts[0].case_number} for a supervisor."
    return _write(ws, user, "flag", new, counts, message, {"note": note})


def skip(ws: Workspace, user: User, case_id: int, count_ids: Sequence[int] | None = None,
         reason: str | None = None) -> DecisionResult:
    """Set counts aside for later (only those not decided yet, unless named)."""
    user.require("review")
    counts = _counts(ws, case_id, count_ids)
    chosen = counts if count_ids is not None else [c for c in counts if c.status == "undecided"]
    if not chosen:
        raise ReviewError("Nothing to skip: every count of this case has a decision.")
    reason = (reason or "").strip() or None
    new = [decision_store.NewDecision(c.count_id, c.run_id, c.outcome, "skip", None, "skipped", reason) for c in chosen]
    message = f"Skipped {_plural(len(new), 'count')} of case {chosen[0].case_number}."
    return _write(ws, user, "skip", new, counts, message, {"reason": reason})


# -- undo and redo ------------------------------------------------------------------------------------


def _cases_of(ws: Workspace, count_ids: Sequence[int]) -> list[CountRecord]:
    # CountRecords only for their case ids and numbers (the "what changed" value).
    out: list[CountRecord] = []
    seen: set[int] = set()
    for cid in review_store.case_ids_of_counts(ws.conn, count_ids):
        if cid not in seen:
            seen.add(cid)
            out.extend(review_store.case_counts(ws.conn, cid))
    return out


def undo(ws: Workspace, user: User) -> DecisionResult:
    """Undo this user's last action or batch by appending compensating rows."""
    user.require("review")
    with ws.transaction():
        state = decision_store.undo_state(ws.conn, user.username)
        if state.undo_batch is None:
            raise ReviewError("There is nothing of yours to undo.")
        new = decision_store.undo_rows(ws.conn, state.undo_batch)
        counts = _cases_of(ws, [r.count_id for r in new])
        message = f"Undid {state.undo_action or 'the last step'} of {_plural(len(new), 'count')}."
        return _write(ws, user, "undo", new, counts, message, {"undone_batch": state.undo_batch})


def redo(ws: Workspace, user: User) -> DecisionResult:
    """Repeat the step this user last undid."""
    user.require("review")
    with ws.transaction():
        state = decision_store.undo_state(ws.conn, user.username)
        if state.redo_batch is None:
            raise ReviewError("There is nothing to redo.")
        new = decision_store.redo_rows(ws.conn, state.redo_batch)
        counts = _cases_of(ws, [r.count_id for r in new])
        message = f"Redid {state.redo_action or 'the step'} of {_plural(len(new), 'count')}."
        return _write(ws, user, "redo", new, counts, message, {"redone_undo_batch": state.redo_batch})


# -- bulk accept ----------------------------------------------------------------------------------------


def bulk_preview(ws: Workspace, user: User, filt: QueueFilter | None = None) -> BulkPreview:
    """What accepting the recommendations of this filter would decide: the confirmation text."""
    user.require("review")
    filt = filt or QueueFilter()
    if filt.outcome == Outcome.NEEDS_REVIEW.value:
        raise ReviewError("Needs-review counts cannot be accepted in bulk: a person must decide each one.")
    if filt.outcome == "none":
        raise ReviewError("These counts have not been evaluated: there is nothing to accept.")
    candidates = review_store.unreviewed_counts(ws.conn, filt)
    accept_rows = [c for c in candidates if c[2] != Outcome.NEEDS_REVIEW.value]
    left = len(candidates) - len(accept_rows)
    by_outcome: dict[str, int] = {}
    for _, _, outcome in accept_rows:
        by_outcome[outcome] = by_outcome.get(outcome, 0) + 1
    cases = len({c[1] for c in accept_rows})
    outcome_text = ", ".join(f"{n:,} {_label(o)}" for o, n in sorted(by_outcome.items()))
    text = (
        f"Accept the recommendation of {_plural(len(accept_rows), 'count')} in {_plural(cases, 'case')} "
        + (f"where {filt.describe()}" if not filt.is_empty() else "(no filter: every case in the workspace)")
        + (f" ({outcome_text})" if outcome_text else "")
        + ". Only counts not yet reviewed are included."
    )
    if left:
        text += f" {_plural(left, 'needs-review count')} in these cases will be left for a person to decide."
    return BulkPreview(filt, len(accept_rows), cases, by_outcome, left, text, tuple(c[0] for c in accept_rows))


def bulk_accept(ws: Workspace, user: User, filt: QueueFilter | None, reason: str, *,
                expected_counts: int | None = None, progress: Progress | None = None) -> DecisionResult:
    """Accept the recommendations of every unreviewed, non-needs-review count of the filter.

    One audit entry and one undo step. ``expected_counts`` is the number the user confirmed:
    if the set changed since (another reviewer), nothing is written and the user is told.
    """
    user.require("review")
    reason = _reason(reason, "A bulk accept")
    filt = filt or QueueFilter()
    with ws.transaction():
        preview = bulk_preview(ws, user, filt)
        if preview.counts == 0:
            raise ReviewError(f"Nothing to accept where {filt.describe()}: no unreviewed counts with a recommendation.")
        if expected_counts is not None and preview.counts != expected_counts:
            raise ReviewError(
                f"The cases changed since you confirmed ({expected_counts:,} counts then, {preview.counts:,} now). "
                "Nothing was accepted; check the filter and try again."
            )
        run_id = review_store.latest_run_id(ws.conn)
        outcome_of = {}
        for count_id, _case, outcome in review_store.unreviewed_counts(ws.conn, filt):
            if outcome != Outcome.NEEDS_REVIEW.value:
                outcome_of[count_id] = outcome
        total = len(outcome_of)

        def rows_() -> Iterator[decision_store.NewDecision]:
            for done, (count_id, outcome) in enumerate(outcome_of.items()):
                if done % 5000 == 0:
                    check_cancelled(progress)
                    if progress is not None:
                        progress.report(done, total, f"Accepting {total:,} counts…")
                yield decision_store.NewDecision(count_id, run_id, outcome, "accept", outcome, "decided", reason)

        details = {"filter": filt.describe(), "reason": reason, "cases": preview.cases, "by_outcome": preview.by_outcome}
        batch = decision_store.append(ws, rows_(), user=user.username, audit_action="review.bulk_accept",
                                      audit_object=f"{preview.cases} cases", audit_details=details)
        if progress is not None:
            progress.report(total, total, "Done")
    message = f"Accepted {_plural(batch.rows, 'count')} in {_plural(preview.cases, 'case')}."
    return DecisionResult(batch.batch_id, "bulk_accept", batch.rows, (), (), message,
                          batch.audit_seq, ())
