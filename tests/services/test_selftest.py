"""``--self-test`` from source: one line and exit 0 when whole; the failing step named otherwise."""

from __future__ import annotations

import contextlib
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from app import APP_NAME, __version__
from app.services import selftest


def test_self_test_passes_with_one_line(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    assert selftest.run_self_test(["--keep", str(tmp_path)]) == 0
    out, err = capsys.readouterr()
    lines = out.strip().splitlines()
    assert len(lines) == 1, out
    assert lines[0].startswith(f"{APP_NAME} {__version__} self-test passed: ")
    assert "no network" in lines[0] and err == ""
    # It really did the work: a verified packet with a manifest and PDF filings.
    (kept,) = tmp_path.iterdir()
    packet = kept / "packet"
    assert (packet / "manifest.json").is_file()
    assert list(packet.glob("*.pdf"))
    assert (kept / "self-test.clearslate").is_file()


def test_temporary_folder_is_removed(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(selftest.tempfile, "tempdir", str(tmp_path))
    result = selftest.self_test()
    assert result.ok, result.line
    assert list(tmp_path.iterdir()) == []


def test_missing_service_fails_naming_the_step(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    real_import = selftest.importlib.import_module

    def without_packet(name: str, *args: object) -> object:
        if name == "app.services.packet_process":
            raise ModuleNotFoundError("No module named 'app.services.packet_process'")
        return real_import(name, *args)

    monkeypatch.setattr(selftest.importlib, "import_module", without_packet)
    assert selftest.run_self_test([]) == 1
    out, err = capsys.readouterr()
    assert out == ""
    assert err.strip().splitlines() == [
        f"{APP_NAME} {__version__} self-test FAILED at step 'export': this build has no "
        "app.services.packet_process (No module named 'app.services.packet_process')"
    ]


def test_an_unexpected_error_is_one_line_not_a_traceback(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(ctx: object) -> str:
        raise KeyError("policy")

    steps = tuple((name, broken if name == "evaluate" else fn) for name, fn in selftest.STEPS)
    monkeypatch.setattr(selftest, "STEPS", steps)
    result = selftest.self_test()
    assert not result.ok and result.failed_step == "evaluate"
    assert result.line.endswith("FAILED at step 'evaluate': KeyError: 'policy'")
    assert "Traceback" not in result.line


def test_a_network_attempt_fails_the_self_test_even_when_caught(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def phones_home(ctx: object) -> str:
        # A careless caller swallowing the error must not hide the attempt.
        with contextlib.suppress(OSError):
            socket.create_connection(("192.0.2.1", 443), timeout=0.1)
        return "resources present"

    steps = tuple((name, phones_home if name == "resources" else fn) for name, fn in selftest.STEPS)
    monkeypatch.setattr(selftest, "STEPS", steps)
    result = selftest.self_test()
    assert not result.ok and result.failed_step == "resources"
    assert "tried to reach the network" in result.line


def test_sockets_are_refused_during_and_restored_after() -> None:
    before = socket.socket
    attempts: list[str] = []
    with selftest.refuse_network(attempts):
        with pytest.raises(selftest.NetworkRefused):
            socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        with pytest.raises(selftest.NetworkRefused):
            socket.getaddrinfo("example.org", 80)
        # Local sockets never leave the machine and stay allowed.
        if hasattr(socket, "AF_UNIX"):
            socket.socket(socket.AF_UNIX, socket.SOCK_STREAM).close()
    assert socket.socket is before
    assert len(attempts) == 2


@pytest.mark.slow
def test_python_dash_m_app_self_test(tmp_path: Path) -> None:
    """The real entry point in a fresh process, as county IT would run it from source."""
    env = {
        "CLEARSLATE_HOME": str(tmp_path / "home"),
        "PATH": "/usr/bin:/bin",
        "QT_QPA_PLATFORM": "offscreen",
    }
    proc = subprocess.run(
        [sys.executable, "-m", "app", "--self-test"],
        capture_output=True,
        text=True,
        env=env,
        cwd=Path(__file__).resolve().parents[2],
        timeout=120,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert len(proc.stdout.strip().splitlines()) == 1
    assert "self-test passed" in proc.stdout


def _dies_at_once(job: object, out: object) -> None:
    """A worker's target that ends its process at once (spawn needs it at module level)."""
    import os

    os._exit(3)


def test_a_worker_process_that_cannot_start_fails_the_workers_step(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A bundle whose spawned workers die at start (e.g. no freeze_support) must not pass."""
    from app.services import import_rows

    monkeypatch.setattr(import_rows.os, "cpu_count", lambda: 2)
    monkeypatch.setattr(import_rows, "_work", _dies_at_once)
    result = selftest.self_test()
    assert not result.ok
    assert result.failed_step == "workers", result.line
    assert "stopped unexpectedly (exit code 3)" in result.line
