"""verify WS: integrity, the audit chain, and decisions rechecked against their sign-offs and
their review batches' audit entries (a decision altered in place is named)."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from app.services.signoff import signoff, signoff_status
from app.services.verify import verify_workspace
from app.store import decisions as decisions_store
from app.store.audit import recent
from tests.conftest import PASSWORD
from tests.export_seed import known_policy, seed  # noqa: F401 - fixture

pytestmark = pytest.mark.usefixtures("known_policy")


def _alter(workspace, decision_id: int, outcome: str = "not_eligible") -> None:  # type: ignore[no-untyped-def]
    """What the auditor did with the sqlite3 shell: drop the trigger, change the outcome."""
    workspace.conn.execute("DROP TRIGGER IF EXISTS decisions_no_update")
    workspace.conn.execute(
        "UPDATE decisions SET final_outcome = ? WHERE id = ?", (outcome, decision_id)
    )


def test_a_clean_workspace_verifies(workspace, login) -> None:
    seed(workspace, 6)
    signoff(workspace, login("supervisor"), PASSWORD)
    result = verify_workspace(workspace, user="admin")
    assert result.ok and result.signoffs_checked == 1
    assert "Decisions: ok" in "\n".join(result.lines())
    assert recent(workspace.conn, 1)[0].action == "verify.workspace"


def test_verify_names_a_sign_off_whose_decisions_were_altered(workspace, login) -> None:
    seeded = seed(workspace, 6)
    signoff(workspace, login("supervisor"), PASSWORD)
    decision_id = workspace.conn.execute(
        "SELECT max(id) FROM decisions WHERE count_id = ?", (seeded.count_ids[0],)
    ).fetchone()[0]
    _alter(
        workspace,
        decision_id,
        "eligible_dismiss"
        if seeded.outcomes[seeded.count_ids[0]] != "eligible_dismiss"
        else "not_eligible",
    )
    # The audit chain is untouched, so before this fix verify said ok while export refused.
    assert not signoff_status(workspace).valid
    result = verify_workspace(workspace, user="admin")
    assert result.chain_ok and not result.ok
    text = "\n".join(result.lines())
    assert "Sign-off 1 by supervisor" in text and "altered in place" in text
    entry = recent(workspace.conn, 1)[0]
    assert (entry.action, entry.outcome) == ("verify.workspace", "failure")
    assert entry.details["decisions_ok"] is False


def test_verify_names_the_case_of_an_altered_review_batch(workspace) -> None:
    seeded = seed(workspace, 4, decider=None)
    rows = [
        decisions_store.NewDecision(
            c, seeded.run_id, "eligible_dismiss", "accept", "eligible_dismiss", "decided"
        )
        for c in seeded.count_ids[:2]
    ]
    batch = decisions_store.append(
        workspace, rows, user="reviewer", audit_action="review.accept", audit_object="case:1"
    )
    assert verify_workspace(workspace).ok
    _alter(workspace, batch.first_id or 0)
    result = verify_workspace(workspace)
    assert not result.ok
    (problem,) = result.decision_problems
    assert f"audit entry {batch.audit_seq} (review.accept by reviewer" in problem
    assert "altered in place" in problem
    assert seeded.case_numbers[seeded.count_ids[0]] in problem


def test_verify_reports_leftover_partial_export_folders(workspace, tmp_path) -> None:
    gone = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True
    )
    leftover = tmp_path / f".packet.partial-{gone.stdout.strip()}-00ff00ff00ff"
    leftover.mkdir()
    running = tmp_path / f".other.partial-{os.getpid()}-00ff00ff00ff"
    running.mkdir()
    result = verify_workspace(workspace)
    assert result.ok  # a warning, not a damaged workspace
    assert [w for w in result.warnings if leftover.name in w]
    assert not [w for w in result.warnings if running.name in w]
    assert leftover.exists()  # verify only reports; the next export removes it
