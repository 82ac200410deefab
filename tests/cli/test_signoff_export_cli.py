"""CLI signoff, export and verify DIR: output, JSON and exit codes."""

from __future__ import annotations

import json

import pytest

from app.cli import main
from tests.export_seed import decide, known_policy, seed  # noqa: F401 - fixture

pytestmark = pytest.mark.usefixtures("known_policy")


def test_signoff_export_verify_from_the_command_line(workspace, tmp_path, capsys) -> None:
    seeded = seed(workspace, 12)
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
