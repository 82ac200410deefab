"""Sign-off: roles, re-authentication, four eyes, voiding by later decisions, tampering."""

from __future__ import annotations

import pytest

from app.core.errors import AuthError, ExportError, PermissionDenied, WorkspaceError
from app.services.signoff import preview, signoff, signoff_status
from app.store.audit import recent
from tests.conftest import PASSWORD
from tests.export_seed import decide, known_policy, seed  # noqa: F401 - fixture

pytestmark = pytest.mark.usefixtures("known_policy")


def test_supervisor_signs_off_decided_counts(workspace, login) -> None:
    seeded = seed(workspace, 10)
    report = signoff(workspace, login("supervisor"), PASSWORD)
    assert report.count_total == 10
    assert report.by_outcome == {
        "eligible_dismiss": 2,
        "eligible_reduce": 2,
        "eligible_vacate": 2,
        "not_eligible": 2,
        "needs_review": 2,
    }
    assert report.by_decider == {"reviewer": 10}
    assert len(report.decisions_hash) == 64
    status = signoff_status(workspace)
    assert status.valid and status.signoff is not None and status.signoff.id == report.signoff_id
    entry = recent(workspace.conn, 1, action_prefix="signoff")[0]
    assert entry.user == "supervisor" and entry.details["decisions_hash"] == report.decisions_hash
    assert seeded.run_id == report.run_id


def test_admin_may_sign_off(workspace, login) -> None:
    seed(workspace, 3)
    assert signoff(workspace, login("admin"), PASSWORD).count_total == 3


@pytest.mark.parametrize("name", ["reviewer", "clerk"])
def test_reviewer_and_clerk_are_refused(workspace, login, name: str) -> None:
    seed(workspace, 3)
    with pytest.raises(
        PermissionDenied, match="Only a supervisor or an administrator may sign off"
    ):
        signoff(workspace, login(name), PASSWORD)
    assert not signoff_status(workspace).valid
    assert recent(workspace.conn, 1, action_prefix="signoff.refused")[0].details == {"why": "role"}


def test_wrong_password_is_refused(workspace, login) -> None:
    seed(workspace, 3)
    with pytest.raises(AuthError, match="not right"):
        signoff(workspace, login("supervisor"), "wrong-password")
    assert signoff_status(workspace).signoff is None


def test_four_eyes_refuses_a_signer_who_decided(workspace, login) -> None:
    seeded = seed(workspace, 4)
    decide(
        workspace,
        seeded.count_ids[2],
        "not_eligible",
        "supervisor",
        action="override",
        reason="prior strike",
    )
    with pytest.raises(
        PermissionDenied, match=r"Four eyes: supervisor decided 1 of the counts .*BF100002A"
    ):
        signoff(workspace, login("supervisor"), PASSWORD)
    # With the setting off, the same signer may sign.
    workspace.set_setting("four_eyes", "0", user="admin")
    assert signoff(workspace, login("supervisor"), PASSWORD).count_total == 4


def test_a_later_decision_voids_the_signoff_naming_the_count(workspace, login) -> None:
    seeded = seed(workspace, 5)
    signoff(workspace, login("supervisor"), PASSWORD)
    decide(
        workspace,
        seeded.count_ids[1],
        "needs_review",
        "reviewer",
        action="override",
        reason="check the priors",
    )
    status = signoff_status(workspace)
    assert not status.valid
    assert status.changed_count_ids == [seeded.count_ids[1]]
    assert "BF100001A" in status.message()
    with pytest.raises(ExportError, match="void"):
        status.require_valid()
    # A new sign-off covers the change.
    assert signoff(workspace, login("admin"), PASSWORD).count_total == 5
    assert signoff_status(workspace).valid


def test_flagged_and_undecided_counts_are_not_covered(workspace, login) -> None:
    seeded = seed(workspace, 4)
    decide(
        workspace,
        seeded.count_ids[0],
        None,
        "reviewer",
        action="flag",
        status="flagged",
        reason="ask",
    )
    report = signoff(workspace, login("supervisor"), PASSWORD)
    assert report.count_total == 3 and report.not_covered == {"flagged": 1}


def test_the_preview_names_counts_nobody_has_decided(workspace, login) -> None:
    # A supervisor must see that the batch is not complete: counts with no decisions row at
    # all (every needs-review count starts that way) were left out of "not covered".
    seeded = seed(workspace, 7, decider=None)
    for count_id in seeded.count_ids[:4]:
        decide(workspace, count_id, seeded.outcomes[count_id], "reviewer", run_id=seeded.run_id)
    decide(workspace, seeded.count_ids[4], None, "reviewer", action="flag", status="flagged")
    figures = preview(workspace)
    assert figures["count_total"] == 4
    assert figures["not_covered"] == {"never decided": 2, "flagged": 1}


def test_nothing_decided_is_refused(workspace, login) -> None:
    seed(workspace, 3, decider=None)
    with pytest.raises(ExportError, match="nothing to sign off"):
        signoff(workspace, login("supervisor"), PASSWORD)


def test_broken_audit_chain_blocks_signoff(workspace, login) -> None:
    seed(workspace, 3)
    workspace.conn.execute("DROP TRIGGER audit_no_update")
    workspace.conn.execute("UPDATE audit SET details = '{\"x\":1}' WHERE seq = 2")
    with pytest.raises(WorkspaceError, match="audit log is broken at entry 2"):
        signoff(workspace, login("supervisor"), PASSWORD)


def test_a_log_cut_short_blocks_signoff(workspace, login) -> None:
    seed(workspace, 3)
    last = workspace.conn.execute("SELECT MAX(seq) FROM audit").fetchone()[0]
    workspace.conn.execute("DROP TRIGGER audit_no_delete")
    workspace.conn.execute("DELETE FROM audit WHERE seq > ?", (last - 2,))
    # The supervisor's log-on writes entries under the deleted numbers: the chain is whole
    # again, but the newest entry recorded beside the workspace is not among them.
    with pytest.raises(WorkspaceError, match=f"broken at entry {last} .*not the entry written"):
        signoff(workspace, login("supervisor"), PASSWORD)


def test_decision_altered_in_place_voids_the_signoff(workspace, login) -> None:
    seeded = seed(workspace, 3)
    signoff(workspace, login("supervisor"), PASSWORD)
    workspace.conn.execute("DROP TRIGGER decisions_no_update")
    workspace.conn.execute(
        "UPDATE decisions SET final_outcome = 'eligible_dismiss' WHERE count_id = ?",
        (seeded.count_ids[2],),
    )
    status = signoff_status(workspace)
    assert not status.valid and "altered in place" in status.message()
