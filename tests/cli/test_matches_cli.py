"""`clearslate matches`: the open same-person proposals, listed and decided from the command line.

The DOJ extract (CII numbers) holds a prior murder; the court export (its own person ids) the
cannabis count, for the same name and date of birth. The proposal holds back relief until it is
decided; confirming it puts the prior in the person's history.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from app.cli import main

HEADERS = ["Case No", "Count", "Name", "DOB", "{key}", "Charge", "Level", "Disposition",
           "Disp Date", "Offense Date", "County"]  # fmt: skip


def _csv(path: Path, key: str, rows: list[list[str]]) -> str:
    with path.open("w", newline="", encoding="utf-8") as fh:
        csv.writer(fh).writerows([[h.format(key=key) for h in HEADERS], *rows])
    return str(path)


def _outcome(ws: str, tmp_path: Path, case: str) -> str:
    out = tmp_path / "decisions.csv"
    assert main(["decisions", ws, "--user", "admin", "--out", str(out)]) == 0
    with out.open(encoding="utf-8-sig", newline="") as fh:
        return next(r["outcome"] for r in csv.DictReader(fh) if r["case_number"] == case)


def test_list_confirm_and_evaluate_again(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    ws = str(tmp_path / "m.clearslate")
    assert (
        main(["init", ws, "--policy", "ca-prop64-state", "--county", "Kern", "--admin", "admin"])
        == 0
    )
    doj = _csv(tmp_path / "doj.csv", "CII_NUMBER", [
        ["D-1", "1", "MORALES, ANA", "1975-03-04", "00000042", "187(A) PC", "F", "CONVICTED",
         "1999-05-01", "1998-12-01", "Kern"],
    ])  # fmt: skip
    court = _csv(tmp_path / "court.csv", "Person ID", [
        ["KC-7", "1", "MORALES, ANA", "1975-03-04", "P-991", "11359 HS", "F", "CONVICTED",
         "2010-05-01", "2010-01-01", "Kern"],
    ])  # fmt: skip
    assert main(["import", ws, doj, "--user", "admin"]) == 0
    assert main(["import", ws, court, "--user", "admin"]) == 0
    assert "clearslate matches" in capsys.readouterr().out  # the import says where to decide

    assert main(["matches", ws, "--user", "admin", "--json"]) == 0
    [proposal] = json.loads(capsys.readouterr().out)["proposed"]
    assert (proposal["key_a"], proposal["key_b"], proposal["cases_b"]) == (
        "00000042",
        "P-991",
        ["KC-7"],
    )
    assert main(["matches", ws, "--user", "admin"]) == 0
    listing = capsys.readouterr().out
    assert f"match {proposal['match']}: MORALES, ANA [00000042] cases D-1" in listing
    assert "neither person's counts are recommended for relief" in listing

    assert main(["evaluate", ws, "--user", "admin"]) == 0
    assert _outcome(ws, tmp_path, "KC-7") == "needs_review"

    assert main(["matches", ws, "--user", "admin", "--confirm", str(proposal["match"])]) == 0
    assert "confirmed: one person now" in capsys.readouterr().out
    assert main(["matches", ws, "--user", "admin"]) == 0
    assert "No possible same-person matches are waiting." in capsys.readouterr().out
    assert main(["evaluate", ws, "--user", "admin"]) == 0
    assert _outcome(ws, tmp_path, "KC-7") == "not_eligible"  # the prior murder is his own

    # Deciding it twice is a clear error, not a traceback.
    assert main(["matches", ws, "--user", "admin", "--reject", str(proposal["match"])]) == 1
    assert "already confirmed" in capsys.readouterr().err


def _two_proposals(tmp_path: Path) -> str:
    """A workspace with two open proposals: Ana and Raul, each in the DOJ and the court file."""
    ws = str(tmp_path / "m.clearslate")
    assert (
        main(["init", ws, "--policy", "ca-prop64-state", "--county", "Kern", "--admin", "admin"])
        == 0
    )
    doj = _csv(tmp_path / "doj.csv", "CII_NUMBER", [
        ["D-1", "1", "MORALES, ANA", "1975-03-04", "00000042", "187(A) PC", "F", "CONVICTED",
         "1999-05-01", "1998-12-01", "Kern"],
        ["D-2", "1", "ORTIZ, RAUL", "1981-07-09", "00000077", "187(A) PC", "F", "CONVICTED",
         "2001-05-01", "2001-01-01", "Kern"],
    ])  # fmt: skip
    court = _csv(tmp_path / "court.csv", "Person ID", [
        ["KC-7", "1", "MORALES, ANA", "1975-03-04", "P-991", "11359 HS", "F", "CONVICTED",
         "2010-05-01", "2010-01-01", "Kern"],
        ["KC-8", "1", "ORTIZ, RAUL", "1981-07-09", "P-992", "11359 HS", "F", "CONVICTED",
         "2010-05-01", "2010-01-01", "Kern"],
    ])  # fmt: skip
    assert main(["import", ws, doj, "--user", "admin"]) == 0
    assert main(["import", ws, court, "--user", "admin"]) == 0
    return ws


def _open(ws: str, capsys: pytest.CaptureFixture[str]) -> list[int]:
    capsys.readouterr()
    assert main(["matches", ws, "--user", "admin", "--json"]) == 0
    return [p["match"] for p in json.loads(capsys.readouterr().out)["proposed"]]


@pytest.mark.parametrize("form", ["listed", "repeated"])
def test_several_matches_are_confirmed_in_one_go(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], form: str
) -> None:
    ws = _two_proposals(tmp_path)
    first, second = _open(ws, capsys)
    numbers = (
        ["--confirm", str(first), str(second)]
        if form == "listed"
        else ["--confirm", str(first), "--confirm", str(second)]
    )
    assert main(["matches", ws, "--user", "admin", "--json", *numbers]) == 0
    decided = json.loads(capsys.readouterr().out)["decided"]
    assert [(d["match"], d["status"], d["name_a"]) for d in decided] == [
        (first, "confirmed", "MORALES, ANA"),
        (second, "confirmed", "ORTIZ, RAUL"),
    ]
    assert _open(ws, capsys) == []
    assert main(["evaluate", ws, "--user", "admin"]) == 0
    assert _outcome(ws, tmp_path, "KC-7") == "not_eligible"  # Ana's prior murder
    assert _outcome(ws, tmp_path, "KC-8") == "not_eligible"  # and Raul's


def test_several_rejected_and_a_bad_number_decides_none(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    ws = _two_proposals(tmp_path)
    first, second = _open(ws, capsys)
    assert main(["matches", ws, "--user", "admin", "--reject", str(first), "999", str(second)]) == 1
    err = capsys.readouterr().err
    assert "There is no proposed match number 999; nothing was decided." in err
    assert "Traceback" not in err
    assert _open(ws, capsys) == [first, second]  # all or nothing

    assert main(["matches", ws, "--user", "admin", "--reject", str(first), str(second)]) == 0
    out = capsys.readouterr().out
    assert (
        f"Match {first} rejected: two people (MORALES, ANA / MORALES, ANA, born 1975-03-04)." in out
    )
    assert "2 matches decided. Evaluate again" in out
    assert _open(ws, capsys) == []
    # --confirm and --reject together is a usage error (exit 2), as elsewhere in the CLI.
    with pytest.raises(SystemExit) as usage:
        main(["matches", ws, "--user", "admin", "--confirm", str(first), "--reject", str(second)])
    assert usage.value.code == 2


def test_the_import_lists_fifty_proposals_and_says_how_many_more(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    ws = str(tmp_path / "many.clearslate")
    assert (
        main(["init", ws, "--policy", "ca-prop64-state", "--county", "Kern", "--admin", "admin"])
        == 0
    )
    # No key column: each case is its own record, and each name + DOB appears in two cases.
    rows = [
        [f"K-{i}-{j}", "1", f"REYES{i:02d}, LUZ", "1980-02-01", "", "11357(b) HS", "M",
         "CONVICTED", "2010-05-01", "2010-01-01", "Kern"]
        for i in range(53)
        for j in range(2)
    ]  # fmt: skip
    keyless = _csv(tmp_path / "keyless.csv", "Notes", rows)
    capsys.readouterr()
    assert main(["import", ws, keyless, "--user", "admin"]) == 0
    out = capsys.readouterr().out
    assert "53 possible same-person matches to confirm" in out
    assert out.count("  possible same person (match ") == 50
    assert "... and 3 more possible same people: list them all with 'clearslate matches'" in out
