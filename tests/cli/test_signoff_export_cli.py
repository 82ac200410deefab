"""CLI signoff, export and verify DIR: output, JSON and exit codes."""

from __future__ import annotations

import json

import pytest

from app.cli import main
from tests.export_seed import CA_OUTCOMES, decide, known_policy, seed  # noqa: F401 - fixture

pytestmark = pytest.mark.usefixtures("known_policy")


def test_signoff_export_verify_from_the_command_line(workspace, tmp_path, capsys) -> None:
    seeded = seed(workspace, 12, outcomes=CA_OUTCOMES)
    ws = str(workspace.path)

    assert main(["signoff", ws, "--user", "reviewer"]) == 1
    assert "Only a supervisor or an administrator may sign off" in capsys.readouterr().err

    assert main(["signoff", ws, "--user", "supervisor", "--json"]) == 0
    signed = json.loads(capsys.readouterr().out)
    assert signed["count_total"] == 12 and signed["user"] == "supervisor"

    out = tmp_path / "packet"
    assert main(["export", ws, "--out", str(out), "--user", "supervisor"]) == 0
    text = capsys.readouterr().out
    assert f"Exported 12 signed-off counts to {out}" in text and "Manifest SHA-256:" in text

    assert main(["verify", str(out)]) == 0
    assert "OK: all" in capsys.readouterr().out

    (out / "summary.pdf").write_bytes(b"%PDF-1.4 changed")
    assert main(["verify", str(out), "--json"]) == 1
    assert json.loads(capsys.readouterr().out)["altered"] == ["summary.pdf"]

    decide(
        workspace,
        seeded.count_ids[0],
        "needs_review",
        "reviewer",
        action="override",
        reason="check",
    )
    assert main(["export", ws, "--out", str(tmp_path / "again"), "--user", "supervisor"]) == 1
    err = capsys.readouterr().err
    assert "void" in err and "BF100000A" in err
    assert not (tmp_path / "again").exists()


def _last_audit(workspace):  # type: ignore[no-untyped-def]
    from app.store.audit import recent

    return recent(workspace.conn, 1)[0]


def test_refused_exports_are_audited_from_the_command_line(workspace, tmp_path, capsys) -> None:
    seed(workspace, 6)
    ws = str(workspace.path)
    assert main(["signoff", ws, "--user", "supervisor"]) == 0
    capsys.readouterr()

    assert main(["export", ws, "--out", str(tmp_path / "p"), "--user", "reviewer"]) == 1
    assert "reviewer is a reviewer" in capsys.readouterr().err
    entry = _last_audit(workspace)
    assert (entry.action, entry.user, entry.outcome) == ("export.refused", "reviewer", "refused")

    (tmp_path / "used").mkdir()
    (tmp_path / "used" / "keep.txt").write_text("x")
    assert main(["export", ws, "--out", str(tmp_path / "used"), "--user", "supervisor"]) == 1
    assert "already exists" in capsys.readouterr().err
    entry = _last_audit(workspace)
    assert (entry.action, entry.outcome, entry.details["why"]) == (
        "export.refused",
        "refused",
        "folder",
    )


def test_export_from_a_broken_audit_chain_is_refused_and_verify_names_it(
    workspace, tmp_path, capsys
) -> None:
    seed(workspace, 6, outcomes=CA_OUTCOMES)
    ws = str(workspace.path)
    assert main(["signoff", ws, "--user", "supervisor"]) == 0
    assert main(["export", ws, "--out", str(tmp_path / "good"), "--user", "supervisor"]) == 0
    capsys.readouterr()
    workspace.conn.execute("DROP TRIGGER audit_no_update")
    workspace.conn.execute("UPDATE audit SET details = '{}' WHERE seq = 4")

    assert main(["export", ws, "--out", str(tmp_path / "x"), "--user", "supervisor"]) == 1
    err = capsys.readouterr().err
    assert "audit log is broken at entry 4" in err and "unexpected" not in err
    assert not (tmp_path / "x").exists()

    assert main(["verify", ws]) == 1
    assert "BROKEN at entry 4" in capsys.readouterr().out


def test_decisions_csv_is_a_personal_data_export_and_is_audited(
    workspace, tmp_path, capsys
) -> None:
    import hashlib

    seed(workspace, 7)
    ws = str(workspace.path)
    out = tmp_path / "dec.csv"
    assert main(["decisions", ws, "--out", str(out), "--user", "clerk", "--json"]) == 0
    printed = json.loads(capsys.readouterr().out)
    digest = hashlib.sha256(out.read_bytes()).hexdigest()
    entry = _last_audit(workspace)
    assert (entry.action, entry.user, entry.object, entry.outcome) == (
        "decisions.export",
        "clerk",
        "dec.csv",
        "ok",
    )
    assert entry.details == {"file": str(out), "rows": 7, "sha256": digest}
    assert printed["sha256"] == digest and printed["rows"] == 7

    # A folder that does not exist: refused, audited, nothing written.
    missing = tmp_path / "nowhere" / "dec.csv"
    assert main(["decisions", ws, "--out", str(missing), "--user", "clerk"]) == 1
    assert "does not exist" in capsys.readouterr().err
    entry = _last_audit(workspace)
    assert (entry.action, entry.outcome, entry.details["file"]) == (
        "decisions.export",
        "refused",
        str(missing),
    )

    # The write itself fails with a real OSError (the temp file's name is longer than the
    # file system allows): failed, audited, no file and no temp file left.
    blocked = tmp_path / ("b" * 240 + ".csv")
    assert main(["decisions", ws, "--out", str(blocked), "--user", "clerk"]) == 1
    err = capsys.readouterr().err
    assert str(blocked) in err and "could not be written" in err
    assert not blocked.exists() and not list(tmp_path.glob(".b*"))
    entry = _last_audit(workspace)
    assert (entry.action, entry.outcome) == ("decisions.export", "failed")
    assert "could not be written" in entry.details["error"]
