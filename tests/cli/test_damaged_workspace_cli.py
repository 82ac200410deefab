"""A truncated workspace through the command line: the restore-a-backup message, never a trace."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.cli import main
from tests.conftest import make_workspace

CSV = "Case No,Name,DOB,Charge,Disp,Disp Date\nA1,\"DOE, JANE\",1970-01-01,11357(b) HS,CONVICTED,2001-02-03\n"


@pytest.fixture
def truncated(tmp_path: Path) -> Path:
    ws = make_workspace(tmp_path)
    ws.close()  # the WAL is folded into the file on close
    data = ws.path.read_bytes()
    path = tmp_path / "t.clearslate"
    path.write_bytes(data[: len(data) // 2])  # what `head -c` of a half-copied file leaves
    return path


@pytest.mark.parametrize(
    "command",
    [
        ["verify", "{ws}"],
        ["login", "{ws}", "--user", "admin"],
        ["import", "{ws}", "{csv}", "--user", "admin"],
        ["export", "{ws}", "--out", "{out}", "--user", "admin"],
        ["decisions", "{ws}", "--out", "{out}.csv", "--user", "admin"],
    ],
)
def test_truncated_workspace_gets_the_damaged_message(
    truncated: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], command: list[str]
) -> None:
    source = tmp_path / "cases.csv"
    source.write_text(CSV, encoding="utf-8")
    before = truncated.read_bytes()
    argv = [
        a.format(ws=truncated, csv=source, out=tmp_path / "out") for a in command
    ]
    assert main(argv) == 1
    err = capsys.readouterr().err
    assert str(truncated) in err
    assert "damaged. Restore the latest backup" in err
    assert "unexpected error" not in err
    assert truncated.read_bytes() == before
    assert not (tmp_path / "out").exists() and not (tmp_path / "out.csv").exists()
