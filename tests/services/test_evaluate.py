"""The evaluate service on a real workspace file: runs, audit, dry run, options, re-review."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json

import pytest

from app.core.errors import Cancelled, PolicyError
from app.core.progress import PolledProgress
from app.services.evaluate import apply_options, evaluate, preview_options
from app.store import evaluation as store
from app.store.audit import verify_chain
from app.store.synthetic import insert_rows
from tests.evaluation_seed import count_row


@pytest.fixture
def seeded(workspace):
    insert_rows(
        workspace,
        people=[(1, "A", "DOE, JOHN", "1980-01-01"), (2, "B", "DOE, JOHN", "1980-01-01")],
        cases=[
            (1, 1, "K1", None, "KERN", None, None),
            (2, 1, "K2", None, "KERN", None, None),
            (3, 2, "K3", None, "KERN", None, None),
            (4, 2, "K4", None, "KERN", None, None),
            (5, 2, "K5", None, "KERN", None, None),
        ],
        counts=[
            count_row(1, 1, 1, "11359 HS", "HS", "11359"),
            count_row(2, 2, 1, "11357(B) HS", "HS", "11357", "(b)", level="misdemeanor"),
            count_row(3, 3, 2, "11359 HS", "HS", "11359"),
            count_row(4, 4, 2, "11359 HS", "HS", "11359", odate="2001-01-01", ddate="2001-05-01"),
            count_row(5, 5, 2, "11359 HS", "HS", "11359", odate="2003-01-01", ddate="2003-05-01"),
        ],
    )
    return workspace


def test_evaluate_saves_an_audited_reproducible_run(seeded) -> None:
    report = evaluate(seeded, user="admin", as_of=dt.date(2024, 1, 1))
    assert report.run_id and report.count_total == 5 and report.people_total == 2
    # John's 11359 stays reducible; his namesake (another person) has two priors -> review.
    recs = {r.count_id: r for r in store.run_recommendations(seeded, report.run_id)}
    assert recs[1].outcome == "eligible_reduce"
    assert recs[2].outcome == "eligible_dismiss"
    assert recs[3].rule_ids == ["ca.two_prior_same_section"]
    run = store.latest_run(seeded)
    assert run.policy_id == "ca-prop64-state" and len(run.pack_sha256) == 64 and run.engine_version
    assert run.options["two_priors_outcome"] == "needs_review"
    entry = seeded.conn.execute(
        "SELECT action, details FROM audit WHERE action = 'evaluate'"
    ).fetchone()
    assert json.loads(entry[1])["pack_sha256"] == run.pack_sha256
    assert verify_chain(seeded.conn).ok
    again = evaluate(seeded, user="admin", as_of=dt.date(2024, 1, 1))
    assert again.changed_total == 0 and again.outcomes == report.outcomes
    first_json = [
        (r.count_id, r.outcome, r.reasons) for r in store.run_recommendations(seeded, report.run_id)
    ]
    second_json = [
        (r.count_id, r.outcome, r.reasons) for r in store.run_recommendations(seeded, again.run_id)
    ]
    assert first_json == second_json


def test_dry_run_saves_nothing_and_lists_changes(seeded) -> None:
    evaluate(seeded, user="admin", as_of=dt.date(2024, 1, 1))
    runs = len(store.list_runs(seeded))
    dry = evaluate(
        seeded,
        user="admin",
        as_of=dt.date(2024, 1, 1),
        dry_run=True,
        options={"two_priors_outcome": "not_eligible"},
    )
    assert dry.run_id is None and len(store.list_runs(seeded)) == runs
    assert dry.changed_total == 1
    assert (dry.changed[0].count_id, dry.changed[0].case_number, dry.changed[0].after) == (
        3,
        "K3",
        "not_eligible",
    )


def test_options_preview_and_apply(seeded) -> None:
    evaluate(seeded, user="admin", as_of=dt.date(2024, 1, 1))
    preview = preview_options(seeded, {"felony_remedy": "eligible_dismiss"})
    assert [c.name for c in preview.option_changes] == ["felony_remedy"]
    assert preview.report.changed_total == 3  # counts 1, 4 and 5 (count 3 stays in review)
    saved = apply_options(seeded, "admin", {"felony_remedy": "eligible_dismiss"})
    assert saved == {"felony_remedy": "eligible_dismiss"}
    assert store.policy_override_history(seeded, "ca-prop64-state")[-1][1] == saved
    assert (
        seeded.conn.execute(
            "SELECT count(*) FROM audit WHERE action = 'policy.options'"
        ).fetchone()[0]
        == 1
    )
    report = evaluate(seeded, user="admin", as_of=dt.date(2024, 1, 1))
    assert report.outcomes["eligible_dismiss"] == 4
    with pytest.raises(PolicyError):
        apply_options(seeded, "admin", {"felony_remedy": "eligible_vacate"})


def test_changed_recommendation_under_a_review_is_flagged(seeded) -> None:
    first = evaluate(seeded, user="admin", as_of=dt.date(2024, 1, 1))
    seeded.conn.execute(
        "INSERT INTO decisions (count_id, run_id, recommended, action, final_outcome, status, user, at) "
        "VALUES (1, ?, 'eligible_reduce', 'accept', 'eligible_reduce', 'decided', 'admin', 'now')",
        (first.run_id,),
    )
    apply_options(seeded, "admin", {"felony_remedy": "eligible_dismiss"})
    second = evaluate(seeded, user="admin", as_of=dt.date(2024, 1, 1))
    assert second.rereview_total == 1
    assert store.rereview_count_ids(seeded) == [1]
    # The decision itself is kept.
    assert seeded.conn.execute("SELECT count(*) FROM decisions").fetchone()[0] == 1


def test_cancel_rolls_back(seeded) -> None:
    progress = PolledProgress()
    progress.cancel()
    with pytest.raises(Cancelled):
        evaluate(seeded, user="admin", progress=progress)
    assert store.list_runs(seeded) == []


def test_no_policy_is_a_clear_error(seeded) -> None:
    seeded.conn.execute("DELETE FROM settings WHERE key = 'policy_id'")
    with pytest.raises(PolicyError, match="no policy"):
        evaluate(seeded, user="admin")


def test_the_summary_lists_only_the_outcomes_the_policy_can_give(seeded) -> None:
    """Prop 64 dismisses or reduces; it never vacates, so its summary has no "Eligible: vacate"
    line (an attorney reading "vacate 0" would ask why the law was thought to allow it)."""
    report = evaluate(seeded, user="admin", as_of=dt.date(2024, 1, 1))
    labels = [line.split("  ")[1].strip() for line in report.lines()[1:6] if line.startswith("  ")]
    assert [o.value for o in report.shown_outcomes()] == [
        "eligible_dismiss",
        "eligible_reduce",
        "not_eligible",
        "needs_review",
    ]
    assert not any("vacate" in line for line in report.lines()), report.lines()
    assert labels[:2] == ["Eligible: dismiss", "Eligible: reduce"]
    # An outcome the policy cannot give is still listed if a count has it (never hidden).
    odd = dataclasses.replace(report, outcomes={**report.outcomes, "eligible_vacate": 1})
    assert "  Eligible: vacate" in "\n".join(odd.lines())
