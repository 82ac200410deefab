"""A person whose same-person proposal is still open is never recommended for relief.

The state's extract (CII numbers) holds a prior murder conviction; the court's export
(its own person ids) holds the cannabis count, for the same name and date of birth. Until
someone confirms or rejects the proposal, the court count's history may be missing its worst
prior, so the answer is needs_review saying what to check — on the serial and the worker path.
Confirmed, the prior counts (not eligible); rejected, the count stands on its own history.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
from pathlib import Path

import pytest

from app.core.model import Outcome
from app.services import evaluate_parallel as parallel
from app.services import importing
from app.services.evaluate import evaluate
from app.store import evaluation as store

AS_OF = dt.date(2024, 1, 1)
HEADERS = ["Case No", "Count", "Name", "DOB", "{key}", "Charge", "Level", "Disposition",
           "Disp Date", "Offense Date", "County"]  # fmt: skip


def _csv(path: Path, key: str, rows: list[list[str]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as fh:
        csv.writer(fh).writerows([[h.format(key=key) for h in HEADERS], *rows])
    return path


def _outcomes(ws) -> dict[str, tuple[Outcome, list[str], list[str]]]:  # type: ignore[no-untyped-def]
    """case number -> (outcome, reason codes, reason texts) in the latest run."""
    run = store.latest_run(ws)
    assert run is not None
    rows = ws.conn.execute(
        "SELECT c.case_number, r.outcome, r.reasons FROM recommendations r "
        "JOIN counts n ON n.id = r.count_id JOIN cases c ON c.id = n.case_id WHERE r.run_id = ?",
        (run.id,),
    ).fetchall()
    return {
        case: (Outcome(outcome), [r["code"] for r in json.loads(reasons)],
               [r["text"] for r in json.loads(reasons)])
        for case, outcome, reasons in rows
    }  # fmt: skip


@pytest.fixture(params=["serial", "workers"])
def path_taken(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    if request.param == "workers":
        monkeypatch.setattr(parallel, "MIN_COUNTS", 0)
        monkeypatch.setenv(parallel.WORKERS_ENV, "2")
    else:
        monkeypatch.setenv(parallel.WORKERS_ENV, "1")
    return str(request.param)


@pytest.mark.parametrize("confirm", [True, False])
def test_an_open_same_person_proposal_holds_back_relief(
    workspace,
    tmp_path: Path,
    path_taken: str,
    confirm: bool,  # type: ignore[no-untyped-def]
) -> None:
    doj = _csv(tmp_path / "doj.csv", "CII_NUMBER", [
        ["D-1", "1", "MORALES, ANA", "1975-03-04", "00000042", "187(A) PC", "F", "CONVICTED",
         "1999-05-01", "1998-12-01", "Kern"],
    ])  # fmt: skip
    court = _csv(tmp_path / "court.csv", "Person ID", [
        ["KC-7", "1", "MORALES, ANA", "1975-03-04", "P-991", "11359 HS", "F", "CONVICTED",
         "2010-05-01", "2010-01-01", "Kern"],
        # Someone else entirely, with no proposal: their count is decided as before.
        ["KC-8", "1", "OKAFOR, INGRID", "1968-04-02", "P-992", "11359 HS", "F", "CONVICTED",
         "2010-05-01", "2010-01-01", "Kern"],
    ])  # fmt: skip
    for path in (doj, court):
        report = importing.import_file(workspace, path, user="clerk", today=AS_OF)
        assert report.status == "imported", report.message
    [match] = importing.proposed_matches(workspace)

    evaluate(workspace, user="admin", as_of=AS_OF)
    outcomes = _outcomes(workspace)
    outcome, codes, texts = outcomes["KC-7"]
    assert outcome is Outcome.NEEDS_REVIEW
    assert codes[0] == "engine.identity_unconfirmed"
    assert "MORALES, ANA (born 1975-03-04, CII_NUMBER 00000042; match" in texts[0]
    assert "confirm or reject the match" in texts[0]
    assert outcomes["KC-8"][0].is_eligible  # the control: no proposal, relief as before
    assert outcomes["D-1"][0] is Outcome.NOT_ELIGIBLE  # not cannabis: stands

    if confirm:
        importing.confirm_match(workspace, match.id, user="supervisor")
    else:
        importing.reject_match(workspace, match.id, user="supervisor")
    evaluate(workspace, user="admin", as_of=AS_OF)
    outcome, codes, _ = _outcomes(workspace)["KC-7"]
    assert "engine.identity_unconfirmed" not in codes
    if confirm:  # the prior murder is this person's now: no relief
        assert outcome is Outcome.NOT_ELIGIBLE
    else:
        assert outcome.is_eligible
