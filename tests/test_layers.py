"""Layers and offline: no network imports anywhere, QtWidgets only in app.ui, SQL only in app.store,
and the test suite blocks sockets. (import-linter checks the rest of the contract.)"""

from __future__ import annotations

import ast
import socket
from pathlib import Path

import pytest

APP = Path(__file__).resolve().parents[1] / "app"
FORBIDDEN = {
    "socket", "ssl", "http", "urllib", "requests", "httpx", "ftplib", "smtplib", "xmlrpc", "asyncio",
    "PySide6.QtNetwork", "PySide6.QtWebEngineCore", "PySide6.QtWebEngineWidgets", "PySide6.QtWebSockets",
}


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


# The self-test imports socket only to replace socket.socket with one that refuses every
# Internet connection while it runs (its pass proves the bundle works offline).
NETWORK_GUARDS = {APP / "services" / "selftest.py": {"socket"}}


def test_no_module_imports_a_network_library() -> None:
    offenders = []
    for path in sorted(APP.rglob("*.py")):
        guard_only = NETWORK_GUARDS.get(path, set())
        for name in _imports(path):
            if name in guard_only:
                continue
            if any(name == f or name.startswith(f + ".") for f in FORBIDDEN):
                offenders.append(f"{path.relative_to(APP.parent)} imports {name}")
    assert not offenders, "\n".join(offenders)


def test_sql_stays_in_the_store() -> None:
    offenders = []
    for path in sorted(APP.rglob("*.py")):
        if path.is_relative_to(APP / "store"):
            continue
        for name in _imports(path):
            if name.split(".")[0] in {"sqlite3", "sqlite_utils"}:
                offenders.append(f"{path.relative_to(APP.parent)} imports {name}")
    assert not offenders, "\n".join(offenders)


def test_only_the_window_imports_qtwidgets() -> None:
    offenders = []
    for path in sorted(APP.rglob("*.py")):
        if path.is_relative_to(APP / "ui"):
            continue
        for name in _imports(path):
            if name.startswith("PySide6.QtWidgets") or name.startswith("PySide6.QtPrintSupport"):
                offenders.append(f"{path.relative_to(APP.parent)} imports {name}")
    assert not offenders, "\n".join(offenders)


def test_qt_only_in_the_window_and_the_pdf_writer() -> None:
    allowed = (APP / "ui", APP / "exports")
    offenders = []
    for path in sorted(APP.rglob("*.py")):
        if any(path.is_relative_to(a) for a in allowed):
            continue
        for name in _imports(path):
            if name.split(".")[0] in {"PySide6", "shiboken6"}:
                offenders.append(f"{path.relative_to(APP.parent)} imports {name}")
    # services may reach Qt only through app.exports (which creates its own QGuiApplication).
    assert not offenders, "\n".join(offenders)


def test_the_test_suite_blocks_sockets() -> None:
    with pytest.raises(RuntimeError, match="offline"):
        socket.create_connection(("192.0.2.1", 80))
    with pytest.raises(RuntimeError, match="offline"):
        socket.socket(socket.AF_INET, socket.SOCK_STREAM)
