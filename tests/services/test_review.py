"""Review service: who may decide, what needs a reason, needs-review never accepted, undo, bulk."""

from __future__ import annotations

import json

import pytest

from app.core.errors import PermissionDenied, ReviewError
from app.services import auth, review
from app.store.audit import verify_chain
from app.store.review import QueueFilter
from tests.conftest import PASSWORD
from tests.review_seed import add_run, known_policy, seed_small  # noqa: F401 - fixture


@pytest.fixture
def env(workspace, known_policy):  # type: ignore[no-untyped-def]  # noqa: F811
    seed = seed_small(workspace)
    review.refresh(workspace)
    user = auth.login(workspace, "reviewer", PASSWORD)
    return workspace, seed, user


def _state(ws, count_id):  # type: ignore[no-untyped-def]
    row = ws.conn.execute(
        "SELECT status, final_outcome, action, reason, user FROM decisions WHERE count_id = ? ORDER BY id DESC LIMIT 1",
        (count_id,),
    ).fetchone()
    return tuple(row) if row else None


def _audit(ws, action):  # type: ignore[no-untyped-def]
    return [
        (r[0], json.loads(r[1]))
        for r in ws.conn.execute("SELECT user, details FROM audit WHERE action = ? ORDER BY seq", (action,))
    ]


def test_clerk_cannot_decide(env) -> None:  # type: ignore[no-untyped-def]
    ws, seed, _ = env
    clerk = auth.login(ws, "clerk", PASSWORD)
    with pytest.raises(PermissionDenied):
        review.accept(ws, clerk, seed.cases["BA100001"])
    assert review.queue(ws, clerk)  # but may read the queue


def test_accept_a_case_records_every_count_and_one_audit_entry(env) -> None:  # type: ignore[no-untyped-def]
    ws, seed, user = env
    result = review.accept(ws, user, seed.cases["BA100001"])
    assert result.counts == 2 and result.case_ids == (seed.cases["BA100001"],)
    assert _state(ws, seed.counts["BA100001/1"]) == ("decided", "eligible_dismiss", "accept", None, "reviewer")
    assert _state(ws, seed.counts["BA100001/2"])[1] == "eligible_reduce"
    entries = _audit(ws, "review.accept")
    assert len(entries) == 1 and entries[0][0] == "reviewer" and entries[0][1]["rows"] == 2
    assert verify_chain(ws.conn).ok


def test_needs_review_is_never_accepted(env) -> None:  # type: ignore[no-untyped-def]
    ws, seed, user = env
    with pytest.raises(ReviewError, match="need review"):
        review.accept(ws, user, seed.cases["BA100002"])
    with pytest.raises(ReviewError, match="needs review"):
        review.accept(ws, user, seed.cases["BA100002"], [seed.counts["BA100002/1"]])
    assert _state(ws, seed.counts["BA100002/1"]) is None


def test_override_requires_a_reason_and_a_real_outcome(env) -> None:  # type: ignore[no-untyped-def]
    ws, seed, user = env
    case, count = seed.cases["BA100002"], seed.counts["BA100002/1"]
    for empty in ("", "   ", "x"):
        with pytest.raises(ReviewError, match="reason"):
            review.override(ws, user, case, [count], "eligible_dismiss", empty)
    with pytest.raises(ReviewError, match="flag"):
        review.override(ws, user, case, [count], "needs_review", "because")
    assert _state(ws, count) is None
    review.override(ws, user, case, [count], "eligible_dismiss", "Lab report: 2 g of concentrate.")
    assert _state(ws, count) == ("decided", "eligible_dismiss", "override", "Lab report: 2 g of concentrate.", "reviewer")
    assert _audit(ws, "review.override")[0][1]["reason"] == "Lab report: 2 g of concentrate."


def test_override_offers_only_the_reliefs_the_policy_gives(env) -> None:  # type: ignore[no-untyped-def]
    """A relief the policy's law does not give could never be filed (the export refuses it):
    it is refused when decided, not discovered at export."""
    ws, seed, user = env
    assert review.decidable_outcomes("ca-prop64-state") == ("eligible_dismiss", "eligible_reduce", "not_eligible")
    assert review.decidable_outcomes("ny-brooklyn-2018") == ("eligible_vacate", "not_eligible")
    case, count = seed.cases["BA100002"], seed.counts["BA100002/1"]
    with pytest.raises(ReviewError, match="gives no such relief") as refused:
        review.override(ws, user, case, [count], "eligible_vacate", "The DA's office agreed.")
    assert "eligible_dismiss, eligible_reduce, not_eligible" in str(refused.value)
    assert _state(ws, count) is None


def test_flag_needs_a_note_and_skip_sets_aside(env) -> None:  # type: ignore[no-untyped-def]
    ws, seed, user = env
    with pytest.raises(ReviewError):
        review.flag(ws, user, seed.cases["BA100002"], None, "")
    review.flag(ws, user, seed.cases["BA100002"], None, "Ask about quantity")
    assert _state(ws, seed.counts["BA100002/1"])[:1] == ("flagged",)
    review.skip(ws, user, seed.cases["BA300001"])
    assert _state(ws, seed.counts["BA300001/1"])[0] == "skipped"
    assert [r.case_number for r in review.rows(ws, review.queue(ws, user, QueueFilter(status="flagged")))] == ["BA100002"]


def test_undo_appends_compensating_rows_and_redo_repeats(env) -> None:  # type: ignore[no-untyped-def]
    ws, seed, user = env
    count = seed.counts["BA300001/1"]
    review.accept(ws, user, seed.cases["BA300001"])
    review.override(ws, user, seed.cases["BA300001"], [count], "not_eligible", "Second look: out of county.")
    before = ws.conn.execute("SELECT count(*) FROM decisions").fetchone()[0]
    review.undo(ws, user)
    assert _state(ws, count)[:3] == ("decided", "eligible_dismiss", "undo")
    review.undo(ws, user)
    assert _state(ws, count)[:3] == ("undecided", None, "undo")
    with pytest.raises(ReviewError, match="nothing of yours"):
        review.undo(ws, user)
    review.redo(ws, user)
    assert _state(ws, count)[:3] == ("decided", "eligible_dismiss", "accept")
    assert ws.conn.execute("SELECT count(*) FROM decisions").fetchone()[0] == before + 3  # nothing deleted


def test_undo_is_per_user(env) -> None:  # type: ignore[no-untyped-def]
    ws, seed, user = env
    supervisor = auth.login(ws, "supervisor", PASSWORD)
    review.accept(ws, user, seed.cases["BA300001"])
    with pytest.raises(ReviewError):
        review.undo(ws, supervisor)


def test_bulk_accept_states_count_and_filter_skips_needs_review_and_is_one_undo_step(env) -> None:  # type: ignore[no-untyped-def]
    ws, seed, user = env
    filt = QueueFilter(place="Kern")
    preview = review.bulk_preview(ws, user, filt)
    assert preview.counts == 5 and preview.needs_review_left == 1
    assert "5 counts in 4 cases where the county or court is Kern" in preview.description
    with pytest.raises(ReviewError, match="reason"):
        review.bulk_accept(ws, user, filt, "")
    with pytest.raises(ReviewError, match="changed since"):
        review.bulk_accept(ws, user, filt, "Clear Kern cases", expected_counts=4)
    result = review.bulk_accept(ws, user, filt, "Clear Kern cases", expected_counts=5)
    assert result.counts == 5
    assert _state(ws, seed.counts["BA100002/1"]) is None  # needs review untouched
    assert _state(ws, seed.counts["BA400001/1"]) is None  # Fresno untouched
    entries = _audit(ws, "review.bulk_accept")
    assert len(entries) == 1 and entries[0][1]["rows"] == 5 and "Kern" in entries[0][1]["filter"]
    review.undo(ws, user)
    assert all(_state(ws, c)[0] == "undecided" for k, c in seed.counts.items() if k.startswith(("BA1", "BF", "BA3")) and k != "BA100002/1")
    with pytest.raises(ReviewError):
        review.bulk_preview(ws, user, QueueFilter(outcome="needs_review"))


def test_a_new_run_brings_decided_counts_back_for_rereview(env) -> None:  # type: ignore[no-untyped-def]
    ws, seed, user = env
    count = seed.counts["BA300001/1"]
    review.accept(ws, user, seed.cases["BA300001"])
    add_run(ws, {count: "eligible_reduce"})
    assert review.refresh(ws)
    ids = review.queue(ws, user, QueueFilter(rereview=True))
    assert [r.case_number for r in review.rows(ws, ids)] == ["BA300001"]
    result = review.accept(ws, user, seed.cases["BA300001"])  # re-accept on the new recommendation
    assert result.counts == 1 and _state(ws, count)[1] == "eligible_reduce"
    assert not review.queue(ws, user, QueueFilter(rereview=True))


def test_case_detail_and_progress(env) -> None:  # type: ignore[no-untyped-def]
    ws, seed, user = env
    detail = review.case_detail(ws, user, seed.cases["BA100002"])
    assert detail.counts[0].outcome == "needs_review"
    assert "quantity" in detail.counts[0].reasons[0].text
    review.accept(ws, user, seed.cases["BA100001"])
    figures = review.progress(ws, user)
    assert figures.by_reviewer["reviewer"]["decided"] == 2
    with pytest.raises(ReviewError):
        review.case_detail(ws, user, 999)
