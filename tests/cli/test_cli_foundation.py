"""The command-line frame: init, login, users, verify, policies, exit codes and messages."""

from __future__ import annotations

import contextlib
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


def _audit(path: Path, action: str) -> list[tuple[str | None, str | None, str, dict[str, object]]]:
    conn = sqlite3.connect(path)
    try:
        rows = conn.execute(
            "SELECT user, object, outcome, details FROM audit WHERE action = ? ORDER BY seq", (action,)
        ).fetchall()
    finally:
        conn.close()
    return [(u, o, out, json.loads(d or "{}")) for u, o, out, d in rows]


def test_refused_user_and_settings_changes_are_audited(workspace_path: Path) -> None:
    """RELIABILITY.md 5: a refused user or settings change leaves an audit entry saying why."""
    ws = str(workspace_path)
    # A 7-character password, and none at all (no variable, no terminal).
    import os

    env = {**os.environ, "CLEARSLATE_PASSWORD": PASSWORD, "CLEARSLATE_NEW_PASSWORD": "7-chars"}
    result = subprocess.run(
        [sys.executable, "-m", "app", "users", "add", ws, "carl", "--role", "clerk", "--user", "admin"],
        capture_output=True, text=True, cwd=REPO, env=env, timeout=120, stdin=subprocess.DEVNULL,
    )  # fmt: skip
    assert result.returncode == 1 and "at least 8" in result.stderr
    env.pop("CLEARSLATE_NEW_PASSWORD")
    result = subprocess.run(
        [sys.executable, "-m", "app", "users", "add", ws, "dora", "--role", "clerk", "--user", "admin"],
        capture_output=True, text=True, cwd=REPO, env=env, timeout=120, stdin=subprocess.DEVNULL,
    )  # fmt: skip
    assert result.returncode == 1 and "No password" in result.stderr
    refused = [(u, o, why["why"]) for u, o, out, why in _audit(workspace_path, "user.add") if out == "refused"]
    assert ("admin", "carl", "A password needs at least 8 characters.") in refused
    assert any(o == "dora" and "No password" in str(w) for _, o, w in refused)
    assert not any("7-chars" in json.dumps(e) for e in _audit(workspace_path, "user.add"))

    for item, message in [
        ("idle_lock_minutes=0", "between 1 and 240"),
        ("idle_lock_minutes=abc", "between 1 and 240"),
        ("bogus=1", "no setting called 'bogus'"),
        ("four_eyes=ture", "four_eyes takes 1"),
        ("policy_options=[1]", "JSON object"),
        ("no-equals-sign", "KEY=VALUE"),
    ]:
        result = run("settings", ws, "--user", "admin", "--set", item)
        assert result.returncode == 1 and message in result.stderr, (item, result.stderr)
        assert "Traceback" not in result.stderr
    # A clerk may read the settings but not change them: refused, and audited too.
    result = run("settings", ws, "--user", "clerk", "--set", "idle_lock_minutes=10")
    assert result.returncode == 1 and "admin role" in result.stderr
    entries = [e for e in _audit(workspace_path, "settings.change") if e[2] != "ok"]  # init's
    assert [(u, o, out) for u, o, out, _ in entries] == [
        ("admin", "idle_lock_minutes", "refused"),
        ("admin", "idle_lock_minutes", "refused"),
        ("admin", "bogus", "refused"),
        ("admin", "four_eyes", "refused"),
        ("admin", "policy_options", "refused"),
        ("admin", "no-equals-sign", "refused"),
        ("clerk", "idle_lock_minutes", "refused"),
    ]
    assert entries[1][3] == {"why": "The idle lock must be between 1 and 240 minutes.", "value": "abc"}
    # Nothing was changed by any of them.
    assert run("settings", ws, "--user", "admin", "--json").stdout.count('"idle_lock_minutes": "30"') == 1
    # A good value still goes through (four_eyes words become 1/0).
    assert run("settings", ws, "--user", "admin", "--set", "four_eyes=off").returncode == 0
    assert _audit(workspace_path, "settings.change")[-1][2:] == ("ok", {"old": "1", "new": "0"})


def test_a_role_refused_by_the_command_line_is_audited(workspace_path: Path) -> None:
    result = run("users", "list", str(workspace_path), "--user", "reviewer")
    assert result.returncode == 1 and "admin role" in result.stderr
    [(user, obj, outcome, details)] = _audit(workspace_path, "users.list")
    assert (user, obj, outcome, details["permission"]) == ("reviewer", workspace_path.name, "refused", "manage_users")


def test_failed_log_on_messages_do_not_tell_which_users_exist(workspace_path: Path) -> None:
    ws = str(workspace_path)
    known = run("login", ws, "--user", "clerk", env_password="wrong password")
    unknown = run("login", ws, "--user", "nobody-here", env_password="wrong password")
    assert known.returncode == unknown.returncode == 1
    assert known.stderr == unknown.stderr and "tries" not in known.stderr


def test_the_system_use_notice_comes_before_the_password_prompt(workspace_path: Path) -> None:
    """CJIS 5.5.4: the notice is shown at log-on, before a password is typed at a terminal."""
    import os
    import pty

    from app.core.notice import SYSTEM_USE_NOTICE

    assert SYSTEM_USE_NOTICE.split(".")[0] in run("--help").stdout
    env = {k: v for k, v in os.environ.items() if not k.startswith("CLEARSLATE_")}
    env["CLEARSLATE_TEST_FAST_KDF"] = "1"
    env["COLUMNS"] = "400"
    pid, fd = pty.fork()
    if pid == 0:  # the child: the real entry point with the pty as its terminal
        os.chdir(REPO)
        os.execve(sys.executable, [sys.executable, "-m", "app", "login", str(workspace_path), "--user", "clerk"], env)
    seen = b""
    try:
        while b"Password:" not in seen:
            chunk = os.read(fd, 4096)
            assert chunk, seen
            seen += chunk
        os.write(fd, PASSWORD.encode() + b"\n")
        rest = b""
        with contextlib.suppress(OSError):  # EIO once the child has gone
            while chunk := os.read(fd, 4096):
                rest += chunk
    finally:
        _, status = os.waitpid(pid, 0)
    text = b" ".join(seen.split()).decode()
    assert " ".join(SYSTEM_USE_NOTICE.split()) in text
    assert text.index("criminal justice information") < text.index("Password:")
    assert os.waitstatus_to_exitcode(status) == 0 and b"clerk logged on" in rest


def test_a_restore_names_the_operating_system_account(workspace_path: Path, tmp_path: Path) -> None:
    import getpass

    from app.store.workspace import Workspace

    with Workspace.open(workspace_path) as ws:
        backup = ws.backup("before-import")
    target = tmp_path / "restored.clearslate"
    assert main(["restore", str(backup), "--to", str(target)]) == 0
    [(user, obj, outcome, details)] = _audit(target, "workspace.restore")[-1:]
    assert (user, obj, outcome) == (f"os:{getpass.getuser()}", "restored.clearslate", "ok")
    assert details == {"from": backup.name}


def test_the_office_address_takes_line_breaks_on_the_command_line(workspace_path: Path) -> None:
    ws = str(workspace_path)
    result = run(
        "settings", ws, "--user", "admin", "--set",
        r"office_address=1215 Truxtun Avenue\nBakersfield, CA 93301",
    )
    assert result.returncode == 0, result.stderr
    # Shown with the second line under the first, and stored as two lines.
    assert "office_address       1215 Truxtun Avenue\n" + " " * 21 + "Bakersfield, CA 93301" in result.stdout
    stored = json.loads(run("settings", ws, "--user", "admin", "--json").stdout)
    assert stored["office_address"] == "1215 Truxtun Avenue\nBakersfield, CA 93301"


def test_a_users_full_name_is_set_shown_audited_and_refused_when_too_long(
    workspace_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    ws = str(workspace_path)
    assert main(["users", "name", ws, "supervisor", "--full-name", "  Dana   Reyes ", "--user", "admin"]) == 0
    assert "supervisor is now named 'Dana Reyes' on filings." in capsys.readouterr().out
    assert main(["users", "list", ws, "--user", "admin"]) == 0
    assert any(
        line.startswith("supervisor") and "Dana Reyes" in line for line in capsys.readouterr().out.splitlines()
    )
    assert _audit(workspace_path, "user.name")[-1] == ("admin", "supervisor", "ok", {"old": "", "new": "Dana Reyes"})
    # Too long: refused, audited, the name unchanged. A reviewer may not name anyone.
    assert main(["users", "name", ws, "supervisor", "--full-name", "x" * 121, "--user", "admin"]) == 1
    assert "at most 120 characters" in capsys.readouterr().err
    assert _audit(workspace_path, "user.name")[-1][2] == "refused"
    assert main(["users", "name", ws, "supervisor", "--full-name", "Someone", "--user", "reviewer"]) == 1
    capsys.readouterr()
    assert main(["users", "list", ws, "--user", "admin", "--json"]) == 0
    out = capsys.readouterr().out
    listed = {u["username"]: u["full_name"] for u in json.loads(out[out.index("["):])}
    assert listed["supervisor"] == "Dana Reyes"
    # An empty name clears it: filings print the user name again.
    assert main(["users", "name", ws, "supervisor", "--full-name", "", "--user", "admin"]) == 0
    assert "filings print the user name" in capsys.readouterr().out
