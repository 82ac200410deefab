"""Every kind of damaged workspace file gets the same words: the file is damaged, restore
the latest backup, which folder the backups are in; never SQLite's own text."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.cli import main
from tests.conftest import make_workspace

# What SQLite says about damaged files; a clerk must never have to read it.
SQLITE_WORDS = (
    "malformed",
    "not a database",
    "btree",
    "page",
    "quick_check",
    "SQLite",
    "error code",
)
KINDS = ("text", "truncated", "garbled")


def damaged_workspace(folder: Path, kind: str, *, with_backup: bool = True) -> Path:
    """A real workspace in ``folder`` (with a backup beside it), then damaged one way."""
    folder.mkdir(parents=True, exist_ok=True)
    ws = make_workspace(folder, name="kern")
    ws.conn.execute("PRAGMA journal_mode = DELETE")  # the whole log in the one file
    with ws.transaction():
        for i in range(2000):  # enough pages that damage in the middle hits table data
            ws.conn.execute(
                "INSERT INTO settings(key, value) VALUES (?, ?)", (f"filler{i}", "v" * 100)
            )
    if with_backup:
        ws.backup("before-damage")
    path = ws.path
    ws.close()
    data = bytearray(path.read_bytes())
    if kind == "text":  # a spreadsheet saved over it as CSV
        path.write_text("SUBJECT_ID,NAME\n1,DOE\n", encoding="utf-8")
    elif kind == "truncated":  # a copy that stopped half way
        path.write_bytes(bytes(data[: len(data) // 2]))
    elif kind == "garbled":  # pages overwritten: the header is fine, quick_check is not
        for offset in range(len(data) // 2, len(data) // 2 + 16384):
            data[offset] = 0xFF
        path.write_bytes(bytes(data))
    else:
        raise ValueError(kind)
    return path


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("command", ["verify", "login"])
def test_the_command_line_names_the_damage_and_the_backups_folder(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], kind: str, command: str
) -> None:
    path = damaged_workspace(tmp_path / kind, kind)
    argv = [command, str(path)] + (["--user", "admin"] if command == "login" else [])
    assert main(argv) == 1
    err = capsys.readouterr().err
    assert "damaged" in err and "restore the latest backup" in err.lower()
    assert "“kern.backups” next to the workspace file" in err
    assert "unexpected error" not in err
    for word in SQLITE_WORDS:
        assert word.lower() not in err.lower().replace(str(path).lower(), ""), word


def test_without_a_backups_folder_it_says_to_ask_the_administrator(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = damaged_workspace(tmp_path, "truncated", with_backup=False)
    assert main(["verify", str(path)]) == 1
    err = capsys.readouterr().err
    assert "there is none here, so ask your administrator for a copy" in err
