"""The eligibility audit's traps, end to end: a county file through import, evaluate, decisions.

Each row below once came out eligible (a reduction, a dismissal, a vacate) where the facts
were missing, garbled or contradictory (audit of 2026-11-22). Unit tests hold each rule; this
holds the whole chain — header mapping, the parsers, the stored facts and the packs — so a
trap cannot come back through a layer the unit tests do not cross. Control rows in each file
must stay eligible, so the test also fails if everything is simply sent to review.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from app.cli import main

ELIGIBLE = ("eligible_dismiss", "eligible_reduce", "eligible_vacate")


def _outcomes(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    policy: str,
    county: str,
    headers: list[str],
    rows: list[list[str]],
) -> dict[str, str]:
    """The outcome per case number after importing ``rows`` under ``policy``."""
    source = tmp_path / "county.csv"
    with source.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(headers)
        writer.writerows(rows)
    ws = str(tmp_path / "traps.clearslate")
    assert main(["init", ws, "--policy", policy, "--county", county, "--admin", "admin"]) == 0
    assert main(["import", ws, str(source), "--user", "admin"]) == 0, capsys.readouterr()
    assert main(["evaluate", ws, "--user", "admin"]) == 0
    out = tmp_path / "decisions.csv"
    assert main(["decisions", ws, "--user", "admin", "--out", str(out)]) == 0
    capsys.readouterr()
    with out.open(encoding="utf-8-sig", newline="") as fh:
        return {r["case_number"]: r["outcome"] for r in csv.DictReader(fh)}


CA_HEADERS = ["CII", "Name", "DOB", "Case", "County", "Offense Date", "Code", "Level",
              "Disposition", "Disp Date"]  # fmt: skip


def _ca(person: str, case: str, code: str, *, dob: str = "01/01/1970", level: str = "F",
        disp: str = "CONVICTED", odate: str = "02/01/2010", ddate: str = "03/01/2010") -> list[str]:  # fmt: skip
    return [person, f"{person}, TEST", dob, case, "KERN", odate, code, level, disp, ddate]


@pytest.mark.slow
def test_california_traps(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rows = [
        # A prior written without its code book: PC 187 (a super strike), not HS 187.
        _ca("A1", "C1", "11359 HS"),
        _ca("A1", "C0", "187", odate="02/01/1999", ddate="06/01/1999"),
        # The book spelled out after the section.
        _ca("A2", "C1B", "11359 HS"),
        _ca("A2", "C0B", "187 PENAL CODE", odate="02/01/1999", ddate="06/01/1999"),
        # The DOJ spelling of PC 314(1), a registrable offense, before an 11358.
        _ca("A3", "C1C", "11358 HS"),
        _ca("A3", "C0C", "314.1 PC", level="M", odate="02/01/1999", ddate="06/01/1999"),
        _ca("B1", "C2", "PC 182/HS 11359"),  # conspiracy
        _ca("D1", "C4", "11357(B) HS", dob="01/01/1900", level="M"),  # a placeholder birth date
        _ca("E1", "C5", "11357(B) HS", level="M", disp="NOT CONVICTED"),
        _ca("F1", "C6", "11357(B) HS", level="M", odate="02/01/2012", ddate="03/01/2005"),
        # Two earlier 11359 counts, one of them with no disposition: maybe two priors.
        _ca("G1", "C7", "11359 HS"),
        _ca("G1", "C8", "11359 HS", odate="02/01/2005", ddate="03/01/2005"),
        _ca("G1", "C9", "11359 HS", disp="", odate="02/01/2007", ddate=""),
        _ca("H1", "C10", "11360 HS", disp="PLEA WITHDRAWN"),
        _ca("I1", "C11", "11358 HS"),
        _ca("I1", "C12", "288(A)", odate="02/01/2000", ddate="03/01/2000"),
        # Controls: plain convictions the pack relieves.
        _ca("Y1", "K1", "11359 HS"),
        _ca("Z1", "K2", "11357(B) HS", level="M"),
    ]
    outcomes = _outcomes(tmp_path, capsys, "ca-prop64-state", "Kern", CA_HEADERS, rows)
    for case in ("C1", "C1B", "C1C", "C2", "C4", "C5", "C6", "C7", "C10", "C11"):
        assert outcomes[case] not in ELIGIBLE, (case, outcomes[case])
    assert outcomes["C1B"] == "not_eligible"  # PC 187 named in full: a super strike
    assert outcomes["C1C"] == "not_eligible"  # PC 314(1): registration
    assert (outcomes["K1"], outcomes["K2"]) == ("eligible_reduce", "eligible_dismiss")


NYM_HEADERS = ["Docket #", "NYSID", "Defendant Name", "DOB", "Arrest Date", "Charge",
               "Charge Class", "County", "Case Status", "Disposition", "Disp Date"]  # fmt: skip


def _nym(docket: str, person: str, status: str, disp: str, *, charge: str = "PL 221.05",
         cls: str = "V", arrest: str = "05/05/1995", county: str = "NEW YORK") -> list[str]:  # fmt: skip
    return [docket, person, f"{person}, TEST", "03/12/1984", arrest, charge, cls, county,
            status, disp, ""]  # fmt: skip


@pytest.mark.slow
def test_manhattan_traps(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rows = [
        _nym("D1", "P1", "CLOSED", "BENCH WARRANT"),  # status and disposition disagree
        _nym("D2", "P2", "OPEN - NO WARRANT", "OPEN"),  # no warrant at all
        _nym("D3", "P3", "OPEN", "WARRANT RECALLED"),  # no longer outstanding
        _nym("D4", "P4", "OPEN", "BENCH WARRANT", arrest=""),  # no date to place it
        _nym("D5", "P5", "OPEN", "BENCH WARRANT"),
        _nym("D5B", "P5", "OPEN", "", charge="PL 160.15", cls="CF", arrest="05/05/2016"),
        _nym("D7", "P7", "WARRANT VACATED", "OPEN"),
        _nym("D8", "P8", "OPEN", "BENCH WARRANT", county="QUEENS"),  # another county
        _nym("K1", "P9", "OPEN", "BENCH WARRANT"),  # control: an open warrant case
    ]
    outcomes = _outcomes(tmp_path, capsys, "ny-manhattan-2018", "New York", NYM_HEADERS, rows)
    for case in ("D1", "D2", "D3", "D4", "D5", "D7", "D8"):
        assert outcomes[case] not in ELIGIBLE, (case, outcomes[case])
    assert outcomes["K1"] == "eligible_vacate"


BAL_HEADERS = ["Case Number", "Person ID", "Name", "DOB", "County", "Court", "Statute",
               "Charge Description", "Disposition", "Disposition Date", "Level"]  # fmt: skip


def _bal(case: str, person: str, statute: str, description: str, disp: str = "GUILTY",
         ddate: str = "03/01/2015") -> list[str]:  # fmt: skip
    return [case, person, f"{person}, TEST", "01/01/1980", "BALTIMORE CITY",
            "District Court for Baltimore City", statute, description, disp, ddate, "M"]  # fmt: skip


@pytest.mark.slow
def test_baltimore_traps(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rows = [
        _bal("M1", "P1", "CR.5.601.(a)(1)", "CDS POSS-NON MARIJUANA"),
        _bal("M2", "P2", "CR.5.601.(a)(1)", "CDS:POSS OTHER THAN MARIJUANA"),
        _bal(
            "M4",
            "P4",
            "CR.5.601.(c)(2)(ii)",
            "CDS:POSSESS-MARIJUANA LESS THAN 10 GRAMS",
            ddate="03/01/2016",
        ),  # fmt: skip
        _bal("M5", "P5", "CR.5.601.(a)(1)", "CDS:POSSESS-MARIJUANA", disp="NOT CONVICTED"),
        _bal("M6", "P6", "CR.5.601.(a)(1)", "CDS: POSSESS MARIJUANA W/INTENT DIST"),
        _bal("K1", "P9", "CR.5.601.(a)(1)", "CDS:POSSESS-MARIJUANA"),  # control
    ]
    outcomes = _outcomes(tmp_path, capsys, "md-baltimore-2019", "Baltimore City", BAL_HEADERS, rows)
    for case in ("M1", "M2", "M4", "M5", "M6"):
        assert outcomes[case] not in ELIGIBLE, (case, outcomes[case])
    assert (outcomes["M1"], outcomes["M2"]) == ("not_eligible", "not_eligible")
    assert outcomes["K1"] == "eligible_vacate"
