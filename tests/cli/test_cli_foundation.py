"""The command-line frame: init, login, users, verify, policies, exit codes and messages."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from app.cli import build_parser, main
from tests.conftest import PASSWORD

REPO = Path(__file__).resolve().parents[2]


def run(*args: str, env_password: str | None = PASSWORD) -> subprocess.CompletedProcess[str]:
    """The real entry point in a child process, as a county script would call it."""
    import os

    env = dict(os.environ)
    if env_password is None:
        env.pop("CLEARSLATE_PASSWORD", None)
        env.pop("CLEARSLATE_NEW_PASSWORD", None)
    else:
        env["CLEARSLATE_PASSWORD"] = env_password
    return subprocess.run(
        [sys.executable, "-m", "app", *args], capture_output=True, text=True, cwd=REPO, env=env, timeout=120,
        stdin=subprocess.DEVNULL,
    )


def test_version() -> None:
    result = run("--version")
    assert result.returncode == 0
    assert result.stdout.startswith("ClearSlate ")


def test_init_login_verify_round_trip(tmp_path: Path) -> None:
    ws = tmp_path / "kern.clearslate"
    result = run("init", str(ws), "--policy", "ca-prop64-state", "--county", "Kern", "--admin", "ana")
    assert result.returncode == 0, result.stderr
    assert ws.is_file()
    assert run("login", str(ws), "--user", "ana").returncode == 0
    bad = run("login", str(ws), "--user", "ana", env_password="wrong password")
    assert bad.returncode == 1
    assert "not right" in bad.stderr and "Traceback" not in bad.stderr
    verify = run("verify", str(ws))
    assert verify.returncode == 0, verify.stderr
    assert "Audit chain: ok" in verify.stdout


def test_verify_names_the_tampered_entry_and_exits_1(tmp_path: Path) -> None:
    ws = tmp_path / "kern.clearslate"
    assert run("init", str(ws), "--policy", "ca-prop64-state", "--county", "Kern", "--admin", "ana").returncode == 0
    conn = sqlite3.connect(ws)
    conn.execute("DROP TRIGGER audit_no_update")
    conn.execute("UPDATE audit SET details = '{\"county\":\"Elsewhere\"}' WHERE seq = 3")
    conn.commit()
    conn.close()
    result = run("verify", str(ws), "--json")
    assert result.returncode == 1
    report = json.loads(result.stdout)
    assert report["chain_ok"] is False and report["first_bad_entry"] == 3
    text = run("verify", str(ws))
    assert "BROKEN at entry 3" in text.stdout
    assert "Traceback" not in text.stderr


def test_usage_errors_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["init", "x.clearslate"])
    assert exc.value.code == 2
    assert "--policy" in capsys.readouterr().err


def test_no_password_without_a_terminal_is_a_clear_error(tmp_path: Path) -> None:
    ws = tmp_path / "kern.clearslate"
    result = run("init", str(ws), "--policy", "ca-prop64-state", "--county", "Kern", "--admin", "ana", env_password=None)
    assert result.returncode == 1
    assert "CLEARSLATE_PASSWORD" in result.stderr and "Traceback" not in result.stderr


def test_unknown_policy_and_missing_workspace(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["init", str(tmp_path / "w"), "--policy", "nowhere-2099", "--county", "Kern", "--admin", "ana"]) == 1
    assert "Unknown policy 'nowhere-2099'" in capsys.readouterr().err
    assert main(["login", str(tmp_path / "missing.clearslate"), "--user", "ana"]) == 1
    assert "No workspace file" in capsys.readouterr().err


def test_users_add_list_unlock_disable(workspace_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    ws = str(workspace_path)
    assert main(["users", "add", ws, "maria", "--role", "reviewer", "--user", "admin"]) == 0
    assert main(["users", "list", ws, "--user", "admin", "--json"]) == 0
    out = capsys.readouterr().out
    listed = json.loads(out[out.index("["):])
    assert {"username": "maria", "role": "reviewer", "full_name": None, "disabled": False, "locked": False} in listed
    # A reviewer cannot manage users.
    assert main(["users", "list", ws, "--user", "reviewer"]) == 1
    assert "admin role" in capsys.readouterr().err
    import os

    os.environ["CLEARSLATE_PASSWORD"] = "wrong password"
    try:
        for _ in range(5):
            assert main(["login", ws, "--user", "maria"]) == 1
    finally:
        os.environ["CLEARSLATE_PASSWORD"] = PASSWORD
    assert main(["login", ws, "--user", "maria"]) == 1
    assert "locked" in capsys.readouterr().err
    assert main(["users", "unlock", ws, "maria", "--user", "admin"]) == 0
    assert main(["login", ws, "--user", "maria"]) == 0
    assert main(["users", "disable", ws, "maria", "--user", "admin"]) == 0
    assert main(["login", ws, "--user", "maria"]) == 1
    assert "disabled" in capsys.readouterr().err


def test_policies_lists_the_eight_packs(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["policies", "--json"]) == 0
    ids = {p["id"] for p in json.loads(capsys.readouterr().out)}
    assert ids == {
        "ca-prop64-state", "ca-prop64-la-2020", "ny-manhattan-2018", "ny-brooklyn-2018",
        "ny-mrta-2021", "md-baltimore-2019", "md-2022-auto-expunge", "wa-seattle-2018",
    }


def test_every_command_has_help_and_is_in_the_readme() -> None:
    """sqlite-utils' habit: a command or option nobody documented fails the build."""
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    parser = build_parser()
    sub = next(a for a in parser._actions if a.__class__.__name__ == "_SubParsersAction")
    for name, command in sub.choices.items():
        assert command.format_help()
        assert f"python -m app {name}" in readme or f"clearslate {name}" in readme, name


def test_restore_a_backup_on_a_fresh_machine(workspace_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The backup is a whole workspace: users, settings and the audit chain come along."""
    from app.store.workspace import Workspace

    with Workspace.open(workspace_path) as ws:
        backup = ws.backup("before-import")
    elsewhere = tmp_path / "other-laptop"
    elsewhere.mkdir()
    copied = elsewhere / backup.name
    copied.write_bytes(backup.read_bytes())
    target = elsewhere / "restored"
    assert main(["restore", str(copied), "--to", str(target), "--json"]) == 0
    restored = json.loads(capsys.readouterr().out)["restored"]
    assert restored.endswith("restored.clearslate")
    assert main(["login", restored, "--user", "reviewer"]) == 0
    assert main(["verify", restored]) == 0
    # Never over an existing file.
    assert main(["restore", str(copied), "--to", restored]) == 1
    assert "already exists" in capsys.readouterr().err
