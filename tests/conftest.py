"""Test set-up: offscreen Qt, no network, a private data folder, and workspace fixtures."""

from __future__ import annotations

import os
import socket
import tempfile
from collections.abc import Iterator
from pathlib import Path

# Before anything imports Qt: offscreen when there is no display, so pytest-qt never aborts.
if not os.environ.get("DISPLAY") and not os.environ.get("WAYLAND_DISPLAY"):
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# Logs, window state and diagnostics go to a private folder, never the developer's profile.
os.environ.setdefault("CLEARSLATE_HOME", tempfile.mkdtemp(prefix="clearslate-test-home-"))
os.environ["CLEARSLATE_TEST_FAST_KDF"] = "1"
os.environ["CLEARSLATE_TEST_MODE"] = "1"

import pytest  # noqa: E402


class NetworkBlocked(RuntimeError):
    pass


_real_socket = socket.socket


class _GuardedSocket(_real_socket):
    """Internet sockets fail the test: ClearSlate must never touch the network."""

    def __init__(self, family: int = -1, type: int = -1, proto: int = -1, fileno: int | None = None) -> None:
        if fileno is None and family in (-1, socket.AF_INET, socket.AF_INET6):
            raise NetworkBlocked("ClearSlate tried to open a network socket; it must work offline.")
        super().__init__(family, type, proto, fileno)


def _refuse(*args: object, **kwargs: object) -> None:
    raise NetworkBlocked("ClearSlate tried to reach the network; it must work offline.")


socket.socket = _GuardedSocket  # type: ignore[misc]
socket.create_connection = _refuse  # type: ignore[assignment]
socket.getaddrinfo = _refuse  # type: ignore[assignment]

PASSWORD = "correct-horse-42"
USERS = {"admin": "admin", "clerk": "clerk", "reviewer": "reviewer", "supervisor": "supervisor"}


@pytest.fixture(scope="session", autouse=True)
def _one_qapplication(qapp):  # type: ignore[no-untyped-def]
    """Qt allows one application object per process. Exports make an offscreen
    QGuiApplication when none exists; if a service test did that first, every later window
    test would abort. Creating the QApplication up front makes the whole run one kind."""
    return qapp


@pytest.fixture(autouse=True)
def _password_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CLEARSLATE_PASSWORD", PASSWORD)
    monkeypatch.setenv("CLEARSLATE_NEW_PASSWORD", PASSWORD)


def make_workspace(folder: Path, *, policy: str = "ca-prop64-state", county: str = "Kern", users: bool = True, name: str = "test"):  # type: ignore[no-untyped-def]
    """A real workspace file with an admin (and a clerk, reviewer and supervisor)."""
    from app.core.model import Role
    from app.services import auth
    from app.services.workspaces import init_workspace

    ws = init_workspace(folder / f"{name}.clearslate", policy_id=policy, county=county, admin="admin", password=PASSWORD)
    if users:
        admin = auth.login(ws, "admin", PASSWORD)
        for username, role in USERS.items():
            if username != "admin":
                auth.create_user(ws, username, PASSWORD, Role(role), by=admin)
    return ws


@pytest.fixture
def workspace(tmp_path: Path) -> Iterator:  # type: ignore[type-arg]
    """A fresh California statewide workspace with one user of each role (password PASSWORD)."""
    ws = make_workspace(tmp_path)
    try:
        yield ws
    finally:
        ws.close()


@pytest.fixture
def ws(tmp_path: Path) -> Iterator:  # type: ignore[type-arg]
    """A bare new workspace: no policy, no users (the store and import services need neither)."""
    from app.store.workspace import Workspace

    bare = Workspace.create(tmp_path / "w.clearslate")
    try:
        yield bare
    finally:
        bare.close()


@pytest.fixture
def workspace_path(tmp_path: Path) -> Path:
    """The path of a fresh workspace file (closed), for CLI and window tests."""
    ws = make_workspace(tmp_path)
    path = ws.path
    ws.close()
    return path


@pytest.fixture
def login(workspace):  # type: ignore[no-untyped-def]
    """``login("reviewer")`` → the logged-on user of that name in ``workspace``."""
    from app.services import auth

    return lambda name: auth.login(workspace, name, PASSWORD)
